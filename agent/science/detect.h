/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Detectors: each compares a trace (its windows' features, or its raw
 * samples) with a baseline and a claim and, when physics contradicts the
 * claim, returns a finding whose integer evidence becomes a Proof.
 *
 * model-mismatch  For each model feature f of the baseline (feat_desc[].model)
 *                 defined in at least min_windows active windows
 *                 (FEAT_ACTIVE_MIN_BURSTS) of the claim's time range:
 *                 z_f = median over those windows of (x_f - median_f)
 *                 / sigma_f, sigma_f = baseline_sigma() -- where the typical
 *                 window sits, so one odd window cannot move it.  The sigma
 *                 distance is the RMS of the z_f, sqrt(sum z_f^2 / k), over
 *                 k >= 3 features.  A proof needs distance > threshold
 *                 (default 3 sigma), at least min_windows windows and
 *                 min_samples samples.
 * crypto-miner-hidden
 *                 Under an inference claim, a window is miner-like when it
 *                 is flat near the maximum (mean >= 90 % of the baseline's
 *                 median window maximum), has a low CV (<= 2 %), is not
 *                 bursty (no bursts, or burstiness <= -0.5: regular like a
 *                 power limiter's cycle, not like request traffic) and has
 *                 a low spectral entropy (<= 0.5: power in few lines, or a
 *                 constant signal).  A proof needs half the windows (and
 *                 min_windows) miner-like.
 * rail-tamper     On the raw samples of the claim's time range, what
 *                 physics and the capture path do not allow: POUT differing
 *                 from VOUT * IOUT by more than 3 % for pvi_min_run (5)
 *                 consecutive samples (a single sample may straddle a load
 *                 step: the PSU reads rails one after the other); on kernel
 *                 captures only, all rails bit-identical for 50 ms or more,
 *                 for at least 10x the source's median hold (a sensor
 *                 polled faster than it refreshes repeats readings
 *                 honestly) and for longer than the sensor's own change
 *                 rate makes likely (false-alarm probability below
 *                 STUCK_FALSE_ALARM over the range; never judged for an
 *                 imported log, nor for a range with no change at all); a
 *                 VOUT level shift above 3 % (regulated output); and, for
 *                 traces captured from the kernel (not CSV imports),
 *                 timestamps going backwards, time gaps over 3 periods
 *                 without a sequence gap, overrun or resumed flag that
 *                 leave the timestamps off their grid (one sample taken
 *                 late, its grid regained within 8 samples, is not a gap),
 *                 and sequence gaps
 *                 beyond the records the header says were lost.  The
 *                 discontinuity magnitude is the largest level shift of the
 *                 residual POUT - VOUT * IOUT (medians of 20 samples either
 *                 side of where an inconsistency starts or ends), in robust
 *                 sigmas of the residual elsewhere.
 */
#ifndef PL_DETECT_H
#define PL_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "science/baseline.h"
#include "science/claim.h"
#include "science/features.h"
#include "science/series.h"

#define DETECTOR_VERSION 1

/*
 * rail-tamper: the probability, over a whole checked range, that an honest
 * sensor with the change rate measured in that range shows a run of
 * identical readings as long as the one called stuck.
 */
#define STUCK_FALSE_ALARM 1e-6

enum detector { DET_MODEL_MISMATCH, DET_MINER, DET_RAIL_TAMPER, __DET_MAX };

struct detect_params {
	int64_t threshold_msigma;	/* model-mismatch, default 3000 */
	uint32_t min_windows;		/* default 5 */
	uint64_t min_samples;		/* default 200 */
	uint32_t near_max_ppm;		/* miner: mean / baseline max, default 900000 */
	uint32_t miner_cv_ppm;		/* default 20000 */
	int32_t miner_burstiness_milli; /* default -500 */
	uint32_t miner_entropy_ppm;	/* default 500000 */
	uint32_t miner_fraction_ppm;	/* default 500000 */
	uint32_t pvi_tol_ppm;		/* default 30000 */
	uint32_t pvi_min_run;		/* default 5 samples */
	uint64_t stuck_min_ns;		/* default 50 ms (at least 5 samples) */
	uint32_t stuck_hold_factor;	/* and >= this x the source's median hold, default 10 */
	uint32_t gap_periods;		/* default 3 */
	uint32_t vout_step_ppm;		/* default 30000 */
};

struct finding {
	enum detector det;
	uint64_t start_ns, end_ns; /* where the evidence lies */
	json_t *evidence;	   /* owned; integers and objects of integers */
	char summary[256];	   /* one line for people */
};

/* detect.c APIs: */

void detect_params_default(struct detect_params *p);
const char *detector_name(enum detector d); /* "model-mismatch", ... */

/*
 * Each returns 1 with f filled when the trace contradicts the claim, 0 when
 * it does not (f->summary still says what was measured), -ENODATA when
 * there is too little data to decide (f->summary says why), -ENOMEM.
 */
int detect_model_mismatch(const struct window_features *w, size_t n, const struct baseline *b,
			  const struct detect_params *p, struct finding *f);
int detect_miner(const struct window_features *w, size_t n, const struct baseline *b, const struct claim *c,
		 const struct detect_params *p, struct finding *f);
int detect_rail_tamper(const struct series *t, uint64_t from_ns, uint64_t to_ns, const struct detect_params *p,
		       struct finding *f);
void finding__free(struct finding *f);
/*
 * What every evidence integer goes through: x rounded half away from zero,
 * saturated to +-INT64_MAX (never wrapped: llround() of a value beyond int64
 * is undefined and gave INT64_MIN).  NaN returns 0 and sets *nan: a finding
 * with such evidence is undecided, never signed.
 */
int64_t evidence_int(double x, bool *nan);

#endif /* PL_DETECT_H */
