// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of mmnetd.conf(5)'s parser and the pair rule (tools/mmnetd/conf.c): every error class with its
 * line, comments and blanks, least privilege over shared groups, the pairs listed once.  Prints TAP; exit 0
 * iff all pass.
 *
 *   make -C tools/mmnetd check        (builds build/host/conf_test and runs it)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "tap.h"


static char errs[8192];

static int parse(const char *text, size_t len, struct mmnet_conf *c)
{
	return mmnet_conf_parse(text, len, "t.conf", c, errs, sizeof(errs));
}

/* TEXT must be refused with exactly one error, on "t.conf:LINE: ", containing WHAT. */
static void bad(const char *what, const char *text, size_t len, unsigned int line, const char *want)
{
	struct mmnet_conf c;
	char prefix[32];
	int n = parse(text, len, &c);

	snprintf(prefix, sizeof(prefix), "t.conf:%u: ", line);
	ok(n == 1 && !strncmp(errs, prefix, strlen(prefix)) && strstr(errs, want) && !strchr(errs, '\n') && !c.n,
	   "%s: refused on line %u", what, line);
	if (n != 1 || strncmp(errs, prefix, strlen(prefix)) || !strstr(errs, want))
		printf("#   got %d: %s\n", n, errs);
}

#define BAD(what, text, line, want) bad(what, text, sizeof(text) - 1, line, want)

static void test_errors(void)
{
	char big[MMNET_CONF_LINE_MAX + 64];
	char name[MMNET_CONF_DOMAIN_MAX + 2];

	BAD("unknown keyword", "# c\nfoo a copy x y\n", 2, "unknown keyword \"foo\"");
	BAD("keyword is case-sensitive", "Group a copy x y\n", 1, "unknown keyword \"Group\"");
	BAD("group without a name", "\n\ngroup\n", 3, "group without a name");
	BAD("group with only a comment after it", "group # x\n", 1, "group without a name");
	BAD("bad group name", "group a/b copy x y\n", 1, "\"a/b\" is no group name");
	BAD("group name with a leading dash", "group -a copy x y\n", 1, "\"-a\" is no group name");
	BAD("overlong group name", "group aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa copy x y\n", 1, "longer than 32 bytes");
	BAD("duplicate group", "group a copy x y\ngroup b copy x z\ngroup a premap y z\n", 3,
	    "group \"a\" is defined twice (first on line 1)");
	BAD("no mode", "group a\n", 1, "group \"a\" has no mode");
	BAD("unknown mode", "group a share x y\n", 1, "unknown mode \"share\"");
	BAD("mode is case-sensitive", "group a COPY x y\n", 1, "unknown mode \"COPY\"");
	BAD("no domain", "group a copy\n", 1, "has no domain");
	BAD("one domain", "group a copy x # y\n", 1, "has one domain");
	BAD("domain twice in a group", "group a copy x y x\n", 1, "domain \"x\" is named twice in group \"a\"");
	BAD("bad domain name", "group a copy x y:z\n", 1, "\"y:z\" is no domain name");
	BAD("domain name with a leading dash", "group a copy x -y\n", 1, "\"-y\" is no domain name");
	BAD("a carriage return", "group a copy x y\r\n", 1, "\"y\\x0d\" is no domain name");
	BAD("non-ASCII domain name", "group a copy x \xc3\xa9\n", 1, "\"\\xc3\\xa9\" is no domain name");
	BAD("NUL byte", "group a copy x y\n\ngroup b copy x\0y z\n", 3, "a NUL byte (column 15)");
	BAD("NUL byte in a comment", "# a\0b\n", 1, "a NUL byte");

	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(big, sizeof(big), "group a copy x %s\n", name);
	bad("overlong domain name", big, strlen(big), 1, "is longer than 64 bytes");
	name[MMNET_CONF_DOMAIN_MAX] = '\0';
	snprintf(big, sizeof(big), "group a copy x %s\n", name);
	{
		struct mmnet_conf c;

		ok(!parse(big, strlen(big), &c) && c.n == 1 && strlen(c.groups[0].members[1]) == 64,
		   "a 64-byte domain name is accepted");
		mmnet_conf_free(&c);
	}
	memset(big, ' ', sizeof(big));
	memcpy(big, "\n#", 2);
	big[MMNET_CONF_LINE_MAX + 2] = '\n';
	bad("overlong line", big, MMNET_CONF_LINE_MAX + 3, 2, "line longer than 4096 bytes");
	{
		struct mmnet_conf c;

		ok(!parse(big, MMNET_CONF_LINE_MAX + 1, &c) && !c.n, "a line of exactly 4096 bytes is accepted");
	}
}

