// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Model baselines and the calibrated model-mismatch statistic (see baseline.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "science/baseline.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int64_t median_i64(int64_t *v, size_t n)
{
	int64_t a, b;

	qsort(v, n, sizeof(*v), cmp_i64);
	if (n % 2)
		return v[n / 2];
	a = v[n / 2 - 1];
	b = v[n / 2];
	/* floor((a + b) / 2) without overflow */
	return (a >> 1) + (b >> 1) + (a & b & 1);
}

/*
 * Median and MAD of every feature over the windows w[0..n) outside
 * [skip_from, skip_to) (model features: active windows only), their 10th
 * and 90th percentiles and window-to-window noise.  v: 2n int64s.
 */
static void robust_stats(const struct window_features *w, size_t n, size_t skip_from, size_t skip_to,
			 struct baseline *b, int64_t *v)
{
	size_t i, k, active = 0, all = 0;

	for (i = 0; i < n; i++) {
		if (i >= skip_from && i < skip_to)
			continue;
		all++;
		active += feat_window_active(&w[i]);
	}
	for (int f = 0; f < __FEAT_MAX; f++) {
		b->have[f] = false;
		for (i = k = 0; i < n; i++) {
			if (i >= skip_from && i < skip_to)
				continue;
			if (feat_ok(&w[i], (enum feat_id)f) && (!feat_desc[f].model || feat_window_active(&w[i])))
				v[k++] = feat_int((enum feat_id)f, w[i].v[f]);
		}
		if (k == 0 || k < (feat_desc[f].model ? (active + 3) / 4 : (all + 1) / 2))
			continue;
		/* successive differences (time order) into v[n..]: |a - b| fits, both in the physical range */
		for (i = 1; i < k; i++)
			v[n + i - 1] = v[i] > v[i - 1] ? v[i] - v[i - 1] : v[i - 1] - v[i];
		b->noise[f] = k > 1 ? llround(1.4826 / sqrt(2) * (double)median_i64(v + n, k - 1)) : 0;
		b->median[f] = median_i64(v, k); /* v is sorted now */
		b->lo[f] = v[k / 10];
		b->hi[f] = v[k - 1 - k / 10];
		for (i = 0; i < k; i++) /* |v - median| fits: both lie within the feature's physical range */
			v[i] = v[i] > b->median[f] ? v[i] - b->median[f] : b->median[f] - v[i];
		b->mad[f] = median_i64(v, k);
		b->have[f] = true;
	}
}

double baseline_sigma(const struct baseline *b, enum feat_id f)
{
	double s = feat_desc[f].model ? (double)b->noise[f] : 1.4826 * (double)b->mad[f], floor = 1;

	switch (feat_desc[f].unit) {
	case 'W': floor = (double)b->sensor.quantum_uw * 1e-6 * feat_desc[f].scale; break;
	case 's':
		/*
		 * A duration is read to the sensor's refresh; one averaged over the
		 * window's n cycles (the ACF period) to refresh / sqrt(n).
		 */
		floor = (double)b->sensor.refresh_ns * 1e-9 * feat_desc[f].scale;
		if (f == FEAT_CADENCE && b->median[f] > 0)
			floor /= sqrt(fmax(1, (double)b->window_ns * 1e-9 * feat_desc[f].scale / (double)b->median[f]));
		break;
	case 'h': floor = b->window_ns ? 1e9 / (double)b->window_ns * feat_desc[f].scale : 1; break;
	default: floor = 1e-3 * feat_desc[f].scale; break;
	}
	return fmax(fmax(s, floor), 1);
}

double mm_z(const struct baseline *b, enum feat_id f, double x)
{
	double m = (double)b->median[f], sigma = baseline_sigma(b, f), d, tol;

	if ((feat_desc[f].unit == 's' || feat_desc[f].unit == 'h') && x > 0 && m > 0) {
		/* Cadences scale: the deviation is a log ratio, the load band a factor (one-sided, baseline.h). */
		double lo = b->lo[f] > 0 && b->lo[f] < b->median[f] ? (double)b->lo[f] : m;

		if (feat_desc[f].unit == 'h') {
			/* A frequency: the band both ways (no feature of this unit is a model one today). */
			d = log(x / m);
			tol = log1p(MM_LOAD_BAND);
			sigma /= m;
		} else if (x < lo) {
			d = log(x / lo);
			tol = -log1p(-MM_LOAD_BAND_FAST); /* x down to (1 - band) lo is load */
			sigma /= lo;
		} else {
			d = log(x / m);
			if (d <= 0)
				return 0; /* between the lightest load and the median: the commissioned range */
			tol = log1p(MM_LOAD_BAND);
			sigma /= m;
		}
	} else {
		d = x - m;
		tol = MM_LOAD_BAND_ABS * feat_desc[f].scale;
	}
	if (fabs(d) <= tol)
		return 0;
	return (d > 0 ? d - tol : d + tol) / sigma;
}

