// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/powerledger: the misc device, its ioctls and file lifetime.
 * The rings behind mmap and poll belong to ring.c.
 *
 * Anyone allowed to open the device may read info and stats; changing
 * sampling (start, stop, period, watermark) needs the file open for writing.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "powerledger.h"

typedef int (*pl_dev_op)(struct pl_dev *pd, const void *arg);

/* Apply @op to device @id or to all of them; -ENODEV for an unknown id. */
static int for_devices(u32 id, pl_dev_op op, const void *arg)
{
	struct pl_dev *pd;
	u32 it = 0;
	int ret = 0;

	mutex_lock(&pl_devs_lock);
	if (id != PL_DEV_ALL) {
		pd = pl_dev_find(id);
		ret = pd ? op(pd, arg) : -ENODEV;
		goto out;
	}
	while ((pd = pl_dev_next(&it))) {
		ret = op(pd, arg);
		if (ret)
			break;
	}
out:
	mutex_unlock(&pl_devs_lock);
	return ret;
}

static int op_start(struct pl_dev *pd, const void *arg)
{
	return pl_sampler_start(pd);
}

static int op_stop(struct pl_dev *pd, const void *arg)
{
	pl_sampler_stop(pd);
	return 0;
}

static int op_period(struct pl_dev *pd, const void *arg)
{
	return pl_sampler_set_period(pd, *(const u64 *)arg);
}

static long ioc_info(void __user *uarg)
{
	struct pl_info info = { .abi_version = PL_ABI_VERSION };

	pl_ring_info(&info);
	mutex_lock(&pl_devs_lock);
	info.nr_devices = pl_dev_count();
	mutex_unlock(&pl_devs_lock);
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long ioc_ctl(void __user *uarg, bool start)
{
	struct pl_dev_ctl ctl;

	if (copy_from_user(&ctl, uarg, sizeof(ctl)))
		return -EFAULT;
	if (ctl.flags)
		return -EOPNOTSUPP;
	return for_devices(ctl.dev_id, start ? op_start : op_stop, NULL);
}

static long ioc_period(void __user *uarg)
{
	struct pl_period p;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if (p.reserved)
		return -EINVAL;
	if (p.period_ns < PL_PERIOD_MIN_NS || p.period_ns > PL_PERIOD_MAX_NS)
		return -EINVAL;
	return for_devices(p.dev_id, op_period, &p.period_ns);
}

static long ioc_stats(void __user *uarg)
{
	struct pl_stats st;
	struct pl_dev *pd;
	u32 id;

	if (get_user(id, (u32 __user *)uarg))
		return -EFAULT;
	memset(&st, 0, sizeof(st));
	st.dev_id = id;

	mutex_lock(&pl_devs_lock);
	pd = pl_dev_find(id);
	if (pd)
		pl_sampler_stats(pd, &st);
	mutex_unlock(&pl_devs_lock);
	if (!pd)
		return -ENODEV;
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long pl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	bool writer = file->f_mode & FMODE_WRITE;
	u32 wm;

	switch (cmd) {
	case PL_IOC_GET_INFO:
		return ioc_info(uarg);
	case PL_IOC_GET_STATS:
		return ioc_stats(uarg);
	case PL_IOC_START:
	case PL_IOC_STOP:
		if (!writer)
			return -EPERM;
		return ioc_ctl(uarg, cmd == PL_IOC_START);
	case PL_IOC_SET_PERIOD:
		if (!writer)
			return -EPERM;
		return ioc_period(uarg);
	case PL_IOC_SET_WATERMARK:
		if (!writer)
			return -EPERM;
		if (get_user(wm, (u32 __user *)uarg))
			return -EFAULT;
		return pl_ring_set_watermark(wm);
	}
	return -ENOTTY;
}

static int pl_release(struct inode *inode, struct file *file)
{
	pl_ring_release(file);
	return 0;
}

static const struct file_operations pl_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= pl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= pl_ring_mmap,
	.poll		= pl_ring_poll,
	.release	= pl_release,
	.llseek		= noop_llseek,
};

static struct miscdevice pl_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= PL_DEVICE_NAME,
	.fops	= &pl_fops,
	.mode	= 0640,
};

int pl_chardev_init(void)
{
	return misc_register(&pl_misc);
}

void pl_chardev_uninit(void)
{
	misc_deregister(&pl_misc);
}
