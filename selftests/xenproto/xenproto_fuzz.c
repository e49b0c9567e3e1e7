// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kernel/transport/xenproto.c.  Each input is used
 * four ways:
 *
 *  - as raw bytes, fed to every parser, each checked against an oracle
 *    written from libc (inet_pton, strtoull, strstr) or from the kernel code
 *    the parser replaces (mmnet_xen_path_peer, mmnet_xen_parse_mac), and as
 *    pieces of MAC lists for the MAC parsers;
 *  - as an address list in three spellings (the raw bytes, the bytes mapped
 *    onto the characters of addresses, and pieces of addresses strung
 *    together) for mmnet_xs_parse_addrs(), checked token by token against
 *    inet_pton() and for the unicast, dedupe, count and length rules;
 *  - as two channels and three directories' values, for the invariants of
 *    the rendezvous: rdv_equal is an equivalence, still_valid implies
 *    may_map, what one side publishes is taken by the other in the mirrored
 *    role exactly when the protocol says, and never a stale echo.
 *
 *   xenproto_fuzz -max_total_time=20 -max_len=2048 CORPUS_DIR
 */
#include <ctype.h>
#include <errno.h>

#include "xenproto_ref.h"

static void fail(const char *what, const char *s, size_t len)
{
	char shown[256];

	mmnet_xs_escape(s, len, shown, sizeof(shown));
	fprintf(stderr, "xenproto_fuzz: invariant broken: %s on \"%s\"\n", what, shown);
	__builtin_trap();
}

#define CHECK(cond, s, len) do { if (!(cond)) fail(#cond, (s), (len)); } while (0)

/* ---- every parser on the raw bytes ---- */

