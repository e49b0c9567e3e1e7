/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_DEVICE_H
#define _MMNET_DEVICE_H

#include <linux/ethtool.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>

#include "stats.h"

#define MMNET_PEER_HASH_BITS	6

struct bpf_map;
struct mmnet_loop_end;
struct netlink_ext_ack;

/**
 * struct mmnet_device - private area of one mmnet net device
 * @dev: the net device this is the private area of
 * @stats: per-cpu counters with a reason (drops), beside dev->tstats
 * @device_list: in the module's list of all mmnet devices, for work that
 *	spans them (peer removal, the loop transport)
 * @peer_list: every peer, whatever its state
 * @peer_hash: peers in service (connected or draining), by MAC: the
 *	transmit path's lookup
 * @lower: the NIC this device shortcuts (eth0); NULL while not attached.
 *	Received frames are delivered as if they had arrived on it.
 * @lower_tracker: for the reference on @lower
 * @peer_map: the classifier's peer map, which the device fills
 * @loop: the device's place among the loop transport's endpoints
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
	struct net_device __rcu *lower;
	netdevice_tracker lower_tracker;
	struct bpf_map *peer_map;
	struct mmnet_loop_end *loop;
	bool enabled;
	unsigned int connected;
};

extern const struct ethtool_ops mmnet_ethtool_ops;
extern struct list_head mmnet_device_list;

#define mmnet_for_each_device(mmnet) \
	list_for_each_entry(mmnet, &mmnet_device_list, device_list)

int mmnet_device_init(void);
void mmnet_device_uninit(void);

struct mmnet_device *mmnet_device_get(struct net_device *dev);
bool mmnet_device_publishing(const struct mmnet_device *mmnet);
void mmnet_device_link_update(struct mmnet_device *mmnet);
int mmnet_device_attach(struct mmnet_device *mmnet, struct net_device *lower,
			struct bpf_map *map, struct netlink_ext_ack *extack);
int mmnet_device_detach(struct mmnet_device *mmnet);
void mmnet_device_set_enabled(struct mmnet_device *mmnet, bool enabled);

/* The device's counters, as ethtool -S and generic netlink name them. */
unsigned int mmnet_device_stats_count(void);
const char *mmnet_device_stat_name(unsigned int i);
void mmnet_device_stats_read(struct mmnet_device *mmnet, u64 *vals);

/* Frames in and out: send.c and receive.c. */
netdev_tx_t mmnet_xmit(struct sk_buff *skb, struct net_device *dev);
netdev_features_t mmnet_features_check(struct sk_buff *skb,
				       struct net_device *dev,
				       netdev_features_t features);

#endif /* _MMNET_DEVICE_H */
