// SPDX-License-Identifier: GPL-2.0
/*
 * What xenstore says, read and checked (see xenproto.h).  Built into
 * mmnet.ko and, with tools/lib/xenproto_shim.h, into mmnetd and the host
 * tests, so it calls only what both have: mem*(), strlen(), snprintf().
 */

#include "xenproto.h"

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

/* ---- numbers ---- */

int mmnet_xs_parse_u32(const char *s, size_t len, u32 *val)
{
	u64 v = 0;
	size_t i;

	if (!len || len > 10 || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > 0xffffffffU)
		return -EINVAL;
	*val = (u32)v;
	return 0;
}

int mmnet_xs_parse_domid(const char *s, size_t len, u32 *domid)
{
	u32 v;

	if (mmnet_xs_parse_u32(s, len, &v) ||
	    v >= MMNET_XS_DOMID_FIRST_RESERVED)
		return -EINVAL;
	*domid = v;
	return 0;
}

bool mmnet_xs_gref_ok(u32 ref)
{
	return ref >= MMNET_XS_GNTTAB_NR_RESERVED &&
	       ref != MMNET_XS_INVALID_GREF;
}

/* A port another domain allocated: any port either ABI can have. */
bool mmnet_xs_port_ok(u32 port)
{
	return port && port < MMNET_XS_EVTCHN_NR_CHANNELS;
}

/* ---- the pair's mode ---- */

static const char * const mmnet_xs_modes[] = {
	[MMNET_XS_MODE_COPY]	= "copy",
	[MMNET_XS_MODE_PREMAP]	= "premap",
};

u8 mmnet_xs_parse_mode(const char *s, size_t len)
{
	u8 mode;

	for (mode = MMNET_XS_MODE_COPY; mode <= MMNET_XS_MODE_PREMAP; mode++)
		if (len == strlen(mmnet_xs_modes[mode]) &&
		    !memcmp(s, mmnet_xs_modes[mode], len))
			return mode;
	return MMNET_XS_MODE_BAD;
}

const char *mmnet_xs_mode_name(u8 mode)
{
	return mode <= MMNET_XS_MODE_PREMAP ? mmnet_xs_modes[mode] : NULL;
}

/* ---- the rendezvous ---- */

static const char * const mmnet_xs_states[] = {
	[MMNET_XS_CONNECTING]	= "connecting",
	[MMNET_XS_CONNECTED]	= "connected",
	[MMNET_XS_CLOSING]	= "closing",
};

u8 mmnet_xs_parse_state(const char *s, size_t len)
{
	u8 state;

	for (state = MMNET_XS_CONNECTING; state <= MMNET_XS_CLOSING; state++)
		if (len == strlen(mmnet_xs_states[state]) &&
		    !memcmp(s, mmnet_xs_states[state], len))
			return state;
	return MMNET_XS_BAD;
}

const char *mmnet_xs_state_name(u8 state)
{
	if (state < MMNET_XS_CONNECTING || state > MMNET_XS_CLOSING)
		return NULL;
	return mmnet_xs_states[state];
}

/*
 * The lower domid is the leader: it allocates the event channel, and it
 * maps the follower's region only once the follower has mapped the
 * leader's current one and said so (peer-ring-ref).  That echo is what
 * keeps either side from mapping a region left over from an earlier
 * channel of the pair.  A grant reference comes back into use once the
 * peer unmapped it, which can be before the peer's values say so: hence
 * the follower maps only what the leader offers ("connecting"), and the
 * leader never offers the reference the follower still echoes (the
 * kernel's share step avoids it).
 *
 * Whether the peer's values name a region we may map: the leader's offer,
 * or the follower's region once the follower mapped ours (its echo).
 *
 * The leader says "connected" only once it mapped the follower's region, so
 * the follower takes that (with the echo of its own ring-ref) as still
 * valid for a channel it mapped, but never as an offer: for a channel that
 * has mapped nothing yet, the echo can only be left over from an earlier
 * one whose grant reference was free again and reused -- the leader's
 * region it names is gone.  The leader's next values say "connecting".
 */
