// SPDX-License-Identifier: GPL-2.0
/*
 * The peer map adapter: the one file that reaches into struct bpf_map.
 *
 * A module can only get at a map through an fd that userspace hands it
 * (bpf_map_get(), exported in 6.1; from 6.15 it sits in the BPF_INTERNAL
 * namespace, so this is the file to change).  Updates go straight to
 * map->ops, as the bpf(2) syscall does, from process context under
 * rcu_read_lock(), which the hash map requires.
 *
 * What the syscall path adds and we cannot: bpf_disable_instrumentation(),
 * whose per-CPU counter is not exported.  It keeps tracing programs from
 * running while the update holds a bucket lock, so that one of them
 * touching the same map on this CPU cannot deadlock.  The 6.1 hash map
 * defends itself against that re-entrance anyway: htab_lock_bucket() counts
 * per CPU and answers -EBUSY instead of spinning.  So the worst a tracing
 * program can do to us is make one update fail with -EBUSY; it is
 * transient (the re-entering program is on this CPU, inside our own call),
 * so we simply retry.
 */

#include "peermap.h"

#include <linux/bpf.h>
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>

#define MMNET_PEERMAP_RETRIES	8

/**
 * mmnet_peermap_get - take a reference on the peer map behind an fd
 * @fd: a BPF map fd of the calling process
 * @extack: for a message that says what is wrong with the map
 *
 * Return: the map, or an ERR_PTR.
 */
struct bpf_map *mmnet_peermap_get(u32 fd, struct netlink_ext_ack *extack)
{
	struct bpf_map *map = bpf_map_get(fd);

	if (IS_ERR(map)) {
		NL_SET_ERR_MSG(extack, "Peer map fd is not a BPF map");
		return map;
	}
	if (map->map_type != BPF_MAP_TYPE_HASH ||
	    map->key_size != sizeof(struct mmnet_peer_key) ||
	    map->value_size != sizeof(struct mmnet_peer_value)) {
		/* 6.1 has no NL_SET_ERR_MSG_FMT: the sizes are spelt out. */
		BUILD_BUG_ON(sizeof(struct mmnet_peer_key) != 20 ||
			     sizeof(struct mmnet_peer_value) != 8);
		NL_SET_ERR_MSG(extack,
			       "Peer map must be a BPF_MAP_TYPE_HASH with 20-byte keys and 8-byte values (struct mmnet_peer_key, struct mmnet_peer_value)");
		goto err;
	}
	/*
	 * A map offloaded to a NIC has no host-side operations (and
	 * bpf_map_is_dev_bound() is not usable from a module).
	 */
	if (!map->ops->map_update_elem ||
	    !map->ops->map_delete_elem || !map->ops->map_lookup_elem) {
		NL_SET_ERR_MSG(extack, "Peer map cannot be offloaded to a device");
		goto err;
	}
	return map;

err:
	bpf_map_put(map);
	return ERR_PTR(-EINVAL);
}

void mmnet_peermap_put(struct bpf_map *map)
{
	bpf_map_put(map);
}

/**
 * mmnet_peermap_update - add or replace an entry
 * @map: a map from mmnet_peermap_get()
 * @key: the address
 * @value: the device and peer it leads to
 *
 * Context: process context, may sleep between retries.
 * Return: 0 or the map's error (-E2BIG when it is full).
 */
int mmnet_peermap_update(struct bpf_map *map, const struct mmnet_peer_key *key,
			 const struct mmnet_peer_value *value)
{
	int i, ret = -EBUSY;

	for (i = 0; i < MMNET_PEERMAP_RETRIES && ret == -EBUSY; i++) {
		rcu_read_lock();
		ret = map->ops->map_update_elem(map, (void *)key, (void *)value,
						BPF_ANY);
		rcu_read_unlock();
		cond_resched();
	}
	return ret;
}

/* Whether @key still leads to @owner: another peer may have taken it over. */
static bool mmnet_peermap_owned(struct bpf_map *map,
				const struct mmnet_peer_key *key,
				const struct mmnet_peer_value *owner)
{
	const struct mmnet_peer_value *v;
	bool owned;

	rcu_read_lock();
	v = map->ops->map_lookup_elem(map, (void *)key);
	owned = v && !memcmp(v, owner, sizeof(*owner));
	rcu_read_unlock();
	return owned;
}

/**
 * mmnet_peermap_delete - remove an entry if it is still ours
 * @map: a map from mmnet_peermap_get()
 * @key: the address
 * @owner: the value we put there; another value means another peer now
 *	owns the address (a duplicate), and its entry stays
 *
 * Context: process context, may sleep between retries.
 * Return: 0, -ENOENT if there was nothing of ours, or the map's error.
 */
int mmnet_peermap_delete(struct bpf_map *map, const struct mmnet_peer_key *key,
			 const struct mmnet_peer_value *owner)
{
	int i, ret = -EBUSY;

	if (!mmnet_peermap_owned(map, key, owner))
		return -ENOENT;
	for (i = 0; i < MMNET_PEERMAP_RETRIES && ret == -EBUSY; i++) {
		rcu_read_lock();
		ret = map->ops->map_delete_elem(map, (void *)key);
		rcu_read_unlock();
		cond_resched();
	}
	return ret;
}
