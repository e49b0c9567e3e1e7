/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ring tests, benchmark and fuzzer: endpoints whose
 * regions live in this process (the userspace loop transport), and an
 * event-channel stand-in built on a futex.
 */
#ifndef MMNET_RING_UTIL_H
#define MMNET_RING_UTIL_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include "ring.h"

struct endpoint {
	struct mmnet_ctrl *ctrl;
	void *body;
	size_t body_size;
	struct mmnet_ring *r;
};

static inline void *xalloc(size_t align, size_t size)
{
	void *p = aligned_alloc(align, (size + align - 1) / align * align);

	if (!p) {
		perror("aligned_alloc");
		exit(2);
	}
	return p;
}

static inline int ep_create(struct endpoint *e, u32 slots, u32 data_size,
			    u32 features)
{
	e->body_size = MMNET_BODY_BYTES(slots, data_size);
	e->ctrl = xalloc(MMNET_PAGE_SIZE, sizeof(*e->ctrl));
	e->body = xalloc(MMNET_PAGE_SIZE, e->body_size);
	e->r = xalloc(64, mmnet_ring_size(slots) ? mmnet_ring_size(slots) : 64);
	return mmnet_ring_init(e->r, e->ctrl, e->body, slots, data_size, features);
}

static inline void ep_destroy(struct endpoint *e)
{
	free(e->ctrl);
	free(e->body);
	free(e->r);
}

/* Connect two endpoints both ways, as two kernels would after mapping. */
static inline int ep_connect(struct endpoint *a, struct endpoint *b)
{
	int ret = mmnet_ring_attach(a->r, b->ctrl, b->body, b->body_size);

	return ret ? ret : mmnet_ring_attach(b->r, a->ctrl, a->body, a->body_size);
}

/* An event channel: a counter that notify bumps and wait watches. */
struct evtchn {
	u32 seq;
	u32 sent;
};

static inline void evt_notify(struct evtchn *ev)
{
	__atomic_fetch_add(&ev->seq, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&ev->sent, 1, __ATOMIC_RELAXED);
	syscall(SYS_futex, &ev->seq, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static inline u32 evt_seen(struct evtchn *ev)
{
	return __atomic_load_n(&ev->seq, __ATOMIC_SEQ_CST);
}

/* Wait until a notification after @seen; false if @ms passed without one. */
static inline bool evt_wait(struct evtchn *ev, u32 seen, int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (evt_seen(ev) == seen) {
		if (syscall(SYS_futex, &ev->seq, FUTEX_WAIT_PRIVATE, seen, &ts, NULL, 0) &&
		    errno == ETIMEDOUT)
			return evt_seen(ev) != seen;
	}
	return true;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* MMNET_RING_UTIL_H */
