/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Deterministic workload generator with sensor models: the synthetic half
 * of the labelled corpus the detectors are evaluated on.  Two layers:
 *
 *  1. workload -> true power, per GPU, at a fine internal step (100 us, or
 *     the poll period or refresh when shorter), each GPU with its own
 *     random stream (independent phases); for the PSU view the rest of the
 *     server (CPUs, fans: ~constant with slow drift) is added;
 *  2. sensor -> readings: a PMBus PSU (whole server, LINEAR11/16 rails), the
 *     NVML board sensor of GPU 0 (100 ms refresh, boxcar, 10 mW), or a
 *     10-bit ADC clamp on GPU 0; each publishes a value at its own refresh
 *     instants, which the poll (any rate) reads back.
 *
 * Physics, parameters and the calibration table with sources:
 * agent/capture/GENERATOR.md.  Same parameters and seed, same bytes.
 */
#ifndef PL_GEN_H
#define PL_GEN_H

#include <stdint.h>

#include "capture/trace.h"
#include "lib/util.h"
#include "science/sensor.h"

enum gen_workload {
	GEN_W_IDLE,
	GEN_W_LLM,	     /* inference server: prefill + decode steps, bursty Poisson arrivals */
	GEN_W_DIFFUSION,     /* image generation: 20-50 denoising steps per image */
	GEN_W_TRAINING,	     /* fwd/bwd iterations, optimizer dip, eval/checkpoint pauses, stalls */
	GEN_W_MINER_COMPUTE, /* flat at the power limit, power controller limit cycle */
	GEN_W_MINER_MEMORY,  /* flat at a memory-bound level (ethash-like) */
	GEN_W_TRANSCODE,     /* video: frame-periodic at 30 or 60 fps */
	__GEN_W_MAX
};

enum gen_size { GEN_SIZE_7B, GEN_SIZE_13B, GEN_SIZE_70B, __GEN_SIZE_MAX };

enum gen_prompt { GEN_PROMPT_SHORT, GEN_PROMPT_LONG, GEN_PROMPT_MIXED, __GEN_PROMPT_MAX };

enum gen_adversary {
	GEN_ADV_NONE,
	GEN_ADV_SPIKE,	    /* short spikes to the limit injected over the workload (a miner) */
	GEN_ADV_ONOFF,	    /* the workload (a miner) switched on and off: flat tops, no cadence */
	GEN_ADV_INTERLEAVE, /* memory-bound mining in the workload's idle gaps */
	GEN_ADV_SMOOTH,	    /* capacitor bank: a 0.5 s first-order low-pass on each GPU */
	GEN_ADV_POWERCAP,   /* power cap clipping the peaks at idle + 65 % of the range */
	GEN_ADV_REPLAY,	    /* telemetry replays the first 2-5 s, looped */
	__GEN_ADV_MAX
};

enum gen_gpu { GEN_GPU_H100, GEN_GPU_A100, GEN_GPU_L40S, GEN_GPU_RTX4090, __GEN_GPU_MAX };

#define GEN_MAX_GPUS  8
#define GEN_MAX_BATCH 64

struct gen_params {
	enum gen_workload workload;
	enum gen_size size;	/* llm only */
	uint32_t batch;		/* 1..GEN_MAX_BATCH: concurrent requests (llm), streams (transcode), load */
	enum gen_prompt prompt; /* llm only */
	enum gen_adversary adversary;
	enum gen_gpu gpu;
	uint32_t gpus;		 /* 1..GEN_MAX_GPUS on the host; pmbus sums them, nvml/adc read GPU 0 */
	enum sensor_kind sensor; /* SENSOR_PMBUS, SENSOR_NVML or SENSOR_ADC */
	uint64_t period_ns;	 /* poll period, >= 1 us */
	uint64_t refresh_ns;	 /* the sensor's own update interval; 0: its default */
	uint64_t averaging_ns;	 /* pmbus: output-capacitor tau; nvml: boxcar; adc: none.  0: default */
	uint64_t duration_ns;
	uint64_t seed;
	uint64_t t0_ns; /* first poll at t0 + its jitter (< 200 us); 0: 1000 s (monotonic) or 2026-01-01 (realtime) */
};

/* gen.c APIs: */

/* llm 7b, batch 1, mixed prompts, no adversary, one H100, nvml at 10 Hz, 60 s, seed 1. */
void gen_params_default(struct gen_params *p);

/*
 * The sensor model the readings of p will have (defaults resolved): kind,
 * refresh_ns, averaging_ns, quantum_uw (pmbus: the LINEAR11 step of a
 * reading at the host's power limit -- readings nearer idle have finer
 * steps, so every change is a multiple of the smallest step seen, which
 * gen_trace() reports instead), origin all given.  -EINVAL as gen_trace().
 */
int gen_sensor(const struct gen_params *p, struct sensor_model *m, struct plerr *e);

/*
 * Fills a new trace t (trace_init + trace_push) with duration / period
 * polls of the sensor, and *m (may be NULL) with its sensor model.  pmbus:
 * all seven rails, CLOCK_MONOTONIC, PLTR_SRC_SYNTHETIC; nvml and adc: PIN
 * only, PLTR_F_REALTIME, PLTR_SRC_CSV (they stand for imported logs, whose
 * clocks the detectors must not trust like the module's).  -EINVAL naming
 * the bad parameter, -ENOMEM (t left empty).
 */
int gen_trace(const struct gen_params *p, struct trace *t, struct sensor_model *m, struct plerr *e);

/* Names as the CLI spells them; "?" out of range.  Parsers: 0 or -EINVAL. */
const char *gen_workload_name(enum gen_workload w); /* "llm", "miner-compute", ... */
int gen_workload_parse(const char *s, enum gen_workload *w);
const char *gen_size_name(enum gen_size s); /* "7b", "13b", "70b" */
int gen_size_parse(const char *s, enum gen_size *z);
const char *gen_prompt_name(enum gen_prompt p); /* "short", "long", "mixed" */
int gen_prompt_parse(const char *s, enum gen_prompt *p);
const char *gen_adversary_name(enum gen_adversary a); /* "none", "spike", ... */
int gen_adversary_parse(const char *s, enum gen_adversary *a);
const char *gen_gpu_name(enum gen_gpu g); /* "h100", "a100", "l40s", "rtx4090" */
int gen_gpu_parse(const char *s, enum gen_gpu *g);
int gen_sensor_parse(const char *s, enum sensor_kind *k); /* "pmbus", "nvml", "adc" (names: sensor_kind_name) */

#endif /* PL_GEN_H */
