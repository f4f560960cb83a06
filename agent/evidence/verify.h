/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Checking evidence files offline: DSSE envelopes (signatures, statement,
 * predicate, signer role, subject files next to the envelope, Trace
 * predicate vs trace header, Proof digests vs subjects) and detached
 * signatures.  The verify verb and the demo use it.
 *
 * The rules (verify's manual page spells them out for users):
 *  - An envelope is always verified as an envelope: its own signatures, by
 *    a key of the role its statement's kind requires.  A file is an
 *    envelope when its name ends in .dsse.json or its bytes are a JSON
 *    object with a DSSE member (payload, payloadType, signatures).
 *  - A detached FILE.sig is an extra check, never a substitute: it must
 *    verify over FILE's bytes under a key of the detached-signature role
 *    (sig_role: operator unless the user says otherwise; keys without a
 *    role count for every role), and FILE, if an envelope, must pass too.
 */
#ifndef PL_VERIFY_H
#define PL_VERIFY_H

#include <stdbool.h>

#include "evidence/keyring.h"
#include "evidence/keys.h"
#include "lib/util.h"

/* Kinds of outcome; vstatus_exit() maps them to exit statuses. */
enum vstatus {
	V_OK = 0,
	/* Negative results (PL_EXIT_NEG): the evidence was read and does not hold. */
	V_BAD_SIGNATURE,      /* no acceptable signature, or one by a trusted key that does not verify */
	V_WRONG_ROLE,	      /* valid signatures only by keys of roles that do not sign this */
	V_DIGEST_MISMATCH,    /* a subject file's SHA-256 differs from the signed one */
	V_STATEMENT_MISMATCH, /* a signed statement contradicts its files (Trace header, Proof digests) */
	/* Errors (PL_EXIT_ERR): could not come to a verdict. */
	V_UNREADABLE, /* a file could not be read */
	V_MALFORMED,  /* not an envelope/statement/signature file we accept (non-canonical, truncated...) */
	V_SYSTEM,     /* out of memory and the like */
	__V_MAX
};

/* The detached-signature role when the user names none. */
#define VERIFY_SIG_ROLE_DEFAULT PL_ROLE_OPERATOR

/* The outcome for one file. */
struct vresult {
	bool ok;	     /* status == V_OK */
	enum vstatus status; /* the first check that failed */
	char kind[16];	     /* Trace ... or "signature" for a detached signature over a plain file */
	char keyid[KEYID_HEX_LEN];
	char role[16];
	char leaf[SHA256_HEX_LEN];
	unsigned int checked, unchecked; /* subject files checked, subjects without a file here */
	unsigned int unknown_sigs;	 /* envelope signatures by keys not in the keyring (ignored) */
	bool detached;			 /* a detached signature was checked (and passed, if ok) */
	char detail[600];
};

/* verify.c APIs: */

const char *vstatus_name(enum vstatus s); /* "ok", "bad-signature", "wrong-role", ... */
int vstatus_exit(enum vstatus s);	  /* PL_EXIT_OK, PL_EXIT_NEG or PL_EXIT_ERR */

/*
 * Checks what path stands for, by the rules above: FILE.sig (with FILE),
 * FILE with a FILE.sig next to it, or an envelope alone.  Fills r.
 */
void verify_path(const char *path, const struct keyring *kr, enum pl_role sig_role, struct vresult *r);
/* Checks the envelope at path against the trusted keys; fills r. */
void verify_envelope(const char *path, const struct keyring *kr, struct vresult *r);
/* Checks sig_path as a detached signature over body_path by a key allowed for sig_role. */
void verify_detached(const char *body_path, const char *sig_path, const struct keyring *kr, enum pl_role sig_role,
		     struct vresult *r);

#endif /* PL_VERIFY_H */
