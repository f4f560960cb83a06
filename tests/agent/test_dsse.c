// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Signing: DSSE envelopes around in-toto statements and detached
 * signatures, checked by us and by openssl (pkeyutl -verify -rawin) over
 * the PAE and over plain bodies; forged, truncated, re-keyed and
 * payload-swapped variants must fail in both.  Also statement and
 * predicate schema checks, signer roles, and RFC 6962 hashing.
 */
#define _GNU_SOURCE /* memmem */
#include "testutil.h"

#include <errno.h>

#include <sodium.h>

#include "evidence/canon.h"
#include "evidence/dsse.h"
#include "evidence/ledger.h"
#include "evidence/sig.h"
#include "evidence/statement.h"

struct fix {
	char *dir;
	struct pl_seckey vendor, attacker;
	struct pl_pubkey trusted;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct plerr e;

	f->dir = tu_tmpdir();
	if (seckey__generate(&f->vendor, &e) || seckey__generate(&f->attacker, &e))
		return -1;
	if (seckey__save(&f->vendor, tu_path(f->dir, "vendor.key"), tu_path(f->dir, "vendor.pub"), false, &e))
		return -1;
	if (seckey__save(&f->attacker, tu_path(f->dir, "attacker.key"), tu_path(f->dir, "attacker.pub"), false, &e))
		return -1;
	f->trusted = f->vendor.pub;
	f->trusted.role = PL_ROLE_VENDOR;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	seckey__free(&f->vendor);
	seckey__free(&f->attacker);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

static json_t *workload_statement(int64_t tokens)
{
	const char *fp = "0000000000000000000000000000000000000000000000000000000000000001";

	return statement_new(PL_KIND_WORKLOAD, json_pack("[o]", subject_new("hardware", fp)),
			     json_pack("{s:s,s:s,s:I,s:{s:I,s:I},s:s}", "hardware_fingerprint", fp, "model",
				       "gpt4-class", "tokens_per_s", (json_int_t)tokens, "window", "end_ns",
				       (json_int_t)2000000000, "start_ns", (json_int_t)1000000000, "workload",
				       "inference"));
}

static void sign_statement(const struct pl_seckey *k, json_t *stmt, struct buf *env)
{
	struct plerr e = { "" };

	env->len = 0;
	if (statement_sign(stmt, k, env, &e))
		fail_msg("sign: %s", e.msg);
	json_decref(stmt);
}

/* Envelope from raw parts, so tests can splice payloads and signatures. */
static void build_env(const uint8_t *payload, size_t n, const char *keyid, const uint8_t sig[64], struct buf *out)
{
	char *p = b64_encode(payload, n), *s = b64_encode(sig, 64);
	json_t *env = json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "payload", p, "payloadType", DSSE_INTOTO_TYPE, "signatures",
				"keyid", keyid, "sig", s);
	struct plerr e;

	out->len = 0;
	assert_int_equal(canon_dump(env, out, &e), 0);
	json_decref(env);
	free(p);
	free(s);
}

/* Writes PAE(payload) and the raw signature, runs openssl; returns its exit status. */
static int openssl_verify_pae(struct fix *f, const char *pub, const uint8_t *payload, size_t n, const uint8_t sig[64])
{
	struct buf pae = { 0 };

	assert_int_equal(dsse_pae(DSSE_INTOTO_TYPE, payload, n, &pae), 0);
	tu_write(tu_path(f->dir, "pae.bin"), pae.p, pae.len);
	tu_write(tu_path(f->dir, "sig.bin"), sig, 64);
	buf_free(&pae);
	return tu_sh("cd %s && openssl pkeyutl -verify -pubin -inkey %s -rawin -in pae.bin -sigfile sig.bin "
		     ">/dev/null 2>&1",
		     f->dir, pub);
}

static int our_open(struct fix *f, const struct buf *env, struct plerr *e)
{
	struct signed_statement ss;
	int ret = statement_open(env->p, env->len, &f->trusted, 1, &ss, e);

	if (!ret)
		signed_statement__free(&ss);
	return ret;
}

