/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef PL_KEYRING_H
#define PL_KEYRING_H

#include <stdbool.h>
#include <stddef.h>

#include "evidence/keys.h"
#include "lib/util.h"

/*
 * A set of trusted public keys, from --trust/--key [ROLE=]PUB.pem options
 * and --keydir DIR (DIR/reader.pub, DIR/operator.pub, DIR/vendor.pub, each
 * if present, with that role).  A key given without a role is trusted for
 * every role; the same key may be in the set twice, with two roles.
 */
struct keyring {
	struct pl_pubkey *keys;
	size_t n;
};

/*
 * What a signature check concluded.  Every verdict but SIGV_OK is a
 * negative result (exit 1): the evidence was read and does not hold.
 */
enum sig_verdict {
	SIGV_OK = 0,
	SIGV_BAD,	 /* a signature made for a trusted key does not verify under it */
	SIGV_UNTRUSTED,	 /* no signature verifies under any trusted key */
	SIGV_WRONG_ROLE, /* signatures verify, but only under keys of other roles */
};

/* keyring.c APIs: */

/*
 * Adds the key of a "[ROLE=]PATH" spec.  A spec with '=' before any '/' is
 * ROLE=PATH, and an unknown ROLE is an error (-EINVAL, "unknown role 'x'
 * (reader, operator, vendor)"); write ./a=b.pub for a file with '=' in its
 * name.  -ENOENT and friends from reading PATH, -EINVAL for a bad key.
 */
int keyring_add_spec(struct keyring *kr, const char *spec, struct plerr *e);
int keyring_add_dir(struct keyring *kr, const char *dir, struct plerr *e);
void keyring__free(struct keyring *kr);

/* Parses a role name; -EINVAL with "unknown role 'x' (reader, operator, vendor)". */
int keyring_role_parse(const char *s, enum pl_role *out, struct plerr *e);
/* May a key held with role key_role sign what role want signs?  (PL_ROLE_ANY keys: always.) */
bool role_allows(enum pl_role key_role, enum pl_role want);

#endif /* PL_KEYRING_H */
