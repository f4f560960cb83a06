/* SPDX-License-Identifier: GPL-2.0 */
/*
 * powerledger: internal interfaces between the files of the module.
 */
#ifndef _PL_POWERLEDGER_H
#define _PL_POWERLEDGER_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/i2c.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "../uapi/linux/powerledger.h"

#define PL_STR_LEN	32	/* PMBus MFR_* strings, NUL included */
#define PL_NR_RAILS	7

/* One rail: which PMBus command reads it, which field it fills. */
struct pl_rail_desc {
	u32 rail;	/* PL_RAIL_* */
	u8 reg;		/* PMBUS_READ_* */
	const char *name;
};

/**
 * struct pl_dev - one bound PSU.
 *
 * Configuration (@period_ns, @enabled, @read_rails) changes under @lock
 * (and @enabled also under @timer_lock) with WRITE_ONCE; the sampler and
 * the lockless readers (ioctl, netlink) use READ_ONCE.  Counters and
 * @backing_off are written by the sampler thread only (@suspends by the PM
 * callbacks, under @lock), always with WRITE_ONCE, and read locklessly with
 * READ_ONCE (u64 loads are atomic on 64-bit kernels, which is all we build
 * for).  @latest is published under @latest_lock for hwmon.
 */
struct pl_dev {
	struct i2c_client *client;
	u32 id;
	char name[PL_STR_LEN];
	char mfr_id[PL_STR_LEN];
	char mfr_model[PL_STR_LEN];
	char mfr_serial[PL_STR_LEN];
	u8 revision;
	u8 capability;
	u8 vout_mode;
	u8 page;
	u32 rails;		/* PL_RAIL_* the PSU answers */
	u32 read_rails;		/* the subset each sample reads (pd->lock; READ_ONCE) */
	u32 flags;		/* PL_DEV_F_* fixed at probe (not ENABLED, BACKOFF) */
	bool read_direct;	/* word reads as I2C message pairs (pmbus.c) */

	struct mutex lock;	/* serializes start/stop/period changes, suspend/resume */
	u64 period_ns;
	bool enabled;
	bool resume_enabled;	/* @enabled when the system went to sleep (pd->lock) */

	/* sampler.c */
	struct hrtimer timer;
	spinlock_t timer_lock;	/* enabled vs. arming the timer; skip_planned */
	struct task_struct *task;
	struct mutex sample_lock;	/* held by the thread while it takes a sample */
	atomic_t pending;	/* timer ticks not yet served */
	atomic_t resumed;	/* flag the next sample PL_SF_RESUMED */
	u64 skip_planned;	/* periods the armed expiry skips (backoff); timer_lock */
	u64 missed_planned;	/* periods a stuck sample outlasted before that; timer_lock */
	u64 backoff;		/* periods the last backoff skipped, 0 when not backing off */
	bool backing_off;
	u64 seq;
	u64 last_ts_ns;

	/* counters, see above */
	u64 samples;
	u64 lost;
	u64 overruns;
	u64 i2c_errors;
	u64 pec_errors;
	u64 page_repairs;
	u64 backoffs;
	u64 suspends;
	u64 jitter_hist[PL_JITTER_BUCKETS];

	/* event rate limiting (genl.c), from the event senders in sampler.c */
	u64 event_window_ns;
	u32 event_count[__PL_EVENT_LAST];

	spinlock_t latest_lock;
	struct pl_sample latest;
	bool have_latest;
};

/*
 * registry.c APIs: the bound PSUs by id.  pl_devs_lock protects the
 * registry and keeps every pl_dev found through it alive until unlocked.
 */
extern struct mutex pl_devs_lock;
struct pl_dev *pl_dev_find(u32 id);	/* under pl_devs_lock; NULL if none */
struct pl_dev *pl_dev_next(u32 *id);	/* under pl_devs_lock; iteration from *id */
u32 pl_dev_count(void);			/* under pl_devs_lock */
int pl_registry_add(struct pl_dev *pd);	/* reserves pd->id, not yet findable; 0 or -errno */
void pl_registry_publish(struct pl_dev *pd);	/* findable from now on */
void pl_registry_del(struct pl_dev *pd);	/* not findable once this returns */
void pl_registry_uninit(void);

/* dev.c APIs: the i2c driver */
int pl_dev_init(void);
void pl_dev_uninit(void);

