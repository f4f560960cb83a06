// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Replayed telemetry: the fine structure of the readings coming back at a lag (science/replay.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "science/features.h"
#include "science/replay.h"

struct scan {
	double *w;	   /* winsorized differences of the chunk, zero padded to N */
	double *c;	   /* their autocorrelation sums c[L] (after the inverse FFT) */
	double *e;	   /* prefix sums of w^2: e[i] = sum_{j < i} w_j^2 */
	fftw_complex *f;
	fftw_plan fwd, inv;
	size_t N;
};

static double r_at(const struct scan *sc, size_t m, size_t L)
{
	double a = sc->e[m - L], b = sc->e[m] - sc->e[L];

	return a > 0 && b > 0 ? sc->c[L] / ((double)sc->N * sqrt(a * b)) : 0;
}

/* Correlation at lag L over w[from .. to) directly (the halves' check: one lag, no FFT). */
static double r_direct(const double *w, size_t from, size_t to, size_t L)
{
	double c = 0, a = 0, b = 0;

	for (size_t i = from; i + L < to; i++) {
		c += w[i] * w[i + L];
		a += w[i] * w[i];
		b += w[i + L] * w[i + L];
	}
	return a > 0 && b > 0 ? c / sqrt(a * b) : 0;
}

/* One chunk of m readings x[0..m): its best lag, into res when better than what res holds. */
static void scan_chunk(struct scan *sc, const double *x, const uint64_t *ts, size_t m, uint64_t period_ns,
		       struct replay_result *res)
{
	double period_s = (double)period_ns * 1e-9, sigma, best = -2, shortr = 0, hold;
	size_t run;
	size_t lmin = (size_t)ceil(REPLAY_MIN_LAG_S / period_s), lmax = (size_t)(REPLAY_MAX_LAG_S / period_s),
	       lshort = (size_t)ceil(REPLAY_SHORT_S / period_s), L, best_l = 0, i, k, d = m - 1;
	double *tmp = sc->c; /* scratch for the MAD before the FFT needs it */

	if (lmax > m / 3)
		lmax = m / 3;
	if (lshort < 2)
		lshort = 2;
	if (m < 8 || lmin > lmax)
		return;
	/* Changes only: a sensor polled faster than it refreshes repeats readings (differences of 0). */
	for (i = 0, k = 0; i < d; i++)
		if (x[i + 1] != x[i])
			tmp[k++] = fabs(x[i + 1] - x[i]);
	sigma = k >= 8 ? 1.4826 * feat_kth(tmp, k, k / 2) : 0;
	if (!(sigma > 0))
		return; /* no fine structure to come back (a flat or quantized stretch): nothing to say */
	/* The sensor's refresh in samples: the 10th percentile of how long a reading is held. */
	for (i = 1, k = 0, run = 1; i <= m; i++) {
		if (i < m && x[i] == x[i - 1]) {
			run++;
			continue;
		}
		tmp[k++] = (double)run;
		run = 1;
	}
	hold = feat_kth(tmp, k, k / 10);
	for (i = 0; i < d; i++) {
		double v = x[i + 1] - x[i];

		sc->w[i] = v > 3 * sigma ? 3 * sigma : v < -3 * sigma ? -3 * sigma : v;
	}
	memset(sc->w + d, 0, (sc->N - d) * sizeof(*sc->w));
	sc->e[0] = 0;
	for (i = 0; i < d; i++)
		sc->e[i + 1] = sc->e[i] + sc->w[i] * sc->w[i];
	fftw_execute(sc->fwd);
	for (i = 0; i <= sc->N / 2; i++) {
		sc->f[i][0] = sc->f[i][0] * sc->f[i][0] + sc->f[i][1] * sc->f[i][1];
		sc->f[i][1] = 0;
	}
	fftw_execute(sc->inv); /* c[L] = N sum_i w_i w_{i+L} */
	for (L = lshort; L < lmin; L++)
		shortr = fmax(shortr, fabs(r_at(sc, d, L)));
	for (L = lmin; L <= lmax; L++) {
		double r = r_at(sc, d, L);

		if (r > best) {
			best = r;
			best_l = L;
		}
	}
	res->chunks++;
	if (!best_l || best < REPLAY_SCREEN_R)
		goto keep_best;
	/* A loop repeats at every multiple of its length too: take the shortest lag about as high. */
	for (L = lmin; L < best_l; L++)
		if (r_at(sc, d, L) >= best - 0.02) {
			best = r_at(sc, d, L);
			best_l = L;
			break;
		}
	{
		/*
		 * Where the loop runs: blocks of B = 1 s (at least 16 samples),
		 * each one's r at L directly (pairs i, i + L for i in the block);
		 * the longest run of blocks at REPLAY_MIN_R or more.  A replay may
		 * start anywhere in the chunk.
		 */
		size_t B = (size_t)(1 / period_s) > 16 ? (size_t)(1 / period_s) : 16, run = 0, brun = 0, bend = 0, blk;
		double rsum = 0, brsum = 0;

		for (blk = 0; (blk + 1) * B + best_l <= d; blk++) {
			double rb = r_direct(sc->w, blk * B, (blk + 1) * B + best_l, best_l);


			if (rb >= REPLAY_MIN_R) {
				run++;
				rsum += rb;
				if (run > brun) {
					brun = run;
					brsum = rsum;
					bend = blk + 1;
				}
			} else {
				run = 0;
				rsum = 0;
			}
		}
		if (brun) {
			size_t from = (bend - brun) * B, to = bend * B + best_l, nz = 0;
			double span_s = (double)(brun * B) * period_s, rr = brsum / (double)brun,
			       z = rr * sqrt((double)(brun * B));
			int found;

			/* Live fine structure changes at most refreshes: a quiet reading with a periodic blip is no loop. */
			if (to > d)
				to = d;
			for (i = from; i < to; i++)
				nz += x[i + 1] != x[i];
			found = span_s >= REPLAY_MIN_SPAN_S && z >= REPLAY_MIN_Z && rr >= shortr + REPLAY_SHARPER &&
				(double)nz >= REPLAY_MIN_CHANGE * (double)(to - from) / hold;

			if (found && (!res->found || span_s > res->span_s)) {
				res->found = 1;
				res->lag_s = (double)best_l * period_s;
				res->r = rr;
				res->z = z;
				res->span_s = span_s;
				res->short_r = shortr;
				res->start_ns = ts[from];
				res->end_ns = ts[to];
				return;
			}
		}
	}
keep_best:
	/* not found here: keep the strongest lag seen, for the summary */
	if (!res->found && best_l && best > res->r) {
		res->lag_s = (double)best_l * period_s;
		res->r = best;
		res->z = best * sqrt((double)(d - best_l));
		res->short_r = shortr;
		res->start_ns = ts[0];
		res->end_ns = ts[m - 1];
	}
}

