/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A trace's GPU contexts and their energy as JSON: what `info --contexts`,
 * `features`, `check` and proofs say about who drew the power
 * (science/ctxjoin.h says how it is attributed).  Integers only, so the
 * objects can go into signed bodies: energy in uJ, power in uW, time in ns,
 * shares in ppm.
 */
#ifndef PL_CONTEXTS_H
#define PL_CONTEXTS_H

#include <stddef.h>

#include <jansson.h>

#include "capture/trace.h"

/* contexts.c APIs: */

/*
 * {"total_uj","unattributed_uj","dropped_events","sources":[...],
 *  "contexts":[{"tgid","ns_tgid","pidns","comm","ctx","gpu","source",
 *  "energy_uj","mean_uw","share_ppm","active_ns","samples","launches"}...]}
 * over samples [from, to) of t; at most max_contexts entries, largest
 * energy first (0: all).  NULL: out of memory.
 */
json_t *contexts_json(const struct trace *t, size_t from, size_t to, size_t max_contexts);
/* The interval list itself: [{"begin_ns","end_ns","tgid",...,"open"}...]. */
json_t *contexts_intervals_json(const struct trace *t);
/*
 * The process a proof may name for samples with start_ns <= ts < end_ns:
 * the one that held a real GPU context (not an ioctl or launch hint) for
 * more than half of the energy by time, in a trace that lost no
 * GPU-context event.  1 and *who (its largest real context), *share (its
 * processes' fraction of the energy) and *unattributed filled; 0 when no
 * process can be named so (none, a tie, a minority, drops); -ENOMEM.
 */
int contexts_majority(const struct trace *t, uint64_t start_ns, uint64_t end_ns, struct ctx_energy *who,
		      double *share, double *unattributed);
/* "gpu_scheduler,cuda" style list of the source bits; "-" for none. */
void contexts_sources_str(uint32_t sources, char *buf, size_t len);

#endif /* PL_CONTEXTS_H */
