// SPDX-License-Identifier: GPL-2.0
/*
 * One Xen channel's resources: the grants of the own region, the mapping of
 * the peer's region, the inter-domain event channel, the polling timer.
 * xen.c decides when (the rendezvous in xenstore); this file knows how.
 * Everything runs under RTNL but the interrupt handler, the timer and
 * mmnet_xenchan_notify().
 *
 * Mapping the peer's pages.  A PV guest cannot put a foreign frame into a
 * page table entry of its own making -- Xen refuses such an entry -- so the
 * grant map operation itself has to write the entries: the peer's region
 * first gets a virtual range, a read-only vmap() of the zero page, which
 * also makes the page tables exist, and each grant is then mapped over one
 * of its entries (GNTMAP_host_map at a virtual address).  Unmapping empties
 * the entries before vunmap() releases the range.  An auto-translated guest
 * (HVM, PVH) maps the grants into ballooned frames and vmap()s those, as
 * xenbus does for multi-page rings.  The testbed runs PV guests only (TCG
 * has neither HAP nor shadow paging for the others).
 */

#include "xenchan.h"
#include "xenproto.h"
#include "region.h"
#include "transport.h"

#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/events.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <asm/xen/hypercall.h>
#include <linux/mmnet_channel.h>

/* Grant operations per hypercall, in an array on the stack. */
#define MMNET_XEN_BATCH		16

/* xenproto.c checks the peer's references and ports against these. */
static_assert(MMNET_XS_GNTTAB_NR_RESERVED == GNTTAB_NR_RESERVED_ENTRIES);
static_assert(MMNET_XS_INVALID_GREF == INVALID_GRANT_REF);
static_assert(MMNET_XS_EVTCHN_NR_CHANNELS == EVTCHN_FIFO_NR_CHANNELS);

/* ---- grants of the own region ---- */

/*
 * Grant @page to the peer, read-only.  The grant holds a page reference of
 * its own, which gnttab_end_foreign_access() drops once the peer no longer
 * maps the page: so the owner's reference can go with the rest of the peer.
 */
static int mmnet_xenchan_grant(struct mmnet_xen_chan *chan, struct page *page)
{
	int ref = gnttab_grant_foreign_access(chan->domid,
					      xen_page_to_gfn(page), 1);

	if (ref >= 0)
		get_page(page);
	return ref;
}

/**
 * mmnet_xenchan_share - grant the own region to the peer, read-only
 * @chan: a channel whose peer has its own region
 * @avoid: a grant reference the control page must not get, 0 for none
 *
 * The control page's reference is the one xenstore carries; @avoid is one
 * the peer may still name from an earlier channel.  Taking another one,
 * while the unwanted one is held, is all it takes.
 *
 * Return: 0, or a negative errno (what was granted is ended on release).
 */
int mmnet_xenchan_share(struct mmnet_xen_chan *chan, u32 avoid)
{
	const struct mmnet_region *own = mmnet_peer_own(chan->peer);
	unsigned int i;
	int ref, spare;

	chan->grefs = kcalloc(own->nr_pages, sizeof(*chan->grefs), GFP_KERNEL);
	if (!chan->grefs)
		return -ENOMEM;
	for (i = 0; i < own->nr_pages; i++) {
		ref = mmnet_xenchan_grant(chan, own->pages[i]);
		if (!i && ref >= 0 && (u32)ref == avoid) {
			spare = ref;
			ref = mmnet_xenchan_grant(chan, own->pages[i]);
			/* Not offered: ended now, or once the peer unmaps it. */
			gnttab_end_foreign_access(spare, own->pages[i]);
		}
		if (ref < 0)
			return ref;
		chan->grefs[i] = ref;
		chan->nr_grefs = i + 1;
	}
	return mmnet_region_set_refs(own->ctrl, chan->grefs + 1,
				     own->nr_pages - 1);
}

/* A page the peer still maps is freed when it unmaps it, not before. */
static void mmnet_xenchan_unshare(struct mmnet_xen_chan *chan)
{
	const struct mmnet_region *own = mmnet_peer_own(chan->peer);
	unsigned int i;

	for (i = 0; i < chan->nr_grefs; i++)
		gnttab_end_foreign_access(chan->grefs[i], own->pages[i]);
	kfree(chan->grefs);
	chan->grefs = NULL;
	chan->nr_grefs = 0;
}

/* ---- the peer's region ---- */

