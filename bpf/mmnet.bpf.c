// SPDX-License-Identifier: GPL-2.0
/*
 * mmnet tc egress classifier, attached to the lower NIC (the VM's normal network device).
 *
 * A unicast IPv4 or IPv6 packet whose destination MAC belongs to a co-located peer with a connected channel
 * is redirected into the mmnet device.  Everything else -- ARP, neighbour discovery, broadcast, multicast,
 * link-local destinations, unknown destinations -- goes on down the normal path.
 *
 * The decision is by MAC only, never by IP address.  The destination MAC is what the normal neighbour
 * resolution on this NIC produced, and a peer's MAC in the map is the one dom0's toolstack gave its vif:
 * a frame goes into a peer's channel only if the normal path would have delivered it to that same peer.
 * So no address a peer claims can draw traffic meant for somebody else.  The map's IP entries are the
 * peer's dom0-attested addresses, for inspection; its receive side checks sources against them.  The
 * module keeps the map in step with the channels, so a hit is all it takes to decide.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/mmnet.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MMNET_PEER_MAP_SIZE);
	__type(key, struct mmnet_peer_key);
	__type(value, struct mmnet_peer_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mmnet_peers SEC(".maps");

/* Our own Ethernet header: struct ethhdr is packed, which makes clang read its protocol a byte at a time. */
struct eth_hdr {
	__u8 dest[ETH_ALEN];
	__u8 source[ETH_ALEN];
	__be16 proto;
};

struct vlan_tag {
	__be16 tci;
	__be16 encapsulated_proto;
};

/* Ethernet, up to two VLAN tags (802.1ad + 802.1Q), and the largest network header we read. */
#define MMNET_MAX_HDR	(sizeof(struct eth_hdr) + 2 * sizeof(struct vlan_tag) + \
			 sizeof(struct ipv6hdr) + sizeof(struct icmp6hdr))

/*
 * A peer map key built in whole words: kind and padding in the first, the address in the others, unused bytes
 * zero.  Every byte is written exactly once, and addresses are moved 4 (or 2) bytes at a time, in network
 * order as they are in the packet.
 */
union peer_key {
	struct mmnet_peer_key k;
	__u32 w[5];
	__u16 h[10];
};

_Static_assert(sizeof(union peer_key) == sizeof(struct mmnet_peer_key), "the key is 5 words");

/* The first word of a key: the kind in byte 0, the padding zero, whatever the byte order. */
#define KEY_KIND(kind)	bpf_htonl((__u32)(kind) << 24)

struct cursor {
	void *pos;
	void *end;
};

static __always_inline void *cursor_take(struct cursor *c, __u32 len)
{
	void *p = c->pos;

	if (p + len > c->end)
		return NULL;
	c->pos = p + len;
	return p;
}

static __always_inline int redirect_to_peer(const union peer_key *key)
{
	const struct mmnet_peer_value *peer = bpf_map_lookup_elem(&mmnet_peers, &key->k);

	return peer ? bpf_redirect(peer->ifindex, 0) : TC_ACT_OK;
}

/* Neighbour discovery must reach the peer on the normal path, where its answers come from. */
static __always_inline int is_neighbour_discovery(struct cursor *c, const struct ipv6hdr *ip6)
{
	struct icmp6hdr *icmp;

	if (ip6->nexthdr != IPPROTO_ICMPV6)
		return 0;
	icmp = cursor_take(c, sizeof(*icmp));
	if (!icmp)
		return 1;	/* too short to tell: the normal path is always safe */
	return icmp->icmp6_type >= 133 && icmp->icmp6_type <= 137;
}

/*
 * Link-local destinations (169.254/16, fe80::/10) stay on the normal path: their sources are link-local
 * too, which dom0 attests for no guest, so the peer's receive side would not take them from a channel.
 */
static __always_inline int may_redirect(struct cursor *c, __be16 proto)
{
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = cursor_take(c, sizeof(*ip));

		return ip && (ip->daddr & bpf_htonl(0xffff0000)) != bpf_htonl(0xa9fe0000);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cursor_take(c, sizeof(*ip6));
		__u8 *d;

		if (!ip6)
			return 0;
		d = ip6->daddr.in6_u.u6_addr8;
		if (d[0] == 0xff || (d[0] == 0xfe && (d[1] & 0xc0) == 0x80))
			return 0;
		return !is_neighbour_discovery(c, ip6);
	}
	/* ARP and every other protocol take the normal path. */
	return 0;
}

static __always_inline int classify(struct cursor *c)
{
	union peer_key key;
	struct eth_hdr *eth;
	__be16 proto;
	int i;

	eth = cursor_take(c, sizeof(*eth));
	if (!eth || (eth->dest[0] & 1))	/* broadcast and multicast */
		return TC_ACT_OK;
	proto = eth->proto;

#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_tag *tag;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		tag = cursor_take(c, sizeof(*tag));
		if (!tag)
			return TC_ACT_OK;
		proto = tag->encapsulated_proto;
	}
	if (!may_redirect(c, proto))
		return TC_ACT_OK;

	key.w[0] = KEY_KIND(MMNET_ADDR_MAC);
	__builtin_memcpy(&key.w[1], eth->dest, 4);
	__builtin_memcpy(&key.h[4], eth->dest + 4, 2);
	key.h[5] = 0;
	key.w[3] = 0;
	key.w[4] = 0;
	return redirect_to_peer(&key);
}

SEC("tc")
int mmnet_egress(struct __sk_buff *skb)
{
	struct cursor c = {
		.pos = (void *)(long)skb->data,
		.end = (void *)(long)skb->data_end,
	};

	/* Headers normally sit in the linear area; pull them there when they do not. */
	if (c.pos + MMNET_MAX_HDR > c.end && skb->len > skb->data_end - skb->data) {
		bpf_skb_pull_data(skb, MMNET_MAX_HDR);
		c.pos = (void *)(long)skb->data;
		c.end = (void *)(long)skb->data_end;
	}
	return classify(&c);
}

char LICENSE[] SEC("license") = "GPL";
