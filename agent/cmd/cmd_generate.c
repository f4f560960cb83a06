// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger generate -o TRACE [--workload W ...] [--labels JSON] [--force] */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "capture/gen.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_generate_help[] =
"NAME\n"
"       powerledger generate - synthetic labelled telemetry: a workload seen\n"
"       through a sensor model\n"
"\n"
"SYNOPSIS\n"
"       powerledger generate -o TRACE [--workload W] [--size S] [--batch N]\n"
"                            [--prompt P] [--adversary A] [--gpu G]\n"
"                            [--gpus N] [--sensor K] [--rate HZ | --period D]\n"
"                            [--refresh D] [--averaging D] [--duration D]\n"
"                            [--seed N] [--t0 NS] [--labels JSON] [--force]\n"
"\n"
"DESCRIPTION\n"
"       Simulates one GPU host running a workload and writes what a power\n"
"       sensor polled at the given rate would have recorded.  The same\n"
"       options and seed give the same bytes; another seed gives other\n"
"       request arrivals, phases and noise.  Layer one computes each GPU's\n"
"       true board power at a fine step (100 us, shorter for faster polls);\n"
"       layer two is the sensor: it publishes a reading at its own refresh\n"
"       instants, and a poll returns the latest one (polling NVML at 10 kHz\n"
"       repeats each value ~1000 times; polling it at 10 Hz aliases).\n"
"       Physics, defaults and the calibration against real captures:\n"
"       agent/capture/GENERATOR.md.\n"
"\n"
"       Workloads: llm (inference: prefill near the limit, then decode steps\n"
"       whose cadence grows with model size -- 7b ~12 ms, 13b ~20 ms, 70b\n"
"       ~45 ms per token on an H100 -- with a host-side dip after each;\n"
"       batch and prompt mix change the load, not the cadence), diffusion,\n"
"       training, miner-compute, miner-memory, transcode, idle.\n"
"\n"
"       Adversaries, applied on top: spike (short spikes over a miner to fake\n"
"       requests), onoff (the workload switched on and off), interleave\n"
"       (mining in the gaps between requests), smooth (a 0.5 s capacitor\n"
"       low-pass), powercap (peaks clipped at 65 % of the range), replay\n"
"       (the first 2-5 s looped).\n"
"\n"
"       Sensors: pmbus (the PSU: the whole server -- every GPU plus CPUs and\n"
"       fans -- through a 3 ms output-capacitor low-pass, a 2 ms refresh,\n"
"       an efficiency curve for PIN, all seven rails LINEAR11/16-coded;\n"
"       monotonic clock, source synthetic), nvml (GPU 0's board power, 100 ms\n"
"       refresh, 25 ms boxcar, 10 mW; PIN only, wall clock, source csv as an\n"
"       imported nvidia-smi log), adc (a current clamp on GPU 0 through a\n"
"       10-bit ADC, full scale 1.25 x the limit, instantaneous, refresh =\n"
"       the poll period; PIN only, wall clock, source csv).\n"
"\n"
"OPTIONS\n"
"       -o, --out TRACE   The trace to write (.pltr).  Required.\n"
"       --workload W      llm (default), diffusion, training, miner-compute,\n"
"                         miner-memory, transcode, idle.\n"
"       --size S          llm model size: 7b (default), 13b, 70b.\n"
"       --batch N         1..64 (default 1): concurrent requests (llm),\n"
"                         streams (transcode), load (diffusion).\n"
"       --prompt P        short, long, mixed (default).\n"
"       --adversary A     none (default), spike, onoff, interleave, smooth,\n"
"                         powercap, replay.\n"
"       --gpu G           h100 (default: 70 W idle, 700 W limit), a100\n"
"                         (50/400), l40s (35/350), rtx4090 (25/450).\n"
"       --gpus N          GPUs on the host, 1..8 (default 1); pmbus sums them\n"
"                         with independent phases, nvml and adc read GPU 0.\n"
"       --sensor K        nvml (default), pmbus, adc.\n"
"       --rate HZ         Poll rate: 10Hz, 2.35kHz, 10000 ...\n"
"       --period D        Poll period: 100ms, 1ms, 100us ... (default: 100ms\n"
"                         for nvml, 1ms for pmbus, 2.35 kHz for adc).\n"
"       --refresh D       The sensor's own update interval (default: pmbus\n"
"                         2ms, nvml 100ms, adc the poll period).\n"
"       --averaging D     pmbus: output-capacitor time constant (3ms); nvml:\n"
"                         boxcar window (25ms; 1s for power.draw.average);\n"
"                         not for adc.\n"
"       --duration D      Length (default 60s).\n"
"       --seed N          Random seed (default 1).\n"
"       --t0 NS           ts_ns of the first poll (default: 1000 s on the\n"
"                         monotonic clock for pmbus, 2026-01-01T00:00:00Z\n"
"                         for nvml and adc).\n"
"       --labels JSON     Also write the ground truth: every parameter, with\n"
"                         the sensor model (refresh_ns, averaging_ns,\n"
"                         quantum_uw), samples, first_ts_ns (t0 is 0 when\n"
"                         defaulted) and derived labels: miner, tampered,\n"
"                         model (the llm size, else null).\n"
"       --force           Replace existing output files.\n"
"\n"
"OUTPUT\n"
"       One tab-separated line: TRACE, samples, period_ns, sensor,\n"
"       refresh_ns, quantum_uw, averaging_ns, fingerprint.\n"
"\n"
"EXIT STATUS\n"
"       0      written.\n"
"       2      usage error (the message names the bad value), an existing\n"
"              output without --force, I/O error.\n"
"\n"
"FILES\n"
"       TRACE  the .pltr trace written (atomically; refused if it exists,\n"
"              unless --force).\n"
"       JSON   with --labels: the ground truth, canonical key order,\n"
"              indented.\n"
"       agent/capture/GENERATOR.md\n"
"              the models, their parameters and their calibration.\n"
"\n"
"EXAMPLES\n"
"       powerledger generate -o llm70.pltr --workload llm --size 70b --batch 8\n"
"       powerledger generate -o psu.pltr --sensor pmbus --gpus 8 --rate 1kHz\n"
"       powerledger generate -o m.pltr --workload miner-memory --adversary spike \\\n"
"                            --sensor adc --rate 2.35kHz --labels m.json\n";
/* clang-format on */

