// SPDX-License-Identifier: GPL-2.0
/*
 * Peers: one channel each, from creation by a transport to the last
 * reference.
 *
 * Lifetimes.  A peer is created and removed under RTNL.  The device's
 * peer_list holds the one reference that matters; the data path finds peers
 * under RCU (transmit through peer_hash, NAPI through its own napi_struct)
 * and never takes a reference, so removal unlinks first, waits for a grace
 * period, and frees with call_rcu() after the last kref_put().
 *
 * Removal never sleeps under RTNL, so that a peer that keeps us tearing
 * its channels down cannot stall every ip command and every other
 * channel's setup.  Under RTNL, mmnet_peers_remove() only takes the peers
 * out of the peer map (the classifier sends new packets the normal way) and
 * hands each to a teardown work of its own, on mmnet_wq, which then
 *   1. waits for a grace period, so that every redirect the classifier
 *      decided before is in transmit, and drains: frames in the backlog and
 *      the ring reach the peer, for at most drain_ms -- no RTNL held;
 *   2. under RTNL, takes the peer out of the transmit lookup;
 *   3. waits for a grace period without RTNL, so no transmit is inside;
 *   4. under RTNL, closes the ring (the peer reads why), quiesces NAPI,
 *      drops and counts what is still waiting, and has the transport unmap
 *      the peer's region and hand the own pages back.
 * One peer's drain delays no other peer's.  Detach, unload and suspend
 * cannot wait: mmnet_peers_remove_all() finishes every peer of the device
 * before it returns, without a drain (a drain in progress gives up), with
 * one grace period for all.  The teardown stage is RTNL's; the drain and
 * the finish exclude each other with @drain_lock.
 */

#include "peer.h"
#include "core.h"
#include "datapath.h"
#include "peermap.h"

#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_vlan.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/page_pool.h>

/*
 * How long removal waits for the peer to take what was already sent.  No
 * lock is held meanwhile; a test makes it long to show that.
 */
#define MMNET_DRAIN_MAX_MS	60000U
static unsigned int drain_ms = 1000;
module_param(drain_ms, uint, 0644);
MODULE_PARM_DESC(drain_ms,
		 "How long removal lets a peer take what was sent to it (ms, at most 60000)");

/* The peers' teardown works; flushed at unload, after every device went. */
static struct workqueue_struct *mmnet_wq;

static void mmnet_peer_teardown_fn(struct work_struct *work);

static unsigned int ring_slots = 1024;
module_param(ring_slots, uint, 0444);
MODULE_PARM_DESC(ring_slots,
		 "Descriptors per direction of a channel (power of two, 2..4096)");

static unsigned int ring_data_kib = 2048;
module_param(ring_data_kib, uint, 0444);
MODULE_PARM_DESC(ring_data_kib,
		 "KiB of frame data per direction of a channel (power of two, 128..2048)");

/* Refuse a geometry at load rather than at the first attach. */
int mmnet_peer_init(void)
{
	u32 data_size = ring_data_kib * 1024;

	if (!is_power_of_2(ring_slots) || ring_slots < MMNET_SLOTS_MIN ||
	    ring_slots > MMNET_SLOTS_MAX || !is_power_of_2(data_size) ||
	    data_size < MMNET_DATA_SIZE_MIN || data_size > MMNET_DATA_SIZE_MAX) {
		pr_err("invalid ring geometry: ring_slots=%u ring_data_kib=%u\n",
		       ring_slots, ring_data_kib);
		return -EINVAL;
	}
	mmnet_wq = alloc_workqueue("mmnet", WQ_UNBOUND, 0);
	return mmnet_wq ? 0 : -ENOMEM;
}

/* Module unload, every device gone: the last teardown works end. */
void mmnet_peer_exit(void)
{
	destroy_workqueue(mmnet_wq);
}

void mmnet_peer_count(struct mmnet_peer *peer, enum mmnet_stat stat, u64 n)
{
	mmnet_stats_add(peer->stats, stat, n);
	mmnet_stats_add(peer->mmnet->stats, stat, n);
}

/* Pages still in skbs go back to the allocator when those are freed. */
static void mmnet_peer_destroy_pool(struct mmnet_peer *peer)
{
	if (peer->rx_pool)
		page_pool_destroy(peer->rx_pool);
	peer->rx_pool = NULL;
}

