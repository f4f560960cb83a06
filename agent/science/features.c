// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Window features: moments, autocorrelation, FFTW3 spectrum, burstiness,
 * flatness, steps, run lengths, P vs V*I.  Definitions in features.h.
 * Single-threaded: a features_ctx holds FFTW plans, which FFTW does not
 * let two threads create at once.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "science/features.h"

const struct feat_desc feat_desc[__FEAT_MAX] = {
	[FEAT_MEAN] = { "mean_mw", 1e3, false, 'W' },
	[FEAT_STDDEV] = { "stddev_mw", 1e3, false, 'W' },
	[FEAT_CV] = { "cv_ppm", 1e6, false, '1' },
	[FEAT_SKEW] = { "skew_milli", 1e3, false, '1' },
	[FEAT_KURT] = { "kurt_milli", 1e3, false, '1' },
	[FEAT_MIN] = { "min_mw", 1e3, false, 'W' },
	[FEAT_MAX] = { "max_mw", 1e3, false, 'W' },
	[FEAT_PAR] = { "par_ppm", 1e6, false, '1' },
	[FEAT_CREST] = { "crest_ppm", 1e6, false, '1' },
	[FEAT_ACF_PEAK] = { "acf_peak_ppm", 1e6, false, '1' },
	[FEAT_PERIOD] = { "period_us", 1e6, false, 's' },
	[FEAT_DOM_FREQ] = { "dom_freq_mhz", 1e3, false, 'h' },
	[FEAT_SPEC_ENTROPY] = { "spec_entropy_ppm", 1e6, false, '1' },
	[FEAT_SPEC_FLATNESS] = { "spec_flatness_ppm", 1e6, false, '1' },
	[FEAT_BAND_LOW] = { "band_low_ppm", 1e6, false, '1' },
	[FEAT_BAND_MID] = { "band_mid_ppm", 1e6, false, '1' },
	[FEAT_BAND_HIGH] = { "band_high_ppm", 1e6, false, '1' },
	[FEAT_BURSTS] = { "bursts", 1, false, '1' },
	[FEAT_BURSTINESS] = { "burstiness_milli", 1e3, false, '1' },
	[FEAT_FLAT] = { "flat_ppm", 1e6, false, '1' },
	[FEAT_STEP] = { "step_msigma", 1e3, false, '1' },
	[FEAT_HIGH_RUN_MEAN] = { "high_run_mean_us", 1e6, false, 's' },
	[FEAT_HIGH_RUN_MED] = { "high_run_med_us", 1e6, false, 's' },
	[FEAT_HIGH_RUN_MAX] = { "high_run_max_us", 1e6, false, 's' },
	[FEAT_LOW_RUN_MEAN] = { "low_run_mean_us", 1e6, false, 's' },
	[FEAT_LOW_RUN_MED] = { "low_run_med_us", 1e6, false, 's' },
	[FEAT_LOW_RUN_MAX] = { "low_run_max_us", 1e6, false, 's' },
	[FEAT_HIGH_LEVEL] = { "high_level_mw", 1e3, false, 'W' },
	[FEAT_LOW_LEVEL] = { "low_level_mw", 1e3, false, 'W' },
	[FEAT_PVI_ERR_MAX] = { "pvi_err_max_ppm", 1e6, false, '1' },
	[FEAT_PVI_ERR_MED] = { "pvi_err_med_ppm", 1e6, false, '1' },
	[FEAT_SWING_RATIO] = { "swing_ratio_ppm", 1e6, false, '1' },
	[FEAT_CADENCE] = { "cadence_us", 1e6, true, 's' },
	[FEAT_PLATEAU] = { "plateau_us", 1e6, false, 's' },
	[FEAT_PLATEAU_LEVEL] = { "plateau_level_mw", 1e3, false, 'W' },
};

void feat_params_default(struct feat_params *p)
{
	p->window_ns = 1000000000ULL;
	p->flat_tol = 0.01;
	p->band_lo_hz = 5;
	p->band_hi_hz = 50;
	p->acf_min = 0.2;
	p->min_samples = 8;
	p->noise_floor_w = 0;
	p->min_swing_rel = 0.1;
	p->min_cadence_s = 0;
}

void feat_params_for(const struct series *t, uint64_t window_ns, struct feat_params *p)
{
	feat_params_default(p);
	uint64_t tau = t->period_ns;

	if (t->sensor.refresh_ns > tau)
		tau = t->sensor.refresh_ns;
	if (t->sensor.averaging_ns > tau)
		tau = t->sensor.averaging_ns;
	p->window_ns = window_ns;
	p->noise_floor_w = (double)t->sensor.quantum_uw * 1e-6;
	p->min_cadence_s = 4 * (double)tau * 1e-9;
}

uint64_t feat_window_ns(const struct sensor_model *m, uint64_t period_ns, uint64_t requested)
{
	uint64_t tau = period_ns, w;

	if (m->refresh_ns > tau)
		tau = m->refresh_ns;
	if (m->averaging_ns > tau)
		tau = m->averaging_ns;
	w = tau > UINT64_MAX / FEAT_MIN_READINGS ? UINT64_MAX : tau * FEAT_MIN_READINGS;
	if (w < requested)
		w = requested;
	if (w % 1000000 && w < UINT64_MAX - 1000000)
		w += 1000000 - w % 1000000;
	return w;
}

bool feat_window_active(const struct window_features *w)
{
	return w->valid[FEAT_BURSTS] && w->v[FEAT_BURSTS] >= FEAT_ACTIVE_MIN_BURSTS;
}

int feat_find(const char *name)
{
	int i;

	for (i = 0; i < __FEAT_MAX; i++)
		if (!strcmp(feat_desc[i].name, name))
			return i;
	return -1;
}

int64_t feat_int(enum feat_id f, double v)
{
	double x = v * feat_desc[f].scale;

	if (isnan(x))
		return 0;
	if (x >= 9.2e18)
		return INT64_MAX;
	if (x <= -9.2e18)
		return INT64_MIN;
	return llround(x);
}

/*
 * Sums in four interleaved lanes, combined as (l0 + l1) + (l2 + l3): four
 * short dependency chains instead of one long one.  Every mean and sum of
 * squared deviations in this file goes through these two, so the moments,
 * the ACF (direct and by FFT) and the spectrum agree to the bit.
 */
static double sum4(const double *x, size_t n)
{
	double s[4] = { 0, 0, 0, 0 };
	size_t i, l;

	for (i = 0; i + 4 <= n; i += 4)
		for (l = 0; l < 4; l++)
			s[l] += x[i + l];
	for (; i < n; i++)
		s[0] += x[i];
	return (s[0] + s[1]) + (s[2] + s[3]);
}

static double mean4(const double *x, size_t n)
{
	return sum4(x, n) / (double)n;
}

/* sum (x - mean)^2, and into m3/m4 (if not NULL) sum (x - mean)^3 and ^4 */
static double dev4(const double *x, size_t n, double mean, double *m3, double *m4)
{
	double s2[4] = { 0, 0, 0, 0 }, s3[4] = { 0, 0, 0, 0 }, s4[4] = { 0, 0, 0, 0 }, d, d2;
	size_t i, l;

	for (i = 0; i + 4 <= n; i += 4)
		for (l = 0; l < 4; l++) {
			d = x[i + l] - mean;
			d2 = d * d;
			s2[l] += d2;
			s3[l] += d2 * d;
			s4[l] += d2 * d2;
		}
	for (; i < n; i++) {
		d = x[i] - mean;
		d2 = d * d;
		s2[0] += d2;
		s3[0] += d2 * d;
		s4[0] += d2 * d2;
	}
	if (m3)
		*m3 = (s3[0] + s3[1]) + (s3[2] + s3[3]);
	if (m4)
		*m4 = (s4[0] + s4[1]) + (s4[2] + s4[3]);
	return (s2[0] + s2[1]) + (s2[2] + s2[3]);
}

