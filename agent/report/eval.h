/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The detectors against a labelled corpus, in memory: what `powerledger
 * eval` measures and reports.
 *
 * Generated part (capture/gen.h, deterministic by seed).  For each sensor
 * setting and each claimed model (llm 7b, 13b, 70b on an H100), a baseline
 * is registered from TUNING seeds of that model (EVAL_TUNE_SEED0 ..; batch
 * 4 short, batch 8 mixed, batch 16 long prompts) and checked, as
 * daemon/check.c would, against HELD-OUT traces (seeds from
 * EVAL_CHECK_SEED0, never a tuning seed):
 *
 *   same model, other loads (batch 1, 32; long, short prompts)
 *                  negatives for every detector: a proof here is a false
 *                  accusation
 *   other sizes    positives for model-mismatch
 *   miner-compute, miner-memory
 *                  positives for crypto-miner-hidden
 *   training, diffusion, transcode, idle
 *                  negatives for crypto-miner-hidden (training is not
 *                  mining); model-mismatch is reported, not scored
 *   adversaries    spike, onoff, smooth (on a miner), interleave (mining in
 *                  the claimed model's gaps): detected when crypto-miner-
 *                  hidden or model-mismatch fires; powercap and replay (on
 *                  the claimed model): what fires is reported
 *
 * Every trace but replay is honest telemetry: a rail-tamper negative.  The
 * sample-rate sweep (PMBus at 10 Hz .. 10 kHz) checks llm traces only.
 *
 * What is signed follows check: rail-tamper alone when it fires, else
 * model-mismatch when it fires (when both it and crypto-miner-hidden fire,
 * the weaker accusation), else crypto-miner-hidden.
 *
 * Real part (optional): every CSV under a directory is imported (a
 * multi-GPU log: GPU 0) and checked against a baseline from other files of
 * the same directory.  Files named like repeats (_r00_, _r01_, ..) tune on
 * r00 and r01 and check the other repeats: honest traces, every proof a
 * false accusation.  Other directories tune on their first file and check
 * the rest, which may be other workloads: their proofs are listed, not
 * counted as false accusations.
 */
#ifndef PL_EVAL_H
#define PL_EVAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/gen.h"
#include "lib/util.h"
#include "science/detect.h"

#define EVAL_TUNE_SEED0	  1
#define EVAL_TUNE_TRACES  3
#define EVAL_CHECK_SEED0  1001
#define EVAL_MAX_SETTINGS 10
#define EVAL_MAX_ADV	  8
#define EVAL_MAX_NOTES	  64

struct eval_opts {
	bool quick;	      /* pmbus 1 kHz and nvml 10 Hz only, fewer and shorter traces */
	uint32_t seeds;	      /* held-out seeds per case; 0: 1 quick, 4 full */
	uint64_t seed_base;   /* first held-out seed; 0: EVAL_CHECK_SEED0 */
	uint64_t duration_ns; /* per trace; 0: 60 s */
	uint64_t tune_ns;     /* per commissioning trace; 0: duration_ns */
	const char *real_dir; /* NULL: no real part */
	FILE *progress;	      /* one line per setting; NULL: quiet */
	bool verbose;	      /* and one line per check there */
};

enum eval_cell { EV_TP, EV_FN, EV_FP, EV_TN, EV_UND, __EV_MAX };

struct eval_setting {
	char name[48];	     /* "pmbus-1kHz" */
	uint64_t window_ns;  /* of its baselines */
	uint32_t size_right; /* held-out llm traces only their own size's baseline accepts */
	uint32_t size_total;
	uint32_t pair_right; /* (trace, baseline) model-mismatch decisions right */
	uint32_t pair_total;
	uint32_t cm[__DET_MAX][__EV_MAX]; /* this setting's share of eval_result.cm */
	/* ROC of the model-mismatch score (-ln of the smallest group p): positives vs same-model negatives */
	double *pos, *neg;
	size_t npos, nneg;
	char baseline_err[200]; /* a baseline that could not be built: why */
};

struct eval_adv {
	char name[32]; /* "spike (miner-compute)" */
	uint32_t n, detected, und;
	uint32_t fired[__DET_MAX];
};

struct eval_result {
	uint32_t cm[__DET_MAX][__EV_MAX];
	uint32_t false_accusations; /* signed proofs on same-model negatives (generated) */
	char fa[EVAL_MAX_NOTES][200];  /* each one: setting, trace, detector */
	size_t nfa;
	uint32_t checks;	    /* trace x baseline checks run */
	uint32_t traces;	    /* traces generated */
	double *ttp_ms;		    /* model-mismatch time to proof of fired positives */
	size_t nttp;
	struct eval_setting set[EVAL_MAX_SETTINGS];
	size_t nset;
	struct eval_adv adv[EVAL_MAX_ADV];
	size_t nadv;
	uint32_t nonmining_miner; /* crypto-miner-hidden on training/diffusion/transcode/idle */
	uint32_t nonmining_mm;	  /* model-mismatch there (a claim of another workload) */
	uint32_t nonmining_n;
	/* real part */
	bool real;
	uint32_t real_checks, real_honest, real_und, real_false, real_cross, real_skipped;
	char notes[EVAL_MAX_NOTES][300]; /* per real file: skipped, false accusation, cross-file proof */
	size_t nnotes;
	/* the setup, for the report */
	uint32_t seeds;
	uint64_t seed_base;
	uint64_t tune_ns;
	uint64_t duration_ns;
	double wall_s;
	/* one fired proof to draw: generator parameters and its span */
	bool have_example;
	bool example_is_mm; /* a model-mismatch proof (preferred over a miner's) */
	char example_what[160];
	uint64_t example_start_ns, example_end_ns;
	struct gen_params example; /* the trace, generated again to draw it */
	char example_det[32];
};

/* eval.c APIs: */

/*
 * Runs the corpus.  0, or -ENOMEM / -errno with e set (a generator or
 * feature error: a bug, not a result).  A baseline that cannot be built is
 * a result (its setting's checks are undecided), not an error.
 * eval_result__free() after either.
 */
int eval_run(const struct eval_opts *o, struct eval_result *r, struct plerr *e);
/* The tab-separated lines "eval\t..." on f (see cmd_eval.c's manual page). */
void eval_print(const struct eval_result *r, FILE *f);
/*
 * dir/report.md, dir/roc-model-mismatch.svg and dir/trace-example.svg
 * (when a proof fired to draw).  dir is created; an existing file is
 * replaced only with force (-EEXIST).  cmdline goes into the report.
 */
int eval_write_report(const struct eval_result *r, const char *dir, const char *cmdline, bool force, struct plerr *e);
void eval_result__free(struct eval_result *r);

#endif /* PL_EVAL_H */
