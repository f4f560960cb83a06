// SPDX-License-Identifier: GPL-2.0 OR MIT
/* in-toto Statement v1: build, sign, parse, open (verify + parse). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "evidence/canon.h"
#include "evidence/statement.h"

/*
 * version: of the predicate this agent writes and reads.  Baseline/v2 (a
 * calibrated null, the sensor and the host's range) replaced Baseline/v1,
 * which cannot support a calibrated decision; Baseline/v3 (each feature's
 * commissioned range and window-to-window noise: the one-sided cadence
 * band, science/baseline.h) replaced v2, whose null was calibrated for
 * another statistic.  Older statements are refused by name ("register the
 * baseline again").
 */
static const struct {
	const char *name;
	enum pl_role signer;
	int version;
} kinds[__PL_KIND_MAX] = {
	[PL_KIND_TRACE] = { "Trace", PL_ROLE_READER, 1 },
	[PL_KIND_WORKLOAD] = { "Workload", PL_ROLE_VENDOR, 1 },
	[PL_KIND_PROOF] = { "Proof", PL_ROLE_OPERATOR, 1 },
	[PL_KIND_BASELINE] = { "Baseline", PL_ROLE_OPERATOR, 3 },
};

const char *kind_name(enum pl_kind k)
{
	return k < __PL_KIND_MAX ? kinds[k].name : "?";
}

enum pl_role kind_signer(enum pl_kind k)
{
	return k < __PL_KIND_MAX ? kinds[k].signer : PL_ROLE_ANY;
}

int kind_parse(const char *s, enum pl_kind *out)
{
	char full[128];
	int k;

	for (k = 0; k < __PL_KIND_MAX; k++) {
		snprintf(full, sizeof(full), PL_PREDICATE_PREFIX "%s/v%d", kinds[k].name, kinds[k].version);
		if (!strcmp(s, kinds[k].name) || !strcmp(s, full)) {
			*out = (enum pl_kind)k;
			return 0;
		}
	}
	return -EINVAL;
}

json_t *subject_new(const char *name, const char *sha256hex)
{
	return json_pack("{s:{s:s},s:s}", "digest", "sha256", sha256hex, "name", name);
}

json_t *statement_new(enum pl_kind k, json_t *subjects, json_t *predicate)
{
	char type[128];

	snprintf(type, sizeof(type), PL_PREDICATE_PREFIX "%s/v%d", kind_name(k), k < __PL_KIND_MAX ? kinds[k].version : 1);
	return json_pack("{s:s,s:o,s:s,s:o}", "_type", INTOTO_STATEMENT_V1, "predicate", predicate, "predicateType",
			 type, "subject", subjects);
}

int statement_sign(const json_t *stmt, const struct pl_seckey *key, struct buf *out, struct plerr *e)
{
	const struct pl_seckey *keys[1] = { key };
	struct statement st;
	struct buf body = { 0 };
	int ret;

	ret = canon_dump(stmt, &body, e);
	if (ret)
		goto out;
	ret = statement_parse(body.p, body.len, &st, e);
	if (ret) {
		plerr_prefix(e, "refusing to sign an invalid statement");
		goto out;
	}
	statement__free(&st);
	ret = dsse_sign(DSSE_INTOTO_TYPE, body.p, body.len, keys, 1, out, e);
out:
	buf_free(&body);
	return ret;
}

static int check_subject(json_t *s, size_t i, struct plerr *e)
{
	json_t *name = json_object_get(s, "name"), *digest = json_object_get(s, "digest"), *h;

	if (!json_is_object(s) || json_object_size(s) != 2 || !json_is_string(name) || !json_is_object(digest))
		return plerr_set(e, -EINVAL, "subject %zu: must be exactly {\"digest\":{...},\"name\":\"...\"}", i);
	if (json_string_length(name) == 0 || json_string_length(name) > 255)
		return plerr_set(e, -EINVAL, "subject %zu: name must hold 1 to 255 characters", i);
	h = json_object_get(digest, "sha256");
	if (json_object_size(digest) != 1 || !json_is_string(h) || !is_sha256_hex(json_string_value(h)))
		return plerr_set(e, -EINVAL, "subject %zu: digest must be exactly {\"sha256\": 64 lowercase hex}", i);
	return 0;
}

