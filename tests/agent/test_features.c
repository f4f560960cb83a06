// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Features against values computed by hand (the arithmetic is in the
 * comments), plus properties with closed forms: Kim-Jo's A_n is -1 for a
 * periodic and 1 for a maximally bursty sequence, a Hann-windowed sinusoid
 * on a bin puts 1/6, 2/3, 1/6 of its power in three bins.
 */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "capture/trace.h"
#include "science/features.h"

#define EPS 1e-9

static void test_moments(void **state)
{
	const double a[] = { 1, 2, 3, 4, 5 }, b[] = { 1, 1, 1, 1, 6 };
	struct moments m;

	(void)state;
	/* mean 3; m2 = (4+1+0+1+4)/5 = 2; m4 = (16+1+0+1+16)/5 = 6.8; kurt = 6.8/4 - 3 */
	assert_int_equal(feat_moments(a, 5, &m), 0);
	assert_float_equal(m.mean, 3, EPS);
	assert_float_equal(m.std, sqrt(2), EPS);
	assert_float_equal(m.cv, sqrt(2) / 3, EPS);
	assert_float_equal(m.skew, 0, EPS);
	assert_float_equal(m.kurt, -1.3, EPS);
	assert_float_equal(m.par, 5.0 / 3, EPS);
	assert_float_equal(m.crest, 5 / sqrt(11), EPS); /* rms = sqrt(55/5) */
	/* mean 2; d = -1,-1,-1,-1,4; m2 = 20/5 = 4; m3 = 60/5 = 12; m4 = 260/5 = 52 */
	assert_int_equal(feat_moments(b, 5, &m), 0);
	assert_float_equal(m.skew, 12 / 8.0, EPS);
	assert_float_equal(m.kurt, 52 / 16.0 - 3, EPS);
	assert_float_equal(m.min, 1, EPS);
	assert_float_equal(m.max, 6, EPS);
	assert_int_equal(feat_moments(a, 0, &m), -EINVAL);
	/* Constant: no variance, skew/kurt undefined. */
	assert_int_equal(feat_moments((double[]){ 7, 7, 7 }, 3, &m), 0);
	assert_false(m.has_var);
}

static void test_median_mad_quantile(void **state)
{
	const double x[] = { 4, 100, 1, 3, 2 };
	const double s[] = { 10, 20, 30, 40 };
	double tmp[5];

	(void)state;
	assert_float_equal(feat_median(x, 5, tmp), 3, EPS);
	assert_float_equal(feat_mad(x, 5, 3, tmp), 1, EPS); /* |d| = 1,97,2,0,1 -> 1 */
	assert_float_equal(feat_quantile(s, 4, 0.5), 25, EPS);
	assert_float_equal(feat_quantile(s, 4, 0.1), 13, EPS); /* pos 0.3 */
	assert_float_equal(feat_quantile(s, 4, 1), 40, EPS);
}

static void test_acf_and_period(void **state)
{
	double alt[8], sq[100], r;
	size_t i;

	(void)state;
	for (i = 0; i < 8; i++)
		alt[i] = i % 2 ? -1 : 1;
	/* mean 0, den 8: r(1) = -7/8, r(2) = 6/8 */
	assert_float_equal(feat_acf(alt, 8, 1), -7.0 / 8, EPS);
	assert_float_equal(feat_acf(alt, 8, 2), 6.0 / 8, EPS);
	assert_int_equal(feat_dominant_lag(alt, 8, 2, 4, 0.2, &r), 2);
	assert_float_equal(r, 0.75, EPS);
	/* Square wave, 5 high 5 low: r(10) = 90/100. */
	for (i = 0; i < 100; i++)
		sq[i] = (i / 5) % 2 ? -1 : 1;
	assert_int_equal(feat_dominant_lag(sq, 100, 2, 50, 0.2, &r), 10);
	assert_float_equal(r, 0.9, EPS);
	/* No variance: nothing. */
	for (i = 0; i < 100; i++)
		sq[i] = 3;
	assert_int_equal(feat_dominant_lag(sq, 100, 2, 50, 0.2, &r), 0);
	assert_true(isnan(feat_acf(sq, 100, 1)));
}

