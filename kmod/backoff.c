// SPDX-License-Identifier: GPL-2.0
/*
 * The sampler's backoff schedule on a stuck bus (see PL_BACKOFF_MAX_NS in
 * the uapi header).  Pure code (no bus, no locks, no clock), shared by the
 * sampler and the KUnit suite.
 *
 * Why back off: a stuck transfer holds the bus segment for the adapter's
 * timeout (25 ms to 1 s on real controllers), so retrying every period
 * would keep the segment locked nearly all the time and starve every other
 * client of it -- for no reading at all.  Doubling the skip bounds that to
 * a few attempts per PL_BACKOFF_MAX_NS while the fault lasts (the sampler
 * counts each skip from the end of the stuck attempt, so the bus is free
 * for all of it); the bound keeps recovery within PL_BACKOFF_MAX_NS of the
 * bus coming back.
 */
#include <linux/math64.h>

#include "powerledger.h"

/* Most periods one backoff skips: PL_BACKOFF_MAX_NS worth, at least 1. */
u64 pl_backoff_cap(u64 period_ns)
{
	u64 cap;

	if (!period_ns)
		return 1;
	cap = div64_u64(PL_BACKOFF_MAX_NS, period_ns);
	return cap ? cap : 1;
}

/*
 * Periods to skip after a stuck sample, given how many the previous
 * backoff skipped (@prev, 0 when the last sample got through): 1, 2, 4, ...
 * up to pl_backoff_cap(@period_ns).
 */
u64 pl_backoff_next(u64 prev, u64 period_ns)
{
	u64 cap = pl_backoff_cap(period_ns);

	if (!prev)
		return 1;
	if (prev >= cap || prev > cap / 2)
		return cap;
	return prev * 2;
}
