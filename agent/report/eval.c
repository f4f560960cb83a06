// SPDX-License-Identifier: GPL-2.0 OR MIT
/* eval: the detectors against a labelled corpus, in memory (see eval.h). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "capture/csv.h"
#include "capture/gen.h"
#include "capture/trace.h"
#include "report/eval.h"
#include "report/plot.h"
#include "report/svg.h"
#include "science/baseline.h"
#include "science/claim.h"
#include "science/features.h"
#include "science/sensor.h"

#define NSIZES	       __GEN_SIZE_MAX
#define EVAL_CSV_MAX   (256u << 20)
#define EVAL_MAX_FILES 256

struct setting_def {
	const char *name;
	enum sensor_kind kind;
	uint64_t period_ns;
	bool quick;    /* part of --quick */
	bool llm_only; /* the sample-rate and window sweeps: llm traces only */
	uint64_t window_ns; /* requested window (feat_window_ns() may lengthen it); 0: 1 s */
};

static const struct setting_def settings[] = {
	{ "pmbus-1kHz", SENSOR_PMBUS, 1000000, true, false, 0 },
	{ "nvml-10Hz", SENSOR_NVML, 100000000, true, false, 0 },
	{ "adc-2.35kHz", SENSOR_ADC, 425532, false, false, 0 },
	{ "pmbus-10Hz", SENSOR_PMBUS, 100000000, false, true, 0 },
	{ "pmbus-100Hz", SENSOR_PMBUS, 10000000, false, true, 0 },
	{ "pmbus-10kHz", SENSOR_PMBUS, 100000, false, true, 0 },
	/* the window-length sweep at 1 kHz */
	{ "pmbus-1kHz-w500ms", SENSOR_PMBUS, 1000000, false, true, 500000000 },
	{ "pmbus-1kHz-w2s", SENSOR_PMBUS, 1000000, false, true, 2000000000 },
};

/* Tuning mixes: batch 4 short, batch 8 mixed, batch 16 long prompts. */
static const struct {
	uint32_t batch;
	enum gen_prompt prompt;
} tune_mix[EVAL_TUNE_TRACES] = { { 4, GEN_PROMPT_SHORT }, { 8, GEN_PROMPT_MIXED }, { 16, GEN_PROMPT_LONG } };

/* Held-out loads of the same model: none of them a tuning mix. */
static const struct {
	uint32_t batch;
	enum gen_prompt prompt;
} check_load[] = { { 1, GEN_PROMPT_MIXED }, { 32, GEN_PROMPT_MIXED }, { 8, GEN_PROMPT_LONG }, { 2, GEN_PROMPT_SHORT } };
#define NLOADS (sizeof(check_load) / sizeof(check_load[0]))

/* What a held-out trace is, and so what each detector should say. */
enum tkind {
	TK_LLM,	      /* llm of some size: same size negative, other sizes model-mismatch positive */
	TK_MINER,     /* crypto-miner-hidden positive */
	TK_NONMINING, /* crypto-miner-hidden negative */
	TK_ADV_MINER, /* adversary over a miner: detected by miner or model-mismatch */
	TK_ADV_LLM,   /* adversary over the claimed model: checked against its own size only */
};

enum label { L_NONE, L_POS, L_NEG };

struct model_base {
	bool ok;
	struct baseline b;
};

struct checked {
	struct trace t;
	struct sensor_model sensor;
	struct window_features *w;
	size_t n;
	uint64_t from_ns, to_ns;
};

