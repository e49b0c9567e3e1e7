// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/transport/xenproto.c, built in userspace: every
 * shared parser and check, the rendezvous rules as a table, and the address
 * parsers against glibc's inet_pton().  Prints TAP, one line per test.
 */
#include <errno.h>

#include "xenproto_ref.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The current test's verdict: any failed CHECK() makes it "not ok". */
static bool passing;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__);					\
		printf("\n");						\
		passing = false;					\
	}								\
} while (0)

/* A test checks, then says what it covered in its TAP line. */
#define TEST(fn) static void fn(char *name, size_t size)
#define SAY(...) snprintf(name, size, __VA_ARGS__)

struct number_case {
	const char *s;
	bool ok;
	u32 v;
};

/* Each case through PARSE: the value, or -EINVAL and the output untouched. */
static void number_cases(int (*parse)(const char *, size_t, u32 *), const struct number_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u32 v = 12345;
		int r = parse(c[i].s, strlen(c[i].s), &v);

		CHECK(c[i].ok ? !r && v == c[i].v : r == -EINVAL && v == 12345, "\"%s\"", c[i].s);
	}
}

TEST(test_u32)
{
	static const struct number_case cases[] = {
		{ "0", 1, 0 }, { "7", 1, 7 }, { "10", 1, 10 }, { "4294967295", 1, 4294967295U },
		{ "4294967296", 0, 0 }, { "9999999999", 0, 0 }, { "12345678901", 0, 0 },
		{ "", 0, 0 }, { "00", 0, 0 }, { "01", 0, 0 }, { "-1", 0, 0 }, { "+1", 0, 0 },
		{ " 1", 0, 0 }, { "1 ", 0, 0 }, { "1\n", 0, 0 }, { "0x10", 0, 0 }, { "1a", 0, 0 },
		{ "1.0", 0, 0 }, { "\xb9", 0, 0 },
	};
	u32 v;

	number_cases(mmnet_xs_parse_u32, cases, ARRAY_SIZE(cases));
	CHECK(!mmnet_xs_parse_u32("129", 2, &v) && v == 12, "only LEN bytes count");
	CHECK(mmnet_xs_parse_u32("1\0", 2, &v) == -EINVAL, "a NUL is garbage");
	SAY("parse_u32: %zu values, strict decimal", ARRAY_SIZE(cases) + 2);
}

TEST(test_domid)
{
	static const struct number_case cases[] = {
		{ "0", 1, 0 }, { "1", 1, 1 }, { "32751", 1, 32751 }, { "32752", 0, 0 }, { "65535", 0, 0 },
		{ "", 0, 0 }, { "01", 0, 0 }, { "-1", 0, 0 }, { "1a", 0, 0 }, { "123456", 0, 0 },
		{ "4294967295", 0, 0 }, { "4294967296", 0, 0 },
	};

	number_cases(mmnet_xs_parse_domid, cases, ARRAY_SIZE(cases));
	SAY("parse_domid: %zu values, 0 accepted, below 0x7ff0", ARRAY_SIZE(cases));
}

TEST(test_gref_port)
{
	CHECK(!mmnet_xs_gref_ok(0) && !mmnet_xs_gref_ok(7), "reserved entries");
	CHECK(mmnet_xs_gref_ok(8) && mmnet_xs_gref_ok(0xfffffffe), "first and last usable");
	CHECK(!mmnet_xs_gref_ok(0xffffffff), "INVALID_GRANT_REF");
	CHECK(!mmnet_xs_port_ok(0), "port 0");
	CHECK(mmnet_xs_port_ok(1) && mmnet_xs_port_ok((1 << 17) - 1), "first and last FIFO port");
	CHECK(!mmnet_xs_port_ok(1 << 17) && !mmnet_xs_port_ok(0xffffffff), "beyond the FIFO ABI");
	SAY("gref_ok, port_ok: the Xen ABI's bounds");
}

