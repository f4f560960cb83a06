// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * plread: consume the mmap-ed rings of /dev/powerledger for a while, check
 * every record, and print key=value results for the VM tests and benchmarks.
 *
 * The rings are validated and drained by the agent's own consumer,
 * agent/capture/ring_reader.c, so that every VM test reading through plread tests
 * the product's reader; this file only maps the device and checks what the
 * reader hands out.
 *
 * Exit 0 when every check passed, 1 when one failed (sequence gaps, bad
 * records, waveform mismatches, ABI mismatch), 2 on usage or system errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/powerledger.h>

#include "capture/ring_reader.h" /* agent/ */
#include "stats.h"
#include "util.h"
#include "wave.h"

_Static_assert(sizeof(struct pl_sample) == PL_SAMPLE_SIZE, "struct pl_sample size");

#define PROG		"plread"
#define REPORT_MAX	5		/* problems of one kind printed on stderr */
#define POLL_MS		100
#define MAX_PROBE_ID	4096		/* --stats-only looks for ids below this */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct opts {
	const char *path;
	uint64_t duration_ns;
	uint64_t period_ns;		/* 0: leave the period alone */
	uint32_t watermark;		/* 0: leave the watermark alone */
	const char *wave_name;
	const char *sim_debugfs;
	uint8_t vout_mode;
	uint64_t hold_ns;
	bool quiet;
	bool stats_only;
	bool try_second_mmap;
};

/* What the checks need of a record once its per-record checks are done. */
struct rec {
	uint64_t ts_ns;
	uint64_t seq;
	uint32_t dev_id;
	uint32_t flags;
	uint32_t read_ns;
};

struct dev_result {
	uint32_t id;
	uint64_t records;
	uint64_t first_seq;
	uint64_t last_seq;
	uint64_t period_ns;	/* for jitter */
	bool have_stats;
	struct pl_stats stats;
};

struct run {
	struct rec *recs;
	size_t n, cap;
	struct dev_result *devs;
	size_t nr_devs;

	uint64_t bad_records;
	uint64_t ring_errors;
	uint64_t seq_gaps;	/* places where seq jumps */
	uint64_t seq_missing;	/* sequence numbers skipped in all */
	uint64_t ts_nonmono;
	uint64_t i2c_error_flags, pec_error_flags, overrun_flags;
	uint64_t page_restored_flags, backoff_flags, resumed_flags, resumed_overrun_flags;
	uint64_t ts_gap_max_ns;	/* largest ts_ns step between neighbours of a device */
	uint32_t rails_any, rails_all;	/* union and intersection of the records' rails */
	struct u64_series jitter_ns;
	uint64_t read_ns_sum, read_ns_n;	/* the module's time from ts_ns to the last read */

	bool wave_on;
	struct wave_check wave;
	bool quiet;
};

/*
 * The device mapped and the agent's ring reader on it: one thread, the only
 * writer of every cons->tail.  The kernel's producers write prod->head and
 * the rings concurrently.
 */