struct verdict {
	int r[__DET_MAX]; /* 1 fired, 0 did not, -ENODATA undecided */
	int sig;	  /* the detector whose proof check signs, -1: none */
	double score;	  /* -ln of the smallest group p; NAN: no group */
	double ttp_ms;	  /* model-mismatch time to proof; NAN: none */
	uint64_t mm_start_ns, mm_end_ns, miner_start_ns, miner_end_ns;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void checked__free(struct checked *c)
{
	free(c->w);
	trace__free(&c->t);
	memset(c, 0, sizeof(*c));
}

/* Features over the whole trace with window_ns, as check cuts them (window from the baseline). */
static int checked_windows(struct checked *c, uint64_t window_ns, struct plerr *e)
{
	struct feat_params fp;
	struct series v;
	int ret;

	c->from_ns = c->t.n ? c->t.s[0].ts_ns : 0;
	c->to_ns = c->t.n ? c->t.s[c->t.n - 1].ts_ns + 1 : 0;
	feat_params_for(trace_series(&c->t, &v), window_ns, &fp);
	ret = features_windows(trace_series(&c->t, &v), &fp, c->from_ns, c->to_ns, &c->w, &c->n);
	if (ret)
		return plerr_set(e, ret, "cannot compute features: %s", strerror(-ret));
	return 0;
}

static int gen_checked(const struct gen_params *p, struct checked *c, uint64_t window_ns, struct plerr *e)
{
	int ret;

	memset(c, 0, sizeof(*c));
	ret = gen_trace(p, &c->t, &c->sensor, e);
	if (ret)
		return ret;
	/* gen_trace() puts the sensor it reports into the trace too; take the trace's, as check does. */
	c->sensor = c->t.info.sensor;
	ret = checked_windows(c, window_ns, e);
	if (ret)
		checked__free(c);
	return ret;
}

static void llm_params(struct gen_params *p, const struct setting_def *s, enum gen_size z, uint32_t batch,
		       enum gen_prompt pr, uint64_t dur, uint64_t seed)
{
	gen_params_default(p);
	p->workload = GEN_W_LLM;
	p->size = z;
	p->batch = batch;
	p->prompt = pr;
	p->sensor = s->kind;
	p->period_ns = s->period_ns;
	p->duration_ns = dur;
	p->seed = seed;
}

/*
 * Baseline of windows w[0..n) (several traces' windows in time order).
 * A refusal (too few active windows, ...) is a result: mb->ok false, why
 * in err.  Only -ENOMEM is returned.
 */
static int build_base(const struct window_features *w, size_t n, const char *model, const char *fp, uint64_t window_ns,
		      const struct sensor_model *sensor, struct model_base *mb, char *err, size_t nerr)
{
	struct plerr e = { "" };
	int ret;

	ret = baseline_build(w, n, model, fp, window_ns, sensor, &mb->b, &e);
	mb->ok = !ret;
	if (ret == -ENOMEM)
		return ret;
	if (ret && err && !err[0])
		strfmt(err, nerr, "%s: %s", model, e.msg);
	return 0;
}

/* -ln of the smallest group p-value of the active windows against b: the ROC's score. */
static double mm_score(const struct window_features *w, size_t n, const struct baseline *b)
{
	const struct window_features *grp[MM_GROUP];
	double best = NAN, d, lp;
	size_t k, m = 0;

	for (size_t i = 0; i < n; i++) {
		if (!feat_window_active(&w[i]))
			continue;
		grp[m++] = &w[i];
		if (m < MM_GROUP)
			continue;
		m = 0;
		if (mm_group_stat(grp, MM_GROUP, b, &d, &k, NULL, NULL))
			continue;
		lp = mm_log_p(&b->null, d);
		if (!isfinite(lp))
			lp = -745;
		if (isnan(best) || -lp > best)
			best = -lp;
	}
	return best;
}

/*
 * The check of c against mb under an inference claim of mb's model: every
 * detector, then which one check signs.  Undecided everywhere when the
 * baseline is missing or its sensor is not comparable.  0 or -errno.
 */
static int run_check(const struct checked *c, const struct model_base *mb, const char *workload,
		     const struct detect_params *dp, struct verdict *v)
{
	struct claim cl = { 0 };
	struct finding f[__DET_MAX];
	bool sign[__DET_MAX], weaker;
	enum detector failed;
	struct series sv;
	int d, r;

	memset(v, 0, sizeof(*v));
	v->sig = -1;
	v->score = NAN;
	v->ttp_ms = NAN;
	if (!mb->ok) {
		for (d = 0; d < __DET_MAX; d++)
			v->r[d] = -ENODATA;
		return 0;
	}
	snprintf(cl.model, sizeof(cl.model), "%s", mb->b.model);
	memcpy(cl.fingerprint, c->t.info.fingerprint, sizeof(cl.fingerprint));
	snprintf(cl.workload, sizeof(cl.workload), "%s", workload);
	cl.start_ns = c->from_ns;
	cl.end_ns = c->to_ns;
	/* The wiring check uses: the same gates, the same choice of what is signed. */
	r = detect_all(trace_series(&c->t, &sv), c->w, c->n, &mb->b, &cl, dp, false, v->r, f, sign, &weaker, &failed);
	if (!r && v->r[DET_MODEL_MISMATCH] == 1) {
		json_t *t = json_object_get(f[DET_MODEL_MISMATCH].evidence, "time_to_proof_ms");

		v->ttp_ms = json_is_integer(t) ? (double)json_integer_value(t) : NAN;
		v->mm_start_ns = f[DET_MODEL_MISMATCH].start_ns;
		v->mm_end_ns = f[DET_MODEL_MISMATCH].end_ns;
	}
	if (!r && v->r[DET_MINER] == 1) {
		v->miner_start_ns = f[DET_MINER].start_ns;
		v->miner_end_ns = f[DET_MINER].end_ns;
	}
	for (d = 0; d < __DET_MAX; d++) {
		finding__free(&f[d]);
		if (sign[d])
			v->sig = d;
	}
	if (r)
		return r;
	v->score = mm_score(c->w, c->n, &mb->b);
	return 0;
}

static FILE *verbose; /* per-check lines (--verbose); eval is one-shot, single-threaded */

static const char *verdict_name(int r)
{
	return r == 1 ? "PROOF" : r == 0 ? "no" : "undecided";
}

static void score_cell(uint32_t cm[__EV_MAX], enum label l, int r)
{
	if (l == L_NONE)
		return;
	if (r == -ENODATA)
		cm[EV_UND]++;
	else if (l == L_POS)
		cm[r == 1 ? EV_TP : EV_FN]++;
	else
		cm[r == 1 ? EV_FP : EV_TN]++;
}

static int push_d(double **a, size_t *n, double x)
{
	double *t = realloc(*a, (*n + 1) * sizeof(**a));

	if (!t)
		return -ENOMEM;
	t[(*n)++] = x;
	*a = t;
	return 0;
}

static struct eval_adv *adv_slot(struct eval_result *r, const char *name)
{
	for (size_t i = 0; i < r->nadv; i++)
		if (!strcmp(r->adv[i].name, name))
			return &r->adv[i];
	if (r->nadv == EVAL_MAX_ADV)
		return NULL;
	snprintf(r->adv[r->nadv].name, sizeof(r->adv[r->nadv].name), "%s", name);
	return &r->adv[r->nadv++];
}

static void note(struct eval_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct eval_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nnotes == EVAL_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nnotes++], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
}

