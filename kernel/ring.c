// SPDX-License-Identifier: GPL-2.0
/*
 * mmnet ring: both directions of a channel, per docs/channel.md.
 *
 * Trust: the peer's region is mapped read-only and may change under us at
 * any moment.  Every value taken from it is read once into a local and
 * checked before use, and our own bookkeeping (where our data area is free,
 * what we have consumed) lives in private memory.  A value no correct peer
 * can produce stops that direction for good, with the reason recorded; the
 * caller then closes the channel.  No loop here waits for the peer.
 *
 * Barriers: the peer may run on another CPU even when this kernel is built
 * for one, so the virt_ variants of the SMP barriers are used, as Xen's own
 * rings do.
 */
#ifdef __KERNEL__
#include <linux/align.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>
#endif
#include "ring.h"

/* Geometry in a header: snapshot of the fields, validated. */
struct mmnet_geom {
	u32 features;
	u32 slots;
	u32 data_size;
};

static bool mmnet_geom_ok(u32 slots, u32 data_size)
{
	return is_power_of_2(slots) && slots >= MMNET_SLOTS_MIN &&
	       slots <= MMNET_SLOTS_MAX && is_power_of_2(data_size) &&
	       data_size >= MMNET_DATA_SIZE_MIN &&
	       data_size <= MMNET_DATA_SIZE_MAX;
}

/* Read a peer header once; 0 if it describes a region we can use. */
static int mmnet_read_header(const struct mmnet_ctrl *peer,
			     struct mmnet_geom *g)
{
	u32 magic = le32_to_cpu(READ_ONCE(peer->magic));
	u32 version = le32_to_cpu(READ_ONCE(peer->version));

	g->features = le32_to_cpu(READ_ONCE(peer->features));
	g->slots = le32_to_cpu(READ_ONCE(peer->ring_slots));
	g->data_size = le32_to_cpu(READ_ONCE(peer->data_size));
	if (magic != MMNET_CHAN_MAGIC || version != MMNET_CHAN_VERSION)
		return -EPROTO;
	return mmnet_geom_ok(g->slots, g->data_size) ? 0 : -EPROTO;
}

/**
 * mmnet_ring_size - bytes to allocate for a ring
 * @slots: ring slots of the own region
 *
 * Return: the size of struct mmnet_ring with its per-slot shadow, or 0 if
 * @slots is out of range.
 */
size_t mmnet_ring_size(u32 slots)
{
	if (slots > MMNET_SLOTS_MAX)
		return 0;
	return sizeof(struct mmnet_ring) + slots * sizeof(u32);
}

/**
 * mmnet_ring_init - lay out the own region and the private state
 * @r: mmnet_ring_size(@slots) bytes
 * @ctrl: the own control page
 * @body: the own body, MMNET_BODY_BYTES(@slots, @data_size) bytes
 * @slots: descriptors in the own ring
 * @data_size: bytes of the own data area
 * @features: MMNET_F_* this endpoint accepts in received frames
 *
 * The whole region is zeroed: the peer can read all of it, so nothing that
 * was in that memory before may remain.  The region is in state INIT; the
 * caller may add references (mmnet_region_set_refs()) and then share it.
 *
 * Return: 0, or -EINVAL for an unsupported geometry.
 */
int mmnet_ring_init(struct mmnet_ring *r, struct mmnet_ctrl *ctrl, void *body,
		    u32 slots, u32 data_size, u32 features)
{
	if (!mmnet_geom_ok(slots, data_size))
		return -EINVAL;
	memset(r, 0, mmnet_ring_size(slots));
	memset(ctrl, 0, sizeof(*ctrl));
	memset(body, 0, MMNET_BODY_BYTES(slots, data_size));

	ctrl->magic = cpu_to_le32(MMNET_CHAN_MAGIC);
	ctrl->version = cpu_to_le32(MMNET_CHAN_VERSION);
	ctrl->features = cpu_to_le32(features & MMNET_F_ALL);
	ctrl->ring_slots = cpu_to_le32(slots);
	ctrl->data_size = cpu_to_le32(data_size);
	ctrl->state = cpu_to_le32(MMNET_STATE_INIT);
	/* The peer's first frame must wake us; tx_event stays 0 until we wait. */
	ctrl->rx_event = cpu_to_le32(1);

	r->tx.ctrl = ctrl;
	r->tx.ring = body;
	r->tx.data = (u8 *)body + MMNET_RING_BYTES(slots);
	r->tx.mask = slots - 1;
	r->tx.data_size = data_size;
	r->rx.ctrl = ctrl;
	r->rx.features = features & MMNET_F_ALL;
	return 0;
}