struct rings {
	int fd;
	struct pl_info info;
	void *region;		/* whole region, PROT_READ */
	void *cons_map;		/* consumer part, PROT_READ | PROT_WRITE */
	size_t cons_len;
	struct ring_reader rr;
	uint64_t lost_start;	/* ring_reader__lost() when mapped */
	struct pl_sample *batch;	/* one drain's records */
	size_t batch_cap;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [-d SECONDS] [-w WATERMARK] [-p PERIOD_NS]\n"
		"              [--expect-wave NAME --sim-debugfs DIR [--vout-mode MODE]]\n"
		"              [--hold SECONDS] [--quiet] [--device PATH]\n"
		"       " PROG " --stats-only [--device PATH]\n"
		"       " PROG " --try-second-mmap [--device PATH]\n"
		"\n"
		"Consumes the rings of /dev/powerledger for SECONDS (default 1), checks\n"
		"every record and prints key=value lines: records devices seq_gaps\n"
		"seq_missing ts_nonmono bad_records ring_errors lost wave_checked\n"
		"wave_mismatch rate_hz rate_mhz span_ns first_seq last_seq\n"
		"i2c_error_flags pec_error_flags overrun_flags page_restored_flags backoff_flags\n"
		"resumed_flags resumed_overrun_flags ts_gap_max_ns rails_any rails_all jitter_p50_ns\n"
		"jitter_p99_ns jitter_max_ns read_ns_mean, dev.<id>.{records,first_seq,last_seq}, then\n"
		"stats.<id>.{samples,lost,overruns,i2c_errors,pec_errors,page_repairs,backoffs,\n"
		"suspends,jitter_hist.<b>,\n"
		"jitter_p50_bucket,jitter_p99_bucket,period_ns,flags} from PL_IOC_GET_STATS;\n"
		"with --hold also hold_records hold_lost hold_meta_ok.  Jitter is\n"
		"|interval - period| between neighbouring records of a device, not across\n"
		"missed periods (PL_SF_OVERRUN), like the module's histogram.\n"
		"\n"
		"  -d SECONDS           how long to read (fractions allowed)\n"
		"  -w WATERMARK         PL_IOC_SET_WATERMARK first (1..slots)\n"
		"  -p PERIOD_NS         PL_IOC_SET_PERIOD on every device first; also the\n"
		"                       period jitter is measured against\n"
		"  --expect-wave NAME   compare rails with simulator waveform NAME\n"
		"  --sim-debugfs DIR    simulator debugfs dir holding t0_ns\n"
		"  --vout-mode MODE     VOUT_MODE of the simulated PSU (default 0x17)\n"
		"  --hold SECONDS       keep the mapping, without consuming, after reading\n"
		"  --quiet, -q          no per-problem messages on stderr\n"
		"  --device PATH        default /dev/" PL_DEVICE_NAME "\n"
		"  --stats-only         print PL_IOC_GET_STATS of every device, no mmap\n"
		"  --try-second-mmap    check that a second open file cannot map (EBUSY)\n"
		"\n"
		"Exit 0 ok, 1 a check failed, 2 usage or system error.\n");
}

static int get_info(int fd, const char *path, struct pl_info *info)
{
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, PL_IOC_GET_INFO, info)) {
		fprintf(stderr, PROG ": %s: PL_IOC_GET_INFO: %s\n", path, strerror(errno));
		return 2;
	}
	if (info->abi_version != PL_ABI_VERSION) {
		fprintf(stderr, PROG ": %s: ABI version %u, this tool speaks %u\n",
			path, info->abi_version, PL_ABI_VERSION);
		return 1;
	}
	if (info->record_size != sizeof(struct pl_sample)) {
		fprintf(stderr, PROG ": %s: record size %u, this tool expects %zu\n",
			path, info->record_size, sizeof(struct pl_sample));
		return 1;
	}
	return 0;
}

static void rings__free(struct rings *r)
{
	if (!r)
		return;
	if (r->cons_map && munmap(r->cons_map, r->cons_len))
		fprintf(stderr, PROG ": munmap consumer part: %s\n", strerror(errno));
	if (r->region && munmap(r->region, r->info.mmap_size))
		fprintf(stderr, PROG ": munmap: %s\n", strerror(errno));
	free(r->batch);
	free(r);
}

/*
 * Maps the device open on @fd as the agent's record verb does, and lets
 * ring_reader__init() check the layout.  Returns 0, 1 (the kernel's layout
 * is not the documented one) or 2 (system error), with *out set only on 0.
 */
static int rings__new(int fd, const char *path, struct rings **out)
{
	struct plerr e = { "" };
	const struct pl_info *in;
	struct rings *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, PROG ": out of memory\n");
		return 2;
	}
	r->fd = fd;
	in = &r->info;
	ret = get_info(fd, path, &r->info);
	if (ret)
		goto cleanup;

	ret = 2;
	r->region = mmap(NULL, in->mmap_size, PROT_READ, MAP_SHARED, fd, 0);
	if (r->region == MAP_FAILED) {
		r->region = NULL;
		fprintf(stderr, PROG ": %s: mmap %llu bytes read-only: %s\n", path,
			(unsigned long long)in->mmap_size, strerror(errno));
		goto cleanup;
	}
	r->cons_len = in->data_offset - in->cons_offset;
	r->cons_map = mmap(NULL, r->cons_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   (off_t)in->cons_offset);
	if (r->cons_map == MAP_FAILED) {
		r->cons_map = NULL;
		fprintf(stderr, PROG ": %s: mmap consumer part (offset %llu, %zu bytes) "
			"read-write: %s\n", path, (unsigned long long)in->cons_offset,
			r->cons_len, strerror(errno));
		goto cleanup;
	}

	if (ring_reader__init(&r->rr, r->region, in->mmap_size, r->cons_map, in, &e)) {
		fprintf(stderr, PROG ": %s: bad layout: %s\n", path, e.msg);
		ret = 1;
		goto cleanup;
	}
	r->lost_start = ring_reader__lost(&r->rr);
	*out = r;
	return 0;

