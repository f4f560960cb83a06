// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * plioctl: feed /dev/powerledger hostile ioctl and mmap arguments and check
 * that each is refused with the errno the ABI promises.
 *
 * Prints "case NAME: ok" or "case NAME: FAIL got errno X want Y" per case
 * and "plioctl: N passed, N failed".  Exit 0 if all passed, 1 if one
 * failed, 2 on usage or system errors.  Sampling settings it touches
 * (period of one device, watermark) are put back; it never starts or stops
 * a device.  The cases about records (a consumer receives them, a bogus
 * tail drops them) need a bound device that is sampling, and fail without.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <linux/powerledger.h>

#include "util.h"

#define PROG		"plioctl"
#define MAX_PROBE_ID	4096
#define NO_SUCH_DEV	0x7ffffffeU	/* no idr hands out ids this high */
#define RECORD_WAIT_NS	(2 * NSEC_PER_SEC)	/* for a record, or a drop, to happen */
#define CHILD_FAULTED	77	/* a forked child's exit status after SIGSEGV */

struct ctx {
	const char *path;
	int fd;			/* O_RDWR */
	int fd_ro;		/* O_RDONLY */
	struct pl_info info;
	size_t page;
	void *none_page;	/* PROT_NONE: every access faults */
	void *ro_page;		/* PROT_READ: copy_to_user into it faults */
	void *straddle;		/* 8 readable bytes, then a PROT_NONE page */
	bool have_dev;
	uint32_t dev_id;	/* a bound device, if have_dev */
	uint64_t dev_period_ns;
	bool dev_sampling;	/* it was sampling when found */
	unsigned int passed, failed;
};

