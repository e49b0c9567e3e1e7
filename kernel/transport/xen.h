/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_XEN_H
#define _MMNET_XEN_H

#include "transport.h"

/*
 * Channels between co-located Xen guests, found through xenstore
 * (docs/xenstore.md); built with CONFIG_XEN only.
 */
extern const struct mmnet_transport mmnet_xen_transport;

#endif /* _MMNET_XEN_H */