static void mmnet_peer_free(struct mmnet_peer *peer)
{
	WARN_ON_ONCE(peer->rx_pool);
	kfree(rcu_access_pointer(peer->addrs));
	kfree(peer->ring);
	free_percpu(peer->stats);
	kfree(peer);
}

static void mmnet_peer_free_rcu(struct rcu_head *rcu)
{
	mmnet_peer_free(container_of(rcu, struct mmnet_peer, rcu));
}

static void mmnet_peer_release(struct kref *kref)
{
	struct mmnet_peer *peer = container_of(kref, struct mmnet_peer,
					       refcount);

	/* The data path may still be looking at it: free after a grace period. */
	call_rcu(&peer->rcu, mmnet_peer_free_rcu);
}

void mmnet_peer_put(struct mmnet_peer *peer)
{
	kref_put(&peer->refcount, mmnet_peer_release);
}

/*
 * Received frames are copied into pages of the peer's pool.  Recycled pages
 * skip the zeroing every fresh page gets with init_on_alloc (the default of
 * distribution kernels), which costs as much as a copy of the frame.
 */
static int mmnet_peer_create_pool(struct mmnet_peer *peer)
{
	struct page_pool_params params = {
		.order = 0,
		.pool_size = MMNET_RX_POOL_PAGES,
		.nid = NUMA_NO_NODE,
	};
	struct page_pool *pool = page_pool_create(&params);

	if (IS_ERR(pool))
		return PTR_ERR(pool);
	peer->rx_pool = pool;
	return 0;
}

static int mmnet_peer_alloc_channel(struct mmnet_peer *peer)
{
	u32 data_size = ring_data_kib * 1024;
	int ret;

	ret = mmnet_peer_create_pool(peer);
	if (ret)
		return ret;
	peer->ring = kzalloc(mmnet_ring_size(ring_slots), GFP_KERNEL);
	if (!peer->ring)
		return -ENOMEM;
	ret = mmnet_region_alloc(&peer->own,
				 MMNET_BODY_BYTES(ring_slots, data_size));
	if (ret)
		return ret;
	return mmnet_ring_init(peer->ring, peer->own.ctrl, peer->own.body,
			       ring_slots, data_size, MMNET_F_ALL);
}

/**
 * mmnet_peer_create - add a peer to a device
 * @mmnet: the device, attached: its transport makes the peer
 * @id: the peer's id on the transport
 * @chan: the transport's state for the channel, handed to its ops
 *
 * The own region is allocated and formatted (state INIT); the transport
 * shares it and later calls mmnet_peer_attach().  See transport.h.
 *
 * Context: RTNL.
 * Return: the peer, or an ERR_PTR.
 */
struct mmnet_peer *mmnet_peer_create(struct mmnet_device *mmnet, u32 id,
				     void *chan)
{
	struct mmnet_peer *peer;
	int ret;

	ASSERT_RTNL();
	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return ERR_PTR(-ENOMEM);
	peer->stats = netdev_alloc_pcpu_stats(struct mmnet_stats);
	ret = peer->stats ? mmnet_peer_alloc_channel(peer) : -ENOMEM;
	if (ret) {
		mmnet_region_put_pages(&peer->own);
		mmnet_peer_destroy_pool(peer);
		mmnet_peer_free(peer);
		return ERR_PTR(ret);
	}
	peer->mmnet = mmnet;
	peer->ops = mmnet->transport;
	peer->chan = chan;
	peer->id = id;
	peer->state = MMNET_PEER_CONNECTING;
	spin_lock_init(&peer->tx_lock);
	__skb_queue_head_init(&peer->backlog);
	__skb_queue_head_init(&peer->sent);
	timer_setup(&peer->sent_timer, mmnet_tx_sent_timer, 0);
	timer_setup(&peer->stall_timer, mmnet_tx_stall_timer, 0);
	INIT_WORK(&peer->teardown_work, mmnet_peer_teardown_fn);
	mutex_init(&peer->drain_lock);
	kref_init(&peer->refcount);
	netif_napi_add(mmnet->dev, &peer->napi, mmnet_poll);
	list_add_tail_rcu(&peer->list, &mmnet->peer_list);
	return peer;
}

/*
 * Signal the peer.  From process context a NAPI kick (loop) only raises the
 * softirq; re-enabling bottom halves runs it now instead of at the next tick.
 */
