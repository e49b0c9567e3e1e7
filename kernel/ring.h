/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmnet ring: the two directions of one channel over the shared-memory
 * format of <linux/mmnet_channel.h>.  Pure ring logic: no skb, no device,
 * no transport, no allocation, so that it also builds in userspace
 * (selftests/ring supplies the kernel primitives through a shim header).
 *
 * Concurrency: the tx functions of a ring must be serialized by the caller
 * (the device's transmit lock), the rx functions too (NAPI); a tx and an rx
 * function may run at the same time.
 */
#ifndef _MMNET_RING_H
#define _MMNET_RING_H

#ifdef __KERNEL__
#include <linux/cache.h>
#include <linux/types.h>
#endif
#include <linux/mmnet_channel.h>

#include "region.h"

/* A frame: what the producer sends, what the consumer hands back. */
struct mmnet_frame {
	const void *data;	/* rx: in the peer's data area; tx: unused */
	u32 len;
	u8 flags;		/* MMNET_DESC_F_* */
	u8 gso_type;		/* MMNET_GSO_* */
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
};

/* Counters; each one is written by one context only. */
struct mmnet_ring_stats {
	u64 tx_frames;
	u64 tx_bytes;
	u64 tx_notify;			/* pushes that had to notify the peer */
	u64 tx_notify_suppressed;	/* pushes the peer did not need to hear */
	u64 tx_full;			/* times the producer waited for room */
	u64 rx_frames;
	u64 rx_bytes;
	u64 rx_notify;			/* consumer progress the peer waited for */
	u64 rx_notify_suppressed;
};

/* Producer state, private: never read back from shared memory. */
struct mmnet_ring_tx {
	struct mmnet_ctrl *ctrl;		/* own region */
	struct mmnet_desc *ring;
	u8 *data;
	const struct mmnet_ctrl *peer;		/* read-only */
	u32 mask;		/* own ring slots - 1 */
	u32 data_size;
	u32 features;		/* what the peer accepts */
	u32 prod;		/* descriptors written */
	u32 pub;		/* descriptors published in ctrl->tx_prod */
	u32 cons;		/* descriptors the peer has consumed, checked */
	u32 head;		/* data bytes allocated, free-running */
	u32 tail;		/* data bytes freed, free-running */
	u32 reason;		/* enum mmnet_chan_reason once the peer broke */
	u64 frames;
	u64 bytes;
	u64 notify;
	u64 suppressed;
	u64 full;
};

/* Consumer state, private; the peer's geometry is a copy taken at attach. */
struct mmnet_ring_rx {
	struct mmnet_ctrl *ctrl;		/* own region */
	const struct mmnet_ctrl *peer;		/* read-only, as all below */
	const struct mmnet_desc *ring;
	const u8 *data;
	u32 mask;		/* peer ring slots - 1 */
	u32 data_size;
	u32 features;		/* what we accept */
	u32 cons;		/* descriptors consumed */
	u32 pub;		/* consumed, as published in ctrl->rx_cons */
	u32 prod;		/* the peer's tx_prod, as last read and checked */
	u32 reason;
	u64 frames;
	u64 bytes;
	u64 notify;
	u64 suppressed;
};

struct mmnet_ring {
	struct mmnet_ring_tx tx ____cacheline_aligned;
	struct mmnet_ring_rx rx ____cacheline_aligned;
	/* per own slot: tx.head after its frame, to free data in order */
	u32 tx_end[] ____cacheline_aligned;
};

size_t mmnet_ring_size(u32 slots);
int mmnet_ring_init(struct mmnet_ring *r, struct mmnet_ctrl *ctrl, void *body,
		    u32 slots, u32 data_size, u32 features);
int mmnet_ring_attach(struct mmnet_ring *r, const struct mmnet_ctrl *peer,
		      const void *peer_body, size_t peer_body_size);
void mmnet_ring_close(struct mmnet_ring *r, u32 reason);
u32 mmnet_ring_peer_state(const struct mmnet_ring *r, u32 *reason);
u32 mmnet_ring_error(const struct mmnet_ring *r);
bool mmnet_ring_peer_news(const struct mmnet_ring *r);
void mmnet_ring_stats(const struct mmnet_ring *r, struct mmnet_ring_stats *s);

u32 mmnet_ring_tx_features(const struct mmnet_ring *r);
bool mmnet_ring_tx_room(struct mmnet_ring *r, u32 len);
u32 mmnet_ring_tx_consumed(struct mmnet_ring *r, u32 *queued);
int mmnet_ring_tx_alloc(struct mmnet_ring *r, const struct mmnet_frame *f,
			void **data);
bool mmnet_ring_tx_push(struct mmnet_ring *r);
int mmnet_ring_tx_arm(struct mmnet_ring *r, u32 len);
u32 mmnet_ring_tx_pending(struct mmnet_ring *r);

int mmnet_ring_rx_next(struct mmnet_ring *r, struct mmnet_frame *f);
bool mmnet_ring_rx_publish(struct mmnet_ring *r);
int mmnet_ring_rx_arm(struct mmnet_ring *r);

#endif /* _MMNET_RING_H */
