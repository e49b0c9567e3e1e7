// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: each peer's NAPI takes frames from the peer's ring, copies each
 * once out of the shared memory -- the peer may rewrite it under us, so
 * only the copy is parsed -- lets through only what the normal path would
 * have let the peer send us (filter.c), checks the offload metadata against
 * the copy as virtio_net_hdr_to_skb() does, and delivers the frame as if it
 * had arrived on the lower NIC (skb->dev = eth0): strict rp_filter, netfilter's
 * -i eth0, sockets bound to eth0 and tcpdump on eth0 all see what they
 * would have seen on the normal path.
 *
 * The same poll moves the transmit backlog on: the peer's notification
 * means either new frames or room in our ring, and one NAPI per peer keeps
 * a slow peer from holding up the others.
 */

#include "core.h"
#include "datapath.h"
#include "debug.h"
#include "filter.h"
#include "peer.h"

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/page_pool.h>
#include <net/tcp.h>
#include <net/udp.h>

/* Frames up to this size go in one linear buffer from the NAPI cache. */
#define MMNET_RX_COPYBREAK	2048
/* Larger ones: this much linear (every header), the rest in page frags. */
#define MMNET_RX_HEAD		256

/*
 * A large frame: its headers in the linear part, the rest in pages of the
 * peer's pool, which its skb gives back when freed (a 64 KiB frame takes 16
 * pages, within MAX_SKB_FRAGS).
 */
static struct sk_buff *mmnet_rx_alloc_paged(struct mmnet_peer *peer,
					    const struct mmnet_frame *f)
{
	struct sk_buff *skb = napi_alloc_skb(&peer->napi, MMNET_RX_HEAD);
	const u8 *from = f->data + MMNET_RX_HEAD;
	u32 left = f->len - MMNET_RX_HEAD;
	struct page *page;
	u32 chunk;

	BUILD_BUG_ON(DIV_ROUND_UP(MMNET_FRAME_MAX - MMNET_RX_HEAD, PAGE_SIZE) >
		     MAX_SKB_FRAGS);
	if (!skb)
		return NULL;
	skb_put_data(skb, f->data, MMNET_RX_HEAD);
	skb_mark_for_recycle(skb);
	while (left) {
		page = page_pool_dev_alloc_pages(peer->rx_pool);
		if (unlikely(!page)) {
			kfree_skb(skb);
			return NULL;
		}
		chunk = min_t(u32, left, PAGE_SIZE);
		memcpy(page_address(page), from, chunk);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, chunk,
				PAGE_SIZE);
		from += chunk;
		left -= chunk;
	}
	return skb;
}

static struct sk_buff *mmnet_rx_alloc(struct mmnet_peer *peer,
				      const struct mmnet_frame *f)
{
	struct sk_buff *skb;

	if (f->len > MMNET_RX_COPYBREAK)
		return mmnet_rx_alloc_paged(peer, f);
	skb = napi_alloc_skb(&peer->napi, f->len);
	if (skb)
		skb_put_data(skb, f->data, f->len);
	return skb;
}

/* The network protocol under up to two VLAN tags; skb->data at the MAC header. */
static __be16 mmnet_rx_l3_proto(const struct sk_buff *skb)
{
	unsigned int off = offsetof(struct ethhdr, h_proto);
	__be16 buf;
	const __be16 *proto;
	int i;

	for (i = 0; i <= 2; i++, off += VLAN_HLEN) {
		proto = skb_header_pointer(skb, off, sizeof(buf), &buf);
		if (!proto || !eth_type_vlan(*proto))
			return proto ? *proto : 0;
	}
	return 0;
}

/* What a GSO type is in skb terms, and its transport header's size. */
static int mmnet_rx_gso_info(u8 type, unsigned int *skb_type,
			     unsigned int *thlen)
{
	switch (type) {
	case MMNET_GSO_TCPV4:
		*skb_type = SKB_GSO_TCPV4;
		*thlen = sizeof(struct tcphdr);
		return 0;
	case MMNET_GSO_TCPV6:
		*skb_type = SKB_GSO_TCPV6;
		*thlen = sizeof(struct tcphdr);
		return 0;
	case MMNET_GSO_UDP_L4:
		*skb_type = SKB_GSO_UDP_L4;
		*thlen = sizeof(struct udphdr);
		return 0;
	}
	return -EINVAL;
}

