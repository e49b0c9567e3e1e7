// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/ring.c, built in userspace.  Prints TAP.
 *
 * usage: ring_test [-q]     -q: skip the multi-threaded stress test
 */
#include <pthread.h>
#include <stdarg.h>

#include "ring_util.h"

#define SLOTS	8
#define DATA	MMNET_DATA_SIZE_MIN

static int tests, failed;
static bool cur_ok;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		cur_ok = false;						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		printf("#   %s:%d: %s == %lld, expected %s == %lld\n",	\
		       __FILE__, __LINE__, #a, _a, #b, _b);		\
		cur_ok = false;						\
	}								\
} while (0)

static void begin(void)
{
	cur_ok = true;
}

static void __attribute__((format(printf, 1, 2))) end(const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cur_ok)
		failed++;
	printf("%sok %d ", cur_ok ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* A pair of endpoints a <-> b, both accepting @fa / @fb. */
static void pair(struct endpoint *a, struct endpoint *b, u32 slots, u32 data,
		 u32 fa, u32 fb)
{
	if (ep_create(a, slots, data, fa) || ep_create(b, slots, data, fb) ||
	    ep_connect(a, b)) {
		printf("Bail out! cannot set up a pair\n");
		exit(2);
	}
}

static void unpair(struct endpoint *a, struct endpoint *b)
{
	ep_destroy(a);
	ep_destroy(b);
}

/* Frame contents: a function of a sequence number, checkable byte by byte. */
static void fill(u8 *p, u32 len, u64 seq)
{
	u64 w = seq * 0x9e3779b97f4a7c15ULL;
	u32 i;

	for (i = 0; i + 8 <= len; i += 8, w += 0x100000001b3ULL)
		memcpy(p + i, &w, 8);
	for (; i < len; i++)
		p[i] = (u8)(seq + i);
}

static bool verify(const u8 *p, u32 len, u64 seq)
{
	u64 w = seq * 0x9e3779b97f4a7c15ULL, v;
	u32 i;

	for (i = 0; i + 8 <= len; i += 8, w += 0x100000001b3ULL) {
		memcpy(&v, p + i, 8);
		if (v != w)
			return false;
	}
	for (; i < len; i++)
		if (p[i] != (u8)(seq + i))
			return false;
	return true;
}

/* Deterministic metadata for frame @seq of @len bytes: plain, csum, GSO. */
static void meta_for(struct mmnet_frame *f, u64 seq, u32 len)
{
	memset(f, 0, sizeof(*f));
	f->len = len;
	if (len >= 54 && seq % 3 == 0) {
		f->flags = MMNET_DESC_F_CSUM_PARTIAL;
		f->csum_start = 34;
		f->csum_offset = 16;
		if (len > 1514 && seq % 2 == 0) {
			f->gso_type = seq % 4 ? MMNET_GSO_TCPV4 : MMNET_GSO_TCPV6;
			f->gso_size = 1448;
			if (seq % 5 == 0)
				f->flags |= MMNET_DESC_F_GSO_ECN;
		}
	} else if (seq % 3 == 1) {
		f->flags = MMNET_DESC_F_DATA_VALID;
	}
}

static bool meta_eq(const struct mmnet_frame *a, const struct mmnet_frame *b)
{
	return a->len == b->len && a->flags == b->flags && a->gso_type == b->gso_type &&
	       a->gso_size == b->gso_size && a->csum_start == b->csum_start &&
	       a->csum_offset == b->csum_offset;
}

/* The frame lies inside the data area of @peer's region. */
static bool in_area(const struct endpoint *peer, const struct mmnet_frame *f)
{
	const u8 *data = (const u8 *)peer->body +
			 MMNET_RING_BYTES(le32_to_cpu(peer->ctrl->ring_slots));
	const u8 *end = data + le32_to_cpu(peer->ctrl->data_size);
	const u8 *p = f->data;

	return p >= data && p < end && f->len <= (size_t)(end - p);
}

static int send1(struct endpoint *a, u64 seq, u32 len)
{
	struct mmnet_frame f;
	void *p;
	int ret;

	meta_for(&f, seq, len);
	ret = mmnet_ring_tx_alloc(a->r, &f, &p);
	if (!ret)
		fill(p, len, seq);
	return ret;
}

/* Take one frame on @b from @a and check it is frame @seq of @len bytes. */
static bool recv1(struct endpoint *b, struct endpoint *a, u64 seq, u32 len)
{
	struct mmnet_frame f, want;
	int ret = mmnet_ring_rx_next(b->r, &f);

	if (ret != 1) {
		printf("#   rx_next = %d for frame %llu\n", ret, (unsigned long long)seq);
		return false;
	}
	meta_for(&want, seq, len);
	if (!meta_eq(&f, &want) || !in_area(a, &f) || !verify(f.data, f.len, seq)) {
		printf("#   frame %llu: bad metadata, place or bytes\n", (unsigned long long)seq);
		return false;
	}
	return true;
}

static void test_layout(void)
{
	begin();
	CHECK_EQ(sizeof(struct mmnet_ctrl), 4096);
	CHECK_EQ(sizeof(struct mmnet_desc), 16);
	CHECK_EQ(offsetof(struct mmnet_ctrl, features), 0x08);
	CHECK_EQ(offsetof(struct mmnet_ctrl, ring_slots), 0x0c);
	CHECK_EQ(offsetof(struct mmnet_ctrl, data_size), 0x10);
	CHECK_EQ(offsetof(struct mmnet_ctrl, state), 0x40);
	CHECK_EQ(offsetof(struct mmnet_ctrl, reason), 0x44);
	CHECK_EQ(offsetof(struct mmnet_ctrl, tx_prod), 0x80);
	CHECK_EQ(offsetof(struct mmnet_ctrl, tx_event), 0x84);
	CHECK_EQ(offsetof(struct mmnet_ctrl, rx_cons), 0xc0);
	CHECK_EQ(offsetof(struct mmnet_ctrl, rx_event), 0xc4);
	CHECK_EQ(offsetof(struct mmnet_desc, len), 4);
	CHECK_EQ(offsetof(struct mmnet_desc, gso_type), 9);
	CHECK_EQ(offsetof(struct mmnet_desc, gso_size), 10);
	CHECK_EQ(offsetof(struct mmnet_desc, csum_start), 12);
	CHECK_EQ(MMNET_RING_BYTES(8), 4096);
	CHECK_EQ(MMNET_RING_BYTES(1024), 16384);
	end("layout: control page 4096 B, descriptor 16 B, field offsets as documented");
}

static void test_init_geometry(void)
{
	static const u32 bad[][2] = {
		{ 0, DATA }, { 1, DATA }, { 3, DATA }, { 8192, DATA },
		{ 8, 0 }, { 8, 65536 }, { 8, 196608 }, { 8, 4 << 20 },
	};
	struct endpoint e;
	unsigned int i;

	begin();
	CHECK_EQ(ep_create(&e, 2, DATA, 0), 0);
	CHECK_EQ(le32_to_cpu(e.ctrl->magic), MMNET_CHAN_MAGIC);
	CHECK_EQ(le32_to_cpu(e.ctrl->state), MMNET_STATE_INIT);
	CHECK_EQ(le32_to_cpu(e.ctrl->rx_event), 1);
	CHECK_EQ(le32_to_cpu(e.ctrl->tx_event), 0);
	CHECK_EQ(mmnet_ring_peer_state(e.r, NULL), MMNET_STATE_INIT);
	CHECK_EQ(mmnet_ring_error(e.r), 0);
	ep_destroy(&e);
	CHECK_EQ(ep_create(&e, MMNET_SLOTS_MAX, MMNET_DATA_SIZE_MAX, MMNET_F_ALL), 0);
	ep_destroy(&e);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mmnet_ctrl c;
		static u8 body[8192 * 16];
		static u64 rbuf[8192];

		CHECK_EQ(mmnet_ring_init((struct mmnet_ring *)rbuf, &c, body, bad[i][0],
					 bad[i][1], 0), -EINVAL);
	}
	end("init: accepts the limits, rejects slots 0/1/3/8192 and data 0/64K/192K/4M");
}