/**
 * mmnet_region_set_refs - record the transport's references of the body
 * @ctrl: the own control page, initialized by mmnet_ring_init()
 * @refs: one reference (e.g. a grant reference) per body page, in order
 * @nr: number of references, exactly the pages of the body
 *
 * Return: 0, or -EINVAL if @nr does not match the body.
 */
int mmnet_region_set_refs(struct mmnet_ctrl *ctrl, const u32 *refs, u32 nr)
{
	u32 body = MMNET_BODY_BYTES(le32_to_cpu(ctrl->ring_slots),
				    le32_to_cpu(ctrl->data_size));
	u32 i;

	if (nr != body / MMNET_PAGE_SIZE)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		ctrl->refs[i] = cpu_to_le32(refs[i]);
	ctrl->nr_refs = cpu_to_le32(nr);
	return 0;
}

/**
 * mmnet_region_peer_refs - read the references of a peer's body
 * @peer: the peer's control page, mapped read-only
 * @refs: where to copy them
 * @max: room in @refs
 *
 * Only the control page needs to be mapped for this.  The caller maps the
 * body from the copy, then calls mmnet_ring_attach(), which checks the
 * header again against what was actually mapped.
 *
 * Return: the number of references, -EPROTO for a bad header or count,
 * -ENOSPC if @max is too small.
 */
int mmnet_region_peer_refs(const struct mmnet_ctrl *peer, u32 *refs, u32 max)
{
	struct mmnet_geom g;
	u32 nr, i;

	if (mmnet_read_header(peer, &g))
		return -EPROTO;
	nr = le32_to_cpu(READ_ONCE(peer->nr_refs));
	if (nr != MMNET_BODY_BYTES(g.slots, g.data_size) / MMNET_PAGE_SIZE)
		return -EPROTO;
	if (nr > max)
		return -ENOSPC;
	for (i = 0; i < nr; i++)
		refs[i] = le32_to_cpu(READ_ONCE(peer->refs[i]));
	return nr;
}

/**
 * mmnet_ring_attach - start using a peer's region
 * @r: a ring set up by mmnet_ring_init()
 * @peer: the peer's control page, mapped read-only
 * @peer_body: the peer's body, mapped read-only
 * @peer_body_size: bytes mapped at @peer_body
 *
 * The header is read once: the geometry used from now on is this copy,
 * whatever the peer writes later.  On success the own state becomes
 * CONNECTED, which allows the peer to send.
 *
 * Return: 0, or -EPROTO (mmnet_ring_error() says MMNET_REASON_HEADER).
 */
int mmnet_ring_attach(struct mmnet_ring *r, const struct mmnet_ctrl *peer,
		      const void *peer_body, size_t peer_body_size)
{
	struct mmnet_geom g;

	if (mmnet_read_header(peer, &g) ||
	    peer_body_size < MMNET_BODY_BYTES(g.slots, g.data_size)) {
		WRITE_ONCE(r->rx.reason, MMNET_REASON_HEADER);
		return -EPROTO;
	}
	r->tx.peer = peer;
	r->tx.features = g.features & MMNET_F_ALL;
	r->rx.peer = peer;
	r->rx.ring = peer_body;
	r->rx.data = (const u8 *)peer_body + MMNET_RING_BYTES(g.slots);
	r->rx.mask = g.slots - 1;
	r->rx.data_size = g.data_size;
	/* Release: the peer sends only once it sees us ready to consume. */
	virt_store_release(&r->rx.ctrl->state,
			   cpu_to_le32(MMNET_STATE_CONNECTED));
	return 0;
}

