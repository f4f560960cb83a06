// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Detectors: model-mismatch, crypto-miner-hidden, rail-tamper (see detect.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "science/detect.h"
#include "science/replay.h"
#include "science/sensor.h"

static const char *const det_names[__DET_MAX] = {
	[DET_MODEL_MISMATCH] = "model-mismatch",
	[DET_MINER] = "crypto-miner-hidden",
	[DET_RAIL_TAMPER] = "rail-tamper",
};

const char *detector_name(enum detector d)
{
	return d < __DET_MAX ? det_names[d] : "?";
}

void detect_params_default(struct detect_params *p)
{
	p->false_alarm_per_hour = 1e-6;
	p->cusum_kappa = 2;
	p->min_windows = 5;
	p->min_samples = 200;
	p->miner_cv_ppm = MINER_CV_PPM;
	p->miner_level_ppm = MINER_LEVEL_PPM;
	p->miner_min_span_ns = 30000000000ULL;
	p->miner_hidden = true;
	p->pvi_tol_ppm = 30000;
	p->pvi_min_run = 5;
	p->stuck_min_ns = 50000000;
	p->stuck_hold_factor = 10;
	p->gap_periods = 3;
	p->vout_step_ppm = 30000;
}

void finding__free(struct finding *f)
{
	json_decref(f->evidence);
	f->evidence = NULL;
}

int detect_windows(const struct sensor_model *ts, const struct window_features *w, size_t n, const struct baseline *b,
		   const struct claim *c, const struct detect_params *p, int res[__DET_MAX], struct finding f[__DET_MAX],
		   enum detector *failed)
{
	char why[200];
	bool comparable = sensor_comparable(&b->sensor, ts, why, sizeof(why));

	for (int d = DET_MINER; d >= 0; d--) {
		memset(&f[d], 0, sizeof(f[d]));
		f[d].det = (enum detector)d;
		if (d == DET_MINER && b->sensor.kind != ts->kind) {
			res[d] = -ENODATA;
			strfmt(f[d].summary, sizeof(f[d].summary),
			       "a %s sensor's levels against a baseline's range from a %s sensor", sensor_kind_name(ts->kind),
			       sensor_kind_name(b->sensor.kind));
			continue;
		}
		if (d == DET_MODEL_MISMATCH && !comparable) {
			res[d] = -ENODATA;
			strfmt(f[d].summary, sizeof(f[d].summary), "%s", why);
			continue;
		}
		if (d == DET_MINER) {
			/* Plateaus are judged only where the model's own steps show: the same, fast sensor. */
			struct detect_params q = *p;

			q.miner_hidden = p->miner_hidden && comparable;
			res[d] = detect_miner(w, n, b, c, &q, &f[d]);
		} else {
			res[d] = detect_model_mismatch(w, n, b, p, &f[d]);
		}
		if (res[d] < 0 && res[d] != -ENODATA) {
			*failed = (enum detector)d;
			return res[d];
		}
	}
	return 0;
}

int detect_all(const struct series *t, const struct window_features *w, size_t n, const struct baseline *b,
	       const struct claim *c, const struct detect_params *p, bool all, int res[__DET_MAX],
	       struct finding f[__DET_MAX], bool sign[__DET_MAX], bool *weaker, enum detector *failed)
{
	int d, ret;

	*weaker = false;
	for (d = 0; d < __DET_MAX; d++) {
		memset(&f[d], 0, sizeof(f[d]));
		f[d].det = (enum detector)d;
		sign[d] = false;
	}
	res[DET_RAIL_TAMPER] = detect_rail_tamper(t, c->start_ns, c->end_ns, p, &f[DET_RAIL_TAMPER]);
	if (res[DET_RAIL_TAMPER] < 0 && res[DET_RAIL_TAMPER] != -ENODATA) {
		*failed = DET_RAIL_TAMPER;
		return res[DET_RAIL_TAMPER];
	}
	ret = detect_windows(&t->sensor, w, n, b, c, p, res, f, failed);
	if (ret)
		return ret;
	if (all) {
		for (d = 0; d < __DET_MAX; d++)
			sign[d] = res[d] == 1;
		return 0;
	}
	if (res[DET_RAIL_TAMPER] == 1) {
		sign[DET_RAIL_TAMPER] = true;
	} else if (res[DET_MODEL_MISMATCH] == 1) {
		sign[DET_MODEL_MISMATCH] = true;
		*weaker = res[DET_MINER] == 1;
	} else if (res[DET_MINER] == 1) {
		sign[DET_MINER] = true;
	}
	return 0;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of v[0..n) (reorders v: selection, not a sort); NAN for n == 0. */
static double median_d(double *v, size_t n)
{
	double lo, hi;

	if (n == 0)
		return NAN;
	if (n % 2)
		return feat_kth(v, n, n / 2);
	feat_kth2(v, n, n / 2 - 1, &lo, &hi);
	return (lo + hi) / 2;
}

static inline double max_d(double a, double b)
{
	return a > b ? a : b;
}

/* Median of a sorted v[0..n), as median_d() computes it. */
static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* In the sorted v[0..n): replace a value equal to old by new, keeping v sorted. */
static void sorted_replace(double *v, size_t n, double old, double new)
{
	size_t j = 0;

	while (j < n - 1 && v[j] != old)
		j++;
	while (j > 0 && v[j - 1] > new) {
		v[j] = v[j - 1];
		j--;
	}
	while (j + 1 < n && v[j + 1] < new) {
		v[j] = v[j + 1];
		j++;
	}
	v[j] = new;
}

int64_t evidence_int(double x, bool *nan)
{
	if (isnan(x)) {
		*nan = true;
		return 0;
	}
	/* 2^63: llround() beyond int64 is undefined (it gave INT64_MIN). */
	if (x >= 9223372036854775808.0)
		return INT64_MAX;
	if (x <= -9223372036854775808.0)
		return -INT64_MAX;
	return llround(x);
}

static int64_t msigma(double s, bool *nan)
{
	return evidence_int(s * 1000, nan);
}

/* A finding whose evidence is not a number is not signed: undecided, saying so. */
static int not_a_number(struct finding *f)
{
	json_decref(f->evidence);
	f->evidence = NULL;
	strfmt(f->summary, sizeof(f->summary), "evidence is not a number (NaN): nothing to sign");
	return -ENODATA;
}

/*
 * theta of Lorden's bound for a CUSUM of -ln p - kappa with -ln p ~ Exp(1)
 * (a calibrated p-value under the null): the root in (0, 1) of
 * E[exp(theta (X - kappa))] = 1, i.e. -ln(1 - theta) = theta kappa.  Then
 * the average run length to a false alarm is at least exp(theta h).
 */
static double cusum_theta(double kappa)
{
	/* One kappa in practice: the last answer is kept, per thread. */
	static _Thread_local double last_kappa = NAN, last_theta;
	double lo = 1e-9, hi = 1 - 1e-12;

	if (kappa == last_kappa)
		return last_theta;
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (-log1p(-mid) - mid * kappa < 0)
			lo = mid;
		else
			hi = mid;
	}
	last_kappa = kappa;
	last_theta = (lo + hi) / 2;
	return last_theta;
}

