// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger run --claims DIR (--baseline-dir DIR | --baseline FILE) --key K --reader-key K --keydir DIR -o DIR */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/cli_opts.h"
#include "daemon/rund.h"
#include "daemon/segment.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_run_help[] =
"NAME\n"
"       powerledger run - the capture daemon: continuous traces, checks\n"
"       against the active claims, signed proofs\n"
"\n"
"SYNOPSIS\n"
"       powerledger run --claims DIR (--baseline-dir DIR | --baseline FILE)\n"
"                       --key OPERATOR.key --reader-key READER.key\n"
"                       (--keydir DIR | --trust [ROLE=]PUB)... -o OUTDIR\n"
"                       [--segment D] [--segment-memory SIZE] [--window D]\n"
"                       [--decide window|segment]\n"
"                       [--device PATH] [--dev-id N] [--period D] [--json]\n"
"                       [--status-interval D] [--false-alarm-rate R] [--miner-span D]\n"
"                       [--host S] [--mfr-id S] [--mfr-model S] [--mfr-serial S]\n"
"                       [--source kmod|synth[:WL[=D],...]]\n"
"                       [--gpu-context auto|off] [--libcuda PATH]\n"
"                       [--libcudart PATH] [--nvidia-ioctl SYMBOL]\n"
"\n"
"DESCRIPTION\n"
"       Maps the powerledger module's rings once (the only consumer), starts\n"
"       sampling and waits with epoll on the device (woken at a quarter ring,\n"
"       and every 250 ms).  The records of one device go into an in-memory\n"
"       segment, a buffer sized once for SEGMENT / period records (plus 5 %,\n"
"       within --segment-memory) and reused, so memory does not grow with\n"
"       uptime.  Segments follow a\n"
"       grid of SEGMENT from the first record; when one ends it is written\n"
"       to OUTDIR as a trace (agent/TRACE-FORMAT.md) and its reader-signed\n"
"       Trace statement, each atomically (temporary file, fsync, rename,\n"
"       fsync of the directory).\n"
"\n"
"       Then the claims directory is read again -- claims may be added or\n"
"       removed while the daemon runs -- and the segment is checked against\n"
"       every active claim exactly as `powerledger check` does.  A claim is\n"
"       active when its Workload statement verifies against the trusted keys\n"
"       (vendor role), names this host's hardware fingerprint, has a\n"
"       baseline for its model, and its time window overlaps the segment\n"
"       (the detectors look only at the overlap).  Each contradiction is a\n"
"       Proof signed with the operator key.  A claim that does not verify,\n"
"       or has no baseline, is reported once (again if it changes) and\n"
"       skipped.  With --baseline-dir, each model's baseline is the newest\n"
"       one commissioned on this hardware; baselines of other hardware are\n"
"       never used (check refuses them too).  A --baseline of other\n"
"       hardware is refused at start.\n"
"\n"
"       Decisions are online: each time another window of samples has\n"
"       arrived, the segment so far is judged against every active claim\n"
"       with check's detectors (model-mismatch's CUSUM window by window, the\n"
"       miner's runs and plateaus), and a segment one of them fires on is\n"
"       closed at once and checked, so the proof is signed within a window\n"
"       of the evidence becoming conclusive, not at the segment's end (the\n"
"       segment event says \"early\").  The next segment starts afresh: a\n"
"       proof is derived from one trace, so evidence does not carry across\n"
"       segments -- keep --segment long (minutes) so that a slow\n"
"       accumulation fits in one.  rail-tamper is judged at the segment's\n"
"       end.\n"
"\n"
"       Checks run one per loop turn, the rings drained in between.  Errors\n"
"       after start-up -- a full disk, a bad claim, a failed check -- are\n"
"       reported and the daemon goes on.\n"
"\n"
"       GPU contexts (--gpu-context auto, the default with the kmod source):\n"
"       the eBPF programs are attached as for record, their events joined\n"
"       as they come, and each segment's trace carries the context\n"
"       intervals that overlap it (so proofs name the context that drew the\n"
"       power); the segment event counts them.  A source that cannot attach\n"
"       is named once at start; the daemon runs on without it.  The ring\n"
"       buffer is 8 MiB (about 95000 events: 9 s of 10000 context events\n"
"       per second while a check runs); drops are counted per segment.\n"
"\n"
"       Kernel events: the module's netlink \"events\" group (I2C and PEC\n"
"       errors, overruns, lost records, devices added or removed, PAGE\n"
"       restored, backoff) is followed and each event logged as a \"kernel\"\n"
"       event line.\n"
"\n"
"       Signals: SIGTERM and SIGINT drain the rings, write the partial\n"
"       segment, finish its checks and exit 0; SIGHUP re-reads the claims\n"
"       now.  SIGPIPE is ignored.\n"
"\n"
"OPTIONS\n"
"       --claims DIR        Vendor claims (*.dsse.json).  Required.\n"
"       --baseline-dir DIR  Baselines, re-read with the claims.\n"
"       --baseline FILE     One baseline, checked at start.  One of the two\n"
"                           is required.\n"
"       --key KEY           Operator private key: signs proofs.  Required.\n"
"       --reader-key KEY    Reader private key: signs traces.  Required.\n"
CLI_TRUST_HELP
"              At least one trusted key is needed.\n"
"       -o, --out OUTDIR    Traces, statements and proofs (created if\n"
"                           missing).  Required.\n"
"       --segment D         Segment length, 1s .. 1h (default 60s).\n"
"       --segment-memory SIZE\n"
"                           The segment buffer's budget, 8KiB .. 256MiB\n"
"                           (default 8MiB: 65536 records, 65 s at 1 kHz).\n"
"                           A segment that needs more (a long one at a\n"
"                           short period) is cut when the buffer fills\n"
"                           (the segment event says \"cut\") and the next\n"
"                           trace continues the slot; a warning says so at\n"
"                           start.\n"
"       --window D          Window of the live features in the status, and\n"
"                           how often the segment is judged (default 1s);\n"
"                           detection uses the baseline's windows.\n"
"       --decide window|segment\n"
"                           window (default): online, as above; segment:\n"
"                           each segment is checked at its end only.\n"
"       --device PATH       Default /dev/powerledger.\n"
"       --dev-id N          Device to capture (default: the first seen).\n"
"       --period D          Set the sampling period first (100us .. 1s).\n"
"       --json              JSON events even on a terminal.\n"
"       --status-interval D Status every D (default 1s on a terminal, 10s\n"
"                           as JSON; 0: never).\n"
"       --miner-span D      crypto-miner-hidden's shortest sustained draw\n"
"                           (default 30s; see check): keep --segment longer.\n"
"       --false-alarm-rate R model-mismatch false alarms per hour (default\n"
"                           1e-6; see check).\n"
"       --host, --mfr-id, --mfr-model, --mfr-serial S\n"
"                           Identity for trace headers and the hardware\n"
"                           fingerprint, as for record (default host:\n"
"                           gethostname(), others empty).\n"
"       --source SRC        kmod (default): the device.  synth[:WL[=D],...]:\n"
"                           synthetic samples in real time (WL gpt4, small,\n"
"                           miner, tampered, each for D, the last for ever)\n"
"                           with the demo host's identity -- for tests and\n"
"                           benchmarks, not evidence of anything.\n"
"\n"
"OUTPUT\n"
"       On a terminal without --json: one line per event and a status line\n"
"       updated in place (samples/s, lost, overruns, segments, proofs,\n"
"       errors, the last window's mean power, CV and bursts); errors on\n"
"       stderr.  Otherwise one canonical JSON object per line (sorted keys,\n"
"       integers only), flushed as it happens, with \"event\":\n"
"         start    source, device, fingerprint, outdir, period_ns,\n"
"                  segment_ns, window_ns\n"
"         claim    status (loaded | ignored), path, message\n"
"         segment  trace, statement, samples, lost, start_ns, end_ns,\n"
"                  claims (checked), proofs (paths), cut (1: the\n"
"                  buffer filled), early (1: closed when a detector\n"
"                  fired)\n"
"         proof    claim, detector, path, summary, trace\n"
"         error    what (claim, baseline, scan, segment, check, device,\n"
"                  drain, output), path, message\n"
"         status   samples, samples_per_s, lost, overruns, segments,\n"
"                  proofs, errors, rss_kib, window {mean_mw, cv_ppm, bursts}\n"
"         rescan   claims, files (after SIGHUP)\n"
"         exit     reason, status, samples, lost, overruns, skipped\n"
"                  (other devices' records), late, segments, proofs,\n"
"                  errors\n"
"\n"
"EXIT STATUS\n"
"       0      stopped by SIGTERM or SIGINT after flushing.\n"
"       2      could not start: usage, keys, directories, baseline, no\n"
"              device, another consumer, ABI or layout mismatch.\n"
"\n"
"FILES\n"
"       /dev/powerledger                        the module's device.\n"
"       OUTDIR/seg-YYYYmmddTHHMMSS.mmmZ.pltr    a segment (UTC of its first\n"
"                                               sample).\n"
"       OUTDIR/SEG.pltr.dsse.json               its Trace statement.\n"
"       OUTDIR/SEG.CLAIM.DETECTOR.proof.dsse.json\n"
"                                               a proof against claim\n"
"                                               CLAIM.dsse.json.\n"
"\n"
"EXAMPLES\n"
"       powerledger run --claims /etc/powerledger/claims \\\n"
"           --baseline-dir /etc/powerledger/baselines --keydir /etc/powerledger \\\n"
"           --key operator.key --reader-key reader.key \\\n"
"           -o /var/lib/powerledger --segment 60s\n"
"       kill -HUP $(pidof powerledger)    # new claim: check it from now on\n";
/* clang-format on */

