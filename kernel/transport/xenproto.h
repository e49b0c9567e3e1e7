/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What guests and dom0 write in xenstore (docs/xenstore.md), read and checked
 * by pure functions: no allocation, no global state, no xenstore I/O.  The
 * same code builds into mmnet.ko and, through tools/lib/xenproto_shim.h, into
 * mmnetd and the host tests (selftests/xenproto), which fuzz it.
 *
 * Parsers take (s, len): xenstore values are counted bytes, not C strings,
 * and a NUL inside one is a byte like any other (it makes the value garbage).
 * They return 0, or -EINVAL and leave their output alone unless said.
 */
#ifndef _MMNET_XENPROTO_H
#define _MMNET_XENPROTO_H

#include <linux/types.h>

/* The data/mmnet/version this code speaks. */
#define MMNET_XS_VERSION	"1"
/* What data/mmnet/addrs may hold: addresses, and bytes. */
#define MMNET_XS_MAX_ADDRS	16
#define MMNET_XS_ADDRS_LEN_MAX	1024

/*
 * Xen ABI numbers, mirrored here because userspace has no headers with them
 * (the kernel checks them against its own with BUILD_BUG_ON).
 */
/* DOMID_FIRST_RESERVED, xen/include/public/xen.h: domids are below it. */
#define MMNET_XS_DOMID_FIRST_RESERVED	0x7ff0U
/* GNTTAB_NR_RESERVED_ENTRIES, xen/include/public/grant_table.h. */
#define MMNET_XS_GNTTAB_NR_RESERVED	8U
/* INVALID_GRANT_REF, Linux include/xen/grant_table.h: (grant_ref_t)-1. */
#define MMNET_XS_INVALID_GREF		0xffffffffU
/* EVTCHN_FIFO_NR_CHANNELS, xen/include/public/event_channel.h: 1 << 17. */
#define MMNET_XS_EVTCHN_NR_CHANNELS	0x20000U

/**
 * enum mmnet_xs_state - a rendezvous directory's state node
 * @MMNET_XS_NONE: absent: no channel offered
 * @MMNET_XS_CONNECTING: "connecting": region offered
 * @MMNET_XS_CONNECTED: "connected": the peer's region (peer-ring-ref) mapped
 * @MMNET_XS_CLOSING: "closing": no channel
 * @MMNET_XS_BAD: unreadable or unknown: as closing
 */
enum mmnet_xs_state {
	MMNET_XS_NONE,
	MMNET_XS_CONNECTING,
	MMNET_XS_CONNECTED,
	MMNET_XS_CLOSING,
	MMNET_XS_BAD,
};

/**
 * enum mmnet_xs_mode - a pair's mode node, which its trust group sets
 * @MMNET_XS_MODE_COPY: "copy": each side copies frames into its own region
 * @MMNET_XS_MODE_PREMAP: "premap": each side's memory is mapped in the other
 * @MMNET_XS_MODE_BAD: anything else
 */
enum mmnet_xs_mode {
	MMNET_XS_MODE_COPY,
	MMNET_XS_MODE_PREMAP,
	MMNET_XS_MODE_BAD,
};

/**
 * struct mmnet_xs_rdv - the values of one rendezvous directory
 * @state: enum mmnet_xs_state
 * @ring_ref: ring-ref, the grant reference of the side's control page
 * @port: event-channel, the leader's unbound port
 * @peer_ref: peer-ring-ref, with "connected": the ring-ref the side mapped
 *
 * 0 stands for a number node that is absent or not valid.
 */
struct mmnet_xs_rdv {
	u8 state;
	u32 ring_ref;
	u32 port;
	u32 peer_ref;
};

/**
 * struct mmnet_xs_chan - a channel as the rendezvous sees it
 * @leader: our domid is the lower: we allocate the event channel
 * @mapped: the peer's region is mapped; the channel never maps again
 * @closing: the channel is being removed: we say "closing"
 * @own_ref: the ring-ref we offer (our control page's grant)
 * @own_port: the leader's port, allocated for the peer; 0 for the follower
 * @remote_ref: the peer's ring-ref we mapped
 * @remote_port: the leader's port we bound to (follower only)
 */
struct mmnet_xs_chan {
	bool leader;
	bool mapped;
	bool closing;
	u32 own_ref;
	u32 own_port;
	u32 remote_ref;
	u32 remote_port;
};

/* Families of struct mmnet_xs_addr: our own numbers, not AF_*. */
#define MMNET_XS_INET	4
#define MMNET_XS_INET6	6

/**
 * struct mmnet_xs_addr - an IPv4 or IPv6 address
 * @family: MMNET_XS_INET or MMNET_XS_INET6
 * @bytes: network order; an IPv4 address in the first 4, the rest zero,
 *	so that equal addresses compare equal over all 16
 */
