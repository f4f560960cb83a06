// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger attest --key READER.key TRACE [-o ENVELOPE] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "evidence/attest.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_attest_help[] =
"NAME\n"
"       powerledger attest - sign a trace file as a Trace statement\n"
"\n"
"SYNOPSIS\n"
"       powerledger attest --key READER.key TRACE [-o ENVELOPE]\n"
"\n"
"DESCRIPTION\n"
"       Validates TRACE and signs, with the reader (capture host) key, a DSSE\n"
"       envelope around an in-toto Statement v1 whose subject is the trace\n"
"       file (name: its base name, digest: SHA-256 of its bytes) and whose\n"
"       predicate (https://powerledger.dev/Trace/v1) repeats the trace header:\n"
"       clock, dev_id, fingerprint, format_version, host, mfr {id, model,\n"
"       serial}, period_ns, rails, record_size, samples, source, t0_ns,\n"
"       t_end_ns.  verify recomputes all of it from the trace file when the\n"
"       envelope sits next to it.\n"
"\n"
"OPTIONS\n"
"       --key KEY\n"
"              Reader private key (PEM PKCS#8).  Required.\n"
"       -o, --out ENVELOPE\n"
"              Where to write the envelope; default TRACE.dsse.json.\n"
"\n"
"OUTPUT\n"
"       The envelope path, the trace's SHA-256 and the signer's key id,\n"
"       tab-separated.\n"
"\n"
"EXIT STATUS\n"
"       0      envelope written.\n"
"       2      usage error, bad key, invalid trace (the message names the\n"
"              byte offset), write error.\n"
"\n"
"FILES\n"
"       TRACE.dsse.json   canonical DSSE envelope, no trailing newline.\n"
"\n"
"EXAMPLES\n"
"       powerledger attest --key /etc/powerledger/reader.key capture.pltr\n"
"       powerledger verify --keydir /etc/powerledger capture.pltr.dsse.json\n";
/* clang-format on */

int cmd_attest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keypath = NULL, *out = NULL, *trace;
	struct pl_seckey key = { 0 };
	char digest[SHA256_HEX_LEN];
	struct plerr e = { "" };
	struct buf env = { 0 };
	char *envpath = NULL;
	int c, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 'o': out = optarg; break;
		default: return usage_error("attest", "bad option");
		}
	}
	if (!keypath)
		return usage_error("attest", "--key KEY is required");
	if (optind + 1 != argc)
		return usage_error("attest", "exactly one TRACE");
	trace = argv[optind];
	envpath = malloc(strlen(out ? out : trace) + 11);
	if (!envpath)
		goto cleanup;
	if (out)
		strcpy(envpath, out);
	else
		sprintf(envpath, "%s.dsse.json", trace);
	if (seckey__load(&key, keypath, &e) || attest_trace(trace, &key, &env, &e) ||
	    file_sha256_hex(trace, digest, &e) || file_write_atomic(envpath, env.p, env.len, 0644, &e)) {
		pl_error(&e);
		goto cleanup;
	}
	printf("%s\t%s\t%s\n", envpath, digest, key.pub.keyid);
	ret = PL_EXIT_OK;
cleanup:
	seckey__free(&key);
	buf_free(&env);
	free(envpath);
	return ret;
}
