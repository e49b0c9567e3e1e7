/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kernel/filter.c and kernel/addrs.h need in userspace beyond the
 * headers they include; given with -include, so that it comes first.
 * <netinet/in.h> first makes the UAPI <linux/in6.h> and <linux/in.h> they
 * include leave glibc's definitions alone (linux/libc-compat.h); the
 * kernel's short type names come from the xenproto shim; struct rcu_head
 * is only a member here, never used.
 */
#ifndef MMNET_FILTER_SHIM_H
#define MMNET_FILTER_SHIM_H

#include <netinet/in.h>

#include "../../tools/lib/xenproto_shim.h"

struct rcu_head {
	void *next;
	void (*func)(struct rcu_head *head);
};

#endif /* MMNET_FILTER_SHIM_H */
