// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * plnl: talk to the "powerledger" generic netlink family through the agent's
 * client (agent/capture/genl.c, on libnl-genl-3).
 *
 *	plnl [--no-net-admin] list | get DEV | set DEV [period_ns=N] [enabled=0|1]
 *	     [rails=MASK] | stats DEV | listen SECONDS
 *
 * Output is key=value for the shell tests.  Exit 0 ok, 1 when the kernel
 * refused the request (its errno and extack message go to stderr as
 * "plnl: VERB: <strerror> (errno N): <extack>"), 2 on usage or system
 * errors.  --no-net-admin drops CAP_NET_ADMIN first, to try privileged
 * commands as an unprivileged caller would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/powerledger.h>

#include "capture/genl.h"
#include "stats.h"
#include "util.h"

#define PROG "plnl"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * The outcome of one library call for verb: 0, or 1 when the kernel
 * refused ("plnl: VERB: <strerror> (errno N)[: <extack>]", which
 * t-netlink.sh parses), 2 for anything else (e's message).
 */
static int outcome(struct plnl *nl, const char *verb, int ret, const struct plerr *e)
{
	const struct plnl_ack *a = plnl__refusal(nl);

	if (!ret)
		return 0;
	if (a) {
		fprintf(stderr, PROG ": %s: %s (errno %d)%s%s\n", verb, strerror(-a->err), -a->err,
			a->msg[0] ? ": " : "", a->msg);
		return 1;
	}
	fprintf(stderr, PROG ": %s: %s\n", verb, e->msg);
	return 2;
}

/* key=value friendly: blanks and non-printables become '_' */
static void print_str(const char *key, const char *s)
{
	printf(" %s=", key);
	for (; *s; s++)
		putchar(*s > ' ' && *s < 0x7f ? *s : '_');
}

static void print_device(const struct plnl_dev *d)
{
	printf("dev=%u", d->id);
	print_str("name", d->name);
	print_str("mfr_id", d->mfr_id);
	print_str("model", d->mfr_model);
	print_str("serial", d->mfr_serial);
	printf(" period_ns=%" PRIu64, d->period_ns);
	printf(" enabled=%u", d->enabled);
	printf(" rails=0x%x", d->rails);
	printf(" flags=0x%x", d->flags);
	printf(" page=%u", d->page);
	printf(" rails_avail=0x%x\n", d->rails_avail);
}

static int parse_dev(const char *s, uint32_t *id)
{
	uint64_t v;

	if (tools_parse_u64(s, &v) || v > UINT32_MAX) {
		fprintf(stderr, PROG ": invalid device id '%s'\n", s);
		return 2;
	}
	*id = (uint32_t)v;
	return 0;
}

static int cmd_list(struct plnl *nl, int argc, char **argv)
{
	struct plerr e = { "" };
	struct plnl_dev *devs;
	size_t n, i;
	int ret;

	(void)argv;
	if (argc != 0)
		return -1;
	ret = outcome(nl, "list", plnl__devices(nl, &devs, &n, &e), &e);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		print_device(&devs[i]);
	free(devs);
	return 0;
}

static int cmd_get(struct plnl *nl, int argc, char **argv)
{
	struct plerr e = { "" };
	struct plnl_dev d;
	uint32_t id;
	int ret;

	if (argc != 1)
		return -1;
	if (parse_dev(argv[0], &id))
		return 2;
	ret = outcome(nl, "get", plnl__device(nl, id, &d, &e), &e);
	if (!ret)
		print_device(&d);
	return ret;
}

static int cmd_stats(struct plnl *nl, int argc, char **argv)
{
	struct plerr e = { "" };
	struct pl_stats st;
	uint32_t id;
	int ret;

	if (argc != 1)
		return -1;
	if (parse_dev(argv[0], &id))
		return 2;
	ret = outcome(nl, "stats", plnl__stats(nl, id, &st, &e), &e);
	if (!ret)
		stats_print_pl_stats(stdout, &st);
	return ret;
}

/* Values go to the kernel unchecked beyond their width: it owns the ranges. */
static int cmd_set(struct plnl *nl, int argc, char **argv)
{
	struct plnl_set s = { 0 };
	struct plerr e = { "" };
	uint64_t v;
	int i;

	if (argc < 2)
		return -1;
	if (parse_dev(argv[0], &s.dev_id))
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "period_ns=", 10) && !tools_parse_u64(argv[i] + 10, &v)) {
			s.what |= PLNL_SET_PERIOD;
			s.period_ns = v;
		} else if (!strncmp(argv[i], "enabled=", 8) && !tools_parse_u64(argv[i] + 8, &v) &&
			   v <= UINT8_MAX) {
			s.what |= PLNL_SET_ENABLED;
			s.enabled = (uint8_t)v;
		} else if (!strncmp(argv[i], "rails=", 6) && !tools_parse_u64(argv[i] + 6, &v) &&
			   v <= UINT32_MAX) {
			s.what |= PLNL_SET_RAILS;
			s.rails = (uint32_t)v;
		} else {
			fprintf(stderr, PROG ": set: invalid setting '%s'\n", argv[i]);
			return 2;
		}
	}
	return outcome(nl, "set", plnl__set(nl, &s, &e), &e);
}

