// SPDX-License-Identifier: GPL-2.0
/*
 * Runtime configuration (waveform selection, fault knobs) and fault
 * injection.
 *
 * Faults are drawn from pl_sim_splitmix64(seed, n), not get_random_*(), so
 * a run repeats: transfer k (counting from 0 at load and whenever seed is
 * written or the counters are reset) fails with -ENXIO when
 * pl_sim_ppm_draw(splitmix64(seed, 2k)) < nack_ppm, and, if it reads a PEC
 * byte, has it corrupted when pl_sim_ppm_draw(splitmix64(seed, 2k + 1)) <
 * pec_error_ppm.  A transfer carries one fault at most, in this order:
 * stuck (-ETIMEDOUT), NACK (-ENXIO), corrupted PEC; delay_us is a slowdown,
 * not a fault, and applies to every transfer.
 */
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/string.h>

#include "sim.h"

void pl_sim_cfg_init(struct pl_sim *sim)
{
	int i;

	spin_lock_init(&sim->lock);
	memset(&sim->cfg, 0, sizeof(sim->cfg));
	sim->cfg.wave = PL_SIM_FLAT;
	sim->cfg.t0_ns = ktime_get_ns();
	sim->cfg.stuck_delay_us = 2000;
	sim->draws = 0;
	for (i = 0; i < __PL_SIM_C_MAX; i++)
		atomic64_set(&sim->counters[i], 0);
}

/*
 * Sets one knob.  Returns 0, or -EINVAL when @val is out of its range
 * (ppm 0..1000000, delays 0..100000 us, stuck 0/1, status_word 16 bits).
 * Writing the seed restarts the fault sequence.
 */
int pl_sim_cfg_set(struct pl_sim *sim, enum pl_sim_knob knob, u64 val)
{
	struct pl_sim_cfg *cfg = &sim->cfg;
	int ret = 0;

	spin_lock(&sim->lock);
	switch (knob) {
	case PL_SIM_K_NACK_PPM:
		if (val > PL_SIM_PPM_MAX)
			ret = -EINVAL;
		else
			cfg->nack_ppm = val;
		break;
	case PL_SIM_K_PEC_ERROR_PPM:
		if (val > PL_SIM_PPM_MAX)
			ret = -EINVAL;
		else
			cfg->pec_error_ppm = val;
		break;
	case PL_SIM_K_DELAY_US:
		if (val > PL_SIM_DELAY_MAX_US)
			ret = -EINVAL;
		else
			cfg->delay_us = val;
		break;
	case PL_SIM_K_STUCK:
		if (val > 1)
			ret = -EINVAL;
		else
			cfg->stuck = val;
		break;
	case PL_SIM_K_STUCK_DELAY_US:
		if (val > PL_SIM_DELAY_MAX_US)
			ret = -EINVAL;
		else
			cfg->stuck_delay_us = val;
		break;
	case PL_SIM_K_SEED:
		cfg->seed = val;
		sim->draws = 0;
		break;
	case PL_SIM_K_STATUS_WORD:
		if (val > U16_MAX)
			ret = -EINVAL;
		else
			cfg->status_word = val;
		break;
	case PL_SIM_K_BUS_KHZ:
		if (val && (val < PL_SIM_BUS_KHZ_MIN || val > PL_SIM_BUS_KHZ_MAX))
			ret = -EINVAL;
		else
			cfg->bus_khz = val;
		break;
	case PL_SIM_K_ABSENT_RAILS:
		if (val & ~(u64)__PL_RAIL_ALL)
			ret = -EINVAL;
		else
			cfg->absent_rails = val;
		break;
	case PL_SIM_K_OTHER_DELAY_US:
		if (val > PL_SIM_DELAY_MAX_US)
			ret = -EINVAL;
		else
			cfg->other_delay_us = val;
		break;
	default:
		ret = -EINVAL;
		break;
	}
	spin_unlock(&sim->lock);
	return ret;
}

u64 pl_sim_cfg_get(struct pl_sim *sim, enum pl_sim_knob knob)
{
	struct pl_sim_cfg *cfg = &sim->cfg;
	u64 val;

	spin_lock(&sim->lock);
	switch (knob) {
	case PL_SIM_K_NACK_PPM:
		val = cfg->nack_ppm;
		break;
	case PL_SIM_K_PEC_ERROR_PPM:
		val = cfg->pec_error_ppm;
		break;
	case PL_SIM_K_DELAY_US:
		val = cfg->delay_us;
		break;
	case PL_SIM_K_STUCK:
		val = cfg->stuck;
		break;
	case PL_SIM_K_STUCK_DELAY_US:
		val = cfg->stuck_delay_us;
		break;
	case PL_SIM_K_SEED:
		val = cfg->seed;
		break;
	case PL_SIM_K_STATUS_WORD:
		val = cfg->status_word;
		break;
	case PL_SIM_K_BUS_KHZ:
		val = cfg->bus_khz;
		break;
	case PL_SIM_K_ABSENT_RAILS:
		val = cfg->absent_rails;
		break;
	case PL_SIM_K_OTHER_DELAY_US:
		val = cfg->other_delay_us;
		break;
	default:
		val = 0;
		break;
	}
	spin_unlock(&sim->lock);
	return val;
}

