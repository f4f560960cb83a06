// SPDX-License-Identifier: GPL-2.0
/* KUnit: the sampler's backoff schedule on a stuck bus (backoff.c). */
#include <kunit/test.h>

#include "powerledger.h"

static void backoff_cap_test(struct kunit *test)
{
	/* PL_BACKOFF_MAX_NS (1 s) worth of periods, at least one */
	KUNIT_EXPECT_EQ(test, pl_backoff_cap(PL_PERIOD_DEFAULT_NS), 1000ULL);
	KUNIT_EXPECT_EQ(test, pl_backoff_cap(PL_PERIOD_MIN_NS), 10000ULL);
	KUNIT_EXPECT_EQ(test, pl_backoff_cap(PL_PERIOD_MAX_NS), 1ULL);
	KUNIT_EXPECT_EQ(test, pl_backoff_cap(300000000ULL), 3ULL);
	KUNIT_EXPECT_EQ(test, pl_backoff_cap(0), 1ULL);
}

static void backoff_schedule_test(struct kunit *test)
{
	static const u64 want[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000, 1000 };
	u64 skip = 0, sum = 0;
	int i;

	/* 1 kHz: doubling from 1, bounded by 1 s worth, staying there */
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		skip = pl_backoff_next(skip, PL_PERIOD_DEFAULT_NS);
		KUNIT_EXPECT_EQ_MSG(test, skip, want[i], "stuck sample %d", i + 1);
		sum += skip;
	}
	/* 13 attempts cover 4023 periods: far below one attempt per period */
	KUNIT_EXPECT_EQ(test, sum, 4023ULL);

	/* after a success (prev 0) it starts over */
	KUNIT_EXPECT_EQ(test, pl_backoff_next(0, PL_PERIOD_DEFAULT_NS), 1ULL);
	/* 1 s period: one period is already the bound */
	KUNIT_EXPECT_EQ(test, pl_backoff_next(0, PL_PERIOD_MAX_NS), 1ULL);
	KUNIT_EXPECT_EQ(test, pl_backoff_next(1, PL_PERIOD_MAX_NS), 1ULL);
	/* a bound that is no power of two is reached, not overshot */
	KUNIT_EXPECT_EQ(test, pl_backoff_next(2, 300000000ULL), 3ULL);
	KUNIT_EXPECT_EQ(test, pl_backoff_next(3, 300000000ULL), 3ULL);
	/* a period change shrinks the bound: the next skip obeys the new one */
	KUNIT_EXPECT_EQ(test, pl_backoff_next(512, 100000000ULL), 10ULL);
	/* no overflow from a huge previous skip */
	KUNIT_EXPECT_EQ(test, pl_backoff_next(U64_MAX, PL_PERIOD_MIN_NS), 10000ULL);
}

static struct kunit_case pl_backoff_cases[] = {
	KUNIT_CASE(backoff_cap_test),
	KUNIT_CASE(backoff_schedule_test),
	{}
};

static struct kunit_suite pl_backoff_suite = {
	.name = "powerledger_backoff",
	.test_cases = pl_backoff_cases,
};
kunit_test_suite(pl_backoff_suite);
