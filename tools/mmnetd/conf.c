// SPDX-License-Identifier: GPL-2.0
/*
 * mmnetd.conf(5): the trust groups, parsed and asked by pure functions (see conf.h).  No I/O, no global
 * state: tested on the host by selftests/host/conf_test.c, fuzzed by selftests/host/conf_fuzz.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "xenproto.h"

/* ---- errors ---- */

struct errs {
	const char *file;
	char *buf;
	size_t size, used;
	int n;
};

static void __attribute__((format(printf, 3, 4))) error(struct errs *e, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int k;

	e->n++;
	if (!e->size || e->n > MMNET_CONF_ERRORS_MAX + 1)
		return;
	if (e->n == MMNET_CONF_ERRORS_MAX + 1) {
		k = snprintf(e->buf + e->used, e->size - e->used, "%s%s: too many errors", e->used ? "\n" : "",
			     e->file);
	} else {
		k = snprintf(e->buf + e->used, e->size - e->used, "%s%s:%u: ", e->used ? "\n" : "", e->file, line);
		if (k >= 0 && (size_t)k < e->size - e->used) {
			e->used += (size_t)k;
			va_start(ap, fmt);
			k = vsnprintf(e->buf + e->used, e->size - e->used, fmt, ap);
			va_end(ap);
		}
	}
	if (k < 0 || (size_t)k >= e->size - e->used)
		e->used = e->size - 1;	/* cut: nothing more fits */
	else
		e->used += (size_t)k;
}

/* A token as a message shows it: quoted bytes that are not printable ASCII as \xNN, cut if long. */
static const char *shown(const char *s, size_t len, char *buf, size_t size)
{
	mmnet_xs_escape(s, len, buf, size);
	return buf;
}

/* ---- names ---- */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-';
}

static bool name_ok(const char *s, size_t len, size_t max)
{
	size_t i;

	if (!len || len > max || s[0] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

bool mmnet_conf_domain_ok(const char *name, size_t len)
{
	return name_ok(name, len, MMNET_CONF_DOMAIN_MAX);
}

const char *mmnet_mode_name(enum mmnet_mode mode)
{
	switch (mode) {
	case MMNET_MODE_COPY:
		return "copy";
	case MMNET_MODE_PREMAP:
		return "premap";
	default:
		return NULL;
	}
}

/* ---- parsing ---- */

struct token {
	const char *s;
	size_t len;
};

/* The next token of [*P, END) (separated by blanks), or false at the end. */
static bool next_token(const char **p, const char *end, struct token *t)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return false;
	t->s = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	t->len = (size_t)(s - t->s);
	*p = s;
	return true;
}

static bool token_is(const struct token *t, const char *word)
{
	return t->len == strlen(word) && !memcmp(t->s, word, t->len);
}

static struct mmnet_group *find_group(const struct mmnet_conf *c, const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (strlen(c->groups[i].name) == len && !memcmp(c->groups[i].name, name, len))
			return &c->groups[i];
	return NULL;
}

static bool group_has(const struct mmnet_group *g, const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < g->n; i++)
		if (strlen(g->members[i]) == len && !memcmp(g->members[i], name, len))
			return true;
	return false;
}

/* The domains of a group line, from P on, into G; errors counted in E.  -1 if out of memory. */
static int parse_members(const char *p, const char *end, struct mmnet_group *g, unsigned int line,
			 struct errs *e)
{
	char a[80], b[80];
	struct token t;
	bool too_many = false;

	while (next_token(&p, end, &t)) {
		if (t.len > MMNET_CONF_DOMAIN_MAX) {
			error(e, line, "domain name \"%s\" is longer than %d bytes", shown(t.s, t.len, a, sizeof(a)),
			      MMNET_CONF_DOMAIN_MAX);
			continue;
		}
		if (!mmnet_conf_domain_ok(t.s, t.len)) {
			error(e, line, "\"%s\" is no domain name (letters, digits, '.', '_', '-'; no leading '-')",
			      shown(t.s, t.len, a, sizeof(a)));
			continue;
		}
		if (group_has(g, t.s, t.len)) {
			error(e, line, "domain \"%s\" is named twice in group \"%s\"", shown(t.s, t.len, a, sizeof(a)),
			      shown(g->name, strlen(g->name), b, sizeof(b)));
			continue;
		}
		if (g->n == MMNET_CONF_MEMBERS_MAX) {
			if (!too_many)
				error(e, line, "group \"%s\" has more than %d domains", g->name, MMNET_CONF_MEMBERS_MAX);
			too_many = true;
			continue;
		}
		if (!(g->n & (g->n - 1)) || !g->n) {
			void *m = realloc(g->members, (g->n ? 2 * g->n : 4) * sizeof(*g->members));

			if (!m)
				return -1;
			g->members = m;
		}
		memcpy(g->members[g->n], t.s, t.len);
		g->members[g->n++][t.len] = '\0';
	}
	return 0;
}

