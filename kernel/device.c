// SPDX-License-Identifier: GPL-2.0

#include "device.h"

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/rtnetlink.h>

/*
 * There is no hardware: a frame is copied from one VM's memory to another's
 * and never crosses a wire, so nothing needs a checksum computed or a
 * super-frame cut to the MTU on the way.  Taking partial checksums (HW_CSUM)
 * and GSO frames as they are lets a 64 KiB TCP burst cross as one frame, and
 * SG and HIGHDMA let the stack hand over fragmented, high-memory skbs without
 * linearising them.  Where a transport does need a flat frame or a checksum it
 * does the software work itself, once, at the copy.
 */
#define MMNET_FEATURES	(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA | \
			 NETIF_F_GSO_SOFTWARE)

static const struct device_type mmnet_device_type = { .name = KBUILD_MODNAME };

static int mmnet_init(struct net_device *dev)
{
	struct mmnet_device *mmnet = netdev_priv(dev);

	mmnet->stats = netdev_alloc_pcpu_stats(struct mmnet_stats);
	if (!mmnet->stats)
		return -ENOMEM;
	mutex_init(&mmnet->update_lock);
	INIT_LIST_HEAD(&mmnet->peer_list);
	return 0;
}

/*
 * Runs after the last reference to the device is gone, or when registration
 * fails after mmnet_init() succeeded: no reader of @stats is left, which is
 * why this is not ndo_uninit.  The core frees dev->tstats at the same point.
 */
static void mmnet_destruct(struct net_device *dev)
{
	struct mmnet_device *mmnet = netdev_priv(dev);

	WARN_ON(!list_empty(&mmnet->peer_list));
	mutex_destroy(&mmnet->update_lock);
	free_percpu(mmnet->stats);
}

static void mmnet_xmit_drop(struct mmnet_device *mmnet, struct sk_buff *skb,
			    enum mmnet_stat why)
{
	mmnet_stats_inc(mmnet->stats, why);
	kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
}

static netdev_tx_t mmnet_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct mmnet_device *mmnet = netdev_priv(dev);

	/*
	 * No peer exists yet, so no channel can carry the frame.  Drop it, but
	 * under a reason counter: a frame that vanishes uncounted would make a
	 * broken shortcut look like packet loss on the normal path.
	 */
	mmnet_xmit_drop(mmnet, skb, MMNET_STAT_TX_DROPPED_NO_PEER);
	return NETDEV_TX_OK;
}

static void mmnet_get_stats64(struct net_device *dev,
			      struct rtnl_link_stats64 *s)
{
	struct mmnet_device *mmnet = netdev_priv(dev);
	u64 vals[MMNET_STAT_NUM];

	dev_get_tstats64(dev, s);
	mmnet_stats_fold(mmnet->stats, vals);
	s->tx_dropped += mmnet_stats_tx_dropped(vals);
}

static const struct net_device_ops mmnet_netdev_ops = {
	.ndo_init		= mmnet_init,
	.ndo_start_xmit		= mmnet_xmit,
	.ndo_get_stats64	= mmnet_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void mmnet_setup(struct net_device *dev)
{
	struct mmnet_device *mmnet = netdev_priv(dev);

	ether_setup(dev);
	dev->netdev_ops = &mmnet_netdev_ops;
	dev->ethtool_ops = &mmnet_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = mmnet_destruct;
	/* The core allocates dev->tstats for the packet and byte counters. */
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;

	/*
	 * No qdisc: a frame is either copied into a peer's ring at once or
	 * dropped under a reason counter, so a queue in front of the copy
	 * would only add latency.  It follows that transmit must never stop
	 * the queue nor return NETDEV_TX_BUSY.
	 */
	dev->priv_flags |= IFF_NO_QUEUE;
	/* A transport may hand the skb itself to the peer, which changes it. */
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	/*
	 * LLTX: the core takes no transmit lock, which would serialise every
	 * CPU on the one queue even for different peers.  Whatever must be
	 * serialised (a channel's producer side) takes its own lock.
	 */
	dev->features |= NETIF_F_LLTX | MMNET_FEATURES;
	dev->hw_features |= MMNET_FEATURES;
	dev->hw_enc_features |= MMNET_FEATURES;

	/* Frames are copied, not put on a wire, so any Ethernet MTU works. */
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;

	eth_hw_addr_random(dev);
	SET_NETDEV_DEVTYPE(dev, &mmnet_device_type);

	mmnet->dev = dev;
}

static int mmnet_validate(struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG(extack, "Invalid hardware address length");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG(extack, "Invalid hardware address");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

/*
 * The link state tells whether a peer channel can carry frames.  The carrier
 * stays on and the device is DORMANT (RFC 2863: waiting for an external event)
 * until a channel connects.  Carrier off would be the wrong tool: the core
 * then parks the queue on the noop qdisc, which drops every frame before
 * mmnet_xmit() sees it and counts it nowhere.  DORMANT clears IFF_RUNNING, so
 * `ip link` still prints NO-CARRIER and DORMANT and reports state DORMANT, and
 * IPv6 autoconfiguration waits.  There are no peers yet, hence no channel.
 */
static void mmnet_link_update(struct mmnet_device *mmnet)
{
	netif_dormant_on(mmnet->dev);
}

static int mmnet_newlink(struct net *src_net, struct net_device *dev,
			 struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	int ret;

	ret = register_netdevice(dev);
	if (ret)
		return ret;

	/* Only now: a link event must not hold an unregistered device. */
	mmnet_link_update(netdev_priv(dev));
	return 0;
}

static struct rtnl_link_ops mmnet_link_ops __read_mostly = {
	.kind		= KBUILD_MODNAME,
	.priv_size	= sizeof(struct mmnet_device),
	.setup		= mmnet_setup,
	.validate	= mmnet_validate,
	.newlink	= mmnet_newlink,
};

int __init mmnet_device_init(void)
{
	return rtnl_link_register(&mmnet_link_ops);
}

/* Unregisters every mmnet device in every namespace, up or not. */
void mmnet_device_uninit(void)
{
	rtnl_link_unregister(&mmnet_link_ops);
}
