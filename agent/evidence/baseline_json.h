/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * struct baseline (science/baseline.h) as the Baseline/v3 predicate the
 * operator signs, and back.
 */
#ifndef PL_BASELINE_JSON_H
#define PL_BASELINE_JSON_H

#include <jansson.h>

#include "lib/util.h"
#include "science/baseline.h"

/* baseline_json.c APIs: */

/* The Baseline/v3 predicate; NULL on ENOMEM. */
json_t *baseline_predicate(const struct baseline *b);
/* From a checked predicate (statement_parse() already held it to the schema). */
int baseline_from_predicate(json_t *pred, struct baseline *b, struct plerr *e);

#endif /* PL_BASELINE_JSON_H */
