/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mmnet channel format: the shared memory through which two mmnet endpoints
 * exchange Ethernet frames.  docs/channel.md is the specification; this
 * header is its machine-readable form.  It builds in the kernel and in
 * userspace, so the ring code and its tests share one definition.
 *
 * Every multi-byte field is little-endian and fixed-size, and nothing in
 * shared memory is a pointer: the two endpoints may differ in endianness,
 * word size and operating system.
 *
 * Each endpoint owns one region and is the only one writing it; the peer
 * maps it read-only.  A region is a control page followed by a body: the
 * descriptor ring (rounded up to whole pages), then the data area.
 */
#ifndef _UAPI_LINUX_MMNET_CHANNEL_H
#define _UAPI_LINUX_MMNET_CHANNEL_H

#include <linux/types.h>

#define MMNET_CHAN_MAGIC	0x434e4d4d	/* the bytes "MMNC" */
#define MMNET_CHAN_VERSION	1

/* The unit of sharing: a Xen grant is 4 KiB whatever the guest's page size. */
#define MMNET_PAGE_SIZE		4096
#define MMNET_CACHELINE		64

/* Frames: at least an Ethernet header, at most a full GSO frame. */
#define MMNET_FRAME_MIN		14
#define MMNET_FRAME_MAX		65536

/* Geometry limits; both sizes are powers of two. */
#define MMNET_SLOTS_MIN		2
#define MMNET_SLOTS_MAX		4096
/* Twice the largest frame, so that a largest frame always fits an empty area. */
#define MMNET_DATA_SIZE_MIN	(2 * MMNET_FRAME_MAX)
#define MMNET_DATA_SIZE_MAX	(2 * 1024 * 1024)
/* Producers start frames on this boundary; receivers must not rely on it. */
#define MMNET_DATA_ALIGN	64

/* Room for the references of a body of MMNET_SLOTS_MAX and MMNET_DATA_SIZE_MAX. */
#define MMNET_MAX_REFS		960

/* Bytes of the ring (whole pages) and of the body, for a valid geometry. */
#define MMNET_RING_BYTES(slots) \
	(((slots) * 16 + MMNET_PAGE_SIZE - 1) & ~(MMNET_PAGE_SIZE - 1))
#define MMNET_BODY_BYTES(slots, data_size) \
	(MMNET_RING_BYTES(slots) + (data_size))

/* Feature bits: what an endpoint accepts in the frames it receives. */
#define MMNET_F_CSUM		(1U << 0)	/* MMNET_DESC_F_CSUM_PARTIAL */
#define MMNET_F_GSO_TCPV4	(1U << 1)	/* MMNET_GSO_TCPV4 */
#define MMNET_F_GSO_TCPV6	(1U << 2)	/* MMNET_GSO_TCPV6 */
#define MMNET_F_GSO_UDP_L4	(1U << 3)	/* MMNET_GSO_UDP_L4 */
#define MMNET_F_ALL		0xfU

enum mmnet_chan_state {
	MMNET_STATE_INIT = 0,		/* region ready, peer's not mapped yet */
	MMNET_STATE_CONNECTED = 1,	/* peer's region mapped and valid */
	MMNET_STATE_CLOSING = 2	/* leaving: no more frames either way */
};

/* Why an endpoint is CLOSING (ctrl.reason); 0 is an orderly close. */
enum mmnet_chan_reason {
	MMNET_REASON_NONE = 0,
	MMNET_REASON_HEADER = 1,	/* peer header: magic, version, geometry */
	MMNET_REASON_PROD = 2,		/* peer tx_prod more than a ring ahead */
	MMNET_REASON_CONS = 3,		/* peer rx_cons outside what was sent */
	MMNET_REASON_BOUNDS = 4,	/* descriptor offset/len outside the area */
	MMNET_REASON_LEN = 5,		/* descriptor len outside the frame limits */
	MMNET_REASON_FLAGS = 6,		/* unknown or conflicting flags */
	MMNET_REASON_CSUM = 7,		/* checksum fields out of range */
	MMNET_REASON_GSO = 8,		/* GSO fields invalid or not negotiated */
	MMNET_REASON_STALLED = 9	/* peer consumed nothing for too long */
};

/*
 * The control page.  Four cache lines of fields, then the references.
 * Each line has one writer context on the owner's side, so the transmit
 * and receive paths of both endpoints never write the same line.
 */
