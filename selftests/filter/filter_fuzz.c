// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kernel/filter.c: the first byte picks the peer
 * (attested or not, how many addresses, or none at all), the rest is the
 * frame.  Every verdict must be one the oracle allows; ASan and UBSan see
 * every read.  The frame gets its own exact-size buffer, so one byte beyond
 * it is caught.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "filter_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmnet_addrs peer;
	const struct mmnet_addrs *p = &peer;
	enum mmnet_filter_verdict v;
	const char *wrong;
	u8 *frame;

	if (!size)
		return 0;
	peer_init(&peer, data[0] & 1);
	peer.nr_ipv4 = (data[0] >> 1) & 1;
	peer.nr_ipv6 = (data[0] >> 2) & 1;
	if ((data[0] & 0x18) == 0x18)
		p = NULL;
	frame = malloc(size - 1 ? size - 1 : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + 1, size - 1);
	/* Most inputs should come from the peer's MAC, or the rest is never reached. */
	if (size - 1 >= ETH_HLEN && (data[0] & 0x20))
		memcpy(frame + ETH_ALEN, peer_mac, ETH_ALEN);
	v = mmnet_filter_rx(frame, (unsigned int)(size - 1), p);
	wrong = oracle(frame, (unsigned int)(size - 1), p, v);
	if (wrong) {
		fprintf(stderr, "invariant: %s (verdict %d)\n", wrong, v);
		abort();
	}
	free(frame);
	return 0;
}
