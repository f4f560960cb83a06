/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ring index arithmetic, pure so that the KUnit suite can check it.
 *
 * head and tail are free-running u64 counters; unsigned subtraction gives
 * the fill level across the 2^64 wrap.  A consumer may write any tail
 * (the consumer page is user memory), so every helper treats a tail that
 * is ahead of head, or more than a ring behind it, as "full": the producer
 * then drops and counts, and never indexes outside the ring.
 */
#ifndef _PL_RING_H
#define _PL_RING_H

#include <linux/types.h>

/* slot index of record @n in a ring of @slots (a power of two) records */
static inline u32 pl_ring_slot(u64 n, u32 slots)
{
	return (u32)(n & (slots - 1));
}

/* records waiting in the ring; > @slots means the consumer's tail is bogus */
static inline u64 pl_ring_used(u64 head, u64 tail)
{
	return head - tail;
}

/* true if the producer may write one more record */
static inline bool pl_ring_has_room(u64 head, u64 tail, u32 slots)
{
	return pl_ring_used(head, tail) < slots;
}

/* bytes of the meta + consumer parts for @nr rings, each part page aligned */
static inline size_t pl_ring_part_size(size_t hdr, u32 nr, size_t per_ring, size_t page)
{
	size_t n = hdr + (size_t)nr * per_ring;

	return (n + page - 1) & ~(page - 1);
}

#endif /* _PL_RING_H */
