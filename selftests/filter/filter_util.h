/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the receive filter's unit tests and fuzzer share: the peer they
 * test against, and the oracle, a check of a verdict against the frame that
 * is written without the filter's code (what a pass, a spoofed verdict must
 * mean of the frame).
 */
#ifndef MMNET_FILTER_UTIL_H
#define MMNET_FILTER_UTIL_H

#include <arpa/inet.h>
#include <string.h>

#include "addrs.h"
#include "filter.h"

static const u8 peer_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };

/* 10.77.0.2 and fd77::2, attested or not. */
static inline void peer_init(struct mmnet_addrs *a, bool attested)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->mac, peer_mac, ETH_ALEN);
	a->attested = attested;
	a->nr_ipv4 = 1;
	inet_pton(AF_INET, "10.77.0.2", &a->ipv4[0]);
	a->nr_ipv6 = 1;
	inet_pton(AF_INET6, "fd77::2", &a->ipv6[0]);
}

static inline unsigned int be16_at(const u8 *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static inline bool addr_listed(const struct mmnet_addrs *a, bool v6, const u8 *src)
{
	unsigned int i;

	for (i = 0; !v6 && i < a->nr_ipv4; i++)
		if (!memcmp(&a->ipv4[i], src, 4))
			return true;
	for (i = 0; v6 && i < a->nr_ipv6; i++)
		if (!memcmp(&a->ipv6[i], src, 16))
			return true;
	return false;
}

/*
 * NULL if @v is a verdict the frame allows, else what is wrong.  A pass
 * needs: the peer's source MAC, a unicast destination, IPv4 or IPv6 under
 * at most two VLAN tags, a whole network header, a listed source where the
 * addresses are attested, no ND directly after the IPv6 header.  A spoofed
 * verdict needs a frame that is not from the peer's MAC or addresses.
 */
static inline const char *oracle(const u8 *f, unsigned int len, const struct mmnet_addrs *a,
				 enum mmnet_filter_verdict v)
{
	unsigned int off = ETH_HLEN, proto, tags = 0;
	bool mac_ok, v6;
	const u8 *ip;

	if (v != MMNET_FILTER_PASS && v != MMNET_FILTER_SPOOFED && v != MMNET_FILTER_FOREIGN)
		return "no such verdict";
	if (len < ETH_HLEN)
		return v == MMNET_FILTER_FOREIGN ? NULL : "a runt is not foreign";
	mac_ok = a && !memcmp(f + ETH_ALEN, a->mac, ETH_ALEN);
	if (!mac_ok)
		return v == MMNET_FILTER_SPOOFED ? NULL : "another source MAC is not spoofed";
	if (v == MMNET_FILTER_FOREIGN)
		return NULL;	/* every way of being foreign is in the unit tests */
	if (f[0] & 1)
		return "multicast passed";
	proto = be16_at(f + 12);
	while ((proto == 0x8100 || proto == 0x88a8) && tags < 2) {
		if (len < off + 4)
			return "a cut VLAN tag passed";
		proto = be16_at(f + off + 2);
		off += 4;
		tags++;
	}
	if (proto != 0x0800 && proto != 0x86dd)
		return "neither IPv4 nor IPv6 passed";
	v6 = proto == 0x86dd;
	ip = f + off;
	if (len < off + (v6 ? 40 : 20))
		return "a cut network header passed";
	if (v6 && ip[6] == 58 && len > off + 40 && ip[40] >= 133 && ip[40] <= 137)
		return "neighbour discovery passed";
	if (a->attested && !addr_listed(a, v6, ip + (v6 ? 8 : 12)))
		return v == MMNET_FILTER_SPOOFED ? NULL : "an unlisted source passed";
	return v == MMNET_FILTER_PASS ? NULL : "a frame from the peer was taken for spoofed";
}

#endif /* MMNET_FILTER_UTIL_H */
