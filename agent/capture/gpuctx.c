// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Loads bpf/gpuctx.bpf.c, attaches what this host has, reads its events.
 * Every source that cannot attach is skipped with the reason, never fatal
 * on its own: a host without libcuda still has DRM, a kernel without BTF
 * still gets its power recorded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gpuctx.skel.h>

#include "capture/gpuctx.h"

#define BPF_FS_MAGIC_ 0xcafe4a11 /* linux/magic.h's BPF_FS_MAGIC */
#define DEFAULT_RINGBUF (1U << 20)

struct gpuctx {
	struct gpuctx_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[40];
	size_t nlinks;
	uint32_t sources;
	bool pinned;
	struct pl_gpuctx_event *ev;
	size_t n, cap;
	bool oom;
	uint64_t lost; /* events read but not kept (out of memory) */
	char report[1024];
	size_t rlen;
};

static void note(struct gpuctx *g, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (g->rlen >= sizeof(g->report) - 1)
		return;
	if (g->rlen)
		g->rlen += (size_t)snprintf(g->report + g->rlen, sizeof(g->report) - g->rlen, "; ");
	if (g->rlen >= sizeof(g->report) - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(g->report + g->rlen, sizeof(g->report) - g->rlen, fmt, ap);
	va_end(ap);
	if (k > 0)
		g->rlen += (size_t)k;
	if (g->rlen > sizeof(g->report) - 1)
		g->rlen = sizeof(g->report) - 1;
}

/* libbpf speaks only when asked to (PL_DEBUG_BPF=1): we say what failed ourselves. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("PL_DEBUG_BPF") != NULL;
	if (!verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* A library to probe must be a regular file: libbpf would block opening a FIFO. */
static bool regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int gpuctx_find_libcuda(char *buf, size_t len)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
					    "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib" };
	const char *env = getenv("PL_LIBCUDA"), *llp = getenv("LD_LIBRARY_PATH");
	size_t i;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return exists(buf) ? 0 : -ENOENT;
	}
	while (llp && *llp) {
		const char *end = strchr(llp, ':');
		size_t l = end ? (size_t)(end - llp) : strlen(llp);

		if (l) {
			snprintf(buf, len, "%.*s/libcuda.so.1", (int)l, llp);
			if (exists(buf))
				return 0;
		}
		llp = end ? end + 1 : NULL;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(buf, len, "%s/libcuda.so.1", dirs[i]);
		if (exists(buf))
			return 0;
	}
	buf[0] = 0;
	return -ENOENT;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct gpuctx *g = ctx;

	if (size < sizeof(struct pl_gpuctx_event))
		return 0;
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 4096;
		void *p = realloc(g->ev, ncap * sizeof(*g->ev));

		if (!p) {
			/* Dropped and counted (as dropped), not fatal: the ring must keep draining. */
			g->oom = true;
			g->lost++;
			return 0;
		}
		g->ev = p;
		g->cap = ncap;
	}
	memcpy(&g->ev[g->n++], data, sizeof(struct pl_gpuctx_event));
	return 0;
}

static int attach_link(struct gpuctx *g, struct bpf_link *l)
{
	if (!l)
		return -errno;
	if (g->nlinks == sizeof(g->links) / sizeof(g->links[0])) {
		bpf_link__destroy(l);
		return -ENOSPC;
	}
	g->links[g->nlinks++] = l;
	return 0;
}

static int uprobe(struct gpuctx *g, struct bpf_program *p, const char *lib, const char *func, bool ret)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = func, .retprobe = ret);

	return attach_link(g, bpf_program__attach_uprobe_opts(p, -1, lib, 0, &uo));
}