static void test_many_errors(void)
{
	struct mmnet_conf c;
	char text[4096] = "";
	unsigned int i, lines = 0;
	int n;
	const char *p;

	n = parse("group a copy x\nfoo\ngroup a copy y z\ngroup b bogus x y\n", 53, &c);
	ok(n == 4, "every error is reported, not only the first (%d)", n);
	ok(!strncmp(errs, "t.conf:1: ", 10) && strstr(errs, "\nt.conf:2: ") && strstr(errs, "\nt.conf:3: ") &&
	   strstr(errs, "\nt.conf:4: "), "one line per error, in order");
	ok(!c.n && !c.groups, "an invalid file gives no groups");
	for (i = 0; i < 30; i++)
		strcat(text, "bogus\n");
	n = parse(text, strlen(text), &c);
	for (p = errs; (p = strchr(p, '\n')); p++)
		lines++;
	ok(n == 30 && lines == MMNET_CONF_ERRORS_MAX && strstr(errs, "t.conf: too many errors"),
	   "30 errors: %d reported, then \"too many errors\"", MMNET_CONF_ERRORS_MAX);
	n = mmnet_conf_parse("bogus\n", 6, "t.conf", &c, NULL, 0);
	ok(n == 1, "no error buffer: still counted");
}

static void test_good(void)
{
	static const char text[] =
		"# trust groups\n"
		"\n"
		"   \t\n"
		"group web copy g1 g2 g3   # the front ends\n"
		"group\tdb\tpremap\tg2\tg4\n"
		"group fast premap g1 g2\n"
		"group solo-pair.1 premap g5 g6#no blank before the comment\n";
	struct mmnet_conf c;
	int n = parse(text, sizeof(text) - 1, &c);

	ok(n == 0 && c.n == 4, "comments, blanks and tabs: 4 groups");
	if (n)
		printf("#   %s\n", errs);
	if (c.n != 4)
		return;
	ok(!strcmp(c.groups[0].name, "web") && c.groups[0].mode == MMNET_MODE_COPY && c.groups[0].n == 3 &&
	   c.groups[0].line == 4 && !strcmp(c.groups[0].members[2], "g3"), "group web: copy, g1 g2 g3, line 4");
	ok(c.groups[1].mode == MMNET_MODE_PREMAP && c.groups[1].n == 2, "group db: premap, 2 domains");
	ok(c.groups[3].n == 2 && !strcmp(c.groups[3].members[1], "g6"), "a comment right after a name ends it");

	ok(mmnet_conf_pair_mode(&c, "g1", "g3") == MMNET_MODE_COPY, "g1-g3 share web: copy");
	ok(mmnet_conf_pair_mode(&c, "g3", "g1") == MMNET_MODE_COPY, "the mode is symmetric");
	ok(mmnet_conf_pair_mode(&c, "g1", "g2") == MMNET_MODE_COPY,
	   "g1-g2 share web (copy) and fast (premap): copy, the least privilege");
	ok(mmnet_conf_pair_mode(&c, "g2", "g4") == MMNET_MODE_PREMAP, "g2-g4 share only db: premap");
	ok(mmnet_conf_pair_mode(&c, "g1", "g4") == MMNET_MODE_NONE, "g1-g4 share no group: no pair");
	ok(mmnet_conf_pair_mode(&c, "g3", "g4") == MMNET_MODE_NONE, "g3-g4: no pair");
	ok(mmnet_conf_pair_mode(&c, "g1", "g1") == MMNET_MODE_NONE, "no pair of a domain with itself");
	ok(mmnet_conf_pair_mode(&c, "g1", "nobody") == MMNET_MODE_NONE, "a domain in no group: no pair");
	ok(mmnet_conf_has(&c, "g4") && mmnet_conf_has(&c, "g6") && !mmnet_conf_has(&c, "g7") &&
	   !mmnet_conf_has(&c, "G1"), "who is in a group (names are case-sensitive)");
	mmnet_conf_free(&c);
	ok(!c.n && !c.groups, "free empties it");

	ok(!parse("", 0, &c) && !c.n, "an empty file: no groups");
	ok(!parse("group a copy x y", 16, &c) && c.n == 1, "no newline at the end");
	mmnet_conf_free(&c);
	ok(!strcmp(mmnet_mode_name(MMNET_MODE_COPY), "copy") && !strcmp(mmnet_mode_name(MMNET_MODE_PREMAP), "premap") &&
	   !mmnet_mode_name(MMNET_MODE_NONE), "mode names");
}

