/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_PEER_H
#define _MMNET_PEER_H

#include <linux/if_ether.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/mmnet.h>

#include "region.h"
#include "ring.h"
#include "stats.h"
#include "transport.h"

struct mmnet_device;

/* Recycled receive pages a peer keeps: 4 MiB, twice its largest ring. */
#define MMNET_RX_POOL_PAGES	1024

struct page_pool;

/* peer->told: what the log has said of the peer once, so says no more */
enum {
	MMNET_PEER_TOLD_SPOOFED,
	MMNET_PEER_TOLD_FOREIGN,
};

/* peer->flags: requests to the peer work, set from any context */
enum {
	MMNET_PEER_F_SYNC,	/* the peer's region state changed */
	MMNET_PEER_F_REMOVE,	/* tear the peer down */
};

/* peer->teardown: how far removal got (peer.c) */
enum {
	MMNET_TEARDOWN_NONE,
	MMNET_TEARDOWN_DRAINING,	/* out of the peer map, draining */
	MMNET_TEARDOWN_UNLINKED,	/* out of the transmit lookup too */
	MMNET_TEARDOWN_DONE,		/* closed, off the device's list */
};

/**
 * struct mmnet_peer - one co-located peer of an mmnet device: one channel
 * @mmnet: the device
 * @ops: the transport, the device's
 * @chan: the transport's state for this channel, handed to its ops
 * @id: the peer's id on the transport (domid on Xen, endpoint id on loop)
 * @state: enum mmnet_peer_state; written under RTNL, read anywhere
 * @flags: MMNET_PEER_F_* requests for the peer work
 * @attached: the peer's region is mapped and the ring attached to it
 * @published: the peer's addresses are in the device's peer map
 * @in_service: in the transmit lookup (@hash_node); the data path checks it
 *	when it finds the peer through @list
 * @removing: in a removal batch (@batch_node), or removed
 * @teardown: MMNET_TEARDOWN_*; written under RTNL, read anywhere
 * @teardown_work: the drain and close, without RTNL while it waits
 * @drain_lock: held by the work while it drains, taken by a removal that
 *	cannot wait, after setting @drain_abort, before it closes the peer
 * @drain_abort: the drain gives up at once
 * @polled: the transport runs NAPI from a timer: NAPI does not arm the
 *	ring's receive event, so the peer has no reason to notify us
 * @close_reason: enum mmnet_chan_reason to close the ring with
 * @mac: copy of @addrs->mac for the transmit path, which writes it into
 *	every frame as the destination
 * @addrs: the peer's addresses, replaced as a whole under RTNL
 * @own: the own region, which the peer maps read-only
 * @ring: the two directions over @own and the peer's region
 * @tx_lock: serialises the producer side: the ring's tx functions,
 *	@backlog, @tx_closed and @queue_stopped (the device is LLTX)
 * @backlog: frames waiting for ring space while the device has no qdisc
 * @sent: TCP frames copied into the ring, freed once the peer consumed them
 * @sent_timer: frees them when nothing else runs (send.c)
 * @stall_timer: the watchdog of the peer's consumer index (send.c)
 * @stall_cons: the consumer index it saw last
 * @stall_since: since when the index stood still with frames outstanding
 * @tx_closed: the channel takes no more frames
 * @queue_stopped: this peer stopped the device's tx queue (qdisc attached)
 * @napi: receive, and the drain of @backlog on consumer progress
 * @napi_enabled: @napi was enabled (it is once the ring is attached)
 * @rx_pool: pages for the frames @napi receives, recycled when their skbs
 *	are freed (NAPI only allocates from it; see receive.c)
 * @stats: this peer's reason counters; the device has a set of its own
 * @told: MMNET_PEER_TOLD_* bits
 * @list: in the device's @peer_list (RTNL, RCU for readers)
 * @hash_node: in the device's @peer_hash while @in_service
 * @batch_node: in a removal batch
 * @refcount: the device's list holds one, the teardown work one; the last
 *	put frees after RCU
 * @rcu: for that free
 */
struct mmnet_peer {
	struct mmnet_device *mmnet;
	const struct mmnet_transport *ops;
	void *chan;
	u32 id;
	u8 state;
	unsigned long flags;
	bool attached;
	bool published;
	bool in_service;
	bool removing;
	u8 teardown;
	struct work_struct teardown_work;
	struct mutex drain_lock; /* the drain vs a removal that cannot wait */
	bool drain_abort;
	bool polled;
	u32 close_reason;
	u8 mac[ETH_ALEN] __aligned(2);
	struct mmnet_addrs __rcu *addrs;
	struct mmnet_region own;
	struct mmnet_ring *ring;

	spinlock_t tx_lock; /* producer side of @ring, @backlog */
	struct sk_buff_head backlog;
	struct sk_buff_head sent;
	struct timer_list sent_timer;
	struct timer_list stall_timer;
	u32 stall_cons;
	unsigned long stall_since;
	bool tx_closed;
	bool queue_stopped;

	struct napi_struct napi;
	bool napi_enabled;
	struct page_pool *rx_pool;
	struct mmnet_stats __percpu *stats;
	unsigned long told;

	struct list_head list;
	struct hlist_node hash_node;
	struct list_head batch_node;
	struct kref refcount;
	struct rcu_head rcu;
};

int mmnet_peer_init(void);
void mmnet_peer_exit(void);
void mmnet_peers_init(struct mmnet_device *mmnet);

/* Count a reason in the peer's set and in the device's (BHs disabled). */
void mmnet_peer_count(struct mmnet_peer *peer, enum mmnet_stat stat, u64 n);

unsigned int mmnet_peer_stats_count(void);
const char *mmnet_peer_stat_name(unsigned int i);
void mmnet_peer_stats_read(struct mmnet_peer *peer, u64 *vals);

void mmnet_peer_put(struct mmnet_peer *peer);
struct mmnet_peer *mmnet_peer_lookup(struct mmnet_device *mmnet,
				     struct sk_buff *skb);
void mmnet_peer_publish(struct mmnet_peer *peer);
void mmnet_peer_unpublish(struct mmnet_peer *peer);
void mmnet_peer_fail(struct mmnet_peer *peer);
void mmnet_peer_stalled(struct mmnet_peer *peer);
void mmnet_peer_check_remote(struct mmnet_peer *peer);
void mmnet_peer_notify(struct mmnet_peer *peer);

#endif /* _MMNET_PEER_H */
