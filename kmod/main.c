// SPDX-License-Identifier: GPL-2.0
/*
 * powerledger: 1 kHz PMBus power telemetry in mmap-ed per-CPU rings.
 * This file only sequences the init and exit of the others.
 */
#include <linux/module.h>

#include "powerledger.h"

static int __init pl_init(void)
{
	int ret;

	ret = pl_ring_init();
	if (ret)
		return ret;
	ret = pl_chardev_init();
	if (ret)
		goto err_ring;
	ret = pl_genl_init();
	if (ret)
		goto err_chardev;
	ret = pl_dev_init();
	if (ret)
		goto err_genl;
	return 0;

err_genl:
	pl_genl_uninit();
err_chardev:
	pl_chardev_uninit();
err_ring:
	pl_ring_uninit();
	return ret;
}

static void __exit pl_exit(void)
{
	pl_dev_uninit();
	pl_registry_uninit();
	pl_genl_uninit();
	pl_chardev_uninit();
	pl_ring_uninit();
}

module_init(pl_init);
module_exit(pl_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("powerledger developers");
MODULE_DESCRIPTION("PMBus PSU power telemetry sampler with mmap-ed per-CPU rings");
MODULE_VERSION("0.1.0");
