// SPDX-License-Identifier: GPL-2.0 OR MIT
/* /dev/powerledger as a sample source (see source.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/ring_reader.h"
#include "capture/source.h"

struct source_dev {
	struct source base;
	struct ring_reader rr;
	struct pl_info info;
	struct pl_dev_ctl ctl;
	void *ro, *cons;
	uint32_t old_watermark;
	uint64_t lost0; /* the rings' lost counters when we mapped them */
	bool started, watermark_set;
};

static long dev_drain(struct source *s, struct pl_sample **out, size_t *n, size_t *cap)
{
	struct source_dev *d = (struct source_dev *)s;

	return ring_reader__drain(&d->rr, out, n, cap);
}

static void dev_stats(struct source *s, uint32_t dev_id, struct source_stats *st)
{
	struct source_dev *d = (struct source_dev *)s;
	struct pl_stats ps = { .dev_id = dev_id };

	st->lost = ring_reader__lost(&d->rr) - d->lost0;
	st->bad_records = d->rr.bad_records;
	st->resyncs = d->rr.resyncs;
	if (ioctl(s->fd, PL_IOC_GET_STATS, &ps) == 0)
		st->overruns = ps.overruns;
}

static uint64_t dev_now(struct source *s)
{
	(void)s;
	return mono_ns(); /* pl_sample.ts_ns is CLOCK_MONOTONIC */
}

static uint64_t dev_period(struct source *s, uint32_t dev_id)
{
	struct pl_stats ps = { .dev_id = dev_id };

	if (ioctl(s->fd, PL_IOC_GET_STATS, &ps) < 0)
		return 0;
	return ps.period_ns;
}

static void dev_free(struct source *s)
{
	struct source_dev *d = (struct source_dev *)s;

	if (d->started)
		ioctl(s->fd, PL_IOC_STOP, &d->ctl);
	if (d->watermark_set)
		ioctl(s->fd, PL_IOC_SET_WATERMARK, &d->old_watermark);
	if (d->cons != MAP_FAILED)
		munmap(d->cons, d->info.data_offset - d->info.cons_offset);
	if (d->ro != MAP_FAILED)
		munmap(d->ro, d->info.mmap_size);
	if (s->fd >= 0)
		close(s->fd);
	free(d);
}

static const struct source_ops dev_ops = {
	.drain = dev_drain,
	.stats = dev_stats,
	.now_ns = dev_now,
	.period_ns = dev_period,
	.free = dev_free,
};

int source_dev__open(struct source **out, const struct source_dev_opts *o, struct plerr *e)
{
	const char *path = o->path ? o->path : "/dev/" PL_DEVICE_NAME;
	struct source_dev *d;
	uint32_t wm;
	int ret;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return plerr_set(e, -ENOMEM, "out of memory");
	d->base.ops = &dev_ops;
	d->base.kind = PLTR_SRC_KMOD;
	d->ro = d->cons = MAP_FAILED;
	d->ctl.dev_id = o->dev_id;
	snprintf(d->base.name, sizeof(d->base.name), "%s", path);
	d->base.fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->base.fd < 0) {
		ret = plerr_set(e, -errno, "%s: %s (is the powerledger module loaded?)", path, strerror(errno));
		goto err;
	}
	if (ioctl(d->base.fd, PL_IOC_GET_INFO, &d->info) < 0) {
		ret = plerr_set(e, -errno, "%s: PL_IOC_GET_INFO: %s", path, strerror(errno));
		goto err;
	}
	if (d->info.abi_version != PL_ABI_VERSION) {
		ret = plerr_set(e, -EPROTO, "%s: ABI version %u, this agent speaks %d", path, d->info.abi_version,
				PL_ABI_VERSION);
		goto err;
	}
	d->ro = mmap(NULL, d->info.mmap_size, PROT_READ, MAP_SHARED, d->base.fd, 0);
	if (d->ro != MAP_FAILED)
		d->cons = mmap(NULL, d->info.data_offset - d->info.cons_offset, PROT_READ | PROT_WRITE, MAP_SHARED,
			       d->base.fd, (off_t)d->info.cons_offset);
	if (d->ro == MAP_FAILED || d->cons == MAP_FAILED) {
		ret = plerr_set(e, -errno, "%s: mmap: %s%s", path, strerror(errno),
				errno == EBUSY ? " (another consumer has the rings mapped)" : "");
		goto err;
	}
	ret = ring_reader__init(&d->rr, d->ro, d->info.mmap_size, d->cons, &d->info, e);
	if (ret) {
		plerr_prefix(e, path);
		goto err;
	}
	d->lost0 = ring_reader__lost(&d->rr);
	if (o->period_ns) {
		struct pl_period pp = { .dev_id = o->dev_id, .period_ns = o->period_ns };

		if (ioctl(d->base.fd, PL_IOC_SET_PERIOD, &pp) < 0) {
			ret = plerr_set(e, -errno, "%s: PL_IOC_SET_PERIOD: %s", path, strerror(errno));
			goto err;
		}
	}
	/*
	 * Wake at a quarter ring: at 1 kHz and 2048 slots that is half a second,
	 * far fewer wake-ups than the module's default of 16 records, with
	 * three quarters of the ring still free when we are woken.
	 */
	wm = d->info.slots / 4 ? d->info.slots / 4 : 1;
	if (ioctl(d->base.fd, PL_IOC_SET_WATERMARK, &wm) == 0) {
		d->old_watermark = d->info.watermark;
		d->watermark_set = true;
	}
	if (ioctl(d->base.fd, PL_IOC_START, &d->ctl) < 0) {
		ret = plerr_set(e, -errno, "%s: PL_IOC_START: %s", path, strerror(errno));
		goto err;
	}
	d->started = true;
	d->base.period_ns = o->period_ns;
	if (!d->base.period_ns)
		d->base.period_ns = dev_period(&d->base, o->dev_id == PL_DEV_ALL ? 0 : o->dev_id);
	if (!d->base.period_ns)
		d->base.period_ns = PL_PERIOD_DEFAULT_NS;
	*out = &d->base;
	return 0;
err:
	dev_free(&d->base);
	return ret;
}
