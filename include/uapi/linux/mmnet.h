/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mmnet: the interface between the mmnet module, its BPF classifier and its user tools.
 *
 * The peer map is a BPF hash map that the module fills: one entry per address
 * (IPv4, IPv6 or MAC) of every co-located peer whose channel is connected.
 * The tc egress classifier on the lower NIC looks each packet's destination up
 * in it and redirects hits into the mmnet device.  An entry exists only while
 * its channel is connected, so the classifier needs no other state to decide.
 */
#ifndef _UAPI_LINUX_MMNET_H
#define _UAPI_LINUX_MMNET_H

#include <linux/types.h>

/* The peer map's name in bpf/mmnet.bpf.o (at most BPF_OBJ_NAME_LEN - 1). */
#define MMNET_PEER_MAP_NAME	"mmnet_peers"
/* Where mmnetctl pins it; tc pins it at /sys/fs/bpf/tc/globals/mmnet_peers. */
#define MMNET_PEER_MAP_PIN	"/sys/fs/bpf/mmnet/peers"
#define MMNET_PEER_MAP_SIZE	1024

enum mmnet_addr_kind {
	MMNET_ADDR_IPV4 = 1,
	MMNET_ADDR_IPV6 = 2,
	MMNET_ADDR_MAC = 3,
};

/* Unused bytes of @addr are zero, so that a key compares equal byte for byte. */
struct mmnet_peer_key {
	__u8 kind;		/* enum mmnet_addr_kind */
	__u8 pad[3];
	/* IPv4: 4 bytes, IPv6: 16, MAC: 6; network byte order */
	__u8 addr[16];
};

struct mmnet_peer_value {
	__u32 ifindex;		/* the mmnet device to redirect into */
	__u32 peer_id;		/* the peer's id on the transport (the domid on Xen) */
};

#endif /* _UAPI_LINUX_MMNET_H */