TEST(test_state)
{
	static const char *const bad[] = {
		"", "Connected", "connected\n", " connected", "connect", "connectedx", "none", "bad",
		"closing\0", "4",
	};
	u8 s;
	unsigned int i;

	for (s = MMNET_XS_CONNECTING; s <= MMNET_XS_CLOSING; s++) {
		const char *name = mmnet_xs_state_name(s);

		CHECK(name && mmnet_xs_parse_state(name, strlen(name)) == s, "state %u", s);
	}
	CHECK(!strcmp(mmnet_xs_state_name(MMNET_XS_CONNECTING), "connecting") &&
	      !strcmp(mmnet_xs_state_name(MMNET_XS_CONNECTED), "connected") &&
	      !strcmp(mmnet_xs_state_name(MMNET_XS_CLOSING), "closing"), "the names");
	CHECK(!mmnet_xs_state_name(MMNET_XS_NONE) && !mmnet_xs_state_name(MMNET_XS_BAD) &&
	      !mmnet_xs_state_name(200), "no name for NONE, BAD, others");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(mmnet_xs_parse_state(bad[i], strlen(bad[i]) + (i == 8)) == MMNET_XS_BAD, "\"%s\"",
		      bad[i]);
	SAY("parse_state, state_name: round trip, %zu bad values", ARRAY_SIZE(bad));
}

TEST(test_mode)
{
	static const char *const bad[] = { "", "Copy", "copy\n", " premap", "pre", "premapx", "zerocopy", "copy\0" };
	unsigned int i;
	u8 m;

	for (m = MMNET_XS_MODE_COPY; m <= MMNET_XS_MODE_PREMAP; m++) {
		const char *name = mmnet_xs_mode_name(m);

		CHECK(name && mmnet_xs_parse_mode(name, strlen(name)) == m, "mode %u", m);
	}
	CHECK(!strcmp(mmnet_xs_mode_name(MMNET_XS_MODE_COPY), "copy") &&
	      !strcmp(mmnet_xs_mode_name(MMNET_XS_MODE_PREMAP), "premap"), "the names");
	CHECK(!mmnet_xs_mode_name(MMNET_XS_MODE_BAD) && !mmnet_xs_mode_name(200), "no name for BAD, others");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(mmnet_xs_parse_mode(bad[i], strlen(bad[i]) + (i == 7)) == MMNET_XS_MODE_BAD, "\"%s\"",
		      bad[i]);
	SAY("parse_mode, mode_name: round trip, %zu bad values", ARRAY_SIZE(bad));
}

/* ---- the rendezvous ---- */

#define OWN	100	/* our ring-ref */
#define REM	200	/* the peer's */
#define PORT	5	/* the leader's port */

enum { NO, CN = MMNET_XS_CONNECTING, CD = MMNET_XS_CONNECTED, CL = MMNET_XS_CLOSING, BD = MMNET_XS_BAD };

static const struct rdv_case {
	const char *what;
	bool leader, mapped;
	struct mmnet_xs_rdv r;	/* the peer's values */
	bool may_map, still_valid;
} rdv_cases[] = {
	/* The leader maps only the follower's echo of its current ring-ref. */
	{ "leader: the follower's echo", 1, 0, { CD, REM, 0, OWN }, 1, 0 },
	{ "leader: a stale echo", 1, 0, { CD, REM, 0, OWN + 1 }, 0, 0 },
	{ "leader: a connecting follower", 1, 0, { CN, REM, 0, OWN }, 0, 0 },
	{ "leader: the echo without a ring-ref", 1, 0, { CD, 0, 0, OWN }, 0, 0 },
	{ "leader: the echo, closing", 1, 0, { CL, REM, 0, OWN }, 0, 0 },
	{ "leader: the echo, bad state", 1, 0, { BD, REM, 0, OWN }, 0, 0 },
	{ "leader: the echo, no state", 1, 0, { NO, REM, 0, OWN }, 0, 0 },
	{ "leader mapped: unchanged", 1, 1, { CD, REM, 0, OWN }, 1, 1 },
	{ "leader mapped: a port is not its business", 1, 1, { CD, REM, 7, OWN }, 1, 1 },
	{ "leader mapped: another ring-ref", 1, 1, { CD, REM + 1, 0, OWN }, 1, 0 },
	{ "leader mapped: the echo goes stale", 1, 1, { CD, REM, 0, OWN + 1 }, 0, 0 },
	{ "leader mapped: the state goes back", 1, 1, { CN, REM, 0, OWN }, 0, 0 },
	{ "leader mapped: closing", 1, 1, { CL, REM, 0, OWN }, 0, 0 },
	/* The follower maps only an offer, and keeps it while the leader echoes. */
	{ "follower: the leader's offer", 0, 0, { CN, REM, PORT, 0 }, 1, 0 },
	{ "follower: an offer without a port", 0, 0, { CN, REM, 0, 0 }, 0, 0 },
	{ "follower: an offer without a ring-ref", 0, 0, { CN, 0, PORT, 0 }, 0, 0 },
	{ "follower: connected is never an offer", 0, 0, { CD, REM, PORT, OWN }, 0, 0 },
	{ "follower: nor with a stale echo", 0, 0, { CD, REM, PORT, OWN + 1 }, 0, 0 },
	{ "follower: closing", 0, 0, { CL, REM, PORT, 0 }, 0, 0 },
	{ "follower: bad state", 0, 0, { BD, REM, PORT, 0 }, 0, 0 },
	{ "follower mapped: the leader not yet", 0, 1, { CN, REM, PORT, 0 }, 1, 1 },
	{ "follower mapped: the leader's echo", 0, 1, { CD, REM, PORT, OWN }, 1, 1 },
	{ "follower mapped: a stale echo", 0, 1, { CD, REM, PORT, OWN + 1 }, 0, 0 },
	{ "follower mapped: another port", 0, 1, { CD, REM, PORT + 1, OWN }, 1, 0 },
	{ "follower mapped: a new offer", 0, 1, { CN, REM + 1, PORT, 0 }, 1, 0 },
	{ "follower mapped: the port gone", 0, 1, { CD, REM, 0, OWN }, 0, 0 },
	{ "follower mapped: closing", 0, 1, { CL, REM, PORT, OWN }, 0, 0 },
};

