/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * in-toto Statement v1 carrying our predicates, signed in DSSE envelopes.
 *
 *   {"_type":"https://in-toto.io/Statement/v1",
 *    "predicate":{...},
 *    "predicateType":"https://powerledger.dev/<Kind>/v1",
 *    "subject":[{"digest":{"sha256":HEX},"name":NAME},...]}
 *
 * Kinds and who signs them:
 *   Trace     reader    subject: the trace file
 *   Workload  vendor    subject: the hardware fingerprint ("hardware")
 *   Baseline  operator  subject: the commissioning trace files
 *   Proof     operator  subject: the trace, the claim envelope and the
 *                       baseline envelope it contradicts
 * The predicates' members are specified (and checked) in predicate.c.
 */
#ifndef PL_STATEMENT_H
#define PL_STATEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "evidence/dsse.h"
#include "evidence/keys.h"
#include "lib/util.h"

#define INTOTO_STATEMENT_V1	  "https://in-toto.io/Statement/v1"
#define PL_PREDICATE_PREFIX	  "https://powerledger.dev/"
#define PL_STATEMENT_MAX_SUBJECTS 64

enum pl_kind { PL_KIND_TRACE, PL_KIND_WORKLOAD, PL_KIND_PROOF, PL_KIND_BASELINE, __PL_KIND_MAX };

struct statement {
	enum pl_kind kind;
	json_t *root;	   /* owned */
	json_t *subjects;  /* borrowed from root */
	json_t *predicate; /* borrowed from root */
};

/* An envelope read, signature-checked and parsed. */
struct signed_statement {
	struct dsse_env env;
	struct statement st;
	const struct pl_pubkey *signer; /* a key of the kind's role that signed; points into the trusted keys */
	char digest[SHA256_HEX_LEN];	/* SHA-256 of the envelope bytes */
};

/* statement.c APIs: */

const char *kind_name(enum pl_kind k); /* "Trace", ... */
/* "Trace" or "https://powerledger.dev/Trace/v1" -> kind; -EINVAL otherwise. */
int kind_parse(const char *s, enum pl_kind *out);
/* The role whose keys sign statements of kind k. */
enum pl_role kind_signer(enum pl_kind k);

/* New subject {"digest":{"sha256":hex},"name":name}, or NULL. */
json_t *subject_new(const char *name, const char *sha256hex);
/* New statement; steals the subjects array and the predicate object. */
json_t *statement_new(enum pl_kind k, json_t *subjects, json_t *predicate);

/*
 * Canonicalizes stmt, wraps it in a DSSE envelope signed by key and appends
 * the envelope bytes to out.  Refuses (-EINVAL) a statement that would not
 * pass statement_parse(), so we never sign what verify would reject.
 */
int statement_sign(const json_t *stmt, const struct pl_seckey *key, struct buf *out, struct plerr *e);

/*
 * Parses a statement payload: canonical JSON, exactly _type, subject,
 * predicateType, predicate; _type Statement v1; a known predicate type; 1 to
 * PL_STATEMENT_MAX_SUBJECTS subjects each with a printable name and exactly
 * a sha256 digest; a predicate that passes predicate_check().
 */
int statement_parse(const uint8_t *p, size_t n, struct statement *st, struct plerr *e);
void statement__free(struct statement *st);

/*
 * The whole check of an envelope: DSSE parse, payloadType, every signature
 * against the trusted keys (dsse.h: dsse_check_sigs(), dsse_sig_verdict()
 * for the policy), statement parse, and a valid signature by a key of the
 * role that signs the statement's kind (keys with PL_ROLE_ANY count for
 * every kind; signatures by other trusted keys are allowed alongside).
 * -EINVAL malformed, -EBADMSG signature or role rejected, -ENOMEM.
 */
int statement_open(const uint8_t *p, size_t n, const struct pl_pubkey *trusted, size_t ntrusted,
		   struct signed_statement *out, struct plerr *e);

/* What statement_open_report() found beyond its return value. */
struct open_report {
	enum sig_verdict verdict; /* why -EBADMSG; SIGV_OK otherwise */
	unsigned int unknown;	  /* signatures by keys not in the keyring, ignored */
};

/* statement_open() that also fills rep (which may be NULL). */
int statement_open_report(const uint8_t *p, size_t n, const struct pl_pubkey *trusted, size_t ntrusted,
			  struct signed_statement *out, struct open_report *rep, struct plerr *e);
void signed_statement__free(struct signed_statement *s);

/* Finds the sha256 of the subject called name; NULL if none. */
const char *statement_subject_digest(const struct statement *st, const char *name);

/* predicate.c APIs: */

/* Checks the predicate members of kind k (types, ranges, no unknown members). */
int predicate_check(enum pl_kind k, json_t *pred, struct plerr *e);
/*
 * Names every member (dotted path, e.g. "mfr.model") whose value differs
 * between a and b, with both values: "samples: signed 30001, trace has
 * 30000; host: ..." where a_says = "signed", b_says = "trace has".  Fills
 * out (n bytes, cut with "..." when longer) and returns how many differ.
 */
unsigned int predicate_diff(const json_t *a, const json_t *b, const char *a_says, const char *b_says, char *out,
			    size_t n);

#endif /* PL_STATEMENT_H */
