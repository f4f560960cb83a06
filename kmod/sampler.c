// SPDX-License-Identifier: GPL-2.0
/*
 * The sampler: an hrtimer on CLOCK_MONOTONIC expires every period and wakes
 * a per-device SCHED_FIFO kthread, which does the SMBus reads (they sleep,
 * so they cannot run in the timer callback), publishes the record and arms
 * the timer for the next period.
 *
 * Who runs concurrently: the timer callback (hardirq) only counts and wakes
 * the thread; the thread is the only writer of the pl_dev counters and of
 * seq; start/stop/period changes come from ioctl or netlink under pd->lock,
 * and pd->timer_lock orders them against the thread's re-arming.
 */
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/types.h>

#include "powerledger.h"
#include "trace.h"

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
 * Move the expiry to the first deadline after @now (the sample's timestamp,
 * read once for both) and return how many deadlines were skipped on the way
 * (hrtimer_forward overruns): periods missed right before the sample we are
 * about to take.  Sampler thread only, while the timer is not queued (its
 * callback already ran).
 */
static u64 advance(struct pl_dev *pd, ktime_t now)
{
	unsigned long flags;
	u64 n = 1;

	spin_lock_irqsave(&pd->timer_lock, flags);
	/* Queued: start or a period change re-armed it; nothing was missed. */
	if (pd->enabled && !hrtimer_is_queued(&pd->timer))
		n = hrtimer_forward(&pd->timer, now, ns_to_ktime(pd->period_ns));
	spin_unlock_irqrestore(&pd->timer_lock, flags);
	return n ? n - 1 : 0;
}

/* Arm for the deadline advance() chose; pd->timer_lock orders this against stop. */
static void arm(struct pl_dev *pd)
{
	unsigned long flags;

	spin_lock_irqsave(&pd->timer_lock, flags);
	if (pd->enabled && !hrtimer_is_queued(&pd->timer))
		hrtimer_start_expires(&pd->timer, HRTIMER_MODE_ABS_PINNED);
	spin_unlock_irqrestore(&pd->timer_lock, flags);
}

static void account_jitter(struct pl_dev *pd, u64 ts_ns, u64 missed)
{
	u64 period = READ_ONCE(pd->period_ns);
	u64 interval, dev;

	if (pd->last_ts_ns && !missed) {
		interval = ts_ns - pd->last_ts_ns;
		dev = interval > period ? interval - period : period - interval;
		pd->jitter_hist[pl_jitter_bucket(dev)]++;
	}
	pd->last_ts_ns = ts_ns;
}

/* One sample at @ts_ns: missed = periods that passed without one since the last. */
static void take_sample(struct pl_dev *pd, u64 ts_ns, u64 missed)
{
	struct pl_sample s = {
		.dev_id = pd->id,
		.version = PL_SAMPLE_VERSION,
		.page = pd->page,
	};
	unsigned long irqflags;
	int ret;

	s.ts_ns = ts_ns;
	s.seq = pd->seq++;
	if (missed) {
		s.flags |= PL_SF_OVERRUN;
		s.overruns = (u32)min_t(u64, missed, U32_MAX);
		pd->overruns += missed;
		trace_overrun(pd->id, s.seq, PL_EVENT_OVERRUN, missed);
		pl_genl_event(pd, PL_EVENT_OVERRUN, pd->overruns, 0);
	}
	account_jitter(pd, s.ts_ns, missed);

	pl_pmbus_read_sample(pd, &s);
	pd->samples++;

	spin_lock_irqsave(&pd->latest_lock, irqflags);
	pd->latest = s;
	pd->have_latest = true;
	spin_unlock_irqrestore(&pd->latest_lock, irqflags);

	trace_sample(&s);

	ret = pl_ring_write(&s);
	if (ret == -ENOSPC) {
		pd->lost++;
		pl_genl_event(pd, PL_EVENT_LOST, pd->lost, 0);
	}
}

static int sampler_thread(void *data)
{
	struct pl_dev *pd = data;
	ktime_t now;
	u64 missed;

	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!atomic_read(&pd->pending) && !kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);

		if (!atomic_xchg(&pd->pending, 0))
			continue;
		/*
		 * More than one pending wake-up only comes from a restart
		 * racing with an expiry: not a missed period.  If the sample
		 * overruns the next deadline, the timer fires at once and the
		 * next advance() counts what was skipped.
		 */
		now = ktime_get();
		missed = advance(pd, now);
		take_sample(pd, ktime_to_ns(now), missed);
		arm(pd);
	}
	return 0;
}

int pl_sampler_init(struct pl_dev *pd)
{
	struct task_struct *t;

	hrtimer_init(&pd->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED);
	spin_lock_init(&pd->timer_lock);
	pd->timer.function = tick;
	atomic_set(&pd->pending, 0);

	t = kthread_create(sampler_thread, pd, "powerledger/%u", pd->id);
	if (IS_ERR(t))
		return PTR_ERR(t);
	sched_set_fifo_low(t);
	pd->task = t;
	wake_up_process(t);
	return 0;
}

/* Stops the timer first so nothing wakes the thread after it exited. */
void pl_sampler_uninit(struct pl_dev *pd)
{
	pl_sampler_stop(pd);
	kthread_stop(pd->task);
	pd->task = NULL;
}

/* (Re)start the period from now; caller holds pd->lock. */
static void arm_from_now(struct pl_dev *pd)
{
	unsigned long flags;

	spin_lock_irqsave(&pd->timer_lock, flags);
	pd->enabled = true;
	pd->last_ts_ns = 0;
	hrtimer_start(&pd->timer, ktime_add_ns(ktime_get(), pd->period_ns),
		      HRTIMER_MODE_ABS_PINNED);
	spin_unlock_irqrestore(&pd->timer_lock, flags);
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
	unsigned long flags;

	mutex_lock(&pd->lock);
	spin_lock_irqsave(&pd->timer_lock, flags);
	pd->enabled = false;
	spin_unlock_irqrestore(&pd->timer_lock, flags);
	hrtimer_cancel(&pd->timer);
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

void pl_sampler_stats(struct pl_dev *pd, struct pl_stats *st)
{
	int i;

	st->flags = pd->flags | (READ_ONCE(pd->enabled) ? PL_DEV_F_ENABLED : 0);
	st->samples = READ_ONCE(pd->samples);
	st->lost = READ_ONCE(pd->lost);
	st->overruns = READ_ONCE(pd->overruns);
	st->i2c_errors = READ_ONCE(pd->i2c_errors);
	st->pec_errors = READ_ONCE(pd->pec_errors);
	st->period_ns = READ_ONCE(pd->period_ns);
	for (i = 0; i < PL_JITTER_BUCKETS; i++)
		st->jitter_hist[i] = READ_ONCE(pd->jitter_hist[i]);
}
