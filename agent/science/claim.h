/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What a vendor claims, as the detectors read it: "model M runs on the
 * host with hardware fingerprint F at T tokens/s between start_ns and
 * end_ns" (times on the host trace's clock).  evidence/workload.h turns a
 * signed Workload/v1 statement into one.
 */
#ifndef PL_CLAIM_H
#define PL_CLAIM_H

#include <stdint.h>

#include "lib/util.h"

struct claim {
	char model[256];
	char fingerprint[SHA256_HEX_LEN];
	char workload[16]; /* "inference" | "training" */
	uint64_t tokens_per_s;
	uint64_t start_ns, end_ns;
};

#endif /* PL_CLAIM_H */