TEST(test_rdv_rules)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rdv_cases); i++) {
		const struct rdv_case *c = &rdv_cases[i];
		struct mmnet_xs_chan chan = {
			.leader = c->leader, .mapped = c->mapped, .own_ref = OWN,
			.own_port = c->leader ? PORT : 0,
			.remote_ref = c->mapped ? REM : 0,
			.remote_port = c->mapped && !c->leader ? PORT : 0,
		};

		CHECK(mmnet_xs_may_map(&chan, &c->r) == c->may_map, "%s: may_map", c->what);
		if (c->mapped)
			CHECK(mmnet_xs_still_valid(&chan, &c->r) == c->still_valid, "%s: still_valid",
			      c->what);
	}
	SAY("may_map, still_valid: %zu rows of the rendezvous rules", ARRAY_SIZE(rdv_cases));
}

static bool rdv_is(const struct mmnet_xs_rdv *p, u8 state, u32 ring_ref, u32 port, u32 peer_ref)
{
	struct mmnet_xs_rdv want = { state, ring_ref, port, peer_ref };

	return mmnet_xs_rdv_equal(p, &want);
}

TEST(test_rdv_of)
{
	struct mmnet_xs_chan c = { .leader = true, .own_ref = OWN, .own_port = PORT, .remote_ref = REM };
	struct mmnet_xs_rdv p, q;

	mmnet_xs_rdv_of(NULL, &p);
	CHECK(rdv_is(&p, CL, 0, 0, 0), "no channel: closing");
	c.closing = true;
	mmnet_xs_rdv_of(&c, &p);
	CHECK(rdv_is(&p, CL, 0, 0, 0), "a channel being removed: closing");
	c.closing = false;
	mmnet_xs_rdv_of(&c, &p);
	CHECK(rdv_is(&p, CN, OWN, PORT, 0), "leader, unmapped: the offer");
	c.mapped = true;
	mmnet_xs_rdv_of(&c, &p);
	CHECK(rdv_is(&p, CD, OWN, PORT, REM), "leader, mapped: connected, with the echo");
	c = (struct mmnet_xs_chan){ .own_ref = OWN, .own_port = PORT, .remote_ref = REM, .remote_port = 9 };
	mmnet_xs_rdv_of(&c, &p);
	CHECK(rdv_is(&p, CN, OWN, 0, 0), "follower, unmapped: its ring-ref, no port");
	c.mapped = true;
	mmnet_xs_rdv_of(&c, &p);
	CHECK(rdv_is(&p, CD, OWN, 0, REM), "follower, mapped: connected, with the echo");
	memset(&q, 0xa5, sizeof(q));
	mmnet_xs_rdv_of(&c, &q);
	CHECK(!memcmp(&p, &q, sizeof(p)), "padding is zeroed: memcmp() of two results");
	SAY("rdv_of: what our directory says, for each kind of channel");
}

