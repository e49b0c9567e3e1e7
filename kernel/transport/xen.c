// SPDX-License-Identifier: GPL-2.0
/*
 * The Xen transport: channels between co-located Xen guests, found and set
 * up through xenstore.  docs/xenstore.md is the protocol -- taking part,
 * the daemon's introduction of each pair, the rendezvous with its leader
 * and follower, save/restore -- and xenproto.c its values and rules as
 * pure functions.  xenio.c reads and writes the values, xenchan.c
 * knows how to grant, map and signal; this file decides when, and drives
 * the core.
 *
 * One ordered work item does everything that talks to xenstore, from a
 * snapshot of the peer's directory read in a transaction; it takes RTNL
 * only to act on the core, never across xenstore I/O: the xenwatch thread
 * may wait for RTNL (netfront) while our I/O or a watch unregistration
 * waits for it.  Watches, the core's close, address changes, the polling
 * knob and suspend/resume only mark what changed and queue the work.
 */

#include "xen.h"
#include "xenchan.h"
#include "xenproto.h"
#include "xenio.h"
#include "transport.h"

#include <linux/inet.h>
#include <linux/mmnet_channel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

/* Peers a domain keeps at once; each costs a region of its own. */
#define MMNET_XEN_MAX_PEERS	64
/* What data/mmnet/addrs announces at most (docs/xenstore.md). */
#define MMNET_XEN_MAX_ADDRS	16
#define MMNET_XEN_ADDRS_LEN	(MMNET_XEN_MAX_ADDRS * INET6_ADDRSTRLEN)
#define MMNET_XEN_RETRY		HZ
#define MMNET_XEN_BACKOFF_MAX	(64 * HZ)
/*
 * The least delay after a channel the peer stopped consuming: longer than
 * TCP's first retransmissions, which then go over the normal path instead
 * of into a new channel the peer may leave unconsumed as well.
 */
#define MMNET_XEN_STALL_HOLDOFF	(16 * HZ)
#define MMNET_XEN_POLL_MAX_US	1000000

static_assert(MMNET_XS_DOMID_FIRST_RESERVED == DOMID_FIRST_RESERVED);

/* xp->flags */
enum {
	MMNET_XP_DIRTY,		/* something in the pair's directories changed */
	MMNET_XP_DIR,		/* our directory itself was created or removed */
	MMNET_XP_RETRY,		/* a step is due at retry_at */
};

/**
 * struct mmnet_xen_peer - a peer domain we were introduced to
 * @node: in mmnet_xen.peers (additions and removals under mmnet_xen.lock)
 * @domid: the peer domain
 * @flags: MMNET_XP_* for the work, from any context
 * @gone: its directory is no longer listed: tear down, then forget
 * @seen: listed by the current scan
 * @watching: @watch is registered
 * @watch: on the peer's rendezvous directory
 * @own_dir: our rendezvous directory, relative to our domain's home
 * @remote_dir: the peer's, absolute
 * @chan: the current channel, or NULL; RTNL
 * @backoff: the delay after a failure (a channel that broke the protocol
 *	or stalled, an offer or a map that failed), doubled by each one in a
 *	row, 0 after an orderly close; RTNL
 * @retry_at: when that delay ends; RTNL
 * @tried: the peer's values of the map that failed last; RTNL
 * @pub: what we last wrote in @own_dir
 * @pub_ok: @pub is known to be there
 * @told_premap: the log says that premap is not here yet
 */
struct mmnet_xen_peer {
	struct list_head node;
	domid_t domid;
	unsigned long flags;
	bool gone;
	bool seen;
	bool watching;
	struct xenbus_watch watch;
	char own_dir[32];
	char remote_dir[64];
	struct mmnet_xen_chan *chan;
	unsigned long backoff;
	unsigned long retry_at;
	struct mmnet_xs_rdv tried;
	struct mmnet_xs_rdv pub;
	bool pub_ok;
	bool told_premap;
};

/* mmnet_xen.flags */
enum {
	MMNET_XEN_SCAN,		/* the list of rendezvous directories changed */
	MMNET_XEN_MODE,		/* xen_poll_us changed */
	MMNET_XEN_RESET,	/* resumed: perhaps another domid, republish */
};

/**
 * struct mmnet_xen_state - the domain's one Xen endpoint
 * @wq: ordered: one work at a time, which serialises the xenstore side
 * @work: the work; delayed only for retries
 * @lock: the work's queueing (@dying, @due), and lookups in @peers from the
 *	watch callbacks
 * @dying: uninit began: queue nothing more
 * @due: when the work is due, while it is pending
 * @flags: MMNET_XEN_*
 * @mmnet: the device taking part, NULL if none; RTNL
 * @lower: its lower NIC's addresses, as the core told us; RTNL
 * @suspended: between PM freeze and thaw/restore: no channels; RTNL
 * @peers: struct mmnet_xen_peer, by the work
 * @self: our domid, as read when we published
 * @published: data/mmnet is ours in xenstore
 * @watching: @watch is registered
 * @watch: on our rendezvous directories
 * @addrs: the addresses as the work last formatted them
 * @addrs_pub: as last written
 * @pdev: for the PM callbacks
 */
