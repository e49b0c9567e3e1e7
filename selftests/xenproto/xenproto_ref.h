/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kernel/transport/xenproto.c must agree with, written from libc and
 * docs/xenstore.md rather than from xenproto.c: the unit test and the fuzzer
 * both check against it.
 */
#ifndef MMNET_XENPROTO_REF_H
#define MMNET_XENPROTO_REF_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "xenproto.h"

/* LEN bytes as a C string (NUL-free callers only); free() it. */
static inline char *ref_cstr(const char *s, size_t len)
{
	char *c = malloc(len + 1);

	if (!c)
		abort();
	memcpy(c, s, len);
	c[len] = '\0';
	return c;
}

/* One token as glibc's inet_pton() reads it, AF_INET first: 0, or -1. */
static inline int ref_addr(const char *s, size_t len, struct mmnet_xs_addr *out)
{
	char *tok = ref_cstr(s, len);
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (memchr(s, '\0', len))
		ret = -1;	/* inet_pton would see a shorter string */
	else if (inet_pton(AF_INET, tok, out->bytes) == 1)
		out->family = MMNET_XS_INET;
	else if (inet_pton(AF_INET6, tok, out->bytes) == 1)
		out->family = MMNET_XS_INET6;
	else
		ret = -1;
	free(tok);
	return ret;
}

/* docs/xenstore.md's unicast rule, by libc's macros. */
static inline bool ref_unicast(const struct mmnet_xs_addr *a)
{
	struct in6_addr a6;
	uint32_t h;

	if (a->family == MMNET_XS_INET) {
		memcpy(&h, a->bytes, 4);
		h = ntohl(h);
		return h >> 24 != 0 && h >> 24 != IN_LOOPBACKNET &&
		       !IN_MULTICAST(h) && !IN_BADCLASS(h);
	}
	memcpy(&a6, a->bytes, 16);
	return !IN6_IS_ADDR_UNSPECIFIED(&a6) && !IN6_IS_ADDR_LOOPBACK(&a6) &&
	       !IN6_IS_ADDR_MULTICAST(&a6) && !IN6_IS_ADDR_V4MAPPED(&a6);
}

/* Why a value is garbage, by the first words of mmnet_xs_parse_addrs()'s reason. */
enum ref_why { REF_OK, REF_LONG, REF_BYTE, REF_NOT_ADDR, REF_NOT_UNICAST, REF_TOO_MANY };

static inline enum ref_why ref_why_of(const char *why)
{
	if (!strncmp(why, "longer than ", 12))
		return REF_LONG;
	if (!strncmp(why, "byte ", 5))
		return REF_BYTE;
	if (strstr(why, "\" is not an IPv4 or IPv6 address"))
		return REF_NOT_ADDR;
	if (strstr(why, "\" is not a unicast address"))
		return REF_NOT_UNICAST;
	if (!strncmp(why, "more than ", 10))
		return REF_TOO_MANY;
	return REF_OK;
}

static inline bool ref_has(const struct mmnet_xs_addrs *l, const struct mmnet_xs_addr *a)
{
	unsigned int k;

	for (k = 0; k < l->n; k++)
		if (!memcmp(&l->a[k], a, sizeof(*a)))
			return true;
	return false;
}

/* data/mmnet/addrs as docs/xenstore.md says, token by token through inet_pton(). */
static inline enum ref_why ref_addrs(const char *s, size_t len, struct mmnet_xs_addrs *out)
{
	enum ref_why why = REF_OK;
	struct mmnet_xs_addr a;
	size_t i, start;

	memset(out, 0, sizeof(*out));
	if (len > MMNET_XS_ADDRS_LEN_MAX)
		return REF_LONG;
	for (i = 0; i < len; i++)
		if (s[i] != ' ' && ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f))
			return REF_BYTE;
	for (i = 0; i < len && !why; i++) {
		if (s[i] == ' ')
			continue;
		for (start = i; i < len && s[i] != ' '; i++)
			;
		if (ref_addr(s + start, i - start, &a))
			why = REF_NOT_ADDR;
		else if (!ref_unicast(&a))
			why = REF_NOT_UNICAST;
		else if (ref_has(out, &a))
			continue;
		else if (out->n == MMNET_XS_MAX_ADDRS)
			why = REF_TOO_MANY;
		else
			out->a[out->n++] = a;
	}
	if (why)
		out->n = 0;
	return why;
}

#endif /* MMNET_XENPROTO_REF_H */
