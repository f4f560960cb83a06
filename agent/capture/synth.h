/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Deterministic synthetic PSU traces for the demo and the tests: a
 * xoshiro256** generator seeded by splitmix64, a small physical model of a
 * 3 kW PSU feeding GPUs, and every reading passed through the PMBus
 * LINEAR11/LINEAR16 codec (kmod/pmbus_linear.h) so quantization is that of
 * real telemetry.  Same parameters, same bytes.
 *
 * Workloads (a model server runs batched iterations back to back while
 * requests are active: a compute burst, then a short synchronization dip;
 * requests arrive as Poisson with a rate that switches between busy and
 * quiet phases):
 *   GPT4      GPT-4-class: prefill iterations 30-80 ms at 2.75 kW, decode
 *             iterations ~26-30 ms at 1.7-2.2 kW, 3-6 ms dips to 1.35 kW,
 *             0.9 kW idle.  A decode iteration's length varies by 3 %
 *             (sd) about its batch's, as the generator's calibration
 *             (GENERATOR.md); it was +-2 ms, i.i.d., which real servers
 *             replaying CUDA graphs do not show.
 *   SMALL     a 7B-class model on the same host: 9 ms decode iterations at
 *             1.25-1.6 kW, 1-2 ms dips, more requests, 0.85 kW idle.
 *   MINER     a GPU pinned at its power limit (2.9 kW) with the power
 *             controller's limit cycle (3.3 Hz, +-15 W) and little noise.
 *   TAMPERED  GPT4, but between 40 % and 70 % of the trace the reported
 *             PIN and POUT are scaled by 0.6 (a shim hiding consumption)
 *             while VOUT and IOUT are left alone.
 * Rails: VIN ~230 V, IIN, PIN = POUT / efficiency, VOUT 54 V with load-line
 * droop, IOUT = POUT / VOUT, temperature.  At sharp load steps the PSU's
 * sequential rail reads sometimes catch POUT before the step and IOUT after
 * it (one-sample P != V*I, as real telemetry does).
 */
#ifndef PL_SYNTH_H
#define PL_SYNTH_H

#include <stdint.h>

#include "capture/trace.h"
#include "lib/util.h"

enum synth_workload {
	SYNTH_GPT4,
	SYNTH_SMALL,
	SYNTH_MINER,
	SYNTH_TAMPERED,
};

struct synth_params {
	enum synth_workload workload;
	uint64_t seed;
	uint64_t t0_ns; /* CLOCK_MONOTONIC of the first sample */
	uint64_t duration_ns;
	uint64_t period_ns; /* default 1 ms when 0 */
};

/* The demo host's identity (and so its fingerprint). */
#define SYNTH_MFR_ID	 "ACME"
#define SYNTH_MFR_MODEL	 "PSU-3000T"
#define SYNTH_MFR_SERIAL "SN-DEMO-0001"
#define SYNTH_HOST	 "gpu-host-01"

/* synth.c APIs: */

/* Fills a new trace; -EINVAL for bad parameters, -ENOMEM. */
int synth_trace(const struct synth_params *sp, struct trace *t, struct plerr *e);

/* The generator, exposed for other deterministic uses (tests). */
struct synth_rng {
	uint64_t s[4];
};
void synth_rng_seed(struct synth_rng *r, uint64_t seed);
uint64_t synth_rng_next(struct synth_rng *r);
double synth_rng_uniform(struct synth_rng *r); /* [0, 1) */
double synth_rng_normal(struct synth_rng *r);  /* N(0, 1) */

#endif /* PL_SYNTH_H */