/**
 * mmnet_ring_close - tell the peer this endpoint is leaving
 * @r: the ring
 * @reason: enum mmnet_chan_reason, MMNET_REASON_NONE for an orderly close
 *
 * The caller notifies the peer afterwards, stops using the ring, and
 * unmaps and revokes the regions once the peer has gone or a timeout ran.
 */
void mmnet_ring_close(struct mmnet_ring *r, u32 reason)
{
	WRITE_ONCE(r->rx.ctrl->reason, cpu_to_le32(reason));
	/* Release: the reason is there when the peer sees CLOSING. */
	virt_store_release(&r->rx.ctrl->state,
			   cpu_to_le32(MMNET_STATE_CLOSING));
}

/**
 * mmnet_ring_peer_state - the state the peer announces
 * @r: the ring
 * @reason: if not NULL, gets the peer's reason (meaningful when CLOSING)
 *
 * Return: enum mmnet_chan_state as read (INIT before attach); any other
 * value means a broken peer and is for the caller to treat like CLOSING.
 */
u32 mmnet_ring_peer_state(const struct mmnet_ring *r, u32 *reason)
{
	const struct mmnet_ctrl *peer = r->rx.peer;
	u32 state;

	if (reason)
		*reason = MMNET_REASON_NONE;
	if (!peer)
		return MMNET_STATE_INIT;
	/* Acquire: pairs with the release of mmnet_ring_close() */
	state = le32_to_cpu(virt_load_acquire(&peer->state));
	if (reason)
		*reason = le32_to_cpu(READ_ONCE(peer->reason));
	return state;
}

/**
 * mmnet_ring_peer_news - whether the peer changed anything we have not seen
 * @r: an attached ring
 *
 * New frames, consumer progress, or a state other than CONNECTED: what an
 * event from the peer can be about.  Racy on purpose (an interrupt handler
 * asks while NAPI runs): a wrong "yes" costs one poll, a wrong "no" cannot
 * happen for a change made before the event was sent.
 *
 * Return: true if an event from the peer has work for us.
 */
bool mmnet_ring_peer_news(const struct mmnet_ring *r)
{
	const struct mmnet_ctrl *peer = r->rx.peer;

	if (!peer)
		return false;
	return le32_to_cpu(READ_ONCE(peer->tx_prod)) != READ_ONCE(r->rx.cons) ||
	       le32_to_cpu(READ_ONCE(peer->rx_cons)) != READ_ONCE(r->tx.cons) ||
	       le32_to_cpu(READ_ONCE(peer->state)) != MMNET_STATE_CONNECTED;
}

/**
 * mmnet_ring_error - why the peer's region was found broken
 * @r: the ring
 *
 * Return: 0 while the ring is healthy, else an enum mmnet_chan_reason to
 * pass to mmnet_ring_close().
 */
u32 mmnet_ring_error(const struct mmnet_ring *r)
{
	u32 reason = READ_ONCE(r->rx.reason);

	return reason ? reason : READ_ONCE(r->tx.reason);
}

/**
 * mmnet_ring_stats - copy the counters
 * @r: the ring
 * @s: where to copy them
 *
 * Each counter is written by one path only; a copy taken while the ring
 * runs is not a consistent snapshot, which counters do not need.
 */
void mmnet_ring_stats(const struct mmnet_ring *r, struct mmnet_ring_stats *s)
{
	s->tx_frames = READ_ONCE(r->tx.frames);
	s->tx_bytes = READ_ONCE(r->tx.bytes);
	s->tx_notify = READ_ONCE(r->tx.notify);
	s->tx_notify_suppressed = READ_ONCE(r->tx.suppressed);
	s->tx_full = READ_ONCE(r->tx.full);
	s->rx_frames = READ_ONCE(r->rx.frames);
	s->rx_bytes = READ_ONCE(r->rx.bytes);
	s->rx_notify = READ_ONCE(r->rx.notify);
	s->rx_notify_suppressed = READ_ONCE(r->rx.suppressed);
}

