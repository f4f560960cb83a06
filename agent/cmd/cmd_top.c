// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger top: per-process GPU power, measured at the PSU, attributed by time */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "capture/gpuctx.h"
#include "capture/source.h"
#include "capture/trace.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"
#include "science/ctxjoin.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_top_help[] =
"NAME\n"
"       powerledger top - power and energy per GPU process, like top(1)\n"
"\n"
"SYNOPSIS\n"
"       powerledger top [--interval D] [--count N] [--device PATH]\n"
"                       [--libcuda PATH] [--libcudart PATH]\n"
"                       [--nvidia-ioctl SYMBOL]\n"
"       powerledger top --trace TRACE [--interval D]\n"
"\n"
"DESCRIPTION\n"
"       Every interval, lists the processes and GPU contexts that were\n"
"       active, with their share of the PSU's power and energy over that\n"
"       interval, largest first.  Live, it samples /dev/powerledger and\n"
"       attaches the GPU-context eBPF programs exactly as record does (each\n"
"       source it cannot attach is named on stderr, with the reason).  With\n"
"       --trace it shows a recorded trace's last interval instead.\n"
"\n"
"       The power is measured at the PSU, for the whole host; a process's\n"
"       share is attributed by time: each sample's energy goes in equal\n"
"       shares to the contexts active at that moment (see README \"GPU\n"
"       context\").  Two contexts busy at once on different GPUs get half\n"
"       each, whatever each GPU drew.  \"-\" is the energy no context was\n"
"       active for (idle, or work the probes cannot see).\n"
"\n"
"OPTIONS\n"
"       --interval D       Refresh and averaging interval (default 1s).\n"
"       --count N          Stop after N tables (default: until SIGINT).\n"
"       --device PATH      Default /dev/powerledger.\n"
"       --trace TRACE      Show a trace's last interval and exit.\n"
"       --libcuda, --libcudart, --nvidia-ioctl\n"
"                          As for record.\n"
"\n"
"OUTPUT\n"
"       A header line: time, mean power (W) and energy (J) of the\n"
"       interval, samples, contexts, sources attached, events dropped.\n"
"       Then one row per context: PID (initial pid namespace), NSPID (in\n"
"       its own namespace), COMM, GPU (- unknown), SOURCE, CTX, POWER_W\n"
"       (its share of the mean power), SHARE (percent of the energy),\n"
"       ENERGY_J, LAUNCHES (kernel launches or jobs of the intervals that\n"
"       overlap it).\n"
"\n"
"EXIT STATUS\n"
"       0      ended by --count, SIGINT or SIGTERM.\n"
"       2      usage error, no device, unreadable trace.\n"
"\n"
"FILES\n"
"       /dev/powerledger   the module's character device (one consumer at\n"
"                          a time: not while record or run has it).\n"
"       /sys/fs/bpf/powerledger/\n"
"                          where record pins its maps; top does not pin.\n"
"\n"
"EXAMPLES\n"
"       powerledger top\n"
"       powerledger top --interval 5s --count 1\n"
"       powerledger top --trace run.pltr\n";
/* clang-format on */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One table: the contexts of iv over samples [from, to) of v. */
static int print_table(const struct series *v, size_t from, size_t to, const struct ctx_interval *iv, size_t niv,
		       uint32_t sources, uint64_t dropped)
{
	struct ctx_energy *g;
	double un, total, secs;
	char src[64], gpu[12], ctx[24];
	size_t n, i;
	time_t now = time(NULL);
	struct tm tm;

	if (ctx_attribute(v, from, to, iv, niv, &g, &n, &un, &total))
		return -ENOMEM;
	secs = to > from ? (double)(v->s[to - 1].ts_ns - v->s[from].ts_ns + v->period_ns) * 1e-9 : 0;
	localtime_r(&now, &tm);
	{
		static const char *const names[] = { "?", "cuda", "cudart", "drm", "nvidia", "sched" };
		size_t k = 0;

		src[0] = 0;
		for (unsigned int s = 1; s < 6; s++)
			if (sources & (1U << s))
				k += (size_t)snprintf(src + k, sizeof(src) - k, "%s%s", k ? "," : "", names[s]);
		if (!k)
			snprintf(src, sizeof(src), "none");
	}
	printf("powerledger top - %02d:%02d:%02d  %.1f W mean, %.1f J in %.1f s, %zu samples, %zu contexts, "
	       "sources %s, %" PRIu64 " events dropped\n",
	       tm.tm_hour, tm.tm_min, tm.tm_sec, secs > 0 ? total / secs : 0, total, secs, to - from, n, src, dropped);
	printf("%8s %7s %-16s %3s %-6s %-18s %9s %6s %10s %8s\n", "PID", "NSPID", "COMM", "GPU", "SOURCE", "CTX",
	       "POWER_W", "SHARE", "ENERGY_J", "LAUNCHES");
	for (i = 0; i < n; i++) {
		static const char *const names[] = { "?", "cuda", "cudart", "drm", "nvidia", "sched" };

		snprintf(gpu, sizeof(gpu), g[i].gpu == PL_GPU_UNKNOWN ? "-" : "%u", g[i].gpu);
		snprintf(ctx, sizeof(ctx), "0x%" PRIx64, g[i].ctx);
		printf("%8u %7u %-16s %3s %-6s %-18s %9.1f %5.1f%% %10.2f %8" PRIu64 "\n", g[i].tgid, g[i].ns_tgid,
		       g[i].comm, gpu, g[i].source < 6 ? names[g[i].source] : "?", ctx,
		       secs > 0 ? g[i].energy_j / secs : 0, total > 0 ? g[i].energy_j / total * 100 : 0, g[i].energy_j,
		       g[i].launches);
	}
	printf("%8s %7s %-16s %3s %-6s %-18s %9.1f %5.1f%% %10.2f %8s\n\n", "-", "-", "(no context)", "-", "-", "-",
	       secs > 0 ? un / secs : 0, total > 0 ? un / total * 100 : 0, un, "-");
	free(g);
	return fflush(stdout) ? -EIO : 0;
}

