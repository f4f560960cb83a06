// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Verb lookup, help printing, usage errors, JSON output, trusted-key options. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "evidence/canon.h"

const struct verb *verb_find(const char *name)
{
	size_t i;

	for (i = 0; i < pl_nverbs; i++)
		if (!strcmp(pl_verbs[i].name, name))
			return &pl_verbs[i];
	return NULL;
}

void verb_print_help(const struct verb *v)
{
	fputs(v->help, stdout);
}

int usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PL_PROG ": %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PL_PROG " help %s'.\n", verb);
	return PL_EXIT_ERR;
}

bool cli_pretty(void)
{
	return isatty(STDOUT_FILENO);
}

int cli_print_json(json_t *v)
{
	struct buf b = { 0 };
	struct plerr e = { "" };
	int ret;

	if (!v) {
		pl_warn("out of memory");
		return -ENOMEM;
	}
	ret = canon_dump(v, &b, &e);
	json_decref(v);
	if (ret) {
		pl_warn("cannot print JSON output: %s", e.msg);
		buf_free(&b);
		return ret;
	}
	fwrite(b.p, 1, b.len, stdout);
	fputc('\n', stdout);
	buf_free(&b);
	return 0;
}

int cli_trust_opt(struct keyring *kr, int opt, const char *arg, struct plerr *e)
{
	switch (opt) {
	case CLI_OPT_KEYDIR: return keyring_add_dir(kr, arg, e);
	case CLI_OPT_TRUST: return keyring_add_spec(kr, arg, e);
	default: return plerr_set(e, -EINVAL, "not a trust option");
	}
}

int cli_exit_for(int err)
{
	return err == -EBADMSG ? PL_EXIT_NEG : PL_EXIT_ERR;
}