int feat_moments(const double *x, size_t n, struct moments *m)
{
	double m2, m3, m4, sq = 0, amax = 0;
	size_t i;

	memset(m, 0, sizeof(*m));
	if (n == 0)
		return -EINVAL;
	{
		/* one pass, four lanes; the sum's lanes are sum4()'s, so the mean is mean4()'s */
		double lo[4], hi[4], am[4] = { 0, 0, 0, 0 }, s1[4] = { 0, 0, 0, 0 }, s2[4] = { 0, 0, 0, 0 };
		size_t l;

		for (l = 0; l < 4; l++)
			lo[l] = hi[l] = x[0];
		for (i = 0; i + 4 <= n; i += 4)
			for (l = 0; l < 4; l++) {
				double v = x[i + l], a = fabs(v);

				lo[l] = v < lo[l] ? v : lo[l];
				hi[l] = v > hi[l] ? v : hi[l];
				am[l] = a > am[l] ? a : am[l];
				s1[l] += v;
				s2[l] += v * v;
			}
		for (; i < n; i++) {
			double v = x[i], a = fabs(v);

			lo[0] = v < lo[0] ? v : lo[0];
			hi[0] = v > hi[0] ? v : hi[0];
			am[0] = a > am[0] ? a : am[0];
			s1[0] += v;
			s2[0] += v * v;
		}
		m->min = lo[0];
		m->max = hi[0];
		amax = am[0];
		for (l = 1; l < 4; l++) {
			m->min = lo[l] < m->min ? lo[l] : m->min;
			m->max = hi[l] > m->max ? hi[l] : m->max;
			amax = am[l] > amax ? am[l] : amax;
		}
		m->sum = (s1[0] + s1[1]) + (s1[2] + s1[3]);
		m->mean = m->sum / (double)n;
		sq = (s2[0] + s2[1]) + (s2[2] + s2[3]);
	}
	/* Second pass around the mean: no catastrophic cancellation at kW levels. */
	m2 = dev4(x, n, m->mean, &m3, &m4);
	m->ss = m2;
	m2 /= (double)n;
	m3 /= (double)n;
	m4 /= (double)n;
	m->std = sqrt(m2);
	m->has_var = m2 > 1e-18 * (m->mean * m->mean + 1e-30);
	if (m->has_var) {
		m->skew = m3 / pow(m2, 1.5);
		m->kurt = m4 / (m2 * m2) - 3;
	}
	if (m->mean > 0) {
		m->cv = m->std / m->mean;
		m->par = m->max / m->mean;
	}
	if (sq > 0)
		m->crest = amax / sqrt(sq / (double)n);
	return 0;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double feat_quantile(const double *sorted, size_t n, double q)
{
	double pos, frac;
	size_t i;

	if (n == 0)
		return NAN;
	pos = q * (double)(n - 1);
	i = (size_t)pos;
	if (i >= n - 1)
		return sorted[n - 1];
	frac = pos - (double)i;
	return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

/*
 * Reorders a[0..n) so that a[k] is the value sorting would put there, with
 * nothing greater before it and nothing smaller after it (quickselect,
 * median-of-3 Hoare partitions; qsort() of what is left if the pivots keep
 * going wrong, so never worse than O(n log n)).
 */
void feat_select(double *a, size_t n, size_t k)
{
	ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, i, j, m, kk = (ptrdiff_t)k;
	int rounds = 0;
	double p, t;

#define SWAP(u, v) (t = a[u], a[u] = a[v], a[v] = t)
	while (r > l) {
		if (++rounds > 64) {
			qsort(a + l, (size_t)(r - l + 1), sizeof(*a), dbl_cmp);
			return;
		}
		m = l + (r - l) / 2;
		if (a[m] < a[l])
			SWAP(m, l);
		if (a[r] < a[l])
			SWAP(r, l);
		if (a[r] < a[m])
			SWAP(r, m);
		if (r - l < 3)
			return; /* sorted by the three compares */
		p = a[m];
		i = l;
		j = r;
		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				SWAP(i, j);
				i++;
				j--;
			}
		}
		/* a[l..j] <= p, a[i..r] >= p, a[j+1..i-1] == p */
		if (kk <= j)
			r = j;
		else if (kk >= i)
			l = i;
		else
			return;
	}
#undef SWAP
}

/*
 * Order statistics by bucket counts.  Quickselect's partition branches on
 * every compare, and on fresh data (each window is) it mispredicts about
 * half of them; a histogram pass does not branch on the data.  A value v
 * goes to bucket clamp((v - base) * scale, 0, nb - 1), which is monotonic
 * in v (floating point subtraction and multiplication round monotonically,
 * and so do the clamps), so all values of a lower bucket are <= all of a
 * higher one: counting finds the bucket that holds rank k, and only its
 * values are selected -- exactly the k-th smallest, the same bits as
 * sorting, whatever base and scale are.  They only decide the speed: the
 * range is that of a small strided sample (32 values), so the few outliers
 * it misses (load steps in differences, P vs V*I at a step) land in the
 * two end buckets instead of squeezing everything else into one.  A bucket
 * that still holds many values is bucketed again (three levels, then
 * quickselect).
 */
#define QH_BUCKETS 2048
#define QH_SMALL 48	   /* below this, quickselect */
#define QH_DEPTH 3
#define QH_SAMPLE 32	   /* strided sample for the range */
#define QH_SAMPLE_MIN 256 /* below this, the range is min..max */

struct qhist {
	double base, scale, top;
	double flatv; /* the value, when flat */
	size_t n, nb; /* values; buckets used: about n, at most QH_BUCKETS */
	bool ok;      /* buckets are usable */
	bool flat;    /* finite values, all equal */
	uint32_t cum[QH_BUCKETS + 1]; /* values in the buckets below b */
};

static inline size_t qh_bucket(const struct qhist *h, double v)
{
	double t = (v - h->base) * h->scale;

#ifdef __SSE2__
	/* maxsd/minsd: one instruction each, no branch; maxsd(NaN, 0) is 0 */
	t = _mm_cvtsd_f64(_mm_min_sd(_mm_max_sd(_mm_set_sd(t), _mm_setzero_pd()), _mm_set_sd(h->top)));
#else
	t = t >= 0 ? t : 0; /* NaN too: bucket 0, never out of bounds */
	t = t < h->top ? t : h->top;
#endif
	return (size_t)t;
}

/* min and max of x, and whether all are finite. */
static bool minmax(const double *x, size_t n, double *min, double *max)
{
	double lo[4] = { x[0], x[0], x[0], x[0] }, hi[4] = { x[0], x[0], x[0], x[0] }, chk[4] = { 0, 0, 0, 0 };
	size_t i, l;

	/* four lanes: min/max/add latency, not throughput, would bound one */
	for (i = 0; i + 4 <= n; i += 4)
		for (l = 0; l < 4; l++) {
			double v = x[i + l];

			lo[l] = v < lo[l] ? v : lo[l];
			hi[l] = v > hi[l] ? v : hi[l];
			chk[l] += v * 0; /* NaN if any value is NaN or infinite */
		}
	for (; i < n; i++) {
		lo[0] = x[i] < lo[0] ? x[i] : lo[0];
		hi[0] = x[i] > hi[0] ? x[i] : hi[0];
		chk[0] += x[i] * 0;
	}
	for (l = 1; l < 4; l++) {
		lo[0] = lo[l] < lo[0] ? lo[l] : lo[0];
		hi[0] = hi[l] > hi[0] ? hi[l] : hi[0];
		chk[0] += chk[l];
	}
	*min = lo[0];
	*max = hi[0];
	return chk[0] == 0;
}

