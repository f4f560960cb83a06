// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Keys: PEM round trips against keys made by openssl and read back by
 * openssl, key ids as openssl computes them, strict PEM rejections,
 * O_EXCL/--force, file modes and the group/other-readable warning.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <sodium.h>

#include "evidence/keyring.h"
#include "evidence/keys.h"

static void test_openssl_key_loads(void **state)
{
	char *dir = tu_tmpdir();
	struct pl_seckey sk;
	struct pl_pubkey pk;
	struct plerr e = { "" };
	struct buf id = { 0 };

	(void)state;
	assert_int_equal(
		tu_sh("cd %s && openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null && chmod 600 k.pem && "
		      "openssl pkey -in k.pem -pubout -out pub.pem && "
		      "openssl pkey -pubin -in pub.pem -outform DER | sha256sum | cut -c1-64 | tr -d '\\n' > id",
		      dir),
		0);
	assert_int_equal(seckey__load(&sk, tu_path(dir, "k.pem"), &e), 0);
	assert_int_equal(pubkey__load(&pk, tu_path(dir, "pub.pem"), &e), 0);
	/* Same public key derived by us from the seed and by openssl. */
	assert_memory_equal(sk.pub.pk, pk.pk, ED25519_PK_LEN);
	tu_read(tu_path(dir, "id"), &id);
	assert_string_equal(pk.keyid, (char *)id.p);
	assert_string_equal(sk.pub.keyid, (char *)id.p);
	seckey__free(&sk);
	buf_free(&id);
	tu_rmdir(dir);
}

