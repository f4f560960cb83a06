// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Ed25519 keys: generation (libsodium), strict PEM/DER codecs for the two
 * fixed encodings openssl uses for Ed25519, key ids, load/save.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "evidence/keys.h"

static const uint8_t spki_prefix[12] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};
static const uint8_t pkcs8_prefix[16] = {
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
};

#define PEM_LINE     64
#define PEM_MAX	     4096 /* far more than either encoding needs: bigger is not our key */
#define PUBLIC_BEGIN "-----BEGIN PUBLIC KEY-----"

static const char *const role_names[__PL_ROLE_MAX] = {
	[PL_ROLE_ANY] = "any",
	[PL_ROLE_READER] = "reader",
	[PL_ROLE_OPERATOR] = "operator",
	[PL_ROLE_VENDOR] = "vendor",
};

const char *role_name(enum pl_role r)
{
	return r < __PL_ROLE_MAX ? role_names[r] : "?";
}

int role_parse(const char *s, enum pl_role *out)
{
	int r;

	for (r = PL_ROLE_READER; r < __PL_ROLE_MAX; r++) {
		if (!strcmp(s, role_names[r])) {
			*out = (enum pl_role)r;
			return 0;
		}
	}
	return -EINVAL;
}

void spki_der(const uint8_t pk[ED25519_PK_LEN], uint8_t out[SPKI_DER_LEN])
{
	memcpy(out, spki_prefix, sizeof(spki_prefix));
	memcpy(out + sizeof(spki_prefix), pk, ED25519_PK_LEN);
}

void keyid_of(const uint8_t pk[ED25519_PK_LEN], char out[KEYID_HEX_LEN])
{
	uint8_t der[SPKI_DER_LEN];

	spki_der(pk, der);
	sha256_hex(der, sizeof(der), out);
}

static bool is_b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
	       c == '=';
}

/*
 * Strict single-block PEM decoder.  b64 (cap bytes) is scratch space for the
 * joined base64 text, der (dcap bytes) receives the DER: both are the
 * caller's so private keys can use sodium_malloc'd memory.
 */
static int pem_decode(const char *text, size_t n, const char *label, char *b64, size_t cap, uint8_t *der, size_t dcap,
		      size_t *derlen, struct plerr *e)
{
	char begin[64], end[64];
	size_t pos, line_no = 1, blen = 0, len, prev_len = PEM_LINE;
	const char *nl;

	snprintf(begin, sizeof(begin), "-----BEGIN %s-----\n", label);
	snprintf(end, sizeof(end), "-----END %s-----", label);
	if (n > PEM_MAX)
		return plerr_set(e, -EINVAL, "larger than %d bytes: not a single Ed25519 key", PEM_MAX);
	if (memchr(text, 0, n))
		return plerr_set(e, -EINVAL, "contains a NUL byte: not a PEM file");
	if (memchr(text, '\r', n))
		return plerr_set(e, -EINVAL, "carriage return found: PEM must use \\n line ends");
	if (n < strlen(begin) || memcmp(text, begin, strlen(begin)))
		return plerr_set(e, -EINVAL, "line 1: expected '-----BEGIN %s-----'", label);
	pos = strlen(begin);
	for (;;) {
		line_no++;
		if (pos >= n)
			return plerr_set(e, -EINVAL, "line %zu: missing '%s'", line_no, end);
		nl = memchr(text + pos, '\n', n - pos);
		len = nl ? (size_t)(nl - (text + pos)) : n - pos;
		if (len == strlen(end) && !memcmp(text + pos, end, len)) {
			pos += len + (nl ? 1 : 0);
			if (pos != n)
				return plerr_set(e, -EINVAL, "line %zu: text after '%s'", line_no + 1, end);
			break;
		}
		if (!nl)
			return plerr_set(e, -EINVAL, "line %zu: missing '%s'", line_no, end);
		if (len == 0 || len > PEM_LINE)
			return plerr_set(e, -EINVAL, "line %zu: base64 lines must hold 1 to %d characters", line_no,
					 PEM_LINE);
		if (prev_len != PEM_LINE)
			return plerr_set(e, -EINVAL, "line %zu: only the last base64 line may be shorter than %d",
					 line_no - 1, PEM_LINE);
		for (size_t i = 0; i < len; i++)
			if (!is_b64_char(text[pos + i]))
				return plerr_set(e, -EINVAL, "line %zu: invalid base64 character 0x%02x", line_no,
						 (unsigned char)text[pos + i]);
		if (blen + len >= cap)
			return plerr_set(e, -EINVAL, "line %zu: too much data for an Ed25519 key", line_no);
		memcpy(b64 + blen, text + pos, len);
		blen += len;
		prev_len = len;
		pos += len + 1;
	}
	if (blen == 0)
		return plerr_set(e, -EINVAL, "no base64 data between BEGIN and END");
	if (b64_decode_into(b64, blen, der, dcap, derlen))
		return plerr_set(e, -EINVAL, "invalid base64 (padding or length)");
	return 0;
}

