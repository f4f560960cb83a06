/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Power features per time window.  Computation is in doubles, in natural
 * units (W, ratios, Hz, s, sigma); what leaves this module for signed JSON
 * goes through feat_int(), which converts to the integer unit in the
 * feature's name (mW, ppm, milli, mHz, us, milli-sigma).
 *
 * The series of a window is the power of its samples (PIN, else POUT; see
 * sample_power_uw()), in W, indexed by sample; the sample rate is the
 * trace's nominal one (1 / period_ns).  Definitions (n samples x_i):
 *
 *   mean, stddev     population moments: sigma^2 = sum (x - mean)^2 / n
 *   cv               stddev / mean
 *   skew             m3 / m2^1.5;  kurt: m4 / m2^2 - 3 (excess)
 *   min, max, par    peak-to-average max / mean
 *   crest            crest factor max |x| / rms(x)
 *   acf_peak, period highest local maximum r(k), k in [2, n/2], of the
 *                    autocorrelation r(k) = sum_{i<n-k} (x_i - m)(x_{i+k} - m)
 *                    / sum (x_i - m)^2, if above 0.2; period = k * period_ns
 *   dom_freq         argmax of the Hann-windowed (periodic Hann, mean
 *                    removed) FFTW power spectrum P_k, k = 1..m/2, in Hz, of
 *                    the window's first m = feat_spectrum_len(n) samples
 *   spec_entropy     -sum p_k ln p_k / ln(m/2), p_k = P_k / sum P
 *   spec_flatness    geometric mean / arithmetic mean of P_k
 *   band_low/mid/high fractions of sum P below band_lo_hz, below
 *                    band_hi_hz, and above (defaults 5 Hz and 50 Hz)
 *   bursts, burstiness
 *                    high/low states by hysteresis (+- the larger of 10 %
 *                    of the level difference and 3 sigma_noise) around a
 *                    two-level (isodata) threshold: the midpoint of the
 *                    mean levels below and above it, iterated from
 *                    (q1 + q99) / 2.  No states (a flat window) when
 *                    q99 - q1 < max(6 sigma_noise, min_swing_rel q1),
 *                    sigma_noise = 1.4826 MAD(first differences) / sqrt(2),
 *                    at least the sensor's quantum (noise_floor_w) and 1e-4
 *                    of the median: structure must stand out of the
 *                    window's own noise, and an idle reading toggling
 *                    between two adjacent counts is not structure.  A burst starts
 *                    at each low->high transition; tau = intervals between
 *                    starts.  burstiness is Kim & Jo's finite-size corrected
 *                    Goh-Barabasi B for n = |tau| >= 2 intervals, r = sigma/mu:
 *                    A_n = (sqrt(n+1) r - sqrt(n-1)) / ((sqrt(n+1) - 2) r + sqrt(n-1))
 *                    (-1 periodic, 0 Poisson, 1 maximally bursty)
 *   flat             fraction of samples within flat_tol (1 %) of the median
 *   step             max |d_i - median(d)| / (1.4826 MAD(d)) over first
 *                    differences d, in sigma; the robust sigma is floored at
 *                    0.1 % of the median level (quantized, noise-free data)
 *   high/low_run_mean/med/max
 *                    mean, median and longest complete (not touching the
 *                    window edges) high and low runs, s
 *   high/low_level   the two levels of the isodata threshold (mean power
 *                    above and below it), W
 *   swing_ratio      (high_level - low_level) / high_level: how deep the
 *                    dips between busy stretches go, as a ratio (a level
 *                    ratio does not move with how many GPUs or requests
 *                    share the host the way absolute levels do)
 *   cadence          the step period of the computation (a decode step, a
 *                    training micro-step), read from the autocorrelation:
 *                    among its local maxima above acf_min in lags of
 *                    min_cadence_s (4 independent readings of the sensor:
 *                    feat_params_for(); a shorter step aliases) to
 *                    FEAT_CADENCE_MAX_S (0.2 s), the one whose comb -- the
 *                    mean ACF near its first 3 multiples -- is highest
 *                    (the fundamental beats its harmonics and the request
 *                    rhythm), or a peak near a half or third of it at least
 *                    60 % as high; refined below one sample by parabolas at
 *                    each multiple; undefined when the best comb is below
 *                    0.3 (a window busy only in part has no steady step)
 *   plateau          the longest run of samples within max(2 % of the
 *                    level, 2 noise floors) of their centred moving mean
 *                    over +-25 ms: how long the draw held still.  A
 *                    stepping computation's dips (every decode step, every
 *                    prefill chunk) break it at least once a step; a miner
 *                    switched on, or mining in the gaps between requests,
 *                    holds it for as long as it runs (a load feature: the
 *                    miner's positive evidence, detect.h), s
 *   plateau_level    the mean level of that run, W
 *   pvi_err_max/med  |POUT - VOUT * IOUT| / POUT over samples holding all
 *                    three DC output rails (AC input rails have a power
 *                    factor: not used)
 *
 * A feature is invalid (valid[] false) when undefined: zero variance for
 * skew/kurt/acf/spectral ones, mean <= 0 for cv/par, fewer than two
 * intervals for burstiness, no complete run, no output rails.
 */
#ifndef PL_FEATURES_H
#define PL_FEATURES_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "science/series.h"

/*
 * Version of these definitions; baselines record it and a different one is
 * refused.  2: the spectrum over the first feat_spectrum_len(n) samples,
 * four-lane sums, power in W as uW * 1e-6.  3: noise floored by the
 * sensor's quantum, states need min_swing_w, swing_ratio, model features
 * are the model's (see feat_desc[].model).
 */
#define FEATURES_VERSION 4

/*
 * A window is active -- the model's signature is visible in it -- when it
 * has high and low states (a swing standing out of the noise floor and of
 * the window's own floor level: min_swing_rel, 10 %: a GPU's idle wander of a
 * few W on 70 W is no request) and at least this many bursts start in it.  A window holds
 * at least FEAT_MIN_READINGS independent readings (feat_window_ns()), so a
 * 10 Hz sensor's window is long enough to see a request start.  Model
 * features are compared over active windows only, in baselines and in
 * traces alike.
 */
#define FEAT_ACTIVE_MIN_BURSTS 1
#define FEAT_MIN_READINGS      10
#define FEAT_CADENCE_MAX_S     0.2
#define FEAT_PLATEAU_REL       0.02
#define FEAT_PLATEAU_HALF_S    0.025

enum feat_id {
	FEAT_MEAN,
	FEAT_STDDEV,
	FEAT_CV,
	FEAT_SKEW,
	FEAT_KURT,
	FEAT_MIN,
	FEAT_MAX,
	FEAT_PAR,
	FEAT_CREST,
	FEAT_ACF_PEAK,
	FEAT_PERIOD,
	FEAT_DOM_FREQ,
	FEAT_SPEC_ENTROPY,
	FEAT_SPEC_FLATNESS,
	FEAT_BAND_LOW,
	FEAT_BAND_MID,
	FEAT_BAND_HIGH,
	FEAT_BURSTS,
	FEAT_BURSTINESS,
	FEAT_FLAT,
	FEAT_STEP,
	FEAT_HIGH_RUN_MEAN,
	FEAT_HIGH_RUN_MED,
	FEAT_HIGH_RUN_MAX,
	FEAT_LOW_RUN_MEAN,
	FEAT_LOW_RUN_MED,
	FEAT_LOW_RUN_MAX,
	FEAT_HIGH_LEVEL,
	FEAT_LOW_LEVEL,
	FEAT_PVI_ERR_MAX,
	FEAT_PVI_ERR_MED,
	FEAT_SWING_RATIO,
	FEAT_CADENCE,
	FEAT_PLATEAU,
	FEAT_PLATEAU_LEVEL,
	__FEAT_MAX
};

/*
 * Model features describe the model's computation whatever the load: the
 * token or iteration cadence (cadence: a decode step reads every weight
 * once, so its length grows with the model).  The generator and the H100
 * captures showed every other candidate (dom_freq, acf_peak, band_high,
 * spec_entropy, busy-stretch length, dip ratio) moving with the batch or the
 * request rate as much as with the model, so they describe load.  Load
 * features describe how much work arrives: levels (mean, min, max, high/low
 * level), spread (stddev, cv, par, crest, skew, kurt), how often requests
 * come and how long the GPU stays busy (bursts, burstiness, runs), how deep
 * the dips go (swing_ratio: shallower as batches fill), duty (flat).  Even
 * the cadence moves with the batch (a decode step of batch 32 is up to ~25 %
 * longer than of batch 1), so the model-mismatch statistic ignores
 * deviations within a load band (science/baseline.h).  Only model features decide model-mismatch: a
 * same-model trace at another batch size or prompt mix moves the load
 * features, and that is no contradiction.
 */
struct feat_desc {
	const char *name; /* JSON name, with its integer unit: "mean_mw" */
	double scale;	  /* natural unit -> integer unit */
	bool model;	  /* part of the model-mismatch statistic */
	char unit;	  /* 'W' power, 's' time, 'h' frequency, '1' dimensionless: what floors its spread */
};

extern const struct feat_desc feat_desc[__FEAT_MAX];

struct feat_params {
	uint64_t window_ns;   /* default 1 s */
	double flat_tol;      /* relative, default 0.01 */
	double band_lo_hz;    /* default 5 */
	double band_hi_hz;    /* default 50 */
	double acf_min;	      /* default 0.2 */
	uint32_t min_samples; /* a window needs max(this, half the expected samples); default 8 */
	double noise_floor_w; /* the smallest noise sigma: the sensor's quantum; default 0 */
	double min_swing_rel; /* states need a swing of this fraction of the window's floor (q1); default 0.1 */
	double min_cadence_s; /* shortest cadence the sensor resolves (4 independent readings a step); default 0 */
};

struct window_features {
	uint64_t start_ns, end_ns; /* [start, end) */
	uint32_t n;		   /* samples used */
	double v[__FEAT_MAX];	   /* natural units */
	bool valid[__FEAT_MAX];
};

struct moments {
	double mean, std, cv, skew, kurt, min, max, par, crest;
	double sum;   /* sum x */
	double ss;    /* sum (x - mean)^2 */
	bool has_var; /* std > 0 */
};

struct spectral {
	double dom_freq_hz, entropy, flatness, band[3];
};

struct features_ctx; /* FFTW plans and scratch buffers for one size at a time */

/* features.c APIs: */

bool feat_window_active(const struct window_features *w);

void feat_params_default(struct feat_params *p);
/*
 * The window length for a series from a sensor: at least requested, and
 * long enough for FEAT_MIN_READINGS independent readings (one per
 * max(period, refresh, averaging)), rounded up to whole milliseconds.
 */
uint64_t feat_window_ns(const struct sensor_model *m, uint64_t period_ns, uint64_t requested);
/*
 * Defaults, window_ns, the noise floor of t's sensor (its quantum) and the
 * shortest cadence it resolves (4 x max(period, refresh, averaging)).
 */
void feat_params_for(const struct series *t, uint64_t window_ns, struct feat_params *p);
/* Index of the feature called name ("mean_mw"), or -1. */
int feat_find(const char *name);
/* llround(v * scale), clamped to int64. */
int64_t feat_int(enum feat_id f, double v);
/*
 * Is feature f of window w defined and a finite number?  What every detector
 * asks before reading w->v[f]: a NaN would otherwise pass feat_int() as a
 * huge integer and look like evidence.
 */
static inline bool feat_ok(const struct window_features *w, enum feat_id f)
{
	return w->valid[f] && isfinite(w->v[f]);
}

/* Primitives, exposed for tests.  None allocate except where noted. */
int feat_moments(const double *x, size_t n, struct moments *m); /* -EINVAL for n == 0 */
double feat_quantile(const double *sorted, size_t n, double q); /* linear interpolation */
/*
 * Reorders a[0..n) (k < n) so that a[k] is what sorting would put there,
 * with no greater value before it and no smaller one after it.  O(n).
 */
void feat_select(double *a, size_t n, size_t k);
/*
 * feat_quantile() of the sorted x for each q[j] into out[j], bit for bit,
 * without sorting: exact order statistics by bucket counts (branch-free
 * passes; only the bucket holding a rank is selected).  x is left as it
 * is; tmp: n doubles.
 */
void feat_quantiles(const double *x, size_t n, const double *q, double *out, size_t nq, double *tmp);
/* The k-th smallest of a[0..n) (k < n), as feat_quantiles() finds it; reorders a. */
double feat_kth(double *a, size_t n, size_t k);
/* The k-th and (k+1)-th smallest (k + 1 < n) into *lo and *hi; reorders a. */
void feat_kth2(double *a, size_t n, size_t k, double *lo, double *hi);
/* Median and MAD of x (n > 0); uses tmp (n doubles) as scratch. */
double feat_median(const double *x, size_t n, double *tmp);
double feat_mad(const double *x, size_t n, double med, double *tmp);
double feat_acf(const double *x, size_t n, size_t lag);
/* Lag of the highest local ACF maximum in [min_lag, max_lag] with r > min_r; 0 if none. */
size_t feat_dominant_lag(const double *x, size_t n, size_t min_lag, size_t max_lag, double min_r, double *r);
/* Goh-Barabasi B and Kim-Jo A_n of n intervals; NAN when undefined. */
double feat_burstiness_raw(const double *tau, size_t n);
double feat_burstiness_kimjo(const double *tau, size_t n);
/*
 * Largest robust z of the first differences of x: returns it (in sigma) and
 * the index i of the step x[i] -> x[i+1] in *at.  sigma_floor bounds the
 * robust sigma from below.  0 for n < 3.
 */
double feat_step(const double *x, size_t n, double sigma_floor, size_t *at);

struct features_ctx *features_ctx__new(void);
void features_ctx__free(struct features_ctx *c);
/*
 * feat_dominant_lag() with all lag sums from one zero-padded FFT (Wiener-
 * Khinchin); lags near a peak are recomputed directly, so the lag and r are
 * those of feat_dominant_lag(), bit for bit.
 */
size_t features_ctx__dominant_lag(struct features_ctx *c, const double *x, size_t n, size_t min_lag, size_t max_lag,
				  double min_r, double *r);
/*
 * Samples the spectrum uses of a window of n (>= 4): the largest m <= n
 * whose only prime factors are 2, 3, 5 and 7 (999 -> 980, 1000 -> 1000,
 * 1001 -> 1000).  FFTW transforms those sizes 4x faster than 999 or 1001,
 * and windows a sample apart, as time cuts them, share their bins.
 */
size_t feat_spectrum_len(size_t n);
/*
 * Spectral features of the first feat_spectrum_len(n) samples of x (n >= 4)
 * sampled at fs_hz; -ERANGE when they are constant.
 */
int features_ctx__spectrum(struct features_ctx *c, const double *x, size_t n, double fs_hz, const struct feat_params *p,
			   struct spectral *out);

/*
 * All features of one window of samples.  Samples without a power rail are
 * skipped; -ENODATA if fewer than min_samples remain.
 */
int features_ctx__window(struct features_ctx *c, const struct pl_sample *s, size_t n, uint64_t period_ns,
			 const struct feat_params *p, struct window_features *out);

/*
 * Windows of the series t within [from_ns, to_ns] (inclusive; 0 and UINT64_MAX for
 * all), aligned at max(t0, from_ns), window_ns long; windows with too few
 * samples are left out.  *out is malloc'd.
 */
int features_windows(const struct series *t, const struct feat_params *p, uint64_t from_ns, uint64_t to_ns,
		   struct window_features **out, size_t *nout);
/* features_windows() with c's transforms and buffers (kept across calls: run judges every window). */
int features_ctx__windows(struct features_ctx *c, const struct series *t, const struct feat_params *p, uint64_t from_ns,
			  uint64_t to_ns, struct window_features **out, size_t *nout);

#endif /* PL_FEATURES_H */
