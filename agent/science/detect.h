/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Detectors: each compares a trace (its windows' features, or its raw
 * samples) with a baseline and a claim and, when physics contradicts the
 * claim, returns a finding whose integer evidence becomes a Proof.
 *
 * model-mismatch  A sequential test, decided window by window.  Active
 *                 windows are taken in groups of MM_GROUP (3); each group's
 *                 statistic D (science/baseline.h: mean squared robust z of
 *                 the model features, >= 3 of them) gets its p-value under
 *                 the baseline's calibrated null, and a CUSUM accumulates
 *                 S = max(0, S - ln p - kappa) (kappa 2 nats: a group with
 *                 p < e^-2 adds evidence, a typical one takes it away).  A
 *                 proof when S reaches h = ln(G / r) / theta: G groups per
 *                 hour, r the false-alarm rate per hour (default 1e-6),
 *                 theta from Lorden's bound for Exp(1) increments, so the
 *                 mean time to a false alarm of a calibrated null is at
 *                 least 1 / r hours.  No group claims more than the null
 *                 and the count bound support (baseline.h: the null's own
 *                 tail, p0), so a proof always takes several groups.  The proof's window runs
 *                 from where S last left 0 to the group that crossed h, and
 *                 its evidence states S, h, the false-alarm bound at S, the
 *                 smallest group p-value and the time to proof.  Load
 *                 features never enter: a same-model trace at another batch
 *                 or prompt mix is no contradiction.
 * crypto-miner-hidden
 *                 Under an inference claim, positive evidence of mining
 *                 only: a sustained (miner_min_span, 30 s, and min_windows)
 *                 unbroken run of windows that are flat (no high and low
 *                 states, CV <= 1 %) and high in the host's range (mean at
 *                 least half way from the baseline's idle floor to its
 *                 ceiling), and at least twice as long as the longest such
 *                 run the claimed model itself showed in commissioning, plus
 *                 a window (baseline flat_run_ms: a model serving at its
 *                 power cap holds still too, and a miner hiding behind it
 *                 cannot be told apart by power: when the model's own run
 *                 reaches miner_min_span, the detector says undecided).
 *                 Being above the claimed
 *                 model's maximum is not mining: a bigger model does that,
 *                 and it has request structure (states) that breaks the run.
 *                 Hidden mining (in the gaps between requests, switched on
 *                 and off) breaks the run but holds the draw still: windows
 *                 whose plateau (FEAT_PLATEAU) is high in the range and longer
 *                 than any step of the model (MINER_PLATEAU_*), on a sensor
 *                 that shows the steps.  When a trace fits
 *                 both this and model-mismatch, the check signs the weaker
 *                 accusation (daemon/check.h).
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
 *                 beyond the records the header says were lost; and, on
 *                 kernel captures, readings replayed in a loop (their
 *                 fine structure coming back one loop later:
 *                 science/replay.h).  The
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

#define DETECTOR_VERSION 4

/*
 * rail-tamper: the probability, over a whole checked range, that an honest
 * sensor with the change rate measured in that range shows a run of
 * identical readings as long as the one called stuck.
 */
#define STUCK_FALSE_ALARM 1e-6

/*
 * model-mismatch needs the model's cadence: a 7B decode step takes ~12 ms,
 * so readings must be independent at least every 10 ms (refresh and
 * averaging; the baseline's windows were cut from the same sensor).  An
 * NVML power reading (100 ms refresh, often 1 s averaged) or any 10 Hz log
 * leaves model-mismatch undecided, saying so: it shows load, not the model.
 */
#define MM_MAX_TAU_NS 10000000ULL

/*
 * crypto-miner-hidden, hidden: a window holds a plateau (FEAT_PLATEAU) of
 * at least MINER_PLATEAU_MIN_MS and at least twice the longest the claimed
 * model held in commissioning (baseline plateau_ms), high in the range; a
 * proof needs MINER_PLATEAU_WINDOWS such windows holding
 * MINER_PLATEAU_TOTAL_MS of plateau between them.
 */
#define MINER_PLATEAU_MIN_MS	 500
#define MINER_PLATEAU_WINDOWS	 4
#define MINER_PLATEAU_TOTAL_MS	 2000

enum detector { DET_MODEL_MISMATCH, DET_MINER, DET_RAIL_TAMPER, __DET_MAX };

struct detect_params {
	double false_alarm_per_hour;	/* model-mismatch CUSUM, default 1e-6 */
	double cusum_kappa;		/* CUSUM reference, nats per group, default 2 */
	uint32_t min_windows;		/* default 5 */
	uint64_t min_samples;		/* default 200 */
	uint32_t miner_cv_ppm;		/* flat: window CV at most, default 10000 (1 %) */
	uint32_t miner_level_ppm;	/* high: (mean - idle) / (ceiling - idle) at least, default 500000 */
	uint64_t miner_min_span_ns;	/* sustained: at least, default 30 s */
	bool miner_hidden;		/* judge plateaus (mining in the gaps, switched on and off); default true */
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
/*
 * The model-mismatch CUSUM threshold h (nats) for b's windows and p's false
 * alarm rate: h = ln(G / r) / theta, G groups per hour (every window
 * active), theta from Lorden's bound; theta and G returned if not NULL.
 */
double mm_cusum_threshold(const struct baseline *b, const struct detect_params *p, double *theta,
			  double *groups_per_hour);
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
 * Every detector on one trace, the one wiring check, run and eval share:
 * rail-tamper on the raw samples of t in the claim's range; crypto-miner-hidden
 * only against a baseline from the same kind of sensor (levels compare
 * across refreshes, not across sensors); model-mismatch only against a
 * comparable sensor (sensor_comparable()).  res[d] as the detect_*()
 * return; f[d] always holds a summary (free with finding__free()).  sign[d]:
 * what a check signs -- every detector that fired if all, else the first of
 * rail-tamper (forged telemetry voids the rest), model-mismatch,
 * crypto-miner-hidden, with model-mismatch signed instead of the miner when
 * both fire (the weaker accusation; *weaker set).  0, or the first error
 * other than -ENODATA (detector in *failed).
 */
int detect_all(const struct series *t, const struct window_features *w, size_t n, const struct baseline *b,
	       const struct claim *c, const struct detect_params *p, bool all, int res[__DET_MAX],
	       struct finding f[__DET_MAX], bool sign[__DET_MAX], bool *weaker, enum detector *failed);
/*
 * The window detectors of detect_all() with its gates (model-mismatch only
 * for a sensor comparable to the baseline's, crypto-miner-hidden only for
 * the same kind, its plateaus only when comparable), for a trace whose
 * sensor is ts: fills res[] and f[] for DET_MODEL_MISMATCH and DET_MINER.
 * detect_all() calls it after rail-tamper; run's online judgement calls it
 * alone (no pass over the samples every window).  0 or an error as
 * detect_all().
 */
int detect_windows(const struct sensor_model *ts, const struct window_features *w, size_t n, const struct baseline *b,
		   const struct claim *c, const struct detect_params *p, int res[__DET_MAX], struct finding f[__DET_MAX],
		   enum detector *failed);
/*
 * What every evidence integer goes through: x rounded half away from zero,
 * saturated to +-INT64_MAX (never wrapped: llround() of a value beyond int64
 * is undefined and gave INT64_MIN).  NaN returns 0 and sets *nan: a finding
 * with such evidence is undecided, never signed.
 */
int64_t evidence_int(double x, bool *nan);

#endif /* PL_DETECT_H */
