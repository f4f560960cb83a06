/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Small helpers shared by the VM test tools: argument parsing and clocks.
 */
#ifndef PL_TOOLS_UTIL_H
#define PL_TOOLS_UTIL_H

#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_SEC 1000000000ULL

/* util.c APIs: */

/* CLOCK_MONOTONIC now, ns: the clock pl_sample.ts_ns uses. */
uint64_t mono_ns(void);

/*
 * Parses a whole string as an unsigned integer, decimal or 0x-hex.
 * Returns 0, -EINVAL (empty, sign, trailing junk) or -ERANGE (> UINT64_MAX).
 * Not agent/lib/util.c's parse_u64() (decimal only), which plread links too.
 */
int tools_parse_u64(const char *s, uint64_t *out);

/*
 * Parses seconds, with up to 9 fractional digits ("2", "0.25"), into ns.
 * Returns 0, -EINVAL or -ERANGE.
 */
int parse_seconds_ns(const char *s, uint64_t *out_ns);

/* Reads one unsigned integer from a text file (sysfs, debugfs): 0 or -errno. */
int read_u64_file(const char *path, uint64_t *out);

#endif /* PL_TOOLS_UTIL_H */
