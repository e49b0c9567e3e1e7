// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of bpf/mmnet.bpf.o: loads the real object, fills the peer map the way the module does, and
 * runs hand-made frames through the classifier with BPF_PROG_TEST_RUN.  Prints TAP.
 *
 * usage: classifier_test [-b] [-n REPEAT] [-o CSV] PATH/TO/mmnet.bpf.o
 *   -b  also measure the classifier's cost per packet (ns), printed as TAP comments
 *   -n  runs per BPF_PROG_TEST_RUN call in the benchmark (default 5000000); each case is the best of 3 calls
 *   -o  append the benchmark's results to CSV as rows testbed,path,test,size,metric,value
 *
 * The benchmark subtracts the harness: BPF_PROG_TEST_RUN's own cost per run (its loop, the call into the
 * program, the context) is measured with an empty tc program on the same frame, and the classifier's own
 * cost is what it adds to that floor.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/mmnet.h>

#define PEER_IFINDEX	42
#define TC_ACT_REDIRECT_	7	/* what bpf_redirect() returns */

static const unsigned char peer_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };
static const unsigned char router_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0xfe };
static const unsigned char self_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
static const unsigned char bcast_mac[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int tests_run, tests_failed;

struct frame {
	unsigned char buf[256];
	size_t len;
};

static void frame_eth(struct frame *f, const unsigned char *dst, const unsigned short *vlans, int nvlan,
		      unsigned short proto)
{
	unsigned char *p = f->buf;
	unsigned short be;
	int i;

	memset(f, 0, sizeof(*f));
	memcpy(p, dst, ETH_ALEN);
	memcpy(p + ETH_ALEN, self_mac, ETH_ALEN);
	p += 2 * ETH_ALEN;
	for (i = 0; i < nvlan; i++) {
		be = htons(vlans[i]);
		memcpy(p, &be, 2);
		be = htons(100 + i);
		memcpy(p + 2, &be, 2);
		p += 4;
	}
	be = htons(proto);
	memcpy(p, &be, 2);
	f->len = p + 2 - f->buf;
}

static void frame_ipv4(struct frame *f, const unsigned char *dst_mac, const char *daddr, int nvlan)
{
	static const unsigned short tags[] = { ETH_P_8021AD, ETH_P_8021Q };
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP };

	frame_eth(f, dst_mac, tags + 2 - nvlan, nvlan, ETH_P_IP);
	ip.tot_len = htons(sizeof(ip) + 8);
	inet_pton(AF_INET, "10.77.0.1", &ip.saddr);
	inet_pton(AF_INET, daddr, &ip.daddr);
	memcpy(f->buf + f->len, &ip, sizeof(ip));
	f->len += sizeof(ip) + 8;
}

static void frame_ipv6(struct frame *f, const unsigned char *dst_mac, const char *daddr, int nexthdr,
		       int icmp_type)
{
	struct ipv6hdr ip6 = { .version = 6, .hop_limit = 64 };

	frame_eth(f, dst_mac, NULL, 0, ETH_P_IPV6);
	ip6.nexthdr = nexthdr;
	ip6.payload_len = htons(8);
	inet_pton(AF_INET6, "fd77::1", &ip6.saddr);
	inet_pton(AF_INET6, daddr, &ip6.daddr);
	memcpy(f->buf + f->len, &ip6, sizeof(ip6));
	f->len += sizeof(ip6);
	f->buf[f->len] = icmp_type;
	f->len += 8;
}

static int run_prog(int prog_fd, const struct frame *f, int repeat, unsigned int *duration)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = f->buf, .data_size_in = f->len, .repeat = repeat);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	if (err) {
		fprintf(stderr, "classifier_test: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
		return -1;
	}
	if (duration)
		*duration = opts.duration;
	return opts.retval;
}

static void expect(int prog_fd, const struct frame *f, int want, const char *what)
{
	int got = run_prog(prog_fd, f, 1, NULL);

	tests_run++;
	if (got == want) {
		printf("ok %d %s\n", tests_run, what);
	} else {
		tests_failed++;
		printf("not ok %d %s # verdict %d, expected %d\n", tests_run, what, got, want);
	}
}