/* The kernel's spelling rules, then strtoull() for the value. */
static int ref_u32(const char *s, size_t len, u32 *v)
{
	unsigned long long x;
	char *c;
	size_t i;

	if (!len || len > 10 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	c = ref_cstr(s, len);
	x = strtoull(c, NULL, 10);
	free(c);
	if (x > 0xffffffffULL)
		return -1;
	*v = (u32)x;
	return 0;
}

static void fuzz_numbers(const char *s, size_t len)
{
	u32 v = 0x5a5a5a5a, w = 0, d = 0x5a5a5a5a;
	int r = mmnet_xs_parse_u32(s, len, &v), rr = ref_u32(s, len, &w);

	CHECK(r == 0 || r == -EINVAL, s, len);
	CHECK(!r == !rr && (r ? v == 0x5a5a5a5a : v == w), s, len);
	r = mmnet_xs_parse_domid(s, len, &d);
	CHECK(!r == (!rr && w < MMNET_XS_DOMID_FIRST_RESERVED) && (r ? d == 0x5a5a5a5a : d == w), s, len);
	if (len == 4) {
		memcpy(&v, s, 4);
		CHECK(mmnet_xs_gref_ok(v) == (v >= 8 && v != 0xffffffffU), s, len);
		CHECK(mmnet_xs_port_ok(v) == (v > 0 && v < (1U << 17)), s, len);
	}
}

static void fuzz_state(const char *s, size_t len)
{
	u8 st = mmnet_xs_parse_state(s, len);
	const char *name = mmnet_xs_state_name(st);

	CHECK(st >= MMNET_XS_CONNECTING && st <= MMNET_XS_BAD, s, len);
	CHECK(st == MMNET_XS_BAD ? !name : name && strlen(name) == len && !memcmp(name, s, len), s, len);
}

static void fuzz_mode(const char *s, size_t len)
{
	u8 m = mmnet_xs_parse_mode(s, len);
	const char *name = mmnet_xs_mode_name(m);

	CHECK(m <= MMNET_XS_MODE_BAD, s, len);
	CHECK(m == MMNET_XS_MODE_BAD ? !name : name && strlen(name) == len && !memcmp(name, s, len), s, len);
}

/* The kernel's mmnet_xen_path_peer(), on a C string. */
static int ref_path_peer(const char *path, u32 *domid, bool *dir)
{
	const char *p = strstr(path, "data/mmnet/peer/");
	size_t len;

	if (!p)
		return -1;
	p += strlen("data/mmnet/peer/");
	len = strcspn(p, "/");
	if (len >= 8 || mmnet_xs_parse_domid(p, len, domid) || !*domid)
		return -1;
	*dir = !p[len];
	return 0;
}

static void fuzz_path(const char *s, size_t len)
{
	char *c = ref_cstr(s, len);
	size_t n = strlen(c);
	u32 d = 0, rd = 0;
	bool dir = false, rdir = false;
	int r = mmnet_xs_path_peer(c, n, &d, &dir), rr = ref_path_peer(c, &rd, &rdir);

	CHECK(!r == !rr && (r || (d == rd && dir == rdir && d && d < MMNET_XS_DOMID_FIRST_RESERVED)), s, len);
	free(c);
}

/* The kernel's mac_pton() and is_valid_ether_addr(), with libc's ctype. */
static int ref_mac(const char *s, size_t len, u8 mac[6])
{
	unsigned int i;
	char hex[3] = "";

	if (len != 17)
		return -1;
	for (i = 0; i < 6; i++)
		if (!isxdigit((unsigned char)s[3 * i]) || !isxdigit((unsigned char)s[3 * i + 1]) ||
		    (i < 5 && s[3 * i + 2] != ':'))
			return -1;
	for (i = 0; i < 6; i++) {
		memcpy(hex, s + 3 * i, 2);
		mac[i] = (u8)strtoul(hex, NULL, 16);
	}
	return (mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) ? -1 : 0;
}

/* The kernel's mmnet_xen_parse_mac(): strsep() on single spaces, first good one. */
static int ref_first_mac(const char *s, size_t len, u8 mac[6])
{
	char *c = ref_cstr(s, len), *p = c, *tok;
	int ret = -1;

	while (ret && (tok = strsep(&p, " ")))
		ret = ref_mac(tok, strlen(tok), mac);
	free(c);
	return ret;
}

static void fuzz_macs(const char *s, size_t len)
{
	u8 m[6], w[6];
	int r;

	memset(m, 0x5a, sizeof(m));
	r = mmnet_xs_parse_mac(s, len, m);
	CHECK(!r == !ref_mac(s, len, w) && (r ? m[0] == 0x5a : !memcmp(m, w, 6)), s, len);
	if (memchr(s, '\0', len))
		return;
	memset(m, 0x5a, sizeof(m));
	r = mmnet_xs_first_mac(s, len, m);
	CHECK(!r == !ref_first_mac(s, len, w) && (r ? m[0] == 0x5a : !memcmp(m, w, 6)), s, len);
}

static void fuzz_escape(const char *s, size_t len)
{
	static const size_t sizes[] = { 1, 3, 4, 5, 17, 64 };
	size_t big = 4 * len + 1, i, k, o;
	char *buf = malloc(big);

	if (!buf)
		abort();
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]) + 1; k++) {
		size_t size = k < sizeof(sizes) / sizeof(sizes[0]) ? sizes[k] : big;

		if (size > big)
			continue;
		memset(buf, '#', size);
		mmnet_xs_escape(s, len, buf, size);
		CHECK(memchr(buf, '\0', size), s, len);
		for (i = 0; buf[i]; i++)
			CHECK(buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] != '"', s, len);
	}
	/* Big enough: decodes back to the input. */
	for (i = 0, o = 0; buf[i]; o++) {
		char c = buf[i];

		if (c == '\\') {
			char hex[3] = "";

			CHECK(buf[i + 1] == 'x' && isxdigit((unsigned char)buf[i + 2]) &&
			      isxdigit((unsigned char)buf[i + 3]), s, len);
			memcpy(hex, buf + i + 2, 2);
			c = (char)strtoul(hex, NULL, 16);
			i += 4;
		} else {
			i++;
		}
		CHECK(o < len && c == s[o], s, len);
	}
	CHECK(o == len, s, len);
	free(buf);
}

/* ---- addresses ---- */

