// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fakepl.so: an LD_PRELOAD stand-in for /dev/powerledger's ioctls, so that
 * plread can be tested on a host that cannot load the module.
 *
 * The "device" is a regular file (FAKEPL_PATH) laid out like the real mmap
 * region by plread_test.c, with a struct pl_info stored at FAKEPL_INFO_OFF
 * of its read-only meta part.  PL_IOC_* ioctls on a descriptor of that file
 * are answered from it, epoll_ctl() on it pretends to succeed (epoll refuses
 * regular files), and everything else goes to libc.  Test-only: no locking,
 * no attempt at the kernel's checks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/powerledger.h>

#include "fakepl.h"

static bool is_fake(int fd)
{
	const char *path = getenv("FAKEPL_PATH");
	struct stat a, b;

	return path && !fstat(fd, &a) && !stat(path, &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	struct pl_stats *st;
	struct pl_info info;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(req) != PL_IOC_MAGIC || !is_fake(fd)) {
		if (!real_ioctl)
			real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
		return real_ioctl(fd, req, arg);
	}
	if (pread(fd, &info, sizeof(info), FAKEPL_INFO_OFF) != sizeof(info)) {
		errno = EIO;
		return -1;
	}
	switch (req) {
	case PL_IOC_GET_INFO:
		memcpy(arg, &info, sizeof(info));
		return 0;
	case PL_IOC_SET_WATERMARK:
	case PL_IOC_SET_PERIOD:
	case PL_IOC_START:
	case PL_IOC_STOP:
		return 0;
	case PL_IOC_GET_STATS:
		st = arg;
		if (st->dev_id >= info.nr_devices) {
			errno = ENODEV;
			return -1;
		}
		memset(&st->flags, 0, sizeof(*st) - sizeof(st->dev_id));
		st->flags = PL_DEV_F_ENABLED;
		st->samples = FAKEPL_STATS_SAMPLES;
		st->period_ns = PL_PERIOD_DEFAULT_NS;
		st->jitter_hist[0] = FAKEPL_STATS_SAMPLES - 1;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	static int (*real_epoll_ctl)(int, int, int, struct epoll_event *);

	if (is_fake(fd))
		return 0;
	if (!real_epoll_ctl)
		real_epoll_ctl = (int (*)(int, int, int, struct epoll_event *))
			dlsym(RTLD_NEXT, "epoll_ctl");
	return real_epoll_ctl(epfd, op, fd, ev);
}