static void test_spectrum_hand_values(void **state)
{
	struct features_ctx *c = features_ctx__new();
	struct feat_params p;
	struct spectral s;
	double x[1000], t, h;
	size_t i;

	(void)state;
	feat_params_default(&p);
	/* 5 Hz at fs 1 kHz, n 1000: Hann spreads it over bins 4, 5, 6 as 1/16 : 1/4 : 1/16. */
	for (i = 0; i < 1000; i++)
		x[i] = 2000 + 300 * sin(2 * M_PI * 5 * (double)i / 1000);
	assert_int_equal(features_ctx__spectrum(c, x, 1000, 1000, &p, &s), 0);
	assert_float_equal(s.dom_freq_hz, 5, EPS);
	h = (log(6) / 3 + 2 * log(1.5) / 3) / log(500); /* -sum p ln p, p = 1/6, 2/3, 1/6 */
	assert_float_equal(s.entropy, h, 1e-9);
	assert_float_equal(s.band[0], 1.0 / 6, 1e-9); /* bin 4 (4 Hz) < 5 Hz */
	assert_float_equal(s.band[1], 5.0 / 6, 1e-9);
	assert_float_equal(s.band[2], 0, 1e-9);
	assert_true(s.flatness < 1e-3);
	/* An impulse mid-window: P_1 = (-1 + 1/4)^2 = 0.5625, P_k = 1 for k = 2..500. */
	for (i = 0; i < 1000; i++)
		x[i] = i == 500 ? 1 : 0;
	assert_int_equal(features_ctx__spectrum(c, x, 1000, 1000, &p, &s), 0);
	t = 0.5625 + 499;
	assert_float_equal(s.flatness, exp(log(0.5625) / 500) / (t / 500), 1e-9);
	h = -(0.5625 / t) * log(0.5625 / t) - 499 * (1 / t) * log(1 / t);
	assert_float_equal(s.entropy, h / log(500), 1e-9);
	/* 100 Hz: all high band. */
	for (i = 0; i < 1000; i++)
		x[i] = sin(2 * M_PI * 100 * (double)i / 1000);
	assert_int_equal(features_ctx__spectrum(c, x, 1000, 1000, &p, &s), 0);
	assert_float_equal(s.dom_freq_hz, 100, EPS);
	assert_float_equal(s.band[2], 1, 1e-9);
	/* Sample-rate aware: the same samples at 100 Hz put the line at 10 Hz. */
	assert_int_equal(features_ctx__spectrum(c, x, 1000, 100, &p, &s), 0);
	assert_float_equal(s.dom_freq_hz, 10, EPS);
	assert_float_equal(s.band[1], 1, 1e-9);
	for (i = 0; i < 1000; i++)
		x[i] = 5;
	assert_int_equal(features_ctx__spectrum(c, x, 1000, 1000, &p, &s), -ERANGE);
	features_ctx__free(c);
}

