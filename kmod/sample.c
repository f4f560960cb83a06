// SPDX-License-Identifier: GPL-2.0
/*
 * Record packing: raw PMBus words into struct pl_sample fields.  Pure code
 * (no bus, no locks), shared by the sampler and the KUnit suite.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/math64.h>

#include "powerledger.h"
#include "pmbus_linear.h"

static s64 *rail_field(struct pl_sample *s, u32 rail)
{
	switch (rail) {
	case PL_RAIL_VIN:
		return &s->vin_uv;
	case PL_RAIL_IIN:
		return &s->iin_ua;
	case PL_RAIL_VOUT:
		return &s->vout_uv;
	case PL_RAIL_IOUT:
		return &s->iout_ua;
	case PL_RAIL_POUT:
		return &s->pout_uw;
	case PL_RAIL_PIN:
		return &s->pin_uw;
	}
	return NULL;
}

/*
 * Decode @raw for @rail into @s and mark the rail valid.  VOUT is LINEAR16
 * with the exponent of @vout_mode, temperature LINEAR11 in millidegrees,
 * everything else LINEAR11 in micro-units.  Returns -EINVAL for an unknown
 * rail and -EOPNOTSUPP for VOUT when VOUT_MODE is not linear.
 */
int pl_sample_set_rail(struct pl_sample *s, u32 rail, u16 raw, u8 vout_mode)
{
	s64 *f;

	if (rail == PL_RAIL_TEMP) {
		s->temp_mc = (s32)pl_linear11_decode(raw, PL_SCALE_MILLI);
		s->rails |= rail;
		return 0;
	}
	f = rail_field(s, rail);
	if (!f)
		return -EINVAL;
	if (rail == PL_RAIL_VOUT) {
		if ((vout_mode & PB_VOUT_MODE_MODE_MASK) != PB_VOUT_MODE_LINEAR)
			return -EOPNOTSUPP;
		*f = pl_linear16_decode(raw, vout_mode, PL_SCALE_MICRO);
	} else {
		*f = pl_linear11_decode(raw, PL_SCALE_MICRO);
	}
	s->rails |= rail;
	return 0;
}

/* micro-units (millidegree for PL_RAIL_TEMP); 0 for an unknown rail */
s64 pl_sample_rail_value(const struct pl_sample *s, u32 rail)
{
	s64 *f;

	if (rail == PL_RAIL_TEMP)
		return s->temp_mc;
	f = rail_field((struct pl_sample *)s, rail);
	return f ? *f : 0;
}

/*
 * Jitter histogram bucket for a deviation of @dev_ns from the period:
 * 0 below 1 us, b in [2^(b-1), 2^b) us, the last bucket for the rest.
 */
unsigned int pl_jitter_bucket(u64 dev_ns)
{
	u64 us = div_u64(dev_ns, NSEC_PER_USEC);
	unsigned int b;

	if (!us)
		return 0;
	b = ilog2(us) + 1;
	return min_t(unsigned int, b, PL_JITTER_BUCKETS - 1);
}
