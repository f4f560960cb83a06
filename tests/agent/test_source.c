// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The drained-by-a-thread source (agent/capture/source_thread.c) over a fake
 * producer that keeps, like the kernel's rings, only the last CAPACITY
 * records and counts the rest as lost: a consumer that stalls for longer
 * than the ring lasts loses records without the thread and none with it; a
 * full queue stops the thread and the producer counts the loss; signals stay
 * with the main thread.
 */
#include "testutil.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include "capture/source.h"

#define PERIOD_NS 100000ULL /* 10 kHz */
#define CAPACITY  1000	    /* 100 ms at 10 kHz, like 2048 slots at 20 kHz */

enum fake_fd {
	FD_TIMER, /* a 5 ms periodic timerfd: the drain thread wakes often */
	FD_QUIET, /* never readable: the thread wakes on its 250 ms timeout only */
	FD_PIPE,  /* a pipe's read end: closing pw hangs it up */
};

struct fake {
	struct source base;
	uint64_t t0_ns, next, lost;
	pthread_t caller;
	int pw;		   /* FD_PIPE: the write end */
	volatile bool fail; /* drains fail with -ENOMEM (set by the test thread) */
	bool other_thread; /* a drain came from a thread other than the creator's */
};

/* Records due by now; those the ring could not hold are lost (as the kernel counts them). */
static uint64_t settle(struct fake *f)
{
	uint64_t due = (mono_ns() - f->t0_ns) / PERIOD_NS;

	if (due - f->next > CAPACITY) { /* overwritten before anyone drained them */
		f->lost += due - f->next - CAPACITY;
		f->next = due - CAPACITY;
	}
	return due;
}

static long fake_drain(struct source *s, struct pl_sample **out, size_t *n, size_t *cap)
{
	struct fake *f = (struct fake *)s;
	uint64_t due = settle(f), ticks, i;
	size_t add;

	if (f->fail)
		return -ENOMEM;
	if (read(s->fd, &ticks, sizeof(ticks)) < 0)
		ticks = 0;
	if (!pthread_equal(pthread_self(), f->caller))
		f->other_thread = true;
	add = due - f->next;
	if (*n + add > *cap) {
		*cap = *n + add + 1024;
		*out = realloc(*out, *cap * sizeof(**out));
		if (!*out)
			return -ENOMEM;
	}
	for (i = 0; i < add; i++) {
		memset(&(*out)[*n + i], 0, sizeof(**out));
		(*out)[*n + i].seq = f->next;
		(*out)[*n + i].ts_ns = f->t0_ns + (f->next + 1) * PERIOD_NS;
		f->next++;
	}
	*n += add;
	return (long)add;
}

static void fake_stats(struct source *s, uint32_t dev_id, struct source_stats *st)
{
	(void)dev_id;
	settle((struct fake *)s);
	st->lost = ((struct fake *)s)->lost;
}

static uint64_t fake_now(struct source *s)
{
	(void)s;
	return mono_ns();
}

static uint64_t fake_period(struct source *s, uint32_t dev_id)
{
	(void)s;
	(void)dev_id;
	return PERIOD_NS;
}

static bool fake_freed;

static void fake_free(struct source *s)
{
	struct fake *f = (struct fake *)s;

	close(s->fd);
	if (f->pw >= 0)
		close(f->pw);
	free(s);
	fake_freed = true;
}

static const struct source_ops fake_ops = {
	.drain = fake_drain,
	.stats = fake_stats,
	.now_ns = fake_now,
	.period_ns = fake_period,
	.free = fake_free,
};

static struct fake *fake_new_fd(enum fake_fd kind)
{
	struct itimerspec its = { .it_interval.tv_nsec = 5000000, .it_value.tv_nsec = 5000000 };
	struct fake *f = calloc(1, sizeof(*f));
	int p[2];

