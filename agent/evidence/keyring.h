/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef PL_KEYRING_H
#define PL_KEYRING_H

#include <stddef.h>

#include "evidence/keys.h"
#include "lib/util.h"

/*
 * A set of trusted public keys, from --key [ROLE=]PUB.pem options and
 * --keydir DIR (DIR/reader.pub, DIR/operator.pub, DIR/vendor.pub, each if
 * present, with that role).
 */
struct keyring {
	struct pl_pubkey *keys;
	size_t n;
};

/* keyring.c APIs: */

int keyring_add_spec(struct keyring *kr, const char *spec, struct plerr *e);
int keyring_add_dir(struct keyring *kr, const char *dir, struct plerr *e);
void keyring__free(struct keyring *kr);

#endif /* PL_KEYRING_H */
