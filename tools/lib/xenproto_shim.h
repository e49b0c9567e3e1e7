/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kernel/transport/xenproto.[ch] need in userspace beyond the headers
 * they include; given with -include, so that it comes first.
 *
 * xenproto.c includes <linux/types.h>, <linux/errno.h>, <linux/kernel.h> and
 * <linux/string.h>.  Outside the kernel those names are the UAPI headers of
 * linux-libc-dev, which are harmless and give most of what is needed: the
 * __u8 family, the E* numbers, and <string.h> (through <linux/string.h>).
 * So no directory of stub headers, which would shadow the real <linux/...>
 * for every other file of the program, and no #ifdef in xenproto.c: this
 * header adds only the rest, the kernel's short type names, bool and
 * snprintf().
 */
#ifndef MMNET_XENPROTO_SHIM_H
#define MMNET_XENPROTO_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#endif /* MMNET_XENPROTO_SHIM_H */
