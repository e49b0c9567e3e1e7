// SPDX-License-Identifier: GPL-2.0

#include "stats.h"

#include <linux/cpumask.h>
#include <linux/ethtool.h>
#include <linux/string.h>

/* What rtnl_link_stats64 field a counter adds to, if any. */
#define MMNET_STAT_F_TX_DROP	BIT(0)
#define MMNET_STAT_F_RX_DROP	BIT(1)
#define MMNET_STAT_F_RX_ERROR	BIT(2)
/* Counted before any peer is known: in the device's set only. */
#define MMNET_STAT_F_DEVICE	BIT(3)

/*
 * Names are short on purpose: ethtool -S prints a peer's as "peer<ID>_<name>"
 * in ETH_GSTRING_LEN (32) bytes, and a domid takes up to five digits.
 */
struct mmnet_stat_desc {
	char name[ETH_GSTRING_LEN];
	unsigned int flags;
};

static const struct mmnet_stat_desc mmnet_stat_descs[MMNET_STAT_NUM] = {
	/* transmit: redirected here, but no connected peer owns the address */
	[MMNET_STAT_TX_DROPPED_NO_PEER] = {
		.name	= "tx_dropped_no_peer",
		.flags	= MMNET_STAT_F_TX_DROP | MMNET_STAT_F_DEVICE,
	},
	/* ring full and the peer's bounded backlog full as well */
	[MMNET_STAT_TX_DROPPED_FULL] = {
		.name	= "tx_dropped_full",
		.flags	= MMNET_STAT_F_TX_DROP,
	},
	/* the channel closed with the frame still waiting or unconsumed */
	[MMNET_STAT_TX_DROPPED_CLOSED] = {
		.name	= "tx_dropped_closed",
		.flags	= MMNET_STAT_F_TX_DROP,
	},
	/* the frame breaks the channel's limits (size, offload metadata) */
	[MMNET_STAT_TX_DROPPED_INVALID] = {
		.name	= "tx_dropped_invalid",
		.flags	= MMNET_STAT_F_TX_DROP,
	},
	/* not a drop: the frame waited in the backlog for ring space */
	[MMNET_STAT_TX_BACKLOGGED] = {
		.name	= "tx_backlogged",
	},
	/* a malformed ring entry or region: the channel was torn down */
	[MMNET_STAT_RX_ERRORS_RING] = {
		.name	= "rx_errors_ring",
		.flags	= MMNET_STAT_F_RX_ERROR,
	},
	/* offload metadata that does not match the frame: frame dropped */
	[MMNET_STAT_RX_ERRORS_FRAME] = {
		.name	= "rx_errors_frame",
		.flags	= MMNET_STAT_F_RX_ERROR,
	},
	[MMNET_STAT_RX_DROPPED_NOMEM] = {
		.name	= "rx_dropped_nomem",
		.flags	= MMNET_STAT_F_RX_DROP,
	},
	/* the lower NIC, which receives on our behalf, is down or gone */
	[MMNET_STAT_RX_DROPPED_DOWN] = {
		.name	= "rx_dropped_down",
		.flags	= MMNET_STAT_F_RX_DROP,
	},
	/* not from the peer: a source MAC or address dom0 does not attest */
	[MMNET_STAT_RX_DROPPED_SPOOFED] = {
		.name	= "rx_dropped_spoofed",
		.flags	= MMNET_STAT_F_RX_DROP,
	},
	/* ARP, ND, broadcast, multicast...: never sent into a channel */
	[MMNET_STAT_RX_DROPPED_FOREIGN] = {
		.name	= "rx_dropped_foreign",
		.flags	= MMNET_STAT_F_RX_DROP,
	},
	/* an event from the peer that brought nothing new: not polled for */
	[MMNET_STAT_RX_EVENTS_SPURIOUS] = {
		.name	= "rx_events_spurious",
	},
	/* the peer left what was sent unconsumed too long: channel closed */
	[MMNET_STAT_TX_STALLED] = {
		.name	= "tx_stalled",
	},
};

const char *mmnet_stat_name(enum mmnet_stat stat)
{
	return mmnet_stat_descs[stat].name;
}

/* Whether a peer's set reports the counter (some only make sense device-wide). */
bool mmnet_stat_per_peer(enum mmnet_stat stat)
{
	return !(mmnet_stat_descs[stat].flags & MMNET_STAT_F_DEVICE);
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

static u64 mmnet_stats_sum(const u64 vals[MMNET_STAT_NUM], unsigned int flag)
{
	u64 sum = 0;
	int i;

	for (i = 0; i < MMNET_STAT_NUM; i++)
		if (mmnet_stat_descs[i].flags & flag)
			sum += vals[i];
	return sum;
}

/*
 * tx_dropped as userspace sees it is the sum of the reasons, so `ip -s link`
 * and ethtool -S can never disagree; likewise rx_dropped and rx_errors.
 */
u64 mmnet_stats_tx_dropped(const u64 vals[MMNET_STAT_NUM])
{
	return mmnet_stats_sum(vals, MMNET_STAT_F_TX_DROP);
}

u64 mmnet_stats_rx_dropped(const u64 vals[MMNET_STAT_NUM])
{
	return mmnet_stats_sum(vals, MMNET_STAT_F_RX_DROP);
}

u64 mmnet_stats_rx_errors(const u64 vals[MMNET_STAT_NUM])
{
	return mmnet_stats_sum(vals, MMNET_STAT_F_RX_ERROR);
}
