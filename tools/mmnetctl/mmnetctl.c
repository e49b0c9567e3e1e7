// SPDX-License-Identifier: GPL-2.0
/*
 * mmnetctl: configure mmnet, the shared-memory shortcut between co-located VMs.
 *
 * It speaks to the module over the generic netlink family "mmnet" (include/uapi/linux/mmnet.h) and puts the
 * tc egress classifier (bpf/mmnet.bpf.c, embedded here as a libbpf skeleton) on the lower NIC.
 * Exit status as ip(8): 0 success, 1 an error, 255 a command line that cannot be understood.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/mmnet.h>

#include "../lib/nl.h"
#include "../lib/version.h"
#include "mmnet.skel.h"

#define BPF_FS_MAGIC_	0xcafe4a11
#define TC_HANDLE	1
#define TC_PRIORITY	1
#define EXIT_USAGE	255

static bool json;

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	fputs("mmnetctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((format(printf, 1, 2), noreturn)) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mmnetctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(", try \"mmnetctl help\".\n", stderr);
	exit(EXIT_USAGE);
}

/*
 * After getopt's '?': an unknown short option is in optopt (argv[optind - 1]
 * may be the one before, while getopt is inside a group like -jz), a long
 * one only in @arg.
 */
static void __attribute__((noreturn)) unknown_option(const char *arg)
{
	if (optopt && strncmp(arg, "--", 2))
		usage_error("Option \"-%c\" is unknown", optopt);
	usage_error("Option \"%s\" is unknown", arg);
}

static void usage(FILE *out)
{
	fputs("Usage: mmnetctl [ -j | --json ] COMMAND [ ARGS ]\n"
	      "\n"
	      "  attach DEV [ dev MMNETDEV ] [ map PATH ]\n"
	      "        Redirect DEV's traffic for connected co-located peers into MMNETDEV (default: the\n"
	      "        only mmnet device, created as mmnet0 if there is none).  Without map, puts the tc\n"
	      "        egress classifier on DEV and pins its peer map at " MMNET_PEER_MAP_PIN ".\n"
	      "        With map PATH, hands the peer map of a classifier attached with tc(8) to the module\n"
	      "        (for example /sys/fs/bpf/tc/globals/" MMNET_PEER_MAP_NAME ").\n"
	      "  detach DEV\n"
	      "        Undo attach: traffic takes the normal path at once.\n"
	      "  enable [ dev MMNETDEV ]\n"
	      "  disable [ dev MMNETDEV ]\n"
	      "        Turn the shortcut on or off (all mmnet devices by default).  Off, the peer map is\n"
	      "        empty and every packet takes the normal path; open connections carry on.\n"
	      "  show [ -j | --json ] [ MMNETDEV ]\n"
	      "        Devices, their peers, channel states and counters.\n"
	      "  help\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json      print show's output as JSON\n"
	      "  -h, --help      this text\n"
	      "  -V, --version   print the version\n"
	      "\n"
	      "Exit status: 0 on success, 1 on an error, 255 on a command line error.  See mmnetctl(8).\n",
	      out);
}

/* ---- the module's generic netlink family ---- */

struct mmnet_nl {
	struct nl_sock sock;
	int family;
};

static void mmnet_nl_open(struct mmnet_nl *nl)
{
	int err = nl_open(&nl->sock, NETLINK_GENERIC);

	if (err)
		die("cannot open a netlink socket: %s", strerror(-err));
	nl->family = genl_family_id(&nl->sock, MMNET_GENL_NAME);
	if (nl->family == -ENOENT)
		die("the mmnet module is not loaded (modprobe mmnet, or insmod mmnet.ko)");
	if (nl->family < 0)
		die("cannot resolve the generic netlink family %s: %s", MMNET_GENL_NAME,
		    strerror(-nl->family));
}

static void nl_check(struct nl_sock *s, int err, const char *what)
{
	if (!err)
		return;
	if (s->err_msg[0])
		die("%s: %s (%s)", what, s->err_msg, strerror(-err));
	die("%s: %s", what, strerror(-err));
}

struct device_info {
	unsigned int ifindex;
	unsigned int lower_ifindex;
	bool enabled;
	char name[IF_NAMESIZE];
};

struct device_list {
	struct device_info dev[64];
	int n;
};