/* The CUDA driver API: entry probes save arguments, return probes report success. */
static void attach_cuda(struct gpuctx *g, const char *lib)
{
	struct gpuctx_bpf *s = g->skel;
	const struct {
		struct bpf_program *entry, *ret;
		const char *func;
		bool needed;
	} calls[] = {
		{ s->progs.pl_cu_create_v2, s->progs.pl_cu_create_ret, "cuCtxCreate_v2", true },
		{ s->progs.pl_cu_create_v3, s->progs.pl_cu_create_ret, "cuCtxCreate_v3", false },
		{ s->progs.pl_cu_create_v4, s->progs.pl_cu_create_ret, "cuCtxCreate_v4", false },
		{ s->progs.pl_cu_retain, s->progs.pl_cu_retain_ret, "cuDevicePrimaryCtxRetain", false },
		{ s->progs.pl_cu_destroy, s->progs.pl_cu_destroy_ret, "cuCtxDestroy_v2", true },
		{ s->progs.pl_cu_set, s->progs.pl_cu_set_ret, "cuCtxSetCurrent", true },
		{ s->progs.pl_cu_push, s->progs.pl_cu_push_ret, "cuCtxPushCurrent_v2", true },
		{ s->progs.pl_cu_pop, s->progs.pl_cu_pop_ret, "cuCtxPopCurrent_v2", true },
		{ s->progs.pl_cu_launch, NULL, "cuLaunchKernel", false },
		{ s->progs.pl_cu_launch_ex, NULL, "cuLaunchKernelEx", false },
		/* the per-thread default stream variants the runtime calls */
		{ s->progs.pl_cu_launch, NULL, "cuLaunchKernel_ptsz", false },
		{ s->progs.pl_cu_launch_ex, NULL, "cuLaunchKernelEx_ptsz", false },
	};
	char missing[256] = "";
	size_t i, nprobes = 0, ml = 0;
	int err;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		err = uprobe(g, calls[i].entry, lib, calls[i].func, false);
		if (!err && calls[i].ret) {
			err = uprobe(g, calls[i].ret, lib, calls[i].func, true);
			/* An entry probe without its return would only fill pl_calls. */
			if (err)
				bpf_link__destroy(g->links[--g->nlinks]);
		}
		if (!err) {
			nprobes += calls[i].ret ? 2 : 1;
			continue;
		}
		if (calls[i].needed && ml < sizeof(missing))
			ml += (size_t)snprintf(missing + ml, sizeof(missing) - ml, "%s%s (%s)", ml ? ", " : "",
					       calls[i].func, strerror(-err));
	}
	if (nprobes && !missing[0]) {
		g->sources |= 1U << PL_GCS_CUDA;
		note(g, "cuda: attached to %s (%zu probes)", lib, nprobes);
	} else if (nprobes) {
		g->sources |= 1U << PL_GCS_CUDA;
		note(g, "cuda: attached to %s (%zu probes; not probed: %s)", lib, nprobes, missing);
	} else {
		note(g, "cuda: skipped (%s: no probe attached: %s)", lib, missing[0] ? missing : "no symbols");
	}
}

static bool tracepoint_exists(const char *sys, const char *name)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events" };
	char path[256];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", roots[i], sys, name);
		if (exists(path))
			return true;
	}
	return false;
}

static void pin_maps(struct gpuctx *g)
{
	struct bpf_map *maps[] = { g->skel->maps.pl_events, g->skel->maps.pl_counters, g->skel->maps.pl_gpu_tasks };
	struct statfs fs;
	char path[128];
	size_t i;
	int err;

	if (statfs("/sys/fs/bpf", &fs) || (unsigned long)fs.f_type != BPF_FS_MAGIC_) {
		note(g, "maps not pinned (/sys/fs/bpf is not a BPF filesystem: mount -t bpf bpf /sys/fs/bpf)");
		return;
	}
	if (mkdir(PL_GPUCTX_PIN_DIR, 0700) && errno != EEXIST) {
		note(g, "maps not pinned (" PL_GPUCTX_PIN_DIR ": %s)", strerror(errno));
		return;
	}
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), PL_GPUCTX_PIN_DIR "/%s", bpf_map__name(maps[i]));
		/* A pin left by an agent that crashed: ours replaces it. */
		unlink(path);
		err = bpf_map__pin(maps[i], path);
		if (err) {
			note(g, "map %s not pinned (%s)", bpf_map__name(maps[i]), strerror(-err));
			continue;
		}
		g->pinned = true;
	}
	if (g->pinned)
		note(g, "maps pinned under " PL_GPUCTX_PIN_DIR);
}

static const char *load_hint(int err)
{
	char buf[128] = "";
	FILE *f;

	if (err != -EPERM && err != -EACCES)
		return "";
	f = fopen("/sys/kernel/security/lockdown", "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f) && strstr(buf, "[confidentiality]")) {
			fclose(f);
			return " (kernel lockdown is in confidentiality mode: BPF tracing is refused)";
		}
		fclose(f);
	}
	return " (loading BPF programs needs CAP_BPF and CAP_PERFMON, or root)";
}

