// SPDX-License-Identifier: GPL-2.0

#include "core.h"
#include "ethtool.h"
#include "peer.h"
#include "version.h"

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/stddef.h>
#include <linux/string.h>

/*
 * ethtool -S starts with the standard counters, the same numbers `ip -s link`
 * shows, so one command tells the whole story; the device's reasons follow,
 * then each peer's counters as peer<ID>_<name>.  The generic netlink family
 * reports the same names (without the prefix for a peer's).
 *
 * Peers come and go, and the set of strings must not change between
 * ETHTOOL_GSSET_INFO and ETHTOOL_GSTATS: peers are added and removed under
 * RTNL, which ethtool holds across each request, so one request is always
 * consistent; across the separate requests ethtool(8) makes, a peer that
 * came or went in between makes it report a count mismatch, once.
 */
static const struct {
	char name[ETH_GSTRING_LEN];
	size_t offset;
} mmnet_link_stats[] = {
	{ "rx_packets",	offsetof(struct rtnl_link_stats64, rx_packets) },
	{ "rx_bytes",	offsetof(struct rtnl_link_stats64, rx_bytes) },
	{ "rx_dropped",	offsetof(struct rtnl_link_stats64, rx_dropped) },
	{ "rx_errors",	offsetof(struct rtnl_link_stats64, rx_errors) },
	{ "tx_packets",	offsetof(struct rtnl_link_stats64, tx_packets) },
	{ "tx_bytes",	offsetof(struct rtnl_link_stats64, tx_bytes) },
	{ "tx_dropped",	offsetof(struct rtnl_link_stats64, tx_dropped) },
};

/* The device's own counters: the standard ones, then the reasons. */
unsigned int mmnet_device_stats_count(void)
{
	return ARRAY_SIZE(mmnet_link_stats) + MMNET_STAT_NUM;
}

const char *mmnet_device_stat_name(unsigned int i)
{
	if (i < ARRAY_SIZE(mmnet_link_stats))
		return mmnet_link_stats[i].name;
	return mmnet_stat_name(i - ARRAY_SIZE(mmnet_link_stats));
}

void mmnet_device_stats_read(struct mmnet_device *mmnet, u64 *vals)
{
	struct rtnl_link_stats64 link;
	int i;

	dev_get_stats(mmnet->dev, &link);
	for (i = 0; i < ARRAY_SIZE(mmnet_link_stats); i++)
		*vals++ = *(u64 *)((u8 *)&link + mmnet_link_stats[i].offset);
	mmnet_stats_fold(mmnet->stats, vals);
}

static void mmnet_get_drvinfo(struct net_device *dev,
			      struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, MMNET_VERSION, sizeof(info->version));
}

/* The link is up only while a peer channel can carry frames. */
static u32 mmnet_get_link(struct net_device *dev)
{
	return netif_carrier_ok(dev) && !netif_dormant(dev);
}

static unsigned int mmnet_nr_peers(struct mmnet_device *mmnet)
{
	struct mmnet_peer *peer;
	unsigned int n = 0;

	ASSERT_RTNL();
	list_for_each_entry(peer, &mmnet->peer_list, list)
		n++;
	return n;
}

static int mmnet_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return mmnet_device_stats_count() +
	       mmnet_nr_peers(netdev_priv(dev)) * mmnet_peer_stats_count();
}

static void mmnet_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	struct mmnet_device *mmnet = netdev_priv(dev);
	struct mmnet_peer *peer;
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < mmnet_device_stats_count(); i++)
		ethtool_sprintf(&buf, "%s", mmnet_device_stat_name(i));
	list_for_each_entry(peer, &mmnet->peer_list, list)
		for (i = 0; i < mmnet_peer_stats_count(); i++)
			ethtool_sprintf(&buf, "peer%u_%s", peer->id,
					mmnet_peer_stat_name(i));
}

static void mmnet_get_ethtool_stats(struct net_device *dev,
				    struct ethtool_stats *estats, u64 *data)
{
	struct mmnet_device *mmnet = netdev_priv(dev);
	struct mmnet_peer *peer;

	mmnet_device_stats_read(mmnet, data);
	data += mmnet_device_stats_count();
	list_for_each_entry(peer, &mmnet->peer_list, list) {
		mmnet_peer_stats_read(peer, data);
		data += mmnet_peer_stats_count();
	}
}

const struct ethtool_ops mmnet_ethtool_ops = {
	.get_drvinfo		= mmnet_get_drvinfo,
	.get_link		= mmnet_get_link,
	.get_sset_count		= mmnet_get_sset_count,
	.get_strings		= mmnet_get_strings,
	.get_ethtool_stats	= mmnet_get_ethtool_stats,
	.get_ts_info		= ethtool_op_get_ts_info,
};
