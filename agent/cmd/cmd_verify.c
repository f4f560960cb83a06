// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger verify [--key [ROLE=]PUB]... [--keydir DIR] [--json] FILE|DIR... */
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
"       powerledger verify (--key [ROLE=]PUB | --keydir DIR)... [--json]\n"
"                          FILE|DIR...\n"
"\n"
"DESCRIPTION\n"
"       Checks signed evidence offline against the trusted public keys given.\n"
"\n"
"       A DSSE envelope (any FILE not ending in .sig and without a FILE.sig\n"
"       next to it; in a DIR every *.dsse.json) passes when: it is canonical\n"
"       JSON with exactly payload, payloadType, signatures; payloadType is\n"
"       application/vnd.in-toto+json; a signature over the DSSE PAE verifies\n"
"       with a trusted key; the payload is a canonical in-toto Statement v1\n"
"       with a powerledger predicate type (Trace, Workload, Proof, Baseline)\n"
"       whose members are all present and well-typed; the signing key's role\n"
"       (if it has one) is the role that signs that kind; every subject that\n"
"       exists as a file next to the envelope has the SHA-256 the statement\n"
"       names; a Trace statement matches its trace file's header; a Proof's\n"
"       trace, claim and baseline digests are among its subjects.\n"
"\n"
"       A detached signature (FILE.sig, or FILE when FILE.sig exists; in a DIR\n"
"       every *.sig) passes when it verifies over the exact bytes of FILE with\n"
"       a trusted key.\n"
"\n"
"OPTIONS\n"
"       --key [ROLE=]PUB\n"
"              Trust the public key (PEM SPKI) in PUB.  With ROLE (reader,\n"
"              operator, vendor) the key is only accepted for the kinds that\n"
"              role signs.  Repeatable.\n"
"       --keydir DIR\n"
"              Trust DIR/reader.pub, DIR/operator.pub and DIR/vendor.pub (those\n"
"              present) with their roles.  Repeatable.\n"
"       --json Print one canonical JSON array instead of lines.\n"
"\n"
"OUTPUT\n"
"       One tab-separated line per file: STATUS (OK or FAIL), FILE, KIND\n"
"       (Trace, Workload, Proof, Baseline or signature), KEYID of the key that\n"
"       verified (or -), ROLE (or -), then DETAIL: for OK the RFC 6962 leaf\n"
"       hash SHA256(0x00||file bytes) of the envelope and the number of\n"
"       subjects checked against files; for FAIL the reason.  --json prints\n"
"       [{\"detail\",\"file\",\"keyid\",\"kind\",\"leaf_hash\",\"ok\",\"role\",\n"
"       \"subjects_checked\",\"subjects_unchecked\"}].\n"
"\n"
"EXIT STATUS\n"
"       0      every file verified.\n"
"       1      at least one file failed (bad signature, digest mismatch,\n"
"              malformed or non-canonical statement, wrong signer role).\n"
"       2      usage error, no trusted key, or a file could not be read.\n"
"\n"
"FILES\n"
"       *.dsse.json   DSSE envelopes written by attest, baseline, claim, check.\n"
"       *.sig         detached signatures written by sign.\n"
"\n"
"EXAMPLES\n"
"       powerledger verify --keydir keys/ evidence/\n"
"       powerledger verify --key operator=operator.pub proof.dsse.json\n"
"       powerledger verify --key vendor.pub --json claim.dsse.json\n";
/* clang-format on */

struct vstate {
	const struct keyring *kr;
	bool json;
	json_t *arr;
	unsigned int ok, failed, errors;
};

static void report(struct vstate *vs, const char *file, const struct vresult *r)
{
	if (r->io_error)
		vs->errors++;
	else if (r->ok)
		vs->ok++;
	else
		vs->failed++;
	if (vs->json) {
		json_array_append_new(
			vs->arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:I,s:I}", "detail", r->detail, "file", file,
					   "keyid", r->keyid[0] ? r->keyid : "-", "kind", r->kind[0] ? r->kind : "-",
					   "leaf_hash", r->leaf[0] ? r->leaf : "-", "ok", r->ok, "role",
					   r->role[0] ? r->role : "-", "subjects_checked", (json_int_t)r->checked,
					   "subjects_unchecked", (json_int_t)r->unchecked));
		return;
	}
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", r->ok ? "OK" : "FAIL", file, r->kind[0] ? r->kind : "-",
	       r->keyid[0] ? r->keyid : "-", r->role[0] ? r->role : "-", r->detail);
}

static void verify_file(struct vstate *vs, const char *path)
{
	struct vresult r = { 0 };
	char *sig;

	if (str_ends_with(path, ".sig")) {
		char *body = strndup(path, strlen(path) - 4);

		if (body)
			verify_detached(body, path, vs->kr, &r);
		free(body);
	} else {
		sig = malloc(strlen(path) + 5);
		if (!sig)
			return;
		sprintf(sig, "%s.sig", path);
		if (access(sig, F_OK) == 0)
			verify_detached(path, sig, vs->kr, &r);
		else
			verify_envelope(path, vs->kr, &r);
		free(sig);
	}
	report(vs, path, &r);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void verify_dir(struct vstate *vs, const char *dir)
{
	struct vresult r = { 0 };
	char **names = NULL, **tmp, *p;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		r.io_error = true;
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
		p = path_join(dir, names[i]);
		if (p)
			verify_file(vs, p);
		free(p);
		free(names[i]);
	}
	free(names);
	if (n == 0) {
		r.io_error = true;
		snprintf(r.detail, sizeof(r.detail), "%s: no *.dsse.json or *.sig files", dir);
		report(vs, dir, &r);
	}
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "keydir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct keyring kr = { 0 };
	struct vstate vs = { 0 };
	struct plerr e = { "" };
	int c, i, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (keyring_add_spec(&kr, optarg, &e))
				goto err;
			break;
		case 'd':
			if (keyring_add_dir(&kr, optarg, &e))
				goto err;
			break;
		case 'j': vs.json = true; break;
		default: ret = usage_error("verify", "bad option"); goto cleanup;
		}
	}
	if (kr.n == 0) {
		ret = usage_error("verify", "no trusted keys: give --key PUB or --keydir DIR");
		goto cleanup;
	}
	if (optind == argc) {
		ret = usage_error("verify", "nothing to verify: give FILE or DIR");
		goto cleanup;
	}
	vs.kr = &kr;
	vs.arr = json_array();
	if (!vs.arr) {
		plerr_set(&e, -1, "out of memory");
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