int pubkey_parse_pem(const char *text, size_t n, struct pl_pubkey *k, struct plerr *e)
{
	char b64[PEM_MAX];
	uint8_t der[PEM_MAX];
	size_t dlen;
	int ret;

	ret = pem_decode(text, n, "PUBLIC KEY", b64, sizeof(b64), der, sizeof(der), &dlen, e);
	if (ret)
		return ret;
	if (dlen != SPKI_DER_LEN || memcmp(der, spki_prefix, sizeof(spki_prefix)))
		return plerr_set(
			e, -EINVAL,
			"not an Ed25519 public key (SubjectPublicKeyInfo 30 2a 30 05 06 03 2b 65 70 ... expected)");
	memset(k, 0, sizeof(*k));
	memcpy(k->pk, der + sizeof(spki_prefix), ED25519_PK_LEN);
	keyid_of(k->pk, k->keyid);
	return 0;
}

int seckey__from_seed(struct pl_seckey *k, const uint8_t seed[ED25519_SEED_LEN], struct plerr *e)
{
	memset(k, 0, sizeof(*k));
	k->sk = sodium_malloc(ED25519_SK_LEN);
	if (!k->sk)
		return plerr_set(e, -ENOMEM, "out of secure memory");
	crypto_sign_seed_keypair(k->pub.pk, k->sk, seed);
	keyid_of(k->pub.pk, k->pub.keyid);
	return 0;
}

int seckey__generate(struct pl_seckey *k, struct plerr *e)
{
	uint8_t *seed = sodium_malloc(ED25519_SEED_LEN);
	int ret;

	if (!seed)
		return plerr_set(e, -ENOMEM, "out of secure memory");
	randombytes_buf(seed, ED25519_SEED_LEN);
	ret = seckey__from_seed(k, seed, e);
	sodium_free(seed); /* sodium_free wipes before unmapping */
	return ret;
}

void seckey__free(struct pl_seckey *k)
{
	if (k->sk)
		sodium_free(k->sk);
	k->sk = NULL;
}

int seckey_parse_pem(const char *text, size_t n, struct pl_seckey *k, struct plerr *e)
{
	char *b64 = sodium_malloc(PEM_MAX);
	uint8_t *der = sodium_malloc(PEM_MAX);
	size_t dlen;
	int ret;

	if (!b64 || !der) {
		ret = plerr_set(e, -ENOMEM, "out of secure memory");
		goto out;
	}
	if (n >= strlen(PUBLIC_BEGIN) && !memcmp(text, PUBLIC_BEGIN, strlen(PUBLIC_BEGIN))) {
		ret = plerr_set(e, -EINVAL, "a public key, not a private key (give the .key file, not the .pub)");
		goto out;
	}
	ret = pem_decode(text, n, "PRIVATE KEY", b64, PEM_MAX, der, PEM_MAX, &dlen, e);
	if (ret)
		goto out;
	if (dlen != PKCS8_DER_LEN || memcmp(der, pkcs8_prefix, sizeof(pkcs8_prefix))) {
		ret = plerr_set(
			e, -EINVAL,
			"not an Ed25519 PKCS#8 v1 private key (DER 30 2e 02 01 00 30 05 06 03 2b 65 70 ... expected)");
		goto out;
	}
	ret = seckey__from_seed(k, der + sizeof(pkcs8_prefix), e);
out:
	if (b64)
		sodium_free(b64);
	if (der)
		sodium_free(der);
	return ret;
}

