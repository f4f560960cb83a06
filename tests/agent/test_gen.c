// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The workload generator and its sensor models (capture/gen.h): bit-exact
 * determinism, what each sensor can show (NVML's 100 ms refresh and 10 mW,
 * the ADC's counts, PMBus LINEAR11/16), the physics the detectors rely on
 * (decode cadence grows with model size, batch raises the level but not
 * the cadence, a miner is flat at the limit), each adversary's signature,
 * poll rates from 10 Hz to 10 kHz, speed, and parameter checks.
 */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <time.h>

#include "capture/gen.h"
#include "pmbus_linear.h"

#define MS 1000000ULL
#define S  1000000000ULL

static void gen(const struct gen_params *p, struct trace *t, struct sensor_model *m)
{
	struct plerr e = { "" };
	int ret = gen_trace(p, t, m, &e);

	if (ret)
		fprintf(stderr, "gen_trace: %s\n", e.msg);
	assert_int_equal(ret, 0);
	assert_int_equal(t->n, p->duration_ns / p->period_ns);
}

static double pw(const struct pl_sample *s)
{
	return (double)(s->rails & PL_RAIL_PIN ? s->pin_uw : s->pout_uw) * 1e-6;
}

static double mean_w(const struct trace *t)
{
	double sum = 0;

	for (size_t i = 0; i < t->n; i++)
		sum += pw(&t->s[i]);
	return sum / (double)t->n;
}

static double sd_w(const struct trace *t)
{
	double m = mean_w(t), ss = 0;

	for (size_t i = 0; i < t->n; i++)
		ss += (pw(&t->s[i]) - m) * (pw(&t->s[i]) - m);
	return sqrt(ss / (double)t->n);
}

static double min_w(const struct trace *t, double q)
{
	/* the q-quantile, by counting (q small): the smallest x with at least q * n readings <= x */
	double lo = 0, hi = 1e5;

	for (int it = 0; it < 50; it++) {
		double mid = (lo + hi) / 2;
		size_t c = 0;

		for (size_t i = 0; i < t->n; i++)
			c += pw(&t->s[i]) <= mid;
		if ((double)c >= q * (double)t->n)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static double max_w(const struct trace *t)
{
	double m = 0;

	for (size_t i = 0; i < t->n; i++)
		m = pw(&t->s[i]) > m ? pw(&t->s[i]) : m;
	return m;
}

/* The power readings, centred, for autocorrelations. */
struct centred {
	double *x, den;
	size_t n;
};

static struct centred centre(const struct trace *t)
{
	struct centred c = { malloc(t->n * sizeof(double)), 0, t->n };
	double m = mean_w(t);

	assert_non_null(c.x);
	for (size_t i = 0; i < t->n; i++) {
		c.x[i] = pw(&t->s[i]) - m;
		c.den += c.x[i] * c.x[i];
	}
	return c;
}

/* Normalized autocorrelation at lag (samples). */
static double acf_c(const struct centred *c, size_t lag)
{
	double num = 0;

	for (size_t i = 0; i + lag < c->n; i++)
		num += c->x[i] * c->x[i + lag];
	return c->den > 0 ? num / c->den : 0;
}

static double acf(const struct trace *t, size_t lag)
{
	struct centred c = centre(t);
	double r = acf_c(&c, lag);

	free(c.x);
	return r;
}

/*
 * The cadence: the first lag (lo..hi samples) where the autocorrelation of
 * the first differences peaks within 75 % of its highest value.  Each
 * step's edges make the differences' ACF peak sharply at the step period
 * (and its multiples, hence the first); the slow request envelope is
 * differenced away.
 */
static size_t cadence(const struct trace *t, size_t lo, size_t hi)
{
	struct centred c = centre(t);
	double best = -1, r[512];
	size_t l;

	for (size_t i = 0; i + 1 < c.n; i++)
		c.x[i] = c.x[i + 1] - c.x[i];
	c.n--;
	c.den = 0;
	for (size_t i = 0; i < c.n; i++)
		c.den += c.x[i] * c.x[i];
	assert_true(lo >= 1 && hi < 511);
	for (l = lo - 1; l <= hi + 1; l++) {
		r[l] = acf_c(&c, l);
		best = l >= lo && l <= hi && r[l] > best ? r[l] : best;
	}
	free(c.x);
	for (l = lo; l <= hi; l++)
		if (r[l] >= r[l - 1] && r[l] >= r[l + 1] && r[l] >= 0.75 * best)
			return l;
	return 0;
}

static void base(struct gen_params *p, enum gen_workload w, enum sensor_kind k, uint64_t period_ns, uint64_t dur_ns)
{
	gen_params_default(p);
	p->workload = w;
	p->sensor = k;
	p->period_ns = period_ns;
	p->duration_ns = dur_ns;
}

static void test_deterministic_bytes(void **state)
{
	enum sensor_kind kinds[] = { SENSOR_PMBUS, SENSOR_NVML, SENSOR_ADC };
	struct gen_params p;
	struct trace t;
	struct buf a = { 0 }, b = { 0 }, c = { 0 };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		base(&p, GEN_W_LLM, kinds[i], kinds[i] == SENSOR_NVML ? 10 * MS : MS, 10 * S);
		p.size = GEN_SIZE_13B;
		p.gpus = 3;
		p.batch = 4;
		p.seed = 42;
		gen(&p, &t, NULL);
		assert_int_equal(trace_encode(&t, &a), 0);
		trace__free(&t);
		gen(&p, &t, NULL);
		assert_int_equal(trace_encode(&t, &b), 0);
		trace__free(&t);
		p.seed = 43;
		gen(&p, &t, NULL);
		assert_int_equal(trace_encode(&t, &c), 0);
		trace__free(&t);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.p, b.p, a.len);
		assert_int_equal(a.len, c.len);
		assert_true(memcmp(a.p, c.p, a.len) != 0);
		buf_free(&a);
		buf_free(&b);
		buf_free(&c);
	}
}

/* NVML: a new value only every refresh (~100 ms) however fast it is polled, each a multiple of 10 mW. */
static void test_nvml_refresh_and_quantum(void **state)
{
	struct gen_params p;
	struct sensor_model m;
	struct trace t;
	size_t i, changes = 0, off = 0;
	uint64_t last = 0;

	(void)state;
	base(&p, GEN_W_LLM, SENSOR_NVML, MS, 20 * S);
	p.batch = 8;
	gen(&p, &t, &m);
	assert_int_equal(m.kind, SENSOR_NVML);
	assert_int_equal(m.refresh_ns, 100 * MS);
	assert_int_equal(m.quantum_uw, 10000);
	assert_int_equal(m.averaging_ns, 25 * MS);
	assert_int_equal(t.info.rails, PL_RAIL_PIN);
	assert_int_equal(t.info.source, PLTR_SRC_CSV);
	assert_true(t.info.flags & PLTR_F_REALTIME);
	for (i = 0; i < t.n; i++) {
		assert_int_equal(t.s[i].pin_uw % 10000, 0);
		assert_int_equal(t.s[i].rails, PL_RAIL_PIN);
		if (i && t.s[i].ts_ns <= t.s[i - 1].ts_ns)
			fail_msg("timestamps not increasing at %zu", i);
		if (i && t.s[i].pin_uw != t.s[i - 1].pin_uw) {
			if (last) {
				/* between changes: a whole number of refreshes, give or take a poll */
				uint64_t gap = t.s[i].ts_ns - last, r = gap % (100 * MS);

				if (r > 1200000 && r < 100 * MS - 1200000)
					off++;
			}
			last = t.s[i].ts_ns;
			changes++;
		}
	}
	/* 20 s at 100 ms: ~200 refreshes, nearly all of them change the value under load */
	assert_in_range(changes, 150, 200);
	assert_int_equal(off, 0);
	trace__free(&t);

	/* 1 s boxcar (power.draw.average): smoother than the 25 ms one */
	{
		struct trace u;
		double s25, s1000;

		base(&p, GEN_W_LLM, SENSOR_NVML, 100 * MS, 60 * S);
		p.size = GEN_SIZE_70B;
		gen(&p, &t, NULL);
		p.averaging_ns = S;
		gen(&p, &u, &m);
		assert_int_equal(m.averaging_ns, S);
		s25 = sd_w(&t);
		s1000 = sd_w(&u);
		assert_true(s1000 < 0.9 * s25);
		trace__free(&t);
		trace__free(&u);
	}
}

static void test_adc_counts(void **state)
{
	struct gen_params p;
	struct sensor_model m;
	struct trace t;
	size_t i, distinct = 0;

	(void)state;
	base(&p, GEN_W_TRAINING, SENSOR_ADC, 425532, 10 * S); /* 2.35 kHz */
	gen(&p, &t, &m);
	assert_int_equal(m.kind, SENSOR_ADC);
	assert_int_equal(m.averaging_ns, 0);
	assert_int_equal(m.refresh_ns, 425532);
	/* full scale 1.25 x 700 W in 1024 counts */
	assert_int_equal(m.quantum_uw, (uint64_t)llround(875e6 / 1024));
	for (i = 0; i < t.n; i++) {
		assert_int_equal(t.s[i].pin_uw % (int64_t)m.quantum_uw, 0);
		assert_in_range(t.s[i].pin_uw / (int64_t)m.quantum_uw, 0, 1023);
		distinct += i && t.s[i].pin_uw != t.s[i - 1].pin_uw;
	}
	assert_true(distinct > t.n / 3); /* instantaneous and noisy: most readings differ */
	trace__free(&t);
}

static bool is_linear11(int64_t v, int64_t scale)
{
	for (int e = -16; e <= 15; e++) {
		double m0 = (double)v / (double)scale * ldexp(1, -e);

		for (int64_t m = (int64_t)floor(m0) - 1; m <= (int64_t)floor(m0) + 1; m++) {
			if (m < -1024 || m > 1023)
				continue;
			if (pl_linear11_decode((u16)((((u32)e & 0x1f) << 11) | ((u32)m & 0x7ff)), scale) == v)
				return true;
		}
	}
	return false;
}

static void test_pmbus_rails_are_linear_decodes(void **state)
{
	struct gen_params p;
	struct sensor_model m;
	struct trace t;
	size_t i;

	(void)state;
	base(&p, GEN_W_DIFFUSION, SENSOR_PMBUS, MS, 5 * S);
	p.gpus = 4;
	gen(&p, &t, &m);
	assert_int_equal(m.kind, SENSOR_PMBUS);
	assert_int_equal(t.info.rails, __PL_RAIL_ALL);
	assert_int_equal(t.info.source, PLTR_SRC_SYNTHETIC);
	assert_false(t.info.flags & PLTR_F_REALTIME);
	assert_true(m.quantum_uw >= 250000 && m.quantum_uw <= 4000000);
	for (i = 0; i < t.n; i++) {
		const struct pl_sample *s = &t.s[i];
		/* VOUT_MODE 0x17: LINEAR16 with exponent -9, the mantissa nearest the reading */
		int64_t vq = pl_linear16_decode((u16)llround((double)s->vout_uv * 512e-6), 0x17, PL_SCALE_MICRO);

		assert_int_equal(s->rails, __PL_RAIL_ALL);
		assert_true(is_linear11(s->pin_uw, PL_SCALE_MICRO));
		assert_true(is_linear11(s->pout_uw, PL_SCALE_MICRO));
		assert_true(is_linear11(s->vin_uv, PL_SCALE_MICRO));
		assert_true(is_linear11(s->iin_ua, PL_SCALE_MICRO));
		assert_true(is_linear11(s->iout_ua, PL_SCALE_MICRO));
		assert_true(is_linear11(s->temp_mc, PL_SCALE_MILLI));
		assert_int_equal(s->vout_uv, vq);
		assert_true(s->pin_uw > s->pout_uw); /* AC input: efficiency below 1 */
		assert_int_equal(s->pin_uw % (int64_t)m.quantum_uw, 0);
		/* P = V * I within the quantization */
		assert_true(fabs(sample_pvi_residual_w(s)) < 0.01 * (double)s->pout_uw * 1e-6 + 8);
	}
	trace__free(&t);
}

static size_t llm_cadence_ms(enum gen_size z, uint32_t batch, double *mean)
{
	struct gen_params p;
	struct trace t;
	size_t c;

	base(&p, GEN_W_LLM, SENSOR_PMBUS, MS, 30 * S);
	p.size = z;
	p.batch = batch;
	p.prompt = GEN_PROMPT_SHORT;
	p.seed = 7;
	gen(&p, &t, NULL);
	c = cadence(&t, 6, 120);
	if (mean)
		*mean = mean_w(&t);
	trace__free(&t);
	return c;
}

/* MODEL features: the token cadence grows with the model's size. */
static void test_llm_cadence_follows_size(void **state)
{
	size_t c7 = llm_cadence_ms(GEN_SIZE_7B, 4, NULL), c13 = llm_cadence_ms(GEN_SIZE_13B, 4, NULL),
	       c70 = llm_cadence_ms(GEN_SIZE_70B, 4, NULL);

	(void)state;
	print_message("decode cadence (ACF of pmbus at 1 kHz): 7b %zu ms, 13b %zu ms, 70b %zu ms\n", c7, c13, c70);
	assert_in_range(c7, 11, 19);
	assert_in_range(c13, 19, 28);
	assert_in_range(c70, 40, 60);
}

/* LOAD: batch raises the level, the cadence only weakly. */
static void test_batch_raises_load_not_cadence(void **state)
{
	double m1, m32;
	size_t c1 = llm_cadence_ms(GEN_SIZE_13B, 1, &m1), c32 = llm_cadence_ms(GEN_SIZE_13B, 32, &m32);

	(void)state;
	print_message("13b: batch 1 mean %.0f W cadence %zu ms; batch 32 mean %.0f W cadence %zu ms\n", m1, c1, m32,
		      c32);
	assert_true(m32 > m1 + 100);
	assert_true(c1 > 0 && c32 > 0);
	assert_true((double)c32 < 1.35 * (double)c1);
}

static void test_miner_flat_at_limit(void **state)
{
	struct gen_params p;
	struct trace t;
	double m, cv;

	(void)state;
	base(&p, GEN_W_MINER_COMPUTE, SENSOR_NVML, 100 * MS, 60 * S);
	gen(&p, &t, NULL);
	m = mean_w(&t);
	cv = sd_w(&t) / m;
	print_message("miner-compute nvml 10 Hz: mean %.1f W, CV %.2f %% (H100 capture: 697.5 W, 0.89 %%)\n", m,
		      100 * cv);
	assert_true(m > 680 && m < 710);
	assert_true(cv > 0.002 && cv < 0.02);
	trace__free(&t);

	base(&p, GEN_W_MINER_MEMORY, SENSOR_NVML, 100 * MS, 60 * S);
	p.gpu = GEN_GPU_A100;
	gen(&p, &t, NULL);
	m = mean_w(&t);
	assert_true(m > 50 + 0.5 * 350 && m < 50 + 0.7 * 350);
	assert_true(sd_w(&t) / m < 0.03);
	trace__free(&t);
}

static void test_interleave_fills_gaps(void **state)
{
	struct gen_params p;
	struct trace t;
	double q_none, q_int;

	(void)state;
	base(&p, GEN_W_LLM, SENSOR_NVML, 100 * MS, 60 * S);
	gen(&p, &t, NULL);
	q_none = min_w(&t, 0.05);
	trace__free(&t);
	p.adversary = GEN_ADV_INTERLEAVE;
	gen(&p, &t, NULL);
	q_int = min_w(&t, 0.05);
	print_message("llm 7b batch 1: 5th percentile %.0f W, with interleaved mining %.0f W (idle 70 W)\n", q_none,
		      q_int);
	assert_true(q_none < 70 + 20);
	assert_true(q_int > 70 + 150);
	trace__free(&t);
}

static void test_adversaries(void **state)
{
	struct gen_params p;
	struct trace t, u;
	double a, b;

	(void)state;
	/* powercap: llm 70b batch 8 prefill reaches ~0.96 of the limit; capped at idle + 65 % */
	base(&p, GEN_W_LLM, SENSOR_ADC, 100000, 20 * S);
	p.size = GEN_SIZE_70B;
	p.batch = 8;
	p.prompt = GEN_PROMPT_LONG;
	gen(&p, &t, NULL);
	p.adversary = GEN_ADV_POWERCAP;
	gen(&p, &u, NULL);
	a = max_w(&t);
	b = max_w(&u);
	print_message("powercap: max %.0f W -> %.0f W\n", a, b);
	assert_true(a > 600);
	assert_true(b < 70 + 0.65 * 630 + 25);
	trace__free(&t);
	trace__free(&u);

	/* spike over a memory miner: short peaks near the limit */
	base(&p, GEN_W_MINER_MEMORY, SENSOR_ADC, 100000, 10 * S);
	gen(&p, &t, NULL);
	p.adversary = GEN_ADV_SPIKE;
	gen(&p, &u, NULL);
	a = max_w(&t);
	b = max_w(&u);
	print_message("spike: max %.0f W -> %.0f W\n", a, b);
	assert_true(a < 0.75 * 700);
	assert_true(b > 0.9 * 700);
	trace__free(&t);
	trace__free(&u);

	/* onoff: the miner is off (idle) part of the time */
	base(&p, GEN_W_MINER_COMPUTE, SENSOR_NVML, 100 * MS, 60 * S);
	gen(&p, &t, NULL);
	p.adversary = GEN_ADV_ONOFF;
	gen(&p, &u, NULL);
	a = min_w(&t, 0.1);
	b = min_w(&u, 0.1);
	print_message("onoff: 10th percentile %.0f W -> %.0f W\n", a, b);
	assert_true(a > 600);
	assert_true(b < 150);
	trace__free(&t);
	trace__free(&u);

	/* smooth: a 0.5 s low-pass hides the token cadence */
	base(&p, GEN_W_LLM, SENSOR_PMBUS, MS, 20 * S);
	p.batch = 4;
	gen(&p, &t, NULL);
	p.adversary = GEN_ADV_SMOOTH;
	gen(&p, &u, NULL);
	a = acf(&t, 1) - acf(&t, 7);
	b = acf(&u, 1) - acf(&u, 7);
	print_message("smooth: ACF(1 ms) - ACF(7 ms) %.3f -> %.3f\n", a, b);
	assert_true(b < 0.25 * a);
	trace__free(&t);
	trace__free(&u);

	/* replay: the readings repeat with the loop's period (2-5 s) */
	base(&p, GEN_W_LLM, SENSOR_ADC, MS, 30 * S);
	p.batch = 4;
	p.adversary = GEN_ADV_REPLAY;
	gen(&p, &t, NULL);
	p.adversary = GEN_ADV_NONE;
	gen(&p, &u, NULL);
	a = 0;
	b = 0;
	{
		struct centred ct = centre(&t), cu = centre(&u);

		for (size_t l = 2000; l <= 5000; l++) {
			double x = acf_c(&ct, l), y = acf_c(&cu, l);

			a = x > a ? x : a;
			b = y > b ? y : b;
		}
		free(ct.x);
		free(cu.x);
	}
	print_message("replay: max ACF at 2-5 s %.2f (none: %.2f)\n", a, b);
	assert_true(a > 0.9);
	assert_true(b < 0.7);
	trace__free(&t);
	trace__free(&u);
}

static void test_rates_and_speed(void **state)
{
	struct gen_params p;
	struct trace t;
	struct timespec t0, t1;
	size_t i, runs = 0;
	double secs;

	(void)state;
	base(&p, GEN_W_LLM, SENSOR_NVML, 100 * MS, 60 * S); /* 10 Hz */
	gen(&p, &t, NULL);
	assert_int_equal(t.n, 600);
	trace__free(&t);
	base(&p, GEN_W_LLM, SENSOR_NVML, 100000, 10 * S); /* 10 kHz: each value ~1000 times */
	p.batch = 16;
	gen(&p, &t, NULL);
	for (i = 1; i < t.n; i++)
		runs += t.s[i].pin_uw != t.s[i - 1].pin_uw;
	assert_in_range(t.n / (runs + 1), 900, 1300);
	trace__free(&t);

	/* 60 s at 10 kHz for 8 GPUs through the PSU: well under a second on a quiet core */
	base(&p, GEN_W_LLM, SENSOR_PMBUS, 100000, 60 * S);
	p.gpus = 8;
	p.batch = 16;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	gen(&p, &t, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	print_message("pmbus, 8 GPUs, 60 s at 10 kHz: %.3f s\n", secs);
	assert_true(secs < 3); /* generous: the host's cores are shared */
	trace__free(&t);
}

static void test_bad_params(void **state)
{
	static const char *const words[] = { "batch",	  "gpus",    "period", "duration",  "workload", "sensor",
					     "averaging", "refresh", "size",   "adversary", "gpu",	"prompt" };
	struct gen_params p;
	struct sensor_model m;
	struct plerr e;
	struct trace t;
	enum gen_workload w;
	enum gen_adversary a;
	enum sensor_kind k;
	enum gen_gpu g;

	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		gen_params_default(&p);
		switch (i) {
		case 0: p.batch = 65; break;
		case 1: p.gpus = 9; break;
		case 2: p.period_ns = 0; break;
		case 3: p.duration_ns = p.period_ns - 1; break;
		case 4: p.workload = __GEN_W_MAX; break;
		case 5: p.sensor = SENSOR_UNKNOWN; break;
		case 6: p.sensor = SENSOR_ADC, p.averaging_ns = MS; break;
		case 7: p.refresh_ns = 7200 * S; break;
		case 8: p.size = __GEN_SIZE_MAX; break;
		case 9: p.adversary = __GEN_ADV_MAX; break;
		case 10: p.gpu = __GEN_GPU_MAX; break;
		default: p.prompt = __GEN_PROMPT_MAX; break;
		}
		memset(&e, 0, sizeof(e));
		assert_int_equal(gen_trace(&p, &t, NULL, &e), -EINVAL);
		assert_int_equal(t.n, 0);
		if (!strstr(e.msg, words[i]))
			fail_msg("case %zu: '%s' does not name %s", i, e.msg, words[i]);
		assert_int_equal(gen_sensor(&p, &m, &e), -EINVAL);
	}
	/* names round-trip; unknown ones are refused */
	assert_int_equal(gen_workload_parse("miner-memory", &w), 0);
	assert_int_equal(w, GEN_W_MINER_MEMORY);
	assert_string_equal(gen_workload_name(w), "miner-memory");
	assert_int_equal(gen_workload_parse("mining", &w), -EINVAL);
	assert_int_equal(gen_adversary_parse("interleave", &a), 0);
	assert_string_equal(gen_adversary_name(a), "interleave");
	assert_int_equal(gen_sensor_parse("pmbus", &k), 0);
	assert_int_equal(k, SENSOR_PMBUS);
	assert_int_equal(gen_sensor_parse("unknown", &k), -EINVAL);
	assert_int_equal(gen_gpu_parse("rtx4090", &g), 0);
	assert_int_equal(gen_gpu_parse("H100", &g), -EINVAL);
	assert_string_equal(gen_gpu_name(__GEN_GPU_MAX), "?");
}

/* Every workload and adversary runs on every sensor, 10 Hz to 10 kHz, with increasing timestamps. */
static void test_every_combination_runs(void **state)
{
	static const enum sensor_kind kinds[] = { SENSOR_PMBUS, SENSOR_NVML, SENSOR_ADC };
	static const uint64_t periods[] = { 100 * MS, 100000 };
	struct gen_params p;
	struct trace t;

	(void)state;
	for (int w = 0; w < __GEN_W_MAX; w++) {
		for (int a = 0; a < __GEN_ADV_MAX; a++) {
			for (size_t k = 0; k < 3; k++) {
				base(&p, (enum gen_workload)w, kinds[k], periods[(w + a + (int)k) % 2], 3 * S);
				p.adversary = (enum gen_adversary)a;
				p.gpus = 2;
				p.gpu = (enum gen_gpu)((w + a) % __GEN_GPU_MAX);
				gen(&p, &t, NULL);
				for (size_t i = 1; i < t.n; i++)
					assert_true(t.s[i].ts_ns > t.s[i - 1].ts_ns);
				assert_true(pw(&t.s[t.n - 1]) > 0);
				trace__free(&t);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic_bytes),
		cmocka_unit_test(test_nvml_refresh_and_quantum),
		cmocka_unit_test(test_adc_counts),
		cmocka_unit_test(test_pmbus_rails_are_linear_decodes),
		cmocka_unit_test(test_llm_cadence_follows_size),
		cmocka_unit_test(test_batch_raises_load_not_cadence),
		cmocka_unit_test(test_miner_flat_at_limit),
		cmocka_unit_test(test_interleave_fills_gaps),
		cmocka_unit_test(test_adversaries),
		cmocka_unit_test(test_rates_and_speed),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_every_combination_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
