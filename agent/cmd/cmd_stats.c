// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger stats DEV [--json] */
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "capture/genl.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"
#include "lib/hist.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_stats_help[] =
"NAME\n"
"       powerledger stats - one PSU's sampling counters and jitter histogram\n"
"\n"
"SYNOPSIS\n"
"       powerledger stats DEV [--json]\n"
"\n"
"DESCRIPTION\n"
"       Asks the module over generic netlink (PL_CMD_GET_STATS, then\n"
"       PL_CMD_GET_DEVICE for the period and flags) for the counters of\n"
"       DEV, a device id (0, 1, ...) or name (i2c-0-58, as devices prints\n"
"       it).  Needs no privilege.  The counters count since the PSU was\n"
"       bound:\n"
"\n"
"       samples       samples taken.\n"
"       lost          records dropped because a ring was full.\n"
"       overruns      periods that passed without a sample (hrtimer\n"
"                     overruns, wake-ups the sampler coalesced, backoffs).\n"
"       i2c_errors    failed SMBus transfers other than PEC failures.\n"
"       pec_errors    transfers that failed their PEC check.\n"
"       page_repairs  samples that found PAGE changed by someone else and\n"
"                     selected it again.\n"
"       backoffs      periods skipped on purpose because the bus was stuck\n"
"                     (counted in overruns too).\n"
"       suspends      system sleeps the PSU was sampled across.\n"
"\n"
"       The jitter histogram counts |interval - period| between consecutive\n"
"       samples: bucket 0 below 1 us, bucket b (1 .. 22) in [2^(b-1), 2^b)\n"
"       us, bucket 23 everything from 2^22 us (4.2 s) up.  p50 and p99 are\n"
"       the buckets holding the median and the 99th percentile.  A module\n"
"       older than a counter reports it as 0.\n"
"\n"
"OPTIONS\n"
"       --json Print one canonical JSON object.\n"
"\n"
"OUTPUT\n"
"       On a terminal, the counters and the histogram's non-empty range\n"
"       with each bucket's share.  Otherwise lines of KEY<TAB>VALUE: dev,\n"
"       name, period_ns, flags, samples, lost, overruns, i2c_errors,\n"
"       pec_errors, page_repairs, backoffs, suspends, jitter_p50_bucket,\n"
"       jitter_p99_bucket (-1 when the histogram is empty), then\n"
"       jitter_hist.0 ... jitter_hist.23.  --json: the same keys,\n"
"       jitter_hist as an array of 24 counts.\n"
"\n"
"EXIT STATUS\n"
"       0      the counters were printed.\n"
"       2      usage error; the module is not loaded; no such device (the\n"
"              kernel's \"no such powerledger device\"); the kernel\n"
"              refused or answered nonsense.\n"
"\n"
"FILES\n"
"       None: everything comes from the module over generic netlink.\n"
"\n"
"EXAMPLES\n"
"       powerledger stats 0\n"
"       powerledger stats i2c-0-58 | grep -E '^(lost|overruns)'\n"
"       powerledger stats 0 --json | jq .jitter_hist\n";
/* clang-format on */

/* A bucket's range of |interval - period|: "< 1 us", "2 .. 4 us", ">= 4194304 us". */
static void bucket_str(int b, char *buf, size_t n)
{
	if (b == 0)
		strfmt(buf, n, "< 1 us");
	else if (b == PL_JITTER_BUCKETS - 1)
		strfmt(buf, n, ">= %llu us", 1ULL << (b - 1));
	else
		strfmt(buf, n, "%llu .. %llu us", 1ULL << (b - 1), 1ULL << b);
}

static const struct {
	const char *key;
	size_t off;
} counters[] = {
#define C(f) { #f, offsetof(struct pl_stats, f) }
	C(samples), C(lost), C(overruns), C(i2c_errors), C(pec_errors), C(page_repairs), C(backoffs), C(suspends),
#undef C
};

static uint64_t counter(const struct pl_stats *st, size_t k)
{
	uint64_t v;

	memcpy(&v, (const char *)st + counters[k].off, sizeof(v));
	return v;
}

