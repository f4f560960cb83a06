// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Replayed telemetry: the fine structure of the readings coming back at a lag (science/replay.h). */
#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "science/features.h"
#include "science/replay.h"

struct scan {
	double *a;	   /* in place: the coarse differences zero padded to N, then their ACF sums */
	double *e;	   /* prefix sums of their squares: e[i] = sum_{j < i} u_j^2 */
	double *tmp;	   /* a chunk's worth of scratch (medians) */
	fftw_plan fwd, inv;
	size_t N;
	double sigma;	   /* the chunk's winsorizing scale */
};

/* w_i: the chunk's i-th difference, winsorized at 3 sigma. */
static double wdiff(const float *x, size_t i, double sigma)
{
	double v = (double)x[i + 1] - (double)x[i];

	return v > 3 * sigma ? 3 * sigma : v < -3 * sigma ? -3 * sigma : v;
}

static double r_at(const struct scan *sc, size_t m, size_t L)
{
	double a = sc->e[m - L], b = sc->e[m] - sc->e[L];

	return a > 0 && b > 0 ? sc->a[L] / ((double)sc->N * sqrt(a * b)) : 0;
}

/* Correlation at lag L over the differences w[from .. to) directly (a block: one lag, no FFT). */
static double r_direct(const float *x, double sigma, size_t from, size_t to, size_t L)
{
	double c = 0, a = 0, b = 0;

	for (size_t i = from; i + L < to; i++) {
		double u = wdiff(x, i, sigma), v = wdiff(x, i + L, sigma);

		c += u * v;
		a += u * u;
		b += v * v;
	}
	return a > 0 && b > 0 ? c / sqrt(a * b) : 0;
}

/* One chunk of m readings x[0..m): its best lag, into res when better than what res holds. */
static void scan_chunk(struct scan *sc, const float *x, const struct pl_sample *s, const uint32_t *idx, size_t m,
		       uint64_t period_ns, struct replay_result *res)
{
	double period_s = (double)period_ns * 1e-9, sigma, best = -2, shortr = 0, hold;
	size_t run;
	size_t lmin = (size_t)ceil(REPLAY_MIN_LAG_S / period_s), lmax = (size_t)(REPLAY_MAX_LAG_S / period_s),
	       lshort = (size_t)ceil(REPLAY_SHORT_S / period_s), L, best_l = 0, i, k, d = m - 1;
	double *tmp = sc->tmp;
	size_t Q = lmin >= 64 ? REPLAY_COARSE : 1, dc;

	if (lmax > m / 3)
		lmax = m / 3;
	if (lshort < 2)
		lshort = 2;
	if (m < 8 || lmin > lmax)
		return;
	/* Changes only: a sensor polled faster than it refreshes repeats readings (differences of 0). */
	for (i = 0, k = 0; i < d; i++)
		if (x[i + 1] != x[i])
			tmp[k++] = fabs((double)x[i + 1] - (double)x[i]);
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
	sc->sigma = sigma;
	/*
	 * The search runs on coarse differences, u_j the sum of Q consecutive
	 * w (a quarter of the FFT: a check's memory stays small); an exact
	 * loop of L = Q L' + q samples shows at L' or L' + 1 with r of at least
	 * about a half, and the best coarse lag is then refined to the exact
	 * one by direct sums over the chunk.
	 */
	dc = d / Q;
	sc->e[0] = 0;
	for (i = 0; i < dc; i++) {
		double u = 0;

		for (size_t q = 0; q < Q; q++)
			u += wdiff(x, Q * i + q, sigma);
		sc->a[i] = u;
		sc->e[i + 1] = sc->e[i] + u * u;
	}
	memset(sc->a + dc, 0, (2 * (sc->N / 2 + 1) - dc) * sizeof(*sc->a));
	fftw_execute(sc->fwd);
	{
		fftw_complex *f = (fftw_complex *)sc->a;

		for (i = 0; i <= sc->N / 2; i++) {
			f[i][0] = f[i][0] * f[i][0] + f[i][1] * f[i][1];
			f[i][1] = 0;
		}
	}
	fftw_execute(sc->inv); /* a[L'] = N sum_j u_j u_{j+L'}, no wrap up to lmax / Q */
	for (L = (lmin + Q - 1) / Q; L <= lmax / Q; L++) {
		double r = r_at(sc, dc, L);

		if (r > best) {
			best = r;
			best_l = L;
		}
	}
	if (best_l && best >= REPLAY_SCREEN_R) {
		/*
		 * A loop repeats at every multiple of its length, and one whose
		 * length is not a whole number of samples repeats exactly only at
		 * some multiples, which the coarse sums blur: every coarse peak
		 * within 0.05 of the best (at most REPLAY_CANDIDATES, shortest
		 * first) is refined to its exact lag by direct sums around Q L';
		 * the shortest exact lag at REPLAY_MIN_R wins, else the highest.
		 */
		double cut = REPLAY_SCREEN_R, xbest = -2;
		size_t xl = 0, cands = 0, xfirst = 0;

		for (L = (lmin + Q - 1) / Q; L <= lmax / Q && cands < REPLAY_CANDIDATES; L++) {
			double rc = r_at(sc, dc, L);
			size_t c, lo2, hi3, LL;

			bool peak = rc >= cut;

			/* a peak over +-8 coarse lags, not a ripple on one */
			for (size_t j = L > 8 ? L - 8 : 1; peak && j <= L + 8 && j <= lmax / Q; j++)
				peak = j == L || r_at(sc, dc, j) <= rc;
			if (!peak)
				continue;
			cands++;
			c = L * Q;
			lo2 = c > Q ? c - Q : 1;
			hi3 = c + Q < lmax ? c + Q : lmax;
			for (LL = lo2 > lmin ? lo2 : lmin; LL <= hi3; LL++) {
				double r = r_direct(x, sigma, 0, d, LL);

				if (r > xbest) {
					xbest = r;
					xl = LL;
				}
				if (!xfirst && r >= REPLAY_MIN_R)
					xfirst = LL;
			}
			if (xfirst)
				break;
		}
		best_l = xfirst ? xfirst : xl;
		best = xfirst ? r_direct(x, sigma, 0, d, xfirst) : xbest;
	}
	res->chunks++;
	if (!best_l || best < REPLAY_SCREEN_R)
		goto keep_best;
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
			double rb = r_direct(x, sc->sigma, blk * B, (blk + 1) * B + best_l, best_l);


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
			found = span_s >= REPLAY_MIN_SPAN_S && z >= REPLAY_MIN_Z &&
				(double)nz >= REPLAY_MIN_CHANGE * (double)(to - from) / hold;
			/*
			 * The short lags, exactly (a coarse step would blur a rhythm
			 * whose period is not a multiple of Q): only for a loop that
			 * passed everything else, so rarely.
			 */
			for (L = lshort; found && L < lmin; L++)
				shortr = fmax(shortr, fabs(r_direct(x, sigma, 0, d, L)));
			found = found && rr >= shortr + REPLAY_SHARPER;

			if (found && (!res->found || span_s > res->span_s)) {
				res->found = 1;
				res->lag_s = (double)best_l * period_s;
				res->r = rr;
				res->z = z;
				res->span_s = span_s;
				res->short_r = shortr;
				res->start_ns = s[idx[from]].ts_ns;
				res->end_ns = s[idx[to]].ts_ns;
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
		res->start_ns = s[idx[0]].ts_ns;
		res->end_ns = s[idx[m - 1]].ts_ns;
	}
}

