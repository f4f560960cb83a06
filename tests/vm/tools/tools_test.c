// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host-side end-to-end test of plread and plpoll, for a host that cannot
 * load powerledger.ko.
 *
 * plread runs against a regular file laid out like the device's mmap region,
 * with fakepl.so (LD_PRELOAD) answering its ioctls, while this process plays
 * the kernel's producer on the same shared pages with the documented
 * release/acquire protocol.  Records carry waveform values, a wandering ring
 * per device, timestamp jitter, and (in one scenario) one of each defect
 * plread must find.  plpoll paces reads of a regular file standing in for a
 * hwmon attribute.
 *
 *	tools_test BUILD_DIR
 *
 * Prints failed checks and "tools-e2e: N passed, N failed"; exit 1 if any
 * failed, 2 if the test could not run.  TOOLS_TEST_VERBOSE=1 shows every
 * tool's output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/powerledger.h>

#include "fakepl.h"
#include "pmbus_linear.h"
#include "util.h"

#if __has_include("waveform.h")
#include "waveform.h"
#define HAVE_WAVE 1
#else
#define HAVE_WAVE 0
#endif

#define NR_RINGS	2
#define NR_DEVS		2
#define SLOTS		256	/* small: the producer must wait for plread */
#define PER_DEV		1000
#define PERIOD_NS	1000000ULL
#define T0_NS		1000000000ULL	/* the "simulator's" t0_ns */
#define JITTER_NS	5000

static unsigned int passed, failed;
static const char *build;

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (cond) {                                                   \
			passed++;                                             \
		} else {                                                      \
			failed++;                                             \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);       \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
		}                                                             \
	} while (0)

struct fake {
	char dir[64];
	char path[128];
	struct pl_info info;
	unsigned char *map;
	struct pl_ring_prod *prod;
	struct pl_ring_cons *cons;
};

/* Lays out the device file like the kernel's region: meta, consumer, rings. */
static int fake_create(struct fake *f)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct pl_info *in = &f->info;
	struct pl_mmap_meta *m;
	int fd;

	snprintf(f->dir, sizeof(f->dir), "/tmp/pltools.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/powerledger", f->dir);
	memset(in, 0, sizeof(*in));
	in->abi_version = PL_ABI_VERSION;
	in->record_size = PL_SAMPLE_SIZE;
	in->nr_rings = NR_RINGS;
	in->slots = SLOTS;
	in->nr_devices = NR_DEVS;
	in->watermark = 16;
	in->cons_offset = page;
	in->data_offset = 2 * page;
	in->ring_size = (uint64_t)SLOTS * PL_SAMPLE_SIZE;
	in->mmap_size = in->data_offset + NR_RINGS * in->ring_size;

	fd = open(f->path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)in->mmap_size))
		return -1;
	f->map = mmap(NULL, in->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (f->map == MAP_FAILED)
		return -1;
	m = (struct pl_mmap_meta *)f->map;
	m->magic = PL_MMAP_MAGIC;
	m->abi_version = PL_ABI_VERSION;
	m->nr_rings = NR_RINGS;
	m->slots = SLOTS;
	m->record_size = PL_SAMPLE_SIZE;
	m->prod_offset = sizeof(*m);
	m->ring_size = in->ring_size;
	memcpy(f->map + FAKEPL_INFO_OFF, in, sizeof(*in));
	f->prod = (struct pl_ring_prod *)(f->map + m->prod_offset);
	f->cons = (struct pl_ring_cons *)(f->map + in->cons_offset);
	return 0;
}

static void fake_destroy(struct fake *f)
{
	char p[256];

	munmap(f->map, f->info.mmap_size);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s/t0_ns", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/out", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/hwmon", f->dir);
	unlink(p);
	rmdir(f->dir);
}