struct mmnet_xen_state {
	struct workqueue_struct *wq;
	struct delayed_work work;
	spinlock_t lock; /* @dying, @due, @peers additions/removals */
	bool dying;
	unsigned long due;
	unsigned long flags;
	struct mmnet_device *mmnet;
	struct mmnet_addrs lower;
	bool suspended;
	struct list_head peers;
	u32 self;
	bool published;
	bool watching;
	struct xenbus_watch watch;
	char addrs[MMNET_XEN_ADDRS_LEN];
	char addrs_pub[MMNET_XEN_ADDRS_LEN];
	struct platform_device *pdev;
};

static struct mmnet_xen_state mmnet_xen = {
	.lock = __SPIN_LOCK_UNLOCKED(mmnet_xen.lock),
	.peers = LIST_HEAD_INIT(mmnet_xen.peers),
};

static unsigned int xen_poll_us;

/* ---- queueing the work ---- */

/*
 * Have the work run in @delay jiffies at the latest.  The earliest request
 * wins: a pair's retry in a second must not wait for another pair's retry
 * in a minute that happened to be queued first.
 */
static void mmnet_xen_queue(unsigned long delay)
{
	unsigned long flags, due = jiffies + delay;

	spin_lock_irqsave(&mmnet_xen.lock, flags);
	if (mmnet_xen.wq && !mmnet_xen.dying &&
	    (!delayed_work_pending(&mmnet_xen.work) ||
	     time_before(due, mmnet_xen.due))) {
		mod_delayed_work(mmnet_xen.wq, &mmnet_xen.work, delay);
		mmnet_xen.due = due;
	}
	spin_unlock_irqrestore(&mmnet_xen.lock, flags);
}

static void mmnet_xen_kick(void)
{
	mmnet_xen_queue(0);
}

static void mmnet_xen_peer_dirty(struct mmnet_xen_peer *xp)
{
	set_bit(MMNET_XP_DIRTY, &xp->flags);
	mmnet_xen_kick();
}

static int mmnet_xen_poll_set(const char *val, const struct kernel_param *kp)
{
	unsigned int us;
	int ret = kstrtouint(val, 0, &us);

	if (ret)
		return ret;
	if (us > MMNET_XEN_POLL_MAX_US)
		return -ERANGE;
	WRITE_ONCE(xen_poll_us, us);
	set_bit(MMNET_XEN_MODE, &mmnet_xen.flags);
	mmnet_xen_kick();
	return 0;
}

static const struct kernel_param_ops mmnet_xen_poll_ops = {
	.set = mmnet_xen_poll_set,
	.get = param_get_uint,
};

module_param_cb(xen_poll_us, &mmnet_xen_poll_ops, &xen_poll_us, 0644);
MODULE_PARM_DESC(xen_poll_us,
		 "Xen channels: 0 = event channel notifications (default), N = no notifications, poll every N microseconds");

/* Tell the peer where we are, unless it knows already. */
static void mmnet_xen_publish(struct mmnet_xen_peer *xp,
			      const struct mmnet_xs_rdv *p)
{
	bool fresh = test_and_clear_bit(MMNET_XP_DIR, &xp->flags);
	int ret;

	if (p->state == MMNET_XS_NONE ||
	    (!fresh && xp->pub_ok && !memcmp(p, &xp->pub, sizeof(*p))))
		return;
	ret = mmnet_xs_write_rdv(xp->own_dir, p, fresh);
	if (!ret) {
		xp->pub = *p;
		xp->pub_ok = true;
	} else if (ret != -ENOENT) {
		/* Try again later; a vanished directory is the scan's. */
		if (fresh)
			set_bit(MMNET_XP_DIR, &xp->flags);
		set_bit(MMNET_XP_DIRTY, &xp->flags);
		mmnet_xen_queue(MMNET_XEN_RETRY);
	}
}

/* ---- channels ---- */

static void mmnet_xen_notify(void *chan)
{
	mmnet_xenchan_notify(chan);
}

/* Context: RTNL.  A failure: the pair's next step is due a while later. */
static void mmnet_xen_backoff(struct mmnet_xen_peer *xp)
{
	xp->backoff = clamp(xp->backoff * 2, (unsigned long)MMNET_XEN_RETRY,
			    (unsigned long)MMNET_XEN_BACKOFF_MAX);
	xp->retry_at = jiffies + xp->backoff;
	set_bit(MMNET_XP_RETRY, &xp->flags);
}