static bool mmnet_rx_gso_proto_ok(const struct sk_buff *skb, u8 type)
{
	__be16 proto = mmnet_rx_l3_proto(skb);

	switch (type) {
	case MMNET_GSO_TCPV4:
		return proto == htons(ETH_P_IP);
	case MMNET_GSO_TCPV6:
		return proto == htons(ETH_P_IPV6);
	default:
		return proto == htons(ETH_P_IP) || proto == htons(ETH_P_IPV6);
	}
}

/* The checksum and transport headers must lie in the frame: pull them. */
static int mmnet_rx_csum(struct sk_buff *skb, const struct mmnet_frame *f,
			 unsigned int thlen)
{
	u32 start = f->csum_start, off = f->csum_offset;
	u32 needed = start + max_t(u32, thlen, off + sizeof(__sum16));

	if (!pskb_may_pull(skb, needed) ||
	    !skb_partial_csum_set(skb, start, off))
		return -EINVAL;
	return 0;
}

static int mmnet_rx_gso(struct sk_buff *skb, const struct mmnet_frame *f,
			unsigned int skb_type, unsigned int thlen)
{
	unsigned int p_off = skb_transport_offset(skb) + thlen;
	unsigned int gso_size = f->gso_size;
	struct skb_shared_info *shinfo = skb_shinfo(skb);

	if (skb->ip_summed != CHECKSUM_PARTIAL ||
	    !mmnet_rx_gso_proto_ok(skb, f->gso_type))
		return -EINVAL;
	if (skb_type == SKB_GSO_UDP_L4) {
		if (skb->csum_offset != offsetof(struct udphdr, check) ||
		    skb->len - p_off > gso_size * UDP_MAX_SEGMENTS)
			return -EINVAL;
	} else {
		if (skb->csum_offset != offsetof(struct tcphdr, check))
			return -EINVAL;
		gso_size = max_t(unsigned int, gso_size, TCP_MIN_GSO_SIZE);
		if (f->flags & MMNET_DESC_F_GSO_ECN)
			skb_type |= SKB_GSO_TCP_ECN;
	}
	if (gso_size == GSO_BY_FRAGS)
		return -EINVAL;
	/* Too small to be GSO: deliver it as the single frame it is. */
	if (skb->len - p_off > gso_size) {
		shinfo->gso_size = gso_size;
		/* The headers are the peer's word: the stack checks them again. */
		shinfo->gso_type = skb_type | SKB_GSO_DODGY;
		shinfo->gso_segs = 0;
	}
	return 0;
}

/*
 * Offload metadata, checked against the copy the way virtio_net_hdr_to_skb()
 * checks a guest's (which in 6.1 does not know UDP_L4 yet).  The ring has
 * already checked the descriptor on its own terms: known flags, checksum
 * field inside the frame, a negotiated GSO type with a size, GSO only with
 * a partial checksum.  skb->data is at the MAC header.
 */
static int mmnet_rx_meta(struct sk_buff *skb, const struct mmnet_frame *f)
{
	unsigned int skb_type = 0, thlen = 0;

	if (f->gso_type && mmnet_rx_gso_info(f->gso_type, &skb_type, &thlen))
		return -EINVAL;
	if (f->flags & MMNET_DESC_F_CSUM_PARTIAL) {
		if (mmnet_rx_csum(skb, f, thlen))
			return -EINVAL;
	} else if (f->flags & MMNET_DESC_F_DATA_VALID) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	return skb_type ? mmnet_rx_gso(skb, f, skb_type, thlen) : 0;
}

static void mmnet_rx_tell(struct mmnet_peer *peer, const struct sk_buff *skb,
			  enum mmnet_filter_verdict verdict)
{
	const struct ethhdr *eth = (const struct ethhdr *)skb->data;
	struct net_device *dev = peer->mmnet->dev;

	if (verdict == MMNET_FILTER_SPOOFED) {
		if (!test_and_set_bit(MMNET_PEER_TOLD_SPOOFED, &peer->told))
			netdev_warn(dev, "peer %u sent a frame from %pM (proto 0x%04x) whose source MAC or address is not one dom0 attests for it: dropped; such frames are counted in rx_dropped_spoofed\n",
				    peer->id, eth->h_source, ntohs(eth->h_proto));
	} else if (!test_and_set_bit(MMNET_PEER_TOLD_FOREIGN, &peer->told)) {
		netdev_warn(dev, "peer %u sent a frame to %pM (proto 0x%04x) of a kind no channel carries (ARP, neighbour discovery, broadcast, multicast, malformed): dropped; such frames are counted in rx_dropped_foreign\n",
			    peer->id, eth->h_dest, ntohs(eth->h_proto));
	}
}