struct mmnet_xs_addr {
	u8 family;
	u8 bytes[16];
};

/**
 * struct mmnet_xs_addrs - a guest's addresses, in the order it gave them
 * @n: entries of @a
 * @a: the addresses, no two equal
 */
struct mmnet_xs_addrs {
	unsigned int n;
	struct mmnet_xs_addr a[MMNET_XS_MAX_ADDRS];
};

/**
 * mmnet_xs_parse_u32() - a number node, as the modules write them
 * @s: the value
 * @len: its length
 * @val: the number
 *
 * Decimal, no sign, no leading zero, no blank, at most 10 digits, no
 * overflow: a value has one spelling, so a change of text is a change.
 *
 * Return: 0, or -EINVAL.
 */
int mmnet_xs_parse_u32(const char *s, size_t len, u32 *val);

/**
 * mmnet_xs_parse_domid() - a domid, or a vif number, as xenstore spells it
 * @s: the value
 * @len: its length
 * @domid: the number
 *
 * As mmnet_xs_parse_u32(), and below MMNET_XS_DOMID_FIRST_RESERVED.  0 is
 * accepted (dom0, vif 0): callers that want a guest reject it.
 *
 * Return: 0, or -EINVAL.
 */
int mmnet_xs_parse_domid(const char *s, size_t len, u32 *domid);

/**
 * mmnet_xs_gref_ok() - whether a peer's grant reference may be mapped
 * @ref: the reference
 *
 * Return: false for the reserved entries and INVALID_GRANT_REF.
 */
bool mmnet_xs_gref_ok(u32 ref);

/**
 * mmnet_xs_port_ok() - whether a port another domain allocated can exist
 * @port: the port
 *
 * Return: true for any port either event channel ABI can have, but 0.
 */
bool mmnet_xs_port_ok(u32 port);

/**
 * mmnet_xs_parse_state() - a state node
 * @s: the value
 * @len: its length
 *
 * Return: MMNET_XS_CONNECTING, MMNET_XS_CONNECTED, MMNET_XS_CLOSING, or
 * MMNET_XS_BAD for anything else.  An absent node is the caller's
 * MMNET_XS_NONE.
 */
u8 mmnet_xs_parse_state(const char *s, size_t len);

/**
 * mmnet_xs_parse_mode() - a mode node
 * @s: the value
 * @len: its length
 *
 * Return: MMNET_XS_MODE_COPY, MMNET_XS_MODE_PREMAP, or MMNET_XS_MODE_BAD
 * for anything else.
 */
u8 mmnet_xs_parse_mode(const char *s, size_t len);

/**
 * mmnet_xs_mode_name() - what a mode node says
 * @mode: enum mmnet_xs_mode
 *
 * Return: "copy", "premap"; NULL for anything else.
 */
const char *mmnet_xs_mode_name(u8 mode);

/**
 * mmnet_xs_state_name() - what a state node says
 * @state: enum mmnet_xs_state
 *
 * Return: "connecting", "connected", "closing"; NULL for a state that is
 * never written (NONE, BAD, anything else).
 */
const char *mmnet_xs_state_name(u8 state);

/**
 * mmnet_xs_may_map() - whether the peer's values name a region to map
 * @chan: our channel
 * @r: the peer's values
 *
 * The leader's offer, or the follower's region once the follower mapped
 * ours (its echo); see the comment at the definition.
 *
 * Return: true if @chan may map @r->ring_ref now.
 */
bool mmnet_xs_may_map(const struct mmnet_xs_chan *chan,
		      const struct mmnet_xs_rdv *r);

/**
 * mmnet_xs_still_valid() - whether a mapped channel is still the peer's
 * @chan: our channel, mapped
 * @r: the peer's values
 *
 * Return: true if @r still describes the region and port @chan uses.
 */
bool mmnet_xs_still_valid(const struct mmnet_xs_chan *chan,
			  const struct mmnet_xs_rdv *r);

/**
 * mmnet_xs_rdv_equal() - whether two directories say the same
 * @a: values
 * @b: values
 *
 * Return: true if every field is equal.
 */
bool mmnet_xs_rdv_equal(const struct mmnet_xs_rdv *a,
			const struct mmnet_xs_rdv *b);

/**
 * mmnet_xs_rdv_of() - what our directory should say about a channel
 * @chan: the channel, or NULL if there is none
 * @p: the values to publish
 *
 * No channel, or one being removed: "closing" and nothing else.
 */
void mmnet_xs_rdv_of(const struct mmnet_xs_chan *chan, struct mmnet_xs_rdv *p);

