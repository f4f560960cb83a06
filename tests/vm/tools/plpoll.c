// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * plpoll: the user-space baselines the module is benchmarked against.
 * Polls a PSU at a fixed period, either over /dev/i2c-N with the same seven
 * SMBus word reads the module does, or by reading one hwmon sysfs file, and
 * reports rate, missed deadlines, jitter and CPU cost as key=value lines.
 *
 * Exit 0 ok, 1 when reads failed, 2 on usage or system errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <linux/powerledger.h>

#include "pmbus_linear.h"
#include "stats.h"
#include "util.h"

#define PROG "plpoll"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The rails the module reads each sample, in its order. */
static const uint8_t rail_regs[] = {
	PMBUS_READ_VIN, PMBUS_READ_IIN, PMBUS_READ_VOUT, PMBUS_READ_IOUT,
	PMBUS_READ_POUT, PMBUS_READ_PIN, PMBUS_READ_TEMPERATURE_1,
};

struct poller {
	const char *mode;
	int fd;
	/* returns the number of failed reads of one sample */
	unsigned int (*sample)(struct poller *p);
	uint64_t errors;
	int first_err;		/* errno of the first failure, reported once */
	const char *what;	/* device or file, for messages */
};

struct result {
	uint64_t samples, expected, lost;
	uint64_t first_ns, last_ns;
	uint64_t cpu_ns;
	struct u64_series jitter_ns;
};

static void note_error(struct poller *p, int err)
{
	if (!p->errors++) {
		p->first_err = err;
		fprintf(stderr, PROG ": %s: read failed: %s (further failures only counted)\n",
			p->what, strerror(err));
	}
}

static unsigned int sample_i2c(struct poller *p)
{
	unsigned int failed = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rail_regs); i++) {
		union i2c_smbus_data data;
		struct i2c_smbus_ioctl_data args = {
			.read_write = I2C_SMBUS_READ,
			.command = rail_regs[i],
			.size = I2C_SMBUS_WORD_DATA,
			.data = &data,
		};

		if (ioctl(p->fd, I2C_SMBUS, &args)) {
			note_error(p, errno);
			failed++;
		}
	}
	return failed;
}

static unsigned int sample_hwmon(struct poller *p)
{
	char buf[64], *end;
	ssize_t n;

	n = pread(p->fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		note_error(p, n < 0 ? errno : ENODATA);
		return 1;
	}
	buf[n] = '\0';
	errno = 0;
	(void)strtoll(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n')) {
		note_error(p, errno ? errno : EBADMSG);
		return 1;
	}
	return 0;
}

static int open_i2c(struct poller *p, unsigned int bus, unsigned int addr, bool pec,
		    char *path, size_t path_len)
{
	snprintf(path, path_len, "/dev/i2c-%u", bus);
	p->what = path;
	p->fd = open(path, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (ioctl(p->fd, I2C_SLAVE, (unsigned long)addr)) {
		if (errno != EBUSY) {
			fprintf(stderr, PROG ": %s: I2C_SLAVE 0x%02x: %s\n", path, addr,
				strerror(errno));
			return 2;
		}
		/* A kernel driver (powerledger itself, usually) owns the address. */
		fprintf(stderr, PROG ": %s: 0x%02x is bound to a driver: using I2C_SLAVE_FORCE\n",
			path, addr);
		if (ioctl(p->fd, I2C_SLAVE_FORCE, (unsigned long)addr)) {
			fprintf(stderr, PROG ": %s: I2C_SLAVE_FORCE 0x%02x: %s\n", path, addr,
				strerror(errno));
			return 2;
		}
	}
	if (ioctl(p->fd, I2C_PEC, (unsigned long)pec)) {
		fprintf(stderr, PROG ": %s: I2C_PEC %d: %s\n", path, pec, strerror(errno));
		return 2;
	}
	p->sample = sample_i2c;
	return 0;
}

static int open_hwmon(struct poller *p, const char *path)
{
	p->what = path;
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return 2;
	}
	p->sample = sample_hwmon;
	return 0;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * NSEC_PER_SEC +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000;
}

/*
 * Samples at absolute deadlines start + k * period, k < duration / period.
 * Waking a whole period late or more counts the deadlines that passed
 * meanwhile as lost and samples for the latest one; jitter is then not
 * measured across the gap (the module's histogram skips overruns alike).
 * Returns 0, or 2 on system errors (reported).
 */
static int poll_loop(struct poller *p, uint64_t period_ns, uint64_t duration_ns,
		     struct result *r)
{
	uint64_t start, k = 0, prev_ns = 0, cpu_start;

	r->expected = duration_ns / period_ns;
	cpu_start = cpu_ns();
	start = mono_ns();
	while (k < r->expected && !stop) {
		uint64_t deadline = start + k * period_ns, now, late;
		struct timespec ts = {
			.tv_sec = (time_t)(deadline / NSEC_PER_SEC),
			.tv_nsec = (long)(deadline % NSEC_PER_SEC),
		};
		bool missed = false;
		int err;

		err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (err == EINTR)
			continue;	/* re-check stop */
		if (err) {
			fprintf(stderr, PROG ": clock_nanosleep: %s\n", strerror(err));
			return 2;
		}
		now = mono_ns();
		late = (now - deadline) / period_ns;
		if (late) {
			if (k + late >= r->expected) {
				r->lost += r->expected - k;
				break;
			}
			r->lost += late;
			k += late;
			missed = true;
		}
		/* now is the timestamp right before the reads */
		p->sample(p);
		if (!r->samples)
			r->first_ns = now;
		else if (!missed && u64_series__push(&r->jitter_ns,
						     stats_jitter_ns(now - prev_ns, period_ns))) {
			fprintf(stderr, PROG ": out of memory after %" PRIu64 " samples\n",
				r->samples);
			return 2;
		}
		r->last_ns = prev_ns = now;
		r->samples++;
		k++;
	}
	r->cpu_ns = cpu_ns() - cpu_start;
	return 0;
}