static void test_burstiness(void **state)
{
	const double two[] = { 1, 3 }, even[] = { 2, 2, 2 }, maxb[] = { 3, 0, 0 };
	double *exp_iv;
	uint64_t r = 88172645463325252ULL;
	size_t i;

	(void)state;
	/* mu 2, sigma 1: B = (1 - 2)/(1 + 2); A_2 = (sqrt3 r - 1)/((sqrt3 - 2) r + 1), r = 1/2 */
	assert_float_equal(feat_burstiness_raw(two, 2), -1.0 / 3, EPS);
	assert_float_equal(feat_burstiness_kimjo(two, 2), (sqrt(3) / 2 - 1) / ((sqrt(3) - 2) / 2 + 1), EPS);
	assert_float_equal(feat_burstiness_raw(even, 3), -1, EPS);
	assert_float_equal(feat_burstiness_kimjo(even, 3), -1, EPS);
	/* One interval holds everything: r = sqrt(n - 1), the finite-size maximum; A_n = 1, B < 1. */
	assert_float_equal(feat_burstiness_kimjo(maxb, 3), 1, EPS);
	assert_float_equal(feat_burstiness_raw(maxb, 3), (sqrt(2) - 1) / (sqrt(2) + 1), EPS);
	assert_true(isnan(feat_burstiness_kimjo(two, 1)));
	/* Poisson events (exponential intervals): A_n near 0. */
	exp_iv = malloc(20000 * sizeof(*exp_iv));
	for (i = 0; i < 20000; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		exp_iv[i] = -log(((double)(r >> 11) + 0.5) / 9007199254740992.0);
	}
	assert_true(fabs(feat_burstiness_kimjo(exp_iv, 20000)) < 0.03);
	free(exp_iv);
}

static void test_step(void **state)
{
	double x[31];
	size_t i, at;
	int inc[3] = { 1, 2, 3 };

	(void)state;
	/* Increments cycle 1,2,3 (median 2, MAD 1); one "2" becomes 22: z = 20 / 1.4826. */
	x[0] = 0;
	for (i = 1; i < 31; i++)
		x[i] = x[i - 1] + inc[(i - 1) % 3] + (i == 17 ? 20 : 0);
	assert_float_equal(feat_step(x, 31, 0, &at), 20 / 1.4826, 1e-9);
	assert_int_equal(at, 16); /* the step x[16] -> x[17] */
	/* Noise-free data: the floor is the sigma. */
	for (i = 0; i < 31; i++)
		x[i] = i < 10 ? 100 : 130;
	assert_float_equal(feat_step(x, 31, 0.1, &at), 300, 1e-9);
	assert_int_equal(at, 9);
}

static void push(struct trace *t, uint64_t ts, double watts, double vout, double iout)
{
	struct pl_sample s = { 0 };

	s.ts_ns = ts;
	s.seq = t->n;
	s.version = PL_SAMPLE_VERSION;
	s.rails = PL_RAIL_PIN | PL_RAIL_POUT | PL_RAIL_VOUT | PL_RAIL_IOUT;
	s.pin_uw = (int64_t)llround(watts * 1e6);
	s.pout_uw = (int64_t)llround(watts * 1e6);
	s.vout_uv = (int64_t)llround(vout * 1e6);
	s.iout_ua = (int64_t)llround(iout * 1e6);
	assert_int_equal(trace_push(t, &s), 0);
}

