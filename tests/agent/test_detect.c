// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Baselines, detectors and proofs on constructed windows and traces whose
 * expected numbers are worked out by hand in the comments.
 */
#include "testutil.h"

#include <errno.h>
#include <math.h>

#include <sodium.h>

#include "capture/trace.h"
#include "evidence/baseline_json.h"
#include "evidence/canon.h"
#include "evidence/proof.h"
#include "evidence/statement.h"
#include "evidence/workload.h"
#include "science/baseline.h"
#include "science/detect.h"

static void setw(struct window_features *w, enum feat_id f, double v)
{
	w->v[f] = v;
	w->valid[f] = true;
}

static void test_median_i64(void **state)
{
	int64_t a[] = { 5, 1, 3 }, b[] = { 4, 1, 3, 2 }, c[] = { -3, -4 }, d[] = { INT64_MAX, INT64_MAX - 2 };

	(void)state;
	assert_int_equal(median_i64(a, 3), 3);
	assert_int_equal(median_i64(b, 4), 2);	/* (2 + 3) / 2, floored */
	assert_int_equal(median_i64(c, 2), -4); /* -3.5 floored */
	assert_int_equal(median_i64(d, 2), INT64_MAX - 1);
}

/* Active window i of a model: cadence 30 ms + (i % 7) ms; dominant 30 Hz + (i % 5) Hz, band_high 0.4 + (i % 3) / 100 (load). */
static void model_window(struct window_features *w, size_t i)
{
	memset(w, 0, sizeof(*w));
	setw(w, FEAT_CADENCE, 0.030 + (double)(i % 7) * 1e-3);
	setw(w, FEAT_DOM_FREQ, 30 + (double)(i % 5));
	setw(w, FEAT_BAND_HIGH, 0.4 + (double)(i % 3) / 100);
	setw(w, FEAT_MEAN, 1500 + (double)i);
	setw(w, FEAT_MIN, 900);
	setw(w, FEAT_MAX, 2000);
	setw(w, FEAT_BURSTS, 5);
	w->n = 1000;
	w->start_ns = i * 1000000000ULL;
	w->end_ns = (i + 1) * 1000000000ULL;
}

static const struct sensor_model pmbus_1ms = { .refresh_ns = 1000000, .quantum_uw = 250000, .kind = SENSOR_PMBUS };

