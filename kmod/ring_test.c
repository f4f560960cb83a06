// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ring index and overrun arithmetic, including hostile tails; the
 * real producer (pl_ring_write()) and the consumer slot.
 *
 * ring.c is compiled into this file rather than linked: the suites need its
 * static state and helpers (rings, get_consumer()), and 6.1 has no
 * VISIBLE_IF_KUNIT.  So the KUnit module must not also link kmod/ring.o.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "ring.c"

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

/*
 * Ring size for the pl_ring_write() suite: small enough to fill.  The test
 * thread is both producer and consumer there, so plain READ_ONCE() and
 * WRITE_ONCE() of head and tail need no barrier.
 */
#define TEST_SLOTS	64

static int ring_rw_init(struct kunit *test)
{
	ring_slots = TEST_SLOTS;
	return pl_ring_init();
}

static void ring_rw_exit(struct kunit *test)
{
	if (rings.consumer)
		pl_ring_release(rings.consumer);
	pl_ring_uninit();
}

static struct file *test_file(struct kunit *test, fmode_t mode)
{
	struct file *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f);
	f->f_mode = mode;
	return f;
}

/* The slot as pl_ring_mmap() takes it, without a vma. */
static int take_slot(struct file *f)
{
	int ret;

	mutex_lock(&rings.lock);
	ret = get_consumer(f);
	mutex_unlock(&rings.lock);
	return ret;
}

static struct pl_sample test_sample(u64 seq)
{
	struct pl_sample s = {
		.ts_ns = 1000000 * seq,
		.seq = seq,
		.dev_id = 7,
		.version = PL_SAMPLE_VERSION,
		.pin_uw = 250000000,
	};

	return s;
}

/* @n records with seq @first.. through pl_ring_write(), results in @ret. */
static void write_seq(u64 first, unsigned int n, int *ret)
{
	struct pl_sample s;
	unsigned int i;

	for (i = 0; i < n; i++) {
		s = test_sample(first + i);
		ret[i] = pl_ring_write(&s);
	}
}

/*
 * A sampler thread may migrate between records; the cases that follow one
 * ring must not.  Between pin() and unpin() no KUNIT_ASSERT (it would end
 * the test thread with migration disabled), only KUNIT_EXPECT.
 */
static int pin(void)
{
	migrate_disable();
	return raw_smp_processor_id();
}

static void unpin(void)
{
	migrate_enable();
}

static const void *slot_of(int cpu, u64 n)
{
	return rings.data + cpu * rings.ring_size +
	       (size_t)pl_ring_slot(n, rings.slots) * PL_SAMPLE_SIZE;
}

/* READ_ONCE() inside a function: a failing check then prints a readable expression. */
static u64 head_of(u32 ring)
{
	return READ_ONCE(rings.prod[ring].head);
}

static u64 lost_of(u32 ring)
{
	return READ_ONCE(rings.prod[ring].lost);
}

static u64 used_of(u32 ring)
{
	return pl_ring_used(head_of(ring), READ_ONCE(rings.cons[ring].tail));
}

static u64 heads_sum(void)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < rings.nr; i++)
		sum += head_of(i);
	return sum;
}

static void ring_write_no_consumer_test(struct kunit *test)
{
	int ret[2], cpu;

	cpu = pin();
	write_seq(0, 2, ret);
	KUNIT_EXPECT_EQ(test, ret[0], -ENODEV);
	KUNIT_EXPECT_EQ(test, ret[1], -ENODEV);
	/* not kept, not lost */
	KUNIT_EXPECT_EQ(test, heads_sum(), 0ULL);
	KUNIT_EXPECT_EQ(test, lost_of(cpu), 0ULL);
	unpin();
}

static void ring_write_fill_and_drain_test(struct kunit *test)
{
	struct file *f = test_file(test, FMODE_READ | FMODE_WRITE);
	int ret[TEST_SLOTS + 1], cpu, i;
	struct pl_sample s;

	KUNIT_ASSERT_EQ(test, rings.slots, (u32)TEST_SLOTS);
	KUNIT_ASSERT_EQ(test, take_slot(f), 1);
	cpu = pin();

	/* the ring fills: TEST_SLOTS records fit, the next is dropped and counted */
	write_seq(0, TEST_SLOTS + 1, ret);
	for (i = 0; i < TEST_SLOTS; i++)
		KUNIT_EXPECT_EQ(test, ret[i], 0);
	KUNIT_EXPECT_EQ(test, ret[TEST_SLOTS], -ENOSPC);
	KUNIT_EXPECT_EQ(test, head_of(cpu), (u64)TEST_SLOTS);
	KUNIT_EXPECT_EQ(test, lost_of(cpu), 1ULL);
	KUNIT_EXPECT_EQ(test, heads_sum(), (u64)TEST_SLOTS);
	for (i = 0; i < TEST_SLOTS; i++) {
		s = test_sample(i);
		KUNIT_EXPECT_EQ(test, memcmp(slot_of(cpu, i), &s, PL_SAMPLE_SIZE), 0);
	}

	/* the consumer frees 10 slots: 10 new records land in them, in order */
	WRITE_ONCE(rings.cons[cpu].tail, 10);
	write_seq(100, 11, ret);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, ret[i], 0);
	KUNIT_EXPECT_EQ(test, ret[10], -ENOSPC);
	KUNIT_EXPECT_EQ(test, head_of(cpu), (u64)TEST_SLOTS + 10);
	KUNIT_EXPECT_EQ(test, lost_of(cpu), 2ULL);
	for (i = 0; i < 10; i++) {
		s = test_sample(100 + i);
		KUNIT_EXPECT_EQ(test, memcmp(slot_of(cpu, TEST_SLOTS + i), &s, PL_SAMPLE_SIZE), 0);
	}
	/* records not yet consumed were not overwritten */
	s = test_sample(10);
	KUNIT_EXPECT_EQ(test, memcmp(slot_of(cpu, 10), &s, PL_SAMPLE_SIZE), 0);
	unpin();
	pl_ring_release(f);
}

