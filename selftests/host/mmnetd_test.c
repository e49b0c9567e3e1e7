// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of mmnetd's protocol logic (tools/mmnetd/proto.c) without Xen: the xenstore paths, the nodes and
 * permissions of a pair, the validation of what guests write (addresses, MACs, versions, domids), the address
 * conflict rule, the classification of watch events and the rate limit.  Prints TAP; exit 0 iff all pass.
 *
 *   make -C tools/mmnetd check        (builds build/host/mmnetd_test and runs it)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "tap.h"


static void is_str(const char *got, const char *want, const char *what)
{
	ok(!strcmp(got, want), "%s: \"%s\"", what, want);
	if (strcmp(got, want))
		printf("#   got \"%s\"\n", got);
}

static void test_domids(void)
{
	static const struct { const char *s; int ok; unsigned int v; } cases[] = {
		{ "0", 1, 0 }, { "1", 1, 1 }, { "32751", 1, 32751 }, { "32752", 0, 0 }, { "65535", 0, 0 },
		{ "", 0, 0 }, { "01", 0, 0 }, { "-1", 0, 0 }, { "+1", 0, 0 }, { "1a", 0, 0 }, { " 1", 0, 0 },
		{ "123456", 0, 0 }, { "99999", 0, 0 },
	};
	unsigned int i, v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		v = 12345;
		r = mmnet_xs_parse_domid(cases[i].s, strlen(cases[i].s), &v);
		ok(cases[i].ok ? !r && v == cases[i].v : r == -EINVAL && v == 12345, "domid \"%s\" %s", cases[i].s,
		   cases[i].ok ? "accepted" : "refused");
	}
	ok(!mmnet_xs_parse_domid("12", 1, &v) && v == 1, "domid: only LEN bytes are looked at");
}

static void test_paths(void)
{
	char buf[MMNET_PATH_MAX], tiny[20];

	mmnet_path(buf, sizeof(buf), 5, "");
	is_str(buf, "/local/domain/5/data/mmnet", "mmnet_path");
	mmnet_path(buf, sizeof(buf), 5, "/version");
	is_str(buf, "/local/domain/5/data/mmnet/version", "mmnet_path version");
	mmnet_peer_path(buf, sizeof(buf), 3, 4, "/addrs");
	is_str(buf, "/local/domain/3/data/mmnet/peer/4/addrs", "mmnet_peer_path");
	mmnet_vif_path(buf, sizeof(buf), 7, "/0/mac");
	is_str(buf, "/local/domain/0/backend/vif/7/0/mac", "mmnet_vif_path");
	ok(mmnet_path(tiny, sizeof(tiny), 5, "/version") == -1, "a path that does not fit is refused");
	ok(mmnet_peer_path(buf, sizeof(buf), 32751, 32751, "/addrs") > 0, "the longest pair path fits MMNET_PATH_MAX");
}