/* Attach to a peer whose header was damaged by @damage. */
static int attach_damaged(void (*damage)(struct mmnet_ctrl *), size_t body_cut, u32 *reason)
{
	struct endpoint a, b;
	int ret;

	ep_create(&a, SLOTS, DATA, MMNET_F_ALL);
	ep_create(&b, SLOTS, DATA, MMNET_F_ALL);
	if (damage)
		damage(b.ctrl);
	ret = mmnet_ring_attach(a.r, b.ctrl, b.body, b.body_size - body_cut);
	*reason = mmnet_ring_error(a.r);
	if (!ret)
		CHECK_EQ(le32_to_cpu(a.ctrl->state), MMNET_STATE_CONNECTED);
	else
		CHECK_EQ(le32_to_cpu(a.ctrl->state), MMNET_STATE_INIT);
	unpair(&a, &b);
	return ret;
}

static void dmg_magic(struct mmnet_ctrl *c) { c->magic = cpu_to_le32(0x12345678); }
static void dmg_version(struct mmnet_ctrl *c) { c->version = cpu_to_le32(2); }
static void dmg_slots(struct mmnet_ctrl *c) { c->ring_slots = cpu_to_le32(12); }
static void dmg_slots_big(struct mmnet_ctrl *c) { c->ring_slots = cpu_to_le32(1U << 31); }
static void dmg_data(struct mmnet_ctrl *c) { c->data_size = cpu_to_le32(0xffffffff); }
static void dmg_data_big(struct mmnet_ctrl *c) { c->data_size = cpu_to_le32(1U << 30); }
static void dmg_features(struct mmnet_ctrl *c) { c->features = cpu_to_le32(0xffffffff); }

static void test_attach(void)
{
	static const struct {
		const char *name;
		void (*damage)(struct mmnet_ctrl *);
		size_t cut;
		int ret;
	} cases[] = {
		{ "valid", NULL, 0, 0 },
		{ "unknown feature bits (ignored)", dmg_features, 0, 0 },
		{ "bad magic", dmg_magic, 0, -EPROTO },
		{ "version 2", dmg_version, 0, -EPROTO },
		{ "12 slots", dmg_slots, 0, -EPROTO },
		{ "2^31 slots", dmg_slots_big, 0, -EPROTO },
		{ "data size 2^32-1", dmg_data, 0, -EPROTO },
		{ "data size 1 GiB", dmg_data_big, 0, -EPROTO },
		{ "body mapped one page short", NULL, 4096, -EPROTO },
	};
	unsigned int i;
	u32 reason;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		begin();
		CHECK_EQ(attach_damaged(cases[i].damage, cases[i].cut, &reason), cases[i].ret);
		CHECK_EQ(reason, cases[i].ret ? MMNET_REASON_HEADER : 0);
		end("attach: %s -> %s", cases[i].name, cases[i].ret ? "-EPROTO" : "connected");
	}
}

