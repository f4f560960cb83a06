// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator as a PMBus slave, from user space through /dev/i2c-N, in a
 * VM with powerledger_sim.ko and i2c-dev loaded and nothing bound to the
 * PSU (vm_test.sh runs it):
 *
 *	bus_test [DEBUGFS_DIR]		default /sys/kernel/debug/powerledger_sim
 *
 * Checks the wire protocol (PEC bytes against an independent CRC-8, SMBus
 * block reads with I2C_M_RECV_LEN, PEC-checked writes, NACKs), the
 * registers, the values against waveform.h at the time of the read (single
 * reads against the noise bounds waveform.h documents), the step
 * waveform's tampered rail, and that injected faults follow the documented
 * splitmix64 sequence exactly.
 * Leaves the simulator's knobs at their defaults.  Ends with
 * "sim-bus: N passed, M failed"; exit status 0 only when M is 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "pmbus_linear.h"
#include "waveform.h"

#define ADDR		0x58
#define VOUT_MODE	0x17

static const char *dbg = "/sys/kernel/debug/powerledger_sim";
static int fd = -1;
static unsigned int checks_failed;

#define CHECK(cond, fmt, ...)							\
	do {									\
		if (!(cond))							\
			fail_check(__LINE__, #cond, fmt, ##__VA_ARGS__);	\
	} while (0)

static void __attribute__((format(printf, 3, 4)))
fail_check(int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	if (++checks_failed > 30)
		return;
	fprintf(stderr, "bus_test.c:%d: %s: ", line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Writes @val to debugfs file @name; returns 0 or -errno. */
static int dbg_write(const char *name, const char *val)
{
	char path[256];
	ssize_t n;
	int f, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dbg, name);
	f = open(path, O_WRONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	n = write(f, val, strlen(val));
	if (n < 0)
		ret = -errno;
	close(f);
	return ret;
}

static int dbg_set(const char *name, unsigned long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu\n", val);
	return dbg_write(name, buf);
}

static int dbg_read(const char *name, char *buf, size_t size)
{
	char path[256];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "%s/%s", dbg, name);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	n = read(f, buf, size - 1);
	close(f);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static unsigned long long dbg_get(const char *name)
{
	char buf[64];

	if (dbg_read(name, buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 0);
}

static int smbus(char rw, u8 cmd, int size, union i2c_smbus_data *data)
{
	struct i2c_smbus_ioctl_data args = {
		.read_write = rw, .command = cmd, .size = size, .data = data,
	};

	return ioctl(fd, I2C_SMBUS, &args) < 0 ? -errno : 0;
}

static int read_byte(u8 cmd)
{
	union i2c_smbus_data d;
	int ret = smbus(I2C_SMBUS_READ, cmd, I2C_SMBUS_BYTE_DATA, &d);

	return ret ? ret : d.byte;
}

static int read_word(u8 cmd)
{
	union i2c_smbus_data d;
	int ret = smbus(I2C_SMBUS_READ, cmd, I2C_SMBUS_WORD_DATA, &d);

	return ret ? ret : d.word;
}

static int write_byte(u8 cmd, u8 val)
{
	union i2c_smbus_data d = { .byte = val };

	return smbus(I2C_SMBUS_WRITE, cmd, I2C_SMBUS_BYTE_DATA, &d);
}

/* SMBus block read into @out (NUL-terminated); returns the count or -errno. */
static int read_block(u8 cmd, char *out)
{
	union i2c_smbus_data d;
	int ret = smbus(I2C_SMBUS_READ, cmd, I2C_SMBUS_BLOCK_DATA, &d);

	if (ret)
		return ret;
	memcpy(out, d.block + 1, d.block[0]);
	out[d.block[0]] = '\0';
	return d.block[0];
}

static int set_pec(bool on)
{
	return ioctl(fd, I2C_PEC, on ? 1UL : 0UL) < 0 ? -errno : 0;
}

static int rdwr(struct i2c_msg *msgs, int n)
{
	struct i2c_rdwr_ioctl_data args = { .msgs = msgs, .nmsgs = n };

	return ioctl(fd, I2C_RDWR, &args) < 0 ? -errno : 0;
}

/* CRC-8, polynomial x^8 + x^2 + x + 1, MSB first: written from the SMBus spec. */
static u8 crc8(u8 crc, const u8 *p, size_t n)
{
	int b;

	while (n--) {
		crc ^= *p++;
		for (b = 0; b < 8; b++)
			crc = crc & 0x80 ? (u8)(crc << 1) ^ 0x07 : (u8)(crc << 1);
	}
	return crc;
}

/* PEC of [W cmd][R data...] to ADDR. */
static u8 read_pec(u8 cmd, const u8 *data, size_t n)
{
	u8 head[3] = { ADDR << 1, cmd, (ADDR << 1) | 1 };

	return crc8(crc8(0, head, 3), data, n);
}

/*
 * LINEAR11 word @raw (or -errno) reads a value within what @lo..@hi
 * (micro-units) read as after the encode/decode trip.
 */
static bool lin11_within(int raw, s64 lo, s64 hi)
{
	s64 v;

	if (raw < 0)
		return false;
	v = pl_linear11_decode((u16)raw, PL_SCALE_MICRO);
	return v >= pl_linear11_decode(pl_linear11_encode(lo, PL_SCALE_MICRO), PL_SCALE_MICRO) &&
	       v <= pl_linear11_decode(pl_linear11_encode(hi, PL_SCALE_MICRO), PL_SCALE_MICRO);
}

/* READ_VIN word @raw within 230 V +- its noise (+-200 mV). */
static bool vin_ok(int raw)
{
	const s64 tol = PL_SIM_VIN_NOISE_STEPS * PL_SIM_VIN_NOISE_UV;

	return lin11_within(raw, PL_SIM_VIN_UV - tol, PL_SIM_VIN_UV + tol);
}

/* READ_VOUT word @raw (LINEAR16 mantissa) within @nominal_uv +- its noise (+-4 mV). */
static bool vout_ok(int raw, s64 nominal_uv)
{
	const s64 tol = PL_SIM_VOUT_NOISE_STEPS * PL_SIM_VOUT_NOISE_UV;

	return raw >= pl_linear16_encode(nominal_uv - tol, VOUT_MODE, PL_SCALE_MICRO) &&
	       raw <= pl_linear16_encode(nominal_uv + tol, VOUT_MODE, PL_SCALE_MICRO);
}

static void test_identity(void)
{
	char s[40];

	CHECK(read_byte(PMBUS_CAPABILITY) == 0xb0, "capability");
	CHECK(read_byte(PMBUS_VOUT_MODE) == VOUT_MODE, "vout_mode");
	CHECK(read_byte(PMBUS_REVISION) == 0x33, "revision");
	CHECK(read_byte(PMBUS_PAGE) == 0, "page");
	CHECK(read_word(PMBUS_STATUS_WORD) == 0, "status_word %d", read_word(PMBUS_STATUS_WORD));
	CHECK(read_block(PMBUS_MFR_ID, s) == 5 && !strcmp(s, "PLSIM"), "mfr_id '%s'", s);
	CHECK(read_block(PMBUS_MFR_MODEL, s) == 12 && !strcmp(s, "PSU-3000-SIM"), "model '%s'", s);
	CHECK(read_block(PMBUS_MFR_SERIAL, s) == 10 && !strcmp(s, "SIM-000001"), "serial '%s'", s);

	/* the same through the core's PEC: it checks what the sim appends */
	CHECK(!set_pec(true), "I2C_PEC");
	CHECK(read_byte(PMBUS_CAPABILITY) == 0xb0, "capability with PEC");
	CHECK(vout_ok(read_word(PMBUS_READ_VOUT), PL_SIM_VOUT_UV), "vout with PEC");
	CHECK(read_block(PMBUS_MFR_MODEL, s) == 12 && !strcmp(s, "PSU-3000-SIM"),
	      "model with PEC '%s'", s);
	CHECK(!write_byte(PMBUS_PAGE, 0), "page write with PEC");
	CHECK(!smbus(I2C_SMBUS_WRITE, PMBUS_CLEAR_FAULTS, I2C_SMBUS_BYTE, NULL),
	      "clear_faults with PEC");
	CHECK(!set_pec(false), "I2C_PEC off");

	CHECK(read_byte(0x55) == -ENXIO, "unknown register NACKs");
	CHECK(!smbus(I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), "quick write ACKs");
	CHECK(!ioctl(fd, I2C_SLAVE, ADDR + 1UL), "I2C_SLAVE");
	CHECK(read_byte(PMBUS_CAPABILITY) == -ENXIO, "other address NACKs");
	CHECK(!ioctl(fd, I2C_SLAVE, (unsigned long)ADDR), "I2C_SLAVE");
	CHECK(!smbus(I2C_SMBUS_WRITE, PMBUS_CLEAR_FAULTS, I2C_SMBUS_BYTE, NULL), "clear_faults");
}

/* Raw transfers: the PEC bytes on the wire, block reads, bad PEC on writes. */
static void test_wire(void)
{
	u8 cmd, buf[40], w[3];
	struct i2c_msg m[2] = {
		{ .addr = ADDR, .flags = 0, .len = 1, .buf = &cmd },
		{ .addr = ADDR, .flags = I2C_M_RD, .buf = buf },
	};

	cmd = PMBUS_CAPABILITY;
	m[1].len = 4;
	CHECK(!rdwr(m, 2), "byte read");
	CHECK(buf[0] == 0xb0 && buf[1] == read_pec(cmd, buf, 1) && buf[2] == 0xff &&
	      buf[3] == 0xff, "byte, PEC, idle bus: %02x %02x %02x %02x",
	      buf[0], buf[1], buf[2], buf[3]);

	cmd = PMBUS_READ_VIN;
	m[1].len = 3;
	CHECK(!rdwr(m, 2), "word read");
	CHECK(buf[2] == read_pec(cmd, buf, 2), "word PEC %02x", buf[2]);
	CHECK(vin_ok(buf[0] | buf[1] << 8), "vin 0x%04x", buf[0] | buf[1] << 8);

	/* SMBus block read as i2c-dev takes it: buf[0] = extra bytes (count + PEC) */
	cmd = PMBUS_MFR_ID;
	memset(buf, 0, sizeof(buf));
	buf[0] = 2;
	m[1].flags = I2C_M_RD | I2C_M_RECV_LEN;
	m[1].len = sizeof(buf);
	/* i2c-dev copies back the grown length only: count + data + PEC */
	CHECK(!rdwr(m, 2), "block read");
	CHECK(buf[0] == 5 && !memcmp(buf + 1, "PLSIM", 5) &&
	      buf[6] == read_pec(cmd, buf, 6) && buf[7] == 0, "block count %u pec %02x",
	      buf[0], buf[6]);
	memset(buf, 0xaa, sizeof(buf));
	buf[0] = 1;
	CHECK(!rdwr(m, 2), "block read without PEC");
	CHECK(buf[0] == 5 && !memcmp(buf + 1, "PLSIM", 5) && buf[6] == 0xaa,
	      "block without PEC: count %u, byte after %02x", buf[0], buf[6]);
	cmd = PMBUS_READ_PIN;
	buf[0] = 2;
	m[1].len = sizeof(buf);
	CHECK(rdwr(m, 2) == -EPROTO, "RECV_LEN of a word register");
	m[1].flags = I2C_M_RD;

	/* receive byte: the register the last command named */
	m[1].len = 1;
	cmd = PMBUS_REVISION;
	CHECK(!rdwr(m, 1), "send byte (pointer)");
	CHECK(!rdwr(&m[1], 1) && buf[0] == 0x33, "receive byte %02x", buf[0]);

	/* PAGE write with a PEC byte: right, then wrong */
	w[0] = PMBUS_PAGE;
	w[1] = 1;
	w[2] = crc8(crc8(0, (const u8[]){ ADDR << 1 }, 1), w, 2);
	m[0].buf = w;
	m[0].len = 3;
	CHECK(!rdwr(m, 1), "write with good PEC");
	CHECK(read_byte(PMBUS_PAGE) == 1, "page 1 selected");
	CHECK(vout_ok(read_word(PMBUS_READ_VOUT), PL_SIM_VOUT1_UV), "page 1 vout 5 V: %d",
	      read_word(PMBUS_READ_VOUT));
	w[1] = 0;
	CHECK(rdwr(m, 1) == -EIO, "write with bad PEC fails -EIO");
	CHECK(read_byte(PMBUS_PAGE) == 1, "bad PEC write ignored");
	CHECK(read_byte(PMBUS_STATUS_CML) == 0x20, "STATUS_CML PEC failed");
	CHECK(read_word(PMBUS_STATUS_WORD) == 0x0002, "STATUS_WORD CML");
	CHECK(write_byte(PMBUS_PAGE, 2) == -EIO, "page 2 rejected");
	CHECK(read_byte(PMBUS_STATUS_CML) == 0x60, "STATUS_CML invalid data");
	CHECK(!write_byte(PMBUS_PAGE, 0), "page 0");
	CHECK(!smbus(I2C_SMBUS_WRITE, PMBUS_CLEAR_FAULTS, I2C_SMBUS_BYTE, NULL), "clear_faults");
	CHECK(read_word(PMBUS_STATUS_WORD) == 0, "status cleared");

	CHECK(!dbg_set("status_word", 0x8000), "force status");
	CHECK(read_word(PMBUS_STATUS_WORD) == 0x8000, "forced status");
	CHECK(!dbg_set("status_word", 0), "unforce status");
	m[0].buf = &cmd;
	m[0].len = 1;
}

struct rail_reg {
	u8 cmd;
	size_t off;
	bool is32;
};

#define RAIL(c, f, b) { c, offsetof(struct pl_sim_rails, f), b }
static const struct rail_reg rail_regs[] = {
	RAIL(PMBUS_READ_VIN, vin_uv, false),
	RAIL(PMBUS_READ_IIN, iin_ua, false),
	RAIL(PMBUS_READ_VOUT, vout_uv, false),
	RAIL(PMBUS_READ_IOUT, iout_ua, false),
	RAIL(PMBUS_READ_TEMPERATURE_1, temp_mc, true),
	RAIL(PMBUS_READ_POUT, pout_uw, false),
	RAIL(PMBUS_READ_PIN, pin_uw, false),
};

static u16 encode(const struct rail_reg *rr, const struct pl_sim_rails *r)
{
	s64 v;
	s32 v32;

	if (rr->is32) {
		memcpy(&v32, (const char *)r + rr->off, sizeof(v32));
		return pl_linear11_encode(v32, PL_SCALE_MILLI);
	}
	memcpy(&v, (const char *)r + rr->off, sizeof(v));
	if (rr->cmd == PMBUS_READ_VOUT)
		return pl_linear16_encode(v, VOUT_MODE, PL_SCALE_MICRO);
	return pl_linear11_encode(v, PL_SCALE_MICRO);
}

/* Every word read equals the waveform just before or just after it. */
static void check_wave(const char *name, unsigned int reads, u8 page)
{
	const struct pl_sim_wave *w = pl_sim_wave_find(name);
	struct pl_sim_rails r1, r2;
	unsigned int i, bad = 0;
	char cur[32];
	u64 t0, a, b;
	int got;

	CHECK(!dbg_write("waveform", name), "select %s", name);
	CHECK(!dbg_read("waveform", cur, sizeof(cur)) && !strcmp(cur, name), "reads back %s", cur);
	t0 = dbg_get("t0_ns");
	CHECK(t0 <= now_ns(), "t0_ns %llu", (unsigned long long)t0);
	CHECK(!write_byte(PMBUS_PAGE, page), "page %u", page);

	for (i = 0; i < reads; i++) {
		const struct rail_reg *rr = &rail_regs[i % 7];

		a = now_ns();
		got = read_word(rr->cmd);
		b = now_ns();
		pl_sim_wave_eval(w, a - t0, page, &r1);
		pl_sim_wave_eval(w, b - t0, page, &r2);
		if (got != encode(rr, &r1) && got != encode(rr, &r2) && bad++ < 3)
			CHECK(0, "%s page %u reg 0x%02x at %llu ns: 0x%04x, want 0x%04x or 0x%04x",
			      name, page, rr->cmd, (unsigned long long)(a - t0), got,
			      encode(rr, &r1), encode(rr, &r2));
	}
	CHECK(!write_byte(PMBUS_PAGE, 0), "page 0");
}

/*
 * The step waveform after 3 s: PIN reads 1500 W (+-0.2 %) at VIN 230 V
 * while POUT exceeds VOUT * IOUT by more than 100 % (about 150 %).
 */
static void check_step_tampered(void)
{
	const s64 pin_tol = PL_SIM_STEP_PIN1_UW * PL_SIM_PIN_NOISE_STEPS / PL_SIM_PIN_NOISE_DIV;
	int pin, vin, pout, vout, iout;
	s64 p, vi;

	pin = read_word(PMBUS_READ_PIN);
	vin = read_word(PMBUS_READ_VIN);
	CHECK(lin11_within(pin, PL_SIM_STEP_PIN1_UW - pin_tol, PL_SIM_STEP_PIN1_UW + pin_tol) &&
	      vin_ok(vin), "step after 3 s: pin 0x%04x vin 0x%04x", pin, vin);
	pout = read_word(PMBUS_READ_POUT);
	vout = read_word(PMBUS_READ_VOUT);
	iout = read_word(PMBUS_READ_IOUT);
	if (pout < 0 || vout < 0 || iout < 0) {
		CHECK(0, "step: reads %d %d %d", pout, vout, iout);
		return;
	}
	p = pl_linear11_decode((u16)pout, PL_SCALE_MICRO);
	vi = pl_linear16_decode((u16)vout, VOUT_MODE, PL_SCALE_MICRO) *
	     pl_linear11_decode((u16)iout, PL_SCALE_MICRO) / 1000000;
	CHECK(vi > 0 && p - vi > vi, "step after 3 s: pout %lld uW, vout * iout %lld uW",
	      (long long)p, (long long)vi);
}

static void test_waveforms(void)
{
	unsigned int i;
	u64 a;

	for (i = 0; i < __PL_SIM_WAVE_MAX; i++) {
		check_wave(pl_sim_wave_get(i)->name, 2000, 0);
		check_wave(pl_sim_wave_get(i)->name, 700, 1);
	}
	/* not a check: what one SMBus word read costs here, for benchmark readers */
	CHECK(!dbg_write("waveform", "bursty"), "bursty");
	a = now_ns();
	for (i = 0; i < 2000; i++)
		read_word(PMBUS_READ_PIN);
	printf("# bursty READ_PIN through i2c-dev: %llu ns per read\n",
	       (unsigned long long)(now_ns() - a) / 2000);

	CHECK(dbg_write("waveform", "nope\n") == -EINVAL, "unknown waveform rejected");
	CHECK(!dbg_write("waveform", "step\n"), "step");
	usleep(3100000);
	check_step_tampered();
	CHECK(!dbg_write("waveform", "flat"), "flat");
}

/* Faults land exactly where splitmix64(seed, ...) says. */
static void test_faults(void)
{
	const unsigned long long seed = 12345;
	const u32 nack_ppm = 300000, pec_ppm = 400000;
	unsigned int k, n = 3000, want_nacks = 0, want_pecs = 0, wrong = 0;
	bool nack, pec;
	u64 a, b;
	int ret;

	CHECK(dbg_set("nack_ppm", 1000001) == -EINVAL, "nack_ppm range");
	CHECK(dbg_set("pec_error_ppm", 1000001) == -EINVAL, "pec_error_ppm range");
	CHECK(dbg_set("delay_us", 100001) == -EINVAL, "delay_us range");
	CHECK(dbg_set("stuck", 2) == -EINVAL, "stuck range");
	CHECK(dbg_set("reset_counters", 2) == -EINVAL, "reset_counters wants 1");

	CHECK(!dbg_set("seed", seed), "seed");
	CHECK(!dbg_set("nack_ppm", nack_ppm), "nack_ppm");
	CHECK(!dbg_set("pec_error_ppm", pec_ppm), "pec_error_ppm");
	CHECK(!dbg_set("reset_counters", 1), "reset_counters");
	CHECK(!set_pec(true), "PEC on");
	for (k = 0; k < n; k++) {
		nack = pl_sim_ppm_draw(pl_sim_splitmix64(seed, 2 * k)) < nack_ppm;
		pec = !nack && pl_sim_ppm_draw(pl_sim_splitmix64(seed, 2 * k + 1)) < pec_ppm;
		want_nacks += nack;
		want_pecs += pec;
		ret = read_word(PMBUS_READ_PIN);
		if ((nack && ret != -ENXIO) || (pec && ret != -EBADMSG) ||
		    (!nack && !pec && ret < 0))
			wrong++;
	}
	CHECK(!set_pec(false), "PEC off");
	CHECK(!wrong, "%u of %u transfers off the fault sequence", wrong, n);
	CHECK(dbg_get("xfers") == n, "xfers %llu", dbg_get("xfers"));
	CHECK(dbg_get("nacks_injected") == want_nacks, "nacks %llu want %u",
	      dbg_get("nacks_injected"), want_nacks);
	CHECK(dbg_get("pec_injected") == want_pecs, "pecs %llu want %u",
	      dbg_get("pec_injected"), want_pecs);

	/* without PEC there is no PEC byte to corrupt */
	CHECK(!dbg_set("nack_ppm", 0) && !dbg_set("pec_error_ppm", 1000000), "pec only");
	CHECK(!dbg_set("reset_counters", 1), "reset_counters");
	a = now_ns();
	for (k = 0; k < 100; k++)
		CHECK(read_word(PMBUS_READ_PIN) >= 0, "read %u without PEC", k);
	b = now_ns();
	CHECK(dbg_get("pec_injected") == 0 && dbg_get("xfers") == 100, "no PEC, no PEC fault");
	/* device_ns: time inside the emulated device, so some, and less than the reads took */
	CHECK(dbg_get("device_ns") > 0 && dbg_get("device_ns") < b - a, "device_ns %llu of %llu ns",
	      dbg_get("device_ns"), (unsigned long long)(b - a));
	CHECK(!dbg_set("pec_error_ppm", 0), "pec_error_ppm 0");

	CHECK(!dbg_set("stuck", 1), "stuck");
	a = now_ns();
	ret = read_word(PMBUS_READ_PIN);
	b = now_ns();
	CHECK(ret == -ETIMEDOUT, "stuck read %d", ret);
	CHECK(b - a >= 2000000, "stuck took %llu ns", (unsigned long long)(b - a));
	CHECK(dbg_get("timeouts_injected") == 1, "timeouts %llu", dbg_get("timeouts_injected"));
	CHECK(!dbg_set("stuck", 0), "unstuck");

	CHECK(!dbg_set("delay_us", 5000), "delay_us");
	CHECK(!dbg_set("reset_counters", 1), "reset_counters");
	a = now_ns();
	ret = read_word(PMBUS_READ_PIN);
	b = now_ns();
	CHECK(ret >= 0 && b - a >= 5000000, "slow read %d in %llu ns", ret,
	      (unsigned long long)(b - a));
	/* an injected delay is bus time, not device CPU */
	CHECK(dbg_get("device_ns") > 0 && dbg_get("device_ns") < 5000000, "device_ns %llu without the delay",
	      dbg_get("device_ns"));
	CHECK(!dbg_set("delay_us", 0), "delay_us 0");

	/* bus_khz: [S addr+W cmd][Sr addr+R lo hi PEC] P is 57 bit times, 5.7 ms at 10 kHz */
	CHECK(dbg_set("bus_khz", 9) == -EINVAL && dbg_set("bus_khz", 3401) == -EINVAL, "bus_khz range");
	CHECK(!dbg_set("bus_khz", 10) && dbg_get("bus_khz") == 10, "bus_khz 10");
	CHECK(!set_pec(true), "PEC on");
	a = now_ns();
	ret = read_word(PMBUS_READ_PIN);
	b = now_ns();
	CHECK(!set_pec(false), "PEC off");
	CHECK(ret >= 0 && b - a >= 5700000 && b - a < 50000000, "10 kHz read word %d in %llu ns", ret,
	      (unsigned long long)(b - a));
	CHECK(!dbg_set("bus_khz", 0), "bus_khz 0");
	a = now_ns();
	ret = read_word(PMBUS_READ_PIN);
	b = now_ns();
	CHECK(ret >= 0 && b - a < 5700000, "instant again: %llu ns", (unsigned long long)(b - a));

	/* absent_rails: a PSU without a sensor NACKs its READ_* (PL_RAIL_PIN is 0x20) */
	CHECK(dbg_set("absent_rails", 0x80) == -EINVAL, "absent_rails range");
	CHECK(!dbg_set("absent_rails", 0x20), "absent_rails PIN");
	CHECK(read_word(PMBUS_READ_PIN) == -ENXIO, "absent PIN NACKs");
	CHECK(read_word(PMBUS_READ_POUT) >= 0, "POUT still there");
	CHECK(!dbg_set("absent_rails", 0), "absent_rails 0");
	CHECK(read_word(PMBUS_READ_PIN) >= 0, "PIN back");
	CHECK(!smbus(I2C_SMBUS_WRITE, PMBUS_CLEAR_FAULTS, I2C_SMBUS_BYTE, NULL), "clear the latched CML");

	/* other_delay_us: another address holds the bus that long, then NACKs; not the PSU's xfer */
	CHECK(dbg_set("other_delay_us", 100001) == -EINVAL, "other_delay_us range");
	CHECK(!dbg_set("other_delay_us", 3000), "other_delay_us");
	CHECK(!dbg_set("reset_counters", 1), "reset_counters");
	CHECK(!ioctl(fd, I2C_SLAVE, (unsigned long)(ADDR + 1)), "I2C_SLAVE 0x%02x", ADDR + 1);
	a = now_ns();
	ret = read_word(PMBUS_READ_PIN);
	b = now_ns();
	CHECK(!ioctl(fd, I2C_SLAVE, (unsigned long)ADDR), "I2C_SLAVE 0x%02x", ADDR);
	CHECK(ret == -ENXIO && b - a >= 3000000, "other address: %d in %llu ns", ret,
	      (unsigned long long)(b - a));
	CHECK(dbg_get("other_xfers") == 1 && dbg_get("xfers") == 0, "other_xfers %llu, xfers %llu",
	      dbg_get("other_xfers"), dbg_get("xfers"));
	CHECK(!dbg_set("other_delay_us", 0), "other_delay_us 0");
	/* the PSU's controller is not suspended outside a system sleep */
	CHECK(dbg_get("xfers_suspended") == 0 && dbg_get("suspends") == 0, "not suspended");

	CHECK(!dbg_set("reset_counters", 1), "reset_counters");
	CHECK(dbg_get("xfers") == 0 && dbg_get("nacks_injected") == 0 &&
	      dbg_get("pec_injected") == 0 && dbg_get("timeouts_injected") == 0 &&
	      dbg_get("device_ns") == 0 && dbg_get("other_xfers") == 0, "counters zero");
	CHECK(!dbg_set("seed", 0), "seed 0");
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "identity", test_identity },
	{ "wire", test_wire },
	{ "waveforms", test_waveforms },
	{ "faults", test_faults },
};

int main(int argc, char **argv)
{
	unsigned int i, before, passed = 0, failed = 0;
	char path[64];

	if (argc > 1)
		dbg = argv[1];
	snprintf(path, sizeof(path), "/dev/i2c-%llu", dbg_get("bus"));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, I2C_SLAVE, (unsigned long)ADDR) < 0) {
		fprintf(stderr, "bus_test: %s: %s\n", path, strerror(errno));
		return 2;
	}

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		before = checks_failed;
		tests[i].fn();
		if (checks_failed == before) {
			passed++;
			printf("ok %u %s\n", i + 1, tests[i].name);
		} else {
			failed++;
			printf("not ok %u %s (%u checks failed)\n", i + 1, tests[i].name,
			       checks_failed - before);
		}
	}
	close(fd);
	printf("sim-bus: %u passed, %u failed\n", passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
