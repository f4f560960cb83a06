// SPDX-License-Identifier: GPL-2.0 OR MIT
/* check: trace vs claim and baseline -> signed proofs (see check.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/trace.h"
#include "daemon/check.h"
#include "evidence/baseline_json.h"
#include "evidence/contexts.h"
#include "evidence/proof.h"
#include "evidence/statement.h"
#include "evidence/workload.h"
#include "science/baseline.h"
#include "science/features.h"

static int open_statement(const char *path, enum pl_kind want, const struct check_in *in, struct signed_statement *ss,
			  struct plerr *e)
{
	struct buf b = { 0 };
	int ret;

	ret = file_read(path, DSSE_MAX_LEN, &b, e);
	if (ret)
		return ret;
	ret = statement_open(b.p, b.len, in->trusted, in->ntrusted, ss, e);
	buf_free(&b);
	if (ret) {
		plerr_prefix(e, path);
		return ret;
	}
	if (ss->st.kind != want) {
		plerr_set(e, -EINVAL, "%s: a %s statement, not a %s", path, kind_name(ss->st.kind), kind_name(want));
		signed_statement__free(ss);
		return -EINVAL;
	}
	return 0;
}

/* name without suffix (if it has it): its length */
static int strip(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return (int)(n > k && !strcmp(name + n - k, suffix) ? n - k : n);
}

/*
 * DIR/<trace base without .pltr>.<claim base without .dsse.json>.<detector>.proof.dsse.json:
 * one name per (trace, claim, detector), so proofs of several claims
 * against one trace never share a file.  -ENAMETOOLONG if it does not fit.
 */
static int proof_path(const struct check_in *in, enum detector d, char *out, size_t n, struct plerr *e)
{
	const char *base = path_base(in->trace_path), *cbase = path_base(in->claim_path);
	int len = strip(base, ".pltr"), clen = strip(cbase, ".dsse.json"), w;
	const char *dir;
	int dirlen;

	if (in->outdir) {
		dir = in->outdir;
		dirlen = (int)strlen(dir);
	} else if (base == in->trace_path) {
		dir = ".";
		dirlen = 1;
	} else {
		dir = in->trace_path;
		dirlen = (int)(base - in->trace_path - 1);
		if (!dirlen) {
			dir = "/";
			dirlen = 1;
		}
	}
	w = snprintf(out, n, "%.*s/%.*s.%.*s.%s.proof.dsse.json", dirlen, dir, len, base, clen, cbase,
		     detector_name(d));
	if (w < 0 || (size_t)w >= n)
		return plerr_set(e, -ENAMETOOLONG, "%.*s: proof file name too long", dirlen, dir);
	return 0;
}

/* Does path hold exactly p[0..n)?  (Re-checking the same inputs writes the same bytes.) */
static bool same_bytes(const char *path, const void *p, size_t n)
{
	struct plerr e = { "" };
	struct buf b = { 0 };
	bool same;

	if (file_read(path, n, &b, &e))
		return false;
	same = b.len == n && !memcmp(b.p, p, n);
	buf_free(&b);
	return same;
}

/*
 * The GPU context active during the finding's window, into its evidence
 * ("context": integers only, as the predicate wants: pid, pid namespace,
 * GPU, context id in two 32-bit halves, the process's share, the share no
 * context was active for) and its summary (with comm, which the trace's
 * context section -- covered by trace_digest -- carries).
 *
 * Named only when it can be said without accusing the wrong process: one
 * process held a real context (not an ioctl or a launch hint) for more than
 * half of the window's energy by time, the trace lost no GPU-context event,
 * and the finding is about what ran (never rail-tamper: a tampered rail is
 * nobody's workload).  "Active during", not "drew": attribution is by time,
 * and a process the probes cannot see (its own copy of libcuda) is
 * invisible here.
 */