static void test_refs(void)
{
	struct endpoint a;
	u32 refs[MMNET_MAX_REFS], got[MMNET_MAX_REFS];
	u32 pages, i;

	begin();
	ep_create(&a, 1024, 1 << 20, 0);
	pages = MMNET_BODY_BYTES(1024, 1 << 20) / MMNET_PAGE_SIZE;
	CHECK_EQ(pages, 4 + 256);
	for (i = 0; i < pages; i++)
		refs[i] = 1000 + i * 3;
	CHECK_EQ(mmnet_region_set_refs(a.ctrl, refs, pages - 1), -EINVAL);
	CHECK_EQ(mmnet_region_set_refs(a.ctrl, refs, pages), 0);
	CHECK_EQ(mmnet_region_peer_refs(a.ctrl, got, MMNET_MAX_REFS), pages);
	CHECK(!memcmp(refs, got, pages * sizeof(u32)));
	CHECK_EQ(mmnet_region_peer_refs(a.ctrl, got, pages - 1), -ENOSPC);
	a.ctrl->nr_refs = cpu_to_le32(MMNET_MAX_REFS + 1);
	CHECK_EQ(mmnet_region_peer_refs(a.ctrl, got, MMNET_MAX_REFS), -EPROTO);
	a.ctrl->nr_refs = cpu_to_le32(pages + 1);
	CHECK_EQ(mmnet_region_peer_refs(a.ctrl, got, MMNET_MAX_REFS), -EPROTO);
	a.ctrl->nr_refs = cpu_to_le32(pages);
	a.ctrl->data_size = cpu_to_le32(3 << 20);
	CHECK_EQ(mmnet_region_peer_refs(a.ctrl, got, MMNET_MAX_REFS), -EPROTO);
	ep_destroy(&a);
	end("refs: %u references round-trip; wrong count, short buffer, bad header rejected", pages);
}

static void test_roundtrip(void)
{
	static const u32 lens[] = { 14, 60, 64, 65, 1514, 9000, 32768, 65535, 65536 };
	struct endpoint a, b;
	unsigned int i, k;

	begin();
	pair(&a, &b, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
	for (k = 0; k < 4; k++) {
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			u64 seq = k * 100 + i;

			CHECK_EQ(send1(&a, seq, lens[i]), 0);
			CHECK_EQ(send1(&b, seq + 7, lens[i]), 0);
			mmnet_ring_tx_push(a.r);
			mmnet_ring_tx_push(b.r);
			CHECK(recv1(&b, &a, seq, lens[i]));
			CHECK(recv1(&a, &b, seq + 7, lens[i]));
			mmnet_ring_rx_publish(a.r);
			mmnet_ring_rx_publish(b.r);
		}
	}
	CHECK_EQ(mmnet_ring_error(a.r), 0);
	CHECK_EQ(mmnet_ring_error(b.r), 0);
	unpair(&a, &b);
	end("round trip both ways: 14 B..64 KiB, plain/csum/GSO metadata, bytes intact");
}

/* Move the a -> b direction to index @idx and data position @pos (white box). */
static void set_indices(struct endpoint *a, struct endpoint *b, u32 idx, u32 pos)
{
	a->r->tx.prod = a->r->tx.pub = a->r->tx.cons = idx;
	a->r->tx.head = a->r->tx.tail = pos;
	a->ctrl->tx_prod = cpu_to_le32(idx);
	b->r->rx.cons = b->r->rx.pub = b->r->rx.prod = idx;
	b->ctrl->rx_cons = cpu_to_le32(idx);
	b->ctrl->rx_event = cpu_to_le32(idx + 1);
}

static void test_index_wrap(void)
{
	struct endpoint a, b;
	u64 seq, sent = 0, got = 0;
	u32 start = 0xfffffff0U;

	begin();
	pair(&a, &b, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
	set_indices(&a, &b, start, 0xfffe0000U);
	/* Fill the ring each round, so that full and wrap coincide. */
	for (seq = 0; seq < 40 * SLOTS && cur_ok; seq += SLOTS) {
		u32 k;

		for (k = 0; k < SLOTS; k++, sent++)
			CHECK_EQ(send1(&a, sent, 100 + (sent * 37) % 3000), 0);
		CHECK_EQ(send1(&a, sent, 100), -ENOSPC);
		mmnet_ring_tx_push(a.r);
		for (k = 0; k < SLOTS; k++, got++)
			CHECK(recv1(&b, &a, got, 100 + (got * 37) % 3000));
		mmnet_ring_rx_publish(b.r);
	}
	CHECK((u32)(a.r->tx.prod - start) == sent && a.r->tx.prod < start);
	CHECK_EQ(a.r->tx.head < 0xfffe0000U, 1);
	CHECK_EQ(mmnet_ring_error(a.r), 0);
	CHECK_EQ(mmnet_ring_error(b.r), 0);
	unpair(&a, &b);
	end("wrap-around: indices and data positions across 2^32, %llu frames, ring full each round",
	    (unsigned long long)sent);
}

static void test_data_wrap(void)
{
	struct endpoint a, b;
	u64 seq;
	u32 len = 50000, pads = 0, last = 0;

	begin();
	pair(&a, &b, 64, DATA, MMNET_F_ALL, MMNET_F_ALL);
	for (seq = 0; seq < 200 && cur_ok; seq++) {
		u32 off;

		CHECK_EQ(send1(&a, seq, len + seq % 7), 0);
		mmnet_ring_tx_push(a.r);
		off = le32_to_cpu(((struct mmnet_desc *)a.body)[seq % 64].offset);
		CHECK_EQ(off % MMNET_DATA_ALIGN, 0);
		CHECK(off + len + seq % 7 <= DATA);
		if (seq && off == 0)
			pads++;
		CHECK(seq == 0 || off == 0 || off > last);
		last = off;
		/* Two in flight: the third must wait for the first. */
		if (seq >= 1) {
			CHECK(recv1(&b, &a, seq - 1, len + (seq - 1) % 7));
			mmnet_ring_rx_publish(b.r);
		}
	}
	CHECK(pads > 50);
	unpair(&a, &b);
	end("data area wrap: 50000 B frames in 128 KiB, never split, %u pads to the start", pads);
}

static void test_ring_full(void)
{
	struct endpoint a, b;
	struct mmnet_ring_stats s;
	u32 i;

	begin();
	pair(&a, &b, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
	for (i = 0; i < SLOTS; i++)
		CHECK_EQ(send1(&a, i, 60), 0);
	CHECK(!mmnet_ring_tx_room(a.r, 60));
	CHECK_EQ(send1(&a, 99, 60), -ENOSPC);
	mmnet_ring_tx_push(a.r);
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 60), 0);
	/* Half of the 8 in flight: notify when the peer's rx_cons passes 4. */
	CHECK_EQ(le32_to_cpu(a.ctrl->tx_event), 4);
	for (i = 0; i < 3; i++)
		CHECK(recv1(&b, &a, i, 60));
	CHECK(!mmnet_ring_rx_publish(b.r));
	CHECK(recv1(&b, &a, 3, 60));
	CHECK(mmnet_ring_rx_publish(b.r));
	CHECK(mmnet_ring_tx_room(a.r, 60));
	mmnet_ring_stats(a.r, &s);
	CHECK_EQ(s.tx_full, 1);
	mmnet_ring_stats(b.r, &s);
	CHECK_EQ(s.rx_notify, 1);
	CHECK_EQ(s.rx_notify_suppressed, 1);
	unpair(&a, &b);
	end("full ring: %d slots -> -ENOSPC, tx_arm waits, peer notifies at half, room again", SLOTS);
}