bool mmnet_xs_may_map(const struct mmnet_xs_chan *chan,
		      const struct mmnet_xs_rdv *r)
{
	bool echo = r->state == MMNET_XS_CONNECTED &&
		    r->peer_ref == chan->own_ref;

	if (!r->ring_ref)
		return false;
	if (chan->leader)
		return echo;
	return r->port && (r->state == MMNET_XS_CONNECTING ||
			   (chan->mapped && echo));
}

/* A mapped channel whose peer's values change goes; a new one follows. */
bool mmnet_xs_still_valid(const struct mmnet_xs_chan *chan,
			  const struct mmnet_xs_rdv *r)
{
	return r->ring_ref == chan->remote_ref &&
	       (chan->leader || r->port == chan->remote_port) &&
	       mmnet_xs_may_map(chan, r);
}

bool mmnet_xs_rdv_equal(const struct mmnet_xs_rdv *a,
			const struct mmnet_xs_rdv *b)
{
	return a->state == b->state && a->ring_ref == b->ring_ref &&
	       a->port == b->port && a->peer_ref == b->peer_ref;
}

/* Zeroed whole: callers compare what they published with memcmp(). */
void mmnet_xs_rdv_of(const struct mmnet_xs_chan *chan, struct mmnet_xs_rdv *p)
{
	memset(p, 0, sizeof(*p));
	if (!chan || chan->closing) {
		p->state = MMNET_XS_CLOSING;
		return;
	}
	p->state = chan->mapped ? MMNET_XS_CONNECTED : MMNET_XS_CONNECTING;
	p->ring_ref = chan->own_ref;
	p->port = chan->leader ? chan->own_port : 0;
	p->peer_ref = chan->mapped ? chan->remote_ref : 0;
}

/*
 * The first "data/mmnet/peer/" anywhere in the path, as the watch gives it
 * (relative to our domain's home, or absolute), then the pair's name.
 */
int mmnet_xs_path_peer(const char *path, size_t len, u32 *domid, bool *dir)
{
	static const char key[] = "data/mmnet/peer/";
	const size_t klen = sizeof(key) - 1;
	size_t i, n;
	u32 d;

	for (i = 0; i + klen <= len; i++)
		if (!memcmp(path + i, key, klen))
			break;
	if (i + klen > len)
		return -EINVAL;
	path += i + klen;
	len -= i + klen;
	for (n = 0; n < len && path[n] != '/'; n++)
		;
	/* dom0 is never introduced to a guest: peer/0 is no pair. */
	if (mmnet_xs_parse_domid(path, n, &d) || !d)
		return -EINVAL;
	*domid = d;
	*dir = n == len;
	return 0;
}

/* ---- MACs ---- */

static int mmnet_xs_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mmnet_xs_parse_mac(const char *s, size_t len, u8 mac[6])
{
	u8 m[6];
	int i, hi, lo;

	if (len != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		hi = mmnet_xs_hex(s[3 * i]);
		lo = mmnet_xs_hex(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		m[i] = (u8)(hi << 4 | lo);
	}
	/* The group bit: multicast or broadcast. */
	if ((m[0] & 1) || !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return -EINVAL;
	memcpy(mac, m, 6);
	return 0;
}

int mmnet_xs_first_mac(const char *s, size_t len, u8 mac[6])
{
	size_t i, start;

	for (i = 0; i <= len; i++) {
		for (start = i; i < len && s[i] != ' '; i++)
			;
		if (!mmnet_xs_parse_mac(s + start, i - start, mac))
			return 0;
	}
	return -EINVAL;
}

/* ---- addresses ---- */

/* inet_pton4() of glibc 2.36, on counted bytes. */
int mmnet_xs_parse_ipv4(const char *s, size_t len, u8 out[4])
{
	unsigned int octets = 0, val = 0;
	u8 tmp[4] = { 0 };
	bool digit = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (digit && !val)	/* a leading zero */
				return -EINVAL;
			val = val * 10 + (unsigned int)(s[i] - '0');
			if (val > 255)
				return -EINVAL;
			if (!digit) {
				if (++octets > 4)
					return -EINVAL;
				digit = true;
			}
			tmp[octets - 1] = (u8)val;
		} else if (s[i] == '.' && digit && octets < 4) {
			digit = false;
			val = 0;
		} else {
			return -EINVAL;
		}
	}
	if (octets < 4)
		return -EINVAL;
	memcpy(out, tmp, 4);
	return 0;
}