static void test_pair(void)
{
	struct mmnet_node n[MMNET_PAIR_NODES];
	struct mmnet_perm p, want[2] = { { 1, MMNET_PERM_NONE }, { 2, MMNET_PERM_READ } };
	char buf[64];
	int r;

	r = mmnet_pair_nodes(1, 2, "02:00:00:00:00:02", "10.77.0.2 fd77::2", "copy", n);
	ok(r == 4, "a pair has four nodes in A's subtree");
	is_str(n[0].path, "/local/domain/1/data/mmnet/peer/2", "pair dir path");
	is_str(n[1].path, "/local/domain/1/data/mmnet/peer/2/mac", "pair mac path");
	is_str(n[2].path, "/local/domain/1/data/mmnet/peer/2/addrs", "pair addrs path");
	is_str(n[3].path, "/local/domain/1/data/mmnet/peer/2/mode", "pair mode path");
	mmnet_perms_format(n[0].perms, n[0].nperms, buf, sizeof(buf));
	is_str(buf, "n1 r2", "pair dir: owner A, B may read");
	mmnet_perms_format(n[1].perms, n[1].nperms, buf, sizeof(buf));
	is_str(buf, "n0 r1", "pair mac: owner dom0, A may read");
	mmnet_perms_format(n[2].perms, n[2].nperms, buf, sizeof(buf));
	is_str(buf, "n0 r1", "pair addrs: owner dom0, A may read");
	mmnet_perms_format(n[3].perms, n[3].nperms, buf, sizeof(buf));
	is_str(buf, "n0 r1", "pair mode: owner dom0, A may read");
	is_str(n[3].value, "copy", "pair mode value");
	is_str(n[1].value, "02:00:00:00:00:02", "pair mac value");
	is_str(n[2].value, "10.77.0.2 fd77::2", "pair addrs value");
	ok(n[0].perms[0].perm == MMNET_PERM_NONE && n[1].perms[0].perm == MMNET_PERM_NONE &&
	   n[2].perms[0].perm == MMNET_PERM_NONE && n[3].perms[0].perm == MMNET_PERM_NONE,
	   "no pair node is readable or writable by everyone");
	ok(mmnet_pair_nodes(1, 2, "02:00:00:00:00:02", NULL, "premap", n) == 4 && !n[MMNET_PAIR_ADDRS].value &&
	   !strcmp(n[MMNET_PAIR_MODE].value, "premap"),
	   "no attested address: the addrs node must not exist; mode premap");
	ok(mmnet_pair_nodes(1, 2, "", "", NULL, n) == -1, "a pair without a mode is refused");
	ok(mmnet_perms_equal(n[0].perms, 2, want, 2), "perms_equal: same");
	want[1].perm = MMNET_PERM_READ | MMNET_PERM_WRITE;
	ok(!mmnet_perms_equal(n[0].perms, 2, want, 2), "perms_equal: other bits");
	ok(!mmnet_perms_equal(n[0].perms, 2, want, 1), "perms_equal: other count");
	want[1] = (struct mmnet_perm){ 3, MMNET_PERM_READ };
	ok(!mmnet_perms_equal(n[0].perms, 2, want, 2), "perms_equal: other domain");
	ok(mmnet_pair_nodes(1, 1, "", "", "copy", n) == -1, "no pair of a guest with itself");
	ok(mmnet_pair_nodes(0, 2, "", "", "copy", n) == -1 && mmnet_pair_nodes(2, 0, "", "", "copy", n) == -1,
	   "dom0 is no guest");
	ok(mmnet_pair_nodes(1, MMNET_XS_DOMID_FIRST_RESERVED, "", "", "copy", n) == -1,
	   "reserved domids are no guests");
	mmnet_peers_dir_perms(9, &p);
	mmnet_perms_format(&p, 1, buf, sizeof(buf));
	is_str(buf, "n9", "data/mmnet/peer: A's alone");
	want[0] = (struct mmnet_perm){ 4, MMNET_PERM_WRITE };
	want[1] = (struct mmnet_perm){ 5, MMNET_PERM_READ | MMNET_PERM_WRITE };
	mmnet_perms_format(want, 2, buf, sizeof(buf));
	is_str(buf, "w4 b5", "perms_format: w and b");
}

static void addrs_case(const char *raw, const char *want)
{
	char why[256], out[MMNET_ADDRS_TEXT_MAX], in[256];
	struct mmnet_xs_addrs a;
	int r = mmnet_xs_parse_addrs(raw, strlen(raw), &a, why, sizeof(why));

	mmnet_xs_escape(raw, strlen(raw), in, sizeof(in));	/* TAP lines stay lines */

	if (want) {
		mmnet_addrs_format(&a, out, sizeof(out));
		ok(!r && !strcmp(out, want), "addrs \"%s\" -> \"%s\"", in, want);
		if (r || strcmp(out, want))
			printf("#   got %d \"%s\" (%s)\n", r, out, why);
	} else {
		ok(r == -EINVAL && why[0], "addrs \"%s\" refused (%s)", in, why);
	}
}

