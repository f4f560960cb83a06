// SPDX-License-Identifier: GPL-2.0
/* KUnit: ring index and overrun arithmetic, including hostile tails. */
#include <kunit/test.h>
#include <linux/limits.h>

#include "powerledger.h"
#include "ring.h"

static void ring_slot_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pl_ring_slot(5, 8), 5U);
	KUNIT_EXPECT_EQ(test, pl_ring_slot(8, 8), 0U);
	KUNIT_EXPECT_EQ(test, pl_ring_slot(4097, 4096), 1U);
	KUNIT_EXPECT_EQ(test, pl_ring_slot(U64_MAX, 4096), 4095U);
}

static void ring_used_wrap_test(struct kunit *test)
{
	/* head wrapped past 2^64, tail not yet: still 4 records */
	KUNIT_EXPECT_EQ(test, pl_ring_used(2, U64_MAX - 1), 4ULL);
	KUNIT_EXPECT_EQ(test, pl_ring_used(100, 100), 0ULL);
	KUNIT_EXPECT_TRUE(test, pl_ring_has_room(2, U64_MAX - 1, 8));
	KUNIT_EXPECT_FALSE(test, pl_ring_has_room(4, U64_MAX - 3, 8));	/* 8 used */
}

static void ring_full_and_overrun_test(struct kunit *test)
{
	u64 head = 0, tail = 0, lost = 0, n;
	const u32 slots = 16;

	/* produce 20 records with no consumer: 16 fit, 4 are dropped and counted */
	for (n = 0; n < 20; n++) {
		if (pl_ring_has_room(head, tail, slots))
			head++;
		else
			lost++;
	}
	KUNIT_EXPECT_EQ(test, head, 16ULL);
	KUNIT_EXPECT_EQ(test, lost, 4ULL);
	/* consumer drains 10: 10 more fit, nothing overwritten */
	tail += 10;
	for (n = 0; n < 12; n++) {
		if (pl_ring_has_room(head, tail, slots))
			head++;
		else
			lost++;
	}
	KUNIT_EXPECT_EQ(test, head, 26ULL);
	KUNIT_EXPECT_EQ(test, lost, 6ULL);
	KUNIT_EXPECT_EQ(test, pl_ring_used(head, tail), (u64)slots);
}

static void ring_hostile_tail_test(struct kunit *test)
{
	/* tail ahead of head: the producer must treat the ring as full */
	KUNIT_EXPECT_FALSE(test, pl_ring_has_room(5, 10, 4096));
	KUNIT_EXPECT_FALSE(test, pl_ring_has_room(5, 6, 4096));
	/* tail far behind: full as well */
	KUNIT_EXPECT_FALSE(test, pl_ring_has_room(1000000, 0, 4096));
	/* whatever the tail, the slot stays inside the ring */
	KUNIT_EXPECT_LT(test, pl_ring_slot(U64_MAX - 7, 4096), 4096U);
}

static void ring_layout_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pl_ring_part_size(64, 2, 64, 4096), (size_t)4096);
	KUNIT_EXPECT_EQ(test, pl_ring_part_size(64, 63, 64, 4096), (size_t)4096);
	KUNIT_EXPECT_EQ(test, pl_ring_part_size(64, 64, 64, 4096), (size_t)8192);
	KUNIT_EXPECT_EQ(test, pl_ring_part_size(0, 64, 64, 4096), (size_t)4096);
	KUNIT_EXPECT_EQ(test, sizeof(struct pl_ring_prod), (size_t)64);
	KUNIT_EXPECT_EQ(test, sizeof(struct pl_ring_cons), (size_t)64);
	KUNIT_EXPECT_EQ(test, sizeof(struct pl_mmap_meta), (size_t)40);
}

static void jitter_bucket_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pl_jitter_bucket(0), 0U);
	KUNIT_EXPECT_EQ(test, pl_jitter_bucket(999), 0U);
	KUNIT_EXPECT_EQ(test, pl_jitter_bucket(1000), 1U);
	KUNIT_EXPECT_EQ(test, pl_jitter_bucket(1999), 1U);
	KUNIT_EXPECT_EQ(test, pl_jitter_bucket(2000), 2U);
	KUNIT_EXPECT_EQ(test, pl_jitter_bucket(1023000), 10U);
	KUNIT_EXPECT_EQ(test, pl_jitter_bucket(1024000), 11U);
	KUNIT_EXPECT_EQ(test, pl_jitter_bucket(U64_MAX), (unsigned int)PL_JITTER_BUCKETS - 1);
}

static struct kunit_case pl_ring_cases[] = {
	KUNIT_CASE(ring_slot_test),
	KUNIT_CASE(ring_used_wrap_test),
	KUNIT_CASE(ring_full_and_overrun_test),
	KUNIT_CASE(ring_hostile_tail_test),
	KUNIT_CASE(ring_layout_test),
	KUNIT_CASE(jitter_bucket_test),
	{}
};

static struct kunit_suite pl_ring_suite = {
	.name = "powerledger_ring",
	.test_cases = pl_ring_cases,
};
kunit_test_suite(pl_ring_suite);
