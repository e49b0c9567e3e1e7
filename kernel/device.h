/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_DEVICE_H
#define _MMNET_DEVICE_H

#include <linux/ethtool.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>

#include "stats.h"

/**
 * struct mmnet_device - private area of one mmnet net device
 * @dev: the net device this is the private area of
 * @stats: per-cpu counters with a reason (drops), beside dev->tstats
 * @update_lock: serialises configuration of the device: adding and removing
 *	peers, attaching a transport.  Taken in process context only (generic
 *	netlink, rtnl callbacks), never in the data path.
 * @peer_list: the device's peers; empty until peers exist.  Changed under
 *	@update_lock and walked under RCU by the data path, so a peer is freed
 *	only after a grace period and its last reference.
 */
struct mmnet_device {
	struct net_device *dev;
	struct mmnet_stats __percpu *stats;
	struct mutex update_lock; /* configuration only, never data path */
	struct list_head peer_list;
};

extern const struct ethtool_ops mmnet_ethtool_ops;

int mmnet_device_init(void);
void mmnet_device_uninit(void);

#endif /* _MMNET_DEVICE_H */