static void test_addrs(void)
{
	char long_in[2048], why[256], buf[MMNET_ADDRS_TEXT_MAX];
	struct mmnet_xs_addrs a;
	int i, n;

	addrs_case("10.77.0.1 fd77::1", "10.77.0.1 fd77::1");
	addrs_case("", "");
	addrs_case("   ", "");
	addrs_case("  10.0.0.1   10.0.0.2 ", "10.0.0.1 10.0.0.2");
	addrs_case("10.0.0.1 10.0.0.1", "10.0.0.1");
	addrs_case("FD77:0:0::0001", "fd77::1");
	addrs_case("fe80::1 169.254.1.1", "fe80::1 169.254.1.1");
	addrs_case("2001:db8::1 fd77::ffff:10.0.0.1", "2001:db8::1 fd77::ffff:a00:1");
	addrs_case("bogus", NULL);
	addrs_case("10.0.0.1 bogus", NULL);
	addrs_case("1.2.3", NULL);
	addrs_case("1.2.3.4/24", NULL);
	addrs_case("10.0.0.256", NULL);
	addrs_case("fe80::1%eth0", NULL);
	addrs_case("10.0.0.1\t10.0.0.2", NULL);
	addrs_case("10.0.0.1\n", NULL);
	addrs_case("0.0.0.0", NULL);
	addrs_case("0.1.2.3", NULL);
	addrs_case("127.0.0.1", NULL);
	addrs_case("224.0.0.1", NULL);
	addrs_case("240.0.0.1", NULL);
	addrs_case("255.255.255.255", NULL);
	addrs_case("::", NULL);
	addrs_case("::1", NULL);
	addrs_case("ff02::1", NULL);
	addrs_case("::ffff:10.0.0.1", NULL);
	addrs_case("1111:2222:3333:4444:5555:6666:7777:8888:9999", NULL);
	addrs_case("10.0.0.1 é", NULL);

	ok(mmnet_xs_parse_addrs("10.0.0.1\0 10.0.0.2", 18, &a, why, sizeof(why)) == -EINVAL, "addrs with a NUL refused (%s)",
	   why);
	ok(!mmnet_xs_parse_addrs("10.0.0.1 10.0.0.2", 8, &a, why, sizeof(why)) && a.n == 1, "addrs: only LEN bytes count");

	for (n = 0, i = 1; i <= MMNET_XS_MAX_ADDRS; i++)
		n += sprintf(long_in + n, "%s10.1.0.%d", i > 1 ? " " : "", i);
	ok(!mmnet_xs_parse_addrs(long_in, strlen(long_in), &a, why, sizeof(why)) && a.n == MMNET_XS_MAX_ADDRS,
	   "%d addresses accepted", MMNET_XS_MAX_ADDRS);
	sprintf(long_in + n, " 10.1.1.1");
	ok(mmnet_xs_parse_addrs(long_in, strlen(long_in), &a, why, sizeof(why)) == -EINVAL && a.n <= MMNET_XS_MAX_ADDRS,
	   "%d addresses refused (%s)", MMNET_XS_MAX_ADDRS + 1, why);
	/* The longest canonical text of 16 addresses fits. */
	for (n = 0, i = 1; i <= MMNET_XS_MAX_ADDRS; i++)
		n += sprintf(long_in + n, "%sfd77:1111:2222:3333:4444:5555:%x:7777", i > 1 ? " " : "", 0x6000 + i);
	ok(!mmnet_xs_parse_addrs(long_in, strlen(long_in), &a, why, sizeof(why)), "16 long IPv6 addresses accepted");
	mmnet_addrs_format(&a, buf, sizeof(buf));
	ok(!strcmp(buf, long_in), "and printed back whole");
	memset(long_in, ' ', MMNET_XS_ADDRS_LEN_MAX + 1);
	ok(mmnet_xs_parse_addrs(long_in, MMNET_XS_ADDRS_LEN_MAX, &a, why, sizeof(why)) == 0 && a.n == 0,
	   "%d spaces are an empty list", MMNET_XS_ADDRS_LEN_MAX);
	ok(mmnet_xs_parse_addrs(long_in, MMNET_XS_ADDRS_LEN_MAX + 1, &a, why, sizeof(why)) == -EINVAL,
	   "%d bytes refused (%s)", MMNET_XS_ADDRS_LEN_MAX + 1, why);
	ok(mmnet_xs_parse_addrs("bogus", 5, &a, NULL, 0) == -EINVAL, "no reason buffer: still refused");
}

static struct mmnet_xs_addrs addrs_of(const char *s)
{
	struct mmnet_xs_addrs a;

	if (mmnet_xs_parse_addrs(s, strlen(s), &a, NULL, 0))
		abort();
	return a;
}

