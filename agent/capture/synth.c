// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Deterministic synthetic PSU traces (see synth.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capture/synth.h"
#include "pmbus_linear.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void synth_rng_seed(struct synth_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t synth_rng_next(struct synth_rng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double synth_rng_uniform(struct synth_rng *r)
{
	return (double)(synth_rng_next(r) >> 11) * 0x1.0p-53;
}

double synth_rng_normal(struct synth_rng *r)
{
	double u = synth_rng_uniform(r), v = synth_rng_uniform(r);

	return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

static double exp_rand(struct synth_rng *r, double mean)
{
	return -mean * log(1 - synth_rng_uniform(r));
}

/*
 * A model server: requests arrive (Poisson, with a rate switching between
 * busy and quiet phases), queue, and are served in batched iterations run
 * back to back while any request is active.  An iteration is a compute
 * burst followed by a short synchronization dip (all-reduce, sampling);
 * prefill iterations are longer and hotter than decode ones.  Power is DC
 * output, W.
 */
struct shape {
	double idle_w;
	double prefill_w, prefill_ms[2]; /* uniform range */
	double decode_w, decode_per_req_w, decode_ms, decode_ms_per_req;
	double dip_w, dip_ms[2];
	int prefill_iters[2], decode_iters[2]; /* per request, uniform */
	double busy_rate, quiet_rate, phase_s; /* requests/s, mean phase length */
	double noise_w;
};

static const struct shape gpt4 = {
	.idle_w = 900,
	.prefill_w = 2750,
	.prefill_ms = { 30, 80 },
	.decode_w = 1700,
	.decode_per_req_w = 60,
	.decode_ms = 26,
	.decode_ms_per_req = 0.5,
	.dip_w = 1350,
	.dip_ms = { 3, 6 },
	.prefill_iters = { 1, 1 },
	.decode_iters = { 30, 90 },
	.busy_rate = 4,
	.quiet_rate = 1,
	.phase_s = 4,
	.noise_w = 8,
};

static const struct shape small = {
	.idle_w = 850,
	.prefill_w = 1450,
	.prefill_ms = { 15, 35 },
	.decode_w = 1100,
	.decode_per_req_w = 30,
	.decode_ms = 9,
	.decode_ms_per_req = 0.15,
	.dip_w = 1000,
	.dip_ms = { 1, 2 },
	.prefill_iters = { 1, 1 },
	.decode_iters = { 40, 160 },
	.busy_rate = 12,
	.quiet_rate = 3,
	.phase_s = 4,
	.noise_w = 6,
};

#define MAX_W	2950.0 /* the PSU's (and GPUs') power limit */
#define MAX_REQ 64

static int uniform_int(struct synth_rng *r, const int range[2])
{
	return range[0] + (int)(synth_rng_uniform(r) * (double)(range[1] - range[0] + 1));
}

static double uniform_in(struct synth_rng *r, const double range[2])
{
	return range[0] + (range[1] - range[0]) * synth_rng_uniform(r);
}

static void server(struct synth_rng *r, const struct shape *sh, double *p, uint32_t *tag, size_t n, double dt)
{
	int pre[MAX_REQ], dec[MAX_REQ], active = 0, i, j;
	double next_arrival = 0, phase_end = 0, now = 0, len, pw, dip;
	bool busy = false;
	size_t k, a, b;

	for (k = 0; k < n; k++) {
		p[k] = sh->idle_w;
		tag[k] = 0;
	}
	while (now < (double)n * dt) {
		/* Admit every request that has arrived by now. */
		while (next_arrival <= now) {
			if (next_arrival >= phase_end) {
				busy = !busy;
				phase_end = next_arrival + exp_rand(r, sh->phase_s);
			}
			if (active < MAX_REQ) {
				pre[active] = uniform_int(r, sh->prefill_iters);
				dec[active] = uniform_int(r, sh->decode_iters);
				active++;
			}
			next_arrival += exp_rand(r, 1 / (busy ? sh->busy_rate : sh->quiet_rate));
		}
		if (!active) {
			now = next_arrival; /* idle until the next request */
			continue;
		}
		for (i = 0; i < active && !pre[i]; i++)
			;
		if (i < active) {
			len = uniform_in(r, sh->prefill_ms) / 1e3;
			pw = sh->prefill_w;
			pre[i]--;
		} else {
			len = (sh->decode_ms + sh->decode_ms_per_req * active) * (1 + 0.03 * synth_rng_normal(r)) / 1e3;
			pw = sh->decode_w + sh->decode_per_req_w * (active < 8 ? active : 8);
			for (j = 0; j < active; j++)
				dec[j]--;
		}
		dip = uniform_in(r, sh->dip_ms) / 1e3;
		a = (size_t)(now / dt);
		b = (size_t)((now + len) / dt);
		for (k = a; k < b && k < n; k++) {
			p[k] = pw;
			tag[k] = 1;
		}
		for (k = b; k < (size_t)((now + len + dip) / dt) && k < n; k++) {
			p[k] = sh->dip_w;
			tag[k] = 1;
		}
		now += len + dip;
		for (i = j = 0; i < active; i++) {
			if (dec[i] > 0 || pre[i] > 0) {
				pre[j] = pre[i];
				dec[j] = dec[i];
				j++;
			}
		}
		active = j;
	}
	for (k = 0; k < n; k++) {
		p[k] += sh->noise_w * synth_rng_normal(r);
		if (p[k] > MAX_W)
			p[k] = MAX_W - 10 * synth_rng_uniform(r); /* power capping */
	}
}

/*
 * A GPU pinned at its power limit: flat, with the power controller's limit
 * cycle (a few Hz, +-15 W) on top and little else.
 */
static void miner(struct synth_rng *r, double *p, uint32_t *tag, size_t n, double dt)
{
	double phase = 2 * M_PI * synth_rng_uniform(r), f = 3.3;
	size_t i;

	for (i = 0; i < n; i++) {
		f += 0.0005 * synth_rng_normal(r); /* the limit cycle wanders a little */
		phase += 2 * M_PI * f * dt;
		p[i] = 2900 + 15 * sin(phase) + 2 * synth_rng_normal(r);
		tag[i] = 2;
	}
}

static int64_t q11(double v, int64_t scale)
{
	return pl_linear11_decode(pl_linear11_encode((s64)llround(v * (double)scale), scale), scale);
}

/*
 * The context section bpf/ would have recorded: each run of samples the
 * serving process (tag 1) or the miner (tag 2) drew becomes an interval of
 * its CUDA context, as ctxjoin would have joined it from the events.
 */
static int synth_contexts(struct trace *t, const uint32_t *tag, size_t n)
{
	static const struct {
		uint32_t tgid, ns_tgid;
		uint64_t ctx;
		uint32_t gpu;
		const char *comm;
	} who[] = { { 0 }, { 4242, 4242, 0x7f3a00001000ULL, 0, "vllm-server" },
		    { 31337, 7, 0x5600dead0000ULL, 1, "kworker-upd" } };
	struct ctx_interval *iv = NULL, *q;
	size_t i, k, niv = 0, cap = 0;
	struct plerr e;

	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && tag[k] == tag[i]; k++)
			;
		if (!tag[i] || tag[i] > 2)
			continue;
		if (niv == cap) {
			cap = cap ? cap * 2 : 16;
			q = realloc(iv, cap * sizeof(*iv));
			if (!q) {
				free(iv);
				return -ENOMEM;
			}
			iv = q;
		}
		q = &iv[niv++];
		memset(q, 0, sizeof(*q));
		q->begin_ns = t->s[i].ts_ns;
		q->end_ns = k < n ? t->s[k].ts_ns : t->s[n - 1].ts_ns + t->info.period_ns;
		q->ctx = who[tag[i]].ctx;
		q->tgid = who[tag[i]].tgid;
		q->ns_tgid = who[tag[i]].ns_tgid;
		q->pidns_ino = tag[i] == 1 ? 4026531836ULL : 4026532901ULL;
		q->gpu = who[tag[i]].gpu;
		q->source = PL_GCS_CUDA;
		q->launches = (k - i) / 5;
		snprintf(q->comm, sizeof(q->comm), "%s", who[tag[i]].comm);
	}
	t->info.ctx_sources = 1U << PL_GCS_CUDA | 1U << PL_GCS_SCHED;
	return trace_set_contexts(t, iv, niv, &e);
}

