// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: a frame the classifier redirected here is copied into the ring
 * of the peer that owns its destination, with its offload metadata (partial
 * checksum, GSO type and size), so that a 64 KiB TCP or UDP GSO frame
 * crosses as one copy and is never segmented.
 *
 * Backpressure.  The device has no qdisc (IFF_NO_QUEUE): with a stopped
 * queue the core would drop every frame ("Virtual device asks to queue
 * packet").  So each peer has a small bounded backlog that holds frames
 * while its ring is full, and arms the ring's space event; the peer's
 * notification schedules our NAPI, which moves the backlog on.  A waiting
 * skb stays charged to its socket, so TCP small queues and the socket send
 * buffer throttle the sender and TCP sees no loss.  One peer's full ring
 * never delays another's frames.  Only a full backlog drops, counted.
 *
 * If the user attaches a real qdisc, the qdisc is the queue: a full ring
 * stops the device's tx queue and returns NETDEV_TX_BUSY, and NAPI wakes
 * the queue when room comes back, as veth does in later kernels.  The
 * device has a single queue, so then a full peer holds back the others
 * too; that is what a qdisc in front of one queue means.
 *
 * The device is LLTX: each peer's producer side is serialised by its own
 * tx_lock, not by a device-wide lock.
 */

#include "debug.h"
#include "core.h"
#include "datapath.h"
#include "peer.h"

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/sch_generic.h>
#include <net/sock.h>

/* Frames a peer holds while its ring is full, on top of the ring itself. */
#define MMNET_BACKLOG_MAX	256

/* GSO the channel carries as it is; the core segments anything else. */
#define MMNET_SKB_GSO_OK	(SKB_GSO_TCPV4 | SKB_GSO_TCPV6 | \
				 SKB_GSO_UDP_L4 | SKB_GSO_TCP_ECN | \
				 SKB_GSO_TCP_FIXEDID | SKB_GSO_DODGY)
#define MMNET_GSO_INVALID	0xff

/* The channel's GSO type of a GSO skb, or MMNET_GSO_INVALID. */
static u8 mmnet_gso_type(const struct sk_buff *skb)
{
	unsigned int type = skb_shinfo(skb)->gso_type;

	if (type & ~MMNET_SKB_GSO_OK)
		return MMNET_GSO_INVALID;
	switch (type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6 | SKB_GSO_UDP_L4)) {
	case SKB_GSO_TCPV4:
		return MMNET_GSO_TCPV4;
	case SKB_GSO_TCPV6:
		return MMNET_GSO_TCPV6;
	case SKB_GSO_UDP_L4:
		return MMNET_GSO_UDP_L4;
	}
	return MMNET_GSO_INVALID;
}

/* Bytes in the ring: a hardware-accelerated VLAN tag goes into the frame. */
static unsigned int mmnet_frame_len(const struct sk_buff *skb)
{
	return skb->len + (skb_vlan_tag_present(skb) ? VLAN_HLEN : 0);
}

/**
 * mmnet_features_check - what the core must do before mmnet_xmit()
 * @skb: the frame
 * @dev: the mmnet device
 * @features: what the device offers
 *
 * GSO types the channel does not carry, frames too large for one ring slot,
 * and offloads the destination peer does not accept are resolved here by
 * the core (validate_xmit_skb()), before transmit sees the frame, so that
 * transmit never has to replace an skb it may hand back to a qdisc.
 *
 * Context: rcu_read_lock_bh.
 */
netdev_features_t mmnet_features_check(struct sk_buff *skb,
				       struct net_device *dev,
				       netdev_features_t features)
{
	struct mmnet_peer *peer;
	u32 accept = MMNET_F_ALL;
	u8 gso;

	if (!skb_is_gso(skb) && skb->ip_summed != CHECKSUM_PARTIAL)
		return features;
	peer = mmnet_peer_lookup(netdev_priv(dev), skb);
	if (peer)
		accept = mmnet_ring_tx_features(peer->ring);
	if (!(accept & MMNET_F_CSUM))
		features &= ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);
	if (skb_is_gso(skb)) {
		gso = mmnet_gso_type(skb);
		if (gso == MMNET_GSO_INVALID || !(accept & BIT(gso)) ||
		    mmnet_frame_len(skb) > MMNET_FRAME_MAX)
			features &= ~NETIF_F_GSO_MASK;
	}
	return features;
}