static void test_window_bursts_runs_flat_pvi(void **state)
{
	struct features_ctx *c = features_ctx__new();
	struct window_features w;
	struct feat_params p;
	struct trace t;
	size_t i;

	(void)state;
	feat_params_default(&p);
	trace_init(&t, 1000000, 0, 0, PLTR_SRC_SYNTHETIC, 0, "", "", "", "");
	/*
	 * 1000 samples at 1 kHz: 300 W bursts of 20 samples starting at 10, 60,
	 * 210, 260, 410, 460, 610, 660, 810, 860 (intervals 50,150,50,...: 9 of
	 * them, mu 0.0944 s), 100 W otherwise.  POUT = 1.02 * VOUT * IOUT.
	 */
	for (i = 0; i < 1000; i++) {
		size_t ph = i % 200;
		double watts = ((ph >= 10 && ph < 30) || (ph >= 60 && ph < 80)) ? 300 : 100;

		push(&t, 1000000000ULL + i * 1000000ULL, watts, 50, watts / 50 / 1.02);
	}
	assert_int_equal(features_ctx__window(c, t.s, t.n, 1000000, &p, &w), 0);
	assert_int_equal(w.n, 1000);
	assert_float_equal(w.v[FEAT_MEAN], 100 + 200 * 0.2, 1e-9); /* 20 % of samples high */
	assert_float_equal(w.v[FEAT_BURSTS], 10, EPS);
	{
		/* intervals: 5 x 0.05 and 4 x 0.15 */
		double tau[9] = { 0.05, 0.15, 0.05, 0.15, 0.05, 0.15, 0.05, 0.15, 0.05 };

		assert_true(w.valid[FEAT_BURSTINESS]);
		assert_float_equal(w.v[FEAT_BURSTINESS], feat_burstiness_kimjo(tau, 9), 1e-9);
	}
	assert_float_equal(w.v[FEAT_HIGH_RUN_MEAN], 0.020, 1e-9);
	assert_float_equal(w.v[FEAT_HIGH_RUN_MAX], 0.020, 1e-9);
	/* complete low runs: 30 (between the pair) and 130 samples, alternating: 5 x 30, 4 x 130 */
	assert_float_equal(w.v[FEAT_LOW_RUN_MEAN], (5 * 0.030 + 4 * 0.130) / 9, 1e-9);
	assert_float_equal(w.v[FEAT_LOW_RUN_MAX], 0.130, 1e-9);
	assert_float_equal(w.v[FEAT_FLAT], 0.8, 1e-9); /* median 100 W: the 800 low samples */
	assert_float_equal(w.v[FEAT_PVI_ERR_MAX], 0.02 / 1.02, 1e-6);
	assert_float_equal(w.v[FEAT_PVI_ERR_MED], 0.02 / 1.02, 1e-6);
	assert_float_equal(w.v[FEAT_PAR], 300 / 140.0, 1e-9);
	/* dominant ACF period: the 200-sample pattern repeats, the first local max is 0.05 s or 0.2 s */
	assert_true(w.valid[FEAT_PERIOD]);
	assert_true(fabs(w.v[FEAT_PERIOD] - 0.2) < 1e-9 || fabs(w.v[FEAT_PERIOD] - 0.05) < 1e-9);
	/* Integer conversion: mW, ppm. */
	assert_int_equal(feat_int(FEAT_MEAN, w.v[FEAT_MEAN]), 140000);
	assert_int_equal(feat_int(FEAT_FLAT, w.v[FEAT_FLAT]), 800000);
	assert_int_equal(feat_find("burstiness_milli"), FEAT_BURSTINESS);
	assert_int_equal(feat_find("nope"), -1);
	trace__free(&t);

	/* Flat: 2900 W plus white noise (Irwin-Hall, sigma 1 W): no states, no bursts, flat = 1. */
	trace_init(&t, 1000000, 0, 0, PLTR_SRC_SYNTHETIC, 0, "", "", "", "");
	{
		uint64_t r = 2463534242ULL;

		for (i = 0; i < 1000; i++) {
			double u = 0;

			for (int k = 0; k < 12; k++) {
				r ^= r << 13;
				r ^= r >> 7;
				r ^= r << 17;
				u += (double)(r >> 11) * 0x1.0p-53;
			}
			push(&t, i * 1000000ULL, 2900 + (u - 6), 54, (2900 + (u - 6)) / 54.0);
		}
	}
	assert_int_equal(features_ctx__window(c, t.s, t.n, 1000000, &p, &w), 0);
	assert_float_equal(w.v[FEAT_BURSTS], 0, EPS);
	assert_false(w.valid[FEAT_BURSTINESS]);
	assert_false(w.valid[FEAT_HIGH_RUN_MEAN]);
	assert_float_equal(w.v[FEAT_FLAT], 1, EPS);
	assert_true(w.v[FEAT_CV] < 1e-3);
	assert_true(w.v[FEAT_PVI_ERR_MAX] < 1e-6);
	trace__free(&t);
	/*
	 * The same level alternating 2900/2902 W: a 2 W ripple on 2.9 kW is
	 * no request (states need a swing of 10 % of the floor level) ...
	 */
	trace_init(&t, 1000000, 0, 0, PLTR_SRC_SYNTHETIC, 0, "", "", "", "");
	for (i = 0; i < 1000; i++)
		push(&t, i * 1000000ULL, 2900 + (double)(i % 2) * 2, 54, (2900 + (double)(i % 2) * 2) / 54.0);
	assert_int_equal(features_ctx__window(c, t.s, t.n, 1000000, &p, &w), 0);
	assert_float_equal(w.v[FEAT_BURSTS], 0, EPS);
	assert_false(feat_window_active(&w));
	/* ... nor below the sensor's quantum (a 4 W LINEAR11 step: noise at least 4 W) ... */
	p.min_swing_rel = 0;
	p.noise_floor_w = 4;
	assert_int_equal(features_ctx__window(c, t.s, t.n, 1000000, &p, &w), 0);
	assert_float_equal(w.v[FEAT_BURSTS], 0, EPS);
	/* ... but without either floor it is structure (a 500 Hz ripple): periodic, B = -1. */
	p.noise_floor_w = 0;
	assert_int_equal(features_ctx__window(c, t.s, t.n, 1000000, &p, &w), 0);
	assert_float_equal(w.v[FEAT_BURSTS], 500, EPS); /* onsets at 1, 3, ..., 999 */
	assert_float_equal(w.v[FEAT_BURSTINESS], -1, 1e-9);
	assert_float_equal(w.v[FEAT_DOM_FREQ], 500, EPS);
	/* Too few samples. */
	assert_int_equal(features_ctx__window(c, t.s, 3, 1000000, &p, &w), -ENODATA);
	trace__free(&t);
	features_ctx__free(c);
}

