// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger events [--count N] [--duration D] [--json] */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "capture/genl.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_events_help[] =
"NAME\n"
"       powerledger events - follow the module's events as they happen\n"
"\n"
"SYNOPSIS\n"
"       powerledger events [--count N] [--duration D] [--json]\n"
"\n"
"DESCRIPTION\n"
"       Joins the \"events\" multicast group of the generic netlink family\n"
"       \"powerledger\" and prints each event as it arrives, one line each,\n"
"       flushed at once: I2C and PEC errors, overruns, lost records, PAGE\n"
"       restored, bus backoff, PSUs added and removed.  Needs no privilege.\n"
"\n"
"       The module sends at most 10 events per second per PSU and kind;\n"
"       the counters they carry are exact all the same (count is the\n"
"       matching counter after the event, as stats shows it).  Should this\n"
"       reader fall behind and the socket's buffer overflow, the events\n"
"       lost are not fatal: an \"overflow\" line marks where, and the\n"
"       summary counts them.\n"
"\n"
"       Ends after N events, after D, or on SIGINT or SIGTERM, with a\n"
"       summary on stderr: \"powerledger: events: N events in S s, N\n"
"       overflows\".\n"
"\n"
"OPTIONS\n"
"       --count N     Stop after N events (N >= 1).\n"
"       --duration D  Stop after D (1s, 500ms, 2min, ...).\n"
"       --json        One canonical JSON object per line.\n"
"\n"
"OUTPUT\n"
"       On a terminal: local time (HH:MM:SS.mmm), dev N, the kind, count\n"
"       N and, for errors, the errno with its text.  Otherwise one\n"
"       tab-separated line per event: UTC time (ISO 8601, ms), device id,\n"
"       kind (i2c_error, pec_error, overrun, lost, device_added,\n"
"       device_removed, page_restored, backoff; unknown_N for kinds newer\n"
"       than this agent; overflow with device \"-\"), count, errno (a\n"
"       negative errno for I2C faults and backoffs, else 0).  --json:\n"
"       time_ns (CLOCK_REALTIME), dev (absent for overflow), kind, count,\n"
"       errno.  \"listening on powerledger/events\" goes to stderr once the\n"
"       group is joined: events from then on are seen.\n"
"\n"
"EXIT STATUS\n"
"       0      ended by --count, --duration or a signal.\n"
"       1      --count N was given and fewer than N events came before\n"
"              --duration or a signal ended the wait.\n"
"       2      usage error; the module is not loaded; a socket error.\n"
"\n"
"FILES\n"
"       None: events come from the module over generic netlink.\n"
"\n"
"EXAMPLES\n"
"       powerledger events\n"
"       powerledger events --count 1 --duration 10s   # wait for one event\n"
"       powerledger events --json --duration 1min > events.jsonl\n";
/* clang-format on */

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int print_event(const struct plnl_event *ev, bool json, bool pretty)
{
	uint64_t now = clock_ns(CLOCK_REALTIME);
	time_t sec = (time_t)(now / 1000000000ULL);
	unsigned int ms = (unsigned int)(now / 1000000ULL % 1000);
	const char *kind = plnl_event_kind_name(ev->kind);
	char kbuf[24], tbuf[40], dev[16];
	struct tm tm;
	json_t *o;

	if (!kind) {
		strfmt(kbuf, sizeof(kbuf), "unknown_%" PRIu32, ev->kind);
		kind = kbuf;
	}
	if (ev->kind == PLNL_EVENT_OVERFLOW)
		strfmt(dev, sizeof(dev), "-");
	else
		strfmt(dev, sizeof(dev), "%" PRIu32, ev->dev_id);
	if (json) {
		o = json_pack("{s:I,s:s,s:I,s:i}", "time_ns", (json_int_t)now, "kind", kind, "count",
			      (json_int_t)ev->count, "errno", (int)ev->err);
		if (o && ev->kind != PLNL_EVENT_OVERFLOW &&
		    json_object_set_new(o, "dev", json_integer((json_int_t)ev->dev_id))) {
			json_decref(o);
			o = NULL;
		}
		if (cli_print_json(o))
			return -1;
	} else if (pretty) {
		localtime_r(&sec, &tm);
		strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
		printf("%s.%03u  dev %s  %-14s count %" PRIu64, tbuf, ms, dev, kind, ev->count);
		if (ev->err)
			printf("  errno %d (%s)", ev->err, strerror(ev->err < 0 ? -ev->err : ev->err));
		putchar('\n');
	} else {
		gmtime_r(&sec, &tm);
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
		printf("%s.%03uZ\t%s\t%s\t%" PRIu64 "\t%d\n", tbuf, ms, dev, kind, ev->count, ev->err);
	}
	/* Whoever reads the pipe sees each event as it happens. */
	return fflush(stdout) == EOF ? -1 : 0;
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct plerr e = { "" };
	struct plnl *nl = NULL;
	struct plnl_event ev;
	struct pollfd pfd[2];
	sigset_t mask, old;
	bool json = false, pretty, masked = false, failed = false;
	uint64_t want = 0, duration_ns = 0, t0, deadline = 0, now, seen = 0;
	int c, n, sfd = -1, ret = PL_EXIT_ERR, timeout;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_u64(optarg, &want) || !want)
				return usage_error("events", "bad --count '%s' (1 or more)", optarg);
			break;
		case 'd':
			if (parse_duration_ns(optarg, &duration_ns))
				return usage_error("events", "bad --duration '%s' (e.g. 10s, 500ms)", optarg);
			break;
		case 'j': json = true; break;
		default: return usage_error("events", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("events", "unexpected argument '%s'", argv[optind]);
	pretty = !json && cli_pretty();

	/* SIGINT and SIGTERM arrive through a signalfd, polled with the socket: no race with poll(). */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, &old)) {
		plerr_set(&e, -errno, "sigprocmask: %s", strerror(errno));
		goto err;
	}
	masked = true;
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		plerr_set(&e, -errno, "signalfd: %s", strerror(errno));
		goto err;
	}
	if (plnl__open(&nl, &e) || plnl__subscribe(nl, &e))
		goto err;
	fprintf(stderr, PL_PROG ": events: listening on " PL_GENL_NAME "/" PL_GENL_MCGRP_EVENTS "\n");
	t0 = clock_ns(CLOCK_MONOTONIC);
	if (duration_ns)
		deadline = t0 + duration_ns;
	pfd[0] = (struct pollfd){ .fd = plnl__events_fd(nl), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		/* Drain what is queued before waiting again. */
		while (!want || seen < want) {
			n = plnl__event_next(nl, &ev, &e);
			if (n < 0)
				goto err;
			if (!n)
				break;
			if (print_event(&ev, json, pretty)) {
				/* Said already (JSON), or main() reports the write error. */
				failed = true;
				goto out;
			}
			if (ev.kind != PLNL_EVENT_OVERFLOW)
				seen++;
		}
		if (want && seen >= want)
			break;
		timeout = -1;
		if (deadline) {
			now = clock_ns(CLOCK_MONOTONIC);
			if (now >= deadline)
				break;
			timeout = (int)((deadline - now + 999999) / 1000000);
		}
		n = poll(pfd, 2, timeout);
		if (n < 0 && errno != EINTR) {
			plerr_set(&e, -errno, "poll: %s", strerror(errno));
			goto err;
		}
		if (n > 0 && (pfd[1].revents & POLLIN))
			break; /* SIGINT or SIGTERM: a clean end */
	}
out:
	fprintf(stderr, PL_PROG ": events: %" PRIu64 " events in %.1f s, %" PRIu64 " overflows\n", seen,
		(double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9, plnl__overflows(nl));
	ret = failed ? PL_EXIT_ERR : want && seen < want ? PL_EXIT_NEG : PL_EXIT_OK;
	goto cleanup;
err:
	plerr_prefix(&e, "events");
	pl_error(&e);
cleanup:
	plnl__close(nl);
	if (sfd >= 0) {
		struct signalfd_siginfo si;

		/* Take the signal that ended us, so that unblocking does not deliver it. */
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			;
		close(sfd);
	}
	if (masked)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
