// SPDX-License-Identifier: GPL-2.0

#include "stats.h"

#include <linux/cpumask.h>
#include <linux/ethtool.h>
#include <linux/string.h>

/* The counter is one reason a frame handed to mmnet_xmit() was dropped. */
#define MMNET_STAT_F_TX_DROP	BIT(0)

struct mmnet_stat_desc {
	char name[ETH_GSTRING_LEN];
	unsigned int flags;
};

static const struct mmnet_stat_desc mmnet_stat_descs[MMNET_STAT_NUM] = {
	[MMNET_STAT_TX_DROPPED_NO_PEER] = {
		.name	= "tx_dropped_no_peer",
		.flags	= MMNET_STAT_F_TX_DROP,
	},
};

const char *mmnet_stat_name(enum mmnet_stat stat)
{
	return mmnet_stat_descs[stat].name;
}

/* Sum the per-cpu copies; each copy is read consistently against its writer. */
void mmnet_stats_fold(struct mmnet_stats __percpu *stats,
		      u64 vals[MMNET_STAT_NUM])
{
	u64 cpu_vals[MMNET_STAT_NUM];
	unsigned int start;
	int cpu, i;

	memset(vals, 0, sizeof(u64) * MMNET_STAT_NUM);
	for_each_possible_cpu(cpu) {
		const struct mmnet_stats *s = per_cpu_ptr(stats, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < MMNET_STAT_NUM; i++)
				cpu_vals[i] = u64_stats_read(&s->cnt[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		for (i = 0; i < MMNET_STAT_NUM; i++)
			vals[i] += cpu_vals[i];
	}
}

/*
 * tx_dropped as userspace sees it is the sum of the reasons, so `ip -s link`
 * and ethtool -S can never disagree.
 */
u64 mmnet_stats_tx_dropped(const u64 vals[MMNET_STAT_NUM])
{
	u64 sum = 0;
	int i;

	for (i = 0; i < MMNET_STAT_NUM; i++)
		if (mmnet_stat_descs[i].flags & MMNET_STAT_F_TX_DROP)
			sum += vals[i];
	return sum;
}
