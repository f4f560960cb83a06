/* SPDX-License-Identifier: GPL-2.0 */
/*
 * powerledger_sim: a PMBus power supply on a virtual i2c adapter, for tests.
 *
 * Who runs concurrently:
 *  - Transfers (xfer.c, regs.c, the fault path of faults.c) are serialized
 *    by the adapter's bus lock: kernel clients and i2c-dev both go through
 *    i2c_transfer()/i2c_smbus_xfer(), which take it.  The PMBus state
 *    (struct pl_sim_pmbus) is touched only there.
 *  - debugfs reads and writes (debugfs.c) run at any time, concurrently with
 *    a transfer.  Everything they change lives in struct pl_sim_cfg under
 *    pl_sim.lock; a transfer works on a snapshot taken when it starts.
 *  - Counters are atomic64_t: incremented by transfers, read and reset by
 *    debugfs.
 */
#ifndef _PL_SIM_H
#define _PL_SIM_H

#include <linux/atomic.h>
#include <linux/i2c.h>
#include <linux/log2.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "../../uapi/linux/powerledger.h"	/* PL_RAIL_* */
#include "waveform.h"

#define PL_SIM_NAME		"powerledger-sim"	/* adapter name */
#define PL_SIM_DEBUGFS		"powerledger_sim"	/* debugfs directory */

#define PL_SIM_PPM_MAX		1000000U
#define PL_SIM_DELAY_MAX_US	100000U
#define PL_SIM_BUS_KHZ_MIN	10U	/* SMBus floor */
#define PL_SIM_BUS_KHZ_MAX	3400U	/* I2C high speed */

/* STATUS_WORD bit 1 (CML) and STATUS_CML bits, PMBus 1.3 part II, 17 */
#define PL_SIM_STATUS_CML		0x0002
#define PL_SIM_CML_INVALID_CMD		0x80
#define PL_SIM_CML_INVALID_DATA		0x40
#define PL_SIM_CML_PEC_FAILED		0x20

/* Runtime configuration: set by module params at load and by debugfs. */
struct pl_sim_cfg {
	enum pl_sim_wave_id wave;
	u64 t0_ns;		/* ktime_get_ns() when @wave was selected */
	u64 seed;		/* fault PRNG seed */
	u32 nack_ppm;		/* per transfer: fail with -ENXIO */
	u32 pec_error_ppm;	/* per read carrying PEC: corrupt the PEC byte */
	u32 delay_us;		/* every transfer sleeps this long first */
	u32 stuck_delay_us;	/* with @stuck: sleep, then -ETIMEDOUT */
	u32 bus_khz;		/* 0: instant; else the transfer takes its bit time */
	u32 absent_rails;	/* PL_RAIL_* bits whose READ_* the PSU does not answer */
	u32 other_delay_us;	/* transfers to other addresses hold the bus this long */
	bool stuck;
	u16 status_word;	/* bits forced into STATUS_WORD */
};

/* Knobs of struct pl_sim_cfg that debugfs and module params set by number. */
enum pl_sim_knob {
	PL_SIM_K_NACK_PPM,
	PL_SIM_K_PEC_ERROR_PPM,
	PL_SIM_K_DELAY_US,
	PL_SIM_K_STUCK,
	PL_SIM_K_STUCK_DELAY_US,
	PL_SIM_K_SEED,
	PL_SIM_K_STATUS_WORD,
	PL_SIM_K_BUS_KHZ,
	PL_SIM_K_ABSENT_RAILS,
	PL_SIM_K_OTHER_DELAY_US,
	__PL_SIM_K_MAX
};

enum pl_sim_counter {
	PL_SIM_C_XFERS,			/* transfers addressed to the PSU */
	PL_SIM_C_NACKS,			/* of which failed -ENXIO by injection */
	PL_SIM_C_PEC,			/* of which carried a corrupted PEC byte */
	PL_SIM_C_TIMEOUTS,		/* of which failed -ETIMEDOUT (stuck) */
	PL_SIM_C_DEVICE_NS,		/* ns spent emulating the device (no sleeps) */
	PL_SIM_C_SUSPENDED,		/* transfers refused because the adapter was suspended */
	PL_SIM_C_SUSPENDS,		/* system sleeps the adapter went through */
	PL_SIM_C_OTHER,			/* transfers to other addresses (NACKed) */
	__PL_SIM_C_MAX
};

