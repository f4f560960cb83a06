// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger help [VERB] */
#include <stdio.h>

#include "cmd/cli.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_help_help[] =
"NAME\n"
"       powerledger help - show help for powerledger or one of its verbs\n"
"\n"
"SYNOPSIS\n"
"       powerledger help [VERB]\n"
"       powerledger VERB --help\n"
"\n"
"DESCRIPTION\n"
"       Without VERB, lists the verbs with a one-line summary.  With VERB,\n"
"       prints that verb's manual: NAME, SYNOPSIS, DESCRIPTION, OPTIONS,\n"
"       OUTPUT, EXIT STATUS, FILES and EXAMPLES.\n"
"\n"
"OPTIONS\n"
"       None.\n"
"\n"
"OUTPUT\n"
"       The help text on stdout.  Running powerledger with no verb prints the\n"
"       verb list on stderr instead and exits 2.\n"
"\n"
"EXIT STATUS\n"
"       0      help printed.\n"
"       2      unknown verb.\n"
"\n"
"FILES\n"
"       None.\n"
"\n"
"EXAMPLES\n"
"       powerledger help verify\n"
"       powerledger check --help | less\n";
/* clang-format on */

int cmd_help(int argc, char **argv)
{
	FILE *out = argc > 0 ? stdout : stderr;
	const struct verb *v;
	size_t i;

	if (argc >= 2) {
		v = verb_find(argv[1]);
		if (!v) {
			fprintf(stderr, PL_PROG ": help: unknown verb '%s'\n", argv[1]);
			return PL_EXIT_ERR;
		}
		verb_print_help(v);
		return PL_EXIT_OK;
	}
	fprintf(out, "usage: " PL_PROG " VERB [OPTIONS] [ARGS]\n"
		     "\n"
		     "powerledger turns PMBus power telemetry into signed evidence of what a GPU\n"
		     "host runs: traces, baselines, vendor claims and contradiction proofs, all\n"
		     "DSSE/in-toto statements verifiable offline with openssl.\n"
		     "\n"
		     "Verbs:\n");
	for (i = 0; i < pl_nverbs; i++)
		fprintf(out, "  %-10s %s\n", pl_verbs[i].name, pl_verbs[i].summary);
	fprintf(out, "\n"
		     "'" PL_PROG " help VERB' or '" PL_PROG " VERB --help' shows a verb's manual.\n"
		     "Exit status: 0 ok, 1 negative result (bad signature, proof with\n"
		     "--fail-on-proof), 2 usage or system error.\n");
	return argc > 0 ? PL_EXIT_OK : PL_EXIT_ERR;
}