/* Checksum fields: in range if CSUM_PARTIAL, zero otherwise. */
static u32 mmnet_check_csum(const struct mmnet_frame *f, u32 features)
{
	if (!(f->flags & MMNET_DESC_F_CSUM_PARTIAL))
		return f->csum_start || f->csum_offset ? MMNET_REASON_CSUM : 0;
	if (!(features & MMNET_F_CSUM) || f->csum_start < MMNET_FRAME_MIN)
		return MMNET_REASON_CSUM;
	/* The 16-bit checksum field lies inside the frame. */
	if ((u32)f->csum_start + f->csum_offset + 2 > f->len)
		return MMNET_REASON_CSUM;
	return 0;
}

/* GSO fields: a negotiated type with a segment size, or all zero. */
static u32 mmnet_check_gso(const struct mmnet_frame *f, u32 features)
{
	bool ecn = f->flags & MMNET_DESC_F_GSO_ECN;

	if (f->gso_type == MMNET_GSO_NONE)
		return f->gso_size || ecn ? MMNET_REASON_GSO : 0;
	/* The feature bit of GSO type t is bit t. */
	if (f->gso_type > MMNET_GSO_UDP_L4 ||
	    !(features & (1U << f->gso_type)))
		return MMNET_REASON_GSO;
	/* Segmenting rewrites checksums, so GSO implies CSUM_PARTIAL. */
	if (!(f->flags & MMNET_DESC_F_CSUM_PARTIAL) || !f->gso_size)
		return MMNET_REASON_GSO;
	if (ecn && f->gso_type == MMNET_GSO_UDP_L4)
		return MMNET_REASON_GSO;
	return 0;
}

/* The descriptor rules of docs/channel.md, but for the area bounds. */
static u32 mmnet_check_meta(const struct mmnet_frame *f, u32 features)
{
	const u8 both = MMNET_DESC_F_CSUM_PARTIAL | MMNET_DESC_F_DATA_VALID;
	u32 reason;

	if (f->len < MMNET_FRAME_MIN || f->len > MMNET_FRAME_MAX)
		return MMNET_REASON_LEN;
	if ((f->flags & ~MMNET_DESC_F_ALL) || (f->flags & both) == both)
		return MMNET_REASON_FLAGS;
	reason = mmnet_check_csum(f, features);
	return reason ? reason : mmnet_check_gso(f, features);
}

/* Whether @len bytes fit, by our private view; @pos gets where. */
static bool mmnet_tx_fits(const struct mmnet_ring_tx *tx, u32 len, u32 *pos)
{
	u32 start = tx->head;
	u32 off = start & (tx->data_size - 1);

	if (tx->prod - tx->cons > tx->mask)
		return false;
	/* Frames never wrap: skip the end of the area, it is freed with us. */
	if (len > tx->data_size - off)
		start += tx->data_size - off;
	if (start + len - tx->tail > tx->data_size)
		return false;
	*pos = start;
	return true;
}

static int mmnet_tx_fail(struct mmnet_ring_tx *tx, u32 reason)
{
	WRITE_ONCE(tx->reason, reason);
	return -EPROTO;
}

/* Free the data of the frames the peer has consumed since we last looked. */
static int mmnet_tx_reclaim(struct mmnet_ring *r)
{
	struct mmnet_ring_tx *tx = &r->tx;
	/* Acquire: the peer is done reading before we overwrite. */
	u32 cons = le32_to_cpu(virt_load_acquire(&tx->peer->rx_cons));

	/* It can only have consumed what we published, and never goes back. */
	if (cons - tx->cons > tx->pub - tx->cons)
		return mmnet_tx_fail(tx, MMNET_REASON_CONS);
	if (cons != tx->cons) {
		tx->tail = r->tx_end[(cons - 1) & tx->mask];
		tx->cons = cons;
	}
	return 0;
}

/**
 * mmnet_ring_tx_consumed - how far the peer has consumed
 * @r: an attached ring
 * @queued: gets the index after the last frame queued
 *
 * Return: the index of the first frame the peer has not consumed; a frame
 * queued when @queued was N is consumed once this passes N.
 */
u32 mmnet_ring_tx_consumed(struct mmnet_ring *r, u32 *queued)
{
	*queued = r->tx.prod;
	if (!r->tx.reason)
		mmnet_tx_reclaim(r);
	return r->tx.cons;
}