static void qhist_build(struct qhist *h, const double *x, size_t n)
{
	uint32_t c1[QH_BUCKETS], c2[QH_BUCKETS];
	double lo = 0, hi = 0;
	size_t i, j;

	h->n = n;
	h->ok = h->flat = false;
	for (h->nb = 64; h->nb < n && h->nb < QH_BUCKETS; h->nb *= 2)
		;
	if (n >= QH_SAMPLE_MIN) {
		double smp[QH_SAMPLE], v;

		for (i = 0; i < QH_SAMPLE; i++) {
			v = x[i * n / QH_SAMPLE + n / (2 * QH_SAMPLE)];
			for (j = i; j > 0 && smp[j - 1] > v; j--)
				smp[j] = smp[j - 1];
			smp[j] = v;
		}
		lo = smp[0];
		hi = smp[QH_SAMPLE - 1];
	}
	h->scale = (double)h->nb / (hi - lo);
	if (n < QH_SAMPLE_MIN || !(lo < hi) || !isfinite(h->scale)) {
		bool finite = minmax(x, n, &lo, &hi);

		if (finite && lo == hi) {
			h->flat = true;
			h->flatv = lo;
			return;
		}
		h->scale = (double)h->nb / (hi - lo);
		if (!finite || !(lo < hi) || !isfinite(h->scale))
			return;
	}
	h->base = lo;
	h->top = (double)(h->nb - 1);
	/* two count arrays: runs of equal values do not wait on one counter */
	memset(c1, 0, h->nb * sizeof(*c1));
	memset(c2, 0, h->nb * sizeof(*c2));
	for (i = 0; i + 2 <= n; i += 2) {
		c1[qh_bucket(h, x[i])]++;
		c2[qh_bucket(h, x[i + 1])]++;
	}
	if (i < n)
		c1[qh_bucket(h, x[i])]++;
	h->cum[0] = 0;
	for (i = 0; i < h->nb; i++)
		h->cum[i + 1] = h->cum[i] + c1[i] + c2[i];
	h->ok = true;
}

static void kth_inplace(double *a, size_t n, size_t k, int depth, double *lo, double *hi);

/* The bucket holding rank k (< h->n): the last b with cum[b] <= k. */
static size_t qh_find(const struct qhist *h, size_t k)
{
	size_t lo = 0, hi = h->nb; /* cum[lo] <= k < cum[hi] */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->cum[mid] <= k)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The k-th smallest (k < h->n) of the x h was built from into *lo and, if
 * hi, the (k+1)-th (k + 1 < h->n) into *hi; tmp: h->n doubles.  The buckets
 * from k's to k + 1's (the next non-empty one) are gathered: within them
 * the two are neighbours in rank.
 */
static void qhist_kth(const struct qhist *h, const double *x, size_t k, double *tmp, int depth, double *lo,
		      double *hi)
{
	size_t b = qh_find(h, k), span = hi ? qh_find(h, k + 1) - b : 0, i, m = 0;

	for (i = 0; i < h->n; i++) {
		tmp[m] = x[i]; /* unconditional store, conditional advance: no branch */
		m += qh_bucket(h, x[i]) - b <= span; /* unsigned: below b wraps */
	}
	kth_inplace(tmp, m, k - h->cum[b], depth + 1, lo, hi);
}

/* The k-th smallest of a[0..n) into *lo, and the (k+1)-th into *hi if hi; reorders a. */
static void kth_inplace(double *a, size_t n, size_t k, int depth, double *lo, double *hi)
{
	struct qhist h;
	size_t i;

	if (n >= QH_SMALL && depth < QH_DEPTH) {
		qhist_build(&h, a, n);
		if (h.flat) {
			*lo = h.flatv;
			if (hi)
				*hi = h.flatv;
			return;
		}
		if (h.ok) {
			/* Compacting a in place is safe: the write index never passes the read one. */
			qhist_kth(&h, a, k, a, depth, lo, hi);
			return;
		}
	}
	feat_select(a, n, k);
	*lo = a[k];
	if (hi) {
		/* the smallest of what feat_select() left after k */
		*hi = a[k + 1];
		for (i = k + 2; i < n; i++)
			if (a[i] < *hi)
				*hi = a[i];
	}
}

/*
 * feat_quantile() of the sorted a[0..n), without sorting: a is reordered.
 * The same interpolation on the same two order statistics, so the same bits.
 */
static double quantile_inplace(double *a, size_t n, double q)
{
	double pos, lo, hi;
	size_t i;

	if (n == 0)
		return NAN;
	pos = q * (double)(n - 1);
	i = (size_t)pos;
	if (i >= n - 1) {
		kth_inplace(a, n, n - 1, 0, &lo, NULL);
		return lo;
	}
	kth_inplace(a, n, i, 0, &lo, &hi);
	return lo + (pos - (double)i) * (hi - lo);
}

/*
 * The k smallest of x[0..n) (k <= n), ascending, into lo[], and the k
 * largest, ascending, into hi[]: one pass with two short sorted buffers.
 * A value enters a full buffer only if it beats the buffer's worst, which
 * on unordered data is rare after the first few hundred values, so the
 * compares are predictable; a monotonic series costs O(n k).
 */
#define QX_MAX 32
static void extremes(const double *x, size_t n, size_t k, double *lo, double *hi)
{
	size_t i, j;
	double v, lw, hw; /* the buffers' worst: what a value must beat to enter */

	/* the first k values fill both buffers */
	for (i = 0; i < k; i++) {
		v = x[i];
		for (j = i; j > 0 && lo[j - 1] > v; j--)
			lo[j] = lo[j - 1];
		lo[j] = v;
		for (j = i; j > 0 && hi[j - 1] > v; j--)
			hi[j] = hi[j - 1];
		hi[j] = v;
	}
	lw = lo[k - 1];
	hw = hi[0];
	for (; i < n; i++) {
		v = x[i];
		if (v < lw) {
			for (j = k - 1; j > 0 && lo[j - 1] > v; j--)
				lo[j] = lo[j - 1];
			lo[j] = v;
			lw = lo[k - 1];
		}
		if (v > hw) {
			for (j = 0; j + 1 < k && hi[j + 1] < v; j++)
				hi[j] = hi[j + 1];
			hi[j] = v;
			hw = hi[0];
		}
	}
}

void feat_quantiles(const double *x, size_t n, const double *q, double *out, size_t nq, double *tmp)
{
	double elo[QX_MAX], ehi[QX_MAX];
	size_t ek = 0; /* extremes() buffers filled, if > 0 */
	struct qhist h;
	double pos, lo, hi;
	size_t j, i;

	if (n < QH_SMALL) {
		for (j = 0; j < nq; j++) {
			memcpy(tmp, x, n * sizeof(*tmp));
			out[j] = quantile_inplace(tmp, n, q[j]);
		}
		return;
	}
	/*
	 * Quantiles near either end (the 1 % and 99 % ones: k = 11 of 1000)
	 * from one pass of extremes() instead of a gather each.
	 */
	for (j = 0; j < nq; j++) {
		pos = q[j] * (double)(n - 1);
		i = (size_t)pos;
		if (i + 2 <= QX_MAX && i + 2 > ek)
			ek = i + 2;
		else if (n - i <= QX_MAX && n - i > ek)
			ek = n - i;
	}
	if (ek > 0 && ek * 8 > n)
		ek = 0; /* not worth it: most of x would pass through the buffers */
	if (ek > 0)
		extremes(x, n, ek, elo, ehi);
	qhist_build(&h, x, n);
	for (j = 0; j < nq; j++) {
		pos = q[j] * (double)(n - 1);
		i = (size_t)pos;
		if (ek > 0 && i + 2 <= ek) {
			out[j] = elo[i] + (pos - (double)i) * (elo[i + 1] - elo[i]);
		} else if (ek > 0 && n - i <= ek && i + 1 < n) {
			/* sorted[i] is the (n - i)-th largest: ehi[ek - (n - i)] */
			lo = ehi[ek - (n - i)];
			hi = ehi[ek - (n - i) + 1];
			out[j] = lo + (pos - (double)i) * (hi - lo);
		} else if (ek > 0 && i + 1 >= n) {
			out[j] = ehi[ek - 1];
		} else if (h.flat) {
			out[j] = h.flatv;
		} else if (!h.ok) {
			memcpy(tmp, x, n * sizeof(*tmp));
			out[j] = quantile_inplace(tmp, n, q[j]);
		} else if (i >= n - 1) {
			qhist_kth(&h, x, n - 1, tmp, 0, &out[j], NULL);
		} else {
			qhist_kth(&h, x, i, tmp, 0, &lo, &hi);
			out[j] = lo + (pos - (double)i) * (hi - lo);
		}
	}
}