/* Map refs [@first, @first + @n) at their place in @m. */
static int mmnet_xen_map_batch(struct mmnet_xen_map *m, domid_t domid,
			       const u32 *refs, unsigned int first,
			       unsigned int n)
{
	struct gnttab_map_grant_ref ops[MMNET_XEN_BATCH];
	const u32 flags = GNTMAP_host_map | GNTMAP_readonly;
	unsigned int i;
	void *va;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (m->pages)
			va = pfn_to_kaddr(page_to_xen_pfn(m->pages[first + i]));
		else
			va = m->addr + (size_t)(first + i) * PAGE_SIZE;
		gnttab_set_map_op(&ops[i], (unsigned long)va, flags,
				  refs[first + i], domid);
	}
	if (m->pages)
		ret = gnttab_map_refs(ops, NULL, &m->pages[first], n);
	else
		gnttab_batch_map(ops, n);
	for (i = 0; i < n; i++) {
		if (ops[i].status == GNTST_okay) {
			m->handles[first + i] = ops[i].handle;
		} else {
			pr_warn_ratelimited("xen: domain %u: cannot map its grant %u: status %d\n",
					    domid, refs[first + i], ops[i].status);
			ret = -EIO;
		}
	}
	return ret;
}

/*
 * Unmap refs [@first, @first + @n) of @m.  Return: false if one stays
 * mapped: its memory cannot be given back then.
 */
static bool mmnet_xen_unmap_batch(struct mmnet_xen_map *m, unsigned int first,
				  unsigned int n)
{
	struct gnttab_unmap_grant_ref ops[MMNET_XEN_BATCH];
	struct page *pages[MMNET_XEN_BATCH];
	unsigned int i, k = 0;
	void *va;
	bool ok = true;

	for (i = first; i < first + n; i++) {
		if (m->handles[i] == INVALID_GRANT_HANDLE)
			continue;
		if (m->pages) {
			pages[k] = m->pages[i];
			va = pfn_to_kaddr(page_to_xen_pfn(m->pages[i]));
		} else {
			va = m->addr + (size_t)i * PAGE_SIZE;
		}
		gnttab_set_unmap_op(&ops[k++], (unsigned long)va,
				    GNTMAP_host_map, m->handles[i]);
	}
	if (!k)
		return true;
	if (m->pages)
		ok = !gnttab_unmap_refs(ops, NULL, pages, k);
	else
		ok = !HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, ops, k);
	for (i = 0; i < k; i++)
		ok &= ops[i].status == GNTST_okay;
	return ok;
}

/*
 * The virtual range of a PV mapping: the zero page, read-only, at every
 * place, which the grants then replace.
 */
static void *mmnet_xen_map_range(unsigned int nr)
{
	struct page **zero;
	unsigned int i;
	void *addr;

	zero = kmalloc_array(nr, sizeof(*zero), GFP_KERNEL);
	if (!zero)
		return NULL;
	for (i = 0; i < nr; i++)
		zero[i] = ZERO_PAGE(0);
	addr = vmap(zero, nr, VM_MAP, PAGE_KERNEL_RO);
	kfree(zero);
	return addr;
}

static void mmnet_xen_unmap(struct mmnet_xen_map *m)
{
	unsigned int i, n;
	bool ok = true;

	if (!m->handles)
		return;
	/* The alias of the frames goes first (auto-translated guests). */
	if (m->pages && m->addr)
		vunmap(m->addr);
	for (i = 0; i < m->nr; i += n) {
		n = min_t(unsigned int, m->nr - i, MMNET_XEN_BATCH);
		ok &= mmnet_xen_unmap_batch(m, i, n);
	}
	if (!ok) {
		/* Xen still maps some: leave the range and frames alone. */
		pr_warn("xen: cannot unmap a peer region, leaking %u pages of address space\n",
			m->nr);
	} else if (m->pages) {
		gnttab_free_pages(m->nr, m->pages);
	} else if (m->addr) {
		vunmap(m->addr);
	}
	kfree(m->pages);
	kfree(m->handles);
	memset(m, 0, sizeof(*m));
}

