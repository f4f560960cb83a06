// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger sign --key KEY FILE [-o SIG] [--force] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/cli_opts.h"
#include "evidence/sig.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_sign_help[] =
"NAME\n"
"       powerledger sign - write a detached Ed25519 signature of a file\n"
"\n"
"SYNOPSIS\n"
"       powerledger sign --key KEY FILE [-o SIG] [--force]\n"
"\n"
"DESCRIPTION\n"
"       Signs the exact bytes of FILE with the Ed25519 private key in KEY (PEM\n"
"       PKCS#8, as written by keygen or `openssl genpkey -algorithm ed25519`)\n"
"       and writes the standard base64 of the 64-byte signature, without a\n"
"       newline, to FILE.sig.  Statements are better signed as DSSE envelopes\n"
"       (attest, baseline, claim, check do that); sign is for plain files such\n"
"       as exported reports.  The key is read from a file, never from the\n"
"       command line; a key file readable by group or others draws a warning.\n"
"\n"
"OPTIONS\n"
"       --key KEY\n"
"              Private key file.  Required.\n"
"       -o, --out SIG\n"
"              Write the signature here instead of FILE.sig.\n"
"       --force\n"
"              Replace SIG if it exists (atomically).  Without it an existing\n"
"              SIG is left as it is and sign exits 2.  SIG is never FILE or\n"
"              the key file, --force or not.\n"
"\n"
"OUTPUT\n"
"       The signature file's path and the signer's key id, tab-separated.\n"
"\n"
"EXIT STATUS\n"
"       0      signature written.\n"
"       2      usage error, unreadable key or file (FIFOs, devices and\n"
"              directories are refused at once), a FILE that starts with\n"
"              \"DSSEv1 \" (a DSSE pre-authentication encoding: its signature\n"
"              would be an envelope signature too),\n"
"              SIG exists without --force,\n"
"              write error (also on standard output).\n"
"\n"
"FILES\n"
"       FILE.sig   base64 signature (cosign verify-blob --signature reads it).\n"
"\n"
"EXAMPLES\n"
"       powerledger sign --key operator.key report.json\n"
"       powerledger verify --key operator.pub report.json.sig\n"
"       base64 -d report.json.sig > sig.bin &&\n"
"         openssl pkeyutl -verify -pubin -inkey operator.pub -rawin \\\n"
"           -in report.json -sigfile sig.bin\n";
/* clang-format on */

int cmd_sign(int argc, char **argv)
{
	struct buf body = { 0 }, sig = { 0 };
	struct pl_seckey key = { 0 };
	struct plerr e = { "" };
	struct sign_opts o;
	int ret = PL_EXIT_ERR;

	if (sign_opts__parse(&o, argc, argv, "sign", "FILE to sign", ".sig"))
		return PL_EXIT_ERR;
	if (seckey__load(&key, o.keypath, &e) || file_read(o.file, SIZE_MAX / 2, &body, &e))
		goto err;
	if (sig_body_is_pae(body.p, body.len)) {
		plerr_set(&e, -EPERM,
			  "%s: starts with \"DSSEv1 \", a DSSE pre-authentication encoding: its detached signature "
			  "would also sign an envelope; refused",
			  o.file);
		goto err;
	}
	if (sig_sign(&key, body.p, body.len, &sig)) {
		plerr_set(&e, -1, "out of memory");
		goto err;
	}
	if (file_write_atomic(o.outpath, sig.p, sig.len, 0644, o.force ? AFILE_REPLACE : 0, &e))
		goto err;
	printf("%s\t%s\n", o.outpath, key.pub.keyid);
	ret = PL_EXIT_OK;
	goto cleanup;
err:
	pl_error(&e);
cleanup:
	seckey__free(&key);
	buf_free(&body);
	buf_free(&sig);
	sign_opts__free(&o);
	return ret;
}
