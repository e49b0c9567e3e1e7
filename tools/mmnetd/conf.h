/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmnetd's configuration, /etc/mmnet/mmnetd.conf (mmnetd.conf(5)): trust groups of domains named by their
 * toolstack name.  Two guests connect only if they share a group; the mode of a pair is the least privilege
 * of the groups they share.  Pure functions: parsing from a buffer, the questions mmnetd asks of a parsed
 * file; no I/O, so all of it is tested on the host (selftests/host/conf_test.c) and fuzzed
 * (selftests/host/conf_fuzz.c).
 */
#ifndef MMNETD_CONF_H
#define MMNETD_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define MMNET_CONF_LINE_MAX	4096	/* bytes of a line, without its newline */
#define MMNET_CONF_GROUP_MAX	32	/* bytes of a group name */
#define MMNET_CONF_DOMAIN_MAX	64	/* bytes of a domain name */
#define MMNET_CONF_GROUPS_MAX	1024	/* groups in a file */
#define MMNET_CONF_MEMBERS_MAX	256	/* domains in a group */
#define MMNET_CONF_ERRORS_MAX	20	/* errors reported for one file; then "too many errors" */

/* Modes, weakest privilege first: the mode of a pair is the minimum over the groups it shares. */
enum mmnet_mode {
	MMNET_MODE_NONE,	/* no shared group: no pair */
	MMNET_MODE_COPY,	/* the copying channel */
	MMNET_MODE_PREMAP,	/* each guest's memory mapped read-only in the other (the premap issue) */
};

struct mmnet_group {
	char name[MMNET_CONF_GROUP_MAX + 1];
	enum mmnet_mode mode;
	unsigned int line;		/* where it was defined */
	unsigned int n;			/* members */
	char (*members)[MMNET_CONF_DOMAIN_MAX + 1];
};

struct mmnet_conf {
	unsigned int n;
	struct mmnet_group *groups;
};

/*
 * Parse the LEN bytes of TEXT, the contents of the file FILE (named in the messages), into *CONF.  Every
 * error is one line "FILE:LINE: what is wrong" in ERRS (NUL-terminated, lines separated by '\n', cut at
 * ERRSIZE; at most MMNET_CONF_ERRORS_MAX of them).  Returns the number of errors: 0 and a configuration to
 * free with mmnet_conf_free(), or more and an empty *CONF.  -1 if out of memory.
 */
int mmnet_conf_parse(const char *text, size_t len, const char *file, struct mmnet_conf *conf, char *errs,
		     size_t errsize);
void mmnet_conf_free(struct mmnet_conf *conf);

/* Whether NAME (LEN bytes) may be a domain name in the file: 1 to MMNET_CONF_DOMAIN_MAX of [A-Za-z0-9._-],
 * not starting with '-'.  mmnetd refuses other names in xenstore too. */
bool mmnet_conf_domain_ok(const char *name, size_t len);

/* The mode of the pair of domains named A and B (A != B): MMNET_MODE_NONE unless they share a group, else
 * copy if any group they share says copy, premap only if all of them say premap. */
enum mmnet_mode mmnet_conf_pair_mode(const struct mmnet_conf *conf, const char *a, const char *b);

/* Whether domain NAME is in any group. */
bool mmnet_conf_has(const struct mmnet_conf *conf, const char *name);

/* "copy", "premap" (NULL for MMNET_MODE_NONE). */
const char *mmnet_mode_name(enum mmnet_mode mode);

/*
 * The pairs of the file, each once (in the order of first appearance: group by group, member by member):
 * for every pair, FN(A, B, MODE, ARG) with its least-privilege mode.  Stops and returns what FN returned if
 * that is not 0.
 */
int mmnet_conf_pairs(const struct mmnet_conf *conf,
		     int (*fn)(const char *a, const char *b, enum mmnet_mode mode, void *arg), void *arg);

#endif
