// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Baseline/v3 predicates <-> struct baseline (science/baseline.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "evidence/baseline_json.h"

json_t *baseline_predicate(const struct baseline *b)
{
	json_t *feats = json_object(), *fs = json_object(), *ds = json_array(), *pred;
	int f;

	if (!feats || !fs || !ds) {
		json_decref(feats);
		json_decref(fs);
		json_decref(ds);
		return NULL;
	}
	for (uint32_t i = 0; i < b->null.nd; i++)
		if (json_array_append_new(ds, json_integer(llround(fmin(fmax(b->null.d[i], 0), 1e12) * 1e6)))) {
			json_decref(feats);
			json_decref(fs);
			json_decref(ds);
			return NULL;
		}
	for (f = 0; f < __FEAT_MAX; f++)
		if (b->null.fscale[f] > 0 &&
		    json_object_set_new(fs, feat_desc[f].name, json_integer(llround(fmin(b->null.fscale[f], 1e12) * 1e6)))) {
			json_decref(feats);
			json_decref(fs);
			return NULL;
		}
	for (f = 0; f < __FEAT_MAX; f++) {
		if (!b->have[f])
			continue;
		if (json_object_set_new(
			    feats, feat_desc[f].name,
			    json_pack("{s:I,s:I,s:I,s:I,s:I}", "hi", (json_int_t)b->hi[f], "lo", (json_int_t)b->lo[f], "mad",
				      (json_int_t)b->mad[f], "median", (json_int_t)b->median[f], "noise",
				      (json_int_t)b->noise[f]))) {
			json_decref(feats);
			return NULL;
		}
	}
	pred = json_pack("{s:I,s:o,s:i,s:s,s:s,s:{s:o,s:I,s:o,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I},s:I,s:{s:I,s:s,s:I,s:I},s:I,s:I}",
			 "active_windows", (json_int_t)b->active, "features", feats, "features_version",
			 FEATURES_VERSION, "hardware_fingerprint", b->fingerprint, "model", b->model, "null", "d_micro", ds, "df_milli",
			 (json_int_t)llround(b->null.df * 1e3), "feature_scale_micro", fs, "group", (json_int_t)b->null.group, "max_micro",
			 (json_int_t)llround(fmin(b->null.max, 1e12) * 1e6), "outlier_ppm",
			 (json_int_t)llround(b->null.outlier * 1e6), "samples", (json_int_t)b->null.samples,
			 "scale_micro", (json_int_t)llround(fmin(b->null.scale, 1e12) * 1e6), "range", "ceiling_mw",
			 (json_int_t)b->ceiling_mw, "flat_run_ms", (json_int_t)b->flat_run_ms, "idle_mw",
			 (json_int_t)b->idle_mw, "loaded_windows", (json_int_t)b->loaded, "plateau_ms",
			 (json_int_t)b->plateau_ms, "samples", (json_int_t)b->samples,
			 "sensor", "averaging_ns", (json_int_t)b->sensor.averaging_ns, "kind",
			 sensor_kind_name(b->sensor.kind), "quantum_uw", (json_int_t)b->sensor.quantum_uw, "refresh_ns",
			 (json_int_t)b->sensor.refresh_ns, "window_ns", (json_int_t)b->window_ns, "windows",
			 (json_int_t)b->windows);
	return pred;
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
	{
		json_t *nl = json_object_get(pred, "null"), *sn = json_object_get(pred, "sensor"),
		       *rg = json_object_get(pred, "range");
		const char *kind = json_string_value(json_object_get(sn, "kind"));

		b->active = (uint64_t)json_integer_value(json_object_get(pred, "active_windows"));
		b->null.group = (uint32_t)json_integer_value(json_object_get(nl, "group"));
		b->null.samples = (uint32_t)json_integer_value(json_object_get(nl, "samples"));
		b->null.df = (double)json_integer_value(json_object_get(nl, "df_milli")) * 1e-3;
		b->null.scale = (double)json_integer_value(json_object_get(nl, "scale_micro")) * 1e-6;
		b->null.max = (double)json_integer_value(json_object_get(nl, "max_micro")) * 1e-6;
		b->null.outlier = (double)json_integer_value(json_object_get(nl, "outlier_ppm")) * 1e-6;
		{
			json_t *dv = json_object_get(nl, "d_micro"), *x;
			size_t i;

			json_array_foreach(dv, i, x) {
				if (i >= BASELINE_NULL_KEEP)
					return plerr_set(e, -EINVAL, "baseline null holds more than %d statistics",
							 BASELINE_NULL_KEEP);
				b->null.d[i] = (double)json_integer_value(x) * 1e-6;
				b->null.nd = (uint32_t)i + 1;
			}
			/* ascending and >= 0 by the schema; its last is the largest, as max_micro says */
			if (b->null.nd && json_integer_value(json_array_get(dv, b->null.nd - 1)) !=
						  json_integer_value(json_object_get(nl, "max_micro")))
				return plerr_set(e, -EINVAL,
						 "baseline null: the largest kept statistic is not max_micro (the tail "
						 "beyond it is fitted from it)");
		}
		json_object_foreach(json_object_get(nl, "feature_scale_micro"), k, v) {
			f = feat_find(k);
			if (f >= 0)
				b->null.fscale[f] = (double)json_integer_value(v) * 1e-6;
		}
		b->sensor.refresh_ns = (uint64_t)json_integer_value(json_object_get(sn, "refresh_ns"));
		b->sensor.quantum_uw = (uint64_t)json_integer_value(json_object_get(sn, "quantum_uw"));
		b->sensor.averaging_ns = (uint64_t)json_integer_value(json_object_get(sn, "averaging_ns"));
		for (int k = 0; kind && k < __SENSOR_KIND_MAX; k++)
			if (!strcmp(kind, sensor_kind_name((uint8_t)k)))
				b->sensor.kind = (uint8_t)k;
		b->idle_mw = json_integer_value(json_object_get(rg, "idle_mw"));
		b->ceiling_mw = json_integer_value(json_object_get(rg, "ceiling_mw"));
		b->flat_run_ms = (uint64_t)json_integer_value(json_object_get(rg, "flat_run_ms"));
		b->loaded = (uint64_t)json_integer_value(json_object_get(rg, "loaded_windows"));
		b->plateau_ms = (uint64_t)json_integer_value(json_object_get(rg, "plateau_ms"));
		for (int ft = 0; ft < __FEAT_MAX; ft++)
			if (b->null.fscale[ft] && b->null.fscale[ft] < 0.25)
				return plerr_set(e, -EINVAL, "baseline null: feature scale of %s below 0.25",
						 feat_desc[ft].name);
		/* The host's range and the model's flat run: physical values, or the predicate is refused. */
		if (b->idle_mw < 0 || b->ceiling_mw <= b->idle_mw || b->ceiling_mw > 1000000000000LL ||
		    b->flat_run_ms > 1000000000ULL || b->plateau_ms > b->window_ns / 1000000)
			return plerr_set(e, -EINVAL,
					 "baseline range unusable (idle %lld mW, ceiling %lld mW, flat run %llu ms, plateau "
					 "%llu ms): need 0 <= idle < ceiling <= 1 GW, a flat run of at most 11 days and a "
					 "plateau no longer than a window",
					 (long long)b->idle_mw, (long long)b->ceiling_mw,
					 (unsigned long long)b->flat_run_ms, (unsigned long long)b->plateau_ms);
		if (b->window_ns > 86400000000000ULL)
			return plerr_set(e, -EINVAL, "baseline window_ns %llu is longer than a day",
					 (unsigned long long)b->window_ns);
		if (b->null.samples &&
		    (b->null.group != MM_GROUP || b->null.samples < BASELINE_MIN_NULL || b->null.df < 1 ||
		     !(b->null.scale > 0) || b->null.outlier < MM_OUTLIER_MIN || b->null.outlier > 1 ||
		     !b->null.nd || b->null.nd > b->null.samples || !b->sensor.refresh_ns))
			return plerr_set(e, -EINVAL,
					 "baseline null distribution unusable (group %u, %u samples, df %.3f, scale %.6f): "
					 "register it again",
					 b->null.group, b->null.samples, b->null.df, b->null.scale);
	}
	json_object_foreach(feats, k, v) {
		f = feat_find(k);
		if (f < 0)
			continue; /* a feature this agent does not compute: not comparable, ignored */
		b->have[f] = true;
		b->median[f] = json_integer_value(json_object_get(v, "median"));
		b->mad[f] = json_integer_value(json_object_get(v, "mad"));
		b->lo[f] = json_integer_value(json_object_get(v, "lo"));
		b->hi[f] = json_integer_value(json_object_get(v, "hi"));
		b->noise[f] = json_integer_value(json_object_get(v, "noise"));
		if (b->lo[f] > b->median[f] || b->median[f] > b->hi[f] || b->mad[f] < 0 || b->noise[f] < 0)
			return plerr_set(e, -EINVAL,
					 "baseline: feature %s: lo %" PRId64 " <= median %" PRId64 " <= hi %" PRId64
					 ", mad and noise >= 0 do not hold",
					 feat_desc[f].name, b->lo[f], b->median[f], b->hi[f]);
	}
	/* A cadence is compared as a log ratio: it must be positive. */
	for (f = 0; f < __FEAT_MAX; f++)
		if (feat_desc[f].model && b->have[f] && b->median[f] <= 0 &&
		    (feat_desc[f].unit == 's' || feat_desc[f].unit == 'h'))
			return plerr_set(e, -EINVAL, "baseline: model feature %s has a median <= 0", feat_desc[f].name);
	return 0;
}
