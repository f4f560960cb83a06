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
 * Configuration (@period_ns, @enabled) changes under @lock (and @enabled
 * also under @timer_lock); the sampler reads it with READ_ONCE.  Counters are written by the sampler thread only
 * and read locklessly by ioctl/netlink (u64 loads are atomic on 64-bit
 * kernels, which is all we build for).  @latest is published under
 * @latest_lock for hwmon.
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
	u32 flags;		/* PL_DEV_F_* except ENABLED */
	bool read_direct;	/* word reads as I2C message pairs (pmbus.c) */

	struct mutex lock;	/* serializes start/stop/period changes */
	u64 period_ns;
	bool enabled;

	/* sampler.c */
	struct hrtimer timer;
	spinlock_t timer_lock;	/* enabled vs. arming the timer */
	struct task_struct *task;
	atomic_t pending;	/* timer ticks not yet served */
	u64 seq;
	u64 last_ts_ns;

	/* counters, sampler thread only writes */
	u64 samples;
	u64 lost;
	u64 overruns;
	u64 i2c_errors;
	u64 pec_errors;
	u64 jitter_hist[PL_JITTER_BUCKETS];

	/* event rate limiting, sampler thread only */
	u64 event_window_ns;
	u32 event_count[__PL_EVENT_LAST];

	spinlock_t latest_lock;
	struct pl_sample latest;
	bool have_latest;
};

/* dev.c APIs: the registry of bound PSUs; pl_devs_lock protects it and keeps
 * every pl_dev found through it alive until unlocked.
 */
extern struct mutex pl_devs_lock;
struct pl_dev *pl_dev_find(u32 id);	/* under pl_devs_lock; NULL if none */
struct pl_dev *pl_dev_next(u32 *id);	/* under pl_devs_lock; iteration from *id */
u32 pl_dev_count(void);
int pl_dev_init(void);
void pl_dev_uninit(void);

/* pmbus.c APIs: */
int pl_pmbus_identify(struct pl_dev *pd);	/* probe time; 0 or -errno */
void pl_pmbus_read_sample(struct pl_dev *pd, struct pl_sample *s);
extern const struct pl_rail_desc pl_rails[PL_NR_RAILS];

/* sample.c APIs (pure, also linked into the KUnit module): */
int pl_sample_set_rail(struct pl_sample *s, u32 rail, u16 raw, u8 vout_mode);
s64 pl_sample_rail_value(const struct pl_sample *s, u32 rail);
unsigned int pl_jitter_bucket(u64 dev_ns);

/* sampler.c APIs: */
int pl_sampler_init(struct pl_dev *pd);
void pl_sampler_uninit(struct pl_dev *pd);
int pl_sampler_start(struct pl_dev *pd);
void pl_sampler_stop(struct pl_dev *pd);
int pl_sampler_set_period(struct pl_dev *pd, u64 period_ns);
int pl_sampler_set_rails(struct pl_dev *pd, u32 rails);
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
void pl_genl_event(struct pl_dev *pd, u32 kind, u64 count, int err);

#endif /* _PL_POWERLEDGER_H */