void feat_kth2(double *a, size_t n, size_t k, double *lo, double *hi)
{
	kth_inplace(a, n, k, 0, lo, hi);
}

double feat_kth(double *a, size_t n, size_t k)
{
	double v;

	kth_inplace(a, n, k, 0, &v, NULL);
	return v;
}

double feat_median(const double *x, size_t n, double *tmp)
{
	double q = 0.5, m;

	feat_quantiles(x, n, &q, &m, 1, tmp);
	return m;
}

double feat_mad(const double *x, size_t n, double med, double *tmp)
{
	size_t i;

	for (i = 0; i < n; i++)
		tmp[i] = fabs(x[i] - med);
	return quantile_inplace(tmp, n, 0.5);
}

/*
 * sum_{i<n-k} (x_i - mean)(x_{i+k} - mean) in four interleaved partial
 * sums (four short dependency chains instead of one long one).  Both ACF
 * searches use it, so their values agree bit for bit.
 */
static double lag_sum(const double *x, size_t n, double mean, size_t k)
{
	double s[4] = { 0, 0, 0, 0 };
	size_t i, m = n - k, l;

	for (i = 0; i + 4 <= m; i += 4)
		for (l = 0; l < 4; l++)
			s[l] += (x[i + l] - mean) * (x[i + l + k] - mean);
	for (; i < m; i++)
		s[0] += (x[i] - mean) * (x[i + k] - mean);
	return (s[0] + s[1]) + (s[2] + s[3]);
}

double feat_acf(const double *x, size_t n, size_t lag)
{
	double mean = 0, num = 0, den = 0;
	size_t i;

	if (n == 0 || lag >= n)
		return NAN;
	mean = mean4(x, n);
	den = dev4(x, n, mean, NULL, NULL);
	if (den <= 0)
		return NAN;
	for (i = 0; i + lag < n; i++)
		num += (x[i] - mean) * (x[i + lag] - mean);
	return num / den;
}

size_t feat_dominant_lag(const double *x, size_t n, size_t min_lag, size_t max_lag, double min_r, double *r)
{
	double mean = 0, den = 0, prev = NAN, cur, next, best = -2;
	size_t k, best_k = 0;
	double *c;

	*r = NAN;
	if (n < 4 || min_lag < 1)
		return 0;
	if (max_lag > n - 2)
		max_lag = n - 2;
	if (min_lag > max_lag)
		return 0;
	c = malloc((max_lag + 2) * sizeof(*c));
	if (!c)
		return 0;
	mean = mean4(x, n);
	den = dev4(x, n, mean, NULL, NULL);
	if (den <= 0) {
		free(c);
		return 0;
	}
	for (k = min_lag - 1; k <= max_lag + 1; k++)
		c[k - (min_lag - 1)] = lag_sum(x, n, mean, k) / den;
	for (k = min_lag; k <= max_lag; k++) {
		prev = c[k - 1 - (min_lag - 1)];
		cur = c[k - (min_lag - 1)];
		next = c[k + 1 - (min_lag - 1)];
		if (cur >= prev && cur > next && cur > min_r && cur > best) {
			best = cur;
			best_k = k;
		}
	}
	free(c);
	if (best_k)
		*r = best;
	return best_k;
}

double feat_burstiness_raw(const double *tau, size_t n)
{
	struct moments m;

	if (n < 2 || feat_moments(tau, n, &m) || m.mean <= 0)
		return NAN;
	return (m.std - m.mean) / (m.std + m.mean);
}

double feat_burstiness_kimjo(const double *tau, size_t n)
{
	double r, a, b;
	struct moments m;

	if (n < 2 || feat_moments(tau, n, &m) || m.mean <= 0)
		return NAN;
	r = m.std / m.mean;
	a = sqrt((double)n + 1);
	b = sqrt((double)n - 1);
	return (a * r - b) / ((a - 2) * r + b);
}

/*
 * feat_step() with the caller's scratch (d, tmp: n - 1 doubles each); d
 * keeps the first differences, *dmed and *dmad their median and MAD.
 */
static double step_in(const double *x, size_t n, double sigma_floor, size_t *at, double *d, double *tmp, double *dmed,
		      double *dmad)
{
	double med, sigma, z, best = 0;
	size_t i;

	for (i = 0; i + 1 < n; i++)
		d[i] = x[i + 1] - x[i];
	med = feat_median(d, n - 1, tmp);
	*dmed = med;
	/*
	 * |d - med| once, for the MAD and the largest z alike (division
	 * rounds monotonically: the largest |d - med| gives the largest z).
	 */
	for (i = 0; i + 1 < n; i++) {
		z = fabs(d[i] - med);
		tmp[i] = z;
		*at = z > best ? i : *at;
		best = z > best ? z : best;
	}
	*dmad = quantile_inplace(tmp, n - 1, 0.5);
	sigma = 1.4826 * *dmad;
	if (sigma < sigma_floor)
		sigma = sigma_floor;
	return best / sigma;
}

double feat_step(const double *x, size_t n, double sigma_floor, size_t *at)
{
	double *d, *tmp, med, mad, best;

	*at = 0;
	if (n < 3)
		return 0;
	d = calloc(n - 1, sizeof(*d));
	tmp = calloc(n - 1, sizeof(*tmp));
	if (!d || !tmp) {
		free(d);
		free(tmp);
		return NAN;
	}
	best = step_in(x, n, sigma_floor, at, d, tmp, &med, &mad);
	free(d);
	free(tmp);
	return best;
}

/* A spectrum transform for one window size. */
struct spec_plan {
	size_t n; /* size the plan is for, 0 if none */
	double *in;
	fftw_complex *out;
	fftw_plan plan;
	double *hann;	   /* 1 - cos(2 pi i / n): the periodic Hann window, times 2 */
	unsigned long use; /* when last used, for eviction */
};

/*
 * Windows cut by time hold 999, 1000 or 1001 samples at 1 kHz, and an
 * FFTW plan costs tens of microseconds to make: keep a few sizes.
 */
#define SPEC_PLANS 4

struct features_ctx {
	struct spec_plan sp[SPEC_PLANS];
	unsigned long uses;
	size_t acf_n; /* zero-padded ACF transform size (>= n + lags), 0 if none */
	size_t acf_hi; /* acf_in[1..acf_hi] holds r(k) of the last dominant_lag_md(); 0: none */
	double *acf_in;
	fftw_complex *acf_out;
	fftw_plan acf_fwd, acf_inv;
	double *x, *tmp, *tmp2; /* window series and scratch, cap doubles each */
	double *err;		/* P vs V*I errors, cap doubles */
	uint32_t *trans;	/* state transitions, cap entries */
	uint8_t *state;
	size_t cap;
};

struct features_ctx *features_ctx__new(void)
{
	return calloc(1, sizeof(struct features_ctx));
}

static void drop_plan(struct spec_plan *p)
{
	if (p->n) {
		fftw_destroy_plan(p->plan);
		fftw_free(p->in);
		fftw_free(p->out);
		free(p->hann);
	}
	p->n = 0;
}

static void drop_acf_plan(struct features_ctx *c)
{
	if (c->acf_n) {
		fftw_destroy_plan(c->acf_fwd);
		fftw_destroy_plan(c->acf_inv);
		fftw_free(c->acf_in);
		fftw_free(c->acf_out);
	}
	c->acf_n = 0;
}

void features_ctx__free(struct features_ctx *c)
{
	if (!c)
		return;
	for (int i = 0; i < SPEC_PLANS; i++)
		drop_plan(&c->sp[i]);
	drop_acf_plan(c);
	free(c->x);
	free(c->tmp);
	free(c->tmp2);
	free(c->err);
	free(c->trans);
	free(c->state);
	free(c);
}

/* The plan for size n: a kept one, or a new one in the least recently used slot; NULL if out of memory. */
static struct spec_plan *ensure_plan(struct features_ctx *c, size_t n)
{
	struct spec_plan *p = &c->sp[0];
	size_t i;

