/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_DEBUG_H
#define _MMNET_DEBUG_H

struct mmnet_peer;

#ifdef MMNET_DEBUG
void mmnet_debug_tx(struct mmnet_peer *peer);
#else
static inline void mmnet_debug_tx(struct mmnet_peer *peer)
{
}
#endif

#endif /* _MMNET_DEBUG_H */