void mmnet_peer_notify(struct mmnet_peer *peer)
{
	local_bh_disable();
	peer->ops->notify(peer->chan);
	local_bh_enable();
}

/* The own region, which the transport shares with the peer. */
struct mmnet_region *mmnet_peer_own(struct mmnet_peer *peer)
{
	return &peer->own;
}

/*
 * The transport kicks NAPI from a timer instead of the peer's events: NAPI
 * then leaves the ring's receive event unarmed.  Context: any.
 */
void mmnet_peer_set_polled(struct mmnet_peer *peer, bool polled)
{
	WRITE_ONCE(peer->polled, polled);
}

/* Why the core closed the channel: 0, or the enum mmnet_chan_reason. */
u32 mmnet_peer_close_reason(const struct mmnet_peer *peer)
{
	return READ_ONCE(peer->close_reason);
}

/**
 * mmnet_peer_kick - the peer signalled us: new frames or ring space
 * @peer: the peer
 *
 * Context: any; a no-op before the ring is attached and after removal.
 */
void mmnet_peer_kick(struct mmnet_peer *peer)
{
	napi_schedule(&peer->napi);
}

/**
 * mmnet_peer_event - an event from the peer: kick NAPI if it has work
 * @peer: the peer
 *
 * An event is spurious when a connected channel brings nothing we have not
 * seen (no frame, no consumer progress, no state change), when the ring is
 * not attached yet, or when the channel is on its way out.  Those are
 * counted and do not run NAPI, so that a peer looping on its event does not
 * make us poll; the transport throttles its source (Xen: late EOI, flagged
 * spurious).
 *
 * Context: any (the transport's interrupt handler).
 * Return: false for a spurious event.
 */
bool mmnet_peer_event(struct mmnet_peer *peer)
{
	/* Connecting, the peer's CONNECTED is the news we wait for. */
	if (!READ_ONCE(peer->napi_enabled) ||
	    test_bit(MMNET_PEER_F_REMOVE, &peer->flags) ||
	    (READ_ONCE(peer->state) == MMNET_PEER_CONNECTED &&
	     !mmnet_ring_peer_news(peer->ring))) {
		mmnet_peer_count(peer, MMNET_STAT_RX_EVENTS_SPURIOUS, 1);
		return false;
	}
	napi_schedule(&peer->napi);
	return true;
}

/**
 * mmnet_peer_schedule_removal - have the peer work tear the peer down
 * @peer: the peer
 *
 * Context: any.
 */
void mmnet_peer_schedule_removal(struct mmnet_peer *peer)
{
	set_bit(MMNET_PEER_F_REMOVE, &peer->flags);
	schedule_work(&peer->mmnet->peer_work);
}

/**
 * mmnet_peer_removing - whether the peer is on its way out
 * @peer: the peer
 *
 * Once true, it stays true: removal was asked for (the peer takes no more
 * frames) or has started; ->close() follows.
 *
 * Context: any.
 */
bool mmnet_peer_removing(const struct mmnet_peer *peer)
{
	return test_bit(MMNET_PEER_F_REMOVE, &peer->flags) ||
	       READ_ONCE(peer->teardown) != MMNET_TEARDOWN_NONE;
}

/**
 * mmnet_peer_fail - the peer's region broke the channel format
 * @peer: the peer
 *
 * The ring refuses to go on and says why; the channel is closed with that
 * reason.  Transmit refuses frames from now on (F_REMOVE).
 *
 * Context: any (NAPI, transmit).
 */
void mmnet_peer_fail(struct mmnet_peer *peer)
{
	u32 reason = mmnet_ring_error(peer->ring);

	if (test_bit(MMNET_PEER_F_REMOVE, &peer->flags))
		return;
	WRITE_ONCE(peer->close_reason, reason);
	mmnet_peer_count(peer, MMNET_STAT_RX_ERRORS_RING, 1);
	net_warn_ratelimited("%s: peer %u broke the channel (reason %u), closing it\n",
			     peer->mmnet->dev->name, peer->id, reason);
	mmnet_peer_schedule_removal(peer);
}

/**
 * mmnet_peer_stalled - the peer stopped consuming while it stays connected
 * @peer: the peer
 *
 * Closed with MMNET_REASON_STALLED (the transport then waits before it
 * offers a new channel), counted, said once.  Its removal frees what the
 * peer held: TCP sends those frames again, the normal way.
 *
 * Context: softirq (the watchdog).
 */