	for (i = 0; i < SPEC_PLANS; i++) {
		if (c->sp[i].n == n) {
			c->sp[i].use = ++c->uses;
			return &c->sp[i];
		}
		if (c->sp[i].use < p->use)
			p = &c->sp[i];
	}
	drop_plan(p);
	p->in = fftw_alloc_real(n);
	p->out = fftw_alloc_complex(n / 2 + 1);
	p->hann = malloc(n * sizeof(*p->hann));
	if (!p->in || !p->out || !p->hann)
		goto fail;
	/* ESTIMATE: no timing measurements, so the plan (and the output bits) are reproducible. */
	p->plan = fftw_plan_dft_r2c_1d((int)n, p->in, p->out, FFTW_ESTIMATE);
	if (!p->plan)
		goto fail;
	for (i = 0; i < n; i++)
		p->hann[i] = 1 - cos(2 * M_PI * (double)i / (double)n);
	p->n = n;
	p->use = ++c->uses;
	return p;
fail:
	fftw_free(p->in);
	fftw_free(p->out);
	free(p->hann);
	p->use = 0;
	return NULL;
}


/*
 * A transform of N >= n + lags points: the circular correlation of the
 * zero-padded series wraps only lags beyond N - n, so lags up to
 * N - n - 1 are the linear ones.  N is a power of two or three times one,
 * the sizes FFTW does fastest (1536 for a 1 kHz window's 1502).
 */
static size_t acf_size(size_t m)
{
	size_t p = 1, t = 3;

	while (p < m)
		p *= 2;
	while (t < m)
		t *= 2;
	return t < p ? t : p;
}

static int ensure_acf_plan(struct features_ctx *c, size_t n, size_t lags)
{
	size_t N = acf_size(n + lags);

	if (c->acf_n == N)
		return 0;
	drop_acf_plan(c);
	c->acf_in = fftw_alloc_real(N);
	c->acf_out = fftw_alloc_complex(N / 2 + 1);
	if (!c->acf_in || !c->acf_out)
		goto fail;
	/* ESTIMATE, as for the spectrum: reproducible plans and bits. */
	c->acf_fwd = fftw_plan_dft_r2c_1d((int)N, c->acf_in, c->acf_out, FFTW_ESTIMATE);
	if (!c->acf_fwd)
		goto fail;
	c->acf_inv = fftw_plan_dft_c2r_1d((int)N, c->acf_out, c->acf_in, FFTW_ESTIMATE);
	if (!c->acf_inv) {
		fftw_destroy_plan(c->acf_fwd);
		goto fail;
	}
	c->acf_n = N;
	return 0;
fail:
	fftw_free(c->acf_in);
	fftw_free(c->acf_out);
	return -ENOMEM;
}

/* r(k) exactly as feat_dominant_lag() computes it. */
static double acf_direct(const double *x, size_t n, double mean, double den, size_t k)
{
	return lag_sum(x, n, mean, k) / den;
}

/*
 * ACF bound on |FFT r(k) - direct r(k)|: FFT rounding is ~1e-16 log N of
 * sum (x - m)^2, far below this; a looser bound only verifies more lags.
 */
#define ACF_FFT_EPS 1e-9

static size_t dominant_lag_md(struct features_ctx *c, const double *x, size_t n, double mean, double den,
			      size_t min_lag, size_t max_lag, double min_r, double *r);

size_t features_ctx__dominant_lag(struct features_ctx *c, const double *x, size_t n, size_t min_lag, size_t max_lag,
				  double min_r, double *r)
{
	double mean;

	*r = NAN;
	if (n < 4)
		return 0;
	mean = mean4(x, n);
	return dominant_lag_md(c, x, n, mean, dev4(x, n, mean, NULL, NULL), min_lag, max_lag, min_r, r);
}

/* features_ctx__dominant_lag() given mean4() and dev4() of x. */
static size_t dominant_lag_md(struct features_ctx *c, const double *x, size_t n, double mean, double den,
			      size_t min_lag, size_t max_lag, double min_r, double *r)
{
	double *a, scale, L = -INFINITY, best = -2, e = ACF_FFT_EPS;
	size_t i, k, N, best_k = 0, sure = 0, candidates = 0;

	*r = NAN;
	if (n < 4 || min_lag < 1)
		return 0;
	if (max_lag > n - 2)
		max_lag = n - 2;
	if (min_lag > max_lag)
		return 0;
	/* lags up to max_lag + 1 (the neighbour of the last candidate) */
	c->acf_hi = 0;
	if (ensure_acf_plan(c, n, max_lag + 2))
		return feat_dominant_lag(x, n, min_lag, max_lag, min_r, r);
	if (den <= 0)
		return 0;
	/* Wiener-Khinchin: zero padded to N >= n + max_lag + 2, |FFT|^2 back is the linear ACF there. */
	N = c->acf_n;
	a = c->acf_in;
	for (i = 0; i < n; i++)
		a[i] = x[i] - mean;
	memset(a + n, 0, (N - n) * sizeof(*a));
	fftw_execute(c->acf_fwd);
	for (k = 0; k <= N / 2; k++) {
		c->acf_out[k][0] = c->acf_out[k][0] * c->acf_out[k][0] + c->acf_out[k][1] * c->acf_out[k][1];
		c->acf_out[k][1] = 0;
	}
	fftw_execute(c->acf_inv); /* a[k] = N * sum_i y_i y_{i+k} */
	scale = 1.0 / ((double)N * den);
	for (k = min_lag - 1; k <= max_lag + 1; k++)
		a[k] *= scale;
	c->acf_hi = min_lag == 1 || min_lag == 2 ? max_lag + 1 : 0;
	/*
	 * The FFT values are within e of the direct ones.  A sure peak (by more
	 * than 2e) bounds the best from below; lags that could be a peak and the
	 * best are recomputed directly and decided exactly as in
	 * feat_dominant_lag(), so the result is bit-identical to it.
	 */
	/* bitwise & of the compares and selects: no branch per lag */
	for (k = min_lag; k <= max_lag; k++) {
		bool up = (a[k] > a[k - 1] + 2 * e) & (a[k] > a[k + 1] + 2 * e) & (a[k] > min_r + e) & (a[k] > L);

		L = up ? a[k] : L;
		sure = up ? k : sure;
	}
	for (k = min_lag; k <= max_lag; k++)
		candidates += (a[k] >= a[k - 1] - 2 * e) & (a[k] > a[k + 1] - 2 * e) & (a[k] > min_r - e) &
			      (a[k] >= L - 2 * e);
	/*
	 * The sure peak is the only lag that could be the best one: it is the
	 * answer, and only its r needs the direct sum.
	 */
	if (candidates == 1 && sure) {
		*r = acf_direct(x, n, mean, den, sure);
		return sure;
	}
	for (k = min_lag; k <= max_lag; k++) {
		double prev, cur, next;

		if (!(a[k] >= a[k - 1] - 2 * e && a[k] > a[k + 1] - 2 * e && a[k] > min_r - e && a[k] >= L - 2 * e))
			continue;
		prev = acf_direct(x, n, mean, den, k - 1);
		cur = acf_direct(x, n, mean, den, k);
		next = acf_direct(x, n, mean, den, k + 1);
		if (cur >= prev && cur > next && cur > min_r && cur > best) {
			best = cur;
			best_k = k;
		}
	}
	if (best_k)
		*r = best;
	return best_k;
}

static int spectrum_m(struct features_ctx *c, const double *x, size_t n, double mean, double fs_hz,
		      const struct feat_params *p, struct spectral *out);

size_t feat_spectrum_len(size_t n)
{
	size_t m, r;

	for (m = n; m > 4; m--) {
		for (r = m; r % 2 == 0; r /= 2)
			;
		for (; r % 3 == 0; r /= 3)
			;
		for (; r % 5 == 0; r /= 5)
			;
		for (; r % 7 == 0; r /= 7)
			;
		if (r == 1)
			break;
	}
	return m;
}

