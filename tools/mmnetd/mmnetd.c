// SPDX-License-Identifier: GPL-2.0
/*
 * mmnetd: the dom0 membership daemon of mmnet.  It follows the domains in xenstore, notices the guests whose
 * module opted in (data/mmnet/version), and introduces every pair of them to each other by creating, in each
 * guest's subtree, a rendezvous directory for the other with exactly the permissions the pair needs, holding
 * the peer's MACs (from the toolstack's backend nodes) and its validated addresses.  docs/xenstore.md is the
 * protocol; proto.c has its paths, permissions and validation as pure functions.
 *
 * Event-driven: watches on @introduceDomain, @releaseDomain, /local/domain/0/backend/vif and each guest's
 * /local/domain/D/data/mmnet; no periodic scan.  A watch event only marks what it concerns as dirty; after
 * each batch of events every dirty guest is looked at once, subject to a per-guest rate limit, so a guest
 * that floods xenstore costs at most RATE_BURST looks and then one every RATE_INTERVAL_MS, and the others
 * are served in the same round.  Every write goes through a transaction that first checks the guest still
 * takes part (a domain being torn down is never recreated) and writes nothing that is already right (no
 * echo of our own watch events).
 *
 * Exit status: 0 after SIGTERM or SIGINT, 1 on an error (no xenstore, lost connection...), 2 on a command
 * line error.  On exit the guests' nodes are left as they are (see mmnetd(8)).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "../lib/version.h"
#include "conf.h"
#include "proto.h"

#define EXIT_USAGE		2
#define DEFAULT_PIDFILE		"/run/mmnetd.pid"
#define DEFAULT_CONFIG		"/etc/mmnet/mmnetd.conf"
#define CONF_SIZE_MAX		(1 << 20)	/* bytes of a configuration file */
#define CONF_ERRS_MAX		(MMNET_CONF_ERRORS_MAX + 1) * 512
#define BATCH_EVENTS		1024	/* watch events read before the dirty guests are looked at */
#define RATE_BURST		20	/* looks at one guest in a burst ... */
#define RATE_INTERVAL_MS	100	/* ... then one every 100 ms */
#define LOG_BURST		5	/* complaints about one guest in a burst ... */
#define LOG_INTERVAL_MS		10000	/* ... then one every 10 s */
#define TXN_TRIES		8	/* commits of one pair's transaction that may conflict */
#define MAX_DIRTY_PEERS		64	/* pairs to check remembered per guest; more: check them all */

#define TOKEN_INTRO		"@introduceDomain"
#define TOKEN_RELEASE		"@releaseDomain"
#define TOKEN_VIF		"@vif"
#define TOKEN_NAME		"name:"	/* + domid: the watch on /local/domain/D/name */
#define VIF_PATH		"/local/domain/0/backend/vif"

/* What a watch event asks mmnetd to look at again. */
enum {
	DIRTY_STATE = 1 << 0,	/* version, addrs and the domain's name */
	DIRTY_MACS = 1 << 1,	/* the vif backends' MACs and ip= */
	DIRTY_PEERS = 1 << 2,	/* every entry of data/mmnet/peer */
	DIRTY_NEW = 1 << 3,	/* first sight: clean up what a previous run or a peer's departure left */
};

/* Why a guest that takes part connects to nothing (logged once per reason). */
enum {
	ALONE_NOT,		/* it may connect */
	ALONE_NO_NAME,		/* /local/domain/D/name missing or no name the file can hold */
	ALONE_NO_CONF,		/* no configuration file */
	ALONE_NO_GROUP,		/* its name is in no group */
	ALONE_BAD_IP,		/* a vif's ip= is garbage */
};

struct guest {
	unsigned int domid;
	bool member;			/* takes part: data/mmnet/version is MMNET_XS_VERSION */
	unsigned int dirty;		/* DIRTY_* */
	unsigned int dirty_peers[MAX_DIRTY_PEERS];	/* pairs (this, X) to check */
	unsigned int n_dirty_peers;
	char name[MMNET_CONF_DOMAIN_MAX + 1];	/* the toolstack's name; "" if it has none we can use */
	struct mmnet_xs_addrs announced;	/* the last good data/mmnet/addrs: only for a diagnostic */
	struct mmnet_xs_addrs unbelieved;	/* announced, not attested (logged) */
	struct mmnet_xs_addrs attested;		/* the union of its vifs' ip= */
	bool has_ips;			/* a vif has an ip node: peer/B/addrs exists */
	bool bad_ips;			/* a vif's ip is garbage: it connects to nothing */
	struct mmnet_xs_addrs published;	/* attested without the addresses attested for another guest too */
	struct mmnet_xs_addrs contested;	/* attested, but for another guest too */
	char published_text[MMNET_ADDRS_TEXT_MAX];
	char macs[MMNET_MACS_TEXT_MAX];
	struct mmnet_rate rate;		/* looks at this guest */
	struct mmnet_rate lograte;	/* complaints about it */
	unsigned int suppressed;	/* complaints not logged */
	bool throttled;
	bool eligible;			/* takes part, has a name, is in a group, no bad ip: may have peers */
	int alone;			/* ALONE_*: the reason last logged */
	uint64_t bad_version, bad_addrs, bad_name, bad_ip;	/* hashes of the last bad values logged */
	/* Set while a round applies what it read. */
	bool joined, left, info_changed, eligible_changed;
};

static struct xs_handle *xs;
static struct guest **guests;
static unsigned int n_guests, cap_guests;
static bool scan_intro, scan_release, all_macs, resolve_needed;
static bool verbose, use_syslog, journal;
/* The trust groups in force; conf_missing: there was no file (nobody connects). */
static struct mmnet_conf conf;
static bool conf_missing;
static const char *conf_file = DEFAULT_CONFIG;

/* ---- messages ---- */

