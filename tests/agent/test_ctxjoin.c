// SPDX-License-Identifier: GPL-2.0 OR MIT
/* science/ctxjoin.c: GPU-context events -> intervals -> energy per context. */
#include "testutil.h"

#include "capture/trace.h"
#include "evidence/contexts.h"
#include "science/ctxjoin.h"

#define MS 1000000ULL

static struct pl_gpuctx_event ev(uint64_t t_ms, uint16_t kind, uint16_t source, uint32_t tgid, uint32_t tid,
				 uint64_t ctx, uint64_t aux)
{
	struct pl_gpuctx_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = t_ms * MS;
	e.kind = kind;
	e.source = source;
	e.tgid = tgid;
	e.pid = tid;
	e.ns_tgid = tgid;
	e.ns_pid = tid;
	e.ctx = ctx;
	e.aux = aux;
	e.gpu = PL_GPU_UNKNOWN;
	snprintf(e.comm, sizeof(e.comm), "proc%u", tgid);
	return e;
}

static void push_all(struct ctxjoin *j, struct pl_gpuctx_event *e, size_t n)
{
	size_t i;

	ctxjoin_sort(e, n);
	for (i = 0; i < n; i++)
		assert_int_equal(ctxjoin__push(j, &e[i]), 0);
}

static void expect_iv(const struct ctx_interval *iv, uint32_t tgid, uint64_t ctx, uint64_t b_ms, uint64_t e_ms)
{
	assert_int_equal(iv->tgid, tgid);
	assert_int_equal(iv->ctx, ctx);
	assert_int_equal(iv->begin_ns, b_ms * MS);
	assert_int_equal(iv->end_ns, e_ms * MS);
}

/* Two processes take turns; a context created on GPU 1 carries its index. */
static void test_two_processes_take_turns(void **state)
{
	struct pl_gpuctx_event e[] = {
		ev(10, PL_GC_CREATE, PL_GCS_CUDA, 100, 100, 0xA, 0),
		ev(50, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 100, 0, 0),
		ev(50, PL_GC_SET_CURRENT, PL_GCS_CUDA, 200, 201, 0xB, 0),
		ev(60, PL_GC_LAUNCH, PL_GCS_CUDA, 200, 201, 0, 0x1234),
		ev(61, PL_GC_LAUNCH, PL_GCS_CUDA, 200, 201, 0, 0x1234),
		ev(90, PL_GC_POP, PL_GCS_CUDA, 200, 201, 0xB, 0),
		ev(90, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 100, 0xA, 0),
	};
	struct ctx_interval *iv;
	struct ctxjoin *j = ctxjoin__new(0);
	size_t n;

	(void)state;
	e[0].gpu = 1;
	push_all(j, e, sizeof(e) / sizeof(e[0]));
	assert_int_equal(ctxjoin__intervals(j, 120 * MS, &iv, &n), 0);
	assert_int_equal(n, 3);
	expect_iv(&iv[0], 100, 0xA, 10, 50);
	assert_int_equal(iv[0].gpu, 1);
	assert_int_equal(iv[0].flags, 0);
	expect_iv(&iv[1], 200, 0xB, 50, 90);
	assert_int_equal(iv[1].launches, 2);
	assert_string_equal(iv[1].comm, "proc200");
	expect_iv(&iv[2], 100, 0xA, 90, 120);
	assert_int_equal(iv[2].flags, CTXI_F_OPEN);
	assert_int_equal(iv[2].gpu, 1);
	free(iv);
	ctxjoin__free(j);
}