static const char *errname(int e)
{
	static char buf[16];
	const char *n;

	if (!e)
		return "0";
	n = strerrorname_np(e);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

/*
 * Records a case whose syscall returned @rc (0 or -1 with errno set).
 * @want is the errno expected, 0 for success; @alt, if nonzero, is also
 * accepted (the mm core may refuse before the driver is asked).  errno is
 * read here, once @rc is known: an errno argument next to the syscall
 * could be evaluated before it and pass on a stale value.
 */
static void expect2(struct ctx *c, const char *name, int rc, int want, int alt)
{
	int got = rc < 0 ? errno : 0;

	if (got == want || (alt && got == alt)) {
		c->passed++;
		printf("case %s: ok\n", name);
		return;
	}
	c->failed++;
	printf("case %s: FAIL got errno %s", name, errname(got));
	printf(" want %s%s%s\n", errname(want), alt ? " or " : "", alt ? errname(alt) : "");
}

static void expect(struct ctx *c, const char *name, int rc, int want)
{
	expect2(c, name, rc, want, 0);
}

static void fail(struct ctx *c, const char *name, const char *fmt, ...)
{
	va_list ap;

	c->failed++;
	printf("case %s: FAIL ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int ioc(int fd, unsigned long req, const void *arg)
{
	return ioctl(fd, req, arg);
}

static void test_unknown_ioctls(struct ctx *c)
{
	struct pl_stats buf;	/* big enough for any of our ioctls */

	memset(&buf, 0, sizeof(buf));
	expect(c, "unknown_nr", ioc(c->fd, _IO(PL_IOC_MAGIC, 0x3f), NULL), ENOTTY);
	expect(c, "unknown_nr_rw", ioc(c->fd, _IOWR(PL_IOC_MAGIC, 0x06, __u32), &buf), ENOTTY);
	expect(c, "unknown_magic", ioc(c->fd, _IOR('x', 0x00, struct pl_info), &buf), ENOTTY);
	expect(c, "get_info_wrong_size", ioc(c->fd, _IOR(PL_IOC_MAGIC, 0x00, __u64), &buf), ENOTTY);
	expect(c, "get_info_wrong_dir", ioc(c->fd, _IOW(PL_IOC_MAGIC, 0x00, struct pl_info), &buf),
	       ENOTTY);
	expect(c, "get_stats_wrong_dir", ioc(c->fd, _IOR(PL_IOC_MAGIC, 0x04, struct pl_stats), &buf),
	       ENOTTY);
}

static void test_bad_pointers(struct ctx *c)
{
	const void *kernel = (const void *)0xffff888000000000UL;
	static const struct {
		const char *name;
		unsigned long req;
	} reqs[] = {
		{ "get_info", PL_IOC_GET_INFO },
		{ "get_stats", PL_IOC_GET_STATS },
		{ "set_period", PL_IOC_SET_PERIOD },
		{ "set_watermark", PL_IOC_SET_WATERMARK },
		{ "start", PL_IOC_START },
		{ "stop", PL_IOC_STOP },
	};
	char name[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		snprintf(name, sizeof(name), "%s_null", reqs[i].name);
		expect(c, name, ioc(c->fd, reqs[i].req, NULL), EFAULT);
		snprintf(name, sizeof(name), "%s_unmapped", reqs[i].name);
		expect(c, name, ioc(c->fd, reqs[i].req, c->none_page), EFAULT);
		snprintf(name, sizeof(name), "%s_kernel_ptr", reqs[i].name);
		expect(c, name, ioc(c->fd, reqs[i].req, kernel), EFAULT);
	}
	/* a straddling struct: the first bytes readable, the rest not */
	memset(c->straddle, 0, 8);
	expect(c, "set_period_straddle", ioc(c->fd, PL_IOC_SET_PERIOD, c->straddle), EFAULT);
	if (c->have_dev) {
		/* a real dev_id in the readable part: the fault is in the reply */
		memcpy(c->straddle, &c->dev_id, sizeof(c->dev_id));
		expect(c, "get_stats_straddle", ioc(c->fd, PL_IOC_GET_STATS, c->straddle), EFAULT);
	}
	/* output structs into read-only memory */
	expect(c, "get_info_readonly_buf", ioc(c->fd, PL_IOC_GET_INFO, c->ro_page), EFAULT);
}

static int set_period(int fd, uint32_t dev, uint64_t period_ns, uint32_t reserved)
{
	struct pl_period p = { .dev_id = dev, .reserved = reserved, .period_ns = period_ns };

	return ioc(fd, PL_IOC_SET_PERIOD, &p);
}

static void test_period(struct ctx *c)
{
	static const struct {
		const char *name;
		uint64_t period_ns;
	} bad[] = {
		{ "period_0", 0 },
		{ "period_99999", PL_PERIOD_MIN_NS - 1 },
		{ "period_1000000001", PL_PERIOD_MAX_NS + 1 },
		{ "period_u32max_plus1", 1ULL << 32 },
		{ "period_u64max", UINT64_MAX },
	};
	uint32_t dev = c->have_dev ? c->dev_id : PL_DEV_ALL;
	char name[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		expect(c, bad[i].name, set_period(c->fd, dev, bad[i].period_ns, 0), EINVAL);
		snprintf(name, sizeof(name), "%s_all", bad[i].name);
		expect(c, name, set_period(c->fd, PL_DEV_ALL, bad[i].period_ns, 0), EINVAL);
	}
	expect(c, "period_reserved", set_period(c->fd, dev, PL_PERIOD_DEFAULT_NS, 1), EINVAL);
	expect(c, "period_reserved_high",
	       set_period(c->fd, dev, PL_PERIOD_DEFAULT_NS, 0x80000000U), EINVAL);
	expect(c, "period_nodev", set_period(c->fd, NO_SUCH_DEV, PL_PERIOD_DEFAULT_NS, 0), ENODEV);
	expect(c, "period_nodev_above_int_max",
	       set_period(c->fd, 0x80000000U, PL_PERIOD_DEFAULT_NS, 0), ENODEV);
	expect(c, "period_readonly_fd",
	       set_period(c->fd_ro, dev, PL_PERIOD_DEFAULT_NS, 0), EPERM);

	if (!c->have_dev) {
		fprintf(stderr, PROG ": no device bound: skipping in-range period cases\n");
		return;
	}
	/* The range ends are valid; put the device's period back afterwards. */
	expect(c, "period_min_ok", set_period(c->fd, dev, PL_PERIOD_MIN_NS, 0), 0);
	expect(c, "period_max_ok", set_period(c->fd, dev, PL_PERIOD_MAX_NS, 0), 0);
	expect(c, "period_restore", set_period(c->fd, dev, c->dev_period_ns, 0), 0);
}

static void test_ctl(struct ctx *c)
{
	struct pl_dev_ctl ctl = { .dev_id = c->have_dev ? c->dev_id : PL_DEV_ALL, .flags = 1 };

	expect(c, "start_flags", ioc(c->fd, PL_IOC_START, &ctl), EOPNOTSUPP);
	ctl.flags = 0x80000000U;
	expect(c, "stop_flags", ioc(c->fd, PL_IOC_STOP, &ctl), EOPNOTSUPP);
	ctl.flags = 0;
	ctl.dev_id = NO_SUCH_DEV;
	expect(c, "start_nodev", ioc(c->fd, PL_IOC_START, &ctl), ENODEV);
	expect(c, "stop_nodev", ioc(c->fd, PL_IOC_STOP, &ctl), ENODEV);
	ctl.dev_id = c->have_dev ? c->dev_id : PL_DEV_ALL;
	expect(c, "start_readonly_fd", ioc(c->fd_ro, PL_IOC_START, &ctl), EPERM);
	expect(c, "stop_readonly_fd", ioc(c->fd_ro, PL_IOC_STOP, &ctl), EPERM);
}

static void test_stats(struct ctx *c)
{
	struct pl_stats st;

	memset(&st, 0, sizeof(st));
	st.dev_id = NO_SUCH_DEV;
	expect(c, "stats_nodev", ioc(c->fd, PL_IOC_GET_STATS, &st), ENODEV);
	st.dev_id = PL_DEV_ALL;
	expect(c, "stats_dev_all", ioc(c->fd, PL_IOC_GET_STATS, &st), ENODEV);
	if (c->have_dev) {
		memset(&st, 0, sizeof(st));
		st.dev_id = c->dev_id;
		expect(c, "stats_readonly_fd_ok", ioc(c->fd_ro, PL_IOC_GET_STATS, &st), 0);
	}
}

static void test_watermark(struct ctx *c)
{
	uint32_t wm;

	wm = 0;
	expect(c, "watermark_0", ioc(c->fd, PL_IOC_SET_WATERMARK, &wm), EINVAL);
	wm = c->info.slots + 1;
	expect(c, "watermark_slots_plus1", ioc(c->fd, PL_IOC_SET_WATERMARK, &wm), EINVAL);
	wm = UINT32_MAX;
	expect(c, "watermark_u32max", ioc(c->fd, PL_IOC_SET_WATERMARK, &wm), EINVAL);
	wm = 1;
	expect(c, "watermark_readonly_fd", ioc(c->fd_ro, PL_IOC_SET_WATERMARK, &wm), EPERM);
	expect(c, "watermark_1_ok", ioc(c->fd, PL_IOC_SET_WATERMARK, &wm), 0);
	wm = c->info.slots;
	expect(c, "watermark_slots_ok", ioc(c->fd, PL_IOC_SET_WATERMARK, &wm), 0);
	wm = c->info.watermark;
	expect(c, "watermark_restore", ioc(c->fd, PL_IOC_SET_WATERMARK, &wm), 0);
}

/* mmap() returning 0 or -1 like the other syscalls; unmaps on success. */
static int try_mmap(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -1;
	munmap(p, len);
	return 0;
}

static void test_mmap_refused(struct ctx *c)
{
	const struct pl_info *in = &c->info;
	size_t size = in->mmap_size, pg = c->page;
	const int rw = PROT_READ | PROT_WRITE;

	expect(c, "mmap_write_all", try_mmap(c->fd, size, rw, MAP_SHARED, 0), EPERM);
	expect(c, "mmap_write_meta", try_mmap(c->fd, in->cons_offset, rw, MAP_SHARED, 0), EPERM);
	expect(c, "mmap_write_meta_last_page",
	       try_mmap(c->fd, pg, rw, MAP_SHARED, (off_t)(in->cons_offset - pg)), EPERM);
	expect(c, "mmap_write_meta_and_cons",
	       try_mmap(c->fd, in->data_offset, rw, MAP_SHARED, 0), EPERM);
	expect(c, "mmap_write_cons_and_data",
	       try_mmap(c->fd, size - in->cons_offset, rw, MAP_SHARED, (off_t)in->cons_offset),
	       EPERM);
	expect(c, "mmap_write_data",
	       try_mmap(c->fd, in->ring_size, rw, MAP_SHARED, (off_t)in->data_offset), EPERM);
	expect(c, "mmap_write_last_page",
	       try_mmap(c->fd, pg, rw, MAP_SHARED, (off_t)(size - pg)), EPERM);
	expect(c, "mmap_write_only_data",
	       try_mmap(c->fd, in->ring_size, PROT_WRITE, MAP_SHARED, (off_t)in->data_offset),
	       EPERM);
	/* a private writable copy of the tails would never reach the kernel */
	expect(c, "mmap_write_cons_private",
	       try_mmap(c->fd, in->data_offset - in->cons_offset, rw, MAP_PRIVATE,
			(off_t)in->cons_offset), EINVAL);

	expect(c, "mmap_too_long", try_mmap(c->fd, size + pg, PROT_READ, MAP_SHARED, 0), EINVAL);
	expect(c, "mmap_tail_too_long",
	       try_mmap(c->fd, size - in->data_offset + pg, PROT_READ, MAP_SHARED,
			(off_t)in->data_offset), EINVAL);
	expect(c, "mmap_offset_at_end", try_mmap(c->fd, pg, PROT_READ, MAP_SHARED, (off_t)size),
	       EINVAL);
	expect(c, "mmap_offset_past_end",
	       try_mmap(c->fd, pg, PROT_READ, MAP_SHARED, (off_t)(size + 16 * pg)), EINVAL);
	expect(c, "mmap_unaligned_offset",
	       try_mmap(c->fd, pg, PROT_READ, MAP_SHARED, (off_t)(pg / 2)), EINVAL);
	expect(c, "mmap_unaligned_offset_1", try_mmap(c->fd, pg, PROT_READ, MAP_SHARED, 1), EINVAL);
	expect(c, "mmap_huge_offset",
	       try_mmap(c->fd, pg, PROT_READ, MAP_SHARED, (off_t)1 << 46), EINVAL);
	/* pgoff + pages overflows: the mm core may say EOVERFLOW first */
	expect2(c, "mmap_max_offset",
		try_mmap(c->fd, 2 * pg, PROT_READ, MAP_SHARED, (off_t)(INT64_MAX & ~(int64_t)(pg - 1))),
		EINVAL, EOVERFLOW);
}

/*
 * Consumer rule: a file open read-only never maps the device, so it cannot
 * take the consumer slot.  fd_ro stays open afterwards: with the slot taken
 * by it (the bug this guards against) test_mapped()'s writer would get
 * EBUSY and no record.
 */
static void test_consumer_rule(struct ctx *c)
{
	const struct pl_info *in = &c->info;
	size_t cons_len = in->data_offset - in->cons_offset;

	expect(c, "mmap_readonly_fd_all",
	       try_mmap(c->fd_ro, in->mmap_size, PROT_READ, MAP_SHARED, 0), EPERM);
	expect(c, "mmap_readonly_fd_meta",
	       try_mmap(c->fd_ro, c->page, PROT_READ, MAP_SHARED, 0), EPERM);
	expect(c, "mmap_readonly_fd_data",
	       try_mmap(c->fd_ro, in->ring_size, PROT_READ, MAP_SHARED, (off_t)in->data_offset),
	       EPERM);
	expect(c, "mmap_readonly_fd_private",
	       try_mmap(c->fd_ro, in->mmap_size, PROT_READ, MAP_PRIVATE, 0), EPERM);
	/* the mm core refuses a shared writable mapping of an O_RDONLY file first */
	expect2(c, "mmap_readonly_fd_cons_rw",
		try_mmap(c->fd_ro, cons_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 (off_t)in->cons_offset), EACCES, EPERM);
}

/* Returns the first bound device id, probing upward; false if none. */
static bool find_device(struct ctx *c)
{
	struct pl_stats st;
	uint32_t id;

	if (!c->info.nr_devices)
		return false;
	for (id = 0; id < MAX_PROBE_ID; id++) {
		memset(&st, 0, sizeof(st));
		st.dev_id = id;
		if (!ioc(c->fd, PL_IOC_GET_STATS, &st)) {
			c->dev_id = id;
			c->dev_period_ns = st.period_ns;
			c->dev_sampling = st.flags & PL_DEV_F_ENABLED;
			return true;
		}
	}
	return false;
}

static uint64_t sum_heads(const struct pl_ring_prod *prod, uint32_t nr)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < nr; i++)
		sum += __atomic_load_n(&prod[i].head, __ATOMIC_ACQUIRE);
	return sum;
}

static uint64_t sum_lost(const struct pl_ring_prod *prod, uint32_t nr)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < nr; i++)
		sum += __atomic_load_n(&prod[i].lost, __ATOMIC_RELAXED);
	return sum;
}

