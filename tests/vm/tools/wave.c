// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Ring records against the simulator's waveform (see wave.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pmbus_linear.h"
#include "util.h"
#include "wave.h"

/*
 * The simulator's API, from tests/sim/waveform.h (shared with the sim
 * module): pl_sim_wave_get(), pl_sim_wave_find(), pl_sim_wave_eval() and
 * struct pl_sim_rails.  Only the block below touches it.
 */
#if __has_include("waveform.h")
#include "waveform.h"
#define HAVE_SIM_WAVEFORM 1

void wave_print_names(FILE *f)
{
	unsigned int i;

	for (i = 0; pl_sim_wave_get(i); i++)
		fprintf(f, "%s%s", i ? " " : "", pl_sim_wave_get(i)->name);
}

static const void *sim_find(const char *name)
{
	return pl_sim_wave_find(name);
}

static void sim_eval(const void *wave, uint64_t t_ns, uint8_t page, struct wave_rails *out)
{
	struct pl_sim_rails r;

	memset(&r, 0, sizeof(r));
	pl_sim_wave_eval(wave, t_ns, page, &r);
	out->vin_uv = r.vin_uv;
	out->iin_ua = r.iin_ua;
	out->vout_uv = r.vout_uv;
	out->iout_ua = r.iout_ua;
	out->pout_uw = r.pout_uw;
	out->pin_uw = r.pin_uw;
	out->temp_mc = r.temp_mc;
}
#else
#define HAVE_SIM_WAVEFORM 0

void wave_print_names(FILE *f)
{
	(void)f;
}

static const void *sim_find(const char *name)
{
	(void)name;
	return NULL;
}

static void sim_eval(const void *wave, uint64_t t_ns, uint8_t page, struct wave_rails *out)
{
	(void)wave, (void)t_ns, (void)page;
	memset(out, 0, sizeof(*out));
}
#endif

#define WAVE_REPORT_MAX 5

bool wave_available(void)
{
	return HAVE_SIM_WAVEFORM;
}

int64_t wave_expect_rail(uint32_t rail, int64_t v, uint8_t vout_mode)
{
	switch (rail) {
	case PL_RAIL_VOUT:
		return pl_linear16_decode(pl_linear16_encode(v, vout_mode, PL_SCALE_MICRO),
					  vout_mode, PL_SCALE_MICRO);
	case PL_RAIL_TEMP:
		return pl_linear11_decode(pl_linear11_encode(v, PL_SCALE_MILLI),
					  PL_SCALE_MILLI);
	default:
		return pl_linear11_decode(pl_linear11_encode(v, PL_SCALE_MICRO),
					  PL_SCALE_MICRO);
	}
}

int wave_check__init(struct wave_check *wc, const char *name,
		     const char *sim_debugfs, uint8_t vout_mode, bool quiet)
{
	char path[4096];
	int ret;

	memset(wc, 0, sizeof(*wc));
	wc->vout_mode = vout_mode;
	wc->quiet = quiet;
	if (!HAVE_SIM_WAVEFORM)
		return -ENOSYS;
	wc->wave = sim_find(name);
	if (!wc->wave)
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/t0_ns", sim_debugfs) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = read_u64_file(path, &wc->t0_ns);
	return ret;
}