/* Offload metadata of @skb for the ring; @shift: bytes of an inserted tag. */
static int mmnet_tx_meta(struct sk_buff *skb, struct mmnet_frame *f,
			 unsigned int shift)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		unsigned int start = skb_checksum_start_offset(skb) + shift;

		f->flags = MMNET_DESC_F_CSUM_PARTIAL;
		f->csum_start = start;
		f->csum_offset = skb->csum_offset;
		if (start > U16_MAX)
			return -EINVAL;
	} else if (skb->ip_summed == CHECKSUM_UNNECESSARY) {
		f->flags = MMNET_DESC_F_DATA_VALID;
	}
	if (!skb_is_gso(skb))
		return 0;
	f->gso_type = mmnet_gso_type(skb);
	f->gso_size = skb_shinfo(skb)->gso_size;
	if (skb_shinfo(skb)->gso_type & SKB_GSO_TCP_ECN)
		f->flags |= MMNET_DESC_F_GSO_ECN;
	return f->gso_type == MMNET_GSO_INVALID ? -EINVAL : 0;
}

/* The one copy: skb (linear part, frags, frag list) to the ring. */
static void mmnet_tx_copy_bits(const struct sk_buff *skb, u8 *to)
{
	__be16 *tag = (__be16 *)(to + 2 * ETH_ALEN);

	if (!skb_vlan_tag_present(skb)) {
		WARN_ON_ONCE(skb_copy_bits(skb, 0, to, skb->len));
		return;
	}
	/* The tag (TPID, TCI) goes between the MAC addresses and the EtherType. */
	WARN_ON_ONCE(skb_copy_bits(skb, 0, to, 2 * ETH_ALEN));
	tag[0] = skb->vlan_proto;
	tag[1] = htons(skb_vlan_tag_get(skb));
	WARN_ON_ONCE(skb_copy_bits(skb, 2 * ETH_ALEN,
				   to + 2 * ETH_ALEN + VLAN_HLEN,
				   skb->len - 2 * ETH_ALEN));
}

/*
 * Copy @skb into the ring, not yet published.  The destination MAC becomes
 * the peer's: a frame found by IP (routed through a gateway) must be taken
 * by the peer as addressed to it.
 *
 * Return: 0, -ENOSPC (ring full), -EINVAL (the channel cannot carry the
 * frame), -EPROTO (the peer broke the channel).
 */
static int mmnet_tx_copy(struct mmnet_peer *peer, struct sk_buff *skb)
{
	unsigned int shift = skb_vlan_tag_present(skb) ? VLAN_HLEN : 0;
	struct mmnet_frame f = {};
	void *data;
	int ret;

	f.len = mmnet_frame_len(skb);
	if (f.len > MMNET_FRAME_MAX || skb->len < ETH_HLEN)
		return -EINVAL;
	ret = mmnet_tx_meta(skb, &f, shift);
	if (!ret)
		ret = mmnet_ring_tx_alloc(peer->ring, &f, &data);
	if (ret)
		return ret;
	mmnet_tx_copy_bits(skb, data);
	ether_addr_copy(data, peer->mac);
	mmnet_debug_tx(peer);
	dev_sw_netstats_tx_add(peer->mmnet->dev, 1, f.len);
	return 0;
}

static void mmnet_tx_drop(struct mmnet_peer *peer, struct sk_buff *skb,
			  enum mmnet_stat why, enum skb_drop_reason reason)
{
	mmnet_peer_count(peer, why, 1);
	kfree_skb_reason(skb, reason);
}

/* Where in the ring a frame held in @sent ends. */
struct mmnet_tx_cb {
	u32 end;
};

#define MMNET_TX_CB(skb) ((struct mmnet_tx_cb *)(skb)->cb)

/*
 * A TCP frame's skb stays until the peer has consumed its copy, as a NIC
 * keeps it until transmit completion: while it is charged to its socket,
 * TCP autocorks further small writes into larger frames instead of sending
 * each as a frame of its own.  No notification asks for that news: the
 * peer's answer (an ACK, a reply) runs our NAPI after the peer consumed the
 * frame, and so does our next transmit; a timer frees what neither did.
 */
static void mmnet_tx_sent(struct mmnet_peer *peer, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;

	if (!sk || !sk_fullsock(sk) || sk->sk_protocol != IPPROTO_TCP) {
		consume_skb(skb);
		return;
	}
	mmnet_ring_tx_consumed(peer->ring, &MMNET_TX_CB(skb)->end);
	__skb_queue_tail(&peer->sent, skb);
}

/*
 * Free the skbs whose frames the peer has consumed; if some remain, make
 * sure the timer looks again.  Caller holds tx_lock.
 */
