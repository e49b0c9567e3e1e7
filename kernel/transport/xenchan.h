/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_XENCHAN_H
#define _MMNET_XENCHAN_H

#include <linux/hrtimer.h>
#include <linux/types.h>
#include <xen/grant_table.h>
#include <xen/interface/event_channel.h>

struct mmnet_peer;
struct mmnet_xen_peer;

/**
 * struct mmnet_xen_map - grants of the peer, mapped read-only, contiguous
 * @addr: the mapping
 * @handles: one per grant, for the unmap; INVALID_GRANT_HANDLE if that
 *	grant is not mapped
 * @pages: auto-translated guests only: the frames the grants sit in
 * @nr: grants in the range
 */
struct mmnet_xen_map {
	void *addr;
	grant_handle_t *handles;
	struct page **pages;
	unsigned int nr;
};

/**
 * struct mmnet_xen_chan - peer->transport of a Xen peer: one channel
 * @peer: the core's peer
 * @xp: the rendezvous this channel belongs to (xen.c); NULL once it is
 *	forgotten there
 * @domid: the peer domain
 * @leader: we have the lower domid: we allocate the event channel
 * @mapped: the peer's region is mapped and was handed to the core; the
 *	channel never maps again
 * @grefs: the grants of the own region (control page, then body), to @domid,
 *	read-only; @grefs[0] is the ring-ref published in xenstore
 * @nr_grefs: entries of @grefs in use
 * @port: our end of the event channel, 0 if none
 * @irq: bound to @port, 0 if none; read locklessly by ->notify()
 * @remote_ref: the peer's ring-ref we mapped
 * @remote_port: the leader's port we bound to (follower only)
 * @ctrl: the peer's control page
 * @body: the peer's body
 * @poll_us: the polling period in use, 0 with event notifications
 * @poll: kicks NAPI every @poll_us while polling
 * @name: of the interrupt, as /proc/interrupts shows it
 *
 * Everything is under RTNL but @irq (any context) and @poll (its own).
 */
struct mmnet_xen_chan {
	struct mmnet_peer *peer;
	struct mmnet_xen_peer *xp;
	domid_t domid;
	bool leader;
	bool mapped;
	grant_ref_t *grefs;
	unsigned int nr_grefs;
	evtchn_port_t port;
	int irq;
	u32 remote_ref;
	u32 remote_port;
	struct mmnet_xen_map ctrl;
	struct mmnet_xen_map body;
	unsigned int poll_us;
	struct hrtimer poll;
	char name[24];
};

void mmnet_xenchan_setup(struct mmnet_xen_chan *chan);
int mmnet_xenchan_share(struct mmnet_xen_chan *chan, u32 avoid);
int mmnet_xenchan_offer_evtchn(struct mmnet_xen_chan *chan);
int mmnet_xenchan_connect(struct mmnet_xen_chan *chan, u32 ring_ref, u32 port);
void mmnet_xenchan_notify(struct mmnet_xen_chan *chan);
void mmnet_xenchan_set_poll(struct mmnet_xen_chan *chan, unsigned int us);
void mmnet_xenchan_release(struct mmnet_xen_chan *chan);

#endif /* _MMNET_XENCHAN_H */
