// SPDX-License-Identifier: GPL-2.0
/*
 * The loop transport: channels between mmnet devices of one kernel, for the
 * plain testbed, where the "guests" are network namespaces.  It runs the
 * very same region format and ring code as Xen; only mapping and
 * notification differ:
 *
 *  - a page reference is an index into the owner's page array (a grant
 *    reference on Xen); the peer's body is mapped read-only with vmap(),
 *    holding a reference on each page, as a grant mapping pins the page;
 *  - a notification schedules the other end's NAPI (an event channel).
 *
 * Discovery stands in for xenstore: every attached device is an endpoint
 * with an id (1, 2, ... in attach order), and gets a peer for every other
 * endpoint, whose id, MAC and IP addresses are those of that endpoint
 * (its lower NIC's addresses, which the core keeps us told of).
 * A pair torn down because one side broke the channel stays down until one
 * of the devices is attached again.
 */

#include "loop.h"
#include "region.h"
#include "transport.h"

#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mmnet_channel.h>

/**
 * struct mmnet_loop_end - an attached device, as the others see it: the
 *	device's transport state
 * @mmnet: the device
 * @node: in mmnet_loop_ends
 * @id: the peer id the other devices know it by
 * @addrs: its lower NIC's addresses, which its peers on the others have
 */
struct mmnet_loop_end {
	struct mmnet_device *mmnet;
	struct list_head node;
	u32 id;
	struct mmnet_addrs addrs;
};

/**
 * struct mmnet_loop_link - a channel: the two peers, one on each device
 * @node: in mmnet_loop_links while a side is open
 * @end: the two endpoints; side i is a peer on @end[i]'s device that
 *	stands for @end[!i]
 * @side: the peers; an end is cleared when its peer is closed, and
 *	->notify() reads the other under RCU
 * @refs: one per side not closed yet
 * @rcu: the link is freed after the last close and a grace period
 */
struct mmnet_loop_link {
	struct list_head node;
	struct mmnet_loop_end *end[2];
	struct mmnet_peer __rcu *side[2];
	refcount_t refs;
	struct rcu_head rcu;
};

/**
 * struct mmnet_loop_peer - the transport's state of one side of a link
 * @peer: the core's peer
 * @link: the channel
 * @side: our index in @link->side
 * @pages: the pages of the other side's region we map, with a reference
 *	each: its control page, then the body pages in refs[] order
 * @nr_pages: entries of @pages in use
 * @ctrl: the other side's control page, read-only
 * @body: the other side's body, read-only
 */
struct mmnet_loop_peer {
	struct mmnet_peer *peer;
	struct mmnet_loop_link *link;
	unsigned int side;
	struct page **pages;
	unsigned int nr_pages;
	const struct mmnet_ctrl *ctrl;
	const void *body;
};

/* The attached devices and their channels; RTNL. */
static LIST_HEAD(mmnet_loop_ends);
static LIST_HEAD(mmnet_loop_links);
static DEFINE_IDA(mmnet_loop_ida);

/* Context: any (transmit, NAPI, process with BHs off). */
static void mmnet_loop_notify(void *chan)
{
	struct mmnet_loop_peer *lp = chan;
	struct mmnet_peer *other;

	rcu_read_lock();
	other = rcu_dereference(lp->link->side[!lp->side]);
	if (other)
		mmnet_peer_kick(other);
	rcu_read_unlock();
}

/* A side is closed, or was never made.  RTNL. */
static void mmnet_loop_link_put(struct mmnet_loop_link *link)
{
	if (!refcount_dec_and_test(&link->refs))
		return;
	list_del(&link->node);
	kfree_rcu(link, rcu);
}

/*
 * Unmap the other side's region; drop our own pages.  Each page lives on
 * while the other side's mapping still holds its reference, which is what
 * "do not reuse the pages while the peer may map them" asks.
 */
static void mmnet_loop_close(void *chan)
{
	struct mmnet_loop_peer *lp = chan;
	unsigned int i;

	RCU_INIT_POINTER(lp->link->side[lp->side], NULL);
	if (lp->body)
		vunmap(lp->body);
	if (lp->ctrl)
		vunmap(lp->ctrl);
	for (i = 0; i < lp->nr_pages; i++)
		put_page(lp->pages[i]);
	kfree(lp->pages);
	mmnet_region_put_pages(mmnet_peer_own(lp->peer));
	mmnet_loop_link_put(lp->link);
	kfree(lp);
}