cleanup:
	rings__free(r);
	return ret;
}

/* records dropped on full rings since the mapping was made */
static uint64_t rings__lost(const struct rings *r)
{
	return ring_reader__lost(&r->rr) - r->lost_start;
}

static bool report(const struct run *run, uint64_t count)
{
	return !run->quiet && count <= REPORT_MAX;
}

/* Checks one record's own fields; returns true if it is well formed. */
static bool check_record(struct run *run, const struct pl_sample *s)
{
	const char *why = NULL;
	unsigned int i;

	/* ring_reader__drain() hands out PL_SAMPLE_VERSION only (see rings__drain()). */
	if (s->flags & ~(uint32_t)__PL_SF_ALL)
		why = "unknown flags";
	else if (s->rails & ~(uint32_t)__PL_RAIL_ALL)
		why = "unknown rails";
	else if (!(s->flags & PL_SF_STATUS) && s->status_word)
		why = "status_word without PL_SF_STATUS";
	else if (!(s->flags & PL_SF_OVERRUN) != !s->overruns)
		why = "PL_SF_OVERRUN disagrees with overruns";
	else if (!(s->flags & PL_SF_GPU_CTX) && (s->gpu_pid || s->gpu_ctx))
		why = "GPU tag without PL_SF_GPU_CTX";
	for (i = 0; !why && i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i])
			why = "reserved not zero";
	if (!why)
		return true;
	run->bad_records++;
	if (report(run, run->bad_records))
		fprintf(stderr, PROG ": bad record: dev %u seq %llu: %s (version %u flags 0x%x "
			"rails 0x%x status 0x%04x overruns %u)\n", s->dev_id,
			(unsigned long long)s->seq, why, s->version, s->flags, s->rails,
			s->status_word, s->overruns);
	return false;
}

static int run_add(struct run *run, const struct pl_sample *s)
{
	if (s->flags & PL_SF_I2C_ERROR)
		run->i2c_error_flags++;
	if (s->flags & PL_SF_PEC_ERROR)
		run->pec_error_flags++;
	if (s->flags & PL_SF_OVERRUN)
		run->overrun_flags++;
	if (s->flags & PL_SF_PAGE_RESTORED)
		run->page_restored_flags++;
	if (s->flags & PL_SF_BACKOFF)
		run->backoff_flags++;
	if (s->flags & PL_SF_RESUMED)
		run->resumed_flags++;
	if ((s->flags & PL_SF_RESUMED) && (s->flags & PL_SF_OVERRUN))
		run->resumed_overrun_flags++;
	run->rails_any |= s->rails;
	run->rails_all &= s->rails;
	check_record(run, s);
	if (run->wave_on)
		wave_check__record(&run->wave, s);

	if (run->n == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 4096;
		struct rec *r = reallocarray(run->recs, cap, sizeof(*r));

		if (!r)
			return -ENOMEM;
		run->recs = r;
		run->cap = cap;
	}
	run->recs[run->n++] = (struct rec){
		.ts_ns = s->ts_ns, .seq = s->seq, .dev_id = s->dev_id, .flags = s->flags, .read_ns = s->read_ns,
	};
	return 0;
}

/*
 * Moves every record published so far out of the rings with the agent's
 * reader (which hands the slots back) and checks them.  The reader skips a
 * ring whose head and tail make no sense, resetting its tail to head, and
 * drops records of another version: both are counted here from its
 * counters.  Returns 0 or -ENOMEM.
 */
static int rings__drain(struct rings *r, struct run *run)
{
	uint64_t resyncs = r->rr.resyncs, bad = r->rr.bad_records;
	size_t n = 0, i;

	if (ring_reader__drain(&r->rr, &r->batch, &n, &r->batch_cap) < 0)
		return -ENOMEM;
	if (r->rr.resyncs != resyncs) {
		run->ring_errors += r->rr.resyncs - resyncs;
		if (report(run, run->ring_errors))
			fprintf(stderr, PROG ": %llu ring(s) with more than %u slots pending: "
				"tail reset to head\n", (unsigned long long)(r->rr.resyncs - resyncs),
				r->rr.slots);
	}
	if (r->rr.bad_records != bad) {
		run->bad_records += r->rr.bad_records - bad;
		if (report(run, run->bad_records))
			fprintf(stderr, PROG ": bad record: %llu record(s) of a version other than "
				"%d dropped by the ring reader\n",
				(unsigned long long)(r->rr.bad_records - bad), PL_SAMPLE_VERSION);
	}
	for (i = 0; i < n; i++)
		if (run_add(run, &r->batch[i]))
			return -ENOMEM;
	return 0;
}

