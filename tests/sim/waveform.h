/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waveforms of the PMBus PSU simulator: deterministic, integers only, a
 * function of time alone.
 *
 * Shared by the simulator module (tests/sim/) and user-space programs that
 * predict what it reports (tests/sim/waveform_test.c, tests/vm/tools/), so
 * this header uses nothing but the fixed-width types of pmbus_linear.h and,
 * in the kernel, div_u64()/div64_s64() so that it would also link on 32-bit.
 *
 * The contract tests rely on:
 *  - t_ns counts from the moment the waveform was selected (the simulator's
 *    debugfs t0_ns, CLOCK_MONOTONIC).
 *  - Every rail depends on time only through t_ms = t_ns / 1 ms, and every
 *    value holds for at least PL_SIM_SEGMENT_MIN_MS: a sample whose bus reads
 *    take less than that sees at most one change, so each value it read
 *    equals the waveform at the sample's start or at its end.  Every level
 *    change of every waveform falls on an even millisecond, so the noise
 *    segments below never split into shorter pieces.
 *  - Measurement noise, like a real PSU's ADCs: for each 2 ms segment
 *    k = t_ms / 2, one splitmix64 draw keyed by PL_SIM_NOISE_KEY (see
 *    pl_sim_noise_get()) offsets PIN by (-8..8) * PIN / 4000 (+-0.2 %;
 *    the miner +-0.02 %, / 40000), VIN by (-4..4) * 50 mV (+-200 mV), and
 *    each page's VOUT by (-2..2) * 2 mV (+-4 mV).  Temperature carries no
 *    noise.  The noise survives PMBus quantization (VIN 230 V has a 0.25 V
 *    LSB, PIN 450 W 0.5 W, VOUT LINEAR16 exponent -9 1.95 mV), so after an
 *    encode/decode trip no 50 ms stretch reads all rails bit-identical: the
 *    agent's rail-tamper detector takes that for a frozen capture path.
 *  - The noise is applied to PIN, VIN and VOUT before the other rails are
 *    derived from them, so the rails are physically consistent on every
 *    page (integer arithmetic, truncating): iin_ua = pin_uw * 10^6 / vin_uv,
 *    pout_uw = pin_uw * PL_SIM_EFFICIENCY_PCT / 100,
 *    iout_ua = pout_uw * 10^6 / vout_uv.  The one exception is the step
 *    waveform after PL_SIM_STEP_AT_MS, a tampered rail on purpose (below).
 *  - Page 0 is the main 12 V rail.  Page 1 is a 5 V auxiliary rail drawing
 *    a quarter of page 0's (noisy) input power (pin / 4) at the same VIN,
 *    5 C cooler, with VOUT noise of its own; its other rails follow from the
 *    rules above.  Any other page reads as page 0 (the simulator only ever
 *    selects 0 or 1).
 */
#ifndef _PL_SIM_WAVEFORM_H
#define _PL_SIM_WAVEFORM_H

#include "pmbus_linear.h"	/* s64, u64, ...: kernel or <stdint.h> */

#ifdef __KERNEL__
#include <linux/math64.h>
#include <linux/string.h>
#else
#include <string.h>
#endif

#define PL_SIM_NS_PER_MS	1000000ULL
#define PL_SIM_SEGMENT_MIN_MS	2	/* shortest time any value holds */
#define PL_SIM_PAGES		2
#define PL_SIM_EFFICIENCY_PCT	94	/* pout = 94 % of pin */

enum pl_sim_wave_id {
	PL_SIM_FLAT,
	PL_SIM_BURSTY,
	PL_SIM_MINER,
	PL_SIM_STEP,
	__PL_SIM_WAVE_MAX
};

/* A waveform: its id and the name the simulator's debugfs and params use. */
struct pl_sim_wave {
	enum pl_sim_wave_id id;
	const char *name;
};

/* Every rail of one page at one time, hwmon-like micro units. */
struct pl_sim_rails {
	s64 vin_uv, iin_ua, vout_uv, iout_ua, pout_uw, pin_uw;
	s32 temp_mc;	/* millidegree Celsius */
};

#ifdef __KERNEL__
static inline u64 pl_sim_div_u64(u64 a, u32 b)
{
	return div_u64(a, b);
}

static inline s64 pl_sim_div_s64(s64 a, s64 b)
{
	return div64_s64(a, b);
}
#else
static inline u64 pl_sim_div_u64(u64 a, u32 b)
{
	return a / b;
}

