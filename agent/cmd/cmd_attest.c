// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger attest --key READER.key TRACE [-o ENVELOPE] [--force] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/cli_opts.h"
#include "evidence/attest.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_attest_help[] =
"NAME\n"
"       powerledger attest - sign a trace file as a Trace statement\n"
"\n"
"SYNOPSIS\n"
"       powerledger attest --key READER.key TRACE [-o ENVELOPE] [--force]\n"
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
"       --force\n"
"              Replace ENVELOPE if it exists (atomically).  Without it an\n"
"              existing ENVELOPE is left as it is and attest exits 2.\n"
"              ENVELOPE is never TRACE or the key file, --force or not.\n"
"\n"
"OUTPUT\n"
"       The envelope path, the trace's SHA-256 and the signer's key id,\n"
"       tab-separated.\n"
"\n"
"EXIT STATUS\n"
"       0      envelope written.\n"
"       2      usage error, bad key, invalid trace (the message names the\n"
"              byte offset), ENVELOPE exists without --force, write error\n"
"              (also on standard output).\n"
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
	struct pl_seckey key = { 0 };
	char digest[SHA256_HEX_LEN];
	struct plerr e = { "" };
	struct buf env = { 0 };
	struct sign_opts o;
	int ret = PL_EXIT_ERR;

	if (sign_opts__parse(&o, argc, argv, "attest", "TRACE", ".dsse.json"))
		return PL_EXIT_ERR;
	if (seckey__load(&key, o.keypath, &e) || attest_trace(o.file, &key, &env, digest, &e) ||
	    file_write_atomic(o.outpath, env.p, env.len, 0644, o.force ? AFILE_REPLACE : 0, &e)) {
		pl_error(&e);
		goto cleanup;
	}
	printf("%s\t%s\t%s\n", o.outpath, digest, key.pub.keyid);
	ret = PL_EXIT_OK;
cleanup:
	seckey__free(&key);
	buf_free(&env);
	sign_opts__free(&o);
	return ret;
}