/* Waits up to RECORD_WAIT_NS for @sum over the rings to exceed @from. */
static uint64_t wait_sum_above(uint64_t (*sum)(const struct pl_ring_prod *, uint32_t),
			       const struct pl_ring_prod *prod, uint32_t nr, uint64_t from)
{
	uint64_t end = mono_ns() + RECORD_WAIT_NS, now;

	while ((now = sum(prod, nr)) <= from && mono_ns() < end)
		usleep(10000);
	return now;
}

/* true if one of the lines of /proc/self/maps covers @addr */
static bool maps_cover(const void *addr)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return true;	/* cannot tell: count as inherited */
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx", &lo, &hi) == 2 && a >= lo && a < hi;
	fclose(f);
	return found;
}

static void child_segv(int sig)
{
	(void)sig;
	_exit(CHILD_FAULTED);
}

/*
 * Runs @fn(@arg) in a forked child and returns its wait status (-1 if fork
 * failed).  The child turns SIGSEGV into exit status CHILD_FAULTED, so an
 * expected fault leaves no "segfault" line in the kernel log.
 */
static int in_child(int (*fn)(void *), void *arg)
{
	struct sigaction sa = { .sa_handler = child_segv };
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		sigaction(SIGSEGV, &sa, NULL);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

struct fork_maps {
	const void *ro;
	struct pl_ring_cons *cons;
};

static int child_maps(void *arg)
{
	const struct fork_maps *m = arg;

	return maps_cover(m->ro) || maps_cover(m->cons) ? 1 : 0;
}

static int child_read_ro(void *arg)
{
	const struct fork_maps *m = arg;

	return *(const volatile uint32_t *)m->ro == PL_MMAP_MAGIC ? 0 : 2;
}

/* writes back the tail it reads: harmless even where it reaches the kernel */
static int child_write_tail(void *arg)
{
	const struct fork_maps *m = arg;

	__atomic_store_n(&m->cons[0].tail, __atomic_load_n(&m->cons[0].tail, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	return 0;
}

static void expect_child(struct ctx *c, const char *name, int status, int want_exit)
{
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == want_exit) {
		expect(c, name, 0, 0);
		return;
	}
	if (status == -1)
		fail(c, name, "fork/waitpid: %s", strerror(errno));
	else if (WIFEXITED(status))
		fail(c, name, "child exited %d, want %d", WEXITSTATUS(status), want_exit);
	else
		fail(c, name, "child killed by signal %d", WTERMSIG(status));
}

/*
 * A fork must not inherit the consumer's mappings (VM_DONTCOPY): the child
 * has neither in its /proc/self/maps, and reading the meta part or writing
 * a tail faults there.
 */
static void test_fork(struct ctx *c, const void *ro, struct pl_ring_cons *cons)
{
	struct fork_maps m = { .ro = ro, .cons = cons };

	expect_child(c, "fork_child_has_no_mapping", in_child(child_maps, &m), 0);
	expect_child(c, "fork_child_read_meta_faults", in_child(child_read_ro, &m),
		     CHILD_FAULTED);
	expect_child(c, "fork_child_write_tail_faults", in_child(child_write_tail, &m),
		     CHILD_FAULTED);
}

/*
 * Once mapped: the writer is the consumer and receives records (also while
 * a read-only opener is around), a fork inherits no mapping, mprotect cannot
 * make the read-only part writable, another open file cannot map, and a
 * nonsensical tail makes the producer drop and count records instead of
 * writing anywhere.
 */
static void test_mapped(struct ctx *c)
{
	const struct pl_info *in = &c->info;
	const struct pl_ring_prod *prod;
	struct pl_ring_cons *cons;
	uint64_t *heads = NULL, lost0, lost, dev_lost0 = 0, h0, h;
	void *ro, *cons_map = MAP_FAILED;
	size_t cons_len = in->data_offset - in->cons_offset;
	struct pl_stats st;
	uint32_t i;
	int fd2, rc;

	ro = mmap(NULL, in->mmap_size, PROT_READ, MAP_SHARED, c->fd, 0);
	expect(c, "mmap_read_all_ok", ro == MAP_FAILED ? -1 : 0, 0);
	if (ro == MAP_FAILED)
		return;
	rc = mprotect(ro, in->mmap_size, PROT_READ | PROT_WRITE);
	expect(c, "mprotect_write_readonly_part", rc, EACCES);

	cons_map = mmap(NULL, cons_len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
			(off_t)in->cons_offset);
	expect(c, "mmap_cons_rw_ok", cons_map == MAP_FAILED ? -1 : 0, 0);

	fd2 = open(c->path, O_RDWR | O_CLOEXEC);
	if (fd2 < 0) {
		fail(c, "mmap_second_file", "open: %s", strerror(errno));
	} else {
		expect(c, "mmap_second_file",
		       try_mmap(fd2, in->mmap_size, PROT_READ, MAP_SHARED, 0), EBUSY);
		close(fd2);
	}
	expect(c, "mmap_read_again_same_file_ok",
	       try_mmap(c->fd, in->mmap_size, PROT_READ, MAP_SHARED, 0), 0);

	if (cons_map == MAP_FAILED)
		goto cleanup;
	prod = (const void *)((const char *)ro + ((const struct pl_mmap_meta *)ro)->prod_offset);
	cons = cons_map;

	if (!c->dev_sampling) {
		fail(c, "consumer_receives_records", "no bound device is sampling");
	} else {
		h0 = sum_heads(prod, in->nr_rings);
		h = wait_sum_above(sum_heads, prod, in->nr_rings, h0);
		if (h > h0)
			expect(c, "consumer_receives_records", 0, 0);
		else
			fail(c, "consumer_receives_records", "no record in %llu ms (heads at %llu)",
			     RECORD_WAIT_NS / 1000000, (unsigned long long)h0);
	}
	test_fork(c, ro, cons);
	heads = calloc(in->nr_rings, sizeof(*heads));
	if (!heads) {
		fail(c, "bogus_tail_drops", "out of memory");
		goto cleanup;
	}
	/*
	 * Tail ahead of head: the ring looks over-full, so the producer must
	 * drop, and count: with no drop counted (no device sampling, say) the
	 * unmoved heads would prove nothing.  Snapshot heads only after a
	 * producer that read the old tail has had time to publish.
	 */
	for (i = 0; i < in->nr_rings; i++)
		__atomic_store_n(&cons[i].tail,
				 __atomic_load_n(&prod[i].head, __ATOMIC_ACQUIRE) + in->slots + 1,
				 __ATOMIC_RELEASE);
	usleep(10000);
	for (i = 0; i < in->nr_rings; i++)
		heads[i] = __atomic_load_n(&prod[i].head, __ATOMIC_ACQUIRE);
	lost0 = sum_lost(prod, in->nr_rings);
	memset(&st, 0, sizeof(st));
	st.dev_id = c->dev_id;
	if (c->have_dev && !ioc(c->fd, PL_IOC_GET_STATS, &st))
		dev_lost0 = st.lost;
	lost = wait_sum_above(sum_lost, prod, in->nr_rings, lost0);
	usleep(50000);
	if (lost <= lost0)
		fail(c, "bogus_tail_counts_lost", "rings' lost stayed at %llu for %llu ms%s",
		     (unsigned long long)lost0, RECORD_WAIT_NS / 1000000,
		     c->dev_sampling ? "" : " (no bound device is sampling)");
	else
		expect(c, "bogus_tail_counts_lost", 0, 0);
	st.dev_id = c->dev_id;
	if (!c->have_dev)
		fail(c, "bogus_tail_counts_dev_lost", "no bound device");
	else if (ioc(c->fd, PL_IOC_GET_STATS, &st))
		fail(c, "bogus_tail_counts_dev_lost", "PL_IOC_GET_STATS: %s", strerror(errno));
	else if (st.lost <= dev_lost0)
		fail(c, "bogus_tail_counts_dev_lost", "device %u lost stayed at %llu", c->dev_id,
		     (unsigned long long)dev_lost0);
	else
		expect(c, "bogus_tail_counts_dev_lost", 0, 0);
	for (i = 0; i < in->nr_rings; i++) {
		uint64_t h = __atomic_load_n(&prod[i].head, __ATOMIC_ACQUIRE);

		if (h != heads[i])
			break;
	}
	if (i < in->nr_rings)
		fail(c, "bogus_tail_drops", "ring %u head moved %llu -> %llu with tail ahead of it",
		     i, (unsigned long long)heads[i],
		     (unsigned long long)__atomic_load_n(&prod[i].head, __ATOMIC_ACQUIRE));
	else
		expect(c, "bogus_tail_drops", 0, 0);
	for (i = 0; i < in->nr_rings; i++)
		__atomic_store_n(&cons[i].tail, __atomic_load_n(&prod[i].head, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
cleanup:
	free(heads);
	if (cons_map != MAP_FAILED)
		munmap(cons_map, cons_len);
	munmap(ro, in->mmap_size);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [--device PATH]\n"
		"\n"
		"Runs hostile-argument cases against /dev/" PL_DEVICE_NAME " (ioctl numbers,\n"
		"user pointers, ranges, reserved fields, flags, device ids, watermarks,\n"
		"mmap protections, lengths and offsets).  Prints \"case NAME: ok\" or\n"
		"\"case NAME: FAIL got errno X want Y\", then \"" PROG ": N passed, N failed\".\n"
		"Run it while no other process maps the device.\n"
		"Exit 0 all passed, 1 a case failed, 2 usage or system error.\n");
}

int main(int argc, char **argv)
{
	struct ctx c = { .path = "/dev/" PL_DEVICE_NAME, .fd = -1, .fd_ro = -1 };
	int i, ret = 2;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			c.path = argv[++i];
		} else {
			usage(stderr);
			return 2;
		}
	}

	c.page = (size_t)sysconf(_SC_PAGESIZE);
	c.none_page = mmap(NULL, c.page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c.ro_page = mmap(NULL, c.page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c.straddle = mmap(NULL, 2 * c.page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c.none_page == MAP_FAILED || c.ro_page == MAP_FAILED || c.straddle == MAP_FAILED ||
	    mprotect((char *)c.straddle + c.page, c.page, PROT_NONE)) {
		fprintf(stderr, PROG ": mmap anonymous: %s\n", strerror(errno));
		return 2;
	}
	memset(c.straddle, 0, c.page);
	c.straddle = (char *)c.straddle + c.page - 8;
	c.fd = open(c.path, O_RDWR | O_CLOEXEC);
	c.fd_ro = open(c.path, O_RDONLY | O_CLOEXEC);
	if (c.fd < 0 || c.fd_ro < 0) {
		fprintf(stderr, PROG ": %s: %s\n", c.path, strerror(errno));
		goto cleanup;
	}
	if (ioctl(c.fd, PL_IOC_GET_INFO, &c.info)) {
		fprintf(stderr, PROG ": %s: PL_IOC_GET_INFO: %s\n", c.path, strerror(errno));
		goto cleanup;
	}
	if (c.info.abi_version != PL_ABI_VERSION || !c.info.slots || !c.info.mmap_size ||
	    c.info.mmap_size % c.page || c.info.cons_offset % c.page ||
	    c.info.data_offset % c.page || c.info.data_offset <= c.info.cons_offset ||
	    c.info.data_offset >= c.info.mmap_size) {
		fprintf(stderr, PROG ": %s: unusable pl_info (abi %u slots %u mmap_size %llu "
			"cons_offset %llu data_offset %llu)\n", c.path, c.info.abi_version,
			c.info.slots, (unsigned long long)c.info.mmap_size,
			(unsigned long long)c.info.cons_offset,
			(unsigned long long)c.info.data_offset);
		ret = 1;
		goto cleanup;
	}
	c.have_dev = find_device(&c);
	expect(&c, "get_info_readonly_fd_ok", ioc(c.fd_ro, PL_IOC_GET_INFO, &c.info), 0);

	test_unknown_ioctls(&c);
	test_bad_pointers(&c);
	test_period(&c);
	test_ctl(&c);
	test_stats(&c);
	test_watermark(&c);
	test_mmap_refused(&c);
	test_consumer_rule(&c);
	test_mapped(&c);

	printf(PROG ": %u passed, %u failed\n", c.passed, c.failed);
	ret = c.failed ? 1 : 0;
cleanup:
	if (c.fd >= 0)
		close(c.fd);
	if (c.fd_ro >= 0)
		close(c.fd_ro);
	return ret;
}
