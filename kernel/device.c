// SPDX-License-Identifier: GPL-2.0

#include "device.h"
#include "datapath.h"
#include "ethtool.h"
#include "peer.h"
#include "peermap.h"

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/rtnetlink.h>

/*
 * There is no hardware: a frame is copied from one VM's memory to another's
 * and never crosses a wire, so nothing needs a checksum computed or a
 * super-frame cut to the MTU on the way.  Taking partial checksums (HW_CSUM)
 * and GSO frames as they are lets a 64 KiB TCP burst cross as one frame, and
 * SG and HIGHDMA let the stack hand over fragmented, high-memory skbs without
 * linearising them.  Where a peer does not accept an offload, or the channel
 * cannot carry a GSO type, mmnet_features_check() has the core do the
 * software work first, once.
 */
#define MMNET_FEATURES	(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA | \
			 NETIF_F_GSO_SOFTWARE)

/* A peer that keeps a qdisc'ed queue stopped this long is torn down. */
#define MMNET_TX_TIMEOUT	(5 * HZ)

static const struct device_type mmnet_device_type = { .name = KBUILD_MODNAME };

/* Every mmnet device, in all namespaces; RTNL. */
static LIST_HEAD(mmnet_device_list);

#define mmnet_for_each_device(mmnet) \
	list_for_each_entry(mmnet, &mmnet_device_list, device_list)

static struct rtnl_link_ops mmnet_link_ops;

/* Under RTNL, from register_netdevice(). */
static int mmnet_init(struct net_device *dev)
{
	struct mmnet_device *mmnet = netdev_priv(dev);

	mmnet->stats = netdev_alloc_pcpu_stats(struct mmnet_stats);
	if (!mmnet->stats)
		return -ENOMEM;
	mmnet_peers_init(mmnet);
	mmnet->enabled = true;
	list_add_tail(&mmnet->device_list, &mmnet_device_list);
	return 0;
}

/*
 * Under RTNL, when the device is unregistered (the NETDEV_UNREGISTER
 * notifier has detached it already) or its registration failed.
 */
static void mmnet_uninit(struct net_device *dev)
{
	struct mmnet_device *mmnet = netdev_priv(dev);

	mmnet_device_detach(mmnet);
	list_del(&mmnet->device_list);
}

/*
 * Runs after the last reference to the device is gone, or when registration
 * fails after mmnet_init() succeeded: no reader of @stats is left, which is
 * why this is not ndo_uninit.  The core frees dev->tstats at the same point.
 * The first case runs without RTNL, which the peer work takes; in the second
 * no peer ever existed to queue the work.
 */
static void mmnet_destruct(struct net_device *dev)
{
	struct mmnet_device *mmnet = netdev_priv(dev);

	WARN_ON(!list_empty(&mmnet->peer_list));
	cancel_work_sync(&mmnet->peer_work);
	free_percpu(mmnet->stats);
}

/**
 * mmnet_device_get - the mmnet private area of a net device
 * @dev: any net device
 *
 * Return: the mmnet device, or NULL if @dev is not one.
 */
struct mmnet_device *mmnet_device_get(struct net_device *dev)
{
	return dev->rtnl_link_ops == &mmnet_link_ops ? netdev_priv(dev) : NULL;
}

/* Publish or withdraw every peer after the conditions above changed. */
static void mmnet_device_republish(struct mmnet_device *mmnet)
{
	bool publish = mmnet_device_publishing(mmnet);
	struct mmnet_peer *peer;

	list_for_each_entry(peer, &mmnet->peer_list, list) {
		if (publish)
			mmnet_peer_publish(peer);
		else
			mmnet_peer_unpublish(peer);
	}
}

/* Swap peer maps: the old one is emptied of our entries, the new one filled. */
static void mmnet_device_set_map(struct mmnet_device *mmnet,
				 struct bpf_map *map)
{
	struct mmnet_peer *peer;

	list_for_each_entry(peer, &mmnet->peer_list, list)
		mmnet_peer_unpublish(peer);
	if (mmnet->peer_map)
		mmnet_peermap_put(mmnet->peer_map);
	mmnet->peer_map = map;
	mmnet_device_republish(mmnet);
}