/* The smallest 2^a 3^b 5^c 7^d >= n: FFTW's fast sizes. */
static size_t fft_len(size_t n)
{
	for (size_t m = n;; m++) {
		size_t r = m;

		for (size_t f = 2; f <= 7; f++)
			while (r % f == 0)
				r /= f;
		if (r == 1)
			return m;
	}
}

int replay_scan(const struct pl_sample *s, size_t n, uint64_t period_ns, struct replay_result *res)
{
	struct scan sc = { 0 };
	uint32_t *idx = NULL; /* chunk position -> record, within the chunk's start */
	float *x = NULL;      /* readings, W: float's 24 bits hold a quantum of 1e-7 of the level */
	size_t base = 0;
	size_t i = 0, C = n < REPLAY_CHUNK ? n : REPLAY_CHUNK, lmin, lmax;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (!period_ns || n < 16)
		return 0;
	lmin = (size_t)ceil(REPLAY_MIN_LAG_S / ((double)period_ns * 1e-9));
	lmax = (size_t)(REPLAY_MAX_LAG_S / ((double)period_ns * 1e-9));
	if (lmax > C / 3)
		lmax = C / 3;
	if (lmin > lmax)
		return 0; /* too short for a loop of REPLAY_MIN_LAG_S to show three times: nothing allocated */
	res->r = -2;
	/* a linear (not circular) correlation of the coarse differences up to lmax: N >= C / Q + lmax / Q */
	{
		size_t Q = lmin >= 64 ? REPLAY_COARSE : 1;

		sc.N = fft_len(C / Q + lmax / Q + 2);
		sc.e = malloc((C / Q + 2) * sizeof(*sc.e));
	}
	x = malloc(C * sizeof(*x));
	idx = malloc(C * sizeof(*idx));
	sc.tmp = malloc(C * sizeof(*sc.tmp));
	sc.a = fftw_alloc_real(2 * (sc.N / 2 + 1));
	if (!x || !idx || !sc.a || !sc.e || !sc.tmp) {
		ret = -ENOMEM;
		goto out;
	}
	sc.fwd = fftw_plan_dft_r2c_1d((int)sc.N, sc.a, (fftw_complex *)sc.a, FFTW_ESTIMATE);
	sc.inv = fftw_plan_dft_c2r_1d((int)sc.N, (fftw_complex *)sc.a, sc.a, FFTW_ESTIMATE);
	if (!sc.fwd || !sc.inv) {
		ret = -ENOMEM;
		goto out;
	}
	while (i < n) {
		size_t m = 0;

		base = i;
		/* A chunk of readings with power; a gap in time ends it (a loop is a lag in samples). */
		for (; i < n && m < C; i++) {
			int64_t uw;

			if (m && s[i].ts_ns - s[i - 1].ts_ns > 3 * period_ns)
				break;
			if (sample_power_uw(&s[i], &uw)) {
				idx[m] = (uint32_t)(i - base);
				x[m++] = (float)((double)uw * 1e-6);
			}
		}
		scan_chunk(&sc, x, s + base, idx, m, period_ns, res);
	}
	if (res->r < -1)
		res->r = 0;
out:
	if (sc.fwd)
		fftw_destroy_plan(sc.fwd);
	if (sc.inv)
		fftw_destroy_plan(sc.inv);
	fftw_free(sc.a);
	free(sc.e);
	free(sc.tmp);
	free(idx);
	free(x);
	return ret;
}
