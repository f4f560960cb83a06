// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * plcuwl: a CUDA workload on a known schedule, for the GPU-context tests.
 *
 *	plcuwl [--pidns] SLOT_MS SLOTS LOG
 *
 * libcuda.so.1 is found by dlopen (LD_LIBRARY_PATH), as the CUDA runtime
 * finds the driver.  Two processes, A (GPU 0) and B (GPU 1, in a new pid namespace with
 * --pidns), each create a context through libcuda.so.1 and pop it.  From a
 * common start, slot k belongs to A when k is even and to B when odd: the
 * owner pushes its context, launches a kernel every 5 ms, and pops it at the
 * slot's end.  Each process appends to LOG, per stretch its context was
 * current (the create-to-pop one at the start, then each slot),
 *
 *	slot ctx=0x.. ns_tgid=N b0=T b1=T e0=T e1=T
 *
 * with CLOCK_MONOTONIC read right before (b0) and after (b1) the call that
 * made it current and before (e0) and after (e1) the one that ended it: the
 * moment a uretprobe sees lies between each pair.  And "create ctx=0x..
 * ns_tgid=N gpu=G" once.  Exit 0 when both processes ran their schedule.
 *
 *	plcuwl --loop PAIRS RATE
 *
 * One process, one context: PAIRS push/pop pairs (two context switches
 * each), RATE pairs per second (0: as fast as it can); prints
 * "loop_ns=T pairs=N" -- the benchmark's workload (scripts/bench-gpuctx).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct fake_ctx *CUcontext;

/* Resolved with dlopen("libcuda.so.1"), as the CUDA runtime does. */
static int (*cuInit)(unsigned int flags);
static int (*cuCtxCreate_v2)(CUcontext *pctx, unsigned int flags, int dev);
static int (*cuCtxPushCurrent_v2)(CUcontext ctx);
static int (*cuCtxPopCurrent_v2)(CUcontext *pctx);
static int (*cuCtxDestroy_v2)(CUcontext ctx);
static int (*cuCtxSetCurrent)(CUcontext ctx);
static int (*cuDevicePrimaryCtxRetain)(CUcontext *pctx, int dev);
static int (*cuLaunchKernel)(void *f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
			     unsigned int by, unsigned int bz, unsigned int shmem, void *s, void **params,
			     void **extra);