TEST(test_rdv_equal)
{
	struct mmnet_xs_rdv a = { CD, 1, 2, 3 }, b = a;

	CHECK(mmnet_xs_rdv_equal(&a, &a) && mmnet_xs_rdv_equal(&a, &b), "equal");
	b.state = CN;
	CHECK(!mmnet_xs_rdv_equal(&a, &b), "state");
	b = a;
	b.ring_ref++;
	CHECK(!mmnet_xs_rdv_equal(&a, &b), "ring_ref");
	b = a;
	b.port++;
	CHECK(!mmnet_xs_rdv_equal(&a, &b), "port");
	b = a;
	b.peer_ref++;
	CHECK(!mmnet_xs_rdv_equal(&a, &b), "peer_ref");
	SAY("rdv_equal: every field counts");
}

TEST(test_path_peer)
{
	static const struct { const char *path; int ok; u32 domid; bool dir; } cases[] = {
		{ "data/mmnet/peer/7", 1, 7, 1 },
		{ "data/mmnet/peer/7/state", 1, 7, 0 },
		{ "data/mmnet/peer/7/", 1, 7, 0 },
		{ "/local/domain/3/data/mmnet/peer/32751/ring-ref", 1, 32751, 0 },
		{ "/local/domain/3/data/mmnet/peer/12", 1, 12, 1 },
		{ "data/mmnet/peer", 0, 0, 0 },
		{ "data/mmnet/peer/", 0, 0, 0 },
		{ "data/mmnet/peer/0", 0, 0, 0 },
		{ "data/mmnet/peer/07", 0, 0, 0 },
		{ "data/mmnet/peer/32752", 0, 0, 0 },
		{ "data/mmnet/peer/1234567/x", 0, 0, 0 },
		{ "data/mmnet/peer/x/7", 0, 0, 0 },
		{ "data/mmnet/peerx/7", 0, 0, 0 },
		{ "data/mmnet/peer/data/mmnet/peer/7", 0, 0, 0 },
		{ "data/mmnet/addrs", 0, 0, 0 },
		{ "", 0, 0, 0 },
	};
	unsigned int i;
	bool dir;
	u32 d;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int r;

		d = 99999;
		dir = false;
		r = mmnet_xs_path_peer(cases[i].path, strlen(cases[i].path), &d, &dir);
		CHECK(cases[i].ok ? !r && d == cases[i].domid && dir == cases[i].dir :
				    r == -EINVAL && d == 99999, "\"%s\"", cases[i].path);
	}
	CHECK(!mmnet_xs_path_peer("data/mmnet/peer/7/x", 17, &d, &dir) && d == 7 && dir, "only LEN bytes count");
	SAY("path_peer: %zu watch paths", ARRAY_SIZE(cases) + 1);
}

TEST(test_macs)
{
	static const struct { const char *s; const char *first; } cases[] = {
		{ "02:00:00:00:00:01", "\x02\0\0\0\0\x01" },
		{ "00:16:3E:AB:cd:EF", "\x00\x16\x3e\xab\xcd\xef" },
		{ "01:00:5e:00:00:01 02:00:00:00:00:02", "\x02\0\0\0\0\x02" },
		{ "ff:ff:ff:ff:ff:ff 00:00:00:00:00:00 bogus 02:00:00:00:00:03", "\x02\0\0\0\0\x03" },
		{ " 02:00:00:00:00:04", "\x02\0\0\0\0\x04" },
		{ "02:00:00:00:00:05  02:00:00:00:00:06", "\x02\0\0\0\0\x05" },
		{ "", NULL }, { " ", NULL }, { "02:00:00:00:00", NULL }, { "02:00:00:00:00:01:", NULL },
		{ "02-00-00-00-00-01", NULL }, { "02:00:00:00:00:0g", NULL }, { "2:0:0:0:0:1", NULL },
		{ "02:00:00:00:00:01\n", NULL }, { "01:00:5e:00:00:01", NULL }, { "ff:ff:ff:ff:ff:ff", NULL },
		{ "00:00:00:00:00:00", NULL }, { "02:00:00:00:00:0102:00:00:00:00:01", NULL },
	};
	u8 mac[6];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *s = cases[i].s;
		bool whole = cases[i].first && !strchr(s, ' ');
		int r;

		memset(mac, 9, sizeof(mac));
		r = mmnet_xs_first_mac(s, strlen(s), mac);
		CHECK(cases[i].first ? !r && !memcmp(mac, cases[i].first, 6) : r == -EINVAL && mac[0] == 9,
		      "first_mac \"%s\"", s);
		memset(mac, 9, sizeof(mac));
		r = mmnet_xs_parse_mac(s, strlen(s), mac);
		CHECK(whole ? !r && !memcmp(mac, cases[i].first, 6) : r == -EINVAL && mac[0] == 9,
		      "parse_mac \"%s\"", s);
	}
	SAY("parse_mac, first_mac: %zu values", ARRAY_SIZE(cases));
}