/* The driver API's stack: push/pop nest, destroy removes from every thread, exit ends all. */
static void test_stack_destroy_exit(void **state)
{
	struct pl_gpuctx_event e[] = {
		ev(0, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 100, 0xA, 0),
		ev(10, PL_GC_PUSH, PL_GCS_CUDA, 100, 100, 0xB, 0),
		ev(20, PL_GC_POP, PL_GCS_CUDA, 100, 100, 0xB, 0), /* A is current again */
		ev(25, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 101, 0xA, 0), /* a second thread */
		ev(30, PL_GC_DESTROY, PL_GCS_CUDA, 100, 101, 0xA, 0), /* gone from both */
		ev(40, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 102, 0xC, 0),
		ev(60, PL_GC_EXIT, PL_GCS_SCHED, 100, 100, 0, 0), /* the leader's pthread_exit: not the process */
		ev(70, PL_GC_EXIT, PL_GCS_SCHED, 100, 103, 0, 1), /* the last thread: all of it */
		ev(80, PL_GC_POP, PL_GCS_CUDA, 300, 300, 0, 0),	/* nothing to pop */
	};
	struct ctx_interval *iv;
	struct ctxjoin *j = ctxjoin__new(0);
	size_t n;

	(void)state;
	push_all(j, e, sizeof(e) / sizeof(e[0]));
	assert_int_equal(ctxjoin__intervals(j, 100 * MS, &iv, &n), 0);
	assert_int_equal(n, 4);
	expect_iv(&iv[0], 100, 0xA, 0, 10);
	expect_iv(&iv[1], 100, 0xB, 10, 20);
	expect_iv(&iv[2], 100, 0xA, 20, 30);
	expect_iv(&iv[3], 100, 0xC, 40, 70);
	assert_int_equal(ctxjoin__stats(j)->unmatched, 1);
	free(iv);
	ctxjoin__free(j);
}

/* Launches from a context made current before we attached; NVIDIA ioctls; DRM jobs. */
static void test_hold_and_drm(void **state)
{
	struct pl_gpuctx_event e[] = {
		ev(0, PL_GC_LAUNCH, PL_GCS_CUDA, 100, 100, 0, 1),
		ev(50, PL_GC_LAUNCH, PL_GCS_CUDA, 100, 100, 0, 1),
		ev(400, PL_GC_LAUNCH, PL_GCS_CUDA, 100, 100, 0, 1), /* a new stretch */
		ev(10, PL_GC_IOCTL, PL_GCS_NVIDIA, 200, 200, 0xF11E, 0x2a),
		ev(20, PL_GC_JOB_QUEUED, PL_GCS_DRM, 300, 301, 0xE, 0xF1),
		ev(30, PL_GC_JOB_RUN, PL_GCS_DRM, 7, 7, 0xE, 0xF1), /* the scheduler's kthread */
		ev(35, PL_GC_JOB_RUN, PL_GCS_DRM, 7, 7, 0xE, 0xF2),
		ev(40, PL_GC_JOB_DONE, PL_GCS_DRM, 0, 0, 0, 0xF1),
		ev(45, PL_GC_JOB_DONE, PL_GCS_DRM, 0, 0, 0, 0xF2),
		ev(46, PL_GC_JOB_DONE, PL_GCS_DRM, 0, 0, 0, 0xF3), /* never ran */
	};
	struct ctx_interval *iv;
	struct ctxjoin *j = ctxjoin__new(0);
	size_t n;

	(void)state;
	push_all(j, e, sizeof(e) / sizeof(e[0]));
	assert_int_equal(ctxjoin__intervals(j, 1000 * MS, &iv, &n), 0);
	assert_int_equal(n, 4);
	expect_iv(&iv[0], 100, 0, 0, 150); /* 50 ms + the 100 ms hold */
	assert_int_equal(iv[0].launches, 2);
	expect_iv(&iv[1], 200, 0, 10, 110);
	assert_int_equal(iv[1].source, PL_GCS_NVIDIA);
	expect_iv(&iv[2], 300, 0xE, 30, 45); /* owned by the submitter, not the kthread */
	assert_int_equal(iv[2].source, PL_GCS_DRM);
	assert_string_equal(iv[2].comm, "proc300");
	assert_int_equal(iv[2].launches, 2);
	expect_iv(&iv[3], 100, 0, 400, 500);
	assert_int_equal(ctxjoin__stats(j)->unmatched, 1);
	assert_int_equal(ctxjoin__stats(j)->launches_no_ctx, 3);
	free(iv);
	ctxjoin__free(j);
}