static void print_pretty(const struct plnl_dev *d, const struct pl_stats *st, int p50, int p99)
{
	char period[64], flags[80], range[48];
	unsigned __int128 total = 0;
	int b, lo = -1, hi = -1;
	size_t k;

	cli_period_str(d->period_ns, period, sizeof(period));
	plnl_dev_flags_str(d->flags, flags, sizeof(flags));
	printf("device %" PRIu32 " (%s): period %s, flags %s\n", d->id, d->name, period, flags);
	for (k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
		printf("  %-13s %llu\n", counters[k].key, (unsigned long long)counter(st, k));
	for (b = 0; b < PL_JITTER_BUCKETS; b++) {
		total += st->jitter_hist[b];
		if (st->jitter_hist[b]) {
			lo = lo < 0 ? b : lo;
			hi = b;
		}
	}
	if (lo < 0) {
		printf("jitter |interval - period|: no intervals yet\n");
		return;
	}
	bucket_str(p50, range, sizeof(range));
	printf("jitter |interval - period|: p50 in %s", range);
	bucket_str(p99, range, sizeof(range));
	printf(", p99 in %s\n", range);
	for (b = lo; b <= hi; b++) {
		double share = (double)st->jitter_hist[b] * 100.0 / (double)total;
		int bar = (int)(share / 2.0 + 0.5);

		bucket_str(b, range, sizeof(range));
		printf("  %-20s %12llu %6.2f%%  %.*s\n", range, (unsigned long long)st->jitter_hist[b], share, bar,
		       "##################################################");
	}
}

static void print_tsv(const struct plnl_dev *d, const struct pl_stats *st, int p50, int p99)
{
	char flags[80];
	size_t k;
	int b;

	plnl_dev_flags_str(d->flags, flags, sizeof(flags));
	printf("dev\t%" PRIu32 "\nname\t%s\nperiod_ns\t%" PRIu64 "\nflags\t%s\n", d->id, d->name[0] ? d->name : "-",
	       d->period_ns, flags);
	for (k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
		printf("%s\t%llu\n", counters[k].key, (unsigned long long)counter(st, k));
	printf("jitter_p50_bucket\t%d\njitter_p99_bucket\t%d\n", p50, p99);
	for (b = 0; b < PL_JITTER_BUCKETS; b++)
		printf("jitter_hist.%d\t%llu\n", b, (unsigned long long)st->jitter_hist[b]);
}

static int print_json(const struct plnl_dev *d, const struct pl_stats *st, int p50, int p99)
{
	char flags[80];
	json_t *o, *h = json_array();
	size_t k;
	int b;

	plnl_dev_flags_str(d->flags, flags, sizeof(flags));
	for (b = 0; h && b < PL_JITTER_BUCKETS; b++) {
		if (json_array_append_new(h, json_integer((json_int_t)st->jitter_hist[b]))) {
			json_decref(h);
			h = NULL;
		}
	}
	o = h ? json_pack("{s:I,s:o,s:I,s:s,s:o,s:i,s:i}", "dev", (json_int_t)d->id, "name", cli_jstr(d->name),
			  "period_ns", (json_int_t)d->period_ns, "flags", flags, "jitter_hist", h,
			  "jitter_p50_bucket", p50, "jitter_p99_bucket", p99) :
		NULL;
	for (k = 0; o && k < sizeof(counters) / sizeof(counters[0]); k++) {
		if (json_object_set_new(o, counters[k].key, json_integer((json_int_t)counter(st, k)))) {
			json_decref(o);
			o = NULL;
		}
	}
	return cli_print_json(o);
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct plerr e = { "" };
	struct plnl *nl = NULL;
	struct plnl_dev d;
	struct pl_stats st;
	bool json = false;
	uint32_t id;
	int c, p50, p99, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return usage_error("stats", "bad option");
		json = true;
	}
	if (optind + 1 != argc)
		return usage_error("stats", "exactly one DEV (a device id or name)");
	if (plnl__open(&nl, &e) || plnl__resolve(nl, argv[optind], &id, &e) || plnl__stats(nl, id, &st, &e) ||
	    plnl__device(nl, id, &d, &e)) {
		plerr_prefix(&e, "stats");
		pl_error(&e);
		goto cleanup;
	}
	st.period_ns = d.period_ns;
	st.flags = d.flags;
	p50 = hist_percentile((const uint64_t *)st.jitter_hist, PL_JITTER_BUCKETS, 50);
	p99 = hist_percentile((const uint64_t *)st.jitter_hist, PL_JITTER_BUCKETS, 99);
	if (json) {
		if (print_json(&d, &st, p50, p99))
			goto cleanup;
	} else if (cli_pretty()) {
		print_pretty(&d, &st, p50, p99);
	} else {
		print_tsv(&d, &st, p50, p99);
	}
	ret = PL_EXIT_OK;
cleanup:
	plnl__close(nl);
	return ret;
}