static void test_dsse_openssl_accepts(void **state)
{
	struct fix *f = *state;
	struct buf env = { 0 }, again = { 0 };
	struct dsse_env d;
	struct plerr e = { "" };

	sign_statement(&f->vendor, workload_statement(120), &env);
	assert_int_equal(our_open(f, &env, &e), 0);
	assert_int_equal(dsse_parse(env.p, env.len, &d, &e), 0);
	assert_int_equal(d.nsigs, 1);
	assert_string_equal(d.sigs[0].keyid, f->vendor.pub.keyid);
	assert_int_equal(openssl_verify_pae(f, "vendor.pub", d.payload, d.payload_len, d.sigs[0].sig), 0);
	/* PAE is exactly the DSSE v1 byte string. */
	{
		struct buf pae = { 0 };
		char head[128];

		dsse_pae(DSSE_INTOTO_TYPE, d.payload, d.payload_len, &pae);
		snprintf(head, sizeof(head), "DSSEv1 28 application/vnd.in-toto+json %zu ", d.payload_len);
		assert_int_equal(pae.len, strlen(head) + d.payload_len);
		assert_memory_equal(pae.p, head, strlen(head));
		buf_free(&pae);
	}
	/* Stable bytes: signing the same statement again gives the same envelope (ledger leaves). */
	sign_statement(&f->vendor, workload_statement(120), &again);
	assert_int_equal(env.len, again.len);
	assert_memory_equal(env.p, again.p, env.len);
	/* No newline or whitespace anywhere in the envelope. */
	assert_null(memchr(env.p, '\n', env.len));
	assert_null(memchr(env.p, ' ', env.len));
	dsse_env__free(&d);
	buf_free(&env);
	buf_free(&again);
}

static void test_dsse_forged_payload(void **state)
{
	struct fix *f = *state;
	struct buf env = { 0 }, forged = { 0 };
	struct plerr e = { "" };
	struct dsse_env d;
	char *at;

	sign_statement(&f->vendor, workload_statement(120), &env);
	assert_int_equal(dsse_parse(env.p, env.len, &d, &e), 0);
	/* Claim 920 tokens/s instead of 120 under the same signature. */
	at = memmem(d.payload, d.payload_len, "\"tokens_per_s\":120", 18);
	assert_non_null(at);
	at[15] = '9';
	build_env(d.payload, d.payload_len, d.sigs[0].keyid, d.sigs[0].sig, &forged);
	assert_int_equal(our_open(f, &forged, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "bad signature"));
	assert_int_not_equal(openssl_verify_pae(f, "vendor.pub", d.payload, d.payload_len, d.sigs[0].sig), 0);
	/* A flipped signature bit fails too. */
	at[15] = '1';
	d.sigs[0].sig[10] ^= 1;
	build_env(d.payload, d.payload_len, d.sigs[0].keyid, d.sigs[0].sig, &forged);
	assert_int_equal(our_open(f, &forged, &e), -EBADMSG);
	assert_int_not_equal(openssl_verify_pae(f, "vendor.pub", d.payload, d.payload_len, d.sigs[0].sig), 0);
	dsse_env__free(&d);
	buf_free(&env);
	buf_free(&forged);
}

static void test_dsse_truncated(void **state)
{
	struct fix *f = *state;
	struct buf env = { 0 }, cut = { 0 };
	struct plerr e = { "" };
	struct dsse_env d;
	size_t n;

	sign_statement(&f->vendor, workload_statement(120), &env);
	for (n = 0; n < env.len; n += 7) {
		cut.len = 0;
		buf_put(&cut, env.p, n);
		assert_int_not_equal(our_open(f, &cut, &e), 0);
	}
	/* A truncated payload under the original signature. */
	assert_int_equal(dsse_parse(env.p, env.len, &d, &e), 0);
	build_env(d.payload, d.payload_len - 1, d.sigs[0].keyid, d.sigs[0].sig, &cut);
	assert_int_not_equal(our_open(f, &cut, &e), 0);
	assert_int_not_equal(openssl_verify_pae(f, "vendor.pub", d.payload, d.payload_len - 1, d.sigs[0].sig), 0);
	dsse_env__free(&d);
	buf_free(&env);
	buf_free(&cut);
}