static double median_dbl(double *x, size_t n)
{
	qsort(x, n, sizeof(*x), cmp_d);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

int mm_group_stat(const struct window_features *const *g, size_t m, const struct baseline *b, double *d, size_t *k,
		  double z[__FEAT_MAX], bool used[__FEAT_MAX])
{
	double col[64], sum = 0;
	size_t kk = 0;

	if (m > 64)
		m = 64;
	for (int f = 0; f < __FEAT_MAX; f++) {
		size_t nf = 0;
		double zf;

		if (used)
			used[f] = false;
		if (!feat_desc[f].model || !b->have[f])
			continue;
		for (size_t i = 0; i < m; i++)
			if (feat_ok(g[i], (enum feat_id)f))
				col[nf++] = (double)feat_int((enum feat_id)f, g[i]->v[f]);
		if (nf * 2 < m || !nf)
			continue;
		zf = mm_z(b, (enum feat_id)f, median_dbl(col, nf));
		sum += zf * zf / (b->null.fscale[f] > 0 ? b->null.fscale[f] : 1);
		kk++;
		if (z)
			z[f] = zf;
		if (used)
			used[f] = true;
	}
	*k = kk;
	if (kk < BASELINE_MIN_FEATURES)
		return -ENODATA;
	*d = sum / (double)kk;
	return 0;
}

/*
 * ln Q(a, x): the series for P when x < a + 1 (Q = 1 - P is not small
 * there), else the continued fraction for Q (modified Lentz), in logs so a
 * p-value of 1e-300 and beyond keeps its exponent.
 */
double log_gamma_q(double a, double x)
{
	double lpre = a * log(x) - x - lgamma(a);

	if (x <= 0)
		return 0;
	if (x < a + 1) {
		double sum = 1 / a, term = 1 / a, p;

		for (int n = 1; n < 1000; n++) {
			term *= x / (a + n);
			sum += term;
			if (fabs(term) < fabs(sum) * 1e-15)
				break;
		}
		p = exp(lpre + log(sum));
		return p >= 1 ? 0 : log1p(-p); /* unreachable for a >= 0.5; fail closed: no evidence */
	} else {
		double bb = x + 1 - a, c = 1 / 1e-300, dd = 1 / bb, h = dd;

		for (int i = 1; i < 1000; i++) {
			double an = -i * (i - a), del;

			bb += 2;
			dd = an * dd + bb;
			if (fabs(dd) < 1e-300)
				dd = 1e-300;
			c = bb + an / c;
			if (fabs(c) < 1e-300)
				c = 1e-300;
			dd = 1 / dd;
			del = dd * c;
			h *= del;
			if (fabs(del - 1) < 1e-15)
				break;
		}
		return lpre + log(h);
	}
}

double mm_log_p(const struct baseline_null *nl, double d)
{
	double t;

	if (!(nl->scale > 0) || !(nl->df > 0) || !(d >= 0))
		return 0;
	t = nl->df * d / nl->scale;
	return log_gamma_q(nl->df / 2, t / 2);
}

bool mm_window_off(const struct window_features *w, const struct baseline *b)
{
	for (int f = 0; f < __FEAT_MAX; f++)
		if (feat_desc[f].model && b->have[f] && feat_ok(w, (enum feat_id)f) &&
		    fabs(mm_z(b, (enum feat_id)f, (double)feat_int((enum feat_id)f, w->v[f]))) >= MM_OFF_Z)
			return true;
	return false;
}

double mm_log_binom_tail(unsigned int m, unsigned int c, double p0)
{
	double sum = 0;

	if (c == 0)
		return 0;
	for (unsigned int j = c; j <= m; j++)
		sum += exp(lgamma(m + 1.0) - lgamma(j + 1.0) - lgamma(m - j + 1.0) + j * log(p0) +
			   (m - j) * log1p(-p0));
	return fmin(log(sum), 0);
}

double mm_log_p_empirical(const struct baseline_null *nl, double d)
{
	uint32_t lo = 0, hi = nl->nd;

	if (!nl->nd || !nl->samples)
		return 0;
	/* first kept sample >= d; kept samples stand for samples / nd each */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (nl->d[mid] >= d)
			hi = mid;
		else
			lo = mid + 1;
	}
	return log(((double)(nl->nd - lo) * (double)nl->samples / (double)nl->nd + 1) / ((double)nl->samples + 1));
}

