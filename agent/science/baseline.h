/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Model baselines, and the calibrated model-mismatch statistic.
 *
 * A baseline holds, per feature, the median and the MAD (median absolute
 * deviation) over the commissioning windows (model features: over the
 * active ones), in the feature's integer unit; the sensor the windows came
 * through; the host's range (idle floor and ceiling, W); and the null
 * distribution of the model-mismatch statistic, measured on the
 * commissioning data itself.
 *
 * The statistic.  Windows are taken in groups of MM_GROUP consecutive
 * active windows.  For each model feature f defined in at least half of a
 * group, z_f = e_f / sigma_f, e_f the group's median of x_f minus median_f
 * less the load band (mm_excess(): 0 inside it), sigma_f =
 * baseline_sigma() (1.4826 MAD, floored by what the sensor can resolve in
 * that unit -- never by a fraction of the median).  The group's statistic is
 * D = mean of z_f^2 / c_f over its k >= 3 features, c_f the feature's own
 * held-out scale (below): a feature that drifts between commissioning runs
 * counts for less, one that holds still for more.
 *
 * The null.  Blocked cross-validation: the active windows are cut into
 * contiguous blocks (at most BASELINE_MAX_BLOCKS, each at least 2 groups);
 * each block in turn is held out, a baseline is built from the rest, and D
 * is computed for the held-out block's groups.  c_f is the mean held-out
 * z_f^2 of each feature (at least 0.25: a median of three windows of white
 * noise has about 0.45).  Those D are what the same
 * model gives on data the baseline did not see -- load drifting between
 * commissioning runs included.  They are fitted by a scaled chi-square:
 * D ~ s chi2_nu / nu, with s their mean and nu = 2 s^2 / var(D) (moments),
 * clamped to [1, mean k]: correlated features have fewer degrees of freedom
 * than features, and a heavier tail (smaller nu) only makes a proof harder.
 * A group's p-value is P(chi2_nu >= nu D / s) (mm_log_p()) -- but never
 * below what the null samples themselves support (mm_log_p_tail()): the
 * empirical fraction (#{null D >= d} + 1) / (samples + 1) within their
 * range, and beyond their largest an exponential tail fitted to their top
 * tenth, falling no faster than a chi-square-1.  A parametric tail fitted to
 * a null that is mostly zeros and a few large values is too thin; the
 * null's own tail makes an honest phase seen in commissioning worth little
 * evidence when it comes back, and lets a group far beyond everything the
 * model itself showed count for more than the sample count alone.
 *
 * Outliers.  A window's cadence estimate sometimes lands on a harmonic of
 * the step or on the request rhythm; two such windows in a group of three
 * move its median, and a magnitude test would call that overwhelming.  So a
 * group's evidence is also capped by counting: a window is off the model
 * when some model feature's |z| >= MM_OFF_Z (mm_window_off()); p0 is an
 * upper bound of the held-out rate of windows off their baseline ((off + 3)
 * / (held + 3), about a 95 % bound for few off windows; at least
 * MM_OUTLIER_MIN), and a group with c of m windows off has p-value at least
 * P(Binomial(m, p0) >= c).  The group's p-value is the largest of the three
 * (mm_group_log_p()): a sustained contradiction must show in most windows,
 * an odd window cannot prove anything alone, and a group beyond everything
 * the null showed claims at most 3 ln(1 / p0) nats.
 *
 * A baseline whose windows span no range (ceiling within 10 % of the idle
 * floor: an idle trace, or a host that never idled), or with fewer than
 * BASELINE_MIN_LOADED windows under load (mean a fifth of the range above
 * idle), is refused with the counts: it does not show
 * the host's range under the model (the miner's yardstick).  One with fewer
 * than BASELINE_MIN_ACTIVE active windows, whose active windows hold fewer
 * than BASELINE_MIN_FEATURES model features, or that gives fewer than
 * BASELINE_MIN_NULL null statistics, is registered without a null
 * (null.samples 0, mm_why saying why, `baseline register` warns): it
 * supports crypto-miner-hidden and rail-tamper, and model-mismatch says
 * undecided against it.  evidence/baseline_json.h makes the operator's signed
 * Baseline/v3 statement of it.
 */
#ifndef PL_BASELINE_H
#define PL_BASELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/util.h"
#include "science/features.h"
#include "science/sensor.h"

