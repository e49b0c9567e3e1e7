// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile mode for the selftests, built only into the test module
 * (MMNET_DEBUG=y, build/kernel-debug/mmnet.ko), never into mmnet.ko: this
 * guest attacks its peers through its channels, so that a test can show
 * that the victim, running the normal module, stays safe and usable.
 *
 *   hostile_stall=1     NAPI takes nothing: the channels stay CONNECTED but
 *                       the consumer index never moves
 *   hostile_storm_s=N   for N seconds, events to every peer in a loop
 *   hostile_churn=N     close every channel N times, each once it is back
 *   hostile_scribble_s=N  for N seconds, random bytes written over the own
 *                       regions' descriptors, indices and data
 */

#include "debug.h"
#include "core.h"
#include "device.h"
#include "peer.h"

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/prandom.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

static bool hostile_stall;
module_param(hostile_stall, bool, 0644);
MODULE_PARM_DESC(hostile_stall,
		 "Testing: stay connected but never consume what peers send");

static unsigned int hostile_storm_s;
static unsigned int hostile_churn;
static unsigned int hostile_scribble_s;
/* Unloading: every loop ends. */
static bool hostile_dying;

/* Events sent per RTNL hold: peers cannot go away under the loop. */
#define HOSTILE_STORM_BATCH	256
/* Bytes overwritten per peer and round of scribbling. */
#define HOSTILE_SCRIBBLE_BYTES	64

bool mmnet_hostile_stalled(void)
{
	return READ_ONCE(hostile_stall);
}

static void hostile_storm_peer(struct mmnet_peer *peer)
{
	unsigned int i;

	for (i = 0; i < HOSTILE_STORM_BATCH; i++)
		mmnet_peer_notify(peer);
}

static void hostile_scribble_peer(struct mmnet_peer *peer)
{
	u8 *base = (u8 *)peer->own.ctrl;
	size_t size = PAGE_SIZE + peer->own.body_size, off;
	/* Half of the writes go to the indices and descriptors. */
	size_t meta = PAGE_SIZE + (size_t)(peer->ring->tx.mask + 1) *
		      sizeof(struct mmnet_desc);
	unsigned int i;

	if (!base || peer->state != MMNET_PEER_CONNECTED)
		return;
	for (i = 0; i < HOSTILE_SCRIBBLE_BYTES; i++) {
		off = get_random_u32_below(i & 1 ? size : meta);
		/* The header stays: the victim must read a live ring. */
		if (off < 64)
			continue;
		WRITE_ONCE(base[off], get_random_u8());
	}
}

static void hostile_churn_peer(struct mmnet_peer *peer)
{
	if (peer->state == MMNET_PEER_CONNECTED)
		mmnet_peer_schedule_removal(peer);
}

static bool hostile_any_connected;

static void hostile_note_connected(struct mmnet_peer *peer)
{
	if (peer->state == MMNET_PEER_CONNECTED)
		hostile_any_connected = true;
}

enum hostile_act { HOSTILE_STORM, HOSTILE_SCRIBBLE, HOSTILE_CHURN, HOSTILE_COUNT };

static void hostile_act_peer(struct mmnet_peer *peer, enum hostile_act act)
{
	switch (act) {
	case HOSTILE_STORM:
		hostile_storm_peer(peer);
		break;
	case HOSTILE_SCRIBBLE:
		hostile_scribble_peer(peer);
		break;
	case HOSTILE_CHURN:
		hostile_churn_peer(peer);
		break;
	case HOSTILE_COUNT:
		hostile_note_connected(peer);
		break;
	}
}

/* Act on every peer of every mmnet device of this namespace. */
static void hostile_attack_peers(enum hostile_act act)
{
	struct mmnet_device *mmnet;
	struct mmnet_peer *peer;
	struct net_device *dev;

	rtnl_lock();
	for_each_netdev(&init_net, dev) {
		mmnet = mmnet_device_get(dev);
		if (!mmnet)
			continue;
		list_for_each_entry(peer, &mmnet->peer_list, list)
			hostile_act_peer(peer, act);
	}
	rtnl_unlock();
}

/* One attack at a time, each a loop in this work until it is over. */
static void hostile_work_fn(struct work_struct *work)
{
	unsigned long end;
	unsigned int n;

	end = jiffies + READ_ONCE(hostile_storm_s) * HZ;
	while (!READ_ONCE(hostile_dying) && time_before(jiffies, end)) {
		hostile_attack_peers(HOSTILE_STORM);
		cond_resched();
	}
	end = jiffies + READ_ONCE(hostile_scribble_s) * HZ;
	while (!READ_ONCE(hostile_dying) && time_before(jiffies, end)) {
		hostile_attack_peers(HOSTILE_SCRIBBLE);
		usleep_range(500, 1000);
	}
	for (n = READ_ONCE(hostile_churn); n && !READ_ONCE(hostile_dying); n--) {
		end = jiffies + 30 * HZ;
		do {
			msleep(20);
			hostile_any_connected = false;
			hostile_attack_peers(HOSTILE_COUNT);
		} while (!hostile_any_connected && !READ_ONCE(hostile_dying) &&
			 time_before(jiffies, end));
		hostile_attack_peers(HOSTILE_CHURN);
	}
	hostile_storm_s = 0;
	hostile_scribble_s = 0;
	hostile_churn = 0;
}

static DECLARE_WORK(hostile_work, hostile_work_fn);

static int hostile_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		queue_work(system_long_wq, &hostile_work);
	return ret;
}

static const struct kernel_param_ops hostile_ops = {
	.set	= hostile_set,
	.get	= param_get_uint,
};

module_param_cb(hostile_storm_s, &hostile_ops, &hostile_storm_s, 0644);
MODULE_PARM_DESC(hostile_storm_s,
		 "Testing: send events to every peer in a loop for N seconds");
module_param_cb(hostile_churn, &hostile_ops, &hostile_churn, 0644);
MODULE_PARM_DESC(hostile_churn,
		 "Testing: close every channel N times, each once it reconnected");
module_param_cb(hostile_scribble_s, &hostile_ops, &hostile_scribble_s, 0644);
MODULE_PARM_DESC(hostile_scribble_s,
		 "Testing: write random bytes over the own regions for N seconds");

/* Module unload: no attack may outlive the module. */
void mmnet_hostile_exit(void)
{
	WRITE_ONCE(hostile_dying, true);
	cancel_work_sync(&hostile_work);
}
