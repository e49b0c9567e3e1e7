/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MMNET_PEERMAP_H
#define _MMNET_PEERMAP_H

#include <linux/types.h>
#include <linux/mmnet.h>

struct bpf_map;
struct netlink_ext_ack;

struct bpf_map *mmnet_peermap_get(u32 fd, struct netlink_ext_ack *extack);
void mmnet_peermap_put(struct bpf_map *map);
int mmnet_peermap_update(struct bpf_map *map, const struct mmnet_peer_key *key,
			 const struct mmnet_peer_value *value);
int mmnet_peermap_delete(struct bpf_map *map, const struct mmnet_peer_key *key,
			 const struct mmnet_peer_value *owner);

#endif /* _MMNET_PEERMAP_H */
