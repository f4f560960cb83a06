// SPDX-License-Identifier: GPL-2.0
/*
 * The sampler: an hrtimer on CLOCK_MONOTONIC expires every period and wakes
 * a per-device SCHED_FIFO kthread, which does the SMBus transaction (it
 * sleeps, so it cannot run in the timer callback), counts and announces
 * what went wrong, publishes the record and arms the timer for the next
 * period -- or, on a stuck bus, for a later one (backoff.c).
 *
 * Who runs concurrently: the timer callback (hardirq) only counts and wakes
 * the thread; the thread is the only writer of the pl_dev counters, of seq
 * and of the backoff state, and the only sender of netlink events but for
 * device added/removed (sent here too, from probe and remove); start/stop/
 * period changes come from ioctl or netlink, suspend/resume from the PM
 * core, all under pd->lock, and pd->timer_lock orders them against the
 * thread's re-arming.  pd->sample_lock is held by the thread for a whole
 * sample, so suspend can wait for one in flight.
 */
#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/types.h>

#include "powerledger.h"
#include "trace.h"

/* Lockless readers use READ_ONCE; one writer per counter (see struct pl_dev). */
static void bump(u64 *counter, u64 n)
{
	WRITE_ONCE(*counter, *counter + n);
}

/*
 * One-shot timer, armed by the sampler thread on the CPU it runs on
 * (HRTIMER_MODE_ABS_PINNED): the expiry then wakes a thread that is local
 * to that CPU, with no cross-CPU IPI on the 1 kHz path, the same way
 * clock_nanosleep() treats a user-space poller.
 */
static enum hrtimer_restart tick(struct hrtimer *timer)
{
	struct pl_dev *pd = container_of(timer, struct pl_dev, timer);

	atomic_inc(&pd->pending);
	wake_up_process(pd->task);
	return HRTIMER_NORESTART;
}

/*
 * Move the expiry to the first deadline after @now (the wake-up) and return
 * how many deadlines were skipped on the way (hrtimer_forward overruns):
 * periods missed right before the sample we are about to take; *skipped
 * gets the periods the expiry that woke us skipped on purpose (backoff).
 * Sampler thread only, while the timer is not queued (its callback ran).
 */
static u64 advance(struct pl_dev *pd, ktime_t now, u64 *skipped)
{
	unsigned long flags;
	u64 n = 1;

	u64 more = 0;

	*skipped = 0;
	spin_lock_irqsave(&pd->timer_lock, flags);
	/* Queued: start, resume or a period change re-armed it; nothing was missed. */
	if (pd->enabled && !hrtimer_is_queued(&pd->timer)) {
		n = hrtimer_forward(&pd->timer, now, ns_to_ktime(pd->period_ns));
		*skipped = pd->skip_planned;
		more = pd->missed_planned;
	}
	pd->skip_planned = 0;
	pd->missed_planned = 0;
	spin_unlock_irqrestore(&pd->timer_lock, flags);
	return (n ? n - 1 : 0) + more;
}

/*
 * Arm for the deadline advance() chose, or when backing off for the one
 * @skip periods after the first deadline after now: the stuck transfer
 * held the bus for the adapter's timeout, which may be longer than the
 * skip, and the skip is time the bus gets free of us.  Deadlines the
 * stuck sample outlasted are plain overruns of the next sample.
 * pd->timer_lock orders this against stop and re-arming.
 */
static void arm(struct pl_dev *pd, u64 skip)
{
	unsigned long flags;

	spin_lock_irqsave(&pd->timer_lock, flags);
	if (pd->enabled && !hrtimer_is_queued(&pd->timer)) {
		if (skip) {
			pd->missed_planned = hrtimer_forward(&pd->timer, ktime_get(),
							     ns_to_ktime(pd->period_ns));
			hrtimer_add_expires_ns(&pd->timer, skip * pd->period_ns);
			pd->skip_planned = skip;
		}
		hrtimer_start_expires(&pd->timer, HRTIMER_MODE_ABS_PINNED);
	}
	spin_unlock_irqrestore(&pd->timer_lock, flags);
}

