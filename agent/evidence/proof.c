// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Proof/v1 statements. */
#include "evidence/proof.h"
#include "evidence/statement.h"

json_t *proof_statement(const struct finding *f, const struct proof_refs *r)
{
	json_t *pred, *subj;

	pred = json_pack("{s:s,s:s,s:{s:s,s:i},s:O,s:s,s:s,s:{s:I,s:I}}", "baseline_digest", r->baseline_digest,
			 "claim_digest", r->claim_digest, "detector", "name", detector_name(f->det), "version",
			 DETECTOR_VERSION, "evidence", f->evidence, "kind", detector_name(f->det), "trace_digest",
			 r->trace_digest, "window", "end_ns", (json_int_t)f->end_ns, "start_ns",
			 (json_int_t)f->start_ns);
	subj = json_pack("[o,o,o]", subject_new(r->trace_name, r->trace_digest),
			 subject_new(r->claim_name, r->claim_digest),
			 subject_new(r->baseline_name, r->baseline_digest));
	if (!pred || !subj) {
		json_decref(pred);
		json_decref(subj);
		return NULL;
	}
	return statement_new(PL_KIND_PROOF, subj, pred);
}
