/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Options several verbs share, beyond cli.h: those of the verbs that sign
 * one file with one key (attest, sign), and the hardware identity strings
 * (--host, --mfr-*) of record, import and run.
 */
#ifndef PL_CLI_OPTS_H
#define PL_CLI_OPTS_H

#include <stdbool.h>

#include "lib/util.h"

struct sign_opts {
	const char *keypath; /* --key: the private key */
	const char *out;     /* -o/--out, or NULL for FILE + the verb's suffix */
	const char *file;    /* the one operand */
	bool force;	     /* --force: replace an existing output */
	char *outpath;	     /* malloc'd: out, or file + suffix */
};

/* cli_opts.c APIs: */

/*
 * Parses --key KEY, -o/--out OUT, --force and exactly one FILE operand for
 * verb, then settles the output path (out, or FILE + suffix) and checks it:
 * it must not exist unless --force, and it is never FILE or the key file
 * themselves, --force or not.  Returns 0, or PL_EXIT_ERR after printing a
 * usage error or the reason; sign_opts__free() either way.
 */
int sign_opts__parse(struct sign_opts *o, int argc, char **argv, const char *verb, const char *operand,
		     const char *suffix);
void sign_opts__free(struct sign_opts *o);

/*
 * Checks the value of --OPT (host, mfr-id, ...) of verb: at most 32 bytes of
 * printable ASCII, refused (never cut or mended: two hosts must not share
 * a fingerprint).  0, or PL_EXIT_ERR after printing a usage error.
 */
int cli_ident_opt(const char *verb, const char *opt, const char *val);
/*
 * This host's name (gethostname()) into host, when --host was not given.
 * 0, or PL_EXIT_ERR after saying why it cannot serve (too long) and to give
 * --host.
 */
int cli_default_host(const char *verb, char *host, size_t size);

/*
 * A JSON string of s for --json output: file names and messages are bytes,
 * canonical JSON is printable ASCII, so other bytes (and '%') come as %XX
 * (str_printable()).  NULL only without memory; use with "s:o".
 */
struct json_t;
struct json_t *cli_jstr(const char *s);

/*
 * A number with an optional unit suffix, exactly in decimal: "2350",
 * "2350Hz", "2.35kHz", "1MHz" -> uHz (> 0); "0.01", "0.01W", "10mW", "1kW"
 * -> uW.  -EINVAL for anything else.
 */
int cli_parse_rate_uhz(const char *s, uint64_t *uhz);
int cli_parse_power_uw(const char *s, int64_t *uw);
/* A rate as cli_parse_rate_uhz() reads it, as the period it gives: ns, rounded. */
int cli_parse_rate_period_ns(const char *s, uint64_t *period_ns);
/*
 * A sampling period as a duration with its unit ("500us", "2ms", "1s") or
 * a rate in Hz, kHz or MHz ("1000Hz", "2.5kHz"): ns.  A bare number is
 * -EINVAL (ns or Hz?).  Syntax only: the range is the kernel's to judge.
 */
int cli_parse_period_ns(const char *s, uint64_t *period_ns);
/* "1 ms (1000 Hz)", "300 us (3333.333 Hz)": the largest exact unit, the rate in Hz. */
void cli_period_str(uint64_t ns, char *buf, size_t n);

/* A rate such as 1e-6 or 0.001 into *r: 0 < r <= 1; -EINVAL otherwise. */
int cli_rate_opt(const char *s, double *r);

#endif /* PL_CLI_OPTS_H */