/* The tricky spellings: what inet_pton() takes and what it does not. */
static const char *const ip_cases[] = {
	"0.0.0.0", "1.2.3.4", "255.255.255.255", "10.77.0.1", "256.1.1.1", "1.2.3.256", "01.2.3.4",
	"1.02.3.4", "1.2.3.04", "00.1.2.3", "0.0.0.00", "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3.4",
	"1.2.3.4.", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/24", "0x1.2.3.4", "1.2.3.a", "1e2.1.1.1",
	"-1.2.3.4", "+1.2.3.4", "1.2.3.-4", "1234.1.1.1", "999.1.1.1", "1.2.3.4\n", "", ".",
	"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::",
	"::2:3:4:5:6:7:8", "1::8", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", ":::", "1:::2", "::1::",
	"1::2::3", ":1::2", "1::2:", "1:", ":", ":1", "1", "fe80::1", "FE80::1", "fE80:0:0:0:0:0:0:1",
	"0000:0000:0000:0000:0000:0000:0000:0001", "00000::1", "12345::", "1:23456::", "g::1", "::g",
	"fe80::1%eth0", "fd77::1/64", "[::1]", "::ffff:1.2.3.4", "::1.2.3.4", "1.2.3.4::", "::1.2.3",
	"::1.2.3.4.5", "::01.2.3.4", "::256.1.1.1", "::1.2.3.4:5", "1:2:3:4:5:6:1.2.3.4",
	"1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5::1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "1::1.2.3.4",
	"::ffff:0:1.2.3.4", "::a.2.3.4", "::1234.2.3.4", "::ffff:1.2.3.4x", "::ffff:1.2.3.",
	"0000:0000:0000:0000:0000:ffff:255.255.255.255", "1:2:3:4:5:6:7:8.", "::.1.2.3", "::ffff:.1.2.3",
	"2001:db8::1", "2001:DB8:0:0:1::1", "::ffff", "ffff::", "1:2:3:4::5:6:7", "1:2:3:4::5:6:7:8",
	"1::2:3:4:5:6:7", "::0:0:0:0:0:0:0", "::0:0:0:0:0:0:0:0", "a:b:c:d:e:f:a:b", "1:2:3:4:5:6:7:8 ",
	"1 ::", "::1\t", "::\xff", "\xc3\xa9",
};

TEST(test_ip_vs_inet_pton)
{
	unsigned int i, v4 = 0, v6 = 0;
	u8 want[16], got[16];

	for (i = 0; i < ARRAY_SIZE(ip_cases); i++) {
		const char *s = ip_cases[i];
		int w4 = inet_pton(AF_INET, s, want) == 1, g4;
		int w6, g6;

		memset(got, 0x5a, sizeof(got));
		g4 = !mmnet_xs_parse_ipv4(s, strlen(s), got);
		CHECK(g4 == w4 && (!w4 || !memcmp(got, want, 4)) && (w4 || got[0] == 0x5a),
		      "IPv4 \"%s\": inet_pton %d, ours %d", s, w4, g4);
		w6 = inet_pton(AF_INET6, s, want) == 1;
		memset(got, 0x5a, sizeof(got));
		g6 = !mmnet_xs_parse_ipv6(s, strlen(s), got);
		CHECK(g6 == w6 && (!w6 || !memcmp(got, want, 16)) && (w6 || got[0] == 0x5a),
		      "IPv6 \"%s\": inet_pton %d, ours %d", s, w6, g6);
		v4 += w4;
		v6 += w6;
	}
	CHECK(v4 > 3 && v6 > 20 && v4 + v6 < ARRAY_SIZE(ip_cases) / 2, "both kinds: %u, %u", v4, v6);
	SAY("parse_ipv4, parse_ipv6: as inet_pton on %zu spellings (%u IPv4, %u IPv6 accepted)",
	    ARRAY_SIZE(ip_cases), v4, v6);
}