/* The kernel's side of the protocol: wait for room, write, publish. */
static int produce(struct fake *f, unsigned int ring, const struct pl_sample *s)
{
	uint64_t head = f->prod[ring].head, deadline = mono_ns() + 5 * NSEC_PER_SEC;

	while (head - __atomic_load_n(&f->cons[ring].tail, __ATOMIC_ACQUIRE) >= SLOTS) {
		if (mono_ns() > deadline)
			return -1;	/* plread stopped consuming */
		usleep(1000);
	}
	memcpy(f->map + f->info.data_offset + ring * f->info.ring_size +
	       (head & (SLOTS - 1)) * PL_SAMPLE_SIZE, s, sizeof(*s));
	__atomic_store_n(&f->prod[ring].head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

static int64_t lin11(int64_t v)
{
	return pl_linear11_decode(pl_linear11_encode(v, PL_SCALE_MICRO), PL_SCALE_MICRO);
}

/* A record as the module would publish it for the simulator at t_ns. */
static void make_record(struct pl_sample *s, uint32_t dev, uint64_t seq, uint64_t ts_ns,
			uint32_t read_ns, uint64_t value_t_ns)
{
	memset(s, 0, sizeof(*s));
	s->ts_ns = ts_ns;
	s->seq = seq;
	s->dev_id = dev;
	s->rails = __PL_RAIL_ALL;
	s->page = (uint8_t)dev;		/* device 1 reads page 1 */
	s->version = PL_SAMPLE_VERSION;
	s->read_ns = read_ns;
#if HAVE_WAVE
	{
		struct pl_sim_rails r;

		pl_sim_wave_eval(pl_sim_wave_find("bursty"), value_t_ns, s->page, &r);
		s->vin_uv = lin11(r.vin_uv);
		s->iin_ua = lin11(r.iin_ua);
		s->vout_uv = pl_linear16_decode(pl_linear16_encode(r.vout_uv, 0x17, PL_SCALE_MICRO),
						0x17, PL_SCALE_MICRO);
		s->iout_ua = lin11(r.iout_ua);
		s->pout_uw = lin11(r.pout_uw);
		s->pin_uw = lin11(r.pin_uw);
		s->temp_mc = (int32_t)pl_linear11_decode(pl_linear11_encode(r.temp_mc, PL_SCALE_MILLI),
							 PL_SCALE_MILLI);
	}
#else
	(void)value_t_ns;
	s->vin_uv = 230000000;
#endif
}

/* value of "key=" in the output, or UINT64_MAX when absent */
static uint64_t kv(const char *out, const char *key)
{
	size_t len = strlen(key);
	const char *p = out;

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == '=')
			return strtoull(p + len + 1, NULL, 0);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return UINT64_MAX;
}

static char *slurp(const char *path)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	if (getenv("TOOLS_TEST_VERBOSE"))
		fprintf(stderr, "--- %s\n%s", path, buf);
	return buf;
}

/*
 * Runs build/PROG ARGS... with stdout to OUT and stderr discarded unless
 * TOOLS_TEST_VERBOSE is set (LD_PRELOAD fakepl.so if @fake).
 */
static pid_t spawn(const char *prog, char *const args[], const char *out, const struct fake *f)
{
	char exe[512], preload[512];
	char *argv[32];
	pid_t pid;
	int i, fd;

	snprintf(exe, sizeof(exe), "%s/%s", build, prog);
	argv[0] = exe;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	if (pid)
		return pid;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(127);
	/* the defects the tools are meant to report are expected here */
	fd = open(getenv("TOOLS_TEST_VERBOSE") ? "/dev/stderr" : "/dev/null", O_WRONLY);
	if (fd < 0 || dup2(fd, 2) < 0)
		_exit(127);
	if (f) {
		snprintf(preload, sizeof(preload), "%s/fakepl.so", build);
		setenv("LD_PRELOAD", preload, 1);
		setenv("FAKEPL_PATH", f->path, 1);
	}
	execv(exe, argv);
	_exit(127);
}

