// SPDX-License-Identifier: GPL-2.0
/*
 * The Xen transport's xenstore I/O: every value read bounded, checked with
 * xenproto.c and, when it breaks the protocol, logged (rate-limited: a peer
 * may write as often as it likes) and taken as absent; the pair's
 * directories read and written in transactions retried on conflict.
 * Nothing here takes RTNL or keeps state: xen.c decides.
 */

#include "xenio.h"

#include <linux/err.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>

/* Longest value read from xenstore: a list of addresses or MACs. */
#define MMNET_XS_VALUE_MAX	2048
/* Transactions retried on conflict before trying again later. */
#define MMNET_XS_RETRIES	10

/* ---- one value ---- */

/* A domain that is a guest, not dom0; @s NUL-terminated. */
int mmnet_xs_parse_guest(const char *s, u32 *domid)
{
	if (mmnet_xs_parse_domid(s, strlen(s), domid) || !*domid)
		return -EINVAL;
	return 0;
}

/* One value, NUL-terminated and bounded, or an ERR_PTR (-ENOENT: absent). */
char *mmnet_xs_read(struct xenbus_transaction t, const char *dir,
		    const char *node)
{
	unsigned int len;
	char *s = xenbus_read(t, dir, node, &len);

	if (!IS_ERR(s) && (len > MMNET_XS_VALUE_MAX || strlen(s) != len)) {
		kfree(s);
		s = ERR_PTR(-EINVAL);
	}
	return s;
}

/*
 * A peer's node that breaks the protocol counts as absent; say so, once in
 * a while: the peer may write it as often as it likes.
 */
static void mmnet_xs_garbage(const char *dir, const char *node, const char *val)
{
	char quoted[40];

	mmnet_xs_escape(val, strlen(val), quoted, sizeof(quoted));
	pr_warn_ratelimited("xen: ignoring %s/%s: \"%s\" is not a valid value\n",
			    dir, node, quoted);
}

/* A number node; 0 if absent or not valid by @ok. */
static u32 mmnet_xs_read_u32(struct xenbus_transaction t, const char *dir,
			     const char *node, bool (*ok)(u32))
{
	char *s = mmnet_xs_read(t, dir, node);
	u32 val = 0;

	if (IS_ERR(s)) {
		if (PTR_ERR(s) == -EINVAL)
			mmnet_xs_garbage(dir, node, "(too long, or a NUL)");
		return 0;
	}
	if (mmnet_xs_parse_u32(s, strlen(s), &val) || !ok(val)) {
		mmnet_xs_garbage(dir, node, s);
		val = 0;
	}
	kfree(s);
	return val;
}

static u8 mmnet_xs_read_state(struct xenbus_transaction t, const char *dir)
{
	char *s = mmnet_xs_read(t, dir, "state");
	u8 state;

	if (IS_ERR(s)) {
		/* Gone with its domain, or never there: no channel. */
		if (PTR_ERR(s) != -EINVAL)
			return MMNET_XS_NONE;
		mmnet_xs_garbage(dir, "state", "(too long, or a NUL)");
		return MMNET_XS_BAD;
	}
	state = mmnet_xs_parse_state(s, strlen(s));
	if (state == MMNET_XS_BAD)
		mmnet_xs_garbage(dir, "state", s);
	kfree(s);
	return state;
}

static void mmnet_xs_read_rdv(struct xenbus_transaction t, const char *dir,
			      struct mmnet_xs_rdv *r)
{
	r->state = mmnet_xs_read_state(t, dir);
	r->ring_ref = mmnet_xs_read_u32(t, dir, "ring-ref", mmnet_xs_gref_ok);
	r->port = mmnet_xs_read_u32(t, dir, "event-channel", mmnet_xs_port_ok);
	r->peer_ref = mmnet_xs_read_u32(t, dir, "peer-ring-ref",
					mmnet_xs_gref_ok);
}

/*
 * The daemon's validated, canonical list of the addresses dom0 attests for
 * the peer (docs/xenstore.md): anything else is garbage as a whole, dom0
 * broke the protocol, and there is no channel.  At most MMNET_PEER_MAX_ADDRS
 * of each family are kept: frames from the others are taken for spoofed.
 */