#define BASELINE_MIN_WINDOWS  10
#define BASELINE_MIN_LOADED   24
#define BASELINE_MIN_ACTIVE   24
#define BASELINE_MIN_FEATURES 1
#define BASELINE_MIN_NULL     8
#define BASELINE_MAX_BLOCKS   10
#define MM_GROUP	      3 /* active windows per model-mismatch statistic */
#define BASELINE_NULL_KEEP    256
/*
 * The load band: how far a model feature may move with the load alone, and
 * is not counted.  Cadences (durations, frequencies) compare as log ratios,
 * and the band is one-sided by physics: a decode step reads every weight,
 * so a model cannot step faster than its weights stream from memory, and
 * batching only stretches the step (more KV cache to read, more compute).
 * Slower: up to a factor of 1.4 above the baseline's median is load
 * (batching stretches a decode step by up to ~25 % in the generator's
 * calibration, GENERATOR.md, and chunked prefill of long prompts beats at
 * its own, longer, cadence; a lag read to a 2 ms refresh on a 14 ms step is
 * off by up to 7 %: 1.25 x 1.07 ~ 1.34, rounded up).  Faster: down to 15 %
 * below the baseline's 10th percentile (its lightest commissioned load) is
 * load and the read (the same model at batch 1 steps ~3 % faster than at
 * batch 4 and ~10 % faster than at batch 16 in the generator; the refined
 * lag is read to ~3 %) -- beyond it the steps are shorter than the claimed
 * model's weights allow at any load commissioning showed: a smaller model.
 * The next size class is 1.5x or more away.  Commission across the load
 * you serve, light load included: a commissioning whose lightest tenth ran
 * at batch 32 leaves batch 1 up to ~20 % faster.  0.05 for dimensionless
 * shape features, both ways from the median; frequencies ('h') get the
 * slow band both ways.
 */
#define MM_LOAD_BAND	  0.40
#define MM_LOAD_BAND_FAST 0.15
#define MM_LOAD_BAND_ABS 0.05

struct baseline_null {
	uint32_t group;	  /* MM_GROUP the null was measured with */
	uint32_t samples; /* null statistics measured */
	double scale;	  /* s: mean null D */
	double df;	  /* nu */
	double max;	  /* largest null D (for the record) */
	double fscale[__FEAT_MAX]; /* per model feature: mean held-out z^2 (0: not calibrated, taken as 1) */
	double outlier;		   /* p0: upper bound of the held-out rate of windows off the model */
	uint32_t nd;		   /* null statistics kept in d[] (<= BASELINE_NULL_KEEP) */
	double d[BASELINE_NULL_KEEP]; /* the null statistics, ascending (evenly thinned when there were more) */
};

struct baseline {
	char model[256];
	char fingerprint[SHA256_HEX_LEN];
	uint64_t window_ns;
	uint64_t windows;
	uint64_t active; /* active windows */
	uint64_t samples;
	struct sensor_model sensor; /* of the commissioning traces */
	int64_t idle_mw;	    /* 5th percentile of window minima */
	int64_t ceiling_mw;	    /* 95th percentile of window maxima */
	uint64_t loaded;	    /* windows whose mean is 20 % of the range above idle */
	uint64_t flat_run_ms;	    /* longest flat high run the model itself showed (miner_window_like()) */
	uint64_t plateau_ms;	    /* longest plateau high in the range the model itself held (FEAT_PLATEAU) */
	struct baseline_null null; /* samples 0: supports no model-mismatch decision */
	char mm_why[200];	    /* why not (baseline_build(); not in the predicate) */
	bool have[__FEAT_MAX];
	int64_t median[__FEAT_MAX];
	int64_t mad[__FEAT_MAX];
	int64_t lo[__FEAT_MAX];	   /* 10th percentile: the lightest commissioned load's value */
	int64_t hi[__FEAT_MAX];	   /* 90th percentile */
	int64_t noise[__FEAT_MAX]; /* window-to-window noise: 1.4826 MAD of successive differences / sqrt 2 */
};

/*
 * The miner's window: flat (no high and low states, CV <= cv_ppm) and high
 * in b's range (mean at least level_ppm of the way from idle to the
 * ceiling).  baseline_build() measures the longest run of such windows the
 * model itself shows (flat_run_ms, with MINER_CV_PPM and MINER_LEVEL_PPM): a
 * model that saturates its GPU at the power cap does it too, and a miner
 * must hold still for longer than the model ever did.
 */
