// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A source drained by its own thread (see source.h): the kernel's rings hold
 * 2048 records, 0.2 s at 10 kHz, while writing a segment or checking it
 * against a claim can take longer than that.  The thread waits on the inner
 * source's fd (or WAKE_MS) and moves what it hands out into a queue of at
 * most max_records; the consumer takes the queue whole, topped up with what
 * the inner source holds at that moment.  When the queue is full
 * the thread stops draining, the rings fill up and the producer counts what
 * it drops, so a consumer that stays behind loses records where they are
 * counted, never silently.
 *
 * Every call into the inner source is made under the mutex, so the inner
 * source still sees one caller at a time, as source.h asks.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "capture/source.h"

#define WAKE_MS 250 /* longest wait when the inner fd stays quiet (watermark, idle device) */

struct source_thread {
	struct source base; /* base.fd: eventfd, readable from a quarter-full queue or an error */
	struct source *in;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t space; /* signalled when the consumer took the queue */
	struct pl_sample *q;
	size_t qn, qcap, max;
	long err;	    /* first drain error, reported by the next take */
	bool hup;	    /* error or hang-up on the inner fd, reported (-ENODEV) by the next take */
	uint64_t full;	    /* wake-ups that found the queue full */
	int ep, stopfd;
	bool started, stopping;
};

static void signal_fd(int fd)
{
	uint64_t one = 1;

	/* only fails when the counter would overflow: it is readable then anyway */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

/* Wait up to WAKE_MS for the consumer (or for stopping); t->mu held. */
static void backoff(struct source_thread *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += WAKE_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	if (!t->stopping)
		pthread_cond_timedwait(&t->space, &t->mu, &ts);
}

/* Moves what the inner source holds into the queue; t->mu held. */
static long drain_inner(struct source_thread *t)
{
	long got = source__drain(t->in, &t->q, &t->qn, &t->qcap);

	if (got < 0 && !t->err)
		t->err = got;
	return got;
}

static void *drain_thread(void *arg)
{
	struct source_thread *t = arg;
	struct epoll_event ev[2];
	bool stop = false, hup = false;
	int n, i;

	while (!stop) {
		n = epoll_wait(t->ep, ev, 2, WAKE_MS);
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == t->stopfd)
				stop = true;
			else if (!hup && (ev[i].events & (EPOLLERR | EPOLLHUP))) {
				/* the device went away: keep draining on the timeout, say it once */
				epoll_ctl(t->ep, EPOLL_CTL_DEL, t->in->fd, NULL);
				hup = true;
				pthread_mutex_lock(&t->mu);
				t->hup = true;
				signal_fd(t->base.fd);
				pthread_mutex_unlock(&t->mu);
			}
		}
		pthread_mutex_lock(&t->mu);
		if (t->qn >= t->max) {
			/* wait for the consumer, not on the device's fd: it stays readable */
			t->full++;
			while (t->qn >= t->max && !t->stopping)
				pthread_cond_wait(&t->space, &t->mu);
		}
		if (!t->stopping) {
			size_t before = t->qn;

			if (drain_inner(t) < 0) {
				signal_fd(t->base.fd);
				backoff(t); /* a failing source would otherwise spin */
			} else if (before < t->max / 4 && t->qn >= t->max / 4) {
				/* worth a wake-up; below that the consumer's timeout takes it */
				signal_fd(t->base.fd);
			}
		}
		pthread_mutex_unlock(&t->mu);
	}
	return NULL;
}

/*
 * The consumer's drain: what the thread queued plus what the inner source
 * holds right now, so a caller that drains last before exiting, or at a
 * segment boundary, gets every record produced so far, not only those that
 * had reached the watermark.  Reports a hang-up (-ENODEV) once, then a
 * drain error once; the records wait for the next call.
 */
static long thread_drain(struct source *s, struct pl_sample **out, size_t *n, size_t *cap)
{
	struct source_thread *t = (struct source_thread *)s;
	uint64_t cnt;
	long ret;

	pthread_mutex_lock(&t->mu);
	/* reset the eventfd (EAGAIN: nothing was signalled); we take everything */
	if (read(s->fd, &cnt, sizeof(cnt)) < 0)
		cnt = 0;
	drain_inner(t);
	if (t->hup || t->err) {
		ret = t->hup ? -ENODEV : t->err;
		if (t->hup)
			t->hup = false;
		else
			t->err = 0;
		if (t->qn || t->err)
			signal_fd(s->fd); /* the records (or the error) wait for the next call */
		pthread_mutex_unlock(&t->mu);
		return ret;
	}
	ret = (long)t->qn;
	if (t->qn && !*n) {
		/* hand the queue over and keep the caller's buffer for the next one */
		struct pl_sample *q = t->q;
		size_t qcap = t->qcap;

		t->q = *out;
		t->qcap = *cap;
		*out = q;
		*cap = qcap;
		*n = t->qn;
		t->qn = 0;
	} else if (t->qn) {
		if (*n + t->qn > *cap) {
			size_t ncap = *n + t->qn;
			struct pl_sample *p = realloc(*out, ncap * sizeof(*p));

			if (!p) {
				pthread_mutex_unlock(&t->mu);
				return -ENOMEM;
			}
			*out = p;
			*cap = ncap;
		}
		memcpy(*out + *n, t->q, t->qn * sizeof(**out));
		*n += t->qn;
		t->qn = 0;
	}
	pthread_cond_signal(&t->space);
	pthread_mutex_unlock(&t->mu);
	return ret;
}