/* Context: RTNL.  The delay of a failure, if any, is over. */
static bool mmnet_xen_backoff_over(const struct mmnet_xen_peer *xp)
{
	return !xp->backoff || !time_before(jiffies, xp->retry_at);
}

/*
 * The core is done with the channel (under RTNL, from the peer's teardown
 * work, a while after the drop).  Its rendezvous offers a new one at once,
 * or after a delay if this one ended in a protocol violation; a stalled
 * consumer waits at least MMNET_XEN_STALL_HOLDOFF.  Only a channel that
 * was mapped and closed in order ends the delay.
 */
static void mmnet_xen_close(void *ptr)
{
	struct mmnet_xen_chan *chan = ptr;
	struct mmnet_xen_peer *xp = chan->xp;
	u32 reason;

	mmnet_xenchan_release(chan);
	if (xp) {
		reason = mmnet_peer_close_reason(chan->peer);
		if (reason == MMNET_REASON_STALLED)
			xp->backoff = max_t(unsigned long, xp->backoff,
					    MMNET_XEN_STALL_HOLDOFF / 2);
		if (reason)
			mmnet_xen_backoff(xp);
		else if (chan->mapped)
			xp->backoff = 0;
		set_bit(MMNET_XP_DIRTY, &xp->flags);
		/*
		 * Last: the work frees a pair that is gone once it has no
		 * channel, without RTNL, so @xp is not ours after this.
		 */
		smp_store_release(&xp->chan, NULL);
		mmnet_xen_kick();
	}
	kfree(chan);
}

/*
 * Context: RTNL.  Start tearing the current channel down: it stays as
 * @xp->chan, closing, until mmnet_xen_close(), so no new one is offered
 * before the old one let go of its grants.
 */
static void mmnet_xen_drop_chan(struct mmnet_xen_peer *xp)
{
	LIST_HEAD(batch);

	if (!xp->chan)
		return;
	mmnet_peer_batch_add(xp->chan->peer, &batch);
	mmnet_peers_remove(&batch);
}

/*
 * Context: RTNL.  A new channel: the own region granted, offered.  @remote:
 * the peer's values now.
 */
static struct mmnet_xen_chan *mmnet_xen_chan_new(struct mmnet_xen_peer *xp,
						 const struct mmnet_xs_rdv *remote,
						 const struct mmnet_addrs *a)
{
	struct mmnet_xen_chan *chan = kzalloc(sizeof(*chan), GFP_KERNEL);
	struct mmnet_peer *peer;
	int ret;

	if (!chan)
		goto err;
	chan->xp = xp;
	chan->domid = xp->domid;
	chan->leader = mmnet_xen.self < xp->domid;
	peer = mmnet_peer_create(mmnet_xen.mmnet, xp->domid, chan);
	if (IS_ERR(peer)) {
		kfree(chan);
		goto err;
	}
	chan->peer = peer;
	mmnet_xenchan_setup(chan);
	xp->chan = chan;
	mmnet_peer_set_addrs(peer, a);
	/*
	 * The leader maps the follower's region once the follower echoes the
	 * leader's ring-ref.  The follower's directory may still echo the
	 * ring-ref of our previous channel, which the follower has unmapped
	 * since (it has not written its news yet, or it is being suspended):
	 * that reference may be free again, and an offer under the same number
	 * would take the stale echo for an answer.
	 */
	ret = mmnet_xenchan_share(chan, chan->leader ? remote->peer_ref : 0);
	if (!ret && chan->leader)
		ret = mmnet_xenchan_offer_evtchn(chan);
	if (!ret)
		return chan;
	pr_warn("xen: cannot offer a channel to domain %u: %d\n", xp->domid,
		ret);
	/* Never mapped: its close leaves the delay alone. */
	mmnet_xen_drop_chan(xp);
err:
	mmnet_xen_backoff(xp);
	return NULL;
}

/*
 * @chan as the rendezvous rules see it (xenproto.c: whether to map, whether
 * a mapped channel still holds, what to publish).
 */
static void mmnet_xen_view(const struct mmnet_xen_chan *chan,
			   struct mmnet_xs_chan *v)
{
	*v = (struct mmnet_xs_chan){
		.leader = chan->leader,
		.mapped = chan->mapped,
		.closing = mmnet_peer_removing(chan->peer),
		.own_ref = chan->grefs[0],
		.own_port = chan->port,
		.remote_ref = chan->remote_ref,
		.remote_port = chan->remote_port,
	};
}

