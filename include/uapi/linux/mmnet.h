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

/*
 * Generic netlink family "mmnet": how mmnetctl configures the module.
 *
 * MMNET_CMD_GET_DEVICE	dump, or one device by MMNET_A_IFINDEX: the device,
 *			its lower NIC, whether it is enabled, and its peers
 *			(MMNET_A_PEERS) with their counters.
 * MMNET_CMD_ATTACH	MMNET_A_IFINDEX, MMNET_A_LOWER_IFINDEX, and the fd of
 *			the peer map in MMNET_A_PEER_MAP_FD: the module takes
 *			a reference on the map and fills it from then on.
 * MMNET_CMD_DETACH	MMNET_A_IFINDEX: forget the lower NIC and the map.
 * MMNET_CMD_SET_DEVICE	MMNET_A_IFINDEX, MMNET_A_ENABLED: turn the shortcut
 *			on or off; off empties the peer map, so traffic takes
 *			the normal path at once.
 * All commands but GET_DEVICE need CAP_NET_ADMIN in the device's netns.
 */
#define MMNET_GENL_NAME		"mmnet"
#define MMNET_GENL_VERSION	1

enum mmnet_cmd {
	MMNET_CMD_UNSPEC,
	MMNET_CMD_GET_DEVICE,
	MMNET_CMD_ATTACH,
	MMNET_CMD_DETACH,
	MMNET_CMD_SET_DEVICE,
	__MMNET_CMD_MAX
};

#define MMNET_CMD_MAX (__MMNET_CMD_MAX - 1)

enum mmnet_attr {
	MMNET_A_UNSPEC,
	MMNET_A_IFINDEX,		/* u32 */
	MMNET_A_IFNAME,			/* string */
	MMNET_A_LOWER_IFINDEX,		/* u32; 0: not attached */
	MMNET_A_PEER_MAP_FD,		/* u32 */
	MMNET_A_ENABLED,		/* u8 */
	MMNET_A_PEERS,			/* nest of MMNET_A_PEER */
	MMNET_A_STATS,			/* nest of MMNET_A_STAT: device counters */
	__MMNET_A_MAX
};

#define MMNET_A_MAX (__MMNET_A_MAX - 1)

/* One peer, nested in MMNET_A_PEERS as attribute type MMNET_A_PEER. */
#define MMNET_A_PEER 1
enum mmnet_peer_attr {
	MMNET_PEER_A_UNSPEC,
	MMNET_PEER_A_ID,		/* u32: the peer's id (domid on Xen) */
	MMNET_PEER_A_STATE,		/* u8: enum mmnet_peer_state */
	MMNET_PEER_A_TRANSPORT,		/* string: "loop", "xen" */
	MMNET_PEER_A_MAC,		/* binary, 6 bytes */
	MMNET_PEER_A_ADDRS,		/* nest of MMNET_PEER_A_IPV4 / _IPV6 */
	MMNET_PEER_A_IPV4,		/* binary, 4 bytes */
	MMNET_PEER_A_IPV6,		/* binary, 16 bytes */
	MMNET_PEER_A_STATS,		/* nest of MMNET_A_STAT: this peer's */
	__MMNET_PEER_A_MAX
};

#define MMNET_PEER_A_MAX (__MMNET_PEER_A_MAX - 1)

enum mmnet_peer_state {
	MMNET_PEER_CONNECTING,
	MMNET_PEER_CONNECTED,
	MMNET_PEER_CLOSING,
};

/*
 * Counters are self-describing, so that adding one needs no UAPI change:
 * each is a nest (type MMNET_A_STAT) of a name and a value, the same names
 * ethtool -S prints.
 */
#define MMNET_A_STAT 1
enum mmnet_stat_attr {
	MMNET_STAT_A_UNSPEC,
	MMNET_STAT_A_NAME,		/* string */
	MMNET_STAT_A_VALUE,		/* u64 */
	__MMNET_STAT_A_MAX
};

#define MMNET_STAT_A_MAX (__MMNET_STAT_A_MAX - 1)

#endif /* _UAPI_LINUX_MMNET_H */