static void test_baseline_build_and_roundtrip(void **state)
{
	struct window_features w[40];
	struct baseline b, back;
	struct plerr e = { "" };
	struct statement st;
	struct buf body = { 0 };
	json_t *stmt;
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		model_window(&w[i], i);
	/* One idle window: counts for load features, not for model ones. */
	setw(&w[39], FEAT_BURSTS, 0);
	setw(&w[39], FEAT_CADENCE, 0.1);
	setw(&w[39], FEAT_MEAN, 500);
	assert_int_equal(baseline_build(w, 40, "m", "00", 1000000000ULL, &pmbus_1ms, &b, &e), 0);
	assert_int_equal(b.windows, 40);
	assert_int_equal(b.active, 39);
	assert_int_equal(b.samples, 40000);
	/* cadence over 39 active windows: i % 7 = 0..6 (0..4 six times, 5,6 five times): median 33 ms */
	assert_int_equal(b.median[FEAT_CADENCE], 33000);
	assert_int_equal(b.mad[FEAT_CADENCE], 2000);
	assert_false(feat_desc[FEAT_PERIOD].model || feat_desc[FEAT_DOM_FREQ].model || feat_desc[FEAT_MEAN].model);
	assert_int_equal(b.median[FEAT_MEAN], 1518500); /* 500 W and 1500..1538 W: (1518 + 1519) / 2 */
	assert_int_equal(b.loaded, 39);		       /* 1500 W and more: well above the 900 W idle */
	assert_int_equal(b.flat_run_ms, 0);	       /* busy stretches start in every window: never flat */
	assert_int_equal(b.plateau_ms, 0);	       /* no window held still */
	{
		/* The longest plateau high in the range the model itself held: 0.3 s at 1.9 kW, not 0.8 s at idle. */
		struct baseline b2;

		setw(&w[5], FEAT_PLATEAU, 0.3);
		setw(&w[5], FEAT_PLATEAU_LEVEL, 1900);
		setw(&w[6], FEAT_PLATEAU, 0.8);
		setw(&w[6], FEAT_PLATEAU_LEVEL, 950);
		assert_int_equal(baseline_build(w, 40, "m", "00", 1000000000ULL, &pmbus_1ms, &b2, &e), 0);
		assert_int_equal(b2.plateau_ms, 300);
		model_window(&w[5], 5);
		model_window(&w[6], 6);
	}
	assert_int_equal(b.idle_mw, 900000);
	assert_int_equal(b.ceiling_mw, 2000000);
	/* The null: 39 active windows in blocks of 6, each group of 3 held out against the rest. */
	assert_int_equal(b.null.group, MM_GROUP);
	assert_true(b.null.samples >= BASELINE_MIN_NULL);
	assert_true(b.null.df >= 1 && b.null.df <= 1);
	assert_true(b.null.scale > 0);
	assert_true(b.null.outlier >= MM_OUTLIER_MIN && b.null.outlier < 0.5);
	/*
	 * The commissioned range: 10th and 90th percentiles of the 39 (sorted: six 30 ms, ..., five 36 ms),
	 * v[3] and v[35].  The noise is window to window: successive cadences differ by 1 ms (six steps
	 * of seven) or 6 ms (the wrap), median 1 ms: 1.4826 / sqrt 2 ms.  A model feature's sigma is that
	 * noise, not the MAD (the load's drift is the load band's).
	 */
	assert_int_equal(b.lo[FEAT_CADENCE], 30000);
	assert_int_equal(b.hi[FEAT_CADENCE], 36000);
	assert_int_equal(b.noise[FEAT_CADENCE], llround(1.4826 / sqrt(2) * 1000));
	assert_float_equal(baseline_sigma(&b, FEAT_CADENCE), (double)llround(1.4826 / sqrt(2) * 1000), 1e-9);
	assert_float_equal(baseline_sigma(&b, FEAT_MEAN), 1.4826 * (double)b.mad[FEAT_MEAN], 1e-9); /* load: MAD */
	/* sigma floors come from the sensor: quantum for power, refresh for durations, 0.001 for ratios */
	b.noise[FEAT_CADENCE] = 0;
	/* 1 ms refresh over the ~30 steps of 33 ms a 1 s window holds: 1000 / sqrt(1e6 / 33000) us */
	assert_float_equal(baseline_sigma(&b, FEAT_CADENCE), 1000 / sqrt(1e6 / 33000), 1e-9);
	b.mad[FEAT_HIGH_RUN_MED] = 0;
	b.median[FEAT_HIGH_RUN_MED] = 20000;
	assert_float_equal(baseline_sigma(&b, FEAT_HIGH_RUN_MED), 1000, 1e-9); /* one run: the refresh */
	b.mad[FEAT_MEAN] = 0;
	assert_float_equal(baseline_sigma(&b, FEAT_MEAN), 250, 1e-9); /* 250 mW quantum, in mW */
	b.mad[FEAT_BAND_HIGH] = 0;
	assert_float_equal(baseline_sigma(&b, FEAT_BAND_HIGH), 1000, 1e-9); /* 0.001 in ppm */
	/* Not a fraction of the median: a 33 ms median with no spread is not floored at 330 us. */
	assert_true(baseline_sigma(&b, FEAT_CADENCE) < 0.01 * 33000);

	/* Refused with the counts: too few windows under load ... */
	assert_int_equal(baseline_build(w, 19, "m", "00", 1000000000ULL, &pmbus_1ms, &b, &e), -ENODATA);
	assert_non_null(strstr(e.msg, "19 windows under load of 19"));
	/* ... but load without request starts: registered for the other detectors, model-mismatch unsupported. */
	for (i = 0; i < 40; i++)
		setw(&w[i], FEAT_BURSTS, 0);
	assert_int_equal(baseline_build(w, 40, "m", "00", 1000000000ULL, &pmbus_1ms, &b, &e), 0);
	assert_int_equal(b.null.samples, 0);
	assert_non_null(strstr(b.mm_why, "0 active windows of 40"));
	for (i = 0; i < 40; i++)
		model_window(&w[i], i);
	/* No model feature (a sensor too slow for the cadence): registered, without a null, saying why. */
	for (i = 0; i < 40; i++)
		w[i].valid[FEAT_CADENCE] = false;
	assert_int_equal(baseline_build(w, 40, "m", "00", 1000000000ULL, &pmbus_1ms, &b, &e), 0);
	assert_int_equal(b.null.samples, 0);
	assert_non_null(strstr(b.mm_why, "0 model features"));
	assert_int_equal(b.idle_mw, 900000); /* the range is there for the miner */
	for (i = 0; i < 40; i++)
		model_window(&w[i], i);
	/* Too few windows at all: refused. */
	assert_int_equal(baseline_build(w, 9, "m", "00", 1000000000ULL, &pmbus_1ms, &b, &e), -ENODATA);

	/* Predicate: passes the Baseline/v3 schema and comes back equal. */
	assert_int_equal(baseline_build(w, 40, "gpt4-class",
					"1111111111111111111111111111111111111111111111111111111111111111",
					1000000000ULL, &pmbus_1ms, &b, &e),
			 0);
	stmt = statement_new(
		PL_KIND_BASELINE,
		json_pack("[o]",
			  subject_new("t.pltr", "2222222222222222222222222222222222222222222222222222222222222222")),
		baseline_predicate(&b));
	assert_int_equal(canon_dump(stmt, &body, &e), 0);
	assert_non_null(strstr((char *)body.p, "/Baseline/v3\""));
	if (statement_parse(body.p, body.len, &st, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(baseline_from_predicate(st.predicate, &back, &e), 0);
	assert_memory_equal(back.median, b.median, sizeof(b.median));
	assert_memory_equal(back.mad, b.mad, sizeof(b.mad));
	assert_memory_equal(back.lo, b.lo, sizeof(b.lo));
	assert_memory_equal(back.hi, b.hi, sizeof(b.hi));
	assert_memory_equal(back.noise, b.noise, sizeof(b.noise));
	assert_memory_equal(back.have, b.have, sizeof(b.have));
	assert_memory_equal(&back.sensor, &b.sensor, sizeof(b.sensor));
	assert_int_equal(back.idle_mw, b.idle_mw);
	assert_int_equal(back.null.samples, b.null.samples);
	assert_float_equal(back.null.df, b.null.df, 1e-3);
	assert_float_equal(back.null.scale, b.null.scale, 1e-6);
	assert_string_equal(back.model, "gpt4-class");
	assert_int_equal(back.null.nd, b.null.nd);
	assert_float_equal(back.null.d[back.null.nd - 1], b.null.d[b.null.nd - 1], 1e-6);
	/*
	 * Operator-signed but unphysical: refused, never used.  An idle below 0 (every draw "high": a miner
	 * proof for an idle host), a ceiling not above idle, a flat run that would overflow in ns, a
	 * window longer than a day (h would be 0), a feature scale below its floor.
	 */
	{
		static const struct {
			const char *obj, *key;
			json_int_t v;
			const char *want;
		} bad[] = {
			{ "range", "idle_mw", -1000000000, "range unusable" },
			{ "range", "ceiling_mw", 900000, "range unusable" },
			{ "range", "flat_run_ms", 18446744073710LL, "range unusable" },
			{ NULL, "window_ns", 1200000000000000LL, "longer than a day" },
			{ "range", "plateau_ms", 1001, "plateau no longer than a window" },
			{ "null", "max_micro", 1, "largest kept statistic is not max_micro" },
		};

		for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			json_t *pr = json_deep_copy(st.predicate), *o = bad[k].obj ? json_object_get(pr, bad[k].obj) : pr;

			json_object_set_new(o, bad[k].key, json_integer(bad[k].v));
			assert_int_equal(baseline_from_predicate(pr, &back, &e), -EINVAL);
			if (!strstr(e.msg, bad[k].want))
				fail_msg("%s=%lld: '%s' lacks '%s'", bad[k].key, (long long)bad[k].v, e.msg, bad[k].want);
			json_decref(pr);
		}
		/* A feature whose range does not hold its median (lo 36 ms above the 33 ms median). */
		{
			json_t *pr = json_deep_copy(st.predicate);

			json_object_set_new(json_object_get(json_object_get(pr, "features"), "cadence_us"), "lo",
					    json_integer(36000));
			assert_int_equal(baseline_from_predicate(pr, &back, &e), -EINVAL);
			assert_non_null(strstr(e.msg, "feature cadence_us: lo 36000 <= median 33000"));
			json_decref(pr);
		}
	}
	/* A baseline of other feature definitions is refused, saying which versions. */
	json_object_set_new(st.predicate, "features_version", json_integer(FEATURES_VERSION - 1));
	assert_int_equal(baseline_from_predicate(st.predicate, &back, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "features_version"));
	statement__free(&st);
	json_decref(stmt);
	buf_free(&body);
	/* A Baseline/v1 statement is refused by name. */
	body.len = 0;
	stmt = json_pack("{s:s,s:{},s:s,s:[{s:{s:s},s:s}]}", "_type", "https://in-toto.io/Statement/v1", "predicate",
			 "predicateType", PL_PREDICATE_PREFIX "Baseline/v1", "subject", "digest", "sha256",
			 "2222222222222222222222222222222222222222222222222222222222222222", "name", "t.pltr");
	assert_int_equal(canon_dump(stmt, &body, &e), 0);
	assert_int_not_equal(statement_parse(body.p, body.len, &st, &e), 0);
	assert_non_null(strstr(e.msg, "Baseline/v1 predates calibrated baselines"));
	json_decref(stmt);
	buf_free(&body);
	/* So is a Baseline/v2 (its null was calibrated for the two-sided statistic). */
	stmt = json_pack("{s:s,s:{},s:s,s:[{s:{s:s},s:s}]}", "_type", "https://in-toto.io/Statement/v1", "predicate",
			 "predicateType", PL_PREDICATE_PREFIX "Baseline/v2", "subject", "digest", "sha256",
			 "2222222222222222222222222222222222222222222222222222222222222222", "name", "t.pltr");
	assert_int_equal(canon_dump(stmt, &body, &e), 0);
	assert_int_not_equal(statement_parse(body.p, body.len, &st, &e), 0);
	assert_non_null(strstr(e.msg, "Baseline/v2 was calibrated for an older model-mismatch statistic"));
	json_decref(stmt);
	buf_free(&body);
}

/* ln Q(a, x) against closed forms: Q(1, x) = e^-x, Q(1/2, x) = erfc(sqrt x), Q(2, x) = (1 + x) e^-x. */
static void test_log_gamma_q(void **state)
{
	(void)state;
	assert_float_equal(log_gamma_q(1, 0.5), -0.5, 1e-12);
	assert_float_equal(log_gamma_q(1, 30), -30, 1e-9);
	assert_float_equal(log_gamma_q(1, 800), -800, 1e-6); /* far below DBL_MIN: kept in logs */
	assert_float_equal(log_gamma_q(0.5, 0.3), log(erfc(sqrt(0.3))), 1e-12);
	assert_float_equal(log_gamma_q(0.5, 9), log(erfc(3)), 1e-9);
	assert_float_equal(log_gamma_q(2, 1.5), log(2.5) - 1.5, 1e-12);
	assert_float_equal(log_gamma_q(2, 50), log(51) - 50, 1e-9);
	assert_float_equal(log_gamma_q(3, 0), 0, 0);
}

static void base_for_mismatch(struct baseline *b)
{
	memset(b, 0, sizeof(*b));
	b->window_ns = 1000000000ULL;
	b->sensor = pmbus_1ms;
	b->have[FEAT_CADENCE] = true;
	b->have[FEAT_MEAN] = true; /* a load feature: never part of the statistic */
	b->median[FEAT_MEAN] = 2000000;
	b->mad[FEAT_MEAN] = 1000;
	b->median[FEAT_CADENCE] = 30000; /* us, sigma (window-to-window noise) 14826: 0.4942 of the median */
	b->mad[FEAT_CADENCE] = 10000;
	b->noise[FEAT_CADENCE] = 14826;
	b->lo[FEAT_CADENCE] = 30000; /* the fast side's reference: here the median */
	b->hi[FEAT_CADENCE] = 30000;
	b->null = (struct baseline_null){ .group = MM_GROUP, .samples = 300, .scale = 1, .df = 1, .max = 9, .outlier = 0.05 };
	/* 300 null statistics, kept as 256: all 0 (inside the load band) but the largest, 9. */
	b->null.nd = 256;
	b->null.d[255] = 9;
}

/* The cadence (s) z sigmas beyond the load band of base_for_mismatch(). */
static double cadence_at(double z)
{
	return 0.030 * exp(z >= 0 ? log1p(MM_LOAD_BAND) + z * 14826.0 / 30000 : log1p(-MM_LOAD_BAND_FAST) + z * 14826.0 / 30000);
}

/* n active 1 s windows with the same cadence. */
static void mismatch_windows(struct window_features *w, size_t n, double cadence)
{
	memset(w, 0, n * sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		setw(&w[i], FEAT_CADENCE, cadence);
		setw(&w[i], FEAT_MEAN, 5000); /* far from the baseline's 2 kW: load, no contradiction */
		setw(&w[i], FEAT_BURSTS, 10);
		w[i].n = 1000;
		w[i].start_ns = i * 1000000000ULL;
		w[i].end_ns = (i + 1) * 1000000000ULL;
	}
}

static void test_model_mismatch(void **state)
{
	struct window_features w[60];
	const struct window_features *g[3];
	struct detect_params p;
	struct finding f;
	struct baseline b;
	double h, lp, theta, gph, z;
	size_t i, groups;

	(void)state;
	detect_params_default(&p);
	base_for_mismatch(&b);
	/* Every window 4 sigmas beyond the load band: D = 16, magnitude p = Q(0.5, 8) = erfc(sqrt 8). */
	mismatch_windows(w, 60, cadence_at(4));
	z = mm_z(&b, FEAT_CADENCE, (double)feat_int(FEAT_CADENCE, w[0].v[FEAT_CADENCE]));
	assert_float_equal(z, 4, 1e-4);
	assert_true(mm_window_off(&w[0], &b));
	assert_float_equal(mm_log_p(&b.null, 16), log(erfc(sqrt(8))), 1e-9);
	/*
	 * The null's own tail: no kept sample reaches 16.  Its top tenth (k = 25 of 256: 24 zeros and the
	 * 9) over u = 0 has a mean excess of 9 / 25, floored at 2; the tail falls at that rate from the
	 * empirical fraction at the largest sample, 9.  Within the samples it is the empirical fraction.
	 */
	g[0] = &w[0], g[1] = &w[1], g[2] = &w[2];
	assert_float_equal(mm_log_p_empirical(&b.null, 16), log(1.0 / 301), 1e-12);
	assert_float_equal(mm_log_p_empirical(&b.null, 9), log((300.0 / 256 + 1) / 301), 1e-12);
	assert_float_equal(mm_log_p_empirical(&b.null, 0), 0, 1e-12);
	assert_float_equal(mm_log_p_tail(&b.null, 16), log((300.0 / 256 + 1) / 301) - (16 - 9) / 2.0, 1e-12);
	assert_float_equal(mm_log_p_tail(&b.null, 9), log((300.0 / 256 + 1) / 301), 1e-12);
	assert_float_equal(mm_log_p_tail(&b.null, 5), log((300.0 / 256 + 1) / 301), 1e-12);
	/*
	 * The group's p is the largest of three: erfc(sqrt 8) (e^-9.67), the count bound (3 of 3 windows
	 * off at p0 = 0.05: e^-8.99) and the null's tail (e^-8.43): the tail.
	 */
	lp = mm_group_log_p(g, 3, &b, z * z);
	assert_float_equal(lp, log((300.0 / 256 + 1) / 301) - (z * z - 9) / 2, 1e-9);
	/* Far beyond the null the tail is no limit: the count bound is. */
	assert_float_equal(mm_group_log_p(g, 3, &b, 1e4), 3 * log(0.05), 1e-9);
	/*
	 * An honest phase commissioning saw (a tenth of the null at 16 or more) makes the same group
	 * weak: 26 of 256 kept samples stand for 26 * 300 / 256 of 300.
	 */
	for (i = 230; i < 256; i++)
		b.null.d[i] = 16;
	assert_float_equal(mm_group_log_p(g, 3, &b, z * z), log((26 * 300.0 / 256 + 1) / 301), 1e-9);
	for (i = 230; i < 255; i++)
		b.null.d[i] = 0;
	b.null.d[255] = 9;
	assert_float_equal(mm_log_binom_tail(3, 2, 0.05), log(3 * 0.05 * 0.05 * 0.95 + 0.05 * 0.05 * 0.05), 1e-12);
	/* h = ln(G / r) / theta: G = 1200 groups an hour of 3 s, r = 1e-6; theta solves -ln(1 - t) = 2 t. */
	h = mm_cusum_threshold(&b, &p, &theta, &gph);
	assert_float_equal(gph, 1200, 1e-9);
	assert_float_equal(-log1p(-theta), 2 * theta, 1e-9);
	assert_float_equal(h, log(1200 / 1e-6) / theta, 1e-9);
	/* Each group adds -ln p - 2 nats: the proof comes with the group that crosses h. */
	groups = (size_t)ceil(h / (-lp - 2));
	assert_true(groups >= 2 && groups * 3 <= 60);
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), 1);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "groups")), groups);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "time_to_proof_ms")), groups * 3000);
	assert_int_equal(f.start_ns, 0);
	assert_int_equal(f.end_ns, groups * 3000000000ULL);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "cusum_milli")),
			 llround(groups * (-lp - 2) * 1000));
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "log10_p_min_milli")), llround(lp / log(10) * 1000));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(f.evidence, "z_msigma"), "cadence_us")),
			 llround(z * 1000));
	assert_null(json_object_get(json_object_get(f.evidence, "z_msigma"), "mean_mw")); /* load: never counted */
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "features")), 1);
	assert_true(json_integer_value(json_object_get(f.evidence, "false_alarm_per_hour_ppb")) <= 1000);
	finding__free(&f);
	/* One odd window (a harmonic) in every group does not move a group's median: the same proof. */
	for (i = 1; i < 60; i += 3)
		setw(&w[i], FEAT_CADENCE, 0.5);
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), 1);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "groups")), groups);
	finding__free(&f);
	/* Two odd windows in one group prove nothing, however far off: the count bound caps it at 2 of 3. */
	mismatch_windows(w, 60, 0.030);
	setw(&w[4], FEAT_CADENCE, 0.5);
	setw(&w[5], FEAT_CADENCE, 0.5);
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), 0);
	assert_non_null(strstr(f.summary, "p-value 10^-2.1")); /* 3 p0^2 (1 - p0) + p0^3 = 0.00725 */
	/* Too few groups to reach h: measured, not a proof. */
	mismatch_windows(w, 60, cadence_at(4));
	assert_int_equal(detect_model_mismatch(w, (groups - 1) * 3, &b, &p, &f), 0);
	assert_null(f.evidence);
	assert_non_null(strstr(f.summary, "CUSUM"));
	/* A stricter false-alarm rate raises h. */
	p.false_alarm_per_hour = 1e-30;
	assert_true(mm_cusum_threshold(&b, &p, NULL, NULL) > h);
	p.false_alarm_per_hour = 1e-6;
	/*
	 * The band is one-sided (physics: batching only slows a step).  With a window-to-window noise of 1 %
	 * of the step: 20 % slower is load, no proof; 20 % faster than the lightest commissioned load is
	 * beyond MM_LOAD_BAND_FAST (down to 85 % of lo), z = (ln 0.8 - ln 0.85) / 0.01 = -6.06: a proof.
	 * When the commissioning saw a 25 ms step (lo), 24 ms is within it: no proof.
	 */
	b.noise[FEAT_CADENCE] = 300;
	mismatch_windows(w, 60, 0.036);
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), 0);
	finding__free(&f);
	mismatch_windows(w, 60, 0.024);
	assert_float_equal(mm_z(&b, FEAT_CADENCE, 24000), (log(0.8) - log1p(-MM_LOAD_BAND_FAST)) / 0.01, 1e-9);
	assert_float_equal(mm_z(&b, FEAT_CADENCE, 25600), 0, 0); /* just inside 85 % of 30 ms */
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), 1);
	finding__free(&f);
	b.lo[FEAT_CADENCE] = 25000;
	assert_float_equal(mm_z(&b, FEAT_CADENCE, 24000), 0, 0);
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), 0);
	finding__free(&f);
	/* Between the lightest load and the median: the commissioned range itself. */
	assert_float_equal(mm_z(&b, FEAT_CADENCE, 27000), 0, 0);
	b.lo[FEAT_CADENCE] = 30000;
	b.noise[FEAT_CADENCE] = 14826;
	/* The same model at another load (mean far off, cadence 35 % slower: inside the load band): no proof. */
	mismatch_windows(w, 60, 0.0405);
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), 0);
	/* Windows with no busy stretch say nothing about the model. */
	for (i = 0; i < 60; i++)
		setw(&w[i], FEAT_BURSTS, 0);
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), -ENODATA);
	assert_non_null(strstr(f.summary, "active window"));
	/* Too few windows. */
	mismatch_windows(w, 60, cadence_at(4));
	assert_int_equal(detect_model_mismatch(w, 2, &b, &p, &f), -ENODATA);
	/* A sensor slower than a decode step cannot show the model: undecided, saying so. */
	b.sensor.refresh_ns = 100000000;
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), -ENODATA);
	assert_non_null(strstr(f.summary, "independent reading every 100 ms"));
	/* Nor a baseline registered without a null. */
	base_for_mismatch(&b);
	b.null.samples = 0;
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), -ENODATA);
	assert_non_null(strstr(f.summary, "supports no model-mismatch decision"));
}