struct mmnet_ctrl {
	/* 0x000: written before the region is shared, constant after */
	__le32 magic;		/* MMNET_CHAN_MAGIC */
	__le32 version;		/* MMNET_CHAN_VERSION */
	__le32 features;	/* MMNET_F_*: accepted in received frames */
	__le32 ring_slots;	/* descriptors in the ring, a power of two */
	__le32 data_size;	/* bytes of the data area, a power of two */
	__le32 nr_refs;		/* used entries of refs[], 0 if none */
	__le32 hdr_reserved[10];

	/* 0x040: written by the owner at each state change */
	__le32 state;		/* enum mmnet_chan_state */
	__le32 reason;		/* enum mmnet_chan_reason, when CLOSING */
	__le32 state_reserved[14];

	/* 0x080: the owner's transmit path (frames owner -> peer) */
	__le32 tx_prod;		/* descriptors published, free-running */
	__le32 tx_event;	/* notify me when your rx_cons passes this */
	__le32 tx_reserved[14];

	/* 0x0c0: the owner's receive path (frames peer -> owner) */
	__le32 rx_cons;		/* peer descriptors consumed, free-running */
	__le32 rx_event;	/* notify me when your tx_prod passes this */
	__le32 rx_reserved[14];

	/* 0x100: the transport's references of the body pages, in order */
	__le32 refs[MMNET_MAX_REFS];
};

/* Descriptor flags */
#define MMNET_DESC_F_CSUM_PARTIAL	0x01	/* checksum still to be filled */
#define MMNET_DESC_F_DATA_VALID		0x02	/* checksums known good */
#define MMNET_DESC_F_GSO_ECN		0x04	/* TCP GSO frame with CWR set */
#define MMNET_DESC_F_ALL		0x07

/* GSO types */
#define MMNET_GSO_NONE		0
#define MMNET_GSO_TCPV4		1
#define MMNET_GSO_TCPV6		2
#define MMNET_GSO_UDP_L4	3

/* One frame in the owner's data area. */
struct mmnet_desc {
	__le32 offset;		/* first byte, from the start of the data area */
	__le32 len;		/* MMNET_FRAME_MIN..MMNET_FRAME_MAX bytes */
	__u8 flags;		/* MMNET_DESC_F_* */
	__u8 gso_type;		/* MMNET_GSO_* */
	__le16 gso_size;	/* segment payload bytes, if gso_type is set */
	__le16 csum_start;	/* from the frame start, if CSUM_PARTIAL */
	__le16 csum_offset;	/* of the checksum field, from csum_start */
};

/* The layout checked at build time, in the kernel and wherever C11 or C++11 is. */
#if defined(__KERNEL__)
#include <linux/build_bug.h>
#define MMNET_CHAN_ASSERTS
#elif defined(__cplusplus) && __cplusplus >= 201103L
#define MMNET_CHAN_ASSERTS
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#include <assert.h>
#define MMNET_CHAN_ASSERTS
#endif

#ifdef MMNET_CHAN_ASSERTS
static_assert(sizeof(struct mmnet_ctrl) == MMNET_PAGE_SIZE, "one page");
static_assert(__builtin_offsetof(struct mmnet_ctrl, nr_refs) == 0x014, "layout");
static_assert(__builtin_offsetof(struct mmnet_ctrl, state) == 0x040, "layout");
static_assert(__builtin_offsetof(struct mmnet_ctrl, tx_prod) == 0x080, "layout");
static_assert(__builtin_offsetof(struct mmnet_ctrl, rx_cons) == 0x0c0, "layout");
static_assert(__builtin_offsetof(struct mmnet_ctrl, refs) == 0x100, "layout");
static_assert(sizeof(struct mmnet_desc) == 16, "16-byte descriptors");
static_assert(__builtin_offsetof(struct mmnet_desc, flags) == 8, "layout");
static_assert(__builtin_offsetof(struct mmnet_desc, csum_offset) == 14, "layout");
static_assert(MMNET_BODY_BYTES(MMNET_SLOTS_MAX, MMNET_DATA_SIZE_MAX) <=
	      MMNET_MAX_REFS * MMNET_PAGE_SIZE, "refs[] covers the largest body");
#endif

#endif /* _UAPI_LINUX_MMNET_CHANNEL_H */