int features_ctx__spectrum(struct features_ctx *c, const double *x, size_t n, double fs_hz, const struct feat_params *p,
			   struct spectral *out)
{
	memset(out, 0, sizeof(*out));
	if (n < 4)
		return -EINVAL;
	n = feat_spectrum_len(n);
	return spectrum_m(c, x, n, mean4(x, n), fs_hz, p, out);
}

/* features_ctx__spectrum() given mean4() of x. */
static int spectrum_m(struct features_ctx *c, const double *x, size_t n, double mean, double fs_hz,
		      const struct feat_params *p, struct spectral *out)
{
	double total = 0, logsum = 0, best = -1, pk, h = 0, eps;
	size_t i, k, K = n / 2, klo, khi, kbest = 0;
	struct spec_plan *sp;

	memset(out, 0, sizeof(*out));
	if (n < 4)
		return -EINVAL;
	sp = ensure_plan(c, n);
	if (!sp)
		return -ENOMEM;
	for (i = 0; i < n; i++) /* periodic Hann */
		sp->in[i] = (x[i] - mean) * 0.5 * sp->hann[i]; /* the same product, cos() once per size */
	fftw_execute(sp->plan);
	for (k = 1; k <= K; k++)
		total += sp->out[k][0] * sp->out[k][0] + sp->out[k][1] * sp->out[k][1];
	if (!(total > 0))
		return -ERANGE;
	/* Keeps log() finite for empty bins without moving the flatness of real spectra. */
	eps = total * 1e-15;
	/*
	 * One log per bin: ln p_k = ln P_k - ln total, with ln P_k taken as
	 * ln(P_k + eps) (off by under 1e-15 relative where it matters; an
	 * empty bin's p_k ln p_k is 0 either way).
	 */
	/*
	 * Band edges as bins, found once with the per-bin frequency expression
	 * (so every bin lands in the band it did), not a division per bin.
	 */
	for (klo = 1; klo <= K && (double)klo * fs_hz / (double)n < p->band_lo_hz; klo++)
		;
	for (khi = klo; khi <= K && (double)khi * fs_hz / (double)n < p->band_hi_hz; khi++)
		;
	for (k = 1; k <= K; k++) {
		double lk;

		pk = sp->out[k][0] * sp->out[k][0] + sp->out[k][1] * sp->out[k][1];
		if (pk > best) {
			best = pk;
			kbest = k;
		}
		lk = log(pk + eps);
		h += pk * lk;
		logsum += lk;
		out->band[k < klo ? 0 : k < khi ? 1 : 2] += pk;
	}
	out->dom_freq_hz = (double)kbest * fs_hz / (double)n;
	/* -sum p ln p = ln total - sum P ln P / total */
	h = log(total) - h / total;
	for (k = 0; k < 3; k++)
		out->band[k] /= total;
	out->entropy = K > 1 ? h / log((double)K) : 0;
	out->flatness = exp(logsum / (double)K) / (total / (double)K);
	return 0;
}

static int ensure_cap(struct features_ctx *c, size_t n)
{
	double *x, *tmp, *tmp2, *err;
	uint32_t *trans;
	uint8_t *st;

	if (n <= c->cap)
		return 0;
	if (n > UINT32_MAX)
		return -ENOMEM; /* transitions are 32-bit indices */
	x = realloc(c->x, n * sizeof(*x));
	if (x)
		c->x = x;
	tmp = realloc(c->tmp, n * sizeof(*tmp));
	if (tmp)
		c->tmp = tmp;
	tmp2 = realloc(c->tmp2, n * sizeof(*tmp2));
	if (tmp2)
		c->tmp2 = tmp2;
	err = realloc(c->err, n * sizeof(*err));
	if (err)
		c->err = err;
	trans = realloc(c->trans, n * sizeof(*trans));
	if (trans)
		c->trans = trans;
	st = realloc(c->state, n);
	if (st)
		c->state = st;
	if (!x || !tmp || !tmp2 || !st || !err || !trans)
		return -ENOMEM;
	c->cap = n;
	return 0;
}

/*
 * The step cadence from the ACF the last dominant_lag_md() left in acf_in
 * (lags 1..acf_hi-1 usable), in lags (fractional).  Candidates are the
 * local maxima in [cmin, cmax] above min_r; each is scored by its comb, the
 * mean of the ACF's highest value near its first FEAT_CADENCE_COMB
 * multiples (within +-5 %, at least one lag: the steps jitter).  A periodic
 * signal's ACF peaks at every multiple of its period and decays with the
 * lag, so the fundamental's comb beats a harmonic's (whose multiples lie
 * further out) and a sub-harmonic's (whose odd multiples are troughs); ties
 * go to the shorter lag.  The chosen lag is then refined below one sample:
 * each multiple's peak is located by a parabola through it and its
 * neighbours, and the period is the least-squares slope through the origin
 * of peak position against multiple.  0 when there is no candidate, or
 * when the best comb is below FEAT_CADENCE_MIN_COMB: a window that is busy
 * only in part (a quiet phase, a burst or two) has no steady step to read,
 * and its best lag is then the request rhythm or a harmonic -- measured on
 * the generator's 7b traces, wrong reads had combs of 0.05-0.22 and right
 * ones mostly 0.45-0.9 (0.25-0.35 gave the same detection power on the
 * development seeds; 0.2 let the misreads back in and halved it).
 */
#define FEAT_CADENCE_COMB	3
#define FEAT_CADENCE_MIN_COMB	0.3
#define FEAT_CADENCE_FUND	0.8
static double acf_near(const double *a, size_t hi, size_t at, size_t tol, size_t *where)
{
	size_t lo = at > tol + 1 ? at - tol : 1, k, best = lo;

	for (k = lo; k <= at + tol && k + 1 < hi; k++)
		if (a[k] > a[best])
			best = k;
	*where = best;
	return a[best];
}

/* The comb of lag k: the mean ACF near its first FEAT_CADENCE_COMB multiples that fit below hi. */
static double comb_at(const double *a, size_t hi, size_t k)
{
	double sum = 0;
	size_t m, where;

	for (m = 1; m <= FEAT_CADENCE_COMB; m++) {
		size_t tol = (m * k) / 20 ? (m * k) / 20 : 1;

		if (m > 1 && m * k + tol + 1 >= hi)
			break;
		sum += m == 1 ? a[k] : acf_near(a, hi, m * k, tol, &where);
	}
	return sum / (double)(m - 1);
}

static double cadence_lag(const struct features_ctx *c, size_t cmin, size_t cmax, double min_r)
{
	const double *a = c->acf_in;
	size_t hi = c->acf_hi, k, best_k = 0;
	double best = -INFINITY, num = 0, den = 0;

	if (cmin < 2)
		cmin = 2;
	if (!hi || cmax + 1 > hi || cmax < cmin)
		return 0;
	for (k = cmin; k <= cmax; k++) {
		double sum;

		if (!(a[k] >= a[k - 1] && a[k] > a[k + 1] && a[k] > min_r))
			continue;
		sum = comb_at(a, hi, k);
		if (sum > best) {
			best = sum;
			best_k = k;
		}
	}
	if (!best_k || best < FEAT_CADENCE_MIN_COMB)
		return 0;
	/*
	 * A step of a non-integer number of samples repeats exactly only every
	 * few steps (14.5 ms at 1 kHz: 29 samples), and that lag's comb can
	 * win: prefer the fundamental, a peak near best / m at least
	 * FEAT_CADENCE_FUND as high whose own comb passes too.  Strict, because
	 * a wrong half reads as a faster (smaller) model: a step with a second,
	 * shallower dip inside it (a sampling stage, a host sync) has a peak at
	 * half the step; at 0.8 the comb alone would already read the half.
	 */
	for (size_t m = FEAT_CADENCE_COMB; m >= 2; m--) {
		size_t lo = (best_k - (best_k / 20 ? best_k / 20 : 1)) / m, hi2 = (best_k + (best_k / 20 ? best_k / 20 : 1)) / m,
		       j;

		for (j = lo > cmin ? lo : cmin; j <= hi2; j++)
			if (a[j] >= a[j - 1] && a[j] > a[j + 1] && a[j] > min_r && a[j] >= FEAT_CADENCE_FUND * a[best_k] &&
			    comb_at(a, hi, j) >= FEAT_CADENCE_MIN_COMB)
				break;
		if (j <= hi2) {
			best_k = j;
			break;
		}
	}
	for (size_t m = 1; m <= FEAT_CADENCE_COMB; m++) {
		size_t tol = (m * best_k) / 20 ? (m * best_k) / 20 : 1, p;
		double l, r, cen, dd;

		if (m > 1 && m * best_k + tol + 1 >= hi)
			break;
		p = best_k;
		if (m > 1)
			acf_near(a, hi, m * best_k, tol, &p);
		l = a[p - 1];
		cen = a[p];
		r = a[p + 1];
		dd = l - 2 * cen + r;
		dd = dd < 0 ? 0.5 * (l - r) / dd : 0;
		dd = dd > 0.5 ? 0.5 : dd < -0.5 ? -0.5 : dd;
		num += (double)m * ((double)p + dd);
		den += (double)m * (double)m;
	}
	return num / den;
}