void mmnet_peer_stalled(struct mmnet_peer *peer)
{
	if (test_bit(MMNET_PEER_F_REMOVE, &peer->flags))
		return;
	WRITE_ONCE(peer->close_reason, MMNET_REASON_STALLED);
	mmnet_peer_count(peer, MMNET_STAT_TX_STALLED, 1);
	net_warn_ratelimited("%s: peer %u consumed nothing for %u ms, closing the channel\n",
			     peer->mmnet->dev->name, peer->id,
			     jiffies_to_msecs(jiffies - peer->stall_since));
	mmnet_peer_schedule_removal(peer);
}

/**
 * mmnet_peer_check_remote - act on the state the peer announces
 * @peer: an attached peer
 *
 * Context: NAPI.
 */
void mmnet_peer_check_remote(struct mmnet_peer *peer)
{
	u32 remote = mmnet_ring_peer_state(peer->ring, NULL);
	u8 state = READ_ONCE(peer->state);

	if (remote == MMNET_STATE_CONNECTED) {
		if (state == MMNET_PEER_CONNECTING &&
		    !test_and_set_bit(MMNET_PEER_F_SYNC, &peer->flags))
			schedule_work(&peer->mmnet->peer_work);
	} else if (remote != MMNET_STATE_INIT ||
		   state != MMNET_PEER_CONNECTING) {
		/* Closing, or a state no correct peer goes back to. */
		if (!test_bit(MMNET_PEER_F_REMOVE, &peer->flags))
			mmnet_peer_schedule_removal(peer);
	}
}

/* ---- counters ---- */

/* The ring's counters, as each peer reports them before its reasons. */
static const char * const mmnet_ring_stat_names[] = {
	"tx_packets", "tx_bytes", "tx_ring_full", "tx_notify",
	"tx_notify_suppressed", "rx_packets", "rx_bytes", "rx_notify",
	"rx_notify_suppressed",
};

#define MMNET_RING_STATS	ARRAY_SIZE(mmnet_ring_stat_names)

/* How many counters a peer reports in ethtool -S and generic netlink. */
unsigned int mmnet_peer_stats_count(void)
{
	unsigned int i, n = MMNET_RING_STATS;

	for (i = 0; i < MMNET_STAT_NUM; i++)
		n += mmnet_stat_per_peer(i);
	return n;
}

/* The name of counter @i, 0 <= @i < mmnet_peer_stats_count(). */
const char *mmnet_peer_stat_name(unsigned int i)
{
	unsigned int stat;

	if (i < MMNET_RING_STATS)
		return mmnet_ring_stat_names[i];
	i -= MMNET_RING_STATS;
	for (stat = 0; stat < MMNET_STAT_NUM; stat++)
		if (mmnet_stat_per_peer(stat) && !i--)
			return mmnet_stat_name(stat);
	return "";
}

/* Read the peer's counters, mmnet_peer_stats_count() of them, into @vals. */
void mmnet_peer_stats_read(struct mmnet_peer *peer, u64 *vals)
{
	u64 reasons[MMNET_STAT_NUM];
	struct mmnet_ring_stats rs;
	unsigned int stat;

	mmnet_ring_stats(peer->ring, &rs);
	*vals++ = rs.tx_frames;
	*vals++ = rs.tx_bytes;
	*vals++ = rs.tx_full;
	*vals++ = rs.tx_notify;
	*vals++ = rs.tx_notify_suppressed;
	*vals++ = rs.rx_frames;
	*vals++ = rs.rx_bytes;
	*vals++ = rs.rx_notify;
	*vals++ = rs.rx_notify_suppressed;
	mmnet_stats_fold(peer->stats, reasons);
	for (stat = 0; stat < MMNET_STAT_NUM; stat++)
		if (mmnet_stat_per_peer(stat))
			*vals++ = reasons[stat];
}

/* ---- addresses and the peer map ---- */

static u32 mmnet_mac_hash(const u8 *mac)
{
	return hash_64(ether_addr_to_u64(mac), MMNET_PEER_HASH_BITS);
}