static bool mmnet_xen_may_map(const struct mmnet_xen_chan *chan,
			      const struct mmnet_xs_rdv *r)
{
	struct mmnet_xs_chan v;

	mmnet_xen_view(chan, &v);
	return mmnet_xs_may_map(&v, r);
}

/*
 * Whether to try to map now: a map that failed is tried again once its
 * delay is over, or at once when the peer has published something else.
 */
static bool mmnet_xen_may_try(const struct mmnet_xen_peer *xp,
			      const struct mmnet_xs_rdv *r)
{
	return mmnet_xen_backoff_over(xp) || !mmnet_xs_rdv_equal(r, &xp->tried);
}

/* Whether a mapped channel is still the one the peer's values describe. */
static bool mmnet_xen_still_valid(const struct mmnet_xen_chan *chan,
				  const struct mmnet_xs_rdv *r)
{
	struct mmnet_xs_chan v;

	mmnet_xen_view(chan, &v);
	return mmnet_xs_still_valid(&v, r);
}

static void mmnet_xen_connect(struct mmnet_xen_peer *xp,
			      struct mmnet_xen_chan *chan,
			      const struct mmnet_xs_rdv *r)
{
	int ret = mmnet_xenchan_connect(chan, r->ring_ref, r->port);

	if (chan->mapped) {
		/*
		 * The delay is kept: only an orderly close ends it, so that
		 * a peer whose channels keep breaking (a stalled consumer,
		 * a broken format) is offered one less and less often.
		 */
		clear_bit(MMNET_XP_RETRY, &xp->flags);
		mmnet_xenchan_set_poll(chan, READ_ONCE(xen_poll_us));
		return;
	}
	/*
	 * Values the peer has not brought up to date yet: it ended those
	 * grants or closed that region, and its next values are on their way
	 * (the watch brings them at once).  Should nothing come, whatever
	 * failed is tried again, later and later, so that neither side waits
	 * for the other for good.
	 */
	mmnet_xen_backoff(xp);
	xp->tried = *r;
	if (ret == -ESTALE)	/* an old region, closing: not yet */
		pr_debug("xen: domain %u: its region is closing\n", chan->domid);
	else
		pr_warn_ratelimited("xen: domain %u: cannot map its region (ring-ref %u): %d, trying again in %lu s or on its next values\n",
				    chan->domid, r->ring_ref, ret,
				    xp->backoff / HZ);
}

/* What our directory should say about @chan (NULL: none). */
static void mmnet_xen_rdv_of(const struct mmnet_xen_chan *chan,
			     struct mmnet_xs_rdv *p)
{
	struct mmnet_xs_chan v;

	if (chan)
		mmnet_xen_view(chan, &v);
	mmnet_xs_rdv_of(chan ? &v : NULL, p);
}

/*
 * Context: RTNL.  One step of the pair's state machine, from the snapshot:
 * drop a channel the peer no longer matches, offer one if there is none,
 * map the peer's region when the rules allow.  @p: what to publish.
 */
static void mmnet_xen_decide(struct mmnet_xen_peer *xp,
			     const struct mmnet_xen_snap *snap,
			     struct mmnet_xs_rdv *p)
{
	/*
	 * Not after a resume either, until the work has started afresh: an
	 * offer made for the pairs as they were would be dropped right after
	 * the peer had seen it.
	 */
	bool may_offer = mmnet_xen.mmnet && !mmnet_xen.suspended &&
			 !test_bit(MMNET_XEN_RESET, &mmnet_xen.flags) &&
			 !xp->gone && snap->addrs_ok;
	struct mmnet_xen_chan *chan = xp->chan;

	/* A channel dropped stays, closing, until the core closed it. */
	if (chan && (!may_offer ||
		     (chan->mapped && !mmnet_xen_still_valid(chan, &snap->remote))))
		mmnet_xen_drop_chan(xp);
	/*
	 * What a delay holds back keeps its retry due, even if the step due
	 * at the end of an earlier delay has just consumed it.
	 */
	if (!chan && may_offer) {
		if (mmnet_xen_backoff_over(xp))
			chan = mmnet_xen_chan_new(xp, &snap->remote,
						  &snap->addrs);
		else
			set_bit(MMNET_XP_RETRY, &xp->flags);
	}
	if (!chan)
		goto out;
	if (snap->mode == MMNET_XS_MODE_PREMAP && !xp->told_premap) {
		pr_info("xen: domain %u: the trust group says premap, which this module does not have yet: copy\n",
			xp->domid);
		xp->told_premap = true;
	}
	mmnet_peer_set_addrs(chan->peer, &snap->addrs);
	if (chan->mapped) {
		mmnet_xenchan_set_poll(chan, READ_ONCE(xen_poll_us));
	} else if (mmnet_xen_may_map(chan, &snap->remote)) {
		if (mmnet_xen_may_try(xp, &snap->remote))
			mmnet_xen_connect(xp, chan, &snap->remote);
		else
			set_bit(MMNET_XP_RETRY, &xp->flags);
	}
out:
	mmnet_xen_rdv_of(chan, p);
}

