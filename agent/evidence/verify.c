// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Offline checks of envelopes and detached signatures (see verify.h). */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/trace.h"
#include "evidence/attest.h"
#include "evidence/ledger.h"
#include "evidence/sig.h"
#include "evidence/statement.h"
#include "evidence/verify.h"

static const char *const vstatus_names[__V_MAX] = {
	[V_OK] = "ok",
	[V_BAD_SIGNATURE] = "bad-signature",
	[V_WRONG_ROLE] = "wrong-role",
	[V_DIGEST_MISMATCH] = "digest-mismatch",
	[V_STATEMENT_MISMATCH] = "statement-mismatch",
	[V_UNREADABLE] = "unreadable",
	[V_MALFORMED] = "malformed",
	[V_SYSTEM] = "error",
};

const char *vstatus_name(enum vstatus s)
{
	return s < __V_MAX ? vstatus_names[s] : "?";
}

int vstatus_exit(enum vstatus s)
{
	switch (s) {
	case V_OK: return PL_EXIT_OK;
	case V_BAD_SIGNATURE:
	case V_WRONG_ROLE:
	case V_DIGEST_MISMATCH:
	case V_STATEMENT_MISMATCH: return PL_EXIT_NEG;
	default: return PL_EXIT_ERR;
	}
}

static void set_status(struct vresult *r, enum vstatus s)
{
	r->status = s;
	r->ok = s == V_OK;
}

static enum vstatus sig_status(enum sig_verdict v)
{
	return v == SIGV_OK ? V_OK : v == SIGV_WRONG_ROLE ? V_WRONG_ROLE : V_BAD_SIGNATURE;
}

/* What a failed file_read() says: too big for what it should be is malformed. */
static enum vstatus read_status(int err)
{
	return err == -ENOMEM ? V_SYSTEM : err == -EFBIG ? V_MALFORMED : V_UNREADABLE;
}

/* What a failed parse says. */
static enum vstatus parse_status(int err)
{
	return err == -ENOMEM ? V_SYSTEM : V_MALFORMED;
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	if (!s)
		return strdup(".");
	return strndup(path, (size_t)(s - path) + (s == path));
}

/* The trace file at path against the signed Trace predicate: which members differ. */
static enum vstatus check_trace(const char *path, const char *name, json_t *pred, struct vresult *r)
{
	struct plerr e = { "" };
	char diff[400];
	struct trace t;
	json_t *have;
	int ret;

	ret = trace_load(path, &t, &e);
	if (ret) {
		/* Its digest is the signed one: the reader signed a file that is not a trace. */
		snprintf(r->detail, sizeof(r->detail), "subject %s: %s", name, e.msg);
		return ret == -EINVAL || ret == -EFBIG ? V_MALFORMED : read_status(ret);
	}
	have = attest_trace_predicate(&t);
	trace__free(&t);
	if (!have) {
		snprintf(r->detail, sizeof(r->detail), "out of memory");
		return V_SYSTEM;
	}
	if (predicate_diff(pred, have, "signed", "trace has", diff, sizeof(diff))) {
		json_decref(have);
		snprintf(r->detail, sizeof(r->detail),
			 "subject %s: the trace differs from the signed Trace predicate: %s", name, diff);
		return V_STATEMENT_MISMATCH;
	}
	json_decref(have);
	return V_OK;
}

/* Subjects that exist as files next to the envelope must match. */
static enum vstatus check_subjects(const char *env_path, const struct statement *st, struct vresult *r)
{
	char *dir = dir_of(env_path), *p, hex[SHA256_HEX_LEN];
	enum vstatus ret = V_OK;
	struct plerr e = { "" };
	const char *name, *want;
	json_t *s;
	size_t i;

	if (!dir) {
		snprintf(r->detail, sizeof(r->detail), "out of memory");
		return V_SYSTEM;
	}
	json_array_foreach(st->subjects, i, s) {
		name = json_string_value(json_object_get(s, "name"));
		want = json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));
		/* Names are labels, not paths: never follow one out of the directory. */
		if (strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, ".")) {
			r->unchecked++;
			continue;
		}
		p = path_join(dir, name);
		if (!p) {
			snprintf(r->detail, sizeof(r->detail), "out of memory");
			ret = V_SYSTEM;
			break;
		}
		if (access(p, F_OK)) {
			r->unchecked++;
			free(p);
			continue;
		}
		if (file_sha256_hex(p, hex, &e)) {
			snprintf(r->detail, sizeof(r->detail), "subject %s: %s", name, e.msg);
			ret = V_UNREADABLE;
		} else if (strcmp(hex, want)) {
			snprintf(r->detail, sizeof(r->detail),
				 "subject %s: sha256 %.16s... differs from the signed %.16s... (file changed)", name,
				 hex, want);
			ret = V_DIGEST_MISMATCH;
		} else if (st->kind == PL_KIND_TRACE) {
			ret = check_trace(p, name, st->predicate, r);
		}
		free(p);
		if (ret != V_OK)
			break;
		r->checked++;
	}
	free(dir);
	return ret;
}