double mm_log_p_tail(const struct baseline_null *nl, double d)
{
	uint32_t k, i;
	double u, beta = 0, top;

	if (!nl->nd || !nl->samples)
		return 0;
	top = nl->d[nl->nd - 1];
	k = nl->nd / 10 > MM_TAIL_K ? nl->nd / 10 : MM_TAIL_K;
	if (d <= top || k >= nl->nd)
		return mm_log_p_empirical(nl, fmin(d, top));
	u = nl->d[nl->nd - 1 - k];
	for (i = nl->nd - k; i < nl->nd; i++)
		beta += nl->d[i] - u;
	{
		/*
		 * D is z^2 / c_f (mean over features): a chi-square-1 tail in z,
		 * exp(-z^2 / 2), falls as exp(-c D / 2) in D -- slowest for the
		 * smallest c_f.
		 */
		double cmin = INFINITY;

		for (int ft = 0; ft < __FEAT_MAX; ft++)
			if (nl->fscale[ft] > 0 && nl->fscale[ft] < cmin)
				cmin = nl->fscale[ft];
		if (!isfinite(cmin))
			cmin = 1;
		beta = fmax(beta / k, MM_TAIL_MIN_BETA / cmin);
	}
	return mm_log_p_empirical(nl, top) - (d - top) / beta;
}

double mm_group_log_p(const struct window_features *const *g, size_t m, const struct baseline *b, double d)
{
	double p0 = fmin(fmax(b->null.outlier, MM_OUTLIER_MIN), 1), lp;
	unsigned int c = 0;

	for (size_t i = 0; i < m; i++)
		c += mm_window_off(g[i], b);
	if (p0 >= 1 || !(d >= 0))
		return 0;
	lp = fmax(mm_log_p(&b->null, d), mm_log_binom_tail((unsigned int)m, c, p0));
	lp = fmax(lp, mm_log_p_tail(&b->null, d));
	return isfinite(lp) ? fmin(lp, 0) : 0;
}

bool plateau_high(const struct window_features *x, const struct baseline *b, uint32_t level_ppm)
{
	double range = (double)(b->ceiling_mw - b->idle_mw);

	return feat_ok(x, FEAT_PLATEAU) && feat_ok(x, FEAT_PLATEAU_LEVEL) && range > 0 &&
	       (x->v[FEAT_PLATEAU_LEVEL] * 1e3 - (double)b->idle_mw) >= (double)level_ppm * 1e-6 * range;
}

bool miner_window_like(const struct window_features *x, const struct baseline *b, uint32_t cv_ppm, uint32_t level_ppm)
{
	double range = (double)(b->ceiling_mw - b->idle_mw);
	bool states = feat_ok(x, FEAT_BURSTS) && x->v[FEAT_BURSTS] > 0;
	bool low_cv = feat_ok(x, FEAT_CV) && feat_int(FEAT_CV, x->v[FEAT_CV]) <= cv_ppm;

	return !states && low_cv && range > 0 && feat_ok(x, FEAT_MEAN) &&
	       (double)(feat_int(FEAT_MEAN, x->v[FEAT_MEAN]) - b->idle_mw) >= (double)level_ppm * 1e-6 * range;
}