static void mmnet_tx_complete(struct mmnet_peer *peer)
{
	struct sk_buff *skb;
	u32 cons, queued;

	if (skb_queue_empty(&peer->sent))
		return;
	cons = mmnet_ring_tx_consumed(peer->ring, &queued);
	if (unlikely(mmnet_ring_error(peer->ring))) {
		/* Never consumed now: the channel's removal frees them. */
		mmnet_peer_fail(peer);
		return;
	}
	while ((skb = skb_peek(&peer->sent)) &&
	       (s32)(cons - MMNET_TX_CB(skb)->end) >= 0) {
		__skb_unlink(skb, &peer->sent);
		consume_skb(skb);
	}
	if (skb && !timer_pending(&peer->sent_timer))
		mod_timer(&peer->sent_timer, jiffies + 1);
}

/**
 * mmnet_tx_sent_timer - free what the peer consumed while nothing ran
 * @t: the peer's @sent_timer
 *
 * A sender whose data waits for its own skbs (autocorked, or held back by
 * TCP small queues) hears from nobody when the peer's answer takes the
 * normal path or is a delayed ACK: the timer bounds that wait to a tick or
 * two.
 *
 * Context: softirq.
 */
void mmnet_tx_sent_timer(struct timer_list *t)
{
	struct mmnet_peer *peer = from_timer(peer, t, sent_timer);

	spin_lock(&peer->tx_lock);
	if (!peer->tx_closed)
		mmnet_tx_complete(peer);
	spin_unlock(&peer->tx_lock);
}

/*
 * How long a peer may leave what we sent unconsumed while it stays
 * connected; the default is the netdev transmit watchdog's.  That watchdog
 * only sees a stopped queue, and without a qdisc there is none: a peer that
 * stops consuming would hold TCP's clones (and so those flows) for good.
 * Past this, the channel is torn down, what it held is freed, and TCP
 * retransmits over the normal path.
 */
static unsigned int tx_stall_ms = 5000;
module_param(tx_stall_ms, uint, 0644);
MODULE_PARM_DESC(tx_stall_ms,
		 "Close a channel whose peer consumed nothing of what was sent for this long (ms, 0 = never)");

/* Whether the peer left what we sent unconsumed too long.  Caller holds tx_lock. */
static bool mmnet_tx_stalled(struct mmnet_peer *peer)
{
	unsigned int limit = READ_ONCE(tx_stall_ms);
	u32 queued, cons = mmnet_ring_tx_consumed(peer->ring, &queued);

	if (cons == queued || cons != peer->stall_cons || !limit) {
		peer->stall_cons = cons;
		peer->stall_since = jiffies;
		return false;
	}
	return time_after(jiffies, peer->stall_since + msecs_to_jiffies(limit));
}

/**
 * mmnet_tx_stall_timer - the watchdog of the peer's consumer index
 * @t: the peer's @stall_timer
 *
 * Runs every second while the channel is attached, whether or not a qdisc
 * is attached.
 *
 * Context: softirq.
 */
void mmnet_tx_stall_timer(struct timer_list *t)
{
	struct mmnet_peer *peer = from_timer(peer, t, stall_timer);
	bool stalled = false, closed;

	spin_lock(&peer->tx_lock);
	closed = peer->tx_closed;
	if (!closed)
		stalled = mmnet_tx_stalled(peer);
	spin_unlock(&peer->tx_lock);
	if (stalled)
		mmnet_peer_stalled(peer);
	else if (!closed)
		mod_timer(&peer->stall_timer, jiffies + HZ);
}

/* Account for a frame mmnet_tx_copy() did not leave waiting. */
static void mmnet_tx_done(struct mmnet_peer *peer, struct sk_buff *skb,
			  int ret)
{
	switch (ret) {
	case 0:
		mmnet_tx_sent(peer, skb);
		break;
	case -EPROTO:
		mmnet_peer_fail(peer);
		mmnet_tx_drop(peer, skb, MMNET_STAT_TX_DROPPED_CLOSED,
			      SKB_DROP_REASON_DEV_READY);
		break;
	default:
		mmnet_tx_drop(peer, skb, MMNET_STAT_TX_DROPPED_INVALID,
			      SKB_DROP_REASON_DEV_HDR);
	}
}

/*
 * Ask the peer for a notification once room for @len bytes comes back.
 * Every caller pushes before it lets go of tx_lock, as the ring requires:
 * the peer cannot consume, hence notify about, what it cannot see.
 * Return: true if there is room now (retry), false to wait.
 */
static bool mmnet_tx_arm(struct mmnet_peer *peer, unsigned int len)
{
	int ret = mmnet_ring_tx_arm(peer->ring, len);

	if (ret == -EPROTO)
		mmnet_peer_fail(peer);
	return ret > 0;
}

/*
 * Move backlogged frames into the ring while there is room; when there is
 * not, arm the space event.  Caller holds tx_lock.
 * Return: true if the backlog is empty.
 */