/* Features of one 1 s window at 1 kHz whose sample i draws watts(i) W (VOUT 50 V). */
static void wave_window(double (*watts)(size_t), struct window_features *w)
{
	struct features_ctx *c = features_ctx__new();
	struct feat_params p;
	struct trace t;

	feat_params_default(&p);
	trace_init(&t, 1000000, 0, 0, PLTR_SRC_SYNTHETIC, 0, "", "", "", "");
	for (size_t i = 0; i < 1000; i++)
		push(&t, 1000000000ULL + i * 1000000ULL, watts(i), 50, watts(i) / 50);
	assert_int_equal(features_ctx__window(c, t.s, t.n, 1000000, &p, w), 0);
	trace__free(&t);
	features_ctx__free(c);
}

/* Decode steps of 14.5 ms: 11.5 ms at 300 W, a 3 ms dip to 100 W. */
static double steps_14_5(size_t i)
{
	return fmod((double)i, 14.5) < 11.5 ? 300 : 100;
}

/* A 30 ms step with a second, half-deep dip inside it (12..15 ms at 200 W). */
static double step_with_mid_dip(size_t i)
{
	size_t ph = i % 30;

	return ph >= 27 ? 100 : ph >= 12 && ph < 15 ? 200 : 300;
}

/* Decode steps of 14 ms (11 at 300 W, 3 at 100 W) for 400 ms, then held at 250 W. */
static double steps_then_held(size_t i)
{
	return i >= 400 ? 250 : i % 14 < 11 ? 300 : 100;
}

static double steps_14(size_t i)
{
	return i % 14 < 11 ? 300 : 100;
}

/*
 * The cadence is read below one sample: at 1 kHz the ACF of 14.5 ms steps
 * peaks at lags 14 or 15, 29, 43 or 44; the parabolas and the slope through
 * them give 14.5 ms to within 0.1 ms (one lag would be off by 0.5 ms,
 * 3.4 %).  And a step with a second, half-deep dip inside it has an ACF peak
 * at half the step, but a wrong half would read as a smaller model: never
 * the half.
 */