static void mmnet_xen_step(struct mmnet_xen_peer *xp)
{
	struct mmnet_xen_snap *snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	struct mmnet_xs_rdv p;

	if (!snap || mmnet_xs_read_snap(xp->remote_dir, xp->own_dir, snap)) {
		kfree(snap);
		set_bit(MMNET_XP_DIRTY, &xp->flags);
		mmnet_xen_queue(MMNET_XEN_RETRY);
		return;
	}
	rtnl_lock();
	mmnet_xen_decide(xp, snap, &p);
	rtnl_unlock();
	kfree(snap);
	if (!xp->gone)
		mmnet_xen_publish(xp, &p);
}

/* ---- the rendezvous directories ---- */

static struct mmnet_xen_peer *mmnet_xen_find(u32 domid)
{
	struct mmnet_xen_peer *xp;

	list_for_each_entry(xp, &mmnet_xen.peers, node)
		if (xp->domid == domid)
			return xp;
	return NULL;
}

static void mmnet_xen_remote_changed(struct xenbus_watch *watch,
				     const char *path, const char *token)
{
	mmnet_xen_peer_dirty(container_of(watch, struct mmnet_xen_peer, watch));
}

/*
 * The pair a path under data/mmnet/peer names, if any; @dir: the path is
 * the pair's directory itself, not a node in it.  Under mmnet_xen.lock.
 */
static struct mmnet_xen_peer *mmnet_xen_path_peer(const char *path, bool *dir)
{
	u32 domid;

	if (mmnet_xs_path_peer(path, strlen(path), &domid, dir))
		return NULL;
	return mmnet_xen_find(domid);
}

/*
 * Something changed under data/mmnet/peer: the list (a scan), and the pair
 * the path names.  A change of the pair's directory itself (created,
 * removed) means that what we wrote there may be gone.
 */
static void mmnet_xen_home_changed(struct xenbus_watch *watch,
				   const char *path, const char *token)
{
	struct mmnet_xen_peer *xp;
	unsigned long flags;
	bool dir = false;

	set_bit(MMNET_XEN_SCAN, &mmnet_xen.flags);
	spin_lock_irqsave(&mmnet_xen.lock, flags);
	xp = mmnet_xen_path_peer(path, &dir);
	if (xp && dir)
		set_bit(MMNET_XP_DIR, &xp->flags);
	if (xp)
		set_bit(MMNET_XP_DIRTY, &xp->flags);
	spin_unlock_irqrestore(&mmnet_xen.lock, flags);
	mmnet_xen_kick();
}

static void mmnet_xen_watch_remote(struct mmnet_xen_peer *xp)
{
	int ret = register_xenbus_watch(&xp->watch);

	xp->watching = !ret;
	if (ret) {
		pr_warn("xen: cannot watch %s: %d\n", xp->remote_dir, ret);
		set_bit(MMNET_XP_DIRTY, &xp->flags);
		mmnet_xen_queue(MMNET_XEN_RETRY);
	}
}

static void mmnet_xen_peer_add(u32 domid)
{
	struct mmnet_xen_peer *xp = kzalloc(sizeof(*xp), GFP_KERNEL);
	unsigned long flags;

	if (!xp)
		return;
	xp->domid = domid;
	xp->seen = true;
	snprintf(xp->own_dir, sizeof(xp->own_dir), "%s/%u", MMNET_XS_PEERS,
		 domid);
	snprintf(xp->remote_dir, sizeof(xp->remote_dir),
		 "/local/domain/%u/%s/%u", domid, MMNET_XS_PEERS, mmnet_xen.self);
	xp->watch.node = xp->remote_dir;
	xp->watch.callback = mmnet_xen_remote_changed;
	/* Whatever is in the directory is not ours (yet). */
	set_bit(MMNET_XP_DIR, &xp->flags);
	set_bit(MMNET_XP_DIRTY, &xp->flags);
	spin_lock_irqsave(&mmnet_xen.lock, flags);
	list_add_tail(&xp->node, &mmnet_xen.peers);
	spin_unlock_irqrestore(&mmnet_xen.lock, flags);
	mmnet_xen_watch_remote(xp);
}