/* Evidence integers saturate, never wrap; NaN evidence is never signed. */
static void test_evidence_saturates(void **state)
{
	struct window_features w[60];
	struct detect_params p;
	struct finding f;
	struct baseline b;
	bool nan = false;
	size_t i;

	(void)state;
	assert_int_equal(evidence_int(1e30, &nan), INT64_MAX);
	assert_int_equal(evidence_int(-1e30, &nan), -INT64_MAX);
	assert_int_equal(evidence_int(INFINITY, &nan), INT64_MAX);
	assert_int_equal(evidence_int(9223372036854775808.0, &nan), INT64_MAX);
	assert_int_equal(evidence_int(-2.5, &nan), -3);
	assert_false(nan);
	assert_int_equal(evidence_int(NAN, &nan), 0);
	assert_true(nan);

	/* Wild trace: the cadence saturates at INT64_MAX us; z is finite, the count bound decides. */
	detect_params_default(&p);
	base_for_mismatch(&b);
	mismatch_windows(w, 60, 1e17);
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(f.evidence, "z_msigma"), "cadence_us")),
			 llround((log((double)INT64_MAX / 30000) - log1p(MM_LOAD_BAND)) / (14826.0 / 30000) * 1000));
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "log10_p_min_milli")),
			 llround(3 * log(0.05) / log(10) * 1000));
	finding__free(&f);

	/* A NaN feature is no feature (it used to pass feat_int() as INT64_MIN): undecided, nothing signed. */
	for (i = 0; i < 60; i++)
		setw(&w[i], FEAT_CADENCE, NAN);
	assert_int_equal(detect_model_mismatch(w, 60, &b, &p, &f), -ENODATA);
	assert_null(f.evidence);
	assert_non_null(strstr(f.summary, "none with 1 comparable model features"));
}

