// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger info [--json] TRACE */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "capture/trace.h"
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
"       powerledger info [--json] TRACE\n"
"\n"
"DESCRIPTION\n"
"       Reads TRACE with every bounds and consistency check of the format\n"
"       (agent/TRACE-FORMAT.md) and prints its header, sample range and\n"
"       SHA-256 digest: the digest a Trace statement signs.\n"
"\n"
"OPTIONS\n"
"       --json Print one canonical JSON object.\n"
"\n"
"OUTPUT\n"
"       Lines of KEY<TAB>VALUE: file, sha256, samples, period_ns, t0_ns,\n"
"       t_end_ns, duration_ns, clock, source, dev_id, rails (hex mask),\n"
"       lost, gpu_tagged (samples with PL_SF_GPU_CTX), mfr_id, mfr_model,\n"
"       mfr_serial, host, fingerprint, format_version, sensor (pmbus, nvml,\n"
"       adc or unknown), refresh_ns, quantum_uw, averaging_ns (0: unknown;\n"
"       for averaging also none), sensor_given (the fields given at import\n"
"       rather than measured from the data: refresh,quantum,averaging, or\n"
"       -).  --json: the same keys in one object.\n"
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

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char digest[SHA256_HEX_LEN], rails[16], given[40];
	struct plerr e = { "" };
	struct trace t = { 0 };
	uint64_t tend, gpu = 0;
	bool json = false;
	json_t *o;
	size_t i;
	int c, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return usage_error("info", "bad option");
		json = true;
	}
	if (optind + 1 != argc)
		return usage_error("info", "exactly one TRACE");
	if (trace_load_digest(argv[optind], &t, digest, &e)) {
		pl_error(&e);
		goto cleanup;
	}
	tend = t.n ? t.s[t.n - 1].ts_ns : 0;
	for (i = 0; i < t.n; i++)
		gpu += !!(t.s[i].flags & PL_SF_GPU_CTX);
	snprintf(rails, sizeof(rails), "0x%02x", t.info.rails);
	snprintf(given, sizeof(given), "%s%s%s%s", t.info.sensor.origin & SENSOR_O_REFRESH ? "refresh," : "",
		 t.info.sensor.origin & SENSOR_O_QUANTUM ? "quantum," : "",
		 t.info.sensor.origin & SENSOR_O_AVERAGING ? "averaging," : "", t.info.sensor.origin ? "" : "-");
	if (given[strlen(given) - 1] == ',')
		given[strlen(given) - 1] = 0;
	o = json_pack("{s:o,s:s,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:s}",
		      "file",
		      cli_jstr(argv[optind]),
		      "sha256", digest, "samples", (json_int_t)t.n, "period_ns", (json_int_t)t.info.period_ns, "t0_ns",
		      (json_int_t)t.info.t0_ns, "t_end_ns", (json_int_t)tend, "duration_ns",
		      (json_int_t)(tend - t.info.t0_ns), "clock",
		      t.info.flags & PLTR_F_REALTIME ? "realtime" : "monotonic", "source",
		      trace_source_name(t.info.source), "dev_id", (json_int_t)t.info.dev_id, "rails", rails, "lost",
		      (json_int_t)t.info.lost, "gpu_tagged", (json_int_t)gpu, "mfr_id", t.info.mfr_id, "mfr_model",
		      t.info.mfr_model, "mfr_serial", t.info.mfr_serial, "host", t.info.host, "fingerprint",
		      t.info.fingerprint, "format_version", (json_int_t)t.info.version, "sensor",
		      sensor_kind_name(t.info.sensor.kind), "refresh_ns", (json_int_t)t.info.sensor.refresh_ns,
		      "quantum_uw", (json_int_t)t.info.sensor.quantum_uw, "averaging_ns",
		      (json_int_t)t.info.sensor.averaging_ns, "sensor_given", given);
	if (json) {
		if (cli_print_json(o))
			goto cleanup;
	} else {
		static const char *const order[] = { "file",	   "sha256",	 "samples",	"period_ns",
						     "t0_ns",	   "t_end_ns",	 "duration_ns", "clock",
						     "source",	   "dev_id",	 "rails",	"lost",
						     "gpu_tagged", "mfr_id",	 "mfr_model",	"mfr_serial",
						     "host",	   "fingerprint", "format_version", "sensor",
						     "refresh_ns", "quantum_uw", "averaging_ns", "sensor_given" };
		json_t *v;

		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			v = json_object_get(o, order[i]);
			if (json_is_integer(v))
				printf("%s\t%" PRId64 "\n", order[i], (int64_t)json_integer_value(v));
			else
				printf("%s\t%s\n", order[i], json_string_value(v));
		}
		json_decref(o);
	}
	ret = PL_EXIT_OK;
cleanup:
	trace__free(&t);
	return ret;
}
