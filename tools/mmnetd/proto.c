// SPDX-License-Identifier: GPL-2.0
/*
 * mmnetd's side of the xenstore protocol of docs/xenstore.md as pure functions (see proto.h); what the kernel
 * reads too is kernel/transport/xenproto.c.  No xenstore, no global state: everything is unit-tested on the
 * host by selftests/host/mmnetd_test.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

/* ---- paths ---- */

static int path_fmt(size_t size, int n)
{
	return n < 0 || (size_t)n >= size ? -1 : n;
}

int mmnet_path(char *buf, size_t size, unsigned int domid, const char *suffix)
{
	return path_fmt(size, snprintf(buf, size, "/local/domain/%u/data/mmnet%s", domid, suffix));
}

int mmnet_peer_path(char *buf, size_t size, unsigned int a, unsigned int b, const char *suffix)
{
	return path_fmt(size, snprintf(buf, size, "/local/domain/%u/data/mmnet/peer/%u%s", a, b, suffix));
}

int mmnet_vif_path(char *buf, size_t size, unsigned int domid, const char *suffix)
{
	return path_fmt(size, snprintf(buf, size, "/local/domain/0/backend/vif/%u%s", domid, suffix));
}

static bool is_guest(unsigned int domid)
{
	return domid > 0 && domid < MMNET_XS_DOMID_FIRST_RESERVED;
}

/* ---- the pair's nodes ---- */

int mmnet_pair_nodes(unsigned int a, unsigned int b, const char *macs, const char *addrs, const char *mode,
		     struct mmnet_node out[MMNET_PAIR_NODES])
{
	static const char *const suffix[MMNET_PAIR_NODES] = { "", "/mac", "/addrs", "/mode" };
	int i;

	if (!is_guest(a) || !is_guest(b) || a == b || !mode)
		return -1;
	for (i = 0; i < MMNET_PAIR_NODES; i++) {
		if (mmnet_peer_path(out[i].path, sizeof(out[i].path), a, b, suffix[i]) < 0)
			return -1;
		out[i].nperms = 2;
	}
	/* The rendezvous directory: A writes its side of the channel there, B reads it. */
	out[MMNET_PAIR_DIR].value = "";
	out[MMNET_PAIR_DIR].perms[0] = (struct mmnet_perm){ a, MMNET_PERM_NONE };
	out[MMNET_PAIR_DIR].perms[1] = (struct mmnet_perm){ b, MMNET_PERM_READ };
	/* mmnetd's facts about B: only A reads them, and A cannot change them or widen who may read them. */
	out[MMNET_PAIR_MAC].value = macs;
	out[MMNET_PAIR_ADDRS].value = addrs;
	out[MMNET_PAIR_MODE].value = mode;
	for (i = MMNET_PAIR_MAC; i <= MMNET_PAIR_MODE; i++) {
		out[i].perms[0] = (struct mmnet_perm){ 0, MMNET_PERM_NONE };
		out[i].perms[1] = (struct mmnet_perm){ a, MMNET_PERM_READ };
	}
	return MMNET_PAIR_NODES;
}

void mmnet_peers_dir_perms(unsigned int a, struct mmnet_perm *perm)
{
	*perm = (struct mmnet_perm){ a, MMNET_PERM_NONE };
}

void mmnet_perms_format(const struct mmnet_perm *perms, unsigned int n, char *buf, size_t size)
{
	static const char letter[4] = { 'n', 'r', 'w', 'b' };
	size_t used = 0;
	unsigned int i;
	int k;

	if (!size)
		return;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		k = snprintf(buf + used, size - used, "%s%c%u", i ? " " : "",
			     letter[perms[i].perm & (MMNET_PERM_READ | MMNET_PERM_WRITE)], perms[i].id);
		if (k < 0 || (size_t)k >= size - used)
			return;
		used += (size_t)k;
	}
}

bool mmnet_perms_equal(const struct mmnet_perm *a, unsigned int na, const struct mmnet_perm *b,
		       unsigned int nb)
{
	const unsigned int mask = MMNET_PERM_READ | MMNET_PERM_WRITE;
	unsigned int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].id != b[i].id || (a[i].perm & mask) != (b[i].perm & mask))
			return false;
	return true;
}

/* ---- addresses ---- */

static int addr_af(const struct mmnet_xs_addr *a)
{
	return a->family == MMNET_XS_INET ? AF_INET : AF_INET6;
}

