// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * powerledger: the agent.  This file is only the verb table and dispatch;
 * each verb lives in cmd_<verb>.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cmd/cli.h"

#define V(n, s)                                                                                                        \
	{                                                                                                              \
#n, cmd_##n, s, cmd_##n##_help                                                                         \
	}

const struct verb pl_verbs[] = {
	V(keygen, "create an Ed25519 key pair for a role (reader, operator, vendor)"),
	V(sign, "write a detached Ed25519 signature of a file"),
	V(verify, "check signatures, digests and statements"),
	V(record, "capture a trace from /dev/powerledger (kernel rings)"),
	V(import, "convert a power CSV (nvidia-smi, logger) into a trace file"),
	V(info, "describe a trace file and print its digest"),
	V(attest, "sign a trace file as a Trace statement (reader key)"),
	V(features, "per-window power features of a trace"),
	V(generate, "synthetic labelled telemetry: a workload through a sensor model"),
	V(baseline, "register a model baseline from commissioning traces"),
	V(claim, "sign a vendor Workload claim"),
	V(check, "test a trace against a claim and a baseline; sign proofs"),
	V(top, "power and energy per GPU process and context, like top(1)"),
	V(run, "the capture daemon: continuous signed traces, checks against claims, proofs"),
	V(plot, "draw a trace, its baseline and its proofs as an SVG picture"),
	V(eval, "the detectors against a labelled corpus: detection and false-accusation rates"),
	V(devices, "list the PSUs the module samples: settings and counters (netlink)"),
	V(stats, "one PSU's sampling counters and jitter histogram (netlink)"),
	V(set, "change a PSU's period, rails or sampling (netlink, CAP_NET_ADMIN)"),
	V(events, "follow the module's events as they happen (netlink)"),
	V(demo, "offline, deterministic end-to-end scenario"),
	V(help, "show help for powerledger or one verb"),
};
const size_t pl_nverbs = sizeof(pl_verbs) / sizeof(pl_verbs[0]);

/*
 * Output that did not reach its reader (>/dev/full, a full disk) is a
 * failure, whatever the verb thought: flush and check before exiting.
 */
static int finish(int ret)
{
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, PL_PROG ": write error on standard output: %s\n", strerror(errno ? errno : EIO));
		return PL_EXIT_ERR;
	}
	return ret;
}

int main(int argc, char **argv)
{
	const struct verb *v;
	int i;

	if (argc < 2) {
		cmd_help(0, NULL);
		return PL_EXIT_ERR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return finish(cmd_help(1, argv + 1));
	v = verb_find(argv[1]);
	if (!v) {
		fprintf(stderr, PL_PROG ": unknown verb '%s'\nTry '" PL_PROG " help'.\n", argv[1]);
		return PL_EXIT_ERR;
	}
	for (i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help")) {
			verb_print_help(v);
			return finish(PL_EXIT_OK);
		}
	}
	if (sodium_init() < 0) {
		fprintf(stderr, PL_PROG ": libsodium failed to initialize\n");
		return PL_EXIT_ERR;
	}
	return finish(v->fn(argc - 1, argv + 1));
}