static int write_labels(const char *path, const char *trace, const struct gen_params *p, const struct sensor_model *m,
			const struct trace *t, bool force, struct plerr *e)
{
	bool miner = p->workload == GEN_W_MINER_COMPUTE || p->workload == GEN_W_MINER_MEMORY ||
		     p->adversary == GEN_ADV_INTERLEAVE;
	json_t *o;
	char *s;
	int ret;

	o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:b,s:s?}", "trace",
		      trace, "workload", gen_workload_name(p->workload), "size", gen_size_name(p->size), "batch",
		      (json_int_t)p->batch, "prompt", gen_prompt_name(p->prompt), "adversary",
		      gen_adversary_name(p->adversary), "gpu", gen_gpu_name(p->gpu), "gpus", (json_int_t)p->gpus,
		      "sensor", sensor_kind_name(m->kind), "period_ns", (json_int_t)p->period_ns, "refresh_ns",
		      (json_int_t)m->refresh_ns, "averaging_ns", (json_int_t)m->averaging_ns, "quantum_uw",
		      (json_int_t)m->quantum_uw, "duration_ns", (json_int_t)p->duration_ns, "seed", (json_int_t)p->seed,
		      "t0_ns", (json_int_t)p->t0_ns, "samples", (json_int_t)t->n, "first_ts_ns",
		      (json_int_t)t->info.t0_ns, "miner", miner, "tampered", p->adversary == GEN_ADV_REPLAY, "model",
		      p->workload == GEN_W_LLM ? gen_size_name(p->size) : NULL);
	s = o ? json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
	json_decref(o);
	if (!s)
		return plerr_set(e, -ENOMEM, "out of memory");
	{
		size_t l = strlen(s);
		char *nl = realloc(s, l + 2);

		if (!nl) {
			free(s);
			return plerr_set(e, -ENOMEM, "out of memory");
		}
		s = nl;
		s[l] = '\n';
		s[l + 1] = 0;
	}
	ret = file_write_atomic(path, s, strlen(s), 0644, afile_force(force), e);
	free(s);
	return ret;
}

int cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "workload", required_argument, NULL, 'w' },
		{ "size", required_argument, NULL, 'z' },
		{ "batch", required_argument, NULL, 'b' },
		{ "prompt", required_argument, NULL, 'P' },
		{ "adversary", required_argument, NULL, 'a' },
		{ "gpu", required_argument, NULL, 'g' },
		{ "gpus", required_argument, NULL, 'G' },
		{ "sensor", required_argument, NULL, 'k' },
		{ "rate", required_argument, NULL, 'R' },
		{ "period", required_argument, NULL, 'p' },
		{ "refresh", required_argument, NULL, 'r' },
		{ "averaging", required_argument, NULL, 'A' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "t0", required_argument, NULL, 't' },
		{ "labels", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *labels = NULL;
	struct gen_params p;
	struct sensor_model m;
	struct plerr e = { "" };
	struct trace t = { 0 };
	uint64_t v, rate_period = 0, period = 0;
	bool force = false;
	int c, ret = PL_EXIT_ERR;

	gen_params_default(&p);
	p.period_ns = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'w':
			if (gen_workload_parse(optarg, &p.workload))
				return usage_error("generate",
						   "bad --workload '%s' (llm, diffusion, training, "
						   "miner-compute, miner-memory, transcode, idle)",
						   optarg);
			break;
		case 'z':
			if (gen_size_parse(optarg, &p.size))
				return usage_error("generate", "bad --size '%s' (7b, 13b, 70b)", optarg);
			break;
		case 'b':
			if (parse_u64(optarg, &v) || v < 1 || v > GEN_MAX_BATCH)
				return usage_error("generate", "bad --batch '%s' (1..%d)", optarg, GEN_MAX_BATCH);
			p.batch = (uint32_t)v;
			break;
		case 'P':
			if (gen_prompt_parse(optarg, &p.prompt))
				return usage_error("generate", "bad --prompt '%s' (short, long, mixed)", optarg);
			break;
		case 'a':
			if (gen_adversary_parse(optarg, &p.adversary))
				return usage_error("generate",
						   "bad --adversary '%s' (none, spike, onoff, interleave, "
						   "smooth, powercap, replay)",
						   optarg);
			break;
		case 'g':
			if (gen_gpu_parse(optarg, &p.gpu))
				return usage_error("generate", "bad --gpu '%s' (h100, a100, l40s, rtx4090)", optarg);
			break;
		case 'G':
			if (parse_u64(optarg, &v) || v < 1 || v > GEN_MAX_GPUS)
				return usage_error("generate", "bad --gpus '%s' (1..%d)", optarg, GEN_MAX_GPUS);
			p.gpus = (uint32_t)v;
			break;
		case 'k':
			if (gen_sensor_parse(optarg, &p.sensor))
				return usage_error("generate", "bad --sensor '%s' (pmbus, nvml, adc)", optarg);
			break;
		case 'R':
			if (cli_parse_rate_period_ns(optarg, &rate_period))
				return usage_error("generate", "bad --rate '%s' (e.g. 10Hz, 2.35kHz, 1000)", optarg);
			break;
		case 'p':
			if (parse_duration_ns(optarg, &period))
				return usage_error("generate", "bad --period '%s' (e.g. 100ms, 1ms, 100us)", optarg);
			break;
		case 'r':
			if (parse_duration_ns(optarg, &p.refresh_ns))
				return usage_error("generate", "bad --refresh '%s' (e.g. 100ms, 2ms)", optarg);
			break;
		case 'A':
			if (parse_duration_ns(optarg, &p.averaging_ns))
				return usage_error("generate", "bad --averaging '%s' (e.g. 25ms, 1s)", optarg);
			break;
		case 'd':
			if (parse_duration_ns(optarg, &p.duration_ns))
				return usage_error("generate", "bad --duration '%s' (e.g. 60s, 10min)", optarg);
			break;
		case 's':
			if (parse_u64(optarg, &p.seed))
				return usage_error("generate", "bad --seed '%s'", optarg);
			break;
		case 't':
			if (parse_u64(optarg, &p.t0_ns))
				return usage_error("generate", "bad --t0 '%s'", optarg);
			break;
		case 'l': labels = optarg; break;
		case 'f': force = true; break;
		default: return usage_error("generate", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("generate", "unexpected operand '%s'", argv[optind]);
	if (!out)
		return usage_error("generate", "-o TRACE is required");
	if (rate_period && period)
		return usage_error("generate", "--rate or --period, not both");
	p.period_ns = rate_period ? rate_period : period;
	if (!p.period_ns)
		p.period_ns = p.sensor == SENSOR_PMBUS ? 1000000 : p.sensor == SENSOR_ADC ? 425532 : 100000000;
	if (labels && !strcmp(labels, out))
		return usage_error("generate", "--labels and -o name the same file");
	if (gen_sensor(&p, &m, &e))
		return usage_error("generate", "%s", e.msg);
	if (out_check(out, force, &e) || (labels && out_check(labels, force, &e))) {
		pl_error(&e);
		goto cleanup;
	}
	if (gen_trace(&p, &t, &m, &e) || trace_save(out, &t, afile_force(force), &e) ||
	    (labels && write_labels(labels, out, &p, &m, &t, force, &e))) {
		pl_error(&e);
		goto cleanup;
	}
	printf("%s\t%zu\t%" PRIu64 "\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%s\n", out, t.n, p.period_ns,
	       sensor_kind_name(m.kind), m.refresh_ns, m.quantum_uw, m.averaging_ns, t.info.fingerprint);
	ret = PL_EXIT_OK;
cleanup:
	trace__free(&t);
	return ret;
}
