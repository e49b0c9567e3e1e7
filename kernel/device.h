/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_DEVICE_H
#define _MMNET_DEVICE_H

#include "core.h"

struct bpf_map;
struct netlink_ext_ack;

int mmnet_device_init(void);
void mmnet_device_uninit(void);

struct mmnet_device *mmnet_device_get(struct net_device *dev);
int mmnet_device_attach(struct mmnet_device *mmnet, struct net_device *lower,
			struct bpf_map *map, struct netlink_ext_ack *extack);
int mmnet_device_detach(struct mmnet_device *mmnet);
void mmnet_device_set_enabled(struct mmnet_device *mmnet, bool enabled);

#endif /* _MMNET_DEVICE_H */