int synth_trace(const struct synth_params *sp, struct trace *t, struct plerr *e)
{
	uint64_t period = sp->period_ns ? sp->period_ns : 1000000;
	size_t n, i;
	double dt, *p;
	uint32_t *tag;
	struct synth_rng r;
	struct pl_sample s;
	const uint8_t vout_mode = 0x17; /* linear, exponent -9: 1.95 mV */
	int ret = 0;

	memset(t, 0, sizeof(*t));
	if (sp->duration_ns == 0 || sp->duration_ns / period > 100000000 || sp->workload > SYNTH_TAMPERED)
		return plerr_set(e, -EINVAL, "bad synthetic trace parameters");
	n = (size_t)(sp->duration_ns / period);
	dt = (double)period / 1e9;
	p = malloc(n * sizeof(*p));
	tag = malloc(n * sizeof(*tag));
	if (!p || !tag) {
		ret = plerr_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	synth_rng_seed(&r, sp->seed);
	switch (sp->workload) {
	case SYNTH_GPT4:
	case SYNTH_TAMPERED: server(&r, &gpt4, p, tag, n, dt); break;
	case SYNTH_SMALL: server(&r, &small, p, tag, n, dt); break;
	case SYNTH_MINER: miner(&r, p, tag, n, dt); break;
	}
	trace_init(t, period, 0,
		   PL_RAIL_VIN | PL_RAIL_IIN | PL_RAIL_VOUT | PL_RAIL_IOUT | PL_RAIL_POUT | PL_RAIL_PIN | PL_RAIL_TEMP,
		   PLTR_SRC_SYNTHETIC, 0, SYNTH_MFR_ID, SYNTH_MFR_MODEL, SYNTH_MFR_SERIAL, SYNTH_HOST);
	for (i = 0; i < n; i++) {
		double pout = p[i], pout_read = p[i], vout, iout, eff, pin, vin, iin, scale = 1;

		/* Sequential rail reads straddling a sharp step: POUT from before it, IOUT from after. */
		if (i > 0 && fabs(p[i] - p[i - 1]) > 300 && synth_rng_uniform(&r) < 0.3)
			pout_read = p[i - 1];
		vout = 54.0 - 0.0004 * pout / 54.0 + 0.004 * synth_rng_normal(&r);
		iout = pout / vout;
		eff = 0.945 - 0.015 * fabs(pout - 1800) / 1800;
		pin = pout / eff;
		vin = 230.0 + 0.6 * sin((double)i * dt * 0.7) + 0.1 * synth_rng_normal(&r);
		iin = pin / (vin * 0.99);
		if (sp->workload == SYNTH_TAMPERED && i >= n * 4 / 10 && i < n * 7 / 10)
			scale = 0.6;
		memset(&s, 0, sizeof(s));
		s.ts_ns = sp->t0_ns + i * period + (uint64_t)(2000 * synth_rng_uniform(&r));
		s.seq = i;
		s.rails = t->info.rails;
		s.flags = PL_SF_STATUS;
		s.version = PL_SAMPLE_VERSION;
		s.vin_uv = q11(vin, PL_SCALE_MICRO);
		s.iin_ua = q11(iin, PL_SCALE_MICRO);
		s.vout_uv = pl_linear16_decode(pl_linear16_encode((s64)llround(vout * 1e6), vout_mode, PL_SCALE_MICRO),
					       vout_mode, PL_SCALE_MICRO);
		s.iout_ua = q11(iout, PL_SCALE_MICRO);
		s.pout_uw = q11(pout_read * scale, PL_SCALE_MICRO);
		s.pin_uw = q11(pout_read / eff * scale, PL_SCALE_MICRO);
		s.temp_mc = (int32_t)(q11(38 + 6 * pout / MAX_W, PL_SCALE_MILLI));
		s.read_ns = 380000 + (uint32_t)(40000 * synth_rng_uniform(&r));
		if (trace_push(t, &s)) {
			ret = plerr_set(e, -ENOMEM, "out of memory");
			trace__free(t);
			goto out;
		}
	}
	trace_measure_sensor(t);
	ret = synth_contexts(t, tag, n);
	if (ret) {
		plerr_set(e, ret, "out of memory");
		trace__free(t);
	}
out:
	free(p);
	free(tag);
	return ret;
}