/*
 * The copy, from its MAC header, against the peer's MAC and addresses.
 * Context: NAPI, under rcu_read_lock().  Return: true if dropped.
 */
static bool mmnet_rx_filtered(struct mmnet_peer *peer, struct sk_buff *skb)
{
	enum mmnet_filter_verdict verdict;

	verdict = mmnet_filter_rx(skb->data, skb_headlen(skb),
				  rcu_dereference(peer->addrs));
	if (likely(verdict == MMNET_FILTER_PASS))
		return false;
	if (skb_headlen(skb) >= ETH_HLEN)
		mmnet_rx_tell(peer, skb, verdict);
	mmnet_peer_count(peer, verdict == MMNET_FILTER_SPOOFED ?
			 MMNET_STAT_RX_DROPPED_SPOOFED :
			 MMNET_STAT_RX_DROPPED_FOREIGN, 1);
	kfree_skb_reason(skb, SKB_DROP_REASON_UNHANDLED_PROTO);
	return true;
}

static void mmnet_rx_publish(struct mmnet_peer *peer)
{
	if (mmnet_ring_rx_publish(peer->ring))
		peer->ops->notify(peer->chan);
}

static void mmnet_rx_frame(struct mmnet_peer *peer,
			   const struct mmnet_frame *f,
			   struct net_device *lower)
{
	struct sk_buff *skb;

	if (unlikely(!lower || !(READ_ONCE(lower->flags) & IFF_UP))) {
		mmnet_peer_count(peer, MMNET_STAT_RX_DROPPED_DOWN, 1);
		return;
	}
	skb = mmnet_rx_alloc(peer, f);
	/*
	 * Copied: the space goes back at once, and with it the news to the
	 * sender that this frame is done, before our reply (a TCP ACK) can
	 * reach it.
	 */
	mmnet_rx_publish(peer);
	if (unlikely(!skb)) {
		mmnet_peer_count(peer, MMNET_STAT_RX_DROPPED_NOMEM, 1);
		return;
	}
	if (unlikely(mmnet_rx_filtered(peer, skb)))
		return;
	if (unlikely(mmnet_rx_meta(skb, f))) {
		mmnet_peer_count(peer, MMNET_STAT_RX_ERRORS_FRAME, 1);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_HDR);
		return;
	}
	/* As if it had arrived on the lower NIC; this sets skb->dev. */
	skb->protocol = eth_type_trans(skb, lower);
	dev_sw_netstats_rx_add(peer->mmnet->dev, f->len);
	napi_gro_receive(&peer->napi, skb);
}

/* Take up to @budget frames.  Return: how many, or -EPROTO. */
static int mmnet_rx(struct mmnet_peer *peer, int budget)
{
	struct net_device *lower;
	struct mmnet_frame f;
	int done = 0, ret = 0;

	rcu_read_lock();
	lower = rcu_dereference(peer->mmnet->lower);
	while (done < budget) {
		ret = mmnet_ring_rx_next(peer->ring, &f);
		if (ret <= 0)
			break;
		mmnet_rx_frame(peer, &f, lower);
		done++;
	}
	rcu_read_unlock();
	mmnet_rx_publish(peer);
	return ret < 0 ? ret : done;
}

/**
 * mmnet_poll - NAPI: receive, move the backlog on, watch the peer's state
 * @napi: the peer's
 * @budget: frames we may receive
 *
 * Return: frames received.
 */
int mmnet_poll(struct napi_struct *napi, int budget)
{
	struct mmnet_peer *peer = container_of(napi, struct mmnet_peer, napi);
	int done;

	if (mmnet_hostile_stalled()) {
		napi_complete(napi);
		return 0;
	}
	done = mmnet_rx(peer, budget);

	if (done < 0) {
		/* The ring says the peer broke the format: close, don't re-arm. */
		mmnet_peer_fail(peer);
		napi_complete(napi);
		return 0;
	}
	mmnet_tx_drain(peer);
	mmnet_peer_check_remote(peer);
	if (done < budget && napi_complete_done(napi, done)) {
		int ret;

		/* Polled: the next poll comes anyway, no event is wanted. */
		if (READ_ONCE(peer->polled))
			return done;
		ret = mmnet_ring_rx_arm(peer->ring);

		if (ret > 0)
			napi_schedule(napi);
		else if (ret < 0)
			mmnet_peer_fail(peer);
	}
	return done;
}