/* The miner tests' baseline: 1 s windows, the host's range 1..3 kW. */
static void miner_base(struct baseline *b, struct detect_params *p)
{
	detect_params_default(p);
	memset(b, 0, sizeof(*b));
	b->window_ns = 1000000000ULL;
	b->idle_mw = 1000000;
	b->ceiling_mw = 3000000;
}

/* n consecutive 1 s windows of mean W, coefficient of variation cv, and that many bursts. */
static void miner_windows(struct window_features *w, size_t n, double mean, double cv, double bursts)
{
	memset(w, 0, n * sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		setw(&w[i], FEAT_MEAN, mean);
		setw(&w[i], FEAT_CV, cv);
		setw(&w[i], FEAT_BURSTS, bursts);
		w[i].start_ns = i * 1000000000ULL;
		w[i].end_ns = (i + 1) * 1000000000ULL;
	}
}

/*
 * Mining that hides (in the gaps between requests, or switched on and off):
 * windows of a serving model (states, bursts) whose draw held still high in
 * the range for longer than any step.  Range 1..3 kW; a plateau at 2.5 kW is
 * 75 % of the way up.
 */
static void test_miner_hidden(void **state)
{
	struct claim c = { .workload = "inference" };
	struct window_features w[40];
	struct detect_params p;
	struct baseline b;
	struct finding f;
	size_t i;

	(void)state;
	miner_base(&b, &p);
	b.sensor = pmbus_1ms;
	b.plateau_ms = 150; /* the model's own longest: a 70B prefill chunk */
	miner_windows(w, 40, 2000, 0.2, 6);
	for (i = 0; i < 40; i++) {
		setw(&w[i], FEAT_PLATEAU, 0.012);
		setw(&w[i], FEAT_PLATEAU_LEVEL, 2400);
	}
	/* Serving, stepping: nothing. */
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	assert_non_null(strstr(f.summary, "0 window(s) with a high plateau of 0.5 s or more (need 4)"));
	/* Four windows holding 0.6 s each (2.4 s): a proof, with its numbers. */
	for (i = 10; i < 14; i++) {
		setw(&w[i], FEAT_PLATEAU, 0.6);
		setw(&w[i], FEAT_PLATEAU_LEVEL, 2500);
	}
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 1);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "plateau_windows")), 4);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "plateau_total_ms")), 2400);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "plateau_min_ms")), 500);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "baseline_plateau_ms")), 150);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "level_in_range_ppm")), 750000);
	assert_int_equal(f.start_ns, 10000000000ULL);
	assert_int_equal(f.end_ns, 14000000000ULL);
	assert_non_null(strstr(f.summary, "held still high in the range"));
	finding__free(&f);
	/* Three are not enough ... */
	setw(&w[13], FEAT_PLATEAU, 0.012);
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	setw(&w[13], FEAT_PLATEAU, 0.6);
	/* ... nor four low in the range (a GPU idling between requests holds still too) ... */
	for (i = 10; i < 14; i++)
		setw(&w[i], FEAT_PLATEAU_LEVEL, 1500);
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	for (i = 10; i < 14; i++)
		setw(&w[i], FEAT_PLATEAU_LEVEL, 2500);
	/* ... nor plateaus under twice the model's own longest (2 s windows, 0.4 s in commissioning: 0.8 s) ... */
	b.plateau_ms = 400;
	b.window_ns = 2000000000ULL;
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	assert_non_null(strstr(f.summary, "of 0.8 s or more"));
	for (i = 10; i < 14; i++)
		setw(&w[i], FEAT_PLATEAU, 0.8);
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 1);
	finding__free(&f);
	for (i = 10; i < 14; i++)
		setw(&w[i], FEAT_PLATEAU, 0.6);
	b.window_ns = 1000000000ULL;
	/* ... and a model that held still for more than a quarter of a window leaves plateaus unjudged. */
	b.plateau_ms = 300;
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	assert_non_null(strstr(f.summary, "plateaus not judged (the model itself held 0.3 s)"));
	b.plateau_ms = 150;
	/* A sensor that cannot show the steps (100 ms refresh: every decode run is flat) is not judged. */
	b.sensor.refresh_ns = 100000000;
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	assert_non_null(strstr(f.summary, "the sensor does not show the model's steps"));
	b.sensor = pmbus_1ms;
	/* Nor when the trace's sensor is not the baseline's (detect_all() turns it off). */
	p.miner_hidden = false;
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	assert_non_null(strstr(f.summary, "another sensor or refresh"));
	p.miner_hidden = true;
	/* A short trace (20 windows: no sustained run possible) still shows it. */
	assert_int_equal(detect_miner(w, 20, &b, &c, &p, &f), 1);
	finding__free(&f);
}