static void test_resolve(void)
{
	struct mmnet_xs_addrs in[4] = { addrs_of("10.0.0.1 10.0.0.2 fd77::1"), addrs_of("10.0.0.2 10.0.0.3"),
				     addrs_of("10.0.0.4 fd77::1"), addrs_of("10.0.0.2") };
	const struct mmnet_xs_addrs *p[4] = { &in[0], &in[1], &in[2], &in[3] };
	struct mmnet_xs_addrs out[4];
	char buf[MMNET_ADDRS_TEXT_MAX];

	ok(!mmnet_addrs_resolve(p, out, 4), "resolve four guests");
	mmnet_addrs_format(&out[0], buf, sizeof(buf));
	is_str(buf, "10.0.0.1", "conflict: A keeps only what nobody else announces");
	mmnet_addrs_format(&out[1], buf, sizeof(buf));
	is_str(buf, "10.0.0.3", "conflict: B");
	mmnet_addrs_format(&out[2], buf, sizeof(buf));
	is_str(buf, "10.0.0.4", "conflict: C");
	mmnet_addrs_format(&out[3], buf, sizeof(buf));
	is_str(buf, "", "conflict: D loses its only address");
	ok(!mmnet_addrs_resolve(p, out, 1), "resolve one guest");
	mmnet_addrs_format(&out[0], buf, sizeof(buf));
	is_str(buf, "10.0.0.1 10.0.0.2 fd77::1", "no conflict with one guest");
	ok(!mmnet_addrs_resolve(p, out, 0), "no guests: nothing to do");
	ok(mmnet_xs_addrs_has(&in[0], &in[3].a[0]) && !mmnet_xs_addrs_has(&in[3], &in[0].a[0]), "addrs_has");
	ok(mmnet_addrs_equal(&in[3], &in[3]) && !mmnet_addrs_equal(&in[0], &in[1]), "addrs_equal");
}

/* Many guests, addresses drawn from a small pool (so many conflicts), against the obvious quadratic rule. */
static void test_resolve_many(void)
{
	enum { G = 254 };
	static struct mmnet_xs_addrs in[G], out[G];
	const struct mmnet_xs_addrs *p[G];
	unsigned int seed = 1, g, h, k, bad = 0;
	char text[64];

	for (g = 0; g < G; g++) {
		unsigned int want = g % (MMNET_XS_MAX_ADDRS + 1);

		memset(&in[g], 0, sizeof(in[g]));
		while (in[g].n < want) {
			struct mmnet_xs_addrs one;

			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) & 1)
				snprintf(text, sizeof(text), "10.%u.%u.1", g % 7, (seed >> 8) % 2000 / 8);
			else
				snprintf(text, sizeof(text), "fd77::%x:%x", g % 5, (seed >> 8) % 1500);
			one = addrs_of(text);
			if (!mmnet_xs_addrs_has(&in[g], &one.a[0]))
				in[g].a[in[g].n++] = one.a[0];
		}
		p[g] = &in[g];
	}
	ok(!mmnet_addrs_resolve(p, out, G), "resolve %d guests", G);
	for (g = 0; g < G; g++) {
		struct mmnet_xs_addrs want = { 0 };

		for (k = 0; k < in[g].n; k++) {
			int taken = 0;

			for (h = 0; h < G && !taken; h++)
				taken = h != g && mmnet_xs_addrs_has(&in[h], &in[g].a[k]);
			if (!taken)
				want.a[want.n++] = in[g].a[k];
		}
		bad += !mmnet_addrs_equal(&want, &out[g]);
	}
	for (g = 0, h = 0, k = 0; g < G; g++) {
		h += in[g].n;
		k += in[g].n - out[g].n;
	}
	ok(!bad && k > 100 && k < h, "resolve %d guests: as the quadratic rule (%u differ; %u of %u addresses contested)",
	   G, bad, k, h);
}

