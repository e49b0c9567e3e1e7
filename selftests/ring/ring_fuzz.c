// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the input plays a hostile peer.  It chooses the peer's
 * header, then runs a script of operations that rewrite any part of the
 * peer's region (indices, event indices, descriptors, data, header) between
 * calls of the ring code on our side (consume, publish, arm, and the
 * producer's alloc/push/arm, which read the peer's rx_cons and events).
 *
 * The peer's ring and data area are separate exact-size allocations with the
 * page-rounding gap poisoned, so that ASan reports any read outside them.
 * The harness also checks what ASan cannot: every frame handed back lies in
 * the data area and satisfies the descriptor rules, errors are sticky, the
 * consumer never runs more than a ring ahead, and our own data area never
 * hands out space still in flight.
 *
 *   ring_fuzz -max_total_time=20 CORPUS_DIR
 */
#include <sanitizer/asan_interface.h>

#include "ring_util.h"

#define OPS_MAX	256

struct input {
	const u8 *p;
	size_t n;
};

static u8 in8(struct input *in)
{
	u8 v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static u16 in16(struct input *in)
{
	return in8(in) | in8(in) << 8;
}

static u32 in32(struct input *in)
{
	return in16(in) | (u32)in16(in) << 16;
}

struct peer {
	struct mmnet_ctrl *ctrl;
	u8 *body;		/* ring, gap, then data area: one allocation */
	size_t body_size;
	u32 slots, data_size;
};

struct own_frame {
	u32 off, len;
};

struct harness {
	struct endpoint me;
	struct peer peer;
	u32 features;
	u32 peer_slots;		/* geometry attach accepted */
	u32 peer_data;
	struct own_frame own[256];
	u32 last_cons;		/* tx.cons after the previous operation */
	u8 sink[MMNET_FRAME_MAX];
};

static struct harness h;

static void fail(const char *what)
{
	fprintf(stderr, "ring_fuzz: invariant broken: %s\n", what);
	__builtin_trap();
}

/* The descriptor rules, written independently of ring.c. */
static bool frame_valid(const struct mmnet_frame *f, u32 features)
{
	bool cp = f->flags & MMNET_DESC_F_CSUM_PARTIAL;

	if (f->len < 14 || f->len > 65536 || (f->flags & ~7) || (cp && (f->flags & 2)))
		return false;
	if (cp && (!(features & 1) || f->csum_start < 14 ||
		   f->csum_start + f->csum_offset + 2u > f->len))
		return false;
	if (!cp && (f->csum_start || f->csum_offset))
		return false;
	if (!f->gso_type)
		return !f->gso_size && !(f->flags & 4);
	return f->gso_type <= 3 && (features >> f->gso_type & 1) && cp && f->gso_size &&
	       !(f->gso_type == 3 && (f->flags & 4));
}

/* The largest peer region, allocated once; each run uses a prefix of its body. */
static void peer_region(struct peer *p, u32 slots, u32 data_size)
{
	if (!p->ctrl) {
		p->ctrl = xalloc(MMNET_PAGE_SIZE, sizeof(*p->ctrl));
		p->body_size = MMNET_BODY_BYTES(256, 2 * MMNET_DATA_SIZE_MIN);
		p->body = xalloc(MMNET_PAGE_SIZE, p->body_size);
	}
	ASAN_UNPOISON_MEMORY_REGION(p->body, p->body_size);
	p->slots = slots;
	p->data_size = data_size;
	memset(p->ctrl, 0, sizeof(*p->ctrl));
	memset(p->body, 0, MMNET_BODY_BYTES(slots, data_size));
	p->ctrl->magic = cpu_to_le32(MMNET_CHAN_MAGIC);
	p->ctrl->version = cpu_to_le32(MMNET_CHAN_VERSION);
	p->ctrl->features = cpu_to_le32(MMNET_F_ALL);
	p->ctrl->ring_slots = cpu_to_le32(slots);
	p->ctrl->data_size = cpu_to_le32(data_size);
	p->ctrl->state = cpu_to_le32(MMNET_STATE_CONNECTED);
	p->ctrl->rx_event = cpu_to_le32(1);
}

/*
 * Poison what the geometry attach accepted leaves out of the mapping: the
 * rest of the ring's last page and anything after the data area.
 */
static void peer_poison(struct peer *p, u32 slots, u32 data_size)
{
	size_t ring = (size_t)slots * sizeof(struct mmnet_desc);
	size_t end = MMNET_BODY_BYTES(slots, data_size);

	p->slots = slots;
	p->data_size = data_size;
	ASAN_POISON_MEMORY_REGION(p->body + ring, MMNET_RING_BYTES(slots) - ring);
	ASAN_POISON_MEMORY_REGION(p->body + end, p->body_size - end);
}

static u8 *peer_data(void)
{
	return h.peer.body + MMNET_RING_BYTES(h.peer.slots);
}

static struct mmnet_desc *peer_desc(u32 idx)
{
	return (struct mmnet_desc *)h.peer.body + (idx & (h.peer.slots - 1));
}

static void check_rx_frame(const struct mmnet_frame *f)
{
	const u8 *base = h.me.r->rx.data, *p = f->data;

	if (p < base || p >= base + h.peer_data || f->len > (size_t)(base + h.peer_data - p))
		fail("frame outside the peer's data area");
	if (!frame_valid(f, h.features))
		fail("frame breaks the descriptor rules");
	if (h.me.r->rx.prod - h.me.r->rx.cons > h.peer_slots)
		fail("consumer more than a ring behind its snapshot");
	memcpy(h.sink, p, f->len);	/* every byte: ASan checks the range */
}

static void op_consume(struct input *in)
{
	u32 budget = in8(in) + 1;
	struct mmnet_frame f;
	int ret = 0;

	while (budget--) {
		ret = mmnet_ring_rx_next(h.me.r, &f);
		if (ret != 1)
			break;
		check_rx_frame(&f);
	}
	if (ret < 0 && ret != -EPROTO)
		fail("rx_next returned an unexpected error");
	if (ret == -EPROTO && (!mmnet_ring_error(h.me.r) ||
			       mmnet_ring_rx_next(h.me.r, &f) != -EPROTO))
		fail("rx error not sticky");
}

/* A descriptor that is valid with some probability, from few input bytes. */
static void op_likely_desc(struct input *in)
{
	u32 idx = h.me.r->rx.cons + in8(in);
	struct mmnet_desc *d = peer_desc(idx);
	u8 kind = in8(in);
	u32 len = 14 + in16(in) % 65523;

	d->offset = cpu_to_le32((in16(in) * 64u) % h.peer.data_size);
	d->len = cpu_to_le32(len);
	d->flags = kind & 7;
	d->gso_type = (kind >> 3) & 3;
	d->gso_size = cpu_to_le16(d->gso_type ? 1448 : 0);
	d->csum_start = cpu_to_le16(d->flags & 1 ? 34 : 0);
	d->csum_offset = cpu_to_le16(d->flags & 1 ? 16 : 0);
	if (kind & 0x80)
		WRITE_ONCE(h.peer.ctrl->tx_prod, cpu_to_le32(idx + 1));
}

static void op_raw_desc(struct input *in)
{
	struct mmnet_desc *d = peer_desc(h.me.r->rx.cons + in8(in));
	u8 *b = (u8 *)d;
	unsigned int i;

	for (i = 0; i < sizeof(*d); i++)
		b[i] = in8(in);
}

static void check_own_alloc(u8 *p, u32 len)
{
	struct mmnet_ring_tx *tx = &h.me.r->tx;
	u32 off = p - tx->data, i, slot = (tx->prod - 1) & tx->mask;

	if (p < tx->data || off + len > tx->data_size)
		fail("own frame outside the own data area");
	for (i = tx->cons; i != tx->prod - 1; i++) {
		struct own_frame *o = &h.own[i & tx->mask];

		if (off < o->off + o->len && o->off < off + len)
			fail("own data area: space still in flight handed out again");
	}
	h.own[slot] = (struct own_frame){ off, len };
	memset(p, 0xa5, len);
}

static void op_tx(struct input *in)
{
	struct mmnet_frame f = { 0 };
	u8 kind = in8(in);
	void *p = NULL;
	int ret;

	f.len = 14 + in16(in) % 65523;
	f.flags = kind & 3;
	if (f.flags & 1) {
		f.csum_start = 34;
		f.csum_offset = 6;
		f.gso_type = (kind >> 2) & 3;
		f.gso_size = f.gso_type ? 1000 : 0;
	}
	if (f.len < 42)
		f.len = 42;
	ret = mmnet_ring_tx_alloc(h.me.r, &f, &p);
	if (!ret)
		check_own_alloc(p, f.len);
	else if (ret != -ENOSPC && ret != -EPROTO && ret != -EINVAL)
		fail("tx_alloc returned an unexpected error");
	if (kind & 0x80)
		mmnet_ring_tx_push(h.me.r);
}

static void op_peer_cons(struct input *in)
{
	u32 v = in32(in);

	/* Half the time near what we published, else anything. */
	if (v & 1)
		v = h.me.r->tx.pub - (v >> 1) % (h.me.r->tx.mask + 3);
	WRITE_ONCE(h.peer.ctrl->rx_cons, cpu_to_le32(v));
}

static void op_ctrl_word(struct input *in)
{
	u32 off = in16(in) % (MMNET_PAGE_SIZE / 4);

	WRITE_ONCE(((__le32 *)h.peer.ctrl)[off], cpu_to_le32(in32(in)));
}

/* What the transport reads before mapping the body, and the peer's state. */
static void op_peer_refs(struct input *in)
{
	static u32 refs[MMNET_MAX_REFS + 1];
	u32 max = in16(in) % (MMNET_MAX_REFS + 1), reason;
	int n = mmnet_region_peer_refs(h.peer.ctrl, refs, max);

	if (n > (int)max || (n < 0 && n != -EPROTO && n != -ENOSPC))
		fail("peer_refs out of range");
	if (n > 0 && (u32)n * MMNET_PAGE_SIZE != MMNET_BODY_BYTES(
			le32_to_cpu(h.peer.ctrl->ring_slots), le32_to_cpu(h.peer.ctrl->data_size)))
		fail("peer_refs count does not match the header");
	mmnet_ring_peer_state(h.me.r, &reason);
}

static void run_op(struct input *in)
{
	switch (in8(in) % 16) {
	case 0:
		WRITE_ONCE(h.peer.ctrl->tx_prod, cpu_to_le32(h.me.r->rx.cons + in8(in) % 40));
		break;
	case 1:
		WRITE_ONCE(h.peer.ctrl->tx_prod, cpu_to_le32(in32(in)));
		break;
	case 2:
		op_raw_desc(in);
		break;
	case 3:
		op_likely_desc(in);
		break;
	case 4:
		op_consume(in);
		break;
	case 5:
		mmnet_ring_rx_publish(h.me.r);
		break;
	case 6:
		if (mmnet_ring_rx_arm(h.me.r) < 0 && !mmnet_ring_error(h.me.r))
			fail("rx_arm error without a reason");
		break;
	case 7:
		op_peer_cons(in);
		break;
	case 8:
		WRITE_ONCE(h.peer.ctrl->rx_event, cpu_to_le32(in32(in)));
		WRITE_ONCE(h.peer.ctrl->tx_event, cpu_to_le32(in32(in)));
		break;
	case 9:
		op_tx(in);
		break;
	case 10:
		mmnet_ring_tx_push(h.me.r);
		break;
	case 11:
		if (mmnet_ring_tx_arm(h.me.r, 14 + in16(in) % 65523) < 0 &&
		    !mmnet_ring_error(h.me.r))
			fail("tx_arm error without a reason");
		break;
	case 12:
		op_ctrl_word(in);
		break;
	case 13:
		memset(peer_data() + in16(in) * 2u % h.peer.data_size, in8(in), 1);
		break;
	case 14:
		op_peer_refs(in);
		break;
	case 15:
		if (mmnet_ring_tx_pending(h.me.r) > h.me.r->tx.mask + 1)
			fail("more pending than the ring holds");
		break;
	}
}

/* Byte 0: geometry of both sides and what we accept; bit 7: raw header. */
static bool setup(struct input *in)
{
	u8 cfg = in8(in);
	u32 slots = 2u << (cfg & 7);
	u32 data = MMNET_DATA_SIZE_MIN << ((cfg >> 3) & 1);
	u32 i;

	static const u32 fsel[] = {
		0, MMNET_F_CSUM, MMNET_F_CSUM | MMNET_F_GSO_TCPV4, MMNET_F_ALL
	};

	h.features = fsel[(cfg >> 4) & 3];
	if (!h.me.r) {
		h.me.body_size = MMNET_BODY_BYTES(16, MMNET_DATA_SIZE_MIN);
		h.me.ctrl = xalloc(MMNET_PAGE_SIZE, sizeof(*h.me.ctrl));
		h.me.body = xalloc(MMNET_PAGE_SIZE, h.me.body_size);
		h.me.r = xalloc(64, mmnet_ring_size(16));
	}
	if (mmnet_ring_init(h.me.r, h.me.ctrl, h.me.body, 8u << (cfg >> 6 & 1),
			    MMNET_DATA_SIZE_MIN, h.features))
		fail("mmnet_ring_init");
	peer_region(&h.peer, slots, data);
	if (cfg & 0x80) {
		for (i = 0; i < 8; i++)
			((__le32 *)h.peer.ctrl)[i] ^= cpu_to_le32(in32(in) & in32(in));
	}
	if (mmnet_ring_attach(h.me.r, h.peer.ctrl, h.peer.body, MMNET_BODY_BYTES(slots, data)))
		return false;
	h.peer_slots = h.me.r->rx.mask + 1;
	h.peer_data = h.me.r->rx.data_size;
	if (MMNET_BODY_BYTES(h.peer_slots, h.peer_data) > MMNET_BODY_BYTES(slots, data))
		fail("attach accepted a geometry bigger than the mapping");
	peer_poison(&h.peer, h.peer_slots, h.peer_data);
	return true;
}

/* Private indices stay consistent whatever the peer wrote. */
static void check_indices(void)
{
	const struct mmnet_ring_tx *tx = &h.me.r->tx;
	const struct mmnet_ring_rx *rx = &h.me.r->rx;

	if (tx->cons - h.last_cons > tx->pub - h.last_cons)
		fail("producer freed what it has not published, or went back");
	if (tx->prod - tx->cons > tx->mask + 1 || tx->head - tx->tail > tx->data_size)
		fail("producer uses more than its ring or data area");
	if (rx->cons - rx->pub > rx->prod - rx->pub || rx->prod - rx->pub > h.peer_slots)
		fail("consumer indices more than a ring apart");
	h.last_cons = tx->cons;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	int ops = 0;

	if (setup(&in)) {
		h.last_cons = 0;
		while (in.n && ops++ < OPS_MAX) {
			run_op(&in);
			check_indices();
		}
	}
	return 0;
}
