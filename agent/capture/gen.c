// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Deterministic workload generator with sensor models (see gen.h; numbers
 * and their sources in GENERATOR.md).  Everything streams: each GPU is a
 * state machine emitting segments (a level held for a duration), stepped at
 * the fine step; the sensor consumes the fine samples and publishes at its
 * refresh instants; the poll reads the last published value.  Memory is the
 * output plus the NVML boxcar ring and the replay buffers, both bounded.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capture/gen.h"
#include "capture/synth.h"
#include "pmbus_linear.h"

#define MS 1000000ULL
#define S  1000000000ULL

static const char *const workload_names[__GEN_W_MAX] = {
	"idle", "llm", "diffusion", "training", "miner-compute", "miner-memory", "transcode",
};
static const char *const size_names[__GEN_SIZE_MAX] = { "7b", "13b", "70b" };
static const char *const prompt_names[__GEN_PROMPT_MAX] = { "short", "long", "mixed" };
static const char *const adversary_names[__GEN_ADV_MAX] = {
	"none", "spike", "onoff", "interleave", "smooth", "powercap", "replay",
};
static const char *const gpu_names[__GEN_GPU_MAX] = { "h100", "a100", "l40s", "rtx4090" };

static int parse_name(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -EINVAL;
}

#define NAME_FNS(obj, type, names, max)                                                                                \
	const char *gen_##obj##_name(type v)                                                                           \
	{                                                                                                              \
		return (unsigned int)v < (max) ? names[v] : "?";                                                       \
	}                                                                                                              \
	int gen_##obj##_parse(const char *s, type *v)                                                                  \
	{                                                                                                              \
		int i = parse_name(s, names, (max));                                                                   \
		if (i < 0)                                                                                             \
			return i;                                                                                      \
		*v = (type)i;                                                                                          \
		return 0;                                                                                              \
	}
NAME_FNS(workload, enum gen_workload, workload_names, __GEN_W_MAX)
NAME_FNS(size, enum gen_size, size_names, __GEN_SIZE_MAX)
NAME_FNS(prompt, enum gen_prompt, prompt_names, __GEN_PROMPT_MAX)
NAME_FNS(adversary, enum gen_adversary, adversary_names, __GEN_ADV_MAX)
NAME_FNS(gpu, enum gen_gpu, gpu_names, __GEN_GPU_MAX)

