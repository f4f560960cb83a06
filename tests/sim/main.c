// SPDX-License-Identifier: GPL-2.0
/*
 * powerledger_sim: a test-only PMBus power supply on a virtual i2c adapter,
 * playing deterministic waveforms (waveform.h) with fault injection.
 *
 *	insmod powerledger_sim.ko [addr=0x58] [waveform=flat] [seed=0]
 *		[nack_ppm=0] [pec_error_ppm=0] [stuck=0] [stuck_delay_us=2000]
 *		[delay_us=0] [bus_khz=0]
 *	echo powerledger 0x58 > /sys/bus/i2c/devices/i2c-$BUS/new_device
 *
 * The parameters set the initial values of the debugfs files of the same
 * names (debugfs.c), which change them at run time.  This file only
 * sequences init and exit.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "sim.h"

static ushort addr = 0x58;
module_param(addr, ushort, 0444);
MODULE_PARM_DESC(addr, "7-bit address the PSU answers on (default 0x58)");

static char *waveform = "flat";
module_param(waveform, charp, 0444);
MODULE_PARM_DESC(waveform, "initial waveform: flat, bursty, miner or step");

static unsigned long long seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "fault injection PRNG seed (splitmix64)");

static uint nack_ppm;
module_param(nack_ppm, uint, 0444);
MODULE_PARM_DESC(nack_ppm, "chance per transfer of a NACK (-ENXIO), ppm");

static uint pec_error_ppm;
module_param(pec_error_ppm, uint, 0444);
MODULE_PARM_DESC(pec_error_ppm, "chance per PEC read of a corrupted PEC byte, ppm");

static bool stuck;
module_param(stuck, bool, 0444);
MODULE_PARM_DESC(stuck, "every transfer times out (-ETIMEDOUT)");

static uint stuck_delay_us = 2000;
module_param(stuck_delay_us, uint, 0444);
MODULE_PARM_DESC(stuck_delay_us, "how long a stuck transfer takes, us (0..100000)");

static uint delay_us;
module_param(delay_us, uint, 0444);
MODULE_PARM_DESC(delay_us, "every transfer sleeps this long first, us (0..100000)");

static uint bus_khz;
module_param(bus_khz, uint, 0444);
MODULE_PARM_DESC(bus_khz, "0: instant transfers; 10..3400: each takes its bit time at this clock");

static struct pl_sim *sim_instance;

static int sim_apply_params(struct pl_sim *sim)
{
	const struct {
		enum pl_sim_knob knob;
		u64 val;
		const char *name;
	} params[] = {
		{ PL_SIM_K_SEED,		seed,		"seed" },
		{ PL_SIM_K_NACK_PPM,		nack_ppm,	"nack_ppm" },
		{ PL_SIM_K_PEC_ERROR_PPM,	pec_error_ppm,	"pec_error_ppm" },
		{ PL_SIM_K_STUCK,		stuck,		"stuck" },
		{ PL_SIM_K_STUCK_DELAY_US,	stuck_delay_us,	"stuck_delay_us" },
		{ PL_SIM_K_DELAY_US,		delay_us,	"delay_us" },
		{ PL_SIM_K_BUS_KHZ,		bus_khz,	"bus_khz" },
	};
	int i, ret;

	if (addr < 0x08 || addr > 0x77) {
		pr_err("addr 0x%02x is not a 7-bit device address\n", addr);
		return -EINVAL;
	}
	sim->addr = addr;

	for (i = 0; i < ARRAY_SIZE(params); i++) {
		ret = pl_sim_cfg_set(sim, params[i].knob, params[i].val);
		if (ret) {
			pr_err("%s=%llu out of range\n", params[i].name, params[i].val);
			return ret;
		}
	}

	ret = pl_sim_wave_select(sim, waveform);
	if (ret)
		pr_err("unknown waveform \"%s\"\n", waveform);
	return ret;
}

static int __init pl_sim_init(void)
{
	struct pl_sim *sim;
	int ret;

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;

	pl_sim_cfg_init(sim);
	pl_sim_regs_init(sim);
	ret = sim_apply_params(sim);
	if (ret)
		goto err_free;

	ret = pl_sim_adapter_init(sim);
	if (ret)
		goto err_free;

	pl_sim_debugfs_init(sim);
	sim_instance = sim;
	return 0;

err_free:
	kfree(sim);
	return ret;
}

static void __exit pl_sim_exit(void)
{
	/* debugfs first: no file operation may see the adapter go */
	pl_sim_debugfs_uninit(sim_instance);
	pl_sim_adapter_uninit(sim_instance);
	kfree(sim_instance);
}

module_init(pl_sim_init);
module_exit(pl_sim_exit);

MODULE_DESCRIPTION("powerledger test-only PMBus PSU simulator on a virtual i2c adapter");
MODULE_LICENSE("GPL");
