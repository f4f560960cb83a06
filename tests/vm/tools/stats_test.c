// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host-side unit test of the pure parts of the tools: stats.c (percentiles,
 * jitter, rates, histogram percentiles) and util.c (argument parsing).
 * Prints one line per failed check and "tools: N passed, N failed".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"
#include "util.h"

static unsigned int passed, failed;

#define EXPECT_EQ(got, want)                                                   \
	do {                                                                   \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);          \
		if (g_ == w_) {                                                \
			passed++;                                              \
		} else {                                                       \
			failed++;                                              \
			fprintf(stderr, "%s:%d: %s = %" PRIu64 ", want %" PRIu64 "\n", \
				__FILE__, __LINE__, #got, g_, w_);             \
		}                                                              \
	} while (0)

static void test_percentile(void)
{
	const uint64_t ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	const uint64_t one[] = { 42 };
	uint64_t hundred[100];
	unsigned int i;

	for (i = 0; i < 100; i++)
		hundred[i] = (i + 1) * 10;

	EXPECT_EQ(stats_percentile(NULL, 0, 50), 0);
	EXPECT_EQ(stats_percentile(one, 1, 0), 42);
	EXPECT_EQ(stats_percentile(one, 1, 50), 42);
	EXPECT_EQ(stats_percentile(one, 1, 100), 42);
	/* nearest rank: ceil(p * n / 100) */
	EXPECT_EQ(stats_percentile(ten, 10, 0), 1);
	EXPECT_EQ(stats_percentile(ten, 10, 10), 1);
	EXPECT_EQ(stats_percentile(ten, 10, 11), 2);
	EXPECT_EQ(stats_percentile(ten, 10, 50), 5);
	EXPECT_EQ(stats_percentile(ten, 10, 51), 6);
	EXPECT_EQ(stats_percentile(ten, 10, 99), 10);
	EXPECT_EQ(stats_percentile(ten, 10, 100), 10);
	EXPECT_EQ(stats_percentile(ten, 10, 250), 10);
	EXPECT_EQ(stats_percentile(hundred, 100, 50), 500);
	EXPECT_EQ(stats_percentile(hundred, 100, 99), 990);
	EXPECT_EQ(stats_percentile(hundred, 100, 100), 1000);
}

static void test_series_and_jitter(void)
{
	/* samples at 0, 1000, 2100, 2900, 4000, 9000 with period 1000 */
	const uint64_t ts[] = { 0, 1000, 2100, 2900, 4000, 9000 };
	struct u64_series s = { 0 };
	struct jitter_summary j;
	unsigned int i;

	EXPECT_EQ(stats_jitter_ns(1000, 1000), 0);
	EXPECT_EQ(stats_jitter_ns(900, 1000), 100);
	EXPECT_EQ(stats_jitter_ns(1100, 1000), 100);
	EXPECT_EQ(stats_jitter_ns(0, UINT64_MAX), UINT64_MAX);
	EXPECT_EQ(stats_jitter_ns(UINT64_MAX, 0), UINT64_MAX);

	for (i = 1; i < ARRAY_SIZE(ts); i++)
		EXPECT_EQ(u64_series__push(&s, stats_jitter_ns(ts[i] - ts[i - 1], 1000)), 0);
	/* deviations: 0, 100, 200, 100, 4000 -> sorted 0 100 100 200 4000 */
	jitter_summarize(&s, &j);
	EXPECT_EQ(j.n, 5);
	EXPECT_EQ(j.p50_ns, 100);
	EXPECT_EQ(j.p99_ns, 4000);
	EXPECT_EQ(j.max_ns, 4000);
	EXPECT_EQ(s.v[0], 0);
	EXPECT_EQ(s.v[3], 200);
	u64_series__free(&s);
	EXPECT_EQ(s.n, 0);

	jitter_summarize(&s, &j);	/* empty */
	EXPECT_EQ(j.n, 0);
	EXPECT_EQ(j.p99_ns, 0);

	/* growth past the first allocation keeps every value */
	for (i = 0; i < 5000; i++)
		u64_series__push(&s, 4999 - i);
	jitter_summarize(&s, &j);
	EXPECT_EQ(j.n, 5000);
	EXPECT_EQ(j.p50_ns, 2499);
	EXPECT_EQ(j.p99_ns, 4949);
	EXPECT_EQ(j.max_ns, 4999);
	u64_series__free(&s);
}