static void account_jitter(struct pl_dev *pd, u64 ts_ns, u64 missed)
{
	u64 period = READ_ONCE(pd->period_ns);
	u64 interval, dev;

	if (pd->last_ts_ns && !missed) {
		interval = ts_ns - pd->last_ts_ns;
		dev = interval > period ? interval - period : period - interval;
		bump(&pd->jitter_hist[pl_jitter_bucket(dev)], 1);
	}
	pd->last_ts_ns = ts_ns;
}

/* Flag, count and trace the failed transfers of @s; announce the last of each kind. */
static void account_errors(struct pl_dev *pd, struct pl_sample *s,
			   const struct pl_pmbus_result *res)
{
	int i2c_err = 0, pec_err = 0;
	unsigned int i;

	for (i = 0; i < res->nerr; i++) {
		int err = res->errs[i].err;

		if (err == -EBADMSG) {
			s->flags |= PL_SF_PEC_ERROR;
			bump(&pd->pec_errors, 1);
			pec_err = err;
		} else {
			s->flags |= PL_SF_I2C_ERROR;
			bump(&pd->i2c_errors, 1);
			i2c_err = err;
		}
		trace_i2c_error(pd->id, s->seq, res->errs[i].reg, err);
	}
	if (pec_err)
		pl_genl_event(pd, PL_EVENT_PEC_ERROR, pd->pec_errors, pec_err);
	if (i2c_err)
		pl_genl_event(pd, PL_EVENT_I2C_ERROR, pd->i2c_errors, i2c_err);
}

/*
 * One sample: @missed periods passed without one since the last, @skipped
 * of them on purpose (backoff).  Returns the periods to skip before the
 * next attempt: 0 unless the bus was stuck.
 */
static u64 take_sample(struct pl_dev *pd, u64 missed, u64 skipped)
{
	struct pl_sample s = {
		.dev_id = pd->id,
		.version = PL_SAMPLE_VERSION,
		.page = pd->page,
	};
	struct pl_pmbus_result res;
	unsigned long irqflags;
	u64 skip = 0, gap = missed + skipped;
	int ret;

	s.seq = pd->seq++;
	if (atomic_xchg(&pd->resumed, 0))
		s.flags |= PL_SF_RESUMED;
	pl_pmbus_read_sample(pd, &s, &res);

	if (gap) {
		s.flags |= PL_SF_OVERRUN;
		s.overruns = (u32)min_t(u64, gap, U32_MAX);
		bump(&pd->overruns, gap);
		trace_overrun(pd->id, s.seq, PL_EVENT_OVERRUN, gap);
	}
	if (skipped) {
		s.flags |= PL_SF_BACKOFF;
		bump(&pd->backoffs, skipped);
	}
	account_jitter(pd, s.ts_ns, gap);
	account_errors(pd, &s, &res);
	if (res.page_restored)
		bump(&pd->page_repairs, 1);
	if (res.stuck) {
		skip = pl_backoff_next(pd->backoff, READ_ONCE(pd->period_ns));
		pd->backoff = skip;
		WRITE_ONCE(pd->backing_off, true);
	} else if (pd->backoff) {
		pd->backoff = 0;
		WRITE_ONCE(pd->backing_off, false);
	}
	bump(&pd->samples, 1);

	spin_lock_irqsave(&pd->latest_lock, irqflags);
	pd->latest = s;
	pd->have_latest = true;
	spin_unlock_irqrestore(&pd->latest_lock, irqflags);

	trace_sample(&s);

	ret = pl_ring_write(&s);
	if (ret == -ENOSPC)
		bump(&pd->lost, 1);

	/* Announcements last: the record is out, the bus long free. */
	if (gap)
		pl_genl_event(pd, PL_EVENT_OVERRUN, pd->overruns, 0);
	if (res.page_restored)
		pl_genl_event(pd, PL_EVENT_PAGE_RESTORED, pd->page_repairs, 0);
	if (res.stuck)
		pl_genl_event(pd, PL_EVENT_BACKOFF, pd->backoffs + skip,
			      res.nerr ? res.errs[res.nerr - 1].err : -ETIMEDOUT);
	if (ret == -ENOSPC)
		pl_genl_event(pd, PL_EVENT_LOST, pd->lost, 0);
	return skip;
}

