// SPDX-License-Identifier: GPL-2.0 OR MIT
/* What a power sensor can show, measured from its readings (see sensor.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "science/sensor.h"
#include "science/series.h"

static const char *const kind_names[__SENSOR_KIND_MAX] = { "unknown", "pmbus", "nvml", "adc" };

const char *sensor_kind_name(uint8_t kind)
{
	return kind < __SENSOR_KIND_MAX ? kind_names[kind] : "?";
}

double sensor_noise_floor_w(const struct sensor_model *m)
{
	return (double)m->quantum_uw * 1e-6 / sqrt(12.0);
}

static bool within2(uint64_t a, uint64_t b)
{
	return !a || !b || (a <= 2 * b && b <= 2 * a);
}

/* Within a quarter of each other (both known). */
static bool within125(uint64_t a, uint64_t b)
{
	return a && b && a <= b + b / 4 && b <= a + a / 4;
}

bool sensor_comparable(const struct sensor_model *a, const struct sensor_model *b, char *why, size_t n)
{
	if (a->kind != b->kind) {
		snprintf(why, n, "a %s sensor's readings against a baseline from a %s sensor", sensor_kind_name(b->kind),
			 sensor_kind_name(a->kind));
		return false;
	}
	/* Unknown matches nothing: a cadence read at another rate aliases differently. */
	if (!within125(a->refresh_ns, b->refresh_ns)) {
		snprintf(why, n, "a sensor refreshing every %.3g ms against a baseline refreshing every %.3g ms",
			 (double)b->refresh_ns * 1e-6, (double)a->refresh_ns * 1e-6);
		return false;
	}
	if (!within2(a->averaging_ns, b->averaging_ns) && (a->averaging_ns > a->refresh_ns || b->averaging_ns > b->refresh_ns)) {
		snprintf(why, n, "a sensor averaging over %.3g ms against a baseline averaging over %.3g ms",
			 (double)b->averaging_ns * 1e-6, (double)a->averaging_ns * 1e-6);
		return false;
	}
	return true;
}

static uint64_t merge_field(uint64_t a, uint64_t b)
{
	return !a || !b ? 0 : a > b ? a : b;
}

void sensor_merge(struct sensor_model *into, const struct sensor_model *other)
{
	into->refresh_ns = merge_field(into->refresh_ns, other->refresh_ns);
	into->quantum_uw = merge_field(into->quantum_uw, other->quantum_uw);
	/* averaging 0 is also "none": keep the longer */
	into->averaging_ns = into->averaging_ns > other->averaging_ns ? into->averaging_ns : other->averaging_ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The sensor's refresh from the intervals between changes of the reading:
 * a refresh where the value happened not to change makes an interval of two
 * refreshes, so the typical interval is taken among the short ones -- the
 * median of those within 1.5x the 20th percentile.
 */
static uint64_t measure_refresh(uint64_t *iv, size_t n, uint64_t period_ns)
{
	uint64_t q20, lim;
	size_t k = 0;

	if (!n)
		return 0;
	qsort(iv, n, sizeof(*iv), cmp_u64);
	q20 = iv[n / 5];
	lim = q20 + q20 / 2;
	while (k < n && iv[k] <= lim)
		k++;
	return iv[(k - 1) / 2] > period_ns ? iv[(k - 1) / 2] : period_ns;
}

/* Does q divide at least 90 % of the steps d[0..n) (within 1 % of q, 1 uW at least)? */
static bool quantum_fits(const uint64_t *d, size_t n, uint64_t q)
{
	uint64_t tol = q / 100 > 1 ? q / 100 : 1;
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t r = d[i] % q;

		if (r <= tol || q - r <= tol)
			ok++;
	}
	return ok * 10 >= n * 9;
}

/*
 * The quantum: the greatest common divisor of the changes when there is
 * one above 1 uW; else the step a small changes' percentile suggests (a rare odd
 * step, a glitch, must not decide it), or the largest integer fraction of
 * it that divides nearly every change (steps of 3 mW and 4 mW: 1 mW); 1 uW,
 * the format's own resolution, when nothing coarser does.
 */
static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

static uint64_t measure_quantum(uint64_t *d, size_t n)
{
	uint64_t q0, g = 0;

	if (!n)
		return 0;
	/* Exactly decimal readings (a CSV's printed digits, whole mW): their GCD. */
	for (size_t i = 0; i < n && g != 1; i++)
		g = gcd_u64(d[i], g);
	if (g > 1)
		return g;
	qsort(d, n, sizeof(*d), cmp_u64);
	q0 = d[n / 100];
	for (uint64_t k = 1; k <= 64 && q0 / k >= 1; k++) {
		uint64_t q = (q0 + k / 2) / k;

		if (quantum_fits(d, n, q))
			return q;
	}
	return 1;
}

