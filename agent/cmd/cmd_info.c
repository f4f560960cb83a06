// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger info [--json] TRACE */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "capture/trace.h"
#include "evidence/contexts.h"
#include "science/sensor.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"

#include <string.h>

#include <jansson.h>

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_info_help[] =
"NAME\n"
"       powerledger info - describe a trace file and print its digest\n"
"\n"
"SYNOPSIS\n"
"       powerledger info [--json] [--contexts] [--samples] TRACE\n"
"\n"
"DESCRIPTION\n"
"       Reads TRACE with every bounds and consistency check of the format\n"
"       (agent/TRACE-FORMAT.md) and prints its header, sample range and\n"
"       SHA-256 digest: the digest a Trace statement signs.\n"
"\n"
"OPTIONS\n"
"       --json Print one canonical JSON object.\n"
"       --contexts\n"
"              Also list the trace's GPU-context intervals (the section\n"
"              bpf/ fills while recording) and each context's energy: the\n"
"              PSU's energy split by time among the contexts active at each\n"
"              sample, in equal shares when several are.\n"
"       --samples\n"
"              Also print every record: sample<TAB>ts_ns seq power_uw (the\n"
"              best power rail, - when none); text output only.\n"
"\n"
"OUTPUT\n"
"       Lines of KEY<TAB>VALUE: file, sha256, samples, period_ns, t0_ns,\n"
"       t_end_ns, duration_ns, clock, source, dev_id, rails (hex mask),\n"
"       lost, contexts (GPU-context intervals), ctx_sources (the event\n"
"       sources that were attached: cuda, cudart, drm, nvidia, sched, or\n"
"       -), ctx_dropped (events lost on a full BPF ring buffer), mfr_id, mfr_model,\n"
"       mfr_serial, host, fingerprint, format_version, sensor (pmbus, nvml,\n"
"       adc or unknown), refresh_ns, quantum_uw, averaging_ns (0: unknown;\n"
"       for averaging also none), sensor_given (the fields given at import\n"
"       rather than measured from the data: refresh,quantum,averaging, or\n"
"       -).  --json: the same keys in one object.\n"
"\n"
"       With --contexts, then one line per interval:\n"
"       interval<TAB>begin_ns end_ns tgid ns_tgid pidns ctx gpu source\n"
"       launches open comm (tab-separated; gpu -1 unknown), and one per\n"
"       context, largest energy first: energy<TAB>tgid ns_tgid comm ctx gpu\n"
"       source energy_uj mean_uw share_ppm active_ns samples launches; last\n"
"       unattributed<TAB>uJ (no context active) and total<TAB>uJ.  --json\n"
"       adds \"intervals\" and \"attribution\".\n"
"\n"
"EXIT STATUS\n"
"       0      the trace is valid.\n"
"       2      usage error, unreadable, truncated or corrupt trace (the\n"
"              message names the byte offset).\n"
"\n"
"FILES\n"
"       TRACE  a .pltr trace file.\n"
"\n"
"EXAMPLES\n"
"       powerledger info capture.pltr\n"
"       powerledger info --json capture.pltr | jq .sha256\n";
/* clang-format on */