/* Whether another mmnet device already shortcuts @lower. */
static bool mmnet_lower_taken(const struct net_device *lower)
{
	struct mmnet_device *mmnet;

	mmnet_for_each_device(mmnet)
		if (rcu_access_pointer(mmnet->lower) == lower)
			return true;
	return false;
}

/* Context: RTNL.  The addresses of @lower, as a peer is reachable at them. */
static void mmnet_lower_addrs(struct net_device *lower, struct mmnet_addrs *a)
{
	struct in_device *in_dev = __in_dev_get_rtnl(lower);
	struct inet6_dev *idev = __in6_dev_get(lower);
	const struct in_ifaddr *ifa;
	struct inet6_ifaddr *ifp;

	memset(a, 0, sizeof(*a));
	ether_addr_copy(a->mac, lower->dev_addr);
	a->attested = true;	/* the kernel knows them all */
	if (in_dev)
		in_dev_for_each_ifa_rtnl(ifa, in_dev)
			if (a->nr_ipv4 < MMNET_PEER_MAX_ADDRS)
				a->ipv4[a->nr_ipv4++] = ifa->ifa_local;
	if (!idev)
		return;
	read_lock_bh(&idev->lock);
	list_for_each_entry(ifp, &idev->addr_list, if_list)
		if (a->nr_ipv6 < MMNET_PEER_MAX_ADDRS)
			a->ipv6[a->nr_ipv6++] = ifp->addr;
	read_unlock_bh(&idev->lock);
}

/* The first transport of the table that can find peers in this kernel. */
static const struct mmnet_transport *mmnet_transport_pick(void)
{
	unsigned int i;

	for (i = 0; mmnet_transports[i]; i++)
		if (mmnet_transports[i]->available())
			return mmnet_transports[i];
	return NULL;
}

/*
 * After the transport left or failed to join: the peers it may have left
 * behind go, and so does its state.
 */
static void mmnet_device_leave(struct mmnet_device *mmnet)
{
	mmnet_peers_remove_all(mmnet);
	kfree(mmnet->transport_priv);
	mmnet->transport_priv = NULL;
	mmnet->transport = NULL;
}

/* Hand the attached device to a transport, which finds its peers. */
static int mmnet_device_join(struct mmnet_device *mmnet,
			     struct netlink_ext_ack *extack)
{
	const struct mmnet_transport *t = mmnet_transport_pick();
	int ret;

	if (!t) {
		NL_SET_ERR_MSG(extack, "No mmnet transport works in this kernel");
		return -EOPNOTSUPP;
	}
	if (t->priv_size) {
		mmnet->transport_priv = kzalloc(t->priv_size, GFP_KERNEL);
		if (!mmnet->transport_priv)
			return -ENOMEM;
	}
	mmnet_lower_addrs(rtnl_dereference(mmnet->lower), &mmnet->lower_addrs);
	mmnet->transport = t;
	ret = t->join(mmnet, mmnet->transport_priv, &mmnet->lower_addrs,
		      extack);
	if (ret)
		mmnet_device_leave(mmnet);
	return ret;
}

/**
 * mmnet_device_attach - shortcut @lower's traffic through this device
 * @mmnet: the device
 * @lower: the lower NIC, in the same namespace
 * @map: the classifier's peer map; the device owns this reference on
 *	success
 * @extack: for errors
 *
 * Attaching again to the same lower NIC only hands over a new map, which
 * gets every entry replayed.
 *
 * Context: RTNL.
 * Return: 0 or a negative errno.
 */
int mmnet_device_attach(struct mmnet_device *mmnet, struct net_device *lower,
			struct bpf_map *map, struct netlink_ext_ack *extack)
{
	struct net_device *cur = rtnl_dereference(mmnet->lower);
	int ret;

	ASSERT_RTNL();
	if (cur && cur != lower) {
		NL_SET_ERR_MSG(extack,
			       "Device is attached to another lower device; detach it first");
		return -EBUSY;
	}
	if (!cur && mmnet_lower_taken(lower)) {
		NL_SET_ERR_MSG(extack, "Lower device is attached to another mmnet device");
		return -EBUSY;
	}
	mmnet_device_set_map(mmnet, map);
	if (cur)
		return 0;
	netdev_hold(lower, &mmnet->lower_tracker, GFP_KERNEL);
	rcu_assign_pointer(mmnet->lower, lower);
	ret = mmnet_device_join(mmnet, extack);
	if (ret) {
		/* The caller keeps its map reference on failure. */
		mmnet->peer_map = NULL;
		RCU_INIT_POINTER(mmnet->lower, NULL);
		netdev_put(lower, &mmnet->lower_tracker);
	}
	return ret;
}