/* Forget a pair whose channel is gone.  Not under RTNL (the watch). */
static void mmnet_xen_peer_free(struct mmnet_xen_peer *xp)
{
	unsigned long flags;

	if (xp->watching)
		unregister_xenbus_watch(&xp->watch);
	spin_lock_irqsave(&mmnet_xen.lock, flags);
	list_del(&xp->node);
	spin_unlock_irqrestore(&mmnet_xen.lock, flags);
	kfree(xp);
}

/* Tear down every channel, forget every pair. */
static void mmnet_xen_forget_all(void)
{
	struct mmnet_xen_peer *xp, *tmp;

	/* Every channel is a peer of that device; none is left without one. */
	rtnl_lock();
	if (mmnet_xen.mmnet)
		mmnet_peers_remove_all(mmnet_xen.mmnet);
	rtnl_unlock();
	list_for_each_entry_safe(xp, tmp, &mmnet_xen.peers, node) {
		WARN_ON_ONCE(xp->chan);
		mmnet_xen_peer_free(xp);
	}
}

static void mmnet_xen_scan_one(const char *name, unsigned int *count)
{
	struct mmnet_xen_peer *xp;
	u32 domid;

	if (mmnet_xs_parse_guest(name, &domid) || domid == mmnet_xen.self) {
		pr_warn_ratelimited("xen: ignoring %s/%s\n", MMNET_XS_PEERS,
				    name);
		return;
	}
	xp = mmnet_xen_find(domid);
	if (xp) {
		xp->seen = true;
		if (xp->gone) {
			xp->gone = false;
			set_bit(MMNET_XP_DIRTY, &xp->flags);
		}
	} else if (*count < MMNET_XEN_MAX_PEERS) {
		mmnet_xen_peer_add(domid);
		++*count;
	} else {
		pr_warn_ratelimited("xen: more than %u peers, ignoring domain %u\n",
				    MMNET_XEN_MAX_PEERS, domid);
	}
}

/* The daemon's directories in ours are the peers we were introduced to. */
static void mmnet_xen_scan(void)
{
	struct mmnet_xen_peer *xp;
	unsigned int i, n = 0, count = 0;
	char **names;

	names = xenbus_directory(XBT_NIL, MMNET_XS_HOME, "peer", &n);
	if (IS_ERR(names)) {
		if (PTR_ERR(names) != -ENOENT) {
			set_bit(MMNET_XEN_SCAN, &mmnet_xen.flags);
			mmnet_xen_queue(MMNET_XEN_RETRY);
			return;
		}
		names = NULL;
		n = 0;
	}
	list_for_each_entry(xp, &mmnet_xen.peers, node) {
		xp->seen = false;
		count++;
	}
	for (i = 0; i < n; i++)
		mmnet_xen_scan_one(names[i], &count);
	list_for_each_entry(xp, &mmnet_xen.peers, node) {
		if (!xp->seen && !xp->gone) {
			xp->gone = true;
			set_bit(MMNET_XP_DIRTY, &xp->flags);
		}
	}
	kfree(names);
}

/* ---- taking part ---- */

/* Context: RTNL.  The lower NIC's addresses, as data/mmnet/addrs has them. */
static void mmnet_xen_format_addrs(const struct mmnet_addrs *a, char *buf,
				   size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < a->nr_ipv4; i++)
		len += scnprintf(buf + len, size - len, "%s%pI4",
				 len ? " " : "", &a->ipv4[i]);
	for (i = 0; i < a->nr_ipv6; i++)
		len += scnprintf(buf + len, size - len, "%s%pI6c",
				 len ? " " : "", &a->ipv6[i]);
}

/* Whether a device takes part, and its addresses now. */
static bool mmnet_xen_snapshot_self(void)
{
	bool up;

	rtnl_lock();
	up = mmnet_xen.mmnet;
	if (up)
		mmnet_xen_format_addrs(&mmnet_xen.lower, mmnet_xen.addrs,
				       sizeof(mmnet_xen.addrs));
	rtnl_unlock();
	return up;
}

static int mmnet_xen_read_self(void)
{
	char *s = mmnet_xs_read(XBT_NIL, "domid", "");
	int ret;

	if (IS_ERR(s))
		return PTR_ERR(s);
	ret = mmnet_xs_parse_guest(s, &mmnet_xen.self);
	kfree(s);
	return ret;
}

