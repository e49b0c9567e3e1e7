/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmnetd's side of the xenstore protocol of docs/xenstore.md as pure functions: node paths, the pair's node
 * list with its permissions, the address conflict rule, the classification of watch event paths, and the
 * per-guest rate limit.  Validating what guests write (domids, addresses, MACs, the version) is the kernel's
 * too: kernel/transport/xenproto.h, built here through tools/lib/xenproto_shim.h.  Nothing here talks to
 * xenstore, so all of it is unit-tested on the build host (selftests/host/mmnetd_test.c).
 */
#ifndef MMNETD_PROTO_H
#define MMNETD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenproto.h"

#define MMNET_MAX_MACS		16	/* vifs of a guest whose MACs are published */
#define MMNET_VERSION_IN_MAX	16	/* longest data/mmnet/version value looked at */
/* Canonical texts: 16 addresses of at most 45 characters ("::ffff:255.255.255.255"), 16 MACs. */
#define MMNET_ADDRS_TEXT_MAX	(MMNET_XS_MAX_ADDRS * 46)
#define MMNET_MACS_TEXT_MAX	(MMNET_MAX_MACS * 18)
#define MMNET_PATH_MAX		128	/* every path below fits */

/* Permission bits, as xenstore's XS_PERM_READ / XS_PERM_WRITE. */
#define MMNET_PERM_NONE		0u
#define MMNET_PERM_READ		1u
#define MMNET_PERM_WRITE	2u

struct mmnet_perm {
	unsigned int id;	/* domid; the first entry is the owner and the default for everyone else */
	unsigned int perm;
};

/* ---- paths ---- */

/* "/local/domain/D/data/mmnet" followed by SUFFIX ("" or "/..."). */
int mmnet_path(char *buf, size_t size, unsigned int domid, const char *suffix);
/* "/local/domain/A/data/mmnet/peer/B" followed by SUFFIX ("", "/mac", "/addrs"). */
int mmnet_peer_path(char *buf, size_t size, unsigned int a, unsigned int b, const char *suffix);
/* "/local/domain/0/backend/vif/D" followed by SUFFIX. */
int mmnet_vif_path(char *buf, size_t size, unsigned int domid, const char *suffix);

/* ---- the nodes mmnetd creates for a pair ---- */

struct mmnet_node {
	char path[MMNET_PATH_MAX];
	const char *value;		/* what to write; NULL: the node must not exist */
	unsigned int nperms;
	struct mmnet_perm perms[2];
};

enum { MMNET_PAIR_DIR, MMNET_PAIR_MAC, MMNET_PAIR_ADDRS, MMNET_PAIR_MODE, MMNET_PAIR_NODES };

/*
 * The nodes that introduce guest B to guest A, in A's subtree, in creation order:
 *   .../A/data/mmnet/peer/B        ""      owner A, B may read     (the rendezvous directory)
 *   .../A/data/mmnet/peer/B/mac    MACS    owner dom0, A may read  (B's MACs, from the toolstack)
 *   .../A/data/mmnet/peer/B/addrs  ADDRS   owner dom0, A may read  (B's addresses, attested by the
 *                                                                   toolstack's vif ip=)
 *   .../A/data/mmnet/peer/B/mode   MODE    owner dom0, A may read  ("copy" or "premap")
 * ADDRS NULL: the node must not exist (no vif of B has ip=: B has no attested address).  MACS, ADDRS and
 * MODE must outlive the array.  Returns the number of nodes, or -1 if A or B is not a guest or MODE is NULL.
 */
int mmnet_pair_nodes(unsigned int a, unsigned int b, const char *macs, const char *addrs, const char *mode,
		     struct mmnet_node out[MMNET_PAIR_NODES]);

/* The permissions of .../A/data/mmnet/peer, the directory that holds A's peers: owner A, nobody else. */
void mmnet_peers_dir_perms(unsigned int a, struct mmnet_perm *perm);

/* Permissions as xenstore-ls -p shows them without the parentheses: "n1 r2" ('n' 'r' 'w' 'b'). */
void mmnet_perms_format(const struct mmnet_perm *perms, unsigned int n, char *buf, size_t size);
bool mmnet_perms_equal(const struct mmnet_perm *a, unsigned int na, const struct mmnet_perm *b,
		       unsigned int nb);

/* ---- addresses (mmnet_xs_parse_addrs() validates them) ---- */

