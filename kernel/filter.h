/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_FILTER_H
#define _MMNET_FILTER_H

#include <linux/types.h>

struct mmnet_addrs;

/* What the receive side makes of a frame a peer sent over its channel. */
enum mmnet_filter_verdict {
	MMNET_FILTER_PASS,
	/* not the peer's: its source MAC, or a source address dom0 does not attest for it */
	MMNET_FILTER_SPOOFED,
	/* a kind of frame the classifier never sends into a channel, or too mangled to tell */
	MMNET_FILTER_FOREIGN,
};

enum mmnet_filter_verdict mmnet_filter_rx(const u8 *frame, unsigned int len,
					  const struct mmnet_addrs *peer);

#endif /* _MMNET_FILTER_H */
