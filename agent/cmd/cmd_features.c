// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger features [--window D] [--json] TRACE */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "capture/trace.h"
#include "evidence/contexts.h"
#include "cmd/cli.h"
#include "science/features.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_features_help[] =
"NAME\n"
"       powerledger features - per-window power features of a trace\n"
"\n"
"SYNOPSIS\n"
"       powerledger features [--window DURATION] [--from NS] [--to NS]\n"
"                            [--json] [--contexts] TRACE\n"
"\n"
"DESCRIPTION\n"
"       Cuts TRACE into windows (default 1 s, aligned at the first sample in\n"
"       range) and computes, from the power rail (PIN, else POUT) of each:\n"
"       mean, standard deviation, coefficient of variation, skewness, excess\n"
"       kurtosis, min, max, peak-to-average ratio, crest factor; the\n"
"       autocorrelation peak and dominant period (lag search); FFT (FFTW3)\n"
"       dominant frequency, normalized spectral entropy, spectral flatness\n"
"       and the power fractions below 5 Hz, 5-50 Hz and above 50 Hz; burst\n"
"       count and burstiness (Goh-Barabasi with the Kim-Jo finite-size\n"
"       correction, over the intervals between burst starts); the flat\n"
"       fraction (samples within 1 % of the median); the largest step in\n"
"       robust sigmas (median/MAD of first differences); mean, median and\n"
"       longest high and low runs and the two power levels they alternate\n"
"       between; and |POUT - VOUT*IOUT| / POUT when the DC output rails are\n"
"       present.  Windows holding fewer than half the samples their\n"
"       length implies are skipped.  Exact definitions: agent/science/features.h.\n"
"\n"
"OPTIONS\n"
"       --window D   Window length: 500ms, 1s, 10s ... (default 1s).\n"
"       --from NS, --to NS\n"
"                    Only samples with from <= ts_ns <= to.\n"
"       --json       One canonical JSON array.\n"
"       --contexts   Also the GPU contexts that drew each window's energy\n"
"                    (the trace's context section; README \"GPU context\").\n"
"\n"
"OUTPUT\n"
"       A header line, then one tab-separated line per window: start_ns,\n"
"       end_ns, samples, then every feature as an integer in the unit its\n"
"       name ends with (mw, ppm, milli, mhz, us, msigma; bursts is a count),\n"
"       or - when undefined for that window (e.g. burstiness of a flat\n"
"       window).  --json: [{\"end_ns\",\"features\":{NAME:int},\"samples\",\n"
"       \"start_ns\"}], undefined features left out.  With --contexts, three\n"
"       more columns: top_context (tgid/comm of the context with the most\n"
"       energy, - none), top_share_ppm and unattributed_ppm of the window's\n"
"       energy; in JSON, \"contexts\" per window: total_uj, unattributed_uj,\n"
"       dropped_events, sources and the 4 largest contexts (see info).\n"
"\n"
"EXIT STATUS\n"
"       0      features printed (possibly no windows).\n"
"       2      usage error, unreadable or corrupt trace.\n"
"\n"
"FILES\n"
"       TRACE  a .pltr trace file.\n"
"\n"
"EXAMPLES\n"
"       powerledger features capture.pltr | column -t\n"
"       powerledger features --window 5s --json capture.pltr\n";
/* clang-format on */

/* Samples [*a, *b) of t that window w covers. */
static void window_range(const struct trace *t, const struct window_features *w, size_t *a, size_t *b)
{
	size_t i = 0;

	while (i < t->n && t->s[i].ts_ns < w->start_ns)
		i++;
	*a = i;
	while (i < t->n && t->s[i].ts_ns < w->end_ns)
		i++;
	*b = i;
}

/* TAB tgid/comm, its share and the unattributed share of the window's energy (ppm), or - - -. */
static int print_top_context(const struct trace *t, const struct window_features *w)
{
	struct ctx_energy *g;
	double un, total;
	size_t a, b, n;

	window_range(t, w, &a, &b);
	if (ctx_attribute(trace_series(t, &(struct series){ 0 }), a, b, t->ctx, t->nctx, &g, &n, &un, &total)) {
		pl_warn("out of memory attributing energy");
		return -1;
	}
	if (n && total > 0)
		printf("\t%u/%s\t%.0f\t%.0f", g[0].tgid, g[0].comm, g[0].energy_j / total * 1e6, un / total * 1e6);
	else if (total > 0)
		printf("\t-\t0\t1000000");
	else
		printf("\t-\t-\t-");
	free(g);
	return 0;
}

int cmd_features(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "window", required_argument, NULL, 'w' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "contexts", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	bool contexts = false;
	struct window_features *w = NULL;
	uint64_t from = 0, to = UINT64_MAX;
	struct feat_params p;
	struct plerr e = { "" };
	struct trace t = { 0 };
	bool json = false;
	json_t *arr = NULL;
	size_t n = 0, i;
	int c, f, ret = PL_EXIT_ERR;

	feat_params_default(&p);
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (parse_duration_ns(optarg, &p.window_ns))
				return usage_error("features", "bad --window '%s'", optarg);
			break;
		case 'f':
			if (parse_u64(optarg, &from))
				return usage_error("features", "bad --from '%s'", optarg);
			break;
		case 't':
			if (parse_u64(optarg, &to))
				return usage_error("features", "bad --to '%s'", optarg);
			break;
		case 'j': json = true; break;
		case 'c': contexts = true; break;
		default: return usage_error("features", "bad option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("features", "exactly one TRACE");
	if (trace_load(argv[optind], &t, &e)) {
		pl_error(&e);
		goto cleanup;
	}
	if (features_windows(trace_series(&t, &(struct series){ 0 }), &p, from, to, &w, &n)) {
		pl_warn("%s: out of memory computing features", argv[optind]);
		goto cleanup;
	}
	if (json) {
		arr = json_array();
		for (i = 0; arr && i < n; i++) {
			json_t *fo = json_object();

			for (f = 0; fo && f < __FEAT_MAX; f++)
				if (w[i].valid[f])
					json_object_set_new(fo, feat_desc[f].name,
							    json_integer(feat_int((enum feat_id)f, w[i].v[f])));
			json_t *wo = json_pack("{s:I,s:o,s:I,s:I}", "end_ns", (json_int_t)w[i].end_ns, "features", fo,
					       "samples", (json_int_t)w[i].n, "start_ns", (json_int_t)w[i].start_ns);

			if (wo && contexts) {
				size_t a, b;

				window_range(&t, &w[i], &a, &b);
				json_object_set_new(wo, "contexts", contexts_json(&t, a, b, 4));
			}
			json_array_append_new(arr, wo);
		}
		if (cli_print_json(arr))
			goto cleanup;
	} else {
		printf("start_ns\tend_ns\tsamples");
		for (f = 0; f < __FEAT_MAX; f++)
			printf("\t%s", feat_desc[f].name);
		if (contexts)
			printf("\ttop_context\ttop_share_ppm\tunattributed_ppm");
		putchar('\n');
		for (i = 0; i < n; i++) {
			printf("%" PRIu64 "\t%" PRIu64 "\t%u", w[i].start_ns, w[i].end_ns, w[i].n);
			for (f = 0; f < __FEAT_MAX; f++) {
				if (w[i].valid[f])
					printf("\t%" PRId64, feat_int((enum feat_id)f, w[i].v[f]));
				else
					fputs("\t-", stdout);
			}
			if (contexts && print_top_context(&t, &w[i]))
				goto cleanup;
			putchar('\n');
		}
	}
	ret = PL_EXIT_OK;
cleanup:
	free(w);
	trace__free(&t);
	return ret;
}
