/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * GPU-context events: the ABI between bpf/gpuctx.bpf.c and the agent
 * (agent/capture/gpuctx.c reads them, agent/science/ctxjoin.c turns them
 * into context intervals).  Only defines and fixed-width structs: this
 * header is included by the BPF program (after vmlinux.h) and by user space
 * (after <linux/types.h>).
 *
 * Why events and not a field of every sample: the PSU's samples come from
 * a kernel ring mapped read-only to user space, and one (pid, ctx) per 1 ms
 * sample cannot describe a host with 8 GPUs, concurrent contexts, MPS/MIG,
 * pid namespaces or a context switch inside a period.  So the programs
 * emit what happened, when, on the samples' clock, and the agent joins
 * events and samples by time (pl_sample.gpu_pid/gpu_ctx stay zero:
 * uapi/linux/powerledger.h says why).
 *
 * Transport: one BPF ring buffer (map pl_events, pinned under
 * PL_GPUCTX_PIN_DIR while the agent runs); one struct pl_gpuctx_event per
 * record.  An event that does not fit is counted in pl_counters
 * (PL_GC_CNT_DROPPED) and lost: the agent reports the count with every
 * trace, because attribution over a window with drops is incomplete.
 *
 * Clock: ts_ns is bpf_ktime_get_ns(), CLOCK_MONOTONIC, the clock of
 * pl_sample.ts_ns (the module stamps samples with ktime_get_ns()).
 *
 * Ordering: events of one CPU arrive in order; across CPUs they may
 * arrive out of order by up to the reader's poll interval.  The agent
 * sorts by (ts_ns, seq) before joining.
 */
#ifndef PL_BPF_GPUCTX_H
#define PL_BPF_GPUCTX_H

#define PL_GPUCTX_VERSION	1
#define PL_GPUCTX_PIN_DIR	"/sys/fs/bpf/powerledger"
#define PL_GPU_UNKNOWN		0xffffffffU	/* gpu: index not known */
#define PL_GPUCTX_COMM_LEN	16

/*
 * What happened.  The CUDA kinds mirror the driver API calls they probe;
 * the agent keeps a stack of current contexts per thread from them (the
 * driver API's own model: create and push push, pop pops, set replaces
 * the top).
 */
enum pl_gpuctx_kind {
	PL_GC_CREATE = 1,	/* cuCtxCreate returned ctx; gpu = its CUdevice (made current);
				 * aux 1: cuDevicePrimaryCtxRetain (exists, not made current) */
	PL_GC_DESTROY,		/* cuCtxDestroy(ctx) returned success */
	PL_GC_SET_CURRENT,	/* cuCtxSetCurrent(ctx) returned success; ctx 0 unbinds */
	PL_GC_PUSH,		/* cuCtxPushCurrent(ctx) returned success */
	PL_GC_POP,		/* cuCtxPopCurrent returned success; ctx = the popped one */
	PL_GC_LAUNCH,		/* cuLaunchKernel(Ex)/cudaLaunchKernel entered; ctx = the
				 * thread's current context as last seen, aux = function */
	PL_GC_JOB_QUEUED,	/* drm_sched_job: entity ctx queued job aux (process context:
				 * tgid/pid/comm are the submitter) */
	PL_GC_JOB_RUN,		/* drm_run_job: the hardware ring started job aux of ctx */
	PL_GC_JOB_DONE,		/* drm_sched_process_job: fence aux signalled; ctx as run */
	PL_GC_IOCTL,		/* NVIDIA driver ioctl entered: ctx = struct file, aux = cmd */
	PL_GC_SWITCH_IN,	/* sched_switch: a task of a GPU-owning process got a CPU */
	PL_GC_SWITCH_OUT,	/* ... and lost it */
	PL_GC_EXIT,		/* a thread of a GPU-owning process exited; aux 1: its last
				 * thread (the process is gone: all its contexts end) */
	PL_GC_EXEC,		/* a GPU-owning process exec'd: its address space, and with it
				 * every context, is gone; the comm is the new program's */
	__PL_GC_KIND_MAX
};

