/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_ETHTOOL_H
#define _MMNET_ETHTOOL_H

#include <linux/ethtool.h>
#include <linux/types.h>

struct mmnet_device;

extern const struct ethtool_ops mmnet_ethtool_ops;

/* The device's counters, as ethtool -S and generic netlink name them. */
unsigned int mmnet_device_stats_count(void);
const char *mmnet_device_stat_name(unsigned int i);
void mmnet_device_stats_read(struct mmnet_device *mmnet, u64 *vals);

#endif /* _MMNET_ETHTOOL_H */