static void test_miner(void **state)
{
	struct claim c = { .workload = "inference" };
	struct window_features w[40];
	struct detect_params p;
	struct baseline b;
	struct finding f;

	(void)state;
	miner_base(&b, &p);
	miner_windows(w, 40, 2900, 0.004, 0);
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 1);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "level_in_range_ppm")), 950000); /* 1.9/2 */
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "cv_ppm")), 4000);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "sustained_windows")), 40);
	assert_int_equal(json_integer_value(json_object_get(f.evidence, "sustained_ms")), 40000);
	finding__free(&f);
	/* Request structure (states) in window 20 breaks the run: 20 and 19 windows, not 30. */
	setw(&w[20], FEAT_BURSTS, 1);
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	assert_non_null(strstr(f.summary, "longest flat high draw 20 window(s)"));
	setw(&w[20], FEAT_BURSTS, 0);
	/* Each condition matters: not flat (CV 5 %) ... */
	setw(&w[15], FEAT_CV, 0.05);
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	setw(&w[15], FEAT_CV, 0.004);
	/* ... low in the range (45 % of the way from idle to the ceiling) ... */
	setw(&w[15], FEAT_MEAN, 1900);
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	setw(&w[15], FEAT_MEAN, 2900);
	/* ... a gap in time ... */
	w[15].start_ns += 1;
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
	w[15].start_ns -= 1;
	/* ... too short a span. */
	assert_int_equal(detect_miner(w, 29, &b, &c, &p, &f), -ENODATA);
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 1);
	finding__free(&f);
	/* The model itself held still for 10 s in commissioning: a miner must hold 21 windows (30 here) ... */
	b.flat_run_ms = 10000;
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 1);
	finding__free(&f);
	/* ... for 20 s: 41 windows, more than these 40 ... */
	b.flat_run_ms = 20000;
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), -ENODATA);
	assert_non_null(strstr(f.summary, "needs 41"));
	/* ... for the whole span (a model at its power cap): a miner there cannot be told apart. */
	b.flat_run_ms = 30000;
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), -ENODATA);
	assert_non_null(strstr(f.summary, "saturates its power cap"));
	b.flat_run_ms = 0;
	/* Not under an inference claim: nothing to contradict. */
	strcpy(c.workload, "training");
	assert_int_equal(detect_miner(w, 40, &b, &c, &p, &f), 0);
}

/* 1000 samples at 1 ms: P alternates 2000/2002 W at V = 50 V, I = P / V exactly. */
static void clean_trace(struct trace *t, uint8_t source)
{
	struct pl_sample s;
	size_t i;

	trace_init(t, 1000000, 0, PL_RAIL_POUT | PL_RAIL_VOUT | PL_RAIL_IOUT, source, 0, "", "", "", "");
	for (i = 0; i < 1000; i++) {
		memset(&s, 0, sizeof(s));
		s.ts_ns = 5000000000ULL + i * 1000000ULL;
		s.seq = i;
		s.version = PL_SAMPLE_VERSION;
		s.rails = t->info.rails;
		s.pout_uw = i % 2 ? 2002000000 : 2000000000;
		s.vout_uv = 50000000;
		s.iout_ua = i % 2 ? 40040000 : 40000000;
		assert_int_equal(trace_push(t, &s), 0);
	}
}

static int64_t ev(const struct finding *f, const char *k)
{
	return json_integer_value(json_object_get(f->evidence, k));
}

/*
 * 20 s of POUT at 1 kHz: a request rhythm (300 W busy stretches of 40 ms every 170 ms) under live
 * noise (uniform +-5 W, a fresh draw per sample); with loop_ms, everything from 5 s on is the
 * readings of loop_ms earlier played back.  pattern: no noise at all, a 250 ms square wave.
 */