static void test_data_full(void)
{
	struct endpoint a, b;

	begin();
	pair(&a, &b, 64, DATA, MMNET_F_ALL, MMNET_F_ALL);
	CHECK_EQ(send1(&a, 0, 65536), 0);
	CHECK_EQ(send1(&a, 1, 65536), 0);
	CHECK(!mmnet_ring_tx_room(a.r, 14));
	CHECK_EQ(send1(&a, 2, 14), -ENOSPC);
	mmnet_ring_tx_push(a.r);
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 65536), 0);
	CHECK(recv1(&b, &a, 0, 65536));
	CHECK(mmnet_ring_rx_publish(b.r));
	CHECK(mmnet_ring_tx_room(a.r, 65536));
	CHECK_EQ(send1(&a, 2, 65536), 0);
	unpair(&a, &b);
	end("full data area: two 64 KiB frames fill 128 KiB with slots free -> -ENOSPC, then room");
}

static void test_arm_race(void)
{
	struct endpoint a, b;
	u32 i;

	begin();
	pair(&a, &b, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
	for (i = 0; i < SLOTS; i++)
		CHECK_EQ(send1(&a, i, 60), 0);
	mmnet_ring_tx_push(a.r);
	/* The consumer frees room after the producer found none, before it arms. */
	CHECK(!mmnet_ring_tx_room(a.r, 60));
	CHECK(recv1(&b, &a, 0, 60));
	CHECK(!mmnet_ring_rx_publish(b.r));
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 60), 1);
	/* With room, tx_arm says so straight away. */
	for (i = 1; i < SLOTS; i++)
		CHECK(recv1(&b, &a, i, 60));
	mmnet_ring_rx_publish(b.r);
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 65536), 1);
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 65537), -EINVAL);
	unpair(&a, &b);
	end("backpressure final check: tx_arm sees room freed before it armed");
}

/* A backlog flush fills the ring before anything is pushed, then arms. */
static void test_arm_before_push(void)
{
	struct endpoint a, b;
	u32 i;

	begin();
	pair(&a, &b, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
	for (i = 0; i < SLOTS; i++)
		CHECK_EQ(send1(&a, i, 60), 0);
	CHECK_EQ(mmnet_ring_tx_pending(a.r), SLOTS);
	/* Nothing published, nothing consumed: wait, and never spin. */
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 60), 0);
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 60), 0);
	CHECK_EQ(le32_to_cpu(a.ctrl->tx_event), SLOTS / 2);
	CHECK(mmnet_ring_tx_push(a.r));
	for (i = 0; i < SLOTS / 2 - 1; i++)
		CHECK(recv1(&b, &a, i, 60));
	CHECK(!mmnet_ring_rx_publish(b.r));
	CHECK(recv1(&b, &a, i, 60));
	CHECK(mmnet_ring_rx_publish(b.r));
	CHECK_EQ(mmnet_ring_tx_pending(a.r), SLOTS / 2);
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 60), 1);
	unpair(&a, &b);
	end("backpressure before push: tx_arm waits (no busy loop), push, peer notifies at half");
}

/*
 * The peer consumed past where the producer last looked, and the room it
 * freed is still too little: the event must lie ahead of the peer's real
 * progress, or no notification ever comes.  128 KiB area: 16+16+16+64 KiB
 * in flight, the peer takes two; a 64 KiB frame still does not fit.
 */
static void test_arm_stale_cons(void)
{
	static const u32 len[] = { 16384, 16384, 16384, 65536 };
	struct endpoint a, b;
	u32 i;

	begin();
	pair(&a, &b, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
	for (i = 0; i < 4; i++)
		CHECK_EQ(send1(&a, i, len[i]), 0);
	CHECK_EQ(send1(&a, 4, 65536), -ENOSPC);
	mmnet_ring_tx_push(a.r);
	for (i = 0; i < 2; i++)
		CHECK(recv1(&b, &a, i, len[i]));
	mmnet_ring_rx_publish(b.r);
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 65536), 0);
	CHECK_EQ(le32_to_cpu(a.ctrl->tx_event), 3);
	CHECK(recv1(&b, &a, 2, len[2]));
	CHECK(mmnet_ring_rx_publish(b.r));
	/* 16 KiB more is not enough yet: arm again, for the last one. */
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 65536), 0);
	CHECK_EQ(le32_to_cpu(a.ctrl->tx_event), 4);
	CHECK(recv1(&b, &a, 3, len[3]));
	CHECK(mmnet_ring_rx_publish(b.r));
	CHECK_EQ(mmnet_ring_tx_arm(a.r, 65536), 1);
	CHECK_EQ(send1(&a, 4, 65536), 0);
	unpair(&a, &b);
	end("tx_arm after the peer moved on unseen: the event is ahead of it, each step notifies");
}

