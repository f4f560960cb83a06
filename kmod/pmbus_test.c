// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: PMBus LINEAR11/LINEAR16 decoding, vectors computed by hand from
 * the PMBus 1.3 part II definitions and pmbus_core's scale-then-shift order.
 */
#include <kunit/test.h>

#include "pmbus_linear.h"

struct lin_vec {
	u16 raw;
	s64 scale;
	s64 want;
	const char *what;
};

static const struct lin_vec linear11_vecs[] = {
	{ 0x0000, PL_SCALE_MICRO, 0, "zero" },
	/* e=-2 (11110b), m=100: 25.0 */
	{ 0xf064, PL_SCALE_MICRO, 25000000, "e-2 m100" },
	/* e=-2, m=-100 (0x79c): -25.0 */
	{ 0xf79c, PL_SCALE_MICRO, -25000000, "e-2 m-100" },
	/* e=-3, m=-1: -0.125 exactly */
	{ 0xefff, PL_SCALE_MICRO, -125000, "e-3 m-1" },
	/* e=-16, m=-3: -3e6/65536 = -45.776.. -> arithmetic shift floors to -46 */
	{ 0x87fd, PL_SCALE_MICRO, -46, "e-16 m-3 floors" },
	/* e=-16, m=3: 45.776.. -> 45 */
	{ 0x8003, PL_SCALE_MICRO, 45, "e-16 m3 truncates" },
	/* e=3, m=1023: 8184 */
	{ 0x1bff, PL_SCALE_MICRO, 8184000000LL, "e3 m1023" },
	/* e=15, m=1023: 1023 * 32768 = 33521664 */
	{ 0x7bff, PL_SCALE_MICRO, 33521664000000LL, "e15 max" },
	/* e=15, m=-1024: most negative */
	{ 0x7c00, PL_SCALE_MICRO, -33554432000000LL, "e15 min" },
	/* 450 W as a PSU reports it: e=-1, m=900 */
	{ 0xfb84, PL_SCALE_MICRO, 450000000, "450 W" },
	/* 40 degC: e=-4, m=640, millidegree */
	{ 0xe280, PL_SCALE_MILLI, 40000, "40 C" },
	/* -12.5 degC: e=-1, m=-25 (0x7e7) */
	{ 0xffe7, PL_SCALE_MILLI, -12500, "-12.5 C" },
};

static void linear11_decode_test(struct kunit *test)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(linear11_vecs); i++) {
		const struct lin_vec *v = &linear11_vecs[i];

		KUNIT_EXPECT_EQ_MSG(test, pl_linear11_decode(v->raw, v->scale), v->want,
				    "raw 0x%04x (%s)", v->raw, v->what);
	}
}

static void linear11_fields_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pl_linear11_exponent(0xf064), -2);
	KUNIT_EXPECT_EQ(test, pl_linear11_mantissa(0xf064), 100);
	KUNIT_EXPECT_EQ(test, pl_linear11_exponent(0x7800), 15);
	KUNIT_EXPECT_EQ(test, pl_linear11_exponent(0x8000), -16);
	KUNIT_EXPECT_EQ(test, pl_linear11_mantissa(0x0400), -1024);
	KUNIT_EXPECT_EQ(test, pl_linear11_mantissa(0x03ff), 1023);
}

static void linear16_decode_test(struct kunit *test)
{
	/* VOUT_MODE 0x17: linear, exponent 10111b = -9 */
	KUNIT_EXPECT_EQ(test, pl_vout_mode_exponent(0x17), -9);
	KUNIT_EXPECT_EQ(test, pl_linear16_decode(0x1800, 0x17, PL_SCALE_MICRO), 12000000);
	/* 65535 * 1e6 / 512 = 127998046.875 -> 127998046 */
	KUNIT_EXPECT_EQ(test, pl_linear16_decode(0xffff, 0x17, PL_SCALE_MICRO), 127998046);
	/* mantissa is unsigned: 0x8000 is +64 V, not negative */
	KUNIT_EXPECT_EQ(test, pl_linear16_decode(0x8000, 0x17, PL_SCALE_MICRO), 64000000);
	/* exponent 0 and +1 */
	KUNIT_EXPECT_EQ(test, pl_linear16_decode(5, 0x00, PL_SCALE_MICRO), 5000000);
	KUNIT_EXPECT_EQ(test, pl_linear16_decode(5, 0x01, PL_SCALE_MICRO), 10000000);
	/* exponent -12 (10100b = 0x14): 3300 / 4096 V = 0.805664.. V -> 805664 uV */
	KUNIT_EXPECT_EQ(test, pl_linear16_decode(3300, 0x14, PL_SCALE_MICRO), 805664);
}

static void linear11_encode_roundtrip_test(struct kunit *test)
{
	static const s64 vals_uw[] = {
		0, 1000000, 450000000, 2850000000LL, -25000000, 12345678, 999,
		-1, 33521664000000LL,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(vals_uw); i++) {
		u16 raw = pl_linear11_encode(vals_uw[i], PL_SCALE_MICRO);
		s64 back = pl_linear11_decode(raw, PL_SCALE_MICRO);
		s64 lsb = pl_linear_shift(PL_SCALE_MICRO, pl_linear11_exponent(raw));
		s64 err = back > vals_uw[i] ? back - vals_uw[i] : vals_uw[i] - back;

		/* within one LSB of the chosen exponent, plus floor rounding */
		KUNIT_EXPECT_LE_MSG(test, err, lsb + 1, "value %lld raw 0x%04x back %lld",
				    vals_uw[i], raw, back);
	}
	/* 450 W encodes exactly as a PSU would: e=-1, m=900 */
	KUNIT_EXPECT_EQ(test, pl_linear11_encode(450000000, PL_SCALE_MICRO), 0xfb84);
	/* saturation */
	KUNIT_EXPECT_EQ(test, pl_linear11_encode(S64_MAX / 4, PL_SCALE_MICRO), 0x7bff);
	/* LINEAR16 */
	KUNIT_EXPECT_EQ(test, pl_linear16_encode(12000000, 0x17, PL_SCALE_MICRO), 0x1800);
	KUNIT_EXPECT_EQ(test, pl_linear16_encode(-5, 0x17, PL_SCALE_MICRO), 0);
	KUNIT_EXPECT_EQ(test, pl_linear16_encode(1000000000, 0x17, PL_SCALE_MICRO), 0xffff);
}

static struct kunit_case pl_pmbus_cases[] = {
	KUNIT_CASE(linear11_decode_test),
	KUNIT_CASE(linear11_fields_test),
	KUNIT_CASE(linear16_decode_test),
	KUNIT_CASE(linear11_encode_roundtrip_test),
	{}
};

static struct kunit_suite pl_pmbus_suite = {
	.name = "powerledger_pmbus",
	.test_cases = pl_pmbus_cases,
};
kunit_test_suite(pl_pmbus_suite);