static void test_dsse_rekeyed(void **state)
{
	struct fix *f = *state;
	struct buf env = { 0 }, rekeyed = { 0 };
	struct plerr e = { "" };
	struct dsse_env d;

	/* The attacker signs and claims the vendor's key id. */
	sign_statement(&f->attacker, workload_statement(120), &env);
	assert_int_equal(dsse_parse(env.p, env.len, &d, &e), 0);
	assert_int_equal(our_open(f, &env, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "no valid signature by a trusted key"));
	build_env(d.payload, d.payload_len, f->vendor.pub.keyid, d.sigs[0].sig, &rekeyed);
	assert_int_equal(our_open(f, &rekeyed, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "does not verify"));
	assert_int_not_equal(openssl_verify_pae(f, "vendor.pub", d.payload, d.payload_len, d.sigs[0].sig), 0);
	/* ... while the attacker's own key does verify it: the test is not vacuous. */
	assert_int_equal(openssl_verify_pae(f, "attacker.pub", d.payload, d.payload_len, d.sigs[0].sig), 0);
	dsse_env__free(&d);
	buf_free(&env);
	buf_free(&rekeyed);
}

static void test_dsse_payload_swapped(void **state)
{
	struct fix *f = *state;
	struct buf a = { 0 }, b = { 0 }, swapped = { 0 };
	struct plerr e = { "" };
	struct dsse_env da, db;

	sign_statement(&f->vendor, workload_statement(120), &a);
	sign_statement(&f->vendor, workload_statement(500), &b);
	assert_int_equal(dsse_parse(a.p, a.len, &da, &e), 0);
	assert_int_equal(dsse_parse(b.p, b.len, &db, &e), 0);
	build_env(db.payload, db.payload_len, da.sigs[0].keyid, da.sigs[0].sig, &swapped);
	assert_int_equal(our_open(f, &swapped, &e), -EBADMSG);
	assert_int_not_equal(openssl_verify_pae(f, "vendor.pub", db.payload, db.payload_len, da.sigs[0].sig), 0);
	assert_int_equal(openssl_verify_pae(f, "vendor.pub", db.payload, db.payload_len, db.sigs[0].sig), 0);
	dsse_env__free(&da);
	dsse_env__free(&db);
	buf_free(&a);
	buf_free(&b);
	buf_free(&swapped);
}

static void test_detached_vs_openssl(void **state)
{
	struct fix *f = *state;
	const char body[] = "{\"report\":1}\n";
	const struct pl_pubkey *signer;
	struct buf sigtext = { 0 };
	struct plerr e = { "" };
	uint8_t sig[64];

	assert_int_equal(sig_sign(&f->vendor, (const uint8_t *)body, strlen(body), &sigtext), 0);
	assert_null(memchr(sigtext.p, '\n', sigtext.len));
	assert_int_equal(sig_parse(sigtext.p, sigtext.len, sig, &e), 0);
	assert_int_equal(
		sig_verify((const uint8_t *)body, strlen(body), sig, &f->trusted, 1, PL_ROLE_VENDOR, &signer, &e),
		SIGV_OK);
	tu_write(tu_path(f->dir, "body"), body, strlen(body));
	tu_write(tu_path(f->dir, "body.sig"), sigtext.p, sigtext.len);
	assert_int_equal(
		tu_sh("cd %s && base64 -d body.sig > raw.sig && openssl pkeyutl -verify -pubin -inkey vendor.pub "
		      "-rawin -in body -sigfile raw.sig >/dev/null",
		      f->dir),
		0);
	/* Forged body, truncated body, other key: both reject. */
	tu_write(tu_path(f->dir, "forged"), "{\"report\":2}\n", 13);
	tu_write(tu_path(f->dir, "short"), body, strlen(body) - 1);
	assert_int_not_equal(tu_sh("cd %s && openssl pkeyutl -verify -pubin -inkey vendor.pub -rawin -in forged "
				   "-sigfile raw.sig >/dev/null 2>&1",
				   f->dir),
			     0);
	assert_int_not_equal(tu_sh("cd %s && openssl pkeyutl -verify -pubin -inkey vendor.pub -rawin -in short "
				   "-sigfile raw.sig >/dev/null 2>&1",
				   f->dir),
			     0);
	assert_int_not_equal(tu_sh("cd %s && openssl pkeyutl -verify -pubin -inkey attacker.pub -rawin -in body "
				   "-sigfile raw.sig >/dev/null 2>&1",
				   f->dir),
			     0);
	assert_int_equal(
		sig_verify((const uint8_t *)"{\"report\":2}\n", 13, sig, &f->trusted, 1, PL_ROLE_VENDOR, &signer, &e),
		SIGV_BAD);
	assert_int_equal(
		sig_verify((const uint8_t *)body, strlen(body) - 1, sig, &f->trusted, 1, PL_ROLE_VENDOR, &signer, &e),
		SIGV_BAD);
	/* Signature file text: one trailing newline tolerated, anything else not. */
	buf_putc(&sigtext, '\n');
	assert_int_equal(sig_parse(sigtext.p, sigtext.len, sig, &e), 0);
	buf_putc(&sigtext, '\n');
	assert_int_equal(sig_parse(sigtext.p, sigtext.len, sig, &e), -EINVAL);
	buf_free(&sigtext);
}