static void __attribute__((format(printf, 2, 0))) vlogmsg(int prio, const char *fmt, va_list ap)
{
	if (use_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	/* Under systemd the journal takes the priority from a "<N>" prefix and names the unit itself. */
	if (journal)
		fprintf(stderr, "<%d>", prio);
	else
		fputs("mmnetd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 2, 3))) logmsg(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !verbose)
		return;
	va_start(ap, fmt);
	vlogmsg(prio, fmt, ap);
	va_end(ap);
}

#define info(...)	logmsg(LOG_INFO, __VA_ARGS__)
#define notice(...)	logmsg(LOG_NOTICE, __VA_ARGS__)
#define warn(...)	logmsg(LOG_WARNING, __VA_ARGS__)
#define err(...)	logmsg(LOG_ERR, __VA_ARGS__)
#define debug(...)	logmsg(LOG_DEBUG, __VA_ARGS__)

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mmnetd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(", try \"mmnetd --help\".\n", stderr);
	exit(EXIT_USAGE);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	while (len--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h | 1;	/* never 0, which means "nothing logged" */
}

/* A complaint about guest G (something it wrote), rate-limited per guest.  Whether it was logged. */
static bool __attribute__((format(printf, 2, 3))) complain(struct guest *g, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!mmnet_rate_take(&g->lograte, now_ms(), LOG_BURST, LOG_INTERVAL_MS)) {
		g->suppressed++;
		return false;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (g->suppressed)
		warn("domain %u: %s (%u more complaints about it suppressed)", g->domid, msg, g->suppressed);
	else
		warn("domain %u: %s", g->domid, msg);
	g->suppressed = 0;
	return true;
}

/*
 * A failed xenstore request.  A broken connection ends mmnetd (a write to it fails with EPIPE; a request
 * after libxenstore's reader saw it close fails with EINVAL, which is ambiguous, so xs_check_connection()
 * looks after the round).  Other errors (a guest's quota, a node it removed meanwhile) are logged, at most
 * ERR_BURST and then one a second, and mmnetd carries on.
 */
#define ERR_BURST		20
#define ERR_INTERVAL_MS		1000
static struct mmnet_rate errrate;
static unsigned int err_suppressed;
static bool xs_trouble;

static void xs_failed(const char *what, const char *path)
{
	int e = errno;

	if (e == EPIPE || e == ECONNRESET || e == EBADF)
		die("lost the connection to xenstored (%s %s: %s)", what, path, strerror(e));
	xs_trouble = true;
	if (!mmnet_rate_take(&errrate, now_ms(), ERR_BURST, ERR_INTERVAL_MS)) {
		err_suppressed++;
		return;
	}
	if (err_suppressed)
		err("%s %s: %s (%u more errors suppressed)", what, path, strerror(e), err_suppressed);
	else
		err("%s %s: %s", what, path, strerror(e));
	err_suppressed = 0;
}

/* ---- guests ---- */

static struct guest *guest_find(unsigned int domid)
{
	unsigned int i;

	for (i = 0; i < n_guests; i++)
		if (guests[i]->domid == domid)
			return guests[i];
	return NULL;
}

static void watch_path(unsigned int domid, char *path, size_t size, char *token, size_t tsize)
{
	mmnet_path(path, size, domid, "");
	snprintf(token, tsize, "%u", domid);
}

/* The domain's name, which the toolstack owns (xl rename changes it). */
static void name_watch_path(unsigned int domid, char *path, size_t size, char *token, size_t tsize)
{
	snprintf(path, size, "/local/domain/%u/name", domid);
	snprintf(token, tsize, TOKEN_NAME "%u", domid);
}

static struct guest *guest_add(unsigned int domid)
{
	char path[MMNET_PATH_MAX], token[16];
	struct guest *g;

	if (n_guests == cap_guests) {
		unsigned int cap = cap_guests ? 2 * cap_guests : 16;
		struct guest **n = realloc(guests, cap * sizeof(*n));

		if (!n)
			die("out of memory");
		guests = n;
		cap_guests = cap;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		die("out of memory");
	g->domid = domid;
	g->dirty = DIRTY_STATE | DIRTY_MACS | DIRTY_NEW;
	/* The watch fires once at once: the first look at the guest comes from it too. */
	watch_path(domid, path, sizeof(path), token, sizeof(token));
	if (!xs_watch(xs, path, token))
		xs_failed("cannot watch", path);
	name_watch_path(domid, path, sizeof(path), token, sizeof(token));
	if (!xs_watch(xs, path, token))
		xs_failed("cannot watch", path);
	guests[n_guests++] = g;
	debug("domain %u: watching %s", domid, path);
	return g;
}

static void guest_free(struct guest *g)
{
	char path[MMNET_PATH_MAX], token[16];
	unsigned int i;

	watch_path(g->domid, path, sizeof(path), token, sizeof(token));
	if (!xs_unwatch(xs, path, token) && errno != ENOENT)
		xs_failed("cannot remove the watch on", path);
	name_watch_path(g->domid, path, sizeof(path), token, sizeof(token));
	if (!xs_unwatch(xs, path, token) && errno != ENOENT)
		xs_failed("cannot remove the watch on", path);
	for (i = 0; i < n_guests; i++) {
		if (guests[i] == g) {
			guests[i] = guests[--n_guests];
			break;
		}
	}
	free(g);
}

static void dirty_peer(struct guest *g, unsigned int peer)
{
	unsigned int i;

	for (i = 0; i < g->n_dirty_peers; i++)
		if (g->dirty_peers[i] == peer)
			return;
	if (g->n_dirty_peers == MAX_DIRTY_PEERS) {
		g->dirty |= DIRTY_PEERS;
		return;
	}
	g->dirty_peers[g->n_dirty_peers++] = peer;
}

/* ---- xenstore helpers ---- */

/* Read PATH into a NUL-terminated string; NULL with errno (ENOENT: no such node). */
static char *xread(xs_transaction_t t, const char *path, unsigned int *len)
{
	unsigned int n = 0;
	char *v = xs_read(xs, t, path, &n);

	if (len)
		*len = v ? n : 0;
	return v;
}

static void to_xs_perms(const struct mmnet_perm *p, unsigned int n, struct xs_permissions *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		out[i].id = p[i].id;
		out[i].perms = p[i].perm;
	}
}

static bool perms_match(struct xs_permissions *have, unsigned int nhave, const struct mmnet_perm *want,
			unsigned int nwant)
{
	struct mmnet_perm h[8];
	unsigned int i;

	if (nhave > 8)
		return false;
	for (i = 0; i < nhave; i++)
		h[i] = (struct mmnet_perm){ have[i].id, have[i].perms };
	return mmnet_perms_equal(h, nhave, want, nwant);
}

/* Set PATH's permissions to WANT unless they are; *CHANGED if they were not.  false on an error. */
static bool ensure_perms(xs_transaction_t t, const char *path, struct xs_permissions *have, unsigned int nhave,
			 const struct mmnet_perm *want, unsigned int nwant, bool *changed)
{
	struct xs_permissions p[2];

	if (have && perms_match(have, nhave, want, nwant))
		return true;
	to_xs_perms(want, nwant, p);
	if (!xs_set_permissions(xs, t, path, p, nwant)) {
		xs_failed("cannot set the permissions of", path);
		return false;
	}
	*changed = true;
	return true;
}

/* ---- reading a guest's state ---- */

/* /local/domain/D/name, the toolstack's (dom0-owned) name of the domain.  A domain without one that a
 * configuration can name connects to nothing. */
static void read_name(struct guest *g)
{
	char path[MMNET_PATH_MAX], shown[128];
	unsigned int len;
	char *v;

	snprintf(path, sizeof(path), "/local/domain/%u/name", g->domid);
	v = xread(XBT_NULL, path, &len);
	if (!v && errno != ENOENT) {
		xs_failed("cannot read", path);
		return;
	}
	if (v && mmnet_conf_domain_ok(v, len)) {
		g->bad_name = 0;
		if (strcmp(g->name, v)) {
			debug("domain %u: name \"%s\"", g->domid, v);
			snprintf(g->name, sizeof(g->name), "%s", v);
		}
	} else {
		uint64_t h = v ? hash(v, len) : 1;

		g->name[0] = '\0';
		if (h != g->bad_name) {
			g->bad_name = h;
			if (v)
				mmnet_xs_escape(v, len, shown, sizeof(shown));
			/* dom0's own node: worth a line even when the guest is not taking part */
			warn("domain %u: %s%s%s: no name a group can hold (letters, digits, '.', '_', '-')",
			     g->domid, path, v ? " is \"" : " is missing", v ? shown : "");
		}
	}
	free(v);
}

/* data/mmnet/version and data/mmnet/addrs (the guest's announced addresses, for a diagnostic only), and
 * the domain's name.  Sets joined/left. */
static void read_state(struct guest *g)
{
	char path[MMNET_PATH_MAX], why[256], shown[128];
	struct mmnet_xs_addrs addrs;
	bool member = false;
	unsigned int len;
	char *v;

	mmnet_path(path, sizeof(path), g->domid, "/version");
	v = xread(XBT_NULL, path, &len);
	if (!v && errno != ENOENT) {
		/* Not the guest's doing: keep what we know, look again on its next event or SIGHUP. */
		xs_failed("cannot read", path);
		return;
	}
	if (v && mmnet_xs_version_ok(v, len)) {
		member = true;
		g->bad_version = 0;
	} else if (!v) {
		g->bad_version = 0;
	} else if (hash(v, len) != g->bad_version) {
		g->bad_version = hash(v, len);
		mmnet_xs_escape(v, len < MMNET_VERSION_IN_MAX ? len : MMNET_VERSION_IN_MAX, shown, sizeof(shown));
		complain(g, "data/mmnet/version \"%s\" is not the version mmnetd speaks (%s): not taking part",
			 shown, MMNET_XS_VERSION);
	}
	free(v);

	if (member) {
		mmnet_path(path, sizeof(path), g->domid, "/addrs");
		v = xread(XBT_NULL, path, &len);
		if (!v && errno != ENOENT) {
			xs_failed("cannot read", path);
		} else if (mmnet_xs_parse_addrs(v ? v : "", len, &addrs, why, sizeof(why))) {
			if (hash(v, len) != g->bad_addrs) {
				g->bad_addrs = hash(v, len);
				complain(g, "ignoring its data/mmnet/addrs: %s (it changes nothing: its peers "
					 "believe only its vifs' ip=)", why);
			}
		} else {
			g->bad_addrs = 0;
			g->announced = addrs;
		}
		free(v);
	}
	read_name(g);

	if (member && !g->member) {
		g->joined = true;
		g->left = false;
		resolve_needed = true;
	} else if (!member && g->member) {
		g->left = true;
		g->joined = false;
		memset(&g->announced, 0, sizeof(g->announced));
		memset(&g->unbelieved, 0, sizeof(g->unbelieved));
	}
	g->member = member;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/*
 * The attested addresses from the ip nodes of the vifs IDX[0..K): resolve_needed and info_changed when they
 * changed.  A garbage value makes the guest connect to nothing (bad_ips), logged once.
 */
static bool read_ips(struct guest *g, const unsigned int *idx, unsigned int k)
{
	char path[MMNET_PATH_MAX], why[320], *ips[MMNET_MAX_MACS] = { NULL };
	unsigned int i, lens[MMNET_MAX_MACS] = { 0 };
	struct mmnet_xs_addrs attested;
	bool ok = true, bad;
	uint64_t h = 0;
	int r;

	for (i = 0; i < k; i++) {
		char sub[32];

		snprintf(sub, sizeof(sub), "/%u/ip", idx[i]);
		mmnet_vif_path(path, sizeof(path), g->domid, sub);
		ips[i] = xread(XBT_NULL, path, &lens[i]);
		if (!ips[i] && errno != ENOENT) {
			xs_failed("cannot read", path);
			ok = false;
		}
		if (ips[i])
			h = h * 31 + hash(ips[i], lens[i]);
	}
	if (ok) {
		r = mmnet_vif_ips((const char *const *)ips, lens, k, idx, &attested, why, sizeof(why));
		bad = r < 0;
		if (bad && (h | 1) != g->bad_ip) {
			/* dom0's node, not the guest's doing: logged once per value, not rate-limited */
			g->bad_ip = h | 1;
			warn("domain %u: %s: it connects to nothing", g->domid, why);
		} else if (!bad) {
			g->bad_ip = 0;
		}
		if (bad != g->bad_ips || (r > 0) != g->has_ips || !mmnet_addrs_equal(&attested, &g->attested)) {
			g->bad_ips = bad;
			g->has_ips = r > 0;
			g->attested = attested;
			resolve_needed = true;
			g->info_changed = true;
		}
	}
	for (i = 0; i < k; i++)
		free(ips[i]);
	return ok;
}

/* The MACs and attested addresses of the guest's vifs, from the dom0-owned backend nodes (a guest cannot
 * forge them). */
static void read_vifs(struct guest *g)
{
	char path[MMNET_PATH_MAX], macs[MMNET_MACS_TEXT_MAX] = "", one[18], shown[64];
	unsigned int n = 0, i, k = 0, len, idx[MMNET_MAX_MACS];
	unsigned char mac[6];
	char **names;
	char *v;

	mmnet_vif_path(path, sizeof(path), g->domid, "");
	names = xs_directory(xs, XBT_NULL, path, &n);
	if (!names && errno != ENOENT) {
		xs_failed("cannot list", path);
		return;
	}
	for (i = 0; names && i < n; i++) {
		unsigned int vif;

		if (mmnet_xs_parse_domid(names[i], strlen(names[i]), &vif))
			continue;
		if (k == MMNET_MAX_MACS) {
			complain(g, "more than %d vifs: publishing the MACs and addresses of the first %d",
				 MMNET_MAX_MACS, MMNET_MAX_MACS);
			break;
		}
		idx[k++] = vif;
	}
	free(names);
	qsort(idx, k, sizeof(idx[0]), cmp_uint);
	if (!read_ips(g, idx, k))
		return;
	for (i = 0; i < k; i++) {
		char sub[32];

		snprintf(sub, sizeof(sub), "/%u/mac", idx[i]);
		mmnet_vif_path(path, sizeof(path), g->domid, sub);
		v = xread(XBT_NULL, path, &len);
		if (!v && errno != ENOENT) {
			xs_failed("cannot read", path);
			return;
		}
		if (!v)
			continue;	/* a vif being set up or torn down */
		if (mmnet_xs_parse_mac(v, len, mac)) {
			mmnet_xs_escape(v, len, shown, sizeof(shown));
			complain(g, "%s: \"%s\" is not a unicast MAC address", path, shown);
		} else {
			mmnet_mac_format(mac, one);
			if (!strstr(macs, one)) {
				if (macs[0])
					strcat(macs, " ");
				strcat(macs, one);
			}
		}
		free(v);
	}
	if (strcmp(macs, g->macs)) {
		debug("domain %u: MACs \"%s\"", g->domid, macs);
		snprintf(g->macs, sizeof(g->macs), "%s", macs);
		g->info_changed = true;
	}
}

/* ---- writing the pairs ---- */

enum { PAIR_OK, PAIR_GONE, PAIR_RETRY, PAIR_ERROR };

/* The mode of the pair (A, B) under the groups in force: MMNET_MODE_NONE if they are no pair. */
static enum mmnet_mode pair_mode(const struct guest *a, const struct guest *b)
{
	if (a == b || !a->eligible || !b->eligible)
		return MMNET_MODE_NONE;
	return mmnet_conf_pair_mode(&conf, a->name, b->name);
}

/*
 * Make A's subtree introduce B: data/mmnet/peer/B with its permissions, mac, addrs (only if B has attested
 * addresses) and mode (proto.c: mmnet_pair_nodes), in one transaction that starts by checking that A still
 * takes part.  Writes only what differs.  PAIR_GONE if A no longer takes part.
 */
static int ensure_pair(struct guest *a, struct guest *b, enum mmnet_mode mode)
{
	struct mmnet_node nodes[MMNET_PAIR_NODES];
	char vpath[MMNET_PATH_MAX], ppath[MMNET_PATH_MAX];
	const char *addrs = b->has_ips ? b->published_text : NULL;
	struct mmnet_perm peers_perm;
	int try, i;

	if (mmnet_pair_nodes(a->domid, b->domid, b->macs, addrs, mmnet_mode_name(mode), nodes) < 0)
		return PAIR_ERROR;
	mmnet_path(vpath, sizeof(vpath), a->domid, "/version");
	mmnet_path(ppath, sizeof(ppath), a->domid, "/peer");
	mmnet_peers_dir_perms(a->domid, &peers_perm);

	for (try = 0; try < TXN_TRIES; try++) {
		bool changed = false, created = false, ok = true;
		xs_transaction_t t = xs_transaction_start(xs);
		unsigned int len;
		char *v;

		if (t == XBT_NULL) {
			xs_failed("cannot start a transaction for", nodes[0].path);
			return PAIR_ERROR;
		}
		v = xread(t, vpath, &len);
		if (!v || !mmnet_xs_version_ok(v, len)) {
			int gone = v || errno == ENOENT;

			if (!gone)
				xs_failed("cannot read", vpath);
			free(v);
			xs_transaction_end(xs, t, true);
			return gone ? PAIR_GONE : PAIR_ERROR;
		}
		free(v);

		for (i = 0; ok && i < MMNET_PAIR_NODES; i++) {
			struct mmnet_node *nd = &nodes[i];
			struct xs_permissions *have;
			unsigned int nhave = 0;

			have = xs_get_permissions(xs, t, nd->path, &nhave);
			if (!have && errno != ENOENT) {
				xs_failed("cannot read the permissions of", nd->path);
				ok = false;
				break;
			}
			if (i == MMNET_PAIR_DIR) {
				if (!have) {
					struct xs_permissions *pp = xs_get_permissions(xs, t, ppath, &len);

					/* data/mmnet/peer itself: A's alone. */
					if (!pp && !xs_mkdir(xs, t, ppath)) {
						xs_failed("cannot create", ppath);
						ok = false;
					} else if (!pp && !ensure_perms(t, ppath, NULL, 0, &peers_perm, 1, &changed)) {
						ok = false;
					}
					free(pp);
					if (ok && !xs_mkdir(xs, t, nd->path)) {
						xs_failed("cannot create", nd->path);
						ok = false;
					}
					created = changed = true;
				}
			} else if (!nd->value) {
				/* A node that must not be there (addrs of a peer without attested addresses). */
				if (have && !xs_rm(xs, t, nd->path)) {
					xs_failed("cannot remove", nd->path);
					ok = false;
				}
				changed |= have != NULL;
				free(have);
				continue;
			} else {
				v = have ? xread(t, nd->path, &len) : NULL;
				if (!v || len != strlen(nd->value) || memcmp(v, nd->value, len)) {
					if (!xs_write(xs, t, nd->path, nd->value, (unsigned int)strlen(nd->value))) {
						xs_failed("cannot write", nd->path);
						ok = false;
					}
					changed = true;
				}
				free(v);
			}
			if (ok && !ensure_perms(t, nd->path, have, nhave, nd->perms, nd->nperms, &changed))
				ok = false;
			free(have);
		}
		if (!ok) {
			xs_transaction_end(xs, t, true);
			return PAIR_ERROR;
		}
		if (!changed) {
			/* Nothing to write: end it without a commit that could only conflict. */
			xs_transaction_end(xs, t, true);
			return PAIR_OK;
		}
		if (xs_transaction_end(xs, t, false)) {
			if (created)
				info("introduced domain %u (%s) to domain %u (%s): %s, mac \"%s\", addrs %s%s%s",
				     b->domid, b->name, a->domid, a->name, mmnet_mode_name(mode), b->macs,
				     addrs ? "\"" : "none attested", addrs ? addrs : "", addrs ? "\"" : "");
			else
				info("updated domain %u's view of domain %u: %s, mac \"%s\", addrs %s%s%s", a->domid,
				     b->domid, mmnet_mode_name(mode), b->macs, addrs ? "\"" : "none attested",
				     addrs ? addrs : "", addrs ? "\"" : "");
			return PAIR_OK;
		}
		if (errno != EAGAIN) {
			xs_failed("cannot commit the transaction for", nodes[0].path);
			return PAIR_ERROR;
		}
		debug("domain %u: transaction for peer %u conflicted, again", a->domid, b->domid);
	}
	return PAIR_RETRY;
}

/* Remove A's data/mmnet/peer/NAME (a peer that left, or a stray entry). */
static void remove_peer_entry(unsigned int a, const char *name, const char *why)
{
	char path[XENSTORE_ABS_PATH_MAX + 1], sub[XENSTORE_ABS_PATH_MAX + 1];
	struct xs_permissions *p;
	unsigned int n;

	snprintf(sub, sizeof(sub), "/peer/%s", name);
	if (mmnet_path(path, sizeof(path), a, sub) < 0)
		return;
	p = xs_get_permissions(xs, XBT_NULL, path, &n);
	if (!p) {
		if (errno != ENOENT)
			xs_failed("cannot look at", path);
		return;
	}
	free(p);
	if (!xs_rm(xs, XBT_NULL, path) && errno != ENOENT) {
		xs_failed("cannot remove", path);
		return;
	}
	info("removed %s from domain %u (%s)", sub + 1, a, why);
}

static void remove_pair(struct guest *a, unsigned int b, const char *why)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", b);
	remove_peer_entry(a->domid, name, why);
}

/* A's view of B as the groups say: introduced with its mode, or removed. */
static void pair(struct guest *a, struct guest *b)
{
	enum mmnet_mode mode = pair_mode(a, b);

	if (mode == MMNET_MODE_NONE) {
		remove_pair(a, b->domid, "no group in common");
		return;
	}
	switch (ensure_pair(a, b, mode)) {
	case PAIR_GONE:
		/* A left meanwhile: its watch event is on its way; look again anyway. */
		a->dirty |= DIRTY_STATE;
		break;
	case PAIR_RETRY:
		dirty_peer(a, b->domid);
		break;
	default:
		break;
	}
}

/* The whole of A's data/mmnet/peer: remove what is no pair, make every pair right. */
static void sync_peers(struct guest *a)
{
	char path[MMNET_PATH_MAX];
	unsigned int n = 0, i, peer;
	char **names;
	struct guest *b;

	mmnet_path(path, sizeof(path), a->domid, "/peer");
	names = xs_directory(xs, XBT_NULL, path, &n);
	if (!names && errno != ENOENT)
		xs_failed("cannot list", path);
	for (i = 0; names && i < n; i++) {
		if (mmnet_xs_parse_domid(names[i], strlen(names[i]), &peer) || peer == a->domid ||
		    !(b = guest_find(peer)) || !b->member)
			remove_peer_entry(a->domid, names[i], "not a peer");
		else if (pair_mode(a, b) == MMNET_MODE_NONE)
			remove_peer_entry(a->domid, names[i], "no group in common");
	}
	free(names);
	for (i = 0; i < n_guests; i++)
		if (pair_mode(a, guests[i]) != MMNET_MODE_NONE)
			pair(a, guests[i]);
}

/* A guest left (or was never in): its own peer directory goes. */
static void remove_peers_dir(struct guest *g)
{
	char path[MMNET_PATH_MAX];
	struct xs_permissions *p;
	unsigned int n;

	mmnet_path(path, sizeof(path), g->domid, "/peer");
	p = xs_get_permissions(xs, XBT_NULL, path, &n);
	if (!p) {
		if (errno != ENOENT)
			xs_failed("cannot look at", path);
		return;
	}
	free(p);
	if (!xs_rm(xs, XBT_NULL, path) && errno != ENOENT)
		xs_failed("cannot remove", path);
	else
		info("domain %u: removed data/mmnet/peer (not taking part)", g->domid);
}

/* ---- domains ---- */

static bool introduced(unsigned int domid, bool *sure)
{
	bool r;

	errno = 0;
	r = xs_is_domain_introduced(xs, domid);
	*sure = r || !errno;
	return r;
}

/* @introduceDomain: add the domains we do not know yet. */
static void scan_introduced(bool fatal)
{
	unsigned int n = 0, i, domid;
	char **names;
	bool sure;

	names = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	if (!names) {
		if (fatal && errno == EACCES)
			die("xenstore denies access to /local/domain: mmnetd runs in dom0");
		xs_failed("cannot list", "/local/domain");
		return;
	}
	for (i = 0; i < n; i++) {
		if (mmnet_xs_parse_domid(names[i], strlen(names[i]), &domid) || !domid || guest_find(domid))
			continue;
		if (!introduced(domid, &sure))
			continue;	/* still being built: its @introduceDomain comes */
		guest_add(domid);
		debug("domain %u appeared", domid);
	}
	free(names);
}

/* A guest went away: the others forget it. */
static void guest_gone(struct guest *g)
{
	unsigned int i;

	if (g->member)
		info("domain %u is gone", g->domid);
	else
		debug("domain %u is gone", g->domid);
	if (g->member)
		for (i = 0; i < n_guests; i++)
			if (guests[i] != g && guests[i]->member)
				remove_pair(guests[i], g->domid, "domain gone");
	if (g->member)
		resolve_needed = true;
	guest_free(g);
}

/* @releaseDomain: which of the domains we know is gone. */
static void scan_released(void)
{
	unsigned int i = 0;
	bool sure;

	while (i < n_guests) {
		struct guest *g = guests[i];

		if (!introduced(g->domid, &sure) && sure)
			guest_gone(g);	/* moves the last guest into slot i */
		else
			i++;
	}
}

/* ---- a round: look at the dirty guests, then apply ---- */

/*
 * The conflict rule over the attested addresses: an address attested for two guests (taking part or not) is
 * published for neither.  Sets info_changed where what is published changed.
 */
static void resolve(void)
{
	const struct mmnet_xs_addrs **in = calloc(n_guests + 1, sizeof(*in));
	struct mmnet_xs_addrs *out = calloc(n_guests + 1, sizeof(*out));
	unsigned int i, k;
	char text[MMNET_ADDRS_TEXT_MAX];

	if (!in || !out)
		die("out of memory");
	for (i = 0; i < n_guests; i++)
		in[i] = &guests[i]->attested;	/* empty unless has_ips and not bad_ips */
	if (mmnet_addrs_resolve(in, out, n_guests))
		die("out of memory");
	for (i = 0; i < n_guests; i++) {
		struct guest *g = guests[i];
		struct mmnet_xs_addrs contested;

		mmnet_addrs_minus(&g->attested, &out[i], &contested);
		for (k = 0; k < contested.n; k++) {
			struct mmnet_xs_addrs one = { .n = 1, .a = { contested.a[k] } };

			if (mmnet_xs_addrs_has(&g->contested, &contested.a[k]))
				continue;
			mmnet_addrs_format(&one, text, sizeof(text));
			/* dom0's mistake, logged once per address: not rate-limited as the guests' doings */
			warn("domain %u: %s is attested (vif ip=) for another domain too: published for neither",
			     g->domid, text);
		}
		g->contested = contested;
		if (mmnet_addrs_equal(&out[i], &g->published))
			continue;
		g->published = out[i];
		mmnet_addrs_format(&out[i], g->published_text, sizeof(g->published_text));
		g->info_changed = true;
	}
	free(in);
	free(out);
}

/* Whether G may have peers; if it takes part and may not, say why once. */
static void update_eligible(struct guest *g)
{
	int alone = ALONE_NOT;
	bool e;

	if (!g->name[0])
		alone = ALONE_NO_NAME;
	else if (g->bad_ips)
		alone = ALONE_BAD_IP;
	else if (conf_missing)
		alone = ALONE_NO_CONF;
	else if (!mmnet_conf_has(&conf, g->name))
		alone = ALONE_NO_GROUP;
	e = g->member && alone == ALONE_NOT;
	if (e != g->eligible) {
		g->eligible = e;
		g->eligible_changed = true;
	}
	if (!g->member || alone == g->alone)
		return;
	g->alone = alone;
	switch (alone) {
	case ALONE_NO_NAME:
		notice("domain %u has no usable name (/local/domain/%u/name): it connects to nothing", g->domid,
		       g->domid);
		break;
	case ALONE_NO_CONF:
		notice("domain %u (%s): there is no %s: it connects to nothing", g->domid, g->name, conf_file);
		break;
	case ALONE_NO_GROUP:
		notice("domain %u (%s) is in no group of %s: it connects to nothing", g->domid, g->name, conf_file);
		break;
	default:
		break;	/* ALONE_BAD_IP: read_ips() said why */
	}
}

/* An address G announces that dom0 does not attest: logged once (one the rate limit held back, at the next
 * look), it reaches nobody. */
static void check_announced(struct guest *g)
{
	struct mmnet_xs_addrs unbelieved, told = { 0 };
	char text[MMNET_ADDRS_TEXT_MAX];
	unsigned int k;

	if (!g->member)
		return;
	mmnet_addrs_minus(&g->announced, &g->attested, &unbelieved);
	for (k = 0; k < unbelieved.n; k++) {
		struct mmnet_xs_addrs one = { .n = 1, .a = { unbelieved.a[k] } };

		/* Every IPv6 NIC has a link-local address, and no admin lists it in ip=: no news. */
		if (one.a[0].family == MMNET_XS_INET6 && one.a[0].bytes[0] == 0xfe && (one.a[0].bytes[1] & 0xc0) == 0x80)
			continue;
		if (mmnet_xs_addrs_has(&g->unbelieved, &unbelieved.a[k])) {
			told.a[told.n++] = unbelieved.a[k];
			continue;
		}
		mmnet_addrs_format(&one, text, sizeof(text));
		if (complain(g, "announces %s, not among its vif ip=: its peers will not believe it", text))
			told.a[told.n++] = unbelieved.a[k];
	}
	g->unbelieved = told;
}

/* The next time a throttled dirty guest may be looked at, as a poll() timeout (-1: none waits). */
static int next_timeout(void)
{
	uint64_t now = now_ms(), next = UINT64_MAX;
	unsigned int i;

	if (scan_intro || scan_release || all_macs)
		return 0;
	for (i = 0; i < n_guests; i++) {
		struct guest *g = guests[i];
		uint64_t t;

		if (!g->dirty && !g->n_dirty_peers)
			continue;
		t = mmnet_rate_next(&g->rate, now, RATE_BURST, RATE_INTERVAL_MS);
		if (t < next)
			next = t;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

static void round_run(void)
{
	uint64_t now = now_ms();
	unsigned int i, k, n;
	struct guest **work;

	if (scan_release) {
		scan_release = false;
		scan_released();
	}
	if (scan_intro) {
		scan_intro = false;
		scan_introduced(false);
	}
	if (all_macs) {
		all_macs = false;
		for (i = 0; i < n_guests; i++)
			guests[i]->dirty |= DIRTY_MACS;
	}

	/* Read: each dirty guest once, if its rate allows. */
	work = calloc(n_guests + 1, sizeof(*work));
	if (!work)
		die("out of memory");
	n = 0;
	for (i = 0; i < n_guests; i++) {
		struct guest *g = guests[i];

		g->joined = g->left = g->info_changed = g->eligible_changed = false;
		if (!g->dirty && !g->n_dirty_peers)
			continue;
		if (!mmnet_rate_take(&g->rate, now, RATE_BURST, RATE_INTERVAL_MS)) {
			if (!g->throttled)
				complain(g, "changes its xenstore nodes too often: looking at it every %d ms",
					 RATE_INTERVAL_MS);
			g->throttled = true;
			continue;
		}
		g->throttled = false;
		work[n++] = g;
		if (g->dirty & (DIRTY_STATE | DIRTY_NEW))
			read_state(g);
		if (g->dirty & DIRTY_MACS)
			read_vifs(g);
	}
	if (resolve_needed) {
		resolve_needed = false;
		resolve();
	}
	for (k = 0; k < n; k++)
		check_announced(work[k]);
	for (i = 0; i < n_guests; i++)
		update_eligible(guests[i]);

	/* Apply: first the guests that left (their peers forget them), then the others.  A guest's flags are
	 * taken before the calls that may set them again (PAIR_GONE, PAIR_RETRY). */
	for (k = 0; k < n; k++) {
		struct guest *g = work[k];

		if (!g->left)
			continue;
		g->dirty = 0;
		g->n_dirty_peers = 0;
		info("domain %u no longer takes part", g->domid);
		remove_peers_dir(g);
		for (i = 0; i < n_guests; i++)
			if (guests[i] != g && guests[i]->member)
				remove_pair(guests[i], g->domid, "peer left");
	}
	for (k = 0; k < n; k++) {
		struct guest *g = work[k];
		unsigned int dirty = g->dirty, peers[MAX_DIRTY_PEERS], np = g->n_dirty_peers, j;

		if (g->left)
			continue;
		memcpy(peers, g->dirty_peers, sizeof(peers));
		g->dirty = 0;
		g->n_dirty_peers = 0;
		if (!g->member) {
			/* First sight of a guest that does not take part: nothing may stay from before. */
			if (dirty & DIRTY_NEW)
				remove_peers_dir(g);
			continue;
		}
		if (g->joined)
			info("domain %u (%s) takes part (mac \"%s\", attested addrs %s%s%s)", g->domid,
			     g->name[0] ? g->name : "no name", g->macs, g->has_ips ? "\"" : "none",
			     g->has_ips ? g->published_text : "", g->has_ips ? "\"" : "");
		if (g->joined || g->eligible_changed || (dirty & (DIRTY_PEERS | DIRTY_NEW))) {
			sync_peers(g);
			g->eligible_changed = false;	/* done: not again below */
			g->info_changed = true;		/* its peers learn of it */
			continue;
		}
		for (j = 0; j < np; j++) {
			struct guest *b = guest_find(peers[j]);
			char name[16];

			if (b && b != g && b->member) {
				pair(g, b);
			} else {
				snprintf(name, sizeof(name), "%u", peers[j]);
				remove_peer_entry(g->domid, name, "not a peer");
			}
		}
	}
	/* A guest whose eligibility changed but was not looked at (a throttled one, as the conflict rule
	 * or the groups changed): its own directory follows. */
	for (i = 0; i < n_guests; i++) {
		struct guest *g = guests[i];

		if (g->member && !g->left && g->eligible_changed) {
			sync_peers(g);
			g->info_changed = true;
		}
	}
	/* Everybody else learns about those that joined or changed: introduced with their mode, or removed
	 * where they share no group. */
	for (i = 0; i < n_guests; i++) {
		struct guest *b = guests[i];

		if (!b->member || !(b->joined || b->info_changed))
			continue;
		for (k = 0; k < n_guests; k++)
			if (guests[k] != b && guests[k]->member && !guests[k]->joined)
				pair(guests[k], b);
	}
	/* A guest whose published addresses changed because of another's conflict, not looked at this round,
	 * is covered by the loop above: resolve() set its info_changed. */
	for (i = 0; i < n_guests; i++)
		guests[i]->joined = guests[i]->left = guests[i]->info_changed = guests[i]->eligible_changed = false;
	free(work);
}

/* ---- events ---- */

static void handle_event(const char *path, const char *token)
{
	unsigned int domid, peer;
	struct guest *g, *b;

	debug("event %s (%s)", path, token);
	if (!strcmp(token, TOKEN_INTRO)) {
		scan_intro = true;
		return;
	}
	if (!strcmp(token, TOKEN_RELEASE)) {
		scan_release = true;
		return;
	}
	if (!strcmp(token, TOKEN_VIF)) {
		switch (mmnet_classify_vif(path, &domid)) {
		case 1:
			if ((g = guest_find(domid)))
				g->dirty |= DIRTY_MACS;
			break;
		case 2:
			all_macs = true;
			break;
		}
		return;
	}
	if (!strncmp(token, TOKEN_NAME, strlen(TOKEN_NAME))) {
		token += strlen(TOKEN_NAME);
		if (!mmnet_xs_parse_domid(token, strlen(token), &domid) && (g = guest_find(domid)))
			g->dirty |= DIRTY_STATE;
		return;
	}
	if (mmnet_xs_parse_domid(token, strlen(token), &domid) || !(g = guest_find(domid)))
		return;
	switch (mmnet_classify(path, domid, &peer)) {
	case MMNET_EV_STATE:
		g->dirty |= DIRTY_STATE;
		break;
	case MMNET_EV_PEERS:
		g->dirty |= DIRTY_PEERS;
		break;
	case MMNET_EV_PEER:
		dirty_peer(g, peer);
		break;
	case MMNET_EV_STRAY:
		/* Below a real pair's directory: the modules' rendezvous, none of mmnetd's business. */
		b = guest_find(peer);
		if (!b || !b->member || b == g || !g->member)
			dirty_peer(g, peer);
		break;
	default:
		break;
	}
}

/* Read up to BATCH_EVENTS pending watch events. */
static void drain_events(void)
{
	unsigned int n;
	char **ev;

	for (n = 0; n < BATCH_EVENTS; n++) {
		ev = xs_check_watch(xs);
		if (!ev) {
			if (errno != EAGAIN)
				die("lost the connection to xenstored: %s", strerror(errno));
			return;
		}
		handle_event(ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
		free(ev);
	}
}

/* After a round in which requests failed: is the connection still there?  (libxenstore does not wake a
 * poll() when its reader sees the connection close; xs_check_watch() says so, with EINVAL.) */
static void xs_check_connection(void)
{
	char **ev;

	if (!xs_trouble)
		return;
	xs_trouble = false;
	errno = 0;
	ev = xs_check_watch(xs);
	if (!ev && errno != EAGAIN)
		die("lost the connection to xenstored: %s", strerror(errno));
	if (ev) {
		handle_event(ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
		free(ev);
	}
}

/* ---- the configuration ---- */

/*
 * Read and parse FILE into *OUT.  0 on success (*MISSING if there is no such file: *OUT is empty, nobody
 * connects); else 1 with the "FILE:LINE: ..." lines in ERRS.
 */
static int conf_load(const char *file, struct mmnet_conf *out, bool *missing, char *errs, size_t size)
{
	char *text = malloc(CONF_SIZE_MAX + 1);
	size_t len = 0;
	ssize_t r;
	int fd, n;

	memset(out, 0, sizeof(*out));
	*missing = false;
	errs[0] = '\0';
	if (!text)
		die("out of memory");
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(text);
		if (errno == ENOENT) {
			*missing = true;
			return 0;
		}
		snprintf(errs, size, "%s: %s", file, strerror(errno));
		return 1;
	}
	while ((r = read(fd, text + len, CONF_SIZE_MAX + 1 - len)) > 0 && len < CONF_SIZE_MAX + 1)
		len += (size_t)r;
	n = errno;
	close(fd);
	if (r < 0) {
		snprintf(errs, size, "%s: %s", file, strerror(n));
	} else if (len > CONF_SIZE_MAX) {
		snprintf(errs, size, "%s: larger than %d bytes", file, CONF_SIZE_MAX);
		r = -1;
	} else {
		n = mmnet_conf_parse(text, len, file, out, errs, size);
		if (n < 0)
			die("out of memory");
		r = n ? -1 : 0;
	}
	free(text);
	return r < 0;
}

/* Each "FILE:LINE: ..." line of ERRS as one message. */
static void conf_errors(const char *errs)
{
	const char *p = errs;

	while (*p) {
		size_t n = strcspn(p, "\n");

		err("%.*s", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static int count_pair(const char *a, const char *b, enum mmnet_mode mode, void *arg)
{
	(void)a, (void)b, (void)mode;
	++*(unsigned int *)arg;
	return 0;
}

static void conf_summary(const char *what)
{
	unsigned int pairs = 0;

	if (conf_missing) {
		notice("%sno %s: no guest connects to any other", what, conf_file);
		return;
	}
	mmnet_conf_pairs(&conf, count_pair, &pairs);
	info("%s%s: %u groups, %u pairs of domains", what, conf_file, conf.n, pairs);
}

/* SIGHUP: a valid file replaces the groups in force, an invalid one is refused.  The caller has every
 * guest looked at again either way. */
static void conf_reload(void)
{
	struct mmnet_conf next;
	char errs[CONF_ERRS_MAX];
	unsigned int i;
	bool missing;

	if (conf_load(conf_file, &next, &missing, errs, sizeof(errs))) {
		conf_errors(errs);
		err("SIGHUP: %s refused: the groups in force stay", conf_file);
	} else {
		mmnet_conf_free(&conf);
		conf = next;
		conf_missing = missing;
		conf_summary("SIGHUP: ");
		for (i = 0; i < n_guests; i++)
			guests[i]->alone = ALONE_NOT;	/* under the new groups, a guest still alone is told again */
	}
}

/* --check: FILE's errors on stderr, exit 1; silent and 0 if it is valid. */
static int check_conf(const char *file)
{
	struct mmnet_conf c;
	char errs[CONF_ERRS_MAX];
	bool missing;

	if (conf_load(file, &c, &missing, errs, sizeof(errs))) {
		fprintf(stderr, "%s\n", errs);
		return 1;
	}
	if (missing) {
		fprintf(stderr, "%s: %s\n", file, strerror(ENOENT));
		return 1;
	}
	mmnet_conf_free(&c);
	return 0;
}

/* ---- --status: the groups, their members and pairs as xenstore has them now ---- */

struct status {
	unsigned int n;
	unsigned int *domid;
	char **name;
};

/* The domid of the running domain named NAME, or 0. */
static unsigned int status_domid(const struct status *st, const char *name)
{
	unsigned int i;

	for (i = 0; i < st->n; i++)
		if (st->name[i] && !strcmp(st->name[i], name))
			return st->domid[i];
	return 0;
}

/* A node of a pair for --status: its value, or "-" if it is missing (or not printable). */
static void status_node(unsigned int a, unsigned int b, const char *node, char *buf, size_t size)
{
	char path[MMNET_PATH_MAX], suffix[32];
	unsigned int len;
	char *v;

	snprintf(suffix, sizeof(suffix), "/%s", node);
	mmnet_peer_path(path, sizeof(path), a, b, suffix);
	v = a && b ? xread(XBT_NULL, path, &len) : NULL;
	if (v && len)
		mmnet_xs_escape(v, len, buf, size);
	else
		snprintf(buf, size, "-");
	free(v);
}

static int status_pair(const char *a, const char *b, enum mmnet_mode mode, void *arg)
{
	const struct status *st = arg;
	unsigned int da = status_domid(st, a), db = status_domid(st, b);
	char written[32], sa[32], sb[32];

	status_node(da, db, "mode", written, sizeof(written));
	status_node(da, db, "state", sa, sizeof(sa));
	status_node(db, da, "state", sb, sizeof(sb));
	printf("%-12s %-12s %-7s %-8s %-11s %s\n", a, b, mmnet_mode_name(mode), written, sa, sb);
	return 0;
}

/* --status: needs xenstore (dom0).  Exit 0, or 1 if xenstore cannot be read. */
static int show_status(void)
{
	struct status st = { 0 };
	char errs[CONF_ERRS_MAX], path[64];
	unsigned int n = 0, i, k, d;
	struct mmnet_conf c;
	bool missing;
	char **names;

	if (conf_load(conf_file, &c, &missing, errs, sizeof(errs))) {
		fprintf(stderr, "%s\n", errs);
		return 1;
	}
	xs = xs_open(XS_OPEN_READONLY);
	if (!xs)
		xs = xs_open(0);
	if (!xs)
		die("cannot connect to xenstore: %s (is xenstored running? run in dom0)", strerror(errno));
	names = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	if (!names)
		die("cannot list /local/domain: %s (run in dom0)", strerror(errno));
	st.domid = calloc(n + 1, sizeof(*st.domid));
	st.name = calloc(n + 1, sizeof(*st.name));
	if (!st.domid || !st.name)
		die("out of memory");
	for (i = 0; i < n; i++) {
		unsigned int len;

		if (mmnet_xs_parse_domid(names[i], strlen(names[i]), &d) || !d)
			continue;
		snprintf(path, sizeof(path), "/local/domain/%u/name", d);
		st.domid[st.n] = d;
		st.name[st.n] = xread(XBT_NULL, path, &len);
		if (st.name[st.n] && !mmnet_conf_domain_ok(st.name[st.n], len)) {
			free(st.name[st.n]);
			st.name[st.n] = NULL;
		}
		st.n++;
	}
	free(names);

	if (missing)
		printf("no %s: no guest connects to any other\n", conf_file);
	for (i = 0; i < c.n; i++) {
		printf("group %s %s:", c.groups[i].name, mmnet_mode_name(c.groups[i].mode));
		for (k = 0; k < c.groups[i].n; k++) {
			d = status_domid(&st, c.groups[i].members[k]);
			if (d)
				printf(" %s (%u)", c.groups[i].members[k], d);
			else
				printf(" %s (not running)", c.groups[i].members[k]);
		}
		printf("\n");
	}
	if (c.n) {
		printf("\n%-12s %-12s %-7s %-8s %-11s %s\n", "A", "B", "MODE", "WRITTEN", "STATE-A", "STATE-B");
		mmnet_conf_pairs(&c, status_pair, &st);
	}
	for (i = 0; i < st.n; i++)
		free(st.name[i]);
	free(st.name);
	free(st.domid);
	mmnet_conf_free(&c);
	xs_close(xs);
	return 0;
}

/* ---- start-up, service plumbing ---- */

static unsigned int count_members(void)
{
	unsigned int i, m = 0;

	for (i = 0; i < n_guests; i++)
		m += guests[i]->member;
	return m;
}

/* The service manager's readiness protocol (sd_notify(3)), without libsystemd. */
static void sd_notify_msg(const char *msg)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!sock || (sock[0] != '/' && sock[0] != '@') || (len = strlen(sock)) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, sock, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		debug("cannot notify the service manager: %s", strerror(errno));
	close(fd);
}

static const char *pidfile_owned;

static void remove_pidfile(void)
{
	if (pidfile_owned)
		unlink(pidfile_owned);
}

static int lock_pidfile(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK)
			die("cannot lock %s: %s", path, strerror(errno));
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		die("another mmnetd is running (pid %s, it holds %s)", buf[0] ? buf : "unknown", path);
	}
	pidfile_owned = path;
	atexit(remove_pidfile);
	return fd;
}

static void write_pidfile(int fd, const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n)
		die("cannot write %s: %s", path, strerror(errno));
}

/* Fork into the background; the parent waits until the child is ready (or failed) and exits with its
 * status, so errors at start-up reach the caller.  Returns the pipe the child reports readiness on. */
static int daemonize(void)
{
	int p[2], status;
	pid_t pid;
	char c;

	if (pipe(p))
		die("cannot create a pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("cannot fork: %s", strerror(errno));
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) == 1)
			_exit(0);
		/* The child died before it was ready; it said why on stderr. */
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			_exit(WEXITSTATUS(status));
		_exit(1);
	}
	close(p[0]);
	if (setsid() < 0)
		die("setsid: %s", strerror(errno));
	if (chdir("/"))
		die("chdir /: %s", strerror(errno));
	return p[1];
}

static void detach(int ready_fd)
{
	int fd = open("/dev/null", O_RDWR);

	openlog("mmnetd", LOG_PID, LOG_DAEMON);
	use_syslog = true;
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if (write(ready_fd, "", 1) != 1)
		err("cannot tell the parent that mmnetd is ready: %s", strerror(errno));
	close(ready_fd);
}

static void usage(FILE *out)
{
	fputs("Usage: mmnetd [ -f | --foreground ] [ -v | --verbose ] [ -p | --pidfile FILE ]\n"
	      "              [ -c | --config FILE ]\n"
	      "       mmnetd [ -c | --config FILE ] --check [ FILE ]\n"
	      "       mmnetd [ -c | --config FILE ] --status\n"
	      "\n"
	      "The dom0 membership daemon of mmnet: introduces the Xen guests that take part (their mmnet\n"
	      "module wrote data/mmnet/version) to each other through xenstore, pair by pair, where the\n"
	      "configuration puts both in a trust group.  A peer's MACs and addresses are the toolstack's\n"
	      "(its vifs' mac= and ip=), never what the guest says.\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE    the trust groups (default " DEFAULT_CONFIG ", mmnetd.conf(5));\n"
	      "                       without the file no guest connects to any other\n"
	      "  --check [FILE]       check FILE (default: the --config one) and exit: 0 if it is valid,\n"
	      "                       1 with one \"FILE:LINE: what is wrong\" line per error on stderr\n"
	      "  --status             print the groups with their members' domids, and every pair with\n"
	      "                       its mode, the mode written in xenstore and both sides' rendezvous\n"
	      "                       state (\"-\": missing), then exit (in dom0)\n"
	      "  -f, --foreground     stay in the foreground and log to stderr (default: detach, syslog)\n"
	      "  -v, --verbose        also log every watch event and every update\n"
	      "  -p, --pidfile FILE   lock and write FILE (default " DEFAULT_PIDFILE ")\n"
	      "  -h, --help           this text\n"
	      "  -V, --version        print the version\n"
	      "\n"
	      "Signals: SIGTERM, SIGINT stop it (the guests' nodes stay); SIGHUP reads the configuration\n"
	      "again (an invalid one is refused and the groups in force stay) and looks at everything again.\n"
	      "Exit status: 0 when stopped by a signal, 1 on an error (an invalid configuration too), 2 on\n"
	      "a command line error.  See mmnetd(8), mmnetd.conf(5).\n",
	      out);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "status", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const char *pidfile = DEFAULT_PIDFILE;
	bool foreground = false, stop = false, check = false, status = false;
	char errs[CONF_ERRS_MAX];
	int opt, ready_fd = -1, pid_fd, sfd;
	struct pollfd pfd[2];
	sigset_t mask;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":fvp:c:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			foreground = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'p':
			if (!optarg[0])
				usage_error("--pidfile needs a file name");
			pidfile = optarg;
			break;
		case 'c':
			if (!optarg[0])
				usage_error("--config needs a file name");
			conf_file = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'S':
			status = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mmnetd %s (xenstore protocol version %s)\n", MMNET_VERSION, MMNET_XS_VERSION);
			return 0;
		case ':':
			usage_error("option \"%s\" needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (check && status)
		usage_error("--check and --status do not go together");
	if (check && optind < argc && argv[optind][0])
		conf_file = argv[optind++];
	if (optind < argc)
		usage_error("unexpected argument \"%s\"", argv[optind]);
	if (check)
		return check_conf(conf_file);
	if (status)
		return show_status();
	journal = foreground && getenv("JOURNAL_STREAM");
	setvbuf(stderr, NULL, _IOLBF, 0);

	/* An invalid configuration stops mmnetd before anything else, with the errors on stderr. */
	if (conf_load(conf_file, &conf, &conf_missing, errs, sizeof(errs))) {
		conf_errors(errs);
		die("%s is not valid: not starting (mmnetd --check shows why)", conf_file);
	}

	/* Signals arrive through a signalfd; blocked before libxenstore starts its thread. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		die("sigprocmask: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);

	/* Fork before connecting: a libxenstore connection works only in the process that opened it. */
	if (!foreground)
		ready_fd = daemonize();
	pid_fd = lock_pidfile(pidfile);
	write_pidfile(pid_fd, pidfile);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die("signalfd: %s", strerror(errno));

	xs = xs_open(XS_UNWATCH_FILTER);
	if (!xs)
		die("cannot connect to xenstore: %s (is xenstored running? run in dom0)", strerror(errno));
	/* Refuse early in a domU, where xenstore is reachable but /local/domain is not. */
	scan_introduced(true);
	/* Every watch fires once when it is set: those first events only confirm what follows. */
	if (!xs_watch(xs, "@introduceDomain", TOKEN_INTRO) || !xs_watch(xs, "@releaseDomain", TOKEN_RELEASE) ||
	    !xs_watch(xs, VIF_PATH, TOKEN_VIF))
		die("cannot set the xenstore watches: %s", strerror(errno));

	/*
	 * Reconcile: one round over every domain found, which reads every guest before it writes anything, so
	 * that a restart finds every pair as the previous run left it and changes nothing (the modules see no
	 * directory vanish and come back).  Entries of peers that went away while mmnetd was not running, and
	 * peer directories of guests that no longer take part, are removed.
	 */
	round_run();
	xs_check_connection();
	conf_summary("");
	info("started (version %s): %u domains, %u taking part", MMNET_VERSION, n_guests, count_members());
	sd_notify_msg("READY=1");
	if (ready_fd >= 0)
		detach(ready_fd);

	pfd[0] = (struct pollfd){ .fd = xs_fileno(xs), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	if (pfd[0].fd < 0)
		die("cannot poll xenstore: %s", strerror(errno));
	while (!stop) {
		struct signalfd_siginfo si;

		if (poll(pfd, 2, next_timeout()) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				unsigned int i;

				info("SIGHUP: reading %s and looking at everything again", conf_file);
				conf_reload();
				scan_intro = scan_release = all_macs = true;
				for (i = 0; i < n_guests; i++)
					guests[i]->dirty |= DIRTY_STATE | DIRTY_PEERS;
			} else {
				info("%s: stopping; the guests' nodes stay as they are",
				     si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
				stop = true;
			}
		}
		if (stop)
			break;
		/* Events left over stay pending: the watch pipe stays readable and poll returns at once. */
		drain_events();
		round_run();
		xs_check_connection();
	}
	sd_notify_msg("STOPPING=1");
	mmnet_conf_free(&conf);
	xs_close(xs);
	close(pid_fd);
	return 0;
}