/* One held-out trace against the baselines it is checked against; tallies into r and s. */
static int tally(struct eval_result *r, struct eval_setting *s, const struct setting_def *sd, enum tkind k,
		 enum gen_size size, const char *advname, const struct gen_params *gp, const struct checked *c,
		 const struct model_base mb[NSIZES], const struct detect_params *dp)
{
	bool accepted_own = false, rejected_all_others = true;
	struct verdict v;
	int ret;

	for (int m = 0; m < NSIZES; m++) {
		enum label l[__DET_MAX] = { L_NEG, L_NEG, L_NEG };
		bool same = (enum gen_size)m == size;

		if (k == TK_ADV_LLM && !same)
			continue;
		ret = run_check(c, &mb[m], "inference", dp, &v);
		if (ret)
			return ret;
		r->checks++;
		if (verbose)
			fprintf(verbose,
				"eval: check %s %s %s batch %u %s seed %llu vs %s: rail-tamper %s miner %s "
				"model-mismatch %s score %.2f%s\n",
				sd->name, gen_workload_name(gp->workload),
				gp->workload == GEN_W_LLM ? gen_size_name(gp->size) : "-", gp->batch,
				gen_adversary_name(gp->adversary), (unsigned long long)gp->seed, mb[m].b.model,
				verdict_name(v.r[DET_RAIL_TAMPER]), verdict_name(v.r[DET_MINER]),
				verdict_name(v.r[DET_MODEL_MISMATCH]), v.score, v.sig >= 0 ? " SIGNED" : "");
		switch (k) {
		case TK_LLM: l[DET_MODEL_MISMATCH] = same ? L_NEG : L_POS; break;
		case TK_MINER:
			l[DET_MODEL_MISMATCH] = L_NONE;
			l[DET_MINER] = L_POS;
			break;
		case TK_NONMINING: l[DET_MODEL_MISMATCH] = L_NONE; break;
		case TK_ADV_MINER:
		case TK_ADV_LLM:
			l[DET_MODEL_MISMATCH] = L_NONE;
			l[DET_MINER] = L_NONE;
			if (gp->adversary == GEN_ADV_REPLAY)
				l[DET_RAIL_TAMPER] = L_POS; /* replayed readings: tampered telemetry */
			break;
		}
		for (int d = 0; d < __DET_MAX; d++) {
			score_cell(r->cm[d], l[d], v.r[d]);
			score_cell(s->cm[d], l[d], v.r[d]);
		}
		if (k == TK_LLM) {
			bool fired = v.r[DET_MODEL_MISMATCH] == 1, decided = v.r[DET_MODEL_MISMATCH] != -ENODATA;

			if (same && v.sig >= 0) {
				r->false_accusations++;
				if (r->nfa < EVAL_MAX_NOTES)
					strfmt(r->fa[r->nfa++], sizeof(r->fa[0]), "%s llm %s batch %u %s seed %llu: %s",
					       sd->name, gen_size_name(size), gp->batch, gen_prompt_name(gp->prompt),
					       (unsigned long long)gp->seed, detector_name((enum detector)v.sig));
			}
			if (same)
				accepted_own = decided && !fired;
			else if (!(decided && fired))
				rejected_all_others = false;
			s->pair_total++;
			s->pair_right += decided && fired == !same;
			if (same && (ret = push_d(&s->neg, &s->nneg, isnan(v.score) ? -1 : v.score)))
				return ret;
			if (!same && (ret = push_d(&s->pos, &s->npos, isnan(v.score) ? -1 : v.score)))
				return ret;
			if (!same && fired && !isnan(v.ttp_ms) && (ret = push_d(&r->ttp_ms, &r->nttp, v.ttp_ms)))
				return ret;
			if (!same && fired && !r->example_is_mm && sd->kind == SENSOR_PMBUS && !sd->llm_only) {
				r->example_is_mm = true;
				r->have_example = true;
				r->example = *gp;
				r->example_start_ns = v.mm_start_ns;
				r->example_end_ns = v.mm_end_ns;
				snprintf(r->example_det, sizeof(r->example_det), "model-mismatch");
				strfmt(r->example_what, sizeof(r->example_what),
				       "llm %s (batch %u) under a claim of %s, %s, seed %llu", gen_size_name(size),
				       gp->batch, mb[m].b.model, sd->name, (unsigned long long)gp->seed);
			}
		} else if (k == TK_MINER && v.r[DET_MINER] == 1 && !r->have_example && sd->kind == SENSOR_PMBUS) {
			/* A miner's proof is drawn only until a model-mismatch one fires. */
			r->have_example = true;
			r->example = *gp;
			r->example_start_ns = v.miner_start_ns;
			r->example_end_ns = v.miner_end_ns;
			snprintf(r->example_det, sizeof(r->example_det), "crypto-miner-hidden");
			strfmt(r->example_what, sizeof(r->example_what), "%s under a claim of %s, %s, seed %llu",
			       gen_workload_name(gp->workload), mb[m].b.model, sd->name, (unsigned long long)gp->seed);
		}
		if (k == TK_NONMINING) {
			r->nonmining_n++;
			r->nonmining_miner += v.r[DET_MINER] == 1;
			r->nonmining_mm += v.r[DET_MODEL_MISMATCH] == 1;
		} else if (k != TK_LLM) {
			struct eval_adv *a = adv_slot(r, advname);

			if (!a)
				continue;
			a->n++;
			if (v.r[DET_MINER] == -ENODATA && v.r[DET_MODEL_MISMATCH] == -ENODATA)
				a->und++;
			if (v.r[DET_MINER] == 1 || v.r[DET_MODEL_MISMATCH] == 1 || v.r[DET_RAIL_TAMPER] == 1)
				a->detected++;
			for (int d = 0; d < __DET_MAX; d++)
				a->fired[d] += v.r[d] == 1;
		}
	}
	if (k == TK_LLM) {
		s->size_total++;
		s->size_right += accepted_own && rejected_all_others;
	}
	return 0;
}