double mm_cusum_threshold(const struct baseline *b, const struct detect_params *p, double *theta, double *groups_per_hour)
{
	double g = 3600e9 / ((double)MM_GROUP * (double)b->window_ns), th = cusum_theta(p->cusum_kappa);

	if (theta)
		*theta = th;
	if (groups_per_hour)
		*groups_per_hour = g;
	return log(fmax(g / p->false_alarm_per_hour, 1)) / th;
}

int detect_model_mismatch(const struct window_features *w, size_t n, const struct baseline *b,
			  const struct detect_params *p, struct finding *f)
{
	size_t i, na = 0, groups = 0, used_groups = 0, best_k = 0, *act = NULL;
	double S = 0, h, theta, gph, best_lp = 0, alarm_z[__FEAT_MAX], smax = 0;
	bool alarm_used[__FEAT_MAX] = { false }, nan = false, alarm = false;
	uint64_t run_start = 0, alarm_end = 0, samples = 0;
	json_t *zs = NULL;
	int ret = 0;

	memset(f, 0, sizeof(*f));
	f->det = DET_MODEL_MISMATCH;
	if (!n) {
		strfmt(f->summary, sizeof(f->summary), "no windows");
		return -ENODATA;
	}
	if (!b->null.samples || !b->sensor.refresh_ns) {
		strfmt(f->summary, sizeof(f->summary),
		       "the baseline supports no model-mismatch decision (%s)",
		       b->null.samples ? "its sensor's refresh is unknown" :
					 "its commissioning traces showed no calibrated model cadence: see baseline "
					 "register's warning");
		return -ENODATA;
	}
	{
		/* One independent reading per max(refresh, averaging): slower than a decode step, no model shows. */
		uint64_t tau = b->sensor.refresh_ns > b->sensor.averaging_ns ? b->sensor.refresh_ns : b->sensor.averaging_ns;

		if (tau > MM_MAX_TAU_NS) {
			strfmt(f->summary, sizeof(f->summary),
			       "the sensor gives an independent reading every %.3g ms; a model's decode cadence (12-50 ms a "
			       "token) needs one every %.3g ms or faster (1 kHz PMBus, a fast ADC)",
			       (double)tau * 1e-6, (double)MM_MAX_TAU_NS * 1e-6);
			return -ENODATA;
		}
	}
	act = malloc(n * sizeof(*act));
	if (!act)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		samples += w[i].n;
		if (feat_window_active(&w[i]))
			act[na++] = i;
	}
	if (na < MM_GROUP) {
		strfmt(f->summary, sizeof(f->summary),
		       "%zu active window(s) of %zu (%.3g s each): need %d in which a busy stretch starts", na, n,
		       (double)b->window_ns * 1e-9, MM_GROUP);
		ret = -ENODATA;
		goto out;
	}
	h = mm_cusum_threshold(b, p, &theta, &gph);
	run_start = w[act[0]].start_ns;
	/* CUSUM over consecutive groups of active windows: one group's statistic at a time, as run sees them. */
	for (size_t g0 = 0; g0 + MM_GROUP <= na; g0 += MM_GROUP) {
		const struct window_features *grp[MM_GROUP];
		double d, lp, z[__FEAT_MAX];
		bool used[__FEAT_MAX];
		size_t k;

		groups++;
		for (i = 0; i < MM_GROUP; i++)
			grp[i] = &w[act[g0 + i]];
		if (mm_group_stat(grp, MM_GROUP, b, &d, &k, z, used))
			continue;
		used_groups++;
		lp = mm_group_log_p(grp, MM_GROUP, b, d);
		if (!isfinite(lp))
			lp = 0; /* fail closed: no evidence */
		S = fmax(0, S - lp - p->cusum_kappa);
		if (S == 0 && g0 + MM_GROUP < na)
			run_start = w[act[g0 + MM_GROUP]].start_ns;
		smax = fmax(smax, S);
		if (lp < best_lp || used_groups == 1) {
			best_lp = lp;
			best_k = k;
		}
		if (S > 0 && S >= h) {
			alarm = true;
			alarm_end = grp[MM_GROUP - 1]->end_ns;
			memcpy(alarm_z, z, sizeof(z));
			memcpy(alarm_used, used, sizeof(used));
			best_k = k;
			break;
		}
	}
	if (!used_groups) {
		strfmt(f->summary, sizeof(f->summary),
		       "%zu group(s) of %d active windows, none with %d comparable model features", groups, MM_GROUP,
		       BASELINE_MIN_FEATURES);
		ret = -ENODATA;
		goto out;
	}
	strfmt(f->summary, sizeof(f->summary),
	       "CUSUM %.2f of threshold %.2f over %zu groups of %d active windows; smallest group p-value 10^%.1f "
	       "(%zu features)",
	       alarm ? S : smax, h, used_groups, MM_GROUP, best_lp / log(10), best_k);
	if (!alarm)
		goto out;
	f->start_ns = run_start;
	f->end_ns = alarm_end;
	zs = json_object();
	for (int ft = 0; zs && ft < __FEAT_MAX; ft++)
		if (alarm_used[ft] && json_object_set_new(zs, feat_desc[ft].name, json_integer(msigma(alarm_z[ft], &nan))))
			ret = -ENOMEM;
	if (!zs || ret) {
		ret = -ENOMEM;
		goto out;
	}
	{
		double far = gph * exp(-theta * S);

		f->evidence = json_pack(
			"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "cusum_milli",
			(json_int_t)evidence_int(S * 1e3, &nan), "threshold_milli", (json_int_t)evidence_int(h * 1e3, &nan),
			"false_alarm_per_hour_ppb", (json_int_t)evidence_int(ceil(far * 1e9), &nan),
			"log10_p_min_milli", (json_int_t)evidence_int(best_lp / log(10) * 1e3, &nan), "groups",
			(json_int_t)used_groups, "windows", (json_int_t)n, "windows_active", (json_int_t)na, "features",
			(json_int_t)best_k, "samples", (json_int_t)samples, "null_df_milli",
			(json_int_t)evidence_int(b->null.df * 1e3, &nan), "null_scale_micro",
			(json_int_t)evidence_int(b->null.scale * 1e6, &nan), "time_to_proof_ms",
			(json_int_t)((alarm_end - w[0].start_ns) / 1000000), "z_msigma", zs);
		zs = NULL;
		strfmt(f->summary, sizeof(f->summary),
		       "CUSUM %.2f >= %.2f after %.1f s (%zu groups of %d active windows, %zu features); false alarms "
		       "<= %.2g per hour",
		       S, h, (double)(alarm_end - w[0].start_ns) * 1e-9, used_groups, MM_GROUP, best_k, far);
	}
	ret = !f->evidence ? -ENOMEM : nan ? not_a_number(f) : 1;
