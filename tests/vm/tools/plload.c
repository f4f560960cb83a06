// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * plload: background load for the sampler benchmark, shaped like the CPU
 * side of a request-serving host (an inference server's tokenizer, batcher
 * and HTTP threads): WORKERS processes at the default policy and nice
 * level, each alternating a compute burst with a sleep, both drawn
 * uniformly from a range.  Unlike a busy loop, which the fair scheduler
 * always preempts for a waking sleeper, these workers wake with the same
 * sleeper credit as a user-space poller, so the poller's wake-ups queue
 * behind their bursts the way they do on a busy host.
 *
 * Runs until SIGTERM/SIGINT (or -d SECONDS), then kills its workers and
 * prints workers and busy_pct (their CPU share of the wall time, summed).
 * Exit 0 ok, 2 on usage or system errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define PROG "plload"
#define MAX_WORKERS 256

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct range {
	uint64_t lo_ns, hi_ns;
};

/* xorshift64*: reproducible per worker, no libc state shared across fork */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t draw(uint64_t *s, const struct range *r)
{
	return r->lo_ns + (r->hi_ns > r->lo_ns ? next_rand(s) % (r->hi_ns - r->lo_ns + 1) : 0);
}

static void worker(unsigned int idx, const struct range *burst, const struct range *sleep_r)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (idx + 1);
	volatile uint64_t sink = 0;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	/* a plload killed outright (VM timeout) takes its workers with it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	for (;;) {
		uint64_t end = mono_ns() + draw(&seed, burst);
		uint64_t z = draw(&seed, sleep_r);
		struct timespec ts = { .tv_sec = z / NSEC_PER_SEC, .tv_nsec = z % NSEC_PER_SEC };

		while (mono_ns() < end)
			sink += next_rand(&seed);
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
}

/* "LO-HI" or "N", microseconds */
static int parse_range_us(const char *s, struct range *r)
{
	char buf[64], *dash;
	uint64_t lo, hi;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (tools_parse_u64(buf, &lo) || (dash ? tools_parse_u64(dash + 1, &hi) : (hi = lo, 0)))
		return -EINVAL;
	if (hi < lo || hi > 10 * 1000 * 1000)
		return -ERANGE;
	r->lo_ns = lo * 1000;
	r->hi_ns = hi * 1000;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [-n WORKERS] [--burst US[-US]] [--sleep US[-US]] [-d SECONDS]\n"
		"\n"
		"Runs WORKERS (default 8) processes at the default scheduling policy,\n"
		"each alternating a busy burst and a sleep drawn uniformly from the\n"
		"ranges, in microseconds (defaults: burst 200-2000, sleep 1000-10000),\n"
		"until SIGTERM/SIGINT or for SECONDS.  Then prints workers and busy_pct,\n"
		"the CPU the workers used as a percentage of one CPU over the run.\n"
		"\n"
		"Exit 0 ok, 2 usage or system error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workers", required_argument, NULL, 'n' },
		{ "burst", required_argument, NULL, 'b' },
		{ "sleep", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct range burst = { 200000, 2000000 }, sleep_r = { 1000000, 10000000 };
	struct sigaction sa = { .sa_handler = on_signal };
	pid_t pids[MAX_WORKERS];
	uint64_t n = 8, duration_ns = 0, t0, t1;
	struct rusage ru;
	unsigned int i, started = 0;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "n:b:s:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (tools_parse_u64(optarg, &n) || !n || n > MAX_WORKERS) {
				fprintf(stderr, PROG ": invalid worker count '%s' (1-%d)\n", optarg,
					MAX_WORKERS);
				return 2;
			}
			break;
		case 'b':
		case 's':
			if (parse_range_us(optarg, c == 'b' ? &burst : &sleep_r)) {
				fprintf(stderr, PROG ": invalid %s range '%s' (US or LO-HI, at most 10 s)\n",
					c == 'b' ? "burst" : "sleep", optarg);
				return 2;
			}
			break;
		case 'd':
			if (parse_seconds_ns(optarg, &duration_ns)) {
				fprintf(stderr, PROG ": invalid duration '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	t0 = mono_ns();
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
			ret = 2;
			break;
		}
		if (!pid)
			worker(i, &burst, &sleep_r);
		pids[started++] = pid;
	}
	while (!ret && !stop && (!duration_ns || mono_ns() - t0 < duration_ns))
		usleep(100000);
	for (i = 0; i < started; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < started; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	t1 = mono_ns();
	if (!ret && !getrusage(RUSAGE_CHILDREN, &ru)) {
		uint64_t cpu = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * NSEC_PER_SEC +
			       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;

		printf("workers=%u\n", started);
		printf("busy_pct=%" PRIu64 "\n", t1 > t0 ? cpu * 100 / (t1 - t0) : 0);
	}
	return ret;
}