static int cmd_listen(struct plnl *nl, int argc, char **argv)
{
	struct plerr e = { "" };
	struct plnl_event ev;
	uint64_t duration_ns, deadline, events = 0;
	const char *kind;
	int n;

	if (argc != 1)
		return -1;
	if (parse_seconds_ns(argv[0], &duration_ns)) {
		fprintf(stderr, PROG ": listen: invalid duration '%s'\n", argv[0]);
		return 2;
	}
	if (plnl__subscribe(nl, &e)) {
		fprintf(stderr, PROG ": listen: %s\n", e.msg);
		return 2;
	}
	fprintf(stderr, PROG ": listening on " PL_GENL_NAME "/" PL_GENL_MCGRP_EVENTS "\n");

	deadline = mono_ns() + duration_ns;
	while (!stop) {
		struct pollfd pfd = { .fd = plnl__events_fd(nl), .events = POLLIN };
		uint64_t now = mono_ns();

		if (now >= deadline)
			break;
		n = poll(&pfd, 1, (int)((deadline - now + 999999) / 1000000));
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": listen: poll: %s\n", strerror(errno));
			return 2;
		}
		while ((n = plnl__event_next(nl, &ev, &e)) > 0) {
			if (ev.kind == PLNL_EVENT_OVERFLOW) {
				/* ENOBUFS: the socket overflowed and events were dropped */
				if (ev.count == 1)
					fprintf(stderr, PROG ": listen: receive buffer overflowed, "
						"events lost\n");
				continue;
			}
			kind = plnl_event_kind_name(ev.kind);
			events++;
			if (kind)
				printf("event kind=%s", kind);
			else
				printf("event kind=unknown_%u", ev.kind);
			printf(" dev=%u count=%" PRIu64 " errno=%d\n", ev.dev_id, ev.count, ev.err);
			fflush(stdout);	/* tests read events while we run */
		}
		if (n < 0) {
			fprintf(stderr, PROG ": listen: %s\n", e.msg);
			return 2;
		}
	}
	if (plnl__overflows(nl))
		fprintf(stderr, PROG ": listen: %" PRIu64 " overflows\n", plnl__overflows(nl));
	printf("events=%" PRIu64 "\n", events);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct plnl *nl, int argc, char **argv);
	int min_args, max_args;
	const char *args;
	const char *summary;
} verbs[] = {
	{ "list", cmd_list, 0, 0, "", "one line per bound device" },
	{ "get", cmd_get, 1, 1, " DEV", "the same line for one device" },
	{ "set", cmd_set, 2, 4, " DEV [period_ns=N] [enabled=0|1] [rails=MASK]",
	  "change a device (CAP_NET_ADMIN)" },
	{ "stats", cmd_stats, 1, 1, " DEV", "counters and jitter histogram as stats.DEV.* lines" },
	{ "listen", cmd_listen, 1, 1, " SECONDS", "print events of the \"events\" group" },
};

/* Drops CAP_NET_ADMIN from the effective and permitted sets, for good. */
static int drop_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int i = CAP_TO_INDEX(CAP_NET_ADMIN);

	if (syscall(SYS_capget, &hdr, data)) {
		fprintf(stderr, PROG ": capget: %s\n", strerror(errno));
		return 2;
	}
	data[i].effective &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	data[i].permitted &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	data[i].inheritable &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	if (syscall(SYS_capset, &hdr, data)) {
		fprintf(stderr, PROG ": capset: %s\n", strerror(errno));
		return 2;
	}
	return 0;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: " PROG " [--no-net-admin] VERB [ARGS]\n\n");
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "  " PROG " %s%s\n      %s\n", verbs[i].name, verbs[i].args,
			verbs[i].summary);
	fprintf(f,
		"\nlist/get print: dev=ID name= mfr_id= model= serial= period_ns= enabled=0|1\n"
		"rails=0x.. flags=0x.. page=N rails_avail=0x.. (blanks in strings become '_').\n"
		"listen prints: event kind=NAME dev=ID count=N errno=E, then events=N.\n"
		"A refused request prints \"" PROG ": VERB: <strerror> (errno N): <extack>\" on stderr.\n"
		"--no-net-admin: drop CAP_NET_ADMIN first (SET then fails with EPERM).\n"
		"Exit 0 ok, 1 the kernel refused the request, 2 usage or system error.\n");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct plerr e = { "" };
	struct plnl *nl;
	size_t i;
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "--no-net-admin")) {
		if (drop_net_admin())
			return 2;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name))
			break;
	if (i == ARRAY_SIZE(verbs)) {
		fprintf(stderr, PROG ": unknown verb '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (argc - 2 < verbs[i].min_args || argc - 2 > verbs[i].max_args) {
		fprintf(stderr, "usage: " PROG " %s%s\n", verbs[i].name, verbs[i].args);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (plnl__open(&nl, &e)) {
		fprintf(stderr, PROG ": %s\n", e.msg);
		return 2;
	}
	ret = verbs[i].fn(nl, argc - 2, argv + 2);
	if (ret < 0) {
		fprintf(stderr, "usage: " PROG " %s%s\n", verbs[i].name, verbs[i].args);
		ret = 2;
	}
	plnl__close(nl);
	return ret;
}