static bool mmnet_xen_parse_addrs(const char *dir, const char *s,
				  struct mmnet_addrs *a)
{
	struct mmnet_xs_addrs *xa = kmalloc(sizeof(*xa), GFP_KERNEL);
	const struct mmnet_xs_addr *x;
	char why[64];
	unsigned int i;

	if (!xa)
		return false;
	if (mmnet_xs_parse_addrs(s, strlen(s), xa, why, sizeof(why))) {
		pr_warn_ratelimited("xen: %s/addrs: %s: no channel\n", dir, why);
		kfree(xa);
		return false;
	}
	a->attested = true;
	for (i = 0; i < xa->n; i++) {
		x = &xa->a[i];
		if (x->family == MMNET_XS_INET &&
		    a->nr_ipv4 < MMNET_PEER_MAX_ADDRS)
			memcpy(&a->ipv4[a->nr_ipv4++], x->bytes, 4);
		else if (x->family == MMNET_XS_INET6 &&
			 a->nr_ipv6 < MMNET_PEER_MAX_ADDRS)
			memcpy(&a->ipv6[a->nr_ipv6++], x->bytes, 16);
	}
	kfree(xa);
	return true;
}

/*
 * What the daemon wrote in our directory for the peer: its MAC (from the
 * toolstack) and, where dom0 attests them (the ip= of its vifs), its
 * addresses; no addrs node: none attested, only the MAC is the peer's.
 * Return: true with a usable MAC and no garbage.
 */
static bool mmnet_xs_read_addrs(struct xenbus_transaction t, const char *dir,
				struct mmnet_addrs *a)
{
	char *mac = mmnet_xs_read(t, dir, "mac");
	char *ips = mmnet_xs_read(t, dir, "addrs");
	bool ok = false;

	memset(a, 0, sizeof(*a));
	/* The peer's first vif with a usable MAC is the one it attaches to. */
	if (!IS_ERR(mac))
		ok = !mmnet_xs_first_mac(mac, strlen(mac), a->mac);
	if (!IS_ERR(ips))
		ok = mmnet_xen_parse_addrs(dir, ips, a) && ok;
	else if (PTR_ERR(ips) != -ENOENT)
		ok = false;
	if (!IS_ERR(mac))
		kfree(mac);
	if (!IS_ERR(ips))
		kfree(ips);
	return ok;
}

/*
 * The mode the pair's trust group gives it; absent (a daemon without
 * groups) is copy.  Garbage is dom0's fault: copy, the least it can mean.
 */
static u8 mmnet_xs_read_mode(struct xenbus_transaction t, const char *dir)
{
	char *s = mmnet_xs_read(t, dir, "mode");
	u8 mode = MMNET_XS_MODE_COPY;

	if (IS_ERR(s))
		return mode;
	mode = mmnet_xs_parse_mode(s, strlen(s));
	if (mode == MMNET_XS_MODE_BAD) {
		pr_warn_ratelimited("xen: %s/mode is neither copy nor premap: copy\n",
				    dir);
		mode = MMNET_XS_MODE_COPY;
	}
	kfree(s);
	return mode;
}

/* ---- transactions: the pair's snapshot, what we publish ---- */

/*
 * Run @fn in a transaction, again while xenstore reports a conflict with
 * another one; a failure of @fn abandons the transaction.
 */
static int mmnet_xs_transact(int (*fn)(struct xenbus_transaction t,
				       void *arg), void *arg)
{
	struct xenbus_transaction t;
	int i, ret = -EAGAIN;

	for (i = 0; ret == -EAGAIN && i < MMNET_XS_RETRIES; i++) {
		ret = xenbus_transaction_start(&t);
		if (ret)
			return ret;
		ret = fn(t, arg);
		if (ret) {
			xenbus_transaction_end(t, 1);
			return ret;
		}
		ret = xenbus_transaction_end(t, 0);
	}
	return ret;
}

/* The pair's snapshot: a peer's directory, and what the daemon says of it. */
struct mmnet_xs_snap_read {
	const char *remote_dir;
	const char *own_dir;
	struct mmnet_xen_snap *snap;
};

static int mmnet_xs_read_snap_t(struct xenbus_transaction t, void *arg)
{
	struct mmnet_xs_snap_read *r = arg;

	mmnet_xs_read_rdv(t, r->remote_dir, &r->snap->remote);
	r->snap->addrs_ok = mmnet_xs_read_addrs(t, r->own_dir,
						&r->snap->addrs);
	r->snap->mode = mmnet_xs_read_mode(t, r->own_dir);
	return 0;
}

