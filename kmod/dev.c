// SPDX-License-Identifier: GPL-2.0
/*
 * The i2c client driver: probe, remove and system sleep of a bound PSU.
 *
 * Bind:   echo powerledger 0x58 > /sys/bus/i2c/devices/i2c-N/new_device
 * Unbind: echo 0x58 > /sys/bus/i2c/devices/i2c-N/delete_device
 *
 * The devices it binds go into the registry (registry.c) once set up and
 * out of it before their sampler stops.
 */
#include <linux/i2c.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pm.h>
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

	ret = pl_registry_add(pd);
	if (ret)
		return ret;

	ret = pl_sampler_init(pd);
	if (ret)
		goto err_free_id;

	ret = pl_hwmon_register(pd);
	if (ret)
		goto err_uninit_sampler;

	/* Visible to ioctl/netlink only once fully set up. */
	pl_registry_publish(pd);
	pl_sampler_bound(pd, autostart);
	dev_info(&client->dev, "powerledger device %u, period %llu ns, reading rails 0x%02x\n",
		 pd->id, pd->period_ns, pd->read_rails);
	return 0;

err_uninit_sampler:
	pl_sampler_uninit(pd);
err_free_id:
	pl_registry_del(pd);
	return ret;
}

static void pl_remove_dev(struct i2c_client *client)
{
	struct pl_dev *pd = i2c_get_clientdata(client);

	pl_registry_del(pd);
	pl_sampler_uninit(pd);
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

/*
 * System sleep: the sampler stops before the adapter (our parent) suspends
 * and restarts after it resumed, so no transfer reaches a suspended
 * controller; the thread is also freezable (sampler.c).  Runtime PM is not
 * used: a sampling PSU is never idle.
 */
static int pl_suspend(struct device *dev)
{
	pl_sampler_suspend(i2c_get_clientdata(to_i2c_client(dev)));
	return 0;
}

static int pl_resume(struct device *dev)
{
	pl_sampler_resume(i2c_get_clientdata(to_i2c_client(dev)));
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(pl_pm_ops, pl_suspend, pl_resume);

static const struct i2c_device_id pl_id[] = {
	{ "powerledger", 0 },
	{ }
};
MODULE_DEVICE_TABLE(i2c, pl_id);

static struct i2c_driver pl_driver = {
	.driver = {
		.name = "powerledger",
		.pm = pm_sleep_ptr(&pl_pm_ops),
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
}