static void test_signed_by_openssl_key(void **state)
{
	struct fix *f = *state;
	struct pl_seckey k;
	struct pl_pubkey pub;
	struct buf env = { 0 };
	struct signed_statement ss;
	struct plerr e = { "" };

	/* A key made by openssl signs through us; we verify with openssl's public key file. */
	assert_int_equal(
		tu_sh("cd %s && openssl genpkey -algorithm ed25519 -out o.key 2>/dev/null && chmod 600 o.key && "
		      "openssl pkey -in o.key -pubout -out o.pub",
		      f->dir),
		0);
	assert_int_equal(seckey__load(&k, tu_path(f->dir, "o.key"), &e), 0);
	assert_int_equal(pubkey__load(&pub, tu_path(f->dir, "o.pub"), &e), 0);
	sign_statement(&k, workload_statement(7), &env);
	assert_int_equal(statement_open(env.p, env.len, &pub, 1, &ss, &e), 0);
	assert_int_equal(ss.st.kind, PL_KIND_WORKLOAD);
	signed_statement__free(&ss);
	seckey__free(&k);
	buf_free(&env);
}

static void test_roles_enforced(void **state)
{
	struct fix *f = *state;
	struct buf env = { 0 };
	struct plerr e = { "" };

	sign_statement(&f->vendor, workload_statement(1), &env);
	f->trusted.role = PL_ROLE_OPERATOR;
	assert_int_equal(our_open(f, &env, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "signed only by operator key"));
	assert_non_null(strstr(e.msg, "only vendor keys sign Workloads"));
	f->trusted.role = PL_ROLE_ANY;
	assert_int_equal(our_open(f, &env, &e), 0);
	f->trusted.role = PL_ROLE_VENDOR;
	buf_free(&env);
}

/* Envelope over stmt signed, in order, by each key (dsse_sign: every key over the same PAE). */
static void sign_multi(json_t *stmt, const struct pl_seckey *const *keys, size_t n, struct buf *env)
{
	struct buf body = { 0 };
	struct plerr e = { "" };

	env->len = 0;
	assert_int_equal(canon_dump(stmt, &body, &e), 0);
	assert_int_equal(dsse_sign(DSSE_INTOTO_TYPE, body.p, body.len, keys, n, env, &e), 0);
	json_decref(stmt);
	buf_free(&body);
}

static int open_with(const struct buf *env, const struct pl_pubkey *ring, size_t n, struct open_report *rep,
		     const struct pl_pubkey **signer, struct plerr *e)
{
	struct signed_statement ss;
	int ret = statement_open_report(env->p, env->len, ring, n, &ss, rep, e);

	if (!ret) {
		if (signer)
			*signer = ss.signer;
		signed_statement__free(&ss);
	}
	return ret;
}

static struct pl_pubkey with_role(const struct pl_seckey *k, enum pl_role r)
{
	struct pl_pubkey p = k->pub;

	p.role = r;
	return p;
}

