// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Baselines: robust per-feature statistics, to and from Baseline/v1. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t median_i64(int64_t *v, size_t n)
{
	int64_t a, b;

	qsort(v, n, sizeof(*v), i64_cmp);
	if (n % 2)
		return v[n / 2];
	a = v[n / 2 - 1];
	b = v[n / 2];
	/* Floor of the mean, without overflow (the shift of a negative __int128 is arithmetic in gcc and clang). */
	return (int64_t)(((__int128)a + b) >> 1);
}

int baseline_build(const struct window_features *w, size_t n, const char *model, const char *fingerprint,
		   uint64_t window_ns, struct baseline *b, struct plerr *e)
{
	size_t i, k, active = 0;
	int64_t *v;
	int f;

	memset(b, 0, sizeof(*b));
	if (n < BASELINE_MIN_WINDOWS)
		return plerr_set(e, -ENODATA, "%zu usable windows; a baseline needs at least %d", n,
				 BASELINE_MIN_WINDOWS);
	if (strlen(model) == 0 || strlen(model) >= sizeof(b->model))
		return plerr_set(e, -EINVAL, "model name must hold 1 to %zu characters", sizeof(b->model) - 1);
	v = malloc(n * sizeof(*v));
	if (!v)
		return plerr_set(e, -ENOMEM, "out of memory");
	snprintf(b->model, sizeof(b->model), "%s", model);
	snprintf(b->fingerprint, sizeof(b->fingerprint), "%s", fingerprint);
	b->window_ns = window_ns;
	b->windows = n;
	for (i = 0; i < n; i++)
		b->samples += w[i].n;
	for (i = 0; i < n; i++)
		active += feat_window_active(&w[i]);
	for (f = 0; f < __FEAT_MAX; f++) {
		/* Model features describe active windows only (see FEAT_ACTIVE_MIN_BURSTS). */
		for (i = k = 0; i < n; i++)
			if (w[i].valid[f] && (!feat_desc[f].model || feat_window_active(&w[i])))
				v[k++] = feat_int((enum feat_id)f, w[i].v[f]);
		if (k == 0 || k < ((feat_desc[f].model ? active : n) + 1) / 2)
			continue;
		b->median[f] = median_i64(v, k);
		for (i = 0; i < k; i++) {
			/* |v - median| fits: both are within the feature's physical range. */
			v[i] = v[i] > b->median[f] ? v[i] - b->median[f] : b->median[f] - v[i];
		}
		b->mad[f] = median_i64(v, k);
		b->have[f] = true;
	}
	free(v);
	return 0;
}

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

double baseline_sigma(const struct baseline *b, enum feat_id f)
{
	double s = 1.4826 * (double)b->mad[f];

	s = fmax(s, 0.01 * fabs((double)b->median[f]));
	return fmax(s, 1);
}
