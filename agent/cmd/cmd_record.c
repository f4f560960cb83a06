// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger record -o TRACE [--duration D] [--device PATH] [--dev-id N] [--period D] [--key READER.key] */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "capture/gpuctx.h"
#include "capture/ring_reader.h"
#include "capture/trace.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"
#include "evidence/attest.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_record_help[] =
"NAME\n"
"       powerledger record - capture a trace from /dev/powerledger\n"
"\n"
"SYNOPSIS\n"
"       powerledger record -o TRACE [--duration D] [--device PATH]\n"
"                          [--dev-id N] [--period D] [--key READER.key]\n"
"                          [--host NAME] [--mfr-id S] [--mfr-model S]\n"
"                          [--mfr-serial S] [--gpu-context auto|off]\n"
"                          [--libcuda PATH] [--libcudart PATH]\n"
"                          [--nvidia-ioctl SYMBOL] [--force]\n"
"\n"
"DESCRIPTION\n"
"       Maps the powerledger module's per-CPU sample rings (read-only, plus\n"
"       the writable consumer page), starts sampling on the device, waits on\n"
"       the device with epoll and drains the rings whenever they hold records\n"
"       (and every 100 ms), until DURATION has passed or SIGINT/SIGTERM.  The\n"
"       records of one device, in sequence order, become a trace\n"
"       (agent/capture/TRACE-FORMAT.md) written atomically; the header counts\n"
"       the records the kernel dropped on full rings.  With --key the trace\n"
"       is attested at once (TRACE.dsse.json).\n"
"\n"
"       GPU contexts (--gpu-context auto, the default): the eBPF programs of\n"
"       bpf/gpuctx.bpf.c are loaded and attached to every event source this\n"
"       host has -- uprobes on libcuda.so.1 (cuCtxCreate/Destroy/SetCurrent/\n"
"       PushCurrent/PopCurrent, cuLaunchKernel(Ex)), cudaLaunchKernel in\n"
"       --libcudart, the DRM GPU scheduler tracepoints, a kprobe on the NVIDIA\n"
"       driver's ioctl, sched_process_exit -- and the intervals during which\n"
"       each context was active go into the trace's context section, so\n"
"       check, features and top can split the energy per process.  Each\n"
"       source that cannot attach is named on stderr with the reason (no\n"
"       BTF, no permission, lockdown, library or module absent) and the\n"
"       recording goes on without it.  The maps are pinned under\n"
"       /sys/fs/bpf/powerledger/ while recording (bpftool map dump pinned\n"
"       ...).\n"
"\n"
"       Only one consumer may map the device at a time.  This verb needs the\n"
"       module loaded (it cannot run where modules cannot be loaded).\n"
"\n"
"OPTIONS\n"
"       -o, --out TRACE    Trace to write.  Required.\n"
"       --duration D       How long to record (default 10s).\n"
"       --device PATH      Default /dev/powerledger.\n"
"       --dev-id N         Device to record (default: the first one seen).\n"
"       --period D         Set the sampling period first (100us .. 1s).\n"
"       --key KEY          Reader key: also write the Trace statement.\n"
"       --host, --mfr-id, --mfr-model, --mfr-serial S\n"
"                          Identity strings for the header and fingerprint\n"
"                          (default host: gethostname()): at most 32 bytes\n"
"                          of printable ASCII, refused otherwise.\n"
"       --force            Replace TRACE (and TRACE.dsse.json) if they\n"
"                          exist; without it they are refused before\n"
"                          recording starts.\n"
"       --gpu-context MODE auto (default): record GPU contexts where the\n"
"                          host allows it; off: do not load BPF at all.\n"
"       --libcuda PATH     The CUDA driver library to probe (default:\n"
"                          $PL_LIBCUDA, LD_LIBRARY_PATH, the usual driver\n"
"                          directories).\n"
"       --libcudart PATH   Also probe cudaLaunchKernel in this CUDA runtime\n"
"                          (applications often bundle their own).\n"
"       --nvidia-ioctl SYMBOL\n"
"                          Kernel function for the NVIDIA ioctl kprobe\n"
"                          (default nvidia_unlocked_ioctl, when the nvidia\n"
"                          module is loaded).\n"
"\n"
"OUTPUT\n"
"       Tab-separated: TRACE, samples, lost, records of other devices\n"
"       skipped, fingerprint, GPU-context intervals, GPU-context events\n"
"       dropped.  On stderr: what GPU-context sources were attached or\n"
"       skipped, and why.\n"
"\n"
"EXIT STATUS\n"
"       0      trace written.\n"
"       2      usage error, no device, ABI or layout mismatch, I/O error.\n"
"\n"
"FILES\n"
"       /dev/powerledger   the module's character device.\n"
"\n"
"ENVIRONMENT\n"
"       PL_LIBCUDA         libcuda.so.1 to probe when --libcuda is not given.\n"
"       PL_DEBUG_BPF       Set: libbpf's own warnings on stderr.\n"
"\n"
"EXAMPLES\n"
"       powerledger record -o run.pltr --duration 60s --key reader.key\n"
"       powerledger record -o run.pltr --libcuda /opt/cuda/lib64/libcuda.so.1\n";
/* clang-format on */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One device's records by sequence number (the kernel's per-device order). */
static int by_seq(const void *a, const void *b)
{
	const struct pl_sample *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * GPU-context events are joined as they come (ctxjoin keeps the open state
 * and the closed intervals, not the events: an hour at 10000 events/s is
 * 36 M events).  A join that runs out of memory is given up: the trace is
 * recorded with power only (ctx_sources 0), never lost.
 */
static struct ctxjoin *join_more(struct ctxjoin *j, struct gpuctx *gc, uint64_t upto)
{
	struct pl_gpuctx_event *ev;
	size_t n;

	if (!j)
		return NULL;
	if (gpuctx__consume(gc) < 0)
		pl_warn("record: out of memory reading GPU-context events (counted as dropped)");
	gpuctx__take(gc, &ev, &n);
	if (ctxjoin__add(j, ev, n) || ctxjoin__settle(j, upto)) {
		pl_warn("record: out of memory joining GPU-context events: this trace will carry no contexts");
		ctxjoin__free(j);
		j = NULL;
	}
	free(ev);
	return j;
}

/* The joined intervals over the trace's span, into its context section; drops and sources into its header. */
static void record_contexts(struct gpuctx *gc, struct ctxjoin *j, struct trace *t)
{
	uint64_t cnt[__PL_GC_CNT_MAX], start = t->n ? t->s[0].ts_ns : 0,
				       end = t->n ? t->s[t->n - 1].ts_ns + t->info.period_ns : 0;
	struct ctx_interval *iv = NULL;
	struct plerr e = { "" };
	size_t niv = 0, i, k = 0;

	j = join_more(j, gc, UINT64_MAX);
	if (!j || ctxjoin__intervals(j, end, &iv, &niv)) {
		if (j)
			pl_warn("record: out of memory for GPU-context intervals: this trace carries none");
		ctxjoin__free(j);
		return;
	}
	/* Intervals that ended before the first sample say nothing about its power. */
	for (i = 0; i < niv; i++)
		if (iv[i].end_ns > start)
			iv[k++] = iv[i];
	if (trace_set_contexts(t, iv, k, &e)) {
		pl_warn("record: %s: this trace carries no contexts", e.msg);
		trace_set_contexts(t, NULL, 0, &e);
	} else {
		t->info.ctx_sources = gpuctx__sources(gc);
	}
	if (gpuctx__counters(gc, cnt) == 0)
		t->info.ctx_dropped = cnt[PL_GC_CNT_DROPPED] + cnt[PL_GC_CNT_MAP_FULL];
	if (t->info.ctx_dropped)
		pl_warn("record: %" PRIu64 " GPU-context events were dropped (BPF ring buffer or maps full): the "
			"per-context attribution of this trace is incomplete, and no proof will name a context from it",
			t->info.ctx_dropped);
	ctxjoin__free(j);
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "device", required_argument, NULL, 'D' },
		{ "dev-id", required_argument, NULL, 'i' },
		{ "period", required_argument, NULL, 'p' },
		{ "key", required_argument, NULL, 'k' },
		{ "host", required_argument, NULL, 'H' },
		{ "mfr-id", required_argument, NULL, 'I' },
		{ "mfr-model", required_argument, NULL, 'M' },
		{ "mfr-serial", required_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "gpu-context", required_argument, NULL, 'g' },
		{ "libcuda", required_argument, NULL, 'L' },
		{ "libcudart", required_argument, NULL, 'R' },
		{ "nvidia-ioctl", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct gpuctx_opts go = { .pin = true };
	struct gpuctx *gc = NULL;
	struct ctxjoin *cj = NULL;
	bool gpu_ctx = true;
	const char *out = NULL, *dev = "/dev/" PL_DEVICE_NAME, *keypath = NULL;
	const char *mfr_id = "", *mfr_model = "", *mfr_serial = "";
	uint64_t duration = 10000000000ULL, period = 0, v, lost0, end, skipped = 0;
	char host[PLTR_STR_LEN + 1] = "";
	struct pl_sample *batch = NULL;
	size_t n = 0, cap = 0, i;
	struct pl_seckey key = { 0 };
	struct sigaction sa = { 0 };
	struct epoll_event ev = { .events = EPOLLIN };
	struct ring_reader rr;
	struct pl_dev_ctl ctl = { .dev_id = PL_DEV_ALL };
	struct pl_info info;
	struct plerr e = { "" };
	struct trace t = { 0 };
	struct buf env = { 0 };
	void *ro = MAP_FAILED, *cons = MAP_FAILED;
	bool have_dev = false, started = false, force = false;
	char *envpath = NULL;
	unsigned int final_pass = 0;
	uint32_t dev_id = 0, rails = 0;
	int c, fd = -1, ep = -1, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'd':
			if (parse_duration_ns(optarg, &duration))
				return usage_error("record", "bad --duration '%s'", optarg);
			break;
		case 'D': dev = optarg; break;
		case 'i':
			if (parse_u64(optarg, &v) || v >= PL_DEV_ALL)
				return usage_error("record", "bad --dev-id '%s'", optarg);
			dev_id = (uint32_t)v;
			have_dev = true;
			break;
		case 'p':
			if (parse_duration_ns(optarg, &period) || period < PL_PERIOD_MIN_NS ||
			    period > PL_PERIOD_MAX_NS)
				return usage_error("record", "--period must be 100us .. 1s");
			break;
		case 'k': keypath = optarg; break;
		case 'f': force = true; break;
		case 'g':
			if (!strcmp(optarg, "auto") || !strcmp(optarg, "off"))
				gpu_ctx = !strcmp(optarg, "auto");
			else
				return usage_error("record", "--gpu-context must be auto or off, not '%s'", optarg);
			break;
		case 'L': go.libcuda = optarg; break;
		case 'R': go.libcudart = optarg; break;
		case 'N': go.nv_ioctl_sym = optarg; break;
		case 'H':
			if (cli_ident_opt("record", "host", optarg))
				return PL_EXIT_ERR;
			snprintf(host, sizeof(host), "%s", optarg);
			break;
		case 'I':
		case 'M':
		case 'S':
			if (cli_ident_opt("record", c == 'I' ? "mfr-id" : c == 'M' ? "mfr-model" : "mfr-serial", optarg))
				return PL_EXIT_ERR;
			*(c == 'I' ? &mfr_id : c == 'M' ? &mfr_model : &mfr_serial) = optarg;
			break;
		default: return usage_error("record", "bad option");
		}
	}
	if (!out || optind != argc)
		return usage_error("record", "-o TRACE is required, and nothing else");
	if (!host[0] && cli_default_host("record", host, sizeof(host)))
		return PL_EXIT_ERR;
	/* Outputs and key before capturing: a refusal should not cost a recording. */
	if (keypath) {
		envpath = malloc(strlen(out) + 11);
		if (!envpath) {
			plerr_set(&e, -ENOMEM, "out of memory");
			goto err;
		}
		sprintf(envpath, "%s.dsse.json", out);
	}
	if (out_check_inputs(out, force, &keypath, 1, &e) ||
	    (envpath && out_check_inputs(envpath, force, &keypath, 1, &e)) ||
	    (keypath && seckey__load(&key, keypath, &e)))
		goto err;
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		plerr_set(&e, -errno, "%s: %s (is the powerledger module loaded?)", dev, strerror(errno));
		goto err;
	}
	if (ioctl(fd, PL_IOC_GET_INFO, &info) < 0) {
		plerr_set(&e, -errno, "%s: PL_IOC_GET_INFO: %s", dev, strerror(errno));
		goto err;
	}
	ro = mmap(NULL, info.mmap_size, PROT_READ, MAP_SHARED, fd, 0);
	if (ro != MAP_FAILED)
		cons = mmap(NULL, info.data_offset - info.cons_offset, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			    (off_t)info.cons_offset);
	if (ro == MAP_FAILED || cons == MAP_FAILED) {
		plerr_set(&e, -errno, "%s: mmap: %s%s", dev, strerror(errno),
			  errno == EBUSY ? " (another consumer has the rings mapped)" : "");
		goto err;
	}
	if (ring_reader__init(&rr, ro, info.mmap_size, cons, &info, &e)) {
		plerr_prefix(&e, dev);
		goto err;
	}
	if (period) {
		struct pl_period pp = { .dev_id = have_dev ? dev_id : PL_DEV_ALL, .period_ns = period };

		if (ioctl(fd, PL_IOC_SET_PERIOD, &pp) < 0) {
			plerr_set(&e, -errno, "%s: PL_IOC_SET_PERIOD: %s", dev, strerror(errno));
			goto err;
		}
	}
	if (have_dev)
		ctl.dev_id = dev_id;
	if (ioctl(fd, PL_IOC_START, &ctl) < 0) {
		plerr_set(&e, -errno, "%s: PL_IOC_START: %s", dev, strerror(errno));
		goto err;
	}
	started = true;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		plerr_set(&e, -errno, "epoll: %s", strerror(errno));
		goto err;
	}
	if (gpu_ctx) {
		struct plerr ge = { "" };

		gc = gpuctx__open(&go, &ge);
		if (!gc)
			pl_warn("record: %s; recording power only", ge.msg);
		else
			fprintf(stderr, PL_PROG ": record: GPU context: %s\n", gpuctx__report(gc));
		if (gc && !(cj = ctxjoin__new(now_ns())))
			pl_warn("record: out of memory: this trace will carry no GPU contexts");
		if (gc && epoll_ctl(ep, EPOLL_CTL_ADD, gpuctx__fd(gc), &ev) < 0) {
			plerr_set(&e, -errno, "epoll: %s", strerror(errno));
			goto err;
		}
	}
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	lost0 = ring_reader__lost(&rr);
	trace_init(&t, period ? period : PL_PERIOD_DEFAULT_NS, dev_id, 0, PLTR_SRC_KMOD, 0, mfr_id, mfr_model,
		   mfr_serial, host);
	end = now_ns() + duration;
	for (;;) {
		bool last = stop || now_ns() >= end;

		if (!last && epoll_wait(ep, &ev, 1, 100) < 0 && errno != EINTR) {
			plerr_set(&e, -errno, "epoll_wait: %s", strerror(errno));
			goto err;
		}
		if (gc)
			cj = join_more(cj, gc, now_ns() - CTXJOIN_SETTLE_NS);
		n = 0;
		if (ring_reader__drain(&rr, &batch, &n, &cap) < 0) {
			plerr_set(&e, -ENOMEM, "out of memory");
			goto err;
		}
		for (i = 0; i < n; i++) {
			if (!have_dev) {
				dev_id = batch[i].dev_id;
				t.info.dev_id = dev_id;
				have_dev = true;
			}
			if (batch[i].dev_id != dev_id) {
				skipped++;
				continue;
			}
			rails |= batch[i].rails;
			if (trace_push(&t, &batch[i])) {
				plerr_set(&e, -ENOMEM, "out of memory");
				goto err;
			}
		}
		if (last) {
			/*
			 * One more drain a moment later: a record another CPU
			 * was still publishing would otherwise be missing
			 * behind a newer one already taken (a false gap).
			 */
			if (final_pass++)
				break;
			nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
		}
	}
	{
		struct pl_stats st = { .dev_id = dev_id };

		if (ioctl(fd, PL_IOC_GET_STATS, &st) == 0 && st.period_ns)
			t.info.period_ns = st.period_ns;
	}
	t.info.rails = rails;
	/*
	 * Each drain is sorted, but a sampler that moved CPUs can leave record
	 * N+1 in a ring read in one drain and N in the next: order the trace.
	 */
	qsort(t.s, t.n, sizeof(*t.s), by_seq);
	/* Ring drops are per CPU, not per device: an upper bound for this device. */
	t.info.lost = ring_reader__lost(&rr) - lost0;
	trace_measure_sensor(&t);
	if (gc) {
		record_contexts(gc, cj, &t);
		cj = NULL;
	}
	if (trace_save(out, &t, afile_force(force), &e))
		goto err;
	if (envpath && (attest_trace(out, &key, &env, NULL, &e) ||
			file_write_atomic(envpath, env.p, env.len, 0644, afile_force(force), &e)))
		goto err;
	printf("%s\t%zu\t%" PRIu64 "\t%" PRIu64 "\t%s\t%zu\t%" PRIu64 "\n", out, t.n, t.info.lost, skipped,
	       t.info.fingerprint, t.nctx, t.info.ctx_dropped);
	ret = PL_EXIT_OK;
	goto cleanup;
err:
	pl_error(&e);
cleanup:
	ctxjoin__free(cj);
	gpuctx__free(gc);
	if (started)
		ioctl(fd, PL_IOC_STOP, &ctl);
	if (ep >= 0)
		close(ep);
	if (cons != MAP_FAILED)
		munmap(cons, info.data_offset - info.cons_offset);
	if (ro != MAP_FAILED)
		munmap(ro, info.mmap_size);
	if (fd >= 0)
		close(fd);
	free(batch);
	free(envpath);
	trace__free(&t);
	buf_free(&env);
	seckey__free(&key);
	return ret;
}