static void thread_stats(struct source *s, uint32_t dev_id, struct source_stats *st)
{
	struct source_thread *t = (struct source_thread *)s;

	pthread_mutex_lock(&t->mu);
	source__stats(t->in, dev_id, st);
	pthread_mutex_unlock(&t->mu);
}

static uint64_t thread_now(struct source *s)
{
	struct source_thread *t = (struct source_thread *)s;
	uint64_t now;

	pthread_mutex_lock(&t->mu);
	now = source__now(t->in);
	pthread_mutex_unlock(&t->mu);
	return now;
}

static uint64_t thread_period(struct source *s, uint32_t dev_id)
{
	struct source_thread *t = (struct source_thread *)s;
	uint64_t p;

	pthread_mutex_lock(&t->mu);
	p = source__period(t->in, dev_id);
	pthread_mutex_unlock(&t->mu);
	return p;
}

static void thread_free(struct source *s)
{
	struct source_thread *t = (struct source_thread *)s;

	if (t->started) {
		pthread_mutex_lock(&t->mu);
		t->stopping = true;
		pthread_cond_signal(&t->space);
		pthread_mutex_unlock(&t->mu);
		signal_fd(t->stopfd);
		pthread_join(t->th, NULL);
	}
	if (t->ep >= 0)
		close(t->ep);
	if (t->stopfd >= 0)
		close(t->stopfd);
	if (s->fd >= 0)
		close(s->fd);
	pthread_cond_destroy(&t->space);
	pthread_mutex_destroy(&t->mu);
	source__free(t->in);
	free(t->q);
	free(t);
}

static const struct source_ops thread_ops = {
	.drain = thread_drain,
	.stats = thread_stats,
	.now_ns = thread_now,
	.period_ns = thread_period,
	.free = thread_free,
};

uint64_t source_thread__full(struct source *s)
{
	struct source_thread *t = (struct source_thread *)s;
	uint64_t full;

	if (s->ops != &thread_ops)
		return 0;
	pthread_mutex_lock(&t->mu);
	full = t->full;
	pthread_mutex_unlock(&t->mu);
	return full;
}

int source_thread__wrap(struct source **out, struct source *in, size_t max_records, struct plerr *e)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct source_thread *t;
	sigset_t all, old;
	int ret;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		source__free(in);
		return plerr_set(e, -ENOMEM, "out of memory");
	}
	t->base = *in; /* name, kind, period, identity */
	t->base.ops = &thread_ops;
	t->in = in;
	t->max = max_records ? max_records : 1;
	t->ep = t->stopfd = -1;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->space, NULL);
	t->base.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	t->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	t->ep = epoll_create1(EPOLL_CLOEXEC);
	if (t->base.fd < 0 || t->stopfd < 0 || t->ep < 0) {
		ret = plerr_set(e, -errno, "drain thread: %s", strerror(errno));
		goto fail;
	}
	ev.data.fd = in->fd;
	if (epoll_ctl(t->ep, EPOLL_CTL_ADD, in->fd, &ev)) {
		ret = plerr_set(e, -errno, "drain thread: epoll on %s: %s", in->name, strerror(errno));
		goto fail;
	}
	ev.data.fd = t->stopfd;
	if (epoll_ctl(t->ep, EPOLL_CTL_ADD, t->stopfd, &ev)) {
		ret = plerr_set(e, -errno, "drain thread: %s", strerror(errno));
		goto fail;
	}
	/*
	 * The thread takes no signal: `run` reads SIGTERM/SIGINT from a
	 * signalfd, which only works while every thread blocks them.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&t->th, NULL, drain_thread, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		ret = plerr_set(e, -ret, "drain thread: %s", strerror(ret));
		goto fail;
	}
	t->started = true;
	*out = &t->base;
	return 0;
fail:
	thread_free(&t->base);
	return ret;
}