static int load_cuda(void)
{
	void *h = dlopen("libcuda.so.1", RTLD_NOW);

	if (!h) {
		fprintf(stderr, "plcuwl: %s\n", dlerror());
		return -1;
	}
	*(void **)&cuInit = dlsym(h, "cuInit");
	*(void **)&cuCtxCreate_v2 = dlsym(h, "cuCtxCreate_v2");
	*(void **)&cuCtxPushCurrent_v2 = dlsym(h, "cuCtxPushCurrent_v2");
	*(void **)&cuCtxPopCurrent_v2 = dlsym(h, "cuCtxPopCurrent_v2");
	*(void **)&cuCtxDestroy_v2 = dlsym(h, "cuCtxDestroy_v2");
	*(void **)&cuLaunchKernel = dlsym(h, "cuLaunchKernel");
	*(void **)&cuCtxSetCurrent = dlsym(h, "cuCtxSetCurrent");
	*(void **)&cuDevicePrimaryCtxRetain = dlsym(h, "cuDevicePrimaryCtxRetain");
	if (!cuInit || !cuCtxCreate_v2 || !cuCtxPushCurrent_v2 || !cuCtxPopCurrent_v2 || !cuCtxDestroy_v2 ||
	    !cuLaunchKernel || !cuCtxSetCurrent || !cuDevicePrimaryCtxRetain) {
		fprintf(stderr, "plcuwl: libcuda.so.1 lacks a driver API symbol\n");
		return -1;
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ULL), .tv_nsec = (long)(t % 1000000000ULL) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int run(int who, uint64_t t0, uint64_t slot_ns, unsigned int slots, const char *log)
{
	uint64_t c0, c1, p0, p1;
	CUcontext ctx, popped;
	unsigned int k;
	FILE *f;

	c0 = now_ns();
	if (cuInit(0) || (who ? cuDevicePrimaryCtxRetain(&ctx, who) : cuCtxCreate_v2(&ctx, 0, who))) {
		fprintf(stderr, "plcuwl: %c: libcuda refused\n", 'A' + who);
		return 1;
	}
	c1 = now_ns();
	p0 = now_ns();
	if (!who && (cuCtxPopCurrent_v2(&popped) || popped != ctx))
		return 1;
	p1 = now_ns();
	f = fopen(log, "a");
	if (!f)
		return 1;
	setvbuf(f, NULL, _IOLBF, 0);
	fprintf(f, "create ctx=%p ns_tgid=%d gpu=%d\n", (void *)ctx, getpid(), who);
	if (!who) /* created current, until the pop; a retained primary context is not current */
		fprintf(f, "slot ctx=%p ns_tgid=%d b0=%" PRIu64 " b1=%" PRIu64 " e0=%" PRIu64 " e1=%" PRIu64 "\n",
			(void *)ctx, getpid(), c0, c1, p0, p1);
	for (k = (unsigned int)who; k < slots; k += 2) {
		uint64_t b0, b, e0, e, end = t0 + (k + 1) * slot_ns, t;

		sleep_until(t0 + k * slot_ns);
		b0 = now_ns();
		if (who)
			cuCtxSetCurrent(ctx);
		else
			cuCtxPushCurrent_v2(ctx);
		b = now_ns();
		for (t = b; t + 5000000 < end; t += 5000000) {
			cuLaunchKernel((void *)0x1000, 1, 1, 1, 32, 1, 1, 0, NULL, NULL, NULL);
			sleep_until(t + 5000000);
		}
		sleep_until(end);
		e0 = now_ns();
		if (who)
			cuCtxSetCurrent(NULL);
		else
			cuCtxPopCurrent_v2(&popped);
		e = now_ns();
		fprintf(f, "slot ctx=%p ns_tgid=%d b0=%" PRIu64 " b1=%" PRIu64 " e0=%" PRIu64 " e1=%" PRIu64 "\n",
			(void *)ctx, getpid(), b0, b, e0, e);
	}
	if (!who)
		cuCtxDestroy_v2(ctx);
	fclose(f);
	return 0;
}

static int loop(uint64_t pairs, uint64_t rate)
{
	CUcontext ctx, popped;
	uint64_t t0, i, step = rate ? 1000000000ULL / rate : 0;

	if (cuInit(0) || cuCtxCreate_v2(&ctx, 0, 0) || cuCtxPopCurrent_v2(&popped))
		return 1;
	t0 = now_ns();
	for (i = 0; i < pairs; i++) {
		if (step)
			sleep_until(t0 + i * step);
		cuCtxPushCurrent_v2(ctx);
		cuCtxPopCurrent_v2(&popped);
	}
	printf("loop_ns=%" PRIu64 " pairs=%" PRIu64 "\n", now_ns() - t0, pairs);
	cuCtxDestroy_v2(ctx);
	return 0;
}

int main(int argc, char **argv)
{
	int pidns = 0, status, fails = 0, i;
	uint64_t slot_ns, t0;
	unsigned int slots;
	pid_t kids[2];

	if (argc == 4 && !strcmp(argv[1], "--loop")) {
		if (load_cuda())
			return 2;
		return loop(strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10));
	}
	if (argc > 1 && !strcmp(argv[1], "--pidns")) {
		pidns = 1;
		argv++;
		argc--;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: plcuwl [--pidns] SLOT_MS SLOTS LOG\n");
		return 2;
	}
	if (load_cuda())
		return 2;
	slot_ns = strtoull(argv[1], NULL, 10) * 1000000ULL;
	slots = (unsigned int)strtoul(argv[2], NULL, 10);
	t0 = now_ns() + 300000000ULL;
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return 2;
		if (kids[i] == 0) {
			if (i == 1 && pidns) {
				pid_t in;

				/* B: pid 1 of a namespace of its own (needs CAP_SYS_ADMIN). */
				if (unshare(CLONE_NEWPID)) {
					perror("plcuwl: unshare(CLONE_NEWPID)");
					_exit(1);
				}
				in = fork();
				if (in < 0)
					_exit(1);
				if (in == 0)
					_exit(run(i, t0, slot_ns, slots, argv[3]));
				_exit(waitpid(in, &status, 0) == in && WIFEXITED(status) ? WEXITSTATUS(status) : 1);
			}
			_exit(run(i, t0, slot_ns, slots, argv[3]));
		}
	}
	for (i = 0; i < 2; i++)
		if (waitpid(kids[i], &status, 0) != kids[i] || !WIFEXITED(status) || WEXITSTATUS(status))
			fails++;
	return fails ? 1 : 0;
}