static int top_trace(const char *path, uint64_t interval)
{
	struct plerr e = { "" };
	struct trace t = { 0 };
	struct series v;
	size_t from = 0;
	int ret;

	if (trace_load(path, &t, &e)) {
		pl_error(&e);
		return PL_EXIT_ERR;
	}
	if (t.n) {
		uint64_t last = t.s[t.n - 1].ts_ns;

		from = t.n;
		while (from > 0 && t.s[from - 1].ts_ns + interval > last)
			from--;
	}
	ret = print_table(trace_series(&t, &v), from, t.n, t.ctx, t.nctx, t.info.ctx_sources, t.info.ctx_dropped);
	trace__free(&t);
	return ret ? PL_EXIT_ERR : PL_EXIT_OK;
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'n' },
		{ "device", required_argument, NULL, 'D' },   { "trace", required_argument, NULL, 't' },
		{ "libcuda", required_argument, NULL, 'L' },  { "libcudart", required_argument, NULL, 'R' },
		{ "nvidia-ioctl", required_argument, NULL, 'N' }, { NULL, 0, NULL, 0 },
	};
	struct source_dev_opts so = { .dev_id = PL_DEV_ALL };
	struct gpuctx_opts go = { 0 };
	uint64_t interval = 1000000000ULL, count = 0, shown = 0, next, cnt[__PL_GC_CNT_MAX];
	const char *trace_path = NULL;
	struct source *src = NULL;
	struct gpuctx *gc = NULL;
	struct ctxjoin *j = NULL;
	struct pl_sample *buf = NULL;
	size_t n = 0, cap = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	struct epoll_event ev = { .events = EPOLLIN };
	struct plerr e = { "" };
	int c, ep = -1, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_duration_ns(optarg, &interval) || interval < 100000000ULL)
				return usage_error("top", "--interval must be a duration of 100ms or more, not '%s'", optarg);
			break;
		case 'n':
			if (parse_u64(optarg, &count) || !count)
				return usage_error("top", "--count must be a positive integer, not '%s'", optarg);
			break;
		case 'D': so.path = optarg; break;
		case 't': trace_path = optarg; break;
		case 'L': go.libcuda = optarg; break;
		case 'R': go.libcudart = optarg; break;
		case 'N': go.nv_ioctl_sym = optarg; break;
		default: return usage_error("top", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("top", "unexpected argument '%s'", argv[optind]);
	if (trace_path)
		return top_trace(trace_path, interval);

	if (source_dev__open(&src, &so, &e))
		goto err;
	gc = gpuctx__open(&go, &e);
	if (!gc)
		pl_warn("top: %s; showing power only", e.msg);
	else
		fprintf(stderr, PL_PROG ": top: GPU context: %s\n", gpuctx__report(gc));
	j = ctxjoin__new(src->ops->now_ns(src));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!j || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, src->fd, &ev) ||
	    (gc && epoll_ctl(ep, EPOLL_CTL_ADD, gpuctx__fd(gc), &ev))) {
		plerr_set(&e, -errno, "top: epoll: %s", errno ? strerror(errno) : "out of memory");
		goto err;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	next = src->ops->now_ns(src) + interval;
	while (!stop && (!count || shown < count)) {
		struct pl_gpuctx_event *evs = NULL;
		struct ctx_interval *iv = NULL;
		struct series v = { 0 };
		size_t nev = 0, niv = 0, i, k;
		uint64_t now;

		if (epoll_wait(ep, &ev, 1, 100) < 0 && errno != EINTR) {
			plerr_set(&e, -errno, "top: epoll_wait: %s", strerror(errno));
			goto err;
		}
		if (src->ops->drain(src, &buf, &n, &cap) < 0 || (gc && gpuctx__consume(gc) < 0)) {
			plerr_set(&e, -ENOMEM, "top: out of memory");
			goto err;
		}
		now = src->ops->now_ns(src);
		if (now < next)
			continue;
		next += interval;
		if (gc) {
			gpuctx__take(gc, &evs, &nev);
			i = ctxjoin__add(j, evs, nev) || ctxjoin__settle(j, now - CTXJOIN_SETTLE_NS);
			free(evs);
			if (i || ctxjoin__intervals(j, now - CTXJOIN_SETTLE_NS, &iv, &niv)) {
				plerr_set(&e, -ENOMEM, "top: out of memory");
				goto err;
			}
		}
		/*
		 * One PSU: the first device's records (another PSU's samples are
		 * not a share of this one's); the table covers what the contexts
		 * are settled for, the last CTXJOIN_SETTLE_NS waits for the next.
		 */
		{
			uint64_t cut = now - CTXJOIN_SETTLE_NS;

			for (i = k = 0; i < n; i++)
				if (buf[i].dev_id == buf[0].dev_id)
					buf[k++] = buf[i];
			n = k;
			/* One device's records come in sequence order: those before cut are a prefix. */
			for (k = 0; k < n && buf[k].ts_ns < cut; k++)
				;
			v.n = k;
		}
		v.s = buf;
		v.period_ns = src->ops->period_ns(src, n ? buf[0].dev_id : 0);
		if (!v.period_ns)
			v.period_ns = src->period_ns;
		if (gc && gpuctx__counters(gc, cnt))
			memset(cnt, 0, sizeof(cnt));
		ret = print_table(&v, 0, v.n, iv, niv, gc ? gpuctx__sources(gc) : 0, gc ? cnt[PL_GC_CNT_DROPPED] : 0);
		free(iv);
		if (ret) {
			plerr_set(&e, ret, "top: cannot write the table");
			ret = PL_EXIT_ERR;
			goto err;
		}
		shown++;
		/* The next table is about the next interval only; closed contexts are forgotten. */
		memmove(buf, buf + v.n, (n - v.n) * sizeof(*buf));
		n -= v.n;
		ctxjoin__forget(j, now - CTXJOIN_SETTLE_NS);
	}
	ret = PL_EXIT_OK;
	goto cleanup;
err:
	pl_error(&e);
	ret = PL_EXIT_ERR;
cleanup:
	if (ep >= 0)
		close(ep);
	ctxjoin__free(j);
	gpuctx__free(gc);
	if (src)
		src->ops->free(src);
	free(buf);
	return ret;
}