static int name_context(const struct trace *t, struct finding *f)
{
	struct ctx_energy who;
	double share, un;
	json_t *c;
	size_t len;
	int ret;

	if (!f->evidence || f->det == DET_RAIL_TAMPER)
		return 0;
	ret = contexts_majority(t, f->start_ns, f->end_ns, &who, &share, &un);
	if (ret <= 0)
		return ret;
	c = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "tgid", (json_int_t)who.tgid, "ns_tgid",
		      (json_int_t)who.ns_tgid, "pidns", (json_int_t)who.pidns_ino, "gpu",
		      who.gpu == PL_GPU_UNKNOWN ? (json_int_t)-1 : (json_int_t)who.gpu, "ctx_hi", (json_int_t)(who.ctx >> 32),
		      "ctx_lo", (json_int_t)(who.ctx & 0xffffffffU), "source", (json_int_t)who.source, "share_ppm",
		      (json_int_t)llround(share * 1e6), "unattributed_ppm", (json_int_t)llround(un * 1e6));
	if (!c || json_object_set_new(f->evidence, "context", c))
		return -ENOMEM;
	len = strlen(f->summary);
	snprintf(f->summary + len, sizeof(f->summary) - len,
		 " [GPU context active: %u/%s ctx 0x%" PRIx64 " gpu %d, %.0f %% of the energy by time]", who.tgid,
		 who.comm, who.ctx, who.gpu == PL_GPU_UNKNOWN ? -1 : (int)who.gpu, share * 100);
	return 0;
}

static int sign_proof(const struct check_in *in, struct check_out *out, struct finding *f,
		      const struct proof_refs *refs, const struct trace *t, struct plerr *e)
{
	struct buf env = { 0 };
	json_t *stmt;
	size_t i = out->nproofs;
	int ret;

	if (name_context(t, f))
		return plerr_set(e, -ENOMEM, "out of memory");
	stmt = proof_statement(f, refs);
	if (!stmt)
		return plerr_set(e, -ENOMEM, "out of memory");
	ret = statement_sign(stmt, in->key, &env, e);
	if (!ret)
		ret = proof_path(in, f->det, out->proofs[i].path, sizeof(out->proofs[i].path), e);
	/* Never over one of our own inputs, --force or not (a baseline named like a proof). */
	if (!ret)
		ret = out_check_inputs(out->proofs[i].path, true,
				       (const char *const[]){ in->trace_path, in->claim_path, in->baseline_path }, 3, e);
	/* Ed25519 is deterministic: an identical proof already there is not a replacement. */
	if (!ret && !same_bytes(out->proofs[i].path, env.p, env.len))
		ret = file_write_atomic(out->proofs[i].path, env.p, env.len, 0644, afile_force(in->force), e);
	if (!ret) {
		out->proofs[i].det = f->det;
		snprintf(out->proofs[i].summary, sizeof(out->proofs[i].summary), "%s", f->summary);
		out->proofs[i].predicate = json_incref(json_object_get(stmt, "predicate"));
		out->nproofs++;
	}
	json_decref(stmt);
	buf_free(&env);
	return ret;
}