static bool mmnet_tx_flush(struct mmnet_peer *peer)
{
	struct sk_buff *skb;
	int ret;

	while ((skb = skb_peek(&peer->backlog))) {
		ret = mmnet_tx_copy(peer, skb);
		if (ret == -ENOSPC) {
			if (mmnet_tx_arm(peer, mmnet_frame_len(skb)))
				continue;
			return false;
		}
		__skb_unlink(skb, &peer->backlog);
		mmnet_tx_done(peer, skb, ret);
	}
	return true;
}

/* No qdisc: copy now, or wait in the backlog.  Caller holds tx_lock. */
static void mmnet_tx_noqueue(struct mmnet_peer *peer, struct sk_buff *skb)
{
	int ret;

	if (skb_queue_empty(&peer->backlog)) {
		ret = mmnet_tx_copy(peer, skb);
		if (ret != -ENOSPC) {
			mmnet_tx_done(peer, skb, ret);
			return;
		}
	}
	if (skb_queue_len(&peer->backlog) >= MMNET_BACKLOG_MAX) {
		mmnet_tx_drop(peer, skb, MMNET_STAT_TX_DROPPED_FULL,
			      SKB_DROP_REASON_FULL_RING);
		return;
	}
	__skb_queue_tail(&peer->backlog, skb);
	mmnet_peer_count(peer, MMNET_STAT_TX_BACKLOGGED, 1);
	mmnet_tx_flush(peer);
}

/*
 * LLTX: the core does not stamp trans_start, so stamp it here, for the
 * watchdog to time how long this peer keeps the queue stopped.
 */
static void mmnet_tx_stop(struct mmnet_peer *peer, struct netdev_queue *txq)
{
	netif_tx_stop_queue(txq);
	txq_trans_cond_update(txq);
	WRITE_ONCE(peer->queue_stopped, true);
}

/* A qdisc holds the frame while the ring is full.  Caller holds tx_lock. */
static netdev_tx_t mmnet_tx_queued(struct mmnet_peer *peer,
				   struct sk_buff *skb)
{
	struct netdev_queue *txq = netdev_get_tx_queue(peer->mmnet->dev, 0);
	int ret;

	/* What waited from before the qdisc came goes first. */
	if (!mmnet_tx_flush(peer))
		goto stop;
	for (;;) {
		ret = mmnet_tx_copy(peer, skb);
		if (ret != -ENOSPC) {
			mmnet_tx_done(peer, skb, ret);
			return NETDEV_TX_OK;
		}
		mmnet_tx_stop(peer, txq);
		if (!mmnet_tx_arm(peer, mmnet_frame_len(skb)))
			return NETDEV_TX_BUSY;
		/* Room came back meanwhile. */
		netif_tx_start_queue(txq);
		WRITE_ONCE(peer->queue_stopped, false);
	}

stop:
	mmnet_tx_stop(peer, txq);
	return NETDEV_TX_BUSY;
}

/* Whether the user put a real qdisc in front of the device. */
static bool mmnet_has_qdisc(struct net_device *dev)
{
	struct netdev_queue *txq = netdev_get_tx_queue(dev, 0);

	/* noqueue clears ->enqueue; every real qdisc has one */
	return !!rcu_dereference_bh(txq->qdisc)->enqueue;
}

static netdev_tx_t mmnet_peer_xmit(struct mmnet_peer *peer,
				   struct sk_buff *skb)
{
	netdev_tx_t ret = NETDEV_TX_OK;
	bool notify;

	spin_lock(&peer->tx_lock);
	if (unlikely(peer->tx_closed ||
		     test_bit(MMNET_PEER_F_REMOVE, &peer->flags))) {
		spin_unlock(&peer->tx_lock);
		mmnet_tx_drop(peer, skb, MMNET_STAT_TX_DROPPED_CLOSED,
			      SKB_DROP_REASON_DEV_READY);
		return NETDEV_TX_OK;
	}
	if (mmnet_has_qdisc(peer->mmnet->dev))
		ret = mmnet_tx_queued(peer, skb);
	else
		mmnet_tx_noqueue(peer, skb);
	/*
	 * Publish at once: xmit_more cannot batch here, as the next frame of
	 * the batch may be for another peer.  The ring's event index keeps
	 * notifications rare anyway.
	 */
	notify = mmnet_ring_tx_push(peer->ring);
	mmnet_tx_complete(peer);
	spin_unlock(&peer->tx_lock);
	if (notify)
		peer->ops->notify(peer->chan);
	return ret;
}