/**
 * mmnet_ring_tx_features - what the peer accepts
 * @r: an attached ring
 *
 * Return: MMNET_F_* of the peer.  Frames that need a feature the peer lacks
 * must be segmented or checksummed before mmnet_ring_tx_alloc().
 */
u32 mmnet_ring_tx_features(const struct mmnet_ring *r)
{
	return r->tx.features;
}

/**
 * mmnet_ring_tx_room - whether a frame of @len bytes fits now
 * @r: an attached ring
 * @len: frame length, at most MMNET_FRAME_MAX
 *
 * Looks at the peer's progress only when the private view says no.
 *
 * Return: true if mmnet_ring_tx_alloc() of @len bytes would find room.
 */
bool mmnet_ring_tx_room(struct mmnet_ring *r, u32 len)
{
	u32 pos;

	if (r->tx.reason || len > MMNET_FRAME_MAX)
		return false;
	if (mmnet_tx_fits(&r->tx, len, &pos))
		return true;
	return !mmnet_tx_reclaim(r) && mmnet_tx_fits(&r->tx, len, &pos);
}

/* Fill the next descriptor (not yet visible to the peer). */
static void mmnet_tx_write_desc(struct mmnet_ring *r,
				const struct mmnet_frame *f, u32 pos)
{
	struct mmnet_ring_tx *tx = &r->tx;
	u32 slot = tx->prod & tx->mask;
	struct mmnet_desc *d = &tx->ring[slot];

	d->offset = cpu_to_le32(pos & (tx->data_size - 1));
	d->len = cpu_to_le32(f->len);
	d->flags = f->flags;
	d->gso_type = f->gso_type;
	d->gso_size = cpu_to_le16(f->gso_size);
	d->csum_start = cpu_to_le16(f->csum_start);
	d->csum_offset = cpu_to_le16(f->csum_offset);

	tx->head = ALIGN(pos + f->len, MMNET_DATA_ALIGN);
	r->tx_end[slot] = tx->head;
	tx->prod++;
	tx->frames++;
	tx->bytes += f->len;
}

/**
 * mmnet_ring_tx_alloc - queue a frame and get the place of its bytes
 * @r: an attached ring
 * @f: length and metadata (@f->data is not used)
 * @data: gets where to copy the @f->len bytes of the frame
 *
 * The frame becomes visible to the peer at the next mmnet_ring_tx_push();
 * its bytes must be in place by then.
 *
 * Return: 0; -ENOSPC if the ring is full (nothing queued: stop and retry
 * after mmnet_ring_tx_arm()); -EINVAL if @f breaks the descriptor rules or
 * needs a feature the peer lacks; -EPROTO if the peer is broken.
 */
int mmnet_ring_tx_alloc(struct mmnet_ring *r, const struct mmnet_frame *f,
			void **data)
{
	struct mmnet_ring_tx *tx = &r->tx;
	u32 pos;

	if (unlikely(tx->reason))
		return -EPROTO;
	if (mmnet_check_meta(f, tx->features))
		return -EINVAL;
	if (!mmnet_tx_fits(tx, f->len, &pos)) {
		if (mmnet_tx_reclaim(r))
			return -EPROTO;
		if (!mmnet_tx_fits(tx, f->len, &pos))
			return -ENOSPC;
	}
	mmnet_tx_write_desc(r, f, pos);
	*data = tx->data + (pos & (tx->data_size - 1));
	return 0;
}

/**
 * mmnet_ring_tx_push - publish the queued frames
 * @r: an attached ring
 *
 * Return: true if the peer asked to hear about them: notify it.
 */
bool mmnet_ring_tx_push(struct mmnet_ring *r)
{
	struct mmnet_ring_tx *tx = &r->tx;
	u32 old = tx->pub, new = tx->prod;
	u32 event;

	if (old == new)
		return false;
	/* Release: descriptors and bytes before the index that covers them. */
	virt_store_release(&tx->ctrl->tx_prod, cpu_to_le32(new));
	tx->pub = new;
	/* Our tx_prod before its rx_event: pairs with mmnet_ring_rx_arm(). */
	virt_mb();
	event = le32_to_cpu(READ_ONCE(tx->peer->rx_event));
	if (new - event < new - old) {
		tx->notify++;
		return true;
	}
	tx->suppressed++;
	return false;
}

