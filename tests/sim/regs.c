// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated PSU's PMBus registers.
 *
 *   0x00 PAGE            byte r/w, 0 (12 V rail) or 1 (5 V rail)
 *   0x01 OPERATION       byte r/w per page, 0x80 (on); stored, does not gate
 *                        the output
 *   0x03 CLEAR_FAULTS    send byte: clears STATUS_CML
 *   0x19 CAPABILITY      0xb0: PEC, 400 kHz, SMBALERT#
 *   0x20 VOUT_MODE       0x17: linear, exponent -9
 *   0x78 STATUS_BYTE     low byte of STATUS_WORD
 *   0x79 STATUS_WORD     debugfs status_word | CML (0x0002) while STATUS_CML != 0
 *   0x7e STATUS_CML      0x80 unsupported command, 0x40 invalid data,
 *                        0x20 PEC failed on a write; latched
 *   0x88 READ_VIN, 0x89 READ_IIN, 0x8c READ_IOUT, 0x96 READ_POUT, 0x97 READ_PIN
 *                        LINEAR11, micro-units
 *   0x8b READ_VOUT       LINEAR16 with the VOUT_MODE exponent
 *   0x8d READ_TEMPERATURE_1  LINEAR11, degree C
 *   0x98 PMBUS_REVISION  0x33 (1.3)
 *   0x99 MFR_ID "PLSIM", 0x9a MFR_MODEL "PSU-3000-SIM", 0x9b MFR_REVISION "A1",
 *   0x9e MFR_SERIAL "SIM-000001"   SMBus blocks
 *
 * Any other command NACKs (-ENXIO) and latches "unsupported command" in
 * STATUS_CML, as a real PMBus device does.  Faults injected on the bus
 * (faults.c) never touch the status registers: the device did not see them.
 *
 * READ_* values are the waveform (waveform.h) at now - t0_ns, now being
 * when the transfer reached the PSU (struct pl_sim_xfer), on the current
 * PAGE, encoded with pmbus_linear.h; the words of each 2 ms segment are
 * latched (struct pl_sim_telemetry), the waveform changing only between
 * segments.
 *
 * Transfers only (serialized by the adapter's bus lock).
 */
#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/string.h>

#include "sim.h"

#define SIM_CAPABILITY	(PB_CAPABILITY_PEC | 0x20 /* 400 kHz */ | PB_CAPABILITY_SMBALERT)
#define SIM_VOUT_MODE	(PB_VOUT_MODE_LINEAR | (-9 & 0x1f))
#define SIM_REVISION	0x33
#define SIM_OPERATION_ON	0x80

void pl_sim_regs_init(struct pl_sim *sim)
{
	int i;

	memset(&sim->pmbus, 0, sizeof(sim->pmbus));
	sim->pmbus.pointer = PMBUS_PAGE;
	for (i = 0; i < PL_SIM_PAGES; i++)
		sim->pmbus.operation[i] = SIM_OPERATION_ON;
}

void pl_sim_regs_cml(struct pl_sim *sim, u8 bits)
{
	sim->pmbus.cml |= bits;
}

bool pl_sim_regs_readable(u8 cmd)
{
	switch (cmd) {
	case PMBUS_PAGE:
	case PMBUS_OPERATION:
	case PMBUS_CAPABILITY:
	case PMBUS_VOUT_MODE:
	case PMBUS_STATUS_BYTE:
	case PMBUS_STATUS_WORD:
	case PMBUS_STATUS_CML:
	case PMBUS_READ_VIN:
	case PMBUS_READ_IIN:
	case PMBUS_READ_VOUT:
	case PMBUS_READ_IOUT:
	case PMBUS_READ_TEMPERATURE_1:
	case PMBUS_READ_POUT:
	case PMBUS_READ_PIN:
	case PMBUS_REVISION:
	case PMBUS_MFR_ID:
	case PMBUS_MFR_MODEL:
	case PMBUS_MFR_REVISION:
	case PMBUS_MFR_SERIAL:
		return true;
	default:
		return false;
	}
}

/* Data bytes a write of @cmd carries (0: send byte), or -ENXIO if none. */
int pl_sim_regs_write_len(u8 cmd)
{
	switch (cmd) {
	case PMBUS_CLEAR_FAULTS:
		return 0;
	case PMBUS_PAGE:
	case PMBUS_OPERATION:
		return 1;
	default:
		return -ENXIO;
	}
}

/*
 * Executes a write of @cmd whose pl_sim_regs_write_len() data bytes are at
 * @data (PEC checked already).  Returns 0, or -EIO for data the device
 * rejects (a page it does not have).
 */
int pl_sim_regs_write(struct pl_sim *sim, u8 cmd, const u8 *data)
{
	struct pl_sim_pmbus *pm = &sim->pmbus;

	switch (cmd) {
	case PMBUS_CLEAR_FAULTS:
		pm->cml = 0;
		return 0;
	case PMBUS_PAGE:
		if (data[0] >= PL_SIM_PAGES) {
			pm->cml |= PL_SIM_CML_INVALID_DATA;
			return -EIO;
		}
		pm->page = data[0];
		return 0;
	case PMBUS_OPERATION:
		pm->operation[pm->page] = data[0];
		return 0;
	default:
		pm->cml |= PL_SIM_CML_INVALID_CMD;
		return -ENXIO;
	}
}

static int put_word(u8 *buf, u16 word)
{
	buf[0] = word & 0xff;
	buf[1] = word >> 8;
	return 2;
}

static int put_block(u8 *buf, const char *s, bool *block)
{
	size_t len = strlen(s);

	buf[0] = len;
	memcpy(buf + 1, s, len);
	*block = true;
	return len + 1;
}

/* The PL_RAIL_* bit of a READ_* command (0 for any other). */
static u32 rail_bit(u8 cmd)
{
	switch (cmd) {
	case PMBUS_READ_VIN:
		return PL_RAIL_VIN;
	case PMBUS_READ_IIN:
		return PL_RAIL_IIN;
	case PMBUS_READ_VOUT:
		return PL_RAIL_VOUT;
	case PMBUS_READ_IOUT:
		return PL_RAIL_IOUT;
	case PMBUS_READ_POUT:
		return PL_RAIL_POUT;
	case PMBUS_READ_PIN:
		return PL_RAIL_PIN;
	case PMBUS_READ_TEMPERATURE_1:
		return PL_RAIL_TEMP;
	default:
		return 0;
	}
}

/* Slot of a READ_* word in the latch: its PL_RAIL_* bit's position. */
static unsigned int slot(u32 rail)
{
	return __ffs(rail);
}

static u16 read_rail(struct pl_sim *sim, const struct pl_sim_xfer *x, u8 cmd)
{
	struct pl_sim_telemetry *l = &sim->pmbus.latch;
	const struct pl_sim_cfg *cfg = &x->cfg;
	struct pl_sim_rails r;
	u64 t_ns, seg;

	/* cfg was snapshotted after its t0 was taken: now >= t0 */
	t_ns = x->now_ns > cfg->t0_ns ? x->now_ns - cfg->t0_ns : 0;
	seg = div_u64(t_ns, PL_SIM_NS_PER_MS * PL_SIM_NOISE_MS);
	if (!l->valid || l->seg != seg || l->page != sim->pmbus.page ||
	    l->wave != cfg->wave || l->t0_ns != cfg->t0_ns) {
		pl_sim_wave_eval(pl_sim_wave_get(cfg->wave), t_ns, sim->pmbus.page, &r);
		l->word[slot(PL_RAIL_VIN)] = pl_linear11_encode(r.vin_uv, PL_SCALE_MICRO);
		l->word[slot(PL_RAIL_IIN)] = pl_linear11_encode(r.iin_ua, PL_SCALE_MICRO);
		l->word[slot(PL_RAIL_VOUT)] = pl_linear16_encode(r.vout_uv, SIM_VOUT_MODE,
								 PL_SCALE_MICRO);
		l->word[slot(PL_RAIL_IOUT)] = pl_linear11_encode(r.iout_ua, PL_SCALE_MICRO);
		l->word[slot(PL_RAIL_TEMP)] = pl_linear11_encode(r.temp_mc, PL_SCALE_MILLI);
		l->word[slot(PL_RAIL_POUT)] = pl_linear11_encode(r.pout_uw, PL_SCALE_MICRO);
		l->word[slot(PL_RAIL_PIN)] = pl_linear11_encode(r.pin_uw, PL_SCALE_MICRO);
		l->page = sim->pmbus.page;
		l->wave = cfg->wave;
		l->t0_ns = cfg->t0_ns;
		l->seg = seg;
		l->valid = true;
	}
	return l->word[slot(rail_bit(cmd))];	/* a READ_* command: bit set */
}

/*
 * Reads @cmd into @buf (room for I2C_SMBUS_BLOCK_MAX + 1 bytes) as the
 * device sends it, without PEC; *block tells an SMBus block (count byte
 * first).  Returns the number of bytes, or -ENXIO for an unsupported
 * command.
 */
int pl_sim_regs_read(struct pl_sim *sim, const struct pl_sim_xfer *x, u8 cmd,
		     u8 *buf, bool *block)
{
	struct pl_sim_pmbus *pm = &sim->pmbus;
	u16 status = x->cfg.status_word | (pm->cml ? PL_SIM_STATUS_CML : 0);

	*block = false;
	switch (cmd) {
	case PMBUS_PAGE:
		buf[0] = pm->page;
		return 1;
	case PMBUS_OPERATION:
		buf[0] = pm->operation[pm->page];
		return 1;
	case PMBUS_CAPABILITY:
		buf[0] = SIM_CAPABILITY;
		return 1;
	case PMBUS_VOUT_MODE:
		buf[0] = SIM_VOUT_MODE;
		return 1;
	case PMBUS_STATUS_BYTE:
		buf[0] = status & 0xff;
		return 1;
	case PMBUS_STATUS_WORD:
		return put_word(buf, status);
	case PMBUS_STATUS_CML:
		buf[0] = pm->cml;
		return 1;
	case PMBUS_READ_VIN:
	case PMBUS_READ_IIN:
	case PMBUS_READ_VOUT:
	case PMBUS_READ_IOUT:
	case PMBUS_READ_TEMPERATURE_1:
	case PMBUS_READ_POUT:
	case PMBUS_READ_PIN:
		if (x->cfg.absent_rails & rail_bit(cmd)) {
			pm->cml |= PL_SIM_CML_INVALID_CMD;
			return -ENXIO;
		}
		return put_word(buf, read_rail(sim, x, cmd));
	case PMBUS_REVISION:
		buf[0] = SIM_REVISION;
		return 1;
	case PMBUS_MFR_ID:
		return put_block(buf, "PLSIM", block);
	case PMBUS_MFR_MODEL:
		return put_block(buf, "PSU-3000-SIM", block);
	case PMBUS_MFR_REVISION:
		return put_block(buf, "A1", block);
	case PMBUS_MFR_SERIAL:
		return put_block(buf, "SIM-000001", block);
	default:
		pm->cml |= PL_SIM_CML_INVALID_CMD;
		return -ENXIO;
	}
}