static int run_setting(struct eval_result *r, const struct setting_def *sd, uint32_t seeds, uint64_t dur,
		       const struct detect_params *dp, struct plerr *e)
{
	struct eval_setting *s = &r->set[r->nset++];
	struct model_base mb[NSIZES] = { 0 };
	struct sensor_model sensor;
	struct gen_params p;
	struct checked c;
	uint64_t window_ns;
	int ret;

	snprintf(s->name, sizeof(s->name), "%s", sd->name);
	llm_params(&p, sd, GEN_SIZE_7B, 1, GEN_PROMPT_MIXED, dur, EVAL_TUNE_SEED0);
	ret = gen_sensor(&p, &sensor, e);
	if (ret)
		return ret;
	{
		struct feat_params fp;

		feat_params_default(&fp);
		window_ns = feat_window_ns(&sensor, p.period_ns, sd->window_ns ? sd->window_ns : fp.window_ns);
	}
	s->window_ns = window_ns;
	for (int m = 0; m < NSIZES; m++) {
		struct window_features *all = NULL, *tmp;
		struct sensor_model bs = { 0 };
		char model[64], fpr[SHA256_HEX_LEN] = "";
		size_t nall = 0;

		for (int i = 0; i < EVAL_TUNE_TRACES; i++) {
			llm_params(&p, sd, (enum gen_size)m, tune_mix[i].batch, tune_mix[i].prompt, r->tune_ns,
				   EVAL_TUNE_SEED0 + (uint64_t)i);
			ret = gen_checked(&p, &c, window_ns, e);
			if (ret) {
				free(all);
				return ret;
			}
			r->traces++;
			if (!i) {
				bs = c.sensor;
				memcpy(fpr, c.t.info.fingerprint, sizeof(fpr));
			} else {
				sensor_merge(&bs, &c.sensor);
			}
			tmp = realloc(all, (nall + c.n + 1) * sizeof(*all));
			if (!tmp) {
				checked__free(&c);
				free(all);
				return plerr_set(e, -ENOMEM, "out of memory");
			}
			all = tmp;
			memcpy(all + nall, c.w, c.n * sizeof(*c.w));
			nall += c.n;
			checked__free(&c);
		}
		strfmt(model, sizeof(model), "llm-%s", gen_size_name((enum gen_size)m));
		ret = build_base(all, nall, model, fpr, window_ns, &bs, &mb[m], s->baseline_err,
				 sizeof(s->baseline_err));
		free(all);
		if (ret)
			return plerr_set(e, ret, "out of memory");
	}

	for (uint32_t si = 0; si < seeds; si++) {
		uint64_t seed = r->seed_base + si;

		for (int z = 0; z < NSIZES; z++) {
			for (size_t l = 0; l < NLOADS; l++) {
				llm_params(&p, sd, (enum gen_size)z, check_load[l].batch, check_load[l].prompt, dur,
					   seed * 16 + l);
				if ((ret = gen_checked(&p, &c, window_ns, e)))
					return ret;
				r->traces++;
				ret = tally(r, s, sd, TK_LLM, (enum gen_size)z, NULL, &p, &c, mb, dp);
				checked__free(&c);
				if (ret)
					return plerr_set(e, ret, "%s: check failed: %s", sd->name, strerror(-ret));
			}
		}
		if (sd->llm_only)
			continue;
		static const enum gen_workload miners[] = { GEN_W_MINER_COMPUTE, GEN_W_MINER_MEMORY };
		static const enum gen_workload others[] = { GEN_W_TRAINING, GEN_W_DIFFUSION, GEN_W_TRANSCODE,
							    GEN_W_IDLE };
		static const enum gen_adversary madv[] = { GEN_ADV_SPIKE, GEN_ADV_ONOFF, GEN_ADV_SMOOTH };
		static const enum gen_adversary ladv[] = { GEN_ADV_INTERLEAVE, GEN_ADV_POWERCAP, GEN_ADV_REPLAY };
		char name[32];

		for (size_t i = 0; i < 2 + 4 + 3; i++) {
			enum tkind k = i < 2 ? TK_MINER : i < 6 ? TK_NONMINING : TK_ADV_MINER;

			llm_params(&p, sd, GEN_SIZE_7B, 8, GEN_PROMPT_MIXED, dur, seed * 16 + 8 + i);
			p.workload = i < 2 ? miners[i] : i < 6 ? others[i - 2] : GEN_W_MINER_COMPUTE;
			if (k == TK_ADV_MINER)
				p.adversary = madv[i - 6];
			strfmt(name, sizeof(name), "%s",
			       k == TK_MINER ? gen_workload_name(p.workload) : gen_adversary_name(p.adversary));
			if ((ret = gen_checked(&p, &c, window_ns, e)))
				return ret;
			r->traces++;
			ret = tally(r, s, sd, k, __GEN_SIZE_MAX, name, &p, &c, mb, dp);
			checked__free(&c);
			if (ret)
				return plerr_set(e, ret, "%s: check failed: %s", sd->name, strerror(-ret));
		}
		for (int z = 0; z < NSIZES; z++) {
			for (size_t i = 0; i < 3; i++) {
				llm_params(&p, sd, (enum gen_size)z, 8, GEN_PROMPT_MIXED, dur, seed * 16 + 4 + i);
				p.adversary = ladv[i];
				if ((ret = gen_checked(&p, &c, window_ns, e)))
					return ret;
				r->traces++;
				ret = tally(r, s, sd, TK_ADV_LLM, (enum gen_size)z, gen_adversary_name(p.adversary), &p,
					    &c, mb, dp);
				checked__free(&c);
				if (ret)
					return plerr_set(e, ret, "%s: check failed: %s", sd->name, strerror(-ret));
			}
		}
	}
	return 0;
}

/* ---- real part ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* CSV files in dir and its subdirectories (one level), sorted. */
static int list_csv(const char *dir, int depth, char **files, size_t *n)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = path_join(dir, de->d_name);
		if (!p) {
			closedir(d);
			return -ENOMEM;
		}
		if (path_is_dir(p) && depth < 1) {
			list_csv(p, depth + 1, files, n);
			free(p);
		} else if (l > 4 && !strcmp(de->d_name + l - 4, ".csv") && *n < EVAL_MAX_FILES) {
			files[(*n)++] = p;
		} else {
			free(p);
		}
	}
	closedir(d);
	return 0;
}

