/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmnet transports: how peers are found, how a channel's shared memory is
 * mapped and how its two endpoints signal each other.  This header is the
 * whole boundary.  The core (device.c, peer.c, send.c, receive.c) owns the
 * region format, the ring, the skbs and the peer map, and knows the
 * transports only through the table of struct mmnet_transport; a transport
 * (kernel/transport/) includes this header, region.h and its own, and sees
 * struct mmnet_device and struct mmnet_peer only as pointers it hands back.
 *
 * A device and its transport (all under RTNL):
 *
 *  - attach: the core picks the first transport of mmnet_transports[] that
 *    is ->available(), allocates its ->priv_size bytes of per-device state
 *    and calls ->join() with the lower NIC's addresses;
 *  - the lower NIC's addresses change: ->addrs_changed() (the core follows
 *    them with one set of notifiers and calls only on a real change);
 *  - detach: ->leave(); the core then removes whatever peers are left and
 *    frees the per-device state.
 *
 * The life of a peer, as a transport drives it (all under RTNL unless said):
 *
 *  1. Discovery (xenstore on Xen, the other attached devices for loop)
 *     decides that a peer exists and calls mmnet_peer_create().  The core
 *     allocates the own region (control page + body, zeroed, formatted,
 *     state INIT) and the ring.
 *  2. The transport shares mmnet_peer_own()'s pages with the peer (grants
 *     on Xen), records the body's references with mmnet_region_set_refs()
 *     and tells the peer where the control page is (xenstore).  It sets the
 *     peer's addresses with mmnet_peer_set_addrs().
 *  3. Connect is asynchronous: once the peer's control page is known, the
 *     transport maps it read-only, reads the body references with
 *     mmnet_region_peer_refs(), maps the body read-only -- once, for the
 *     life of the channel -- and calls mmnet_peer_attach().  The core then
 *     notifies the peer; when the peer's region says CONNECTED too, the core
 *     puts the peer in service (lookup, peer map).  A transport that learns
 *     of the peer's progress out of band may call mmnet_peer_sync().
 *  4. Events from the peer: the transport calls mmnet_peer_kick() from any
 *     context (an interrupt handler on Xen); the core polls with NAPI.  A
 *     transport that polls instead (a timer calling mmnet_peer_kick()) says
 *     so with mmnet_peer_set_polled(): NAPI then leaves the ring's receive
 *     event unarmed, so the peer sends no notifications.
 *  5. The peer vanishes (domain gone, watch fired): the transport calls
 *     mmnet_peer_schedule_removal() from any context, or removes it at once
 *     under RTNL with a batch (mmnet_peer_batch_add(), mmnet_peers_remove()).
 *     The core's own reasons to remove a peer are an orderly close announced
 *     in the peer's region, a malformed region, and detach/unload.
 *  6. Removal: the core stops publishing the peer, drains what it can within
 *     a bounded time, closes its side of the ring, notifies, quiesces NAPI,
 *     drops its own mapping of the own region and calls ->close().  It never
 *     waits under RTNL: mmnet_peers_remove() returns at once and the peer's
 *     own work calls ->close() later (under RTNL); mmnet_peers_remove_all()
 *     (detach, unload, suspend) closes every peer of the device, without a
 *     drain, before it returns.
 */
#ifndef _MMNET_TRANSPORT_H
#define _MMNET_TRANSPORT_H

#include <linux/rcupdate.h>
#include <linux/types.h>

#include "addrs.h"

struct list_head;
struct mmnet_ctrl;
struct mmnet_device;
struct mmnet_peer;
struct mmnet_region;
struct netlink_ext_ack;

/**
 * struct mmnet_transport - what the core needs from a transport
 * @name: reported to userspace (MMNET_PEER_A_TRANSPORT), e.g. "loop", "xen"
 * @priv_size: bytes of per-device state the core allocates, zeroed, for a
 *	device that joins (0: none, @priv is NULL)
 * @available: whether the transport can find peers in this kernel (Xen:
 *	a Xen guest); the first available one in the table is used
 * @init: at module load, before any device exists; may be NULL
 * @exit: at module unload, after every device is gone; may be NULL
 * @join: a device was attached to its lower NIC, whose addresses are
 *	@lower: start finding its peers.  RTNL.
 * @leave: the device is being detached: remove the peers this transport
 *	made for it.  RTNL; the core removes any left after it.
 * @addrs_changed: the lower NIC's addresses are now @lower.  RTNL.
 * @notify: signal the peer of the channel @chan (the transport's pointer
 *	given to mmnet_peer_create()); an event channel send on Xen.  Called
 *	from any context -- transmit, NAPI, process -- so it never sleeps; it
 *	may be called before the peer is attached and after the ring was
 *	closed.
 * @close: called once, in process context under RTNL, after the core
 *	stopped using the channel @chan: no ->notify() runs or follows; after
 *	mmnet_peers_remove(), a while later (from the peer's teardown work).
 *	The transport stops calling into the core for this peer (unbinds its
 *	interrupt), unmaps the peer's region, ends sharing of the own region
 *	and drops one reference on each of its pages
 *	(mmnet_region_put_pages()).  A page the peer may
 *	still map must not return to the allocator before the peer unmapped
 *	it: Xen defers it until the grant is no longer in use
 *	(gnttab_end_foreign_access() with the page); loop's mapping holds a
 *	page reference of its own.  So ->close() need not wait for the peer.
 */
struct mmnet_transport {
	const char *name;
	size_t priv_size;
	bool (*available)(void);
	int (*init)(void);
	void (*exit)(void);
	int (*join)(struct mmnet_device *mmnet, void *priv,
		    const struct mmnet_addrs *lower,
		    struct netlink_ext_ack *extack);
	void (*leave)(struct mmnet_device *mmnet, void *priv);
	void (*addrs_changed)(struct mmnet_device *mmnet, void *priv,
			      const struct mmnet_addrs *lower);
	void (*notify)(void *chan);
	void (*close)(void *chan);
};

/* Every transport built in, in order of preference, NULL-terminated. */
extern const struct mmnet_transport *const mmnet_transports[];

/* ---- the core's side of the contract; see the numbered steps above ---- */

struct mmnet_peer *mmnet_peer_create(struct mmnet_device *mmnet, u32 id,
				     void *chan);
struct mmnet_region *mmnet_peer_own(struct mmnet_peer *peer);
void mmnet_peer_set_addrs(struct mmnet_peer *peer,
			  const struct mmnet_addrs *addrs);
int mmnet_peer_attach(struct mmnet_peer *peer, const struct mmnet_ctrl *ctrl,
		      const void *body, size_t body_size);
void mmnet_peer_sync(struct mmnet_peer *peer);
void mmnet_peer_kick(struct mmnet_peer *peer);
bool mmnet_peer_event(struct mmnet_peer *peer);
void mmnet_peer_set_polled(struct mmnet_peer *peer, bool polled);
void mmnet_peer_schedule_removal(struct mmnet_peer *peer);
bool mmnet_peer_removing(const struct mmnet_peer *peer);
u32 mmnet_peer_close_reason(const struct mmnet_peer *peer);

void mmnet_peer_batch_add(struct mmnet_peer *peer, struct list_head *batch);
void mmnet_peers_remove(struct list_head *batch);
void mmnet_peers_remove_all(struct mmnet_device *mmnet);

#endif /* _MMNET_TRANSPORT_H */
