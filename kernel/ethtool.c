// SPDX-License-Identifier: GPL-2.0

#include "device.h"
#include "version.h"

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/stddef.h>
#include <linux/string.h>

/*
 * ethtool -S starts with the standard counters, the same numbers `ip -s link`
 * shows, so one command tells the whole story; the reasons follow.  Per-peer
 * counters do not belong here: the set of strings must not change between
 * ETHTOOL_GSSET_INFO and ETHTOOL_GSTATS, and peers come and go.  They are
 * reported per peer through generic netlink instead.
 */
static const struct {
	char name[ETH_GSTRING_LEN];
	size_t offset;
} mmnet_link_stats[] = {
	{ "rx_packets",	offsetof(struct rtnl_link_stats64, rx_packets) },
	{ "rx_bytes",	offsetof(struct rtnl_link_stats64, rx_bytes) },
	{ "rx_dropped",	offsetof(struct rtnl_link_stats64, rx_dropped) },
	{ "tx_packets",	offsetof(struct rtnl_link_stats64, tx_packets) },
	{ "tx_bytes",	offsetof(struct rtnl_link_stats64, tx_bytes) },
	{ "tx_dropped",	offsetof(struct rtnl_link_stats64, tx_dropped) },
};

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

static int mmnet_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return ARRAY_SIZE(mmnet_link_stats) + MMNET_STAT_NUM;
}

static void mmnet_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(mmnet_link_stats); i++)
		ethtool_sprintf(&buf, "%s", mmnet_link_stats[i].name);
	for (i = 0; i < MMNET_STAT_NUM; i++)
		ethtool_sprintf(&buf, "%s", mmnet_stat_name(i));
}

static void mmnet_get_ethtool_stats(struct net_device *dev,
				    struct ethtool_stats *estats, u64 *data)
{
	struct mmnet_device *mmnet = netdev_priv(dev);
	struct rtnl_link_stats64 link;
	int i;

	dev_get_stats(dev, &link);
	for (i = 0; i < ARRAY_SIZE(mmnet_link_stats); i++)
		*data++ = *(u64 *)((u8 *)&link + mmnet_link_stats[i].offset);
	mmnet_stats_fold(mmnet->stats, data);
}

const struct ethtool_ops mmnet_ethtool_ops = {
	.get_drvinfo		= mmnet_get_drvinfo,
	.get_link		= mmnet_get_link,
	.get_sset_count		= mmnet_get_sset_count,
	.get_strings		= mmnet_get_strings,
	.get_ethtool_stats	= mmnet_get_ethtool_stats,
	.get_ts_info		= ethtool_op_get_ts_info,
};