static int wait_rc(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * One plread run over 2 devices x PER_DEV records.  Device 0 stays on ring
 * 0; device 1 wanders between the rings and its values are those at the end
 * of its (long) bus reads.  Every tenth-plus-fifth record is JITTER_NS late.
 * With @defects: one seq gap, one equal timestamp, one reserved word set,
 * one VOUT off by an LSB, 3 records lost, plus an I2C error and an overrun
 * that are flags, not defects.
 */
static void plread_scenario(bool defects)
{
	const char *name = defects ? "defects" : "clean";
	char t0_path[256], out[256], dstr[64];
	struct pl_sample s;
	struct fake f;
	uint64_t k, prev_ts0 = 0;
	const char *o;
	pid_t pid;
	int rc, fd;

	if (fake_create(&f)) {
		fprintf(stderr, "tools_test: fake device: %s\n", strerror(errno));
		failed++;
		return;
	}
	snprintf(t0_path, sizeof(t0_path), "%s/t0_ns", f.dir);
	snprintf(out, sizeof(out), "%s/out", f.dir);
	fd = open(t0_path, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || dprintf(fd, "%llu\n", T0_NS) < 0)
		return;
	close(fd);
	snprintf(dstr, sizeof(dstr), "%s", f.dir);
	{
		char *args[] = {
			"--device", f.path, "-d", "2.5", "-w", "8",
			HAVE_WAVE ? "--expect-wave" : NULL, "bursty", "--sim-debugfs", dstr, NULL,
		};

		pid = spawn("plread", args, out, &f);
	}
	/*
	 * No need to wait for plread: the rings fill and the producer blocks
	 * until it drains them, so it has mapped (and noted the lost counters)
	 * long before the lost counter moves at k == PER_DEV / 2.
	 */

	for (k = 0; k < PER_DEV; k++) {
		uint64_t ts = T0_NS + 5 * PERIOD_NS + k * PERIOD_NS + (k % 10 == 5 ? JITTER_NS : 0);
		uint32_t d;

		for (d = 0; d < NR_DEVS; d++) {
			uint32_t read_ns = d ? 1500000 : 20000;
			uint64_t my_ts = ts;

			if (defects && d == 1 && k == 500)
				continue;	/* a seq gap */
			if (defects && d == 0 && k == 600)
				my_ts = prev_ts0;	/* equal timestamps */
			make_record(&s, d, k, my_ts, read_ns, my_ts - T0_NS + (d ? read_ns : 0));
			if (defects && d == 0 && k == 300)
				s.vout_uv += 1953;
			if (defects && d == 0 && k == 400)
				s.reserved[2] = 1;
			if (defects && d == 0 && k == 10) {
				s.flags |= PL_SF_I2C_ERROR;
				s.rails &= ~PL_RAIL_VIN;
				s.vin_uv = 0;
			}
			if (defects && d == 0 && k == 20) {
				s.flags |= PL_SF_OVERRUN;
				s.overruns = 2;
			}
			if (d == 0)
				prev_ts0 = my_ts;
			if (produce(&f, d ? (unsigned int)(k / 7) % NR_RINGS : 0, &s)) {
				fprintf(stderr, "tools_test: %s: plread stopped consuming\n", name);
				failed++;
				goto out;
			}
		}
		if (defects && k == PER_DEV / 2)
			__atomic_store_n(&f.prod[1].lost, f.prod[1].lost + 3, __ATOMIC_RELAXED);
	}
out:
	rc = wait_rc(pid);
	o = slurp(out);
	CHECK(rc == (defects ? 1 : 0), "%s: plread exit %d\n%s", name, rc, o);
	CHECK(kv(o, "records") == 2u * PER_DEV - defects, "%s: records %" PRIu64, name,
	      kv(o, "records"));
	CHECK(kv(o, "devices") == NR_DEVS, "%s: devices", name);
	CHECK(kv(o, "seq_gaps") == defects, "%s: seq_gaps %" PRIu64, name, kv(o, "seq_gaps"));
	CHECK(kv(o, "seq_missing") == defects, "%s: seq_missing", name);
	CHECK(kv(o, "ts_nonmono") == defects, "%s: ts_nonmono %" PRIu64, name, kv(o, "ts_nonmono"));
	CHECK(kv(o, "bad_records") == defects, "%s: bad_records %" PRIu64, name,
	      kv(o, "bad_records"));
	CHECK(kv(o, "ring_errors") == 0, "%s: ring_errors", name);
	CHECK(kv(o, "lost") == (defects ? 3 : 0), "%s: lost %" PRIu64, name, kv(o, "lost"));
	CHECK(kv(o, "i2c_error_flags") == defects, "%s: i2c_error_flags", name);
	CHECK(kv(o, "pec_error_flags") == 0, "%s: pec_error_flags", name);
	CHECK(kv(o, "overrun_flags") == defects, "%s: overrun_flags", name);
	if (HAVE_WAVE) {
		CHECK(kv(o, "wave_checked") == 2u * PER_DEV - defects, "%s: wave_checked %" PRIu64,
		      name, kv(o, "wave_checked"));
		CHECK(kv(o, "wave_mismatch") == defects, "%s: wave_mismatch %" PRIu64, name,
		      kv(o, "wave_mismatch"));
	}
	CHECK(kv(o, "first_seq") == 0, "%s: first_seq", name);
	CHECK(kv(o, "last_seq") == PER_DEV - 1, "%s: last_seq", name);
	CHECK(kv(o, "dev.1.records") == PER_DEV - (unsigned int)defects, "%s: dev.1.records", name);
	CHECK(kv(o, "dev.0.first_seq") == 0 && kv(o, "dev.0.last_seq") == PER_DEV - 1,
	      "%s: dev.0 seq range", name);
	CHECK(kv(o, "stats.1.samples") == FAKEPL_STATS_SAMPLES, "%s: stats.1.samples", name);
	CHECK(kv(o, "stats.0.jitter_hist.0") == FAKEPL_STATS_SAMPLES - 1, "%s: jitter_hist", name);
	if (!defects) {
		/* 2 x 999 intervals over 999 ms */
		CHECK(kv(o, "rate_mhz") == 2000000, "%s: rate_mhz %" PRIu64, name, kv(o, "rate_mhz"));
		CHECK(kv(o, "rate_hz") == 2000, "%s: rate_hz", name);
		/* 20 % of the intervals are JITTER_NS off */
		CHECK(kv(o, "jitter_p50_ns") == 0, "%s: jitter_p50_ns %" PRIu64, name,
		      kv(o, "jitter_p50_ns"));
		CHECK(kv(o, "jitter_p99_ns") == JITTER_NS, "%s: jitter_p99_ns %" PRIu64, name,
		      kv(o, "jitter_p99_ns"));
		CHECK(kv(o, "jitter_max_ns") == JITTER_NS, "%s: jitter_max_ns", name);
	} else {
		/* after the repeated timestamp, one 2 ms interval: a period off */
		CHECK(kv(o, "jitter_max_ns") == PERIOD_NS, "%s: jitter_max_ns %" PRIu64, name,
		      kv(o, "jitter_max_ns"));
	}
	fake_destroy(&f);
}

static void plread_stats_only(void)
{
	char out[256];
	struct fake f;
	const char *o;
	int rc;

	if (fake_create(&f)) {
		failed++;
		return;
	}
	snprintf(out, sizeof(out), "%s/out", f.dir);
	{
		char *args[] = { "--device", f.path, "--stats-only", NULL };

		rc = wait_rc(spawn("plread", args, out, &f));
	}
	o = slurp(out);
	CHECK(rc == 0, "stats-only: exit %d", rc);
	CHECK(kv(o, "devices") == NR_DEVS, "stats-only: devices");
	CHECK(kv(o, "stats.1.samples") == FAKEPL_STATS_SAMPLES, "stats-only: stats.1.samples");
	CHECK(kv(o, "stats.1.period_ns") == PL_PERIOD_DEFAULT_NS, "stats-only: period_ns");
	CHECK(kv(o, "stats.0.jitter_p99_bucket") == 0, "stats-only: jitter_p99_bucket");
	CHECK(kv(o, "stats.2.samples") == UINT64_MAX, "stats-only: no device 2");
	fake_destroy(&f);
}

/* plpoll's pacing and accounting on a file standing in for power1_input. */
static void plpoll_hwmon(const char *content, bool want_errors)
{
	char path[256], out[256];
	struct fake f;
	const char *o;
	int rc, fd;

	if (fake_create(&f)) {
		failed++;
		return;
	}
	snprintf(path, sizeof(path), "%s/hwmon", f.dir);
	snprintf(out, sizeof(out), "%s/out", f.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, content, strlen(content)) < 0) {
		failed++;
		return;
	}
	close(fd);
	{
		char *args[] = { "hwmon", "--path", path, "-p", "2000000", "-d", "0.5", NULL };

		rc = wait_rc(spawn("plpoll", args, out, NULL));
	}
	o = slurp(out);
	CHECK(rc == (want_errors ? 1 : 0), "plpoll: exit %d\n%s", rc, o);
	CHECK(kv(o, "expected") == 250, "plpoll: expected %" PRIu64, kv(o, "expected"));
	CHECK(kv(o, "samples") + kv(o, "lost") == 250, "plpoll: samples + lost != expected\n%s", o);
	/* loose bounds: a loaded CI machine may miss some deadlines */
	CHECK(kv(o, "samples") >= 150, "plpoll: samples %" PRIu64, kv(o, "samples"));
	CHECK(want_errors ? kv(o, "errors") == kv(o, "samples") : kv(o, "errors") == 0,
	      "plpoll: errors %" PRIu64, kv(o, "errors"));
	CHECK(kv(o, "rate_mhz") > 250000 && kv(o, "rate_mhz") <= 510000, "plpoll: rate_mhz %" PRIu64,
	      kv(o, "rate_mhz"));
	CHECK(kv(o, "jitter_max_ns") != UINT64_MAX && kv(o, "cpu_ns_per_sample") != UINT64_MAX,
	      "plpoll: jitter/cpu keys missing");
	fake_destroy(&f);
}

