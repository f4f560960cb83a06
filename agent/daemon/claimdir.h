/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The daemon's view of a directory of vendor claims and of the baselines
 * they are checked against, re-read on every scan so that claims can be
 * dropped in or removed while the daemon runs.
 *
 * A claim file (NAME.dsse.json, not hidden, not a temporary) is usable
 * when its envelope verifies against the trusted keys as a Workload
 * statement signed by a vendor key, it concerns this host's hardware
 * fingerprint, and a baseline for its model is known.  Envelopes of other
 * kinds are ignored without a word (the directory may hold anything else a
 * verifier hands out); each unusable claim is reported once per content
 * (name and SHA-256), and again only if it changes or comes back after
 * being removed.  Newly usable claims are reported once the same way.
 *
 * Baselines come from one file given at start (checked then) or from a
 * directory scanned alongside the claims: for each model, a baseline
 * commissioned on this hardware wins over one from elsewhere, then the
 * newer file.
 *
 * Memory: at most CLAIMDIR_MAX files of each kind are looked at per scan;
 * the tables are sized by what the directories hold.
 */
#ifndef PL_CLAIMDIR_H
#define PL_CLAIMDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/keys.h"
#include "evidence/workload.h"
#include "lib/util.h"

#define CLAIMDIR_MAX  1024
#define CLAIMDIR_NAME 256

struct claimdir_entry {
	char name[CLAIMDIR_NAME];     /* file name in the claims directory */
	char baseline[CLAIMDIR_NAME]; /* file name in the baseline directory, or "" for the one file */
	struct claim c;
};

enum claimdir_note {
	CLAIMDIR_LOADED,      /* a claim became usable */
	CLAIMDIR_IGNORED,     /* a valid claim for other hardware */
	CLAIMDIR_REJECTED,    /* a claim that does not verify or has no baseline */
	CLAIMDIR_BAD_BASELINE /* a file in the baseline directory that does not verify */
};

struct claimdir_seen {
	char name[CLAIMDIR_NAME];
	uint8_t digest[SHA256_LEN];
	enum claimdir_note status;
};

struct claimdir_baseline {
	char name[CLAIMDIR_NAME];
	char model[256];
	bool here; /* commissioned on this hardware */
	int64_t mtime_ns;
};

/* Called once per claim or baseline file whose status is news. */
typedef void (*claimdir_note_fn)(void *arg, enum claimdir_note what, const char *path, const char *msg);

struct claimdir {
	const char *claims_dir;
	const char *baseline_dir;  /* or NULL */
	const char *baseline_file; /* or NULL */
	const struct pl_pubkey *trusted;
	size_t ntrusted;
	char fingerprint[SHA256_HEX_LEN];
	char baseline_model[256]; /* model of baseline_file */

	struct claimdir_entry *v; /* usable claims of the last scan */
	size_t n, cap;
	struct claimdir_baseline *bl; /* baselines of the last scan */
	size_t nbl, capbl;
	struct claimdir_seen *seen, *bseen; /* claims and baselines reported so far */
	size_t nseen, nbseen;
	uint64_t files; /* claim files looked at in the last scan */
};

/* claimdir.c APIs: */

/*
 * Sets cd up.  With a baseline file, verifies it now: -EBADMSG / -EINVAL
 * with e set when it does not verify or is not a Baseline.
 */
int claimdir__init(struct claimdir *cd, const char *claims_dir, const char *baseline_dir, const char *baseline_file,
		   const struct pl_pubkey *trusted, size_t ntrusted, const char *fingerprint, struct plerr *e);
void claimdir__free(struct claimdir *cd);

/*
 * Re-reads both directories.  Per-file problems go to note and never fail
 * the scan; -errno with e set only when a directory cannot be read (the
 * usable set is then empty).  -ENOMEM.
 */
int claimdir__scan(struct claimdir *cd, claimdir_note_fn note, void *arg, struct plerr *e);

/* Does the claim's time window overlap [first_ns, last_ns]? */
bool claimdir_active(const struct claimdir_entry *c, uint64_t first_ns, uint64_t last_ns);

/* Paths of an entry's claim and baseline files; false if they do not fit. */
bool claimdir_paths(const struct claimdir *cd, const struct claimdir_entry *c, char *claim, char *baseline, size_t len);

#endif /* PL_CLAIMDIR_H */