static int set_controls(int fd, const char *path, const struct opts *o)
{
	if (o->watermark && ioctl(fd, PL_IOC_SET_WATERMARK, &o->watermark)) {
		fprintf(stderr, PROG ": %s: PL_IOC_SET_WATERMARK %u: %s\n", path,
			o->watermark, strerror(errno));
		return 2;
	}
	if (o->period_ns) {
		struct pl_period p = { .dev_id = PL_DEV_ALL, .period_ns = o->period_ns };

		if (ioctl(fd, PL_IOC_SET_PERIOD, &p)) {
			fprintf(stderr, PROG ": %s: PL_IOC_SET_PERIOD %llu ns: %s\n", path,
				(unsigned long long)o->period_ns, strerror(errno));
			return 2;
		}
	}
	return 0;
}

/*
 * A sampler thread may move between CPUs, so consecutive records of one
 * device can sit in different rings, and a pass that reads ring B after
 * ring A may find record N+2 in B but not N+1, published to A after A was
 * read.  The next pass finds N+1: one thread publishes a device's records
 * in order.  Only the final pass has no next one, so reading ends with one
 * more pass and keeps from it only the records of each device up to the
 * highest seq the previous passes saw: those were all published before this
 * pass began.  Returns 0 or 2 (out of memory, reported).
 */
static int last_pass(struct rings *rings, struct run *run)
{
	struct dev_seq {
		uint32_t id;
		uint64_t max_seq;
	} *seen = NULL, *t;
	size_t mark = run->n, nr_seen = 0, i, j, kept;
	int ret = 2;

	for (i = 0; i < mark; i++) {
		const struct rec *r = &run->recs[i];

		for (j = 0; j < nr_seen && seen[j].id != r->dev_id; j++)
			;
		if (j == nr_seen) {
			t = reallocarray(seen, nr_seen + 1, sizeof(*seen));
			if (!t)
				goto cleanup;
			seen = t;
			seen[nr_seen++] = (struct dev_seq){ r->dev_id, r->seq };
		} else if (r->seq > seen[j].max_seq) {
			seen[j].max_seq = r->seq;
		}
	}
	if (rings__drain(rings, run))
		goto cleanup;
	for (kept = i = mark; i < run->n; i++) {
		const struct rec *r = &run->recs[i];

		for (j = 0; j < nr_seen && seen[j].id != r->dev_id; j++)
			;
		if (j < nr_seen && r->seq <= seen[j].max_seq)
			run->recs[kept++] = *r;
	}
	run->n = kept;
	ret = 0;
cleanup:
	if (ret)
		fprintf(stderr, PROG ": out of memory after %zu records\n", run->n);
	free(seen);
	return ret;
}

/* Reads records until the duration ends or a signal arrives. Returns 0 or 2. */
static int read_loop(struct rings *rings, struct run *run, const struct opts *o)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t deadline = mono_ns() + o->duration_ns;
	bool hup_seen = false;
	int ep, ret = 2;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		fprintf(stderr, PROG ": epoll_create1: %s\n", strerror(errno));
		return 2;
	}
	if (epoll_ctl(ep, EPOLL_CTL_ADD, rings->fd, &ev)) {
		fprintf(stderr, PROG ": %s: epoll_ctl: %s\n", o->path, strerror(errno));
		goto cleanup;
	}
	for (;;) {
		uint64_t now;
		int n, timeout_ms;

		if (rings__drain(rings, run)) {
			fprintf(stderr, PROG ": out of memory after %zu records\n", run->n);
			goto cleanup;
		}
		now = mono_ns();
		if (stop || now >= deadline)
			break;
		timeout_ms = (int)((deadline - now + 999999) / 1000000);
		if (timeout_ms > POLL_MS)
			timeout_ms = POLL_MS;
		n = epoll_wait(ep, &ev, 1, timeout_ms);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": epoll_wait: %s\n", strerror(errno));
			goto cleanup;
		}
		if (n > 0 && (ev.events & (EPOLLERR | EPOLLHUP)) && !hup_seen) {
			/* Keep draining; epoll would only spin on the fd now. */
			hup_seen = true;
			fprintf(stderr, PROG ": %s: poll reported %s; polling by timeout\n",
				o->path, ev.events & EPOLLERR ? "an error" : "hang-up");
			epoll_ctl(ep, EPOLL_CTL_DEL, rings->fd, NULL);
		}
	}
	ret = last_pass(rings, run);