/*
 * Averaging from step responses: between two crossings of the mid level,
 * the time from the last reading below 10 % of the swing to the first above
 * 90 % of it, for swings of at least half the trace's range; the median of
 * those, as a boxcar's width (its 10-90 % rise is 0.8 of it).  0 when steps
 * complete within about one refresh: the readings are as instantaneous as
 * the refresh lets them be, and when the trace has no steps far above its
 * quantum and 20 % of its level (a rise measured on noise means nothing).
 */
static uint64_t measure_averaging(const struct series *t, const double *x, const uint64_t *ts, size_t n,
				  uint64_t refresh_ns, uint64_t *rise, double lo_q, double hi_q, double quantum_w)
{
	double mid = (lo_q + hi_q) / 2, range = hi_q - lo_q;
	size_t nr = 0, prev_cross = 0;
	bool have_prev = false;

	(void)t;
	/* Steps must stand far out of the quantum and the level, or their "rise" is noise. */
	if (range <= 0 || range < 50 * quantum_w || range < 0.2 * fabs(hi_q))
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (!(x[i - 1] < mid && x[i] >= mid))
			continue;
		if (have_prev) {
			size_t end = i + 1;
			double lo = x[i], hi = x[i];
			size_t a, b;

			while (end < n && !(x[end - 1] >= mid && x[end] < mid))
				end++;
			for (size_t j = prev_cross; j < i; j++)
				lo = fmin(lo, x[j]);
			for (size_t j = i; j < end; j++)
				hi = fmax(hi, x[j]);
			if (hi - lo >= range / 2) {
				a = i;
				while (a > prev_cross && x[a] > lo + 0.1 * (hi - lo))
					a--;
				b = i;
				while (b + 1 < end && x[b] < lo + 0.9 * (hi - lo))
					b++;
				if (ts[b] > ts[a])
					rise[nr++] = ts[b] - ts[a];
			}
		}
		prev_cross = i;
		have_prev = true;
	}
	if (nr < 3)
		return 0;
	qsort(rise, nr, sizeof(*rise), cmp_u64);
	if (rise[nr / 2] <= refresh_ns + refresh_ns / 2)
		return 0;
	return rise[nr / 2] * 5 / 4;
}

void sensor_measure(const struct series *t, struct sensor_model *m)
{
	uint64_t *iv = NULL, *d = NULL, *ts = NULL, last_change = 0;
	double *x = NULL, *sorted = NULL;
	size_t n = 0, niv = 0, nd = 0;
	size_t nmax = t->n < SENSOR_MEASURE_MAX ? t->n : SENSOR_MEASURE_MAX;
	int64_t prev = 0;
	bool have = false;

	if (!t->n)
		return;
	iv = malloc(nmax * sizeof(*iv));
	d = malloc(nmax * sizeof(*d));
	ts = malloc(nmax * sizeof(*ts));
	x = malloc(nmax * sizeof(*x));
	sorted = malloc(nmax * sizeof(*sorted));
	if (!iv || !d || !ts || !x || !sorted)
		goto out; /* left unknown: every user treats 0 as "cannot tell" */
	for (size_t i = 0; i < nmax; i++) {
		int64_t p;

		if (!sample_power_uw(&t->s[i], &p))
			continue;
		if (have && p != prev) {
			uint64_t step = p > prev ? (uint64_t)p - (uint64_t)prev : (uint64_t)prev - (uint64_t)p;

			d[nd++] = step;
			if (last_change && t->s[i].ts_ns > last_change)
				iv[niv++] = t->s[i].ts_ns - last_change;
			last_change = t->s[i].ts_ns;
		}
		prev = p;
		have = true;
		ts[n] = t->s[i].ts_ns;
		x[n++] = (double)p * 1e-6;
	}
	if (!(m->origin & SENSOR_O_REFRESH))
		m->refresh_ns = measure_refresh(iv, niv, t->period_ns);
	if (!(m->origin & SENSOR_O_QUANTUM))
		m->quantum_uw = measure_quantum(d, nd);
	if (!(m->origin & SENSOR_O_AVERAGING) && n > 10) {
		memcpy(sorted, x, n * sizeof(*x));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		m->averaging_ns = measure_averaging(t, x, ts, n, m->refresh_ns, iv, sorted[n / 100],
						    sorted[n - 1 - n / 100], (double)m->quantum_uw * 1e-6);
	}
	/* Beyond what a trace may state (a hostile or absurd log): unknown, never out of bounds. */
	if (m->refresh_ns > SENSOR_MAX_NS)
		m->refresh_ns = 0;
	if (m->averaging_ns > SENSOR_MAX_NS)
		m->averaging_ns = 0;
	if (m->quantum_uw > SENSOR_MAX_QUANTUM_UW)
		m->quantum_uw = 0;
out:
	free(iv);
	free(d);
	free(ts);
	free(x);
	free(sorted);
}
