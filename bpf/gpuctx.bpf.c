// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GPU-context events (bpf/gpuctx.h): what each GPU-using process did to its
 * contexts, when, on the samples' clock.  Sources, each attached by the
 * agent only where present (agent/capture/gpuctx.c):
 *
 *   pl_cu_*		uprobes/uretprobes on libcuda.so.1's context and launch calls
 *			(primary contexts and the per-thread-stream _ptsz launches too)
 *   pl_cudart_launch	uprobe on libcudart's cudaLaunchKernel
 *   pl_drm_*		raw tracepoints of the DRM GPU scheduler (gpu-sched.ko)
 *   pl_nv_ioctl		kprobe on the NVIDIA driver's ioctl entry
 *   pl_sched_*		sched_switch / sched_process_exit / sched_process_exec, for
 *			GPU-owning processes
 *
 * The programs record; they do not interpret.  Which context is current on
 * a thread (a stack, in the driver API) is rebuilt by the agent from the
 * events (agent/science/ctxjoin.c), where it can be tested on its own.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "gpuctx.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define WAKEUP_BYTES (64 * 1024) /* about 750 events */

/* Settings, set by the agent between open and load. */
const volatile __u32 targ_tgid = 0;		/* only this process (0: every process) */
const volatile bool targ_sched = false;		/* emit sched_switch events */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);		/* resized by the agent before load */
} pl_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, __PL_GC_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} pl_counters SEC(".maps");

/* Arguments saved at a call's entry for its return probe: (tid, kind) -> args. */
struct call_key {
	__u32 tid;
	__u32 kind;
};

struct call_args {
	__u64 a;	/* the context, or where the call writes one */
	__u64 b;	/* the device ordinal (create) */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct call_key);
	__type(value, struct call_args);
} pl_calls SEC(".maps");

/* Processes that own GPU state: sched_switch and exit look only at these. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);	/* tgid */
	__type(value, __u8);
} pl_gpu_tasks SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&pl_counters, &idx);

	if (c)
		(*c)++;
}

static __always_inline bool wanted(__u32 tgid)
{
	return !targ_tgid || targ_tgid == tgid;
}

/* tgid, pid, their numbers in the task's own pid namespace, and its inode. */
static __always_inline void fill_task(struct pl_gpuctx_event *e, struct task_struct *t)
{
	struct pid *tp = BPF_CORE_READ(t, thread_pid);
	struct pid *lp = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(tp, level);
	struct upid up = {}, lup = {};

	e->tgid = BPF_CORE_READ(t, tgid);
	e->pid = BPF_CORE_READ(t, pid);
	if (bpf_core_read(&up, sizeof(up), &tp->numbers[level]) ||
	    bpf_core_read(&lup, sizeof(lup), &lp->numbers[level]))
		count(PL_GC_CNT_READ_FAULTS);
	e->ns_pid = up.nr;
	e->ns_tgid = lup.nr;
	e->pidns_ino = up.ns ? BPF_CORE_READ(up.ns, ns.inum) : 0;
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
}

/*
 * Writes one event about task @t (NULL: the current task).  Returns 0, or
 * -1 when the ring buffer was full (counted as dropped).
 */
static __always_inline int emit(struct task_struct *t, __u16 kind, __u16 source, __u64 ctx,
				__u64 aux, __u32 gpu)
{
	__u64 ts = bpf_ktime_get_ns(), *seq;
	struct pl_gpuctx_event *e;
	__u32 idx = PL_GC_CNT_EVENTS;

	e = bpf_ringbuf_reserve(&pl_events, sizeof(*e), 0);
	if (!e) {
		count(PL_GC_CNT_DROPPED);
		return -1;
	}
	e->ts_ns = ts;
	e->ctx = ctx;
	e->aux = aux;
	e->gpu = gpu;
	e->kind = kind;
	e->source = source;
	e->cpu = bpf_get_smp_processor_id();
	e->reserved = 0;
	/*
	 * Per-CPU; a preempted uprobe program may rarely share a number with
	 * the program that preempted it (an atomic fetch needs BPF ISA v3):
	 * readers order by ts_ns first, seq only breaks ties.
	 */
	seq = bpf_map_lookup_elem(&pl_counters, &idx);
	e->seq = seq ? (*seq)++ : 0;
	fill_task(e, t ? t : (struct task_struct *)bpf_get_current_task());
	/* Wake the reader only for a batch: it also polls on a timer. */
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&pl_events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES ?
				      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}