/**
 * mmnet_device_detach - forget the lower NIC and the map
 * @mmnet: the device
 *
 * The peers leave the map at once, so traffic takes the normal path; what
 * they already hold is delivered within a bounded time; then they go.
 *
 * Context: RTNL.
 * Return: 0, or -ENOTCONN if the device was not attached.
 */
int mmnet_device_detach(struct mmnet_device *mmnet)
{
	struct net_device *lower = rtnl_dereference(mmnet->lower);

	ASSERT_RTNL();
	if (!lower)
		return -ENOTCONN;
	mmnet->transport->leave(mmnet, mmnet->transport_priv);
	mmnet_device_leave(mmnet);
	mmnet_device_set_map(mmnet, NULL);
	RCU_INIT_POINTER(mmnet->lower, NULL);
	/* NAPI is gone with the peers; this covers any other reader. */
	synchronize_net();
	netdev_put(lower, &mmnet->lower_tracker);
	return 0;
}

/* Context: RTNL.  Off empties the peer map; on replays it. */
void mmnet_device_set_enabled(struct mmnet_device *mmnet, bool enabled)
{
	ASSERT_RTNL();
	mmnet->enabled = enabled;
	mmnet_device_republish(mmnet);
}

/* Redirecting to a device that is down drops: publish only while up. */
static int mmnet_open(struct net_device *dev)
{
	mmnet_device_republish(netdev_priv(dev));
	return 0;
}

static int mmnet_stop(struct net_device *dev)
{
	mmnet_device_republish(netdev_priv(dev));
	return 0;
}

static void mmnet_get_stats64(struct net_device *dev,
			      struct rtnl_link_stats64 *s)
{
	struct mmnet_device *mmnet = netdev_priv(dev);
	u64 vals[MMNET_STAT_NUM];

	dev_get_tstats64(dev, s);
	mmnet_stats_fold(mmnet->stats, vals);
	s->tx_dropped += mmnet_stats_tx_dropped(vals);
	s->rx_dropped += mmnet_stats_rx_dropped(vals);
	s->rx_errors += mmnet_stats_rx_errors(vals);
}

/*
 * Only with a qdisc attached does a peer stop the queue (send.c); one that
 * then stops consuming would hold back every other peer.  The watchdog
 * catches it: tear that channel down, which wakes the queue.
 */
static void mmnet_tx_timeout(struct net_device *dev, unsigned int txqueue)
{
	struct mmnet_device *mmnet = netdev_priv(dev);
	struct mmnet_peer *peer;

	rcu_read_lock();
	list_for_each_entry_rcu(peer, &mmnet->peer_list, list) {
		if (!READ_ONCE(peer->queue_stopped))
			continue;
		netdev_warn(dev, "peer %u consumes nothing, closing its channel\n",
			    peer->id);
		mmnet_peer_schedule_removal(peer);
	}
	rcu_read_unlock();
}