/*
 * Freezable: the freezer parks the thread between samples before any
 * device suspends; pl_sampler_suspend() stops the timer and waits for a
 * sample in flight for the paths that do not freeze.
 */
static int sampler_thread(void *data)
{
	struct pl_dev *pd = data;
	u64 missed, skipped, skip;
	ktime_t now;

	set_freezable();
	while (!kthread_freezable_should_stop(NULL)) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!atomic_read(&pd->pending) && !kthread_should_stop() && !freezing(current))
			schedule();
		__set_current_state(TASK_RUNNING);

		if (!atomic_xchg(&pd->pending, 0))
			continue;
		mutex_lock(&pd->sample_lock);
		/* A tick that fired right before stop or suspend takes no sample. */
		if (READ_ONCE(pd->enabled)) {
			/*
			 * More than one pending wake-up only comes from a
			 * restart racing with an expiry: not a missed period.
			 * If the sample overruns the next deadline, the timer
			 * fires at once and the next advance() counts what
			 * was skipped.
			 */
			now = ktime_get();
			missed = advance(pd, now, &skipped);
			/*
			 * The first tick after a resume fires while this
			 * thread is still frozen and is taken after the thaw:
			 * that wait is the sleep (PL_SF_RESUMED), not missed
			 * periods.
			 */
			if (atomic_read(&pd->resumed))
				missed = 0;
			skip = take_sample(pd, missed, skipped);
			arm(pd, skip);
		}
		mutex_unlock(&pd->sample_lock);
	}
	return 0;
}

int pl_sampler_init(struct pl_dev *pd)
{
	struct task_struct *t;

	hrtimer_init(&pd->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED);
	spin_lock_init(&pd->timer_lock);
	mutex_init(&pd->sample_lock);
	pd->timer.function = tick;
	atomic_set(&pd->pending, 0);
	atomic_set(&pd->resumed, 0);

	t = kthread_create(sampler_thread, pd, "powerledger/%u", pd->id);
	if (IS_ERR(t))
		return PTR_ERR(t);
	sched_set_fifo_low(t);
	pd->task = t;
	wake_up_process(t);
	return 0;
}

/* The device is findable now: start sampling if asked to, and announce it. */
void pl_sampler_bound(struct pl_dev *pd, bool start)
{
	if (start)
		pl_sampler_start(pd);
	pl_genl_event(pd, PL_EVENT_DEVICE_ADDED, 0, 0);
}

/*
 * Stops the timer first so nothing wakes the thread after it exited, then
 * announces the removal with the final sample count.
 */
void pl_sampler_uninit(struct pl_dev *pd)
{
	pl_sampler_stop(pd);
	kthread_stop(pd->task);
	pd->task = NULL;
	pl_genl_event(pd, PL_EVENT_DEVICE_REMOVED, pd->samples, 0);
}

/* (Re)start the period from now; caller holds pd->lock. */
static void arm_from_now(struct pl_dev *pd)
{
	unsigned long flags;

	spin_lock_irqsave(&pd->timer_lock, flags);
	WRITE_ONCE(pd->enabled, true);
	pd->last_ts_ns = 0;
	pd->skip_planned = 0;
	pd->missed_planned = 0;
	hrtimer_start(&pd->timer, ktime_add_ns(ktime_get(), pd->period_ns),
		      HRTIMER_MODE_ABS_PINNED);
	spin_unlock_irqrestore(&pd->timer_lock, flags);
}

/* Caller holds pd->lock. */
static void disarm(struct pl_dev *pd)
{
	unsigned long flags;

	spin_lock_irqsave(&pd->timer_lock, flags);
	WRITE_ONCE(pd->enabled, false);
	spin_unlock_irqrestore(&pd->timer_lock, flags);
	hrtimer_cancel(&pd->timer);
}