int gen_sensor_parse(const char *s, enum sensor_kind *k)
{
	for (int i = SENSOR_PMBUS; i < __SENSOR_KIND_MAX; i++) {
		if (!strcmp(s, sensor_kind_name((uint8_t)i))) {
			*k = (enum sensor_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

void gen_params_default(struct gen_params *p)
{
	memset(p, 0, sizeof(*p));
	p->workload = GEN_W_LLM;
	p->size = GEN_SIZE_7B;
	p->batch = 1;
	p->prompt = GEN_PROMPT_MIXED;
	p->adversary = GEN_ADV_NONE;
	p->gpu = GEN_GPU_H100;
	p->gpus = 1;
	p->sensor = SENSOR_NVML;
	p->period_ns = 100 * MS;
	p->duration_ns = 60 * S;
	p->seed = 1;
}

/*
 * GPU profiles.  idle/limit: vendor board limits and our H100 idle capture
 * (GENERATOR.md); tflops: dense bf16 peak, for prefill and diffusion time;
 * bw: memory bandwidth TB/s, for decode step time (each token reads all
 * weights); edge_ms: the board's first-order response to a load step.
 */
struct gpu_profile {
	double idle_w, limit_w, tflops, bw_tbs, edge_ms, mem_f;
};

/*
 * mem_f: how much of the range memory-bound work (decode) takes on this
 * board relative to an H100 -- smaller boards spend a larger share of their
 * limit on the memory system and clocks (a 24 GB card serving Llama-3-8B
 * one request at a time sits at its ~300 W plateau).  A guess, see
 * GENERATOR.md.
 */
static const struct gpu_profile gpus[__GEN_GPU_MAX] = {
	[GEN_GPU_H100] = { 70, 700, 989, 3.35, 0.36, 1.0 },
	[GEN_GPU_A100] = { 50, 400, 312, 2.0, 0.36, 1.15 },
	[GEN_GPU_L40S] = { 35, 350, 362, 0.864, 0.36, 1.8 },
	[GEN_GPU_RTX4090] = { 25, 450, 165, 1.0, 0.36, 1.7 },
};

/* LLM size classes: parameters, decode step at batch 1 on an H100, prefill and decode activity. */
struct llm_size {
	double params, step_ms, prefill_f, decode_f;
};

static const struct llm_size sizes[__GEN_SIZE_MAX] = {
	[GEN_SIZE_7B] = { 7e9, 12, 0.88, 0.28 },
	[GEN_SIZE_13B] = { 13e9, 20, 0.92, 0.34 },
	[GEN_SIZE_70B] = { 70e9, 45, 0.96, 0.42 },
};

#define MAX_REQ	    GEN_MAX_BATCH
#define MAX_QUEUE   4096
#define CHUNK_TOK   512	 /* chunked prefill: tokens of prompt per iteration */
#define MFU	    0.5	 /* prefill's share of peak FLOPs */
#define MINER_MEM_F 0.6	 /* miner-memory level, fraction of idle..limit */
#define CAP_F	    0.65 /* powercap level, fraction of idle..limit */
#define SMOOTH_S    0.5	 /* capacitor-bank time constant */

/* One segment: frac of the idle..limit range held for len_s; busy: the GPU has work (not an idle gap). */
struct seg {
	double len_s, frac;
	bool busy;
};

struct req {
	int prompt_left, out_left;
};

/* A GPU: its random stream, its workload's state, and its fine-step filters. */
struct gpu {
	struct synth_rng r;
	const struct gen_params *p;
	const struct gpu_profile *g;
	double now_s, seg_end_s, frac;
	bool busy;
	/* workload state */
	struct req req[MAX_REQ];
	int nreq, queued, pending; /* pending: a follow-up segment (dip, step) is due */
	double next_arrival_s, phase_end_s, rate_busy, rate_quiet;
	bool hot;
	double a, b, c, d;   /* per-run constants of the workload */
	int left, phase;     /* steps left, phase of a multi-part job */
	double next_event_s; /* eval / checkpoint */
	int evals;
	/* adversary state */
	double adv_until_s, adv_next_s;
	bool adv_on;
	/* fine-step state */
	double lc_re, lc_im, lc_cos, lc_sin, lc_amp; /* limit cycle phasor */
	double drift;
	double y, smooth;
	float *replay;
	size_t replay_n;
};

static double uni(struct synth_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * synth_rng_uniform(r);
}

static double expo(struct synth_rng *r, double mean)
{
	return -mean * log(1 - synth_rng_uniform(r));
}

/* N(0, 1)-ish from one draw: four 16-bit uniforms summed (Irwin-Hall), cheap enough per fine step. */
static double fast_normal(struct synth_rng *r)
{
	uint64_t x = synth_rng_next(r);
	double s =
		(double)(x & 0xffff) + (double)((x >> 16) & 0xffff) + (double)((x >> 32) & 0xffff) + (double)(x >> 48);

	return (s / 65536.0 - 2.0) * 1.7320508075688772;
}

static double bw_scale(const struct gpu *g)
{
	return 3.35 / g->g->bw_tbs;
}

static double compute_scale(const struct gpu *g)
{
	return sqrt(989.0 / g->g->tflops);
}

/* ---- llm ---- */

static double mean_out_tokens(void)
{
	return 200;
}

static void llm_init(struct gpu *g)
{
	const struct llm_size *z = &sizes[g->p->size];
	double step = z->step_ms * 1e-3 * bw_scale(g), prompt, prefill, req_s;

	prompt = g->p->prompt == GEN_PROMPT_SHORT  ? 144
		 : g->p->prompt == GEN_PROMPT_LONG ? 2560
						   : 0.75 * 144 + 0.25 * 2560;
	prefill = prompt * 2 * z->params / (g->g->tflops * 1e12 * MFU);
	req_s = mean_out_tokens() * (step + 0.002) + prefill;
	/* Busy phases keep about 0.8 x batch requests in flight, quiet ones a fifth of that. */
	g->rate_busy = 0.8 * g->p->batch / req_s;
	g->rate_quiet = 0.2 * g->rate_busy;
	g->next_arrival_s = expo(&g->r, 1 / g->rate_busy);
	g->hot = true;
	g->phase_end_s = expo(&g->r, 6);
}

static int prompt_tokens(struct gpu *g)
{
	bool lng = g->p->prompt == GEN_PROMPT_LONG ||
		   (g->p->prompt == GEN_PROMPT_MIXED && synth_rng_uniform(&g->r) < 0.25);

	return lng ? (int)uni(&g->r, 1024, 4096) : (int)uni(&g->r, 32, 256);
}

/* Requests arrive as Poisson with a rate switching between busy and quiet phases. */
static void arrivals(struct gpu *g, double now)
{
	while (g->next_arrival_s <= now) {
		if (g->next_arrival_s >= g->phase_end_s) {
			g->hot = !g->hot;
			g->phase_end_s = g->next_arrival_s + expo(&g->r, g->hot ? 6 : 4);
		}
		if (g->queued < MAX_QUEUE)
			g->queued++;
		g->next_arrival_s += expo(&g->r, 1 / (g->hot ? g->rate_busy : g->rate_quiet));
	}
	while (g->queued && g->nreq < (int)g->p->batch) {
		double o = expo(&g->r, mean_out_tokens());

		g->req[g->nreq].prompt_left = prompt_tokens(g);
		g->req[g->nreq].out_left = o < 16 ? 16 : o > 1024 ? 1024 : (int)o;
		g->nreq++;
		g->queued--;
	}
}

/*
 * One iteration of a continuous-batching server: a prefill chunk (compute
 * bound, near the limit, its length from FLOPs) when a prompt is pending,
 * else a decode step (memory bound: reads all weights, so its length is the
 * size's, weakly longer with batch; its power grows with batch), then a
 * short dip for host-side sampling and scheduling.
 */
/* Takes the requests that arrived by now; with none pending, s idles until the next one (true). */
static bool idle_until_request(struct gpu *g, struct seg *s)
{
	arrivals(g, g->now_s);
	if (g->nreq)
		return false;
	s->len_s = g->next_arrival_s - g->now_s + 1e-6;
	s->frac = 0;
	s->busy = false;
	return true;
}

static void llm_seg(struct gpu *g, struct seg *s)
{
	const struct llm_size *z = &sizes[g->p->size];
	double step = z->step_ms * 1e-3 * bw_scale(g), t_pre;
	int chunk = 0, dec = 0, i, j;

	if (g->pending) {
		g->pending = 0;
		s->len_s = (1.0 + 1.5 * synth_rng_uniform(&g->r) + 0.02 * g->nreq) * 1e-3;
		s->frac = 0.12;
		s->busy = true;
		return;
	}
	if (idle_until_request(g, s))
		return;
	for (i = 0; i < g->nreq; i++) {
		if (g->req[i].prompt_left > 0 && chunk < CHUNK_TOK) {
			int take =
				g->req[i].prompt_left < CHUNK_TOK - chunk ? g->req[i].prompt_left : CHUNK_TOK - chunk;

			g->req[i].prompt_left -= take;
			chunk += take;
		} else if (g->req[i].prompt_left <= 0) {
			dec++;
			g->req[i].out_left--;
		}
	}
	step *= 1 + 0.008 * dec;
	if (chunk) {
		t_pre = chunk * 2 * z->params / (g->g->tflops * 1e12 * MFU);
		s->len_s = t_pre > step ? t_pre : step;
		s->frac = z->prefill_f;
	} else {
		s->len_s = step;
		s->frac = (z->decode_f + 0.30 * (1 - exp(-dec / 16.0))) * g->g->mem_f;
		s->frac = s->frac > 0.95 ? 0.95 : s->frac;
	}
	s->len_s *= 1 + 0.03 * fast_normal(&g->r);
	s->busy = true;
	g->pending = 1;
	for (i = j = 0; i < g->nreq; i++)
		if (g->req[i].out_left > 0)
			g->req[j++] = g->req[i];
	g->nreq = j;
}

/* ---- diffusion: text encoder, 20-50 denoising steps with scheduler dips, VAE decode ---- */

static void diffusion_init(struct gpu *g)
{
	g->a = floor(uni(&g->r, 20, 51));		 /* steps per image */
	g->b = uni(&g->r, 0.05, 0.1) * compute_scale(g); /* step length, s */
	g->rate_busy = 0.7 * g->p->batch / (g->p->batch + 2.0) / (g->a * (g->b + 0.002) + 0.15);
	g->rate_quiet = 0.2 * g->rate_busy;
	g->next_arrival_s = expo(&g->r, 1 / g->rate_busy);
	g->hot = true;
	g->phase_end_s = expo(&g->r, 6);
}

static void diffusion_seg(struct gpu *g, struct seg *s)
{
	s->busy = true;
	switch (g->phase) {
	case 0: /* waiting for an image request */
		if (idle_until_request(g, s))
			return;
		g->nreq--;
		g->left = (int)g->a;
		g->phase = 1;
		s->len_s = uni(&g->r, 0.01, 0.02);
		s->frac = 0.45;
		return;
	case 1: /* a denoising step */
		s->len_s = g->b * (1 + 0.02 * fast_normal(&g->r));
		s->frac = 0.9 + 0.03 * synth_rng_uniform(&g->r);
		g->phase = --g->left ? 2 : 3;
		return;
	case 2: /* scheduler dip */
		s->len_s = uni(&g->r, 0.0015, 0.003);
		s->frac = 0.25;
		g->phase = 1;
		return;
	default: /* VAE decode */
		s->len_s = uni(&g->r, 0.1, 0.15) * compute_scale(g);
		s->frac = 0.75;
		g->phase = 0;
		return;
	}
}

/* ---- training: fwd, bwd, optimizer/all-reduce dip; eval and checkpoint pauses; dataloader stalls ---- */

static void training_init(struct gpu *g)
{
	g->a = uni(&g->r, 0.25, 0.6) * compute_scale(g); /* iteration, s */
	g->b = uni(&g->r, 0.3, 0.92);			 /* compute level: LoRA low, full training high */
	g->c = uni(&g->r, 25, 45);			 /* eval every, s */
	g->next_event_s = g->c * uni(&g->r, 0.3, 1);
}

static void training_seg(struct gpu *g, struct seg *s)
{
	double it = g->a * (1 + 0.01 * fast_normal(&g->r));

	s->busy = true;
	switch (g->phase) {
	case 0:
		if (g->now_s >= g->next_event_s) {
			g->evals++;
			g->next_event_s = g->now_s + g->c;
			if (g->evals % 3 == 0) { /* checkpoint: writing, GPU nearly idle */
				s->len_s = uni(&g->r, 3, 8);
				s->frac = 0.05;
				return;
			}
			g->left = (int)(uni(&g->r, 2, 5) / (0.35 * g->a)); /* eval: forward-only batches */
			g->phase = 4;
		} else if (synth_rng_uniform(&g->r) < 0.03) {
			s->len_s = uni(&g->r, 0.1, 0.6); /* dataloader stall */
			s->frac = 0.05;
			return;
		} else {
			s->len_s = 0.35 * it; /* forward */
			s->frac = 0.95 * g->b;
			g->phase = 1;
			return;
		}
		/* fall through */
	case 4:
		s->len_s = 0.3 * it;
		s->frac = 0.85 * g->b;
		g->phase = 5;
		return;
	case 5:
		s->len_s = 0.05 * it;
		s->frac = 0.2;
		g->phase = --g->left > 0 ? 4 : 0;
		return;
	case 1:
		s->len_s = 0.5 * it; /* backward */
		s->frac = g->b;
		g->phase = 2;
		return;
	default:
		s->len_s = 0.15 * it; /* optimizer step and all-reduce */
		s->frac = 0.3 * g->b;
		g->phase = 0;
		return;
	}
}

/* ---- transcode: one frame per period, an encode burst then a lull; streams = batch ---- */

static void transcode_init(struct gpu *g)
{
	double b = g->p->batch;

	g->a = synth_rng_uniform(&g->r) < 0.5 ? 1 / 30.0 : 1 / 60.0; /* frame period */
	g->b = 0.25 * pow(b, 0.7);
	g->b = g->b > 0.9 ? 0.9 : g->b; /* duty cycle of the encode burst */
	g->c = 0.3 + 0.01 * (b > 30 ? 30 : b);
}

static void transcode_seg(struct gpu *g, struct seg *s)
{
	double burst = g->a * g->b * (1 + 0.05 * fast_normal(&g->r));

	s->busy = true;
	if (!g->phase) {
		s->len_s = burst;
		s->frac = g->c;
	} else {
		s->len_s = g->a * (1 - g->b);
		s->frac = 0.12;
	}
	g->phase = !g->phase;
}

static void next_seg(struct gpu *g, struct seg *s)
{
	switch (g->p->workload) {
	case GEN_W_LLM: llm_seg(g, s); break;
	case GEN_W_DIFFUSION: diffusion_seg(g, s); break;
	case GEN_W_TRAINING: training_seg(g, s); break;
	case GEN_W_TRANSCODE: transcode_seg(g, s); break;
	case GEN_W_MINER_COMPUTE: *s = (struct seg){ 1, 0.995, true }; break;
	case GEN_W_MINER_MEMORY: *s = (struct seg){ 1, g->a, true }; break;
	default:
		/* idle: the driver's housekeeping now and then */
		g->phase = !g->phase;
		*s = g->phase ? (struct seg){ expo(&g->r, 3), 0, false } : (struct seg){ 0.02, 0.01, false };
		break;
	}
	if (s->len_s < 1e-6)
		s->len_s = 1e-6;
}

static int gpu_init(struct gpu *g, const struct gen_params *p, unsigned int idx, double dt)
{
	double f;

	memset(g, 0, sizeof(*g));
	g->p = p;
	g->g = &gpus[p->gpu];
	/* Each GPU its own stream: independent phases, and GPU 0 the same whatever the count. */
	synth_rng_seed(&g->r, p->seed ^ (0x9e3779b97f4a7c15ULL * (idx + 1)));
	switch (p->workload) {
	case GEN_W_LLM: llm_init(g); break;
	case GEN_W_DIFFUSION: diffusion_init(g); break;
	case GEN_W_TRAINING: training_init(g); break;
	case GEN_W_TRANSCODE: transcode_init(g); break;
	case GEN_W_MINER_MEMORY: g->a = uni(&g->r, MINER_MEM_F - 0.05, MINER_MEM_F + 0.05); break;
	default: break;
	}
	/* The power controller's limit cycle: 2-5 Hz, +-1.2 % of the limit when pinned there. */
	f = uni(&g->r, 2, 5);
	g->lc_re = cos(2 * M_PI * synth_rng_uniform(&g->r));
	g->lc_im = sqrt(1 - g->lc_re * g->lc_re);
	g->lc_cos = cos(2 * M_PI * f * dt);
	g->lc_sin = sin(2 * M_PI * f * dt);
	g->lc_amp = 0.012 * g->g->limit_w;
	g->y = g->g->idle_w;
	g->smooth = g->g->idle_w;
	g->adv_next_s = expo(&g->r, 0.15);
	g->adv_on = true;
	g->adv_until_s = uni(&g->r, 0.3, 3);
	if (p->adversary == GEN_ADV_REPLAY) {
		g->replay_n = (size_t)(uni(&g->r, 2, 5) / dt);
		g->replay = malloc(g->replay_n * sizeof(*g->replay));
		if (!g->replay)
			return -ENOMEM;
	}
	return 0;
}

/* The GPU's true board power at fine step k (time t), W. */
static double gpu_step(struct gpu *g, size_t k, double t, double dt, double edge_a)
{
	const struct gpu_profile *pr = g->g;
	double frac, x, noise;
	struct seg s;

	while (t >= g->seg_end_s) {
		g->now_s = g->seg_end_s;
		next_seg(g, &s);
		g->seg_end_s += s.len_s;
		g->frac = s.frac;
		g->busy = s.busy;
	}
	frac = g->frac;
	switch (g->p->adversary) {
	case GEN_ADV_INTERLEAVE:
		if (!g->busy)
			frac = MINER_MEM_F; /* the miner takes the gaps between requests */
		break;
	case GEN_ADV_ONOFF:
		while (t >= g->adv_until_s) {
			g->adv_on = !g->adv_on;
			g->adv_until_s += g->adv_on ? uni(&g->r, 0.3, 3) : uni(&g->r, 0.1, 1.5);
		}
		if (!g->adv_on)
			frac = 0;
		break;
	case GEN_ADV_SPIKE:
		if (t >= g->adv_next_s) {
			g->adv_until_s = t + uni(&g->r, 0.005, 0.03);
			g->adv_next_s = t + expo(&g->r, 0.15);
		}
		if (t < g->adv_until_s)
			frac = 1.0;
		break;
	default: break;
	}
	x = pr->idle_w + frac * (pr->limit_w - pr->idle_w);
	noise = (frac > 0.02 ? 0.008 : 0.003) * x * fast_normal(&g->r);
	if (frac > 0.97) {
		/* Pinned at the limit: the controller's limit cycle, wandering a little. */
		double re = g->lc_re * g->lc_cos - g->lc_im * g->lc_sin;

		g->lc_im = g->lc_re * g->lc_sin + g->lc_im * g->lc_cos;
		g->lc_re = re;
		if ((k & 1023) == 0) { /* renormalize the phasor, and let the frequency wander */
			double m = sqrt(g->lc_re * g->lc_re + g->lc_im * g->lc_im), c = g->lc_cos, sn = g->lc_sin,
			       w = 1 + 0.002 * fast_normal(&g->r);

			g->lc_re /= m;
			g->lc_im /= m;
			g->lc_cos = cos(acos(c) * w);
			g->lc_sin = sin(acos(c) * w) * (sn < 0 ? -1 : 1);
		}
		x += g->lc_amp * g->lc_im;
		noise *= 0.5;
	}
	if (g->p->workload == GEN_W_MINER_MEMORY && frac > 0.3)
		x *= 1 + 0.015 * (1 - exp(-t / 40)); /* warming up: leakage grows with temperature */
	x += noise;
	g->y += edge_a * (x - g->y);
	x = g->y;
	switch (g->p->adversary) {
	case GEN_ADV_POWERCAP: {
		double cap = pr->idle_w + CAP_F * (pr->limit_w - pr->idle_w);

		if (x > cap)
			x = cap + 0.2 * noise;
		break;
	}
	case GEN_ADV_SMOOTH:
		g->smooth += dt / SMOOTH_S * (x - g->smooth);
		x = g->smooth;
		break;
	case GEN_ADV_REPLAY:
		if (k < g->replay_n)
			g->replay[k] = (float)x;
		else
			x = g->replay[k % g->replay_n];
		break;
	default: break;
	}
	return x;
}

/* ---- the rest of the server (PSU view): CPUs, fans, NICs ---- */

struct rest {
	struct synth_rng r;
	double base_w, ou, fan;
};

/* ---- sensors ---- */

struct sensor {
	enum sensor_kind kind;
	uint64_t refresh_ns, next_refresh_ns;
	double iir_a, y; /* pmbus output capacitor */
	double acc;	 /* pmbus: sum since the last refresh */
	size_t nacc;
	int64_t *ring; /* nvml boxcar, mW */
	size_t ring_n, ring_pos, ring_fill;
	int64_t ring_sum;
	uint64_t quantum_uw; /* adc */
	double rating_w, temp_frac;
	struct pl_sample out; /* the published reading */
	bool have;
};

static int64_t q11(double v, int64_t scale)
{
	return pl_linear11_decode(pl_linear11_encode((s64)llround(v * (double)scale), scale), scale);
}

static const uint8_t vout_mode = 0x17; /* linear, exponent -9: 1.95 mV */

/* PSU efficiency (PIN = POUT / eff), at a fraction x of the rating: low at light load, flat near half. */
static double psu_eff(double x)
{
	return 0.955 - 0.05 * exp(-x / 0.1) - 0.03 * (x - 0.5) * (x - 0.5);
}

static void publish(struct sensor *sn, struct synth_rng *r, double w, uint64_t t_ns)
{
	struct pl_sample *s = &sn->out;

	sn->have = true;
	switch (sn->kind) {
	case SENSOR_PMBUS: {
		double eff = psu_eff(w / sn->rating_w), vout, vin, pin = w / eff;

		sn->temp_frac += (double)sn->refresh_ns * 1e-9 / 60 * (w / sn->rating_w - sn->temp_frac);
		vout = 54.0 - 0.0004 * w / 54.0 + 0.004 * synth_rng_normal(r);
		vin = 230.0 + 0.6 * sin((double)t_ns * 1e-9 * 0.7) + 0.1 * synth_rng_normal(r);
		s->vin_uv = q11(vin, PL_SCALE_MICRO);
		s->iin_ua = q11(pin / (vin * 0.99), PL_SCALE_MICRO);
		s->vout_uv = pl_linear16_decode(pl_linear16_encode((s64)llround(vout * 1e6), vout_mode, PL_SCALE_MICRO),
						vout_mode, PL_SCALE_MICRO);
		s->iout_ua = q11(w / vout, PL_SCALE_MICRO);
		s->pout_uw = q11(w, PL_SCALE_MICRO);
		s->pin_uw = q11(pin, PL_SCALE_MICRO);
		s->temp_mc = (int32_t)q11(30 + 25 * sn->temp_frac, PL_SCALE_MILLI);
		break;
	}
	case SENSOR_NVML:
		s->pin_uw = llround(w * 100) * 10000; /* printed with 2 decimals: 10 mW */
		break;
	default: {
		double c = floor(w * 1e6 / (double)sn->quantum_uw + 0.5 + 0.5 * synth_rng_normal(r));

		c = c < 0 ? 0 : c > 1023 ? 1023 : c;
		s->pin_uw = (int64_t)c * (int64_t)sn->quantum_uw;
		break;
	}
	}
}

/* Feeds one fine sample (w, W, at t_ns); publishes at the sensor's refresh instants. */
static void sensor_feed(struct sensor *sn, struct synth_rng *r, double w, uint64_t t_ns)
{
	switch (sn->kind) {
	case SENSOR_PMBUS:
		sn->y += sn->iir_a * (w - sn->y);
		sn->acc += sn->y;
		sn->nacc++;
		break;
	case SENSOR_NVML: {
		int64_t mw = llround(w * 1e3);

		if (sn->ring_fill < sn->ring_n)
			sn->ring_fill++;
		else
			sn->ring_sum -= sn->ring[sn->ring_pos];
		sn->ring[sn->ring_pos] = mw;
		sn->ring_sum += mw;
		sn->ring_pos = sn->ring_pos + 1 == sn->ring_n ? 0 : sn->ring_pos + 1;
		break;
	}
	default: break;
	}
	if (t_ns < sn->next_refresh_ns && sn->have)
		return;
	while (sn->next_refresh_ns <= t_ns)
		sn->next_refresh_ns += sn->refresh_ns;
	switch (sn->kind) {
	case SENSOR_PMBUS:
		publish(sn, r, sn->acc / (double)sn->nacc, t_ns);
		sn->acc = 0;
		sn->nacc = 0;
		break;
	case SENSOR_NVML: publish(sn, r, (double)sn->ring_sum / (double)sn->ring_fill * 1e-3, t_ns); break;
	default: publish(sn, r, w, t_ns); break;
	}
}

struct defaults {
	uint64_t refresh_ns, averaging_ns;
};

static struct defaults sensor_defaults(const struct gen_params *p)
{
	switch (p->sensor) {
	case SENSOR_PMBUS: return (struct defaults){ 2 * MS, 3 * MS };
	case SENSOR_NVML: return (struct defaults){ 100 * MS, 25 * MS };
	default: return (struct defaults){ p->period_ns, 0 };
	}
}

static double host_rest_base_w(const struct gen_params *p)
{
	return 150 + 45.0 * p->gpus;
}

static double psu_rating_w(const struct gen_params *p)
{
	double w = 1.2 * (p->gpus * gpus[p->gpu].limit_w + host_rest_base_w(p) * 1.2);

	return ceil(w / 100) * 100;
}

static uint64_t adc_quantum_uw(const struct gen_params *p)
{
	return (uint64_t)llround(1.25 * gpus[p->gpu].limit_w * 1e6 / 1024);
}

/* The LINEAR11 step of a reading of w watts, uW. */
static uint64_t linear11_step_uw(double w)
{
	int32_t ex = pl_linear11_exponent(pl_linear11_encode((s64)llround(w * 1e6), PL_SCALE_MICRO));

	return ex >= 0 ? (uint64_t)PL_SCALE_MICRO << ex : (uint64_t)PL_SCALE_MICRO >> -ex;
}

static int check(const struct gen_params *p, struct plerr *e)
{
	struct defaults d;
	uint64_t refresh, averaging, dt;

	if ((unsigned int)p->workload >= __GEN_W_MAX)
		return plerr_set(e, -EINVAL, "bad workload %d", (int)p->workload);
	if ((unsigned int)p->size >= __GEN_SIZE_MAX)
		return plerr_set(e, -EINVAL, "bad size %d", (int)p->size);
	if ((unsigned int)p->prompt >= __GEN_PROMPT_MAX)
		return plerr_set(e, -EINVAL, "bad prompt %d", (int)p->prompt);
	if ((unsigned int)p->adversary >= __GEN_ADV_MAX)
		return plerr_set(e, -EINVAL, "bad adversary %d", (int)p->adversary);
	if ((unsigned int)p->gpu >= __GEN_GPU_MAX)
		return plerr_set(e, -EINVAL, "bad gpu %d", (int)p->gpu);
	if (p->sensor != SENSOR_PMBUS && p->sensor != SENSOR_NVML && p->sensor != SENSOR_ADC)
		return plerr_set(e, -EINVAL, "bad sensor %d (pmbus, nvml or adc)", (int)p->sensor);
	if (p->batch < 1 || p->batch > GEN_MAX_BATCH)
		return plerr_set(e, -EINVAL, "batch %" PRIu32 " out of range (1..%d)", p->batch, GEN_MAX_BATCH);
	if (p->gpus < 1 || p->gpus > GEN_MAX_GPUS)
		return plerr_set(e, -EINVAL, "gpus %" PRIu32 " out of range (1..%d)", p->gpus, GEN_MAX_GPUS);
	if (p->period_ns < 1000 || p->period_ns > PLTR_MAX_PERIOD_NS)
		return plerr_set(e, -EINVAL, "period %" PRIu64 " ns out of range (1 us .. 1 h)", p->period_ns);
	if (p->duration_ns < p->period_ns)
		return plerr_set(e, -EINVAL, "duration %" PRIu64 " ns shorter than one period", p->duration_ns);
	if (p->duration_ns / p->period_ns > 100000000)
		return plerr_set(e, -EINVAL, "duration / period: %" PRIu64 " samples, more than 100 million",
				 p->duration_ns / p->period_ns);
	if (p->duration_ns > 24 * 3600 * S)
		return plerr_set(e, -EINVAL, "duration %" PRIu64 " ns longer than a day", p->duration_ns);
	d = sensor_defaults(p);
	refresh = p->refresh_ns ? p->refresh_ns : d.refresh_ns;
	averaging = p->averaging_ns ? p->averaging_ns : d.averaging_ns;
	if (refresh < 1000 || refresh > 3600 * S)
		return plerr_set(e, -EINVAL, "refresh %" PRIu64 " ns out of range (1 us .. 1 h)", refresh);
	if (p->sensor == SENSOR_ADC && p->averaging_ns)
		return plerr_set(e, -EINVAL, "averaging: the adc sensor is instantaneous (give none)");
	if (averaging > 10 * S)
		return plerr_set(e, -EINVAL, "averaging %" PRIu64 " ns longer than 10 s", averaging);
	dt = p->period_ns < refresh ? p->period_ns : refresh;
	dt = dt < 100000 ? dt : 100000;
	if (p->sensor == SENSOR_NVML && averaging / dt > 4000000)
		return plerr_set(e, -EINVAL,
				 "averaging %" PRIu64 " ns is more than 4 million fine steps of %" PRIu64 " ns",
				 averaging, dt);
	if (p->duration_ns / dt > 2000000000ULL)
		return plerr_set(e, -EINVAL, "duration: more than 2e9 fine steps of %" PRIu64 " ns", dt);
	return 0;
}

int gen_sensor(const struct gen_params *p, struct sensor_model *m, struct plerr *e)
{
	struct defaults d;
	int ret;

	ret = check(p, e);
	if (ret)
		return ret;
	d = sensor_defaults(p);
	memset(m, 0, sizeof(*m));
	m->kind = (uint8_t)p->sensor;
	m->refresh_ns = p->refresh_ns ? p->refresh_ns : d.refresh_ns;
	m->averaging_ns = p->averaging_ns ? p->averaging_ns : d.averaging_ns;
	m->origin = __SENSOR_O_ALL;
	switch (p->sensor) {
	case SENSOR_PMBUS: m->quantum_uw = linear11_step_uw(psu_rating_w(p)); break;
	case SENSOR_NVML: m->quantum_uw = 10000; break;
	default: m->quantum_uw = adc_quantum_uw(p); break;
	}
	return 0;
}

int gen_trace(const struct gen_params *p, struct trace *t, struct sensor_model *m, struct plerr *e)
{
	struct gpu *g = NULL;
	struct sensor sn = { 0 };
	struct sensor_model model;
	struct rest rest;
	struct synth_rng r;
	struct pl_sample s;
	uint64_t dt_ns, n, i, k = 0, jit_max, t0, warm_ns, min_step = UINT64_MAX;
	unsigned int ng, j;
	double dt, edge_a;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = gen_sensor(p, &model, e);
	if (ret)
		return ret;
	n = p->duration_ns / p->period_ns;
	dt_ns = p->period_ns < model.refresh_ns ? p->period_ns : model.refresh_ns;
	dt_ns = dt_ns < 100000 ? dt_ns : 100000;
	dt = (double)dt_ns * 1e-9;
	/* nvml and adc read GPU 0 only: the others cannot show, so they are not computed. */
	ng = p->sensor == SENSOR_PMBUS ? p->gpus : 1;
	g = calloc(ng, sizeof(*g));
	if (!g)
		goto nomem;
	for (j = 0; j < ng; j++)
		if (gpu_init(&g[j], p, j, dt))
			goto nomem;
	edge_a = 1 - exp(-dt / (gpus[p->gpu].edge_ms * 1e-3));
	synth_rng_seed(&r, p->seed ^ 0x5e4503ULL);
	synth_rng_seed(&rest.r, p->seed ^ 0x4e57ULL);
	rest.base_w = host_rest_base_w(p);
	rest.ou = 0;
	rest.fan = p->gpus * gpus[p->gpu].idle_w;

	sn.kind = p->sensor;
	sn.refresh_ns = model.refresh_ns;
	sn.next_refresh_ns = (uint64_t)(synth_rng_uniform(&r) * (double)model.refresh_ns);
	sn.rating_w = psu_rating_w(p);
	sn.quantum_uw = model.quantum_uw;
	if (p->sensor == SENSOR_PMBUS) {
		sn.iir_a = model.averaging_ns ? 1 - exp(-dt / ((double)model.averaging_ns * 1e-9)) : 1;
		sn.y = p->gpus * gpus[p->gpu].idle_w + rest.base_w;
	} else if (p->sensor == SENSOR_NVML) {
		sn.ring_n = model.averaging_ns / dt_ns ? model.averaging_ns / dt_ns : 1;
		sn.ring = malloc(sn.ring_n * sizeof(*sn.ring));
		if (!sn.ring)
			goto nomem;
	}

	if (p->sensor == SENSOR_PMBUS) {
		t0 = p->t0_ns ? p->t0_ns : 1000 * S;
		trace_init(t, p->period_ns, 0, __PL_RAIL_ALL, PLTR_SRC_SYNTHETIC, 0, "powerledger-gen", "gen-psu",
			   "GEN-0001", "gen-host");
	} else {
		t0 = p->t0_ns ? p->t0_ns : 1767225600ULL * S; /* 2026-01-01T00:00:00Z */
		trace_init(t, p->period_ns, 0, PL_RAIL_PIN, PLTR_SRC_CSV, PLTR_F_REALTIME, "powerledger-gen",
			   p->sensor == SENSOR_NVML ? "gen-nvml" : "gen-adc", "GEN-0001", "gen-host");
	}
	/* Poll jitter: small, deterministic, and never enough to reorder polls. */
	jit_max = p->period_ns / 10 < 200000 ? p->period_ns / 10 : 200000;
	/*
	 * The host was running before the first poll: simulate a warm-up so
	 * that filters, boxcar and workload are in their steady state (a trace
	 * starting with a miner's ramp from idle would be a startup, not a
	 * miner).  Internal time tp runs warm_ns ahead of the timestamps.
	 */
	warm_ns = (2 * S + 5 * model.averaging_ns) / dt_ns * dt_ns;
	for (i = 0; i < n; i++) {
		uint64_t tp = warm_ns + i * p->period_ns + (uint64_t)(synth_rng_uniform(&r) * (double)jit_max);

		for (; k * dt_ns <= tp; k++) {
			double tk = (double)k * dt, w = 0;

			for (j = 0; j < ng; j++)
				w += gpu_step(&g[j], k, tk, dt, edge_a);
			if (p->sensor == SENSOR_PMBUS) {
				/* CPUs and fans: slow drift, fans following the GPUs with a 10 s lag. */
				if ((k % 10) == 0) {
					double h = 10 * dt; /* every 10th step: OU drift, tau 30 s, sd 2 % */

					rest.ou += -rest.ou * h / 30 + 0.02 * sqrt(2 * h / 30) * fast_normal(&rest.r);
					rest.fan += h / 10 * (w - rest.fan);
				}
				w += rest.base_w * (1 + rest.ou) + 0.04 * rest.fan;
			}
			sensor_feed(&sn, &r, w, k * dt_ns);
		}
		memcpy(&s, &sn.out, sizeof(s));
		s.ts_ns = t0 + tp - warm_ns;
		s.seq = i;
		s.rails = t->info.rails;
		s.version = PL_SAMPLE_VERSION;
		if (p->sensor == SENSOR_PMBUS) {
			uint64_t st = linear11_step_uw((double)s.pin_uw * 1e-6);

			min_step = st < min_step ? st : min_step;
			s.flags = PL_SF_STATUS;
			s.read_ns = 380000 + (uint32_t)(40000 * synth_rng_uniform(&r));
		}
		if (trace_push(t, &s))
			goto nomem;
	}
	if (p->sensor == SENSOR_PMBUS && min_step != UINT64_MAX)
		model.quantum_uw = min_step;
	/* A reading cannot change between two polls: the trace's refresh is at least the poll period. */
	if (model.refresh_ns < p->period_ns)
		model.refresh_ns = p->period_ns;
	t->info.sensor = model;
	if (m)
		*m = model;
	ret = 0;
	goto out;
nomem:
	trace__free(t);
	memset(t, 0, sizeof(*t));
	ret = plerr_set(e, -ENOMEM, "out of memory");
out:
	for (j = 0; g && j < ng; j++)
		free(g[j].replay);
	free(g);
	free(sn.ring);
	return ret;
}