static void test_suppression(void)
{
	struct endpoint a, b;
	struct mmnet_ring_stats sa, sb;
	u64 seq = 0;
	int i;

	begin();
	pair(&a, &b, 64, DATA, MMNET_F_ALL, MMNET_F_ALL);
	/* rx_event starts at 1: the first frame notifies. */
	send1(&a, seq++, 100);
	CHECK(mmnet_ring_tx_push(a.r));
	/* The consumer has not re-armed: more frames are not announced. */
	send1(&a, seq++, 100);
	CHECK(!mmnet_ring_tx_push(a.r));
	for (i = 0; i < 3; i++)
		send1(&a, seq++, 100);
	CHECK(!mmnet_ring_tx_push(a.r));
	/* Nothing pushed: no decision, nothing counted. */
	CHECK(!mmnet_ring_tx_push(a.r));
	for (i = 0; i < 5; i++)
		CHECK(recv1(&b, &a, i, 100));
	CHECK(!mmnet_ring_rx_publish(b.r));
	CHECK_EQ(mmnet_ring_rx_arm(b.r), 0);
	CHECK_EQ(le32_to_cpu(b.ctrl->rx_event), 6);
	send1(&a, seq++, 100);
	CHECK(mmnet_ring_tx_push(a.r));
	/* Lost-wakeup case: a frame pushed while the consumer polls, unarmed. */
	CHECK(recv1(&b, &a, 5, 100));
	mmnet_ring_rx_publish(b.r);
	send1(&a, seq++, 100);
	CHECK(!mmnet_ring_tx_push(a.r));
	CHECK_EQ(mmnet_ring_rx_arm(b.r), 1);
	CHECK(recv1(&b, &a, 6, 100));
	mmnet_ring_rx_publish(b.r);
	CHECK_EQ(mmnet_ring_rx_arm(b.r), 0);
	mmnet_ring_stats(a.r, &sa);
	mmnet_ring_stats(b.r, &sb);
	CHECK_EQ(sa.tx_notify, 2);
	CHECK_EQ(sa.tx_notify_suppressed, 3);
	CHECK_EQ(sa.tx_frames, 7);
	CHECK_EQ(sb.rx_frames, 7);
	CHECK_EQ(sb.rx_notify, 0);
	CHECK_EQ(sb.rx_notify_suppressed, 3);
	unpair(&a, &b);
	end("event indices: 7 frames in 5 pushes -> 2 notified, 3 suppressed; rx_arm catches a late frame");
}

/* A descriptor, in host values, for a peer written by hand. */
struct raw {
	u32 off, len;
	u8 flags, gso_type;
	u16 gso_size, csum_start, csum_offset;
};

static void raw_put(struct endpoint *p, u32 idx, const struct raw *d)
{
	struct mmnet_desc *ring = p->body;
	struct mmnet_desc *x = &ring[idx & (le32_to_cpu(p->ctrl->ring_slots) - 1)];

	x->offset = cpu_to_le32(d->off);
	x->len = cpu_to_le32(d->len);
	x->flags = d->flags;
	x->gso_type = d->gso_type;
	x->gso_size = cpu_to_le16(d->gso_size);
	x->csum_start = cpu_to_le16(d->csum_start);
	x->csum_offset = cpu_to_le16(d->csum_offset);
}

#define CP	MMNET_DESC_F_CSUM_PARTIAL
#define DV	MMNET_DESC_F_DATA_VALID
#define ECN	MMNET_DESC_F_GSO_ECN

static const struct {
	const char *name;
	struct raw d;
	u32 features;	/* what the receiver accepts */
	u32 reason;	/* 0: must be accepted */
} desc_cases[] = {
	{ "minimal valid frame", { 0, 14, 0, 0, 0, 0, 0 }, 0, 0 },
	{ "frame ending at the area end", { DATA - 100, 100, 0, 0, 0, 0, 0 }, 0, 0 },
	{ "unaligned offset (allowed)", { 3, 100, 0, 0, 0, 0, 0 }, 0, 0 },
	{ "valid TCPv6 GSO + ECN", { 0, 60000, CP | ECN, 2, 1440, 54, 16 }, MMNET_F_ALL, 0 },
	{ "valid UDP GSO", { 0, 9000, CP, 3, 1472, 34, 6 }, MMNET_F_CSUM | MMNET_F_GSO_UDP_L4, 0 },
	{ "data valid", { 0, 100, DV, 0, 0, 0, 0 }, 0, 0 },
	{ "offset = data size", { DATA, 14, 0, 0, 0, 0, 0 }, 0, MMNET_REASON_BOUNDS },
	{ "offset 2^32-1", { 0xffffffff, 14, 0, 0, 0, 0, 0 }, 0, MMNET_REASON_BOUNDS },
	{ "frame crossing the area end", { DATA - 10, 14, 0, 0, 0, 0, 0 }, 0, MMNET_REASON_BOUNDS },
	{ "len 2^32-1 (sum wraps)", { 16, 0xffffffff, 0, 0, 0, 0, 0 }, 0, MMNET_REASON_BOUNDS },
	{ "zero len", { 0, 0, 0, 0, 0, 0, 0 }, 0, MMNET_REASON_LEN },
	{ "len 13", { 0, 13, 0, 0, 0, 0, 0 }, 0, MMNET_REASON_LEN },
	{ "len 65537", { 0, 65537, 0, 0, 0, 0, 0 }, 0, MMNET_REASON_LEN },
	{ "unknown flag 0x80", { 0, 100, 0x80, 0, 0, 0, 0 }, MMNET_F_ALL, MMNET_REASON_FLAGS },
	{ "CSUM_PARTIAL and DATA_VALID", { 0, 100, CP | DV, 0, 0, 34, 16 }, MMNET_F_ALL,
	  MMNET_REASON_FLAGS },
	{ "csum field past the end", { 0, 60, CP, 0, 0, 50, 16 }, MMNET_F_ALL, MMNET_REASON_CSUM },
	{ "csum_start 0xffff", { 0, 100, CP, 0, 0, 0xffff, 0xffff }, MMNET_F_ALL,
	  MMNET_REASON_CSUM },
	{ "csum_start inside the Ethernet header", { 0, 100, CP, 0, 0, 4, 16 }, MMNET_F_ALL,
	  MMNET_REASON_CSUM },
	{ "CSUM_PARTIAL not negotiated", { 0, 100, CP, 0, 0, 34, 16 }, 0, MMNET_REASON_CSUM },
	{ "csum fields without CSUM_PARTIAL", { 0, 100, 0, 0, 0, 34, 16 }, MMNET_F_ALL,
	  MMNET_REASON_CSUM },
	{ "GSO type 4", { 0, 9000, CP, 4, 1448, 34, 16 }, MMNET_F_ALL, MMNET_REASON_GSO },
	{ "GSO type 255", { 0, 9000, CP, 255, 1448, 34, 16 }, MMNET_F_ALL, MMNET_REASON_GSO },
	{ "GSO without CSUM_PARTIAL", { 0, 9000, 0, 1, 1448, 0, 0 }, MMNET_F_ALL, MMNET_REASON_GSO },
	{ "GSO size 0", { 0, 9000, CP, 1, 0, 34, 16 }, MMNET_F_ALL, MMNET_REASON_GSO },
	{ "GSO size without GSO type", { 0, 9000, CP, 0, 1448, 34, 16 }, MMNET_F_ALL,
	  MMNET_REASON_GSO },
	{ "ECN without GSO", { 0, 100, CP | ECN, 0, 0, 34, 16 }, MMNET_F_ALL, MMNET_REASON_GSO },
	{ "ECN with UDP GSO", { 0, 9000, CP | ECN, 3, 1472, 34, 6 }, MMNET_F_ALL,
	  MMNET_REASON_GSO },
	{ "TCPv6 GSO not negotiated", { 0, 9000, CP, 2, 1448, 54, 16 },
	  MMNET_F_CSUM | MMNET_F_GSO_TCPV4, MMNET_REASON_GSO },
};