/* The repeat number of a name holding "_rNN_" (two digits), else -1. */
static int repeat_of(const char *name)
{
	for (const char *p = strstr(name, "_r"); p; p = strstr(p + 1, "_r"))
		if (p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9' && p[4] == '_')
			return (p[2] - '0') * 10 + (p[3] - '0');
	return -1;
}

static int import_csv(const char *path, struct trace *t, struct plerr *e)
{
	struct csv_report rep;
	struct csv_opts o = { 0 };
	struct buf b = { 0 };
	int ret;

	ret = file_read(path, EVAL_CSV_MAX, &b, e);
	if (ret)
		return ret;
	o.skip_bad = true;
	memset(&rep, 0, sizeof(rep));
	ret = csv_import((const char *)b.p, b.len, &o, t, &rep, e);
	if (ret && rep.mixed) {
		o.gpu = "0";
		memset(&rep, 0, sizeof(rep));
		ret = csv_import((const char *)b.p, b.len, &o, t, &rep, e);
	}
	buf_free(&b);
	return ret;
}

static int real_group(struct eval_result *r, char **files, size_t n, const struct detect_params *dp, FILE *progress)
{
	struct checked *c = calloc(n, sizeof(*c));
	bool *ok = calloc(n, sizeof(*ok)), *tune = calloc(n, sizeof(*tune)), repeats = false;
	struct window_features *all = NULL, *tmp;
	struct model_base mb = { 0 };
	struct sensor_model bs = { 0 };
	char fpr[SHA256_HEX_LEN] = "", err[200] = "", dirname[256], why[200];
	const char *workload;
	uint64_t window_ns = 0;
	size_t nall = 0, first = n;
	int ret = 0;

	if (!c || !ok || !tune) {
		ret = -ENOMEM;
		goto out;
	}
	strfmt(dirname, sizeof(dirname), "%.*s", (int)(path_base(files[0]) - files[0] - 1), files[0]);
	workload = strstr(dirname, "training") ? "training" : "inference";
	for (size_t i = 0; i < n; i++)
		repeats |= repeat_of(path_base(files[i])) == 0;
	for (size_t i = 0; i < n; i++) {
		struct plerr e = { "" };
		int rp = repeat_of(path_base(files[i]));

		if (import_csv(files[i], &c[i].t, &e)) {
			r->real_skipped++;
			note(r, "skipped %s: %s", files[i], e.msg);
			continue;
		}
		ok[i] = true;
		c[i].sensor = c[i].t.info.sensor;
		tune[i] = repeats ? rp == 0 || rp == 1 : first == n;
		if (tune[i] && first == n)
			first = i;
	}
	if (first == n)
		goto out;
	{
		struct feat_params fp;

		feat_params_default(&fp);
		bs = c[first].sensor;
		window_ns = feat_window_ns(&bs, c[first].t.info.period_ns, fp.window_ns);
		memcpy(fpr, c[first].t.info.fingerprint, sizeof(fpr));
	}
	for (size_t i = 0; i < n; i++) {
		struct plerr e = { "" };

		if (!ok[i])
			continue;
		if (checked_windows(&c[i], window_ns, &e)) {
			ok[i] = false;
			r->real_skipped++;
			note(r, "skipped %s: %s", files[i], e.msg);
			continue;
		}
		if (!tune[i] || !sensor_comparable(&bs, &c[i].sensor, why, sizeof(why)))
			continue;
		sensor_merge(&bs, &c[i].sensor);
		tmp = realloc(all, (nall + c[i].n + 1) * sizeof(*all));
		if (!tmp) {
			ret = -ENOMEM;
			goto out;
		}
		all = tmp;
		memcpy(all + nall, c[i].w, c[i].n * sizeof(*all));
		nall += c[i].n;
	}
	ret = build_base(all, nall, "real", fpr, window_ns, &bs, &mb, err, sizeof(err));
	if (ret)
		goto out;
	if (!mb.ok)
		note(r, "%s: no baseline (%s): its checks are undecided", dirname, err);
	for (size_t i = 0; i < n; i++) {
		struct verdict v;

		if (!ok[i] || tune[i])
			continue;
		/* Imported logs carry no hardware fingerprint to compare: the claim takes the trace's. */
		ret = run_check(&c[i], &mb, workload, dp, &v);
		if (ret)
			goto out;
		r->real_checks++;
		r->real_honest += repeats;
		if (v.sig < 0 && v.r[0] == -ENODATA && v.r[1] == -ENODATA && v.r[2] == -ENODATA)
			r->real_und++;
		if (v.sig >= 0 && repeats) {
			r->real_false++;
			note(r, "FALSE ACCUSATION %s: %s (baseline: r00, r01 of %s)", files[i],
			     detector_name((enum detector)v.sig), dirname);
		} else if (v.sig >= 0) {
			r->real_cross++;
			note(r, "cross-file proof %s: %s (baseline: %s; another workload of the same source)", files[i],
			     detector_name((enum detector)v.sig), path_base(files[first]));
		}
	}
	if (progress)
		fprintf(progress, "eval: real %s: %zu file(s), baseline %s\n", dirname, n, mb.ok ? "built" : "refused");
out:
	for (size_t i = 0; c && i < n; i++)
		checked__free(&c[i]);
	free(c);
	free(ok);
	free(tune);
	free(all);
	return ret;
}

static int run_real(struct eval_result *r, const char *dir, const struct detect_params *dp, FILE *progress,
		    struct plerr *e)
{
	char *files[EVAL_MAX_FILES];
	size_t n = 0, i, j;
	int ret;

	r->real = true;
	ret = list_csv(dir, 0, files, &n);
	if (ret)
		return plerr_set(e, ret, "%s: %s", dir, strerror(-ret));
	qsort(files, n, sizeof(*files), cmp_str);
	/* A group: the files of one directory. */
	for (i = 0; i < n && !ret; i = j) {
		size_t dl = (size_t)(path_base(files[i]) - files[i]);

		for (j = i + 1;
		     j < n && (size_t)(path_base(files[j]) - files[j]) == dl && !strncmp(files[i], files[j], dl); j++)
			;
		ret = real_group(r, files + i, j - i, dp, progress);
	}
	for (i = 0; i < n; i++)
		free(files[i]);
	if (ret)
		return plerr_set(e, ret, "%s: %s", dir, strerror(-ret));
	return 0;
}

int eval_run(const struct eval_opts *o, struct eval_result *r, struct plerr *e)
{
	struct detect_params dp;
	double t0 = now_s(), ts;
	int ret;

	memset(r, 0, sizeof(*r));
	verbose = o->verbose ? o->progress : NULL;
	detect_params_default(&dp);
	r->seeds = o->seeds ? o->seeds : o->quick ? 1 : 4;
	r->seed_base = o->seed_base ? o->seed_base : EVAL_CHECK_SEED0;
	r->duration_ns = o->duration_ns ? o->duration_ns : 60000000000ULL;
	r->tune_ns = o->tune_ns ? o->tune_ns : r->duration_ns;
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		if (o->quick && !settings[i].quick)
			continue;
		ts = now_s();
		ret = run_setting(r, &settings[i], r->seeds, r->duration_ns, &dp, e);
		if (ret) {
			plerr_prefix(e, settings[i].name);
			return ret;
		}
		if (o->progress)
			fprintf(o->progress, "eval: %s: %u checks so far, %.1f s\n", settings[i].name, r->checks,
				now_s() - ts);
	}
	if (o->real_dir) {
		ret = run_real(r, o->real_dir, &dp, o->progress, e);
		if (ret)
			return ret;
	}
	r->wall_s = now_s() - t0;
	return 0;
}