/* Each token against inet_pton() in both families, byte for byte, and back through inet_ntop(). */
static void check_token(const char *s, size_t len)
{
	static const int afs[2] = { AF_INET, AF_INET6 };
	char *c = ref_cstr(s, len), text[INET6_ADDRSTRLEN];
	struct mmnet_xs_addr a;
	unsigned int k;

	for (k = 0; k < 2; k++) {
		int (*parse)(const char *, size_t, u8 *) = k ? mmnet_xs_parse_ipv6 : mmnet_xs_parse_ipv4;
		size_t n = k ? 16 : 4;
		u8 want[16], got[16];
		bool w = !memchr(s, '\0', len) && inet_pton(afs[k], c, want) == 1;
		int r;

		memset(got, 0x5a, sizeof(got));
		r = parse(s, len, got);
		CHECK(!r == w && (r ? got[0] == 0x5a : !memcmp(got, want, n)), s, len);
		if (r)
			continue;
		CHECK(inet_ntop(afs[k], got, text, sizeof(text)), s, len);
		CHECK(!parse(text, strlen(text), want) && !memcmp(got, want, n), s, len);
	}
	if (!ref_addr(s, len, &a))
		CHECK(mmnet_xs_addr_is_unicast(&a) == ref_unicast(&a), s, len);
	free(c);
}

static void fuzz_addrs(const char *s, size_t len)
{
	struct mmnet_xs_addrs got, ref;
	enum ref_why rw = ref_addrs(s, len, &ref);
	char why[256];
	size_t i, start;
	unsigned int k;
	int r;

	memset(&got, 0x5a, sizeof(got));
	r = mmnet_xs_parse_addrs(s, len, &got, why, sizeof(why));
	CHECK(r == 0 || r == -EINVAL, s, len);
	CHECK(r ? got.n == 0 && why[0] && ref_why_of(why) == rw : rw == REF_OK && !why[0], s, len);
	if (!r) {
		CHECK(got.n == ref.n && !memcmp(got.a, ref.a, got.n * sizeof(got.a[0])), s, len);
		CHECK(got.n <= MMNET_XS_MAX_ADDRS, s, len);
		for (k = 0; k < got.n; k++) {
			struct mmnet_xs_addrs before = got;

			before.n = k;
			CHECK(mmnet_xs_addr_is_unicast(&got.a[k]) && ref_unicast(&got.a[k]), s, len);
			CHECK(!mmnet_xs_addrs_has(&before, &got.a[k]) && mmnet_xs_addrs_has(&got, &got.a[k]), s, len);
		}
	}
	/* No reason buffer: the same verdict. */
	CHECK(mmnet_xs_parse_addrs(s, len, &ref, NULL, 0) == r, s, len);
	if (len > 4 * MMNET_XS_ADDRS_LEN_MAX)
		return;
	for (i = 0; i < len; i++) {
		if (s[i] == ' ')
			continue;
		for (start = i; i < len && s[i] != ' '; i++)
			;
		check_token(s + start, i - start);
	}
}

/* The bytes as characters of addresses: most tokens are near misses. */
static size_t spell_chars(const u8 *data, size_t size, char *out, size_t max)
{
	static const char chars[] = "0123456789abcdefABCDEF:::...  01fF";
	size_t i;

	for (i = 0; i < size && i < max; i++)
		out[i] = chars[data[i] % (sizeof(chars) - 1)];
	return i;
}

/* The bytes as pieces strung together: many tokens parse, and many nearly. */
static size_t spell(const u8 *data, size_t size, const char *const *pieces, size_t npieces,
		    char *out, size_t max)
{
	size_t o = 0, i, n;

	for (i = 0; i < size; i++) {
		const char *p = pieces[data[i] % npieces];

		n = strlen(p);
		if (o + n > max)
			break;
		memcpy(out + o, p, n);
		o += n;
	}
	return o;
}

static const char *const addr_pieces[] = {
	"0", "1", "2", "9", "10", "25", "99", "100", "127", "224", "239", "240", "255", "256",
	"01", "00", "1234", "ffff", "FFFF", "fe80", "ff02", "fd77", "0000", "12345", "a", "g",
	".", ".", ".", ":", ":", ":", "::", "::", " ", " ", "  ", "%", "/", "\t", "::ffff:",
	"1.2.3.4", "10.0.0.1", "fd77::1", "::1", "::", "0.0.0.0", "255.255.255.255", "::ffff:0:",
	"1:2:3:4:5:6:", "1:2:3:4:5:6:7:", "8", "7", "\"", "\\", "224.0.0.1", "239.1.2.3",
	"240.0.0.1", "127.0.0.1", "0.1.2.3", "ff02::1", "::ffff:10.0.0.1", "::1.2.3.4",
};