void mmnet_addrs_format(const struct mmnet_xs_addrs *addrs, char *buf, size_t size)
{
	char one[INET6_ADDRSTRLEN];
	size_t used = 0;
	unsigned int i;
	int k;

	if (!size)
		return;
	buf[0] = '\0';
	for (i = 0; i < addrs->n; i++) {
		if (!inet_ntop(addr_af(&addrs->a[i]), addrs->a[i].bytes, one, sizeof(one)))
			continue;
		k = snprintf(buf + used, size - used, "%s%s", used ? " " : "", one);
		if (k < 0 || (size_t)k >= size - used) {
			buf[used] = '\0';
			return;
		}
		used += (size_t)k;
	}
}

bool mmnet_addrs_equal(const struct mmnet_xs_addrs *a, const struct mmnet_xs_addrs *b)
{
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->a[i].family != b->a[i].family || memcmp(a->a[i].bytes, b->a[i].bytes, 16))
			return false;
	return true;
}

struct owned_addr {
	struct mmnet_xs_addr addr;
	unsigned int owner;
	bool contested;
};

/* An address with the bytes past an IPv4 address zeroed, so that equal addresses compare equal. */
static void addr_norm(struct mmnet_xs_addr *dst, const struct mmnet_xs_addr *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->family = src->family;
	memcpy(dst->bytes, src->bytes, src->family == MMNET_XS_INET ? 4 : 16);
}

static int cmp_owned(const void *x, const void *y)
{
	const struct owned_addr *a = x, *b = y;

	if (a->addr.family != b->addr.family)
		return a->addr.family < b->addr.family ? -1 : 1;
	return memcmp(a->addr.bytes, b->addr.bytes, sizeof(a->addr.bytes));
}

int mmnet_addrs_resolve(const struct mmnet_xs_addrs *const *in, struct mmnet_xs_addrs *out, unsigned int n)
{
	struct owned_addr *all;
	size_t total = 0, i, j;
	unsigned int g, k;

	for (g = 0; g < n; g++)
		total += in[g]->n;
	all = malloc((total ? total : 1) * sizeof(*all));
	if (!all)
		return -1;
	/* Every (address, owner), sorted by address: equal addresses are neighbours.  A guest's own list has
	 * no duplicates, so equal neighbours belong to different guests. */
	for (i = 0, g = 0; g < n; g++) {
		for (k = 0; k < in[g]->n; k++, i++) {
			memset(&all[i], 0, sizeof(all[i]));
			addr_norm(&all[i].addr, &in[g]->a[k]);
			all[i].owner = g;
		}
	}
	qsort(all, total, sizeof(*all), cmp_owned);
	for (i = 0; i < total; i = j) {
		for (j = i + 1; j < total && !cmp_owned(&all[i], &all[j]); j++)
			;
		if (j - i > 1)
			while (i < j)
				all[i++].contested = true;
	}
	/* OUT[g]: IN[g] in its order, without the contested addresses. */
	for (g = 0; g < n; g++) {
		memset(&out[g], 0, sizeof(out[g]));
		for (k = 0; k < in[g]->n; k++) {
			struct owned_addr key, *hit;

			memset(&key, 0, sizeof(key));
			addr_norm(&key.addr, &in[g]->a[k]);
			hit = bsearch(&key, all, total, sizeof(*all), cmp_owned);
			if (hit && !hit->contested)
				out[g].a[out[g].n++] = in[g]->a[k];
		}
	}
	free(all);
	return 0;
}

int mmnet_addrs_union(struct mmnet_xs_addrs *acc, const struct mmnet_xs_addrs *add)
{
	struct mmnet_xs_addrs sum = *acc;
	unsigned int i;

	for (i = 0; i < add->n; i++) {
		if (mmnet_xs_addrs_has(&sum, &add->a[i]))
			continue;
		if (sum.n == MMNET_XS_MAX_ADDRS)
			return -1;
		sum.a[sum.n++] = add->a[i];
	}
	*acc = sum;
	return 0;
}

void mmnet_addrs_minus(const struct mmnet_xs_addrs *a, const struct mmnet_xs_addrs *b, struct mmnet_xs_addrs *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < a->n; i++)
		if (!mmnet_xs_addrs_has(b, &a->a[i]))
			out->a[out->n++] = a->a[i];
}