/* The @i-th peer map key of @a: the MAC, then IPv4, then IPv6 addresses. */
static bool mmnet_addrs_key(const struct mmnet_addrs *a, unsigned int i,
			    struct mmnet_peer_key *key)
{
	memset(key, 0, sizeof(*key));
	if (i == 0) {
		key->kind = MMNET_ADDR_MAC;
		ether_addr_copy(key->addr, a->mac);
		return true;
	}
	i--;
	if (i < a->nr_ipv4) {
		key->kind = MMNET_ADDR_IPV4;
		memcpy(key->addr, &a->ipv4[i], sizeof(a->ipv4[i]));
		return true;
	}
	i -= a->nr_ipv4;
	if (i < a->nr_ipv6) {
		key->kind = MMNET_ADDR_IPV6;
		memcpy(key->addr, &a->ipv6[i], sizeof(a->ipv6[i]));
		return true;
	}
	return false;
}

static bool mmnet_addrs_has_key(const struct mmnet_addrs *a,
				const struct mmnet_peer_key *key)
{
	struct mmnet_peer_key k;
	unsigned int i;

	for (i = 0; mmnet_addrs_key(a, i, &k); i++)
		if (!memcmp(&k, key, sizeof(k)))
			return true;
	return false;
}

static void mmnet_peer_value(const struct mmnet_peer *peer,
			     struct mmnet_peer_value *v)
{
	v->ifindex = peer->mmnet->dev->ifindex;
	v->peer_id = peer->id;
}

/* Put the keys of @a into the map, or take those not in @keep out of it. */
static void mmnet_peer_map_apply(struct mmnet_peer *peer,
				 const struct mmnet_addrs *a, bool add,
				 const struct mmnet_addrs *keep)
{
	struct bpf_map *map = peer->mmnet->peer_map;
	struct mmnet_peer_value v;
	struct mmnet_peer_key key;
	unsigned int i;
	int ret;

	mmnet_peer_value(peer, &v);
	for (i = 0; mmnet_addrs_key(a, i, &key); i++) {
		if (keep && mmnet_addrs_has_key(keep, &key))
			continue;
		if (add)
			ret = mmnet_peermap_update(map, &key, &v);
		else
			ret = mmnet_peermap_delete(map, &key, &v);
		if (ret && ret != -ENOENT)
			net_warn_ratelimited("%s: peer %u: peer map %s failed: %d\n",
					     peer->mmnet->dev->name, peer->id,
					     add ? "update" : "delete", ret);
	}
}

/**
 * mmnet_peer_publish - put a peer in service in the classifier's map
 * @peer: the peer
 *
 * Only a connected peer of an attached, enabled, up device is published:
 * an entry in the map is all the classifier needs to redirect.
 *
 * Context: RTNL.
 */
void mmnet_peer_publish(struct mmnet_peer *peer)
{
	ASSERT_RTNL();
	if (peer->published || peer->state != MMNET_PEER_CONNECTED ||
	    !mmnet_device_publishing(peer->mmnet))
		return;
	mmnet_peer_map_apply(peer, rtnl_dereference(peer->addrs), true, NULL);
	peer->published = true;
}

/* Context: RTNL.  From now on the classifier sends this peer's packets the normal way. */
void mmnet_peer_unpublish(struct mmnet_peer *peer)
{
	ASSERT_RTNL();
	if (!peer->published)
		return;
	mmnet_peer_map_apply(peer, rtnl_dereference(peer->addrs), false, NULL);
	peer->published = false;
}

/* The MAC is the transmit lookup's key: move the peer to its new bucket. */
static void mmnet_peer_rehash(struct mmnet_peer *peer, const u8 *mac)
{
	struct mmnet_device *mmnet = peer->mmnet;

	if (peer->in_service) {
		hlist_del_rcu(&peer->hash_node);
		/* A reader standing on the node must not be led into the new chain. */
		synchronize_net();
	}
	ether_addr_copy(peer->mac, mac);
	if (peer->in_service)
		hlist_add_head_rcu(&peer->hash_node,
				   &mmnet->peer_hash[mmnet_mac_hash(mac)]);
}

/**
 * mmnet_peer_set_addrs - say where the peer is reachable
 * @peer: the peer
 * @addrs: its lower NIC's MAC and IP addresses (the rcu head is not read)
 *
 * A published peer's map entries follow: new keys are added before stale
 * ones are removed, so a kept address never takes the normal path.
 *
 * Context: RTNL.
 */