/* Where it came from (which program saw it). */
enum pl_gpuctx_source {
	PL_GCS_CUDA = 1,	/* uprobes on libcuda.so.1 */
	PL_GCS_CUDART,		/* uprobe on libcudart's cudaLaunchKernel */
	PL_GCS_DRM,		/* DRM GPU scheduler tracepoints (amdgpu, nouveau, xe, ...) */
	PL_GCS_NVIDIA,		/* kprobe on the NVIDIA driver's ioctl entry */
	PL_GCS_SCHED,		/* sched_switch / sched_process_exit */
	__PL_GCS_MAX
};
#define __PL_GCS_ALL_MASK	((1U << __PL_GCS_MAX) - 2)	/* bit (1 << source) */

/**
 * struct pl_gpuctx_event - one thing a GPU-context program saw
 * @ts_ns:	CLOCK_MONOTONIC when it happened (for uretprobe kinds: when
 *		the call returned), ns.
 * @ctx:	context id: the CUcontext handle (CUDA), the drm_sched_entity
 *		address (DRM), the struct file address (NVIDIA); 0 none.
 *		Opaque: equal ids mean the same context while it lives.
 * @aux:	kind-specific: the CUfunction (LAUNCH), the job or fence
 *		address (JOB_*), the ioctl command (IOCTL); 0 otherwise.
 * @pidns_ino:	inode number of the pid namespace the task lives in (the
 *		number `ls -Li /proc/PID/ns/pid` prints).
 * @seq:	per-CPU sequence number of this event (orders a CPU's events
 *		with equal timestamps; drops are counted, not numbered).
 * @tgid:	process id in the initial pid namespace.
 * @pid:	thread id in the initial pid namespace.
 * @ns_tgid:	process id inside @pidns_ino (what the process calls itself).
 * @ns_pid:	thread id inside @pidns_ino.
 * @gpu:	the CUDA device ordinal cuCtxCreate was given (CREATE), as the
 *		process numbers its GPUs (CUDA_VISIBLE_DEVICES renumbers them:
 *		two tenants' "GPU 0" may be different boards); PL_GPU_UNKNOWN
 *		otherwise.  The agent carries it from CREATE to the context.
 * @kind:	enum pl_gpuctx_kind.
 * @source:	enum pl_gpuctx_source.
 * @cpu:	CPU the event was seen on.
 * @reserved:	zero.
 * @comm:	the task's comm, NUL-padded (not always NUL-terminated).
 *
 * 88 bytes, every field naturally aligned, no implicit padding; a layout
 * change bumps PL_GPUCTX_VERSION.
 */
struct pl_gpuctx_event {
	__u64	ts_ns;
	__u64	ctx;
	__u64	aux;
	__u64	pidns_ino;
	__u64	seq;
	__u32	tgid;
	__u32	pid;
	__u32	ns_tgid;
	__u32	ns_pid;
	__u32	gpu;
	__u16	kind;
	__u16	source;
	__u32	cpu;
	__u32	reserved;
	char	comm[PL_GPUCTX_COMM_LEN];
};
#define PL_GPUCTX_EVENT_SIZE	88

/* Indices of the per-CPU array pl_counters (summed over CPUs by readers). */
enum pl_gpuctx_counter {
	PL_GC_CNT_EVENTS = 0,	/* events written to the ring buffer */
	PL_GC_CNT_DROPPED,	/* events lost: the ring buffer was full */
	PL_GC_CNT_READ_FAULTS,	/* user/kernel memory a probe could not read */
	PL_GC_CNT_MAP_FULL,	/* per-thread/per-context state not recorded: map full */
	PL_GC_CNT_UPROBE_HITS,	/* CUDA/CUDART probe entries, filtered or not */
	PL_GC_CNT_SWITCHES,	/* sched_switch hits that concerned a GPU-owning task */
	__PL_GC_CNT_MAX
};

#endif /* PL_BPF_GPUCTX_H */
