/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The check pipeline shared by the check and demo verbs: open the signed
 * claim and baseline, load the trace, run the detectors over the claim's
 * time range, sign a Proof for each contradiction and write it next to the
 * trace (or into outdir) as TRACE.CLAIM.DETECTOR.proof.dsse.json (TRACE
 * without .pltr, CLAIM without .dsse.json).
 *
 * Every detector runs (detect_all() in science/detect.h, shared with eval);
 * the proof is rail-tamper when it fires (if the telemetry itself is forged,
 * nothing else read from it stands), else model-mismatch, else
 * crypto-miner-hidden -- model-mismatch, the weaker accusation, is signed
 * when both fit -- unless all is set, in which case every firing detector
 * gives one.
 */
#ifndef PL_CHECK_H
#define PL_CHECK_H

#include <stdbool.h>

#include "evidence/keyring.h"
#include "evidence/keys.h"
#include "science/detect.h"
#include "science/features.h"
#include "science/series.h"

struct check_in {
	const char *trace_path, *claim_path, *baseline_path;
	const struct pl_pubkey *trusted; /* vendor and operator keys (roles enforced if set) */
	size_t ntrusted;
	const struct pl_seckey *key; /* operator key that signs proofs */
	const struct detect_params *dp;
	const char *outdir; /* NULL: the trace's directory */
	bool all;
	bool force; /* replace a different proof file of the same name (--force) */
};

struct check_out {
	size_t nproofs;
	struct {
		enum detector det;
		char path[4096];
		char summary[256];
		json_t *predicate; /* owned: the signed Proof predicate */
	} proofs[__DET_MAX];
	char notes[__DET_MAX][300]; /* what each detector measured, fired or not */
	bool ran[__DET_MAX];
	bool undecided[__DET_MAX]; /* ran, and the data could not support a decision (notes say why) */
	char trace_digest[SHA256_HEX_LEN];
	json_t *contexts; /* owned: the claim window's GPU contexts and their energy (contexts_json()), or NULL */
};

/*
 * A claim and its baseline opened once, to judge a segment as it grows
 * (run's online decisions): the same windows and detectors as check_run()
 * over the samples so far, without signing.  When it fires, run closes the
 * segment at once and check_run() signs the proof from the written trace.
 */
struct check_watch {
	struct claim c;
	struct baseline b;
	/* the windows judged so far, kept so that each judgement computes only the new ones */
	struct window_features *win;
	size_t n, cap;
	uint64_t next_ns; /* where the next window starts (0: the series' first sample in range) */
	struct features_ctx *fc; /* its transforms, planned once */
};

/* check.c APIs: */

/* Opens and verifies in's claim and baseline (as check_run() does) into w; -errno with e. */
int check_watch_open(const struct check_in *in, struct check_watch *w, struct plerr *e);
/*
 * Does the series so far contradict w's claim: 1 when model-mismatch or
 * crypto-miner-hidden would fire on its windows in the claim's range (the
 * trace's own rail-tamper is left to the check), 0 when not (or not yet),
 * -ENOMEM.  The series grows between calls (its records only appended):
 * complete windows are kept and only new ones computed.
 */
int check_watch_judge(struct check_watch *w, const struct series *s, const struct detect_params *dp);
/* Forgets the windows: the next series is a new segment. */
void check_watch_reset(struct check_watch *w);
void check_watch__free(struct check_watch *w);

/*
 * 0 on success (whether or not proofs were raised: see out->nproofs);
 * -EBADMSG when the claim or baseline does not verify (bad signature, wrong
 * signer role), -EINVAL when they do not fit the trace (hardware
 * fingerprint of the claim or of the baseline, model, no samples in the
 * claim's window), -EEXIST when a different proof file of the same name
 * exists and !force, other -errno for I/O.  e says which.
 */
int check_run(const struct check_in *in, struct check_out *out, struct plerr *e);
void check_out__free(struct check_out *out);

#endif /* PL_CHECK_H */