/* data/mmnet/version and addrs, and the watch on our rendezvous directories. */
static int mmnet_xen_publish_self(void)
{
	bool first = !mmnet_xen.published;
	int ret;

	if (first) {
		ret = mmnet_xen_read_self();
		if (ret)
			return ret;
	}
	if (first || strcmp(mmnet_xen.addrs, mmnet_xen.addrs_pub)) {
		ret = mmnet_xs_write_self(first, mmnet_xen.addrs);
		if (ret)
			return ret;
		strscpy(mmnet_xen.addrs_pub, mmnet_xen.addrs,
			sizeof(mmnet_xen.addrs_pub));
	}
	if (first)
		pr_info("xen: domain %u takes part (addresses: %s)\n",
			mmnet_xen.self, mmnet_xen.addrs);
	mmnet_xen.published = true;
	if (!mmnet_xen.watching) {
		ret = register_xenbus_watch(&mmnet_xen.watch);
		if (ret)
			return ret;
		mmnet_xen.watching = true;
		set_bit(MMNET_XEN_SCAN, &mmnet_xen.flags);
	}
	return 0;
}

/* No device takes part any more: leave xenstore as we found it. */
static void mmnet_xen_withdraw(void)
{
	mmnet_xen_forget_all();
	if (mmnet_xen.watching)
		unregister_xenbus_watch(&mmnet_xen.watch);
	mmnet_xen.watching = false;
	if (!mmnet_xen.published)
		return;
	xenbus_rm(XBT_NIL, "data", "mmnet");
	mmnet_xen.published = false;
	mmnet_xen.addrs_pub[0] = '\0';
	pr_info("xen: domain %u no longer takes part\n", mmnet_xen.self);
}

/*
 * Back from a suspend, perhaps as another domain: the pairs named the old
 * domid, and the daemon introduces us again once we have published.
 */
static void mmnet_xen_reset(void)
{
	mmnet_xen_forget_all();
	mmnet_xen.published = false;
	mmnet_xen.addrs_pub[0] = '\0';
	set_bit(MMNET_XEN_SCAN, &mmnet_xen.flags);
}

/*
 * Whether the pair needs a step now: something changed, or the delay of a
 * failure is over.  Racy reads of @retry_at: a close that changes it also
 * marks the pair dirty, and a step that a delay still holds back makes the
 * retry due again.
 */
static bool mmnet_xen_due(struct mmnet_xen_peer *xp, bool all)
{
	if (test_and_clear_bit(MMNET_XP_DIRTY, &xp->flags) || all)
		return true;
	if (!test_bit(MMNET_XP_RETRY, &xp->flags) ||
	    time_before(jiffies, READ_ONCE(xp->retry_at)))
		return false;
	clear_bit(MMNET_XP_RETRY, &xp->flags);
	return true;
}

/* Fold the pair's retry, if one is due, into @next: the earliest, 0 if none. */
static void mmnet_xen_next(const struct mmnet_xen_peer *xp, unsigned long *next)
{
	unsigned long retry_at = READ_ONCE(xp->retry_at);

	if (test_bit(MMNET_XP_RETRY, &xp->flags) &&
	    (!*next || time_before(retry_at, *next)))
		*next = retry_at;
}

static void mmnet_xen_work_fn(struct work_struct *work)
{
	struct mmnet_xen_peer *xp, *tmp;
	unsigned long next = 0;
	bool all;

	if (!mmnet_xen_snapshot_self()) {
		mmnet_xen_withdraw();
		return;
	}
	if (test_and_clear_bit(MMNET_XEN_RESET, &mmnet_xen.flags))
		mmnet_xen_reset();
	if (mmnet_xen_publish_self()) {
		mmnet_xen_queue(MMNET_XEN_RETRY);
		return;
	}
	if (test_and_clear_bit(MMNET_XEN_SCAN, &mmnet_xen.flags))
		mmnet_xen_scan();
	all = test_and_clear_bit(MMNET_XEN_MODE, &mmnet_xen.flags);
	list_for_each_entry_safe(xp, tmp, &mmnet_xen.peers, node) {
		if (mmnet_xen_due(xp, all))
			mmnet_xen_step(xp);
		/* Pairs with mmnet_xen_close(): its last access to @xp. */
		if (xp->gone && !smp_load_acquire(&xp->chan))
			mmnet_xen_peer_free(xp);
		else
			mmnet_xen_next(xp, &next);
	}
	if (next)
		mmnet_xen_queue(max_t(long, next - jiffies, 1));
}

/*
 * Context: RTNL.  An mmnet device was attached: take part.  The domain has
 * one place in xenstore, so one device takes part.
 */
static int mmnet_xen_join(struct mmnet_device *mmnet, void *priv,
			  const struct mmnet_addrs *lower,
			  struct netlink_ext_ack *extack)
{
	if (mmnet_xen.mmnet) {
		NL_SET_ERR_MSG(extack,
			       "Another mmnet device takes part for this Xen domain");
		return -EBUSY;
	}
	mmnet_xen.mmnet = mmnet;
	mmnet_xen.lower = *lower;
	mmnet_xen_kick();
	return 0;
}

/*
 * Context: RTNL.  The device is detached: its channels go now; the work
 * then withdraws from xenstore.
 */