/* The canonical text (inet_ntop), space-separated, in the order given. */
void mmnet_addrs_format(const struct mmnet_xs_addrs *addrs, char *buf, size_t size);
bool mmnet_addrs_equal(const struct mmnet_xs_addrs *a, const struct mmnet_xs_addrs *b);

/*
 * The conflict rule: an address announced by more than one taking-part guest is published for none of
 * them (a guest must not draw its peers' traffic for an address another guest uses; on a conflict the
 * traffic takes the normal path).  OUT[i] is IN[i] without such addresses; N entries.  O(M log M) for M
 * addresses in all.  Returns 0, or -1 if out of memory.
 */
int mmnet_addrs_resolve(const struct mmnet_xs_addrs *const *in, struct mmnet_xs_addrs *out, unsigned int n);

/* Add the addresses of ADD that *ACC lacks to *ACC, in order.  -1 (and *ACC unchanged) if more than
 * MMNET_XS_MAX_ADDRS would result. */
int mmnet_addrs_union(struct mmnet_xs_addrs *acc, const struct mmnet_xs_addrs *add);

/* *OUT: the addresses of A that B lacks, in A's order. */
void mmnet_addrs_minus(const struct mmnet_xs_addrs *a, const struct mmnet_xs_addrs *b, struct mmnet_xs_addrs *out);

/*
 * The addresses the toolstack attests for a guest: the union of the ip= values of its vifs, IPS[0..N)
 * with LENS (a NULL entry: that vif has no ip node).  Each value is space-separated addresses as
 * mmnet_xs_parse_addrs() reads them.  Returns 1 with *OUT if at least one vif has an ip node, 0 (and *OUT
 * empty) if none has, -1 with WHY (the vif's index first, "vif 0: ...") if a value is garbage or the union
 * has more than MMNET_XS_MAX_ADDRS addresses: then the guest connects to nothing.
 */
int mmnet_vif_ips(const char *const *ips, const unsigned int *lens, unsigned int n, const unsigned int *vif,
		  struct mmnet_xs_addrs *out, char *why, size_t whysize);

/* A MAC as peer/B/mac has it (lower case); mmnet_xs_parse_mac() reads the toolstack's. */
void mmnet_mac_format(const unsigned char mac[6], char buf[18]);

/* ---- watch events ---- */

enum mmnet_event {
	MMNET_EV_IGNORE,	/* nothing mmnetd acts on (e.g. the modules' rendezvous nodes) */
	MMNET_EV_STATE,		/* data/mmnet itself, version or addrs: read the guest's state again */
	MMNET_EV_PEERS,		/* data/mmnet/peer, or a child with a name that is no domid: check them all */
	MMNET_EV_PEER,		/* data/mmnet/peer/X or one of mmnetd's nodes in it (mac, addrs, mode): check
				 * the pair (A, X) */
	MMNET_EV_STRAY,		/* something below data/mmnet/peer/X: if X is no peer, it is stray */
};

/*
 * Classify PATH, the path of an event of the watch on /local/domain/D/data/mmnet (DOMID).  For
 * MMNET_EV_PEER and MMNET_EV_STRAY, *PEER is X.
 */
enum mmnet_event mmnet_classify(const char *path, unsigned int domid, unsigned int *peer);

/*
 * An event of the watch on /local/domain/0/backend/vif: 1 with *DOMID set if the MACs or attested addresses
 * of guest DOMID may have changed (.../vif/D, .../vif/D/N, .../vif/D/N/mac or .../vif/D/N/ip), 2 if any
 * guest's may have (.../vif itself), 0 if the event concerns neither.
 */
int mmnet_classify_vif(const char *path, unsigned int *domid);

/* ---- rate limit: a token bucket ---- */

struct mmnet_rate {
	uint64_t stamp_ms;	/* when TOKENS was right */
	uint64_t tokens;	/* in millionths of a token */
	bool primed;		/* a fresh bucket is full */
};

/* Take one token at NOW_MS (a monotonic clock) from a bucket of BURST tokens that gains one every
 * INTERVAL_MS. */
bool mmnet_rate_take(struct mmnet_rate *r, uint64_t now_ms, unsigned int burst, unsigned int interval_ms);
/* When the next token will be there (NOW_MS if it is). */
uint64_t mmnet_rate_next(const struct mmnet_rate *r, uint64_t now_ms, unsigned int burst, unsigned int interval_ms);

#endif