static inline s64 pl_sim_div_s64(s64 a, s64 b)
{
	return a / b;
}
#endif

/*
 * The n-th output (n = 0, 1, ...) of the splitmix64 generator started at
 * @seed: stateless, so any draw can be recomputed.  For seed 0 the first
 * outputs are 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f.
 * The simulator's fault injection uses it too (see pl_sim_ppm_draw()).
 */
static inline u64 pl_sim_splitmix64(u64 seed, u64 n)
{
	u64 z = seed + (n + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Maps a 64-bit draw to 0..999999 (no division): "fires" when < ppm. */
static inline u32 pl_sim_ppm_draw(u64 r)
{
	return (u32)(((r >> 32) * 1000000ULL) >> 32);
}

/* Waveform @id (NULL when out of range). */
static inline const struct pl_sim_wave *pl_sim_wave_get(unsigned int id)
{
	static const struct pl_sim_wave waves[__PL_SIM_WAVE_MAX] = {
		{ PL_SIM_FLAT,   "flat" },
		{ PL_SIM_BURSTY, "bursty" },
		{ PL_SIM_MINER,  "miner" },
		{ PL_SIM_STEP,   "step" },
	};

	return id < __PL_SIM_WAVE_MAX ? &waves[id] : NULL;
}

/* Waveform called exactly @name, or NULL. */
static inline const struct pl_sim_wave *pl_sim_wave_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < __PL_SIM_WAVE_MAX; i++)
		if (!strcmp(pl_sim_wave_get(i)->name, name))
			return pl_sim_wave_get(i);
	return NULL;
}

/* Fills the derived rails from PIN, VIN, VOUT and temperature. */
static inline void pl_sim_rails_set(struct pl_sim_rails *r, s64 pin_uw,
				    s64 vin_uv, s64 vout_uv, s32 temp_mc)
{
	r->pin_uw = pin_uw;
	r->vin_uv = vin_uv;
	r->iin_ua = pl_sim_div_s64(pin_uw * 1000000, vin_uv);
	r->pout_uw = pl_sim_div_s64(pin_uw * PL_SIM_EFFICIENCY_PCT, 100);
	r->vout_uv = vout_uv;
	r->iout_ua = pl_sim_div_s64(r->pout_uw * 1000000, vout_uv);
	r->temp_mc = temp_mc;
}

/*
 * Measurement noise of the 2 ms segment holding @t_ms: offsets in steps,
 * all from one splitmix64 draw (16-bit fields, each reduced modulo the
 * number of steps: the bias is below 10^-3).
 */
#define PL_SIM_NOISE_MS			2	/* noise holds over [2k, 2k + 2) ms */
#define PL_SIM_NOISE_KEY		0x706c2d6e6f697365ULL	/* "pl-noise" */
#define PL_SIM_PIN_NOISE_STEPS		8	/* pin += pin * (-8..8) / div */
#define PL_SIM_PIN_NOISE_DIV		4000	/* +-0.2 % */
#define PL_SIM_MINER_PIN_NOISE_DIV	40000	/* +-0.02 % */
#define PL_SIM_VIN_NOISE_STEPS		4	/* vin += (-4..4) * 50 mV */
#define PL_SIM_VIN_NOISE_UV		50000LL
#define PL_SIM_VOUT_NOISE_STEPS		2	/* vout += (-2..2) * 2 mV */
#define PL_SIM_VOUT_NOISE_UV		2000LL

struct pl_sim_noise {
	s32 pin;			/* -8..8 */
	s32 vin;			/* -4..4 */
	s32 vout[PL_SIM_PAGES];		/* -2..2, per page */
};

static inline u32 pl_sim_noise_field(u64 h, unsigned int field, s32 steps)
{
	return ((u32)(h >> (16 * field)) & 0xffff) % (u32)(2 * steps + 1);
}

static inline void pl_sim_noise_get(u64 t_ms, struct pl_sim_noise *n)
{
	u64 h = pl_sim_splitmix64(PL_SIM_NOISE_KEY,
				  pl_sim_div_u64(t_ms, PL_SIM_NOISE_MS));

	n->pin = (s32)pl_sim_noise_field(h, 0, PL_SIM_PIN_NOISE_STEPS) -
		 PL_SIM_PIN_NOISE_STEPS;
	n->vin = (s32)pl_sim_noise_field(h, 1, PL_SIM_VIN_NOISE_STEPS) -
		 PL_SIM_VIN_NOISE_STEPS;
	n->vout[0] = (s32)pl_sim_noise_field(h, 2, PL_SIM_VOUT_NOISE_STEPS) -
		     PL_SIM_VOUT_NOISE_STEPS;
	n->vout[1] = (s32)pl_sim_noise_field(h, 3, PL_SIM_VOUT_NOISE_STEPS) -
		     PL_SIM_VOUT_NOISE_STEPS;
}