/* 1 s at 1 kW, 1 ms samples: A alone, then A and B (halves), then B alone. */
static void test_attribute_energy(void **state)
{
	struct ctx_interval iv[2] = {
		{ .begin_ns = 0, .end_ns = 400 * MS, .ctx = 0xA, .tgid = 100, .source = PL_GCS_CUDA, .comm = "a" },
		{ .begin_ns = 300 * MS, .end_ns = 1000 * MS, .ctx = 0xB, .tgid = 200, .source = PL_GCS_CUDA,
		  .comm = "b" },
	};
	struct pl_sample *s = calloc(1200, sizeof(*s));
	struct series v = { .s = s, .n = 1200, .period_ns = MS };
	struct ctx_energy *g;
	double un, total;
	size_t i, n, idx[4];

	(void)state;
	for (i = 0; i < 1200; i++) {
		s[i].ts_ns = i * MS;
		s[i].rails = PL_RAIL_PIN;
		s[i].pin_uw = 1000000000; /* 1 kW */
	}
	assert_int_equal(ctx_attribute(&v, 0, 1200, iv, 2, &g, &n, &un, &total), 0);
	assert_int_equal(n, 2);
	assert_int_equal(g[0].tgid, 200); /* largest first */
	assert_float_equal(g[0].energy_j, 650.0, 1e-6);
	assert_int_equal(g[0].samples, 700);
	assert_float_equal(g[1].energy_j, 350.0, 1e-6);
	assert_int_equal(g[1].samples, 400);
	assert_int_equal(g[1].active_ns, 400 * MS);
	assert_float_equal(un, 200.0, 1e-6);
	assert_float_equal(total, 1200.0, 1e-6);
	free(g);
	/* A part of the series only. */
	assert_int_equal(ctx_attribute(&v, 350, 450, iv, 2, &g, &n, &un, &total), 0);
	assert_int_equal(n, 2);
	assert_float_equal(g[0].energy_j, 75.0, 1e-6); /* B: 50 shared + 50 alone */
	assert_float_equal(g[1].energy_j, 25.0, 1e-6);
	free(g);
	assert_int_equal(ctx_active_at(iv, 2, 350 * MS, idx, 4), 2);
	assert_int_equal(ctx_active_at(iv, 2, 400 * MS, idx, 4), 1); /* end is exclusive */
	assert_int_equal(idx[0], 1);
	assert_int_equal(ctx_active_at(iv, 2, 1000 * MS, idx, 4), 0);
	/* No intervals: everything unattributed. */
	assert_int_equal(ctx_attribute(&v, 0, 1200, NULL, 0, &g, &n, &un, &total), 0);
	assert_int_equal(n, 0);
	assert_null(g);
	assert_float_equal(un, 1200.0, 1e-6);
	free(s);
}

/* Events from several CPUs arrive out of order; each CPU's own order is kept. */
static void test_sort_merges_cpus(void **state)
{
	struct pl_gpuctx_event e[3] = {
		ev(20, PL_GC_SET_CURRENT, PL_GCS_CUDA, 1, 1, 0, 0),
		ev(10, PL_GC_SET_CURRENT, PL_GCS_CUDA, 1, 1, 0xA, 0),
		ev(20, PL_GC_SET_CURRENT, PL_GCS_CUDA, 2, 2, 0xB, 0),
	};
	char name[128];

	(void)state;
	e[0].cpu = 1;
	e[2].cpu = 0;
	ctxjoin_sort(e, 3);
	assert_int_equal(e[0].ts_ns, 10 * MS);
	assert_int_equal(e[1].cpu, 0);
	assert_int_equal(e[1].ctx, 0xB);
	{
		struct ctx_interval iv = { .tgid = 4242, .ctx = 0x7f3a00001000ULL, .gpu = 0, .source = PL_GCS_CUDA,
					   .comm = "python3" };

		ctx_interval_name(&iv, name, sizeof(name));
		assert_string_equal(name, "4242/python3 cuda ctx 0x7f3a00001000 gpu 0");
	}
}