int check_run(const struct check_in *in, struct check_out *out, struct plerr *e)
{
	struct signed_statement cs = { 0 }, bs = { 0 };
	char claim_digest[SHA256_HEX_LEN], base_digest[SHA256_HEX_LEN];
	struct window_features *w = NULL;
	struct feat_params fp;
	struct baseline b;
	struct claim c;
	struct trace t = { 0 };
	struct finding fr[__DET_MAX] = { 0 };
	struct proof_refs refs;
	size_t n = 0;
	int ret, d, res[__DET_MAX] = { 0 };
	bool sign[__DET_MAX] = { false }, weaker = false;
	enum detector failed = DET_MODEL_MISMATCH;

	memset(out, 0, sizeof(*out));
	ret = open_statement(in->claim_path, PL_KIND_WORKLOAD, in, &cs, e);
	if (ret)
		return ret;
	ret = open_statement(in->baseline_path, PL_KIND_BASELINE, in, &bs, e);
	if (ret)
		goto out;
	memcpy(claim_digest, cs.digest, sizeof(claim_digest));
	memcpy(base_digest, bs.digest, sizeof(base_digest));
	ret = claim_from_predicate(cs.st.predicate, &c, e);
	if (!ret)
		ret = baseline_from_predicate(bs.st.predicate, &b, e);
	if (ret)
		goto out;
	if (strcmp(c.model, b.model)) {
		ret = plerr_set(e, -EINVAL, "the claim is for model \"%s\", the baseline for \"%s\"", c.model, b.model);
		goto out;
	}
	ret = trace_load_digest(in->trace_path, &t, out->trace_digest, e);
	if (ret)
		goto out;
	if (strcmp(c.fingerprint, t.info.fingerprint)) {
		ret = plerr_set(e, -EINVAL, "%s: hardware fingerprint %.16s... is not the claim's %.16s...",
				in->trace_path, t.info.fingerprint, c.fingerprint);
		goto out;
	}
	/*
	 * Another host's baseline describes another PSU and other GPUs: its
	 * spreads say nothing about this trace, and a proof from it would be
	 * an accusation physics does not back.  Refused, as the manual says.
	 */
	if (strcmp(b.fingerprint, t.info.fingerprint)) {
		ret = plerr_set(e, -EINVAL, "%s: hardware fingerprint %.16s... is not the baseline's %.16s... (commissioned "
				"on other hardware)", in->trace_path, t.info.fingerprint, b.fingerprint);
		goto out;
	}
	feat_params_for(trace_series(&t, &(struct series){ 0 }), b.window_ns, &fp);
	ret = features_windows(trace_series(&t, &(struct series){ 0 }), &fp, c.start_ns, c.end_ns, &w, &n);
	if (ret) {
		plerr_set(e, ret, "%s: cannot compute features", in->trace_path);
		goto out;
	}
	if (!t.n || t.s[t.n - 1].ts_ns < c.start_ns || t.s[0].ts_ns > c.end_ns) {
		ret = plerr_set(e, -EINVAL, "%s: no samples in the claim's window", in->trace_path);
		goto out;
	}
	refs = (struct proof_refs){
		.trace_name = path_base(in->trace_path),
		.trace_digest = out->trace_digest,
		.claim_name = path_base(in->claim_path),
		.claim_digest = claim_digest,
		.baseline_name = path_base(in->baseline_path),
		.baseline_digest = base_digest,
	};
	/* Every detector runs (detect_all(): the wiring check, run and eval share); what is signed follows. */
	if (t.nctx) {
		/* Who was on the GPUs during the claim's window, for the report (proofs carry their own). */
		size_t a = 0, z;

		while (a < t.n && t.s[a].ts_ns < c.start_ns)
			a++;
		for (z = a; z < t.n && t.s[z].ts_ns <= c.end_ns; z++)
			;
		json_decref(out->contexts);
		out->contexts = contexts_json(&t, a, z, 8);
	}
	ret = detect_all(trace_series(&t, &(struct series){ 0 }), w, n, &b, &c, in->dp, in->all, res, fr, sign, &weaker,
			 &failed);
	if (ret) {
		plerr_set(e, ret, "%s: %s failed", in->trace_path, detector_name(failed));
		goto out;
	}
	for (d = DET_RAIL_TAMPER; d >= 0; d--) {
		out->ran[d] = true;
		out->undecided[d] = res[d] == -ENODATA;
		strfmt(out->notes[d], sizeof(out->notes[d]), "%s%s", res[d] == -ENODATA ? "undecided: " : "",
		       fr[d].summary);
	}
	if (weaker)
		strfmt(out->notes[DET_MINER], sizeof(out->notes[DET_MINER]),
		       "also fits, not signed: model-mismatch is the weaker accusation (--all signs both): %s",
		       fr[DET_MINER].summary);
	for (d = DET_RAIL_TAMPER; d >= 0 && !ret; d--)
		if (sign[d]) {
			ret = sign_proof(in, out, &fr[d], &refs, &t, e);
			/* The summary now says which GPU context was active, when one can be named. */
			strfmt(out->notes[d], sizeof(out->notes[d]), "%s", fr[d].summary);
		}
out:
	for (d = 0; d < __DET_MAX; d++)
		finding__free(&fr[d]);
	free(w);
	trace__free(&t);
	signed_statement__free(&cs);
	signed_statement__free(&bs);
	return ret;
}

