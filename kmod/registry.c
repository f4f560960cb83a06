// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of bound PSUs: ids for ioctl and netlink to find devices by.
 *
 * ioctl and netlink look devices up under pl_devs_lock; a device becomes
 * findable only once fully set up (pl_registry_publish()) and stops being
 * findable before its sampler is torn down (pl_registry_del()), so once
 * remove() has taken it out nobody else can reach the pl_dev any more.
 * This file depends on nothing else of the module.
 */
#include <linux/idr.h>
#include <linux/mutex.h>

#include "powerledger.h"

DEFINE_MUTEX(pl_devs_lock);
static DEFINE_IDR(pl_devs);

struct pl_dev *pl_dev_find(u32 id)
{
	lockdep_assert_held(&pl_devs_lock);
	if (id > INT_MAX)
		return NULL;
	return idr_find(&pl_devs, id);
}

/* Next device with id >= *id, advancing *id past it; NULL at the end. */
struct pl_dev *pl_dev_next(u32 *id)
{
	struct pl_dev *pd;
	int i = *id;

	lockdep_assert_held(&pl_devs_lock);
	if (*id > INT_MAX)
		return NULL;
	pd = idr_get_next(&pl_devs, &i);
	if (pd)
		*id = i + 1;
	return pd;
}

u32 pl_dev_count(void)
{
	struct pl_dev *pd;
	u32 n = 0;
	int i;

	lockdep_assert_held(&pl_devs_lock);
	idr_for_each_entry(&pl_devs, pd, i)
		n++;
	return n;
}

/* The id is reserved with a NULL entry: lookups find nothing until published. */
int pl_registry_add(struct pl_dev *pd)
{
	int ret;

	mutex_lock(&pl_devs_lock);
	ret = idr_alloc(&pl_devs, NULL, 0, 0, GFP_KERNEL);
	mutex_unlock(&pl_devs_lock);
	if (ret < 0)
		return ret;
	pd->id = ret;
	return 0;
}

void pl_registry_publish(struct pl_dev *pd)
{
	mutex_lock(&pl_devs_lock);
	idr_replace(&pl_devs, pd, pd->id);
	mutex_unlock(&pl_devs_lock);
}

void pl_registry_del(struct pl_dev *pd)
{
	mutex_lock(&pl_devs_lock);
	idr_remove(&pl_devs, pd->id);
	mutex_unlock(&pl_devs_lock);
}

/* After the driver is gone: every device was deleted. */
void pl_registry_uninit(void)
{
	idr_destroy(&pl_devs);
}
