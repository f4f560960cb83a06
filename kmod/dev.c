// SPDX-License-Identifier: GPL-2.0
/*
 * The i2c client driver and the registry of bound PSUs.
 *
 * Bind:   echo powerledger 0x58 > /sys/bus/i2c/devices/i2c-N/new_device
 * Unbind: echo 0x58 > /sys/bus/i2c/devices/i2c-N/delete_device
 *
 * ioctl and netlink find devices through the registry under pl_devs_lock;
 * remove() takes the device out of it before stopping the sampler, so once
 * remove() holds the lock nobody else can reach the pl_dev any more.
 */
#include <linux/i2c.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "powerledger.h"

static unsigned int page;
module_param(page, uint, 0444);
MODULE_PARM_DESC(page, "PMBus PAGE to sample on every PSU (default 0)");

static bool autostart = true;
module_param(autostart, bool, 0444);
MODULE_PARM_DESC(autostart, "start sampling at bind (default on)");

static unsigned long long period_ns = PL_PERIOD_DEFAULT_NS;
module_param(period_ns, ullong, 0444);
MODULE_PARM_DESC(period_ns, "initial sampling period in ns (100000..1000000000, default 1000000)");

static unsigned int rails = __PL_RAIL_ALL;
module_param(rails, uint, 0444);
MODULE_PARM_DESC(rails, "PL_RAIL_* mask of the rails each sample reads, of those the PSU answers (default 0x7f: all)");

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

static int pl_probe(struct i2c_client *client)
{
	struct pl_dev *pd;
	int ret;

	if (!i2c_check_functionality(client->adapter, I2C_FUNC_SMBUS_BYTE_DATA |
						      I2C_FUNC_SMBUS_WORD_DATA))
		return -ENODEV;
	if (page > 31)
		return -EINVAL;

	pd = devm_kzalloc(&client->dev, sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;
	pd->client = client;
	pd->page = page;
	pd->period_ns = clamp_t(u64, period_ns, PL_PERIOD_MIN_NS, PL_PERIOD_MAX_NS);
	mutex_init(&pd->lock);
	spin_lock_init(&pd->latest_lock);
	snprintf(pd->name, sizeof(pd->name), "i2c-%d-%02x",
		 i2c_adapter_id(client->adapter), client->addr);
	i2c_set_clientdata(client, pd);

	ret = pl_pmbus_identify(pd);
	if (ret)
		return dev_err_probe(&client->dev, ret, "not a usable PMBus PSU\n");
	pd->read_rails = pd->rails & rails;
	if (!pd->read_rails) {
		dev_warn(&client->dev, "rails=0x%x selects none of the PSU's rails 0x%x: reading all\n",
			 rails, pd->rails);
		pd->read_rails = pd->rails;
	}

	mutex_lock(&pl_devs_lock);
	ret = idr_alloc(&pl_devs, NULL, 0, 0, GFP_KERNEL);
	mutex_unlock(&pl_devs_lock);
	if (ret < 0)
		return ret;
	pd->id = ret;

	ret = pl_sampler_init(pd);
	if (ret)
		goto err_free_id;

	ret = pl_hwmon_register(pd);
	if (ret)
		goto err_uninit_sampler;

	/* Visible to ioctl/netlink only once fully set up. */
	mutex_lock(&pl_devs_lock);
	idr_replace(&pl_devs, pd, pd->id);
	mutex_unlock(&pl_devs_lock);

	if (autostart)
		pl_sampler_start(pd);
	pl_genl_event(pd, PL_EVENT_DEVICE_ADDED, 0, 0);
	dev_info(&client->dev, "powerledger device %u, period %llu ns, reading rails 0x%02x\n",
		 pd->id, pd->period_ns, pd->read_rails);
	return 0;

err_uninit_sampler:
	pl_sampler_uninit(pd);
err_free_id:
	mutex_lock(&pl_devs_lock);
	idr_remove(&pl_devs, pd->id);
	mutex_unlock(&pl_devs_lock);
	return ret;
}

static void pl_remove_dev(struct i2c_client *client)
{
	struct pl_dev *pd = i2c_get_clientdata(client);

	mutex_lock(&pl_devs_lock);
	idr_remove(&pl_devs, pd->id);
	mutex_unlock(&pl_devs_lock);

	pl_sampler_uninit(pd);
	pl_genl_event(pd, PL_EVENT_DEVICE_REMOVED, pd->samples, 0);
	/* hwmon and pd itself are devm-managed: freed after we return. */
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
static void pl_remove(struct i2c_client *client)
{
	pl_remove_dev(client);
}
#else
static int pl_remove(struct i2c_client *client)
{
	pl_remove_dev(client);
	return 0;
}
#endif

static const struct i2c_device_id pl_id[] = {
	{ "powerledger", 0 },
	{ }
};
MODULE_DEVICE_TABLE(i2c, pl_id);

static struct i2c_driver pl_driver = {
	.driver = {
		.name = "powerledger",
	},
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	.probe = pl_probe,
#else
	.probe_new = pl_probe,
#endif
	.remove = pl_remove,
	.id_table = pl_id,
};

int pl_dev_init(void)
{
	return i2c_add_driver(&pl_driver);
}

void pl_dev_uninit(void)
{
	i2c_del_driver(&pl_driver);
	idr_destroy(&pl_devs);
}
