// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger verify (--trust [ROLE=]PUB | --keydir DIR)... [--sig-role ROLE] [--json] FILE|DIR... */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "evidence/canon.h"
#include "evidence/verify.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_verify_help[] =
"NAME\n"
"       powerledger verify - check signatures, digests and statements\n"
"\n"
"SYNOPSIS\n"
"       powerledger verify (--keydir DIR | --trust [ROLE=]PUB)...\n"
"                          [--sig-role ROLE] [--json] FILE|DIR...\n"
"\n"
"DESCRIPTION\n"
"       Checks signed evidence offline against the trusted public keys given.\n"
"       Each FILE is one result line; in a DIR, every *.dsse.json and every\n"
"       *.sig whose FILE is not itself a *.dsse.json there (that one is\n"
"       checked with its envelope).\n"
"\n"
"   Verification rules\n"
"       An envelope is always verified as an envelope, whatever else vouches\n"
"       for it.  A file is an envelope when its name ends in .dsse.json or it\n"
"       is a JSON object with a payload, payloadType or signatures member.\n"
"       It passes when: it is canonical JSON with exactly payload,\n"
"       payloadType, signatures; payloadType is application/vnd.in-toto+json;\n"
"       every signature is checked against every trusted key, and\n"
"         - a signature whose keyid names a trusted key must verify under\n"
"           that key: one that does not fails the envelope (bad signature),\n"
"           even if other signatures verify;\n"
"         - a signature by a key not trusted here (its keyid is no trusted\n"
"           key's and no trusted key verifies it) is ignored and counted in\n"
"           the result: envelopes may carry co-signers you do not know;\n"
"         - at least one valid signature must be by a key of the role that\n"
"           signs the statement's kind: reader for Trace, vendor for\n"
"           Workload, operator for Baseline and Proof (a key trusted without\n"
"           a role counts for every role).  Valid signatures by keys of other\n"
"           roles may sit beside it; without it the result is wrong role;\n"
"       the payload is a canonical in-toto Statement v1 with a powerledger\n"
"       predicate type whose members are all present and well-typed; every\n"
"       subject that exists as a file next to the envelope has the SHA-256\n"
"       the statement names; a Trace statement matches its trace file's\n"
"       header and sample range (a mismatch names each differing member\n"
"       with both values); a Proof's trace, claim and baseline digests are\n"
"       among its subjects.\n"
"\n"
"       A detached signature FILE.sig is an extra check, never a substitute\n"
"       for the envelope's own.  Given FILE.sig, or FILE with a FILE.sig next\n"
"       to it, verify checks FILE as an envelope if it is one, and then that\n"
"       FILE.sig verifies over the exact bytes of FILE with a trusted key of\n"
"       the detached-signature role: operator (who signs reports with\n"
"       `powerledger sign`), or the role --sig-role names.  Both must pass.\n"
"\n"
"OPTIONS\n"
CLI_TRUST_HELP
"              At least one trusted key is needed.\n"
"       --key [ROLE=]PUB\n"
"              The same as --trust (verify has no private key).\n"
"       --sig-role ROLE\n"
"              The role whose keys sign detached signatures (reader,\n"
"              operator, vendor; default operator).\n"
"       --json Print one canonical JSON array instead of lines.\n"
"\n"
"OUTPUT\n"
"       One tab-separated line per file: STATUS (OK or FAIL), FILE, KIND\n"
"       (Trace, Workload, Proof, Baseline, or signature for a detached\n"
"       signature over a plain file), KEYID of the key that verified (for an\n"
"       envelope: a signature by the required role; or -), ROLE (or -), then\n"
"       DETAIL: for OK the RFC 6962 leaf hash SHA256(0x00||file bytes) of the\n"
"       file, the number of subjects checked against files, signatures by\n"
"       keys not trusted here, and the detached signature if there was one;\n"
"       for FAIL the reason, naming the failing signature or member.  --json\n"
"       prints [{\"detail\",\"file\",\"keyid\",\"kind\",\"leaf_hash\",\"ok\",\"role\",\n"
"       \"status\",\"subjects_checked\",\"subjects_unchecked\",\n"
"       \"unknown_signatures\"}] where status is ok, bad-signature,\n"
"       wrong-role, digest-mismatch, statement-mismatch (exit 1), or\n"
"       unreadable, malformed, error (exit 2).\n"
"\n"
"EXIT STATUS\n"
"       0      every file verified.\n"
"       1      a file failed verification and none was an error: a bad\n"
"              signature (or none by a trusted key), signatures only by keys\n"
"              of the wrong role, a subject's digest that differs, a\n"
"              statement that contradicts its files.\n"
"       2      usage error (including an unknown ROLE), no trusted key, or a\n"
"              file that could not be verified at all: unreadable, or not a\n"
"              well-formed canonical envelope, statement or signature file.\n"
"              An error outranks a failure.\n"
"\n"
"FILES\n"
"       *.dsse.json   DSSE envelopes written by attest, baseline, claim, check.\n"
"       *.sig         detached signatures written by sign.\n"
"\n"
"EXAMPLES\n"
"       powerledger verify --keydir keys/ evidence/\n"
"       powerledger verify --trust operator=operator.pub proof.dsse.json\n"
"       powerledger verify --keydir keys/ --sig-role reader report.json.sig\n"
"       powerledger verify --trust vendor.pub --json claim.dsse.json\n";
/* clang-format on */