TEST(test_unicast)
{
	static const struct { const char *s; bool unicast; } cases[] = {
		{ "10.0.0.1", 1 }, { "1.0.0.0", 1 }, { "126.255.255.255", 1 }, { "128.0.0.1", 1 },
		{ "169.254.1.1", 1 }, { "223.255.255.255", 1 }, { "0.0.0.0", 0 }, { "0.1.2.3", 0 },
		{ "127.0.0.1", 0 }, { "127.1.2.3", 0 }, { "224.0.0.1", 0 }, { "239.255.255.255", 0 },
		{ "240.0.0.1", 0 }, { "255.255.255.255", 0 }, { "fd77::1", 1 }, { "fe80::1", 1 },
		{ "::2", 1 }, { "::1.2.3.4", 1 }, { "fe00::1", 1 }, { "::ffff:0:1.2.3.4", 1 },
		{ "::", 0 }, { "::1", 0 }, { "ff02::1", 0 }, { "ff00::", 0 }, { "::ffff:10.0.0.1", 0 },
		{ "::ffff:0.0.0.0", 0 },
	};
	struct mmnet_xs_addr a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (ref_addr(cases[i].s, strlen(cases[i].s), &a)) {
			CHECK(0, "\"%s\" does not parse", cases[i].s);
			continue;
		}
		CHECK(mmnet_xs_addr_is_unicast(&a) == cases[i].unicast && ref_unicast(&a) == cases[i].unicast,
		      "\"%s\"", cases[i].s);
	}
	SAY("addr_is_unicast: %zu addresses", ARRAY_SIZE(cases));
}

static void addrs_case(const char *raw, size_t len, const char *want_why)
{
	struct mmnet_xs_addrs got, ref;
	char why[256];
	int r;

	memset(&got, 0x5a, sizeof(got));
	r = mmnet_xs_parse_addrs(raw, len, &got, why, sizeof(why));
	CHECK((int)ref_addrs(raw, len, &ref) == (r ? (int)ref_why_of(why) : REF_OK),
	      "\"%.40s\" (%zu bytes): ours %d (%s)", raw, len, r, why);
	CHECK(r ? got.n == 0 && strstr(why, want_why) : !want_why && !why[0], "\"%.40s\": %s", raw, why);
	CHECK(r || (got.n == ref.n && !memcmp(got.a, ref.a, got.n * sizeof(got.a[0]))), "\"%.40s\"", raw);
}

TEST(test_addrs)
{
	char buf[2048], why[256];
	struct mmnet_xs_addrs a;
	int i, n;

	addrs_case("10.77.0.1 fd77::1", 17, NULL);
	addrs_case("", 0, NULL);
	addrs_case("   ", 3, NULL);
	addrs_case("  10.0.0.1   10.0.0.2 ", 22, NULL);
	addrs_case("10.0.0.1 10.0.0.1 FD77::1 fd77:0::1", 35, NULL);
	addrs_case("10.0.0.1 bogus", 14, "\"bogus\" is not an IPv4 or IPv6 address");
	addrs_case("10.0.0.1 127.0.0.1", 18, "\"127.0.0.1\" is not a unicast address");
	addrs_case("::ffff:10.0.0.1", 15, "is not a unicast address");
	addrs_case("10.0.0.1\t10.0.0.2", 17, "byte 8 (\\x09) is neither printable ASCII nor a space");
	addrs_case("10.0.0.1\0 10.0.0.2", 18, "byte 8 (\\x00)");
	addrs_case("a\"b\\c", 5, "\"a\\x22b\\x5cc\" is not");
	addrs_case("10.0.0.1 10.0.0.2", 8, NULL);
	for (n = 0, i = 1; i <= MMNET_XS_MAX_ADDRS; i++)
		n += sprintf(buf + n, "%s10.1.0.%d 10.1.0.%d", i > 1 ? " " : "", i, i);
	addrs_case(buf, (size_t)n, NULL);
	CHECK(!mmnet_xs_parse_addrs(buf, (size_t)n, &a, NULL, 0) && a.n == MMNET_XS_MAX_ADDRS,
	      "16 addresses, each twice");
	n += sprintf(buf + n, " 10.1.1.1");
	addrs_case(buf, (size_t)n, "more than 16 addresses");
	memset(buf, ' ', sizeof(buf));
	addrs_case(buf, MMNET_XS_ADDRS_LEN_MAX, NULL);
	addrs_case(buf, MMNET_XS_ADDRS_LEN_MAX + 1, "longer than 1024 bytes");
	memset(buf, 'x', 200);
	CHECK(mmnet_xs_parse_addrs(buf, 200, &a, why, sizeof(why)) && strlen(why) < sizeof(why) &&
	      strstr(why, "...\" is not"), "a long token is cut in the reason: %s", why);
	CHECK(mmnet_xs_parse_addrs("bogus", 5, &a, NULL, 0) == -EINVAL, "no reason buffer: still refused");
	SAY("parse_addrs: strict, unicast, deduplicated, at most 16 and 1024 bytes, the reason");
}