/* Where the grants go: a virtual range (PV) or ballooned frames. */
static int mmnet_xen_map_prepare(struct mmnet_xen_map *m, unsigned int nr)
{
	unsigned int i;

	m->handles = kmalloc_array(nr, sizeof(*m->handles), GFP_KERNEL);
	if (!m->handles)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		m->handles[i] = INVALID_GRANT_HANDLE;
	m->nr = nr;
	if (!xen_feature(XENFEAT_auto_translated_physmap)) {
		m->addr = mmnet_xen_map_range(nr);
		return m->addr ? 0 : -ENOMEM;
	}
	m->pages = kcalloc(nr, sizeof(*m->pages), GFP_KERNEL);
	if (!m->pages)
		return -ENOMEM;
	if (gnttab_alloc_pages(nr, m->pages)) {
		kfree(m->pages);
		m->pages = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Map @nr grants of @domid read-only, contiguously, at @m->addr. */
static int mmnet_xen_map(struct mmnet_xen_map *m, domid_t domid,
			 const u32 *refs, unsigned int nr)
{
	unsigned int i, n;
	int ret;

	ret = mmnet_xen_map_prepare(m, nr);
	for (i = 0; !ret && i < nr; i += n) {
		n = min_t(unsigned int, nr - i, MMNET_XEN_BATCH);
		ret = mmnet_xen_map_batch(m, domid, refs, i, n);
	}
	if (!ret && m->pages) {
		m->addr = vmap(m->pages, nr, VM_MAP, PAGE_KERNEL_RO);
		if (!m->addr)
			ret = -ENOMEM;
	}
	if (ret)
		mmnet_xen_unmap(m);
	return ret;
}

/* The body's references, from the peer's control page, each checked. */
static int mmnet_xen_body_refs(const struct mmnet_ctrl *ctrl, u32 *refs)
{
	int i, nr = mmnet_region_peer_refs(ctrl, refs, MMNET_MAX_REFS);

	if (nr <= 0)
		return -EPROTO;
	for (i = 0; i < nr; i++)
		if (!mmnet_xs_gref_ok(refs[i]))
			return -EPROTO;
	return nr;
}

/*
 * Map the peer's control page, then the body it lists.  A region that
 * already says CLOSING belongs to a channel that is going away; attaching to
 * it would only take this one down too, so it counts as not there yet.
 */
static int mmnet_xenchan_map_peer(struct mmnet_xen_chan *chan, u32 ring_ref)
{
	const struct mmnet_ctrl *ctrl;
	u32 *refs;
	int nr, ret;

	ret = mmnet_xen_map(&chan->ctrl, chan->domid, &ring_ref, 1);
	if (ret)
		return ret;
	ctrl = chan->ctrl.addr;
	refs = kmalloc_array(MMNET_MAX_REFS, sizeof(*refs), GFP_KERNEL);
	nr = refs ? mmnet_xen_body_refs(ctrl, refs) : -ENOMEM;
	ret = nr < 0 ? nr : mmnet_xen_map(&chan->body, chan->domid, refs, nr);
	kfree(refs);
	if (!ret && le32_to_cpu(READ_ONCE(ctrl->state)) > MMNET_STATE_CONNECTED)
		ret = -ESTALE;
	if (ret) {
		mmnet_xen_unmap(&chan->body);
		mmnet_xen_unmap(&chan->ctrl);
	}
	return ret;
}

/* ---- the event channel ---- */

/*
 * The port is bound with late EOI: it stays masked until we EOI, and an
 * EOI flagged spurious -- the event found nothing new -- makes the event
 * core delay the next unmask, longer for each spurious one in a row (up to
 * a second), as netfront does since XSA-391.  A peer looping on
 * EVTCHNOP_send so costs us a few interrupts a second, not a vCPU.  The work
 * an event asks for is NAPI's; it is scheduled before the EOI, and an event
 * while it is pending finds no news unless the peer made some.
 */
static irqreturn_t mmnet_xen_interrupt(int irq, void *data)
{
	struct mmnet_xen_chan *chan = data;
	unsigned int flags = 0;

	if (!mmnet_peer_event(chan->peer))
		flags = XEN_EOI_FLAG_SPURIOUS;
	xen_irq_lateeoi(irq, flags);
	return IRQ_HANDLED;
}

static void mmnet_xen_close_port(evtchn_port_t port)
{
	struct evtchn_close close = { .port = port };

	HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
}

static int mmnet_xenchan_bind(struct mmnet_xen_chan *chan, evtchn_port_t port)
{
	int irq = bind_evtchn_to_irqhandler_lateeoi(port, mmnet_xen_interrupt,
						    0, chan->name, chan);

	if (irq < 0) {
		/* It may be closed already; a second close only fails. */
		mmnet_xen_close_port(port);
		return irq;
	}
	chan->port = port;
	WRITE_ONCE(chan->irq, irq);
	return 0;
}

/**
 * mmnet_xenchan_offer_evtchn - the leader's end: a port the peer may bind
 * @chan: the channel
 *
 * Return: 0 or a negative errno.
 */
int mmnet_xenchan_offer_evtchn(struct mmnet_xen_chan *chan)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = chan->domid,
	};
	int ret = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	return ret ?: mmnet_xenchan_bind(chan, op.port);
}