void mmnet_peer_set_addrs(struct mmnet_peer *peer,
			  const struct mmnet_addrs *addrs)
{
	const size_t off = offsetof(struct mmnet_addrs, mac);
	struct mmnet_addrs *old = rtnl_dereference(peer->addrs), *new;

	ASSERT_RTNL();
	if (old && !memcmp((u8 *)old + off, (u8 *)addrs + off,
			   sizeof(*old) - off))
		return;
	new = kmemdup(addrs, sizeof(*addrs), GFP_KERNEL);
	if (!new)
		return;
	if (peer->published) {
		mmnet_peer_map_apply(peer, new, true, NULL);
		if (old)
			mmnet_peer_map_apply(peer, old, false, new);
	}
	if (!old || !ether_addr_equal(old->mac, new->mac))
		mmnet_peer_rehash(peer, new->mac);
	rcu_assign_pointer(peer->addrs, new);
	if (old)
		kfree_rcu(old, rcu);
}

/* ---- the transmit lookup ---- */

static struct mmnet_peer *mmnet_peer_lookup_mac(struct mmnet_device *mmnet,
						const u8 *mac)
{
	struct hlist_head *head = &mmnet->peer_hash[mmnet_mac_hash(mac)];
	struct mmnet_peer *peer;

	hlist_for_each_entry_rcu(peer, head, hash_node, rcu_read_lock_bh_held())
		if (ether_addr_equal(peer->mac, mac))
			return peer;
	return NULL;
}

/**
 * mmnet_peer_lookup - the peer a frame goes to
 * @mmnet: the device
 * @skb: a frame, skb->data at the MAC header; not modified
 *
 * By destination MAC only, as a switch would and as the classifier does:
 * never by an IP address, which a peer could claim for somebody else.
 * Only peers in service are found.
 *
 * Context: rcu_read_lock_bh (the transmit path).
 * Return: the peer, or NULL.
 */
struct mmnet_peer *mmnet_peer_lookup(struct mmnet_device *mmnet,
				     struct sk_buff *skb)
{
	struct ethhdr _eth;
	const struct ethhdr *eth = skb_header_pointer(skb, 0, sizeof(_eth),
						      &_eth);

	if (unlikely(!eth))
		return NULL;
	return mmnet_peer_lookup_mac(mmnet, eth->h_dest);
}

/* ---- connecting ---- */

/* Put a connected peer in service: transmit lookup, link, peer map. */
static void mmnet_peer_up(struct mmnet_peer *peer)
{
	struct mmnet_device *mmnet = peer->mmnet;

	WRITE_ONCE(peer->state, MMNET_PEER_CONNECTED);
	hlist_add_head_rcu(&peer->hash_node,
			   &mmnet->peer_hash[mmnet_mac_hash(peer->mac)]);
	WRITE_ONCE(peer->in_service, true);
	mmnet->connected++;
	mmnet_device_link_update(mmnet);
	mmnet_peer_publish(peer);
}

/**
 * mmnet_peer_sync - act on the state the peer's region announces
 * @peer: the peer
 *
 * Connected on both sides: into service.  Closing, or garbage: removal.
 *
 * Context: RTNL.
 */
void mmnet_peer_sync(struct mmnet_peer *peer)
{
	u32 remote;

	ASSERT_RTNL();
	if (!peer->attached || peer->removing)
		return;
	remote = mmnet_ring_peer_state(peer->ring, NULL);
	if (remote == MMNET_STATE_CONNECTED) {
		if (peer->state == MMNET_PEER_CONNECTING)
			mmnet_peer_up(peer);
	} else if (remote != MMNET_STATE_INIT) {
		mmnet_peer_schedule_removal(peer);
	}
}

/**
 * mmnet_peer_attach - the transport mapped the peer's region
 * @peer: the peer
 * @ctrl: the peer's control page, mapped read-only
 * @body: the peer's body, mapped read-only
 * @body_size: bytes mapped at @body
 *
 * The ring checks the header and takes its copy of the geometry; the own
 * region then says CONNECTED, and the peer is notified so that it looks.
 *
 * Context: RTNL.
 * Return: 0, or -EPROTO for a region that breaks the format (the peer is
 * then scheduled for removal).
 */