/* Owners and GPUs follow what happens: pid reuse, a context address reused on another GPU, DRM entities shared. */
static void test_owner_gpu_drm_follow(void **state)
{
	struct pl_gpuctx_event e[] = {
		ev(0, PL_GC_CREATE, PL_GCS_CUDA, 100, 100, 0xA, 0),
		ev(10, PL_GC_DESTROY, PL_GCS_CUDA, 100, 100, 0xA, 0),
		ev(20, PL_GC_CREATE, PL_GCS_CUDA, 100, 100, 0xA, 0), /* same address, GPU 3 */
		ev(30, PL_GC_POP, PL_GCS_CUDA, 100, 100, 0xA, 0),
		ev(40, PL_GC_EXIT, PL_GCS_SCHED, 100, 100, 0, 1),
		ev(50, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 100, 0xB, 0), /* pid 100 again: another program */
		ev(60, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 100, 0, 0),
		ev(70, PL_GC_JOB_QUEUED, PL_GCS_DRM, 300, 300, 0xE, 0xF1),
		ev(71, PL_GC_JOB_RUN, PL_GCS_DRM, 7, 7, 0xE, 0xF1),
		ev(72, PL_GC_JOB_QUEUED, PL_GCS_DRM, 400, 400, 0xE, 0xF2), /* the entity changes hands */
		ev(73, PL_GC_JOB_RUN, PL_GCS_DRM, 7, 7, 0xE, 0xF2),
		ev(80, PL_GC_JOB_DONE, PL_GCS_DRM, 0, 0, 0, 0xF2), /* 400's job ends first */
		ev(90, PL_GC_JOB_DONE, PL_GCS_DRM, 0, 0, 0, 0xF1),
	};
	struct ctx_interval *iv;
	struct ctxjoin *j = ctxjoin__new(0);
	size_t n;

	(void)state;
	e[0].gpu = 0;
	e[2].gpu = 3;
	snprintf(e[5].comm, sizeof(e[5].comm), "newprog");
	push_all(j, e, sizeof(e) / sizeof(e[0]));
	assert_int_equal(ctxjoin__intervals(j, 100 * MS, &iv, &n), 0);
	assert_int_equal(n, 5);
	expect_iv(&iv[0], 100, 0xA, 0, 10);
	assert_int_equal(iv[0].gpu, 0);
	expect_iv(&iv[1], 100, 0xA, 20, 30);
	assert_int_equal(iv[1].gpu, 3); /* the newest create, not the first */
	expect_iv(&iv[2], 100, 0xB, 50, 60);
	assert_string_equal(iv[2].comm, "newprog");
	assert_int_equal(iv[2].gpu, PL_GPU_UNKNOWN); /* the old process's GPUs went with it */
	expect_iv(&iv[3], 300, 0xE, 71, 90);
	expect_iv(&iv[4], 400, 0xE, 73, 80); /* its own fence closes its own slot */
	free(iv);
	ctxjoin__free(j);
}

/* A retained primary context (the runtime API's) is not current until set; its GPU is known. */
static void test_primary_retain(void **state)
{
	struct pl_gpuctx_event e[] = {
		ev(0, PL_GC_CREATE, PL_GCS_CUDA, 100, 100, 0xA, 1),
		ev(10, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 100, 0xA, 0),
		ev(20, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 100, 0, 0),
	};
	struct ctx_interval *iv;
	struct ctxjoin *j = ctxjoin__new(0);
	size_t n;

	(void)state;
	e[0].gpu = 5;
	push_all(j, e, 3);
	assert_int_equal(ctxjoin__intervals(j, 30 * MS, &iv, &n), 0);
	assert_int_equal(n, 1);
	expect_iv(&iv[0], 100, 0xA, 10, 20);
	assert_int_equal(iv[0].gpu, 5);
	free(iv);
	ctxjoin__free(j);
}

/* exec ends the old program's contexts; a cudart launch with no known context is cudart's hint. */
static void test_exec_and_cudart_hint(void **state)
{
	struct pl_gpuctx_event e[] = {
		ev(0, PL_GC_SET_CURRENT, PL_GCS_CUDA, 100, 101, 0xA, 0), /* a worker thread */
		ev(10, PL_GC_EXEC, PL_GCS_SCHED, 100, 100, 0, 0),
		ev(20, PL_GC_LAUNCH, PL_GCS_CUDART, 200, 200, 0, 0x42),
	};
	struct ctx_interval *iv;
	struct ctxjoin *j = ctxjoin__new(0);
	size_t n;

	(void)state;
	push_all(j, e, 3);
	assert_int_equal(ctxjoin__intervals(j, 500 * MS, &iv, &n), 0);
	assert_int_equal(n, 2);
	expect_iv(&iv[0], 100, 0xA, 0, 10);
	expect_iv(&iv[1], 200, 0, 20, 120);
	assert_int_equal(iv[1].source, PL_GCS_CUDART);
	free(iv);
	ctxjoin__free(j);
}

