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
VERB(features);
VERB(help);
VERB(import);
VERB(info);
VERB(keygen);
VERB(record);
VERB(run);
VERB(sign);
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

#endif /* PL_CLI_H */