static void replay_trace(struct trace *t, uint8_t source, uint64_t loop_ms, bool pattern)
{
	uint64_t r = 0x9e3779b97f4a7c15ULL;
	struct pl_sample s;

	trace_init(t, 1000000, 0, PL_RAIL_POUT, source, 0, "", "", "", "");
	for (size_t i = 0; i < 20000; i++) {
		double w;

		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		w = pattern ? (i % 250 < 100 ? 2100 : 2000) : 2000 + (i % 170 < 40 ? 300 : 0) + 10.0 * ((double)(r >> 11) / 9007199254740992.0 - 0.5);
		memset(&s, 0, sizeof(s));
		s.ts_ns = 5000000000ULL + i * 1000000ULL;
		s.seq = i;
		s.version = PL_SAMPLE_VERSION;
		s.rails = t->info.rails;
		s.pout_uw = loop_ms && i >= 5000 ? t->s[i - loop_ms].pout_uw : (int64_t)llround(w * 1e6);
		assert_int_equal(trace_push(t, &s), 0);
	}
}

/* Replayed readings: the fine structure comes back sample for sample (science/replay.h). */
static void test_rail_tamper_replay(void **state)
{
	struct detect_params p;
	struct finding f;
	struct trace t;

	(void)state;
	detect_params_default(&p);
	/* Live: the rhythm repeats, the noise never does. */
	replay_trace(&t, PLTR_SRC_KMOD, 0, false);
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	trace__free(&t);
	/* A 3 s loop: a proof, the lag a multiple of the loop, r 1. */
	replay_trace(&t, PLTR_SRC_KMOD, 3000, false);
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
	assert_int_equal(ev(&f, "replay_lag_ms") % 3000, 0);
	assert_true(ev(&f, "replay_r_milli") >= 990);
	assert_non_null(strstr(f.summary, "replayed"));
	finding__free(&f);
	trace__free(&t);
	/* An imported log: its clock and repeats are not the kernel's; not judged. */
	replay_trace(&t, PLTR_SRC_CSV, 3000, false);
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	trace__free(&t);
	/* A noiseless periodic pattern repeats as exactly at 250 ms as at 3 s: a rhythm, not a loop. */
	replay_trace(&t, PLTR_SRC_KMOD, 0, true);
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	trace__free(&t);
	/*
	 * An idle GPU on one quantization step, blipped +3 W for 30 ms every second by a host timer: its only
	 * changes come back every second (r = 1 at 1 s), but the reading changes at a few of its refreshes,
	 * not most: no fine structure, no loop (found by review: it was a rail-tamper proof).
	 */
	{
		struct pl_sample smp;

		trace_init(&t, 1000000, 0, PL_RAIL_POUT, PLTR_SRC_KMOD, 0, "", "", "", "");
		for (size_t i = 0; i < 60000; i++) {
			memset(&smp, 0, sizeof(smp));
			smp.ts_ns = 5000000000ULL + i * 1000000ULL;
			smp.seq = i;
			smp.version = PL_SAMPLE_VERSION;
			smp.rails = t.info.rails;
			smp.pout_uw = i % 1000 >= 200 && i % 1000 < 230 ? 63000000 : 60000000;
			assert_int_equal(trace_push(&t, &smp), 0);
		}
		assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
		trace__free(&t);
	}
}

/*
 * detect_all(), the wiring check, run and eval share: when the evidence fits both crypto-miner-hidden
 * and model-mismatch, only the weaker accusation (model-mismatch) is signed; --all signs both; a
 * baseline from another kind of sensor never judges the miner.
 */
static void test_detect_all_signs_the_weaker(void **state)
{
	struct claim c = { .workload = "inference", .end_ns = UINT64_MAX };
	struct window_features w[100];
	struct finding f[__DET_MAX];
	bool sign[__DET_MAX], weaker;
	enum detector failed;
	struct detect_params p;
	struct baseline b;
	struct series sv;
	struct trace t;
	int res[__DET_MAX];
	size_t i;

	(void)state;
	detect_params_default(&p);
	base_for_mismatch(&b);
	b.idle_mw = 1000000;
	b.ceiling_mw = 3000000;
	clean_trace(&t, PLTR_SRC_KMOD);
	t.info.sensor = b.sensor;
	/* 40 s flat high (a miner), then 60 windows of busy stretches 4 sigmas off the cadence. */
	mismatch_windows(w, 100, cadence_at(4));
	for (i = 0; i < 40; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		setw(&w[i], FEAT_MEAN, 2900);
		setw(&w[i], FEAT_CV, 0.004);
		setw(&w[i], FEAT_BURSTS, 0);
		w[i].n = 1000;
		w[i].start_ns = i * 1000000000ULL;
		w[i].end_ns = (i + 1) * 1000000000ULL;
	}
	assert_int_equal(detect_all(trace_series(&t, &sv), w, 100, &b, &c, &p, false, res, f, sign, &weaker, &failed), 0);
	assert_int_equal(res[DET_MINER], 1);
	assert_int_equal(res[DET_MODEL_MISMATCH], 1);
	assert_int_equal(res[DET_RAIL_TAMPER], 0);
	assert_true(sign[DET_MODEL_MISMATCH]);
	assert_false(sign[DET_MINER]);
	assert_false(sign[DET_RAIL_TAMPER]);
	assert_true(weaker);
	for (i = 0; i < __DET_MAX; i++)
		finding__free(&f[i]);
	/* --all: both signed. */
	assert_int_equal(detect_all(trace_series(&t, &sv), w, 100, &b, &c, &p, true, res, f, sign, &weaker, &failed), 0);
	assert_true(sign[DET_MODEL_MISMATCH] && sign[DET_MINER]);
	for (i = 0; i < __DET_MAX; i++)
		finding__free(&f[i]);
	/* Another kind of sensor: the miner undecided, saying why; model-mismatch not compared either. */
	t.info.sensor.kind = SENSOR_NVML;
	assert_int_equal(detect_all(trace_series(&t, &sv), w, 100, &b, &c, &p, false, res, f, sign, &weaker, &failed), 0);
	assert_int_equal(res[DET_MINER], -ENODATA);
	assert_non_null(strstr(f[DET_MINER].summary, "a nvml sensor's levels against a baseline's range from a pmbus"));
	assert_int_equal(res[DET_MODEL_MISMATCH], -ENODATA);
	assert_false(sign[DET_MINER] || sign[DET_MODEL_MISMATCH]);
	for (i = 0; i < __DET_MAX; i++)
		finding__free(&f[i]);
	trace__free(&t);
}

