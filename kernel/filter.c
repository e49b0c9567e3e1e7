// SPDX-License-Identifier: GPL-2.0
/*
 * The receive filter: what a peer may hand us through its channel.
 *
 * A frame from a channel is delivered as if it had come in on the lower NIC,
 * so it must be no more than what the normal path through dom0 would let the
 * peer send us: from the peer's own MAC (the one dom0's toolstack gave its
 * vif), and where dom0 attests the peer's addresses (a vif's ip= setting),
 * from one of those.  And it must be a frame the classifier on the peer's
 * side sends into a channel at all -- unicast IPv4 or IPv6 that is not
 * neighbour discovery.  ARP, ND, router advertisements, broadcast and
 * multicast always take the normal path, so from a channel they can only be
 * forgeries: they are dropped whatever dom0 attests.
 *
 * The frame is the receiver's own copy, so what is checked is what is
 * delivered.  Pure: no kernel state, built on the host by the unit tests and
 * the fuzzer (selftests/filter).
 */

#include "addrs.h"
#include "filter.h"

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/string.h>

/* An IPv6 packet may carry this many extension headers before its payload. */
#define MMNET_FILTER_MAX_EXTHDRS	8

#define VLAN_TAG_LEN		4
#define IPV6_HDR_LEN		40
#define IPV6_FRAG_LEN		8
#define IPV6_FRAG_OFF_MASK	0xfff8

static u16 mmnet_get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

/*
 * Whether the source address @src (@size bytes) is one of the @n attested
 * ones at @list; anything is where nothing is attested.
 */
static bool mmnet_filter_src_ok(const struct mmnet_addrs *peer, const u8 *src,
				const void *list, unsigned int n, size_t size)
{
	unsigned int i;

	if (!peer->attested)
		return true;
	for (i = 0; i < n; i++)
		if (!memcmp((const u8 *)list + i * size, src, size))
			return true;
	return false;
}

static enum mmnet_filter_verdict mmnet_filter_ipv4(const u8 *ip,
						   unsigned int len,
						   const struct mmnet_addrs *peer)
{
	if (len < sizeof(struct iphdr) || ip[0] >> 4 != 4 || (ip[0] & 15) < 5)
		return MMNET_FILTER_FOREIGN;
	return mmnet_filter_src_ok(peer, ip + offsetof(struct iphdr, saddr),
				   peer->ipv4, peer->nr_ipv4, 4) ?
	       MMNET_FILTER_PASS : MMNET_FILTER_SPOOFED;
}

/*
 * Walk the extension headers to the upper layer: neighbour discovery hidden
 * behind them is still neighbour discovery.  A fragment other than the first
 * carries no upper-layer header, and ND is never fragmented (RFC 6980).
 */
static bool mmnet_filter_ipv6_is_nd(const u8 *ip, unsigned int len, bool *bad)
{
	unsigned int off = IPV6_HDR_LEN, i;
	u8 next = ip[6];

	for (i = 0; i <= MMNET_FILTER_MAX_EXTHDRS; i++) {
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (len < off + 2)
				goto bad;
			next = ip[off];
			off += (ip[off + 1] + 1) * 8;
			break;
		case IPPROTO_FRAGMENT:
			if (len < off + IPV6_FRAG_LEN)
				goto bad;
			if (mmnet_get_be16(ip + off + 2) & IPV6_FRAG_OFF_MASK)
				return false;
			next = ip[off];
			off += IPV6_FRAG_LEN;
			break;
		case IPPROTO_ICMPV6:
			if (len < off + 1)
				goto bad;
			return ip[off] >= 133 && ip[off] <= 137;
		default:
			return false;
		}
	}
bad:
	*bad = true;
	return false;
}

static enum mmnet_filter_verdict mmnet_filter_ipv6(const u8 *ip,
						   unsigned int len,
						   const struct mmnet_addrs *peer)
{
	bool bad = false;

	if (len < IPV6_HDR_LEN || ip[0] >> 4 != 6)
		return MMNET_FILTER_FOREIGN;
	if (mmnet_filter_ipv6_is_nd(ip, len, &bad) || bad)
		return MMNET_FILTER_FOREIGN;
	return mmnet_filter_src_ok(peer, ip + offsetof(struct ipv6hdr, saddr),
				   peer->ipv6, peer->nr_ipv6, 16) ?
	       MMNET_FILTER_PASS : MMNET_FILTER_SPOOFED;
}

/**
 * mmnet_filter_rx - may this frame from a peer's channel be delivered?
 * @frame: the frame from its MAC header, in the receiver's own memory
 * @len: bytes of it at @frame: its headers must lie within them
 * @peer: the peer's MAC and addresses, as dom0 (or loop) says; NULL: none
 *	known yet, and nothing is the peer's
 *
 * Return: %MMNET_FILTER_PASS, or why not.
 */
enum mmnet_filter_verdict mmnet_filter_rx(const u8 *frame, unsigned int len,
					  const struct mmnet_addrs *peer)
{
	unsigned int off = ETH_HLEN, i;
	u16 proto;

	if (len < ETH_HLEN)
		return MMNET_FILTER_FOREIGN;
	if (!peer || memcmp(frame + ETH_ALEN, peer->mac, ETH_ALEN))
		return MMNET_FILTER_SPOOFED;
	if (frame[0] & 1)	/* broadcast, multicast */
		return MMNET_FILTER_FOREIGN;
	proto = mmnet_get_be16(frame + 2 * ETH_ALEN);
	for (i = 0; i < 2 && (proto == ETH_P_8021Q || proto == ETH_P_8021AD);
	     i++) {
		if (len < off + VLAN_TAG_LEN)
			return MMNET_FILTER_FOREIGN;
		proto = mmnet_get_be16(frame + off + 2);
		off += VLAN_TAG_LEN;
	}
	if (proto == ETH_P_IP)
		return mmnet_filter_ipv4(frame + off, len - off, peer);
	if (proto == ETH_P_IPV6)
		return mmnet_filter_ipv6(frame + off, len - off, peer);
	return MMNET_FILTER_FOREIGN;
}
