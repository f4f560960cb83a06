/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Percentiles, jitter summaries and the key=value printers that plread,
 * plpoll and plnl share, so that every tool reports jitter the same way.
 * Pure computation plus stdio: unit-tested on the host by stats_test.c.
 */
#ifndef PL_TOOLS_STATS_H
#define PL_TOOLS_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/powerledger.h>

/* A growable array of u64 values (ns deviations, usually). */
struct u64_series {
	uint64_t *v;
	size_t n;
	size_t cap;
};

/* Jitter: |interval - period| between consecutive samples, ns. */
struct jitter_summary {
	size_t n;		/* intervals seen */
	uint64_t p50_ns;
	uint64_t p99_ns;
	uint64_t max_ns;
};

/* stats.c APIs: */

/* Appends x. Returns 0, or -ENOMEM leaving the series unchanged. */
int u64_series__push(struct u64_series *s, uint64_t x);
/* Sorts ascending, in place. */
void u64_series__sort(struct u64_series *s);
void u64_series__free(struct u64_series *s);

/*
 * Nearest-rank percentile (pct 0..100) of n ascending values: the smallest
 * value with at least pct% of the values <= it.  0 when n == 0; pct 0 gives
 * the minimum, pct 100 the maximum.
 */
uint64_t stats_percentile(const uint64_t *sorted, size_t n, unsigned int pct);

/* |interval_ns - period_ns| without overflow. */
uint64_t stats_jitter_ns(uint64_t interval_ns, uint64_t period_ns);

/* Sorts the series of jitter values and summarizes it. */
void jitter_summarize(struct u64_series *jitter_ns, struct jitter_summary *out);

/* Prints jitter_p50_ns=, jitter_p99_ns=, jitter_max_ns= lines. */
void jitter_print(FILE *f, const struct jitter_summary *j);

/*
 * Intervals per second over span_ns, in milli-Hz (rate_mhz); 0 if span_ns
 * is 0.  Saturates at UINT64_MAX.
 */
uint64_t stats_rate_mhz(uint64_t intervals, uint64_t span_ns);

/*
 * Bucket index holding the nearest-rank pct-th percentile of a histogram
 * of n buckets, or -1 when the histogram is empty.
 */
int stats_hist_percentile(const __u64 *hist, size_t n, unsigned int pct);

/*
 * Prints the per-device counters of struct pl_stats (dev_id and the eight
 * counters, the jitter histogram and its p50/p99 buckets) as
 * stats.<dev>.<key>=<value> lines.  period_ns and flags are left to the
 * caller: the netlink GET_STATS reply does not carry them.
 */
void stats_print_pl_stats(FILE *f, const struct pl_stats *s);

#endif /* PL_TOOLS_STATS_H */