/*
 * Selects the waveform called @name (a trailing newline is ignored) and
 * restarts its time: t0_ns = now.  Returns 0 or -EINVAL for an unknown name.
 */
int pl_sim_wave_select(struct pl_sim *sim, const char *name)
{
	const struct pl_sim_wave *w;
	unsigned int i;

	for (i = 0; i < __PL_SIM_WAVE_MAX; i++) {
		w = pl_sim_wave_get(i);
		if (!sysfs_streq(name, w->name))
			continue;
		spin_lock(&sim->lock);
		sim->cfg.wave = w->id;
		sim->cfg.t0_ns = ktime_get_ns();
		spin_unlock(&sim->lock);
		return 0;
	}
	return -EINVAL;
}

/* The waveform and its t0 as one consistent pair. */
void pl_sim_wave_current(struct pl_sim *sim, enum pl_sim_wave_id *wave, u64 *t0_ns)
{
	spin_lock(&sim->lock);
	*wave = sim->cfg.wave;
	*t0_ns = sim->cfg.t0_ns;
	spin_unlock(&sim->lock);
}

/*
 * Zeroes the counters and restarts the fault sequence.  A transfer in
 * flight meanwhile may still count after the reset: reset while idle.
 */
void pl_sim_counters_reset(struct pl_sim *sim)
{
	int i;

	spin_lock(&sim->lock);
	sim->draws = 0;
	for (i = 0; i < __PL_SIM_C_MAX; i++)
		atomic64_set(&sim->counters[i], 0);
	spin_unlock(&sim->lock);
}

/*
 * Whether the adapter is suspended, and if it is, count a transfer that
 * came anyway (a real controller would be powered down: the i2c core's
 * i2c_mark_adapter_suspended() fails such transfers with -ESHUTDOWN).
 */
bool pl_sim_suspended_xfer(struct pl_sim *sim)
{
	bool suspended;

	spin_lock(&sim->lock);
	suspended = sim->suspended;
	spin_unlock(&sim->lock);
	if (suspended)
		atomic64_inc(&sim->counters[PL_SIM_C_SUSPENDED]);
	return suspended;
}

void pl_sim_set_suspended(struct pl_sim *sim, bool suspended)
{
	spin_lock(&sim->lock);
	sim->suspended = suspended;
	spin_unlock(&sim->lock);
	if (suspended)
		atomic64_inc(&sim->counters[PL_SIM_C_SUSPENDS]);
}

/* Starts a transfer to the PSU: snapshot the configuration, count it. */
void pl_sim_fault_begin(struct pl_sim *sim, struct pl_sim_xfer *x)
{
	spin_lock(&sim->lock);
	x->cfg = sim->cfg;
	x->draw = sim->draws++;
	atomic64_inc(&sim->counters[PL_SIM_C_XFERS]);
	spin_unlock(&sim->lock);
}

static void sim_sleep_us(u32 us)
{
	if (us)
		usleep_range(us, us + us / 16 + 1);
}

static bool sim_fires(const struct pl_sim_xfer *x, u64 n, u32 ppm)
{
	return pl_sim_ppm_draw(pl_sim_splitmix64(x->cfg.seed, n)) < ppm;
}

/*
 * Before the PSU sees the transfer (may sleep): the slowdown, then a stuck
 * bus or a NACK.  Returns 0, -ETIMEDOUT or -ENXIO.
 */
int pl_sim_fault_inject(struct pl_sim *sim, const struct pl_sim_xfer *x)
{
	sim_sleep_us(x->cfg.delay_us);

	if (x->cfg.stuck) {
		sim_sleep_us(x->cfg.stuck_delay_us);
		atomic64_inc(&sim->counters[PL_SIM_C_TIMEOUTS]);
		return -ETIMEDOUT;
	}
	if (sim_fires(x, 2 * x->draw, x->cfg.nack_ppm)) {
		atomic64_inc(&sim->counters[PL_SIM_C_NACKS]);
		return -ENXIO;
	}
	return 0;
}

/*
 * After a successful transfer: @pec points at the PEC byte the PSU sent,
 * NULL when it sent none (no PEC requested, or a write).
 */
void pl_sim_fault_pec(struct pl_sim *sim, const struct pl_sim_xfer *x, u8 *pec)
{
	if (!pec || !sim_fires(x, 2 * x->draw + 1, x->cfg.pec_error_ppm))
		return;
	*pec ^= 0xff;
	atomic64_inc(&sim->counters[PL_SIM_C_PEC]);
}
