/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_DEBUG_H
#define _MMNET_DEBUG_H

#include <linux/types.h>

struct mmnet_peer;

#ifdef MMNET_DEBUG
void mmnet_debug_tx(struct mmnet_peer *peer);
/* hostile.c: this guest attacks its peers (selftests/hostile_*.sh) */
bool mmnet_hostile_stalled(void);
void mmnet_hostile_exit(void);
#else
static inline void mmnet_debug_tx(struct mmnet_peer *peer)
{
}

static inline bool mmnet_hostile_stalled(void)
{
	return false;
}

static inline void mmnet_hostile_exit(void)
{
}
#endif

#endif /* _MMNET_DEBUG_H */