int mmnet_peer_attach(struct mmnet_peer *peer, const struct mmnet_ctrl *ctrl,
		      const void *body, size_t body_size)
{
	int ret;

	ASSERT_RTNL();
	ret = mmnet_ring_attach(peer->ring, ctrl, body, body_size);
	if (ret) {
		local_bh_disable();
		mmnet_peer_fail(peer);
		local_bh_enable();
		return ret;
	}
	peer->attached = true;
	napi_enable(&peer->napi);
	WRITE_ONCE(peer->napi_enabled, true);
	mod_timer(&peer->stall_timer, jiffies + HZ);
	/*
	 * One poll of our own: an event that came before NAPI was enabled
	 * was taken for spurious, and the peer sends no other until we arm
	 * its receive event, which only a poll does.
	 */
	local_bh_disable();
	mmnet_peer_kick(peer);
	local_bh_enable();
	mmnet_peer_notify(peer);
	mmnet_peer_sync(peer);
	return 0;
}

/* ---- removal ---- */

/**
 * mmnet_peer_batch_add - put a peer in a removal batch
 * @peer: the peer; ignored if it is in a batch already or on its way out
 * @batch: the list to hand to mmnet_peers_remove()
 *
 * Context: RTNL.
 */
void mmnet_peer_batch_add(struct mmnet_peer *peer, struct list_head *batch)
{
	ASSERT_RTNL();
	if (peer->removing)
		return;
	peer->removing = true;
	list_add_tail(&peer->batch_node, batch);
}

/* Stage 1: wait, boundedly, until the peer took what it was sent. */
static void mmnet_peer_drain(struct mmnet_peer *peer)
{
	unsigned int ms = min(READ_ONCE(drain_ms), MMNET_DRAIN_MAX_MS);
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);

	while (!READ_ONCE(peer->drain_abort) && !mmnet_tx_idle(peer) &&
	       time_before(jiffies, deadline)) {
		/* Our NAPI moves the backlog on as room comes back. */
		local_bh_disable();
		mmnet_peer_kick(peer);
		local_bh_enable();
		usleep_range(500, 1000);
	}
}

/* Stage 2: out of the transmit lookup.  RTNL. */
static void mmnet_peer_unlink(struct mmnet_peer *peer)
{
	struct mmnet_device *mmnet = peer->mmnet;

	if (peer->in_service) {
		hlist_del_rcu(&peer->hash_node);
		WRITE_ONCE(peer->in_service, false);
		mmnet->connected--;
		mmnet_device_link_update(mmnet);
	}
	peer->teardown = MMNET_TEARDOWN_UNLINKED;
}

/* Stage 4: close the ring, quiesce NAPI, count what could not be delivered. */
static void mmnet_peer_shutdown(struct mmnet_peer *peer)
{
	unsigned int lost = mmnet_tx_shutdown(peer);

	if (lost) {
		local_bh_disable();
		mmnet_peer_count(peer, MMNET_STAT_TX_DROPPED_CLOSED, lost);
		local_bh_enable();
	}
	mmnet_ring_close(peer->ring, READ_ONCE(peer->close_reason));
	mmnet_peer_notify(peer);
	if (peer->napi_enabled)
		napi_disable(&peer->napi);
	netif_napi_del(&peer->napi);
	/* NAPI, the pool's only user, is quiet now. */
	mmnet_peer_destroy_pool(peer);
}

/*
 * Stage 4, RTNL, after a grace period since the unlink: the transport's
 * part, then the device's list lets go of the peer.
 */
static void mmnet_peer_finish(struct mmnet_peer *peer)
{
	mmnet_peer_shutdown(peer);
	list_del_rcu(&peer->list);
	mmnet_region_unmap(&peer->own);
	peer->ops->close(peer->chan);
	peer->teardown = MMNET_TEARDOWN_DONE;
	mmnet_peer_put(peer);
}

/* Stages 1-4 of one peer, in its own work: RTNL only for the short steps. */
static void mmnet_peer_teardown_fn(struct work_struct *work)
{
	struct mmnet_peer *peer = container_of(work, struct mmnet_peer,
					       teardown_work);

	/* Redirects the classifier decided before are in transmit by now. */
	synchronize_net();
	mutex_lock(&peer->drain_lock);
	mmnet_peer_drain(peer);
	mutex_unlock(&peer->drain_lock);

	rtnl_lock();
	if (peer->teardown == MMNET_TEARDOWN_DRAINING)
		mmnet_peer_unlink(peer);
	rtnl_unlock();
	synchronize_net();
	rtnl_lock();
	if (peer->teardown == MMNET_TEARDOWN_UNLINKED)
		mmnet_peer_finish(peer);
	rtnl_unlock();
	/* The work's reference: the peer may be freed now. */
	mmnet_peer_put(peer);
}

