// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of bpf/mmnet.bpf.o: loads the real object, fills the peer map the way the module does, and
 * runs hand-made frames through the classifier with BPF_PROG_TEST_RUN.  Prints TAP.
 *
 * usage: classifier_test [-b] PATH/TO/mmnet.bpf.o
 *   -b  also measure the classifier's cost per packet (ns), printed as a TAP comment
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
	frame_ipv4(&f, peer_mac, "192.0.2.1", 0);
	expect(prog_fd, &f, TC_ACT_REDIRECT_, "IPv4 routed through a peer's MAC is redirected");
	frame_ipv4(&f, bcast_mac, "10.77.0.255", 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv4 broadcast passes");

	frame_ipv6(&f, peer_mac, "fd77::2", IPPROTO_UDP, 0);
	expect(prog_fd, &f, TC_ACT_REDIRECT_, "IPv6 to a peer is redirected");
	frame_ipv6(&f, router_mac, "fd77::3", IPPROTO_UDP, 0);
	expect(prog_fd, &f, TC_ACT_OK, "IPv6 to a non-peer passes");
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

static void bench(int prog_fd)
{
	const int repeat = 1000000;
	unsigned int hit = 0, miss = 0;
	struct frame f;

	frame_ipv4(&f, peer_mac, "10.77.0.2", 0);
	if (run_prog(prog_fd, &f, repeat, &hit) < 0)
		return;
	frame_ipv4(&f, router_mac, "10.77.0.3", 0);
	if (run_prog(prog_fd, &f, repeat, &miss) < 0)
		return;
	printf("# classifier: %u ns/packet for a peer (redirect), %u ns/packet for a non-peer (pass)\n",
	       hit, miss);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	bool do_bench = false;
	int opt;

	while ((opt = getopt(argc, argv, "b")) != -1) {
		if (opt != 'b')
			goto usage;
		do_bench = true;
	}
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
	printf("TAP version 13\n1..14\n");
	if (fill_peer_map(bpf_map__fd(map)))
		return 1;
	run_cases(bpf_program__fd(prog));
	if (do_bench)
		bench(bpf_program__fd(prog));
	bpf_object__close(obj);
	printf("# %d passed, %d failed\n", tests_run - tests_failed, tests_failed);
	return tests_failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: classifier_test [-b] PATH/TO/mmnet.bpf.o\n");
	return 2;
}
