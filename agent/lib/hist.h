/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Percentiles of a bucket histogram (struct pl_stats.jitter_hist): shared,
 * header-only, by the agent's `stats` verb and the VM test tools, which
 * link none of the agent.
 */
#ifndef PL_HIST_H
#define PL_HIST_H

#include <stddef.h>
#include <stdint.h>

/*
 * Index of the bucket holding the nearest-rank pct-th percentile (pct
 * above 100 is 100) of hist[0..n), or -1 when the histogram is empty.
 */
static inline int hist_percentile(const uint64_t *hist, size_t n, unsigned int pct)
{
	unsigned __int128 total = 0, rank, cum = 0;
	size_t b;

	for (b = 0; b < n; b++)
		total += hist[b];
	if (!total)
		return -1;
	if (pct > 100)
		pct = 100;
	rank = (pct * total + 99) / 100;
	if (rank < 1)
		rank = 1;
	for (b = 0; b < n; b++) {
		cum += hist[b];
		if (cum >= rank)
			return (int)b;
	}
	return (int)n - 1; /* not reached */
}

#endif /* PL_HIST_H */