/* One line without its newline and comment.  -1 if out of memory. */
static int parse_line(const char *p, const char *end, unsigned int line, struct mmnet_conf *c, struct errs *e)
{
	struct token kw, name, mode;
	struct mmnet_group *g, *dup;
	char a[80];
	int errors = e->n;

	if (!next_token(&p, end, &kw))
		return 0;
	if (!token_is(&kw, "group")) {
		error(e, line, "unknown keyword \"%s\" (a line is \"group NAME MODE DOMAIN...\")",
		      shown(kw.s, kw.len, a, sizeof(a)));
		return 0;
	}
	if (!next_token(&p, end, &name)) {
		error(e, line, "group without a name (\"group NAME MODE DOMAIN...\")");
		return 0;
	}
	if (name.len > MMNET_CONF_GROUP_MAX) {
		error(e, line, "group name \"%s\" is longer than %d bytes", shown(name.s, name.len, a, sizeof(a)),
		      MMNET_CONF_GROUP_MAX);
		return 0;
	}
	if (!name_ok(name.s, name.len, MMNET_CONF_GROUP_MAX)) {
		error(e, line, "\"%s\" is no group name (letters, digits, '.', '_', '-'; no leading '-')",
		      shown(name.s, name.len, a, sizeof(a)));
		return 0;
	}
	dup = find_group(c, name.s, name.len);
	if (dup) {
		error(e, line, "group \"%s\" is defined twice (first on line %u)", dup->name, dup->line);
		return 0;
	}
	if (c->n == MMNET_CONF_GROUPS_MAX) {
		error(e, line, "more than %d groups", MMNET_CONF_GROUPS_MAX);
		return 0;
	}
	if (!(c->n & (c->n - 1)) || !c->n) {
		void *n = realloc(c->groups, (c->n ? 2 * c->n : 4) * sizeof(*c->groups));

		if (!n)
			return -1;
		c->groups = n;
	}
	g = &c->groups[c->n++];
	memset(g, 0, sizeof(*g));
	memcpy(g->name, name.s, name.len);
	g->line = line;
	if (!next_token(&p, end, &mode)) {
		error(e, line, "group \"%s\" has no mode (copy or premap)", g->name);
		return 0;
	}
	if (token_is(&mode, "copy")) {
		g->mode = MMNET_MODE_COPY;
	} else if (token_is(&mode, "premap")) {
		g->mode = MMNET_MODE_PREMAP;
	} else {
		error(e, line, "unknown mode \"%s\" of group \"%s\" (copy or premap)",
		      shown(mode.s, mode.len, a, sizeof(a)), g->name);
		return 0;
	}
	if (parse_members(p, end, g, line, e))
		return -1;
	if (g->n < 2 && e->n == errors)
		error(e, line, "group \"%s\" has %s: a group connects two domains or more", g->name,
		      g->n ? "one domain" : "no domain");
	return 0;
}

void mmnet_conf_free(struct mmnet_conf *conf)
{
	unsigned int i;

	for (i = 0; i < conf->n; i++)
		free(conf->groups[i].members);
	free(conf->groups);
	conf->groups = NULL;
	conf->n = 0;
}

int mmnet_conf_parse(const char *text, size_t len, const char *file, struct mmnet_conf *conf, char *errs,
		     size_t errsize)
{
	struct errs e = { .file = file, .buf = errs, .size = errsize };
	const char *p = text, *end = text + len;
	unsigned int line = 0;

	memset(conf, 0, sizeof(*conf));
	if (errsize)
		errs[0] = '\0';
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *stop, *nul;

		if (!eol)
			eol = end;
		line++;
		stop = memchr(p, '#', (size_t)(eol - p));
		nul = memchr(p, '\0', (size_t)(eol - p));
		if (nul) {
			error(&e, line, "a NUL byte (column %zu): not a text file", (size_t)(nul - p) + 1);
		} else if ((size_t)(eol - p) > MMNET_CONF_LINE_MAX) {
			error(&e, line, "line longer than %d bytes", MMNET_CONF_LINE_MAX);
		} else if (parse_line(p, stop ? stop : eol, line, conf, &e)) {
			mmnet_conf_free(conf);
			return -1;
		}
		p = eol + (eol < end);
	}
	if (e.n)
		mmnet_conf_free(conf);
	return e.n;
}

/* ---- questions ---- */

enum mmnet_mode mmnet_conf_pair_mode(const struct mmnet_conf *conf, const char *a, const char *b)
{
	enum mmnet_mode mode = MMNET_MODE_NONE;
	unsigned int i;

	if (!strcmp(a, b))
		return MMNET_MODE_NONE;
	for (i = 0; i < conf->n; i++) {
		const struct mmnet_group *g = &conf->groups[i];

		if (!group_has(g, a, strlen(a)) || !group_has(g, b, strlen(b)))
			continue;
		if (mode == MMNET_MODE_NONE || g->mode < mode)
			mode = g->mode;
	}
	return mode;
}

bool mmnet_conf_has(const struct mmnet_conf *conf, const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->n; i++)
		if (group_has(&conf->groups[i], name, strlen(name)))
			return true;
	return false;
}

/* Whether the pair (A, B) is in a group before group G: then it was listed already. */
static bool listed_before(const struct mmnet_conf *conf, unsigned int g, const char *a, const char *b)
{
	unsigned int i;

	for (i = 0; i < g; i++)
		if (group_has(&conf->groups[i], a, strlen(a)) && group_has(&conf->groups[i], b, strlen(b)))
			return true;
	return false;
}

int mmnet_conf_pairs(const struct mmnet_conf *conf,
		     int (*fn)(const char *a, const char *b, enum mmnet_mode mode, void *arg), void *arg)
{
	unsigned int g, i, j;
	int r;

	for (g = 0; g < conf->n; g++) {
		const struct mmnet_group *gr = &conf->groups[g];

		for (i = 0; i < gr->n; i++) {
			for (j = i + 1; j < gr->n; j++) {
				const char *a = gr->members[i], *b = gr->members[j];

				if (listed_before(conf, g, a, b))
					continue;
				r = fn(a, b, mmnet_conf_pair_mode(conf, a, b), arg);
				if (r)
					return r;
			}
		}
	}
	return 0;
}
