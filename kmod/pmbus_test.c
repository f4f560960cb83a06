// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: PMBus LINEAR11/LINEAR16 decoding, vectors computed by hand from
 * the PMBus 1.3 part II definitions and pmbus_core's scale-then-shift order;
 * pmbus.c's identification, PAGE check and sample transaction against a
 * fake PSU on a fake adapter.
 */
#include <kunit/test.h>
#include <linux/i2c.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/version.h>

#include "powerledger.h"
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
		s32 e = pl_linear11_exponent(raw), m = pl_linear11_mantissa(raw);
		s64 lsb = pl_linear_shift(PL_SCALE_MICRO, e);
		s64 err = back > vals_uw[i] ? back - vals_uw[i] : vals_uw[i] - back;

		/*
		 * The tolerance is one LSB of the exponent the encoder chose,
		 * so that exponent must be the smallest whose mantissa fits:
		 * then the mantissa is normalized (|m| >= 512; one exponent
		 * less would need |2m| >= 1024, which does not fit) unless it
		 * is already the smallest, -16.  A too large exponent (1 W as
		 * e=15, m=0) would make any error look like one LSB.
		 */
		KUNIT_EXPECT_TRUE_MSG(test, e == -16 || m >= 512 || m <= -512,
				      "value %lld raw 0x%04x: e=%d m=%d is not the smallest exponent",
				      vals_uw[i], raw, e, m);
		/* within one LSB of that exponent, plus floor rounding */
		KUNIT_EXPECT_LE_MSG(test, err, lsb + 1, "value %lld raw 0x%04x back %lld",
				    vals_uw[i], raw, back);
	}
	/* 450 W encodes exactly as a PSU would: e=-1, m=900 */
	KUNIT_EXPECT_EQ(test, pl_linear11_encode(450000000, PL_SCALE_MICRO), 0xfb84);
	/* 1 W: e=-9, m=512, not e=15, m=0 */
	KUNIT_EXPECT_EQ(test, pl_linear11_encode(1000000, PL_SCALE_MICRO), 0xba00);
	/* 100 uW: e=-16 (the finest LSB, 15.26 uW), m=6 (6.55 truncated) */
	KUNIT_EXPECT_EQ(test, pl_linear11_encode(100, PL_SCALE_MICRO), 0x8006);
	/* saturation */
	KUNIT_EXPECT_EQ(test, pl_linear11_encode(S64_MAX / 4, PL_SCALE_MICRO), 0x7bff);
	/* LINEAR16 */
	KUNIT_EXPECT_EQ(test, pl_linear16_encode(12000000, 0x17, PL_SCALE_MICRO), 0x1800);
	KUNIT_EXPECT_EQ(test, pl_linear16_encode(-5, 0x17, PL_SCALE_MICRO), 0);
	KUNIT_EXPECT_EQ(test, pl_linear16_encode(1000000000, 0x17, PL_SCALE_MICRO), 0xffff);
}

static void page_action_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pl_pmbus_page_action(0, 0), PL_PAGE_OK);
	KUNIT_EXPECT_EQ(test, pl_pmbus_page_action(3, 3), PL_PAGE_OK);
	/* someone else's page: restore and count */
	KUNIT_EXPECT_EQ(test, pl_pmbus_page_action(1, 0), PL_PAGE_RESTORE);
	KUNIT_EXPECT_EQ(test, pl_pmbus_page_action(0, 1), PL_PAGE_RESTORE);
	KUNIT_EXPECT_EQ(test, pl_pmbus_page_action(0xff, 0), PL_PAGE_RESTORE);
	/* unreadable: select ours blindly, nothing known to count */
	KUNIT_EXPECT_EQ(test, pl_pmbus_page_action(-ENXIO, 0), PL_PAGE_RESELECT);
	KUNIT_EXPECT_EQ(test, pl_pmbus_page_action(-EBADMSG, 1), PL_PAGE_RESELECT);
	/* the errors that mean a stuck bus, and only those */
	KUNIT_EXPECT_TRUE(test, pl_pmbus_err_stuck(-ETIMEDOUT));
	KUNIT_EXPECT_TRUE(test, pl_pmbus_err_stuck(-EAGAIN));
	KUNIT_EXPECT_FALSE(test, pl_pmbus_err_stuck(-ENXIO));
	KUNIT_EXPECT_FALSE(test, pl_pmbus_err_stuck(-EBADMSG));
	KUNIT_EXPECT_FALSE(test, pl_pmbus_err_stuck(-EIO));
	KUNIT_EXPECT_FALSE(test, pl_pmbus_err_stuck(0));
}

/*
 * A fake two-page PSU on a fake adapter (master_xfer only, so the i2c core
 * emulates SMBus on it, no PEC).  READ_PIN reads 450 W on page 0 and 100 W
 * on page 1, every other rail 25 units (VOUT 12 V); PAGE reads back and
 * takes writes; CAPABILITY and the like read 0.
 */