static void test_our_keys_read_by_openssl(void **state)
{
	char *dir = tu_tmpdir();
	struct pl_seckey sk, back;
	struct plerr e = { "" };
	struct buf ours = { 0 }, theirs = { 0 };
	struct stat st;

	(void)state;
	assert_int_equal(seckey__generate(&sk, &e), 0);
	assert_int_equal(seckey__save(&sk, tu_path(dir, "k.key"), tu_path(dir, "k.pub"), false, &e), 0);
	assert_int_equal(stat(tu_path(dir, "k.key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* openssl parses our PKCS#8 and derives exactly our SPKI file. */
	assert_int_equal(tu_sh("cd %s && openssl pkey -in k.key -pubout -out derived.pub", dir), 0);
	tu_read(tu_path(dir, "k.pub"), &ours);
	tu_read(tu_path(dir, "derived.pub"), &theirs);
	assert_int_equal(ours.len, theirs.len);
	assert_memory_equal(ours.p, theirs.p, ours.len);
	/* And re-encoding openssl's view of the private key gives our bytes back. */
	assert_int_equal(tu_sh("cd %s && openssl pkey -in k.key -out re.key && cmp -s re.key k.key", dir), 0);
	assert_int_equal(seckey__load(&back, tu_path(dir, "k.key"), &e), 0);
	assert_memory_equal(back.sk, sk.sk, ED25519_SK_LEN);
	seckey__free(&back);
	seckey__free(&sk);
	buf_free(&ours);
	buf_free(&theirs);
	tu_rmdir(dir);
}

static void test_excl_and_force(void **state)
{
	char *dir = tu_tmpdir();
	struct pl_seckey a, b, c;
	struct plerr e = { "" };
	struct pl_pubkey pk;

	(void)state;
	assert_int_equal(seckey__generate(&a, &e), 0);
	assert_int_equal(seckey__generate(&b, &e), 0);
	assert_int_equal(seckey__save(&a, tu_path(dir, "k.key"), tu_path(dir, "k.pub"), false, &e), 0);
	assert_int_equal(seckey__save(&b, tu_path(dir, "k.key"), tu_path(dir, "k.pub"), false, &e), -EEXIST);
	assert_non_null(strstr(e.msg, "--force"));
	/* The refused write left the first key in place. */
	assert_int_equal(seckey__load(&c, tu_path(dir, "k.key"), &e), 0);
	assert_memory_equal(c.pub.pk, a.pub.pk, ED25519_PK_LEN);
	seckey__free(&c);
	assert_int_equal(seckey__save(&b, tu_path(dir, "k.key"), tu_path(dir, "k.pub"), true, &e), 0);
	assert_int_equal(pubkey__load(&pk, tu_path(dir, "k.pub"), &e), 0);
	assert_memory_equal(pk.pk, b.pub.pk, ED25519_PK_LEN);
	seckey__free(&a);
	seckey__free(&b);
	tu_rmdir(dir);
}

/* seckey__load(path) with stderr captured into err (the permission warning goes there). */
static int load_capturing_stderr(const char *dir, const char *path, struct pl_seckey *back, struct plerr *e,
				 struct buf *err)
{
	int saved, fd, ret;

	fflush(stderr);
	saved = dup(2);
	fd = open(tu_path(dir, "stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	ret = seckey__load(back, path, e);
	fflush(stderr);
	dup2(saved, 2);
	close(fd);
	close(saved);
	tu_read(tu_path(dir, "stderr"), err);
	return ret;
}

static void test_warns_group_readable(void **state)
{
	char *dir = tu_tmpdir();
	struct pl_seckey sk, back;
	struct plerr e = { "" };
	struct buf err = { 0 };

	(void)state;
	assert_int_equal(seckey__generate(&sk, &e), 0);
	assert_int_equal(seckey__save(&sk, tu_path(dir, "k.key"), tu_path(dir, "k.pub"), false, &e), 0);
	assert_int_equal(chmod(tu_path(dir, "k.key"), 0644), 0);
	assert_int_equal(load_capturing_stderr(dir, tu_path(dir, "k.key"), &back, &e, &err), 0);
	assert_non_null(strstr((char *)err.p, "accessible by group or others (mode 0644)"));
	seckey__free(&back);
	seckey__free(&sk);
	buf_free(&err);
	tu_rmdir(dir);
}

static void expect_pem_rejected(const char *text, bool priv, const char *why)
{
	struct plerr e = { "" };
	struct pl_seckey sk;
	struct pl_pubkey pk;
	int ret;

	if (priv)
		ret = seckey_parse_pem(text, strlen(text), &sk, &e);
	else
		ret = pubkey_parse_pem(text, strlen(text), &pk, &e);
	if (!ret)
		fail_msg("accepted: %s", text);
	if (!strstr(e.msg, why))
		fail_msg("error '%s' lacks '%s'", e.msg, why);
}

#define PUB_B64 "MCowBQYDK2VwAyEAG3oVIQyqmmBEmCDLY4lwOABnhgKZ5aqn069ZpAQyI3s="
#define PUB_PEM "-----BEGIN PUBLIC KEY-----\n" PUB_B64 "\n-----END PUBLIC KEY-----\n"

static void test_pem_strict(void **state)
{
	struct plerr e = { "" };
	struct pl_pubkey pk;
	char *dir;
	struct buf x = { 0 };

	(void)state;
	assert_int_equal(pubkey_parse_pem(PUB_PEM, strlen(PUB_PEM), &pk, &e), 0);
	/* Missing final newline is fine (some tools strip it). */
	assert_int_equal(pubkey_parse_pem(PUB_PEM, strlen(PUB_PEM) - 1, &pk, &e), 0);
	expect_pem_rejected("-----BEGIN PUBLIC KEY-----\r\n" PUB_B64 "\r\n-----END PUBLIC KEY-----\r\n", false,
			    "carriage return");
	expect_pem_rejected("junk\n" PUB_PEM, false, "line 1");
	expect_pem_rejected(PUB_PEM "junk\n", false, "text after");
	expect_pem_rejected("-----BEGIN PUBLIC KEY-----\n" PUB_B64 "\n", false, "missing");
	expect_pem_rejected("-----BEGIN PRIVATE KEY-----\n" PUB_B64 "\n-----END PRIVATE KEY-----\n", false, "line 1");
	expect_pem_rejected("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAG3oVIQyqm*BEmCDLY4lwOABnhgKZ5aqn069ZpAQyI3s=\n"
			    "-----END PUBLIC KEY-----\n",
			    false, "invalid base64 character");
	expect_pem_rejected(
		"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\nG3oVIQyqmmBEmCDLY4lwOABnhgKZ5aqn069ZpAQyI3s=\n"
		"-----END PUBLIC KEY-----\n",
		false, "only the last base64 line");
	expect_pem_rejected("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAG3oVIQyqmmBEmCDLY4lwOABnhgKZ5aqn069ZpAQyI3s\n"
			    "-----END PUBLIC KEY-----\n",
			    false, "invalid base64");
	expect_pem_rejected("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAG3oVIQyqmmBEmCDLY4lwOABnhgKZ5aqn069ZpAQy\n"
			    "-----END PUBLIC KEY-----\n",
			    false, "not an Ed25519 public key");
	/* An X25519 key has the same shape with OID 1.3.101.110: not ours. */
	dir = tu_tmpdir();
	assert_int_equal(tu_sh("cd %s && openssl genpkey -algorithm x25519 -out x.pem 2>/dev/null && "
			       "openssl pkey -in x.pem -pubout -out xpub.pem",
			       dir),
			 0);
	tu_read(tu_path(dir, "xpub.pem"), &x);
	expect_pem_rejected((char *)x.p, false, "not an Ed25519 public key");
	tu_read(tu_path(dir, "x.pem"), &x);
	expect_pem_rejected((char *)x.p, true, "not an Ed25519 PKCS#8");
	buf_free(&x);
	tu_rmdir(dir);
}

static void test_roles(void **state)
{
	enum pl_role r;

	(void)state;
	assert_int_equal(role_parse("reader", &r), 0);
	assert_int_equal(r, PL_ROLE_READER);
	assert_int_equal(role_parse("vendor", &r), 0);
	assert_string_equal(role_name(r), "vendor");
	assert_int_equal(role_parse("any", &r), -EINVAL);
	assert_int_equal(role_parse("root", &r), -EINVAL);
}

/* Issue 8.5: a misspelt role is named, not read as part of a file name. */
static void test_keyring_unknown_role(void **state)
{
	char *dir = tu_tmpdir();
	struct keyring kr = { 0 };
	struct pl_seckey sk;
	struct plerr e = { "" };
	char spec[4200];

	(void)state;
	assert_int_equal(seckey__generate(&sk, &e), 0);
	assert_int_equal(seckey__save(&sk, tu_path(dir, "k.key"), tu_path(dir, "k.pub"), false, &e), 0);
	snprintf(spec, sizeof(spec), "admin=%s", tu_path(dir, "k.pub"));
	assert_int_equal(keyring_add_spec(&kr, spec, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown role 'admin' (reader, operator, vendor)"));
	assert_null(strstr(e.msg, "No such file"));
	snprintf(spec, sizeof(spec), "averyveryverylongrolename=%s", tu_path(dir, "k.pub"));
	assert_int_equal(keyring_add_spec(&kr, spec, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown role"));
	assert_int_equal(kr.n, 0);
	snprintf(spec, sizeof(spec), "vendor=%s", tu_path(dir, "k.pub"));
	assert_int_equal(keyring_add_spec(&kr, spec, &e), 0);
	assert_int_equal(kr.keys[0].role, PL_ROLE_VENDOR);
	/* No role: trusted for every role; '=' after a '/' is part of the path. */
	assert_int_equal(keyring_add_spec(&kr, tu_path(dir, "k.pub"), &e), 0);
	assert_int_equal(kr.keys[1].role, PL_ROLE_ANY);
	assert_int_equal(tu_sh("cp %s/k.pub %s/a=b.pub", dir, dir), 0);
	assert_int_equal(keyring_add_spec(&kr, tu_path(dir, "a=b.pub"), &e), 0);
	assert_int_equal(kr.keys[2].role, PL_ROLE_ANY);
	assert_true(role_allows(PL_ROLE_ANY, PL_ROLE_VENDOR));
	assert_true(role_allows(PL_ROLE_VENDOR, PL_ROLE_VENDOR));
	assert_false(role_allows(PL_ROLE_READER, PL_ROLE_VENDOR));
	keyring__free(&kr);
	seckey__free(&sk);
	tu_rmdir(dir);
}

/* Issue 8.5: a public key given as a private key is named as such, with no permission warning first. */
static void test_public_key_as_private(void **state)
{
	char *dir = tu_tmpdir();
	struct pl_seckey sk, back;
	struct plerr e = { "" };
	struct buf err = { 0 };

	(void)state;
	assert_int_equal(seckey__generate(&sk, &e), 0);
	assert_int_equal(seckey__save(&sk, tu_path(dir, "k.key"), tu_path(dir, "k.pub"), false, &e), 0);
	assert_int_equal(load_capturing_stderr(dir, tu_path(dir, "k.pub"), &back, &e, &err), -EINVAL);
	assert_non_null(strstr(e.msg, "a public key, not a private key"));
	assert_null(strstr(err.p ? (char *)err.p : "", "accessible by group or others"));
	seckey__free(&sk);
	buf_free(&err);
	tu_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_key_loads),    cmocka_unit_test(test_our_keys_read_by_openssl),
		cmocka_unit_test(test_excl_and_force),	     cmocka_unit_test(test_warns_group_readable),
		cmocka_unit_test(test_pem_strict),	     cmocka_unit_test(test_roles),
		cmocka_unit_test(test_keyring_unknown_role), cmocka_unit_test(test_public_key_as_private),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