/*
 * The longest plateau of x[0..k): the longest run of samples within
 * max(FEAT_PLATEAU_REL of the level, 2 noise floors) of their centred moving
 * mean over +-FEAT_PLATEAU_HALF_S (at least 2 samples; cut at the window's
 * edges), and its mean level.  A stepping computation's dips pull every
 * sample near them off the moving mean, so its plateaus are at most a step
 * long; a held draw (a miner, a kernel pinned at the cap) is one plateau.
 */
static void plateau(const double *x, size_t k, double period_s, double noise_floor, size_t *len, double *level)
{
	size_t h = (size_t)llround(FEAT_PLATEAU_HALF_S / period_s), lo = 0, hi = 0, run = 0, best = 0, best_end = 0;
	double sum = 0, rs = 0, best_sum = 0;

	if (h < 2)
		h = 2;
	for (size_t i = 0; i < k; i++) {
		double m, tol;

		/* the moving sum over [i - h, i + h] of [0, k) */
		while (hi < k && hi <= i + h)
			sum += x[hi++];
		while (lo + h < i)
			sum -= x[lo++];
		m = sum / (double)(hi - lo);
		tol = fmax(FEAT_PLATEAU_REL * fabs(m), 2 * noise_floor);
		if (fabs(x[i] - m) <= tol) {
			run++;
			rs += x[i];
			if (run > best) {
				best = run;
				best_end = i + 1;
				best_sum = rs;
			}
		} else {
			run = 0;
			rs = 0;
		}
	}
	*len = best;
	*level = best ? best_sum / (double)best : NAN;
	(void)best_end;
}

static void set(struct window_features *w, enum feat_id f, double v)
{
	if (isfinite(v)) {
		w->v[f] = v;
		w->valid[f] = true;
	}
}

/*
 * High/low states, bursts, runs.  A window has states only when its spread
 * stands out of its own noise: q99 - q1 >= 6 sigma_noise, sigma_noise =
 * 1.4826 MAD(first differences) / sqrt(2) (white noise has Var(d) = 2
 * sigma^2), floored at 1e-4 of the median level.  So a flat signal with a
 * periodic ripple or dips has states (and a burstiness near -1), white
 * noise alone has none.
 */
/* dmad: MAD of the first differences of the series, from step_in(). */
/*
 * Sums and counts of x below thr (sum[0], cnt[0]) and at or above it,
 * given the sum of all of x.  Four lanes of selects, no branch and no
 * indexing by the compare (one long dependency chain through memory): the
 * compiler turns the lanes into vector compares, ands and adds.
 */
static void isodata_sums(const double *x, size_t n, double total, double thr, double sum[2], double cnt[2])
{
	double hi[4] = { 0, 0, 0, 0 }, up[4] = { 0, 0, 0, 0 };
	size_t i, l;

	for (i = 0; i + 4 <= n; i += 4)
		for (l = 0; l < 4; l++) {
			double v = x[i + l];

			hi[l] += v >= thr ? v : 0;
			up[l] += v >= thr ? 1 : 0;
		}
	for (; i < n; i++) {
		hi[0] += x[i] >= thr ? x[i] : 0;
		up[0] += x[i] >= thr ? 1 : 0;
	}
	sum[1] = (hi[0] + hi[1]) + (hi[2] + hi[3]);
	cnt[1] = (up[0] + up[1]) + (up[2] + up[3]);
	sum[0] = total - sum[1];
	cnt[0] = (double)n - cnt[1];
}

/* median, lo, hi: quantiles 0.5, 0.01 and 0.99 of the series; total: its sum (moments). */
static void burst_features(struct features_ctx *c, size_t n, double period_s, double median, double lo, double hi,
			   double dmad, double total, const struct feat_params *p, struct window_features *w)
{
	double thr, hyst, *tau = c->tmp, noise;
	int iter;
	size_t i, j, onsets = 0, last_onset = 0, ntau = 0, nt = 0;
	uint8_t *st = c->state;
	uint32_t *tr = c->trans; /* indices i where st[i] != st[i - 1] */

	noise = 1.4826 * dmad / sqrt(2);
	if (noise < 1e-4 * fabs(median))
		noise = 1e-4 * fabs(median);
	if (noise < p->noise_floor_w)
		noise = p->noise_floor_w;
	if (hi - lo < 6 * noise || hi - lo < p->min_swing_rel * fabs(lo)) {
		set(w, FEAT_BURSTS, 0); /* flat: no states, no bursts */
		return;
	}
	/*
	 * Two-level (isodata) threshold: the midpoint of the means below and
	 * above it, iterated.  Unlike a quantile midpoint it does not move
	 * with the duty cycle of the bursts.
	 */
	thr = (lo + hi) / 2;
	for (iter = 0; iter < 50; iter++) {
		double sum[2] = { 0, 0 }, cnt[2] = { 0, 0 }, nthr;

		isodata_sums(c->x, n, total, thr, sum, cnt);
		if (!cnt[0] || !cnt[1])
			break;
		lo = sum[0] / cnt[0];
		hi = sum[1] / cnt[1];
		nthr = (lo + hi) / 2;
		if (fabs(nthr - thr) < 1e-9 * fabs(thr) + 1e-12) {
			thr = nthr;
			break;
		}
		thr = nthr;
	}
	/* Wide enough that noise around the threshold cannot make a burst of its own. */
	hyst = fmax(0.1 * (hi - lo), 3 * noise);
	st[0] = c->x[0] >= thr;
	{
		/* selects, not branches: a bursty series would mispredict every edge */
		double up = thr + hyst, down = thr - hyst;
		uint8_t cur = st[0];

		for (i = 1; i < n; i++) {
			double v = c->x[i];
			uint8_t keep = cur;

			cur = v <= down ? 0 : keep;
			cur = v >= up ? 1 : cur; /* up first, as an if/else chain would */
			st[i] = cur;
		}
	}
	/*
	 * Transitions first, without a branch per sample (unconditional store,
	 * conditional advance); bursts and runs are then a walk over the few
	 * transitions.  A burst starts at each low->high transition; tau
	 * (reusing tmp) holds the intervals between starts.
	 */
	for (i = 1; i < n; i++) {
		tr[nt] = (uint32_t)i;
		nt += st[i] != st[i - 1];
	}
	for (j = 0; j < nt; j++) {
		if (!st[tr[j]])
			continue;
		if (onsets)
			tau[ntau++] = (double)(tr[j] - last_onset) * period_s;
		last_onset = tr[j];
		onsets++;
	}
	set(w, FEAT_BURSTS, (double)onsets);
	set(w, FEAT_BURSTINESS, feat_burstiness_kimjo(tau, ntau));
	set(w, FEAT_HIGH_LEVEL, hi);
	set(w, FEAT_LOW_LEVEL, lo);
	if (hi > 0)
		set(w, FEAT_SWING_RATIO, (hi - lo) / hi);
	/*
	 * Complete runs only: from one transition to the next (bounded on both
	 * sides).  tmp2 holds their lengths.
	 */
	for (int state = 0; state < 2; state++) {
		double *len = c->tmp2, sum = 0, max = 0;
		size_t nr = 0;

		for (j = 0; j + 1 < nt; j++) {
			if (st[tr[j]] != state)
				continue;
			len[nr] = (double)(tr[j + 1] - tr[j]) * period_s;
			sum += len[nr];
			max = len[nr] > max ? len[nr] : max;
			nr++;
		}
		if (!nr)
			continue;
		set(w, state ? FEAT_HIGH_RUN_MEAN : FEAT_LOW_RUN_MEAN, sum / (double)nr);
		set(w, state ? FEAT_HIGH_RUN_MED : FEAT_LOW_RUN_MED, quantile_inplace(len, nr, 0.5));
		set(w, state ? FEAT_HIGH_RUN_MAX : FEAT_LOW_RUN_MAX, max);
	}
}