struct collect {
	char text[512];
	unsigned int n;
};

static int collect(const char *a, const char *b, enum mmnet_mode mode, void *arg)
{
	struct collect *c = arg;
	size_t used = strlen(c->text);

	snprintf(c->text + used, sizeof(c->text) - used, "%s%s-%s:%s", c->n++ ? " " : "", a, b,
		 mmnet_mode_name(mode));
	return 0;
}

static int stop_at_two(const char *a, const char *b, enum mmnet_mode mode, void *arg)
{
	(void)a, (void)b, (void)mode;
	return ++*(int *)arg == 2 ? 7 : 0;
}

static void test_pairs(void)
{
	static const char text[] = "group a premap g1 g2 g3\ngroup b copy g2 g3 g4\ngroup c premap g3 g1\n";
	struct collect col = { "", 0 };
	struct mmnet_conf c;
	int calls = 0;

	ok(!parse(text, sizeof(text) - 1, &c), "three overlapping groups");
	mmnet_conf_pairs(&c, collect, &col);
	ok(!strcmp(col.text, "g1-g2:premap g1-g3:premap g2-g3:copy g2-g4:copy g3-g4:copy"),
	   "every pair once, with its least-privilege mode");
	if (strcmp(col.text, "g1-g2:premap g1-g3:premap g2-g3:copy g2-g4:copy g3-g4:copy"))
		printf("#   got %s\n", col.text);
	ok(mmnet_conf_pairs(&c, stop_at_two, &calls) == 7 && calls == 2, "a callback's non-zero ends the walk");
	mmnet_conf_free(&c);
}

static void test_domain_names(void)
{
	ok(mmnet_conf_domain_ok("g1", 2) && mmnet_conf_domain_ok("Web_01.prod-a", 13), "good domain names");
	ok(!mmnet_conf_domain_ok("", 0) && !mmnet_conf_domain_ok("-x", 2) && !mmnet_conf_domain_ok("a b", 3) &&
	   !mmnet_conf_domain_ok("a\nb", 3) && !mmnet_conf_domain_ok("a\0b", 3) && !mmnet_conf_domain_ok("g1--incoming/", 13),
	   "bad domain names");
	ok(mmnet_conf_domain_ok("g12", 2), "only LEN bytes count: \"g1\"");
}

int main(void)
{
	printf("TAP version 13\n");
	test_errors();
	test_many_errors();
	test_good();
	test_pairs();
	test_domain_names();
	return tap_end();
}