static void ring_write_hostile_tail_test(struct kunit *test)
{
	static const u8 zero[PL_SAMPLE_SIZE];
	struct file *f = test_file(test, FMODE_READ | FMODE_WRITE);
	int ret[2], cpu;

	KUNIT_ASSERT_EQ(test, take_slot(f), 1);
	cpu = pin();
	/* tail ahead of head, then more than a ring behind: drop, count, write nothing */
	WRITE_ONCE(rings.cons[cpu].tail, 1);
	write_seq(0, 1, ret);
	WRITE_ONCE(rings.cons[cpu].tail, -(u64)TEST_SLOTS - 1);
	write_seq(1, 1, &ret[1]);
	KUNIT_EXPECT_EQ(test, ret[0], -ENOSPC);
	KUNIT_EXPECT_EQ(test, ret[1], -ENOSPC);
	KUNIT_EXPECT_EQ(test, head_of(cpu), 0ULL);
	KUNIT_EXPECT_EQ(test, lost_of(cpu), 2ULL);
	KUNIT_EXPECT_EQ(test, memcmp(slot_of(cpu, 0), zero, PL_SAMPLE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, memcmp(slot_of(cpu, U64_MAX), zero, PL_SAMPLE_SIZE), 0);
	unpin();
	pl_ring_release(f);
}

static void ring_consumer_handover_test(struct kunit *test)
{
	struct file *reader = test_file(test, FMODE_READ);
	struct file *a = test_file(test, FMODE_READ | FMODE_WRITE);
	struct file *b = test_file(test, FMODE_READ | FMODE_WRITE);
	int ret[3], cpu;
	u32 i;

	/* a reader never takes the slot, free or not, and records stay out */
	KUNIT_EXPECT_EQ(test, take_slot(reader), -EPERM);
	KUNIT_EXPECT_PTR_EQ(test, rings.consumer, (struct file *)NULL);
	write_seq(0, 1, ret);
	KUNIT_EXPECT_EQ(test, ret[0], -ENODEV);

	KUNIT_EXPECT_EQ(test, take_slot(a), 1);
	KUNIT_EXPECT_EQ(test, take_slot(a), 0);		/* a second mapping of a */
	KUNIT_EXPECT_EQ(test, take_slot(b), -EBUSY);
	KUNIT_EXPECT_EQ(test, take_slot(reader), -EPERM);
	KUNIT_EXPECT_PTR_EQ(test, rings.consumer, a);
	write_seq(0, 3, ret);
	KUNIT_EXPECT_EQ(test, ret[0], 0);
	KUNIT_EXPECT_EQ(test, heads_sum(), 3ULL);

	/* closing a file that is not the consumer changes nothing */
	pl_ring_release(b);
	pl_ring_release(reader);
	KUNIT_EXPECT_PTR_EQ(test, rings.consumer, a);
	write_seq(3, 1, ret);
	KUNIT_EXPECT_EQ(test, ret[0], 0);

	/* a gives the slot back: records stop, b may take it, a reader still not */
	pl_ring_release(a);
	KUNIT_EXPECT_PTR_EQ(test, rings.consumer, (struct file *)NULL);
	write_seq(4, 1, ret);
	KUNIT_EXPECT_EQ(test, ret[0], -ENODEV);
	KUNIT_EXPECT_EQ(test, heads_sum(), 4ULL);
	KUNIT_EXPECT_EQ(test, take_slot(reader), -EPERM);
	KUNIT_EXPECT_EQ(test, take_slot(b), 1);
	KUNIT_EXPECT_EQ(test, take_slot(a), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, rings.consumer, b);
	/* b starts with empty rings: what a left unread is skipped, not lost */
	for (i = 0; i < rings.nr; i++) {
		KUNIT_EXPECT_EQ(test, used_of(i), 0ULL);
		KUNIT_EXPECT_EQ(test, lost_of(i), 0ULL);
	}
	cpu = pin();
	write_seq(10, 1, ret);
	KUNIT_EXPECT_EQ(test, ret[0], 0);
	KUNIT_EXPECT_EQ(test, used_of(cpu), 1ULL);
	unpin();
	pl_ring_release(b);
	write_seq(11, 1, ret);
	KUNIT_EXPECT_EQ(test, ret[0], -ENODEV);
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

static struct kunit_case pl_ring_rw_cases[] = {
	KUNIT_CASE(ring_write_no_consumer_test),
	KUNIT_CASE(ring_write_fill_and_drain_test),
	KUNIT_CASE(ring_write_hostile_tail_test),
	KUNIT_CASE(ring_consumer_handover_test),
	{}
};

/* Each case gets fresh rings of TEST_SLOTS slots and no consumer. */
static struct kunit_suite pl_ring_rw_suite = {
	.name = "powerledger_ring_rw",
	.init = ring_rw_init,
	.exit = ring_rw_exit,
	.test_cases = pl_ring_rw_cases,
};
kunit_test_suites(&pl_ring_suite, &pl_ring_rw_suite);
