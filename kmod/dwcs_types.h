/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dwcs_types.h — the few kernel types and helpers dwcs_core needs, so that the same core
 * source compiles inside sch_dwcs.ko and in user space (test/unit, test/bench).
 *
 * Only fixed-width integers, bool and a couple of arithmetic helpers are mapped; the core
 * allocates nothing and takes no lock, so nothing else is needed.
 */
#ifndef _DWCS_TYPES_H
#define _DWCS_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/cache.h>
#include <linux/prefetch.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#ifndef U32_MAX
#define U32_MAX ((u32)~0U)
#endif
#ifndef U64_MAX
#define U64_MAX ((u64)~0ULL)
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}
#endif /* __KERNEL__ */

/*
 * A structure on cache lines of its own (struct dwcs_stream). The kernel's
 * ____cacheline_aligned is SMP_CACHE_BYTES, 64 on x86; user space assumes 64.
 */
#ifdef __KERNEL__
#define DWCS_CACHELINE_ALIGNED ____cacheline_aligned
#else
#define DWCS_CACHELINE_ALIGNED __attribute__((__aligned__(64)))
#endif

/* Start fetching the cache line at @p for writing, ahead of its use (never faults). */
#ifdef __KERNEL__
#define dwcs_prefetchw(p) prefetchw(p)
#else
#define dwcs_prefetchw(p) __builtin_prefetch((p), 1)
#endif

/* Wrap-safe ordering of two nanosecond instants: true when @a is before @b. */
static inline bool dwcs_time_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

static inline bool dwcs_time_after_eq(u64 a, u64 b)
{
	return (s64)(a - b) >= 0;
}

#endif /* _DWCS_TYPES_H */