/* Stage 0, RTNL: the classifier stops redirecting; the work does the rest. */
static void mmnet_peer_start_removal(struct mmnet_peer *peer)
{
	mmnet_peer_unpublish(peer);
	WRITE_ONCE(peer->state, MMNET_PEER_CLOSING);
	WRITE_ONCE(peer->teardown, MMNET_TEARDOWN_DRAINING);
	kref_get(&peer->refcount);
	queue_work(mmnet_wq, &peer->teardown_work);
}

/**
 * mmnet_peers_remove - start tearing a batch of peers down
 * @batch: peers added with mmnet_peer_batch_add(); empty afterwards
 *
 * The peers leave the peer map now; each drains and is closed by its own
 * work, whose ->close() comes later, under RTNL.  Until then the peer is
 * listed, in state CLOSING, and mmnet_peer_removing() says so.
 *
 * Context: RTNL; does not sleep.
 */
void mmnet_peers_remove(struct list_head *batch)
{
	struct mmnet_peer *peer, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(peer, tmp, batch, batch_node) {
		list_del(&peer->batch_node);
		mmnet_peer_start_removal(peer);
	}
}

/*
 * RTNL: make the peer's work leave it alone; a drain in progress sees the
 * flag within a millisecond and lets go of @drain_lock.
 */
static void mmnet_peer_abort_drain(struct mmnet_peer *peer)
{
	WRITE_ONCE(peer->drain_abort, true);
	mutex_lock(&peer->drain_lock);
	mutex_unlock(&peer->drain_lock);
}

/**
 * mmnet_peers_remove_all - tear down every peer of a device, now
 * @mmnet: the device
 *
 * For detach, unload and suspend, which cannot wait: no drain (what the
 * peers did not take yet is dropped and counted; TCP sends it again), one
 * grace period for all, and every ->close() has returned when this does,
 * including those of peers whose removal had started before.
 *
 * Context: RTNL; sleeps for a grace period.
 */
void mmnet_peers_remove_all(struct mmnet_device *mmnet)
{
	struct mmnet_peer *peer, *tmp;
	LIST_HEAD(batch);

	ASSERT_RTNL();
	list_for_each_entry(peer, &mmnet->peer_list, list)
		mmnet_peer_batch_add(peer, &batch);
	mmnet_peers_remove(&batch);
	if (list_empty(&mmnet->peer_list))
		return;
	list_for_each_entry(peer, &mmnet->peer_list, list) {
		mmnet_peer_abort_drain(peer);
		if (peer->teardown == MMNET_TEARDOWN_DRAINING)
			mmnet_peer_unlink(peer);
	}
	synchronize_net();
	list_for_each_entry_safe(peer, tmp, &mmnet->peer_list, list)
		mmnet_peer_finish(peer);
}

/*
 * Requests from contexts that cannot take RTNL (NAPI, transports' interrupt
 * handlers): put peers in service, remove them.  One work per device, so
 * that a removal on one device never waits for another's.
 */
static void mmnet_peer_work_fn(struct work_struct *work)
{
	struct mmnet_device *mmnet = container_of(work, struct mmnet_device,
						  peer_work);
	struct mmnet_peer *peer;
	LIST_HEAD(batch);

	rtnl_lock();
	list_for_each_entry(peer, &mmnet->peer_list, list) {
		if (test_and_clear_bit(MMNET_PEER_F_SYNC, &peer->flags))
			mmnet_peer_sync(peer);
		if (test_bit(MMNET_PEER_F_REMOVE, &peer->flags))
			mmnet_peer_batch_add(peer, &batch);
	}
	mmnet_peers_remove(&batch);
	rtnl_unlock();
}

/*
 * A new device has no peers.  The work is cancelled by the device's
 * destructor, which runs without RTNL once the device has no peers left.
 */
void mmnet_peers_init(struct mmnet_device *mmnet)
{
	INIT_LIST_HEAD(&mmnet->peer_list);
	INIT_WORK(&mmnet->peer_work, mmnet_peer_work_fn);
}
