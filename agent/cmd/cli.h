/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The verb table and what verbs share: each verb lives in cmd_<verb>.c with
 * its own help text (man-page sections), returns PL_EXIT_* and prints its
 * own messages.  main.c only dispatches.
 */
#ifndef PL_CLI_H
#define PL_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "evidence/keyring.h"
#include "lib/util.h"

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the verb name */
	const char *summary;
	const char *help; /* NAME ... EXAMPLES */
};

/* main.c owns the table. */
extern const struct verb pl_verbs[];
extern const size_t pl_nverbs;

#define VERB(name)                                                                                                     \
	int cmd_##name(int argc, char **argv);                                                                         \
	extern const char cmd_##name##_help[]

VERB(attest);
VERB(baseline);
VERB(check);
VERB(claim);
VERB(demo);
VERB(devices);
VERB(eval);
VERB(events);
VERB(features);
VERB(generate);
VERB(help);
VERB(import);
VERB(info);
VERB(keygen);
VERB(plot);
VERB(record);
VERB(run);
VERB(set);
VERB(sign);
VERB(stats);
VERB(top);
VERB(verify);

/* cli.c APIs: */

/* The verb called name, or NULL. */
const struct verb *verb_find(const char *name);
/* Prints the help text of v to stdout. */
void verb_print_help(const struct verb *v);
/*
 * Reports a usage error: "powerledger: VERB: message" and a pointer to the
 * help, on stderr.  Returns PL_EXIT_ERR.
 */
int usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Prints v (reference stolen) as canonical JSON and a newline on stdout.
 * Returns 0, or -EINVAL after printing why it cannot (NULL v, a real, a
 * non-ASCII string).
 */
struct json_t;
int cli_print_json(struct json_t *v);
/* Is stdout a terminal (pretty output) rather than a pipe (tab-separated)? */
bool cli_pretty(void);

/*
 * The trusted-key options check, run and verify share.  A verb puts
 * CLI_TRUST_OPTIONS in its getopt_long table, CLI_TRUST_HELP in its manual
 * page, and hands CLI_OPT_KEYDIR / CLI_OPT_TRUST to cli_trust_opt().
 * (verify also maps its --key to CLI_OPT_TRUST: there --key is public.)
 */
enum {
	CLI_OPT_KEYDIR = 0x1000,
	CLI_OPT_TRUST,
};
/* clang-format off */
#define CLI_TRUST_OPTIONS \
	{ "keydir", required_argument, NULL, CLI_OPT_KEYDIR }, \
	{ "trust", required_argument, NULL, CLI_OPT_TRUST }
#define CLI_TRUST_HELP \
"       --keydir DIR\n" \
"              Trust DIR/reader.pub, DIR/operator.pub and DIR/vendor.pub\n" \
"              (those present), each for its role.  Repeatable.\n" \
"       --trust [ROLE=]PUB\n" \
"              Trust the public key (PEM SPKI) in PUB for ROLE (reader,\n" \
"              operator or vendor), or for every role without ROLE=.\n" \
"              An unknown ROLE is an error; write ./PUB for a file name\n" \
"              holding '='.  Repeatable.\n"
/* clang-format on */
/*
 * Adds the keys of one trust option (opt: CLI_OPT_KEYDIR or CLI_OPT_TRUST,
 * arg: its argument) to kr.  0, or -errno with e naming the file or the
 * unknown role; -EINVAL for any other opt.
 */
int cli_trust_opt(struct keyring *kr, int opt, const char *arg, struct plerr *e);

/*
 * The exit status for a failed evidence check's -errno: -EBADMSG (a
 * signature or signer role rejected: a verdict) is PL_EXIT_NEG, anything
 * else PL_EXIT_ERR.  Decide from the error code, never from message text.
 */
int cli_exit_for(int err);

#endif /* PL_CLI_H */