static void test_bad_desc(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(desc_cases) / sizeof(desc_cases[0]); i++) {
		struct endpoint me, peer;
		struct mmnet_frame f = { 0 };
		u32 want = desc_cases[i].reason;
		int ret;

		begin();
		pair(&me, &peer, SLOTS, DATA, desc_cases[i].features, MMNET_F_ALL);
		raw_put(&peer, 0, &desc_cases[i].d);
		peer.ctrl->tx_prod = cpu_to_le32(1);
		ret = mmnet_ring_rx_next(me.r, &f);
		CHECK_EQ(ret, want ? -EPROTO : 1);
		CHECK_EQ(mmnet_ring_error(me.r), want);
		if (ret == 1)
			CHECK(in_area(&peer, &f));
		if (want) {
			/* Sticky: nothing more from this peer, no notification armed. */
			raw_put(&peer, 1, &(struct raw){ 0, 60, 0, 0, 0, 0, 0 });
			peer.ctrl->tx_prod = cpu_to_le32(2);
			CHECK_EQ(mmnet_ring_rx_next(me.r, &f), -EPROTO);
			CHECK_EQ(mmnet_ring_rx_arm(me.r), -EPROTO);
			CHECK_EQ(le32_to_cpu(me.ctrl->rx_cons), 0);
		}
		unpair(&me, &peer);
		end("malformed peer: %s -> %s", desc_cases[i].name, want ? "rejected" : "accepted");
	}
}

