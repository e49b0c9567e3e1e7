// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for tools/mmnetd/conf.c: any bytes as a configuration file.  Checked: no bad access
 * (ASan, UBSan); a file is either refused with one "t.conf:LINE: " or "t.conf: " line per reported error,
 * or gives groups that obey every rule of mmnetd.conf(5) (valid unique names, a known mode, two domains or
 * more, none twice); the pair mode is symmetric, the least privilege of the shared groups, and none for a
 * domain with itself.
 *
 *   conf_fuzz -max_total_time=10 -max_len=8192 CORPUS_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "conf_fuzz: broken: %s\n", #cond); \
	__builtin_trap(); } } while (0)

static bool in_group(const struct mmnet_group *g, const char *name)
{
	unsigned int i;

	for (i = 0; i < g->n; i++)
		if (!strcmp(g->members[i], name))
			return true;
	return false;
}

static void check_groups(const struct mmnet_conf *c)
{
	unsigned int i, j, k, l;

	for (i = 0; i < c->n; i++) {
		const struct mmnet_group *g = &c->groups[i];

		CHECK(g->mode == MMNET_MODE_COPY || g->mode == MMNET_MODE_PREMAP);
		CHECK(g->n >= 2 && g->n <= MMNET_CONF_MEMBERS_MAX);
		CHECK(g->name[0] && strlen(g->name) <= MMNET_CONF_GROUP_MAX);
		for (j = 0; j < i; j++)
			CHECK(strcmp(g->name, c->groups[j].name));
		for (k = 0; k < g->n; k++) {
			CHECK(mmnet_conf_domain_ok(g->members[k], strlen(g->members[k])));
			CHECK(mmnet_conf_has(c, g->members[k]));
			for (l = 0; l < k; l++)
				CHECK(strcmp(g->members[k], g->members[l]));
		}
	}
	/* The pair rule, against its definition, for the first members of the first groups. */
	for (i = 0; i < c->n && i < 4; i++) {
		for (k = 0; k < c->groups[i].n && k < 4; k++) {
			for (j = 0; j < c->n && j < 4; j++) {
				for (l = 0; l < c->groups[j].n && l < 4; l++) {
					const char *a = c->groups[i].members[k], *b = c->groups[j].members[l];
					enum mmnet_mode m = mmnet_conf_pair_mode(c, a, b), want = MMNET_MODE_NONE;
					unsigned int g;

					for (g = 0; g < c->n && strcmp(a, b); g++)
						if (in_group(&c->groups[g], a) && in_group(&c->groups[g], b) &&
						    (want == MMNET_MODE_NONE || c->groups[g].mode < want))
							want = c->groups[g].mode;
					CHECK(m == want);
					CHECK(m == mmnet_conf_pair_mode(c, b, a));
				}
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char errs[16384];
	struct mmnet_conf c;
	const char *p;
	int n;

	n = mmnet_conf_parse((const char *)data, size, "t.conf", &c, errs, sizeof(errs));
	CHECK(n >= 0);
	if (n) {
		CHECK(!c.n && !c.groups);
		for (p = errs; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
			CHECK(!strncmp(p, "t.conf:", 7));
		return 0;
	}
	CHECK(!errs[0]);
	check_groups(&c);
	mmnet_conf_free(&c);
	return 0;
}