static int mkdir_out(const char *dir, struct plerr *e)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		return plerr_set(e, -errno, "%s: %s", dir, strerror(errno));
	if (!path_is_dir(dir) || access(dir, W_OK))
		return plerr_set(e, -ENOTDIR, "%s: not a writable directory", dir);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "claims", required_argument, NULL, 'c' },
		{ "baseline-dir", required_argument, NULL, 'B' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "key", required_argument, NULL, 'k' },
		{ "reader-key", required_argument, NULL, 'r' },
		CLI_TRUST_OPTIONS,
		{ "out", required_argument, NULL, 'o' },
		{ "segment", required_argument, NULL, 's' },
		{ "segment-memory", required_argument, NULL, 'Z' },
		{ "window", required_argument, NULL, 'w' },
		{ "device", required_argument, NULL, 'D' },
		{ "dev-id", required_argument, NULL, 'i' },
		{ "period", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "status-interval", required_argument, NULL, 'S' },
		{ "false-alarm-rate", required_argument, NULL, 'h' },
		{ "miner-span", required_argument, NULL, 0x100 },
		{ "host", required_argument, NULL, 'H' },
		{ "mfr-id", required_argument, NULL, 'I' },
		{ "mfr-model", required_argument, NULL, 'M' },
		{ "mfr-serial", required_argument, NULL, 'N' },
		{ "source", required_argument, NULL, 'x' },
		{ "decide", required_argument, NULL, 0x101 },
		{ "gpu-context", required_argument, NULL, 0x102 },
		{ "libcuda", required_argument, NULL, 0x103 },
		{ "libcudart", required_argument, NULL, 0x104 },
		{ "nvidia-ioctl", required_argument, NULL, 0x105 },
		{ NULL, 0, NULL, 0 },
	};
	struct gpuctx_opts go = { .pin = true, .ringbuf_bytes = 8U << 20 };
	struct gpuctx *gc = NULL;
	struct plnl *nl = NULL;
	int gpu_ctx = -1; /* -1: auto (kmod source only), 0 off */
	struct rund_cfg cfg = { .segment_ns = 60000000000ULL, .window_ns = 1000000000ULL };
	struct source_dev_opts dev = { .dev_id = PL_DEV_ALL };
	const char *opkey = NULL, *rdkey = NULL, *srcspec = "kmod";
	struct pl_seckey op = { 0 }, rd = { 0 };
	struct keyring kr = { 0 };
	struct detect_params dp;
	struct rund_stats st;
	struct source *src = NULL;
	struct plerr e = { "" };
	bool status_given = false;
	uint64_t v;
	int c, ret = PL_EXIT_ERR;

	detect_params_default(&dp);
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfg.claims_dir = optarg; break;
		case 0x101:
			if (!strcmp(optarg, "window") || !strcmp(optarg, "segment")) {
				cfg.segment_only = !strcmp(optarg, "segment");
				break;
			}
			ret = usage_error("run", "--decide must be window or segment, not '%s'", optarg);
			goto cleanup;
		case 0x102:
			if (strcmp(optarg, "auto") && strcmp(optarg, "off")) {
				ret = usage_error("run", "--gpu-context must be auto or off, not '%s'", optarg);
				goto cleanup;
			}
			gpu_ctx = strcmp(optarg, "off") ? -1 : 0;
			break;
		case 0x103: go.libcuda = optarg; break;
		case 0x104: go.libcudart = optarg; break;
		case 0x105: go.nv_ioctl_sym = optarg; break;
		case 'B': cfg.baseline_dir = optarg; break;
		case 'b': cfg.baseline_file = optarg; break;
		case 'k': opkey = optarg; break;
		case 'r': rdkey = optarg; break;
		case CLI_OPT_KEYDIR:
		case CLI_OPT_TRUST:
			if (cli_trust_opt(&kr, c, optarg, &e))
				goto err;
			break;
		case 'o': cfg.outdir = optarg; break;
		case 's':
			if (parse_duration_ns(optarg, &cfg.segment_ns) || cfg.segment_ns < 1000000000ULL ||
			    cfg.segment_ns > 3600000000000ULL) {
				ret = usage_error("run", "--segment must be 1s .. 1h");
				goto cleanup;
			}
			break;
		case 'Z':
			if (parse_size_bytes(optarg, &cfg.segment_bytes) ||
			    cfg.segment_bytes < 64 * sizeof(struct pl_sample) ||
			    cfg.segment_bytes > (uint64_t)SEGMENT_MAX_RECORDS * sizeof(struct pl_sample)) {
				ret = usage_error("run", "--segment-memory must be 8KiB .. 256MiB, not '%s'", optarg);
				goto cleanup;
			}
			break;
		case 'w':
			if (parse_duration_ns(optarg, &cfg.window_ns) || cfg.window_ns < 10000000ULL) {
				ret = usage_error("run", "bad --window '%s' (at least 10ms)", optarg);
				goto cleanup;
			}
			break;
		case 'D': dev.path = optarg; break;
		case 'i':
			if (parse_u64(optarg, &v) || v >= PL_DEV_ALL) {
				ret = usage_error("run", "bad --dev-id '%s'", optarg);
				goto cleanup;
			}
			dev.dev_id = cfg.dev_id = (uint32_t)v;
			cfg.have_dev = true;
			break;
		case 'p':
			if (parse_duration_ns(optarg, &dev.period_ns) || dev.period_ns < PL_PERIOD_MIN_NS ||
			    dev.period_ns > PL_PERIOD_MAX_NS) {
				ret = usage_error("run", "--period must be 100us .. 1s");
				goto cleanup;
			}
			break;
		case 'j': cfg.json = true; break;
		case 'S':
			if (!strcmp(optarg, "0")) {
				cfg.status_ns = 0;
			} else if (parse_duration_ns(optarg, &cfg.status_ns) || cfg.status_ns < 100000000ULL) {
				ret = usage_error("run", "bad --status-interval '%s' (0, or at least 100ms)", optarg);
				goto cleanup;
			}
			status_given = true;
			break;
		case 0x100:
			if (parse_duration_ns(optarg, &dp.miner_min_span_ns) || !dp.miner_min_span_ns) {
				ret = usage_error("run", "bad --miner-span '%s' (e.g. 30s, 2min)", optarg);
				goto cleanup;
			}
			break;
		case 'h':
			if (cli_rate_opt(optarg, &dp.false_alarm_per_hour)) {
				ret = usage_error("run", "bad --false-alarm-rate '%s' (per hour, 0 < R <= 1, e.g. 1e-6)", optarg);
				goto cleanup;
			}
			break;
		case 'H':
		case 'I':
		case 'M':
		case 'N':
			if (cli_ident_opt("run", c == 'H' ? "host" : c == 'I' ? "mfr-id" : c == 'M' ? "mfr-model" : "mfr-serial",
					  optarg)) {
				ret = PL_EXIT_ERR;
				goto cleanup;
			}
			*(c == 'H' ? &cfg.host : c == 'I' ? &cfg.mfr_id : c == 'M' ? &cfg.mfr_model : &cfg.mfr_serial) = optarg;
			break;
		case 'x': srcspec = optarg; break;
		default: ret = usage_error("run", "bad option"); goto cleanup;
		}
	}
	if (optind != argc) {
		ret = usage_error("run", "unexpected argument '%s'", argv[optind]);
		goto cleanup;
	}
	if (!cfg.claims_dir || !cfg.outdir || !opkey || !rdkey) {
		ret = usage_error("run", "--claims, -o, --key and --reader-key are required");
		goto cleanup;
	}
	if (!cfg.baseline_dir == !cfg.baseline_file) {
		ret = usage_error("run", "give one of --baseline-dir and --baseline");
		goto cleanup;
	}
	if (!kr.n) {
		ret = usage_error("run", "no trusted keys for claims and baselines: give --keydir or --trust");
		goto cleanup;
	}
	if (cfg.window_ns > cfg.segment_ns) {
		ret = usage_error("run", "--window is longer than --segment");
		goto cleanup;
	}
	if (strcmp(srcspec, "kmod") && strncmp(srcspec, "synth", 5)) {
		ret = usage_error("run", "bad --source '%s' (kmod or synth[:WL[=D],...])", srcspec);
		goto cleanup;
	}
	if (!cfg.json && !cli_pretty())
		cfg.json = true; /* not a terminal: a supervisor reads events */
	if (!status_given)
		cfg.status_ns = cfg.json ? 10000000000ULL : 1000000000ULL;

	/* Start-up: anything wrong here is exit 2; nothing after it is. */
	cfg.trusted = kr.keys;
	cfg.ntrusted = kr.n;
	if (seckey__load(&op, opkey, &e) || seckey__load(&rd, rdkey, &e) || mkdir_out(cfg.outdir, &e) ||
	    rund_preflight(&cfg, &e))
		goto err;
	if (!strcmp(srcspec, "kmod")) {
		struct plerr ge = { "" };

		if (source_dev__open(&src, &dev, &e))
			goto err;
		if (gpu_ctx) {
			gc = gpuctx__open(&go, &ge);
			if (!gc)
				pl_warn("run: %s; capturing power only", ge.msg);
			else
				fprintf(stderr, PL_PROG ": run: GPU context: %s\n", gpuctx__report(gc));
		}
		/* The module's events, logged as they come; without them the daemon still runs. */
		ge.msg[0] = 0;
		if (plnl__open(&nl, &ge) || plnl__subscribe(nl, &ge)) {
			pl_warn("run: kernel events not followed: %s", ge.msg);
			plnl__close(nl);
			nl = NULL;
		}
	} else {
		struct synth_source_opts so;

		if (synth_source_parse(srcspec, &so, &e)) {
			ret = usage_error("run", "%s", e.msg);
			goto cleanup;
		}
		so.period_ns = dev.period_ns;
		so.seed = 1;
		if (source_synth__new(&src, &so, &e))
			goto err;
	}
	/*
	 * A fixed mmap threshold: segment-sized buffers (encoding, check_run()'s
	 * reload of the trace) go back to the kernel when freed instead of
	 * raising glibc's dynamic threshold and staying in the heap.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024);
	mallopt(M_ARENA_MAX, 1); /* the drain thread's queue shares the one heap */
	/*
	 * Drained by a thread of its own: the rings hold 0.2 s at 10 kHz, less
	 * than writing and checking a segment may take.  The queue gets a
	 * quarter of the segment budget (2 MiB: 16384 records, 1.6 s at 10 kHz).
	 */
	if (source_thread__wrap(&src, src, segment_budget_records(cfg.segment_bytes) / 4, &e))
		goto err;
	signal(SIGPIPE, SIG_IGN);
	cfg.src = src;
	cfg.operator_key = &op;
	cfg.reader_key = &rd;
	cfg.dp = &dp;
	cfg.out = stdout;
	cfg.gc = gc;
	cfg.nl = nl;
	ret = rund_run(&cfg, &st, &e);
	if (ret)
		goto err;
	goto cleanup;
err:
	ret = PL_EXIT_ERR;
	pl_error(&e);
cleanup:
	gpuctx__free(gc);
	plnl__close(nl);
	source__free(src);
	seckey__free(&op);
	seckey__free(&rd);
	keyring__free(&kr);
	return ret;
}