/*
 * pmbus.c APIs: bus access only; errors are returned to the caller, which
 * counts and reports them (pmbus.c sends no events).
 */
int pl_pmbus_identify(struct pl_dev *pd);	/* probe time; 0 or -errno */

/* One failed transfer of a sample: the PMBus command and its -errno. */
struct pl_pmbus_err {
	u8 reg;
	int err;
};

/* What a sample's bus transaction found besides the readings. */
struct pl_pmbus_result {
	/* PAGE check (read + write), every rail and STATUS_WORD at most */
	struct pl_pmbus_err errs[PL_NR_RAILS + 3];
	unsigned int nerr;
	bool page_restored;	/* PAGE read back wrong and was written again */
	bool stuck;		/* a transfer timed out: the rest was abandoned */
};

void pl_pmbus_read_sample(struct pl_dev *pd, struct pl_sample *s, struct pl_pmbus_result *res);

/* Decision of the per-sample PAGE check, from what PAGE read back. */
enum pl_page_action {
	PL_PAGE_OK,		/* still ours */
	PL_PAGE_RESTORE,	/* someone else's page: write ours, count, flag */
	PL_PAGE_RESELECT,	/* unreadable: write ours blindly, do not count */
};
enum pl_page_action pl_pmbus_page_action(int got, u8 want);
bool pl_pmbus_err_stuck(int err);	/* an error that means the bus itself is stuck */
extern const struct pl_rail_desc pl_rails[PL_NR_RAILS];

/* sample.c APIs (pure, also linked into the KUnit module): */
int pl_sample_set_rail(struct pl_sample *s, u32 rail, u16 raw, u8 vout_mode);
s64 pl_sample_rail_value(const struct pl_sample *s, u32 rail);
unsigned int pl_jitter_bucket(u64 dev_ns);

/* backoff.c APIs (pure, also linked into the KUnit module): */
u64 pl_backoff_cap(u64 period_ns);	/* most periods one backoff skips, >= 1 */
u64 pl_backoff_next(u64 prev, u64 period_ns);	/* periods to skip after a stuck sample */

/* sampler.c APIs: the one sender of netlink events */
int pl_sampler_init(struct pl_dev *pd);
void pl_sampler_uninit(struct pl_dev *pd);	/* announces the removal */
void pl_sampler_bound(struct pl_dev *pd, bool start);	/* findable now: start?, announce */
int pl_sampler_start(struct pl_dev *pd);
void pl_sampler_stop(struct pl_dev *pd);
int pl_sampler_set_period(struct pl_dev *pd, u64 period_ns);
int pl_sampler_set_rails(struct pl_dev *pd, u32 rails);
void pl_sampler_suspend(struct pl_dev *pd);
void pl_sampler_resume(struct pl_dev *pd);
u32 pl_sampler_dev_flags(struct pl_dev *pd);	/* PL_DEV_F_*, lockless */
void pl_sampler_stats(struct pl_dev *pd, struct pl_stats *st);

/* ring.c APIs: */
int pl_ring_init(void);
void pl_ring_uninit(void);
int pl_ring_write(const struct pl_sample *s);	/* 0, -ENOSPC if dropped, -ENODEV if no consumer */
struct file;
struct vm_area_struct;
struct poll_table_struct;
/*
 * The first mapping makes @file the consumer.  -EPERM for a file not open
 * for writing, -EBUSY while another file consumes, -EPERM/-EINVAL for a
 * writable mapping outside the consumer part or a private one, -EINVAL
 * outside the region.
 */
int pl_ring_mmap(struct file *file, struct vm_area_struct *vma);
__poll_t pl_ring_poll(struct file *file, struct poll_table_struct *wait);
void pl_ring_release(struct file *file);	/* gives the consumer slot back */
int pl_ring_set_watermark(u32 wm);	/* -EINVAL outside 1..slots */
void pl_ring_info(struct pl_info *info);

/* chardev.c APIs: */
int pl_chardev_init(void);
void pl_chardev_uninit(void);

/* hwmon.c APIs: */
int pl_hwmon_register(struct pl_dev *pd);

/* genl.c APIs: */
int pl_genl_init(void);
void pl_genl_uninit(void);
void pl_genl_event(struct pl_dev *pd, u32 kind, u64 count, int err);	/* sampler.c only */

#endif /* _PL_POWERLEDGER_H */
