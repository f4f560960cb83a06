// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CPU figures of the agent for scripts/bench-agent (not a test: it asserts
 * nothing).  Prints key=value lines:
 *
 *   per 1 s window at 1 kHz of a synthetic GPT-4-class trace: the features
 *   (features_ctx__window), and the features plus every detector as a
 *   streaming daemon would run them on each new window -- model-mismatch
 *   and crypto-miner-hidden over the last 5 windows (min_windows 1 so they
 *   never bail out early), rail-tamper over the window's raw samples;
 *   median and p99 over rounds x windows, and the p99 over windows of
 *   each window's median over the rounds (the code's own tail: host
 *   stalls hit some rounds of a window, not most);
 *   Ed25519 signs and verifies per second (1 KiB messages, keys.c), and
 *   whole Proof envelopes signed (statement_sign) and opened
 *   (statement_open) per second.
 *
 *   bench_agent TRACE_OUT [ROUNDS]   (writes the trace it measured, for
 *                                     features.py)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "capture/synth.h"
#include "evidence/proof.h"
#include "evidence/statement.h"
#include "evidence/workload.h"
#include "science/baseline.h"
#include "science/ctxjoin.h"
#include "science/detect.h"
#include "science/features.h"

#define SEC 1000000000ULL

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void stats(const char *name, uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%s.median_ns=%llu\n", name, (unsigned long long)v[n / 2]);
	printf("%s.p99_ns=%llu\n", name, (unsigned long long)v[n * 99 / 100]);
	printf("%s.n=%zu\n", name, n);
}

/*
 * The tail the code has, not the host's: the median of each window's
 * ROUNDS timings (a host stall -- a tick, another guest -- lands in some
 * rounds, never in most), then the p99 over windows of those.  v is
 * round-major (k = round * nw + window); tmp holds rounds values.
 */
static void window_stats(const char *name, const uint64_t *v, size_t nw, int rounds, uint64_t *tmp, uint64_t *med)
{
	for (size_t i = 0; i < nw; i++) {
		for (int r = 0; r < rounds; r++)
			tmp[r] = v[(size_t)r * nw + i];
		qsort(tmp, (size_t)rounds, sizeof(*tmp), cmp_u64);
		med[i] = tmp[rounds / 2];
	}
	qsort(med, nw, sizeof(*med), cmp_u64);
	printf("%s.win_p99_ns=%llu\n", name, (unsigned long long)med[nw * 99 / 100]);
	printf("%s.win_max_ns=%llu\n", name, (unsigned long long)med[nw - 1]);
}

static void die(const char *what, const struct plerr *e)
{
	fprintf(stderr, "bench_agent: %s: %s\n", what, e ? e->msg : strerror(errno));
	exit(2);
}

/* A baseline from three 30 s commissioning traces, as the demo registers it. */
static void make_baseline(struct baseline *b)
{
	struct window_features *all = NULL, *w;
	struct sensor_model sensor = { 0 };
	struct feat_params p;
	struct plerr e;
	size_t nall = 0, n;

	for (int i = 0; i < 3; i++) {
		struct synth_params sp = { .workload = SYNTH_GPT4, .seed = 1001 + i, .duration_ns = 30 * SEC };
		struct trace t;

		if (synth_trace(&sp, &t, &e))
			die("synth", &e);
		sensor = t.info.sensor;
		feat_params_for(trace_series(&t, &(struct series){ 0 }), 1000000000ULL, &p);
		if (features_windows(trace_series(&t, &(struct series){ 0 }), &p, 0, UINT64_MAX, &w, &n))
			die("features", NULL);
		all = realloc(all, (nall + n) * sizeof(*all));
		memcpy(all + nall, w, n * sizeof(*w));
		nall += n;
		free(w);
		trace__free(&t);
	}
	if (baseline_build(all, nall, "gpt4-class", "", p.window_ns, &sensor, b, &e))
		die("baseline", &e);
	free(all);
}