int pl_sampler_start(struct pl_dev *pd)
{
	mutex_lock(&pd->lock);
	if (!pd->enabled)
		arm_from_now(pd);
	mutex_unlock(&pd->lock);
	return 0;
}

/*
 * After this returns no timer is armed and none will be: the thread re-arms
 * only under timer_lock with enabled set.  A sample already in progress
 * finishes.
 */
void pl_sampler_stop(struct pl_dev *pd)
{
	mutex_lock(&pd->lock);
	disarm(pd);
	mutex_unlock(&pd->lock);
}

/*
 * System sleep, before the adapter suspends: once this returns, this
 * device makes no transfer until pl_sampler_resume() (the timer is off, a
 * sample in flight has finished, and a tick that fired before the timer
 * went off finds the sampler disabled).
 */
void pl_sampler_suspend(struct pl_dev *pd)
{
	mutex_lock(&pd->lock);
	pd->resume_enabled = pd->enabled;
	disarm(pd);
	mutex_unlock(&pd->lock);

	mutex_lock(&pd->sample_lock);
	mutex_unlock(&pd->sample_lock);
}

/*
 * After the adapter resumed: sampling restarts if it ran before, on a new
 * period grid from now (the sleep is no overrun), its first sample flagged
 * PL_SF_RESUMED.
 */
void pl_sampler_resume(struct pl_dev *pd)
{
	mutex_lock(&pd->lock);
	if (pd->resume_enabled && !pd->enabled) {
		atomic_set(&pd->pending, 0);
		atomic_set(&pd->resumed, 1);
		bump(&pd->suspends, 1);
		arm_from_now(pd);
	}
	mutex_unlock(&pd->lock);
}

/* -EINVAL outside PL_PERIOD_MIN_NS..PL_PERIOD_MAX_NS. */
int pl_sampler_set_period(struct pl_dev *pd, u64 period_ns)
{
	if (period_ns < PL_PERIOD_MIN_NS || period_ns > PL_PERIOD_MAX_NS)
		return -EINVAL;

	mutex_lock(&pd->lock);
	WRITE_ONCE(pd->period_ns, period_ns);
	/* The new period applies from now, not after the old one ends. */
	if (pd->enabled)
		arm_from_now(pd);
	mutex_unlock(&pd->lock);
	return 0;
}

/*
 * Which rails each sample reads from the next one on: -EINVAL unless a
 * non-empty subset of those the PSU answers.
 */
int pl_sampler_set_rails(struct pl_dev *pd, u32 rails)
{
	if (!rails || (rails & ~pd->rails))
		return -EINVAL;
	mutex_lock(&pd->lock);
	WRITE_ONCE(pd->read_rails, rails);
	mutex_unlock(&pd->lock);
	return 0;
}

u32 pl_sampler_dev_flags(struct pl_dev *pd)
{
	return pd->flags | (READ_ONCE(pd->enabled) ? PL_DEV_F_ENABLED : 0) |
	       (READ_ONCE(pd->backing_off) ? PL_DEV_F_BACKOFF : 0);
}

void pl_sampler_stats(struct pl_dev *pd, struct pl_stats *st)
{
	int i;

	st->flags = pl_sampler_dev_flags(pd);
	st->samples = READ_ONCE(pd->samples);
	st->lost = READ_ONCE(pd->lost);
	st->overruns = READ_ONCE(pd->overruns);
	st->i2c_errors = READ_ONCE(pd->i2c_errors);
	st->pec_errors = READ_ONCE(pd->pec_errors);
	st->page_repairs = READ_ONCE(pd->page_repairs);
	st->backoffs = READ_ONCE(pd->backoffs);
	st->suspends = READ_ONCE(pd->suspends);
	st->period_ns = READ_ONCE(pd->period_ns);
	for (i = 0; i < PL_JITTER_BUCKETS; i++)
		st->jitter_hist[i] = READ_ONCE(pd->jitter_hist[i]);
}
