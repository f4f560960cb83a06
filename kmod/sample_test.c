// SPDX-License-Identifier: GPL-2.0
/* KUnit: the record layout (ABI) and packing raw words into it. */
#include <kunit/test.h>
#include <linux/stddef.h>

#include "powerledger.h"
#include "pmbus_linear.h"

static void sample_layout_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct pl_sample), (size_t)PL_SAMPLE_SIZE);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, ts_ns), (size_t)0);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, seq), (size_t)8);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, dev_id), (size_t)16);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, flags), (size_t)20);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, rails), (size_t)24);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, status_word), (size_t)28);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, page), (size_t)30);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, version), (size_t)31);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, vin_uv), (size_t)32);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, pin_uw), (size_t)72);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, temp_mc), (size_t)80);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, read_ns), (size_t)84);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, gpu_pid), (size_t)92);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, gpu_ctx), (size_t)96);
	KUNIT_EXPECT_EQ(test, offsetof(struct pl_sample, reserved), (size_t)104);
	KUNIT_EXPECT_EQ(test, sizeof(struct pl_stats) % 8, (size_t)0);
	KUNIT_EXPECT_EQ(test, sizeof(struct pl_info) % 8, (size_t)0);
}

static void sample_pack_rails_test(struct kunit *test)
{
	struct pl_sample s = {};

	KUNIT_EXPECT_EQ(test, pl_sample_set_rail(&s, PL_RAIL_PIN, 0xfb84, 0x17), 0);	/* 450 W */
	KUNIT_EXPECT_EQ(test, pl_sample_set_rail(&s, PL_RAIL_VIN, 0x0b98, 0x17), 0);	/* e=1 m=920: 1840 V */
	KUNIT_EXPECT_EQ(test, pl_sample_set_rail(&s, PL_RAIL_VOUT, 0x1800, 0x17), 0);	/* 12 V */
	KUNIT_EXPECT_EQ(test, pl_sample_set_rail(&s, PL_RAIL_IOUT, 0xf064, 0x17), 0);	/* 25 A */
	KUNIT_EXPECT_EQ(test, pl_sample_set_rail(&s, PL_RAIL_TEMP, 0xe280, 0x17), 0);	/* 40 C */

	KUNIT_EXPECT_EQ(test, s.pin_uw, 450000000LL);
	KUNIT_EXPECT_EQ(test, s.vin_uv, 1840000000LL);
	KUNIT_EXPECT_EQ(test, s.vout_uv, 12000000LL);
	KUNIT_EXPECT_EQ(test, s.iout_ua, 25000000LL);
	KUNIT_EXPECT_EQ(test, s.temp_mc, 40000);
	KUNIT_EXPECT_EQ(test, s.rails, (u32)(PL_RAIL_PIN | PL_RAIL_VIN | PL_RAIL_VOUT |
					     PL_RAIL_IOUT | PL_RAIL_TEMP));
	/* untouched rails stay zero and unflagged */
	KUNIT_EXPECT_EQ(test, s.iin_ua, 0LL);
	KUNIT_EXPECT_EQ(test, s.pout_uw, 0LL);
	KUNIT_EXPECT_EQ(test, pl_sample_rail_value(&s, PL_RAIL_PIN), 450000000LL);
	KUNIT_EXPECT_EQ(test, pl_sample_rail_value(&s, PL_RAIL_TEMP), 40000LL);
}

static void sample_pack_rejects_test(struct kunit *test)
{
	struct pl_sample s = {};

	/* unknown rail: nothing written */
	KUNIT_EXPECT_EQ(test, pl_sample_set_rail(&s, 1U << 20, 0x1234, 0x17), -EINVAL);
	KUNIT_EXPECT_EQ(test, s.rails, 0U);
	/* VOUT in VID mode (VOUT_MODE 001xxxxx) is not decoded */
	KUNIT_EXPECT_EQ(test, pl_sample_set_rail(&s, PL_RAIL_VOUT, 0x1800, 0x20), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, s.rails, 0U);
	KUNIT_EXPECT_EQ(test, s.vout_uv, 0LL);
	KUNIT_EXPECT_EQ(test, pl_sample_rail_value(&s, 1U << 20), 0LL);
}

static struct kunit_case pl_sample_cases[] = {
	KUNIT_CASE(sample_layout_test),
	KUNIT_CASE(sample_pack_rails_test),
	KUNIT_CASE(sample_pack_rejects_test),
	{}
};

static struct kunit_suite pl_sample_suite = {
	.name = "powerledger_sample",
	.test_cases = pl_sample_cases,
};
kunit_test_suite(pl_sample_suite);