int mmnet_vif_ips(const char *const *ips, const unsigned int *lens, unsigned int n, const unsigned int *vif,
		  struct mmnet_xs_addrs *out, char *why, size_t whysize)
{
	struct mmnet_xs_addrs one;
	char reason[256];
	unsigned int i;
	int found = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		if (!ips[i])
			continue;
		found = 1;
		if (mmnet_xs_parse_addrs(ips[i], lens[i], &one, reason, sizeof(reason))) {
			snprintf(why, whysize, "vif %u: its ip: %s", vif[i], reason);
			memset(out, 0, sizeof(*out));
			return -1;
		}
		if (mmnet_addrs_union(out, &one)) {
			snprintf(why, whysize, "vif %u: its ip: more than %d addresses over all vifs", vif[i],
				 MMNET_XS_MAX_ADDRS);
			memset(out, 0, sizeof(*out));
			return -1;
		}
	}
	return found;
}

void mmnet_mac_format(const unsigned char mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* ---- watch events ---- */

/* If PATH starts with PREFIX followed by the end or a '/', the rest; else NULL. */
static const char *below(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) || (path[n] && path[n] != '/'))
		return NULL;
	return path + n;
}

enum mmnet_event mmnet_classify(const char *path, unsigned int domid, unsigned int *peer)
{
	char top[MMNET_PATH_MAX];
	const char *rest, *name, *end;

	if (mmnet_path(top, sizeof(top), domid, "") < 0 || !(rest = below(path, top)))
		return MMNET_EV_IGNORE;
	if (!*rest || !strcmp(rest, "/version") || !strcmp(rest, "/addrs"))
		return MMNET_EV_STATE;
	if (!(rest = below(rest, "/peer")))
		return MMNET_EV_IGNORE;
	if (!*rest)
		return MMNET_EV_PEERS;
	name = rest + 1;
	end = strchr(name, '/');
	if (!end)
		end = name + strlen(name);
	if (mmnet_xs_parse_domid(name, (size_t)(end - name), peer))
		return MMNET_EV_PEERS;
	if (!*end || !strcmp(end, "/mac") || !strcmp(end, "/addrs") || !strcmp(end, "/mode"))
		return MMNET_EV_PEER;
	return MMNET_EV_STRAY;
}

int mmnet_classify_vif(const char *path, unsigned int *domid)
{
	const char *rest = below(path, "/local/domain/0/backend/vif"), *name, *end;

	if (!rest)
		return 0;
	if (!*rest)
		return 2;
	name = rest + 1;
	end = strchr(name, '/');
	if (!end)
		end = name + strlen(name);
	if (mmnet_xs_parse_domid(name, (size_t)(end - name), domid) || !*domid)
		return 0;
	if (!*end)
		return 1;
	/* .../vif/D/N, .../vif/D/N/mac or .../vif/D/N/ip */
	name = end + 1;
	end = strchr(name, '/');
	if (!end)
		return 1;
	return !strcmp(end, "/mac") || !strcmp(end, "/ip") ? 1 : 0;
}

/* ---- rate limit ---- */

#define TOKEN 1000000u	/* one token, in millionths */

static void rate_refill(struct mmnet_rate *r, uint64_t now_ms, unsigned int burst, unsigned int interval_ms)
{
	uint64_t full = (uint64_t)burst * TOKEN;

	if (!r->primed) {
		r->primed = true;
		r->tokens = full;
		r->stamp_ms = now_ms;
	} else if (now_ms > r->stamp_ms) {
		uint64_t add = (now_ms - r->stamp_ms) * TOKEN / (interval_ms ? interval_ms : 1);

		r->tokens = add >= full - r->tokens ? full : r->tokens + add;
		r->stamp_ms = now_ms;
	}
}

bool mmnet_rate_take(struct mmnet_rate *r, uint64_t now_ms, unsigned int burst, unsigned int interval_ms)
{
	rate_refill(r, now_ms, burst, interval_ms);
	if (r->tokens < TOKEN)
		return false;
	r->tokens -= TOKEN;
	return true;
}

uint64_t mmnet_rate_next(const struct mmnet_rate *r, uint64_t now_ms, unsigned int burst, unsigned int interval_ms)
{
	struct mmnet_rate t = *r;

	rate_refill(&t, now_ms, burst, interval_ms);
	if (t.tokens >= TOKEN)
		return now_ms;
	return now_ms + ((TOKEN - t.tokens) * interval_ms + TOKEN - 1) / TOKEN;
}
