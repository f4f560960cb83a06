// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the simulator's waveforms (waveform.h), the same code the
 * module runs:
 *
 *	cc -I../../kmod -o waveform_test waveform_test.c && ./waveform_test
 *
 * Over the first 20 s of every waveform, on both pages: piecewise constant
 * with segments of at least 2 ms; physically consistent (iin = pin / vin,
 * pout = 94 % of pin, iout = pout / vout) except the step waveform's
 * tampered rail after 3 s, where POUT and VOUT * IOUT must differ by more
 * than 100 %; measurement noise present and bounded, surviving the PMBus
 * encode/decode trip (no 50 ms stretch with every decoded rail identical);
 * the shapes waveform.h documents; distinct from each other; and every rail
 * surviving a PMBus encode/decode trip within one LSB.  Ends with
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
#define STUCK_MS	50			/* the agent's "stuck rails" limit */

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

/* The tampered stretch of the step waveform: power not backed by currents. */
static bool tampered(unsigned int id, u64 t_ms)
{
	return id == PL_SIM_STEP && t_ms >= PL_SIM_STEP_AT_MS;
}

static s64 absdiff(s64 a, s64 b)
{
	return a > b ? a - b : b - a;
}

/* @v within @nominal +- @tol (inclusive). */
static bool near(s64 v, s64 nominal, s64 tol)
{
	return absdiff(v, nominal) <= tol;
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
 * equal milliseconds last at least PL_SIM_SEGMENT_MIN_MS and change only at
 * multiples of PL_SIM_NOISE_MS (what the simulator's telemetry latch keys on).
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

		/* levels change on even milliseconds only: the simulator latches 2 ms */
		if (t > from_ms && t % PL_SIM_NOISE_MS)
			CHECK(rails_eq(&cur, &prev), "%s page %u: change inside the segment at %llu ms",
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

/*
 * The rails derived from PIN, VIN and VOUT, and the noise bounds of VIN and
 * VOUT; on the step waveform's tampered stretch the opposite: POUT and PIN
 * more than 100 % above what the currents carry.
 */
static void check_physics(unsigned int id, u8 page, u64 t_ms)
{
	s64 vout_nom = page == 1 ? PL_SIM_VOUT1_UV : PL_SIM_VOUT_UV;
	struct pl_sim_rails r;
	s64 vi;

	eval_ms(id, t_ms, page, &r);
	CHECK(r.vin_uv > 0 && r.vout_uv > 0 && r.pin_uw > 0, "%s %llu ms",
	      wave(id)->name, (unsigned long long)t_ms);
	if (r.vin_uv <= 0 || r.vout_uv <= 0)
		return;
	CHECK(near(r.vin_uv, PL_SIM_VIN_UV, 200000) &&
	      (r.vin_uv - PL_SIM_VIN_UV) % 50000 == 0, "%s vin %lld",
	      wave(id)->name, (long long)r.vin_uv);
	CHECK(near(r.vout_uv, vout_nom, 4000) && (r.vout_uv - vout_nom) % 2000 == 0,
	      "%s page %u vout %lld", wave(id)->name, page, (long long)r.vout_uv);
	CHECK(r.pout_uw == r.pin_uw * PL_SIM_EFFICIENCY_PCT / 100, "%s pout %lld",
	      wave(id)->name, (long long)r.pout_uw);
	CHECK(r.pout_uw < r.pin_uw, "%s efficiency", wave(id)->name);
	CHECK(r.temp_mc > 20000 && r.temp_mc < 90000, "%s temp %d",
	      wave(id)->name, r.temp_mc);
	CHECK(r.pin_uw <= 3000000000LL, "%s pin %lld above a 3 kW PSU",
	      wave(id)->name, (long long)r.pin_uw);

	if (!tampered(id, t_ms)) {
		CHECK(r.iin_ua == r.pin_uw * 1000000 / r.vin_uv, "%s iin %lld",
		      wave(id)->name, (long long)r.iin_ua);
		CHECK(r.iout_ua == r.pout_uw * 1000000 / r.vout_uv, "%s iout %lld",
		      wave(id)->name, (long long)r.iout_ua);
		return;
	}
	/* POUT vs VOUT * IOUT (and PIN vs VIN * IIN) off by more than 100 % */
	vi = r.vout_uv * r.iout_ua / 1000000;
	CHECK(r.pout_uw - vi > vi, "step %llu ms page %u: pout %lld, vout * iout %lld",
	      (unsigned long long)t_ms, page, (long long)r.pout_uw, (long long)vi);
	vi = r.vin_uv * r.iin_ua / 1000000;
	CHECK(r.pin_uw - vi > vi, "step %llu ms page %u: pin %lld, vin * iin %lld",
	      (unsigned long long)t_ms, page, (long long)r.pin_uw, (long long)vi);
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

/* What the module decodes from the simulator's registers. */
static void decode_rails(const struct pl_sim_rails *r, s64 out[7])
{
	out[0] = pl_linear11_decode(pl_linear11_encode(r->vin_uv, PL_SCALE_MICRO), PL_SCALE_MICRO);
	out[1] = pl_linear11_decode(pl_linear11_encode(r->iin_ua, PL_SCALE_MICRO), PL_SCALE_MICRO);
	out[2] = pl_linear16_decode(pl_linear16_encode(r->vout_uv, VOUT_MODE, PL_SCALE_MICRO),
				    VOUT_MODE, PL_SCALE_MICRO);
	out[3] = pl_linear11_decode(pl_linear11_encode(r->iout_ua, PL_SCALE_MICRO), PL_SCALE_MICRO);
	out[4] = pl_linear11_decode(pl_linear11_encode(r->pout_uw, PL_SCALE_MICRO), PL_SCALE_MICRO);
	out[5] = pl_linear11_decode(pl_linear11_encode(r->pin_uw, PL_SCALE_MICRO), PL_SCALE_MICRO);
	out[6] = pl_linear11_decode(pl_linear11_encode(r->temp_mc, PL_SCALE_MILLI), PL_SCALE_MILLI);
}

/*
 * The noise draws: within their bounds, every step taken, about uniformly;
 * and the same noise for every waveform (one key, by time alone).
 */
static void test_noise_draws(void)
{
	unsigned int pin[17] = { 0 }, vin[9] = { 0 }, vout0[5] = { 0 }, vout1[5] = { 0 };
	const u64 segs = SPAN_MS / PL_SIM_NOISE_MS;
	struct pl_sim_noise n, m;
	unsigned int i;
	u64 k;

	for (k = 0; k < segs; k++) {
		pl_sim_noise_get(k * PL_SIM_NOISE_MS, &n);
		pl_sim_noise_get(k * PL_SIM_NOISE_MS + 1, &m);
		CHECK(!memcmp(&n, &m, sizeof(n)), "noise changes inside segment %llu",
		      (unsigned long long)k);
		if (n.pin < -8 || n.pin > 8 || n.vin < -4 || n.vin > 4 || n.vout[0] < -2 ||
		    n.vout[0] > 2 || n.vout[1] < -2 || n.vout[1] > 2) {
			CHECK(0, "segment %llu: noise %d %d %d %d out of bounds",
			      (unsigned long long)k, n.pin, n.vin, n.vout[0], n.vout[1]);
			continue;
		}
		pin[n.pin + 8]++;
		vin[n.vin + 4]++;
		vout0[n.vout[0] + 2]++;
		vout1[n.vout[1] + 2]++;
	}
	/* uniform: each step within 20 % of its expected count (>= 588 draws) */
	for (i = 0; i < 17; i++)
		CHECK(pin[i] * 17 * 10 > segs * 8 && pin[i] * 17 * 10 < segs * 12,
		      "pin step %d drawn %u times of %llu", (int)i - 8, pin[i],
		      (unsigned long long)segs);
	for (i = 0; i < 9; i++)
		CHECK(vin[i] * 9 * 10 > segs * 8 && vin[i] * 9 * 10 < segs * 12,
		      "vin step %d drawn %u times", (int)i - 4, vin[i]);
	for (i = 0; i < 5; i++)
		CHECK(vout0[i] * 5 * 10 > segs * 8 && vout0[i] * 5 * 10 < segs * 12 &&
		      vout1[i] * 5 * 10 > segs * 8 && vout1[i] * 5 * 10 < segs * 12,
		      "vout step %d drawn %u, %u times", (int)i - 2, vout0[i], vout1[i]);
}

/*
 * The noise survives quantization: after the PMBus encode/decode trip no
 * stretch of STUCK_MS has every rail identical (the agent's rail-tamper
 * detector flags that as a frozen capture), on every waveform and page,
 * at the start and a day in; and on flat, PIN, VIN and VOUT each read
 * several distinct values.
 */
static void check_not_stuck(unsigned int id, u8 page, u64 from_ms, u64 span_ms)
{
	s64 cur[7], prev[7];
	u64 t, run = 1, longest = 1;
	struct pl_sim_rails r;

	for (t = from_ms; t < from_ms + span_ms; t++) {
		eval_ms(id, t, page, &r);
		decode_rails(&r, cur);
		if (t > from_ms) {
			run = memcmp(cur, prev, sizeof(cur)) ? 1 : run + 1;
			if (run > longest)
				longest = run;
		}
		memcpy(prev, cur, sizeof(cur));
	}
	CHECK(longest < STUCK_MS, "%s page %u: rails identical for %llu ms from %llu ms",
	      wave(id)->name, page, (unsigned long long)longest, (unsigned long long)from_ms);
	/* every noise segment is one draw: runs beyond a few segments mean lost noise */
	CHECK(longest <= 10, "%s page %u: longest identical run %llu ms", wave(id)->name,
	      page, (unsigned long long)longest);
}

static void test_noise(void)
{
	s64 d[7], lo[7], hi[7];
	struct pl_sim_rails r;
	unsigned int id, i;
	u64 t;
	u8 page;

	test_noise_draws();
	for (id = 0; id < __PL_SIM_WAVE_MAX; id++) {
		for (page = 0; page < PL_SIM_PAGES; page++) {
			check_not_stuck(id, page, 0, SPAN_MS);
			check_not_stuck(id, page, LATE_MS, LATE_SPAN_MS);
		}
	}

	/* flat, decoded: PIN 449..450.5 W, VIN 229.75..230 V, VOUT 11.994..12.004 V */
	for (t = 0; t < SPAN_MS; t++) {
		eval_ms(PL_SIM_FLAT, t, 0, &r);
		decode_rails(&r, d);
		for (i = 0; i < 7; i++) {
			if (!t || d[i] < lo[i])
				lo[i] = d[i];
			if (!t || d[i] > hi[i])
				hi[i] = d[i];
		}
	}
	CHECK(lo[0] == 229750000 && hi[0] == 230000000, "vin %lld..%lld",
	      (long long)lo[0], (long long)hi[0]);
	CHECK(lo[2] == 11994140 && hi[2] == 12003906, "vout %lld..%lld",
	      (long long)lo[2], (long long)hi[2]);
	CHECK(lo[5] == 449000000 && hi[5] == 450500000, "pin %lld..%lld",
	      (long long)lo[5], (long long)hi[5]);
	CHECK(lo[6] == 40000 && hi[6] == 40000, "temp %lld..%lld",
	      (long long)lo[6], (long long)hi[6]);
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
	struct pl_sim_rails r, f;
	s64 sum = 0;
	unsigned int i;
	u64 t;

	for (i = 0; i < sizeof(at_ns) / sizeof(at_ns[0]); i++) {
		pl_sim_wave_eval(wave(PL_SIM_FLAT), at_ns[i], 0, &r);
		CHECK(near(r.pin_uw, 450000000, 900000) && near(r.vin_uv, 230000000, 200000) &&
		      near(r.vout_uv, 12000000, 4000) && r.temp_mc == 40000, "t %llu",
		      (unsigned long long)at_ns[i]);
	}
	for (t = 0; t < SPAN_MS; t++) {
		eval_ms(PL_SIM_FLAT, t, 0, &r);
		CHECK(near(r.pin_uw, 450000000, 900000) && r.temp_mc == 40000,
		      "%llu ms: pin %lld", (unsigned long long)t, (long long)r.pin_uw);
		sum += r.pin_uw / 1000;
	}
	/* the noise averages out: mean within 0.1 % of 450 W */
	CHECK(near(sum / (s64)SPAN_MS, 450000, 450), "mean %lld mW",
	      (long long)(sum / (s64)SPAN_MS));

	/* NULL reads as flat */
	pl_sim_wave_eval(NULL, 12345, 0, &r);
	pl_sim_wave_eval(wave(PL_SIM_FLAT), 12345, 0, &f);
	CHECK(rails_eq(&r, &f), "NULL wave");
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
		w = r.pin_uw / 1000;	/* mW */
		busy = r.pin_uw > BUSY_UW;
		/* whole-watt levels with +-0.2 % noise */
		if (busy)
			CHECK(w >= 650000 - 1300 && w <= 700000 + 1400 && r.temp_mc == 55000,
			      "%llu ms: burst %lld mW", (unsigned long long)t, (long long)w);
		else
			CHECK(w >= 290000 - 580 && w <= 310000 + 620 && r.temp_mc == 45000,
			      "%llu ms: idle %lld mW", (unsigned long long)t, (long long)w);
		CHECK(near(r.vin_uv, 230000000, 200000), "vin");

		if (t && busy != prev_busy) {
			/* levels change on even milliseconds, with the noise */
			CHECK(t % PL_SIM_NOISE_MS == 0, "level change at %llu ms",
			      (unsigned long long)t);
			/* a burst is 20..120 ms; idle lasts 10..288 ms (gap, or frame tail + gap) */
			if (prev_busy) {
				bursts++;
				CHECK(t - run_start >= 20 && t - run_start <= 120,
				      "burst %llu..%llu ms", (unsigned long long)run_start,
				      (unsigned long long)t);
			} else if (run_start) {
				CHECK(t - run_start >= 10 && t - run_start <= 288,
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

/*
 * miner: a 40 ms square wave, 2848 W + 6 W then - 6 W, +-0.02 % noise;
 * after decoding (4 W LSB at 2.85 kW) the two halves still never overlap.
 */
static void test_miner(void)
{
	s64 mean, sq, n, d[7], hi_min = 0, lo_max = 0, sum_hi = 0, sum_lo = 0;
	struct pl_sim_rails r, p;
	bool high;
	u64 t;

	for (t = 0; t < SPAN_MS; t++) {
		eval_ms(PL_SIM_MINER, t, 0, &r);
		high = t % 40 < 20;
		CHECK(near(r.pin_uw, high ? 2854000000LL : 2842000000LL, 571200),
		      "%llu ms: %lld uW", (unsigned long long)t, (long long)r.pin_uw);
		CHECK(r.temp_mc == 68000 && near(r.vin_uv, 230000000, 200000), "temp, vin");
		/* periodic: 40 ms later the same level (but for the noise) */
		eval_ms(PL_SIM_MINER, t + 40, 0, &p);
		CHECK(near(p.pin_uw, r.pin_uw, 2 * 571200), "%llu ms: period", (unsigned long long)t);
		decode_rails(&r, d);
		if (high) {
			sum_hi += r.pin_uw / 1000;
			if (!hi_min || d[5] < hi_min)
				hi_min = d[5];
		} else {
			sum_lo += r.pin_uw / 1000;
			if (!lo_max || d[5] > lo_max)
				lo_max = d[5];
		}
	}
	/* the +-6 W halves: means 12 W apart, decoded ranges disjoint */
	CHECK(near((sum_hi - sum_lo) / (s64)(SPAN_MS / 2), 12000, 100), "halves %lld mW apart",
	      (long long)((sum_hi - sum_lo) / (s64)(SPAN_MS / 2)));
	CHECK(hi_min > lo_max, "decoded high half from %lld, low half up to %lld",
	      (long long)hi_min, (long long)lo_max);

	/* coefficient of variation below 0.01 */
	pin_stats(PL_SIM_MINER, &mean, &sq, &n);
	CHECK(sq * 10000 < mean * mean * n, "CV too high: mean %lld mW", (long long)mean);
	CHECK(near(mean, 2848000, 500), "mean %lld mW", (long long)mean);
}

/*
 * step: 600 W consistent, then from 3 s PIN/POUT read 1500 W while IIN and
 * IOUT still carry 600 W -- in the raw rails and after decoding.
 */
static void test_step(void)
{
	s64 d[7], p600, vi;
	struct pl_sim_rails r;
	bool after;
	u64 t;
	u8 page;

	for (page = 0; page < PL_SIM_PAGES; page++) {
		for (t = 0; t < SPAN_MS; t++) {
			eval_ms(PL_SIM_STEP, t, page, &r);
			after = t >= 3000;
			CHECK(near(r.pin_uw, (after ? 1500000000 : 600000000) >> (2 * page),
				   (after ? 3000000 : 1200000) >> (2 * page)) &&
			      near(r.vin_uv, 230000000, 200000) && r.temp_mc == 45000 - 5000 * page,
			      "%llu ms page %u: pin %lld vin %lld", (unsigned long long)t, page,
			      (long long)r.pin_uw, (long long)r.vin_uv);
			/* the currents carry 600 W (its noise step) on both sides of the step */
			p600 = r.vin_uv * r.iin_ua / 1000000;
			CHECK(near(p600, 600000000 >> (2 * page), (1200000 >> (2 * page)) + 1000),
			      "%llu ms page %u: vin * iin %lld", (unsigned long long)t, page,
			      (long long)p600);

			/* what the detector sees, decoded: P vs V * I by > 100 % after */
			decode_rails(&r, d);
			vi = d[2] * d[3] / 1000000;
			if (after)
				CHECK(d[4] - vi > vi, "%llu ms page %u: pout %lld, vout * iout %lld",
				      (unsigned long long)t, page, (long long)d[4], (long long)vi);
			else
				CHECK(absdiff(d[4], vi) * 100 < 3 * d[4],
				      "%llu ms page %u: pout %lld, vout * iout %lld",
				      (unsigned long long)t, page, (long long)d[4], (long long)vi);
		}
	}
	pl_sim_wave_eval(wave(PL_SIM_STEP), 2999999999ULL, 0, &r);
	CHECK(near(r.pin_uw, 600000000, 1200000), "last ns before the step");
	pl_sim_wave_eval(wave(PL_SIM_STEP), 3000000000ULL, 0, &r);
	CHECK(near(r.pin_uw, 1500000000, 3000000), "first ns after the step");
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

/*
 * |v - decode(encode(v))| within one LSB of the exponent encode chose: the
 * encoding truncates (under one LSB), the decoding truncates too (under one
 * unit), and so does the LSB computed here, so up to lsb + 1 units.
 */
static void check_linear11(s64 v, s64 scale, const char *what)
{
	u16 raw = pl_linear11_encode(v, scale);
	s64 dec = pl_linear11_decode(raw, scale);
	s64 lsb = pl_linear11_decode((raw & 0xf800) | 1, scale);
	s64 err = v > dec ? v - dec : dec - v;

	CHECK(lsb > 0 && err <= lsb + 1, "%s %lld: raw 0x%04x decodes to %lld (lsb %lld)",
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
	{ "noise", test_noise },
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