static json_int_t ival(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *sval(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void print_contexts(json_t *o)
{
	json_t *a = json_object_get(o, "intervals"), *at = json_object_get(o, "attribution"), *x;
	size_t i;

	json_array_foreach(a, i, x)
		printf("interval\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%s\t%" PRId64
		       "\t%s\t%" PRId64 "\t%d\t%s\n",
		       (int64_t)ival(x, "begin_ns"), (int64_t)ival(x, "end_ns"), (int64_t)ival(x, "tgid"),
		       (int64_t)ival(x, "ns_tgid"), (int64_t)ival(x, "pidns"), sval(x, "ctx"), (int64_t)ival(x, "gpu"),
		       sval(x, "source"), (int64_t)ival(x, "launches"), json_is_true(json_object_get(x, "open")),
		       sval(x, "comm"));
	json_array_foreach(json_object_get(at, "contexts"), i, x)
		printf("energy\t%" PRId64 "\t%" PRId64 "\t%s\t%s\t%" PRId64 "\t%s\t%" PRId64 "\t%" PRId64 "\t%" PRId64
		       "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\n",
		       (int64_t)ival(x, "tgid"), (int64_t)ival(x, "ns_tgid"), sval(x, "comm"), sval(x, "ctx"),
		       (int64_t)ival(x, "gpu"), sval(x, "source"), (int64_t)ival(x, "energy_uj"),
		       (int64_t)ival(x, "mean_uw"), (int64_t)ival(x, "share_ppm"), (int64_t)ival(x, "active_ns"),
		       (int64_t)ival(x, "samples"), (int64_t)ival(x, "launches"));
	printf("unattributed\t%" PRId64 "\ntotal\t%" PRId64 "\n", (int64_t)ival(at, "unattributed_uj"),
	       (int64_t)ival(at, "total_uj"));
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "contexts", no_argument, NULL, 'c' },
		{ "samples", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	char digest[SHA256_HEX_LEN], rails[16], given[40];
	struct plerr e = { "" };
	struct trace t = { 0 };
	char sources[64];
	uint64_t tend;
	bool json = false, contexts = false, samples = false;
	json_t *o;
	size_t i;
	int c, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'c')
			contexts = true;
		else if (c == 's')
			samples = true;
		else
			return usage_error("info", "bad option");
	}
	if (optind + 1 != argc)
		return usage_error("info", "exactly one TRACE");
	if (trace_load_digest(argv[optind], &t, digest, &e)) {
		pl_error(&e);
		goto cleanup;
	}
	tend = t.n ? t.s[t.n - 1].ts_ns : 0;
	contexts_sources_str(t.info.ctx_sources, sources, sizeof(sources));
	snprintf(rails, sizeof(rails), "0x%02x", t.info.rails);
	snprintf(given, sizeof(given), "%s%s%s%s", t.info.sensor.origin & SENSOR_O_REFRESH ? "refresh," : "",
		 t.info.sensor.origin & SENSOR_O_QUANTUM ? "quantum," : "",
		 t.info.sensor.origin & SENSOR_O_AVERAGING ? "averaging," : "", t.info.sensor.origin ? "" : "-");
	if (given[strlen(given) - 1] == ',')
		given[strlen(given) - 1] = 0;
	o = json_pack("{s:o,s:s,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:s,s:s,s:I}",
		      "file",
		      cli_jstr(argv[optind]),
		      "sha256", digest, "samples", (json_int_t)t.n, "period_ns", (json_int_t)t.info.period_ns, "t0_ns",
		      (json_int_t)t.info.t0_ns, "t_end_ns", (json_int_t)tend, "duration_ns",
		      (json_int_t)(tend - t.info.t0_ns), "clock",
		      t.info.flags & PLTR_F_REALTIME ? "realtime" : "monotonic", "source",
		      trace_source_name(t.info.source), "dev_id", (json_int_t)t.info.dev_id, "rails", rails, "lost",
		      (json_int_t)t.info.lost, "contexts", (json_int_t)t.nctx, "mfr_id", t.info.mfr_id, "mfr_model",
		      t.info.mfr_model, "mfr_serial", t.info.mfr_serial, "host", t.info.host, "fingerprint",
		      t.info.fingerprint, "format_version", (json_int_t)t.info.version, "sensor",
		      sensor_kind_name(t.info.sensor.kind), "refresh_ns", (json_int_t)t.info.sensor.refresh_ns,
		      "quantum_uw", (json_int_t)t.info.sensor.quantum_uw, "averaging_ns",
		      (json_int_t)t.info.sensor.averaging_ns, "sensor_given", given, "ctx_sources", sources,
		      "ctx_dropped", (json_int_t)t.info.ctx_dropped);
	if (o && contexts) {
		json_object_set_new(o, "intervals", contexts_intervals_json(&t));
		json_object_set_new(o, "attribution", contexts_json(&t, 0, t.n, 0));
	}
	if (json) {
		if (cli_print_json(o))
			goto cleanup;
	} else {
		static const char *const order[] = { "file",	   "sha256",	 "samples",	"period_ns",
						     "t0_ns",	   "t_end_ns",	 "duration_ns", "clock",
						     "source",	   "dev_id",	 "rails",	"lost",
						     "contexts", "mfr_id",	 "mfr_model",	"mfr_serial",
						     "host",	   "fingerprint", "format_version", "sensor",
						     "refresh_ns", "quantum_uw", "averaging_ns", "sensor_given",
						     "ctx_sources", "ctx_dropped" };
		json_t *v;

		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			v = json_object_get(o, order[i]);
			if (json_is_integer(v))
				printf("%s\t%" PRId64 "\n", order[i], (int64_t)json_integer_value(v));
			else
				printf("%s\t%s\n", order[i], json_string_value(v));
		}
		if (contexts)
			print_contexts(o);
		json_decref(o);
		for (i = 0; samples && i < t.n; i++) {
			int64_t uw;

			if (sample_power_uw(&t.s[i], &uw))
				printf("sample\t%" PRIu64 "\t%" PRIu64 "\t%" PRId64 "\n", (uint64_t)t.s[i].ts_ns, (uint64_t)t.s[i].seq, uw);
			else
				printf("sample\t%" PRIu64 "\t%" PRIu64 "\t-\n", (uint64_t)t.s[i].ts_ns, (uint64_t)t.s[i].seq);
		}
	}
	ret = PL_EXIT_OK;
cleanup:
	trace__free(&t);
	return ret;
}
