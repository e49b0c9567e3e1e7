/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_STATS_H
#define _MMNET_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>

/*
 * Counters that rtnl_link_stats64 cannot tell apart, chiefly why a frame was
 * dropped.  Packets and bytes stay in dev->tstats, where the core expects them.
 * The device keeps one set and each peer its own set of the same shape, so
 * ethtool -S and the generic netlink family name them all from the one table
 * in stats.c.  Add a counter by adding an enumerator and its entry there;
 * nothing else needs to change.
 */
enum mmnet_stat {
	MMNET_STAT_TX_DROPPED_NO_PEER,
	MMNET_STAT_TX_DROPPED_FULL,
	MMNET_STAT_TX_DROPPED_CLOSED,
	MMNET_STAT_TX_DROPPED_INVALID,
	MMNET_STAT_TX_BACKLOGGED,
	MMNET_STAT_RX_ERRORS_RING,
	MMNET_STAT_RX_ERRORS_FRAME,
	MMNET_STAT_RX_DROPPED_NOMEM,
	MMNET_STAT_RX_DROPPED_DOWN,
	MMNET_STAT_RX_DROPPED_SPOOFED,
	MMNET_STAT_RX_DROPPED_FOREIGN,
	MMNET_STAT_RX_EVENTS_SPURIOUS,
	MMNET_STAT_TX_STALLED,
	MMNET_STAT_NUM
};

struct mmnet_stats {
	u64_stats_t cnt[MMNET_STAT_NUM];
	struct u64_stats_sync syncp;
};

/*
 * Callers run with bottom halves disabled (transmit, NAPI; process context
 * disables them), so this CPU's copy cannot be written concurrently.
 */
static inline void mmnet_stats_add(struct mmnet_stats __percpu *stats,
				   enum mmnet_stat stat, u64 n)
{
	struct mmnet_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->cnt[stat], n);
	u64_stats_update_end(&s->syncp);
}

static inline void mmnet_stats_inc(struct mmnet_stats __percpu *stats,
				   enum mmnet_stat stat)
{
	mmnet_stats_add(stats, stat, 1);
}

const char *mmnet_stat_name(enum mmnet_stat stat);
bool mmnet_stat_per_peer(enum mmnet_stat stat);
void mmnet_stats_fold(struct mmnet_stats __percpu *stats,
		      u64 vals[MMNET_STAT_NUM]);
u64 mmnet_stats_tx_dropped(const u64 vals[MMNET_STAT_NUM]);
u64 mmnet_stats_rx_dropped(const u64 vals[MMNET_STAT_NUM]);
u64 mmnet_stats_rx_errors(const u64 vals[MMNET_STAT_NUM]);

#endif /* _MMNET_STATS_H */