int statement_parse(const uint8_t *p, size_t n, struct statement *st, struct plerr *e)
{
	json_t *root, *type, *ptype, *subj, *s;
	const char *k;
	json_t *v;
	size_t i;
	int ret;

	memset(st, 0, sizeof(*st));
	root = canon_parse(p, n, e);
	if (!root) {
		plerr_prefix(e, "statement");
		return -EINVAL;
	}
	ret = plerr_set(e, -EINVAL, "statement: not a JSON object");
	if (!json_is_object(root))
		goto fail;
	json_object_foreach(root, k, v) {
		if (strcmp(k, "_type") && strcmp(k, "subject") && strcmp(k, "predicateType") &&
		    strcmp(k, "predicate")) {
			ret = plerr_set(e, -EINVAL, "statement: unknown member \"%s\"", k);
			goto fail;
		}
	}
	type = json_object_get(root, "_type");
	if (!json_is_string(type) || strcmp(json_string_value(type), INTOTO_STATEMENT_V1)) {
		ret = plerr_set(e, -EINVAL, "statement: _type is not \"" INTOTO_STATEMENT_V1 "\"");
		goto fail;
	}
	ptype = json_object_get(root, "predicateType");
	if (!json_is_string(ptype) ||
	    strncmp(json_string_value(ptype), PL_PREDICATE_PREFIX, strlen(PL_PREDICATE_PREFIX)) ||
	    kind_parse(json_string_value(ptype), &st->kind)) {
		if (json_is_string(ptype) && !strcmp(json_string_value(ptype), PL_PREDICATE_PREFIX "Baseline/v1")) {
			ret = plerr_set(e, -EINVAL,
					"statement: a Baseline/v1 predates calibrated baselines (no null distribution, "
					"no sensor model): register the baseline again with this agent");
			goto fail;
		}
		if (json_is_string(ptype) && !strcmp(json_string_value(ptype), PL_PREDICATE_PREFIX "Baseline/v2")) {
			ret = plerr_set(e, -EINVAL,
					"statement: a Baseline/v2 was calibrated for an older model-mismatch statistic "
					"(no commissioned range per feature): register the baseline again with this agent");
			goto fail;
		}
		ret = plerr_set(e, -EINVAL, "statement: unknown predicateType %s",
				json_is_string(ptype) ? json_string_value(ptype) : "(missing)");
		goto fail;
	}
	subj = json_object_get(root, "subject");
	if (!json_is_array(subj) || json_array_size(subj) == 0 || json_array_size(subj) > PL_STATEMENT_MAX_SUBJECTS) {
		ret = plerr_set(e, -EINVAL, "statement: subject must be an array of 1 to %d entries",
				PL_STATEMENT_MAX_SUBJECTS);
		goto fail;
	}
	json_array_foreach(subj, i, s) {
		ret = check_subject(s, i, e);
		if (ret) {
			plerr_prefix(e, "statement");
			goto fail;
		}
	}
	st->predicate = json_object_get(root, "predicate");
	if (!json_is_object(st->predicate)) {
		ret = plerr_set(e, -EINVAL, "statement: predicate is not an object");
		goto fail;
	}
	ret = predicate_check(st->kind, st->predicate, e);
	if (ret) {
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e ? e->msg : "");
		plerr_set(e, ret, "%s predicate: %s", kind_name(st->kind), why);
		goto fail;
	}
	st->root = root;
	st->subjects = subj;
	return 0;
fail:
	json_decref(root);
	memset(st, 0, sizeof(*st));
	return ret;
}

void statement__free(struct statement *st)
{
	json_decref(st->root);
	memset(st, 0, sizeof(*st));
}

const char *statement_subject_digest(const struct statement *st, const char *name)
{
	json_t *s;
	size_t i;

	json_array_foreach(st->subjects, i, s)
		if (!strcmp(json_string_value(json_object_get(s, "name")), name))
			return json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));
	return NULL;
}

int statement_open_report(const uint8_t *p, size_t n, const struct pl_pubkey *trusted, size_t ntrusted,
			  struct signed_statement *out, struct open_report *rep, struct plerr *e)
{
	struct dsse_sig_check res[DSSE_MAX_SIGS];
	struct open_report dummy;
	char what[32], why[sizeof(e->msg)];
	int ret;

	if (!rep)
		rep = &dummy;
	memset(rep, 0, sizeof(*rep));
	memset(out, 0, sizeof(*out));
	sha256_hex(p, n, out->digest);
	ret = dsse_parse(p, n, &out->env, e);
	if (ret)
		return ret;
	if (strcmp(out->env.payload_type, DSSE_INTOTO_TYPE)) {
		ret = plerr_set(e, -EINVAL, "DSSE payloadType is \"%s\", not \"" DSSE_INTOTO_TYPE "\"",
				out->env.payload_type);
		goto fail;
	}
	ret = dsse_check_sigs(&out->env, trusted, ntrusted, res, e);
	if (ret)
		goto fail;
	/*
	 * Signatures before parsing: we do not interpret unauthenticated
	 * payloads further.  Any trusted key will do here; the role is checked
	 * once the payload says which kind it is.
	 */
	rep->verdict = dsse_sig_verdict(&out->env, res, PL_ROLE_ANY, "it", &out->signer, &rep->unknown, e);
	if (rep->verdict != SIGV_OK) {
		ret = -EBADMSG;
		goto fail;
	}
	ret = statement_parse(out->env.payload, out->env.payload_len, &out->st, e);
	if (ret)
		goto fail;
	snprintf(what, sizeof(what), "%ss", kind_name(out->st.kind));
	rep->verdict =
		dsse_sig_verdict(&out->env, res, kind_signer(out->st.kind), what, &out->signer, &rep->unknown, e);
	if (rep->verdict != SIGV_OK) {
		snprintf(why, sizeof(why), "%s", e ? e->msg : "");
		ret = plerr_set(e, -EBADMSG, "%s statement %s", kind_name(out->st.kind), why);
		goto fail;
	}
	return 0;
fail:
	signed_statement__free(out);
	return ret;
}

int statement_open(const uint8_t *p, size_t n, const struct pl_pubkey *trusted, size_t ntrusted,
		   struct signed_statement *out, struct plerr *e)
{
	return statement_open_report(p, n, trusted, ntrusted, out, NULL, e);
}

void signed_statement__free(struct signed_statement *s)
{
	statement__free(&s->st);
	dsse_env__free(&s->env);
	s->signer = NULL;
}