static int collect_device(const struct nlmsghdr *nlh, void *arg)
{
	struct device_list *list = arg;
	const struct nlattr *tb[MMNET_A_MAX + 1];
	struct device_info *d;
	const void *attrs;
	size_t len;

	if (list->n == (int)(sizeof(list->dev) / sizeof(list->dev[0])))
		return 0;
	attrs = genl_attrs(nlh, &len);
	nl_parse(tb, MMNET_A_MAX, attrs, len);
	if (!tb[MMNET_A_IFINDEX])
		return 0;
	/* A device with many peers comes in several messages, one after the other. */
	if (list->n && list->dev[list->n - 1].ifindex == nl_get_u32(tb[MMNET_A_IFINDEX]))
		return 0;
	d = &list->dev[list->n++];
	d->ifindex = nl_get_u32(tb[MMNET_A_IFINDEX]);
	d->lower_ifindex = tb[MMNET_A_LOWER_IFINDEX] ? nl_get_u32(tb[MMNET_A_LOWER_IFINDEX]) : 0;
	d->enabled = tb[MMNET_A_ENABLED] && nl_get_u8(tb[MMNET_A_ENABLED]);
	if (!if_indextoname(d->ifindex, d->name))
		snprintf(d->name, sizeof(d->name), "if%u", d->ifindex);
	return 0;
}

static void list_devices(struct mmnet_nl *nl, struct device_list *list)
{
	struct nl_msg m;

	list->n = 0;
	genl_msg_init(&m, nl->family, MMNET_CMD_GET_DEVICE, MMNET_GENL_VERSION, NLM_F_DUMP);
	nl_check(&nl->sock, nl_talk(&nl->sock, &m, collect_device, list), "listing mmnet devices");
}

static unsigned int ifindex_of(const char *name)
{
	unsigned int ifindex = if_nametoindex(name);

	if (!ifindex)
		die("Cannot find device \"%s\"", name);
	return ifindex;
}

/* The device named @name (which must be an mmnet device), or the only one there is, or NULL. */
static const struct device_info *pick_device(const struct device_list *list, const char *name)
{
	int i;

	if (name) {
		unsigned int ifindex = ifindex_of(name);

		for (i = 0; i < list->n; i++)
			if (list->dev[i].ifindex == ifindex)
				return &list->dev[i];
		die("\"%s\" is not an mmnet device", name);
	}
	if (list->n > 1)
		die("there are %d mmnet devices: say which one with \"dev MMNETDEV\"", list->n);
	return list->n ? &list->dev[0] : NULL;
}

/* ---- rtnetlink: create mmnet0 when there is no mmnet device yet ---- */

static unsigned int create_device(const char *name)
{
	struct nl_sock s;
	struct nl_msg m;
	struct nlattr *linkinfo;
	int err;

	err = nl_open(&s, NETLINK_ROUTE);
	if (err)
		die("cannot open a netlink socket: %s", strerror(-err));
	nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	nl_msg_reserve(&m, sizeof(struct ifinfomsg));
	nl_put_str(&m, IFLA_IFNAME, name);
	linkinfo = nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "mmnet");
	nl_nest_end(&m, linkinfo);
	nl_check(&s, nl_talk(&s, &m, NULL, NULL), "creating mmnet0");
	nl_close(&s);
	return ifindex_of(name);
}

