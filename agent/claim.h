/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Vendor Workload claims: "model M runs on the host with hardware
 * fingerprint F at T tokens/s between start_ns and end_ns" (times on the
 * host trace's clock), a Workload/v1 statement signed by the vendor key
 * whose subject is the hardware fingerprint.
 */
#ifndef PL_CLAIM_H
#define PL_CLAIM_H

#include <stdint.h>

#include <jansson.h>

#include "util.h"

struct claim {
	char model[256];
	char fingerprint[SHA256_HEX_LEN];
	char workload[16]; /* "inference" | "training" */
	uint64_t tokens_per_s;
	uint64_t start_ns, end_ns;
};

/* claim.c APIs: */

json_t *claim_predicate(const struct claim *c);
/* The Workload/v1 statement (subject "hardware" = the fingerprint). */
json_t *claim_statement(const struct claim *c);
int claim_from_predicate(json_t *pred, struct claim *c, struct plerr *e);

#endif /* PL_CLAIM_H */