	assert_non_null(f);
	f->base.ops = &fake_ops;
	f->pw = -1;
	if (kind == FD_TIMER) {
		f->base.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		assert_true(f->base.fd >= 0);
		assert_int_equal(timerfd_settime(f->base.fd, 0, &its, NULL), 0);
	} else if (kind == FD_QUIET) {
		f->base.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		assert_true(f->base.fd >= 0);
	} else {
		assert_int_equal(pipe(p), 0);
		assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
		f->base.fd = p[0];
		f->pw = p[1];
	}
	snprintf(f->base.name, sizeof(f->base.name), "fake");
	f->base.period_ns = PERIOD_NS;
	f->caller = pthread_self();
	f->t0_ns = mono_ns();
	fake_freed = false;
	return f;
}

static struct fake *fake_new(void)
{
	return fake_new_fd(FD_TIMER);
}

static void stall_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts))
		;
}

/* Drains everything, checking the records continue at *next without a gap. */
static size_t take(struct source *s, struct pl_sample **buf, size_t *cap, uint64_t *next)
{
	size_t n = 0, i;
	long got = source__drain(s, buf, &n, cap);

	assert_true(got >= 0);
	assert_int_equal((size_t)got, n);
	for (i = 0; i < n; i++)
		assert_int_equal((*buf)[i].seq, (*next)++);
	return n;
}

/* The control: the bare fake loses what a 600 ms stall overruns. */
static void test_bare_source_loses(void **state)
{
	struct fake *f = fake_new();
	struct pl_sample *buf = NULL;
	struct source_stats st;
	size_t cap = 0, n = 0;

	(void)state;
	stall_ms(600);
	assert_true(source__drain(&f->base, &buf, &n, &cap) >= 0);
	source__stats(&f->base, 0, &st);
	assert_true(st.lost >= 6000 - CAPACITY - 500);
	assert_int_equal(n, CAPACITY);
	free(buf);
	source__free(&f->base);
}

static void test_thread_keeps_up(void **state)
{
	struct fake *f = fake_new();
	struct source *s;
	struct pl_sample *buf = NULL;
	struct source_stats st;
	struct plerr e = { "" };
	size_t cap = 0, total = 0;
	uint64_t next = 0;
	int round;

	(void)state;
	assert_int_equal(source_thread__wrap(&s, &f->base, 100000, &e), 0);
	assert_string_equal(s->name, "fake");
	assert_int_equal(s->period_ns, PERIOD_NS);
	assert_true(s->fd != f->base.fd);
	for (round = 0; round < 3; round++) {
		stall_ms(round == 1 ? 600 : 50); /* 600 ms: six rings' worth */
		total += take(s, &buf, &cap, &next);
	}
	source__stats(s, 0, &st);
	assert_int_equal(st.lost, 0);
	assert_true(total >= 6000);
	assert_true(f->other_thread);
	assert_int_equal(source_thread__full(s), 0);
	assert_int_equal(source__period(s, 0), PERIOD_NS);
	assert_true(source__now(s) >= f->t0_ns);
	/* appending to a non-empty buffer keeps what was there */
	{
		size_t n = 1;
		uint64_t first;

		stall_ms(20);
		buf[0].seq = 424242;
		first = next;
		assert_true(source__drain(s, &buf, &n, &cap) > 0);
		assert_int_equal(buf[0].seq, 424242);
		assert_int_equal(buf[1].seq, first);
	}
	free(buf);
	source__free(s);
	assert_true(fake_freed);
}

/* CPU time of the whole process (every thread), ns. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A queue of 500 records: the thread stops taking, the producer counts the loss. */
static void test_full_queue_counts_loss(void **state)
{
	struct fake *f = fake_new();
	struct source *s;
	struct pl_sample *buf = NULL;
	struct source_stats st;
	struct plerr e = { "" };
	size_t cap = 0, n = 0;
	uint64_t cpu0;

	(void)state;
	assert_int_equal(source_thread__wrap(&s, &f->base, 500, &e), 0);
	cpu0 = cpu_ns();
	stall_ms(600);
	/* full, the thread waits for us instead of spinning on the readable fd */
	assert_true(cpu_ns() - cpu0 < 150000000ULL);
	assert_true(source__drain(s, &buf, &n, &cap) >= 500);
	assert_true(source_thread__full(s) > 0);
	source__stats(s, 0, &st);
	assert_true(st.lost > 0);
	free(buf);
	source__free(s);
}