/* Issue 8.2: the first signature that verifies must not decide the role. */
static void test_every_signature_counts(void **state)
{
	struct fix *f = *state;
	struct pl_seckey reader, operator;
	struct pl_pubkey ring[3];
	const struct pl_pubkey *signer = NULL;
	struct open_report rep;
	struct buf env = { 0 };
	struct plerr e = { "" };

	assert_int_equal(seckey__generate(&reader, &e), 0);
	assert_int_equal(seckey__generate(&operator, & e), 0);
	ring[0] = with_role(&reader, PL_ROLE_READER);
	ring[1] = with_role(&operator, PL_ROLE_OPERATOR);
	ring[2] = with_role(&f->vendor, PL_ROLE_VENDOR);
	/* [reader, vendor] for a Workload: the vendor's signature counts. */
	sign_multi(workload_statement(1), (const struct pl_seckey *const[]){ &reader, &f->vendor }, 2, &env);
	assert_int_equal(open_with(&env, ring, 3, &rep, &signer, &e), 0);
	assert_int_equal(rep.verdict, SIGV_OK);
	assert_ptr_equal(signer, &ring[2]);
	/* [vendor, reader] too. */
	sign_multi(workload_statement(1), (const struct pl_seckey *const[]){ &f->vendor, &reader }, 2, &env);
	assert_int_equal(open_with(&env, ring, 3, &rep, &signer, &e), 0);
	assert_ptr_equal(signer, &ring[2]);
	/* [reader, operator]: valid signatures, none by a vendor: wrong role, -EBADMSG (a verdict). */
	sign_multi(workload_statement(1), (const struct pl_seckey *const[]){ &reader, &operator }, 2, &env);
	assert_int_equal(open_with(&env, ring, 3, &rep, NULL, &e), -EBADMSG);
	assert_int_equal(rep.verdict, SIGV_WRONG_ROLE);
	assert_non_null(strstr(e.msg, "signed only by reader and operator keys"));
	assert_non_null(strstr(e.msg, "only vendor keys sign Workloads"));
	/* One key trusted in two roles: the vendor entry is the signer, whatever the order. */
	ring[0] = with_role(&f->vendor, PL_ROLE_READER);
	sign_multi(workload_statement(1), (const struct pl_seckey *const[]){ &f->vendor }, 1, &env);
	assert_int_equal(open_with(&env, ring, 3, &rep, &signer, &e), 0);
	assert_ptr_equal(signer, &ring[2]);
	/* A role-less key counts for every role, but a key of the exact role is named first. */
	ring[0] = with_role(&f->vendor, PL_ROLE_ANY);
	assert_int_equal(open_with(&env, ring, 3, &rep, &signer, &e), 0);
	assert_ptr_equal(signer, &ring[2]);
	assert_int_equal(open_with(&env, ring, 1, &rep, &signer, &e), 0);
	assert_ptr_equal(signer, &ring[0]);
	seckey__free(&reader);
	seckey__free(&operator);
	buf_free(&env);
}

/* Envelope over payload with two raw signatures. */
static void build_env2(const struct dsse_env *d, const struct dsse_sig *a, const struct dsse_sig *b, struct buf *out)
{
	char *p = b64_encode(d->payload, d->payload_len), *sa = b64_encode(a->sig, 64), *sb = b64_encode(b->sig, 64);
	json_t *env = json_pack("{s:s,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "payload", p, "payloadType", DSSE_INTOTO_TYPE,
				"signatures", "keyid", a->keyid, "sig", sa, "keyid", b->keyid, "sig", sb);
	struct plerr e;

	out->len = 0;
	assert_int_equal(canon_dump(env, out, &e), 0);
	json_decref(env);
	free(p);
	free(sa);
	free(sb);
}

/*
 * A signature made for a key the keyring has must verify under it, even when
 * another signature is valid; one by a key we do not have is counted, not fatal.
 */
static void test_bad_signature_never_ignored(void **state)
{
	struct fix *f = *state;
	struct buf env = { 0 }, two = { 0 };
	struct open_report rep;
	struct dsse_env d, a;
	struct dsse_sig bad;
	struct plerr e = { "" };

	sign_statement(&f->vendor, workload_statement(3), &env);
	assert_int_equal(dsse_parse(env.p, env.len, &d, &e), 0);
	sign_statement(&f->attacker, workload_statement(3), &two);
	assert_int_equal(dsse_parse(two.p, two.len, &a, &e), 0);
	/* The attacker's signature, labelled with the vendor's key id, then the vendor's valid one. */
	bad = a.sigs[0];
	memcpy(bad.keyid, f->vendor.pub.keyid, KEYID_HEX_LEN);
	build_env2(&d, &bad, &d.sigs[0], &two);
	assert_int_equal(open_with(&two, &f->trusted, 1, &rep, NULL, &e), -EBADMSG);
	assert_int_equal(rep.verdict, SIGV_BAD);
	assert_non_null(strstr(e.msg, "bad signature: signature 0"));
	/* Valid first, bad second: same verdict (order does not matter). */
	build_env2(&d, &d.sigs[0], &bad, &two);
	assert_int_equal(open_with(&two, &f->trusted, 1, &rep, NULL, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "bad signature: signature 1"));
	/* Under its own key id the attacker is merely unknown here: reported, not fatal. */
	build_env2(&d, &a.sigs[0], &d.sigs[0], &two);
	assert_int_equal(open_with(&two, &f->trusted, 1, &rep, NULL, &e), 0);
	assert_int_equal(rep.unknown, 1);
	/* dsse_verify() (the fuzz target's entry) holds the same line. */
	{
		const struct pl_pubkey *signer;
		struct dsse_env x;

		build_env2(&d, &d.sigs[0], &bad, &two);
		assert_int_equal(dsse_parse(two.p, two.len, &x, &e), 0);
		assert_int_equal(dsse_verify(&x, &f->trusted, 1, &signer, &e), -EBADMSG);
		dsse_env__free(&x);
	}
	dsse_env__free(&d);
	dsse_env__free(&a);
	buf_free(&env);
	buf_free(&two);
}