static void test_cadence_subsample(void **state)
{
	struct window_features w;

	(void)state;
	wave_window(steps_14_5, &w);
	assert_true(w.valid[FEAT_CADENCE]);
	if (fabs(w.v[FEAT_CADENCE] - 0.0145) > 0.0001)
		fail_msg("cadence %.6f s, want 0.0145 +- 0.0001", w.v[FEAT_CADENCE]);
	wave_window(step_with_mid_dip, &w);
	assert_true(w.valid[FEAT_CADENCE]);
	if (fabs(w.v[FEAT_CADENCE] - 0.030) > 0.0005)
		fail_msg("cadence %.6f s, want the 30 ms step, not its half", w.v[FEAT_CADENCE]);
}

/*
 * plateau: every dip pulls the samples near it off the +-25 ms moving mean,
 * so steps' plateaus are shorter than a step; a held stretch (600 ms at
 * 250 W after 400 ms of steps) is one plateau, less the moving mean's blend
 * at its start (at most 25 samples).
 */
static void test_plateau(void **state)
{
	struct window_features w;

	(void)state;
	wave_window(steps_then_held, &w);
	assert_true(w.valid[FEAT_PLATEAU] && w.valid[FEAT_PLATEAU_LEVEL]);
	if (w.v[FEAT_PLATEAU] < 0.575 || w.v[FEAT_PLATEAU] > 0.6)
		fail_msg("plateau %.3f s, want 0.575..0.6", w.v[FEAT_PLATEAU]);
	assert_float_equal(w.v[FEAT_PLATEAU_LEVEL], 250, 1e-9);
	wave_window(steps_14, &w);
	if (w.v[FEAT_PLATEAU] >= 0.014)
		fail_msg("plateau %.3f s in a stepping window, want < 0.014", w.v[FEAT_PLATEAU]);
}