struct gpuctx *gpuctx__open(const struct gpuctx_opts *o, struct plerr *e)
{
	struct gpuctx *g;
	struct gpuctx_bpf *s;
	char libcuda[512] = "";
	bool cuda, drm, nv, want_drm_progs;
	const char *nvsym = o->nv_ioctl_sym;
	int err;

	libbpf_set_print(libbpf_print);
	if (!exists("/sys/kernel/btf/vmlinux")) {
		plerr_set(e, -ENOTSUP, "GPU contexts not recorded: the kernel has no BTF (/sys/kernel/btf/vmlinux "
			  "missing: built without CONFIG_DEBUG_INFO_BTF)");
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		plerr_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	if (o->libcuda)
		snprintf(libcuda, sizeof(libcuda), "%s", o->libcuda);
	else
		gpuctx_find_libcuda(libcuda, sizeof(libcuda));
	cuda = libcuda[0] && regular(libcuda);
	drm = tracepoint_exists("gpu_scheduler", "drm_run_job") || exists("/sys/module/gpu_sched");
	if (!nvsym && exists("/sys/module/nvidia"))
		nvsym = "nvidia_unlocked_ioctl";
	nv = nvsym != NULL;
	want_drm_progs = drm || o->load_all;

	s = g->skel = gpuctx_bpf__open();
	if (!s) {
		plerr_set(e, -errno, "GPU contexts not recorded: cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	s->rodata->targ_tgid = o->tgid;
	s->rodata->targ_sched = o->sched;
	bpf_map__set_max_entries(s->maps.pl_events, o->ringbuf_bytes ? o->ringbuf_bytes : DEFAULT_RINGBUF);
	/* Load only what can run here: a program whose target is absent may not even relocate. */
	if (!cuda && !o->load_all) {
		struct bpf_program *p;

		bpf_object__for_each_program(p, s->obj)
			if (!strncmp(bpf_program__name(p), "pl_cu_", 6))
				bpf_program__set_autoload(p, false);
	}
	if (!o->libcudart && !o->load_all)
		bpf_program__set_autoload(s->progs.pl_cudart_launch, false);
	if (!want_drm_progs) {
		bpf_program__set_autoload(s->progs.pl_drm_job_queued, false);
		bpf_program__set_autoload(s->progs.pl_drm_run_job, false);
		bpf_program__set_autoload(s->progs.pl_drm_job_done, false);
	}
	if (!nv && !o->load_all)
		bpf_program__set_autoload(s->progs.pl_nv_ioctl, false);
	err = gpuctx_bpf__load(s);
	if (err) {
		plerr_set(e, err, "GPU contexts not recorded: loading the BPF programs failed: %s%s", strerror(-err),
			  load_hint(err));
		goto fail;
	}

	if (cuda)
		attach_cuda(g, libcuda);
	else
		note(g, "cuda: skipped (libcuda.so.1 %s%s%s)",
		     !libcuda[0] ? "not found" : exists(libcuda) ? "is not a regular file: " : "not found at ", libcuda,
		     libcuda[0] ? "" : "; give --libcuda PATH or PL_LIBCUDA");
	if (o->libcudart && !regular(o->libcudart)) {
		note(g, "cudart: skipped (%s: not a regular file)", o->libcudart);
	} else if (o->libcudart) {
		err = uprobe(g, s->progs.pl_cudart_launch, o->libcudart, "cudaLaunchKernel", false);
		if (err) {
			note(g, "cudart: skipped (%s: cudaLaunchKernel: %s)", o->libcudart, strerror(-err));
		} else {
			g->sources |= 1U << PL_GCS_CUDART;
			note(g, "cudart: attached to %s", o->libcudart);
		}
	}
	if (drm) {
		err = attach_link(g, bpf_program__attach_raw_tracepoint(s->progs.pl_drm_job_queued, "drm_sched_job"));
		if (!err)
			err = attach_link(g, bpf_program__attach_raw_tracepoint(s->progs.pl_drm_run_job, "drm_run_job"));
		if (!err)
			err = attach_link(g, bpf_program__attach_raw_tracepoint(s->progs.pl_drm_job_done,
										"drm_sched_process_job"));
		if (err) {
			note(g, "drm: skipped (gpu_scheduler tracepoints: %s)", strerror(-err));
		} else {
			g->sources |= 1U << PL_GCS_DRM;
			note(g, "drm: attached (drm_sched_job, drm_run_job, drm_sched_process_job)");
		}
	} else {
		note(g, "drm: skipped (gpu-sched not loaded: no DRM scheduler tracepoints)");
	}
	if (nv) {
		err = attach_link(g, bpf_program__attach_kprobe(s->progs.pl_nv_ioctl, false, nvsym));
		if (err) {
			note(g, "nvidia: skipped (kprobe on %s: %s)", nvsym, strerror(-err));
		} else {
			g->sources |= 1U << PL_GCS_NVIDIA;
			note(g, "nvidia: attached (kprobe on %s)", nvsym);
		}
	} else {
		note(g, "nvidia: skipped (nvidia module not loaded)");
	}
	err = attach_link(g, bpf_program__attach_raw_tracepoint(s->progs.pl_sched_exit, "sched_process_exit"));
	if (!err)
		err = attach_link(g, bpf_program__attach_raw_tracepoint(s->progs.pl_sched_exec, "sched_process_exec"));
	if (!err && o->sched)
		err = attach_link(g, bpf_program__attach_raw_tracepoint(s->progs.pl_sched_switch, "sched_switch"));
	if (err) {
		note(g, "sched: skipped (%s)", strerror(-err));
	} else {
		g->sources |= 1U << PL_GCS_SCHED;
		note(g, o->sched ? "sched: attached (sched_switch, sched_process_exit, sched_process_exec)" :
				   "sched: attached (sched_process_exit, sched_process_exec)");
	}
	if (!(g->sources & ~(1U << PL_GCS_SCHED)) && !o->load_all) {
		plerr_set(e, -ENOENT, "GPU contexts not recorded: no GPU event source on this host: %s", g->report);
		goto fail;
	}
	g->rb = ring_buffer__new(bpf_map__fd(s->maps.pl_events), on_event, g, NULL);
	if (!g->rb) {
		plerr_set(e, -errno, "GPU contexts not recorded: ring buffer: %s", strerror(errno));
		goto fail;
	}
	if (o->pin)
		pin_maps(g);
	return g;
fail:
	gpuctx__free(g);
	return NULL;
}

const char *gpuctx__report(const struct gpuctx *g)
{
	return g->report;
}

uint32_t gpuctx__sources(const struct gpuctx *g)
{
	return g->sources;
}

int gpuctx__fd(const struct gpuctx *g)
{
	return ring_buffer__epoll_fd(g->rb);
}

int gpuctx__consume(struct gpuctx *g)
{
	int n = ring_buffer__consume(g->rb);

	if (g->oom) {
		g->oom = false; /* reported once; the next batch may fit */
		return -ENOMEM;
	}
	return n;
}

void gpuctx__take(struct gpuctx *g, struct pl_gpuctx_event **ev, size_t *n)
{
	*ev = g->n ? g->ev : NULL;
	*n = g->n;
	if (!g->n)
		return;
	g->ev = NULL;
	g->n = g->cap = 0;
}

int gpuctx__counters(const struct gpuctx *g, uint64_t out[__PL_GC_CNT_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(g->skel->maps.pl_counters);
	uint64_t *v;
	__u32 k;

	memset(out, 0, __PL_GC_CNT_MAX * sizeof(*out));
	if (ncpu <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (k = 0; k < __PL_GC_CNT_MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, v)) {
			free(v);
			return -errno;
		}
		for (int c = 0; c < ncpu; c++)
			out[k] += v[c];
	}
	free(v);
	out[PL_GC_CNT_DROPPED] += g->lost;
	return 0;
}

int gpuctx__prog_fd(const struct gpuctx *g, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(g->skel->obj, name);

	return p ? bpf_program__fd(p) : -ENOENT;
}

void gpuctx__free(struct gpuctx *g)
{
	size_t i;

	if (!g)
		return;
	ring_buffer__free(g->rb);
	for (i = 0; i < g->nlinks; i++)
		bpf_link__destroy(g->links[i]);
	if (g->pinned) {
		bpf_map__unpin(g->skel->maps.pl_events, NULL);
		bpf_map__unpin(g->skel->maps.pl_counters, NULL);
		bpf_map__unpin(g->skel->maps.pl_gpu_tasks, NULL);
		rmdir(PL_GPUCTX_PIN_DIR);
	}
	gpuctx_bpf__destroy(g->skel);
	free(g->ev);
	free(g);
}