out:
	json_decref(zs);
	free(act);
	return ret;
}

/*
 * Mining that hides: in the gaps between requests, or switched on and off
 * to look like requests.  Either holds the draw still, high in the range,
 * for longer than any step of the model -- a plateau -- while the model's
 * own computation dips at every step.  Counted per window (FEAT_PLATEAU):
 * windows whose plateau is high in b's range and at least
 * max(MINER_PLATEAU_MIN_MS, 2 x the longest the model held in
 * commissioning); MINER_PLATEAU_WINDOWS of them holding
 * MINER_PLATEAU_TOTAL_MS between them are a proof.  Only where the sensor
 * shows the steps (independent readings every MM_MAX_TAU_NS: a 100 ms NVML
 * reading is flat over a whole decode run) and the model's own plateaus
 * leave room (at most a quarter of a window).  Appends to f->summary;
 * returns as detect_miner().
 */
static int miner_hidden(const struct window_features *w, size_t n, const struct baseline *b,
			const struct detect_params *p, struct finding *f)
{
	uint64_t tau = b->sensor.refresh_ns > b->sensor.averaging_ns ? b->sensor.refresh_ns : b->sensor.averaging_ns,
		 min_ms = 2 * b->plateau_ms, total_ms = 0, longest_ms = 0;
	size_t i, k = 0, first = 0, last = 0;
	double lsum = 0, range = (double)(b->ceiling_mw - b->idle_mw);
	bool nan = false;
	size_t len = strlen(f->summary);

	if (!p->miner_hidden || !tau || tau > MM_MAX_TAU_NS) {
		strfmt(f->summary + len, sizeof(f->summary) - len, "; plateaus not judged (%s)",
		       !p->miner_hidden ? "another sensor or refresh than the baseline's" :
					  "the sensor does not show the model's steps");
		return 0;
	}
	if (min_ms < MINER_PLATEAU_MIN_MS)
		min_ms = MINER_PLATEAU_MIN_MS;
	if (4 * b->plateau_ms > b->window_ns / 1000000) {
		strfmt(f->summary + len, sizeof(f->summary) - len,
		       "; plateaus not judged (the model itself held %.3g s)", (double)b->plateau_ms * 1e-3);
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint64_t ms;

		if (!plateau_high(&w[i], b, p->miner_level_ppm))
			continue;
		ms = (uint64_t)(w[i].v[FEAT_PLATEAU] * 1e3);
		if (ms < min_ms)
			continue;
		if (!k++)
			first = i;
		last = i;
		total_ms += ms;
		longest_ms = ms > longest_ms ? ms : longest_ms;
		lsum += w[i].v[FEAT_PLATEAU_LEVEL];
	}
	strfmt(f->summary + len, sizeof(f->summary) - len, "; %zu window(s) with a high plateau of %.3g s or more (need %d)",
	       k, (double)min_ms * 1e-3, MINER_PLATEAU_WINDOWS);
	if (k < MINER_PLATEAU_WINDOWS || total_ms < MINER_PLATEAU_TOTAL_MS)
		return 0;
	{
		double level = lsum / (double)k * 1e3;

		f->start_ns = w[first].start_ns;
		f->end_ns = w[last].end_ns;
		f->evidence = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "windows", (json_int_t)n,
					"plateau_windows", (json_int_t)k, "plateau_total_ms", (json_int_t)total_ms,
					"plateau_longest_ms", (json_int_t)longest_ms, "plateau_min_ms",
					(json_int_t)min_ms, "baseline_plateau_ms", (json_int_t)b->plateau_ms, "mean_mw",
					(json_int_t)evidence_int(level, &nan), "baseline_idle_mw", (json_int_t)b->idle_mw,
					"baseline_ceiling_mw", (json_int_t)b->ceiling_mw, "level_in_range_ppm",
					(json_int_t)evidence_int((level - (double)b->idle_mw) / range * 1e6, &nan));
		strfmt(f->summary, sizeof(f->summary),
		       "the draw held still high in the range between busy stretches: %zu plateau(s) of %.3g s or "
		       "more (%.1f s in all, longest %.2f s) at %.1f W; the model's own longest: %.3g s",
		       k, (double)min_ms * 1e-3, (double)total_ms * 1e-3, (double)longest_ms * 1e-3, level / 1e3,
		       (double)b->plateau_ms * 1e-3);
	}
	return !f->evidence ? -ENOMEM : nan ? not_a_number(f) : 1;
}

