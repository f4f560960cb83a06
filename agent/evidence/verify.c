// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Offline checks of envelopes and detached signatures (see verify.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/attest.h"
#include "evidence/ledger.h"
#include "evidence/sig.h"
#include "evidence/statement.h"
#include "evidence/verify.h"

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	char *d;

	if (!s)
		return strdup(".");
	d = strndup(path, (size_t)(s - path) + (s == path));
	return d;
}

/* Subjects that exist as files next to the envelope must match. */
static int check_subjects(const char *env_path, const struct statement *st, struct vresult *r)
{
	char *dir = dir_of(env_path), *p, hex[SHA256_HEX_LEN];
	struct plerr e = { "" };
	const char *name, *want;
	json_t *s;
	size_t i;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
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
			ret = -ENOMEM;
			break;
		}
		if (access(p, F_OK)) {
			r->unchecked++;
			free(p);
			continue;
		}
		if (file_sha256_hex(p, hex, &e)) {
			snprintf(r->detail, sizeof(r->detail), "subject %s: %s", name, e.msg);
			free(p);
			ret = -EIO;
			break;
		}
		if (strcmp(hex, want)) {
			snprintf(r->detail, sizeof(r->detail),
				 "subject %s: sha256 %.16s... differs from the signed %.16s... (file changed)", name,
				 hex, want);
			free(p);
			ret = -EBADMSG;
			break;
		}
		if (st->kind == PL_KIND_TRACE && attest_check_trace(p, st->predicate, &e)) {
			snprintf(r->detail, sizeof(r->detail), "subject %s: %s", name, e.msg);
			free(p);
			ret = -EBADMSG;
			break;
		}
		r->checked++;
		free(p);
	}
	free(dir);
	return ret;
}

static int check_proof_links(const struct statement *st, struct vresult *r)
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
			return -EBADMSG;
		}
	}
	return 0;
}

void verify_envelope(const char *path, const struct keyring *kr, struct vresult *r)
{
	struct signed_statement ss;
	struct plerr e = { "" };
	struct buf b = { 0 };
	int ret;

	if (file_read(path, DSSE_MAX_LEN, &b, &e)) {
		r->io_error = true;
		snprintf(r->detail, sizeof(r->detail), "%s", e.msg);
		return;
	}
	ledger_leaf_hash_hex(b.p, b.len, r->leaf);
	ret = statement_open(b.p, b.len, kr->keys, kr->n, &ss, &e);
	buf_free(&b);
	if (ret) {
		snprintf(r->detail, sizeof(r->detail), "%s", e.msg);
		return;
	}
	snprintf(r->kind, sizeof(r->kind), "%s", kind_name(ss.st.kind));
	snprintf(r->keyid, sizeof(r->keyid), "%s", ss.signer->keyid);
	snprintf(r->role, sizeof(r->role), "%s", role_name(ss.signer->role));
	ret = check_subjects(path, &ss.st, r);
	if (!ret && ss.st.kind == PL_KIND_PROOF)
		ret = check_proof_links(&ss.st, r);
	if (ret == -EIO)
		r->io_error = true;
	r->ok = ret == 0;
	if (r->ok)
		snprintf(r->detail, sizeof(r->detail), "leaf %s, %u subject(s) checked, %u not present", r->leaf,
			 r->checked, r->unchecked);
	signed_statement__free(&ss);
}

void verify_detached(const char *body_path, const char *sig_path, const struct keyring *kr, struct vresult *r)
{
	struct buf body = { 0 }, sigtext = { 0 };
	uint8_t sig[ED25519_SIG_LEN];
	const struct pl_pubkey *signer;
	struct plerr e = { "" };

	snprintf(r->kind, sizeof(r->kind), "signature");
	if (file_read(sig_path, 4096, &sigtext, &e) || file_read(body_path, SIZE_MAX / 2, &body, &e)) {
		r->io_error = true;
		snprintf(r->detail, sizeof(r->detail), "%s", e.msg);
		goto out;
	}
	ledger_leaf_hash_hex(body.p, body.len, r->leaf);
	if (sig_parse(sigtext.p, sigtext.len, sig, &e) ||
	    sig_verify(body.p, body.len, sig, kr->keys, kr->n, &signer, &e)) {
		snprintf(r->detail, sizeof(r->detail), "%s: %s", sig_path, e.msg);
		goto out;
	}
	r->ok = true;
	snprintf(r->keyid, sizeof(r->keyid), "%s", signer->keyid);
	snprintf(r->role, sizeof(r->role), "%s", role_name(signer->role));
	snprintf(r->detail, sizeof(r->detail), "signature over %s (%zu bytes)", path_base(body_path), body.len);
out:
	buf_free(&body);
	buf_free(&sigtext);
}