static __always_inline void track(__u32 tgid)
{
	__u8 one = 1;

	if (bpf_map_update_elem(&pl_gpu_tasks, &tgid, &one, BPF_ANY))
		count(PL_GC_CNT_MAP_FULL);
}

/* Entry half: remember @a and @b for the return probe of @kind. */
static __always_inline int save_call(__u32 kind, __u64 a, __u64 b)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_key k = { .tid = (__u32)id, .kind = kind };
	struct call_args v = { .a = a, .b = b };

	count(PL_GC_CNT_UPROBE_HITS);
	if (!wanted(id >> 32))
		return 0;
	if (bpf_map_update_elem(&pl_calls, &k, &v, BPF_ANY))
		count(PL_GC_CNT_MAP_FULL);
	return 0;
}

/* Return half: the saved arguments if the call succeeded (CUDA_SUCCESS is 0). */
static __always_inline bool take_call(__u32 kind, long rc, struct call_args *out)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_key k = { .tid = (__u32)id, .kind = kind };
	struct call_args *v = bpf_map_lookup_elem(&pl_calls, &k);

	if (!v)
		return false;
	*out = *v;
	bpf_map_delete_elem(&pl_calls, &k);
	return (int)rc == 0; /* CUresult is an int: the register's upper half is not ours */
}

/* CUresult cuCtxCreate_v2(CUcontext *pctx, unsigned int flags, CUdevice dev) */
SEC("uprobe")
int BPF_KPROBE(pl_cu_create_v2, void *pctx, unsigned int flags, int dev)
{
	return save_call(PL_GC_CREATE, (__u64)pctx, (__u32)dev);
}

/* cuCtxCreate_v3(CUcontext *pctx, CUexecAffinityParam *p, int n, unsigned int flags, CUdevice dev) */
SEC("uprobe")
int BPF_KPROBE(pl_cu_create_v3, void *pctx, void *params, int n, unsigned int flags, int dev)
{
	return save_call(PL_GC_CREATE, (__u64)pctx, (__u32)dev);
}

/* cuCtxCreate_v4(CUcontext *pctx, CUctxCreateParams *params, unsigned int flags, CUdevice dev) (CUDA 12.5+) */
SEC("uprobe")
int BPF_KPROBE(pl_cu_create_v4, void *pctx, void *params, unsigned int flags, int dev)
{
	return save_call(PL_GC_CREATE, (__u64)pctx, (__u32)dev);
}

#define CALL_RETAIN 100 /* pl_calls kind of cuDevicePrimaryCtxRetain: not an event kind */

/* cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev): the runtime API's contexts */
SEC("uprobe")
int BPF_KPROBE(pl_cu_retain, void *pctx, int dev)
{
	return save_call(CALL_RETAIN, (__u64)pctx, (__u32)dev);
}