int detect_miner(const struct window_features *w, size_t n, const struct baseline *b, const struct claim *c,
		 const struct detect_params *p, struct finding *f)
{
	size_t i, run = 0, best = 0, best_end = 0, need, flat = 0;
	double range, *mean = NULL, *cv = NULL;
	bool nan = false;
	int ret;

	memset(f, 0, sizeof(*f));
	f->det = DET_MINER;
	if (strcmp(c->workload, "inference")) {
		strfmt(f->summary, sizeof(f->summary), "claim is for %s, not inference", c->workload);
		return 0;
	}
	range = (double)(b->ceiling_mw - b->idle_mw);
	if (!(range > 0)) {
		strfmt(f->summary, sizeof(f->summary), "baseline has no range (idle %.1f W, ceiling %.1f W)",
		       (double)b->idle_mw / 1e3, (double)b->ceiling_mw / 1e3);
		return -ENODATA;
	}
	if (b->flat_run_ms >= p->miner_min_span_ns / 1000000) {
		strfmt(f->summary, sizeof(f->summary),
		       "the claimed model itself held a flat draw high in its range for %.3g s in commissioning (it "
		       "saturates its power cap): a miner there cannot be told apart by power",
		       (double)b->flat_run_ms * 1e-3);
		return -ENODATA;
	}
	need = (size_t)((p->miner_min_span_ns + b->window_ns - 1) / b->window_ns);
	if (need < p->min_windows)
		need = p->min_windows;
	/* Longer than the model itself ever held still: twice its longest flat high run, and a window more. */
	if (b->flat_run_ms) {
		/* flat_run_ms < miner_min_span here: no overflow */
		size_t model_run = (size_t)((b->flat_run_ms * 1000000 + b->window_ns - 1) / b->window_ns);

		if (need < 2 * model_run + 1)
			need = 2 * model_run + 1;
	}
	if (n < need) {
		strfmt(f->summary, sizeof(f->summary),
		       "%zu window(s) of %.3g s: a sustained draw needs %zu (the model itself held still for %.3g s)", n,
		       (double)b->window_ns * 1e-9, need, (double)b->flat_run_ms * 1e-3);
		/* Too short for a sustained draw; hidden mining may still show. */
		ret = miner_hidden(w, n, b, p, f);
		return ret ? ret : -ENODATA;
	}
	mean = calloc(n, sizeof(*mean));
	cv = calloc(n, sizeof(*cv));
	if (!mean || !cv) {
		ret = -ENOMEM;
		goto out;
	}
	/*
	 * Positive evidence of mining: a sustained draw, flat (no high and low
	 * states, a small CV), in the upper part of the host's range between
	 * the baseline's idle floor and its ceiling -- for at least
	 * miner_min_span without a break.  A request-serving model, however
	 * big, has states: its windows break the run.
	 */
	for (i = 0; i < n; i++) {
		const struct window_features *x = &w[i];
		bool contiguous = !i || w[i].start_ns == w[i - 1].end_ns;

		if (!contiguous)
			run = 0;
		if (miner_window_like(x, b, p->miner_cv_ppm, p->miner_level_ppm)) {
			mean[flat] = x->v[FEAT_MEAN];
			cv[flat++] = x->v[FEAT_CV];
			if (++run > best) {
				best = run;
				best_end = i;
			}
		} else {
			run = 0;
		}
	}
	strfmt(f->summary, sizeof(f->summary),
	       "longest flat high draw %zu window(s) of %.3g s (need %zu); %zu flat high window(s) of %zu", best,
	       (double)b->window_ns * 1e-9, need, flat, n);
	if (best < need) {
		ret = miner_hidden(w, n, b, p, f);
		goto out;
	}
	{
		double mm = median_d(mean, flat) * 1e3, mcv = median_d(cv, flat) * 1e6;
		double level = (mm - (double)b->idle_mw) / range;

		f->start_ns = w[best_end + 1 - best].start_ns;
		f->end_ns = w[best_end].end_ns;
		f->evidence = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "windows", (json_int_t)n,
					"windows_flat_high", (json_int_t)flat, "sustained_windows", (json_int_t)best,
					"sustained_ms", (json_int_t)((f->end_ns - f->start_ns) / 1000000), "mean_mw",
					(json_int_t)evidence_int(mm, &nan), "cv_ppm", (json_int_t)evidence_int(mcv, &nan),
					"baseline_idle_mw", (json_int_t)b->idle_mw, "baseline_ceiling_mw",
					(json_int_t)b->ceiling_mw, "level_in_range_ppm",
					(json_int_t)evidence_int(level * 1e6, &nan));
		strfmt(f->summary, sizeof(f->summary),
		       "flat draw without request structure for %.1f s at %.1f W (%.0f %% of the range idle %.1f W .. "
		       "ceiling %.1f W), cv %.2f %%",
		       (double)(f->end_ns - f->start_ns) * 1e-9, mm / 1e3, level * 100, (double)b->idle_mw / 1e3,
		       (double)b->ceiling_mw / 1e3, mcv / 1e4);
	}
	ret = !f->evidence ? -ENOMEM : nan ? not_a_number(f) : 1;