/*
 * flat: a steady load.  PIN 450 W +-0.2 %, VIN 230 V +-0.2 V, VOUT 12 V
 * +-4 mV (the noise above), 40 C.  Mean PIN 450 W.
 */
#define PL_SIM_FLAT_PIN_UW		450000000LL
#define PL_SIM_VIN_UV			230000000LL
#define PL_SIM_VOUT_UV			12000000LL
#define PL_SIM_VOUT1_UV			5000000LL

/*
 * bursty: LLM inference.  Time is cut into 1 s frames, one request each.  A
 * frame alternates idle gaps of 10-80 ms at 290-310 W (45 C) and compute
 * bursts of 20-120 ms at 650-700 W (55 C), lengths (even milliseconds, so
 * that levels change with the noise segments) and levels (whole watts)
 * drawn from splitmix64 keyed by the frame number; when the next gap+burst
 * pair would end less than 10 ms before the frame does, the rest of the
 * frame is idle (the pause between requests: 10-208 ms, 10-288 ms with the
 * next frame's first gap).  Mean PIN about 510 W, coefficient of variation
 * about 0.37, a token-cadence-like rhythm.  The noise above on top of the
 * levels; VIN 230 V, VOUT 12 V.
 * At most 34 pairs per frame, so an evaluation is cheap at any t.
 */
#define PL_SIM_BURSTY_FRAME_MS		1000
#define PL_SIM_BURSTY_GAP_MIN_MS	10
#define PL_SIM_BURSTY_GAP_STEPS		36	/* gaps 10, 12, .. 80 ms */
#define PL_SIM_BURSTY_BURST_MIN_MS	20
#define PL_SIM_BURSTY_BURST_STEPS	51	/* bursts 20, 22, .. 120 ms */
#define PL_SIM_BURSTY_KEY		0x706c2d6275727374ULL	/* "pl-burst" */

static inline void pl_sim_bursty(u64 t_ms, s64 *pin_uw, s32 *temp_mc)
{
	u64 frame = pl_sim_div_u64(t_ms, PL_SIM_BURSTY_FRAME_MS);
	u32 off = (u32)(t_ms - frame * PL_SIM_BURSTY_FRAME_MS);
	u64 key = pl_sim_splitmix64(PL_SIM_BURSTY_KEY, frame);
	u32 pos = 0, gap, burst, j;
	s64 idle_uw, busy_uw;
	u64 h1, h2;

	for (j = 0; ; j++) {
		h1 = pl_sim_splitmix64(key, 2 * j);
		h2 = pl_sim_splitmix64(key, 2 * j + 1);
		gap = PL_SIM_BURSTY_GAP_MIN_MS + 2 * ((u32)h1 % PL_SIM_BURSTY_GAP_STEPS);
		burst = PL_SIM_BURSTY_BURST_MIN_MS + 2 * ((u32)h2 % PL_SIM_BURSTY_BURST_STEPS);
		idle_uw = (290 + (s64)((u32)(h1 >> 32) % 21)) * 1000000;
		busy_uw = (650 + (s64)((u32)(h2 >> 32) % 51)) * 1000000;

		/* pos <= FRAME - GAP_MIN here, so the idle tail lasts >= 10 ms */
		if (pos + gap + burst > PL_SIM_BURSTY_FRAME_MS - PL_SIM_BURSTY_GAP_MIN_MS ||
		    off < pos + gap) {
			*pin_uw = idle_uw;
			*temp_mc = 45000;
			return;
		}
		if (off < pos + gap + burst) {
			*pin_uw = busy_uw;
			*temp_mc = 55000;
			return;
		}
		pos += gap + burst;
	}
}

/*
 * miner: a hidden crypto miner.  Near the PSU's limit and flat but for the
 * hashing cadence: PIN 2848 W + 6 W for 20 ms, then 2848 W - 6 W for 20 ms,
 * and again (a 25 Hz square wave starting high at t = 0: the power sits in
 * a few spectral lines, low spectral entropy), no bursts of requests, a
 * coefficient of variation of about 0.2 %.  PIN noise only +-0.02 % (a
 * steady load), VIN and VOUT noise as everywhere.  VIN 230 V, VOUT 12 V,
 * 68 C.
 */