static enum vstatus check_proof_links(const struct statement *st, struct vresult *r)
{
	static const char *const members[] = { "trace_digest", "claim_digest", "baseline_digest" };
	const char *want;
	json_t *s;
	size_t i, j;
	bool found;

	for (j = 0; j < 3; j++) {
		want = json_string_value(json_object_get(st->predicate, members[j]));
		found = false;
		json_array_foreach(st->subjects, i, s)
			if (!strcmp(json_string_value(json_object_get(json_object_get(s, "digest"), "sha256")), want))
				found = true;
		if (!found) {
			snprintf(r->detail, sizeof(r->detail), "Proof %s is not among its subjects", members[j]);
			return V_STATEMENT_MISMATCH;
		}
	}
	return V_OK;
}

void verify_envelope(const char *path, const struct keyring *kr, struct vresult *r)
{
	struct signed_statement ss;
	struct open_report rep;
	struct plerr e = { "" };
	struct buf b = { 0 };
	enum vstatus st;
	int ret;

	ret = file_read(path, DSSE_MAX_LEN, &b, &e);
	if (ret) {
		set_status(r, read_status(ret));
		snprintf(r->detail, sizeof(r->detail), "%s", e.msg);
		return;
	}
	ledger_leaf_hash_hex(b.p, b.len, r->leaf);
	ret = statement_open_report(b.p, b.len, kr->keys, kr->n, &ss, &rep, &e);
	buf_free(&b);
	r->unknown_sigs = rep.unknown;
	if (ret) {
		set_status(r, ret == -EBADMSG ? sig_status(rep.verdict) : parse_status(ret));
		snprintf(r->detail, sizeof(r->detail), "%s", e.msg);
		return;
	}
	snprintf(r->kind, sizeof(r->kind), "%s", kind_name(ss.st.kind));
	snprintf(r->keyid, sizeof(r->keyid), "%s", ss.signer->keyid);
	snprintf(r->role, sizeof(r->role), "%s", role_name(ss.signer->role));
	st = check_subjects(path, &ss.st, r);
	if (st == V_OK && ss.st.kind == PL_KIND_PROOF)
		st = check_proof_links(&ss.st, r);
	set_status(r, st);
	if (r->ok) {
		int n = snprintf(r->detail, sizeof(r->detail), "leaf %s, %u subject(s) checked, %u not present",
				 r->leaf, r->checked, r->unchecked);

		if (r->unknown_sigs && n > 0 && (size_t)n < sizeof(r->detail))
			snprintf(r->detail + n, sizeof(r->detail) - (size_t)n,
				 "; %u signature%s by a key not trusted here ignored", r->unknown_sigs,
				 r->unknown_sigs > 1 ? "s" : "");
	}
	signed_statement__free(&ss);
}

/* Fills r from the detached signature; the body is the caller's, already read. */
static void check_detached(const struct buf *body, const char *body_path, const char *sig_path,
			   const struct keyring *kr, enum pl_role sig_role, struct vresult *r)
{
	struct buf sigtext = { 0 };
	uint8_t sig[ED25519_SIG_LEN];
	const struct pl_pubkey *signer;
	struct plerr e = { "" };
	enum sig_verdict v;
	int ret;

	ret = file_read(sig_path, 4096, &sigtext, &e);
	if (ret) {
		set_status(r, read_status(ret));
		snprintf(r->detail, sizeof(r->detail), "%s", e.msg);
		return;
	}
	ret = sig_parse(sigtext.p, sigtext.len, sig, &e);
	buf_free(&sigtext);
	if (ret) {
		set_status(r, V_MALFORMED);
		snprintf(r->detail, sizeof(r->detail), "%s: %s", sig_path, e.msg);
		return;
	}
	v = sig_verify(body->p, body->len, sig, kr->keys, kr->n, sig_role, &signer, &e);
	set_status(r, sig_status(v));
	if (v != SIGV_OK) {
		snprintf(r->detail, sizeof(r->detail), "%s: %s", sig_path, e.msg);
		return;
	}
	snprintf(r->keyid, sizeof(r->keyid), "%s", signer->keyid);
	snprintf(r->role, sizeof(r->role), "%s", role_name(signer->role));
	snprintf(r->detail, sizeof(r->detail), "signature over %s (%zu bytes)", path_base(body_path), body->len);
}

