/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Vendor Workload claims as Workload/v1 statements signed by the vendor
 * key, whose subject is the hardware fingerprint (struct claim:
 * science/claim.h).
 */
#ifndef PL_WORKLOAD_H
#define PL_WORKLOAD_H

#include <jansson.h>

#include "lib/util.h"
#include "science/claim.h"

/* workload.c APIs: */

json_t *claim_predicate(const struct claim *c);
/* The Workload/v1 statement (subject "hardware" = the fingerprint). */
json_t *claim_statement(const struct claim *c);
int claim_from_predicate(json_t *pred, struct claim *c, struct plerr *e);

#endif /* PL_WORKLOAD_H */
