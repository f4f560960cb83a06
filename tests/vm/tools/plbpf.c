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
 */
#include <errno.h>
#include <inttypes.h>
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

int main(void)
{
	struct gpuctx_opts go = { .load_all = true, .libcuda = "/nonexistent" };
	struct pl_gpuctx_event *ev;
	struct ctx_interval *iv;
	struct plerr e = { "" };
	struct ctxjoin *j;
	struct gpuctx *g;
	size_t n, niv, i;
	int fails = 0;

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