/* ---- output ---- */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double quantile(const double *v, size_t n, double q)
{
	double *s, x;

	if (!n)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_d);
	x = feat_quantile(s, n, q);
	free(s);
	return x;
}

static double ratio(uint32_t a, uint32_t b)
{
	return b ? (double)a / b : NAN;
}

void eval_print(const struct eval_result *r, FILE *f)
{
	for (int d = 0; d < __DET_MAX; d++) {
		const uint32_t *m = r->cm[d];

		fprintf(f, "eval\t%s\tTP\t%u\tFN\t%u\tFP\t%u\tTN\t%u\tundecided\t%u\n", detector_name((enum detector)d),
			m[EV_TP], m[EV_FN], m[EV_FP], m[EV_TN], m[EV_UND]);
		fprintf(f, "eval\t%s\ttpr\t%.3f\n", detector_name((enum detector)d),
			ratio(m[EV_TP], m[EV_TP] + m[EV_FN]));
		fprintf(f, "eval\t%s\tfpr\t%.3f\n", detector_name((enum detector)d),
			ratio(m[EV_FP], m[EV_FP] + m[EV_TN]));
	}
	fprintf(f, "eval\tfalse-accusations\t%u\n", r->false_accusations);
	for (size_t i = 0; i < r->nfa; i++)
		fprintf(f, "eval\tfalse-accusation\t%s\n", r->fa[i]);
	fprintf(f, "eval\tmodel-mismatch\ttime-to-proof-ms\tmedian\t%.0f\tp90\t%.0f\tn\t%zu\n",
		quantile(r->ttp_ms, r->nttp, 0.5), quantile(r->ttp_ms, r->nttp, 0.9), r->nttp);
	for (size_t i = 0; i < r->nadv; i++)
		fprintf(f,
			"eval\tadversary\t%s\tdetected\t%u/"
			"%u\tminer\t%u\tmodel-mismatch\t%u\trail-tamper\t%u\tundecided\t%u\n",
			r->adv[i].name, r->adv[i].detected, r->adv[i].n, r->adv[i].fired[DET_MINER],
			r->adv[i].fired[DET_MODEL_MISMATCH], r->adv[i].fired[DET_RAIL_TAMPER], r->adv[i].und);
	fprintf(f, "eval\tnon-mining\tchecks\t%u\tminer\t%u\tmodel-mismatch\t%u\n", r->nonmining_n, r->nonmining_miner,
		r->nonmining_mm);
	for (size_t i = 0; i < r->nset; i++) {
		const struct eval_setting *s = &r->set[i];

		fprintf(f,
			"eval\tsetting\t%s\twindow-ms\t%llu\tsize-accuracy\t%.3f\t(%u/"
			"%u)\tpair-accuracy\t%.3f\tmm-tpr\t%.3f\tmm-fpr\t%.3f%s%s\n",
			s->name, (unsigned long long)(s->window_ns / 1000000), ratio(s->size_right, s->size_total),
			s->size_right, s->size_total, ratio(s->pair_right, s->pair_total),
			ratio(s->cm[DET_MODEL_MISMATCH][EV_TP],
			      s->cm[DET_MODEL_MISMATCH][EV_TP] + s->cm[DET_MODEL_MISMATCH][EV_FN]),
			ratio(s->cm[DET_MODEL_MISMATCH][EV_FP],
			      s->cm[DET_MODEL_MISMATCH][EV_FP] + s->cm[DET_MODEL_MISMATCH][EV_TN]),
			s->baseline_err[0] ? "\tbaseline-refused\t" : "", s->baseline_err);
	}
	if (r->real) {
		fprintf(f, "eval\treal\tchecks\t%u\thonest\t%u\tundecided\t%u\tskipped\t%u\tcross-file-proofs\t%u\n",
			r->real_checks, r->real_honest, r->real_und, r->real_skipped, r->real_cross);
		fprintf(f, "eval\treal-false-accusations\t%u\n", r->real_false);
		for (size_t i = 0; i < r->nnotes; i++)
			fprintf(f, "eval\treal-note\t%s\n", r->notes[i]);
	}
	fprintf(f, "eval\tchecks\t%u\ttraces\t%u\twall-s\t%.1f\n", r->checks, r->traces, r->wall_s);
}

