// SPDX-License-Identifier: GPL-2.0
/*
 * The own region of a channel: pages the peer maps read-only.  Their life
 * is split in two: the owner's mapping ends when the core stops using the
 * channel (mmnet_region_unmap()); the pages themselves go back through the
 * transport (mmnet_region_put_pages()), which knows when the peer is done.
 */

#include "region.h"

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mmnet_channel.h>

/* The format counts in MMNET_PAGE_SIZE units; a grant maps one of those. */
static_assert(PAGE_SIZE == MMNET_PAGE_SIZE);

/**
 * mmnet_region_alloc - allocate and map a control page and a body
 * @r: the region to fill
 * @body_size: bytes of the body, a multiple of the page size
 *
 * The pages are zeroed: the peer reads all of them, so nothing that was in
 * that memory before may reach it.
 *
 * Return: 0 or -ENOMEM.
 */
int mmnet_region_alloc(struct mmnet_region *r, size_t body_size)
{
	unsigned int i, nr = 1 + body_size / PAGE_SIZE;

	r->pages = kcalloc(nr, sizeof(*r->pages), GFP_KERNEL);
	if (!r->pages)
		return -ENOMEM;
	r->nr_pages = nr;
	for (i = 0; i < nr; i++) {
		r->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!r->pages[i])
			goto err;
	}
	r->ctrl = vmap(r->pages, nr, VM_MAP, PAGE_KERNEL);
	if (!r->ctrl)
		goto err;
	r->body = (u8 *)r->ctrl + PAGE_SIZE;
	r->body_size = body_size;
	return 0;

err:
	mmnet_region_put_pages(r);
	return -ENOMEM;
}

/* End the owner's mapping; the pages stay until mmnet_region_put_pages(). */
void mmnet_region_unmap(struct mmnet_region *r)
{
	if (r->ctrl)
		vunmap(r->ctrl);
	r->ctrl = NULL;
	r->body = NULL;
}

/*
 * Drop the owner's reference on each page.  A page the peer still maps
 * through a reference of its own lives on until that is dropped too.
 */
void mmnet_region_put_pages(struct mmnet_region *r)
{
	unsigned int i;

	mmnet_region_unmap(r);
	for (i = 0; i < r->nr_pages && r->pages; i++)
		if (r->pages[i])
			put_page(r->pages[i]);
	kfree(r->pages);
	r->pages = NULL;
	r->nr_pages = 0;
}
