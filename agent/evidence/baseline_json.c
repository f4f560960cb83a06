// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Baseline/v1 predicates <-> struct baseline (science/baseline.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "evidence/baseline_json.h"

json_t *baseline_predicate(const struct baseline *b)
{
	json_t *feats = json_object();
	int f;

	if (!feats)
		return NULL;
	for (f = 0; f < __FEAT_MAX; f++) {
		if (!b->have[f])
			continue;
		if (json_object_set_new(
			    feats, feat_desc[f].name,
			    json_pack("{s:I,s:I}", "mad", (json_int_t)b->mad[f], "median", (json_int_t)b->median[f]))) {
			json_decref(feats);
			return NULL;
		}
	}
	return json_pack("{s:o,s:i,s:s,s:s,s:I,s:I,s:I}", "features", feats, "features_version", FEATURES_VERSION,
			 "hardware_fingerprint", b->fingerprint, "model", b->model, "samples", (json_int_t)b->samples,
			 "window_ns", (json_int_t)b->window_ns, "windows", (json_int_t)b->windows);
}

int baseline_from_predicate(json_t *pred, struct baseline *b, struct plerr *e)
{
	json_t *feats = json_object_get(pred, "features"), *v;
	const char *k;
	int f;

	memset(b, 0, sizeof(*b));
	if (json_integer_value(json_object_get(pred, "features_version")) != FEATURES_VERSION)
		return plerr_set(e, -EINVAL, "baseline features_version %lld, this agent computes version %d",
				 (long long)json_integer_value(json_object_get(pred, "features_version")),
				 FEATURES_VERSION);
	snprintf(b->model, sizeof(b->model), "%s", json_string_value(json_object_get(pred, "model")));
	snprintf(b->fingerprint, sizeof(b->fingerprint), "%s",
		 json_string_value(json_object_get(pred, "hardware_fingerprint")));
	b->window_ns = (uint64_t)json_integer_value(json_object_get(pred, "window_ns"));
	b->windows = (uint64_t)json_integer_value(json_object_get(pred, "windows"));
	b->samples = (uint64_t)json_integer_value(json_object_get(pred, "samples"));
	if (b->window_ns == 0)
		return plerr_set(e, -EINVAL, "baseline window_ns is 0");
	json_object_foreach(feats, k, v) {
		f = feat_find(k);
		if (f < 0)
			continue; /* a feature this agent does not compute: not comparable, ignored */
		b->have[f] = true;
		b->median[f] = json_integer_value(json_object_get(v, "median"));
		b->mad[f] = json_integer_value(json_object_get(v, "mad"));
	}
	return 0;
}