/* PMBus device state; transfers only (bus lock). */
/*
 * The telemetry latch: the encoded READ_* words of one 2 ms segment
 * (PL_SIM_NOISE_MS) of one waveform on one page, as a PSU's ADCs latch a
 * conversion that every read until the next one returns.  Every waveform
 * is constant over [2k, 2k + 2) ms (waveform.h; waveform_test checks it),
 * so this changes no value read; it spares the other reads of a sample,
 * and the next sample, evaluating it again.
 */
struct pl_sim_telemetry {
	bool valid;
	u8 page;
	u32 wave;
	u64 t0_ns, seg;		/* seg: (now - t0) / 2 ms */
	u16 word[ilog2(__PL_RAIL_ALL + 1)];	/* by PL_RAIL_* bit position */
};

struct pl_sim_pmbus {
	u8 page;
	u8 pointer;		/* last command: what a bare read returns */
	u8 cml;			/* STATUS_CML, latched until CLEAR_FAULTS */
	u8 operation[PL_SIM_PAGES];
	struct pl_sim_telemetry latch;
};

/* What a transfer works with: the configuration when it started. */
struct pl_sim_xfer {
	struct pl_sim_cfg cfg;
	u64 draw;		/* index of this transfer in the fault sequence */
	u64 now_ns;		/* CLOCK_MONOTONIC when the PSU saw it (after faults) */
};

struct pl_sim;

/* debugfs file private data: one knob of one simulator. */
struct pl_sim_knob_ref {
	struct pl_sim *sim;
	enum pl_sim_knob knob;
};

struct pl_sim {
	struct device *parent;		/* the adapter's parent: the controller's PM */
	struct i2c_adapter adap;
	u16 addr;			/* the one address that answers */
	bool suspended;			/* between the parent's suspend and resume (lock) */

	spinlock_t lock;		/* protects cfg and draws */
	struct pl_sim_cfg cfg;
	u64 draws;			/* transfers since seed was set */

	struct pl_sim_pmbus pmbus;
	atomic64_t counters[__PL_SIM_C_MAX];

	struct dentry *debugfs;
	struct pl_sim_knob_ref knob_refs[__PL_SIM_K_MAX];
};

/* faults.c APIs: */
void pl_sim_cfg_init(struct pl_sim *sim);
int pl_sim_cfg_set(struct pl_sim *sim, enum pl_sim_knob knob, u64 val);
u64 pl_sim_cfg_get(struct pl_sim *sim, enum pl_sim_knob knob);
int pl_sim_wave_select(struct pl_sim *sim, const char *name);
void pl_sim_wave_current(struct pl_sim *sim, enum pl_sim_wave_id *wave, u64 *t0_ns);
void pl_sim_counters_reset(struct pl_sim *sim);
bool pl_sim_suspended_xfer(struct pl_sim *sim);
void pl_sim_set_suspended(struct pl_sim *sim, bool suspended);
void pl_sim_fault_begin(struct pl_sim *sim, struct pl_sim_xfer *x);
int pl_sim_fault_inject(struct pl_sim *sim, const struct pl_sim_xfer *x);
void pl_sim_fault_pec(struct pl_sim *sim, const struct pl_sim_xfer *x, u8 *pec);

/* regs.c APIs: */
void pl_sim_regs_init(struct pl_sim *sim);
bool pl_sim_regs_readable(u8 cmd);
int pl_sim_regs_write_len(u8 cmd);
int pl_sim_regs_read(struct pl_sim *sim, const struct pl_sim_xfer *x, u8 cmd,
		     u8 *buf, bool *block);
int pl_sim_regs_write(struct pl_sim *sim, u8 cmd, const u8 *data);
void pl_sim_regs_cml(struct pl_sim *sim, u8 bits);

/* xfer.c APIs: */
int pl_sim_adapter_init(struct pl_sim *sim);
void pl_sim_adapter_uninit(struct pl_sim *sim);

/* debugfs.c APIs: */
void pl_sim_debugfs_init(struct pl_sim *sim);
void pl_sim_debugfs_uninit(struct pl_sim *sim);

#endif /* _PL_SIM_H */
