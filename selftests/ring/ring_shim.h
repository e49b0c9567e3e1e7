/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel primitives kernel/ring.c uses, for building it in userspace
 * (given with -include).  x86-64 gets the kernel's own definitions (TSO: only
 * a full barrier needs an instruction); anything else, or -DMMNET_SHIM_GENERIC,
 * gets C11 atomics, which also lets ThreadSanitizer see the protocol.
 */
#ifndef MMNET_RING_SHIM_H
#define MMNET_RING_SHIM_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#ifndef __force
#define __force
#endif

#define cpu_to_le16(x) ((__force __le16)htole16(x))
#define cpu_to_le32(x) ((__force __le32)htole32(x))
#define le16_to_cpu(x) le16toh((__force __u16)(x))
#define le32_to_cpu(x) le32toh((__force __u32)(x))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define ____cacheline_aligned __attribute__((__aligned__(64)))
#define ALIGN(x, a)	(((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

#define barrier() __asm__ __volatile__("" ::: "memory")

#if defined(__x86_64__) && !defined(MMNET_SHIM_GENERIC)

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) do { *(volatile __typeof__(x) *)&(x) = (v); } while (0)
/* A locked operation on the stack: a full barrier, cheaper than mfence. */
#define virt_mb()	__asm__ __volatile__("lock; addl $0,-4(%%rsp)" ::: "memory", "cc")
#define virt_load_acquire(p) \
	({ __typeof__(*(p)) ___v = READ_ONCE(*(p)); barrier(); ___v; })
#define virt_store_release(p, v) do { barrier(); WRITE_ONCE(*(p), (v)); } while (0)

#else

#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define virt_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virt_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define virt_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

#endif

#endif /* MMNET_RING_SHIM_H */