int main(int argc, char **argv)
{
	struct synth_params sp = { .workload = SYNTH_GPT4, .seed = 2001, .t0_ns = 2000 * SEC, .duration_ns = 60 * SEC };
	struct claim c = { .model = "gpt4-class", .workload = "inference", .tokens_per_s = 2400, .end_ns = UINT64_MAX };
	int rounds = argc > 2 ? atoi(argv[2]) : 20;
	struct window_features *w;
	struct features_ctx *fc;
	struct detect_params dp;
	struct feat_params fp;
	struct baseline b;
	struct trace t;
	struct plerr e;
	uint64_t *tf, *ta, *tm, *tn, *tr, t0, t1, t2, t3, dt;
	size_t nw = 0, starts[128], ends[128], i, k = 0;

	if (argc < 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: bench_agent TRACE_OUT [ROUNDS]\n");
		return 2;
	}
	make_baseline(&b);
	if (synth_trace(&sp, &t, &e) || trace_save(argv[1], &t, AFILE_REPLACE, &e))
		die("trace", &e);
	detect_params_default(&dp);
	dp.min_windows = 1;
	feat_params_for(trace_series(&t, &(struct series){ 0 }), 1000000000ULL, &fp);
	fp.min_samples = 500;
	/* The 1 s windows of the trace, as features_windows() cuts them. */
	for (i = 0; i < t.n && nw < 128;) {
		uint64_t end = t.s[i].ts_ns - (t.s[i].ts_ns - t.s[0].ts_ns) % SEC + SEC;

		starts[nw] = i;
		while (i < t.n && t.s[i].ts_ns < end)
			i++;
		ends[nw++] = i;
	}
	w = calloc(nw, sizeof(*w));
	tf = calloc(nw * (size_t)rounds, sizeof(*tf));
	ta = calloc(nw * (size_t)rounds, sizeof(*ta));
	tm = calloc(nw * (size_t)rounds, sizeof(*tm));
	tn = calloc(nw * (size_t)rounds, sizeof(*tn));
	tr = calloc(nw * (size_t)rounds, sizeof(*tr));
	fc = features_ctx__new();
	if (!w || !tf || !ta || !tm || !tn || !tr || !fc)
		die("out of memory", NULL);
	for (int r = 0; r < rounds; r++) {
		for (i = 0; i < nw; i++, k++) {
			struct finding f;
			size_t from = i >= 4 ? i - 4 : 0;

			t0 = now_ns();
			if (features_ctx__window(fc, &t.s[starts[i]], ends[i] - starts[i], t.info.period_ns, &fp,
						 &w[i]))
				die("window", NULL);
			w[i].start_ns = t.s[starts[i]].ts_ns;
			w[i].end_ns = w[i].start_ns + SEC;
			t1 = now_ns();
			detect_model_mismatch(&w[from], i - from + 1, &b, &dp, &f);
			finding__free(&f);
			t2 = now_ns();
			detect_miner(&w[from], i - from + 1, &b, &c, &dp, &f);
			finding__free(&f);
			t3 = now_ns();
			{
				/* The window's samples only, as a streaming daemon holds them. */
				struct trace view = t;

				view.s = &t.s[starts[i]];
				view.n = ends[i] - starts[i];
				detect_rail_tamper(trace_series(&view, &(struct series){ 0 }), view.s[0].ts_ns, view.s[view.n - 1].ts_ns, &dp, &f);
			}
			finding__free(&f);
			ta[k] = now_ns() - t0;
			tf[k] = t1 - t0;
			tm[k] = t2 - t1;
			tn[k] = t3 - t2;
			tr[k] = t0 + ta[k] - t3;
		}
	}
	printf("windows=%zu\nsamples_per_window=%zu\n", nw, ends[0] - starts[0]);
	/* The autocorrelation peak search alone (lags 2 .. n/2), as the features do it: FFT, ties by direct sums. */
	{
		double *x = calloc(t.n, sizeof(*x)), r;
		uint64_t *tacf = calloc(nw * (size_t)rounds, sizeof(*tacf));
		size_t m;
		int64_t uw;

		if (!x || !tacf)
			die("out of memory", NULL);
		for (k = 0; k < nw * (size_t)rounds; k++) {
			i = k % nw;
			m = ends[i] - starts[i];
			for (size_t j = 0; j < m; j++)
				x[j] = sample_power_uw(&t.s[starts[i] + j], &uw) ? (double)uw / 1e6 : 0;
			t0 = now_ns();
			features_ctx__dominant_lag(fc, x, m, 2, m / 2, fp.acf_min, &r);
			tacf[k] = now_ns() - t0;
		}
		stats("acf", tacf, k);
		free(tacf);
		free(x);
		k = nw * (size_t)rounds;
	}
	{
		uint64_t *tmp = calloc((size_t)rounds, sizeof(*tmp)), *med = calloc(nw, sizeof(*med));

		if (!tmp || !med)
			die("out of memory", NULL);
		window_stats("features", tf, nw, rounds, tmp, med);
		window_stats("all", ta, nw, rounds, tmp, med);
		free(tmp);
		free(med);
	}
	stats("features", tf, k);
	stats("all", ta, k);
	stats("model_mismatch", tm, k);
	stats("miner", tn, k);
	stats("rail_tamper", tr, k);

	/* Ed25519: raw signatures over 1 KiB, then whole envelopes. */
	{
		struct pl_seckey key = { 0 };
		uint8_t msg[1024], sig[ED25519_SIG_LEN];
		struct finding f = { .det = DET_MINER, .start_ns = 1, .end_ns = 2 };
		struct proof_refs refs = { "t.pltr", "", "c.dsse.json", "", "b.dsse.json", "" };
		char hex[SHA256_HEX_LEN];
		struct buf env = { 0 };
		json_t *stmt;
		uint64_t nsig = 0, nver = 0, nenv = 0, nopen = 0;

		if (seckey__generate(&key, &e))
			die("keygen", &e);
		randombytes_buf(msg, sizeof(msg));
		for (t0 = now_ns(); (dt = now_ns() - t0) < SEC; nsig++)
			seckey__sign(&key, msg, sizeof(msg), sig);
		printf("sign_per_s=%llu\n", (unsigned long long)(nsig * SEC / dt));
		for (t0 = now_ns(); (dt = now_ns() - t0) < SEC; nver++)
			if (!pubkey__verify(&key.pub, msg, sizeof(msg), sig))
				die("verify failed", NULL);
		printf("verify_per_s=%llu\n", (unsigned long long)(nver * SEC / dt));
		sha256_hex("x", 1, hex);
		refs.trace_digest = refs.claim_digest = refs.baseline_digest = hex;
		f.evidence = json_pack("{s:I,s:I}", "windows", (json_int_t)5, "windows_flagged", (json_int_t)5);
		stmt = proof_statement(&f, &refs);
		for (t0 = now_ns(); (dt = now_ns() - t0) < SEC; nenv++) {
			env.len = 0;
			if (statement_sign(stmt, &key, &env, &e))
				die("statement_sign", &e);
		}
		printf("envelope_sign_per_s=%llu\nenvelope_bytes=%zu\n", (unsigned long long)(nenv * SEC / dt),
		       env.len);
		key.pub.role = PL_ROLE_OPERATOR;
		for (t0 = now_ns(); (dt = now_ns() - t0) < SEC; nopen++) {
			struct signed_statement ss;

			if (statement_open(env.p, env.len, &key.pub, 1, &ss, &e))
				die("statement_open", &e);
			signed_statement__free(&ss);
		}
		printf("envelope_open_per_s=%llu\n", (unsigned long long)(nopen * SEC / dt));
		json_decref(stmt);
		finding__free(&f);
		buf_free(&env);
		seckey__free(&key);
	}
	/*
	 * GPU-context join: two processes taking turns at 10000 context
	 * switches per second (a push and a pop each, and a launch between)
	 * over the trace's span, through ctxjoin; then the attribution of
	 * every sample's energy to the intervals it made.
	 */
	{
		uint64_t span = t.s[t.n - 1].ts_ns - t.s[0].ts_ns, nsw = span / 100000, ne = nsw * 3, q;
		struct pl_gpuctx_event *ev = calloc(ne, sizeof(*ev));
		struct ctx_interval *iv;
		struct ctx_energy *g;
		struct ctxjoin *j;
		double un, total;
		size_t niv, ng;

		if (!ev)
			die("out of memory", NULL);
		for (q = 0; q < nsw; q++) {
			uint32_t who = 100 + (uint32_t)(q & 1);
			uint64_t ts = t.s[0].ts_ns + q * 100000;
			static const uint16_t kinds[3] = { PL_GC_PUSH, PL_GC_LAUNCH, PL_GC_POP };

			for (int k3 = 0; k3 < 3; k3++) {
				struct pl_gpuctx_event *x = &ev[q * 3 + (uint64_t)k3];

				x->ts_ns = ts + (uint64_t)k3 * 40000;
				x->kind = kinds[k3];
				x->source = PL_GCS_CUDA;
				x->tgid = x->pid = who;
				x->ctx = 0x7f0000001000ULL + who;
				x->gpu = PL_GPU_UNKNOWN;
			}
		}
		j = ctxjoin__new(t.s[0].ts_ns);
		t0 = now_ns();
		for (q = 0; q < ne; q++)
			if (ctxjoin__push(j, &ev[q]))
				die("ctxjoin", NULL);
		if (ctxjoin__intervals(j, t.s[t.n - 1].ts_ns + 1, &iv, &niv))
			die("ctxjoin", NULL);
		t1 = now_ns();
		if (ctx_attribute(trace_series(&t, &(struct series){ 0 }), 0, t.n, iv, niv, &g, &ng, &un, &total))
			die("ctx_attribute", NULL);
		t2 = now_ns();
		printf("ctx.events=%llu\nctx.intervals=%zu\nctx.push_ns_per_event=%.1f\nctx.attr_ns_per_sample=%.1f\n",
		       (unsigned long long)ne, niv, (double)(t1 - t0) / (double)ne, (double)(t2 - t1) / (double)t.n);
		free(g);
		free(iv);
		ctxjoin__free(j);
		free(ev);
	}
	features_ctx__free(fc);
	free(w);
	free(tf);
	free(ta);
	free(tm);
	free(tn);
	free(tr);
	trace__free(&t);
	return 0;
}
