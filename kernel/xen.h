/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_XEN_H
#define _MMNET_XEN_H

#include <linux/types.h>
#include <xen/xen.h>

struct mmnet_device;
struct netlink_ext_ack;

/*
 * Which transport an attached device uses: the Xen transport in a Xen guest
 * (not dom0: the peers are guests, and dom0 runs the membership daemon),
 * the loop transport everywhere else.
 */
static inline bool mmnet_xen_available(void)
{
	return IS_ENABLED(CONFIG_XEN) && xen_domain() && !xen_initial_domain();
}

#if IS_ENABLED(CONFIG_XEN)
int mmnet_xen_init(void);
void mmnet_xen_uninit(void);
int mmnet_xen_join(struct mmnet_device *mmnet, struct netlink_ext_ack *extack);
void mmnet_xen_leave(struct mmnet_device *mmnet);
#else
static inline int mmnet_xen_init(void) { return 0; }
static inline void mmnet_xen_uninit(void) { }
static inline int mmnet_xen_join(struct mmnet_device *mmnet,
				 struct netlink_ext_ack *extack)
{
	return -EOPNOTSUPP;
}

static inline void mmnet_xen_leave(struct mmnet_device *mmnet) { }
#endif

#endif /* _MMNET_XEN_H */
