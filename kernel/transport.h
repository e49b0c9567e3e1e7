/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmnet transports: how a channel's shared memory is mapped and how its two
 * endpoints signal each other.  The core (peer.c, send.c, receive.c) owns the
 * region format, the ring, the skbs and the peer map; a transport only
 * shares pages, maps the peer's pages and delivers notifications.
 *
 * The life of a peer, as a transport drives it (all under RTNL unless said):
 *
 *  1. Discovery (transport specific: xenstore on Xen, the attach list for
 *     loop) decides that a peer exists and calls mmnet_peer_create().  The
 *     core allocates the own region (peer->own: control page + body, zeroed,
 *     formatted, state INIT) and the ring.
 *  2. The transport shares peer->own.pages with the peer (grants on Xen),
 *     records the body's references with mmnet_region_set_refs() and tells
 *     the peer where the control page is (xenstore).  It sets the peer's
 *     addresses with mmnet_peer_set_addrs().
 *  3. Connect is asynchronous: once the peer's control page is known, the
 *     transport maps it read-only, reads the body references with
 *     mmnet_region_peer_refs(), maps the body read-only -- once, for the
 *     life of the channel -- and calls mmnet_peer_attach().  The core then
 *     notifies the peer; when the peer's region says CONNECTED too, the core
 *     puts the peer in service (lookup, peer map).  A transport that learns
 *     of the peer's progress out of band may call mmnet_peer_sync().
 *  4. Events from the peer: the transport calls mmnet_peer_kick() from any
 *     context (an interrupt handler on Xen); the core polls with NAPI.  A
 *     transport that polls instead (a timer calling mmnet_peer_kick()) sets
 *     peer->polled: NAPI then leaves the ring's receive event unarmed, so
 *     the peer sends no notifications.
 *  5. The peer vanishes (domain gone, watch fired): the transport calls
 *     mmnet_peer_schedule_removal() from any context.  The core's own
 *     reasons to remove a peer are an orderly close announced in the peer's
 *     region, a malformed region, and detach/unload.
 *  6. Removal: the core stops publishing the peer, drains what it can within
 *     a bounded time, closes its side of the ring, notifies, quiesces NAPI,
 *     drops its own mapping of peer->own and calls ->close().
 */
#ifndef _MMNET_TRANSPORT_H
#define _MMNET_TRANSPORT_H

#include <linux/types.h>

struct mmnet_ctrl;
struct mmnet_peer;

/**
 * struct mmnet_transport_ops - what the core needs from a transport
 * @name: reported to userspace (MMNET_PEER_A_TRANSPORT), e.g. "loop", "xen"
 * @notify: signal the peer (an event channel send on Xen).  Called from any
 *	context -- transmit, NAPI, process -- so it never sleeps; it may be
 *	called before the peer is attached and after the ring was closed.
 * @close: called once, in process context, after the core stopped using
 *	the channel: no ->notify() runs or follows.  The transport stops
 *	calling into the core for this peer (unbinds its interrupt), unmaps the
 *	peer's region, ends sharing of peer->own and drops one reference on
 *	each of peer->own.pages (mmnet_region_put_pages()).  A page the peer
 *	may still map must not return to the allocator before the peer
 *	unmapped it: Xen defers it until the grant is no longer in use
 *	(gnttab_end_foreign_access() with the page); loop's mapping holds a
 *	page reference of its own.  So ->close() need not wait for the peer.
 */
struct mmnet_transport_ops {
	const char *name;
	void (*notify)(struct mmnet_peer *peer);
	void (*close)(struct mmnet_peer *peer);
};

/* The core's side of the contract; see the numbered steps above. */
struct mmnet_device;

struct mmnet_peer *mmnet_peer_create(struct mmnet_device *mmnet,
				     const struct mmnet_transport_ops *ops,
				     u32 id, void *transport);
int mmnet_peer_attach(struct mmnet_peer *peer, const struct mmnet_ctrl *ctrl,
		      const void *body, size_t body_size);
void mmnet_peer_sync(struct mmnet_peer *peer);
void mmnet_peer_kick(struct mmnet_peer *peer);
void mmnet_peer_schedule_removal(struct mmnet_peer *peer);

#endif /* _MMNET_TRANSPORT_H */