/**
 * mmnet_ring_tx_arm - ask to be notified when room is freed
 * @r: an attached ring
 * @len: the frame length that must fit, at most MMNET_FRAME_MAX
 *
 * For the caller that found no room and stopped its queue: sets tx_event so
 * the peer notifies once it has consumed half of what is queued, then looks
 * again, so that room freed meanwhile is not missed.  Frames queued but not
 * yet pushed count as in flight: the caller must mmnet_ring_tx_push() before
 * it waits, as the peer cannot consume what it cannot see.
 *
 * The event is only worth waiting for if the peer has not passed it yet:
 * the peer notifies when its rx_cons crosses tx_event, never for a value
 * already behind it.  So the event is set from the peer's latest progress,
 * and set again if the peer overtook it while we looked.
 *
 * Return: 1 if a frame of @len bytes fits now (wake the queue, retry); 0 to
 * wait for the notification; -EPROTO if the peer is broken; -EINVAL if @len
 * can never fit.
 */
int mmnet_ring_tx_arm(struct mmnet_ring *r, u32 len)
{
	struct mmnet_ring_tx *tx = &r->tx;
	u32 event, pos;

	if (len > MMNET_FRAME_MAX)
		return -EINVAL;
	for (;;) {
		if (tx->reason || mmnet_tx_reclaim(r))
			return -EPROTO;
		if (mmnet_tx_fits(tx, len, &pos))
			return 1;
		/* An empty area fits any frame (data_size >= 2 * FRAME_MAX). */
		if (tx->prod == tx->cons)
			return -EINVAL;
		/* Half, not one: room comes back in batches, with fewer wake-ups. */
		event = tx->cons + (tx->prod - tx->cons + 1) / 2;
		WRITE_ONCE(tx->ctrl->tx_event, cpu_to_le32(event));
		/* tx_event before its rx_cons: pairs with mmnet_ring_rx_publish(). */
		virt_mb();
		if (mmnet_tx_reclaim(r))
			return -EPROTO;
		if (mmnet_tx_fits(tx, len, &pos))
			return 1;
		/* The peer has not reached the event: it will notify then. */
		if (tx->cons != event && event - tx->cons <= tx->prod - tx->cons)
			break;
	}
	tx->full++;
	return 0;
}

/**
 * mmnet_ring_tx_pending - frames queued but not yet consumed
 * @r: an attached ring
 *
 * For an endpoint that is leaving: it waits (boundedly) until the peer took
 * what was sent before it closes.  Reads the peer's progress.
 *
 * Return: descriptors the peer has not consumed yet, pushed or not; 0 if
 * the peer is broken, since then nothing more will be.
 */
u32 mmnet_ring_tx_pending(struct mmnet_ring *r)
{
	struct mmnet_ring_tx *tx = &r->tx;

	if (tx->reason || mmnet_tx_reclaim(r))
		return 0;
	return tx->prod - tx->cons;
}

static int mmnet_rx_fail(struct mmnet_ring_rx *rx, u32 reason)
{
	WRITE_ONCE(rx->reason, reason);
	return -EPROTO;
}

/* Take a new snapshot of the peer's tx_prod: 1 if new frames, 0, -EPROTO. */
static int mmnet_rx_refresh(struct mmnet_ring_rx *rx)
{
	/* Acquire: descriptors and bytes are read after the index. */
	u32 prod = le32_to_cpu(virt_load_acquire(&rx->peer->tx_prod));

	/*
	 * A correct peer is never behind us, nor more than a ring ahead of
	 * what we have handed back (pub <= cons <= prod <= pub + slots).
	 */
	if (prod - rx->cons > rx->pub + rx->mask + 1 - rx->cons)
		return mmnet_rx_fail(rx, MMNET_REASON_PROD);
	rx->prod = prod;
	return prod != rx->cons;
}