static const char *const mac_pieces[] = {
	"02:00:00:00:00:01", "00:16:3E:ab:CD:ef", "01:00:5e:00:00:01", "00:00:00:00:00:00",
	"ff:ff:ff:ff:ff:ff", "02:", "AB:", "cd", "0", "a", "G", ":", "-", " ", " ", "  ", "\n",
};

#define SPELL(data, size, pieces, out) \
	spell(data, size, pieces, sizeof(pieces) / sizeof(pieces[0]), out, sizeof(out))

/* ---- the rendezvous ---- */

/* The rendezvous' inputs: the first bytes of the input, zero-padded. */
struct input {
	u8 b[72];	/* more than a channel and three directories take */
	size_t i;
};

static u8 in8(struct input *in)
{
	return in->b[in->i++ % sizeof(in->b)];
}

/* A value from a small set, so that fields often match, or any value. */
static u32 in_val(struct input *in)
{
	static const u32 vals[] = { 0, 1, 7, 8, 9, 100, 0x1ffff, 0xffffffff };
	u8 b = in8(in);
	u32 v;

	if (b < 0xf0)
		return vals[b % 8];
	v = in8(in);
	v |= (u32)in8(in) << 8;
	v |= (u32)in8(in) << 16;
	return v | (u32)in8(in) << 24;
}

static void in_rdv(struct input *in, struct mmnet_xs_rdv *r)
{
	u8 b = in8(in);

	memset(r, 0, sizeof(*r));
	r->state = b < 0xf8 ? b % 5 : b;
	r->ring_ref = in_val(in);
	r->port = in_val(in);
	r->peer_ref = in_val(in);
}

static void in_chan(struct input *in, struct mmnet_xs_chan *c)
{
	u8 b = in8(in);

	memset(c, 0, sizeof(*c));
	c->leader = b & 1;
	c->mapped = b & 2;
	c->closing = (b & 0x1c) == 0x1c;
	c->own_ref = in_val(in);
	c->own_port = c->leader ? in_val(in) : 0;
	c->remote_ref = c->mapped ? in_val(in) : 0;
	c->remote_port = c->mapped && !c->leader ? in_val(in) : 0;
}

static bool fields_equal(const struct mmnet_xs_rdv *a, const struct mmnet_xs_rdv *b)
{
	return a->state == b->state && a->ring_ref == b->ring_ref && a->port == b->port &&
	       a->peer_ref == b->peer_ref;
}

#define RCHECK(cond) CHECK(cond, (const char *)data, size)

/* What one chan may do with one directory, whatever the values. */
static void rdv_rules(const u8 *data, size_t size, const struct mmnet_xs_chan *c,
		      const struct mmnet_xs_rdv *r)
{
	bool may = mmnet_xs_may_map(c, r);

	/* A channel that is up ends when the peer's values no longer describe it. */
	RCHECK(!mmnet_xs_still_valid(c, r) ||
	       (may && r->ring_ref == c->remote_ref && (c->leader || r->port == c->remote_port)));
	RCHECK(!may || r->ring_ref);
	RCHECK(!may || r->state == MMNET_XS_CONNECTING || r->state == MMNET_XS_CONNECTED);
	/* The leader maps only its echo; the follower only an offer, until mapped. */
	RCHECK(!may || !c->leader || (r->state == MMNET_XS_CONNECTED && r->peer_ref == c->own_ref));
	RCHECK(!may || c->leader || c->mapped || (r->state == MMNET_XS_CONNECTING && r->port));
	RCHECK(!may || c->leader || r->port);
}

