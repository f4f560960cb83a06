/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DSSE envelopes (https://github.com/secure-systems-lab/dsse, protocol v1).
 *
 * An envelope is the canonical JSON object
 *   {"payload":B64,"payloadType":TYPE,"signatures":[{"keyid":HEX,"sig":B64},...]}
 * with standard padded base64 and no newlines, so its bytes are stable and
 * can be a leaf of the evidence ledger (RFC 6962 leaf hash
 * SHA256(0x00 || envelope bytes)).  Each sig is plain Ed25519 over
 *   PAE = "DSSEv1" SP len(TYPE) SP TYPE SP len(payload) SP payload
 * (lengths in ASCII decimal), which is what
 *   openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in PAE -sigfile SIG
 * checks.  keyid is the signer's key id (keys.h); as DSSE says, it is only a
 * hint: verification never trusts it.
 */
#ifndef PL_DSSE_H
#define PL_DSSE_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/keys.h"
#include "lib/util.h"

#define DSSE_INTOTO_TYPE "application/vnd.in-toto+json"
#define DSSE_MAX_SIGS	 16
#define DSSE_MAX_LEN	 (16u << 20)

struct dsse_sig {
	char keyid[KEYID_HEX_LEN];
	uint8_t sig[ED25519_SIG_LEN];
};

struct dsse_env {
	char *payload_type;
	uint8_t *payload;
	size_t payload_len;
	struct dsse_sig sigs[DSSE_MAX_SIGS];
	size_t nsigs;
};

/* dsse.c APIs: */

/* Appends the pre-authentication encoding of (type, body) to out; -ENOMEM. */
int dsse_pae(const char *type, const uint8_t *body, size_t n, struct buf *out);

/* Signs payload with each key and appends the canonical envelope to out. */
int dsse_sign(const char *type, const uint8_t *payload, size_t n, const struct pl_seckey *const *keys, size_t nkeys,
	      struct buf *out, struct plerr *e);

/*
 * Parses envelope bytes: canonical JSON, exactly the three members, 1 to
 * DSSE_MAX_SIGS signatures of exactly {keyid, sig}, strict base64, 64-byte
 * signatures.  Signatures are not checked here.  -EINVAL with e set.
 */
int dsse_parse(const uint8_t *p, size_t n, struct dsse_env *env, struct plerr *e);
void dsse_env__free(struct dsse_env *env);

/*
 * Checks the signatures against the trusted keys.  Returns 0 with *signer
 * set to the first trusted key whose signature verifies; -EBADMSG when no
 * signature verifies with any trusted key (e says whether a signature
 * carried a trusted key id and failed, or no trusted key signed at all).
 */
int dsse_verify(const struct dsse_env *env, const struct pl_pubkey *trusted, size_t ntrusted,
		const struct pl_pubkey **signer, struct plerr *e);

#endif /* PL_DSSE_H */