netdev_tx_t mmnet_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct mmnet_device *mmnet = netdev_priv(dev);
	struct mmnet_peer *peer = mmnet_peer_lookup(mmnet, skb);

	if (unlikely(!peer)) {
		/*
		 * No connected peer owns the address.  Count it: a frame that
		 * vanished uncounted would make a broken shortcut look like
		 * loss on the normal path.
		 */
		mmnet_stats_inc(mmnet->stats, MMNET_STAT_TX_DROPPED_NO_PEER);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return NETDEV_TX_OK;
	}
	return mmnet_peer_xmit(peer, skb);
}

/*
 * Take note of the peer's consumer progress even when nothing waits for
 * it: the peer's next event is then news only if it consumed more, and a
 * peer that keeps signalling without doing anything is seen to be spurious
 * (mmnet_peer_event()).  Caller holds tx_lock.
 */
static void mmnet_tx_note_progress(struct mmnet_peer *peer)
{
	u32 queued;

	mmnet_ring_tx_consumed(peer->ring, &queued);
	if (unlikely(mmnet_ring_error(peer->ring)))
		mmnet_peer_fail(peer);
}

/**
 * mmnet_tx_drain - the peer made room: move the backlog on
 * @peer: the peer
 *
 * Also wakes the device queue this peer stopped (qdisc attached) once a
 * largest frame fits again, and asks to hear when it will if not.
 *
 * Context: NAPI.
 */
void mmnet_tx_drain(struct mmnet_peer *peer)
{
	struct net_device *dev = peer->mmnet->dev;
	bool notify, empty;

	spin_lock(&peer->tx_lock);
	if (peer->tx_closed) {
		spin_unlock(&peer->tx_lock);
		return;
	}
	mmnet_tx_note_progress(peer);
	empty = mmnet_tx_flush(peer);
	/*
	 * The frame the qdisc requeued may be a largest one: wake for that,
	 * or wait for more room; never neither, or the queue stays stopped.
	 */
	if (peer->queue_stopped && empty &&
	    (mmnet_ring_tx_room(peer->ring, MMNET_FRAME_MAX) ||
	     mmnet_tx_arm(peer, MMNET_FRAME_MAX))) {
		WRITE_ONCE(peer->queue_stopped, false);
		netif_tx_wake_queue(netdev_get_tx_queue(dev, 0));
	}
	notify = mmnet_ring_tx_push(peer->ring);
	mmnet_tx_complete(peer);
	spin_unlock(&peer->tx_lock);
	if (notify)
		peer->ops->notify(peer->chan);
}

/*
 * Whether the peer took everything we sent -- or never will, because it
 * left or broke the channel: nothing to wait for then.
 */
bool mmnet_tx_idle(struct mmnet_peer *peer)
{
	bool idle;

	if (!peer->attached || mmnet_ring_error(peer->ring) ||
	    mmnet_ring_peer_state(peer->ring, NULL) != MMNET_STATE_CONNECTED)
		return true;
	spin_lock_bh(&peer->tx_lock);
	idle = skb_queue_empty(&peer->backlog) &&
	       !mmnet_ring_tx_pending(peer->ring);
	spin_unlock_bh(&peer->tx_lock);
	return idle;
}

/**
 * mmnet_tx_shutdown - take no more frames
 * @peer: the peer, out of the transmit lookup already
 *
 * Return: frames lost: still in the backlog, or in the ring unconsumed.
 *
 * Context: process.
 */
unsigned int mmnet_tx_shutdown(struct mmnet_peer *peer)
{
	struct net_device *dev = peer->mmnet->dev;
	struct sk_buff_head purge;
	unsigned int lost = 0;

	__skb_queue_head_init(&purge);
	spin_lock_bh(&peer->tx_lock);
	peer->tx_closed = true;
	if (peer->attached) {
		lost = mmnet_ring_tx_pending(peer->ring);
		/* Delivered: consumed, not dropped; the rest counts in @lost. */
		mmnet_tx_complete(peer);
	}
	skb_queue_splice_init(&peer->backlog, &purge);
	lost += skb_queue_len(&purge);
	skb_queue_splice_init(&peer->sent, &purge);
	/* Whatever this peer held back, the others must not wait for it. */
	if (peer->queue_stopped) {
		WRITE_ONCE(peer->queue_stopped, false);
		netif_tx_wake_queue(netdev_get_tx_queue(dev, 0));
	}
	spin_unlock_bh(&peer->tx_lock);
	/* Closed: the timers find nothing to do and do not come back. */
	del_timer_sync(&peer->sent_timer);
	del_timer_sync(&peer->stall_timer);
	__skb_queue_purge(&purge);
	return lost;
}
