/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Trace statements: what the reader key signs about a trace file (its
 * digest as the subject, its header as the predicate), and the check that a
 * trace file matches such a predicate.
 */
#ifndef PL_ATTEST_H
#define PL_ATTEST_H

#include <jansson.h>

#include "capture/trace.h"
#include "evidence/keys.h"
#include "lib/util.h"

/* attest.c APIs: */

/* The Trace/v1 predicate of t (see predicate.c); NULL on ENOMEM. */
json_t *attest_trace_predicate(const struct trace *t);

/*
 * Signs a Trace statement over the file at path (subject name: its base
 * name) and appends the envelope to env; digest (if not NULL) receives the
 * SHA-256 it signed.  The file is parsed first, and hashed in that same read: we do not
 * attest to something that is not a valid trace, nor to bytes we did not
 * parse.
 */
int attest_trace(const char *path, const struct pl_seckey *k, struct buf *env, char digest[SHA256_HEX_LEN],
		 struct plerr *e);

#endif /* PL_ATTEST_H */
