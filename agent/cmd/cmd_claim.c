// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger claim --model M --tokens-per-s N --from NS --to NS (--fingerprint H | --trace T) --key K -o OUT */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "capture/trace.h"
#include "cmd/cli.h"
#include "evidence/statement.h"
#include "evidence/workload.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_claim_help[] =
"NAME\n"
"       powerledger claim - sign a vendor Workload claim\n"
"\n"
"SYNOPSIS\n"
"       powerledger claim --model NAME --tokens-per-s N --from NS --to NS\n"
"                         (--fingerprint HEX | --trace TRACE)\n"
"                         [--workload inference|training]\n"
"                         --key VENDOR.key -o OUT [--force]\n"
"\n"
"DESCRIPTION\n"
"       States, under the vendor's key, which model runs on which hardware at\n"
"       what rate over which time window: a Workload/v1 in-toto statement\n"
"       (subject \"hardware\" with the hardware fingerprint as its sha256;\n"
"       predicate hardware_fingerprint, model, tokens_per_s, window {start_ns,\n"
"       end_ns}, workload) in a DSSE envelope.  Times are on the host trace's\n"
"       clock (CLOCK_MONOTONIC for kernel captures, ns since the epoch for\n"
"       imports with wall-clock times).  check tests traces against it.\n"
"\n"
"OPTIONS\n"
"       --model NAME         Model claimed, e.g. gpt4-class.  Required.\n"
"       --tokens-per-s N     Claimed throughput, tokens/s.  Required.\n"
"       --from NS, --to NS   Claimed time window, ns.  Required.\n"
"       --fingerprint HEX    Hardware fingerprint (64 hex digits) ...\n"
"       --trace TRACE        ... or take it from a trace of the host.\n"
"       --workload W         inference (default) or training.\n"
"       --key KEY            Vendor private key.  Required.\n"
"       -o, --out OUT        Envelope to write.  Required.\n"
"       --force              Replace OUT if it exists (atomically); without\n"
"                            it an existing OUT is left as it is (exit 2).\n"
"                            OUT is never the key or TRACE, --force or not.\n"
"\n"
"OUTPUT\n"
"       Tab-separated: OUT, envelope SHA-256, signer key id.\n"
"\n"
"EXIT STATUS\n"
"       0      claim written.\n"
"       2      usage error, bad key, unreadable trace, OUT exists without\n"
"              --force, write error.\n"
"\n"
"FILES\n"
"       OUT    canonical DSSE envelope (Workload/v1).\n"
"\n"
"EXAMPLES\n"
"       powerledger claim --model gpt4-class --tokens-per-s 2400 \\\n"
"           --from 1990000000000 --to 2400000000000 --trace comm-1.pltr \\\n"
"           --key vendor.key -o claim.dsse.json\n";
/* clang-format on */

int cmd_claim(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },	 { "tokens-per-s", required_argument, NULL, 'n' },
		{ "from", required_argument, NULL, 'f' },	 { "to", required_argument, NULL, 't' },
		{ "fingerprint", required_argument, NULL, 'F' }, { "trace", required_argument, NULL, 'T' },
		{ "workload", required_argument, NULL, 'w' },	 { "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },	 { "force", no_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keypath = NULL, *out = NULL, *trace = NULL, *fpr = NULL;
	struct claim cl = { .workload = "inference" };
	struct pl_seckey key = { 0 };
	char digest[SHA256_HEX_LEN];
	bool have_n = false, have_from = false, have_to = false, force = false;
	struct plerr e = { "" };
	struct buf env = { 0 };
	json_t *stmt = NULL;
	int c, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strlen(optarg) == 0 || strlen(optarg) >= sizeof(cl.model))
				return usage_error("claim", "--model must hold 1 to 255 characters");
			strcpy(cl.model, optarg);
			break;
		case 'n':
			if (parse_u64(optarg, &cl.tokens_per_s) || cl.tokens_per_s > INT64_MAX)
				return usage_error("claim", "bad --tokens-per-s '%s'", optarg);
			have_n = true;
			break;
		case 'f':
			if (parse_u64(optarg, &cl.start_ns) || cl.start_ns > INT64_MAX)
				return usage_error("claim", "bad --from '%s'", optarg);
			have_from = true;
			break;
		case 't':
			if (parse_u64(optarg, &cl.end_ns) || cl.end_ns > INT64_MAX)
				return usage_error("claim", "bad --to '%s'", optarg);
			have_to = true;
			break;
		case 'F': fpr = optarg; break;
		case 'T': trace = optarg; break;
		case 'w':
			if (strcmp(optarg, "inference") && strcmp(optarg, "training"))
				return usage_error("claim", "--workload must be inference or training");
			strcpy(cl.workload, optarg);
			break;
		case 'k': keypath = optarg; break;
		case 'o': out = optarg; break;
		case 'X': force = true; break;
		default: return usage_error("claim", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("claim", "unexpected argument '%s'", argv[optind]);
	if (!cl.model[0] || !have_n || !have_from || !have_to || !keypath || !out)
		return usage_error("claim", "--model, --tokens-per-s, --from, --to, --key and -o are required");
	if (!!fpr == !!trace)
		return usage_error("claim", "give exactly one of --fingerprint and --trace");
	if (cl.end_ns < cl.start_ns)
		return usage_error("claim", "--to is before --from");
	if (out_check_inputs(out, force, (const char *const[]){ keypath, trace }, 2, &e))
		goto err;
	if (fpr) {
		if (!is_sha256_hex(fpr))
			return usage_error("claim", "--fingerprint must be 64 lowercase hex digits");
		strcpy(cl.fingerprint, fpr);
	} else {
		struct trace t;

		if (trace_load(trace, &t, &e))
			goto err;
		strcpy(cl.fingerprint, t.info.fingerprint);
		trace__free(&t);
	}
	if (seckey__load(&key, keypath, &e))
		goto err;
	stmt = claim_statement(&cl);
	if (!stmt) {
		plerr_set(&e, -1, "out of memory");
		goto err;
	}
	if (statement_sign(stmt, &key, &env, &e) || file_write_atomic(out, env.p, env.len, 0644, afile_force(force), &e))
		goto err;
	sha256_hex(env.p, env.len, digest);
	printf("%s\t%s\t%s\n", out, digest, key.pub.keyid);
	ret = PL_EXIT_OK;
	goto cleanup;
err:
	pl_error(&e);
cleanup:
	json_decref(stmt);
	buf_free(&env);
	seckey__free(&key);
	return ret;
}