/* For a failed attach: no error of its own to report over the one that made it fail. */
static void delete_device(unsigned int ifindex)
{
	struct ifinfomsg *ifi;
	struct nl_sock s;
	struct nl_msg m;

	if (nl_open(&s, NETLINK_ROUTE))
		return;
	nl_msg_init(&m, RTM_DELLINK, 0);
	ifi = nl_msg_reserve(&m, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	nl_talk(&s, &m, NULL, NULL);
	nl_close(&s);
}

static void set_link_up(unsigned int ifindex)
{
	struct ifinfomsg *ifi;
	struct nl_sock s;
	struct nl_msg m;
	int err;

	err = nl_open(&s, NETLINK_ROUTE);
	if (err)
		die("cannot open a netlink socket: %s", strerror(-err));
	nl_msg_init(&m, RTM_NEWLINK, 0);
	ifi = nl_msg_reserve(&m, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	nl_check(&s, nl_talk(&s, &m, NULL, NULL), "setting the mmnet device up");
	nl_close(&s);
}

/* ---- the peer map and the classifier ---- */

/* Like tc(8), mount the BPF file system when it is not there (e.g. in a fresh `ip netns exec`). */
static void require_bpffs(void)
{
	struct statfs st;

	if ((statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC_) &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		die("/sys/fs/bpf is not a BPF file system and cannot be mounted (%s); mount -t bpf bpf /sys/fs/bpf",
		    strerror(errno));
	if (statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC_)
		die("/sys/fs/bpf is not a BPF file system (mount -t bpf bpf /sys/fs/bpf)");
	if (mkdir("/sys/fs/bpf/mmnet", 0700) && errno != EEXIST)
		die("cannot create /sys/fs/bpf/mmnet: %s", strerror(errno));
}

/*
 * Open the map pinned at @path.  Whether it is an mmnet peer map is the module's call: it checks the type and
 * sizes on attach and says what it expected.
 */
static int open_peer_map(const char *path)
{
	int fd = bpf_obj_get(path);

	if (fd < 0)
		die("cannot open the BPF map pinned at %s: %s", path, strerror(errno));
	return fd;
}

/*
 * What attach has done so far, taken back at exit unless it succeeded: a
 * refused attach leaves no device, classifier, qdisc or pin behind.
 */
static struct {
	unsigned int device;		/* the mmnet device it created */
	unsigned int classifier;	/* the lower device it put the classifier on */
	bool qdisc;			/* ... and the clsact qdisc it added there */
	bool pin;			/* it pinned the peer map at MMNET_PEER_MAP_PIN */
} attach_undo;

static void undo_attach(void)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = attach_undo.classifier, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIORITY);

	if (attach_undo.classifier) {
		bpf_tc_detach(&hook, &opts);
		if (attach_undo.qdisc) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
	}
	if (attach_undo.pin)
		unlink(MMNET_PEER_MAP_PIN);
	if (attach_undo.device)
		delete_device(attach_undo.device);
	memset(&attach_undo, 0, sizeof(attach_undo));
}

/* Load the classifier (reusing the pinned peer map if there is one) and put it on @ifindex's egress. */
static int attach_classifier(unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIORITY,
		    .flags = BPF_TC_F_REPLACE);
	LIBBPF_OPTS(bpf_tc_opts, query, .handle = TC_HANDLE, .priority = TC_PRIORITY);
	bool had_pin = !access(MMNET_PEER_MAP_PIN, F_OK);
	struct mmnet_bpf *skel;
	int err, map_fd;

	skel = mmnet_bpf__open();
	if (!skel)
		die("cannot open the classifier: %s", strerror(errno));
	err = bpf_map__set_pin_path(skel->maps.mmnet_peers, MMNET_PEER_MAP_PIN);
	if (!err)
		err = mmnet_bpf__load(skel);
	if (err)
		die("cannot load the classifier: %s", strerror(-err));
	attach_undo.pin = !had_pin;
	opts.prog_fd = bpf_program__fd(skel->progs.mmnet_egress);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		die("cannot add the clsact qdisc: %s", strerror(-err));
	attach_undo.qdisc = !err;
	/* One of ours there already (attach again) is replaced, and stays if this attach fails. */
	if (bpf_tc_query(&hook, &query))
		attach_undo.classifier = ifindex;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		die("cannot attach the classifier to egress: %s", strerror(-err));
	map_fd = dup(bpf_map__fd(skel->maps.mmnet_peers));
	mmnet_bpf__destroy(skel);	/* tc holds the program, the pin holds the map */
	return map_fd;
}

static void detach_classifier(unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIORITY);
	int err = bpf_tc_detach(&hook, &opts);

	/* -ENOENT: attached with tc(8) instead, which also removes it. */
	if (err && err != -ENOENT && err != -EINVAL)
		die("cannot detach the classifier: %s", strerror(-err));
}

/* ---- commands ---- */

/* "KW VALUE" at the front of the arguments: VALUE, and both taken; NULL if another word is there. */
static const char *take_keyword(int *argc, char ***argv, const char *kw, const char *what)
{
	const char *v;

	if (!*argc || strcmp((*argv)[0], kw))
		return NULL;
	if (*argc < 2)
		usage_error("\"%s\" needs %s", kw, what);
	v = (*argv)[1];
	*argc -= 2;
	*argv += 2;
	return v;
}

/* A word the command does not know: an option, or a stray argument. */
static void __attribute__((noreturn)) unknown_argument(const char *cmd, const char *arg)
{
	if (arg[0] == '-' && arg[1])
		usage_error("Option \"%s\" is unknown to %s", arg, cmd);
	usage_error("unknown argument \"%s\" to %s", arg, cmd);
}