static void test_rail_tamper(void **state)
{
	struct detect_params p;
	struct finding f;
	struct trace t;
	size_t i;

	(void)state;
	detect_params_default(&p);
	/* An empty trace (found by fuzz_trace: t.s is NULL) has nothing to judge. */
	trace_init(&t, 1000000, 0, 0, PLTR_SRC_KMOD, 0, "", "", "", "");
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), -ENODATA);
	clean_trace(&t, PLTR_SRC_KMOD);
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	assert_non_null(strstr(f.summary, "rails consistent"));
	/* One sample straddling a load step (POUT read before it): physics allows it. */
	t.s[500].pout_uw = 3000000000;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	trace__free(&t);

	/*
	 * POUT reported at 60 % for samples 400..599: residual -0.4 P = -800 or
	 * -800.8 W (median -800.4) against 0 elsewhere; robust sigma of the clean
	 * residual is 0, floored at 0.1 % of median |P| = 2 W: 400.2 sigma.
	 */
	clean_trace(&t, PLTR_SRC_KMOD);
	for (i = 400; i < 600; i++)
		t.s[i].pout_uw = t.s[i].pout_uw / 10 * 6;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
	assert_int_equal(ev(&f, "discontinuity_msigma"), 400200);
	assert_int_equal(ev(&f, "pvi_bad_samples"), 200);
	assert_int_equal(ev(&f, "pvi_longest_run"), 200);
	assert_int_equal(ev(&f, "pvi_err_max_ppm"), 666667); /* 0.4 / 0.6 */
	assert_int_equal(f.start_ns, t.s[404].ts_ns);	     /* the 5th sample of the run makes it sustained */
	assert_int_equal(f.end_ns, t.s[599].ts_ns);
	finding__free(&f);
	trace__free(&t);

	/* Stuck: 60 identical readings (>= 50 ms), unlike either neighbour. */
	clean_trace(&t, PLTR_SRC_KMOD);
	for (i = 300; i < 360; i++) {
		t.s[i].pout_uw = 2001000000;
		t.s[i].iout_ua = 40020000;
	}
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
	assert_int_equal(ev(&f, "stuck_longest_run"), 60);
	assert_int_equal(ev(&f, "discontinuity_msigma"), 0);
	finding__free(&f);
	trace__free(&t);

	/*
	 * A sensor polled faster than it refreshes (NVML: 100 ms at a 5 ms
	 * poll) repeats each reading 20 times, sometimes 60 when the value did
	 * not change: that is its cadence, not a stuck sensor.  A reading held
	 * for 10x the median hold (here 200 samples) still is.
	 */
	clean_trace(&t, PLTR_SRC_CSV);
	for (i = 0; i < 1000; i++) {
		size_t blk = i / 20 == 10 || i / 20 == 11 ? 10 : i / 20;	/* 40..79: one 60-long hold */

		t.s[i].pout_uw = 2000000000 + (int64_t)(blk % 2) * 2000000 + (int64_t)blk * 1000;
		t.s[i].iout_ua = t.s[i].pout_uw / 50;
	}
	for (i = 200; i < 240; i++) {
		t.s[i].pout_uw = t.s[199].pout_uw;
		t.s[i].iout_ua = t.s[199].iout_ua;
	}
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	assert_non_null(strstr(f.summary, "no stuck values"));
	finding__free(&f);
	for (i = 500; i < 760; i++) {	/* frozen for 260 samples: 13x the hold */
		t.s[i].pout_uw = t.s[499].pout_uw;
		t.s[i].iout_ua = t.s[499].iout_ua;
	}
	/* An imported log never yields stuck evidence: NVML holds readings for seconds, honestly. */
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	assert_non_null(strstr(f.summary, "no stuck values"));
	finding__free(&f);
	/*
	 * A kernel capture of the same sensor: around the frozen stretch it
	 * changed at nearly every refresh, so 13 refreshes without a change
	 * are far beyond chance: stuck.
	 */
	t.info.source = PLTR_SRC_KMOD;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
	assert_true(ev(&f, "stuck_longest_run") >= 260);
	finding__free(&f);
	trace__free(&t);
	/*
	 * A sensor that changes every sample under load, and at idle sits on
	 * one quantization step, moving once in 50 samples: 260 samples
	 * without a change in the middle of that idle stretch are what such a
	 * sensor does (the neighbourhood says so), not a stuck one.  The same
	 * 260 in the middle of the busy part are.
	 */
	clean_trace(&t, PLTR_SRC_KMOD);
	for (i = 200; i < 1000; i++) {
		t.s[i].pout_uw = 2000000000 + (int64_t)((i / 50) % 2) * 2000000;
		t.s[i].iout_ua = t.s[i].pout_uw / 50;
	}
	for (i = 500; i < 760; i++) {
		t.s[i].pout_uw = t.s[499].pout_uw;
		t.s[i].iout_ua = t.s[499].iout_ua;
	}
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	assert_non_null(strstr(f.summary, "no stuck values"));
	finding__free(&f);
	trace__free(&t);
	clean_trace(&t, PLTR_SRC_KMOD);
	for (i = 500; i < 760; i++) {
		t.s[i].pout_uw = t.s[499].pout_uw;
		t.s[i].iout_ua = t.s[499].iout_ua;
	}
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
	finding__free(&f);
	/* A kernel range that never changed at all: a frozen sensor or a quiet one? Not judged. */
	for (i = 1; i < t.n; i++) {
		t.s[i].pout_uw = t.s[0].pout_uw;
		t.s[i].iout_ua = t.s[0].iout_ua;
	}
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	finding__free(&f);
	trace__free(&t);

	/* Timestamps: one going backwards, then a 10 ms jump with consecutive sequence numbers. */
	clean_trace(&t, PLTR_SRC_KMOD);
	t.s[700].ts_ns = t.s[698].ts_ns;
	for (i = 800; i < 1000; i++)
		t.s[i].ts_ns += 10000000;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
	assert_int_equal(ev(&f, "ts_backwards"), 1);
	assert_int_equal(ev(&f, "ts_gaps"), 1);
	finding__free(&f);
	/* The same jump flagged as an overrun is explained. */
	t.s[700].ts_ns = t.s[699].ts_ns + 1000000;
	t.s[800].flags |= PL_SF_OVERRUN;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	/* So is the first sample after a system sleep (the module flags it, without OVERRUN). */
	t.s[800].flags = PL_SF_RESUMED;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	trace__free(&t);
	/*
	 * One sample taken 4.5 ms late (another bus master held the bus: ts_ns
	 * is taken right before the reads); the ticks that passed meanwhile
	 * are coalesced and flagged on the next sample, not on the late one,
	 * and the grid goes on from there.  Not time cut out of the trace.
	 */
	clean_trace(&t, PLTR_SRC_KMOD);
	t.s[500].ts_ns = t.s[499].ts_ns + 4500000;
	t.s[501].ts_ns = t.s[500].ts_ns + 100000;
	t.s[501].flags |= PL_SF_OVERRUN;
	for (i = 502; i < t.n; i++)
		t.s[i].ts_ns += 2000000;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	finding__free(&f);
	trace__free(&t);
	clean_trace(&t, PLTR_SRC_KMOD);
	/* ... while 4 ms cut out for good, with nothing flagged, is. */
	for (i = 500; i < t.n; i++)
		t.s[i].ts_ns += 4000000;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
	assert_int_equal(ev(&f, "ts_gaps"), 1);
	finding__free(&f);
	trace__free(&t);

	/* Sequence gaps: 5 missing records are tamper unless the header declares them lost. */
	clean_trace(&t, PLTR_SRC_KMOD);
	for (i = 600; i < 1000; i++) {
		t.s[i].seq += 5;
		t.s[i].ts_ns += 5000000;
	}
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
	assert_int_equal(ev(&f, "seq_missing"), 5);
	finding__free(&f);
	t.info.lost = 5;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	trace__free(&t);

	/* A CSV import's logger hiccup is not kernel timing: not evidence. */
	clean_trace(&t, PLTR_SRC_CSV);
	for (i = 800; i < 1000; i++)
		t.s[i].ts_ns += 10000000;
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 0);
	trace__free(&t);

	/* VOUT stepping 50 -> 45 V (P still = V * I): a regulated rail does not do that. */
	clean_trace(&t, PLTR_SRC_KMOD);
	for (i = 500; i < 1000; i++) {
		t.s[i].vout_uv = 45000000;
		t.s[i].iout_ua = t.s[i].pout_uw / 45;
	}
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
	assert_int_equal(ev(&f, "vout_step_max_ppm"), 100000); /* 5 V of 50 */
	assert_int_equal(ev(&f, "pvi_bad_samples"), 0);
	finding__free(&f);
	/* Only the time range asked for is judged. */
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, t.s[400].ts_ns, &p, &f), 0);
	assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, t.s[10].ts_ns, &p, &f), -ENODATA);
	trace__free(&t);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of 20 values from a sorted copy, as the detector defines it. */
