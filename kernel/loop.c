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
 * (its lower NIC's addresses, kept current by the notifiers below).
 * A pair torn down because one side broke the channel stays down until one
 * of the devices is attached again.
 */

#include "loop.h"
#include "device.h"
#include "peer.h"

#include <linux/etherdevice.h>
#include <linux/idr.h>
#include <linux/inetdevice.h>
#include <linux/mm.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>

/**
 * struct mmnet_loop_end - an attached device, as the others see it
 * @mmnet: the device
 * @node: in mmnet_loop_ends
 * @id: the peer id the other devices know it by
 */
struct mmnet_loop_end {
	struct mmnet_device *mmnet;
	struct list_head node;
	u32 id;
};

/**
 * struct mmnet_loop_link - a channel: the two peers, one on each device
 * @side: the peers; an end is cleared when its peer is closed, and
 *	->notify() reads the other under RCU
 * @refs: one per side not closed yet
 * @rcu: the link is freed after the last close and a grace period
 */
struct mmnet_loop_link {
	struct mmnet_peer __rcu *side[2];
	refcount_t refs;
	struct rcu_head rcu;
};

/**
 * struct mmnet_loop_peer - peer->transport of a loop peer
 * @link: the channel
 * @side: our index in @link->side
 * @pages: the pages of the other side's region we map, with a reference
 *	each: its control page, then the body pages in refs[] order
 * @nr_pages: entries of @pages in use
 * @ctrl: the other side's control page, read-only
 * @body: the other side's body, read-only
 */
struct mmnet_loop_peer {
	struct mmnet_loop_link *link;
	unsigned int side;
	struct page **pages;
	unsigned int nr_pages;
	const struct mmnet_ctrl *ctrl;
	const void *body;
};

/* The attached devices; RTNL. */
static LIST_HEAD(mmnet_loop_ends);
static DEFINE_IDA(mmnet_loop_ida);
/* Read by the address notifiers, which may run in atomic context. */
static atomic_t mmnet_loop_nr_ends = ATOMIC_INIT(0);

static void mmnet_loop_refresh_fn(struct work_struct *work);
static DECLARE_WORK(mmnet_loop_refresh_work, mmnet_loop_refresh_fn);

static struct mmnet_peer *mmnet_loop_other(struct mmnet_peer *peer)
{
	struct mmnet_loop_peer *lp = peer->transport;

	return rtnl_dereference(lp->link->side[!lp->side]);
}

/* Context: any (transmit, NAPI, process with BHs off). */
static void mmnet_loop_notify(struct mmnet_peer *peer)
{
	struct mmnet_loop_peer *lp = peer->transport;
	struct mmnet_peer *other;

	rcu_read_lock();
	other = rcu_dereference(lp->link->side[!lp->side]);
	if (other)
		mmnet_peer_kick(other);
	rcu_read_unlock();
}

static void mmnet_loop_link_put(struct mmnet_loop_link *link)
{
	if (refcount_dec_and_test(&link->refs))
		kfree_rcu(link, rcu);
}

/*
 * Unmap the other side's region; drop our own pages.  Each page lives on
 * while the other side's mapping still holds its reference, which is what
 * "do not reuse the pages while the peer may map them" asks.
 */
static void mmnet_loop_close(struct mmnet_peer *peer)
{
	struct mmnet_loop_peer *lp = peer->transport;
	unsigned int i;

	RCU_INIT_POINTER(lp->link->side[lp->side], NULL);
	if (lp->body)
		vunmap(lp->body);
	if (lp->ctrl)
		vunmap(lp->ctrl);
	for (i = 0; i < lp->nr_pages; i++)
		put_page(lp->pages[i]);
	kfree(lp->pages);
	mmnet_region_put_pages(&peer->own);
	mmnet_loop_link_put(lp->link);
	kfree(lp);
}

static const struct mmnet_transport_ops mmnet_loop_ops = {
	.name	= "loop",
	.notify	= mmnet_loop_notify,
	.close	= mmnet_loop_close,
};

/* Share the own region: body page i is "reference" i + 1 (0 is the control page). */
static int mmnet_loop_share(struct mmnet_peer *peer)
{
	unsigned int i, nr = peer->own.nr_pages - 1;
	u32 *refs;
	int ret;

	refs = kmalloc_array(nr, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		refs[i] = i + 1;
	ret = mmnet_region_set_refs(peer->own.ctrl, refs, nr);
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
 * Connect @peer to the other side's region @region, as the Xen transport
 * will with grants: the control page first, its refs[], then the body.
 */
static int mmnet_loop_map(struct mmnet_peer *peer,
			  const struct mmnet_region *region)
{
	struct mmnet_loop_peer *lp = peer->transport;
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
	return mmnet_peer_attach(peer, lp->ctrl, lp->body,
				 (size_t)nr * PAGE_SIZE);

err:
	kfree(refs);
	mmnet_peer_schedule_removal(peer);
	return -EPROTO;
}

/* The addresses of @end's lower NIC: what the peers standing for it are reachable at. */
static void mmnet_loop_addrs(const struct mmnet_loop_end *end,
			     struct mmnet_addrs *a)
{
	struct net_device *lower = rtnl_dereference(end->mmnet->lower);
	const struct in_ifaddr *ifa;
	struct inet6_ifaddr *ifp;
	struct inet6_dev *idev;
	struct in_device *in_dev;

	memset(a, 0, sizeof(*a));
	ether_addr_copy(a->mac, lower->dev_addr);
	in_dev = __in_dev_get_rtnl(lower);
	if (in_dev)
		in_dev_for_each_ifa_rtnl(ifa, in_dev)
			if (a->nr_ipv4 < MMNET_PEER_MAX_ADDRS)
				a->ipv4[a->nr_ipv4++] = ifa->ifa_local;
	idev = __in6_dev_get(lower);
	if (!idev)
		return;
	read_lock_bh(&idev->lock);
	list_for_each_entry(ifp, &idev->addr_list, if_list)
		if (a->nr_ipv6 < MMNET_PEER_MAX_ADDRS)
			a->ipv6[a->nr_ipv6++] = ifp->addr;
	read_unlock_bh(&idev->lock);
}

/* A peer on @end's device that stands for @other. */
static struct mmnet_peer *mmnet_loop_peer_new(struct mmnet_loop_end *end,
					      struct mmnet_loop_end *other,
					      struct mmnet_loop_link *link,
					      unsigned int side)
{
	struct mmnet_loop_peer *lp = kzalloc(sizeof(*lp), GFP_KERNEL);
	struct mmnet_peer *peer;
	struct mmnet_addrs a;

	if (!lp)
		return ERR_PTR(-ENOMEM);
	lp->link = link;
	lp->side = side;
	peer = mmnet_peer_create(end->mmnet, &mmnet_loop_ops, other->id, lp);
	if (IS_ERR(peer)) {
		kfree(lp);
		return peer;
	}
	rcu_assign_pointer(link->side[side], peer);
	mmnet_loop_addrs(other, &a);
	mmnet_peer_set_addrs(peer, &a);
	if (mmnet_loop_share(peer))
		mmnet_peer_schedule_removal(peer);
	return peer;
}

/* Join @a and @b with a channel: a peer on each, each mapping the other's region. */
static void mmnet_loop_pair(struct mmnet_loop_end *a, struct mmnet_loop_end *b)
{
	struct mmnet_loop_link *link = kzalloc(sizeof(*link), GFP_KERNEL);
	struct mmnet_peer *pa, *pb;

	if (!link)
		return;
	refcount_set(&link->refs, 2);
	pa = mmnet_loop_peer_new(a, b, link, 0);
	if (IS_ERR(pa))
		mmnet_loop_link_put(link);
	pb = mmnet_loop_peer_new(b, a, link, 1);
	if (IS_ERR(pb))
		mmnet_loop_link_put(link);
	if (IS_ERR(pa) || IS_ERR(pb)) {
		/* The one that exists goes too; its close drops the last link ref. */
		if (!IS_ERR(pa))
			mmnet_peer_schedule_removal(pa);
		if (!IS_ERR(pb))
			mmnet_peer_schedule_removal(pb);
		pr_warn("loop: cannot pair endpoints %u and %u\n", a->id, b->id);
		return;
	}
	if (mmnet_loop_map(pa, &pb->own) || mmnet_loop_map(pb, &pa->own)) {
		/* A channel is both directions or nothing. */
		mmnet_peer_schedule_removal(pa);
		mmnet_peer_schedule_removal(pb);
		return;
	}
	/* pb attached after pa looked at it: tell pa now rather than later. */
	mmnet_peer_sync(pa);
}

/**
 * mmnet_loop_join - an mmnet device was attached: pair it with the others
 * @mmnet: the device, with its lower NIC set
 *
 * Context: RTNL.
 * Return: 0 or -ENOMEM.
 */
int mmnet_loop_join(struct mmnet_device *mmnet)
{
	struct mmnet_loop_end *end, *other;
	int id;

	ASSERT_RTNL();
	end = kzalloc(sizeof(*end), GFP_KERNEL);
	if (!end)
		return -ENOMEM;
	id = ida_alloc_min(&mmnet_loop_ida, 1, GFP_KERNEL);
	if (id < 0) {
		kfree(end);
		return id;
	}
	end->id = id;
	end->mmnet = mmnet;
	mmnet->loop = end;
	list_for_each_entry(other, &mmnet_loop_ends, node)
		mmnet_loop_pair(end, other);
	list_add_tail(&end->node, &mmnet_loop_ends);
	atomic_inc(&mmnet_loop_nr_ends);
	return 0;
}

/**
 * mmnet_loop_leave - an mmnet device is detached: end its channels
 * @mmnet: the device
 *
 * Both peers of each channel, this device's and the other device's, go in
 * one batch: they leave the peer maps at once and drain together.
 *
 * Context: RTNL.
 */
void mmnet_loop_leave(struct mmnet_device *mmnet)
{
	struct mmnet_loop_end *end = mmnet->loop;
	struct mmnet_peer *peer, *other;
	LIST_HEAD(batch);

	ASSERT_RTNL();
	if (!end)
		return;
	list_del(&end->node);
	atomic_dec(&mmnet_loop_nr_ends);
	list_for_each_entry(peer, &mmnet->peer_list, list) {
		if (peer->ops != &mmnet_loop_ops)
			continue;
		mmnet_peer_batch_add(peer, &batch);
		other = mmnet_loop_other(peer);
		if (other)
			mmnet_peer_batch_add(other, &batch);
	}
	mmnet_peers_remove(&batch);
	ida_free(&mmnet_loop_ida, end->id);
	mmnet->loop = NULL;
	kfree(end);
}

/* Bring every loop peer's addresses up to date with its endpoint's lower NIC. */
static void mmnet_loop_refresh(void)
{
	struct mmnet_loop_end *end;
	struct mmnet_peer *peer, *other;
	struct mmnet_addrs a;

	list_for_each_entry(end, &mmnet_loop_ends, node) {
		list_for_each_entry(peer, &end->mmnet->peer_list, list) {
			if (peer->ops != &mmnet_loop_ops || peer->removing)
				continue;
			other = mmnet_loop_other(peer);
			if (!other || !other->mmnet->loop)
				continue;
			mmnet_loop_addrs(other->mmnet->loop, &a);
			mmnet_peer_set_addrs(peer, &a);
		}
	}
}

static void mmnet_loop_refresh_fn(struct work_struct *work)
{
	rtnl_lock();
	mmnet_loop_refresh();
	rtnl_unlock();
}

/*
 * Address changes anywhere: cheap to refresh all, and the IPv6 chain is
 * atomic, so the work does it.
 */
static int mmnet_loop_addr_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	if (atomic_read(&mmnet_loop_nr_ends) > 1)
		schedule_work(&mmnet_loop_refresh_work);
	return NOTIFY_DONE;
}

static int mmnet_loop_netdev_event(struct notifier_block *nb,
				   unsigned long event, void *ptr)
{
	if (event == NETDEV_CHANGEADDR)
		return mmnet_loop_addr_event(nb, event, ptr);
	return NOTIFY_DONE;
}

static struct notifier_block mmnet_loop_inet_nb = {
	.notifier_call = mmnet_loop_addr_event,
};

static struct notifier_block mmnet_loop_inet6_nb = {
	.notifier_call = mmnet_loop_addr_event,
};

static struct notifier_block mmnet_loop_netdev_nb = {
	.notifier_call = mmnet_loop_netdev_event,
};

int __init mmnet_loop_init(void)
{
	int ret;

	ret = register_inetaddr_notifier(&mmnet_loop_inet_nb);
	if (ret)
		goto err_inet;
	ret = register_inet6addr_notifier(&mmnet_loop_inet6_nb);
	if (ret)
		goto err_inet6;
	ret = register_netdevice_notifier(&mmnet_loop_netdev_nb);
	if (ret)
		goto err_netdev;
	return 0;

err_netdev:
	unregister_inet6addr_notifier(&mmnet_loop_inet6_nb);
err_inet6:
	unregister_inetaddr_notifier(&mmnet_loop_inet_nb);
err_inet:
	return ret;
}

/* After every device is gone, so no endpoint is left. */
void mmnet_loop_uninit(void)
{
	unregister_netdevice_notifier(&mmnet_loop_netdev_nb);
	unregister_inet6addr_notifier(&mmnet_loop_inet6_nb);
	unregister_inetaddr_notifier(&mmnet_loop_inet_nb);
	cancel_work_sync(&mmnet_loop_refresh_work);
	WARN_ON(!list_empty(&mmnet_loop_ends));
}