static const struct net_device_ops mmnet_netdev_ops = {
	.ndo_init		= mmnet_init,
	.ndo_uninit		= mmnet_uninit,
	.ndo_open		= mmnet_open,
	.ndo_stop		= mmnet_stop,
	.ndo_start_xmit		= mmnet_xmit,
	.ndo_features_check	= mmnet_features_check,
	.ndo_get_stats64	= mmnet_get_stats64,
	.ndo_tx_timeout		= mmnet_tx_timeout,
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
	 * No qdisc by default: with a stopped queue the core would drop every
	 * frame ("Virtual device asks to queue packet").  A full ring is
	 * absorbed by each peer's bounded backlog instead (send.c); a qdisc
	 * the user attaches is used as the queue.
	 */
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->watchdog_timeo = MMNET_TX_TIMEOUT;
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
	/* Tagged frames keep their offloads: a VLAN costs the shortcut nothing. */
	dev->vlan_features |= MMNET_FEATURES;
	/*
	 * "Hardware" VLAN insertion: the copy into the ring writes the tag
	 * (send.c), which spares the core a move of the MAC header first.
	 */
	dev->features |= NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_STAG_TX;
	dev->hw_features |= NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_STAG_TX;

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

static int mmnet_newlink(struct net *src_net, struct net_device *dev,
			 struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	int ret;

	ret = register_netdevice(dev);
	if (ret)
		return ret;

	/* Only now: a link event must not hold an unregistered device. */
	mmnet_device_link_update(netdev_priv(dev));
	return 0;
}

static struct rtnl_link_ops mmnet_link_ops __read_mostly = {
	.kind		= KBUILD_MODNAME,
	.priv_size	= sizeof(struct mmnet_device),
	.setup		= mmnet_setup,
	.validate	= mmnet_validate,
	.newlink	= mmnet_newlink,
};

/* ---- following the lower NICs ---- */

/* Tell each attached device's transport what changed of its lower NIC. */
static void mmnet_lower_work_fn(struct work_struct *work)
{
	const size_t off = offsetof(struct mmnet_addrs, mac);
	struct mmnet_device *mmnet;
	struct mmnet_addrs a;

	rtnl_lock();
	mmnet_for_each_device(mmnet) {
		if (!mmnet->transport)
			continue;
		mmnet_lower_addrs(rtnl_dereference(mmnet->lower), &a);
		if (!memcmp((u8 *)&a + off, (u8 *)&mmnet->lower_addrs + off,
			    sizeof(a) - off))
			continue;
		mmnet->lower_addrs = a;
		if (mmnet->transport->addrs_changed)
			mmnet->transport->addrs_changed(mmnet,
							mmnet->transport_priv,
							&mmnet->lower_addrs);
	}
	rtnl_unlock();
}

static DECLARE_WORK(mmnet_lower_work, mmnet_lower_work_fn);

/*
 * An address changed somewhere.  Cheap to look at every device again, and
 * the IPv6 chain is atomic, so the work does it, and only a real change of
 * an attached lower NIC reaches a transport.
 */
static int mmnet_addr_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	schedule_work(&mmnet_lower_work);
	return NOTIFY_DONE;
}

/*
 * An mmnet device, or the lower NIC of one, goes away (unregistered, or
 * moved to another namespace, which unregisters it here): detach.  A lower
 * NIC's MAC changes: the transport hears of it as of its IP addresses.
 */
static int mmnet_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct mmnet_device *mmnet;

	if (event == NETDEV_CHANGEADDR)
		return mmnet_addr_event(nb, event, ptr);
	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	mmnet_for_each_device(mmnet)
		if (mmnet->dev == dev || rtnl_dereference(mmnet->lower) == dev)
			mmnet_device_detach(mmnet);
	return NOTIFY_DONE;
}

static struct notifier_block mmnet_netdev_nb = {
	.notifier_call = mmnet_netdev_event,
};

static struct notifier_block mmnet_inet_nb = {
	.notifier_call = mmnet_addr_event,
};

static struct notifier_block mmnet_inet6_nb = {
	.notifier_call = mmnet_addr_event,
};

int __init mmnet_device_init(void)
{
	int ret;

	ret = register_netdevice_notifier(&mmnet_netdev_nb);
	if (ret)
		goto err_netdev;
	ret = register_inetaddr_notifier(&mmnet_inet_nb);
	if (ret)
		goto err_inet;
	ret = register_inet6addr_notifier(&mmnet_inet6_nb);
	if (ret)
		goto err_inet6;
	ret = rtnl_link_register(&mmnet_link_ops);
	if (ret)
		goto err_link;
	return 0;

err_link:
	unregister_inet6addr_notifier(&mmnet_inet6_nb);
err_inet6:
	unregister_inetaddr_notifier(&mmnet_inet_nb);
err_inet:
	unregister_netdevice_notifier(&mmnet_netdev_nb);
	/* An address may have changed meanwhile. */
	cancel_work_sync(&mmnet_lower_work);
err_netdev:
	return ret;
}

/* Unregisters every mmnet device in every namespace, up or not. */
void mmnet_device_uninit(void)
{
	rtnl_link_unregister(&mmnet_link_ops);
	unregister_inet6addr_notifier(&mmnet_inet6_nb);
	unregister_inetaddr_notifier(&mmnet_inet_nb);
	unregister_netdevice_notifier(&mmnet_netdev_nb);
	cancel_work_sync(&mmnet_lower_work);
}