/* X publishes; Y, the other side with the values that match, reads it. */
static void rdv_mirror(const u8 *data, size_t size, const struct mmnet_xs_chan *x, bool y_mapped)
{
	struct mmnet_xs_chan y = {
		.leader = !x->leader, .mapped = y_mapped, .own_ref = x->remote_ref,
		.own_port = x->leader ? 0 : x->remote_port,
		.remote_ref = y_mapped ? x->own_ref : 0,
		.remote_port = y_mapped && x->leader ? x->own_port : 0,
	};
	struct mmnet_xs_rdv p;
	bool offer = x->own_ref && x->own_port;

	mmnet_xs_rdv_of(x, &p);
	if (x->closing) {
		RCHECK(p.state == MMNET_XS_CLOSING && !p.ring_ref && !p.port && !p.peer_ref);
		RCHECK(!mmnet_xs_may_map(&y, &p));
		return;
	}
	RCHECK(p.state == (x->mapped ? MMNET_XS_CONNECTED : MMNET_XS_CONNECTING));
	RCHECK(p.ring_ref == x->own_ref && (x->leader || !p.port) && (x->mapped || !p.peer_ref));
	if (x->leader && !x->mapped)		/* the offer */
		RCHECK(mmnet_xs_may_map(&y, &p) == offer);
	if (x->leader && x->mapped)		/* connected is no offer */
		RCHECK(mmnet_xs_may_map(&y, &p) == (y_mapped && offer));
	if (x->leader && y_mapped)
		RCHECK(mmnet_xs_still_valid(&y, &p) == offer);
	if (!x->leader && !x->mapped)		/* no echo yet */
		RCHECK(!mmnet_xs_may_map(&y, &p));
	if (!x->leader && x->mapped) {		/* the echo */
		RCHECK(mmnet_xs_may_map(&y, &p) == !!x->own_ref);
		if (y_mapped)
			RCHECK(mmnet_xs_still_valid(&y, &p) == !!x->own_ref);
	}
	/* An echo of another ring-ref than Y's is stale: never a go-ahead. */
	if (x->mapped && p.state == MMNET_XS_CONNECTED) {
		y.own_ref ^= 1;
		RCHECK(!mmnet_xs_may_map(&y, &p));
	}
}

static void fuzz_rdv(const u8 *data, size_t size)
{
	struct input in = { .i = 0 };
	struct mmnet_xs_rdv r[3], p;
	struct mmnet_xs_chan c;
	unsigned int i;

	memcpy(in.b, data, size < sizeof(in.b) ? size : sizeof(in.b));
	in_chan(&in, &c);
	for (i = 0; i < 3; i++)
		in_rdv(&in, &r[i]);
	/* An equivalence, and exactly the fields. */
	for (i = 0; i < 3; i++) {
		const struct mmnet_xs_rdv *a = &r[i], *b = &r[(i + 1) % 3], *d = &r[(i + 2) % 3];

		RCHECK(mmnet_xs_rdv_equal(a, a));
		RCHECK(mmnet_xs_rdv_equal(a, b) == mmnet_xs_rdv_equal(b, a));
		RCHECK(mmnet_xs_rdv_equal(a, b) == fields_equal(a, b));
		RCHECK(!mmnet_xs_rdv_equal(a, b) || !mmnet_xs_rdv_equal(b, d) || mmnet_xs_rdv_equal(a, d));
		rdv_rules(data, size, &c, a);
	}
	mmnet_xs_rdv_of(NULL, &p);
	RCHECK(p.state == MMNET_XS_CLOSING && !p.ring_ref && !p.port && !p.peer_ref);
	rdv_rules(data, size, &c, &p);
	RCHECK(!mmnet_xs_may_map(&c, &p));
	rdv_mirror(data, size, &c, false);
	rdv_mirror(data, size, &c, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char spelt[2 * MMNET_XS_ADDRS_LEN_MAX + 64];
	const char *s = (const char *)data;
	size_t n;

	fuzz_numbers(s, size);
	fuzz_state(s, size);
	fuzz_mode(s, size);
	fuzz_path(s, size);
	fuzz_macs(s, size);
	fuzz_escape(s, size);
	fuzz_addrs(s, size);
	n = spell_chars(data, size, spelt, sizeof(spelt));
	fuzz_addrs(spelt, n);
	n = SPELL(data, size, addr_pieces, spelt);
	fuzz_addrs(spelt, n);
	n = SPELL(data, size, mac_pieces, spelt);
	fuzz_macs(spelt, n);
	fuzz_rdv(data, size);
	return 0;
}