#define MINER_CV_PPM	10000
#define MINER_LEVEL_PPM 500000
bool miner_window_like(const struct window_features *w, const struct baseline *b, uint32_t cv_ppm, uint32_t level_ppm);
/*
 * Does window w hold a plateau (FEAT_PLATEAU) high in b's range (its level
 * at least level_ppm of the way from idle to the ceiling)?  baseline_build()
 * keeps the longest one the model itself held (plateau_ms, MINER_LEVEL_PPM).
 */
bool plateau_high(const struct window_features *w, const struct baseline *b, uint32_t level_ppm);

/* baseline.c APIs: */

/* Median of n int64 values (sorted in place), rounded toward minus infinity for even n. */
int64_t median_i64(int64_t *v, size_t n);

/*
 * Robust statistics, host range and the calibrated null of n windows in
 * time order (several traces' windows one after another), all cut from
 * readings of sensor.  A load feature enters the baseline only when at
 * least half of the windows define it, a model feature when a quarter of
 * the active ones do (the cadence is undefined in windows busy only in
 * part: science/features.h).  -ENODATA with e giving the
 * counts when the windows cannot support a decision (see above).
 */
int baseline_build(const struct window_features *w, size_t n, const char *model, const char *fingerprint,
		   uint64_t window_ns, const struct sensor_model *sensor, struct baseline *b, struct plerr *e);

/*
 * Robust sigma of feature f: its window-to-window noise for a model feature
 * (the load's slow drift is the load band's, not the noise's), 1.4826 MAD
 * for the others; at least one integer unit and what the sensor resolves: its quantum for power, its refresh for durations, the
 * window's frequency resolution for frequencies, 0.001 for ratios.
 */
double baseline_sigma(const struct baseline *b, enum feat_id f);

/*
 * The statistic D of the m windows g[0..m) (active ones) against b: 0 with
 * *d and *k (features used) set, z[f] and used[f] per feature when not NULL;
 * -ENODATA with fewer than BASELINE_MIN_FEATURES comparable features.
 */
int mm_group_stat(const struct window_features *const *g, size_t m, const struct baseline *b, double *d, size_t *k,
		  double z[__FEAT_MAX], bool used[__FEAT_MAX]);

/*
 * z of a group's median x of model feature f against b: the deviation
 * beyond the load band (as a log ratio for cadences: up to MM_LOAD_BAND
 * slower than b's median, MM_LOAD_BAND_FAST faster than b's 10th
 * percentile), in b's sigma; 0 inside the band.
 */
double mm_z(const struct baseline *b, enum feat_id f, double x);

/* ln of the p-value of D under b's null: ln P(chi2_nu >= nu D / s). */
double mm_log_p(const struct baseline_null *nl, double d);
/* ln((#{null D >= d} + 1) / (samples + 1)): what the kept null samples support. */
double mm_log_p_empirical(const struct baseline_null *nl, double d);
/*
 * ln of the null's own tail at d: mm_log_p_empirical() up to the largest
 * kept sample, top; beyond it, that value times exp(-(d - top) / beta), an
 * exponential tail (peaks over threshold) anchored where the samples end:
 * beta is the mean excess of the largest k = max(MM_TAIL_K, nd / 10) kept
 * samples over the next largest, but at least MM_TAIL_MIN_BETA (D is scaled
 * to a held-out mean of about 1, so 2 is a chi-square-1 tail's rate: no
 * faster fall than squared Gaussian noise).
 */
#define MM_TAIL_K	  5
#define MM_TAIL_MIN_BETA 2.0
double mm_log_p_tail(const struct baseline_null *nl, double d);

#define MM_OFF_Z       3.0
#define MM_OUTLIER_MIN 0.02

/* Is window w off b's model: some model feature beyond the load band by MM_OFF_Z sigmas? */
bool mm_window_off(const struct window_features *w, const struct baseline *b);
/* ln P(Binomial(m, p0) >= c). */
double mm_log_binom_tail(unsigned int m, unsigned int c, double p0);
/*
 * ln of the p-value of a group g[0..m) with statistic d: the larger of
 * mm_log_p() and the count bound (see Outliers above).
 */
double mm_group_log_p(const struct window_features *const *g, size_t m, const struct baseline *b, double d);

/* ln Q(a, x), the regularized upper incomplete gamma function (a > 0, x >= 0). */
double log_gamma_q(double a, double x);

#endif /* PL_BASELINE_H */