/* P vs V*I: c->err[0..m) from the extraction pass, emax their largest. */
static void pvi_features(struct features_ctx *c, size_t m, double emax, struct window_features *w)
{
	if (!m)
		return;
	set(w, FEAT_PVI_ERR_MAX, emax);
	set(w, FEAT_PVI_ERR_MED, feat_median(c->err, m, c->tmp));
}

int features_ctx__window(struct features_ctx *c, const struct pl_sample *s, size_t n, uint64_t period_ns,
			 const struct feat_params *p, struct window_features *w)
{
	static const double qs[3] = { 0.5, 0.01, 0.99 };
	double emax = 0;
	size_t ne = 0;
	double period_s = (double)period_ns / 1e9, median, r, dmed, dmad, qv[3];
	struct spectral sp;
	struct moments m;
	size_t i, k = 0, lag, at;
	int64_t uw;

	memset(w, 0, sizeof(*w));
	if (ensure_cap(c, n ? n : 1))
		return -ENOMEM;
	/* One walk over the records: the power series and the P vs V*I errors. */
	for (i = 0; i < n; i++) {
		/* 128-byte records: fetch ahead of the walk */
		__builtin_prefetch(&s[i + 32 < n ? i + 32 : i]);
		if (sample_power_uw(&s[i], &uw))
			c->x[k++] = (double)uw * 1e-6;
		if (sample_has_pvi(&s[i])) {
			double pw = fabs((double)s[i].pout_uw * 1e-6);
			double e = fabs(sample_pvi_residual_w(&s[i])) / (pw > 1 ? pw : 1); /* floor 1 W: idle rails */

			c->err[ne++] = e;
			emax = e > emax ? e : emax;
		}
	}
	w->n = (uint32_t)k;
	if (k < p->min_samples || k < 4)
		return -ENODATA;
	feat_moments(c->x, k, &m);
	set(w, FEAT_MEAN, m.mean);
	set(w, FEAT_STDDEV, m.std);
	set(w, FEAT_MIN, m.min);
	set(w, FEAT_MAX, m.max);
	set(w, FEAT_CREST, m.crest);
	{
		size_t plen;
		double plev;

		plateau(c->x, k, period_s, p->noise_floor_w, &plen, &plev);
		set(w, FEAT_PLATEAU, (double)plen * period_s);
		if (plen)
			set(w, FEAT_PLATEAU_LEVEL, plev);
	}
	if (m.mean > 0) {
		set(w, FEAT_CV, m.cv);
		set(w, FEAT_PAR, m.par);
	}
	if (m.has_var) {
		set(w, FEAT_SKEW, m.skew);
		set(w, FEAT_KURT, m.kurt);
		r = NAN;
		lag = dominant_lag_md(c, c->x, k, m.mean, m.ss, 2, k / 2, p->acf_min, &r);
		set(w, FEAT_ACF_PEAK, lag ? r : 0);
		set(w, FEAT_PERIOD, (double)lag * period_s);
		{
			size_t cmax = (size_t)(FEAT_CADENCE_MAX_S / period_s);
			double cl;

			if (cmax > k / 2)
				cmax = k / 2;
			cl = cadence_lag(c, (size_t)ceil(p->min_cadence_s / period_s), cmax, p->acf_min);
			if (cl > 0)
				set(w, FEAT_CADENCE, cl * period_s);
		}
		size_t ks = feat_spectrum_len(k);

		if (!spectrum_m(c, c->x, ks, ks == k ? m.mean : mean4(c->x, ks), 1.0 / period_s, p, &sp)) {
			set(w, FEAT_DOM_FREQ, sp.dom_freq_hz);
			set(w, FEAT_SPEC_ENTROPY, sp.entropy);
			set(w, FEAT_SPEC_FLATNESS, sp.flatness);
			set(w, FEAT_BAND_LOW, sp.band[0]);
			set(w, FEAT_BAND_MID, sp.band[1]);
			set(w, FEAT_BAND_HIGH, sp.band[2]);
		}
	}
	feat_quantiles(c->x, k, qs, qv, 3, c->tmp);
	median = qv[0];
	for (i = 0, r = 0; i < k; i++)
		r += fabs(c->x[i] - median) <= p->flat_tol * fabs(median);
	set(w, FEAT_FLAT, r / (double)k);
	/* k >= 4: as feat_step(), in ctx scratch; the MAD of the differences also sets the burst noise. */
	at = 0;
	set(w, FEAT_STEP, step_in(c->x, k, 1e-3 * fabs(median), &at, c->tmp2, c->tmp, &dmed, &dmad));
	burst_features(c, k, period_s, median, qv[1], qv[2], dmad, m.sum, p, w);
	pvi_features(c, ne, emax, w);
	return 0;
}

int features_windows(const struct series *t, const struct feat_params *p, uint64_t from_ns, uint64_t to_ns,
		   struct window_features **out, size_t *nout)
{
	struct features_ctx *c = features_ctx__new();
	int ret;

	if (!c)
		return -ENOMEM;
	ret = features_ctx__windows(c, t, p, from_ns, to_ns, out, nout);
	features_ctx__free(c);
	return ret;
}

int features_ctx__windows(struct features_ctx *c, const struct series *t, const struct feat_params *p, uint64_t from_ns,
			  uint64_t to_ns, struct window_features **out, size_t *nout)
{
	struct window_features *w = NULL, *tmp;
	struct feat_params q = *p;
	size_t i = 0, j, cap = 0, n = 0;
	uint64_t origin, k, start, expect;
	int ret = 0;

	*out = NULL;
	*nout = 0;
	if (p->window_ns == 0 || t->period_ns == 0)
		return -EINVAL;
	/* A window needs half the samples its length implies (and min_samples). */
	expect = p->window_ns / t->period_ns / 2;
	if (expect > q.min_samples)
		q.min_samples = expect > UINT32_MAX ? UINT32_MAX : (uint32_t)expect;
	while (i < t->n && t->s[i].ts_ns < from_ns)
		i++;
	if (i == t->n || t->s[i].ts_ns > to_ns)
		return 0;
	origin = t->s[i].ts_ns;
	while (i < t->n && t->s[i].ts_ns <= to_ns) {
		/* Timestamps may go backwards in a tampered trace: never loop on them. */
		k = t->s[i].ts_ns >= origin ? (t->s[i].ts_ns - origin) / p->window_ns : 0;
		start = origin + k * p->window_ns;
		for (j = i + 1; j < t->n && t->s[j].ts_ns < start + p->window_ns && t->s[j].ts_ns <= to_ns; j++)
			;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			tmp = realloc(w, cap * sizeof(*w));
			if (!tmp) {
				ret = -ENOMEM;
				break;
			}
			w = tmp;
		}
		ret = features_ctx__window(c, &t->s[i], j - i, t->period_ns, &q, &w[n]);
		w[n].start_ns = start;
		w[n].end_ns = start + p->window_ns;
		if (ret == 0)
			n++;
		else if (ret != -ENODATA)
			break;
		ret = 0;
		i = j;
	}
	if (ret) {
		free(w);
		return ret;
	}
	*out = w;
	*nout = n;
	return 0;
}
