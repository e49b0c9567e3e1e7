/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where an endpoint is reachable, and what it may send from: the one type
 * the transports, the core and the receive filter share.  Types only, so
 * that the filter builds on the host too (selftests/filter).
 */
#ifndef _MMNET_ADDRS_H
#define _MMNET_ADDRS_H

#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/types.h>

/* Addresses per family a peer is known by; more are not kept. */
#define MMNET_PEER_MAX_ADDRS	8

/**
 * struct mmnet_addrs - an endpoint's lower NIC: its MAC and addresses
 * @rcu: for freeing after the receive path's filter is done with it
 * @mac: the MAC
 * @nr_ipv4: used entries of @ipv4
 * @nr_ipv6: used entries of @ipv6
 * @attested: @ipv4 and @ipv6 are all of the endpoint's addresses, as dom0
 *	(a vif's ip= setting) or the kernel itself (loop) knows them: frames
 *	from the peer with another source address are not the peer's.  Unset,
 *	nobody vouches for any address and only the MAC is checked.
 * @pad: zero, so that two lists compare with memcmp()
 * @ipv4: IPv4 addresses
 * @ipv6: IPv6 addresses, link-local ones included
 */
struct mmnet_addrs {
	struct rcu_head rcu;
	u8 mac[ETH_ALEN];
	u8 nr_ipv4;
	u8 nr_ipv6;
	u8 attested;
	u8 pad[3];
	__be32 ipv4[MMNET_PEER_MAX_ADDRS];
	struct in6_addr ipv6[MMNET_PEER_MAX_ADDRS];
};

#endif /* _MMNET_ADDRS_H */
