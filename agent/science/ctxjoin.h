/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * GPU contexts and power, joined by time.
 *
 * The BPF programs (bpf/gpuctx.bpf.c) report what processes did to their
 * GPU contexts (struct pl_gpuctx_event, bpf/gpuctx.h); ctxjoin rebuilds from
 * those events the intervals during which each context was active, and
 * splits a series' energy among the contexts active at each sample.
 *
 * What "active" means, per source:
 *   CUDA	the context is current on at least one thread of its process
 *		(the driver API's per-thread context stack: create and push
 *		push, pop pops, set replaces the top, destroy and exit remove);
 *		host-side: kernels launched in it run on the GPU a little later.
 *   DRM	a job of the scheduler entity is on the hardware ring
 *		(drm_run_job .. its fence signalled): GPU-side truth; owned by
 *		the process that queued the entity's last job.
 *   NVIDIA	the process entered the driver's ioctl within the last
 *		CTX_IOCTL_HOLD_NS: a coarse hint where no CUDA probe attached.
 *   CUDA ctx 0	a thread launched kernels within the last CTX_IOCTL_HOLD_NS
 *		but made its context current before the probes attached (a
 *		server started before the agent): the process, not the
 *		context, is known until its next context call.
 *
 * Attribution is by time, not by measurement: the PSU measures the whole
 * host, and a sample's energy goes in equal shares to the contexts active
 * at its timestamp (to "unattributed" when none is).  Concurrent contexts
 * on different GPUs are therefore split evenly whatever each GPU drew;
 * README "GPU context" says so where the numbers are shown.
 *
 * Pure functions over events, intervals and samples: no files, no BPF.
 */
#ifndef PL_CTXJOIN_H
#define PL_CTXJOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>
#include <bpf/gpuctx.h>

#include "lib/util.h"
#include "science/series.h"

#define CTX_IOCTL_HOLD_NS 100000000ULL /* an ioctl keeps a process active this long */
#define CTX_COMM_LEN	  PL_GPUCTX_COMM_LEN

/* ctx_interval.flags */
#define CTXI_F_OPEN	   (1U << 0) /* still active when the capture ended: end_ns is the capture's end */
#define CTXI_F_NO_OWNER	   (1U << 1) /* DRM: the entity's submitter was never seen; tgid 0 */
#define __CTXI_F_ALL	   ((1U << 2) - 1)

/* One stretch of time during which one context was active. */
struct ctx_interval {
	uint64_t begin_ns, end_ns; /* CLOCK_MONOTONIC, end_ns >= begin_ns */
	uint64_t ctx;		   /* pl_gpuctx_event.ctx of the context */
	uint64_t pidns_ino;	   /* pid namespace of the owning process */
	uint64_t launches;	   /* kernel launches (CUDA) or jobs (DRM) or ioctls (NVIDIA) in it */
	uint32_t tgid;		   /* owner, initial pid namespace (0 unknown) */
	uint32_t ns_tgid;	   /* owner, in its own pid namespace */
	uint32_t gpu;		   /* GPU index, PL_GPU_UNKNOWN if not known */
	uint16_t source;	   /* enum pl_gpuctx_source */
	uint16_t flags;		   /* CTXI_F_* */
	char comm[CTX_COMM_LEN + 1]; /* printable ASCII, NUL-terminated */
};

/* Event counts the join saw, for reports (a gap in seq is a drop). */
struct ctxjoin_stats {
	uint64_t events;
	uint64_t by_kind[__PL_GC_KIND_MAX];
	uint64_t unmatched;	    /* pops of empty stacks, done fences never run, ... */
	uint64_t launches_no_ctx;   /* launches on a thread with no current context */
	uint32_t sources;	    /* bit (1 << source) of every source seen */
};

struct ctxjoin;

/* ctxjoin.c APIs: */

/* A join that starts at start_ns (the capture's start).  NULL: out of memory. */
struct ctxjoin *ctxjoin__new(uint64_t start_ns);
/*
 * Feeds one event; events must come in ts_ns order (ctxjoin_sort() orders
 * a batch).  Unknown kinds and sources are counted and ignored.  -ENOMEM.
 */
int ctxjoin__push(struct ctxjoin *j, const struct pl_gpuctx_event *ev);
/*
 * The intervals closed so far plus those still open, cut at end_ns
 * (CTXI_F_OPEN), sorted by begin_ns; *out is malloc'ed (free()), may be
 * NULL when *n is 0.  The join goes on: call again later for more.  -ENOMEM.
 */
int ctxjoin__intervals(const struct ctxjoin *j, uint64_t end_ns, struct ctx_interval **out, size_t *n);
/*
 * Drops what a long-running reader no longer needs: closed intervals that
 * ended before before_ns, contexts not active now, threads with no
 * context, DRM jobs never seen done after 10 s.
 */
void ctxjoin__forget(struct ctxjoin *j, uint64_t before_ns);
/*
 * Events straight from the ring buffer, in any order: ctxjoin__add()
 * queues them, ctxjoin__settle() feeds those before upto_ns in time order.
 * Settle up to a little before now (CTXJOIN_SETTLE_NS): another CPU's
 * events may still be on their way; at the end, settle everything
 * (UINT64_MAX).  -ENOMEM.
 */
#define CTXJOIN_SETTLE_NS 100000000ULL
int ctxjoin__add(struct ctxjoin *j, const struct pl_gpuctx_event *ev, size_t n);
int ctxjoin__settle(struct ctxjoin *j, uint64_t upto_ns);
const struct ctxjoin_stats *ctxjoin__stats(const struct ctxjoin *j);
void ctxjoin__free(struct ctxjoin *j);

/* Sorts events by (ts_ns, cpu, seq): per-CPU order kept, CPUs merged. */
void ctxjoin_sort(struct pl_gpuctx_event *ev, size_t n);

/* The context's name for people: "1234/python3 ctx 0x7f3a00001000 gpu 0". */
void ctx_interval_name(const struct ctx_interval *iv, char *buf, size_t len);

/* Energy of one context (all its intervals), as ctx_attribute() reports it. */
struct ctx_energy {
	uint64_t ctx;
	uint32_t tgid, ns_tgid, gpu;
	uint64_t pidns_ino;
	uint16_t source;
	char comm[CTX_COMM_LEN + 1];
	uint64_t active_ns;  /* time it was active within the series */
	uint64_t samples;    /* samples taken while it was active */
	double energy_j;     /* its share of the energy, J */
	uint64_t launches;
};

/*
 * Splits the energy of samples [from, to) of v among the contexts of iv
 * (sorted by begin_ns, as ctxjoin__intervals() and trace files give them):
 * each sample's power times its duration (to the next sample, the period
 * for the last) in equal shares to the contexts active at its ts_ns.
 * *out: one entry per distinct (tgid, ctx, source), largest energy first
 * (malloc'ed, may be NULL when *n is 0); *unattributed_j: the energy no
 * context was active for; *total_j: all of it.  -ENOMEM.
 */
int ctx_attribute(const struct series *v, size_t from, size_t to, const struct ctx_interval *iv, size_t niv,
		  struct ctx_energy **out, size_t *n, double *unattributed_j, double *total_j);

/*
 * Which contexts were active at ts_ns: writes up to max indices into iv
 * to idx and returns how many there were (may exceed max).
 */
size_t ctx_active_at(const struct ctx_interval *iv, size_t niv, uint64_t ts_ns, size_t *idx, size_t max);

#endif /* PL_CTXJOIN_H */