/* Copy the descriptor at cons, each field read exactly once. */
static u32 mmnet_rx_read_desc(const struct mmnet_ring_rx *rx,
			      struct mmnet_frame *f)
{
	const struct mmnet_desc *d = &rx->ring[rx->cons & rx->mask];
	u32 off = le32_to_cpu(READ_ONCE(d->offset));

	f->len = le32_to_cpu(READ_ONCE(d->len));
	f->flags = READ_ONCE(d->flags);
	f->gso_type = READ_ONCE(d->gso_type);
	f->gso_size = le16_to_cpu(READ_ONCE(d->gso_size));
	f->csum_start = le16_to_cpu(READ_ONCE(d->csum_start));
	f->csum_offset = le16_to_cpu(READ_ONCE(d->csum_offset));
	return off;
}

/**
 * mmnet_ring_rx_next - take the next frame from the peer
 * @r: an attached ring
 * @f: gets the frame: checked metadata, and @f->data pointing into the
 *     peer's data area, @f->len bytes inside it
 *
 * The bytes stay in place until the next mmnet_ring_rx_publish(), but the
 * peer may still rewrite them: copy them once and parse only the copy.
 *
 * Return: 1 with a frame, 0 if none is ready, -EPROTO if the peer is broken.
 */
int mmnet_ring_rx_next(struct mmnet_ring *r, struct mmnet_frame *f)
{
	struct mmnet_ring_rx *rx = &r->rx;
	u32 off, reason;
	int ret;

	if (unlikely(rx->reason))
		return -EPROTO;
	if (rx->cons == rx->prod) {
		ret = mmnet_rx_refresh(rx);
		if (ret <= 0)
			return ret;
	}
	off = mmnet_rx_read_desc(rx, f);
	if (off >= rx->data_size || f->len > rx->data_size - off)
		return mmnet_rx_fail(rx, MMNET_REASON_BOUNDS);
	reason = mmnet_check_meta(f, rx->features);
	if (reason)
		return mmnet_rx_fail(rx, reason);
	f->data = rx->data + off;
	rx->cons++;
	rx->frames++;
	rx->bytes += f->len;
	return 1;
}

/**
 * mmnet_ring_rx_publish - hand the space of the frames taken back
 * @r: an attached ring
 *
 * Call after each batch, once the bytes of its frames have been copied.
 *
 * Return: true if the peer waits for this room: notify it.
 */
bool mmnet_ring_rx_publish(struct mmnet_ring *r)
{
	struct mmnet_ring_rx *rx = &r->rx;
	u32 old = rx->pub, new = rx->cons;
	u32 event;

	if (old == new)
		return false;
	/* Release: our reads of the frames before the peer may reuse them. */
	virt_store_release(&rx->ctrl->rx_cons, cpu_to_le32(new));
	rx->pub = new;
	/* Our rx_cons before its tx_event: pairs with mmnet_ring_tx_arm(). */
	virt_mb();
	event = le32_to_cpu(READ_ONCE(rx->peer->tx_event));
	if (new - event < new - old) {
		rx->notify++;
		return true;
	}
	rx->suppressed++;
	return false;
}

/**
 * mmnet_ring_rx_arm - ask to be notified of the next frame
 * @r: an attached ring
 *
 * For the caller about to stop polling (napi_complete_done()): sets
 * rx_event, then looks again, so that a frame published meanwhile, whose
 * producer saw the old rx_event and did not notify, is not missed.
 *
 * Return: 1 if frames are waiting: poll again; 0 to wait for the
 * notification; -EPROTO if the peer is broken.
 */
int mmnet_ring_rx_arm(struct mmnet_ring *r)
{
	struct mmnet_ring_rx *rx = &r->rx;

	if (rx->reason)
		return -EPROTO;
	WRITE_ONCE(rx->ctrl->rx_event, cpu_to_le32(rx->cons + 1));
	/* rx_event before its tx_prod: pairs with mmnet_ring_tx_push(). */
	virt_mb();
	if (rx->cons != rx->prod)
		return 1;
	return mmnet_rx_refresh(rx);
}