/* SIGTERM goes to the thread that reads it, never to the drain thread. */
static void test_signals_stay_blocked(void **state)
{
	struct fake *f = fake_new();
	struct source *s;
	struct plerr e = { "" };
	sigset_t set, old;
	int sig;

	(void)state;
	/* created while SIGTERM is deliverable, as `run` creates it before blocking */
	assert_int_equal(source_thread__wrap(&s, &f->base, 1000, &e), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	kill(getpid(), SIGTERM); /* the process would die if the drain thread took it */
	stall_ms(100);		 /* time for a thread that takes it to do so */
	assert_int_equal(sigwait(&set, &sig), 0);
	assert_int_equal(sig, SIGTERM);
	source__free(s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * A consumer's drain takes what the producer holds right now, not only what
 * the thread queued: the thread of a quiet source wakes every 250 ms, and a
 * last drain before exit (or at a segment boundary) must miss nothing.
 */
static void test_drain_takes_what_is_due(void **state)
{
	struct fake *f = fake_new_fd(FD_QUIET);
	struct source *s;
	struct pl_sample *buf = NULL;
	struct plerr e = { "" };
	size_t cap = 0, n;
	uint64_t next = 0, due;

	(void)state;
	assert_int_equal(source_thread__wrap(&s, &f->base, 100000, &e), 0);
	stall_ms(30);
	n = take(s, &buf, &cap, &next);
	due = (mono_ns() - f->t0_ns) / PERIOD_NS;
	assert_true(n >= 290);	     /* 30 ms at 10 kHz */
	assert_true(next + 5 >= due); /* up to the drain, within 0.5 ms */
	free(buf);
	source__free(s);
}

/* A hang-up on the inner fd is reported once (-ENODEV); records keep coming. */
static void test_hangup_reported_once(void **state)
{
	struct fake *f = fake_new_fd(FD_PIPE);
	struct source *s;
	struct pl_sample *buf = NULL;
	struct plerr e = { "" };
	size_t cap = 0, n;
	long got;
	int i, hups = 0;

	(void)state;
	assert_int_equal(source_thread__wrap(&s, &f->base, 100000, &e), 0);
	close(f->pw);
	f->pw = -1;
	for (i = 0; i < 10; i++) {
		stall_ms(50);
		n = 0;
		got = source__drain(s, &buf, &n, &cap);
		if (got == -ENODEV)
			hups++;
		else
			assert_true(got >= 0);
	}
	assert_int_equal(hups, 1);
	n = 0;
	stall_ms(10);
	assert_true(source__drain(s, &buf, &n, &cap) > 0);
	free(buf);
	source__free(s);
}

/* A source whose drains fail: the error reaches the consumer, the thread does not spin. */
static void test_failing_source_no_spin(void **state)
{
	struct fake *f = fake_new_fd(FD_TIMER);
	struct source *s;
	struct pl_sample *buf = NULL;
	struct plerr e = { "" };
	size_t cap = 0, n = 0;
	uint64_t cpu0;

	(void)state;
	f->fail = true;
	assert_int_equal(source_thread__wrap(&s, &f->base, 100000, &e), 0);
	cpu0 = cpu_ns();
	stall_ms(400);
	/* the timerfd, never read, stays readable: without a backoff the thread spins */
	assert_true(cpu_ns() - cpu0 < 100000000ULL);
	assert_int_equal(source__drain(s, &buf, &n, &cap), -ENOMEM);
	f->fail = false;
	free(buf);
	source__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_source_loses),
		cmocka_unit_test(test_thread_keeps_up),
		cmocka_unit_test(test_full_queue_counts_loss),
		cmocka_unit_test(test_signals_stay_blocked),
		cmocka_unit_test(test_drain_takes_what_is_due),
		cmocka_unit_test(test_hangup_reported_once),
		cmocka_unit_test(test_failing_source_no_spin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