out:
	free(mean);
	free(cv);
	return ret;
}

/* Median of x[from..to) into scratch. */
static double median_range(const double *x, size_t from, size_t to, double *scratch)
{
	memcpy(scratch, x + from, (to - from) * sizeof(*x));
	return median_d(scratch, to - from);
}

#define SHIFT_K 20 /* samples each side of a level shift */

/* |median after - median before| at index i (before: [i-k, i), after: [i, i+k)). */
static double level_shift(const double *x, size_t n, size_t i, double *scratch)
{
	size_t k = SHIFT_K, a, b;

	a = i >= k ? i - k : 0;
	b = i + k <= n ? i + k : n;
	if (i == a || i == b)
		return 0;
	return fabs(median_range(x, i, b, scratch) - median_range(x, a, i, scratch));
}

/*
 * The largest VOUT level shift (relative to the higher of the two levels:
 * a 50 -> 45 V step is 10 %) between the medians of the SHIFT_K samples
 * before and after each i; shifts past the tolerance (outside samples the
 * PSU flagged as faulted) widen [*first, *last].  m (n doubles) receives
 * the median of each run of SHIFT_K samples: before i is m[i - SHIFT_K],
 * after is m[i], so one sorted window slides once.
 */
static void vout_steps(const struct pl_sample *s, const double *vout, size_t n, const struct detect_params *p,
		       double *m, double *vstep, uint64_t *first, uint64_t *last)
{
	double w[SHIFT_K];
	size_t i;

	memcpy(w, vout, sizeof(w));
	qsort(w, SHIFT_K, sizeof(*w), dbl_cmp);
	m[0] = median_sorted(w, SHIFT_K);
	for (i = 1; i + SHIFT_K <= n; i++) {
		sorted_replace(w, SHIFT_K, vout[i - 1], vout[i - 1 + SHIFT_K]);
		m[i] = median_sorted(w, SHIFT_K);
	}
	for (i = SHIFT_K; i + SHIFT_K <= n; i++) {
		double before = m[i - SHIFT_K], after = m[i];
		double shift = fabs(after - before) / max_d(max_d(fabs(before), fabs(after)), 1e-6);

		if (shift > *vstep)
			*vstep = shift;
		if (shift * 1e6 > p->vout_step_ppm && !(s[i].flags & PL_SF_FAULT)) {
			if (s[i].ts_ns < *first)
				*first = s[i].ts_ns;
			if (s[i].ts_ns > *last)
				*last = s[i].ts_ns;
		}
	}
}

static bool same_readings(const struct pl_sample *a, const struct pl_sample *b)
{
	/* or of xors, not a chain of && : one branch per pair of samples, not one per field */
	uint64_t d = (uint64_t)(a->vin_uv ^ b->vin_uv) | (uint64_t)(a->iin_ua ^ b->iin_ua) |
		     (uint64_t)(a->vout_uv ^ b->vout_uv) | (uint64_t)(a->iout_ua ^ b->iout_ua) |
		     (uint64_t)(a->pout_uw ^ b->pout_uw) | (uint64_t)(a->pin_uw ^ b->pin_uw) | (a->rails ^ b->rails) |
		     ((a->rails & PL_RAIL_TEMP) ? (uint32_t)(a->temp_mc ^ b->temp_mc) : 0);

	return d == 0;
}

/*
 * Is the time gap before sample i one sample taken late (its bus lock or its
 * thread delayed: ts_ns is taken right before the reads), rather than time
 * cut out of the trace?  A late sample leaves the grid where it was: within
 * the next GAP_LOOKAHEAD samples the timestamps are back on it, or the
 * module flagged the periods it missed.  Removed time shifts everything
 * after it for good.
 */