cleanup:
	close(ep);
	return ret;
}

static int cmp_dev_seq(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->dev_id != y->dev_id)
		return x->dev_id < y->dev_id ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
}

static int cmp_ts(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->dev_id != y->dev_id)
		return x->dev_id < y->dev_id ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int get_stats(int fd, uint32_t id, struct pl_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->dev_id = id;
	return ioctl(fd, PL_IOC_GET_STATS, st) ? -errno : 0;
}

/* Builds run->devs from the records, sorted by (dev_id, seq). */
static int collect_devices(int fd, struct run *run, const struct opts *o)
{
	size_t i;

	for (i = 0; i < run->n; i++) {
		struct dev_result *d;
		int err;

		if (i && run->recs[i].dev_id == run->recs[i - 1].dev_id) {
			run->devs[run->nr_devs - 1].records++;
			run->devs[run->nr_devs - 1].last_seq = run->recs[i].seq;
			continue;
		}
		d = reallocarray(run->devs, run->nr_devs + 1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		run->devs = d;
		d = &run->devs[run->nr_devs++];
		memset(d, 0, sizeof(*d));
		d->id = run->recs[i].dev_id;
		d->records = 1;
		d->first_seq = d->last_seq = run->recs[i].seq;
		err = get_stats(fd, d->id, &d->stats);
		d->have_stats = !err;
		if (err)
			fprintf(stderr, PROG ": PL_IOC_GET_STATS dev %u: %s\n", d->id, strerror(-err));
		d->period_ns = o->period_ns ? o->period_ns :
			       d->have_stats && d->stats.period_ns ? d->stats.period_ns :
			       PL_PERIOD_DEFAULT_NS;
	}
	return 0;
}

/* Per-device sequence, timestamp and jitter checks over records sorted by (dev_id, seq). */
static int check_sequences(struct run *run)
{
	size_t i, d = 0;

	for (i = 1; i < run->n; i++) {
		const struct rec *prev = &run->recs[i - 1], *r = &run->recs[i];

		if (r->dev_id != prev->dev_id) {
			d++;
			continue;
		}
		if (r->seq == prev->seq) {
			run->bad_records++;
			if (report(run, run->bad_records))
				fprintf(stderr, PROG ": bad record: dev %u seq %llu twice\n",
					r->dev_id, (unsigned long long)r->seq);
			continue;
		}
		if (r->seq != prev->seq + 1) {
			run->seq_gaps++;
			run->seq_missing += r->seq - prev->seq - 1;
			if (report(run, run->seq_gaps))
				fprintf(stderr, PROG ": seq gap: dev %u seq %llu -> %llu (%llu missing)\n",
					r->dev_id, (unsigned long long)prev->seq,
					(unsigned long long)r->seq,
					(unsigned long long)(r->seq - prev->seq - 1));
		}
		if (r->ts_ns <= prev->ts_ns) {
			run->ts_nonmono++;
			if (report(run, run->ts_nonmono))
				fprintf(stderr, PROG ": ts not increasing: dev %u seq %llu ts %llu, "
					"seq %llu ts %llu\n", r->dev_id,
					(unsigned long long)prev->seq, (unsigned long long)prev->ts_ns,
					(unsigned long long)r->seq, (unsigned long long)r->ts_ns);
			continue;
		}
		run->read_ns_sum += r->read_ns;
		run->read_ns_n++;
		if (r->ts_ns - prev->ts_ns > run->ts_gap_max_ns)
			run->ts_gap_max_ns = r->ts_ns - prev->ts_ns;
		/*
		 * Jitter only between neighbours, and, like the module's histogram,
		 * not across missed periods: those are counted as overruns.
		 */
		if (r->seq == prev->seq + 1 && !(r->flags & PL_SF_OVERRUN) &&
		    u64_series__push(&run->jitter_ns,
				     stats_jitter_ns(r->ts_ns - prev->ts_ns, run->devs[d].period_ns)))
			return -ENOMEM;
	}
	return 0;
}

static void print_stats(const struct dev_result *d)
{
	if (!d->have_stats)
		return;
	stats_print_pl_stats(stdout, &d->stats);
	printf("stats.%u.period_ns=%llu\n", d->id, (unsigned long long)d->stats.period_ns);
	printf("stats.%u.flags=0x%x\n", d->id, d->stats.flags);
}

static void print_results(struct run *run, uint64_t lost)
{
	struct jitter_summary j;
	uint64_t span_ns = 0, first_seq = 0, last_seq = 0, rate_mhz = 0;
	size_t i;

	if (run->n) {
		/* The merged stream, all devices by time. */
		qsort(run->recs, run->n, sizeof(*run->recs), cmp_ts);
		span_ns = run->recs[run->n - 1].ts_ns - run->recs[0].ts_ns;
		first_seq = run->recs[0].seq;
		last_seq = run->recs[run->n - 1].seq;
		/* intervals per second: each device contributes records - 1 */
		rate_mhz = stats_rate_mhz(run->n - run->nr_devs, span_ns);
	}
	jitter_summarize(&run->jitter_ns, &j);

	printf("records=%zu\n", run->n);
	printf("devices=%zu\n", run->nr_devs);
	printf("seq_gaps=%" PRIu64 "\n", run->seq_gaps);
	printf("seq_missing=%" PRIu64 "\n", run->seq_missing);
	printf("ts_nonmono=%" PRIu64 "\n", run->ts_nonmono);
	printf("bad_records=%" PRIu64 "\n", run->bad_records);
	printf("ring_errors=%" PRIu64 "\n", run->ring_errors);
	printf("lost=%" PRIu64 "\n", lost);
	printf("wave_checked=%" PRIu64 "\n", run->wave.checked);
	printf("wave_mismatch=%" PRIu64 "\n", run->wave.mismatches);
	printf("rate_hz=%" PRIu64 "\n", rate_mhz / 1000);
	printf("rate_mhz=%" PRIu64 "\n", rate_mhz);
	printf("span_ns=%" PRIu64 "\n", span_ns);
	printf("first_seq=%" PRIu64 "\n", first_seq);
	printf("last_seq=%" PRIu64 "\n", last_seq);
	printf("i2c_error_flags=%" PRIu64 "\n", run->i2c_error_flags);
	printf("pec_error_flags=%" PRIu64 "\n", run->pec_error_flags);
	printf("overrun_flags=%" PRIu64 "\n", run->overrun_flags);
	printf("page_restored_flags=%" PRIu64 "\n", run->page_restored_flags);
	printf("backoff_flags=%" PRIu64 "\n", run->backoff_flags);
	printf("resumed_flags=%" PRIu64 "\n", run->resumed_flags);
	printf("resumed_overrun_flags=%" PRIu64 "\n", run->resumed_overrun_flags);
	printf("ts_gap_max_ns=%" PRIu64 "\n", run->ts_gap_max_ns);
	printf("rails_any=0x%x\n", run->rails_any);
	printf("rails_all=0x%x\n", run->n ? run->rails_all : 0);
	jitter_print(stdout, &j);
	printf("read_ns_mean=%" PRIu64 "\n", run->read_ns_n ? run->read_ns_sum / run->read_ns_n : 0);
	for (i = 0; i < run->nr_devs; i++) {
		const struct dev_result *d = &run->devs[i];

		printf("dev.%u.records=%" PRIu64 "\n", d->id, d->records);
		printf("dev.%u.first_seq=%" PRIu64 "\n", d->id, d->first_seq);
		printf("dev.%u.last_seq=%" PRIu64 "\n", d->id, d->last_seq);
	}
	for (i = 0; i < run->nr_devs; i++)
		print_stats(&run->devs[i]);
}

/*
 * Sum of the producers' heads, without consuming anything (where they are
 * was checked by ring_reader__init()).  Free-running counters: the
 * difference of two sums is what was produced in between.
 */
static uint64_t heads_sum(const struct ring_reader *rr)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < rr->nr_rings; i++)
		sum += __atomic_load_n(&rr->prod[i].head, __ATOMIC_ACQUIRE);
	return sum;
}

