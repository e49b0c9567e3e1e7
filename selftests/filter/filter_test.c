// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/filter.c, the receive filter: one case per rule, each
 * verdict also checked by the oracle of filter_util.h.  TAP.
 */
#include <stdio.h>

#include "filter_util.h"

static const u8 our_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
static const u8 other_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x03 };
static const u8 bcast_mac[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const u8 mcast6_mac[ETH_ALEN] = { 0x33, 0x33, 0, 0, 0, 1 };

static int tests_run, tests_failed;

struct frame {
	u8 buf[256];
	unsigned int len;
};

static void put16(u8 *p, unsigned int v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/* Ethernet with @tags VLAN tags; the network header follows at f->len. */
static void eth(struct frame *f, const u8 *dst, const u8 *src, int tags, unsigned int proto)
{
	int i;

	memset(f, 0, sizeof(*f));
	memcpy(f->buf, dst, ETH_ALEN);
	memcpy(f->buf + ETH_ALEN, src, ETH_ALEN);
	f->len = 12;
	for (i = 0; i < tags; i++) {
		put16(f->buf + f->len, 0x8100);
		put16(f->buf + f->len + 2, 7);
		f->len += 4;
	}
	put16(f->buf + f->len, proto);
	f->len += 2;
}

static void ipv4(struct frame *f, const u8 *src_mac, int tags, const char *src)
{
	u8 *ip;

	eth(f, our_mac, src_mac, tags, 0x0800);
	ip = f->buf + f->len;
	ip[0] = 0x45;
	ip[9] = 17;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, "10.77.0.1", ip + 16);
	f->len += 20 + 8;
}

/* IPv6 from @src: @next, then @icmp_type as the first byte after the header. */
static u8 *ipv6(struct frame *f, const u8 *dst_mac, const char *src, unsigned int next,
		unsigned int icmp_type)
{
	u8 *ip;

	eth(f, dst_mac, peer_mac, 0, 0x86dd);
	ip = f->buf + f->len;
	ip[0] = 0x60;
	ip[6] = (u8)next;
	ip[7] = 64;
	inet_pton(AF_INET6, src, ip + 8);
	inet_pton(AF_INET6, "fd77::1", ip + 24);
	ip[40] = (u8)icmp_type;
	f->len += 40 + 8;
	return ip;
}

static void expect(const struct frame *f, const struct mmnet_addrs *peer,
		   enum mmnet_filter_verdict want, const char *what)
{
	enum mmnet_filter_verdict got = mmnet_filter_rx(f->buf, f->len, peer);
	const char *wrong = oracle(f->buf, f->len, peer, got);

	tests_run++;
	if (got == want && !wrong) {
		printf("ok %d %s\n", tests_run, what);
		return;
	}
	tests_failed++;
	printf("not ok %d %s # verdict %d, expected %d%s%s\n", tests_run, what, got, want,
	       wrong ? "; oracle: " : "", wrong ? wrong : "");
}

static void test_ipv4(const struct mmnet_addrs *att, const struct mmnet_addrs *unatt)
{
	struct mmnet_addrs none;
	struct frame f;

	ipv4(&f, peer_mac, 0, "10.77.0.2");
	expect(&f, att, MMNET_FILTER_PASS, "IPv4 from the peer's MAC and attested address passes");
	ipv4(&f, peer_mac, 1, "10.77.0.2");
	expect(&f, att, MMNET_FILTER_PASS, "IPv4 in 802.1Q from the peer passes");
	ipv4(&f, peer_mac, 2, "10.77.0.2");
	expect(&f, att, MMNET_FILTER_PASS, "IPv4 in QinQ from the peer passes");
	ipv4(&f, peer_mac, 3, "10.77.0.2");
	expect(&f, att, MMNET_FILTER_FOREIGN, "a third VLAN tag is foreign");
	ipv4(&f, peer_mac, 0, "10.77.0.3");
	expect(&f, att, MMNET_FILTER_SPOOFED, "IPv4 from another guest's address is spoofed");
	ipv4(&f, peer_mac, 0, "0.0.0.0");
	expect(&f, att, MMNET_FILTER_SPOOFED, "IPv4 from 0.0.0.0 is spoofed where addresses are attested");
	ipv4(&f, other_mac, 0, "10.77.0.2");
	expect(&f, att, MMNET_FILTER_SPOOFED, "IPv4 from another MAC is spoofed");
	ipv4(&f, other_mac, 0, "10.77.0.2");
	expect(&f, unatt, MMNET_FILTER_SPOOFED, "another MAC is spoofed without attested addresses too");
	ipv4(&f, peer_mac, 0, "192.0.2.9");
	expect(&f, unatt, MMNET_FILTER_PASS, "IPv4 from any address passes where none are attested");
	none = *att;
	none.nr_ipv4 = 0;
	ipv4(&f, peer_mac, 0, "10.77.0.2");
	expect(&f, &none, MMNET_FILTER_SPOOFED, "IPv4 from a peer attested with IPv6 only is spoofed");
	ipv4(&f, peer_mac, 0, "10.77.0.2");
	expect(&f, NULL, MMNET_FILTER_SPOOFED, "nothing is from a peer whose MAC is not known yet");
	ipv4(&f, peer_mac, 0, "10.77.0.2");
	f.buf[14] = 0x65;
	expect(&f, att, MMNET_FILTER_FOREIGN, "IPv4 with version 6 is foreign");
	ipv4(&f, peer_mac, 0, "10.77.0.2");
	f.buf[14] = 0x44;
	expect(&f, att, MMNET_FILTER_FOREIGN, "IPv4 with a header shorter than 20 bytes is foreign");
	ipv4(&f, peer_mac, 0, "10.77.0.2");
	f.len = ETH_HLEN + 19;
	expect(&f, att, MMNET_FILTER_FOREIGN, "a cut IPv4 header is foreign");
	ipv4(&f, peer_mac, 0, "10.77.0.2");
	memcpy(f.buf, bcast_mac, ETH_ALEN);
	expect(&f, att, MMNET_FILTER_FOREIGN, "broadcast is foreign");
}

static void test_ipv6(const struct mmnet_addrs *att, const struct mmnet_addrs *unatt)
{
	struct frame f;
	u8 *ip;

	ipv6(&f, our_mac, "fd77::2", 17, 0);
	expect(&f, att, MMNET_FILTER_PASS, "IPv6 from the peer's attested address passes");
	ipv6(&f, our_mac, "fd77::3", 17, 0);
	expect(&f, att, MMNET_FILTER_SPOOFED, "IPv6 from another address is spoofed");
	ipv6(&f, our_mac, "fe80::2", 17, 0);
	expect(&f, att, MMNET_FILTER_SPOOFED, "IPv6 from an unlisted link-local address is spoofed");
	ipv6(&f, our_mac, "2001:db8::1", 17, 0);
	expect(&f, unatt, MMNET_FILTER_PASS, "IPv6 from any address passes where none are attested");
	ipv6(&f, our_mac, "fd77::2", 58, 128);
	expect(&f, att, MMNET_FILTER_PASS, "ICMPv6 echo passes");
	ipv6(&f, our_mac, "fd77::2", 58, 134);
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "a router advertisement is foreign");
	ipv6(&f, our_mac, "fd77::2", 58, 136);
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "a neighbour advertisement is foreign");
	ipv6(&f, our_mac, "fd77::2", 58, 137);
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "a redirect is foreign");
	ip = ipv6(&f, our_mac, "fd77::2", 0, 58);	/* hop-by-hop, 8 bytes, then ICMPv6 */
	ip[48] = 136;
	f.len += 8;
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "a neighbour advertisement behind hop-by-hop options is foreign");
	ip = ipv6(&f, our_mac, "fd77::2", 44, 58);	/* first fragment, then ICMPv6 */
	ip[48] = 135;
	f.len += 8;
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "neighbour discovery in a first fragment is foreign");
	ip = ipv6(&f, our_mac, "fd77::2", 44, 58);	/* a later fragment: no upper header */
	put16(ip + 42, 0x0100);
	ip[48] = 135;
	f.len += 8;
	expect(&f, att, MMNET_FILTER_PASS, "a later fragment passes");
	ip = ipv6(&f, our_mac, "fd77::3", 44, 58);
	put16(ip + 42, 0x0100);
	expect(&f, att, MMNET_FILTER_SPOOFED, "a later fragment from another address is spoofed");
	ip = ipv6(&f, our_mac, "fd77::2", 60, 60);	/* destination options, 8 bytes each */
	for (int i = 0; i < 9; i++)
		ip[40 + 8 * i] = 60;
	f.len = ETH_HLEN + 40 + 80;
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "more than 8 extension headers are foreign");
	ip = ipv6(&f, our_mac, "fd77::2", 0, 58);
	ip[41] = 20;	/* 168 bytes: beyond the frame */
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "an extension header beyond the frame is foreign");
	ipv6(&f, our_mac, "fd77::2", 17, 0);
	f.len = ETH_HLEN + 39;
	expect(&f, att, MMNET_FILTER_FOREIGN, "a cut IPv6 header is foreign");
	ipv6(&f, mcast6_mac, "fd77::2", 17, 0);
	expect(&f, att, MMNET_FILTER_FOREIGN, "IPv6 multicast is foreign");
}

static void test_other(const struct mmnet_addrs *unatt)
{
	struct frame f;

	eth(&f, our_mac, peer_mac, 0, 0x0806);
	f.len += 28;
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "ARP is foreign");
	eth(&f, our_mac, peer_mac, 0, 0x88cc);
	f.len += 28;
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "LLDP is foreign");
	eth(&f, our_mac, peer_mac, 1, 0x0800);
	f.len -= 2;
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "a cut VLAN tag is foreign");
	f.len = ETH_HLEN - 1;
	expect(&f, unatt, MMNET_FILTER_FOREIGN, "a runt is foreign");
}

int main(void)
{
	struct mmnet_addrs att, unatt;

	peer_init(&att, true);
	peer_init(&unatt, false);
	printf("TAP version 13\n");
	test_ipv4(&att, &unatt);
	test_ipv6(&att, &unatt);
	test_other(&unatt);
	printf("1..%d\n# %d passed, %d failed\n", tests_run, tests_run - tests_failed, tests_failed);
	return tests_failed ? 1 : 0;
}
