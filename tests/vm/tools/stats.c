// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Percentiles, jitter summaries and shared key=value printers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "lib/hist.h"
#include "stats.h"
#include "util.h"

int u64_series__push(struct u64_series *s, uint64_t x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *v;

		if (cap > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void u64_series__sort(struct u64_series *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
}

void u64_series__free(struct u64_series *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

uint64_t stats_percentile(const uint64_t *sorted, size_t n, unsigned int pct)
{
	unsigned __int128 rank;

	if (!n)
		return 0;
	if (pct > 100)
		pct = 100;
	/* rank = ceil(pct * n / 100), at least 1; 128 bits: n may be huge */
	rank = ((unsigned __int128)pct * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return sorted[(size_t)rank - 1];
}

uint64_t stats_jitter_ns(uint64_t interval_ns, uint64_t period_ns)
{
	return interval_ns > period_ns ? interval_ns - period_ns :
					 period_ns - interval_ns;
}

void jitter_summarize(struct u64_series *jitter_ns, struct jitter_summary *out)
{
	u64_series__sort(jitter_ns);
	out->n = jitter_ns->n;
	out->p50_ns = stats_percentile(jitter_ns->v, jitter_ns->n, 50);
	out->p99_ns = stats_percentile(jitter_ns->v, jitter_ns->n, 99);
	out->max_ns = stats_percentile(jitter_ns->v, jitter_ns->n, 100);
}

void jitter_print(FILE *f, const struct jitter_summary *j)
{
	fprintf(f, "jitter_p50_ns=%" PRIu64 "\n", j->p50_ns);
	fprintf(f, "jitter_p99_ns=%" PRIu64 "\n", j->p99_ns);
	fprintf(f, "jitter_max_ns=%" PRIu64 "\n", j->max_ns);
}

uint64_t stats_rate_mhz(uint64_t intervals, uint64_t span_ns)
{
	unsigned __int128 r;

	if (!span_ns)
		return 0;
	/* intervals * 1e9 ns/s * 1000 mHz/Hz / span_ns */
	r = (unsigned __int128)intervals * NSEC_PER_SEC * 1000 / span_ns;
	return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

int stats_hist_percentile(const __u64 *hist, size_t n, unsigned int pct)
{
	return hist_percentile((const uint64_t *)hist, n, pct);
}

void stats_print_pl_stats(FILE *f, const struct pl_stats *s)
{
	unsigned int d = s->dev_id, b;

	fprintf(f, "stats.%u.samples=%llu\n", d, (unsigned long long)s->samples);
	fprintf(f, "stats.%u.lost=%llu\n", d, (unsigned long long)s->lost);
	fprintf(f, "stats.%u.overruns=%llu\n", d, (unsigned long long)s->overruns);
	fprintf(f, "stats.%u.i2c_errors=%llu\n", d, (unsigned long long)s->i2c_errors);
	fprintf(f, "stats.%u.pec_errors=%llu\n", d, (unsigned long long)s->pec_errors);
	fprintf(f, "stats.%u.page_repairs=%llu\n", d, (unsigned long long)s->page_repairs);
	fprintf(f, "stats.%u.backoffs=%llu\n", d, (unsigned long long)s->backoffs);
	fprintf(f, "stats.%u.suspends=%llu\n", d, (unsigned long long)s->suspends);
	/* bucket 0: < 1 us; bucket b: [2^(b-1), 2^b) us; the last: above */
	for (b = 0; b < PL_JITTER_BUCKETS; b++)
		fprintf(f, "stats.%u.jitter_hist.%u=%llu\n", d, b,
			(unsigned long long)s->jitter_hist[b]);
	fprintf(f, "stats.%u.jitter_p50_bucket=%d\n", d,
		stats_hist_percentile(s->jitter_hist, PL_JITTER_BUCKETS, 50));
	fprintf(f, "stats.%u.jitter_p99_bucket=%d\n", d,
		stats_hist_percentile(s->jitter_hist, PL_JITTER_BUCKETS, 99));
}