static int cmd_attach(int argc, char **argv)
{
	const char *lower, *devname = NULL, *map_path = NULL, *v;
	const struct device_info *d;
	unsigned int lower_ifindex, ifindex;
	struct device_list list;
	struct mmnet_nl nl;
	struct nl_msg m;
	int map_fd;

	if (argc < 1)
		usage_error("attach needs a device");
	lower = *argv++;
	argc--;
	while (argc) {
		if ((v = take_keyword(&argc, &argv, "dev", "an mmnet device")))
			devname = v;
		else if ((v = take_keyword(&argc, &argv, "map", "the path of a pinned peer map")))
			map_path = v;
		else
			unknown_argument("attach", argv[0]);
	}
	lower_ifindex = ifindex_of(lower);
	mmnet_nl_open(&nl);
	list_devices(&nl, &list);
	d = pick_device(&list, devname);
	if (d && d->ifindex == lower_ifindex)
		die("cannot attach an mmnet device to itself");
	require_bpffs();
	map_fd = map_path ? open_peer_map(map_path) : -1;

	atexit(undo_attach);
	if (d) {
		ifindex = d->ifindex;
	} else {
		ifindex = create_device("mmnet0");
		attach_undo.device = ifindex;
	}
	if (map_fd < 0)
		map_fd = attach_classifier(lower_ifindex);

	genl_msg_init(&m, nl.family, MMNET_CMD_ATTACH, MMNET_GENL_VERSION, 0);
	nl_put_u32(&m, MMNET_A_IFINDEX, ifindex);
	nl_put_u32(&m, MMNET_A_LOWER_IFINDEX, lower_ifindex);
	nl_put_u32(&m, MMNET_A_PEER_MAP_FD, map_fd);
	nl_check(&nl.sock, nl_talk(&nl.sock, &m, NULL, NULL), "attach");
	/* Pinned only once the module took it, so that a refused map never replaces a good pin. */
	if (map_path && strcmp(map_path, MMNET_PEER_MAP_PIN)) {
		unlink(MMNET_PEER_MAP_PIN);
		if (bpf_obj_pin(map_fd, MMNET_PEER_MAP_PIN))
			die("cannot pin the peer map at %s: %s", MMNET_PEER_MAP_PIN, strerror(errno));
	}
	close(map_fd);
	set_link_up(ifindex);
	memset(&attach_undo, 0, sizeof(attach_undo));
	return 0;
}

static int cmd_detach(int argc, char **argv)
{
	unsigned int lower_ifindex;
	struct device_list list;
	struct mmnet_nl nl;
	struct nl_msg m;
	bool found = false;
	int i;

	if (argc != 1)
		usage_error(argc ? "detach takes one device" : "detach needs a device");
	lower_ifindex = ifindex_of(argv[0]);
	mmnet_nl_open(&nl);
	list_devices(&nl, &list);
	for (i = 0; i < list.n; i++) {
		if (list.dev[i].lower_ifindex != lower_ifindex)
			continue;
		found = true;
		genl_msg_init(&m, nl.family, MMNET_CMD_DETACH, MMNET_GENL_VERSION, 0);
		nl_put_u32(&m, MMNET_A_IFINDEX, list.dev[i].ifindex);
		nl_check(&nl.sock, nl_talk(&nl.sock, &m, NULL, NULL), "detach");
	}
	detach_classifier(lower_ifindex);
	if (!found)
		die("no mmnet device is attached to \"%s\"", argv[0]);
	return 0;
}

static int cmd_set_enabled(int argc, char **argv, bool enabled)
{
	const char *devname = NULL, *v;
	struct device_list list;
	struct mmnet_nl nl;
	struct nl_msg m;
	int i;

	while (argc) {
		if ((v = take_keyword(&argc, &argv, "dev", "an mmnet device")))
			devname = v;
		else
			unknown_argument(enabled ? "enable" : "disable", argv[0]);
	}
	mmnet_nl_open(&nl);
	list_devices(&nl, &list);
	if (!list.n)
		die("there is no mmnet device (mmnetctl attach DEV creates one)");
	for (i = 0; i < list.n; i++) {
		if (devname && list.dev[i].ifindex != ifindex_of(devname))
			continue;
		genl_msg_init(&m, nl.family, MMNET_CMD_SET_DEVICE, MMNET_GENL_VERSION, 0);
		nl_put_u32(&m, MMNET_A_IFINDEX, list.dev[i].ifindex);
		nl_put_u8(&m, MMNET_A_ENABLED, enabled);
		nl_check(&nl.sock, nl_talk(&nl.sock, &m, NULL, NULL), enabled ? "enable" : "disable");
	}
	if (devname)
		pick_device(&list, devname);	/* complains if it is not an mmnet device */
	return 0;
}