SEC("uretprobe")
int BPF_KRETPROBE(pl_cu_retain_ret, long rc)
{
	struct call_args a;
	__u64 cuctx = 0;

	if (!take_call(CALL_RETAIN, rc, &a))
		return 0;
	if (bpf_probe_read_user(&cuctx, sizeof(cuctx), (void *)a.a))
		count(PL_GC_CNT_READ_FAULTS);
	track(bpf_get_current_pid_tgid() >> 32);
	/* aux 1: the context exists on that GPU, but is not made current (cuCtxSetCurrent does that) */
	emit(NULL, PL_GC_CREATE, PL_GCS_CUDA, cuctx, 1, (__u32)a.b);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(pl_cu_create_ret, long rc)
{
	struct call_args a;
	__u64 cuctx = 0;

	if (!take_call(PL_GC_CREATE, rc, &a))
		return 0;
	if (bpf_probe_read_user(&cuctx, sizeof(cuctx), (void *)a.a))
		count(PL_GC_CNT_READ_FAULTS);
	track(bpf_get_current_pid_tgid() >> 32);
	emit(NULL, PL_GC_CREATE, PL_GCS_CUDA, cuctx, 0, (__u32)a.b);
	return 0;
}

/* cuCtxDestroy_v2(CUcontext ctx) */
SEC("uprobe")
int BPF_KPROBE(pl_cu_destroy, void *cuctx)
{
	return save_call(PL_GC_DESTROY, (__u64)cuctx, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(pl_cu_destroy_ret, long rc)
{
	struct call_args a;

	if (take_call(PL_GC_DESTROY, rc, &a))
		emit(NULL, PL_GC_DESTROY, PL_GCS_CUDA, a.a, 0, PL_GPU_UNKNOWN);
	return 0;
}

/* cuCtxSetCurrent(CUcontext ctx) */
SEC("uprobe")
int BPF_KPROBE(pl_cu_set, void *cuctx)
{
	return save_call(PL_GC_SET_CURRENT, (__u64)cuctx, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(pl_cu_set_ret, long rc)
{
	struct call_args a;

	if (!take_call(PL_GC_SET_CURRENT, rc, &a))
		return 0;
	if (a.a)
		track(bpf_get_current_pid_tgid() >> 32);
	emit(NULL, PL_GC_SET_CURRENT, PL_GCS_CUDA, a.a, 0, PL_GPU_UNKNOWN);
	return 0;
}

/* cuCtxPushCurrent_v2(CUcontext ctx) */
SEC("uprobe")
int BPF_KPROBE(pl_cu_push, void *cuctx)
{
	return save_call(PL_GC_PUSH, (__u64)cuctx, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(pl_cu_push_ret, long rc)
{
	struct call_args a;

	if (!take_call(PL_GC_PUSH, rc, &a))
		return 0;
	track(bpf_get_current_pid_tgid() >> 32);
	emit(NULL, PL_GC_PUSH, PL_GCS_CUDA, a.a, 0, PL_GPU_UNKNOWN);
	return 0;
}

/* cuCtxPopCurrent_v2(CUcontext *pctx): pctx may be NULL */
SEC("uprobe")
int BPF_KPROBE(pl_cu_pop, void *pctx)
{
	return save_call(PL_GC_POP, (__u64)pctx, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(pl_cu_pop_ret, long rc)
{
	struct call_args a;
	__u64 cuctx = 0;

	if (!take_call(PL_GC_POP, rc, &a))
		return 0;
	if (a.a && bpf_probe_read_user(&cuctx, sizeof(cuctx), (void *)a.a))
		count(PL_GC_CNT_READ_FAULTS);
	emit(NULL, PL_GC_POP, PL_GCS_CUDA, cuctx, 0, PL_GPU_UNKNOWN);
	return 0;
}

/* cuLaunchKernel(CUfunction f, ...): the context is the thread's current one */
SEC("uprobe")
int BPF_KPROBE(pl_cu_launch, void *f)
{
	__u64 id = bpf_get_current_pid_tgid();

	count(PL_GC_CNT_UPROBE_HITS);
	if (wanted(id >> 32))
		emit(NULL, PL_GC_LAUNCH, PL_GCS_CUDA, 0, (__u64)f, PL_GPU_UNKNOWN);
	return 0;
}

/* cuLaunchKernelEx(const CUlaunchConfig *config, CUfunction f, ...) */
SEC("uprobe")
int BPF_KPROBE(pl_cu_launch_ex, void *config, void *f)
{
	__u64 id = bpf_get_current_pid_tgid();

	count(PL_GC_CNT_UPROBE_HITS);
	if (wanted(id >> 32))
		emit(NULL, PL_GC_LAUNCH, PL_GCS_CUDA, 0, (__u64)f, PL_GPU_UNKNOWN);
	return 0;
}

/* cudaLaunchKernel(const void *func, ...) in libcudart */
SEC("uprobe")
int BPF_KPROBE(pl_cudart_launch, void *func)
{
	__u64 id = bpf_get_current_pid_tgid();

	count(PL_GC_CNT_UPROBE_HITS);
	if (wanted(id >> 32))
		emit(NULL, PL_GC_LAUNCH, PL_GCS_CUDART, 0, (__u64)func, PL_GPU_UNKNOWN);
	return 0;
}

/*
 * The DRM scheduler's structs live in gpu-sched.ko, not vmlinux: read the
 * job's fence through a local flavour relocated against the module's BTF,
 * and fall back to the job's own address where that field is unknown.
 */
struct drm_sched_job___pl {
	void *s_fence;
} __attribute__((preserve_access_index));

static __always_inline __u64 job_fence(void *job)
{
	struct drm_sched_job___pl *j = job;
	void *fence = NULL;

	if (bpf_core_field_exists(j->s_fence) &&
	    bpf_core_read(&fence, sizeof(fence), &j->s_fence))
		count(PL_GC_CNT_READ_FAULTS);
	return fence ? (__u64)fence : (__u64)job;
}

/* drm_sched_job(job, entity): in the submitter's ioctl, so current is the owner */
SEC("raw_tp/drm_sched_job")
int BPF_PROG(pl_drm_job_queued, void *job, void *entity)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (!wanted(id >> 32))
		return 0;
	track(id >> 32);
	emit(NULL, PL_GC_JOB_QUEUED, PL_GCS_DRM, (__u64)entity, job_fence(job), PL_GPU_UNKNOWN);
	return 0;
}

/* drm_run_job(job, entity): the scheduler thread hands the job to the ring */
SEC("raw_tp/drm_run_job")
int BPF_PROG(pl_drm_run_job, void *job, void *entity)
{
	emit(NULL, PL_GC_JOB_RUN, PL_GCS_DRM, (__u64)entity, job_fence(job), PL_GPU_UNKNOWN);
	return 0;
}

/* drm_sched_process_job(fence): the job's hardware fence signalled */
SEC("raw_tp/drm_sched_process_job")
int BPF_PROG(pl_drm_job_done, void *fence)
{
	emit(NULL, PL_GC_JOB_DONE, PL_GCS_DRM, 0, (__u64)fence, PL_GPU_UNKNOWN);
	return 0;
}

/* nvidia_unlocked_ioctl(struct file *file, unsigned int cmd, unsigned long arg) */
SEC("kprobe")
int BPF_KPROBE(pl_nv_ioctl, void *file, unsigned int cmd)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (!wanted(id >> 32))
		return 0;
	track(id >> 32);
	emit(NULL, PL_GC_IOCTL, PL_GCS_NVIDIA, (__u64)file, cmd, PL_GPU_UNKNOWN);
	return 0;
}

/* sched_switch(preempt, prev, next, ...): only GPU-owning processes */
SEC("raw_tp/sched_switch")
int BPF_PROG(pl_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 ptgid, ntgid;

	if (!targ_sched)
		return 0;
	ptgid = BPF_CORE_READ(prev, tgid);
	ntgid = BPF_CORE_READ(next, tgid);
	if (bpf_map_lookup_elem(&pl_gpu_tasks, &ptgid)) {
		count(PL_GC_CNT_SWITCHES);
		emit(prev, PL_GC_SWITCH_OUT, PL_GCS_SCHED, 0, 0, PL_GPU_UNKNOWN);
	}
	if (bpf_map_lookup_elem(&pl_gpu_tasks, &ntgid)) {
		count(PL_GC_CNT_SWITCHES);
		emit(next, PL_GC_SWITCH_IN, PL_GCS_SCHED, 0, 0, PL_GPU_UNKNOWN);
	}
	return 0;
}

/*
 * sched_process_exit(task): a thread of a GPU-owning process ends.  aux 1
 * when it is the process's last (do_exit() has already counted it out of
 * signal->live): a leader's pthread_exit() leaves its workers' contexts be.
 */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(pl_sched_exit, struct task_struct *task)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_key k = { .tid = (__u32)id };
	__u32 tgid = id >> 32;
	int live;

	/* A thread that died inside a driver call leaves its saved arguments. */
#pragma unroll
	for (int kind = PL_GC_CREATE; kind <= PL_GC_POP; kind++) {
		k.kind = kind;
		bpf_map_delete_elem(&pl_calls, &k);
	}
	k.kind = CALL_RETAIN;
	bpf_map_delete_elem(&pl_calls, &k);
	if (!bpf_map_lookup_elem(&pl_gpu_tasks, &tgid))
		return 0;
	live = BPF_CORE_READ(task, signal, live.counter);
	emit(NULL, PL_GC_EXIT, PL_GCS_SCHED, 0, live == 0, PL_GPU_UNKNOWN);
	if (live == 0)
		bpf_map_delete_elem(&pl_gpu_tasks, &tgid);
	return 0;
}

/* sched_process_exec(task, old_pid, bprm): a GPU-owning process became another program */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(pl_sched_exec, struct task_struct *task)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!bpf_map_lookup_elem(&pl_gpu_tasks, &tgid))
		return 0;
	emit(NULL, PL_GC_EXEC, PL_GCS_SCHED, 0, 0, PL_GPU_UNKNOWN);
	bpf_map_delete_elem(&pl_gpu_tasks, &tgid);
	return 0;
}
