// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger baseline register --model M --key OPERATOR.key -o OUT TRACE... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/trace.h"
#include "cmd/cli.h"
#include "evidence/baseline_json.h"
#include "evidence/statement.h"
#include "science/baseline.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_baseline_help[] =
"NAME\n"
"       powerledger baseline - register a model baseline from commissioning\n"
"       traces\n"
"\n"
"SYNOPSIS\n"
"       powerledger baseline register --model NAME --key OPERATOR.key\n"
"                                     -o OUT [--window DURATION] [--force]\n"
"                                     TRACE...\n"
"\n"
"DESCRIPTION\n"
"       Computes the window features (see features) of every commissioning\n"
"       TRACE -- recorded while the host ran the named model under its normal\n"
"       load, at the loads it will see -- and records, per feature, the median\n"
"       and the median absolute deviation (MAD) over the windows, in the\n"
"       feature's integer unit.  Model features (those that describe the\n"
"       model's computation, not the load: see agent/science/features.h) are\n"
"       summarized over active windows only: windows with high and low states\n"
"       in which at least one busy stretch starts.\n"
"\n"
"       Windows follow the sensor: at least --window, and long enough for 10\n"
"       independent readings (one per refresh or averaging window of the\n"
"       sensor the trace records), so a 10 Hz NVML log gets windows of 1 s\n"
"       or more and a sensor averaging over 1 s windows of 10 s.  All traces\n"
"       must come from one host (same hardware fingerprint) and one kind of\n"
"       sensor at one refresh.\n"
"\n"
"       The baseline calibrates itself: by blocked cross-validation (each\n"
"       block of commissioning windows held out in turn against a baseline\n"
"       of the rest) it measures how far the same model lands from its own\n"
"       baseline, and stores that null distribution (a scaled chi-square\n"
"       fit and up to 256 of its statistics: agent/science/baseline.h).\n"
"       check turns every model-mismatch statistic into a false-alarm\n"
"       probability under it.  A baseline that\n"
"       shows neither the model nor the host's range under load -- fewer\n"
"       than 24 active windows -- is refused, with the counts.  One whose\n"
"       sensor is too slow to show the model's cadence (no model feature:\n"
"       NVML's 100 ms refresh, any 10 Hz log) or that gives fewer than 8 null\n"
"       statistics is registered with a warning that says so: it supports\n"
"       crypto-miner-hidden and rail-tamper, and model-mismatch says\n"
"       undecided against it.  The result is a Baseline/v3 in-toto statement\n"
"       (subjects: the trace files; predicate: features {NAME: {median, mad,\n"
"       lo, hi, noise}} (the 10th and 90th percentiles: the commissioned\n"
"       load's range; noise: window to window), features_version,\n"
"       hardware_fingerprint, model, samples, window_ns, windows,\n"
"       active_windows, sensor {kind, refresh_ns, quantum_uw, averaging_ns},\n"
"       range {idle_mw, ceiling_mw, flat_run_ms, loaded_windows}, null\n"
"       {group, samples, scale_micro, df_milli, max_micro, outlier_ppm,\n"
"       feature_scale_micro, d_micro}) in a DSSE envelope signed with the\n"
"       operator key.  Commission across the load the model will serve,\n"
"       light load included: a step faster than 10 % below the lightest\n"
"       commissioned load is taken for a smaller model.\n"
"\n"
"OPTIONS\n"
"       --model NAME    The model the traces show, e.g. gpt4-class.  Required.\n"
"       --key KEY       Operator private key.  Required.\n"
"       -o, --out OUT   Envelope to write.  Required.\n"
"       --window D      Shortest window (default 1s); check uses the\n"
"                       baseline's.\n"
"       --force         Replace OUT if it exists (atomically); without it an\n"
"                       existing OUT is left as it is (exit 2).  OUT is never\n"
"                       one of the TRACEs or the key, --force or not.\n"
"\n"
"OUTPUT\n"
"       Tab-separated: OUT, model, windows, samples, features recorded,\n"
"       envelope SHA-256, window_ns, active windows, null samples.\n"
"\n"
"EXIT STATUS\n"
"       0      baseline written.\n"
"       2      usage error, bad key, unreadable or corrupt trace, traces from\n"
"              different hosts or sensors, too few windows, active windows,\n"
"              model features or null statistics (the message gives the\n"
"              counts), OUT exists without --force.\n"
"\n"
"FILES\n"
"       OUT    canonical DSSE envelope (Baseline/v3); keep it next to the\n"
"              traces so verify can check their digests.\n"
"\n"
"EXAMPLES\n"
"       powerledger baseline register --model gpt4-class \\\n"
"           --key operator.key -o gpt4.baseline.dsse.json comm-*.pltr\n";
/* clang-format on */