static void mmnet_xen_leave(struct mmnet_device *mmnet, void *priv)
{
	if (mmnet_xen.mmnet != mmnet)
		return;
	mmnet_peers_remove_all(mmnet);
	mmnet_xen.mmnet = NULL;
	mmnet_xen_kick();
}

/* Context: RTNL.  The work writes data/mmnet/addrs anew. */
static void mmnet_xen_addrs_changed(struct mmnet_device *mmnet, void *priv,
				    const struct mmnet_addrs *lower)
{
	mmnet_xen.lower = *lower;
	mmnet_xen_kick();
}

/* ---- suspend and resume ---- */

/*
 * Xen is about to suspend the domain (save, migration): PV page tables may
 * not hold foreign frames then, so every channel goes.  This runs in the
 * xenwatch thread, which the work may be waiting for: never wait for it.
 */
static int mmnet_xen_freeze(struct device *dev)
{
	rtnl_lock();
	mmnet_xen.suspended = true;
	if (mmnet_xen.mmnet)
		mmnet_peers_remove_all(mmnet_xen.mmnet);
	rtnl_unlock();
	return 0;
}

/* RESET before suspended goes: mmnet_xen_decide() offers nothing between. */
static int mmnet_xen_thaw(struct device *dev)
{
	set_bit(MMNET_XEN_RESET, &mmnet_xen.flags);
	rtnl_lock();
	mmnet_xen.suspended = false;
	rtnl_unlock();
	mmnet_xen_kick();
	return 0;
}

static const struct dev_pm_ops mmnet_xen_pm_ops = {
	.freeze = mmnet_xen_freeze,
	.thaw = mmnet_xen_thaw,
	.restore = mmnet_xen_thaw,
};

static struct platform_driver mmnet_xen_driver = {
	.driver = {
		.name = "mmnet-xen",
		.pm = &mmnet_xen_pm_ops,
	},
};

static int __init mmnet_xen_pm_init(void)
{
	int ret = platform_driver_register(&mmnet_xen_driver);

	if (ret)
		return ret;
	mmnet_xen.pdev = platform_device_register_simple("mmnet-xen",
							 PLATFORM_DEVID_NONE,
							 NULL, 0);
	if (IS_ERR(mmnet_xen.pdev)) {
		platform_driver_unregister(&mmnet_xen_driver);
		return PTR_ERR(mmnet_xen.pdev);
	}
	return 0;
}

static void mmnet_xen_pm_uninit(void)
{
	platform_device_unregister(mmnet_xen.pdev);
	platform_driver_unregister(&mmnet_xen_driver);
}

/*
 * In a Xen guest; not in dom0: the peers are guests, and dom0 runs the
 * membership daemon.
 */
static bool mmnet_xen_available(void)
{
	return xen_domain() && !xen_initial_domain();
}

static int __init mmnet_xen_init(void)
{
	int ret;

	if (!mmnet_xen_available())
		return 0;
	INIT_DELAYED_WORK(&mmnet_xen.work, mmnet_xen_work_fn);
	mmnet_xen.watch.node = MMNET_XS_PEERS;
	mmnet_xen.watch.callback = mmnet_xen_home_changed;
	ret = mmnet_xen_pm_init();
	if (ret)
		return ret;
	mmnet_xen.wq = alloc_ordered_workqueue("mmnet_xen", 0);
	if (!mmnet_xen.wq) {
		mmnet_xen_pm_uninit();
		return -ENOMEM;
	}
	return 0;
}

/*
 * After every device is gone, so no channel is left: stop the work, then
 * leave xenstore (watches, data/mmnet) as it was.
 */
static void mmnet_xen_exit(void)
{
	unsigned long flags;

	if (!mmnet_xen.wq)
		return;
	mmnet_xen_pm_uninit();
	spin_lock_irqsave(&mmnet_xen.lock, flags);
	mmnet_xen.dying = true;
	spin_unlock_irqrestore(&mmnet_xen.lock, flags);
	cancel_delayed_work_sync(&mmnet_xen.work);
	WARN_ON(mmnet_xen.mmnet);
	mmnet_xen_withdraw();
	destroy_workqueue(mmnet_xen.wq);
	mmnet_xen.wq = NULL;
}

const struct mmnet_transport mmnet_xen_transport = {
	.name		= "xen",
	.available	= mmnet_xen_available,
	.init		= mmnet_xen_init,
	.exit		= mmnet_xen_exit,
	.join		= mmnet_xen_join,
	.leave		= mmnet_xen_leave,
	.addrs_changed	= mmnet_xen_addrs_changed,
	.notify		= mmnet_xen_notify,
	.close		= mmnet_xen_close,
};
