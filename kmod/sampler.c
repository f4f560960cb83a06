// SPDX-License-Identifier: GPL-2.0
/*
 * The sampler: an hrtimer on CLOCK_MONOTONIC ticks every period and wakes a
 * per-device SCHED_FIFO kthread, which does the SMBus reads (they sleep, so
 * they cannot run in the timer callback) and publishes the record.
 *
 * Who runs concurrently: the timer callback (hardirq) only forwards the
 * timer, counts skipped periods and wakes the thread; the thread is the
 * only writer of the pl_dev counters and of seq; start/stop/period changes
 * come from ioctl or netlink under pd->lock.
 */
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/types.h>

#include "powerledger.h"
#include "trace.h"

static enum hrtimer_restart tick(struct hrtimer *timer)
{
	struct pl_dev *pd = container_of(timer, struct pl_dev, timer);
	u64 n;

	n = hrtimer_forward_now(timer, ns_to_ktime(READ_ONCE(pd->period_ns)));
	if (n > 1)
		atomic64_add(n - 1, &pd->timer_overruns);
	atomic_inc(&pd->pending);
	wake_up_process(pd->task);
	return HRTIMER_RESTART;
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

/* One sample: missed = periods that passed without one since the last. */
static void take_sample(struct pl_dev *pd, u64 missed)
{
	struct pl_sample s = {
		.dev_id = pd->id,
		.version = PL_SAMPLE_VERSION,
		.page = pd->page,
	};
	unsigned long irqflags;
	int ret;

	s.ts_ns = ktime_get_ns();
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
	int pending;
	u64 missed;

	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!atomic_read(&pd->pending) && !kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);

		pending = atomic_xchg(&pd->pending, 0);
		if (!pending)
			continue;
		/* Ticks that piled up while we were busy are missed periods too. */
		missed = (u64)(pending - 1) + atomic64_xchg(&pd->timer_overruns, 0);
		take_sample(pd, missed);
	}
	return 0;
}

int pl_sampler_init(struct pl_dev *pd)
{
	struct task_struct *t;

	hrtimer_init(&pd->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	pd->timer.function = tick;
	atomic_set(&pd->pending, 0);
	atomic64_set(&pd->timer_overruns, 0);

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

int pl_sampler_start(struct pl_dev *pd)
{
	mutex_lock(&pd->lock);
	if (!pd->enabled) {
		pd->enabled = true;
		pd->last_ts_ns = 0;
		hrtimer_start(&pd->timer,
			      ktime_add_ns(ktime_get(), READ_ONCE(pd->period_ns)),
			      HRTIMER_MODE_ABS);
	}
	mutex_unlock(&pd->lock);
	return 0;
}

void pl_sampler_stop(struct pl_dev *pd)
{
	mutex_lock(&pd->lock);
	if (pd->enabled) {
		pd->enabled = false;
		hrtimer_cancel(&pd->timer);
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
	if (pd->enabled) {
		/* Restart so the new period applies from now, not after the old one. */
		hrtimer_cancel(&pd->timer);
		pd->last_ts_ns = 0;
		hrtimer_start(&pd->timer, ktime_add_ns(ktime_get(), period_ns),
			      HRTIMER_MODE_ABS);
	}
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