static int do_register(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "window", required_argument, NULL, 'w' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *model = NULL, *keypath = NULL, *out = NULL;
	struct window_features *all = NULL, *w, *tmp;
	char fp[SHA256_HEX_LEN] = "", digest[SHA256_HEX_LEN];
	struct pl_seckey key = { 0 };
	struct feat_params p;
	struct sensor_model sensor = { 0 };
	uint64_t window_ns = 0;
	char why[200];
	struct plerr e = { "" };
	struct buf env = { 0 };
	struct baseline b;
	json_t *subj = NULL, *stmt;
	size_t nall = 0, n, i, nf = 0;
	int c, f, ret = PL_EXIT_ERR;
	bool force = false;

	feat_params_default(&p);
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'k': keypath = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'w':
			if (parse_duration_ns(optarg, &p.window_ns))
				return usage_error("baseline", "bad --window '%s'", optarg);
			break;
		default: return usage_error("baseline", "bad option");
		}
	}
	if (!model || !keypath || !out)
		return usage_error("baseline", "--model, --key and -o are required");
	if (optind == argc)
		return usage_error("baseline", "no commissioning TRACE");
	if (out_check_inputs(out, force, (const char *const *)argv + optind, (size_t)(argc - optind), &e) ||
	    out_check_inputs(out, force, &keypath, 1, &e) || seckey__load(&key, keypath, &e))
		goto err;
	subj = json_array();
	if (!subj)
		goto oom;
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		struct trace t;

		if (trace_load_digest(argv[i], &t, digest, &e))
			goto err;
		if (!fp[0]) {
			memcpy(fp, t.info.fingerprint, sizeof(fp));
		} else if (strcmp(fp, t.info.fingerprint)) {
			plerr_set(&e, -1, "%s: from other hardware than %s (fingerprint %.16s...)", argv[i],
				  argv[optind], t.info.fingerprint);
			trace__free(&t);
			goto err;
		}
		if (i == (size_t)optind) {
			sensor = t.info.sensor;
			window_ns = feat_window_ns(&sensor, t.info.period_ns, p.window_ns);
		} else if (!sensor_comparable(&sensor, &t.info.sensor, why, sizeof(why))) {
			plerr_set(&e, -1, "%s: %s (commission from one kind of sensor at one rate)", argv[i], why);
			trace__free(&t);
			goto err;
		} else {
			sensor_merge(&sensor, &t.info.sensor);
		}
		feat_params_for(trace_series(&t, &(struct series){ 0 }), window_ns, &p);
		ret = features_windows(trace_series(&t, &(struct series){ 0 }), &p, 0, UINT64_MAX, &w, &n);
		trace__free(&t);
		if (ret) {
			plerr_set(&e, ret, "%s: cannot compute features: %s", argv[i], strerror(-ret));
			ret = PL_EXIT_ERR;
			goto err;
		}
		ret = PL_EXIT_ERR;
		tmp = realloc(all, (nall + n + 1) * sizeof(*all));
		if (!tmp) {
			free(w);
			goto oom;
		}
		all = tmp;
		memcpy(all + nall, w, n * sizeof(*w));
		nall += n;
		free(w);
		if (json_array_append_new(subj, subject_new(path_base(argv[i]), digest)))
			goto oom;
	}
	if (baseline_build(all, nall, model, fp, window_ns, &sensor, &b, &e))
		goto err;
	if (!b.null.samples)
		pl_warn("%s: registered for crypto-miner-hidden and rail-tamper only: %s", out, b.mm_why);
	stmt = statement_new(PL_KIND_BASELINE, subj, baseline_predicate(&b));
	subj = NULL;
	if (!stmt)
		goto oom;
	if (statement_sign(stmt, &key, &env, &e) || file_write_atomic(out, env.p, env.len, 0644, afile_force(force), &e)) {
		json_decref(stmt);
		goto err;
	}
	json_decref(stmt);
	for (f = 0; f < __FEAT_MAX; f++)
		nf += b.have[f];
	sha256_hex(env.p, env.len, digest);
	printf("%s\t%s\t%llu\t%llu\t%zu\t%s\t%llu\t%llu\t%u\n", out, model, (unsigned long long)b.windows,
	       (unsigned long long)b.samples, nf, digest, (unsigned long long)b.window_ns, (unsigned long long)b.active,
	       b.null.samples);
	ret = PL_EXIT_OK;
	goto cleanup;
oom:
	plerr_set(&e, -1, "out of memory");
err:
	pl_error(&e);
cleanup:
	json_decref(subj);
	free(all);
	buf_free(&env);
	seckey__free(&key);
	return ret;
}

int cmd_baseline(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("baseline", "missing subcommand (register)");
	if (!strcmp(argv[1], "register"))
		return do_register(argc - 1, argv + 1);
	return usage_error("baseline", "unknown subcommand '%s' (register)", argv[1]);
}