static const char *const roc_colors[] = { SVG_BLUE, SVG_ORANGE, SVG_GREEN, SVG_RED, SVG_PURPLE, SVG_SKY, SVG_GREY };

/* ROC points of scores pos vs neg, thresholds from high to low: (0,0) .. (1,1). */
static size_t roc_points(const struct eval_setting *s, double *fpr, double *tpr)
{
	size_t n = s->npos + s->nneg, k = 0, tp = 0, fp = 0, i;
	double *all = malloc((n ? n : 1) * sizeof(*all));

	if (!all)
		return 0;
	memcpy(all, s->pos, s->npos * sizeof(*all));
	memcpy(all + s->npos, s->neg, s->nneg * sizeof(*all));
	qsort(all, n, sizeof(*all), cmp_d);
	fpr[k] = 0;
	tpr[k++] = 0;
	for (i = n; i-- > 0;) {
		if (i + 1 < n && all[i] == all[i + 1])
			continue;
		tp = fp = 0;
		for (size_t j = 0; j < s->npos; j++)
			tp += s->pos[j] >= all[i];
		for (size_t j = 0; j < s->nneg; j++)
			fp += s->neg[j] >= all[i];
		fpr[k] = (double)fp / s->nneg;
		tpr[k++] = (double)tp / s->npos;
	}
	fpr[k] = 1;
	tpr[k++] = 1;
	free(all);
	return k;
}

static int write_file(const char *dir, const char *name, const struct buf *b, bool force, struct plerr *e)
{
	char *p = path_join(dir, name);
	int ret;

	if (!p)
		return plerr_set(e, -ENOMEM, "out of memory");
	ret = file_write_atomic(p, b->p, b->len, 0644, afile_force(force), e);
	free(p);
	return ret;
}

static int roc_svg(const struct eval_result *r, struct buf *out, double *auc)
{
	struct svg s;
	struct svg_panel p;
	size_t nc = 0;

	svg_begin(&s, out, 700, 640, "model-mismatch ROC: other sizes vs same model at other loads");
	svg_layout(&s, &p, 1, NULL);
	svg_range_exact(&p, 0, 1, 0, 1);
	svg_axes(&p, "false positive rate", NULL, "true positive rate", NULL);
	for (size_t i = 0; i < r->nset; i++) {
		const struct eval_setting *st = &r->set[i];
		size_t n = st->npos + st->nneg + 2, k;
		double *fpr, *tpr;

		auc[i] = NAN;
		if (!st->npos || !st->nneg)
			continue;
		fpr = malloc(n * sizeof(*fpr));
		tpr = malloc(n * sizeof(*tpr));
		if (fpr && tpr && (k = roc_points(st, fpr, tpr)))
			auc[i] = svg_roc(&p, fpr, tpr, k, roc_colors[nc++ % 7], st->name);
		free(fpr);
		free(tpr);
	}
	return svg_end(&s);
}

static int example_svg(const struct eval_result *r, struct buf *out, struct plerr *e)
{
	struct trace t = { 0 };
	struct plot_proof pr = { 0 };
	struct plot_opts po = { 0 };
	char title[256];
	int ret;

	ret = gen_trace(&r->example, &t, NULL, e);
	if (ret)
		return ret;
	snprintf(pr.detector, sizeof(pr.detector), "%s", r->example_det);
	snprintf(pr.file, sizeof(pr.file), "eval (in memory)");
	pr.start_ns = r->example_start_ns;
	pr.end_ns = r->example_end_ns;
	strfmt(title, sizeof(title), "%s: %s proof span", r->example_what, r->example_det);
	po.title = title;
	po.to_ns = UINT64_MAX;
	po.proofs = &pr;
	po.nproofs = 1;
	ret = plot_trace(&t, &po, out, e);
	trace__free(&t);
	return ret;
}

static void md_cm(struct buf *b, const char *name, const uint32_t *m)
{
	buf_printf(b, "| %s | %u | %u | %u | %u | %u | %.3f | %.3f |\n", name, m[EV_TP], m[EV_FN], m[EV_FP], m[EV_TN],
		   m[EV_UND], ratio(m[EV_TP], m[EV_TP] + m[EV_FN]), ratio(m[EV_FP], m[EV_FP] + m[EV_TN]));
}