#define GAP_LOOKAHEAD 8
static bool late_sample(const struct pl_sample *s, size_t n, size_t i, uint64_t period_ns, uint32_t gap_periods)
{
	size_t j, last = i + GAP_LOOKAHEAD < n - 1 ? i + GAP_LOOKAHEAD : n - 1;

	if (last <= i)
		return false; /* nothing after it to tell: counted */
	for (j = i + 1; j <= last; j++)
		if (s[j].flags & (PL_SF_OVERRUN | PL_SF_RESUMED) || s[j].seq <= s[j - 1].seq ||
		    s[j].ts_ns <= s[j - 1].ts_ns)
			return s[j].flags & (PL_SF_OVERRUN | PL_SF_RESUMED);
	return s[last].ts_ns - s[i - 1].ts_ns < ((s[last].seq - s[i - 1].seq) + gap_periods) * period_ns;
}

int detect_rail_tamper(const struct series *t, uint64_t from_ns, uint64_t to_ns, const struct detect_params *p,
		       struct finding *f)
{
	const struct pl_sample *s;
	size_t a = 0, b, n, i, pvi_run = 0, pvi_longest = 0, stuck = 0, stuck_longest = 0, pvi_bad = 0;
	size_t clean = 0, stuck_min, runs = 0;
	uint64_t ts_back = 0, ts_gaps = 0, seq_back = 0, seq_missing = 0, first_bad = UINT64_MAX, last_bad = 0;
	double *r = NULL, *scratch = NULL, *vout = NULL, *cleanr = NULL, emax, sigma_r, pmed, disc = 0, vstep = 0;
	double emax_dev = 0, emax_den = 1; /* the largest |P - V*I| / max(|P|, 1 W) as a fraction */
	double vmin = INFINITY, vmax = -INFINITY; /* of vout[] */
	uint8_t *same = NULL; /* same[i]: sample i repeats sample i - 1 exactly */
	bool kernel_timing = t->kernel_timing, have_pvi = false;
	struct replay_result rp = { 0 };
	bool nan = false;
	int ret = 0;