/**
 * mmnet_xs_read_snap - read a pair's directories in one transaction
 * @remote_dir: the peer's rendezvous directory, absolute
 * @own_dir: ours, relative to our home: the daemon's mac and addrs
 * @snap: what they say; a value that breaks the protocol counts as absent
 *
 * Return: 0, or a negative errno from xenstore.
 */
int mmnet_xs_read_snap(const char *remote_dir, const char *own_dir,
		       struct mmnet_xen_snap *snap)
{
	struct mmnet_xs_snap_read r = {
		.remote_dir = remote_dir, .own_dir = own_dir, .snap = snap,
	};

	return mmnet_xs_transact(mmnet_xs_read_snap_t, &r);
}

static const char * const mmnet_xs_rdv_nodes[] = {
	"ring-ref", "event-channel", "peer-ring-ref", "state",
};

/*
 * Write @p in our directory, only if that still exists (the daemon's).
 * @fresh: the directory was created or its permissions changed since we
 * last wrote: a node takes its permissions from the directory when it is
 * created, so ours are created anew.
 */
static int mmnet_xs_write_rdv_dir(struct xenbus_transaction t,
				  const char *dir,
				  const struct mmnet_xs_rdv *p, bool fresh)
{
	unsigned int i;
	int ret;

	if (!xenbus_exists(t, dir, ""))
		return -ENOENT;
	for (i = 0; fresh && i < ARRAY_SIZE(mmnet_xs_rdv_nodes); i++) {
		ret = xenbus_rm(t, dir, mmnet_xs_rdv_nodes[i]);
		if (ret && ret != -ENOENT)
			return ret;
	}
	ret = p->ring_ref ? xenbus_printf(t, dir, "ring-ref", "%u", p->ring_ref) :
			    xenbus_rm(t, dir, "ring-ref");
	if (ret && ret != -ENOENT)
		return ret;
	ret = p->port ? xenbus_printf(t, dir, "event-channel", "%u", p->port) :
			xenbus_rm(t, dir, "event-channel");
	if (ret && ret != -ENOENT)
		return ret;
	ret = p->peer_ref ? xenbus_printf(t, dir, "peer-ring-ref", "%u",
					  p->peer_ref) :
			    xenbus_rm(t, dir, "peer-ring-ref");
	if (ret && ret != -ENOENT)
		return ret;
	return xenbus_write(t, dir, "state", mmnet_xs_state_name(p->state));
}

struct mmnet_xs_rdv_write {
	const char *dir;
	const struct mmnet_xs_rdv *p;
	bool fresh;
};

static int mmnet_xs_write_rdv_t(struct xenbus_transaction t, void *arg)
{
	const struct mmnet_xs_rdv_write *w = arg;

	return mmnet_xs_write_rdv_dir(t, w->dir, w->p, w->fresh);
}

/* Return: 0, -ENOENT if @dir is gone, or another negative errno. */
int mmnet_xs_write_rdv(const char *dir, const struct mmnet_xs_rdv *p,
		       bool fresh)
{
	struct mmnet_xs_rdv_write w = { .dir = dir, .p = p, .fresh = fresh };

	return mmnet_xs_transact(mmnet_xs_write_rdv_t, &w);
}

struct mmnet_xs_self_write {
	bool version;
	const char *addrs;
};

static int mmnet_xs_write_self_t(struct xenbus_transaction t, void *arg)
{
	const struct mmnet_xs_self_write *w = arg;
	int ret = w->version ? xenbus_write(t, MMNET_XS_HOME, "version",
					    MMNET_XS_VERSION) : 0;

	return ret ?: xenbus_write(t, MMNET_XS_HOME, "addrs", w->addrs);
}

/*
 * Taking part: data/mmnet/addrs, and the first time data/mmnet/version
 * with it, in one transaction, so that the daemon introduces us with our
 * addresses at once.
 */
int mmnet_xs_write_self(bool version, const char *addrs)
{
	struct mmnet_xs_self_write w = { .version = version, .addrs = addrs };

	return mmnet_xs_transact(mmnet_xs_write_self_t, &w);
}
