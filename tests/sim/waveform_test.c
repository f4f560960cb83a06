// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the simulator's waveforms (waveform.h), the same code the
 * module runs:
 *
 *	cc -I../../kmod -o waveform_test waveform_test.c && ./waveform_test
 *
 * Over the first 20 s of every waveform, on both pages: piecewise constant
 * with segments of at least 2 ms, physically consistent, the shapes
 * waveform.h documents, distinct from each other, and every rail surviving
 * a PMBus encode/decode trip within one LSB.  Ends with
 * "waveform: N passed, M failed"; exit status 0 only when M is 0.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmbus_linear.h"
#include "waveform.h"

#define SPAN_MS		20000ULL		/* the window every check covers */
#define LATE_MS		(86400ULL * 1000)	/* a second window, 1 day in */
#define LATE_SPAN_MS	2000ULL
#define NS(ms)		((ms) * PL_SIM_NS_PER_MS)
#define VOUT_MODE	0x17			/* what the simulator reports */
#define MAX_REPORTS	20

static unsigned int checks_failed;

/* Records a failed check with its context; the test goes on. */
#define CHECK(cond, fmt, ...)							\
	do {									\
		if (!(cond)) {							\
			if (++checks_failed <= MAX_REPORTS)			\
				fprintf(stderr, "%s:%d: %s: " fmt "\n",	\
					__FILE__, __LINE__, #cond,		\
					##__VA_ARGS__);				\
		}								\
	} while (0)

static const struct pl_sim_wave *wave(unsigned int id)
{
	return pl_sim_wave_get(id);
}

static void eval_ms(unsigned int id, u64 t_ms, u8 page, struct pl_sim_rails *r)
{
	memset(r, 0, sizeof(*r));
	pl_sim_wave_eval(wave(id), NS(t_ms), page, r);
}

static bool rails_eq(const struct pl_sim_rails *a, const struct pl_sim_rails *b)
{
	return a->vin_uv == b->vin_uv && a->iin_ua == b->iin_ua &&
	       a->vout_uv == b->vout_uv && a->iout_ua == b->iout_ua &&
	       a->pout_uw == b->pout_uw && a->pin_uw == b->pin_uw &&
	       a->temp_mc == b->temp_mc;
}

static void test_names(void)
{
	static const char *const names[] = { "flat", "bursty", "miner", "step" };
	unsigned int i;

	CHECK(__PL_SIM_WAVE_MAX == 4, "%d waveforms", __PL_SIM_WAVE_MAX);
	for (i = 0; i < __PL_SIM_WAVE_MAX; i++) {
		CHECK(wave(i) && wave(i)->id == i, "id %u", i);
		CHECK(!strcmp(wave(i)->name, names[i]), "%s", wave(i)->name);
		CHECK(pl_sim_wave_find(names[i]) == wave(i), "%s", names[i]);
	}
	CHECK(!pl_sim_wave_get(__PL_SIM_WAVE_MAX), "out of range");
	CHECK(!pl_sim_wave_find("Flat") && !pl_sim_wave_find("flat\n") &&
	      !pl_sim_wave_find(""), "find is exact");
}

/* The fault PRNG is plain splitmix64: the published outputs for seed 0. */
static void test_prng(void)
{
	static const u64 ref[] = {
		0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL, 0x06c45d188009454fULL,
	};
	unsigned int i, fired = 0;

	for (i = 0; i < 3; i++)
		CHECK(pl_sim_splitmix64(0, i) == ref[i], "draw %u", i);

	CHECK(pl_sim_ppm_draw(0) == 0, "min");
	CHECK(pl_sim_ppm_draw(~0ULL) == 999999, "max %u", pl_sim_ppm_draw(~0ULL));
	for (i = 0; i < 100000; i++)
		fired += pl_sim_ppm_draw(pl_sim_splitmix64(42, i)) < 250000;
	CHECK(fired > 24000 && fired < 26000, "250000 ppm fired %u of 100000", fired);
}

/*
 * Piecewise constant, segments >= 2 ms: each millisecond is constant
 * (checked at its first, last and a pseudo-random nanosecond), and runs of
 * equal milliseconds last at least PL_SIM_SEGMENT_MIN_MS.
 */
static void check_segments(unsigned int id, u8 page, u64 from_ms, u64 span_ms)
{
	struct pl_sim_rails cur, prev, r;
	u64 t, run_start = from_ms, off;
	bool first_run = true;

	for (t = from_ms; t < from_ms + span_ms; t++) {
		eval_ms(id, t, page, &cur);
		off = pl_sim_splitmix64(t, page) % PL_SIM_NS_PER_MS;
		memset(&r, 0, sizeof(r));
		pl_sim_wave_eval(wave(id), NS(t) + off, page, &r);
		CHECK(rails_eq(&cur, &r), "%s page %u: %llu ms + %llu ns",
		      wave(id)->name, page, (unsigned long long)t, (unsigned long long)off);
		memset(&r, 0, sizeof(r));
		pl_sim_wave_eval(wave(id), NS(t + 1) - 1, page, &r);
		CHECK(rails_eq(&cur, &r), "%s page %u: end of %llu ms",
		      wave(id)->name, page, (unsigned long long)t);

		if (t > from_ms && !rails_eq(&cur, &prev)) {
			/* a window starting mid-segment cuts its first run short */
			CHECK((first_run && from_ms) ||
			      t - run_start >= PL_SIM_SEGMENT_MIN_MS,
			      "%s page %u: segment %llu..%llu ms", wave(id)->name, page,
			      (unsigned long long)run_start, (unsigned long long)t);
			run_start = t;
			first_run = false;
		}
		prev = cur;
	}
}

static void test_segments(void)
{
	unsigned int id;
	u8 page;

	for (id = 0; id < __PL_SIM_WAVE_MAX; id++) {
		for (page = 0; page < PL_SIM_PAGES; page++) {
			check_segments(id, page, 0, SPAN_MS);
			check_segments(id, page, LATE_MS, LATE_SPAN_MS);
		}
	}
}

static void check_physics(unsigned int id, u8 page, u64 t_ms)
{
	struct pl_sim_rails r;

	eval_ms(id, t_ms, page, &r);
	CHECK(r.vin_uv > 0 && r.vout_uv > 0 && r.pin_uw > 0, "%s %llu ms",
	      wave(id)->name, (unsigned long long)t_ms);
	if (r.vin_uv <= 0 || r.vout_uv <= 0)
		return;
	CHECK(r.iin_ua == r.pin_uw * 1000000 / r.vin_uv, "%s iin %lld",
	      wave(id)->name, (long long)r.iin_ua);
	CHECK(r.pout_uw == r.pin_uw * PL_SIM_EFFICIENCY_PCT / 100, "%s pout %lld",
	      wave(id)->name, (long long)r.pout_uw);
	CHECK(r.pout_uw < r.pin_uw, "%s efficiency", wave(id)->name);
	CHECK(r.iout_ua == r.pout_uw * 1000000 / r.vout_uv, "%s iout %lld",
	      wave(id)->name, (long long)r.iout_ua);
	CHECK(r.vout_uv == (page == 1 ? 5000000 : 12000000), "%s vout %lld",
	      wave(id)->name, (long long)r.vout_uv);
	CHECK(r.temp_mc > 20000 && r.temp_mc < 90000, "%s temp %d",
	      wave(id)->name, r.temp_mc);
	CHECK(r.pin_uw <= 3000000000LL, "%s pin %lld above a 3 kW PSU",
	      wave(id)->name, (long long)r.pin_uw);
}

static void test_physics(void)
{
	unsigned int id;
	u64 t;
	u8 page;

	for (id = 0; id < __PL_SIM_WAVE_MAX; id++)
		for (page = 0; page < PL_SIM_PAGES; page++)
			for (t = 0; t < SPAN_MS; t++)
				check_physics(id, page, t);
}

/* Page 1: a quarter of page 0's input power at 5 V; other pages read as 0. */
static void test_pages(void)
{
	struct pl_sim_rails p0, p1, p2;
	unsigned int id;
	u64 t;

	for (id = 0; id < __PL_SIM_WAVE_MAX; id++) {
		for (t = 0; t < SPAN_MS; t += 7) {
			eval_ms(id, t, 0, &p0);
			eval_ms(id, t, 1, &p1);
			eval_ms(id, t, 2, &p2);
			CHECK(p1.pin_uw == p0.pin_uw / 4 && p1.vin_uv == p0.vin_uv &&
			      p1.temp_mc == p0.temp_mc - 5000, "%s %llu ms",
			      wave(id)->name, (unsigned long long)t);
			CHECK(rails_eq(&p0, &p2), "%s page 2", wave(id)->name);
		}
	}
}

static void test_flat(void)
{
	static const u64 at_ns[] = { 0, 1, 2999999999ULL, 3000000000ULL, NS(LATE_MS) };
	struct pl_sim_rails r;
	unsigned int i;

	for (i = 0; i < sizeof(at_ns) / sizeof(at_ns[0]); i++) {
		pl_sim_wave_eval(wave(PL_SIM_FLAT), at_ns[i], 0, &r);
		CHECK(r.pin_uw == 450000000 && r.vin_uv == 230000000 &&
		      r.vout_uv == 12000000 && r.temp_mc == 40000, "t %llu",
		      (unsigned long long)at_ns[i]);
	}
	/* NULL reads as flat */
	pl_sim_wave_eval(NULL, 12345, 0, &r);
	CHECK(r.pin_uw == 450000000, "NULL wave");
}

/* Sum of squared deviations * 10^k < mean^2 * n, in mW (no overflow). */
static void pin_stats(unsigned int id, s64 *mean_mw, s64 *sq_dev_sum, s64 *n)
{
	struct pl_sim_rails r;
	s64 sum = 0, d;
	u64 t;

	*sq_dev_sum = 0;
	*n = SPAN_MS;
	for (t = 0; t < SPAN_MS; t++) {
		eval_ms(id, t, 0, &r);
		sum += r.pin_uw / 1000;
	}
	*mean_mw = sum / *n;
	for (t = 0; t < SPAN_MS; t++) {
		eval_ms(id, t, 0, &r);
		d = r.pin_uw / 1000 - *mean_mw;
		*sq_dev_sum += d * d;
	}
}

#define BUSY_UW	500000000LL	/* between the idle and the burst levels */

static void test_bursty(void)
{
	struct pl_sim_rails r;
	s64 mean, sq, n, w;
	u64 t, run_start = 0, bursts = 0;
	bool busy, prev_busy = false;

	for (t = 0; t < SPAN_MS; t++) {
		eval_ms(PL_SIM_BURSTY, t, 0, &r);
		w = r.pin_uw / 1000000;
		busy = r.pin_uw > BUSY_UW;
		CHECK(r.pin_uw % 1000000 == 0, "whole watts %lld", (long long)r.pin_uw);
		if (busy)
			CHECK(w >= 650 && w <= 700 && r.temp_mc == 55000,
			      "%llu ms: burst %lld W", (unsigned long long)t, (long long)w);
		else
			CHECK(w >= 290 && w <= 310 && r.temp_mc == 45000,
			      "%llu ms: idle %lld W", (unsigned long long)t, (long long)w);
		CHECK(r.vin_uv == 230000000, "vin");

		if (t && busy != prev_busy) {
			/* a burst is 20..120 ms; idle lasts 10..289 ms (gap, or frame tail + gap) */
			if (prev_busy) {
				bursts++;
				CHECK(t - run_start >= 20 && t - run_start <= 120,
				      "burst %llu..%llu ms", (unsigned long long)run_start,
				      (unsigned long long)t);
			} else if (run_start) {
				CHECK(t - run_start >= 10 && t - run_start <= 289,
				      "idle %llu..%llu ms", (unsigned long long)run_start,
				      (unsigned long long)t);
			}
			run_start = t;
		}
		prev_busy = busy;
	}
	CHECK(bursts >= 150 && bursts <= 400, "%llu bursts in 20 s", (unsigned long long)bursts);

	/* coefficient of variation above 0.2 */
	pin_stats(PL_SIM_BURSTY, &mean, &sq, &n);
	CHECK(sq * 25 > mean * mean * n, "CV too low: mean %lld mW", (long long)mean);
}

static void test_miner(void)
{
	struct pl_sim_rails r, block;
	s64 mean, sq, n, lo = 0, hi = 0;
	u64 t;

	for (t = 0; t < SPAN_MS; t++) {
		eval_ms(PL_SIM_MINER, t, 0, &r);
		if (t % 5 == 0)
			block = r;
		CHECK(rails_eq(&r, &block), "%llu ms: ripple changes inside 5 ms",
		      (unsigned long long)t);
		CHECK(r.pin_uw % 1000000 == 0 && r.pin_uw >= 2845000000LL &&
		      r.pin_uw <= 2855000000LL, "%llu ms: %lld uW",
		      (unsigned long long)t, (long long)r.pin_uw);
		CHECK(r.temp_mc == 68000 && r.vin_uv == 230000000, "temp, vin");
		if (!t || r.pin_uw < lo)
			lo = r.pin_uw;
		if (!t || r.pin_uw > hi)
			hi = r.pin_uw;
	}
	CHECK(lo == 2845000000LL && hi == 2855000000LL, "ripple spans %lld..%lld",
	      (long long)lo, (long long)hi);

	/* coefficient of variation below 0.01 */
	pin_stats(PL_SIM_MINER, &mean, &sq, &n);
	CHECK(sq * 10000 < mean * mean * n, "CV too high: mean %lld mW", (long long)mean);
	CHECK(mean > 2845000 && mean < 2855000, "mean %lld mW", (long long)mean);
}

static void test_step(void)
{
	struct pl_sim_rails r;
	u64 t;

	for (t = 0; t < SPAN_MS; t++) {
		eval_ms(PL_SIM_STEP, t, 0, &r);
		if (t < 3000)
			CHECK(r.pin_uw == 600000000 && r.vin_uv == 230000000,
			      "%llu ms before the step", (unsigned long long)t);
		else
			CHECK(r.pin_uw == 1500000000 && r.vin_uv == 207000000,
			      "%llu ms after the step", (unsigned long long)t);
		CHECK(r.temp_mc == 45000, "temp");
	}
	pl_sim_wave_eval(wave(PL_SIM_STEP), 2999999999ULL, 0, &r);
	CHECK(r.pin_uw == 600000000, "last ns before the step");
	pl_sim_wave_eval(wave(PL_SIM_STEP), 3000000000ULL, 0, &r);
	CHECK(r.pin_uw == 1500000000, "first ns after the step");
}

/* Every pair of waveforms differs at (nearly) every millisecond. */
static void test_distinct(void)
{
	struct pl_sim_rails a, b;
	unsigned int i, j;
	u64 t, differ;

	for (i = 0; i < __PL_SIM_WAVE_MAX; i++) {
		for (j = i + 1; j < __PL_SIM_WAVE_MAX; j++) {
			differ = 0;
			for (t = 0; t < SPAN_MS; t++) {
				eval_ms(i, t, 0, &a);
				eval_ms(j, t, 0, &b);
				differ += a.pin_uw != b.pin_uw;
			}
			CHECK(differ * 10 >= SPAN_MS * 9, "%s and %s differ at %llu ms of %llu",
			      wave(i)->name, wave(j)->name, (unsigned long long)differ,
			      (unsigned long long)SPAN_MS);
		}
	}
}

/* |v - decode(encode(v))| within one LSB of the exponent encode chose. */
static void check_linear11(s64 v, s64 scale, const char *what)
{
	u16 raw = pl_linear11_encode(v, scale);
	s64 dec = pl_linear11_decode(raw, scale);
	s64 lsb = pl_linear11_decode((raw & 0xf800) | 1, scale);
	s64 err = v > dec ? v - dec : dec - v;

	CHECK(lsb > 0 && err <= lsb, "%s %lld: raw 0x%04x decodes to %lld (lsb %lld)",
	      what, (long long)v, raw, (long long)dec, (long long)lsb);
}

static void test_roundtrip(void)
{
	struct pl_sim_rails r;
	unsigned int id;
	s64 dec, lsb;
	u16 raw;
	u64 t;
	u8 page;

	for (id = 0; id < __PL_SIM_WAVE_MAX; id++) {
		for (page = 0; page < PL_SIM_PAGES; page++) {
			for (t = 0; t < SPAN_MS; t++) {
				eval_ms(id, t, page, &r);
				check_linear11(r.vin_uv, PL_SCALE_MICRO, "vin");
				check_linear11(r.iin_ua, PL_SCALE_MICRO, "iin");
				check_linear11(r.iout_ua, PL_SCALE_MICRO, "iout");
				check_linear11(r.pout_uw, PL_SCALE_MICRO, "pout");
				check_linear11(r.pin_uw, PL_SCALE_MICRO, "pin");
				check_linear11(r.temp_mc, PL_SCALE_MILLI, "temp");

				raw = pl_linear16_encode(r.vout_uv, VOUT_MODE, PL_SCALE_MICRO);
				dec = pl_linear16_decode(raw, VOUT_MODE, PL_SCALE_MICRO);
				lsb = pl_linear16_decode(1, VOUT_MODE, PL_SCALE_MICRO);
				CHECK(r.vout_uv - dec >= 0 && r.vout_uv - dec <= lsb,
				      "vout %lld decodes to %lld", (long long)r.vout_uv,
				      (long long)dec);
			}
		}
	}
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "names", test_names },
	{ "prng", test_prng },
	{ "segments", test_segments },
	{ "physics", test_physics },
	{ "pages", test_pages },
	{ "flat", test_flat },
	{ "bursty", test_bursty },
	{ "miner", test_miner },
	{ "step", test_step },
	{ "distinct", test_distinct },
	{ "roundtrip", test_roundtrip },
};

int main(void)
{
	unsigned int i, before, passed = 0, failed = 0;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		before = checks_failed;
		tests[i].fn();
		if (checks_failed == before) {
			passed++;
			printf("ok %u %s\n", i + 1, tests[i].name);
		} else {
			failed++;
			printf("not ok %u %s (%u checks failed)\n", i + 1, tests[i].name,
			       checks_failed - before);
		}
	}
	printf("waveform: %u passed, %u failed\n", passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
