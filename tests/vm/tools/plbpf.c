// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * plbpf: runs the DRM scheduler handlers of bpf/gpuctx.bpf.c with
 * BPF_PROG_TEST_RUN (no GPU, no gpu-sched module needed), through the
 * agent's own loader (agent/capture/gpuctx.c), and prints the events they
 * wrote and the interval the agent's join makes of them:
 *
 *	event kind=N source=N ctx=0x.. aux=0x.. tgid=N comm=NAME
 *	interval tgid=N ctx=0x.. source=N launches=N comm=NAME
 *
 * Exit 0 when every run returned 0, 1 otherwise, 2 when the programs would
 * not load (the message says why).
 *
 *	plbpf --bench SECONDS LIBCUDA WORKLOAD...
 *
 * The consumer's cost (scripts/bench-gpuctx): attaches to LIBCUDA, runs
 * WORKLOAD (e.g. plcuwl --loop N RATE) and, while it runs, reads and joins
 * the events as record does (every 100 ms); prints key=value: events,
 * dropped, intervals, cpu_ns (this process's user+system time), wall_ns.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "capture/gpuctx.h"
#include "science/ctxjoin.h"

static int test_run(struct gpuctx *g, const char *prog, __u64 a0, __u64 a1)
{
	__u64 args[2] = { a0, a1 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));
	int fd = gpuctx__prog_fd(g, prog), err;

	if (fd < 0) {
		fprintf(stderr, "plbpf: %s: not loaded\n", prog);
		return 1;
	}
	err = bpf_prog_test_run_opts(fd, &o);
	if (err) {
		fprintf(stderr, "plbpf: %s: BPF_PROG_TEST_RUN: %s\n", prog, strerror(errno));
		return 1;
	}
	printf("run %s retval=%u\n", prog, o.retval);
	return 0;
}

static uint64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

static int bench(int secs, const char *lib, char **argv)
{
	struct gpuctx_opts go = { .libcuda = lib, .pin = false };
	uint64_t cnt[__PL_GC_CNT_MAX], t0, c0, end, events = 0;
	struct pl_gpuctx_event *ev;
	struct ctx_interval *iv;
	struct plerr e = { "" };
	struct ctxjoin *j;
	struct gpuctx *g;
	size_t n, niv = 0;
	pid_t wl;

	g = gpuctx__open(&go, &e);
	if (!g) {
		fprintf(stderr, "plbpf: %s\n", e.msg);
		return 2;
	}
	j = ctxjoin__new(mono());
	wl = fork();
	if (wl == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	t0 = mono();
	c0 = cpu_ns();
	end = t0 + (uint64_t)secs * 1000000000ULL;
	while (mono() < end) {
		struct pollfd p = { .fd = gpuctx__fd(g), .events = POLLIN };

		poll(&p, 1, 100);
		gpuctx__consume(g);
		gpuctx__take(g, &ev, &n);
		events += n;
		ctxjoin__add(j, ev, n);
		ctxjoin__settle(j, mono() - CTXJOIN_SETTLE_NS);
		free(ev);
		ctxjoin__forget(j, mono() - CTXJOIN_SETTLE_NS);
	}
	printf("cpu_ns=%" PRIu64 "\nwall_ns=%" PRIu64 "\n", cpu_ns() - c0, mono() - t0);
	kill(wl, SIGTERM);
	waitpid(wl, NULL, 0);
	gpuctx__consume(g);
	gpuctx__take(g, &ev, &n);
	events += n;
	free(ev);
	if (!ctxjoin__intervals(j, UINT64_MAX, &iv, &niv))
		free(iv);
	gpuctx__counters(g, cnt);
	printf("events=%" PRIu64 "\ndropped=%" PRIu64 "\nintervals_open=%zu\n", events, cnt[PL_GC_CNT_DROPPED], niv);
	{
		/* The programs' own time (kernel.bpf_stats_enabled=1), per hit of the push/pop probes. */
		static const char *const progs[] = { "pl_cu_push", "pl_cu_push_ret", "pl_cu_pop", "pl_cu_pop_ret" };
		uint64_t rt = 0, rc = 0;

		for (size_t i = 0; i < 4; i++) {
			struct bpf_prog_info info = { 0 };
			__u32 len = sizeof(info);

			if (!bpf_obj_get_info_by_fd(gpuctx__prog_fd(g, progs[i]), &info, &len)) {
				rt += info.run_time_ns;
				rc += info.run_cnt;
			}
		}
		printf("bpf_run_time_ns=%" PRIu64 "\nbpf_run_cnt=%" PRIu64 "\n", rt, rc);
	}
	ctxjoin__free(j);
	gpuctx__free(g);
	return 0;
}

int main(int argc, char **argv)
{
	struct gpuctx_opts go = { .load_all = true, .libcuda = "/nonexistent" };
	struct pl_gpuctx_event *ev;
	struct ctx_interval *iv;
	struct plerr e = { "" };
	struct ctxjoin *j;
	struct gpuctx *g;
	size_t n, niv, i;
	int fails = 0;

	if (argc >= 5 && !strcmp(argv[1], "--bench"))
		return bench(atoi(argv[2]), argv[3], argv + 4);
	if (argc != 1) {
		fprintf(stderr, "usage: plbpf | plbpf --bench SECONDS LIBCUDA WORKLOAD...\n");
		return 2;
	}
	g = gpuctx__open(&go, &e);
	if (!g) {
		fprintf(stderr, "plbpf: %s\n", e.msg);
		return 2;
	}
	fails += test_run(g, "pl_drm_job_queued", 0x1000, 0xe0e0);
	fails += test_run(g, "pl_drm_run_job", 0x1000, 0xe0e0);
	fails += test_run(g, "pl_drm_job_done", 0x1000, 0);
	gpuctx__consume(g);
	gpuctx__take(g, &ev, &n);
	ctxjoin_sort(ev, n);
	j = ctxjoin__new(0);
	for (i = 0; i < n; i++) {
		printf("event kind=%u source=%u ctx=0x%" PRIx64 " aux=0x%" PRIx64 " tgid=%u comm=%.16s\n", ev[i].kind,
		       ev[i].source, (uint64_t)ev[i].ctx, (uint64_t)ev[i].aux, ev[i].tgid, ev[i].comm);
		ctxjoin__push(j, &ev[i]);
	}
	if (!ctxjoin__intervals(j, UINT64_MAX, &iv, &niv)) {
		for (i = 0; i < niv; i++)
			printf("interval tgid=%u ctx=0x%" PRIx64 " source=%u launches=%" PRIu64 " open=%d comm=%s\n",
			       iv[i].tgid, iv[i].ctx, iv[i].source, iv[i].launches, !!(iv[i].flags & CTXI_F_OPEN),
			       iv[i].comm);
		free(iv);
	}
	ctxjoin__free(j);
	free(ev);
	gpuctx__free(g);
	return fails ? 1 : 0;
}
