// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/powerledger_sim/: the test's handle on the simulator.
 *
 *   waveform          rw  name of the waveform; writing one selects it and
 *                         restarts its time (t0_ns = now); unknown: -EINVAL
 *   t0_ns             ro  ktime_get_ns() when the waveform was selected
 *   bus               ro  the adapter's i2c bus number
 *   addr              ro  the PSU's address (0x..)
 *   nack_ppm          rw  0..1000000: chance per transfer of -ENXIO
 *   pec_error_ppm     rw  0..1000000: chance per read carrying PEC that the
 *                         PEC byte is corrupted (the reader sees -EBADMSG)
 *   stuck             rw  0/1: every transfer sleeps stuck_delay_us, then
 *                         fails -ETIMEDOUT
 *   stuck_delay_us    rw  0..100000, default 2000
 *   delay_us          rw  0..100000: every transfer sleeps this long first
 *   seed              rw  fault PRNG seed; writing restarts the sequence
 *   status_word       rw  bits ORed into STATUS_WORD (0x.... accepted)
 *   bus_khz           rw  0 (default: transfers are instant) or 10..3400:
 *                         every transfer sleeps for the time its bits take
 *                         on a bus of that clock (9 per byte, START/STOP)
 *   absent_rails      rw  PL_RAIL_* bits (0..0x7f) whose READ_* register
 *                         the PSU does not have: reads NACK (-ENXIO) and
 *                         latch "unsupported command", as on a PSU without
 *                         that sensor; a driver bound afterwards skips it
 *   other_delay_us    rw  0..100000: transfers to any other address hold
 *                         the bus this long before they NACK (a slow
 *                         device elsewhere on the segment)
 *   xfers             ro  transfers addressed to the PSU
 *   nacks_injected    ro  of which failed -ENXIO by injection
 *   pec_injected      ro  of which had their PEC byte corrupted
 *   timeouts_injected ro  of which failed -ETIMEDOUT (stuck)
 *   device_ns         ro  CPU ns the transfers spent in the emulated device
 *                         (decoding, waveform, PEC; not injected sleeps):
 *                         work a real PSU does in silicon, which benchmarks
 *                         take out of the caller's CPU time
 *   xfers_suspended   ro  transfers that arrived while the controller was
 *                         suspended (system sleep) and failed -ESHUTDOWN
 *   suspends          ro  system sleeps the controller went through
 *   other_xfers       ro  transfers to other addresses (NACKed)
 *   reset_counters    wo  write 1: zero the counters and restart the
 *                         fault sequence from seed
 *
 * Out-of-range values give -EINVAL and change nothing.  Every file may be
 * used while transfers run (see sim.h); removal waits for open operations.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "sim.h"

static int knob_get(void *data, u64 *val)
{
	struct pl_sim_knob_ref *ref = data;

	*val = pl_sim_cfg_get(ref->sim, ref->knob);
	return 0;
}

static int knob_set(void *data, u64 val)
{
	struct pl_sim_knob_ref *ref = data;

	return pl_sim_cfg_set(ref->sim, ref->knob, val);
}
DEFINE_DEBUGFS_ATTRIBUTE(knob_fops, knob_get, knob_set, "%llu\n");

static int counter_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(counter_fops, counter_get, NULL, "%llu\n");

static int reset_counters_set(void *data, u64 val)
{
	if (val != 1)
		return -EINVAL;
	pl_sim_counters_reset(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(reset_counters_fops, NULL, reset_counters_set, "%llu\n");

static int t0_get(void *data, u64 *val)
{
	enum pl_sim_wave_id wave;

	pl_sim_wave_current(data, &wave, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(t0_fops, t0_get, NULL, "%llu\n");

static int bus_get(void *data, u64 *val)
{
	struct pl_sim *sim = data;

	*val = sim->adap.nr;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(bus_fops, bus_get, NULL, "%llu\n");

static int addr_get(void *data, u64 *val)
{
	struct pl_sim *sim = data;

	*val = sim->addr;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(addr_fops, addr_get, NULL, "0x%02llx\n");

static ssize_t waveform_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	const struct pl_sim_wave *w;
	enum pl_sim_wave_id wave;
	char buf[16];
	u64 t0_ns;
	int len;

	pl_sim_wave_current(file->private_data, &wave, &t0_ns);
	w = pl_sim_wave_get(wave);
	len = scnprintf(buf, sizeof(buf), "%s\n", w ? w->name : "?");
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t waveform_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	char buf[16];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	ret = pl_sim_wave_select(file->private_data, buf);
	if (ret)
		return ret;
	return count;
}

static const struct file_operations waveform_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= waveform_read,
	.write	= waveform_write,
	.llseek	= default_llseek,
};

static const char *const knob_names[__PL_SIM_K_MAX] = {
	[PL_SIM_K_NACK_PPM]		= "nack_ppm",
	[PL_SIM_K_PEC_ERROR_PPM]	= "pec_error_ppm",
	[PL_SIM_K_DELAY_US]		= "delay_us",
	[PL_SIM_K_STUCK]		= "stuck",
	[PL_SIM_K_STUCK_DELAY_US]	= "stuck_delay_us",
	[PL_SIM_K_SEED]			= "seed",
	[PL_SIM_K_STATUS_WORD]		= "status_word",
	[PL_SIM_K_BUS_KHZ]		= "bus_khz",
	[PL_SIM_K_ABSENT_RAILS]		= "absent_rails",
	[PL_SIM_K_OTHER_DELAY_US]	= "other_delay_us",
};

static const char *const counter_names[__PL_SIM_C_MAX] = {
	[PL_SIM_C_XFERS]	= "xfers",
	[PL_SIM_C_NACKS]	= "nacks_injected",
	[PL_SIM_C_PEC]		= "pec_injected",
	[PL_SIM_C_TIMEOUTS]	= "timeouts_injected",
	[PL_SIM_C_DEVICE_NS]	= "device_ns",
	[PL_SIM_C_SUSPENDED]	= "xfers_suspended",
	[PL_SIM_C_SUSPENDS]	= "suspends",
	[PL_SIM_C_OTHER]	= "other_xfers",
};

/*
 * Creates the directory.  debugfs failures are not errors (the simulator
 * still runs on its load-time parameters), so nothing here is checked.
 */
void pl_sim_debugfs_init(struct pl_sim *sim)
{
	struct dentry *dir;
	int i;

	dir = debugfs_create_dir(PL_SIM_DEBUGFS, NULL);
	sim->debugfs = dir;

	debugfs_create_file("waveform", 0644, dir, sim, &waveform_fops);
	debugfs_create_file_unsafe("t0_ns", 0444, dir, sim, &t0_fops);
	debugfs_create_file_unsafe("bus", 0444, dir, sim, &bus_fops);
	debugfs_create_file_unsafe("addr", 0444, dir, sim, &addr_fops);

	for (i = 0; i < __PL_SIM_K_MAX; i++) {
		sim->knob_refs[i].sim = sim;
		sim->knob_refs[i].knob = i;
		debugfs_create_file_unsafe(knob_names[i], 0644, dir,
					   &sim->knob_refs[i], &knob_fops);
	}
	for (i = 0; i < __PL_SIM_C_MAX; i++)
		debugfs_create_file_unsafe(counter_names[i], 0444, dir,
					   &sim->counters[i], &counter_fops);
	debugfs_create_file_unsafe("reset_counters", 0200, dir, sim,
				   &reset_counters_fops);
}

/* Removes the directory; returns once no file operation is running. */
void pl_sim_debugfs_uninit(struct pl_sim *sim)
{
	debugfs_remove_recursive(sim->debugfs);
}