/* Share the own region: body page i is "reference" i + 1 (0 is the control page). */
static int mmnet_loop_share(struct mmnet_peer *peer)
{
	struct mmnet_region *own = mmnet_peer_own(peer);
	unsigned int i, nr = own->nr_pages - 1;
	u32 *refs;
	int ret;

	refs = kmalloc_array(nr, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		refs[i] = i + 1;
	ret = mmnet_region_set_refs(own->ctrl, refs, nr);
	kfree(refs);
	return ret;
}

/* Map @nr pages of @region, by reference, read-only, with a page reference each. */
static const void *mmnet_loop_map_pages(struct mmnet_loop_peer *lp,
					const struct mmnet_region *region,
					const u32 *refs, unsigned int nr)
{
	unsigned int i, first = lp->nr_pages;

	for (i = 0; i < nr; i++) {
		/* A reference from shared memory: check it, like a grant ref. */
		if (refs[i] >= region->nr_pages ||
		    lp->nr_pages >= region->nr_pages)
			return NULL;
		lp->pages[lp->nr_pages] = region->pages[refs[i]];
		get_page(lp->pages[lp->nr_pages++]);
	}
	return vmap(&lp->pages[first], nr, VM_MAP, PAGE_KERNEL_RO);
}

/*
 * Connect @lp to the other side's region @region, as the Xen transport
 * does with grants: the control page first, its refs[], then the body.
 */
static int mmnet_loop_map(struct mmnet_loop_peer *lp,
			  const struct mmnet_region *region)
{
	const u32 ctrl_ref = 0;
	u32 *refs;
	int nr;

	lp->pages = kcalloc(region->nr_pages, sizeof(*lp->pages), GFP_KERNEL);
	refs = kmalloc_array(MMNET_MAX_REFS, sizeof(*refs), GFP_KERNEL);
	if (!lp->pages || !refs)
		goto err;
	lp->ctrl = mmnet_loop_map_pages(lp, region, &ctrl_ref, 1);
	if (!lp->ctrl)
		goto err;
	nr = mmnet_region_peer_refs(lp->ctrl, refs, MMNET_MAX_REFS);
	if (nr <= 0)
		goto err;
	lp->body = mmnet_loop_map_pages(lp, region, refs, nr);
	if (!lp->body)
		goto err;
	kfree(refs);
	return mmnet_peer_attach(lp->peer, lp->ctrl, lp->body,
				 (size_t)nr * PAGE_SIZE);

err:
	kfree(refs);
	mmnet_peer_schedule_removal(lp->peer);
	return -EPROTO;
}

/* Side @side of @link: a peer on @end's device that stands for @other. */
static struct mmnet_loop_peer *mmnet_loop_peer_new(struct mmnet_loop_end *end,
						   struct mmnet_loop_end *other,
						   struct mmnet_loop_link *link,
						   unsigned int side)
{
	struct mmnet_loop_peer *lp = kzalloc(sizeof(*lp), GFP_KERNEL);
	struct mmnet_peer *peer;

	if (!lp)
		return ERR_PTR(-ENOMEM);
	lp->link = link;
	lp->side = side;
	peer = mmnet_peer_create(end->mmnet, other->id, lp);
	if (IS_ERR(peer)) {
		kfree(lp);
		return ERR_CAST(peer);
	}
	lp->peer = peer;
	rcu_assign_pointer(link->side[side], peer);
	mmnet_peer_set_addrs(peer, &other->addrs);
	if (mmnet_loop_share(peer))
		mmnet_peer_schedule_removal(peer);
	return lp;
}

/* Join @a and @b with a channel: a peer on each, each mapping the other's region. */
static void mmnet_loop_pair(struct mmnet_loop_end *a, struct mmnet_loop_end *b)
{
	struct mmnet_loop_link *link = kzalloc(sizeof(*link), GFP_KERNEL);
	struct mmnet_loop_peer *pa, *pb;

	if (!link)
		return;
	link->end[0] = a;
	link->end[1] = b;
	refcount_set(&link->refs, 2);
	list_add_tail(&link->node, &mmnet_loop_links);
	pa = mmnet_loop_peer_new(a, b, link, 0);
	if (IS_ERR(pa))
		mmnet_loop_link_put(link);
	pb = mmnet_loop_peer_new(b, a, link, 1);
	if (IS_ERR(pb))
		mmnet_loop_link_put(link);
	if (IS_ERR(pa) || IS_ERR(pb)) {
		/* The one that exists goes too; its close drops the last link ref. */
		if (!IS_ERR(pa))
			mmnet_peer_schedule_removal(pa->peer);
		if (!IS_ERR(pb))
			mmnet_peer_schedule_removal(pb->peer);
		pr_warn("loop: cannot pair endpoints %u and %u\n", a->id, b->id);
		return;
	}
	if (mmnet_loop_map(pa, mmnet_peer_own(pb->peer)) ||
	    mmnet_loop_map(pb, mmnet_peer_own(pa->peer))) {
		/* A channel is both directions or nothing. */
		mmnet_peer_schedule_removal(pa->peer);
		mmnet_peer_schedule_removal(pb->peer);
		return;
	}
	/* pb attached after pa looked at it: tell pa now rather than later. */
	mmnet_peer_sync(pa->peer);
}

/* Context: RTNL.  Pair the newly attached device with every other one. */
static int mmnet_loop_join(struct mmnet_device *mmnet, void *priv,
			   const struct mmnet_addrs *lower,
			   struct netlink_ext_ack *extack)
{
	struct mmnet_loop_end *end = priv, *other;
	int id;

	id = ida_alloc_min(&mmnet_loop_ida, 1, GFP_KERNEL);
	if (id < 0)
		return id;
	end->id = id;
	end->mmnet = mmnet;
	end->addrs = *lower;
	list_for_each_entry(other, &mmnet_loop_ends, node)
		mmnet_loop_pair(end, other);
	list_add_tail(&end->node, &mmnet_loop_ends);
	return 0;
}

/*
 * Context: RTNL.  Both peers of each of the device's channels, this
 * device's and the other device's, go in one batch: they leave the peer
 * maps at once.  The core closes this device's right after; the other
 * device's drain and close on their own.
 */
static void mmnet_loop_leave(struct mmnet_device *mmnet, void *priv)
{
	struct mmnet_loop_end *end = priv;
	struct mmnet_loop_link *link;
	struct mmnet_peer *peer;
	unsigned int i;
	LIST_HEAD(batch);

	list_del(&end->node);
	list_for_each_entry(link, &mmnet_loop_links, node) {
		if (link->end[0] != end && link->end[1] != end)
			continue;
		for (i = 0; i < 2; i++) {
			peer = rtnl_dereference(link->side[i]);
			if (peer)
				mmnet_peer_batch_add(peer, &batch);
			/*
			 * @end goes with the device; the other side may
			 * close later, and no new end may be taken for it.
			 */
			if (link->end[i] == end)
				link->end[i] = NULL;
		}
	}
	/* Closing the last side of a link frees it: not during the walk. */
	mmnet_peers_remove(&batch);
	ida_free(&mmnet_loop_ida, end->id);
}

/* Context: RTNL.  The peers that stand for @end on the other devices follow. */
static void mmnet_loop_addrs_changed(struct mmnet_device *mmnet, void *priv,
				     const struct mmnet_addrs *lower)
{
	struct mmnet_loop_end *end = priv;
	struct mmnet_loop_link *link;
	struct mmnet_peer *peer;
	unsigned int i;

	end->addrs = *lower;
	list_for_each_entry(link, &mmnet_loop_links, node) {
		for (i = 0; i < 2; i++) {
			if (link->end[i] != end)
				continue;
			peer = rtnl_dereference(link->side[!i]);
			if (peer)
				mmnet_peer_set_addrs(peer, &end->addrs);
		}
	}
}

/* Anywhere: the other attached devices of this kernel are the peers. */
static bool mmnet_loop_available(void)
{
	return true;
}

/* After every device is gone, so no endpoint is left. */
static void mmnet_loop_exit(void)
{
	WARN_ON(!list_empty(&mmnet_loop_ends));
	WARN_ON(!list_empty(&mmnet_loop_links));
}

const struct mmnet_transport mmnet_loop_transport = {
	.name		= "loop",
	.priv_size	= sizeof(struct mmnet_loop_end),
	.available	= mmnet_loop_available,
	.exit		= mmnet_loop_exit,
	.join		= mmnet_loop_join,
	.leave		= mmnet_loop_leave,
	.addrs_changed	= mmnet_loop_addrs_changed,
	.notify		= mmnet_loop_notify,
	.close		= mmnet_loop_close,
};