/**
 * mmnet_xs_path_peer() - the pair a watch path under data/mmnet/peer names
 * @path: the path, relative or absolute
 * @len: its length
 * @domid: the pair's domid (a guest: never 0)
 * @dir: the path is the pair's directory itself, not a node in it
 *
 * Return: 0, or -EINVAL if @path names no pair.
 */
int mmnet_xs_path_peer(const char *path, size_t len, u32 *domid, bool *dir);

/**
 * mmnet_xs_parse_mac() - one MAC, "02:00:00:00:00:01", hex in either case
 * @s: the value
 * @len: its length
 * @mac: the address
 *
 * Return: 0 for a unicast MAC other than all zero, else -EINVAL.
 */
int mmnet_xs_parse_mac(const char *s, size_t len, u8 mac[6]);

/**
 * mmnet_xs_first_mac() - the first good MAC of peer/B/mac
 * @s: the value: MACs separated by single spaces, in vif order
 * @len: its length
 * @mac: the address
 *
 * A token that is no unicast MAC is skipped: the peer's first usable vif
 * is the one it attaches to.
 *
 * Return: 0, or -EINVAL if no token is a unicast MAC.
 */
int mmnet_xs_first_mac(const char *s, size_t len, u8 mac[6]);

/**
 * mmnet_xs_parse_ipv4() - an IPv4 address in dotted-quad text
 * @s: the text
 * @len: its length
 * @out: the address, network order
 *
 * Exactly what glibc's inet_pton(AF_INET) accepts: four decimal octets of
 * at most 255 without leading zeros.
 *
 * Return: 0, or -EINVAL.
 */
int mmnet_xs_parse_ipv4(const char *s, size_t len, u8 out[4]);

/**
 * mmnet_xs_parse_ipv6() - an IPv6 address in text form
 * @s: the text
 * @len: its length
 * @out: the address, network order
 *
 * Exactly what glibc's inet_pton(AF_INET6) accepts: groups of 1 to 4 hex
 * digits, one "::" for at least one zero group, an IPv4 dotted quad as the
 * last 32 bits; no zone, no prefix length.
 *
 * Return: 0, or -EINVAL.
 */
int mmnet_xs_parse_ipv6(const char *s, size_t len, u8 out[16]);

/**
 * mmnet_xs_addr_is_unicast() - whether an address may be announced
 * @a: the address
 *
 * Return: false for unspecified, loopback, multicast, broadcast, 0.0.0.0/8,
 * 240.0.0.0/4 and IPv4-mapped (::ffff:0:0/96) addresses.
 */
bool mmnet_xs_addr_is_unicast(const struct mmnet_xs_addr *a);

/**
 * mmnet_xs_addrs_has() - whether a list holds an address
 * @addrs: the list
 * @addr: the address
 *
 * Return: true if an entry has @addr's family and bytes.
 */
bool mmnet_xs_addrs_has(const struct mmnet_xs_addrs *addrs,
			const struct mmnet_xs_addr *addr);

/**
 * mmnet_xs_parse_addrs() - data/mmnet/addrs, or the daemon's peer/B/addrs
 * @s: the value
 * @len: its length
 * @out: the addresses, in order, without duplicates; empty on error
 * @why: on error, the reason (the bad token quoted by mmnet_xs_escape());
 *	may be NULL if @whysize is 0
 * @whysize: size of @why
 *
 * At most MMNET_XS_ADDRS_LEN_MAX bytes of printable ASCII: IPv4 or IPv6
 * addresses as inet_pton() reads them, separated by one or more spaces
 * (leading and trailing ones too; the empty value is no address), every
 * one unicast, at most MMNET_XS_MAX_ADDRS once duplicates are dropped.  A
 * value that breaks any of this is garbage as a whole.
 *
 * Return: 0, or -EINVAL.
 */
int mmnet_xs_parse_addrs(const char *s, size_t len, struct mmnet_xs_addrs *out,
			 char *why, size_t whysize);

/**
 * mmnet_xs_version_ok() - whether data/mmnet/version is the one we speak
 * @s: the value
 * @len: its length
 *
 * Return: true for MMNET_XS_VERSION exactly.
 */
bool mmnet_xs_version_ok(const char *s, size_t len);

/**
 * mmnet_xs_escape() - any bytes as printable ASCII, for a log line
 * @s: the bytes
 * @len: how many
 * @buf: the text, NUL-terminated
 * @size: size of @buf; nothing is written if 0
 *
 * '\\', '"' and every byte that is not printable ASCII become \xNN; what
 * does not fit is cut, never inside an escape, and "..." says so.
 */
void mmnet_xs_escape(const char *s, size_t len, char *buf, size_t size);

#endif /* _MMNET_XENPROTO_H */