struct vstate {
	const struct keyring *kr;
	enum pl_role sig_role;
	bool json;
	json_t *arr;
	unsigned int ok, failed, errors;
};

static void report(struct vstate *vs, const char *file, const struct vresult *r)
{
	switch (vstatus_exit(r->status)) {
	case PL_EXIT_OK: vs->ok++; break;
	case PL_EXIT_NEG: vs->failed++; break;
	default: vs->errors++; break;
	}
	if (vs->json) {
		/* File names are bytes; canonical JSON is printable ASCII: escaped, never dropped. */
		char *f = str_printable(file), *d = str_printable(r->detail);
		json_t *o = f && d ? json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:I,s:I,s:I}", "detail", d, "file", f,
					       "keyid", r->keyid[0] ? r->keyid : "-", "kind", r->kind[0] ? r->kind : "-",
					       "leaf_hash", r->leaf[0] ? r->leaf : "-", "ok", r->ok, "role",
					       r->role[0] ? r->role : "-", "status", vstatus_name(r->status),
					       "subjects_checked", (json_int_t)r->checked, "subjects_unchecked",
					       (json_int_t)r->unchecked, "unknown_signatures", (json_int_t)r->unknown_sigs)
				   : NULL;

		free(f);
		free(d);
		if (!o || json_array_append_new(vs->arr, o)) {
			pl_warn("%s: cannot report this result as JSON (out of memory)", file);
			vs->errors++;
		}
		return;
	}
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", r->ok ? "OK" : "FAIL", file, r->kind[0] ? r->kind : "-",
	       r->keyid[0] ? r->keyid : "-", r->role[0] ? r->role : "-", r->detail);
}

static void verify_file(struct vstate *vs, const char *path)
{
	struct vresult r = { 0 };

	verify_path(path, vs->kr, vs->sig_role, &r);
	report(vs, path, &r);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is X.sig's X an envelope listed in names (so X's line covers X.sig)? */
static bool sig_of_listed_envelope(char **names, size_t n, const char *name)
{
	size_t len = strlen(name) - 4;
	char *body;
	bool found;

	if (len < strlen(".dsse.json"))
		return false;
	body = strndup(name, len);
	if (!body)
		return false;
	found = str_ends_with(body, ".dsse.json") && bsearch(&body, names, n, sizeof(*names), name_cmp);
	free(body);
	return found;
}

static void verify_dir(struct vstate *vs, const char *dir)
{
	struct vresult r = { 0 };
	char **names = NULL, **tmp, *p;
	size_t n = 0, i, done = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		r.status = V_UNREADABLE;
		snprintf(r.detail, sizeof(r.detail), "%s: %s", dir, strerror(errno));
		report(vs, dir, &r);
		return;
	}
	while ((de = readdir(d))) {
		if (!str_ends_with(de->d_name, ".dsse.json") && !str_ends_with(de->d_name, ".sig"))
			continue;
		tmp = realloc(names, (n + 1) * sizeof(*names));
		if (!tmp)
			break;
		names = tmp;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if (str_ends_with(names[i], ".sig") && sig_of_listed_envelope(names, n, names[i]))
			continue;
		p = path_join(dir, names[i]);
		if (p)
			verify_file(vs, p);
		free(p);
		done++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (done == 0) {
		r.status = V_UNREADABLE;
		snprintf(r.detail, sizeof(r.detail), "%s: no *.dsse.json or *.sig files", dir);
		report(vs, dir, &r);
	}
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_TRUST_OPTIONS,
		{ "key", required_argument, NULL, CLI_OPT_TRUST },
		{ "sig-role", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct keyring kr = { 0 };
	struct vstate vs = { .sig_role = VERIFY_SIG_ROLE_DEFAULT };
	struct plerr e = { "" };
	int c, i, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case CLI_OPT_KEYDIR:
		case CLI_OPT_TRUST:
			if (cli_trust_opt(&kr, c, optarg, &e))
				goto err;
			break;
		case 'r':
			if (keyring_role_parse(optarg, &vs.sig_role, &e)) {
				ret = usage_error("verify", "--sig-role: %s", e.msg);
				goto cleanup;
			}
			break;
		case 'j': vs.json = true; break;
		default: ret = usage_error("verify", "bad option"); goto cleanup;
		}
	}
	if (kr.n == 0) {
		ret = usage_error("verify", "no trusted keys: give --trust PUB or --keydir DIR");
		goto cleanup;
	}
	if (optind == argc) {
		ret = usage_error("verify", "nothing to verify: give FILE or DIR");
		goto cleanup;
	}
	vs.kr = &kr;
	vs.arr = json_array();
	if (!vs.arr) {
		plerr_set(&e, -ENOMEM, "out of memory");
		goto err;
	}
	for (i = optind; i < argc; i++) {
		if (path_is_dir(argv[i]))
			verify_dir(&vs, argv[i]);
		else
			verify_file(&vs, argv[i]);
	}
	if (vs.json) {
		cli_print_json(vs.arr);
		vs.arr = NULL;
	}
	/* An error outranks a failure: "could not check" must not read as "checked, forged". */
	if (vs.errors)
		ret = PL_EXIT_ERR;
	else if (vs.failed)
		ret = PL_EXIT_NEG;
	else
		ret = PL_EXIT_OK;
	goto cleanup;
err:
	pl_error(&e);
cleanup:
	json_decref(vs.arr);
	keyring__free(&kr);
	return ret;
}