int check_watch_open(const struct check_in *in, struct check_watch *w, struct plerr *e)
{
	struct signed_statement cs = { 0 }, bs = { 0 };
	int ret;

	memset(w, 0, sizeof(*w));
	ret = open_statement(in->claim_path, PL_KIND_WORKLOAD, in, &cs, e);
	if (!ret)
		ret = open_statement(in->baseline_path, PL_KIND_BASELINE, in, &bs, e);
	if (!ret)
		ret = claim_from_predicate(cs.st.predicate, &w->c, e);
	if (!ret)
		ret = baseline_from_predicate(bs.st.predicate, &w->b, e);
	if (!ret && (strcmp(w->c.model, w->b.model) || strcmp(w->c.fingerprint, w->b.fingerprint)))
		ret = plerr_set(e, -EINVAL, "the claim and the baseline are for another model or hardware");
	if (!ret && !(w->fc = features_ctx__new()))
		ret = plerr_set(e, -ENOMEM, "out of memory");
	signed_statement__free(&cs);
	signed_statement__free(&bs);
	return ret;
}

int check_watch_judge(struct check_watch *w, const struct series *s, const struct detect_params *dp)
{
	struct window_features *win = NULL;
	struct feat_params fp;
	uint64_t last;
	size_t n = 0, k;
	int ret;

	if (!s->n || s->s[s->n - 1].ts_ns < w->c.start_ns || s->s[0].ts_ns > w->c.end_ns)
		return 0;
	last = s->s[s->n - 1].ts_ns;
	feat_params_for(s, w->b.window_ns, &fp);
	ret = features_ctx__windows(w->fc, s, &fp, w->next_ns > w->c.start_ns ? w->next_ns : w->c.start_ns, w->c.end_ns,
				    &win, &n);
	if (ret)
		return ret == -ENOMEM ? -ENOMEM : 0;
	/* Keep the complete windows (the last one may still grow). */
	for (k = 0; k < n && win[k].end_ns <= last; k++) {
		if (w->n == w->cap) {
			size_t cap = w->cap ? 2 * w->cap : 64;
			struct window_features *t = realloc(w->win, cap * sizeof(*t));

			if (!t) {
				free(win);
				return -ENOMEM;
			}
			w->win = t;
			w->cap = cap;
		}
		w->win[w->n++] = win[k];
		w->next_ns = win[k].end_ns;
	}
	free(win);
	if (!w->n)
		return 0;
	{
		/* detect_all()'s gates and window detectors, nothing signed (check_run() signs from the trace) */
		struct finding f[__DET_MAX] = { { 0 } };
		enum detector failed;
		int res[__DET_MAX];

		ret = detect_windows(&s->sensor, w->win, w->n, &w->b, &w->c, dp, res, f, &failed);
		for (int d = 0; d < DET_RAIL_TAMPER; d++)
			finding__free(&f[d]);
		if (ret)
			return ret == -ENOMEM ? -ENOMEM : 0;
		return res[DET_MODEL_MISMATCH] == 1 || res[DET_MINER] == 1;
	}
}

void check_watch_reset(struct check_watch *w)
{
	w->n = 0;
	w->next_ns = 0;
}

void check_watch__free(struct check_watch *w)
{
	features_ctx__free(w->fc);
	w->fc = NULL;
	free(w->win);
	w->win = NULL;
	w->n = w->cap = 0;
}

void check_out__free(struct check_out *out)
{
	for (size_t i = 0; i < out->nproofs; i++)
		json_decref(out->proofs[i].predicate);
	out->nproofs = 0;
	json_decref(out->contexts);
	out->contexts = NULL;
}