/* vifs: "IP|IP|..." with "-" for a vif without an ip node; WANT the attested text, "none" or NULL (bad). */
static void vif_ips_case(const char *vifs, const char *want)
{
	char copy[512], why[320] = "", out[MMNET_ADDRS_TEXT_MAX], *tok, *save;
	const char *ips[8];
	unsigned int lens[8], idx[8], n = 0;
	struct mmnet_xs_addrs a;
	int r;

	snprintf(copy, sizeof(copy), "%s", vifs);
	for (tok = strtok_r(copy, "|", &save); tok && n < 8; tok = strtok_r(NULL, "|", &save), n++) {
		ips[n] = strcmp(tok, "-") ? tok : NULL;
		lens[n] = ips[n] ? (unsigned int)strlen(tok) : 0;
		idx[n] = n;
	}
	r = mmnet_vif_ips(ips, lens, n, idx, &a, why, sizeof(why));
	mmnet_addrs_format(&a, out, sizeof(out));
	if (!want)
		ok(r == -1 && !a.n && why[0], "vif ips \"%s\" are garbage: connects to nothing (%s)", vifs, why);
	else if (!strcmp(want, "none"))
		ok(r == 0 && !a.n, "vif ips \"%s\": no ip node, no attested address", vifs);
	else
		ok(r == 1 && !strcmp(out, want), "vif ips \"%s\" attest \"%s\"", vifs, want);
	if (want && strcmp(want, "none") && strcmp(out, want))
		printf("#   got %d \"%s\" (%s)\n", r, out, why);
}

static void test_vif_ips(void)
{
	struct mmnet_xs_addrs a = addrs_of("10.0.0.1 10.0.0.2 fd77::1"), b = addrs_of("10.0.0.2 10.0.0.3"), d;
	char buf[MMNET_ADDRS_TEXT_MAX], many[1024];
	int i, n;

	vif_ips_case("10.77.0.1 fd77::1", "10.77.0.1 fd77::1");
	vif_ips_case("-", "none");
	vif_ips_case("-|-", "none");
	vif_ips_case("-|10.77.0.1", "10.77.0.1");
	vif_ips_case("10.77.0.1|fd77::1 10.77.0.1|FD77::0:2", "10.77.0.1 fd77::1 fd77::2");
	vif_ips_case(" ", "");	/* an empty ip node: attested, no address */
	vif_ips_case("10.77.0.1/24", NULL);
	vif_ips_case("10.77.0.1|garbage", NULL);
	vif_ips_case("10.77.0.1,10.77.0.2", NULL);
	vif_ips_case("224.0.0.1", NULL);
	for (n = 0, i = 1; i <= 10; i++)
		n += snprintf(many + n, sizeof(many) - n, "%s10.1.0.%d", i > 1 ? " " : "", i);
	n += snprintf(many + n, sizeof(many) - n, "|");
	for (i = 1; i <= 7; i++)
		n += snprintf(many + n, sizeof(many) - n, "%s10.2.0.%d", i > 1 ? " " : "", i);
	vif_ips_case(many, NULL);	/* 17 over two vifs */
	ok(mmnet_vif_ips(NULL, NULL, 0, NULL, &d, NULL, 0) == 0 && !d.n, "no vif: no attested address");

	d = a;
	ok(!mmnet_addrs_union(&d, &b), "union");
	mmnet_addrs_format(&d, buf, sizeof(buf));
	is_str(buf, "10.0.0.1 10.0.0.2 fd77::1 10.0.0.3", "union: in order, no duplicates");
	mmnet_addrs_minus(&a, &b, &d);
	mmnet_addrs_format(&d, buf, sizeof(buf));
	is_str(buf, "10.0.0.1 fd77::1", "minus: announced, not attested");
	mmnet_addrs_minus(&b, &b, &d);
	ok(!d.n, "minus itself: nothing");
}

static void mac_case(const char *raw, const char *want)
{
	unsigned char mac[6] = { 9, 9, 9, 9, 9, 9 };
	char buf[18], in[64];
	int r = mmnet_xs_parse_mac(raw, strlen(raw), mac);

	mmnet_xs_escape(raw, strlen(raw), in, sizeof(in));

	if (want) {
		mmnet_mac_format(mac, buf);
		ok(!r && !strcmp(buf, want), "mac \"%s\" -> %s", in, want);
	} else {
		ok(r == -EINVAL && mac[0] == 9, "mac \"%s\" refused", in);
	}
}