static int add_peer(int map_fd, int kind, const void *addr, size_t len)
{
	struct mmnet_peer_key key = { .kind = kind };
	struct mmnet_peer_value val = { .ifindex = PEER_IFINDEX, .peer_id = 2 };

	memcpy(key.addr, addr, len);
	return bpf_map_update_elem(map_fd, &key, &val, BPF_ANY);
}

static int fill_peer_map(int map_fd)
{
	unsigned char a4[4], a6[16];

	inet_pton(AF_INET, "10.77.0.2", a4);
	inet_pton(AF_INET6, "fd77::2", a6);
	if (add_peer(map_fd, MMNET_ADDR_IPV4, a4, sizeof(a4)) ||
	    add_peer(map_fd, MMNET_ADDR_IPV6, a6, sizeof(a6)) ||
	    add_peer(map_fd, MMNET_ADDR_MAC, peer_mac, ETH_ALEN)) {
		fprintf(stderr, "classifier_test: filling the peer map: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void run_cases(int prog_fd)
{
	struct frame f;

	frame_ipv4(&f, peer_mac, "10.77.0.2", 0);
	expect(prog_fd, &f, TC_ACT_REDIRECT_, "IPv4 to a peer is redirected");
	frame_ipv4(&f, peer_mac, "10.77.0.2", 1);
	expect(prog_fd, &f, TC_ACT_REDIRECT_, "IPv4 in 802.1Q to a peer is redirected");
	frame_ipv4(&f, peer_mac, "10.77.0.2", 2);
	expect(prog_fd, &f, TC_ACT_REDIRECT_, "IPv4 in QinQ to a peer is redirected");
	frame_ipv4(&f, router_mac, "10.77.0.3", 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv4 to a non-peer passes");
	frame_ipv4(&f, router_mac, "10.77.0.2", 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv4 to a peer's address at another MAC passes (no hijack)");
	frame_ipv4(&f, peer_mac, "169.254.7.2", 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv4 link-local to a peer passes");
	frame_ipv4(&f, peer_mac, "192.0.2.1", 0);
	expect(prog_fd, &f, TC_ACT_REDIRECT_, "IPv4 routed through a peer's MAC is redirected");
	frame_ipv4(&f, bcast_mac, "10.77.0.255", 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv4 broadcast passes");

	frame_ipv6(&f, peer_mac, "fd77::2", IPPROTO_UDP, 0);
	expect(prog_fd, &f, TC_ACT_REDIRECT_, "IPv6 to a peer is redirected");
	frame_ipv6(&f, router_mac, "fd77::3", IPPROTO_UDP, 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv6 to a non-peer passes");
	frame_ipv6(&f, router_mac, "fd77::2", IPPROTO_UDP, 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv6 to a peer's address at another MAC passes (no hijack)");
	frame_ipv6(&f, peer_mac, "fe80::2", IPPROTO_UDP, 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv6 link-local to a peer passes");
	frame_ipv6(&f, peer_mac, "2001:db8::9", IPPROTO_TCP, 0);
	expect(prog_fd, &f, TC_ACT_REDIRECT_, "IPv6 routed through a peer's MAC is redirected");
	frame_ipv6(&f, peer_mac, "fd77::2", IPPROTO_ICMPV6, 135);
	expect(prog_fd, &f, TC_ACT_OK, "IPv6 neighbour solicitation to a peer passes");
	frame_ipv6(&f, peer_mac, "fd77::2", IPPROTO_ICMPV6, 136);
	expect(prog_fd, &f, TC_ACT_OK, "IPv6 neighbour advertisement to a peer passes");
	frame_ipv6(&f, peer_mac, "fd77::2", IPPROTO_ICMPV6, 128);
	expect(prog_fd, &f, TC_ACT_REDIRECT_, "ICMPv6 echo to a peer is redirected");
	frame_ipv6(&f, (const unsigned char[]){ 0x33, 0x33, 0, 0, 0, 1 }, "ff02::1", IPPROTO_UDP, 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv6 multicast passes");

	frame_eth(&f, peer_mac, NULL, 0, ETH_P_ARP);
	f.len += 28;
	expect(prog_fd, &f, TC_ACT_OK, "ARP to a peer passes");
	/* The kernel refuses to test-run a truncated IP header, but not a truncated VLAN tag. */
	frame_eth(&f, peer_mac, NULL, 0, ETH_P_8021Q);
	f.len += 2;
	expect(prog_fd, &f, TC_ACT_OK, "truncated VLAN tag passes");
}

/*
 * Reference programs, to tell the classifier's own work from what the kernel charges for the calls it makes:
 *   empty     returns TC_ACT_OK: BPF_PROG_TEST_RUN's own cost per run, the floor
 *   lookup    one bpf_map_lookup_elem() in the peer map, with the key of a peer (a hit), then TC_ACT_OK
 *   redirect  one bpf_redirect() to the peer's ifindex, returned
 */
#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static int load_ref_prog(const char *name, int map_fd)
{
	struct mmnet_peer_key key = { .kind = MMNET_ADDR_IPV4 };
	struct bpf_insn insns[16];
	int n = 0, i;
	__s32 w[5];

	inet_pton(AF_INET, "10.77.0.2", key.addr);
	memcpy(w, &key, sizeof(w));
	if (!strcmp(name, "lookup")) {
		for (i = 0; i < 5; i++)
			insns[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -24 + 4 * i, w[i]);
		insns[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd);
		insns[n++] = INSN(0, 0, 0, 0, 0);
		insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
		insns[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -24);
		insns[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	} else if (!strcmp(name, "redirect")) {
		insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, PEER_IFINDEX);
		insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0);
		insns[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect);
	}
	if (strcmp(name, "redirect"))
		insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, TC_ACT_OK);
	insns[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, name, "GPL", insns, n, NULL);
}

/* ns per run of @prog_fd on @f: the best of 3 calls of @repeat runs (the kernel's own timing, which leaves
 * out the time the loop was rescheduled); 0 on error. */
static unsigned int ns_per_run(int prog_fd, const struct frame *f, int repeat)
{
	unsigned int best = 0, ns;
	int i;

	for (i = 0; i < 3; i++) {
		if (run_prog(prog_fd, f, repeat, &ns) < 0)
			return 0;
		if (!best || ns < best)
			best = ns;
	}
	return best;
}

struct bench_case {
	const char *path;	/* the CSV's path and test columns */
	const char *name;
	const char *what;
	int prog_fd;
	struct frame f;
};

static void bench(int prog_fd, int map_fd, int repeat, FILE *csv)
{
	struct bench_case cases[] = {
		{ .path = "classifier", .name = "ipv4_peer", .what = "IPv4 to a peer (1 lookup, redirect)" },
		{ .path = "classifier", .name = "ipv4_other", .what = "IPv4 to a non-peer (2 lookups, pass)" },
		{ .path = "classifier", .name = "ipv6_peer", .what = "IPv6 to a peer (1 lookup, redirect)" },
		{ .path = "classifier", .name = "arp", .what = "ARP (parsing only, pass)" },
		{ .path = "reference", .name = "lookup", .what = "reference: one peer map lookup (a hit)" },
		{ .path = "reference", .name = "redirect", .what = "reference: one bpf_redirect()" },
	};
	const size_t n = sizeof(cases) / sizeof(cases[0]);
	unsigned int floor, ns;
	int empty_fd = load_ref_prog("empty", -1);
	size_t i;

	frame_ipv4(&cases[0].f, peer_mac, "10.77.0.2", 0);
	frame_ipv4(&cases[1].f, router_mac, "10.77.0.3", 0);
	frame_ipv6(&cases[2].f, peer_mac, "fd77::2", IPPROTO_UDP, 0);
	frame_eth(&cases[3].f, peer_mac, NULL, 0, ETH_P_ARP);
	cases[3].f.len += 28;
	for (i = 0; i < 4; i++)
		cases[i].prog_fd = prog_fd;
	for (; i < n; i++) {
		cases[i].f = cases[0].f;
		cases[i].prog_fd = load_ref_prog(cases[i].name, map_fd);
		if (cases[i].prog_fd < 0)
			empty_fd = -1;
	}
	if (empty_fd < 0) {
		fprintf(stderr, "classifier_test: cannot load the reference tc programs: %s\n", strerror(errno));
		return;
	}
	floor = ns_per_run(empty_fd, &cases[0].f, repeat);
	if (!floor)
		return;
	printf("# classifier: BPF_PROG_TEST_RUN, %d runs per call, best of 3 calls; harness floor (empty tc program): "
	       "%u ns/packet\n", repeat, floor);
	if (csv)
		fprintf(csv, "host,reference,empty,%zu,ns_per_packet,%u\n", cases[0].f.len, floor);
	for (i = 0; i < n; i++) {
		ns = ns_per_run(cases[i].prog_fd, &cases[i].f, repeat);
		if (!ns)
			break;
		printf("# classifier: %-40s %3u ns/packet, %3d ns over the floor\n", cases[i].what, ns,
		       (int)ns - (int)floor);
		if (csv)
			fprintf(csv, "host,%s,%s,%zu,ns_per_packet,%u\nhost,%s,%s,%zu,ns_program,%d\n",
				cases[i].path, cases[i].name, cases[i].f.len, ns,
				cases[i].path, cases[i].name, cases[i].f.len, (int)ns - (int)floor);
	}
	close(empty_fd);
	for (i = 4; i < n; i++)
		close(cases[i].prog_fd);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	const char *csv_path = NULL;
	bool do_bench = false;
	int repeat = 5000000;
	FILE *csv = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "bn:o:")) != -1) {
		switch (opt) {
		case 'b': do_bench = true; break;
		case 'n': repeat = atoi(optarg); break;
		case 'o': csv_path = optarg; break;
		default: goto usage;
		}
	}
	if (repeat < 1)
		goto usage;
	if (optind != argc - 1)
		goto usage;

	libbpf_set_print(NULL);
	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj) {
		fprintf(stderr, "classifier_test: cannot open %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	map = bpf_object__find_map_by_name(obj, MMNET_PEER_MAP_NAME);
	prog = bpf_object__find_program_by_name(obj, "mmnet_egress");
	if (!map || !prog) {
		fprintf(stderr, "classifier_test: %s lacks map %s or program mmnet_egress\n",
			argv[optind], MMNET_PEER_MAP_NAME);
		return 1;
	}
	/* A private, unpinned map: the test must not touch a pinned map of a live system. */
	bpf_map__set_pin_path(map, NULL);
	if (bpf_object__load(obj)) {
		printf("1..0 # SKIP cannot load BPF here: %s\n", strerror(errno));
		return 4;
	}
	printf("TAP version 13\n");
	if (fill_peer_map(bpf_map__fd(map)))
		return 1;
	run_cases(bpf_program__fd(prog));
	printf("1..%d\n", tests_run);
	if (do_bench) {
		if (csv_path && !(csv = fopen(csv_path, "a"))) {
			fprintf(stderr, "classifier_test: %s: %s\n", csv_path, strerror(errno));
			return 1;
		}
		bench(bpf_program__fd(prog), bpf_map__fd(map), repeat, csv);
		if (csv && fclose(csv)) {
			fprintf(stderr, "classifier_test: %s: %s\n", csv_path, strerror(errno));
			return 1;
		}
	}
	bpf_object__close(obj);
	printf("# %d passed, %d failed\n", tests_run - tests_failed, tests_failed);
	return tests_failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: classifier_test [-b] [-n REPEAT] [-o CSV] PATH/TO/mmnet.bpf.o\n");
	return 2;
}
