/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state every core file reads: struct mmnet_device, the private area of
 * an mmnet net device.  It sits apart from device.c, which calls down into
 * peer.c and the transports, so that peer.c, send.c and receive.c can read
 * the device without pointing back up at the file that calls them.
 */
#ifndef _MMNET_CORE_H
#define _MMNET_CORE_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include "stats.h"
#include "transport.h"

#define MMNET_PEER_HASH_BITS	6

struct bpf_map;

/**
 * struct mmnet_device - private area of one mmnet net device
 * @dev: the net device this is the private area of
 * @stats: per-cpu counters with a reason (drops), beside dev->tstats
 * @device_list: in the module's list of all mmnet devices (device.c)
 * @peer_list: every peer, whatever its state
 * @peer_hash: peers in service (connected or draining), by MAC: the
 *	transmit path's lookup
 * @peer_work: acts on what peers asked for from contexts that cannot take
 *	RTNL (peer.c)
 * @lower: the NIC this device shortcuts (eth0); NULL while not attached.
 *	Received frames are delivered as if they had arrived on it.
 * @lower_tracker: for the reference on @lower
 * @lower_addrs: @lower's addresses as the transport was last told them
 * @peer_map: the classifier's peer map, which the device fills
 * @transport: the transport that finds the peers, while attached
 * @transport_priv: its per-device state (@transport->priv_size bytes)
 * @enabled: whether the shortcut is on (the peer map is filled)
 * @connected: number of peers in service; the link is dormant without one
 *
 * Locking: RTNL serialises all configuration (attach, peers coming and
 * going, enable) -- the generic netlink commands, the notifiers and the
 * peer work all take it -- since a peer's setup touches two devices and
 * their lower NICs at once.  The data path never takes it: it walks
 * @peer_list and @peer_hash under RCU and dereferences @lower under RCU.
 */
struct mmnet_device {
	struct net_device *dev;
	struct mmnet_stats __percpu *stats;
	struct list_head device_list;
	struct list_head peer_list;
	struct hlist_head peer_hash[1 << MMNET_PEER_HASH_BITS];
	struct work_struct peer_work;
	struct net_device __rcu *lower;
	netdevice_tracker lower_tracker;
	struct mmnet_addrs lower_addrs;
	struct bpf_map *peer_map;
	const struct mmnet_transport *transport;
	void *transport_priv;
	bool enabled;
	unsigned int connected;
};

/*
 * Whether connected peers belong in the peer map.  RTNL.  netif_running(),
 * not IFF_UP: it is set before ndo_open and cleared before ndo_stop.
 */
static inline bool mmnet_device_publishing(const struct mmnet_device *mmnet)
{
	return mmnet->peer_map && mmnet->enabled && netif_running(mmnet->dev);
}

/**
 * mmnet_device_link_update - say whether a peer channel can carry frames
 * @mmnet: the device
 *
 * The carrier stays on and the device is DORMANT (RFC 2863: waiting for an
 * external event) while no channel is connected.  Carrier off would be the
 * wrong tool: the core then parks the queue on the noop qdisc, which drops
 * every frame before mmnet_xmit() sees it and counts it nowhere.  DORMANT
 * clears IFF_RUNNING, so `ip link` prints DORMANT, and IPv6
 * autoconfiguration waits.
 *
 * Context: RTNL.
 */
static inline void mmnet_device_link_update(struct mmnet_device *mmnet)
{
	if (mmnet->connected)
		netif_dormant_off(mmnet->dev);
	else
		netif_dormant_on(mmnet->dev);
}

#endif /* _MMNET_CORE_H */