/*
 * --hold: keep both mappings, consume nothing, then read the mapping once
 * more.  Lifetime tests unbind PSUs or try rmmod meanwhile; the pages must
 * stay valid while mapped.  Returns 0 or 1 (the meta part changed).
 */
static int hold(struct rings *r, uint64_t hold_ns)
{
	const struct ring_reader *rr = &r->rr;
	const struct pl_mmap_meta *meta = (const struct pl_mmap_meta *)rr->ro;
	uint64_t end = mono_ns() + hold_ns, head_mark, lost_before, now;

	head_mark = heads_sum(rr);
	lost_before = ring_reader__lost(rr);
	while (!stop && (now = mono_ns()) < end) {
		uint64_t left = end - now;
		struct timespec ts = {
			.tv_sec = (time_t)(left / NSEC_PER_SEC),
			.tv_nsec = (long)(left % NSEC_PER_SEC),
		};

		nanosleep(&ts, NULL);	/* EINTR: loop checks stop */
	}
	printf("hold_records=%" PRIu64 "\n", heads_sum(rr) - head_mark);
	printf("hold_lost=%" PRIu64 "\n", ring_reader__lost(rr) - lost_before);
	if (meta->magic != PL_MMAP_MAGIC || meta->nr_rings != r->info.nr_rings) {
		printf("hold_meta_ok=0\n");
		fprintf(stderr, PROG ": meta part changed while held (magic 0x%08x)\n",
			meta->magic);
		return 1;
	}
	printf("hold_meta_ok=1\n");
	return 0;
}

