/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Proofs: a detector's finding as a Proof/v1 statement.  Subjects are the
 * trace file, the claim envelope and the baseline envelope (names: their
 * base names, digests: SHA-256 of their bytes); the predicate repeats the
 * three digests, the kind, the detector and its version, the window the
 * evidence lies in and the integer evidence.
 */
#ifndef PL_PROOF_H
#define PL_PROOF_H

#include <jansson.h>

#include "science/detect.h"

struct proof_refs {
	const char *trace_name, *trace_digest;
	const char *claim_name, *claim_digest;
	const char *baseline_name, *baseline_digest;
};

/* proof.c APIs: */

/* The Proof/v1 statement for f (f->evidence is copied); NULL on ENOMEM. */
json_t *proof_statement(const struct finding *f, const struct proof_refs *r);

#endif /* PL_PROOF_H */