#define FAKE_PIN0	0xfb84	/* 450 W */
#define FAKE_PIN1	0x0064	/* 100 W: e=0, m=100 */

struct fake_psu {
	struct i2c_adapter adap;
	struct i2c_client client;
	struct pl_dev pd;
	u8 page;
	bool no_page;		/* PAGE NACKs, as on a single-page PSU */
	bool one_page;		/* PAGE accepts 0 only (NACKs other pages) */
	int fail_err;		/* failing transfers return this */
	unsigned long fail_xfers;	/* bit n: transfer n fails */
	bool fail_all;
	unsigned int xfers, page_writes;
	u8 cmd[16];		/* commands of the first transfers */
	u64 first_ns, last_ns;	/* when the first transfer began, the last ended */
};

static int fake_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	struct fake_psu *f = i2c_get_adapdata(adap);
	unsigned int n = f->xfers++;
	u8 cmd = msgs[0].len ? msgs[0].buf[0] : 0;
	u16 word = 0;
	int ret = num;

	if (!n)
		f->first_ns = ktime_get_ns();
	if (n < ARRAY_SIZE(f->cmd))
		f->cmd[n] = cmd;
	if (f->fail_all || (n < BITS_PER_LONG && (f->fail_xfers & BIT(n)))) {
		ret = f->fail_err;
		goto out;
	}
	if (cmd == PMBUS_PAGE && f->no_page) {
		ret = -ENXIO;
		goto out;
	}
	if (cmd == PMBUS_PAGE && f->one_page && num == 1 && msgs[0].len == 2 && msgs[0].buf[1]) {
		ret = -ENXIO;
		goto out;
	}
	if (num == 1 && !(msgs[0].flags & I2C_M_RD)) {
		if (cmd == PMBUS_PAGE && msgs[0].len == 2) {
			f->page = msgs[0].buf[1];
			f->page_writes++;
		}
		goto out;
	}
	if (num != 2 || !(msgs[1].flags & I2C_M_RD) || !msgs[1].len) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	switch (cmd) {
	case PMBUS_PAGE:
		word = f->page;
		break;
	case PMBUS_VOUT_MODE:
		word = 0x17;
		break;
	case PMBUS_READ_PIN:
		word = f->page ? FAKE_PIN1 : FAKE_PIN0;
		break;
	case PMBUS_READ_VOUT:
		word = 0x1800;
		break;
	case PMBUS_READ_VIN:
	case PMBUS_READ_IIN:
	case PMBUS_READ_IOUT:
	case PMBUS_READ_POUT:
	case PMBUS_READ_TEMPERATURE_1:
		word = 0xf064;
		break;
	}
	msgs[1].buf[0] = word & 0xff;
	if (msgs[1].len > 1)
		msgs[1].buf[1] = word >> 8;
out:
	f->last_ns = ktime_get_ns();
	return ret;
}

static u32 fake_func(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
}

static const struct i2c_algorithm fake_algo = {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	.xfer		= fake_xfer,
#else
	.master_xfer	= fake_xfer,
#endif
	.functionality	= fake_func,
};

static int fake_init(struct kunit *test)
{
	struct fake_psu *f;
	int ret;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->adap.owner = THIS_MODULE;
	f->adap.algo = &fake_algo;
	strscpy(f->adap.name, "powerledger-kunit-fake", sizeof(f->adap.name));
	i2c_set_adapdata(&f->adap, f);
	ret = i2c_add_adapter(&f->adap);
	if (ret)
		return ret;
	/* Not registered: pmbus.c only needs its adapter, address and flags. */
	f->client.adapter = &f->adap;
	f->client.addr = 0x58;
	f->pd.client = &f->client;
	f->pd.vout_mode = 0x17;
	f->pd.rails = __PL_RAIL_ALL;
	f->pd.read_rails = __PL_RAIL_ALL;
	f->pd.flags = PL_DEV_F_PAGE_CHECK;
	test->priv = f;
	return 0;
}

static void fake_exit(struct kunit *test)
{
	struct fake_psu *f = test->priv;

	i2c_del_adapter(&f->adap);
}

static void fake_reset(struct fake_psu *f)
{
	f->xfers = 0;
	f->page_writes = 0;
	f->fail_all = false;
	f->fail_xfers = 0;
	memset(f->cmd, 0, sizeof(f->cmd));
}

