// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * verify's rules over files (evidence/verify.h): an envelope is always
 * verified as an envelope, a detached FILE.sig is an extra check bound to
 * a role, and every outcome has a kind that decides the exit status
 * (negative verdicts 1, could-not-verify 2) without reading message text.
 */
#define _GNU_SOURCE /* memmem */
#include "testutil.h"

#include <errno.h>

#include <sodium.h>

#include "evidence/canon.h"
#include "evidence/dsse.h"
#include "evidence/sig.h"
#include "evidence/statement.h"
#include "evidence/verify.h"

struct fix {
	char *dir;
	struct pl_seckey reader, operator, vendor;
	struct keyring kr;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct plerr e;

	f->dir = tu_tmpdir();
	if (seckey__generate(&f->reader, &e) || seckey__generate(&f->operator, & e) || seckey__generate(&f->vendor, &e))
		return -1;
	if (seckey__save(&f->reader, tu_path(f->dir, "reader.key"), tu_path(f->dir, "reader.pub"), false, &e) ||
	    seckey__save(&f->operator, tu_path(f->dir, "operator.key"), tu_path(f->dir, "operator.pub"), false, &e) ||
	    seckey__save(&f->vendor, tu_path(f->dir, "vendor.key"), tu_path(f->dir, "vendor.pub"), false, &e))
		return -1;
	if (keyring_add_dir(&f->kr, f->dir, &e))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	seckey__free(&f->reader);
	seckey__free(&f->operator);
	seckey__free(&f->vendor);
	keyring__free(&f->kr);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

static void write_claim(struct fix *f, const char *name, int64_t tokens, const struct pl_seckey *const *keys, size_t n)
{
	const char *fp = "0000000000000000000000000000000000000000000000000000000000000001";
	json_t *st = statement_new(PL_KIND_WORKLOAD, json_pack("[o]", subject_new("hardware", fp)),
				   json_pack("{s:s,s:s,s:I,s:{s:I,s:I},s:s}", "hardware_fingerprint", fp, "model",
					     "gpt4-class", "tokens_per_s", (json_int_t)tokens, "window", "end_ns",
					     (json_int_t)2000000000, "start_ns", (json_int_t)1000000000, "workload",
					     "inference"));
	struct buf body = { 0 }, env = { 0 };
	struct plerr e = { "" };

	assert_int_equal(canon_dump(st, &body, &e), 0);
	assert_int_equal(dsse_sign(DSSE_INTOTO_TYPE, body.p, body.len, keys, n, &env, &e), 0);
	tu_write(tu_path(f->dir, name), env.p, env.len);
	json_decref(st);
	buf_free(&body);
	buf_free(&env);
}

static void write_sig(struct fix *f, const char *name, const struct pl_seckey *k)
{
	struct buf body = { 0 }, sig = { 0 };
	char sname[256];

	tu_read(tu_path(f->dir, name), &body);
	assert_int_equal(sig_sign(k, body.p, body.len, &sig), 0);
	snprintf(sname, sizeof(sname), "%s.sig", name);
	tu_write(tu_path(f->dir, sname), sig.p, sig.len);
	buf_free(&body);
	buf_free(&sig);
}

static enum vstatus check(struct fix *f, const char *name, enum pl_role sig_role, struct vresult *r)
{
	memset(r, 0, sizeof(*r));
	verify_path(tu_path(f->dir, name), &f->kr, sig_role, r);
	assert_int_equal(r->ok, r->status == V_OK);
	return r->status;
}

/* Issue 8.1: the forgery repro, through verify_path(). */
static void test_forged_envelope_with_detached_sig(void **state)
{
	struct fix *f = *state;
	struct buf env = { 0 }, forged = { 0 };
	struct vresult r;
	struct dsse_env d;
	struct plerr e;
	char *p64, *at;
	json_t *v;

	write_claim(f, "claim.dsse.json", 2400, (const struct pl_seckey *const[]){ &f->vendor }, 1);
	assert_int_equal(check(f, "claim.dsse.json", PL_ROLE_OPERATOR, &r), V_OK);
	/* tokens/s 2400 -> 9999 under the vendor's signature, then a reader signs the file. */
	tu_read(tu_path(f->dir, "claim.dsse.json"), &env);
	assert_int_equal(dsse_parse(env.p, env.len, &d, &e), 0);
	at = memmem(d.payload, d.payload_len, "\"tokens_per_s\":2400", 19);
	assert_non_null(at);
	memcpy(at + 15, "9999", 4);
	p64 = b64_encode(d.payload, d.payload_len);
	v = json_loadb((const char *)env.p, env.len, 0, NULL);
	json_object_set_new(v, "payload", json_string(p64));
	assert_int_equal(canon_dump(v, &forged, &e), 0);
	tu_write(tu_path(f->dir, "forged.dsse.json"), forged.p, forged.len);
	write_sig(f, "forged.dsse.json", &f->reader);
	assert_int_equal(check(f, "forged.dsse.json", PL_ROLE_OPERATOR, &r), V_BAD_SIGNATURE);
	assert_non_null(strstr(r.detail, "bad signature: signature 0"));
	assert_int_equal(vstatus_exit(r.status), PL_EXIT_NEG);
	assert_int_equal(check(f, "forged.dsse.json.sig", PL_ROLE_OPERATOR, &r), V_BAD_SIGNATURE);
	/* Not even with the detached signature's role widened to the reader's. */
	assert_int_equal(check(f, "forged.dsse.json.sig", PL_ROLE_READER, &r), V_BAD_SIGNATURE);
	/* Nor by an operator's detached signature. */
	write_sig(f, "forged.dsse.json", &f->operator);
	assert_int_equal(check(f, "forged.dsse.json", PL_ROLE_OPERATOR, &r), V_BAD_SIGNATURE);
	/* An envelope that does not say .dsse.json is still an envelope. */
	tu_write(tu_path(f->dir, "forged.json"), forged.p, forged.len);
	write_sig(f, "forged.json", &f->operator);
	assert_int_equal(check(f, "forged.json.sig", PL_ROLE_OPERATOR, &r), V_BAD_SIGNATURE);
	free(p64);
	json_decref(v);
	dsse_env__free(&d);
	buf_free(&env);
	buf_free(&forged);
}

static void test_detached_role(void **state)
{
	struct fix *f = *state;
	struct vresult r;

	write_claim(f, "good.dsse.json", 2400, (const struct pl_seckey *const[]){ &f->vendor }, 1);
	write_sig(f, "good.dsse.json", &f->reader);
	assert_int_equal(check(f, "good.dsse.json", PL_ROLE_OPERATOR, &r), V_WRONG_ROLE);
	assert_int_equal(vstatus_exit(r.status), PL_EXIT_NEG);
	assert_non_null(strstr(r.detail, "only operator keys sign detached signatures"));
	assert_int_equal(check(f, "good.dsse.json", PL_ROLE_READER, &r), V_OK);
	assert_string_equal(r.kind, "Workload");
	assert_string_equal(r.role, "vendor");
	assert_true(r.detached);
	write_sig(f, "good.dsse.json", &f->operator);
	assert_int_equal(check(f, "good.dsse.json.sig", PL_ROLE_OPERATOR, &r), V_OK);
	assert_non_null(strstr(r.detail, "detached signature good.dsse.json.sig by operator key"));
	/* A plain file: the detached signature alone. */
	tu_write(tu_path(f->dir, "report.txt"), "report\n", 7);
	write_sig(f, "report.txt", &f->reader);
	assert_int_equal(check(f, "report.txt", PL_ROLE_OPERATOR, &r), V_WRONG_ROLE);
	assert_int_equal(check(f, "report.txt.sig", PL_ROLE_READER, &r), V_OK);
	assert_string_equal(r.kind, "signature");
	tu_write(tu_path(f->dir, "report.txt"), "reporT\n", 7);
	assert_int_equal(check(f, "report.txt", PL_ROLE_READER, &r), V_BAD_SIGNATURE);
	/* A garbled signature file is malformed, a missing body unreadable: errors, not verdicts. */
	tu_write(tu_path(f->dir, "report.txt.sig"), "not base64!", 11);
	assert_int_equal(check(f, "report.txt", PL_ROLE_READER, &r), V_MALFORMED);
	assert_int_equal(vstatus_exit(r.status), PL_EXIT_ERR);
	tu_write(tu_path(f->dir, "gone.txt.sig"), "x", 1);
	assert_int_equal(check(f, "gone.txt.sig", PL_ROLE_READER, &r), V_UNREADABLE);
	assert_int_equal(vstatus_exit(r.status), PL_EXIT_ERR);
}

/* Issue 8.2 and 8.3 through files: every signature counts, wrong role is a verdict. */
static void test_signers_and_kinds(void **state)
{
	struct fix *f = *state;
	struct vresult r;
	struct buf b = { 0 };

	write_claim(f, "rv.dsse.json", 1, (const struct pl_seckey *const[]){ &f->reader, &f->vendor }, 2);
	assert_int_equal(check(f, "rv.dsse.json", PL_ROLE_OPERATOR, &r), V_OK);
	assert_string_equal(r.role, "vendor");
	assert_string_equal(r.keyid, f->vendor.pub.keyid);
	write_claim(f, "ro.dsse.json", 1, (const struct pl_seckey *const[]){ &f->reader, &f->operator }, 2);
	assert_int_equal(check(f, "ro.dsse.json", PL_ROLE_OPERATOR, &r), V_WRONG_ROLE);
	assert_int_equal(vstatus_exit(r.status), PL_EXIT_NEG);
	assert_non_null(strstr(r.detail, "only vendor keys sign Workloads"));
	/* Malformed: truncated, non-JSON, non-canonical. */
	tu_read(tu_path(f->dir, "rv.dsse.json"), &b);
	tu_write(tu_path(f->dir, "cut.dsse.json"), b.p, b.len / 2);
	assert_int_equal(check(f, "cut.dsse.json", PL_ROLE_OPERATOR, &r), V_MALFORMED);
	assert_int_equal(vstatus_exit(r.status), PL_EXIT_ERR);
	tu_write(tu_path(f->dir, "junk.dsse.json"), "junk", 4);
	assert_int_equal(check(f, "junk.dsse.json", PL_ROLE_OPERATOR, &r), V_MALFORMED);
	buf_putc(&b, '\n');
	tu_write(tu_path(f->dir, "nl.dsse.json"), b.p, b.len);
	assert_int_equal(check(f, "nl.dsse.json", PL_ROLE_OPERATOR, &r), V_MALFORMED);
	assert_int_equal(check(f, "missing.dsse.json", PL_ROLE_OPERATOR, &r), V_UNREADABLE);
	buf_free(&b);
}

static void test_exit_mapping(void **state)
{
	(void)state;
	assert_int_equal(vstatus_exit(V_OK), PL_EXIT_OK);
	assert_int_equal(vstatus_exit(V_BAD_SIGNATURE), PL_EXIT_NEG);
	assert_int_equal(vstatus_exit(V_WRONG_ROLE), PL_EXIT_NEG);
	assert_int_equal(vstatus_exit(V_DIGEST_MISMATCH), PL_EXIT_NEG);
	assert_int_equal(vstatus_exit(V_STATEMENT_MISMATCH), PL_EXIT_NEG);
	assert_int_equal(vstatus_exit(V_UNREADABLE), PL_EXIT_ERR);
	assert_int_equal(vstatus_exit(V_MALFORMED), PL_EXIT_ERR);
	assert_int_equal(vstatus_exit(V_SYSTEM), PL_EXIT_ERR);
	assert_string_equal(vstatus_name(V_WRONG_ROLE), "wrong-role");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forged_envelope_with_detached_sig),
		cmocka_unit_test(test_detached_role),
		cmocka_unit_test(test_signers_and_kinds),
		cmocka_unit_test(test_exit_mapping),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