void verify_detached(const char *body_path, const char *sig_path, const struct keyring *kr, enum pl_role sig_role,
		     struct vresult *r)
{
	struct buf body = { 0 };
	struct plerr e = { "" };
	int ret;

	snprintf(r->kind, sizeof(r->kind), "signature");
	r->detached = true;
	ret = file_read(body_path, SIZE_MAX / 2, &body, &e);
	if (ret) {
		set_status(r, read_status(ret));
		snprintf(r->detail, sizeof(r->detail), "%s", e.msg);
		return;
	}
	ledger_leaf_hash_hex(body.p, body.len, r->leaf);
	check_detached(&body, body_path, sig_path, kr, sig_role, r);
	buf_free(&body);
}

/*
 * Would anyone read these bytes as an envelope?  Then they are verified as
 * one, whatever else vouches for them.  Deliberately loose (any JSON object
 * that names a DSSE member, not only canonical or parseable ones): a
 * near-miss envelope is a malformed envelope, not a plain file.
 */
static bool is_envelope(const char *path, const struct buf *b)
{
	const char *p = (const char *)b->p, *end = p + b->len;

	if (str_ends_with(path, ".dsse.json"))
		return true;
	/*
	 * Classified without a parse, at any size: a JSON parser fails on
	 * what an attacker can add (a huge integer, \u0000, deep nesting,
	 * 16 MiB of padding), and a failed parse must not turn an envelope
	 * into a "plain file" checked only by its detached signature.
	 */
	if (b->len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p == end || *p != '{')
		return false;
	return memmem(p, (size_t)(end - p), "\"payload", 8) || memmem(p, (size_t)(end - p), "\"signatures\"", 12);
}

/* body_path with sig_path beside it: the envelope first (if it is one), then the signature. */
static void verify_signed_file(const char *body_path, const char *sig_path, const struct keyring *kr,
			       enum pl_role sig_role, struct vresult *r)
{
	struct vresult d = { 0 };
	struct buf body = { 0 };
	struct plerr e = { "" };
	int ret;

	ret = file_read(body_path, SIZE_MAX / 2, &body, &e);
	if (ret) {
		snprintf(r->kind, sizeof(r->kind), "signature");
		set_status(r, read_status(ret));
		snprintf(r->detail, sizeof(r->detail), "%s", e.msg);
		return;
	}
	if (!is_envelope(body_path, &body)) {
		buf_free(&body);
		verify_detached(body_path, sig_path, kr, sig_role, r);
		return;
	}
	verify_envelope(body_path, kr, r);
	if (r->ok) {
		snprintf(d.kind, sizeof(d.kind), "signature");
		check_detached(&body, body_path, sig_path, kr, sig_role, &d);
		r->detached = true;
		if (!d.ok) {
			set_status(r, d.status);
			strfmt(r->detail, sizeof(r->detail), "detached %s", d.detail);
		} else {
			size_t n = strlen(r->detail);

			snprintf(r->detail + n, sizeof(r->detail) - n, "; detached signature %s by %s key %.16s...",
				 path_base(sig_path), d.role, d.keyid);
		}
	}
	buf_free(&body);
}

void verify_path(const char *path, const struct keyring *kr, enum pl_role sig_role, struct vresult *r)
{
	char *other;

	if (str_ends_with(path, ".sig")) {
		other = strndup(path, strlen(path) - 4);
		if (other)
			verify_signed_file(other, path, kr, sig_role, r);
	} else {
		other = malloc(strlen(path) + 5);
		if (other) {
			sprintf(other, "%s.sig", path);
			if (access(other, F_OK) == 0)
				verify_signed_file(path, other, kr, sig_role, r);
			else
				verify_envelope(path, kr, r);
		}
	}
	if (!other) {
		set_status(r, V_SYSTEM);
		snprintf(r->detail, sizeof(r->detail), "out of memory");
	}
	free(other);
}
