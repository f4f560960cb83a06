/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The `powerledger run` daemon's loop, independent of where samples come
 * from (source.h) so that tests drive it with a synthetic source on a
 * virtual clock.
 *
 * Online decisions: unless cfg->segment_only, every window of samples the
 * segment so far is judged against the active claims (check_watch_judge()),
 * and a segment a detector fires on is closed at once, so that its check
 * signs the proof within a window of the evidence becoming conclusive.
 *
 * One thread.  epoll waits on the source's fd and a signalfd (SIGTERM,
 * SIGINT, SIGHUP are blocked while rund_run() runs and restored after);
 * each wake-up drains the source into the segment (segment.h).  When a
 * segment's slot ends it is written out as a reader-attested trace, the
 * claims directory is re-read (claimdir.h) and one check job is queued per
 * active claim; the loop runs one check_run() per turn so the rings are
 * drained between checks.  Proofs land in the output directory as
 * SEG.CLAIM.DETECTOR.proof.dsse.json (check_run() writes them atomically,
 * then they are renamed to carry the claim's name so two claims on one
 * segment never collide).
 *
 * Nothing after start-up ends the loop but SIGTERM or SIGINT: a trace that
 * cannot be written (ENOSPC), a claim that does not verify, a check that
 * fails -- each is reported as an error event and the loop goes on.
 * SIGTERM/SIGINT drain the source, write the partial segment, finish the
 * checks and return 0.  SIGHUP re-reads the claims at once.
 *
 * Events, one per line on cfg->out, canonical JSON (canon.h) with
 * "event" set to:
 *   start    source, device, fingerprint, outdir, period_ns, segment_ns,
 *            window_ns (then the claim events of the first scan)
 *   claim    status "loaded" or "ignored" (other hardware), path, message
 *   error    what (claim, baseline, scan, segment, check, device, drain,
 *            output), path (if any), message
 *   proof    claim, detector, path, summary, trace
 *   segment  trace, statement, samples, lost, start_ns, end_ns (first and
 *            last record), claims (names checked), proofs (paths), cut
 *            (1: closed early, its buffer was full), early (1: closed
 *            early because a detector fired on it: online decisions),
 *            contexts (GPU-context intervals in the trace, cfg->gc),
 *            ctx_dropped (GPU-context events lost during it)
 *   status   samples, samples_per_s, lost, overruns, segments, proofs,
 *            errors, rss_kib, and window {mean_mw, cv_ppm, bursts} when
 *            the last window had enough samples
 *   rescan   claims (usable), files (claim files looked at): after SIGHUP
 *   kernel   dev_id, kind (i2c_error, pec_error, overrun, lost,
 *            device_added, device_removed, page_restored, backoff,
 *            overflow), count, errno: the module's netlink "events" group
 *            (cfg->nl), as they come
 *   exit     reason (SIGTERM, SIGINT), status, samples, lost, overruns,
 *            skipped (records of other devices), late (records that came
 *            after their segment was written), segments, proofs, errors
 * Human mode (a terminal, no --json) prints the same as lines and keeps
 * one status line updated in place.
 */
#ifndef PL_RUND_H
#define PL_RUND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/genl.h"
#include "capture/gpuctx.h"
#include "capture/source.h"
#include "evidence/keys.h"
#include "science/detect.h"

#define RUND_MAX_JOBS 2 /* segments whose checks may wait at once */

struct rund_cfg {
	struct source *src; /* not owned */
	const char *claims_dir;
	const char *baseline_dir, *baseline_file; /* one of them */
	const char *outdir;
	const struct pl_seckey *operator_key; /* signs proofs */
	const struct pl_seckey *reader_key;   /* signs traces */
	const struct pl_pubkey *trusted;      /* for claims and baselines */
	size_t ntrusted;
	const struct detect_params *dp;
	uint64_t segment_ns; /* default 60 s */
	uint64_t segment_bytes; /* buffer budget; 0: SEGMENT_DEFAULT_RECORDS records */
	uint64_t window_ns;  /* live features in status, default 1 s */
	uint64_t status_ns;  /* 0: no status */
	uint32_t dev_id;
	bool have_dev; /* else the first device seen */
	/* Identity strings for trace headers; NULL: the source's, and gethostname(). */
	const char *mfr_id, *mfr_model, *mfr_serial, *host;
	bool segment_only; /* decide at each segment's end only (run --decide segment); else window by window */
	bool json; /* JSON lines, else human lines and a status line */
	FILE *out; /* default stdout */
	struct gpuctx *gc; /* GPU-context events to join into each segment (not owned); NULL: none */
	struct plnl *nl;   /* the module's netlink family, subscribed to its events (not owned); NULL: none */
};

struct rund_stats {
	uint64_t samples;  /* records taken into segments */
	uint64_t segments; /* traces written */
	uint64_t proofs;
	uint64_t checks; /* check_run() calls that completed */
	uint64_t errors; /* error events */
	int signal;	 /* the signal that ended the loop */
};

/* rund.c APIs: */

/*
 * The start-up checks that need no source: the output and claims
 * directories, the baseline file.  Callers run it before opening a device
 * so that a typo does not cost a mapping; rund_run() checks again.
 */
int rund_preflight(const struct rund_cfg *cfg, struct plerr *e);

/*
 * Runs the daemon until SIGTERM or SIGINT.  Returns PL_EXIT_OK after a
 * clean shutdown, PL_EXIT_ERR when it could not start (e says why: output
 * directory, claims directory, baseline file, segment buffer, epoll).
 */
int rund_run(const struct rund_cfg *cfg, struct rund_stats *st, struct plerr *e);

#endif /* PL_RUND_H */