int eval_write_report(const struct eval_result *r, const char *dir, const char *cmdline, bool force, struct plerr *e)
{
	struct buf md = { 0 }, roc = { 0 }, ex = { 0 };
	double auc[EVAL_MAX_SETTINGS];
	bool have_ex = false;
	int ret;

	ret = mkdir_p(dir, 0755, e);
	if (ret)
		return ret;
	ret = roc_svg(r, &roc, auc);
	if (ret) {
		plerr_set(e, ret, "out of memory");
		goto out;
	}
	if (r->have_example) {
		struct plerr pe = { "" };

		have_ex = !example_svg(r, &ex, &pe);
	}
	buf_printf(&md, "# powerledger eval\n\n");
	buf_printf(&md, "Command: `%s`  \nWall time: %.1f s; %u traces generated, %u checks.\n\n", cmdline, r->wall_s,
		   r->traces, r->checks);
	buf_printf(&md, "## Corpus\n\n");
	buf_printf(&md, "- Claimed models: llm 7b, 13b, 70b on one H100; claims are in memory (model, workload "
			"\"inference\", the trace's fingerprint and time range).\n");
	buf_printf(&md,
		   "- Tuning (baseline) seeds: %d..%d, one trace each of batch 4 short, batch 8 mixed, batch 16 "
		   "long prompts, %.0f s each.\n",
		   EVAL_TUNE_SEED0, EVAL_TUNE_SEED0 + EVAL_TUNE_TRACES - 1, (double)r->tune_ns * 1e-9);
	buf_printf(&md,
		   "- Held-out seeds: %d..%u (trace seeds derived as seed*16+k, never a tuning seed), %.0f s each: "
		   "same model at batch 1, 32 (mixed), 8 long, 2 short; the other sizes; miner-compute, miner-memory; "
		   "training, diffusion, transcode, idle; adversaries spike, onoff, smooth on miner-compute, "
		   "interleave, powercap, replay on the claimed model.\n",
		   (int)r->seed_base, (unsigned)(r->seed_base + r->seeds - 1), (double)r->duration_ns * 1e-9);
	buf_printf(&md, "- Settings: ");
	for (size_t i = 0; i < r->nset; i++)
		buf_printf(&md, "%s%s (window %llu ms)", i ? ", " : "", r->set[i].name,
			   (unsigned long long)(r->set[i].window_ns / 1000000));
	buf_printf(&md, ". The pmbus 10 Hz / 100 Hz / 10 kHz sweep checks llm traces only.\n\n");
	buf_printf(&md, "A proof is what check would sign: rail-tamper when it fires, else model-mismatch, else "
			"crypto-miner-hidden. Per-detector counts below are each detector on its own.\n\n");
	buf_printf(&md, "## Per detector\n\n| detector | TP | FN | FP | TN | undecided | TPR | FPR "
			"|\n|---|---|---|---|---|---|---|---|\n");
	for (int d = 0; d < __DET_MAX; d++)
		md_cm(&md, detector_name((enum detector)d), r->cm[d]);
	buf_printf(&md, "\n**False accusations** (signed proofs on same-model held-out traces): **%u**\n\n",
		   r->false_accusations);
	for (size_t i = 0; i < r->nfa; i++)
		buf_printf(&md, "- %s\n", r->fa[i]);
	buf_printf(&md, "%s", r->nfa ? "\n" : "");
	buf_printf(&md, "Model-mismatch time to proof over fired positives: median %.0f ms, p90 %.0f ms (n %zu).\n\n",
		   quantile(r->ttp_ms, r->nttp, 0.5), quantile(r->ttp_ms, r->nttp, 0.9), r->nttp);
	buf_printf(&md, "## Miners and adversaries\n\nDetected: any detector fired (rail-tamper for a replay: replayed readings are tampered telemetry).\n\n"
			"| case | detected | n | miner | model-mismatch | rail-tamper | undecided "
			"|\n|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->nadv; i++)
		buf_printf(&md, "| %s | %u | %u | %u | %u | %u | %u |\n", r->adv[i].name, r->adv[i].detected,
			   r->adv[i].n, r->adv[i].fired[DET_MINER], r->adv[i].fired[DET_MODEL_MISMATCH],
			   r->adv[i].fired[DET_RAIL_TAMPER], r->adv[i].und);
	buf_printf(&md,
		   "\nNon-mining workloads (training, diffusion, transcode, idle) under an inference claim: %u "
		   "checks, crypto-miner-hidden %u, model-mismatch %u (the claim names another workload: "
		   "a mismatch there is right, not scored).\n\n",
		   r->nonmining_n, r->nonmining_miner, r->nonmining_mm);
	buf_printf(&md, "## Per sensor and sample rate\n\nSize accuracy: a held-out llm trace only its own size's "
			"baseline accepts. Pair accuracy: each (trace, baseline) model-mismatch decision.\n\n"
			"| setting | window ms | size accuracy | pair accuracy | mm TPR | mm FPR | ROC AUC | note |\n"
			"|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->nset; i++) {
		const struct eval_setting *s = &r->set[i];
		const uint32_t *m = s->cm[DET_MODEL_MISMATCH];

		buf_printf(&md, "| %s | %llu | %.3f (%u/%u) | %.3f | %.3f | %.3f | %.3f | %s |\n", s->name,
			   (unsigned long long)(s->window_ns / 1000000), ratio(s->size_right, s->size_total),
			   s->size_right, s->size_total, ratio(s->pair_right, s->pair_total),
			   ratio(m[EV_TP], m[EV_TP] + m[EV_FN]), ratio(m[EV_FP], m[EV_FP] + m[EV_TN]), auc[i],
			   s->baseline_err[0] ? s->baseline_err : "");
	}
	buf_printf(&md, "\n![ROC](roc-model-mismatch.svg)\n\nScore: -ln of the smallest group p-value of the trace "
			"against the baseline (science/baseline.h mm_log_p).\n\n");
	if (have_ex)
		buf_printf(&md, "## Example\n\n%s: %s proof span.\n\n![example](trace-example.svg)\n\n",
			   r->example_what, r->example_det);
	if (r->real) {
		buf_printf(&md,
			   "## Real data\n\n%u checks (%u of honest held-out repeats), %u undecided, %u files "
			   "skipped.\n\n**False accusations on real honest traces: %u.** Cross-file proofs (another "
			   "workload of the same source, not counted): %u.\n\n",
			   r->real_checks, r->real_honest, r->real_und, r->real_skipped, r->real_false, r->real_cross);
		for (size_t i = 0; i < r->nnotes; i++)
			buf_printf(&md, "- %s\n", r->notes[i]);
		buf_printf(&md, "\n");
	}
	if (!md.p) {
		ret = plerr_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	ret = write_file(dir, "report.md", &md, force, e);
	if (!ret)
		ret = write_file(dir, "roc-model-mismatch.svg", &roc, force, e);
	if (!ret && have_ex)
		ret = write_file(dir, "trace-example.svg", &ex, force, e);
out:
	buf_free(&md);
	buf_free(&roc);
	buf_free(&ex);
	return ret;
}

void eval_result__free(struct eval_result *r)
{
	for (size_t i = 0; i < r->nset; i++) {
		free(r->set[i].pos);
		free(r->set[i].neg);
	}
	free(r->ttp_ms);
	memset(r, 0, sizeof(*r));
}
