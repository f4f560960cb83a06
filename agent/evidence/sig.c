// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Detached Ed25519 signature files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/sig.h"

bool sig_body_is_pae(const uint8_t *body, size_t n)
{
	return n >= 7 && !memcmp(body, "DSSEv1 ", 7);
}

int sig_sign(const struct pl_seckey *k, const uint8_t *body, size_t n, struct buf *out)
{
	uint8_t sig[ED25519_SIG_LEN];
	char *b64;
	int ret;

	if (sig_body_is_pae(body, n))
		return -EPERM;
	seckey__sign(k, body, n, sig);
	b64 = b64_encode(sig, sizeof(sig));
	if (!b64)
		return -ENOMEM;
	ret = buf_puts(out, b64);
	free(b64);
	return ret;
}

int sig_parse(const uint8_t *p, size_t n, uint8_t sig[ED25519_SIG_LEN], struct plerr *e)
{
	size_t len;

	if (n && p[n - 1] == '\n')
		n--;
	if (b64_decode_into((const char *)p, n, sig, ED25519_SIG_LEN, &len) || len != ED25519_SIG_LEN)
		return plerr_set(e, -EINVAL,
				 "not a signature file: expected the base64 of a 64-byte Ed25519 signature");
	return 0;
}

enum sig_verdict sig_verify(const uint8_t *body, size_t n, const uint8_t sig[ED25519_SIG_LEN],
			    const struct pl_pubkey *trusted, size_t ntrusted, enum pl_role want,
			    const struct pl_pubkey **signer, struct plerr *e)
{
	const struct pl_pubkey *exact = NULL, *any = NULL, *other = NULL;
	size_t i;

	if (sig_body_is_pae(body, n)) {
		plerr_set(e, -EBADMSG, "the signed file is a DSSE pre-authentication encoding (starts \"DSSEv1 \"): "
				       "a detached signature over it is refused, whoever made it");
		return SIGV_BAD;
	}
	for (i = 0; i < ntrusted; i++) {
		if (!pubkey__verify(&trusted[i], body, n, sig))
			continue;
		if (want == PL_ROLE_ANY || trusted[i].role == want)
			exact = exact ? exact : &trusted[i];
		else if (trusted[i].role == PL_ROLE_ANY)
			any = any ? any : &trusted[i];
		else
			other = other ? other : &trusted[i];
	}
	if (exact || any) {
		*signer = exact ? exact : any;
		return SIGV_OK;
	}
	if (other) {
		plerr_set(e, -EBADMSG, "signed by %s key %.16s...; only %s keys sign detached signatures",
			  role_name(other->role), other->keyid, role_name(want));
		return SIGV_WRONG_ROLE;
	}
	plerr_set(e, -EBADMSG, "bad signature: no trusted key verifies it");
	return SIGV_BAD;
}