/* ---- show ---- */

struct show_ctx {
	unsigned int only_ifindex;
	unsigned int last_ifindex;	/* the device being printed: more of its peers may follow */
	int shown;
	bool first_peer;
};

static const char *const peer_states[] = {
	[MMNET_PEER_CONNECTING] = "connecting",
	[MMNET_PEER_CONNECTED] = "connected",
	[MMNET_PEER_CLOSING] = "closing",
};

static const char *ifname_or_none(unsigned int ifindex, char *buf)
{
	if (!ifindex)
		return "none";
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}

/* @s as a JSON string: an interface name may hold any byte but '/', ':' and white space. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* "KEY": "VALUE" in JSON, KEY VALUE in text; @sep before it. */
static void print_field(const char *sep, const char *key, const char *value)
{
	fputs(sep, stdout);
	if (!json) {
		printf("%s %s", key, value);
		return;
	}
	json_string(key);
	fputs(": ", stdout);
	json_string(value);
}

static void print_stats(const struct nlattr *nest, const char *indent)
{
	bool first = true;

	if (!nest)
		return;
	fputs(json ? ", \"stats\": {" : indent, stdout);
	nl_for_each_nested(stat, nest) {
		const struct nlattr *tb[MMNET_STAT_A_MAX + 1];
		const char *name;

		nl_parse_nested(tb, MMNET_STAT_A_MAX, stat);
		if (!tb[MMNET_STAT_A_NAME] || !tb[MMNET_STAT_A_VALUE])
			continue;
		name = nl_get_str(tb[MMNET_STAT_A_NAME]);
		if (!name)
			continue;
		fputs(first ? "" : json ? ", " : "  ", stdout);
		if (json) {
			json_string(name);
			fputs(": ", stdout);
		} else {
			printf("%s ", name);
		}
		printf("%llu", (unsigned long long)nl_get_u64(tb[MMNET_STAT_A_VALUE]));
		first = false;
	}
	fputs(json ? "}" : "\n", stdout);
}

static void print_addrs(const struct nlattr *nest)
{
	char buf[INET6_ADDRSTRLEN];
	bool first = true;

	fputs(json ? ", \"addrs\": [" : "  addrs", stdout);
	if (nest) {
		nl_for_each_nested(a, nest) {
			int type = a->nla_type & NLA_TYPE_MASK;
			int family = type == MMNET_PEER_A_IPV4 ? AF_INET : AF_INET6;

			if ((type != MMNET_PEER_A_IPV4 || nl_len(a) != 4) &&
			    (type != MMNET_PEER_A_IPV6 || nl_len(a) != 16))
				continue;
			inet_ntop(family, nl_data(a), buf, sizeof(buf));
			printf(json ? "%s\"%s\"" : "%s%s", first ? (json ? "" : " ") : (json ? ", " : " "), buf);
			first = false;
		}
	}
	fputs(json ? "]" : "\n", stdout);
}

