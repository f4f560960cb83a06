// SPDX-License-Identifier: GPL-2.0 OR MIT
/* check: trace vs claim and baseline -> signed proofs (see check.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/trace.h"
#include "daemon/check.h"
#include "evidence/baseline_json.h"
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

/* DIR/<trace base without .pltr>.<detector>.proof.dsse.json */
static void proof_path(const struct check_in *in, enum detector d, char *out, size_t n)
{
	const char *base = path_base(in->trace_path);
	size_t len = strlen(base);
	char dir[4096];

	if (len > 5 && !strcmp(base + len - 5, ".pltr"))
		len -= 5;
	if (in->outdir) {
		snprintf(dir, sizeof(dir), "%s", in->outdir);
	} else if (base == in->trace_path) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - in->trace_path - 1), in->trace_path);
		if (!dir[0])
			snprintf(dir, sizeof(dir), "/");
	}
	strfmt(out, n, "%s/%.*s.%s.proof.dsse.json", dir, (int)len, base, detector_name(d));
}

static int sign_proof(const struct check_in *in, struct check_out *out, struct finding *f,
		      const struct proof_refs *refs, struct plerr *e)
{
	struct buf env = { 0 };
	json_t *stmt;
	size_t i = out->nproofs;
	int ret;

	stmt = proof_statement(f, refs);
	if (!stmt)
		return plerr_set(e, -ENOMEM, "out of memory");
	ret = statement_sign(stmt, in->key, &env, e);
	if (!ret) {
		proof_path(in, f->det, out->proofs[i].path, sizeof(out->proofs[i].path));
		ret = file_write_atomic(out->proofs[i].path, env.p, env.len, 0644, e);
	}
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
	struct finding f;
	struct proof_refs refs;
	size_t n = 0;
	int ret, r, d;

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
	ret = trace_load(in->trace_path, &t, e);
	if (ret)
		goto out;
	ret = file_sha256_hex(in->trace_path, out->trace_digest, e);
	if (ret)
		goto out;
	if (strcmp(c.fingerprint, t.info.fingerprint)) {
		ret = plerr_set(e, -EINVAL, "%s: hardware fingerprint %.16s... is not the claim's %.16s...",
				in->trace_path, t.info.fingerprint, c.fingerprint);
		goto out;
	}
	if (strcmp(b.fingerprint, t.info.fingerprint))
		pl_warn("%s: the baseline was commissioned on other hardware (%.16s...)", in->trace_path,
			b.fingerprint);
	feat_params_default(&fp);
	fp.window_ns = b.window_ns;
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
	for (d = DET_RAIL_TAMPER; d >= 0; d--) {
		if (out->nproofs && !in->all)
			break;
		switch (d) {
		case DET_RAIL_TAMPER: r = detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), c.start_ns, c.end_ns, in->dp, &f); break;
		case DET_MINER: r = detect_miner(w, n, &b, &c, in->dp, &f); break;
		default: r = detect_model_mismatch(w, n, &b, in->dp, &f); break;
		}
		out->ran[d] = true;
		strfmt(out->notes[d], sizeof(out->notes[d]), "%s%s", r == -ENODATA ? "undecided: " : "", f.summary);
		if (r == 1)
			ret = sign_proof(in, out, &f, &refs, e);
		else if (r < 0 && r != -ENODATA)
			ret = plerr_set(e, r, "%s: %s failed", in->trace_path, detector_name((enum detector)d));
		finding__free(&f);
		if (ret)
			goto out;
	}
out:
	free(w);
	trace__free(&t);
	signed_statement__free(&cs);
	signed_statement__free(&bs);
	return ret;
}

void check_out__free(struct check_out *out)
{
	for (size_t i = 0; i < out->nproofs; i++)
		json_decref(out->proofs[i].predicate);
	out->nproofs = 0;
}