/* Append a group of 16 bits; false if the address is full. */
static bool mmnet_xs_put16(u8 tmp[16], size_t *tp, unsigned int val)
{
	if (*tp + 2 > 16)
		return false;
	tmp[(*tp)++] = (u8)(val >> 8);
	tmp[(*tp)++] = (u8)val;
	return true;
}

/*
 * Make the @tp bytes parsed 16: "::" at @gap (-1: none) stands for the
 * zero groups missing, at least one.
 */
static int mmnet_xs_fill_gap(u8 tmp[16], size_t tp, int gap)
{
	size_t n;

	if (gap < 0 || tp == 16)
		return gap < 0 && tp == 16 ? 0 : -EINVAL;
	n = tp - (size_t)gap;
	memmove(tmp + 16 - n, tmp + gap, n);
	memset(tmp + gap, 0, 16 - n - (size_t)gap);
	return 0;
}

/*
 * inet_pton6() of glibc 2.36, on counted bytes.  @gap: where "::" stands,
 * or -1; @tok: where the current group began, for an IPv4 tail.
 */
int mmnet_xs_parse_ipv6(const char *s, size_t len, u8 out[16])
{
	unsigned int val = 0, digits = 0;
	size_t i = 0, tok, tp = 0;
	u8 tmp[16] = { 0 };
	int d, gap = -1;

	if (!len || (s[0] == ':' && (len < 2 || s[1] != ':')))
		return -EINVAL;
	if (s[0] == ':')
		i = 1;
	for (tok = i; i < len; ) {
		char c = s[i++];

		d = mmnet_xs_hex(c);
		if (d >= 0) {
			if (digits == 4)
				return -EINVAL;
			val = val << 4 | (unsigned int)d;
			digits++;
			continue;
		}
		if (c == '.') {
			/* An IPv4 tail, from where the group began, ends it. */
			if (tp + 4 > sizeof(tmp) ||
			    mmnet_xs_parse_ipv4(s + tok, len - tok, tmp + tp))
				return -EINVAL;
			tp += 4;
			digits = 0;
			break;
		}
		if (c != ':' || (!digits && gap >= 0))
			return -EINVAL;
		tok = i;
		if (!digits) {
			gap = (int)tp;
			continue;
		}
		/* A group needs a successor: no trailing ':'. */
		if (i == len || !mmnet_xs_put16(tmp, &tp, val))
			return -EINVAL;
		digits = 0;
		val = 0;
	}
	if ((digits && !mmnet_xs_put16(tmp, &tp, val)) ||
	    mmnet_xs_fill_gap(tmp, tp, gap))
		return -EINVAL;
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

bool mmnet_xs_addr_is_unicast(const struct mmnet_xs_addr *a)
{
	static const u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
	const u8 *b = a->bytes;
	unsigned int i, zero = 0;

	/* 0/8 this network, 127/8 loopback, 224/4 multicast, 240/4 reserved */
	if (a->family == MMNET_XS_INET)
		return b[0] != 0 && b[0] != 127 && b[0] < 224;
	for (i = 0; i < 15; i++)
		zero += b[i] == 0;
	if (zero == 15 && b[15] <= 1)		/* :: and ::1 */
		return false;
	if (b[0] == 0xff)			/* ff00::/8 multicast */
		return false;
	/* ::ffff:0:0/96 never appears on the wire */
	return memcmp(b, mapped, sizeof(mapped)) != 0;
}

bool mmnet_xs_addrs_has(const struct mmnet_xs_addrs *addrs,
			const struct mmnet_xs_addr *addr)
{
	size_t n = addr->family == MMNET_XS_INET ? 4 : 16;
	unsigned int i;

	for (i = 0; i < addrs->n; i++)
		if (addrs->a[i].family == addr->family &&
		    !memcmp(addrs->a[i].bytes, addr->bytes, n))
			return true;
	return false;
}

/* One token: an address, or 0 with the reason in @why. */
static int mmnet_xs_parse_addr(const char *s, size_t len,
			       struct mmnet_xs_addr *addr,
			       char *why, size_t whysize)
{
	char quoted[64];

	memset(addr, 0, sizeof(*addr));
	if (!mmnet_xs_parse_ipv4(s, len, addr->bytes))
		addr->family = MMNET_XS_INET;
	else if (!mmnet_xs_parse_ipv6(s, len, addr->bytes))
		addr->family = MMNET_XS_INET6;
	if (addr->family && mmnet_xs_addr_is_unicast(addr))
		return 0;
	mmnet_xs_escape(s, len, quoted, sizeof(quoted));
	snprintf(why, whysize, "\"%s\" is not %s", quoted,
		 addr->family ? "a unicast address" :
				"an IPv4 or IPv6 address");
	return -EINVAL;
}

static int mmnet_xs_parse_addrs_one(const char *s, size_t len,
				    struct mmnet_xs_addrs *out,
				    char *why, size_t whysize)
{
	struct mmnet_xs_addr addr;
	size_t i, start;

	for (i = 0; i < len; i++) {
		u8 c = (u8)s[i];

		if (c != ' ' && (c <= 0x20 || c >= 0x7f)) {
			snprintf(why, whysize,
				 "byte %zu (\\x%02x) is neither printable ASCII nor a space",
				 i, c);
			return -EINVAL;
		}
	}
	for (i = 0; i < len; ) {
		for (; i < len && s[i] == ' '; i++)
			;
		if (i == len)
			break;
		for (start = i; i < len && s[i] != ' '; i++)
			;
		if (mmnet_xs_parse_addr(s + start, i - start, &addr, why,
					whysize))
			return -EINVAL;
		if (mmnet_xs_addrs_has(out, &addr))
			continue;
		if (out->n == MMNET_XS_MAX_ADDRS) {
			snprintf(why, whysize, "more than %d addresses",
				 MMNET_XS_MAX_ADDRS);
			return -EINVAL;
		}
		out->a[out->n++] = addr;
	}
	return 0;
}

int mmnet_xs_parse_addrs(const char *s, size_t len, struct mmnet_xs_addrs *out,
			 char *why, size_t whysize)
{
	int ret = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (whysize)
		why[0] = '\0';
	if (len > MMNET_XS_ADDRS_LEN_MAX)
		snprintf(why, whysize, "longer than %d bytes",
			 MMNET_XS_ADDRS_LEN_MAX);
	else
		ret = mmnet_xs_parse_addrs_one(s, len, out, why, whysize);
	if (ret)
		out->n = 0;
	return ret;
}

bool mmnet_xs_version_ok(const char *s, size_t len)
{
	return len == strlen(MMNET_XS_VERSION) &&
	       !memcmp(s, MMNET_XS_VERSION, len);
}

/* ---- log lines ---- */

/* One byte as mmnet_xs_escape() shows it; returns the length (1 or 4). */
static size_t mmnet_xs_escape1(u8 c, char out[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

void mmnet_xs_escape(const char *s, size_t len, char *buf, size_t size)
{
	size_t total = 0, budget, o = 0, i, k;
	char tmp[4];

	if (!size)
		return;
	for (i = 0; i < len; i++)
		total += mmnet_xs_escape1((u8)s[i], tmp);
	/* All of it, or as much as fits before "..." */
	budget = total < size ? total : size >= 4 ? size - 4 : 0;
	for (i = 0; i < len; i++) {
		k = mmnet_xs_escape1((u8)s[i], tmp);
		if (o + k > budget)
			break;
		memcpy(buf + o, tmp, k);
		o += k;
	}
	if (total >= size && size >= 4) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}