static int cmd_read(const struct opts *o)
{
	struct rings *rings = NULL;
	struct run run = { .quiet = o->quiet, .rails_all = UINT32_MAX };
	int fd, ret = 2, err;

	if (o->wave_name) {
		err = wave_check__init(&run.wave, o->wave_name, o->sim_debugfs,
				       o->vout_mode, o->quiet);
		if (err == -ENOSYS)
			fprintf(stderr, PROG ": --expect-wave: built without tests/sim/waveform.h\n");
		else if (err == -EINVAL) {
			fprintf(stderr, PROG ": --expect-wave: no waveform \"%s\" (known: ",
				o->wave_name);
			wave_print_names(stderr);
			fprintf(stderr, ")\n");
		} else if (err)
			fprintf(stderr, PROG ": --expect-wave: %s/t0_ns: %s\n", o->sim_debugfs,
				strerror(-err));
		if (err)
			return 2;
		run.wave_on = true;
	}

	fd = open(o->path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, PROG ": %s: %s\n", o->path, strerror(errno));
		return 2;
	}
	/* Before mapping: records reach the rings only once we map. */
	ret = set_controls(fd, o->path, o);
	if (ret)
		goto cleanup;
	ret = rings__new(fd, o->path, &rings);
	if (ret)
		goto cleanup;
	ret = read_loop(rings, &run, o);
	if (ret)
		goto cleanup;

	ret = 2;
	qsort(run.recs, run.n, sizeof(*run.recs), cmp_dev_seq);
	if (collect_devices(fd, &run, o) || check_sequences(&run)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto cleanup;
	}
	print_results(&run, rings__lost(rings));

	ret = run.seq_gaps || run.bad_records || run.ring_errors ||
	      (run.wave_on && run.wave.mismatches) ? 1 : 0;
	if (o->hold_ns) {
		fflush(stdout);		/* tests act on these lines while we hold */
		if (hold(rings, o->hold_ns))
			ret = 1;
	}
cleanup:
	rings__free(rings);
	if (close(fd))
		fprintf(stderr, PROG ": %s: close: %s\n", o->path, strerror(errno));
	free(run.recs);
	free(run.devs);
	u64_series__free(&run.jitter_ns);
	return ret;
}

static int cmd_stats_only(const struct opts *o)
{
	struct pl_info info;
	struct pl_stats st;
	uint32_t id, found = 0;
	int fd, ret, err;

	fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, PROG ": %s: %s\n", o->path, strerror(errno));
		return 2;
	}
	ret = get_info(fd, o->path, &info);
	if (ret)
		goto cleanup;
	printf("devices=%u\n", info.nr_devices);
	/* Device ids are small but need not be dense after unbind/rebind. */
	for (id = 0; id < MAX_PROBE_ID && found < info.nr_devices; id++) {
		err = get_stats(fd, id, &st);
		if (err == -ENODEV)
			continue;
		if (err) {
			fprintf(stderr, PROG ": %s: PL_IOC_GET_STATS dev %u: %s\n", o->path, id,
				strerror(-err));
			ret = 2;
			goto cleanup;
		}
		found++;
		stats_print_pl_stats(stdout, &st);
		printf("stats.%u.period_ns=%llu\n", id, (unsigned long long)st.period_ns);
		printf("stats.%u.flags=0x%x\n", id, st.flags);
	}
	if (found < info.nr_devices)
		fprintf(stderr, PROG ": %s: found %u of %u devices below id %u\n", o->path,
			found, info.nr_devices, MAX_PROBE_ID);
cleanup:
	close(fd);
	return ret;
}