/* Detached signatures are bound to a role too. */
static void test_detached_roles(void **state)
{
	struct fix *f = *state;
	const char body[] = "report\n";
	const struct pl_pubkey *signer = NULL;
	struct pl_pubkey ring[2];
	struct buf text = { 0 };
	struct plerr e = { "" };
	uint8_t sig[64];

	assert_int_equal(sig_sign(&f->vendor, (const uint8_t *)body, strlen(body), &text), 0);
	assert_int_equal(sig_parse(text.p, text.len, sig, &e), 0);
	ring[0] = with_role(&f->vendor, PL_ROLE_READER);
	assert_int_equal(sig_verify((const uint8_t *)body, strlen(body), sig, ring, 1, PL_ROLE_OPERATOR, &signer, &e),
			 SIGV_WRONG_ROLE);
	assert_non_null(strstr(e.msg, "only operator keys sign detached signatures"));
	ring[1] = with_role(&f->vendor, PL_ROLE_OPERATOR);
	assert_int_equal(sig_verify((const uint8_t *)body, strlen(body), sig, ring, 2, PL_ROLE_OPERATOR, &signer, &e),
			 SIGV_OK);
	assert_ptr_equal(signer, &ring[1]);
	ring[0].role = PL_ROLE_ANY;
	assert_int_equal(sig_verify((const uint8_t *)body, strlen(body), sig, ring, 1, PL_ROLE_OPERATOR, &signer, &e),
			 SIGV_OK);
	ring[0] = with_role(&f->attacker, PL_ROLE_OPERATOR);
	assert_int_equal(sig_verify((const uint8_t *)body, strlen(body), sig, ring, 1, PL_ROLE_OPERATOR, &signer, &e),
			 SIGV_BAD);
	buf_free(&text);
}

static void test_predicate_diff(void **state)
{
	json_t *a = json_pack("{s:I,s:s,s:{s:s,s:s}}", "samples", (json_int_t)30001, "host", "elsewhere", "mfr", "id",
			      "ACME", "model", "X");
	json_t *b = json_pack("{s:I,s:s,s:{s:s,s:s},s:i}", "samples", (json_int_t)30000, "host", "h", "mfr", "id",
			      "ACME", "model", "Y", "rails", 3);
	char out[300];

	(void)state;
	assert_int_equal(predicate_diff(a, b, "signed", "trace has", out, sizeof(out)), 4);
	assert_non_null(strstr(out, "samples: signed 30001, trace has 30000"));
	assert_non_null(strstr(out, "host: signed \"elsewhere\", trace has \"h\""));
	assert_non_null(strstr(out, "mfr.model: signed \"X\", trace has \"Y\""));
	assert_non_null(strstr(out, "rails: signed (absent), trace has 3"));
	assert_null(strstr(out, "mfr.id"));
	assert_int_equal(predicate_diff(a, a, "signed", "trace has", out, sizeof(out)), 0);
	/* Cut short, not overrun. */
	assert_int_equal(predicate_diff(a, b, "signed", "trace has", out, 20), 4);
	assert_int_equal(strlen(out), 19);
	json_decref(a);
	json_decref(b);
}

static void expect_statement_rejected(struct fix *f, json_t *stmt, const char *why)
{
	struct buf body = { 0 }, env = { 0 };
	const struct pl_seckey *keys[1] = { &f->vendor };
	struct plerr e = { "" };

	/* statement_sign refuses it ... */
	if (!statement_sign(stmt, &f->vendor, &env, &e))
		fail_msg("signed an invalid statement");
	/* ... and a correctly signed envelope around it is still rejected. */
	assert_int_equal(canon_dump(stmt, &body, &e), 0);
	assert_int_equal(dsse_sign(DSSE_INTOTO_TYPE, body.p, body.len, keys, 1, &env, &e), 0);
	assert_int_equal(our_open(f, &env, &e), -EINVAL);
	if (!strstr(e.msg, why))
		fail_msg("error '%s' lacks '%s'", e.msg, why);
	json_decref(stmt);
	buf_free(&body);
	buf_free(&env);
}