static void print_peer(const struct nlattr *peer, bool first)
{
	const struct nlattr *tb[MMNET_PEER_A_MAX + 1];
	unsigned int state;
	const char *transport;
	char mac[18] = "";
	unsigned int id;

	nl_parse_nested(tb, MMNET_PEER_A_MAX, peer);
	id = tb[MMNET_PEER_A_ID] ? nl_get_u32(tb[MMNET_PEER_A_ID]) : 0;
	state = tb[MMNET_PEER_A_STATE] ? nl_get_u8(tb[MMNET_PEER_A_STATE]) : ~0u;
	transport = tb[MMNET_PEER_A_TRANSPORT] ? nl_get_str(tb[MMNET_PEER_A_TRANSPORT]) : NULL;
	if (tb[MMNET_PEER_A_MAC] && nl_len(tb[MMNET_PEER_A_MAC]) == 6) {
		const unsigned char *b = nl_data(tb[MMNET_PEER_A_MAC]);

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	}
	if (json)
		printf("%s{\"id\": %u", first ? "" : ", ", id);
	else
		printf("  peer %u", id);
	print_field(json ? ", " : "  ", "transport", transport ? transport : "?");
	print_field(json ? ", " : "  ", "state",
		    state < sizeof(peer_states) / sizeof(peer_states[0]) ? peer_states[state] : "unknown");
	print_field(json ? ", " : "  ", "mac", mac);
	if (!json)
		fputs("\n   ", stdout);
	print_addrs(tb[MMNET_PEER_A_ADDRS]);
	print_stats(tb[MMNET_PEER_A_STATS], "    ");
	if (json)
		fputs("}", stdout);
}
static int show_device(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[MMNET_A_MAX + 1];
	struct show_ctx *ctx = arg;
	char name[IF_NAMESIZE], lower[IF_NAMESIZE];
	unsigned int ifindex;
	const void *attrs;
	bool enabled;
	size_t len;

	attrs = genl_attrs(nlh, &len);
	nl_parse(tb, MMNET_A_MAX, attrs, len);
	if (!tb[MMNET_A_IFINDEX])
		return 0;
	ifindex = nl_get_u32(tb[MMNET_A_IFINDEX]);
	if (ctx->only_ifindex && ifindex != ctx->only_ifindex)
		return 0;
	/* A device with many peers comes in several messages: print it once, then the rest of its peers. */
	if (ifindex == ctx->last_ifindex)
		goto peers;
	if (json && ctx->shown)
		fputs("]}", stdout);
	ctx->last_ifindex = ifindex;
	ctx->first_peer = true;
	ifname_or_none(ifindex, name);
	ifname_or_none(tb[MMNET_A_LOWER_IFINDEX] ? nl_get_u32(tb[MMNET_A_LOWER_IFINDEX]) : 0, lower);
	enabled = tb[MMNET_A_ENABLED] && nl_get_u8(tb[MMNET_A_ENABLED]);
	if (json) {
		fputs(ctx->shown ? ", {" : "[{", stdout);
		print_field("", "ifname", name);
		print_field(", ", "lower", lower);
		printf(", \"enabled\": %s", enabled ? "true" : "false");
	} else {
		printf("%s: lower %s, %s\n", name, lower, enabled ? "enabled" : "disabled");
	}
	print_stats(tb[MMNET_A_STATS], "  ");
	if (json)
		fputs(", \"peers\": [", stdout);
	ctx->shown++;
peers:
	if (tb[MMNET_A_PEERS]) {
		nl_for_each_nested(peer, tb[MMNET_A_PEERS]) {
			print_peer(peer, ctx->first_peer);
			ctx->first_peer = false;
		}
	}
	return 0;
}

/* show [ -j | --json ] [ MMNETDEV ]: the option may also come before the command. */
static int cmd_show(int argc, char **argv)
{
	struct show_ctx ctx = {};
	const char *devname = NULL;
	struct mmnet_nl nl;
	struct nl_msg m;

	for (; argc; argc--, argv++) {
		if (!strcmp(argv[0], "-j") || !strcmp(argv[0], "--json"))
			json = true;
		else if (argv[0][0] == '-' && argv[0][1])
			unknown_argument("show", argv[0]);
		else if (devname)
			usage_error("show takes at most one device");
		else
			devname = argv[0];
	}
	mmnet_nl_open(&nl);
	if (devname) {
		struct device_list list;

		list_devices(&nl, &list);
		ctx.only_ifindex = pick_device(&list, devname)->ifindex;
	}
	genl_msg_init(&m, nl.family, MMNET_CMD_GET_DEVICE, MMNET_GENL_VERSION, NLM_F_DUMP);
	/* JSON's "[" comes with the first device: a show that fails at once prints only its error. */
	nl_check(&nl.sock, nl_talk(&nl.sock, &m, show_device, &ctx), "show");
	if (json)
		fputs(ctx.shown ? "]}]\n" : "[]\n", stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const char *cmd;
	int opt;

	opterr = 0;	/* one line of our own, as ip(8), not getopt's and a usage text */
	while ((opt = getopt_long(argc, argv, "+jhV", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mmnetctl %s\n", MMNET_VERSION);
			return 0;
		default:
			unknown_option(argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	cmd = argc ? argv[0] : "show";
	if (argc) {
		argc--;
		argv++;
	}
	libbpf_set_print(NULL);

	if (!strcmp(cmd, "attach"))
		return cmd_attach(argc, argv);
	if (!strcmp(cmd, "detach"))
		return cmd_detach(argc, argv);
	if (!strcmp(cmd, "enable"))
		return cmd_set_enabled(argc, argv, true);
	if (!strcmp(cmd, "disable"))
		return cmd_set_enabled(argc, argv, false);
	if (!strcmp(cmd, "show"))
		return cmd_show(argc, argv);
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	usage_error("Command \"%s\" is unknown", cmd);
	return EXIT_USAGE;
}