int pubkey_pem(const struct pl_pubkey *k, struct buf *out)
{
	uint8_t der[SPKI_DER_LEN];
	char b64[128];

	spki_der(k->pk, der);
	sodium_bin2base64(b64, sizeof(b64), der, sizeof(der), sodium_base64_VARIANT_ORIGINAL);
	return buf_printf(out, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", b64);
}

/* PKCS#8 PEM of the seed, into sodium_malloc'd memory the caller frees. */
static char *seckey_pem(const struct pl_seckey *k, size_t *len)
{
	uint8_t *der = sodium_malloc(PKCS8_DER_LEN);
	char *pem = sodium_malloc(256);
	char *b64 = sodium_malloc(128);

	if (!der || !pem || !b64) {
		if (pem)
			sodium_free(pem);
		pem = NULL;
		goto out;
	}
	memcpy(der, pkcs8_prefix, sizeof(pkcs8_prefix));
	memcpy(der + sizeof(pkcs8_prefix), k->sk, ED25519_SEED_LEN); /* sk = seed || pk */
	sodium_bin2base64(b64, 128, der, PKCS8_DER_LEN, sodium_base64_VARIANT_ORIGINAL);
	*len = (size_t)snprintf(pem, 256, "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", b64);
out:
	if (der)
		sodium_free(der);
	if (b64)
		sodium_free(b64);
	return pem;
}

int pubkey__load(struct pl_pubkey *k, const char *path, struct plerr *e)
{
	struct buf b = { 0 };
	int ret;

	ret = file_read(path, PEM_MAX, &b, e);
	if (ret == -EFBIG)
		plerr_set(e, ret, "%s: larger than %d bytes: not a single Ed25519 public key", path, PEM_MAX);
	if (ret)
		goto out;
	ret = pubkey_parse_pem((const char *)b.p, b.len, k, e);
	if (ret)
		plerr_prefix(e, path);
out:
	buf_free(&b);
	return ret;
}

int seckey__load(struct pl_seckey *k, const char *path, struct plerr *e)
{
	char *text = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t r;
	int fd, ret;

	fd = file_open_regular(path, e);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		ret = plerr_set(e, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	text = sodium_malloc(PEM_MAX + 1);
	if (!text) {
		ret = plerr_set(e, -ENOMEM, "out of secure memory");
		goto out;
	}
	r = read_full(fd, text, PEM_MAX + 1);
	if (r < 0) {
		ret = plerr_set(e, (int)r, "%s: %s", path, strerror((int)-r));
		goto out;
	}
	len = (size_t)r;
	if (len > PEM_MAX) {
		ret = plerr_set(e, -EINVAL, "%s: larger than %d bytes: not a single Ed25519 private key", path, PEM_MAX);
		goto out;
	}
	ret = seckey_parse_pem(text, len, k, e);
	if (ret) {
		plerr_prefix(e, path);
		goto out;
	}
	/* Only now: a public key or a stray file is not a leaked secret, and its mode says nothing. */
	if (st.st_mode & 077)
		pl_warn("%s: private key is accessible by group or others (mode %04o); run chmod 600 %s", path,
			(unsigned int)(st.st_mode & 07777), path);
out:
	if (text)
		sodium_free(text);
	close(fd);
	return ret;
}

int seckey__save(const struct pl_seckey *k, const char *priv_path, const char *pub_path, bool force, struct plerr *e)
{
	struct afile fpriv = { .fd = -1 }, fpub = { .fd = -1 };
	struct buf pub = { 0 }, oldpub = { 0 };
	struct plerr ignored = { "" };
	bool had_pub;
	size_t len = 0;
	char *pem;
	int ret;

	pem = seckey_pem(k, &len);
	if (!pem)
		return plerr_set(e, -ENOMEM, "out of secure memory");
	if (pubkey_pem(&k->pub, &pub)) {
		sodium_free(pem);
		return plerr_set(e, -ENOMEM, "out of memory");
	}
	/*
	 * Both files are judged, then written whole beside their names, before
	 * either name changes: a refusal or a failed write leaves the old pair
	 * exactly as it was.
	 */
	ret = out_check(priv_path, force, e);
	if (!ret)
		ret = out_check(pub_path, force, e);
	if (!ret)
		ret = afile_open(&fpriv, priv_path, force ? AFILE_REPLACE : 0, e);
	if (!ret)
		ret = afile_open(&fpub, pub_path, force ? AFILE_REPLACE : 0, e);
	if (ret)
		goto out;
	afile_write(&fpriv, pem, len);
	afile_write(&fpub, pub.p, pub.len);
	if (fpriv.err || fpub.err) {
		ret = plerr_set(e, fpriv.err ? fpriv.err : fpub.err, "%s: %s", fpriv.err ? priv_path : pub_path,
				strerror(-(fpriv.err ? fpriv.err : fpub.err)));
		goto out;
	}
	/*
	 * The public key first: should the private rename then fail, the old
	 * public key is put back and the old private key was never touched.
	 */
	had_pub = file_read(pub_path, PEM_MAX, &oldpub, &ignored) == 0;
	ret = afile_commit(&fpub, 0644, NULL, e);
	if (ret)
		goto out;
	ret = afile_commit(&fpriv, 0600, NULL, e);
	if (ret) {
		if (had_pub)
			file_write_atomic(pub_path, oldpub.p, oldpub.len, 0644, AFILE_REPLACE, &ignored);
		else
			unlink(pub_path);
	}
out:
	afile_abort(&fpriv);
	afile_abort(&fpub);
	sodium_free(pem);
	buf_free(&pub);
	buf_free(&oldpub);
	return ret;
}

void seckey__sign(const struct pl_seckey *k, const uint8_t *msg, size_t n, uint8_t sig[ED25519_SIG_LEN])
{
	crypto_sign_detached(sig, NULL, msg, n, k->sk);
}

bool pubkey__verify(const struct pl_pubkey *k, const uint8_t *msg, size_t n, const uint8_t sig[ED25519_SIG_LEN])
{
	return crypto_sign_verify_detached(sig, msg, n, k->pk) == 0;
}