static double median20(const double *x)
{
	double s[20];

	memcpy(s, x, sizeof(s));
	qsort(s, 20, sizeof(*s), cmp_d);
	return (s[9] + s[10]) / 2;
}

/*
 * The VOUT level shift over sliding windows against medians computed from
 * scratch at every sample.  Rounds 0-3 have steps past the tolerance; round
 * 4 has only quantized noise, far inside it (so the search may be skipped),
 * and fires on a timestamp gap instead: its evidence must still carry the
 * exact largest shift.
 */
static void test_rail_tamper_vout_windows(void **state)
{
	static double v[1000];
	struct detect_params p;
	struct finding f;
	struct trace t;
	uint64_t seed = 7;
	double vmax = 0;
	size_t i;
	int round;

	(void)state;
	detect_params_default(&p);
	for (round = 0; round < 5; round++) {
		clean_trace(&t, PLTR_SRC_KMOD);
		for (i = 0; i < 1000; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			/* Quantized noise (ties), a drift, steps of different sizes. */
			if (round < 4)
				t.s[i].vout_uv = (uint32_t)(50000000 + (int64_t)((seed >> 33) % 9) * (round ? 100000 : 1000) +
							    (int64_t)i * 1000 * round -
							    (i > 300 && i < 340 ? 2000000 * (round + 1) : 0));
			else
				t.s[i].vout_uv = (uint32_t)(50000000 + (int64_t)((seed >> 33) % 9) * 20000);
			if (round == 4 && i >= 500)
				t.s[i].ts_ns += 10000000; /* a 10 ms hole, sequence contiguous */
			t.s[i].iout_ua = (uint32_t)((double)t.s[i].pout_uw / ((double)t.s[i].vout_uv / 1e6));
			v[i] = (double)t.s[i].vout_uv / 1e6;
		}
		vmax = 0;
		for (i = 20; i + 20 <= 1000; i++) {
			double b = median20(v + i - 20), a = median20(v + i);
			double sh = fabs(a - b) / fmax(fmax(fabs(b), fabs(a)), 1e-6);

			if (sh > vmax)
				vmax = sh;
		}
		assert_int_equal(detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &p, &f), 1);
		assert_int_equal(ev(&f, "vout_step_max_ppm"), llround(vmax * 1e6));
		if (round == 4) {
			assert_int_equal(ev(&f, "ts_gaps"), 1);
			assert_true(vmax > 0 && vmax * 1e6 < p.vout_step_ppm / 10);
		}
		finding__free(&f);
		trace__free(&t);
	}
}

static void test_proof_statement(void **state)
{
	const char *h1 = "1111111111111111111111111111111111111111111111111111111111111111";
	const char *h2 = "2222222222222222222222222222222222222222222222222222222222222222";
	const char *h3 = "3333333333333333333333333333333333333333333333333333333333333333";
	struct proof_refs r = { "t.pltr", h1, "claim.dsse.json", h2, "b.dsse.json", h3 };
	struct finding f = { .det = DET_RAIL_TAMPER, .start_ns = 10, .end_ns = 20 };
	struct plerr e = { "" };
	struct buf body = { 0 };
	struct statement st;
	json_t *stmt;

	(void)state;
	f.evidence = json_pack("{s:i,s:{s:i}}", "discontinuity_msigma", 400200, "z", "a", -3);
	stmt = proof_statement(&f, &r);
	assert_non_null(stmt);
	assert_int_equal(canon_dump(stmt, &body, &e), 0);
	if (statement_parse(body.p, body.len, &st, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(st.kind, PL_KIND_PROOF);
	assert_string_equal(json_string_value(json_object_get(st.predicate, "kind")), "rail-tamper");
	assert_string_equal(statement_subject_digest(&st, "claim.dsse.json"), h2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(st.predicate, "detector"), "version")),
			 DETECTOR_VERSION);
	statement__free(&st);
	json_decref(stmt);
	/* Every evidence member is checked, also those after a nested object. */
	stmt = proof_statement(&f, &r);
	json_object_set_new(json_object_get(json_object_get(stmt, "predicate"), "evidence"), "zz", json_string("x"));
	body.len = 0;
	assert_int_equal(canon_dump(stmt, &body, &e), 0);
	assert_int_equal(statement_parse(body.p, body.len, &st, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "evidence.zz must be an integer"));
	json_decref(stmt);
	/* Evidence must be integers: a real number cannot be signed. */
	json_object_set_new(f.evidence, "bad", json_real(0.5));
	stmt = proof_statement(&f, &r);
	body.len = 0;
	assert_int_equal(canon_dump(stmt, &body, &e), -EINVAL);
	json_decref(stmt);
	finding__free(&f);
	buf_free(&body);
}

static void test_claim_roundtrip(void **state)
{
	struct claim c = { .model = "gpt4-class",
			   .workload = "inference",
			   .tokens_per_s = 2400,
			   .start_ns = 5,
			   .end_ns = 9 },
		     back;
	struct plerr e = { "" };
	struct buf body = { 0 };
	struct statement st;
	json_t *stmt;

	(void)state;
	memset(c.fingerprint, 'a', 64);
	stmt = claim_statement(&c);
	assert_int_equal(canon_dump(stmt, &body, &e), 0);
	if (statement_parse(body.p, body.len, &st, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(claim_from_predicate(st.predicate, &back, &e), 0);
	assert_memory_equal(&back, &c, sizeof(c));
	assert_string_equal(statement_subject_digest(&st, "hardware"), c.fingerprint);
	statement__free(&st);
	json_decref(stmt);
	buf_free(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_i64), cmocka_unit_test(test_log_gamma_q),	cmocka_unit_test(test_baseline_build_and_roundtrip),
		cmocka_unit_test(test_model_mismatch),	cmocka_unit_test(test_miner), cmocka_unit_test(test_miner_hidden), cmocka_unit_test(test_detect_all_signs_the_weaker), cmocka_unit_test(test_rail_tamper_replay),
		cmocka_unit_test(test_rail_tamper),	cmocka_unit_test(test_proof_statement),
		cmocka_unit_test(test_claim_roundtrip),	cmocka_unit_test(test_evidence_saturates),
		cmocka_unit_test(test_rail_tamper_vout_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