/* The follower's end: bind to the port the leader offered. */
static int mmnet_xenchan_bind_remote(struct mmnet_xen_chan *chan, u32 port)
{
	struct evtchn_bind_interdomain op = {
		.remote_dom = chan->domid,
		.remote_port = port,
	};
	int ret = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);

	return ret ?: mmnet_xenchan_bind(chan, op.local_port);
}

static void mmnet_xenchan_unbind(struct mmnet_xen_chan *chan)
{
	if (chan->irq)
		unbind_from_irqhandler(chan->irq, chan);	/* closes the port */
	WRITE_ONCE(chan->irq, 0);
	chan->port = 0;
}

/**
 * mmnet_xenchan_notify - signal the peer
 * @chan: the channel
 *
 * Context: any; a no-op while no event channel is bound.
 */
void mmnet_xenchan_notify(struct mmnet_xen_chan *chan)
{
	int irq = READ_ONCE(chan->irq);

	if (irq)
		notify_remote_via_irq(irq);
}

/**
 * mmnet_xenchan_connect - map the peer's region and hand it to the core
 * @chan: a channel that shared its own region
 * @ring_ref: the peer's control page
 * @port: the leader's port (ignored when we are the leader)
 *
 * Failures before the core has the region leave the channel as it was,
 * offered, to try again with what the peer publishes next.
 *
 * Return: 0 if the core took the region (its own checks may still close
 * the channel), else a negative errno.
 */
int mmnet_xenchan_connect(struct mmnet_xen_chan *chan, u32 ring_ref, u32 port)
{
	int ret = mmnet_xenchan_map_peer(chan, ring_ref);

	if (!ret && !chan->leader) {
		ret = mmnet_xenchan_bind_remote(chan, port);
		if (ret) {
			mmnet_xen_unmap(&chan->body);
			mmnet_xen_unmap(&chan->ctrl);
		}
	}
	if (ret)
		return ret;
	chan->remote_ref = ring_ref;
	chan->remote_port = chan->leader ? 0 : port;
	chan->mapped = true;
	return mmnet_peer_attach(chan->peer, chan->ctrl.addr, chan->body.addr,
				 (size_t)chan->body.nr * PAGE_SIZE);
}

/* ---- polling ---- */

static enum hrtimer_restart mmnet_xenchan_poll_fn(struct hrtimer *timer)
{
	struct mmnet_xen_chan *chan = container_of(timer, struct mmnet_xen_chan,
						   poll);

	mmnet_peer_kick(chan->peer);
	hrtimer_forward_now(timer, ns_to_ktime((u64)chan->poll_us * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

/**
 * mmnet_xenchan_set_poll - switch between event notifications and polling
 * @chan: a mapped channel
 * @us: the polling period, 0 for event notifications
 *
 * A polled peer's NAPI does not arm the ring's receive event, so the peer
 * has no reason to notify; NAPI runs from the timer instead.  Back to
 * events, one more poll arms the event again.
 */
void mmnet_xenchan_set_poll(struct mmnet_xen_chan *chan, unsigned int us)
{
	if (us == chan->poll_us)
		return;
	hrtimer_cancel(&chan->poll);
	chan->poll_us = us;
	mmnet_peer_set_polled(chan->peer, us != 0);
	if (us) {
		hrtimer_start(&chan->poll, ns_to_ktime((u64)us * NSEC_PER_USEC),
			      HRTIMER_MODE_REL);
	} else {
		local_bh_disable();
		mmnet_peer_kick(chan->peer);
		local_bh_enable();
	}
}

/* ---- life ---- */

/* Initialise what release must be able to undo; the peer is set. */
void mmnet_xenchan_setup(struct mmnet_xen_chan *chan)
{
	hrtimer_init(&chan->poll, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	chan->poll.function = mmnet_xenchan_poll_fn;
	snprintf(chan->name, sizeof(chan->name), "mmnet-xen-%u", chan->domid);
}

/**
 * mmnet_xenchan_release - give back everything the channel holds
 * @chan: the channel; the core no longer uses it
 *
 * The peer's events stop reaching us, its region is unmapped, and the own
 * pages go back to the allocator once the peer has unmapped them, which it
 * does on its own time: nothing here waits for it.
 */
void mmnet_xenchan_release(struct mmnet_xen_chan *chan)
{
	hrtimer_cancel(&chan->poll);
	mmnet_xenchan_unbind(chan);
	mmnet_xen_unmap(&chan->body);
	mmnet_xen_unmap(&chan->ctrl);
	mmnet_xenchan_unshare(chan);
	mmnet_region_put_pages(mmnet_peer_own(chan->peer));
}
