/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Model baselines: per feature, the median and the MAD (median absolute
 * deviation) over every window of the commissioning traces, in the
 * feature's integer unit.  evidence/baseline_json.h makes the operator's
 * signed Baseline/v1 statement of it (subjects: the commissioning trace
 * files).
 */
#ifndef PL_BASELINE_H
#define PL_BASELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/util.h"
#include "science/features.h"

#define BASELINE_MIN_WINDOWS 10

struct baseline {
	char model[256];
	char fingerprint[SHA256_HEX_LEN];
	uint64_t window_ns;
	uint64_t windows;
	uint64_t samples;
	bool have[__FEAT_MAX];
	int64_t median[__FEAT_MAX];
	int64_t mad[__FEAT_MAX];
};

/* baseline.c APIs: */

/* Median of n int64 values (sorted in place), rounded toward minus infinity for even n. */
int64_t median_i64(int64_t *v, size_t n);

/*
 * Robust statistics of n windows (model features: of the active ones).  A
 * feature enters the baseline only when at least half of those windows
 * define it.  -ENODATA below
 * BASELINE_MIN_WINDOWS windows.
 */
int baseline_build(const struct window_features *w, size_t n, const char *model, const char *fingerprint,
		   uint64_t window_ns, struct baseline *b, struct plerr *e);

/* Robust sigma of feature f: 1.4826 MAD, at least 1 unit and 1 % of |median|. */
double baseline_sigma(const struct baseline *b, enum feat_id f);

#endif /* PL_BASELINE_H */