static void test_statement_schema(void **state)
{
	struct fix *f = *state;
	json_t *s;

	s = workload_statement(1);
	json_object_set_new(s, "_type", json_string("https://in-toto.io/Statement/v0.1"));
	expect_statement_rejected(f, s, "_type");
	s = workload_statement(1);
	json_object_set_new(s, "predicateType", json_string("https://powerledger.dev/Mystery/v1"));
	expect_statement_rejected(f, s, "unknown predicateType");
	s = workload_statement(1);
	json_object_set_new(json_object_get(json_array_get(json_object_get(s, "subject"), 0), "digest"), "sha256",
			    json_string("ABCD"));
	expect_statement_rejected(f, s, "64 lowercase hex");
	s = workload_statement(1);
	json_object_del(json_object_get(s, "predicate"), "model");
	expect_statement_rejected(f, s, "missing member \"model\"");
	s = workload_statement(1);
	json_object_set_new(json_object_get(s, "predicate"), "extra", json_integer(1));
	expect_statement_rejected(f, s, "unknown member \"extra\"");
	s = workload_statement(1);
	json_object_set_new(json_object_get(s, "predicate"), "tokens_per_s", json_integer(-5));
	expect_statement_rejected(f, s, "non-negative");
	s = workload_statement(1);
	json_object_set_new(json_object_get(s, "predicate"), "workload", json_string("mining"));
	expect_statement_rejected(f, s, "unknown value");
	s = workload_statement(1);
	json_object_set_new(s, "subject", json_array());
	expect_statement_rejected(f, s, "subject must be an array");
}

static void test_envelope_strict(void **state)
{
	struct fix *f = *state;
	struct buf env = { 0 }, pretty = { 0 };
	struct plerr e = { "" };
	json_t *v;
	char *s;

	sign_statement(&f->vendor, workload_statement(1), &env);
	v = json_loadb((char *)env.p, env.len, 0, NULL);
	s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);
	buf_puts(&pretty, s);
	assert_int_equal(our_open(f, &pretty, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not canonical"));
	free(s);
	json_object_set_new(v, "extra", json_true());
	pretty.len = 0;
	assert_int_equal(canon_dump(v, &pretty, &e), 0);
	assert_int_equal(our_open(f, &pretty, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown member"));
	json_decref(v);
	buf_free(&env);
	buf_free(&pretty);
}

static void test_ledger_rfc6962_vectors(void **state)
{
	/* The leaf inputs and roots of the RFC 6962 reference implementation's tests. */
	static const char *const leaves[8] = {
		"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"
	};
	static const char *const roots[8] = {
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	};
	uint8_t hashes[8][32], root[32], in[16];
	char hex[65];
	size_t i, n;

	(void)state;
	for (i = 0; i < 8; i++) {
		n = strlen(leaves[i]) / 2;
		assert_int_equal(hex_decode(leaves[i], in, n), 0);
		ledger_leaf_hash(in, n, hashes[i]);
	}
	for (i = 1; i <= 8; i++) {
		ledger_root((const uint8_t(*)[32])hashes, i, root);
		hex_encode(root, 32, hex);
		assert_string_equal(hex, roots[i - 1]);
	}
	ledger_root(NULL, 0, root);
	hex_encode(root, 32, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dsse_openssl_accepts),
		cmocka_unit_test(test_dsse_forged_payload),
		cmocka_unit_test(test_dsse_truncated),
		cmocka_unit_test(test_dsse_rekeyed),
		cmocka_unit_test(test_dsse_payload_swapped),
		cmocka_unit_test(test_detached_vs_openssl),
		cmocka_unit_test(test_signed_by_openssl_key),
		cmocka_unit_test(test_roles_enforced),
		cmocka_unit_test(test_statement_schema),
		cmocka_unit_test(test_envelope_strict),
		cmocka_unit_test(test_ledger_rfc6962_vectors),
		cmocka_unit_test(test_every_signature_counts),
		cmocka_unit_test(test_bad_signature_never_ignored),
		cmocka_unit_test(test_detached_roles),
		cmocka_unit_test(test_predicate_diff),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