int replay_scan(const struct pl_sample *s, size_t n, uint64_t period_ns, struct replay_result *res)
{
	struct scan sc = { 0 };
	uint64_t *ts = NULL;
	double *x = NULL;
	size_t i = 0, N = 1;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	res->r = -2;
	if (!period_ns || n < 16)
		return 0;
	while (N < 2 * (n < REPLAY_CHUNK ? n : REPLAY_CHUNK))
		N *= 2;
	sc.N = N;
	x = malloc((n < REPLAY_CHUNK ? n : REPLAY_CHUNK) * sizeof(*x));
	ts = malloc((n < REPLAY_CHUNK ? n : REPLAY_CHUNK) * sizeof(*ts));
	sc.w = fftw_alloc_real(N);
	sc.c = fftw_alloc_real(N);
	sc.e = malloc((N + 1) * sizeof(*sc.e));
	sc.f = fftw_alloc_complex(N / 2 + 1);
	if (!x || !ts || !sc.w || !sc.c || !sc.e || !sc.f) {
		ret = -ENOMEM;
		goto out;
	}
	sc.fwd = fftw_plan_dft_r2c_1d((int)N, sc.w, sc.f, FFTW_ESTIMATE);
	sc.inv = fftw_plan_dft_c2r_1d((int)N, sc.f, sc.c, FFTW_ESTIMATE);
	if (!sc.fwd || !sc.inv) {
		ret = -ENOMEM;
		goto out;
	}
	while (i < n) {
		size_t m = 0;

		/* A chunk of readings with power; a gap in time ends it (a loop is a lag in samples). */
		for (; i < n && m < REPLAY_CHUNK; i++) {
			int64_t uw;

			if (m && s[i].ts_ns - s[i - 1].ts_ns > 3 * period_ns)
				break;
			if (sample_power_uw(&s[i], &uw)) {
				ts[m] = s[i].ts_ns;
				x[m++] = (double)uw * 1e-6;
			}
		}
		scan_chunk(&sc, x, ts, m, period_ns, res);
	}
	if (res->r < -1)
		res->r = 0;
out:
	if (sc.fwd)
		fftw_destroy_plan(sc.fwd);
	if (sc.inv)
		fftw_destroy_plan(sc.inv);
	fftw_free(sc.w);
	fftw_free(sc.c);
	fftw_free(sc.f);
	free(sc.e);
	free(ts);
	free(x);
	return ret;
}