/* The null of D by blocked cross-validation (see baseline.h). */
static int calibrate(const struct window_features *w, size_t n, struct baseline *b, int64_t *v, struct plerr *e)
{
	size_t *act = malloc(n * sizeof(*act)), na = 0, bs, nd = 0, blocks;
	double *ds = malloc(n * sizeof(*ds)), sum = 0, sq = 0, ksum = 0, mean, var;
	struct baseline *tmp = malloc(sizeof(*tmp));
	double fsum[__FEAT_MAX] = { 0 };
	size_t fcnt[__FEAT_MAX] = { 0 }, off = 0, held = 0;
	struct {
		double z[__FEAT_MAX];
		bool used[__FEAT_MAX];
	} *zs = NULL;
	int ret = 0;

	if (!act || !ds || !tmp) {
		ret = plerr_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	*tmp = *b;
	for (size_t i = 0; i < n; i++)
		if (feat_window_active(&w[i]))
			act[na++] = i;
	bs = na / BASELINE_MAX_BLOCKS;
	if (bs < 2 * MM_GROUP)
		bs = 2 * MM_GROUP;
	blocks = na / bs;
	memset(tmp->null.fscale, 0, sizeof(tmp->null.fscale));
	zs = malloc(na * sizeof(*zs));
	if (!zs) {
		ret = plerr_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < blocks; j++) {
		size_t a = j * bs, z = j + 1 == blocks ? na : a + bs;

		robust_stats(w, n, act[a], act[z - 1] + 1, tmp, v);
		for (size_t i = a; i < z; i++) {
			bool has = false;

			for (int f = 0; f < __FEAT_MAX; f++)
				has |= feat_desc[f].model && tmp->have[f] && feat_ok(&w[act[i]], (enum feat_id)f);
			if (!has)
				continue; /* nothing to be off from: neither off nor on */
			off += mm_window_off(&w[act[i]], tmp);
			held++;
		}
		for (size_t g = a; g + MM_GROUP <= z; g++) { /* overlapping: finer empirical resolution */
			const struct window_features *grp[MM_GROUP];
			size_t k;
			double d;

			for (size_t i = 0; i < MM_GROUP; i++)
				grp[i] = &w[act[g + i]];
			if (mm_group_stat(grp, MM_GROUP, tmp, &d, &k, zs[nd].z, zs[nd].used))
				continue;
			for (int f = 0; f < __FEAT_MAX; f++) {
				fsum[f] += zs[nd].used[f] ? zs[nd].z[f] * zs[nd].z[f] : 0;
				fcnt[f] += zs[nd].used[f];
			}
			nd++;
		}
	}
	/* Each feature's own held-out scale, then D of every held-out group with it. */
	for (int f = 0; f < __FEAT_MAX; f++)
		if (fcnt[f])
			b->null.fscale[f] = fmax(fsum[f] / (double)fcnt[f], 0.25);
	for (size_t i = 0; i < nd; i++) {
		size_t k = 0;

		ds[i] = 0;
		for (int f = 0; f < __FEAT_MAX; f++)
			if (zs[i].used[f]) {
				ds[i] += zs[i].z[f] * zs[i].z[f] / b->null.fscale[f];
				k++;
			}
		ds[i] /= (double)k;
		ksum += (double)k;
	}
	if (nd < BASELINE_MIN_NULL) {
		/* Not an error: the baseline serves the other detectors; model-mismatch will say undecided. */
		snprintf(b->mm_why, sizeof(b->mm_why),
			 "%zu null statistics from %zu active windows in %zu blocks; a calibrated model-mismatch needs at "
			 "least %d (more active windows, or longer commissioning traces)",
			 nd, na, blocks, BASELINE_MIN_NULL);
		(void)e;
		goto out;
	}
	for (size_t i = 0; i < nd; i++) {
		sum += ds[i];
		sq += ds[i] * ds[i];
	}
	mean = sum / (double)nd;
	var = sq / (double)nd - mean * mean;
	b->null.group = MM_GROUP;
	b->null.samples = (uint32_t)nd;
	b->null.scale = mean > 1e-6 ? mean : 1e-6;
	b->null.df = var > 0 ? 2 * mean * mean / var : ksum / (double)nd;
	if (b->null.df > ksum / (double)nd)
		b->null.df = ksum / (double)nd;
	if (b->null.df < 1)
		b->null.df = 1;
	qsort(ds, nd, sizeof(*ds), cmp_d);
	b->null.max = ds[nd - 1];
	b->null.outlier = held ? fmin(fmax(((double)off + 3) / ((double)held + 3), MM_OUTLIER_MIN), 1) : 1;
	b->null.nd = nd <= BASELINE_NULL_KEEP ? (uint32_t)nd : BASELINE_NULL_KEEP;
	for (uint32_t i = 0; i < b->null.nd; i++) /* evenly thinned, the largest always kept */
		b->null.d[i] = ds[nd <= BASELINE_NULL_KEEP ? i : (size_t)((double)(i + 1) * (double)nd / BASELINE_NULL_KEEP) - 1];
out:
	free(zs);
	free(act);
	free(ds);
	free(tmp);
	return ret;
}

int baseline_build(const struct window_features *w, size_t n, const char *model, const char *fingerprint,
		   uint64_t window_ns, const struct sensor_model *sensor, struct baseline *b, struct plerr *e)
{
	size_t i, k = 0, nmodel = 0;
	int64_t *v;
	int ret;

	memset(b, 0, sizeof(*b));
	if (n < BASELINE_MIN_WINDOWS)
		return plerr_set(e, -ENODATA, "%zu usable windows; a baseline needs at least %d", n,
				 BASELINE_MIN_WINDOWS);
	if (strlen(model) == 0 || strlen(model) >= sizeof(b->model))
		return plerr_set(e, -EINVAL, "model name must hold 1 to %zu characters", sizeof(b->model) - 1);
	v = malloc(2 * n * sizeof(*v));
	if (!v)
		return plerr_set(e, -ENOMEM, "out of memory");
	snprintf(b->model, sizeof(b->model), "%s", model);
	snprintf(b->fingerprint, sizeof(b->fingerprint), "%s", fingerprint);
	b->window_ns = window_ns;
	b->windows = n;
	b->sensor = *sensor;
	b->sensor.origin = 0;
	for (i = 0; i < n; i++) {
		b->samples += w[i].n;
		b->active += feat_window_active(&w[i]);
	}
	robust_stats(w, n, 0, 0, b, v);
	for (int f = 0; f < __FEAT_MAX; f++)
		nmodel += feat_desc[f].model && b->have[f];
	/* The host's range: where idle sits, how high this model goes. */
	for (i = 0; i < n; i++)
		if (feat_ok(&w[i], FEAT_MIN))
			v[k++] = feat_int(FEAT_MIN, w[i].v[FEAT_MIN]);
	if (k) {
		qsort(v, k, sizeof(*v), cmp_i64);
		b->idle_mw = v[k / 20];
	}
	for (i = k = 0; i < n; i++)
		if (feat_ok(&w[i], FEAT_MAX))
			v[k++] = feat_int(FEAT_MAX, w[i].v[FEAT_MAX]);
	if (k) {
		qsort(v, k, sizeof(*v), cmp_i64);
		b->ceiling_mw = v[k - 1 - k / 20];
	}
	{
		double range = (double)(b->ceiling_mw - b->idle_mw);
		uint64_t run = 0;

		for (i = 0; i < n; i++) {
			bool contiguous = !i || w[i].start_ns == w[i - 1].end_ns;

			if (feat_ok(&w[i], FEAT_MEAN) && range > 0 &&
			    (double)(feat_int(FEAT_MEAN, w[i].v[FEAT_MEAN]) - b->idle_mw) >= 0.2 * range)
				b->loaded++;
			run = contiguous ? run : 0;
			run = miner_window_like(&w[i], b, MINER_CV_PPM, MINER_LEVEL_PPM) ? run + 1 : 0;
			if (run * window_ns / 1000000 > b->flat_run_ms)
				b->flat_run_ms = run * window_ns / 1000000;
			if (plateau_high(&w[i], b, MINER_LEVEL_PPM) &&
			    (uint64_t)(w[i].v[FEAT_PLATEAU] * 1e3) > b->plateau_ms)
				b->plateau_ms = (uint64_t)(w[i].v[FEAT_PLATEAU] * 1e3);
		}
	}
	if ((double)(b->ceiling_mw - b->idle_mw) < 0.1 * (double)b->idle_mw) {
		/* An idle GPU's wander, or a host that never idled: no range to measure a draw against. */
		ret = plerr_set(e, -ENODATA,
				"no range: the floor %.1f W and the ceiling %.1f W of the %zu windows are within 10 %% "
				"(record the host idle as well as serving the model, so both ends are known)",
				(double)b->idle_mw * 1e-3, (double)b->ceiling_mw * 1e-3, n);
	} else if (b->loaded < BASELINE_MIN_LOADED) {
		ret = plerr_set(e, -ENODATA,
				"%" PRIu64 " windows under load of %zu (%.3g s each); a baseline needs at least %d (record the "
				"model while it serves, or longer)",
				b->loaded, n, (double)window_ns * 1e-9, BASELINE_MIN_LOADED);
	} else if (b->active < BASELINE_MIN_ACTIVE) {
		snprintf(b->mm_why, sizeof(b->mm_why),
			 "%" PRIu64 " active windows of %zu (%.3g s each); model-mismatch needs at least %d, in which "
			 "requests start",
			 b->active, n, (double)window_ns * 1e-9, BASELINE_MIN_ACTIVE);
		ret = 0;
	} else if (nmodel < BASELINE_MIN_FEATURES) {
		snprintf(b->mm_why, sizeof(b->mm_why),
			 "%zu model features defined in the active windows; model-mismatch needs at least %d (the "
			 "sensor's rate or refresh is too slow to show the model's cadence)",
			 nmodel, BASELINE_MIN_FEATURES);
		ret = 0;
	} else {
		ret = calibrate(w, n, b, v, e);
	}
	free(v);
	return ret;
}
