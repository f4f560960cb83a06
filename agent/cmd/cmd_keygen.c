// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger keygen --role ROLE -o DIR|PREFIX [--force] [--json] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/cli_opts.h"
#include "evidence/canon.h"
#include "evidence/keys.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_keygen_help[] =
"NAME\n"
"       powerledger keygen - create an Ed25519 key pair for one role\n"
"\n"
"SYNOPSIS\n"
"       powerledger keygen --role reader|operator|vendor -o DIR|PREFIX\n"
"                          [--force] [--json]\n"
"\n"
"DESCRIPTION\n"
"       Generates an Ed25519 key pair with libsodium and writes the private\n"
"       key as PEM PKCS#8 (\"PRIVATE KEY\", mode 0600) and the public key as PEM\n"
"       SubjectPublicKeyInfo (\"PUBLIC KEY\", mode 0644): the encodings\n"
"       `openssl genpkey -algorithm ed25519` writes, so openssl and cosign use\n"
"       them as they are.  An existing file is never replaced without\n"
"       --force.  The secret only ever lives in\n"
"       locked, wiped memory (sodium_malloc).\n"
"\n"
"       The role says which statements the key signs and is enforced by\n"
"       verify when a key is given as ROLE=PUB.pem or found by --keydir:\n"
"         reader    Trace statements (the capture host)\n"
"         operator  Baselines and Proofs\n"
"         vendor    Workload claims\n"
"\n"
"       The key id is the lowercase hex SHA-256 of the public key's DER\n"
"       (SubjectPublicKeyInfo) encoding.\n"
"\n"
"OPTIONS\n"
"       --role ROLE\n"
"              reader, operator or vendor.  Required.\n"
"       -o, --out DIR|PREFIX\n"
"              An existing directory, or any path ending in / (created with\n"
"              its parents if missing): write DIR/ROLE.key and DIR/ROLE.pub.\n"
"              Anything else is a prefix: write PREFIX.key and PREFIX.pub.\n"
"       --force\n"
"              Replace existing files.  Both new files are written whole\n"
"              before either name changes: if anything fails (a directory\n"
"              in the way, a full disk), the old pair is left as it was.\n"
"       --json Print the result as one canonical JSON object.\n"
"\n"
"OUTPUT\n"
"       One line, tab-separated: ROLE, KEYID, private key path, public key\n"
"       path.  With --json: {\"keyid\",\"private\",\"public\",\"role\"}.\n"
"\n"
"EXIT STATUS\n"
"       0      keys written.\n"
"       2      usage error, or a file exists (without --force) or cannot be\n"
"              written; then neither file is left behind.\n"
"\n"
"FILES\n"
"       DIR/ROLE.key or PREFIX.key   private key, PEM PKCS#8, mode 0600\n"
"       DIR/ROLE.pub or PREFIX.pub   public key, PEM SPKI, mode 0644\n"
"\n"
"EXAMPLES\n"
"       powerledger keygen --role operator -o /etc/powerledger\n"
"       powerledger keygen --role vendor -o ./acme\n"
"       openssl pkey -pubin -in /etc/powerledger/operator.pub -outform DER | sha256sum\n";
/* clang-format on */

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *rname = NULL;
	char *priv = NULL, *pub = NULL, name[32];
	struct pl_seckey key = { 0 };
	enum pl_role role;
	bool force = false, json = false;
	struct plerr e = { "" };
	int c, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'r': rname = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'j': json = true; break;
		default: return usage_error("keygen", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("keygen", "unexpected argument '%s'", argv[optind]);
	if (!rname || role_parse(rname, &role))
		return usage_error("keygen", "--role must be reader, operator or vendor");
	if (!out || !*out)
		return usage_error("keygen", "-o DIR|PREFIX is required");
	/* "DIR/" names a directory even before it exists: created, not taken as a prefix. */
	if (out[strlen(out) - 1] == '/' && mkdir_p(out, 0755, &e))
		goto err;
	if (path_is_dir(out)) {
		snprintf(name, sizeof(name), "%s.key", rname);
		priv = path_join(out, name);
		snprintf(name, sizeof(name), "%s.pub", rname);
		pub = path_join(out, name);
	} else {
		priv = malloc(strlen(out) + 5);
		pub = malloc(strlen(out) + 5);
		if (priv && pub) {
			sprintf(priv, "%s.key", out);
			sprintf(pub, "%s.pub", out);
		}
	}
	if (!priv || !pub) {
		plerr_set(&e, -1, "out of memory");
		goto err;
	}
	if (seckey__generate(&key, &e) || seckey__save(&key, priv, pub, force, &e))
		goto err;
	if (json) {
		if (cli_print_json(json_pack("{s:s,s:o,s:o,s:s}", "keyid", key.pub.keyid, "private", cli_jstr(priv),
					     "public", cli_jstr(pub), "role", rname)))
			goto cleanup;
	} else
		printf("%s\t%s\t%s\t%s\n", rname, key.pub.keyid, priv, pub);
	ret = PL_EXIT_OK;
	goto cleanup;
err:
	pl_error(&e);
cleanup:
	seckey__free(&key);
	free(priv);
	free(pub);
	return ret;
}