static int cmd_try_second_mmap(const struct opts *o)
{
	struct pl_info info;
	void *first = MAP_FAILED, *second;
	int fd1, fd2 = -1, ret, err;

	fd1 = open(o->path, O_RDWR | O_CLOEXEC);
	if (fd1 < 0) {
		fprintf(stderr, PROG ": %s: %s\n", o->path, strerror(errno));
		return 2;
	}
	ret = get_info(fd1, o->path, &info);
	if (ret)
		goto cleanup;
	ret = 2;
	first = mmap(NULL, info.mmap_size, PROT_READ, MAP_SHARED, fd1, 0);
	if (first == MAP_FAILED) {
		fprintf(stderr, PROG ": %s: first mmap: %s\n", o->path, strerror(errno));
		goto cleanup;
	}
	fd2 = open(o->path, O_RDWR | O_CLOEXEC);
	if (fd2 < 0) {
		fprintf(stderr, PROG ": %s: second open: %s\n", o->path, strerror(errno));
		goto cleanup;
	}
	second = mmap(NULL, info.mmap_size, PROT_READ, MAP_SHARED, fd2, 0);
	err = second == MAP_FAILED ? errno : 0;
	if (!err)
		munmap(second, info.mmap_size);
	printf("second_mmap_errno=%d\n", err);
	if (err == EBUSY) {
		ret = 0;
	} else {
		ret = 1;
		fprintf(stderr, PROG ": %s: second mmap from another open file: %s, want %s\n",
			o->path, err ? strerror(err) : "succeeded", strerror(EBUSY));
	}
cleanup:
	if (first != MAP_FAILED)
		munmap(first, info.mmap_size);
	if (fd2 >= 0)
		close(fd2);
	close(fd1);
	return ret;
}

enum {
	OPT_EXPECT_WAVE = 0x100,
	OPT_SIM_DEBUGFS,
	OPT_VOUT_MODE,
	OPT_HOLD,
	OPT_DEVICE,
	OPT_STATS_ONLY,
	OPT_TRY_SECOND,
};

static const struct option long_opts[] = {
	{ "duration", required_argument, NULL, 'd' },
	{ "watermark", required_argument, NULL, 'w' },
	{ "period", required_argument, NULL, 'p' },
	{ "expect-wave", required_argument, NULL, OPT_EXPECT_WAVE },
	{ "sim-debugfs", required_argument, NULL, OPT_SIM_DEBUGFS },
	{ "vout-mode", required_argument, NULL, OPT_VOUT_MODE },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "stats-only", no_argument, NULL, OPT_STATS_ONLY },
	{ "try-second-mmap", no_argument, NULL, OPT_TRY_SECOND },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static int bad_arg(const char *opt, const char *arg)
{
	fprintf(stderr, PROG ": invalid %s '%s'\n", opt, arg);
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.path = "/dev/" PL_DEVICE_NAME,
		.duration_ns = NSEC_PER_SEC,
		.vout_mode = 0x17,
	};
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "d:w:p:qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (parse_seconds_ns(optarg, &o.duration_ns))
				return bad_arg("duration", optarg);
			break;
		case 'w':
			if (tools_parse_u64(optarg, &v) || !v || v > UINT32_MAX)
				return bad_arg("watermark", optarg);
			o.watermark = (uint32_t)v;
			break;
		case 'p':
			if (tools_parse_u64(optarg, &v) || !v)
				return bad_arg("period", optarg);
			o.period_ns = v;
			break;
		case OPT_EXPECT_WAVE:
			o.wave_name = optarg;
			break;
		case OPT_SIM_DEBUGFS:
			o.sim_debugfs = optarg;
			break;
		case OPT_VOUT_MODE:
			if (tools_parse_u64(optarg, &v) || v > 0xff)
				return bad_arg("vout mode", optarg);
			o.vout_mode = (uint8_t)v;
			break;
		case OPT_HOLD:
			if (parse_seconds_ns(optarg, &o.hold_ns))
				return bad_arg("hold time", optarg);
			break;
		case OPT_DEVICE:
			o.path = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case OPT_STATS_ONLY:
			o.stats_only = true;
			break;
		case OPT_TRY_SECOND:
			o.try_second_mmap = true;
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
		usage(stderr);
		return 2;
	}
	if (!o.wave_name != !o.sim_debugfs) {
		fprintf(stderr, PROG ": --expect-wave and --sim-debugfs go together\n");
		return 2;
	}
	if (o.stats_only && o.try_second_mmap) {
		fprintf(stderr, PROG ": --stats-only and --try-second-mmap exclude each other\n");
		return 2;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (o.stats_only)
		return cmd_stats_only(&o);
	if (o.try_second_mmap)
		return cmd_try_second_mmap(&o);
	return cmd_read(&o);
}
