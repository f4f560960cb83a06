// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger check --trace T --claim C --baseline B --key OPERATOR.key (--keydir D | --trust R=PUB)... */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/cli_opts.h"
#include "daemon/check.h"
#include "evidence/canon.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_check_help[] =
"NAME\n"
"       powerledger check - test a trace against a claim and a baseline;\n"
"       sign proofs\n"
"\n"
"SYNOPSIS\n"
"       powerledger check --trace TRACE --claim CLAIM --baseline BASELINE\n"
"                         --key OPERATOR.key (--keydir DIR | --trust [ROLE=]PUB)...\n"
"                         [-o DIR] [--all] [--fail-on-proof] [--json] [--contexts]\n"
"                         [--false-alarm-rate R] [--miner-span D] [--force]\n"
"\n"
"DESCRIPTION\n"
"       Verifies the vendor's Workload claim and the operator's Baseline\n"
"       against the trusted keys, checks that they concern the trace's\n"
"       hardware (fingerprint) and the same model, then runs the detectors\n"
"       over the trace's samples inside the claim's time window:\n"
"\n"
"       rail-tamper          physics the rails do not allow, only where the\n"
"                            sensor can show it: POUT != VOUT*IOUT (> 3 % for\n"
"                            5+ samples; needs the three DC output rails),\n"
"                            readings stuck far longer than the sensor's own\n"
"                            change rate allows (kernel captures only: never\n"
"                            for an imported power log), VOUT level shifts\n"
"                            (> 3 %), timestamps going back or jumping,\n"
"                            sequence gaps beyond lost records, readings\n"
"                            replayed in a loop (their fine structure coming\n"
"                            back one loop later; kernel captures only).\n"
"       crypto-miner-hidden  under an inference claim, positive evidence of\n"
"                            mining: an unbroken run of at least 30 s of\n"
"                            windows that are flat (no request structure,\n"
"                            CV <= 1 %) and in the upper half of the host's\n"
"                            range (the baseline's idle floor to its\n"
"                            ceiling); or mining that hides, in the gaps\n"
"                            between requests or switched on and off: 4\n"
"                            windows holding the draw still (a plateau) for\n"
"                            0.5 s and twice the model's own longest, high in\n"
"                            the range, on a sensor that shows the steps.\n"
"                            Being above the claimed model's maximum is not\n"
"                            mining: a bigger model does that.\n"
"       model-mismatch       a sequential test: groups of 3 active windows,\n"
"                            each group's model-feature statistic turned into\n"
"                            a p-value under the baseline's calibrated null,\n"
"                            accumulated by a CUSUM until the false-alarm\n"
"                            rate per hour (--false-alarm-rate, default 1e-6)\n"
"                            is met.  The proof states the CUSUM, its\n"
"                            threshold, the false-alarm bound and the time to\n"
"                            proof.  Only model features count (the step\n"
"                            cadence), never load (levels, duty, request\n"
"                            rate); a step slower than the baseline's by up\n"
"                            to 1.4x is load (batching), one faster than 85 %\n"
"                            of its lightest commissioned load is a smaller\n"
"                            model.\n"
"\n"
"       model-mismatch needs a baseline from the same kind of sensor at a\n"
"       comparable refresh (else undecided, saying why); windows are the\n"
"       baseline's.  When the evidence fits both\n"
"       crypto-miner-hidden and model-mismatch, model-mismatch -- the weaker\n"
"       accusation -- is signed (both with --all).  A detector that cannot\n"
"       decide says undecided and why.\n"
"\n"
"       The most specific detector that fires gives the proof (in that\n"
"       order: forged telemetry voids the rest), or every one with --all.\n"
"       Each proof is a Proof/v1 statement -- kind, trace, claim and baseline\n"
"       digests, window bounds, integer evidence (mW, ppm, milli-sigma),\n"
"       detector name and version -- in a DSSE envelope signed with the\n"
"       operator key.  Exact definitions: agent/science/detect.h.\n"
"\n"
"OPTIONS\n"
"       --trace, --claim, --baseline FILE   Inputs.  Required.\n"
"       --key KEY          Operator private key that signs proofs.  Required.\n"
CLI_TRUST_HELP
"              At least one trusted key is needed.\n"
"       -o, --out DIR      Where proofs go (default: the trace's directory);\n"
"                          created, with its parents, if missing.\n"
"       --all              Run every detector and sign every proof.\n"
"       --fail-on-proof    Exit 1 when a proof was raised.\n"
"       --miner-span D     crypto-miner-hidden: the shortest sustained flat\n"
"                          high draw that counts (default 30s; inference at\n"
"                          saturation can hold still for seconds, not for\n"
"                          half a minute without a request boundary).\n"
"       --false-alarm-rate R\n"
"                          model-mismatch false alarms per hour of checked\n"
"                          trace, 0 < R <= 1 (default 1e-6: one false proof\n"
"                          in a million host-hours of a calibrated baseline).\n"
"       --json             One canonical JSON object instead of lines; when the\n"
"                          trace has GPU contexts it carries \"contexts\": the\n"
"                          claim window's energy per context (as info\n"
"                          --contexts reports it, the 8 largest).\n"
"       --contexts         Also CONTEXT lines: tgid/comm, ctx, source, share\n"
"                          (ppm) and energy (uJ) of the claim window's largest\n"
"                          GPU contexts.  A proof names a context (its\n"
"                          evidence.context) only when one process held a\n"
"                          real context for more than half of the energy in\n"
"                          the proof's window and no event was dropped; never\n"
"                          for rail-tamper.\n"
"       --force            Replace a proof file of the same name that holds\n"
"                          something else.  Without it such a file is left\n"
"                          as it is and check exits 2; an identical proof\n"
"                          (the same inputs checked again) is not replaced\n"
"                          and needs no --force.\n"
"\n"
"OUTPUT\n"
"       One tab-separated line per detector that ran: RESULT (PROOF, OK or\n"
"       UNDECIDED), detector, trace, what it measured, and for PROOF the\n"
"       proof's path.  --json: {\"detectors\":[{\"detector\",\"path\",\n"
"       \"result\",\"summary\"}],\"proofs\":N,\"trace\",\"trace_digest\"}.\n"
"\n"
"EXIT STATUS\n"
"       0      checked (with or without proofs).\n"
"       1      a proof was raised and --fail-on-proof was given; or the\n"
"              claim or baseline does not verify (bad signature, or no\n"
"              valid signature by a key of the role that signs it).\n"
"       2      usage error, unreadable input, claim or baseline not about\n"
"              this trace's hardware (the baseline too: one commissioned on\n"
"              other hardware is refused) or model, no samples in the\n"
"              window, a different proof file in the way without --force,\n"
"              write error (also on standard output).\n"
"\n"
"FILES\n"
"       DIR/TRACE.CLAIM.<detector>.proof.dsse.json\n"
"              signed proofs (TRACE without .pltr, CLAIM without .dsse.json):\n"
"              one file per trace, claim and detector.\n"
"\n"
"EXAMPLES\n"
"       powerledger check --trace host.pltr --claim claim.dsse.json \\\n"
"           --baseline gpt4.baseline.dsse.json --key operator.key \\\n"
"           --keydir keys/ --fail-on-proof\n";
/* clang-format on */

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trace", required_argument, NULL, 't' },
		{ "claim", required_argument, NULL, 'c' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "key", required_argument, NULL, 'k' },
		CLI_TRUST_OPTIONS,
		{ "out", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "fail-on-proof", no_argument, NULL, 'F' },
		{ "false-alarm-rate", required_argument, NULL, 'h' },
		{ "miner-span", required_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "contexts", no_argument, NULL, 0x200 },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct check_in in = { 0 };
	struct check_out out = { 0 };
	struct detect_params dp;
	struct keyring kr = { 0 };
	struct pl_seckey key = { 0 };
	struct plerr e = { "" };
	const char *keypath = NULL;
	bool fail_on_proof = false, json = false, contexts = false;
	int c, d, ret = PL_EXIT_ERR;

	detect_params_default(&dp);
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 't': in.trace_path = optarg; break;
		case 'c': in.claim_path = optarg; break;
		case 'b': in.baseline_path = optarg; break;
		case 'k': keypath = optarg; break;
		case CLI_OPT_KEYDIR:
		case CLI_OPT_TRUST:
			if (cli_trust_opt(&kr, c, optarg, &e))
				goto err;
			break;
		case 'o': in.outdir = optarg; break;
		case 'a': in.all = true; break;
		case 'F': fail_on_proof = true; break;
		case 0x200: contexts = true; break;
		case 'N':
			if (parse_duration_ns(optarg, &dp.miner_min_span_ns) || !dp.miner_min_span_ns) {
				ret = usage_error("check", "bad --miner-span '%s' (e.g. 30s, 2min)", optarg);
				goto cleanup;
			}
			break;
		case 'h':
			if (cli_rate_opt(optarg, &dp.false_alarm_per_hour)) {
				ret = usage_error("check", "bad --false-alarm-rate '%s' (per hour, 0 < R <= 1, e.g. 1e-6)",
						  optarg);
				goto cleanup;
			}
			break;
		case 'j': json = true; break;
		case 'f': in.force = true; break;
		default: ret = usage_error("check", "bad option"); goto cleanup;
		}
	}
	if (optind != argc) {
		ret = usage_error("check", "unexpected argument '%s'", argv[optind]);
		goto cleanup;
	}
	if (!in.trace_path || !in.claim_path || !in.baseline_path || !keypath) {
		ret = usage_error("check", "--trace, --claim, --baseline and --key are required");
		goto cleanup;
	}
	if (!kr.n) {
		ret = usage_error("check", "no trusted keys for the claim and baseline: give --keydir or --trust");
		goto cleanup;
	}
	if (seckey__load(&key, keypath, &e) || (in.outdir && mkdir_p(in.outdir, 0755, &e)))
		goto err;
	in.trusted = kr.keys;
	in.ntrusted = kr.n;
	in.key = &key;
	in.dp = &dp;
	c = check_run(&in, &out, &e);
	if (c) {
		pl_error(&e);
		/* A claim or baseline that does not verify is a negative result, like verify's. */
		ret = cli_exit_for(c);
		goto cleanup;
	}
	if (json) {
		json_t *dets = json_array();

		for (d = __DET_MAX - 1; d >= 0; d--) {
			const char *path = "-";
			bool proof = false;

			if (!out.ran[d])
				continue;
			for (size_t i = 0; i < out.nproofs; i++)
				if (out.proofs[i].det == (enum detector)d) {
					proof = true;
					path = out.proofs[i].path;
				}
			json_array_append_new(dets, json_pack("{s:s,s:o,s:s,s:o}", "detector",
							      detector_name((enum detector)d), "path", cli_jstr(path), "result",
							      proof				       ? "PROOF"
							      : out.undecided[d] ? "UNDECIDED"
												       : "OK",
							      "summary", cli_jstr(out.notes[d])));
		}
		json_t *o = json_pack("{s:o,s:I,s:o,s:s}", "detectors", dets, "proofs", (json_int_t)out.nproofs, "trace",
				      cli_jstr(in.trace_path), "trace_digest", out.trace_digest);

		if (o && out.contexts)
			json_object_set(o, "contexts", out.contexts);
		if (cli_print_json(o))
			goto cleanup;
	} else {
		for (d = __DET_MAX - 1; d >= 0; d--) {
			const char *path = NULL;

			if (!out.ran[d])
				continue;
			for (size_t i = 0; i < out.nproofs; i++)
				if (out.proofs[i].det == (enum detector)d)
					path = out.proofs[i].path;
			printf("%s\t%s\t%s\t%s%s%s\n",
			       path					? "PROOF"
			       : out.undecided[d] ? "UNDECIDED"
									: "OK",
			       detector_name((enum detector)d), in.trace_path, out.notes[d], path ? "\t" : "",
			       path ? path : "");
		}
		if (contexts && out.contexts) {
			json_t *x, *a = json_object_get(out.contexts, "contexts");
			size_t i;

			json_array_foreach(a, i, x)
				printf("CONTEXT\t%" PRId64 "/%s\t%s\t%s\t%" PRId64 " ppm\t%" PRId64 " uJ\n",
				       (int64_t)json_integer_value(json_object_get(x, "tgid")),
				       json_string_value(json_object_get(x, "comm")),
				       json_string_value(json_object_get(x, "ctx")),
				       json_string_value(json_object_get(x, "source")),
				       (int64_t)json_integer_value(json_object_get(x, "share_ppm")),
				       (int64_t)json_integer_value(json_object_get(x, "energy_uj")));
		}
	}
	ret = out.nproofs && fail_on_proof ? PL_EXIT_NEG : PL_EXIT_OK;
	goto cleanup;
err:
	pl_error(&e);
cleanup:
	check_out__free(&out);
	seckey__free(&key);
	keyring__free(&kr);
	return ret;
}