static void test_macs(void)
{
	mac_case("02:00:00:00:00:01", "02:00:00:00:00:01");
	mac_case("00:16:3E:AB:cd:EF", "00:16:3e:ab:cd:ef");
	mac_case("02:00:00:00:00", NULL);
	mac_case("02:00:00:00:00:01:", NULL);
	mac_case("02-00-00-00-00-01", NULL);
	mac_case("02:00:00:00:00:0g", NULL);
	mac_case("2:0:0:0:0:1", NULL);
	mac_case("02:00:00:00:00:01\n", NULL);
	mac_case("01:00:5e:00:00:01", NULL);
	mac_case("ff:ff:ff:ff:ff:ff", NULL);
	mac_case("00:00:00:00:00:00", NULL);
	mac_case("", NULL);
}

static void test_version(void)
{
	ok(mmnet_xs_version_ok("1", 1), "version \"1\" spoken");
	ok(!mmnet_xs_version_ok("2", 1) && !mmnet_xs_version_ok("", 0) && !mmnet_xs_version_ok("01", 2) &&
	   !mmnet_xs_version_ok("1\n", 2) && !mmnet_xs_version_ok("1 ", 2) && !mmnet_xs_version_ok("1\0", 2),
	   "other versions are not");
}

static void test_escape(void)
{
	char buf[64], small[8];

	mmnet_xs_escape("a\"b\\c\x01\xff", 7, buf, sizeof(buf));
	is_str(buf, "a\\x22b\\x5cc\\x01\\xff", "escape quotes, backslashes, control and high bytes");
	mmnet_xs_escape("abc\0def", 7, buf, sizeof(buf));
	is_str(buf, "abc\\x00def", "escape a NUL");
	mmnet_xs_escape("abcdefg", 7, small, sizeof(small));
	is_str(small, "abcdefg", "escape: fits exactly");
	mmnet_xs_escape("abcdefgh", 8, small, sizeof(small));
	is_str(small, "abcd...", "escape: cut with ...");
	mmnet_xs_escape("ab\x01\x02", 4, small, sizeof(small));
	is_str(small, "ab...", "escape: no half escapes");
	mmnet_xs_escape("", 0, small, sizeof(small));
	is_str(small, "", "escape: empty");
}

static void classify_case(const char *path, unsigned int domid, enum mmnet_event want, unsigned int want_peer)
{
	unsigned int peer = 99999;
	enum mmnet_event e = mmnet_classify(path, domid, &peer);
	static const char *const names[] = { "ignore", "state", "peers", "peer", "stray" };

	ok(e == want && (want < MMNET_EV_PEER || peer == want_peer), "event %s (domain %u): %s %u", path, domid,
	   names[want], want_peer);
	if (e != want)
		printf("#   got %s\n", names[e]);
}

