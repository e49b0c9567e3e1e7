/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_REGION_H
#define _MMNET_REGION_H

#include <linux/types.h>

struct page;
struct mmnet_ctrl;

/**
 * struct mmnet_region - the memory of one endpoint's half of a channel
 * @pages: the control page, then the body pages, in order: what a
 *	transport shares (one grant each on Xen)
 * @nr_pages: 1 + body pages
 * @ctrl: the owner's writable mapping of all pages, contiguous
 * @body: @ctrl + one page
 * @body_size: bytes of the body
 *
 * Order-0 pages, each with its own reference count, so that a transport
 * can hand each one back separately once the peer no longer maps it.
 */
struct mmnet_region {
	struct page **pages;
	unsigned int nr_pages;
	struct mmnet_ctrl *ctrl;
	void *body;
	size_t body_size;
};

int mmnet_region_alloc(struct mmnet_region *r, size_t body_size);
void mmnet_region_unmap(struct mmnet_region *r);
void mmnet_region_put_pages(struct mmnet_region *r);

/* The body's page references in the control page (ring.c, with the format). */
int mmnet_region_set_refs(struct mmnet_ctrl *ctrl, const u32 *refs, u32 nr);
int mmnet_region_peer_refs(const struct mmnet_ctrl *peer, u32 *refs, u32 max);

#endif /* _MMNET_REGION_H */