static void test_rate(void)
{
	EXPECT_EQ(stats_rate_mhz(1000, NSEC_PER_SEC), 1000000);	/* 1 kHz */
	EXPECT_EQ(stats_rate_mhz(999, 999000000ULL), 1000000);
	EXPECT_EQ(stats_rate_mhz(1, 3 * NSEC_PER_SEC), 333);
	EXPECT_EQ(stats_rate_mhz(5, 0), 0);
	EXPECT_EQ(stats_rate_mhz(UINT64_MAX, 1), UINT64_MAX);
}

static void test_hist(void)
{
	__u64 h[PL_JITTER_BUCKETS] = { 0 };

	EXPECT_EQ(stats_hist_percentile(h, PL_JITTER_BUCKETS, 50), (uint64_t)-1);
	h[0] = 90;
	h[3] = 9;
	h[23] = 1;
	EXPECT_EQ(stats_hist_percentile(h, PL_JITTER_BUCKETS, 50), 0);
	EXPECT_EQ(stats_hist_percentile(h, PL_JITTER_BUCKETS, 90), 0);
	EXPECT_EQ(stats_hist_percentile(h, PL_JITTER_BUCKETS, 91), 3);
	EXPECT_EQ(stats_hist_percentile(h, PL_JITTER_BUCKETS, 99), 3);
	EXPECT_EQ(stats_hist_percentile(h, PL_JITTER_BUCKETS, 100), 23);
}

static void test_parse(void)
{
	uint64_t v = 7;

	EXPECT_EQ(tools_parse_u64("0", &v), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(tools_parse_u64("0x58", &v), 0);
	EXPECT_EQ(v, 0x58);
	EXPECT_EQ(tools_parse_u64("18446744073709551615", &v), 0);
	EXPECT_EQ(v, UINT64_MAX);
	EXPECT_EQ(tools_parse_u64("18446744073709551616", &v), (uint64_t)-ERANGE);
	EXPECT_EQ(tools_parse_u64("-1", &v), (uint64_t)-EINVAL);
	EXPECT_EQ(tools_parse_u64(" 1", &v), (uint64_t)-EINVAL);
	EXPECT_EQ(tools_parse_u64("12x", &v), (uint64_t)-EINVAL);
	EXPECT_EQ(tools_parse_u64("", &v), (uint64_t)-EINVAL);

	EXPECT_EQ(parse_seconds_ns("2", &v), 0);
	EXPECT_EQ(v, 2 * NSEC_PER_SEC);
	EXPECT_EQ(parse_seconds_ns("0.25", &v), 0);
	EXPECT_EQ(v, 250000000);
	EXPECT_EQ(parse_seconds_ns("1.000000001", &v), 0);
	EXPECT_EQ(v, 1000000001);
	EXPECT_EQ(parse_seconds_ns("3.", &v), 0);
	EXPECT_EQ(v, 3 * NSEC_PER_SEC);
	EXPECT_EQ(parse_seconds_ns("1.0000000001", &v), (uint64_t)-EINVAL);
	EXPECT_EQ(parse_seconds_ns(".5", &v), (uint64_t)-EINVAL);
	EXPECT_EQ(parse_seconds_ns("1s", &v), (uint64_t)-EINVAL);
	EXPECT_EQ(parse_seconds_ns("99999999999999999999", &v), (uint64_t)-ERANGE);
}

int main(void)
{
	test_percentile();
	test_series_and_jitter();
	test_rate();
	test_hist();
	test_parse();
	printf("tools: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