/* Out-of-order batches settle in time order; a tight loop's intervals merge; forget keeps what is open. */
static void test_settle_merge_forget(void **state)
{
	struct pl_gpuctx_event a[] = {
		ev(20, PL_GC_POP, PL_GCS_CUDA, 100, 100, 0xA, 0),
		ev(20, PL_GC_PUSH, PL_GCS_CUDA, 100, 100, 0xA, 0), /* same ts: seq orders them */
	};
	struct pl_gpuctx_event b[] = {
		ev(10, PL_GC_PUSH, PL_GCS_CUDA, 100, 100, 0xA, 0), /* another CPU's, late */
		ev(30, PL_GC_POP, PL_GCS_CUDA, 100, 100, 0xA, 0),
		ev(500, PL_GC_PUSH, PL_GCS_CUDA, 100, 100, 0xA, 0),
	};
	struct ctx_interval *iv;
	struct ctxjoin *j = ctxjoin__new(0);
	size_t n;

	(void)state;
	a[0].seq = 1;
	a[1].seq = 2;
	a[1].ts_ns += 500000; /* 0.5 ms later: re-pushed within the merge distance */
	assert_int_equal(ctxjoin__add(j, a, 2), 0);
	assert_int_equal(ctxjoin__settle(j, 5 * MS), 0); /* nothing that old yet */
	assert_int_equal(ctxjoin__add(j, b, 3), 0);
	assert_int_equal(ctxjoin__settle(j, 100 * MS), 0);
	assert_int_equal(ctxjoin__intervals(j, 100 * MS, &iv, &n), 0);
	assert_int_equal(n, 1);
	expect_iv(&iv[0], 100, 0xA, 10, 30); /* [10, 20) and [20.5, 30) merged */
	free(iv);
	ctxjoin__forget(j, 100 * MS);
	assert_int_equal(ctxjoin__intervals(j, 100 * MS, &iv, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ctxjoin__settle(j, UINT64_MAX), 0);
	assert_int_equal(ctxjoin__intervals(j, 600 * MS, &iv, &n), 0);
	assert_int_equal(n, 1);
	expect_iv(&iv[0], 100, 0xA, 500, 600);
	assert_int_equal(iv[0].flags, CTXI_F_OPEN);
	free(iv);
	ctxjoin__free(j);
}

/*
 * Shares go per process first: a process's ioctl hint is not a second
 * share while it has a real context; another process's hint is a share.
 */
static void test_attribute_per_process(void **state)
{
	struct ctx_interval iv[4] = {
		{ .begin_ns = 0, .end_ns = 100 * MS, .ctx = 0xA, .tgid = 100, .source = PL_GCS_CUDA, .comm = "a" },
		{ .begin_ns = 0, .end_ns = 100 * MS, .ctx = 0xB, .tgid = 100, .source = PL_GCS_CUDA, .comm = "a" },
		{ .begin_ns = 0, .end_ns = 100 * MS, .ctx = 0, .tgid = 100, .source = PL_GCS_NVIDIA, .comm = "a" },
		{ .begin_ns = 0, .end_ns = 100 * MS, .ctx = 0, .tgid = 200, .source = PL_GCS_NVIDIA, .comm = "smi" },
	};
	struct pl_sample *s = calloc(100, sizeof(*s));
	struct series v = { .s = s, .n = 100, .period_ns = MS };
	struct ctx_energy *g;
	double un, total;
	size_t i, n;

	(void)state;
	for (i = 0; i < 100; i++) {
		s[i].ts_ns = (i * 37 % 100) * MS; /* a tampered clock: out of order, every ms once */
		s[i].rails = PL_RAIL_PIN;
		s[i].pin_uw = 1000000000;
	}
	assert_int_equal(ctx_attribute(&v, 0, 100, iv, 4, &g, &n, &un, &total), 0);
	assert_int_equal(n, 4);
	assert_float_equal(total, 100.0, 1e-6);
	/* process 100: half, split between its two contexts; its own hint nothing; process 200: half */
	for (i = 0; i < n; i++) {
		if (g[i].tgid == 200)
			assert_float_equal(g[i].energy_j, 50.0, 1e-6);
		else if (g[i].source == PL_GCS_NVIDIA)
			assert_float_equal(g[i].energy_j, 0.0, 1e-9);
		else
			assert_float_equal(g[i].energy_j, 25.0, 1e-6);
	}
	assert_float_equal(un, 0.0, 1e-9);
	free(g);
	free(s);
}

/* What a proof may name: a majority process with a real context, in a trace without drops. */
static void test_majority(void **state)
{
	struct trace t;
	struct pl_sample smp;
	struct ctx_energy who;
	struct plerr e;
	double share, un;
	size_t i;

	(void)state;
	trace_init(&t, MS, 0, PL_RAIL_PIN, PLTR_SRC_SYNTHETIC, 0, "A", "B", "C", "h");
	memset(&smp, 0, sizeof(smp));
	for (i = 0; i < 1000; i++) {
		smp.ts_ns = i * MS;
		smp.seq = i;
		smp.rails = PL_RAIL_PIN;
		smp.pin_uw = 1000000000;
		smp.version = PL_SAMPLE_VERSION;
		assert_int_equal(trace_push(&t, &smp), 0);
	}
#define SET(...)                                                                                                       \
	do {                                                                                                           \
		struct ctx_interval tmp[] = { __VA_ARGS__ };                                                           \
		struct ctx_interval *c = malloc(sizeof(tmp));                                                          \
		memcpy(c, tmp, sizeof(tmp));                                                                           \
		assert_int_equal(trace_set_contexts(&t, c, sizeof(tmp) / sizeof(tmp[0]), &e), 0);                      \
	} while (0)
	/* one process, 60 % of the window: named, its larger context */
	SET({ .begin_ns = 0, .end_ns = 400 * MS, .ctx = 0xA, .tgid = 7, .source = PL_GCS_CUDA, .gpu = 2, .comm = "m" },
	    { .begin_ns = 0, .end_ns = 600 * MS, .ctx = 0xB, .tgid = 7, .source = PL_GCS_CUDA, .comm = "m" });
	assert_int_equal(contexts_majority(&t, 0, 1000 * MS, &who, &share, &un), 1);
	assert_int_equal(who.tgid, 7);
	assert_int_equal(who.ctx, 0xB);
	assert_float_equal(share, 0.6, 1e-9);
	assert_float_equal(un, 0.4, 1e-9);
	/* drops: nothing named, whatever the shares */
	t.info.ctx_dropped = 1;
	assert_int_equal(contexts_majority(&t, 0, 1000 * MS, &who, &share, &un), 0);
	t.info.ctx_dropped = 0;
	/* a minority (40 %, the rest unattributed) */
	SET({ .begin_ns = 0, .end_ns = 400 * MS, .ctx = 0xA, .tgid = 7, .source = PL_GCS_CUDA, .comm = "m" });
	assert_int_equal(contexts_majority(&t, 0, 1000 * MS, &who, &share, &un), 0);
	/* ... but the majority of a window it fills */
	assert_int_equal(contexts_majority(&t, 0, 300 * MS, &who, &share, &un), 1);
	/* a tie of two processes */
	SET({ .begin_ns = 0, .end_ns = 1000 * MS, .ctx = 0xA, .tgid = 7, .source = PL_GCS_CUDA, .comm = "m" },
	    { .begin_ns = 0, .end_ns = 1000 * MS, .ctx = 0xC, .tgid = 8, .source = PL_GCS_CUDA, .comm = "n" });
	assert_int_equal(contexts_majority(&t, 0, 1000 * MS, &who, &share, &un), 0);
	/* a hint alone (an ioctl, a launch with no known context) names nobody */
	SET({ .begin_ns = 0, .end_ns = 1000 * MS, .ctx = 0, .tgid = 9, .source = PL_GCS_NVIDIA, .comm = "smi" });
	assert_int_equal(contexts_majority(&t, 0, 1000 * MS, &who, &share, &un), 0);
	SET({ .begin_ns = 0, .end_ns = 1000 * MS, .ctx = 0, .tgid = 9, .source = PL_GCS_CUDA, .comm = "x" });
	assert_int_equal(contexts_majority(&t, 0, 1000 * MS, &who, &share, &un), 0);
#undef SET
	trace__free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_processes_take_turns), cmocka_unit_test(test_stack_destroy_exit),
		cmocka_unit_test(test_hold_and_drm),		  cmocka_unit_test(test_attribute_energy),
		cmocka_unit_test(test_sort_merges_cpus),	  cmocka_unit_test(test_owner_gpu_drm_follow),
		cmocka_unit_test(test_settle_merge_forget),	  cmocka_unit_test(test_attribute_per_process),
		cmocka_unit_test(test_majority),		  cmocka_unit_test(test_primary_retain),
		cmocka_unit_test(test_exec_and_cudart_hint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
