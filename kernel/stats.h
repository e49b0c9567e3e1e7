/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_STATS_H
#define _MMNET_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>

/*
 * Counters that rtnl_link_stats64 cannot tell apart, chiefly why a frame was
 * dropped.  Packets and bytes stay in dev->tstats, where the core expects them.
 * The device keeps one set now and each peer will keep its own set of the same
 * shape, so ethtool -S and the generic netlink family name them all from the
 * one table in stats.c.  Add a counter by adding an enumerator and its entry
 * there; nothing else needs to change.
 */
enum mmnet_stat {
	MMNET_STAT_TX_DROPPED_NO_PEER,
	MMNET_STAT_NUM
};

struct mmnet_stats {
	u64_stats_t cnt[MMNET_STAT_NUM];
	struct u64_stats_sync syncp;
};

/*
 * Callers run with bottom halves disabled (transmit, and later NAPI), so this
 * CPU's copy cannot be written concurrently.
 */
static inline void mmnet_stats_inc(struct mmnet_stats __percpu *stats,
				   enum mmnet_stat stat)
{
	struct mmnet_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->cnt[stat]);
	u64_stats_update_end(&s->syncp);
}

const char *mmnet_stat_name(enum mmnet_stat stat);
void mmnet_stats_fold(struct mmnet_stats __percpu *stats,
		      u64 vals[MMNET_STAT_NUM]);
u64 mmnet_stats_tx_dropped(const u64 vals[MMNET_STAT_NUM]);

#endif /* _MMNET_STATS_H */