/* Levels 2854 / 2842 W sit mid-LSB (4 W there), so the noise never flips a reading. */
#define PL_SIM_MINER_PIN_UW		2848000000LL
#define PL_SIM_MINER_RIPPLE_UW		6000000LL
#define PL_SIM_MINER_HALF_MS		20	/* half period: 40 ms, 25 Hz */

/*
 * step: a tampered rail.  For t < 3 s a consistent 600 W load (with the
 * noise above).  From 3 s on, the POWER readings jump to a 1500 W draw
 * (PIN 1500 W with its noise, POUT 94 % of that) while IIN and IOUT keep
 * reporting the currents of the 600 W draw (derived from 600 W with the
 * same noise step and the same noisy VIN and VOUT), and VIN stays at about
 * 230 V.  POUT then exceeds VOUT * IOUT by about 150 % (and PIN VIN * IIN),
 * which physics does not allow: someone rewrote the power registers
 * (a falsified meter), the current sensors still tell the truth.  45 C
 * throughout.
 */
#define PL_SIM_STEP_AT_MS		3000
#define PL_SIM_STEP_PIN0_UW		600000000LL
#define PL_SIM_STEP_PIN1_UW		1500000000LL

/* @pin_uw plus @steps of 1 / @div of itself (truncating). */
static inline s64 pl_sim_noisy(s64 pin_uw, s32 steps, s64 div)
{
	return pin_uw + pl_sim_div_s64(pin_uw * steps, div);
}

/*
 * Rails of @wave (NULL reads as flat) at @t_ns after the waveform was
 * selected, on PMBus @page (see the top of this file).
 */
static inline void pl_sim_wave_eval(const struct pl_sim_wave *wave, u64 t_ns,
				    u8 page, struct pl_sim_rails *r)
{
	u64 t_ms = pl_sim_div_u64(t_ns, PL_SIM_NS_PER_MS);
	enum pl_sim_wave_id id = wave ? wave->id : PL_SIM_FLAT;
	s64 pin_uw = PL_SIM_FLAT_PIN_UW, shown_uw = 0, vin_uv, vout_uv;
	s64 pin_div = PL_SIM_PIN_NOISE_DIV;
	struct pl_sim_noise n;
	s32 temp_mc = 40000;

	switch (id) {
	case PL_SIM_BURSTY:
		pl_sim_bursty(t_ms, &pin_uw, &temp_mc);
		break;
	case PL_SIM_MINER:
		if (pl_sim_div_u64(t_ms, PL_SIM_MINER_HALF_MS) & 1)
			pin_uw = PL_SIM_MINER_PIN_UW - PL_SIM_MINER_RIPPLE_UW;
		else
			pin_uw = PL_SIM_MINER_PIN_UW + PL_SIM_MINER_RIPPLE_UW;
		pin_div = PL_SIM_MINER_PIN_NOISE_DIV;
		temp_mc = 68000;
		break;
	case PL_SIM_STEP:
		temp_mc = 45000;
		pin_uw = PL_SIM_STEP_PIN0_UW;
		if (t_ms >= PL_SIM_STEP_AT_MS)
			shown_uw = PL_SIM_STEP_PIN1_UW;	/* the tampered reading */
		break;
	case PL_SIM_FLAT:
	default:
		break;
	}

	pl_sim_noise_get(t_ms, &n);
	pin_uw = pl_sim_noisy(pin_uw, n.pin, pin_div);
	shown_uw = pl_sim_noisy(shown_uw, n.pin, pin_div);
	vin_uv = PL_SIM_VIN_UV + n.vin * PL_SIM_VIN_NOISE_UV;
	if (page == 1) {
		pin_uw /= 4;
		shown_uw /= 4;
		vout_uv = PL_SIM_VOUT1_UV + n.vout[1] * PL_SIM_VOUT_NOISE_UV;
		temp_mc -= 5000;
	} else {
		vout_uv = PL_SIM_VOUT_UV + n.vout[0] * PL_SIM_VOUT_NOISE_UV;
	}

	pl_sim_rails_set(r, pin_uw, vin_uv, vout_uv, temp_mc);
	if (shown_uw) {
		/* step after PL_SIM_STEP_AT_MS: power readings not backed by currents */
		r->pin_uw = shown_uw;
		r->pout_uw = pl_sim_div_s64(shown_uw * PL_SIM_EFFICIENCY_PCT, 100);
	}
}

#endif /* _PL_SIM_WAVEFORM_H */
