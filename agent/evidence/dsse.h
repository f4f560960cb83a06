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

#include "evidence/keyring.h"
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

/* What the trusted keys say about one signature of an envelope. */
enum dsse_sig_status {
	DSSE_SIG_UNKNOWN = 0, /* no trusted key has its key id, and none verifies it */
	DSSE_SIG_VALID,	      /* verifies under the trusted key(s) in roles/key */
	DSSE_SIG_BAD,	      /* its key id names a trusted key, which does not verify it */
};

struct dsse_sig_check {
	enum dsse_sig_status status;
	const struct pl_pubkey *key; /* VALID: the first trusted entry that verifies it; BAD: the named one */
	/* VALID: per role, the first trusted entry of that role that verifies it, or NULL. */
	const struct pl_pubkey *by_role[__PL_ROLE_MAX];
};

/*
 * Checks every signature against every trusted key; fills res[0..nsigs).
 * The key id is an unauthenticated hint: a signature whose key id names a
 * trusted key must verify under that key (else DSSE_SIG_BAD: the payload
 * or signature changed after signing); any other signature is tried with
 * every trusted key.  0, or -ENOMEM.
 */
int dsse_check_sigs(const struct dsse_env *env, const struct pl_pubkey *trusted, size_t ntrusted,
		    struct dsse_sig_check res[DSSE_MAX_SIGS], struct plerr *e);

/*
 * The signature verdict on an envelope whose statement must be signed by a
 * key of role want (PL_ROLE_ANY: any trusted key), from dsse_check_sigs()'s
 * results.  Policy, in this order:
 *   - any DSSE_SIG_BAD signature: SIGV_BAD, whatever the others say (a
 *     signature that a key we trust does not vouch for is never ignored);
 *   - no DSSE_SIG_VALID signature: SIGV_UNTRUSTED;
 *   - no valid signature by a key allowed for want: SIGV_WRONG_ROLE;
 *   - else SIGV_OK with *signer the first such key (a key of exactly role
 *     want before a key without a role).
 * Signatures by keys not in the keyring (DSSE_SIG_UNKNOWN) are counted in
 * *unknown (if not NULL) and otherwise ignored: an envelope may carry
 * co-signers the verifier does not know.  e says why for every verdict but
 * SIGV_OK, naming the signature (its index and key id); what names what
 * role want signs, for "only vendor keys sign Workloads".
 */
enum sig_verdict dsse_sig_verdict(const struct dsse_env *env, const struct dsse_sig_check res[DSSE_MAX_SIGS],
				  enum pl_role want, const char *what, const struct pl_pubkey **signer,
				  unsigned int *unknown, struct plerr *e);

/*
 * dsse_check_sigs() + dsse_sig_verdict() for any role: 0 with *signer set
 * when a trusted key signed and no signature made for a trusted key is
 * bad; -EBADMSG otherwise (e says which); -ENOMEM.  Roles are the caller's
 * (statement_open() checks them).
 */
int dsse_verify(const struct dsse_env *env, const struct pl_pubkey *trusted, size_t ntrusted,
		const struct pl_pubkey **signer, struct plerr *e);

#endif /* PL_DSSE_H */