static void test_trace_windows(void **state)
{
	struct window_features *w;
	struct feat_params p;
	struct trace t;
	size_t i, n;

	(void)state;
	feat_params_default(&p);
	trace_init(&t, 1000000, 0, 0, PLTR_SRC_SYNTHETIC, 0, "", "", "", "");
	/* 0..1.999 s, a 1 s hole, 3.0..4.499 s: windows at 0, 1 (none: empty), 3, 4 (500 samples: enough) */
	for (i = 0; i < 4500; i++) {
		if (i >= 2000 && i < 3000)
			continue;
		push(&t, 7000000000ULL + i * 1000000ULL, 100 + (double)(i % 7), 12, (100 + (double)(i % 7)) / 12);
	}
	assert_int_equal(features_windows(trace_series(&t, &(struct series){ 0 }), &p, 0, UINT64_MAX, &w, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(w[0].start_ns, 7000000000ULL);
	assert_int_equal(w[1].start_ns, 8000000000ULL);
	assert_int_equal(w[2].start_ns, 10000000000ULL);
	assert_int_equal(w[3].start_ns, 11000000000ULL);
	assert_int_equal(w[3].n, 500);
	assert_int_equal(w[0].n, 1000);
	free(w);
	/* A time range: [8.0 s, 10.5 s] -> windows at 8.0 and 10.0 (501 samples, 10.0..10.5 inclusive). */
	assert_int_equal(features_windows(trace_series(&t, &(struct series){ 0 }), &p, 8000000000ULL, 10500000000ULL, &w, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w[1].n, 501);
	free(w);
	/* 2 s windows at 1 kHz need 1000 samples: the 4.0..4.5 tail is dropped. */
	p.window_ns = 2000000000ULL;
	assert_int_equal(features_windows(trace_series(&t, &(struct series){ 0 }), &p, 0, UINT64_MAX, &w, &n), 0);
	assert_int_equal(n, 2);
	free(w);
	trace__free(&t);
}

/* Lag and r of feat_dominant_lag() and of its FFT version: the same. */
static void check_fft_lag(struct features_ctx *c, const double *x, size_t n, size_t lo, size_t hi, double min_r)
{
	double r1, r2;
	size_t l1 = feat_dominant_lag(x, n, lo, hi, min_r, &r1);
	size_t l2 = features_ctx__dominant_lag(c, x, n, lo, hi, min_r, &r2);

	assert_int_equal(l1, l2);
	if (l1)
		assert_float_equal(r1, r2, EPS);
	else
		assert_true(isnan(r1) && isnan(r2));
}

static void test_acf_fft_matches_direct(void **state)
{
	struct features_ctx *c = features_ctx__new();
	static double x[2001];
	uint64_t seed = 12345;
	size_t i, n;

	(void)state;
	assert_non_null(c);
	for (n = 4; n <= 2001; n = n < 64 ? n + 3 : n * 2 + 1) {
		/* Periodic with noise, square wave (ties in the ACF), white noise, constant, kW level. */
		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			x[i] = 300 + 50 * sin(2 * M_PI * (double)i / 37) + (double)(seed >> 40) / (1 << 24);
		}
		check_fft_lag(c, x, n, 2, n / 2, 0.2);
		for (i = 0; i < n; i++)
			x[i] = (i / 5) % 2 ? -1 : 1;
		check_fft_lag(c, x, n, 2, n / 2, 0.2);
		check_fft_lag(c, x, n, 1, n, -1);
		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			x[i] = (double)(seed >> 11) / 9007199254740992.0;
		}
		check_fft_lag(c, x, n, 2, n / 2, 0.2);
		check_fft_lag(c, x, n, 2, n / 2, -1);
		for (i = 0; i < n; i++)
			x[i] = 7;
		check_fft_lag(c, x, n, 2, n / 2, 0.2);
		for (i = 0; i < n; i++)
			x[i] = 4000 + (double)((i * 7919) % 13) * 0.001 + (i % 50 < 20 ? 150 : 0);
		check_fft_lag(c, x, n, 2, n / 2, 0.2);
	}
	/* Short and degenerate ranges. */
	check_fft_lag(c, (double[]){ 1, -1, 1, -1, 1, -1, 1, -1 }, 8, 2, 4, 0.2);
	check_fft_lag(c, (double[]){ 1, 2, 3 }, 3, 2, 1, 0.2);
	check_fft_lag(c, (double[]){ 1, 2, 3, 4, 5 }, 5, 4, 2, 0.2);
	check_fft_lag(c, (double[]){ 1, 2, 3, 4, 5 }, 5, 0, 2, 0.2);
	features_ctx__free(c);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and MAD (selection, no sort) against a sorted copy and feat_quantile(): the same bits. */
/*
 * The bucket-count selection against qsort: every quantile and order
 * statistic bit for bit, on data made to defeat it -- ties, sorted runs, a
 * few huge outliers that squeeze the rest into one bucket, heavy tails,
 * mixed signs, infinities, values one ulp apart, a single odd value.
 */
#define NKINDS 12
static double gen(int kind, size_t i, size_t n, uint64_t *seed)
{
	uint64_t r;
	double u;

	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	r = *seed >> 11;
	u = (double)r / 9007199254740992.0; /* [0, 1) */
	switch (kind) {
	case 0: return (double)r;
	case 1: return (double)((*seed >> 33) % 7); /* many ties */
	case 2: return (double)i;		     /* sorted */
	case 3: return (double)(n - i);		     /* reversed */
	case 4: return i % 97 == 3 ? 1e12 * (1 + u) : 1000 + u; /* outliers above */
	case 5: return i % 89 == 5 ? -1e9 : i % 83 == 1 ? 1e9 : 2e-4 * u; /* both sides */
	case 6: return u < 0.5 ? -1 / (u + 1e-12) : 1 / (1 - u + 1e-12);  /* heavy tails, both signs */
	case 7: return i == n / 3 ? INFINITY : i == n / 5 ? -INFINITY : u - 0.5;
	case 8: return nextafter(1.0, 2.0) * (double)((*seed >> 40) % 3 == 0) + 1.0; /* 1 ulp apart */
	case 9: return i == n / 2 ? 5.0 : 4.0;					  /* one odd value */
	case 10: return u < 0.5 ? -0.0 : 0.0;
	default: return floor(u * 16) * 0.125 + (i % 2 ? 1e-3 : 0); /* quantized, two levels */
	}
}

static void test_median_select_matches_sort(void **state)
{
	static double x[5000], s[5000], tmp[5000], a[5000];
	static const double q[] = { 0, 0.01, 0.25, 0.5, 0.75, 0.99, 1 };
	double out[7], lo, hi;
	uint64_t seed = 99;
	size_t n, i, j, k;
	int kind;

	(void)state;
	for (kind = 0; kind < NKINDS; kind++) {
		for (n = 1; n <= 5000; n = n < 40 ? n + 1 : n * 3 / 2 + 1) {
			double med, mad;

			for (i = 0; i < n; i++)
				x[i] = gen(kind, i, n, &seed);
			memcpy(s, x, n * sizeof(*s));
			qsort(s, n, sizeof(*s), cmp_d);
			med = feat_median(x, n, tmp);
			assert_true(med == feat_quantile(s, n, 0.5) || (isnan(med) && kind == 7));
			feat_quantiles(x, n, q, out, 7, tmp);
			for (j = 0; j < 7; j++) {
				double want = feat_quantile(s, n, q[j]);

				/* inf - inf interpolations are NaN either way */
				if (!(isnan(want) && isnan(out[j])))
					assert_true(memcmp(&out[j], &want, sizeof(want)) == 0 || out[j] == want);
			}
			for (j = 0; j < 5 && n > 1; j++) {
				k = (size_t)(seed >> 20) % (n - 1);
				seed = seed * 6364136223846793005ULL + 1;
				memcpy(a, x, n * sizeof(*a));
				feat_kth2(a, n, k, &lo, &hi);
				assert_true(lo == s[k]);
				assert_true(hi == s[k + 1]);
				memcpy(a, x, n * sizeof(*a));
				assert_true(feat_kth(a, n, k) == s[k]);
			}
			if (kind == 7)
				continue; /* |x - med| with infinities: no MAD to compare */
			for (i = 0; i < n; i++)
				s[i] = fabs(x[i] - med);
			qsort(s, n, sizeof(*s), cmp_d);
			mad = feat_mad(x, n, med, tmp);
			assert_true(mad == feat_quantile(s, n, 0.5));
		}
	}
}

/* 7-smooth spectrum lengths: 999 = 3^3 37 -> 980 = 2^2 5 7^2; 1001 = 7 11 13 -> 1000. */
static void test_spectrum_len(void **state)
{
	(void)state;
	assert_int_equal(feat_spectrum_len(999), 980);
	assert_int_equal(feat_spectrum_len(1000), 1000);
	assert_int_equal(feat_spectrum_len(1001), 1000);
	assert_int_equal(feat_spectrum_len(1024), 1024);
	assert_int_equal(feat_spectrum_len(13), 12);
	assert_int_equal(feat_spectrum_len(11), 10);
	assert_int_equal(feat_spectrum_len(4), 4);
	for (size_t n = 5; n < 5000; n++) {
		size_t m = feat_spectrum_len(n), r = m;

		assert_true(m <= n && m >= n * 9 / 10);
		for (size_t f = 2; f <= 7; f++)
			while (r % f == 0)
				r /= f;
		assert_int_equal(r, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moments),
		cmocka_unit_test(test_median_mad_quantile),
		cmocka_unit_test(test_acf_and_period),
		cmocka_unit_test(test_median_select_matches_sort),
		cmocka_unit_test(test_acf_fft_matches_direct),
		cmocka_unit_test(test_spectrum_hand_values),
		cmocka_unit_test(test_spectrum_len),
		cmocka_unit_test(test_burstiness),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_window_bursts_runs_flat_pvi),
		cmocka_unit_test(test_cadence_subsample),
		cmocka_unit_test(test_plateau),
		cmocka_unit_test(test_trace_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
