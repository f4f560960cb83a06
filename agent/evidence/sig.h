/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Detached signatures: plain Ed25519 over the exact bytes of a file, stored
 * next to it as FILE.sig holding the standard padded base64 of the 64-byte
 * signature and nothing else (no newline), the format cosign sign-blob
 * writes and verify-blob reads.  openssl needs the raw bytes:
 *   base64 -d FILE.sig > sig.bin
 *   openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in FILE -sigfile sig.bin
 */
#ifndef PL_SIG_H
#define PL_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/keyring.h"
#include "evidence/keys.h"
#include "lib/util.h"

/* sig.c APIs: */

/*
 * Is body a DSSE pre-authentication encoding ("DSSEv1 " ...)?  A detached
 * signature is plain Ed25519 over the body, as an envelope signature is over
 * its PAE, with the same keys: a detached signature over PAE bytes would be
 * a valid envelope signature (have the operator sign such a "report" and you
 * hold an operator-signed Proof).  Such bodies are never signed detached,
 * and a detached signature over one never verifies.
 */
bool sig_body_is_pae(const uint8_t *body, size_t n);

/*
 * Signs body and appends the signature file text to out.  -EPERM for a
 * sig_body_is_pae() body, -ENOMEM.
 */
int sig_sign(const struct pl_seckey *k, const uint8_t *body, size_t n, struct buf *out);

/*
 * Parses signature file text: base64 of exactly 64 bytes, optionally
 * followed by one "\n" (what `base64` or an editor may add).
 */
int sig_parse(const uint8_t *p, size_t n, uint8_t sig[ED25519_SIG_LEN], struct plerr *e);

/*
 * Does sig verify over body under a trusted key allowed for role want
 * (role_allows(); PL_ROLE_ANY: any trusted key)?  SIGV_OK with *signer
 * set (a key of exactly role want before a key without a role);
 * SIGV_WRONG_ROLE when only keys of other roles verify it; SIGV_BAD when
 * no trusted key does.  e says why.  A detached signature names no key, so
 * there is no SIGV_UNTRUSTED/SIGV_BAD distinction as in DSSE.
 */
enum sig_verdict sig_verify(const uint8_t *body, size_t n, const uint8_t sig[ED25519_SIG_LEN],
			    const struct pl_pubkey *trusted, size_t ntrusted, enum pl_role want,
			    const struct pl_pubkey **signer, struct plerr *e);

#endif /* PL_SIG_H */