	memset(f, 0, sizeof(*f));
	f->det = DET_RAIL_TAMPER;
	while (a < t->n && t->s[a].ts_ns < from_ns)
		a++;
	for (b = a; b < t->n && t->s[b].ts_ns <= to_ns; b++)
		;
	n = b - a;
	if (n < 2 * SHIFT_K) {
		strfmt(f->summary, sizeof(f->summary), "%zu samples in range: need %d", n, 2 * SHIFT_K);
		return -ENODATA;
	}
	s = t->s + a; /* only now: t->s is NULL for an empty trace */
	/*
	 * One byte per sample up front; the per-sample doubles (residuals,
	 * VOUT, their medians) only on the paths that need them -- when
	 * something is already suspect -- so a clean check of a long trace
	 * costs next to nothing beyond the trace itself.
	 */
	same = malloc(n);
	if (!same) {
		ret = -ENOMEM;
		goto out;
	}
	stuck_min = (size_t)(p->stuck_min_ns / t->period_ns);
	if (stuck_min < 5)
		stuck_min = 5;
#define BAD(ts)                                                                                                        \
	do {                                                                                                           \
		if ((ts) < first_bad)                                                                                  \
			first_bad = (ts);                                                                              \
		if ((ts) > last_bad)                                                                                   \
			last_bad = (ts);                                                                               \
	} while (0)
	/*
	 * One walk over the records.  Stuck runs are only measured here
	 * (same[], their lengths); which of them are stuck is settled after,
	 * on same[] alone, once the source's typical hold is known -- and only
	 * if some run is long enough to matter at all.
	 */
	same[0] = 0;
	for (i = 0; i < n; i++) {
		bool pvi_ok = sample_has_pvi(&s[i]), pvi_bad_here = false;

		if (pvi_ok) {
			/* |P - V*I| / max(|P|, 1 W) > tol, without a division per sample */
			double pw = (double)s[i].pout_uw * 1e-6, den, dev;

			double v = (double)s[i].vout_uv * 1e-6;

			have_pvi = true;
			vmin = v < vmin ? v : vmin;
			vmax = v > vmax ? v : vmax;
			den = max_d(fabs(pw), 1);
			dev = fabs(sample_pvi_residual_w(&s[i]));
			if (dev * emax_den > emax_dev * den) {
				emax_dev = dev;
				emax_den = den;
			}
			pvi_bad_here = dev * 1e6 > p->pvi_tol_ppm * den;
		}
		else
			vmin = vmin < 0 ? vmin : 0, vmax = vmax > 0 ? vmax : 0; /* vout[i] stays 0 */
		if (pvi_bad_here) {
			pvi_bad++;
			pvi_run++;
			if (pvi_run > pvi_longest)
				pvi_longest = pvi_run;
			if (pvi_run >= p->pvi_min_run)
				BAD(s[i].ts_ns);
		} else {
			pvi_run = 0;
			clean += pvi_ok;
		}
		if (i == 0)
			continue;
		same[i] = same_readings(&s[i], &s[i - 1]);
		if (same[i]) {
			stuck = stuck ? stuck + 1 : 2;
			stuck_longest = stuck > stuck_longest ? stuck : stuck_longest;
		} else {
			runs++; /* the run that ended at i - 1 */
			stuck = 0;
		}
		if (!kernel_timing)
			continue;
		if (s[i].ts_ns <= s[i - 1].ts_ns) {
			ts_back++;
			BAD(s[i].ts_ns);
		} else if (s[i].ts_ns - s[i - 1].ts_ns > (uint64_t)p->gap_periods * t->period_ns &&
			   s[i].seq == s[i - 1].seq + 1 && !(s[i].flags & (PL_SF_OVERRUN | PL_SF_RESUMED)) &&
			   !late_sample(s, n, i, t->period_ns, p->gap_periods)) {
			ts_gaps++;
			BAD(s[i].ts_ns);
		}
		if (s[i].seq <= s[i - 1].seq) {
			seq_back++;
			BAD(s[i].ts_ns);
		} else {
			seq_missing += s[i].seq - s[i - 1].seq - 1;
		}
	}
	emax = emax_dev / emax_den;
	runs++; /* the last one */
	/*
	 * Stuck readings are evidence only where the sensor must change.
	 *
	 * An imported log (nvidia-smi, a logger) repeats readings honestly --
	 * NVML holds a value for 1-4 s on an idle GPU or between training
	 * steps -- and nothing in it says how often the sensor refreshes or
	 * how noisy it is: never judged there.
	 *
	 * A kernel capture polls the PSU faster than some PSUs refresh, so a
	 * reading is held for h samples (the median run).  A run is stuck only
	 * if it lasts stuck_min_ns, stuck_hold_factor x h, and longer than the
	 * sensor's own behaviour around it makes likely: in the W samples
	 * either side (W = the run's length, at least 20 h) the readings
	 * changed at a fraction q of their refreshes; k refreshes without a
	 * change happen with probability (1 - q)^(k-1) per start, and over the
	 * range's n / h starts that must stay below STUCK_FALSE_ALARM.  A quiet
	 * neighbourhood (an idle PSU whose readings sit on one quantization
	 * step) therefore never makes a stuck run, nor does a range that never
	 * changed at all: a frozen sensor cannot be told from a quiet one.
	 */
	if (kernel_timing && stuck_longest >= stuck_min && runs > 1) {
		size_t run = 1, hold = 1, start, end, w, lo, hi, j, changes, seen, side;
		double q;

		if (runs >= 20) {
			scratch = malloc(runs * sizeof(*scratch));
			if (!scratch) {
				ret = -ENOMEM;
				goto out;
			}
			for (i = 1, runs = 0; i <= n; i++) {
				if (i < n && same[i]) {
					run++;
					continue;
				}
				scratch[runs++] = (double)run;
				run = 1;
			}
			hold = (size_t)median_d(scratch, runs);
			free(scratch);
			scratch = NULL;
			if (hold < 1)
				hold = 1;
			if (hold * p->stuck_hold_factor > stuck_min)
				stuck_min = hold * p->stuck_hold_factor;
		}
		for (start = 0; start < n; start = end) {
			for (end = start + 1; end < n && same[end]; end++)
				;
			if (end - start < stuck_min)
				continue;
			/*
			 * Samples [start, end) hold one reading.  The sensor's
			 * change rate is taken on each side over W samples, and
			 * the quieter side counts: a run that continues a quiet
			 * regime (an idle stretch) is judged by that regime.
			 */
			w = end - start > 20 * hold ? end - start : 20 * hold;
			lo = start > w ? start - w : 0;
			hi = end + w < n ? end + w : n;
			q = 2;
			for (side = 0; side < 2; side++) {
				size_t from = side ? end : lo + 1, to = side ? hi : start;

				for (j = from, changes = 0, seen = 0; j < to; j++, seen++)
					changes += !same[j];
				/* changes per refresh, at most one */
				if (seen >= 2 * hold)
					q = fmin(q, fmin(1, (double)changes * (double)hold / (double)seen));
			}
			/* no side to judge by, or a side that never changed: not judged */
			if (q > 1 || q <= 0)
				continue;
			/* (1 - q)^(k-1) x n/h starts < alpha, k = the run in refreshes; q = 1: any run of 2 */
			if (q >= 1 || ((double)(end - start) / (double)hold - 1) * log1p(-q) +
						  log((double)n / (double)hold) <
					  log(STUCK_FALSE_ALARM)) {
				BAD(s[start + stuck_min - 1].ts_ns);
				BAD(s[end - 1].ts_ns);
			}
		}
	}
	if (seq_missing > t->lost)
		BAD(s[n - 1].ts_ns);
	/* Level shifts of the residual where a sustained inconsistency starts or ends. */
	if (have_pvi && pvi_longest >= p->pvi_min_run) {
		r = malloc(n * sizeof(*r));
		scratch = malloc(n * sizeof(*scratch));
		cleanr = malloc((clean ? clean : 1) * sizeof(*cleanr));
		if (!r || !scratch || !cleanr) {
			ret = -ENOMEM;
			goto out;
		}
		for (i = 0, clean = 0; i < n; i++) {
			bool ok = sample_has_pvi(&s[i]);

			r[i] = ok ? sample_pvi_residual_w(&s[i]) : 0;
			/* clean: consistent samples, as the main loop classed them */
			if (ok && !(fabs(r[i]) * 1e6 > p->pvi_tol_ppm * max_d(fabs((double)s[i].pout_uw * 1e-6), 1)))
				cleanr[clean++] = r[i];
		}
		for (i = 0; i < n; i++)
			scratch[i] = fabs((double)s[i].pout_uw / 1e6);
		pmed = median_d(scratch, n);
		sigma_r = 0;
		if (clean > 0) {
			double mr = median_range(cleanr, 0, clean, scratch);

			for (i = 0; i < clean; i++)
				cleanr[i] = fabs(cleanr[i] - mr);
			sigma_r = 1.4826 * median_d(cleanr, clean);
		}
		sigma_r = fmax(sigma_r, 1e-3 * pmed);
		sigma_r = fmax(sigma_r, 1e-3);
		for (i = 1, pvi_run = 0; i <= n; i++) {
			bool bad = i < n && sample_has_pvi(&s[i]) &&
				   fabs(r[i]) * 1e6 > p->pvi_tol_ppm * max_d(fabs((double)s[i].pout_uw * 1e-6), 1);
			size_t start;

			if (bad) {
				pvi_run++;
				continue;
			}
			if (pvi_run >= p->pvi_min_run) {
				start = i - pvi_run;
				disc = fmax(disc, level_shift(r, n, start, scratch) / sigma_r);
				disc = fmax(disc, level_shift(r, n, i, scratch) / sigma_r);
			}
			pvi_run = 0;
		}
	}
	/*
	 * VOUT level shifts.  All medians lie in [vmin, vmax], so no shift can
	 * exceed (vmax - vmin) / (the least |v| in that range): when that bound
	 * is within tolerance nothing can be flagged, and the exact largest
	 * shift is only worked out if a finding needs it as evidence.
	 */
	if (have_pvi) {
		double den;

		den = vmin > 0 ? vmin : vmax < 0 ? -vmax : 0;
		if ((vmax - vmin) * 1e6 > p->vout_step_ppm * max_d(den, 1e-6) || first_bad != UINT64_MAX) {
			vout = malloc(n * sizeof(*vout));
			double *m = malloc(n * sizeof(*m));

			if (!vout || !m) {
				free(m);
				ret = -ENOMEM;
				goto out;
			}
			for (i = 0; i < n; i++)
				vout[i] = sample_has_pvi(&s[i]) ? (double)s[i].vout_uv * 1e-6 : 0;
			vout_steps(s, vout, n, p, m, &vstep, &first_bad, &last_bad);
			free(m);
		}
	}
	/* A loop of recorded readings: kernel captures only (an imported log's clock and repeats say nothing). */
	if (kernel_timing) {
		ret = replay_scan(s, n, t->period_ns, &rp);
		if (ret)
			goto out;
		if (rp.found) {
			BAD(rp.start_ns);
			BAD(rp.end_ns);
		}
	}
	/* Nothing physics forbids: no finding, so no evidence to build. */
	if (first_bad == UINT64_MAX) {
		strfmt(f->summary, sizeof(f->summary),
		       "rails consistent: P vs V*I within %.1f %% (longest excursion %zu samples), no stuck values or "
		       "timing gaps",
		       p->pvi_tol_ppm / 1e4, pvi_longest);
		ret = 0;
		goto out;
	}
	f->evidence = json_pack(
		"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "samples", (json_int_t)n, "discontinuity_msigma",
		(json_int_t)msigma(disc, &nan), "pvi_err_max_ppm", (json_int_t)evidence_int(emax * 1e6, &nan), "pvi_bad_samples",
		(json_int_t)pvi_bad, "pvi_longest_run", (json_int_t)pvi_longest, "stuck_longest_run",
		(json_int_t)stuck_longest, "vout_step_max_ppm", (json_int_t)evidence_int(vstep * 1e6, &nan), "ts_backwards",
		(json_int_t)ts_back, "ts_gaps", (json_int_t)ts_gaps, "seq_backwards", (json_int_t)seq_back,
		"seq_missing", (json_int_t)seq_missing, "lost_declared", (json_int_t)t->lost);
	if (f->evidence && rp.found &&
	    (json_object_set_new(f->evidence, "replay_lag_ms", json_integer(llround(rp.lag_s * 1e3))) ||
	     json_object_set_new(f->evidence, "replay_r_milli", json_integer(llround(rp.r * 1e3))) ||
	     json_object_set_new(f->evidence, "replay_z_milli", json_integer(evidence_int(rp.z * 1e3, &nan))))) {
		json_decref(f->evidence);
		f->evidence = NULL;
	}
	if (!f->evidence) {
		ret = -ENOMEM;
		goto out;
	}
	f->start_ns = first_bad;
	f->end_ns = last_bad;
	strfmt(f->summary, sizeof(f->summary),
	       "discontinuity %.1f sigma, P != V*I by up to %.1f %% (%zu samples), stuck run %zu, ts gaps %" PRIu64
	       ", backwards %" PRIu64 "%s",
	       disc, emax * 100, pvi_bad, stuck_longest, ts_gaps, ts_back + seq_back,
	       rp.found ? "; the readings' fine structure comes back, sample for sample: replayed" : "");
	if (rp.found && !pvi_bad && !ts_gaps && !ts_back && !seq_back && !stuck_longest)
		strfmt(f->summary, sizeof(f->summary),
		       "replayed: the readings' fine structure comes back every %.3g s, sample for sample (r %.2f, "
		       "z %.0f; live noise never repeats)",
		       rp.lag_s, rp.r, rp.z);
	ret = nan ? not_a_number(f) : 1;
out:
	free(r);
	free(vout);
	free(scratch);
	free(cleanr);
	free(same);
	return ret;
}
