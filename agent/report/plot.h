/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Pictures of evidence: a trace's power over time, with what a baseline
 * says is typical and the time ranges proofs point at (report/svg.h draws).
 *
 * Envelopes (proofs, baselines) are read here in one of two ways: with a
 * keyring, as statement_open() checks them (signatures and signer role);
 * without one, parsed only (DSSE, in-toto payload type, statement and
 * predicate schema) and marked unverified, so a picture can be drawn
 * where no keys are at hand and says so.
 */
#ifndef PL_PLOT_H
#define PL_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/trace.h"
#include "evidence/keyring.h"
#include "evidence/statement.h"
#include "lib/util.h"
#include "science/baseline.h"

#define PLOT_DEFAULT_WIDTH_PX 1200
#define PLOT_MIN_PX	      200
#define PLOT_MAX_PX	      20000

/* What a picture needs of one Proof/v1 statement. */
struct plot_proof {
	char detector[256];		   /* predicate detector.name, printable ASCII */
	char file[256];			   /* base name of the envelope (for messages), cut if longer */
	uint64_t start_ns, end_ns;	   /* predicate window: the trace's clock */
	char trace_digest[SHA256_HEX_LEN]; /* the trace file it is about */
	bool verified;			   /* signed by a trusted operator key (plot_proof_load() with keys) */
};

struct plot_opts {
	int width_px, height_px;	 /* 0: PLOT_DEFAULT_WIDTH_PX and a height for the panels drawn */
	const char *title;		 /* NULL: the trace's name and what it holds */
	const char *name;		 /* the trace's name for the default title (a base name) */
	uint64_t from_ns, to_ns;	 /* time shown, ns since the first sample; to_ns UINT64_MAX: its end */
	const struct baseline *baseline; /* NULL: no band */
	bool baseline_verified;
	const struct plot_proof *proofs;
	size_t nproofs;
};

/* plot.c APIs: */

/*
 * Reads the envelope at path (a regular file, at most DSSE_MAX_LEN bytes)
 * as a statement of kind want.  kr NULL or empty: parsed only, *verified
 * false, ss->signer NULL.  Else opened under kr (statement_open()):
 * -EBADMSG when no trusted key of the kind's role signed it.  -EINVAL for
 * a malformed envelope or statement, or one of another kind; -errno from
 * reading.  e names path.  signed_statement__free() after success.
 */
int plot_envelope_open(const char *path, const struct keyring *kr, enum pl_kind want, struct signed_statement *ss,
		       bool *verified, struct plerr *e);
/* A Proof envelope as plot_envelope_open() reads it, into pr.  Same errors. */
int plot_proof_load(const char *path, const struct keyring *kr, struct plot_proof *pr, struct plerr *e);
/*
 * A Baseline envelope as plot_envelope_open() reads it, into b; -EINVAL
 * also for a baseline of another features_version.
 */
int plot_baseline_load(const char *path, const struct keyring *kr, struct baseline *b, bool *verified, struct plerr *e);

/*
 * The picture of t as SVG, appended to out.  Panels, sharing the time axis
 * (seconds since the trace's first sample):
 *   power (W): PIN, else POUT, per sample (decimated per pixel column);
 *     with a baseline, its band of typical window means (mean_mw median
 *     +- 1.4826 MAD) and its low and high levels (dashed) and max
 *     (dotted), each only when the baseline holds that feature;
 *   VOUT (V) and IOUT (A), each when some sample holds that rail.
 * Each proof is a shaded span over its window on every panel, labelled on
 * the power panel "DETECTOR (verified)" or "(unverified)".  Proofs outside
 * the time shown are left out.  -ENODATA (e says why) when no sample in
 * the time shown holds power, -ENOMEM; out is then as it was.
 */
int plot_trace(const struct trace *t, const struct plot_opts *o, struct buf *out, struct plerr *e);

#endif /* PL_PLOT_H */
