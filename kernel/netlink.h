/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_NETLINK_H
#define _MMNET_NETLINK_H

int mmnet_netlink_init(void);
void mmnet_netlink_uninit(void);

#endif /* _MMNET_NETLINK_H */
