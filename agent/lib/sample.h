/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What one struct pl_sample (uapi/linux/powerledger.h) says about power:
 * shared by capture/ (which stores samples) and science/ (which judges
 * them), so neither needs the other for it.
 */
#ifndef PL_SAMPLE_H
#define PL_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/powerledger.h>

/* Does the sample hold all three DC output rails (POUT, VOUT, IOUT)? */
static inline bool sample_has_pvi(const struct pl_sample *s)
{
	const uint32_t need = PL_RAIL_POUT | PL_RAIL_VOUT | PL_RAIL_IOUT;

	return (s->rails & need) == need;
}

/*
 * POUT - VOUT * IOUT in W (sample_has_pvi() samples): what the features'
 * P vs V*I errors and rail-tamper's consistency test both measure.
 */
static inline double sample_pvi_residual_w(const struct pl_sample *s)
{
	return (double)s->pout_uw * 1e-6 - (double)s->vout_uv * (double)s->iout_ua * 1e-12;
}

/* Power of a sample in uW from the best rail present (PIN, else POUT); false if neither. */
static inline bool sample_power_uw(const struct pl_sample *s, int64_t *uw)
{
	if (s->rails & PL_RAIL_PIN) {
		*uw = s->pin_uw;
		return true;
	}
	if (s->rails & PL_RAIL_POUT) {
		*uw = s->pout_uw;
		return true;
	}
	return false;
}

#endif /* PL_SAMPLE_H */