static void identify_page_check_test(struct kunit *test)
{
	struct fake_psu *f = test->priv;

	f->pd.flags = 0;
	KUNIT_ASSERT_EQ(test, pl_pmbus_identify(&f->pd), 0);
	KUNIT_EXPECT_EQ(test, f->pd.rails, (u32)__PL_RAIL_ALL);
	KUNIT_EXPECT_TRUE(test, f->pd.flags & PL_DEV_F_PAGE_CHECK);

	/* a PSU that accepts only PAGE 0: no other page to lose, nothing to check */
	f->pd.flags = 0;
	f->pd.rails = 0;
	f->one_page = true;
	KUNIT_ASSERT_EQ(test, pl_pmbus_identify(&f->pd), 0);
	KUNIT_EXPECT_FALSE(test, f->pd.flags & PL_DEV_F_PAGE_CHECK);
	KUNIT_EXPECT_EQ(test, f->page, 0);
	f->one_page = false;

	/* a PSU without PAGE, sampled on page 0: nothing to check */
	f->pd.flags = 0;
	f->pd.rails = 0;
	f->no_page = true;
	KUNIT_ASSERT_EQ(test, pl_pmbus_identify(&f->pd), 0);
	KUNIT_EXPECT_FALSE(test, f->pd.flags & PL_DEV_F_PAGE_CHECK);
}

/* Page right: PAGE read, 7 rails, STATUS_WORD (seq 0), nothing written. */
static void read_sample_test(struct kunit *test)
{
	struct fake_psu *f = test->priv;
	struct pl_pmbus_result res;
	struct pl_sample s = {};
	u64 before = ktime_get_ns();

	pl_pmbus_read_sample(&f->pd, &s, &res);
	KUNIT_EXPECT_EQ(test, res.nerr, 0U);
	KUNIT_EXPECT_FALSE(test, res.page_restored);
	KUNIT_EXPECT_FALSE(test, res.stuck);
	KUNIT_EXPECT_EQ(test, f->xfers, 9U);
	KUNIT_EXPECT_EQ(test, f->cmd[0], (u8)PMBUS_PAGE);
	KUNIT_EXPECT_EQ(test, f->page_writes, 0U);
	KUNIT_EXPECT_EQ(test, s.rails, (u32)__PL_RAIL_ALL);
	KUNIT_EXPECT_EQ(test, s.pin_uw, 450000000LL);
	KUNIT_EXPECT_EQ(test, s.flags, (u32)PL_SF_STATUS);
	/* ts_ns right before the first transfer; read_ns to the end of the last */
	KUNIT_EXPECT_GE(test, s.ts_ns, before);
	KUNIT_EXPECT_LE(test, s.ts_ns, f->first_ns);
	KUNIT_EXPECT_GE(test, s.ts_ns + s.read_ns, f->last_ns);
}

/* Someone selected page 1: restored before the reads, flagged, reads from page 0. */
static void read_sample_page_restore_test(struct kunit *test)
{
	struct fake_psu *f = test->priv;
	struct pl_pmbus_result res;
	struct pl_sample s = { .seq = 1 };

	f->page = 1;
	pl_pmbus_read_sample(&f->pd, &s, &res);
	KUNIT_EXPECT_TRUE(test, res.page_restored);
	KUNIT_EXPECT_EQ(test, res.nerr, 0U);
	/* theirs again afterwards: they may read in their next transaction */
	KUNIT_EXPECT_EQ(test, f->page, 1);
	KUNIT_EXPECT_EQ(test, f->page_writes, 2U);
	KUNIT_EXPECT_EQ(test, f->cmd[0], (u8)PMBUS_PAGE);	/* read */
	KUNIT_EXPECT_EQ(test, f->cmd[1], (u8)PMBUS_PAGE);	/* write ours */
	KUNIT_EXPECT_EQ(test, f->cmd[9], (u8)PMBUS_PAGE);	/* write theirs back, last */
	KUNIT_EXPECT_EQ(test, s.pin_uw, 450000000LL);
	KUNIT_EXPECT_EQ(test, s.page, 0);
	KUNIT_EXPECT_TRUE(test, s.flags & PL_SF_PAGE_RESTORED);
	KUNIT_EXPECT_EQ(test, f->xfers, 10U);	/* no STATUS_WORD at seq 1 */

	/* sampling page 1 on purpose: page 1's values, no repair */
	fake_reset(f);
	f->pd.page = 1;
	f->page = 1;
	memset(&s, 0, sizeof(s));
	s.seq = 1;
	pl_pmbus_read_sample(&f->pd, &s, &res);
	KUNIT_EXPECT_FALSE(test, res.page_restored);
	KUNIT_EXPECT_EQ(test, s.pin_uw, 100000000LL);

	/* without PL_DEV_F_PAGE_CHECK nothing touches PAGE */
	fake_reset(f);
	f->pd.flags = 0;
	f->page = 0;
	memset(&s, 0, sizeof(s));
	s.seq = 1;
	pl_pmbus_read_sample(&f->pd, &s, &res);
	KUNIT_EXPECT_EQ(test, f->xfers, 7U);
	KUNIT_EXPECT_EQ(test, f->cmd[0], (u8)PMBUS_READ_VIN);
}