static void test_bad_prod(void)
{
	static const struct {
		const char *name;
		u32 prod;
		int ret;
	} cases[] = {
		{ "tx_prod exactly a ring ahead", SLOTS, 1 },
		{ "tx_prod a ring + 1 ahead", SLOTS + 1, -EPROTO },
		{ "tx_prod 2^31", 0x80000000U, -EPROTO },
		{ "tx_prod 2^32-1 (behind us)", 0xffffffffU, -EPROTO },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct endpoint me, peer;
		struct mmnet_frame f;
		int n = 0, ret;
		u32 k;

		begin();
		pair(&me, &peer, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
		for (k = 0; k < SLOTS; k++)
			raw_put(&peer, k, &(struct raw){ k * 128, 100, 0, 0, 0, 0, 0 });
		peer.ctrl->tx_prod = cpu_to_le32(cases[i].prod);
		while ((ret = mmnet_ring_rx_next(me.r, &f)) == 1 && n < 100)
			n++;
		if (cases[i].ret == 1) {
			CHECK_EQ(n, SLOTS);
			CHECK_EQ(ret, 0);
		} else {
			CHECK_EQ(n, 0);
			CHECK_EQ(ret, -EPROTO);
			CHECK_EQ(mmnet_ring_error(me.r), MMNET_REASON_PROD);
		}
		unpair(&me, &peer);
		end("malformed peer: %s -> %s", cases[i].name,
		    cases[i].ret == 1 ? "8 frames, then empty" : "rejected before any descriptor");
	}
}

/* The producer may only reuse slots we handed back, not those merely read. */
static void test_prod_unreleased(void)
{
	int publish;

	for (publish = 1; publish >= 0; publish--) {
		struct endpoint me, peer;
		struct mmnet_frame f;
		u32 k;

		begin();
		pair(&me, &peer, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
		for (k = 0; k < SLOTS; k++)
			raw_put(&peer, k, &(struct raw){ k * 128, 100, 0, 0, 0, 0, 0 });
		peer.ctrl->tx_prod = cpu_to_le32(SLOTS);
		for (k = 0; k < SLOTS; k++)
			CHECK_EQ(mmnet_ring_rx_next(me.r, &f), 1);
		if (publish)
			mmnet_ring_rx_publish(me.r);
		peer.ctrl->tx_prod = cpu_to_le32(2 * SLOTS);
		CHECK_EQ(mmnet_ring_rx_next(me.r, &f), publish ? 1 : -EPROTO);
		CHECK_EQ(mmnet_ring_error(me.r), publish ? 0 : MMNET_REASON_PROD);
		unpair(&me, &peer);
		end("malformed peer: tx_prod a ring past rx_cons %s -> %s",
		    publish ? "published" : "not yet published", publish ? "accepted" : "rejected");
	}
}

static void test_overlap_and_rewrite(void)
{
	struct endpoint me, peer;
	struct mmnet_frame f1, f2, f3;

	begin();
	pair(&me, &peer, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
	raw_put(&peer, 0, &(struct raw){ 1000, 5000, 0, 0, 0, 0, 0 });
	raw_put(&peer, 1, &(struct raw){ 1000, 5000, 0, 0, 0, 0, 0 });
	raw_put(&peer, 2, &(struct raw){ 3000, 100, 0, 0, 0, 0, 0 });
	peer.ctrl->tx_prod = cpu_to_le32(3);
	CHECK_EQ(mmnet_ring_rx_next(me.r, &f1), 1);
	/* The peer now claims a bigger geometry: the copy taken at attach rules. */
	peer.ctrl->ring_slots = cpu_to_le32(MMNET_SLOTS_MAX);
	peer.ctrl->data_size = cpu_to_le32(MMNET_DATA_SIZE_MAX);
	CHECK_EQ(mmnet_ring_rx_next(me.r, &f2), 1);
	CHECK_EQ(mmnet_ring_rx_next(me.r, &f3), 1);
	peer.ctrl->ring_slots = cpu_to_le32(SLOTS);	/* for in_area() */
	peer.ctrl->data_size = cpu_to_le32(DATA);
	CHECK(f1.data == f2.data && in_area(&peer, &f1) && in_area(&peer, &f3));
	raw_put(&peer, 3, &(struct raw){ DATA + 4096, 100, 0, 0, 0, 0, 0 });
	peer.ctrl->tx_prod = cpu_to_le32(4);
	CHECK_EQ(mmnet_ring_rx_next(me.r, &f1), -EPROTO);
	CHECK_EQ(mmnet_ring_error(me.r), MMNET_REASON_BOUNDS);
	unpair(&me, &peer);
	end("malformed peer: overlapping frames delivered in bounds; header rewritten after attach ignored");
}

static void test_bad_cons(void)
{
	static const struct {
		const char *name;
		u32 cons;
	} cases[] = {
		{ "rx_cons past what was published", 12 },
		{ "rx_cons 2^31", 0x80000000U },
		{ "rx_cons going back", 2 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct endpoint me, peer;
		int k, ret;

		begin();
		pair(&me, &peer, SLOTS, DATA, MMNET_F_ALL, MMNET_F_ALL);
		for (k = 0; k < 4; k++)
			CHECK_EQ(send1(&me, k, 100), 0);
		/* Garbage in an event index only decides notifications. */
		peer.ctrl->rx_event = cpu_to_le32(0xdeadbeef);
		CHECK(!mmnet_ring_tx_push(me.r));
		/* A correct peer consumed 3: the ring refills, 11 published. */
		peer.ctrl->rx_cons = cpu_to_le32(3);
		while (!(ret = send1(&me, 9, 9000)))
			;
		CHECK_EQ(ret, -ENOSPC);
		CHECK_EQ(me.r->tx.prod, 11);
		mmnet_ring_tx_push(me.r);
		CHECK_EQ(mmnet_ring_error(me.r), 0);
		peer.ctrl->rx_cons = cpu_to_le32(cases[i].cons);
		CHECK_EQ(send1(&me, 9, 9000), -EPROTO);
		CHECK_EQ(mmnet_ring_error(me.r), MMNET_REASON_CONS);
		CHECK(!mmnet_ring_tx_room(me.r, 14));
		CHECK_EQ(mmnet_ring_tx_arm(me.r, 14), -EPROTO);
		unpair(&me, &peer);
		end("malformed peer: %s -> tx stops with MMNET_REASON_CONS", cases[i].name);
	}
}

static void test_tx_checks(void)
{
	struct endpoint a, b;
	struct mmnet_frame f = { .len = 9000, .flags = CP, .gso_type = 1, .gso_size = 1448,
				 .csum_start = 34, .csum_offset = 16 };
	void *p;

	begin();
	pair(&a, &b, SLOTS, DATA, MMNET_F_ALL, MMNET_F_CSUM);
	CHECK_EQ(mmnet_ring_tx_features(a.r), MMNET_F_CSUM);
	CHECK_EQ(mmnet_ring_tx_alloc(a.r, &f, &p), -EINVAL);
	f.gso_type = 0;
	f.gso_size = 0;
	CHECK_EQ(mmnet_ring_tx_alloc(a.r, &f, &p), 0);
	f.len = 0;
	CHECK_EQ(mmnet_ring_tx_alloc(a.r, &f, &p), -EINVAL);
	f.len = 65537;
	CHECK_EQ(mmnet_ring_tx_alloc(a.r, &f, &p), -EINVAL);
	CHECK_EQ(a.r->tx.prod, 1);
	unpair(&a, &b);
	end("tx: refuses what the peer would reject (GSO not negotiated, len 0, len 65537)");
}

static void test_close(void)
{
	struct endpoint a, b;
	u32 reason;

	begin();
	pair(&a, &b, SLOTS, DATA, 0, 0);
	CHECK_EQ(mmnet_ring_peer_state(b.r, &reason), MMNET_STATE_CONNECTED);
	mmnet_ring_close(a.r, MMNET_REASON_GSO);
	CHECK_EQ(mmnet_ring_peer_state(b.r, &reason), MMNET_STATE_CLOSING);
	CHECK_EQ(reason, MMNET_REASON_GSO);
	end("state: CONNECTED after attach, the peer sees CLOSING with the reason");
	unpair(&a, &b);
}

/*
 * Stress: both directions at once, one thread per path.  Each direction has
 * its own two events (frames for the consumer, room for the producer), so
 * that a wakeup lost in one cannot be hidden by traffic in the other.
 */
struct dir {
	struct endpoint *tx, *rx;
	struct evtchn frames_ev, room_ev;
	u64 frames;
	u64 seed;
	u64 ok_frames;
	int lost, errors;
};

static u32 stress_len(u64 *x)
{
	u32 r;

	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	r = (u32)(*x >> 16);
	if (r % 10 < 7)
		return 14 + r % 243;
	if (r % 10 < 9)
		return 256 + r % 8745;
	return 9000 + r % 56537;
}

static void *stress_tx(void *arg)
{
	struct dir *d = arg;
	struct mmnet_ring *r = d->tx->r;
	u64 seq, x = d->seed;

	for (seq = 0; seq < d->frames; seq++) {
		struct mmnet_frame f;
		u32 len = stress_len(&x);
		void *p;
		int ret, waited = 0;

		meta_for(&f, seq, len);
		while ((ret = mmnet_ring_tx_alloc(r, &f, &p)) == -ENOSPC) {
			u32 seen;

			if (mmnet_ring_tx_push(r))
				evt_notify(&d->frames_ev);
			seen = evt_seen(&d->room_ev);
			ret = mmnet_ring_tx_arm(r, len);
			if (ret < 0)
				break;
			if (ret || evt_wait(&d->room_ev, seen, 2000))
				continue;
			if (mmnet_ring_tx_room(r, len))
				d->lost++;	/* room, but nobody told us */
			else if (++waited > 5) {
				ret = -ETIMEDOUT;
				break;
			}
		}
		if (ret) {
			__atomic_fetch_add(&d->errors, 1, __ATOMIC_RELAXED);
			break;
		}
		fill(p, len, seq);
		if ((x & 7) == 0 && mmnet_ring_tx_push(r))
			evt_notify(&d->frames_ev);
	}
	if (mmnet_ring_tx_push(r))
		evt_notify(&d->frames_ev);
	return NULL;
}

static void *stress_rx(void *arg)
{
	struct dir *d = arg;
	struct mmnet_ring *r = d->rx->r;
	u64 seq = 0, x = d->seed;
	int idle = 0, ret = 0;

	while (seq < d->frames && !__atomic_load_n(&d->errors, __ATOMIC_RELAXED)) {
		u32 seen = evt_seen(&d->frames_ev);
		int n = 0;
		struct mmnet_frame f, want;

		while (n < 64 && (ret = mmnet_ring_rx_next(r, &f)) == 1) {
			meta_for(&want, seq, stress_len(&x));
			if (!meta_eq(&f, &want) || !verify(f.data, f.len, seq))
				__atomic_fetch_add(&d->errors, 1, __ATOMIC_RELAXED);
			seq++;
			n++;
		}
		if (mmnet_ring_rx_publish(r))
			evt_notify(&d->room_ev);
		if (ret < 0)
			break;
		if (n == 64)
			continue;
		ret = mmnet_ring_rx_arm(r);
		if (ret < 0)
			break;
		if (ret || seq == d->frames)
			continue;
		if (evt_wait(&d->frames_ev, seen, 2000))
			continue;
		if (mmnet_ring_rx_arm(r) > 0)
			d->lost++;	/* frames, but nobody told us */
		else if (++idle > 5)
			break;
	}
	if (ret < 0)
		__atomic_fetch_add(&d->errors, 1, __ATOMIC_RELAXED);
	d->ok_frames = seq;
	return NULL;
}

static void test_stress(u64 frames)
{
	struct endpoint a, b;
	struct dir ab = { .tx = &a, .rx = &b, .frames = frames, .seed = 0x1234567 };
	struct dir ba = { .tx = &b, .rx = &a, .frames = frames, .seed = 0x7654321 };
	pthread_t t[4];
	struct mmnet_ring_stats s;
	double t0 = now_s();

	begin();
	pair(&a, &b, 256, 512 * 1024, MMNET_F_ALL, MMNET_F_ALL);
	pthread_create(&t[0], NULL, stress_tx, &ab);
	pthread_create(&t[1], NULL, stress_rx, &ab);
	pthread_create(&t[2], NULL, stress_tx, &ba);
	pthread_create(&t[3], NULL, stress_rx, &ba);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(ab.ok_frames, frames);
	CHECK_EQ(ba.ok_frames, frames);
	CHECK_EQ(ab.errors + ba.errors, 0);
	CHECK_EQ(ab.lost + ba.lost, 0);
	mmnet_ring_stats(a.r, &s);
	printf("# stress a->b: %llu frames %.1f MB in %.2f s; notify %llu, suppressed %llu, full %llu, "
	       "room notify %llu, suppressed %llu\n",
	       (unsigned long long)s.tx_frames, s.tx_bytes / 1e6, now_s() - t0,
	       (unsigned long long)s.tx_notify, (unsigned long long)s.tx_notify_suppressed,
	       (unsigned long long)s.tx_full, (unsigned long long)s.rx_notify,
	       (unsigned long long)s.rx_notify_suppressed);
	CHECK_EQ(s.tx_frames, frames);
	unpair(&a, &b);
	end("stress: 2x%llu frames both ways, 4 threads, bytes+metadata intact, no lost wakeup",
	    (unsigned long long)frames);
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "-q");

	printf("TAP version 13\n");
#ifdef MMNET_SHIM_GENERIC
	printf("# primitives: generic C11 atomics\n");
#else
	printf("# primitives: %s\n", "x86-64 kernel-style");
#endif
	test_layout();
	test_init_geometry();
	test_attach();
	test_refs();
	test_roundtrip();
	test_index_wrap();
	test_data_wrap();
	test_ring_full();
	test_data_full();
	test_arm_race();
	test_arm_before_push();
	test_arm_stale_cons();
	test_suppression();
	test_bad_desc();
	test_bad_prod();
	test_prod_unreleased();
	test_overlap_and_rewrite();
	test_bad_cons();
	test_tx_checks();
	test_close();
	if (!quick)
		test_stress(200000);
	printf("1..%d\n", tests);
	printf("# %d passed, %d failed\n", tests - failed, failed);
	return failed ? 1 : 0;
}