/*
 * plload: its workers really burn CPU, it stops after -d or on SIGTERM and
 * reports, and bad arguments exit 2.
 */
static void plload_runs(void)
{
	char dir[] = "/tmp/plload-test.XXXXXX", out[64];
	const char *o;
	uint64_t t0;
	pid_t pid;
	int rc;

	if (!mkdtemp(dir)) {
		failed++;
		return;
	}
	snprintf(out, sizeof(out), "%s/out", dir);
	{
		char *args[] = { "-n", "3", "--burst", "1000", "--sleep", "1000", "-d", "0.4", NULL };

		t0 = mono_ns();
		rc = wait_rc(spawn("plload", args, out, NULL));
	}
	o = slurp(out);
	CHECK(rc == 0, "plload -d: exit %d\n%s", rc, o);
	CHECK(mono_ns() - t0 < 5 * NSEC_PER_SEC, "plload -d 0.4 took %" PRIu64 " ms",
	      (mono_ns() - t0) / 1000000);
	CHECK(kv(o, "workers") == 3, "plload: workers %" PRIu64, kv(o, "workers"));
	/* 3 workers at 50 % duty: 150 % of a CPU idle; a loaded CI gets less */
	CHECK(kv(o, "busy_pct") >= 10 && kv(o, "busy_pct") <= 300, "plload: busy_pct %" PRIu64,
	      kv(o, "busy_pct"));
	{
		char *args[] = { "-n", "2", NULL };

		pid = spawn("plload", args, out, NULL);
		usleep(300000);
		kill(pid, SIGTERM);
		rc = wait_rc(pid);
	}
	o = slurp(out);
	CHECK(rc == 0 && kv(o, "workers") == 2, "plload SIGTERM: exit %d\n%s", rc, o);
	{
		char *bad[][4] = {
			{ "-n", "0", NULL }, { "--burst", "9-1", NULL }, { "--sleep", "x", NULL },
			{ "-d", "-1", NULL }, { "extra", NULL },
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			rc = wait_rc(spawn("plload", bad[i], out, NULL));
			CHECK(rc == 2, "plload %s: exit %d, want 2", bad[i][0], rc);
		}
	}
	unlink(out);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: tools_test BUILD_DIR\n");
		return 2;
	}
	build = argv[1];
	plread_scenario(false);
	plread_scenario(true);
	plread_stats_only();
	plpoll_hwmon("450000000\n", false);
	plpoll_hwmon("junk\n", true);
	plload_runs();
	printf("tools-e2e: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