static const struct {
	uint32_t rail;
	const char *name;
	size_t off;	/* of the value in struct pl_sample / struct wave_rails */
	size_t rails_off;
	int is32;
} rail_desc[] = {
#define RAIL(bit, field, is32) \
	{ bit, #field, offsetof(struct pl_sample, field), offsetof(struct wave_rails, field), is32 }
	RAIL(PL_RAIL_VIN, vin_uv, 0),
	RAIL(PL_RAIL_IIN, iin_ua, 0),
	RAIL(PL_RAIL_VOUT, vout_uv, 0),
	RAIL(PL_RAIL_IOUT, iout_ua, 0),
	RAIL(PL_RAIL_POUT, pout_uw, 0),
	RAIL(PL_RAIL_PIN, pin_uw, 0),
	RAIL(PL_RAIL_TEMP, temp_mc, 1),
#undef RAIL
};

static int64_t field(const void *base, size_t off, int is32)
{
	int64_t v64;
	int32_t v32;

	if (is32) {
		memcpy(&v32, (const char *)base + off, sizeof(v32));
		return v32;
	}
	memcpy(&v64, (const char *)base + off, sizeof(v64));
	return v64;
}

/*
 * The simulator answers each register at the time it is read, somewhere in
 * [t1, t2]; its values change only on whole milliseconds.  When a stall of
 * the emulator stretches a sample's reads over several of them, any value
 * the waveform took in between is right: evaluate at every millisecond
 * boundary inside the window (at most WAVE_WINDOW_MAX_MS of them).
 */
#define WAVE_WINDOW_MAX_MS 1000
static int wave_seen_between(const struct wave_check *wc, const struct pl_sample *s, uint64_t t1,
			     uint64_t t2, unsigned int i, int64_t got)
{
	struct wave_rails r;
	uint64_t t;
	unsigned int n = 0;

	for (t = (t1 / 1000000 + 1) * 1000000; t <= t2 && n < WAVE_WINDOW_MAX_MS; t += 1000000, n++) {
		sim_eval(wc->wave, t, s->page, &r);
		if (got == wave_expect_rail(rail_desc[i].rail,
					    field(&r, rail_desc[i].rails_off, rail_desc[i].is32),
					    wc->vout_mode))
			return 1;
	}
	return 0;
}

unsigned int wave_check__record(struct wave_check *wc, const struct pl_sample *s)
{
	struct wave_rails at_start, at_end;
	unsigned int bad = 0, i;
	uint64_t t1, t2;

	if (!wc->wave || !(s->rails & __PL_RAIL_ALL))
		return 0;
	wc->checked++;
	if (s->ts_ns < wc->t0_ns) {
		wc->mismatches++;
		if (!wc->quiet && wc->mismatches <= WAVE_REPORT_MAX)
			fprintf(stderr, "plread: wave: dev %u seq %llu: ts_ns %llu before sim t0_ns %" PRIu64 "\n",
				s->dev_id, (unsigned long long)s->seq,
				(unsigned long long)s->ts_ns, wc->t0_ns);
		return 1;
	}
	t1 = s->ts_ns - wc->t0_ns;
	t2 = t1 + s->read_ns;
	sim_eval(wc->wave, t1, s->page, &at_start);
	sim_eval(wc->wave, t2, s->page, &at_end);

	for (i = 0; i < ARRAY_SIZE(rail_desc); i++) {
		int64_t got, want1, want2;

		if (!(s->rails & rail_desc[i].rail))
			continue;
		got = field(s, rail_desc[i].off, rail_desc[i].is32);
		want1 = wave_expect_rail(rail_desc[i].rail,
					 field(&at_start, rail_desc[i].rails_off, rail_desc[i].is32),
					 wc->vout_mode);
		want2 = wave_expect_rail(rail_desc[i].rail,
					 field(&at_end, rail_desc[i].rails_off, rail_desc[i].is32),
					 wc->vout_mode);
		if (got == want1 || got == want2 || wave_seen_between(wc, s, t1, t2, i, got))
			continue;
		if (!bad++)
			wc->mismatches++;
		if (!wc->quiet && wc->mismatches <= WAVE_REPORT_MAX)
			fprintf(stderr, "plread: wave: dev %u seq %llu page %u t_ns %" PRIu64 ": %s %" PRId64
				" want %" PRId64 " (start) or %" PRId64 " (end, +%u ns) or a value in between\n",
				s->dev_id, (unsigned long long)s->seq, s->page, t1,
				rail_desc[i].name, got, want1, want2, s->read_ns);
	}
	return bad;
}
