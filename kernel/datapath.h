/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data path, as the rest of the core calls it: transmit (send.c) and
 * receive (receive.c), per frame and per peer.  Nothing here takes RTNL.
 */
#ifndef _MMNET_DATAPATH_H
#define _MMNET_DATAPATH_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/timer.h>

struct mmnet_peer;

/* The device's ndo_start_xmit and ndo_features_check (send.c). */
netdev_tx_t mmnet_xmit(struct sk_buff *skb, struct net_device *dev);
netdev_features_t mmnet_features_check(struct sk_buff *skb,
				       struct net_device *dev,
				       netdev_features_t features);

/* A peer's producer side (send.c). */
void mmnet_tx_drain(struct mmnet_peer *peer);
void mmnet_tx_sent_timer(struct timer_list *t);
void mmnet_tx_stall_timer(struct timer_list *t);
bool mmnet_tx_idle(struct mmnet_peer *peer);
unsigned int mmnet_tx_shutdown(struct mmnet_peer *peer);

/* A peer's NAPI poll: receive, and the drain of the backlog (receive.c). */
int mmnet_poll(struct napi_struct *napi, int budget);

#endif /* _MMNET_DATAPATH_H */