static void print_result(const struct poller *p, uint64_t period_ns, struct result *r)
{
	struct jitter_summary j;
	uint64_t rate_mhz = 0;

	if (r->samples > 1)
		rate_mhz = stats_rate_mhz(r->samples - 1, r->last_ns - r->first_ns);
	jitter_summarize(&r->jitter_ns, &j);
	printf("mode=%s\n", p->mode);
	printf("period_ns=%" PRIu64 "\n", period_ns);
	printf("samples=%" PRIu64 "\n", r->samples);
	printf("expected=%" PRIu64 "\n", r->expected);
	printf("lost=%" PRIu64 "\n", r->lost);
	printf("rate_mhz=%" PRIu64 "\n", rate_mhz);
	jitter_print(stdout, &j);
	printf("cpu_ns_per_sample=%" PRIu64 "\n", r->samples ? r->cpu_ns / r->samples : 0);
	printf("errors=%" PRIu64 "\n", p->errors);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " i2cdev --bus N --addr ADDR [--pec] [-p PERIOD_NS] [-d SECONDS] [--fifo]\n"
		"       " PROG " hwmon --path FILE [-p PERIOD_NS] [-d SECONDS] [--fifo]\n"
		"\n"
		"Polls at absolute CLOCK_MONOTONIC deadlines every PERIOD_NS (default %llu)\n"
		"for SECONDS (default 1): i2cdev does the module's 7 SMBus word reads\n"
		"(READ_VIN IIN VOUT IOUT POUT PIN TEMPERATURE_1) through /dev/i2c-N, hwmon\n"
		"preads FILE (e.g. /sys/class/hwmon/hwmon0/power1_input).  Prints mode\n"
		"period_ns samples expected lost rate_mhz jitter_p50_ns jitter_p99_ns\n"
		"jitter_max_ns cpu_ns_per_sample errors.\n"
		"\n"
		"  --pec     enable SMBus PEC (I2C_PEC)\n"
		"  --fifo    run SCHED_FIFO priority 1, like the module's sampler thread\n"
		"\n"
		"Exit 0 ok, 1 reads failed, 2 usage or system error.\n",
		(unsigned long long)PL_PERIOD_DEFAULT_NS);
}

enum { OPT_BUS = 0x100, OPT_ADDR, OPT_PEC, OPT_PATH, OPT_FIFO };

static const struct option long_opts[] = {
	{ "bus", required_argument, NULL, OPT_BUS },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "pec", no_argument, NULL, OPT_PEC },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "fifo", no_argument, NULL, OPT_FIFO },
	{ "period", required_argument, NULL, 'p' },
	{ "duration", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct poller p = { .fd = -1 };
	struct result r = { 0 };
	uint64_t period_ns = PL_PERIOD_DEFAULT_NS, duration_ns = NSEC_PER_SEC, v;
	uint64_t bus = UINT64_MAX, addr = UINT64_MAX;
	const char *path = NULL;
	bool pec = false, fifo = false;
	char i2c_path[32];
	int c, ret;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "i2cdev") && strcmp(argv[1], "hwmon"))) {
		usage(stderr);
		return 2;
	}
	p.mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "p:d:h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_BUS:
			if (tools_parse_u64(optarg, &bus) || bus > 0xfffff) {
				fprintf(stderr, PROG ": invalid bus '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_ADDR:
			if (tools_parse_u64(optarg, &addr) || addr > 0x7f) {
				fprintf(stderr, PROG ": invalid 7-bit address '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_PEC:
			pec = true;
			break;
		case OPT_PATH:
			path = optarg;
			break;
		case OPT_FIFO:
			fifo = true;
			break;
		case 'p':
			if (tools_parse_u64(optarg, &v) || !v) {
				fprintf(stderr, PROG ": invalid period '%s'\n", optarg);
				return 2;
			}
			period_ns = v;
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
	if (!strcmp(p.mode, "i2cdev") ? bus == UINT64_MAX || addr == UINT64_MAX || path :
					!path || bus != UINT64_MAX || addr != UINT64_MAX || pec) {
		fprintf(stderr, PROG ": i2cdev needs --bus and --addr, hwmon needs --path\n");
		usage(stderr);
		return 2;
	}

	if (!strcmp(p.mode, "i2cdev"))
		ret = open_i2c(&p, (unsigned int)bus, (unsigned int)addr, pec, i2c_path,
			       sizeof(i2c_path));
	else
		ret = open_hwmon(&p, path);
	if (ret)
		goto cleanup;
	if (fifo) {
		struct sched_param sp = { .sched_priority = 1 };

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			fprintf(stderr, PROG ": SCHED_FIFO: %s\n", strerror(errno));
			ret = 2;
			goto cleanup;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ret = poll_loop(&p, period_ns, duration_ns, &r);
	if (ret)
		goto cleanup;
	print_result(&p, period_ns, &r);
	ret = p.errors ? 1 : 0;
cleanup:
	if (p.fd >= 0)
		close(p.fd);
	u64_series__free(&r.jitter_ns);
	return ret;
}
