// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger eval [--quick] [--seeds N] [--duration D] [--real DIR] [--report DIR [--force]] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "report/eval.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_eval_help[] =
"NAME\n"
"       powerledger eval - the detectors against a labelled corpus: detection\n"
"       and false-accusation rates\n"
"\n"
"SYNOPSIS\n"
"       powerledger eval [--quick] [--seeds N] [--seed-base N] [--duration D]\n"
"                        [--tune-duration D] [--real DIR]\n"
"                        [--report DIR [--force]] [--verbose]\n"
"\n"
"DESCRIPTION\n"
"       Generates a labelled corpus with the workload generator (see\n"
"       generate; the same options give the same numbers), registers\n"
"       baselines and checks held-out traces against them as check does,\n"
"       all in memory: no keys, no trace files.  A proof is what check\n"
"       would sign (rail-tamper when it fires, else model-mismatch, else\n"
"       crypto-miner-hidden); a proof on an honest trace is a false\n"
"       accusation.\n"
"\n"
"       For each sensor setting -- pmbus polled at 1 kHz, nvml (100 ms\n"
"       refresh) at 10 Hz, a 10-bit adc at 2.35 kHz, and a sample-rate\n"
"       sweep of pmbus at 10 Hz, 100 Hz and 10 kHz (llm traces only) -- and\n"
"       each claimed model (llm 7b, 13b, 70b on an H100), a baseline is\n"
"       registered from tuning seeds 1..3 (batch 4 short, batch 8 mixed,\n"
"       batch 16 long prompts).  Held-out traces (seeds from 1001, never a\n"
"       tuning seed): the same model at batch 1, 32, 8 long and 2 short\n"
"       (negatives for every detector), the other sizes (model-mismatch\n"
"       positives), miner-compute and miner-memory (crypto-miner-hidden\n"
"       positives), training, diffusion, transcode and idle (crypto-miner-\n"
"       hidden negatives), and the adversaries spike, onoff and smooth over\n"
"       a miner and interleave, powercap and replay over the claimed model\n"
"       (detection rate per adversary; a miner counts as detected by\n"
"       crypto-miner-hidden or model-mismatch, the table says which).\n"
"\n"
"       With --real, every CSV under DIR (and its subdirectories) is\n"
"       imported (a multi-GPU log: GPU 0; a file that does not import is\n"
"       skipped with a note) and checked against a baseline from other\n"
"       files of its directory.  Files named as repeats (_r00_, _r01_, ...)\n"
"       tune on r00 and r01 and check the other repeats: honest traces,\n"
"       where every proof is a false accusation, listed with file and\n"
"       detector.  Other directories tune on their first file and check the\n"
"       rest; those may be other workloads, so their proofs are listed as\n"
"       cross-file proofs, not counted.  Nothing is copied.\n"
"\n"
"OPTIONS\n"
"       --quick           A reduced corpus for tests: pmbus 1 kHz and nvml\n"
"                         10 Hz only, one held-out seed, 60 s traces.\n"
"       --seeds N         Held-out seeds per case (default 4; quick 1).\n"
"       --tune-duration D Length of every commissioning trace (default: as\n"
"                         --duration).  Longer commissioning gives the null\n"
"                         more samples and each group more evidence.\n"
"       --seed-base N     First held-out seed (default 1001).  Seeds\n"
"                         1001..1004 are the development set the detectors\n"
"                         were examined on; report on others (README: 5001).\n"
"       --duration D      Length of every trace (default 60s, quick too).\n"
"       --real DIR        Also check the real CSV logs under DIR.\n"
"       --report DIR      Write DIR/report.md and its SVG pictures (DIR is\n"
"                         created).\n"
"       --force           Replace report files that exist.\n"
"       --verbose         One line per check on standard error: the trace,\n"
"                         the baseline, each detector's verdict, the score,\n"
"                         SIGNED when check would sign a proof.\n"
"\n"
"OUTPUT\n"
"       Tab-separated lines, each starting with \"eval\":\n"
"         eval DETECTOR TP n FN n FP n TN n undecided n\n"
"         eval DETECTOR tpr X   and   eval DETECTOR fpr X\n"
"                  (DETECTOR: model-mismatch, crypto-miner-hidden,\n"
"                  rail-tamper; nan when there is no case)\n"
"         eval false-accusations N\n"
"                  signed proofs on same-model held-out traces\n"
"         eval false-accusation SETTING llm SIZE batch N PROMPT seed N: DETECTOR\n"
"                  each of them\n"
"         eval model-mismatch time-to-proof-ms median X p90 X n N\n"
"         eval adversary NAME detected K/N miner n model-mismatch n\n"
"                  rail-tamper n undecided n\n"
"         eval non-mining checks N miner n model-mismatch n\n"
"         eval setting NAME window-ms W size-accuracy X (K/N)\n"
"                  pair-accuracy X mm-tpr X mm-fpr X [baseline-refused WHY]\n"
"         eval real checks N honest N undecided N skipped N\n"
"                  cross-file-proofs N   (with --real)\n"
"         eval real-false-accusations N   and   eval real-note TEXT\n"
"         eval checks N traces N wall-s S\n"
"       Progress, one line per setting, goes to standard error.\n"
"\n"
"EXIT STATUS\n"
"       0      the corpus ran (whatever the rates).\n"
"       2      usage error, an existing report file without --force, I/O\n"
"              error.\n"
"\n"
"FILES\n"
"       DIR/report.md\n"
"              tables, tuning and held-out seeds, the command, wall time.\n"
"       DIR/roc-model-mismatch.svg\n"
"              ROC of the model-mismatch score (-ln of the smallest group\n"
"              p-value) per setting: other sizes against the same model.\n"
"       DIR/trace-example.svg\n"
"              one model-mismatch positive with its proof span (when one\n"
"              fired on pmbus).\n"
"\n"
"EXAMPLES\n"
"       powerledger eval --quick\n"
"       powerledger eval --report /tmp/pl-eval --force\n"
"       powerledger eval --seeds 3 --real ../shared/data/real --report out\n";
/* clang-format on */

int cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },	      { "seeds", required_argument, NULL, 's' },
		{ "seed-base", required_argument, NULL, 'B' },
		{ "tune-duration", required_argument, NULL, 'T' },
		{ "duration", required_argument, NULL, 'd' }, { "real", required_argument, NULL, 'r' },
		{ "report", required_argument, NULL, 'o' },   { "force", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },	      { NULL, 0, NULL, 0 },
	};
	struct eval_opts o = { 0 };
	struct eval_result r = { 0 };
	struct plerr e = { "" };
	struct buf cmd = { 0 };
	const char *report = NULL;
	bool force = false;
	uint64_t u;
	int c, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'q': o.quick = true; break;
		case 's':
			if (parse_u64(optarg, &u) || !u || u > 1000)
				return usage_error("eval", "bad --seeds '%s' (1..1000)", optarg);
			o.seeds = (uint32_t)u;
			break;
		case 'T':
			if (parse_duration_ns(optarg, &o.tune_ns) || o.tune_ns < 5000000000ULL ||
			    o.tune_ns > 3600000000000ULL)
				return usage_error("eval", "bad --tune-duration '%s' (5s..1h)", optarg);
			break;
		case 'B':
			if (parse_u64(optarg, &u) || u < 1000 || u > 1000000000)
				return usage_error("eval", "bad --seed-base '%s' (1000..1000000000: never a tuning seed)",
						  optarg);
			o.seed_base = u;
			break;
		case 'd':
			if (parse_duration_ns(optarg, &o.duration_ns) || o.duration_ns < 5000000000ULL ||
			    o.duration_ns > 3600000000000ULL)
				return usage_error("eval", "bad --duration '%s' (5s..1h)", optarg);
			break;
		case 'r': o.real_dir = optarg; break;
		case 'o': report = optarg; break;
		case 'f': force = true; break;
		case 'v': o.verbose = true; break;
		default: return usage_error("eval", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("eval", "unexpected argument '%s'", argv[optind]);
	if (o.real_dir && !path_is_dir(o.real_dir))
		return usage_error("eval", "--real '%s' is not a directory", o.real_dir);
	/* Refused before the run, not after two minutes of it. */
	for (int i = 0; report && i < 3; i++) {
		static const char *const names[] = { "report.md", "roc-model-mismatch.svg", "trace-example.svg" };
		char *p = path_join(report, names[i]);

		if (!p || out_check(p, force, &e)) {
			free(p);
			goto err;
		}
		free(p);
	}
	o.progress = stderr;
	buf_puts(&cmd, PL_PROG);
	for (int i = 0; i < argc; i++)
		buf_printf(&cmd, " %s", argv[i]);
	if (eval_run(&o, &r, &e))
		goto err;
	eval_print(&r, stdout);
	if (report && eval_write_report(&r, report, cmd.p ? (const char *)cmd.p : PL_PROG " eval", force, &e))
		goto err;
	ret = PL_EXIT_OK;
	goto cleanup;
err:
	pl_error(&e);
cleanup:
	eval_result__free(&r);
	buf_free(&cmd);
	return ret;
}
