/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Checks ring records against the PSU simulator's waveform: each valid
 * rail must equal decode(encode(waveform(t))) for t at the start or at the
 * end of the record's bus reads.  The waveforms live in tests/sim/waveform.h;
 * without that header the check is compiled out and wave_check__new() fails
 * with -ENOSYS.
 */
#ifndef PL_TOOLS_WAVE_H
#define PL_TOOLS_WAVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/powerledger.h>

struct wave_check {
	uint64_t checked;	/* records with at least one valid rail compared */
	uint64_t mismatches;	/* records with at least one rail matching neither t */
	/* private */
	const void *wave;
	uint64_t t0_ns;
	uint8_t vout_mode;
	bool quiet;
};

/* Rail values of one sample, in the units of struct pl_sample. */
struct wave_rails {
	int64_t vin_uv, iin_ua, vout_uv, iout_ua, pout_uw, pin_uw;
	int32_t temp_mc;
};

/* wave.c APIs: */

/* true when the simulator's waveforms were compiled in */
bool wave_available(void);

/* Prints the known waveform names, blank-separated. */
void wave_print_names(FILE *f);

/*
 * Prepares a check of waveform @name, reading t0_ns (CLOCK_MONOTONIC, ns)
 * from @sim_debugfs/t0_ns.  Returns 0; -ENOSYS when built without
 * tests/sim/waveform.h; -EINVAL for an unknown waveform name; or the -errno
 * of reading t0_ns.
 */
int wave_check__init(struct wave_check *wc, const char *name,
		     const char *sim_debugfs, uint8_t vout_mode, bool quiet);

/*
 * Compares one record; returns the number of its rails that matched
 * neither time (0 when it matches), and prints the first few mismatches
 * on stderr unless quiet.
 */
unsigned int wave_check__record(struct wave_check *wc, const struct pl_sample *s);

/*
 * What the module reports for a rail the simulator set to @v: the value
 * after a trip through the PMBus codec (LINEAR11, LINEAR16 with @vout_mode
 * for VOUT, millidegrees for TEMP).  @rail is one PL_RAIL_* bit.
 */
int64_t wave_expect_rail(uint32_t rail, int64_t v, uint8_t vout_mode);

#endif /* PL_TOOLS_WAVE_H */
