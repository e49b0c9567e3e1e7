// SPDX-License-Identifier: GPL-2.0
/*
 * The transports built into the module, in order of preference: the core
 * attaches a device to the first one that is available.  In a Xen guest
 * that is Xen (the other guests of the host, through xenstore); anywhere
 * else, loop (the other attached mmnet devices of this kernel, as on the
 * plain testbed).  Kbuild builds the Xen transport only with CONFIG_XEN.
 */

#include "loop.h"
#include "transport.h"
#include "xen.h"

#include <linux/kconfig.h>

const struct mmnet_transport *const mmnet_transports[] = {
#if IS_ENABLED(CONFIG_XEN)
	&mmnet_xen_transport,
#endif
	&mmnet_loop_transport,
	NULL
};