/* An unreadable PAGE is written blindly and counted as an error, not a repair. */
static void read_sample_page_error_test(struct kunit *test)
{
	struct fake_psu *f = test->priv;
	struct pl_pmbus_result res;
	struct pl_sample s = { .seq = 1 };

	f->fail_err = -ENXIO;
	f->fail_xfers = BIT(0);
	pl_pmbus_read_sample(&f->pd, &s, &res);
	KUNIT_EXPECT_FALSE(test, res.page_restored);
	KUNIT_EXPECT_FALSE(test, res.stuck);
	KUNIT_ASSERT_EQ(test, res.nerr, 1U);
	KUNIT_EXPECT_EQ(test, res.errs[0].reg, (u8)PMBUS_PAGE);
	KUNIT_EXPECT_EQ(test, res.errs[0].err, -ENXIO);
	KUNIT_EXPECT_EQ(test, f->page_writes, 1U);
	KUNIT_EXPECT_EQ(test, s.rails, (u32)__PL_RAIL_ALL);

	/* ... and when that write fails too, nothing is read from an unknown page */
	fake_reset(f);
	f->fail_xfers = BIT(0) | BIT(1);
	memset(&s, 0, sizeof(s));
	s.seq = 1;
	pl_pmbus_read_sample(&f->pd, &s, &res);
	KUNIT_EXPECT_EQ(test, res.nerr, 2U);
	KUNIT_EXPECT_EQ(test, f->xfers, 2U);
	KUNIT_EXPECT_EQ(test, s.rails, 0U);
}

/* A stuck bus: the first timeout ends the sample, one transfer in all. */
static void read_sample_stuck_test(struct kunit *test)
{
	struct fake_psu *f = test->priv;
	struct pl_pmbus_result res;
	struct pl_sample s = {};

	f->fail_all = true;
	f->fail_err = -ETIMEDOUT;
	pl_pmbus_read_sample(&f->pd, &s, &res);
	KUNIT_EXPECT_TRUE(test, res.stuck);
	KUNIT_EXPECT_EQ(test, res.nerr, 1U);
	KUNIT_EXPECT_EQ(test, f->xfers, 1U);
	KUNIT_EXPECT_EQ(test, s.rails, 0U);

	/* stuck in the middle of the rails: the rest abandoned, no STATUS_WORD */
	fake_reset(f);
	f->fail_xfers = BIT(3);
	memset(&s, 0, sizeof(s));
	pl_pmbus_read_sample(&f->pd, &s, &res);
	KUNIT_EXPECT_TRUE(test, res.stuck);
	KUNIT_EXPECT_EQ(test, f->xfers, 4U);
	KUNIT_EXPECT_EQ(test, s.rails, (u32)(PL_RAIL_VIN | PL_RAIL_IIN));
	KUNIT_EXPECT_FALSE(test, s.flags & PL_SF_STATUS);

	/* a NACK is no stuck bus: the other rails are still read */
	fake_reset(f);
	f->fail_err = -ENXIO;
	f->fail_xfers = BIT(3);
	memset(&s, 0, sizeof(s));
	s.seq = 1;
	pl_pmbus_read_sample(&f->pd, &s, &res);
	KUNIT_EXPECT_FALSE(test, res.stuck);
	KUNIT_EXPECT_EQ(test, res.nerr, 1U);
	KUNIT_EXPECT_EQ(test, s.rails, (u32)(__PL_RAIL_ALL & ~PL_RAIL_VOUT));
}

static struct kunit_case pl_pmbus_cases[] = {
	KUNIT_CASE(linear11_decode_test),
	KUNIT_CASE(linear11_fields_test),
	KUNIT_CASE(linear16_decode_test),
	KUNIT_CASE(linear11_encode_roundtrip_test),
	KUNIT_CASE(page_action_test),
	{}
};

static struct kunit_suite pl_pmbus_suite = {
	.name = "powerledger_pmbus",
	.test_cases = pl_pmbus_cases,
};

static struct kunit_case pl_pmbus_bus_cases[] = {
	KUNIT_CASE(identify_page_check_test),
	KUNIT_CASE(read_sample_test),
	KUNIT_CASE(read_sample_page_restore_test),
	KUNIT_CASE(read_sample_page_error_test),
	KUNIT_CASE(read_sample_stuck_test),
	{}
};

static struct kunit_suite pl_pmbus_bus_suite = {
	.name = "powerledger_pmbus_bus",
	.init = fake_init,
	.exit = fake_exit,
	.test_cases = pl_pmbus_bus_cases,
};
kunit_test_suites(&pl_pmbus_suite, &pl_pmbus_bus_suite);
