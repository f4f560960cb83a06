/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Ed25519 keys on disk and in memory.
 *
 * Files are PEM as openssl writes them: the private key is PKCS#8 v1
 * ("PRIVATE KEY", DER 30 2e 02 01 00 30 05 06 03 2b 65 70 04 22 04 20 ||
 * 32-byte seed), the public key SubjectPublicKeyInfo ("PUBLIC KEY", DER
 * 30 2a 30 05 06 03 2b 65 70 03 21 00 || 32 bytes).  Parsing is strict:
 * exactly one block, "\n" line ends, base64 lines of 64 characters (the last
 * one shorter), nothing before or after, and exactly those DER bytes.
 *
 * The key id is the lowercase hex SHA-256 of the SPKI DER, so anyone can
 * recompute it from the public key file with
 *   openssl pkey -pubin -in KEY.pub -outform DER | sha256sum
 *
 * Secret material (seed, expanded key, PEM text) only ever lives in
 * sodium_malloc'd memory and is wiped by seckey__free().
 */
#ifndef PL_KEYS_H
#define PL_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/util.h"

#define ED25519_PK_LEN	 32
#define ED25519_SEED_LEN 32
#define ED25519_SK_LEN	 64
#define ED25519_SIG_LEN	 64
#define SPKI_DER_LEN	 44
#define PKCS8_DER_LEN	 48
#define KEYID_HEX_LEN	 SHA256_HEX_LEN

/* Who holds a key; which statement kinds each role signs is in statement.c. */
enum pl_role {
	PL_ROLE_ANY = 0,  /* no role given: trusted for every kind */
	PL_ROLE_READER,	  /* signs Traces: the capture host */
	PL_ROLE_OPERATOR, /* signs Baselines and Proofs */
	PL_ROLE_VENDOR,	  /* signs Workload claims */
	__PL_ROLE_MAX
};

struct pl_pubkey {
	uint8_t pk[ED25519_PK_LEN];
	char keyid[KEYID_HEX_LEN];
	enum pl_role role;
};

struct pl_seckey {
	uint8_t *sk; /* sodium_malloc'd: seed || pk, ED25519_SK_LEN bytes */
	struct pl_pubkey pub;
};

/* keys.c APIs: */

const char *role_name(enum pl_role r); /* "reader", ... "any" */
/* "reader" | "operator" | "vendor" -> role; -EINVAL otherwise. */
int role_parse(const char *s, enum pl_role *out);

/* Key id of a raw public key. */
void keyid_of(const uint8_t pk[ED25519_PK_LEN], char out[KEYID_HEX_LEN]);

/* SPKI DER / PEM of a public key. */
void spki_der(const uint8_t pk[ED25519_PK_LEN], uint8_t out[SPKI_DER_LEN]);
int pubkey_pem(const struct pl_pubkey *k, struct buf *out);

/* Strict PEM parsing of in-memory text; e names what is wrong. */
int pubkey_parse_pem(const char *text, size_t n, struct pl_pubkey *k, struct plerr *e);
int seckey_parse_pem(const char *text, size_t n, struct pl_seckey *k, struct plerr *e);

/* Loads PATH; e is prefixed with the path.  Role is left PL_ROLE_ANY. */
int pubkey__load(struct pl_pubkey *k, const char *path, struct plerr *e);
/*
 * Loads a private key file into sodium_malloc'd memory.  Warns (does not
 * fail) when the file, once it parsed as a private key, is readable or
 * writable by group or others.  A public key file gets -EINVAL saying so.
 */
int seckey__load(struct pl_seckey *k, const char *path, struct plerr *e);
/* New random key, or one derived from a seed (deterministic demo keys). */
int seckey__generate(struct pl_seckey *k, struct plerr *e);
int seckey__from_seed(struct pl_seckey *k, const uint8_t seed[ED25519_SEED_LEN], struct plerr *e);
void seckey__free(struct pl_seckey *k);

/*
 * Writes the private key (mode 0600; its temporary file is 0600 from the
 * start) and public key (0644): neither is replaced unless force, and a
 * directory or other non-file in the way is refused even then.  Both are
 * written whole beside their names before either name changes, so any
 * refusal or write error leaves an existing pair exactly as it was.
 */
int seckey__save(const struct pl_seckey *k, const char *priv_path, const char *pub_path, bool force, struct plerr *e);

/* Detached signature over exactly n bytes. */
void seckey__sign(const struct pl_seckey *k, const uint8_t *msg, size_t n, uint8_t sig[ED25519_SIG_LEN]);
/* true if sig is k's signature over msg. */
bool pubkey__verify(const struct pl_pubkey *k, const uint8_t *msg, size_t n, const uint8_t sig[ED25519_SIG_LEN]);

#endif /* PL_KEYS_H */