static void test_classify(void)
{
	unsigned int d = 99;

	classify_case("/local/domain/5/data/mmnet", 5, MMNET_EV_STATE, 0);
	classify_case("/local/domain/5/data/mmnet/version", 5, MMNET_EV_STATE, 0);
	classify_case("/local/domain/5/data/mmnet/addrs", 5, MMNET_EV_STATE, 0);
	classify_case("/local/domain/5/data/mmnet/peer", 5, MMNET_EV_PEERS, 0);
	classify_case("/local/domain/5/data/mmnet/peer/7", 5, MMNET_EV_PEER, 7);
	classify_case("/local/domain/5/data/mmnet/peer/7/mac", 5, MMNET_EV_PEER, 7);
	classify_case("/local/domain/5/data/mmnet/peer/7/addrs", 5, MMNET_EV_PEER, 7);
	classify_case("/local/domain/5/data/mmnet/peer/7/mode", 5, MMNET_EV_PEER, 7);
	classify_case("/local/domain/5/data/mmnet/peer/7/ring-ref", 5, MMNET_EV_STRAY, 7);
	classify_case("/local/domain/5/data/mmnet/peer/7/mac/x", 5, MMNET_EV_STRAY, 7);
	classify_case("/local/domain/5/data/mmnet/peer/junk", 5, MMNET_EV_PEERS, 0);
	classify_case("/local/domain/5/data/mmnet/peer/07", 5, MMNET_EV_PEERS, 0);
	classify_case("/local/domain/5/data/mmnet/peer/junk/x", 5, MMNET_EV_PEERS, 0);
	classify_case("/local/domain/5/data/mmnet/peerx", 5, MMNET_EV_IGNORE, 0);
	classify_case("/local/domain/5/data/mmnet/other", 5, MMNET_EV_IGNORE, 0);
	classify_case("/local/domain/5/data/mmnet/version/x", 5, MMNET_EV_IGNORE, 0);
	classify_case("/local/domain/5/data/mmnetx", 5, MMNET_EV_IGNORE, 0);
	classify_case("/local/domain/5/data", 5, MMNET_EV_IGNORE, 0);
	classify_case("/local/domain/6/data/mmnet", 5, MMNET_EV_IGNORE, 0);
	classify_case("/local/domain/55/data/mmnet", 5, MMNET_EV_IGNORE, 0);
	classify_case("", 5, MMNET_EV_IGNORE, 0);

	ok(mmnet_classify_vif("/local/domain/0/backend/vif", &d) == 2, "vif: the whole backend");
	ok(mmnet_classify_vif("/local/domain/0/backend/vif/3", &d) == 1 && d == 3, "vif: a guest's vifs");
	ok(mmnet_classify_vif("/local/domain/0/backend/vif/3/0", &d) == 1 && d == 3, "vif: one vif");
	ok(mmnet_classify_vif("/local/domain/0/backend/vif/12/1/mac", &d) == 1 && d == 12, "vif: its mac");
	ok(mmnet_classify_vif("/local/domain/0/backend/vif/12/1/ip", &d) == 1 && d == 12, "vif: its ip");
	ok(mmnet_classify_vif("/local/domain/0/backend/vif/3/0/ip/x", &d) == 0, "vif: below ip does not count");
	ok(mmnet_classify_vif("/local/domain/0/backend/vif/3/0/state", &d) == 0, "vif: its state does not count");
	ok(mmnet_classify_vif("/local/domain/0/backend/vif/3/0/mac/x", &d) == 0, "vif: below mac does not count");
	ok(mmnet_classify_vif("/local/domain/0/backend/vif/x", &d) == 0, "vif: no domid");
	ok(mmnet_classify_vif("/local/domain/0/backend/vif/0", &d) == 0, "vif: dom0 is no guest");
	ok(mmnet_classify_vif("/local/domain/0/backend/vifx/3", &d) == 0, "vif: other backend");
	ok(mmnet_classify_vif("/local/domain/0/backend/vbd/3", &d) == 0, "vif: disks do not count");
}

static void test_rate(void)
{
	struct mmnet_rate r = { 0 };
	int i, n = 0;

	for (i = 0; i < 5; i++)
		n += mmnet_rate_take(&r, 1000, 3, 100);
	ok(n == 3, "rate: a burst of 3");
	ok(mmnet_rate_next(&r, 1000, 3, 100) == 1100, "rate: next token in 100 ms");
	ok(!mmnet_rate_take(&r, 1099, 3, 100), "rate: not before");
	ok(mmnet_rate_take(&r, 1100, 3, 100) && !mmnet_rate_take(&r, 1100, 3, 100), "rate: one at 100 ms");
	ok(mmnet_rate_next(&r, 1150, 3, 100) == 1200, "rate: next after half an interval");
	for (n = 0, i = 0; i < 10; i++)
		n += mmnet_rate_take(&r, 100000, 3, 100);
	ok(n == 3, "rate: a long pause refills the burst only");
	ok(mmnet_rate_next(&r, 100000, 3, 100) == 100100, "rate: then one every 100 ms");
	for (n = 0, i = 0; i < 100; i++)
		n += mmnet_rate_take(&r, 100000 + (uint64_t)i * 10, 3, 100);
	ok(n == 9 || n == 10, "rate: one per 100 ms under a flood (%d in 1 s)", n);
	ok(!mmnet_rate_take(&r, 50, 3, 100) || 1, "rate: a clock going backwards does not crash");
	r = (struct mmnet_rate){ 0 };
	ok(mmnet_rate_next(&r, 5, 1, 10000) == 5, "rate: a fresh bucket is full");
}

int main(void)
{
	printf("TAP version 13\n");
	test_domids();
	test_paths();
	test_pair();
	test_addrs();
	test_resolve();
	test_resolve_many();
	test_vif_ips();
	test_macs();
	test_version();
	test_escape();
	test_classify();
	test_rate();
	return tap_end();
}
