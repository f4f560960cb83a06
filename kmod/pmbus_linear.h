/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * PMBus LINEAR11 / LINEAR16 conversions, integers only.
 *
 * The one copy of this arithmetic: the module (kmod/pmbus.c), its KUnit
 * suite, the PSU simulator (tests/sim/) and user-space tools all include this
 * header.  It needs only fixed-width integer types: in the kernel they come
 * from <linux/types.h>, in user space from <stdint.h> via the typedefs below.
 *
 * Decoding follows pmbus_reg2data_linear() in drivers/hwmon/pmbus/pmbus_core.c:
 * the mantissa is scaled first and then shifted by the exponent (arithmetic
 * shift, so negative values round toward minus infinity), which is why a
 * result can differ by one unit from exact rounding.  pmbus_core scales to
 * milli-units (micro for power); we scale everything to micro-units.
 */
#ifndef _PL_PMBUS_LINEAR_H
#define _PL_PMBUS_LINEAR_H

#ifdef __KERNEL__
#include <linux/limits.h>
#include <linux/types.h>
#ifndef INT64_MAX
#define INT64_MAX S64_MAX
#endif
#else
#include <stdint.h>
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

/* PMBus commands used by the module and the simulator. */
#define PMBUS_PAGE			0x00
#define PMBUS_OPERATION			0x01
#define PMBUS_CLEAR_FAULTS		0x03
#define PMBUS_CAPABILITY		0x19
#define PMBUS_VOUT_MODE			0x20
#define PMBUS_STATUS_BYTE		0x78
#define PMBUS_STATUS_WORD		0x79
#define PMBUS_STATUS_CML		0x7e
#define PMBUS_READ_VIN			0x88
#define PMBUS_READ_IIN			0x89
#define PMBUS_READ_VOUT			0x8b
#define PMBUS_READ_IOUT			0x8c
#define PMBUS_READ_TEMPERATURE_1	0x8d
#define PMBUS_READ_POUT			0x96
#define PMBUS_READ_PIN			0x97
#define PMBUS_REVISION			0x98
#define PMBUS_MFR_ID			0x99
#define PMBUS_MFR_MODEL			0x9a
#define PMBUS_MFR_REVISION		0x9b
#define PMBUS_MFR_SERIAL		0x9e

/* CAPABILITY bits (PMBus 1.3 part II, 11.1) */
#define PB_CAPABILITY_PEC		0x80
#define PB_CAPABILITY_SPEED_MASK	0x60	/* 00: 100 kHz, 01: 400 kHz, 10: 1 MHz */
#define PB_CAPABILITY_SMBALERT		0x10

/* VOUT_MODE: bits 7:5 mode (000 = linear), bits 4:0 exponent (two's complement) */
#define PB_VOUT_MODE_MODE_MASK		0xe0
#define PB_VOUT_MODE_LINEAR		0x00

/* STATUS_WORD bits that mean "something is wrong" */
#define PB_STATUS_FAULT_MASK		0x00ff	/* low byte = STATUS_BYTE */

/* Scale factors: raw unit -> micro-unit (uV, uA, uW); millidegree for temperature. */
#define PL_SCALE_MICRO			1000000LL
#define PL_SCALE_MILLI			1000LL

/* Sign-extend the 5-bit exponent of a LINEAR11 word. */
static inline s32 pl_linear11_exponent(u16 raw)
{
	return ((s16)raw) >> 11;
}

/* Sign-extend the 11-bit mantissa of a LINEAR11 word. */
static inline s32 pl_linear11_mantissa(u16 raw)
{
	return ((s16)((raw & 0x7ff) << 5)) >> 5;
}

/* Exponent of LINEAR16 data from VOUT_MODE; only meaningful in linear mode. */
static inline s32 pl_vout_mode_exponent(u8 vout_mode)
{
	return ((s8)(vout_mode << 3)) >> 3;
}

static inline s64 pl_linear_shift(s64 val, s32 exponent)
{
	if (exponent >= 0)
		return val * ((s64)1 << exponent);	/* exponent <= 15: no overflow for |val| <= 2^47 */
	return val >> -exponent;
}

/* LINEAR11 -> value * scale; scale PL_SCALE_MICRO gives uV / uA / uW. */
static inline s64 pl_linear11_decode(u16 raw, s64 scale)
{
	return pl_linear_shift((s64)pl_linear11_mantissa(raw) * scale,
			       pl_linear11_exponent(raw));
}

/* LINEAR16 (unsigned mantissa, exponent from VOUT_MODE) -> value * scale. */
static inline s64 pl_linear16_decode(u16 raw, u8 vout_mode, s64 scale)
{
	return pl_linear_shift((s64)raw * scale, pl_vout_mode_exponent(vout_mode));
}

/*
 * value (in units of 1/scale) -> LINEAR11, choosing the smallest exponent
 * (-16..15) whose mantissa fits 11 signed bits, so precision is maximal.
 * The mantissa is truncated toward zero.  Values beyond 1023 * 2^15 units
 * saturate.
 */
static inline u16 pl_linear11_encode(s64 val, s64 scale)
{
	s32 e;
	s64 m;

	for (e = -16; e <= 15; e++) {
		if (e < 0) {
			/* val * 2^-e would overflow: this exponent is too small anyway */
			if (val > (INT64_MAX >> -e) || val < -(INT64_MAX >> -e))
				continue;
			m = (val * ((s64)1 << -e)) / scale;
		} else {
			m = val / scale / ((s64)1 << e);
		}
		if (m >= -1024 && m <= 1023)
			break;
	}
	if (e > 15) {
		e = 15;
		m = val < 0 ? -1024 : 1023;
	}
	return (u16)((((u32)e & 0x1f) << 11) | ((u32)m & 0x7ff));
}

/*
 * value (in units of 1/scale) -> LINEAR16 mantissa for the VOUT_MODE
 * exponent; truncates toward zero, saturates to 0..0xffff.
 */
static inline u16 pl_linear16_encode(s64 val, u8 vout_mode, s64 scale)
{
	s32 e = pl_vout_mode_exponent(vout_mode);
	s64 m;

	if (e < 0 && (val > (INT64_MAX >> -e) || val < -(INT64_MAX >> -e)))
		m = val < 0 ? 0 : 0xffff;
	else if (e < 0)
		m = (val * ((s64)1 << -e)) / scale;
	else
		m = val / scale / ((s64)1 << e);
	if (m < 0)
		m = 0;
	if (m > 0xffff)
		m = 0xffff;
	return (u16)m;
}

#endif /* _PL_PMBUS_LINEAR_H */
