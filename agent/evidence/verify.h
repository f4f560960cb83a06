/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Checking evidence files offline: DSSE envelopes (signature, statement,
 * predicate, signer role, subject files next to the envelope, Trace
 * predicate vs trace header, Proof digests vs subjects) and detached
 * signatures.  The verify verb and the demo use it.
 */
#ifndef PL_VERIFY_H
#define PL_VERIFY_H

#include <stdbool.h>

#include "evidence/keyring.h"
#include "evidence/keys.h"
#include "lib/util.h"

/* The outcome for one file. */
struct vresult {
	bool ok;       /* everything checked passed */
	bool io_error; /* could not read something: a system error, not a verdict */
	char kind[16];
	char keyid[KEYID_HEX_LEN];
	char role[16];
	char leaf[SHA256_HEX_LEN];
	unsigned int checked, unchecked;
	char detail[600];
};

/* verify.c APIs: */

/* Checks the envelope at path against the trusted keys; fills r. */
void verify_envelope(const char *path, const struct keyring *kr, struct vresult *r);
/* Checks sig_path as a detached signature over body_path. */
void verify_detached(const char *body_path, const char *sig_path, const struct keyring *kr, struct vresult *r);

#endif /* PL_VERIFY_H */
