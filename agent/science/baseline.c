// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Baselines: robust per-feature statistics of commissioning windows. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "science/baseline.h"

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

double baseline_sigma(const struct baseline *b, enum feat_id f)
{
	double s = 1.4826 * (double)b->mad[f];

	s = fmax(s, 0.01 * fabs((double)b->median[f]));
	return fmax(s, 1);
}