TEST(test_addrs_has)
{
	struct mmnet_xs_addrs l;
	struct mmnet_xs_addr a;

	if (mmnet_xs_parse_addrs("10.0.0.1 fd77::1", 16, &l, NULL, 0))
		CHECK(0, "parse");
	ref_addr("10.0.0.1", 8, &a);
	CHECK(mmnet_xs_addrs_has(&l, &a), "10.0.0.1");
	ref_addr("fd77::0:1", 9, &a);
	CHECK(mmnet_xs_addrs_has(&l, &a), "fd77::1 spelled otherwise");
	ref_addr("::a00:1", 7, &a);
	CHECK(!mmnet_xs_addrs_has(&l, &a), "the same bytes as IPv6");
	ref_addr("10.0.0.2", 8, &a);
	CHECK(!mmnet_xs_addrs_has(&l, &a), "10.0.0.2");
	SAY("addrs_has: family and bytes");
}

TEST(test_version)
{
	CHECK(mmnet_xs_version_ok("1", 1), "1");
	CHECK(!mmnet_xs_version_ok("2", 1) && !mmnet_xs_version_ok("", 0) && !mmnet_xs_version_ok("01", 2) &&
	      !mmnet_xs_version_ok("1\n", 2) && !mmnet_xs_version_ok("1 ", 2) && !mmnet_xs_version_ok("1\0", 2),
	      "others");
	SAY("version_ok: \"1\" and nothing else");
}

TEST(test_escape)
{
	static const struct { const char *s; size_t len, size; const char *want; } cases[] = {
		{ "a\"b\\c\x01\xff", 7, 64, "a\\x22b\\x5cc\\x01\\xff" }, { "abc\0def", 7, 64, "abc\\x00def" },
		{ "abcdefg", 7, 8, "abcdefg" }, { "abcdefgh", 8, 8, "abcd..." }, { "ab\x01\x02", 4, 8, "ab..." },
		{ "", 0, 8, "" }, { "abc", 3, 3, "" }, { "abc", 3, 4, "abc" }, { "abcd", 4, 4, "..." },
	};
	char buf[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(buf, '#', sizeof(buf));
		mmnet_xs_escape(cases[i].s, cases[i].len, buf, cases[i].size);
		CHECK(!strcmp(buf, cases[i].want), "case %u: \"%s\"", i, buf);
	}
	buf[0] = '#';
	mmnet_xs_escape("abc", 3, buf, 0);
	CHECK(buf[0] == '#', "size 0 writes nothing");
	SAY("escape: %zu cases", ARRAY_SIZE(cases) + 1);
}

int main(void)
{
	static void (*const tests[])(char *, size_t) = {
		test_u32,
		test_domid,
		test_gref_port,
		test_state,
		test_mode,
		test_rdv_rules,
		test_rdv_of,
		test_rdv_equal,
		test_path_peer,
		test_macs,
		test_ip_vs_inet_pton,
		test_unicast,
		test_addrs,
		test_addrs_has,
		test_version,
		test_escape,
	};
	char name[256];
	unsigned int i, failed = 0;

	printf("TAP version 13\n");
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		passing = true;
		snprintf(name, sizeof(name), "test %u", i + 1);
		tests[i](name, sizeof(name));
		failed += !passing;
		printf("%sok %u %s\n", passing ? "" : "not ", i + 1, name);
		fflush(stdout);
	}
	printf("1..%zu\n", ARRAY_SIZE(tests));
	printf("# %zu passed, %u failed\n", ARRAY_SIZE(tests) - failed, failed);
	return failed ? 1 : 0;
}
