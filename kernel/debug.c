// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for the selftests, built only with `make MMNET_DEBUG=y`:
 * a peer that breaks the channel format, to show the receiving side count
 * it, close the channel with the reason and tear it down without harm.
 */

#include "debug.h"
#include "peer.h"

#include <linux/atomic.h>
#include <linux/moduleparam.h>

static atomic_t debug_corrupt_tx = ATOMIC_INIT(0);

static int mmnet_debug_set(const char *val, const struct kernel_param *kp)
{
	int n, ret = kstrtoint(val, 0, &n);

	if (!ret)
		atomic_set(&debug_corrupt_tx, n);
	return ret;
}

static const struct kernel_param_ops mmnet_debug_ops = {
	.set	= mmnet_debug_set,
};

module_param_cb(debug_corrupt_tx, &mmnet_debug_ops, NULL, 0200);
MODULE_PARM_DESC(debug_corrupt_tx,
		 "Testing: give the next N frames sent a descriptor whose length points outside the data area");

/* Caller holds tx_lock, after mmnet_ring_tx_alloc() wrote the descriptor. */
void mmnet_debug_tx(struct mmnet_peer *peer)
{
	struct mmnet_ring_tx *tx = &peer->ring->tx;

	if (atomic_add_unless(&debug_corrupt_tx, -1, 0))
		tx->ring[(tx->prod - 1) & tx->mask].len = cpu_to_le32(U32_MAX);
}
