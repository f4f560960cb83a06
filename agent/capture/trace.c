// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Trace file writer and bounds-checked reader.  Fields are encoded one by
 * one in little-endian so the format does not depend on the host's struct
 * layout or byte order.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/trace.h"
#include "science/sensor.h"

/* Header offsets, see TRACE-FORMAT.md. */
#define H_MAGIC	      0
#define H_VERSION     8
#define H_HEADER_SIZE 10
#define H_RECORD_SIZE 12
#define H_PERIOD      16
#define H_T0	      24
#define H_COUNT	      32
#define H_DEV_ID      40
#define H_RAILS	      44
#define H_FLAGS	      48
#define H_REC_VERSION 52
#define H_SOURCE      54
#define H_RESERVED0   55
#define H_MFR_ID      56
#define H_MFR_MODEL   88
#define H_MFR_SERIAL  120
#define H_HOST	      152
#define H_FINGERPRINT 184
#define H_LOST	      248
/* Version 2: the sensor model. */
#define H_REFRESH     256
#define H_QUANTUM     264
#define H_AVERAGING   272
#define H_SENSOR_KIND 280
#define H_SENSOR_ORIG 281
#define H_RESERVED1   282
/* Version 3: the GPU-context section. */
#define H_CTX_COUNT   288
#define H_CTX_SIZE    296
#define H_CTX_SOURCES 300
#define H_CTX_DROPPED 304
#define H_RESERVED2   312

/* Context interval entry offsets, see TRACE-FORMAT.md. */
#define C_BEGIN	      0
#define C_END	      8
#define C_CTX	      16
#define C_PIDNS	      24
#define C_LAUNCHES    32
#define C_TGID	      40
#define C_NS_TGID     44
#define C_GPU	      48
#define C_SOURCE      52
#define C_FLAGS	      54
#define C_COMM	      56
#define C_RESERVED    72

/* Record offsets: those of struct pl_sample. */
#define R_TS	       0
#define R_SEQ	       8
#define R_DEV_ID       16
#define R_FLAGS	       20
#define R_RAILS	       24
#define R_STATUS       28
#define R_PAGE	       30
#define R_VERSION      31
#define R_VIN	       32
#define R_IIN	       40
#define R_VOUT	       48
#define R_IOUT	       56
#define R_POUT	       64
#define R_PIN	       72
#define R_TEMP	       80
#define R_READ_NS      84
#define R_OVERRUNS     88
#define R_GPU_PID      92
#define R_GPU_CTX      96
#define R_RESERVED     104
#define R_RESERVED_LEN 24

_Static_assert(sizeof(struct pl_sample) == PL_SAMPLE_SIZE, "pl_sample is 128 bytes");
_Static_assert(R_RESERVED + R_RESERVED_LEN == PL_SAMPLE_SIZE, "record layout covers pl_sample");
_Static_assert(H_LOST + 8 == PLTR_HEADER_SIZE_V1, "version 1 header layout covers 256 bytes");
_Static_assert(H_RESERVED1 + 6 == PLTR_HEADER_SIZE_V2, "version 2 header layout covers 288 bytes");
_Static_assert(H_RESERVED2 + 8 == PLTR_HEADER_SIZE, "version 3 header layout covers 320 bytes");
_Static_assert(C_RESERVED + 56 == PLTR_CTX_SIZE, "context entry layout covers 128 bytes");
_Static_assert(sizeof(struct pl_gpuctx_event) == PL_GPUCTX_EVENT_SIZE, "pl_gpuctx_event is 88 bytes");

/* Bounds of the sensor model fields: an hour, like the period; 1 MW. */
#define MAX_SENSOR_NS	 SENSOR_MAX_NS
#define MAX_QUANTUM_UW	 SENSOR_MAX_QUANTUM_UW

static const char *const source_names[__PLTR_SRC_MAX] = { "kmod", "csv", "synthetic" };

const char *trace_source_name(uint8_t src)
{
	return src < __PLTR_SRC_MAX ? source_names[src] : "?";
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void copy_str(char *dst, const char *src)
{
	size_t i;

	for (i = 0; src && src[i] && i < PLTR_STR_LEN; i++)
		dst[i] = (src[i] >= 0x20 && src[i] <= 0x7e) ? src[i] : '?';
	dst[i] = 0;
}

void trace_fingerprint(const char *mfr_id, const char *mfr_model, const char *mfr_serial, const char *host,
		       char out[SHA256_HEX_LEN])
{
	struct buf b = { 0 };

	/* Strings are at most 32 bytes each: this cannot fail short of ENOMEM on 256 bytes. */
	buf_put(&b, mfr_id, strlen(mfr_id) + 1);
	buf_put(&b, mfr_model, strlen(mfr_model) + 1);
	buf_put(&b, mfr_serial, strlen(mfr_serial) + 1);
	buf_put(&b, host, strlen(host));
	sha256_hex(b.p ? b.p : (const uint8_t *)"", b.len, out);
	buf_free(&b);
}

void trace_init(struct trace *t, uint64_t period_ns, uint32_t dev_id, uint32_t rails, uint8_t source, uint32_t flags,
		const char *mfr_id, const char *mfr_model, const char *mfr_serial, const char *host)
{
	memset(t, 0, sizeof(*t));
	t->info.record_size = PLTR_RECORD_SIZE;
	t->info.version = PLTR_VERSION;
	t->info.record_version = PL_SAMPLE_VERSION;
	t->info.sensor.kind = source == PLTR_SRC_CSV ? SENSOR_UNKNOWN : SENSOR_PMBUS;
	t->info.period_ns = period_ns;
	t->info.dev_id = dev_id;
	t->info.rails = rails;
	t->info.source = source;
	t->info.flags = flags;
	copy_str(t->info.mfr_id, mfr_id);
	copy_str(t->info.mfr_model, mfr_model);
	copy_str(t->info.mfr_serial, mfr_serial);
	copy_str(t->info.host, host);
	trace_fingerprint(t->info.mfr_id, t->info.mfr_model, t->info.mfr_serial, t->info.host, t->info.fingerprint);
}

int trace_push(struct trace *t, const struct pl_sample *s)
{
	struct pl_sample *p;
	size_t cap;

	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 1024;
		p = realloc(t->s, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->s = p;
		t->cap = cap;
	}
	if (t->n == 0)
		t->info.t0_ns = s->ts_ns;
	t->s[t->n++] = *s;
	return 0;
}

int trace_str_check(const char *s, struct plerr *e)
{
	size_t i, n = strlen(s);

	if (n > PLTR_STR_LEN)
		return plerr_set(e, -EINVAL, "%zu bytes, at most %d allowed", n, PLTR_STR_LEN);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return plerr_set(e, -EINVAL, "byte %zu is 0x%02x: only printable ASCII is allowed", i,
					 (unsigned char)s[i]);
	return 0;
}

void trace__free(struct trace *t)
{
	free(t->s);
	t->s = NULL;
	t->n = t->cap = 0;
	free(t->ctx);
	t->ctx = NULL;
	t->nctx = 0;
}

static void encode_record(uint8_t *r, const struct pl_sample *s)
{
	memset(r, 0, PLTR_RECORD_SIZE);
	put64(r + R_TS, s->ts_ns);
	put64(r + R_SEQ, s->seq);
	put32(r + R_DEV_ID, s->dev_id);
	put32(r + R_FLAGS, s->flags);
	put32(r + R_RAILS, s->rails);
	put16(r + R_STATUS, s->status_word);
	r[R_PAGE] = s->page;
	r[R_VERSION] = s->version;
	put64(r + R_VIN, (uint64_t)s->vin_uv);
	put64(r + R_IIN, (uint64_t)s->iin_ua);
	put64(r + R_VOUT, (uint64_t)s->vout_uv);
	put64(r + R_IOUT, (uint64_t)s->iout_ua);
	put64(r + R_POUT, (uint64_t)s->pout_uw);
	put64(r + R_PIN, (uint64_t)s->pin_uw);
	put32(r + R_TEMP, (uint32_t)s->temp_mc);
	put32(r + R_READ_NS, s->read_ns);
	put32(r + R_OVERRUNS, s->overruns);
	/* gpu_pid, gpu_ctx: reserved since version 3 (uapi says why); zero */
}

static void decode_record(const uint8_t *r, struct pl_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->ts_ns = get64(r + R_TS);
	s->seq = get64(r + R_SEQ);
	s->dev_id = get32(r + R_DEV_ID);
	s->flags = get32(r + R_FLAGS);
	s->rails = get32(r + R_RAILS);
	s->status_word = get16(r + R_STATUS);
	s->page = r[R_PAGE];
	s->version = r[R_VERSION];
	s->vin_uv = (int64_t)get64(r + R_VIN);
	s->iin_ua = (int64_t)get64(r + R_IIN);
	s->vout_uv = (int64_t)get64(r + R_VOUT);
	s->iout_ua = (int64_t)get64(r + R_IOUT);
	s->pout_uw = (int64_t)get64(r + R_POUT);
	s->pin_uw = (int64_t)get64(r + R_PIN);
	s->temp_mc = (int32_t)get32(r + R_TEMP);
	s->read_ns = get32(r + R_READ_NS);
	s->overruns = get32(r + R_OVERRUNS);
	/*
	 * gpu_pid, gpu_ctx: the synthetic PSU of versions 1-2 wrote made-up
	 * tags there; nothing real ever did.  Not carried (version 3 requires
	 * zero): contexts are the context section's business now.
	 */
	s->flags &= ~(uint32_t)PL_SF_GPU_CTX;
}

static void encode_header(const struct trace *t, uint8_t h[PLTR_HEADER_SIZE])
{
	memset(h, 0, PLTR_HEADER_SIZE);
	memcpy(h + H_MAGIC, PLTR_MAGIC, 8);
	put16(h + H_VERSION, PLTR_VERSION);
	put16(h + H_HEADER_SIZE, PLTR_HEADER_SIZE);
	put32(h + H_RECORD_SIZE, PLTR_RECORD_SIZE);
	put64(h + H_PERIOD, t->info.period_ns);
	put64(h + H_T0, t->n ? t->s[0].ts_ns : 0);
	put64(h + H_COUNT, t->n);
	put32(h + H_DEV_ID, t->info.dev_id);
	put32(h + H_RAILS, t->info.rails);
	put32(h + H_FLAGS, t->info.flags);
	put16(h + H_REC_VERSION, t->info.record_version);
	h[H_SOURCE] = t->info.source;
	memcpy(h + H_MFR_ID, t->info.mfr_id, strlen(t->info.mfr_id));
	memcpy(h + H_MFR_MODEL, t->info.mfr_model, strlen(t->info.mfr_model));
	memcpy(h + H_MFR_SERIAL, t->info.mfr_serial, strlen(t->info.mfr_serial));
	memcpy(h + H_HOST, t->info.host, strlen(t->info.host));
	memcpy(h + H_FINGERPRINT, t->info.fingerprint, 64);
	put64(h + H_LOST, t->info.lost);
	put64(h + H_REFRESH, t->info.sensor.refresh_ns);
	put64(h + H_QUANTUM, t->info.sensor.quantum_uw);
	put64(h + H_AVERAGING, t->info.sensor.averaging_ns);
	h[H_SENSOR_KIND] = t->info.sensor.kind;
	h[H_SENSOR_ORIG] = t->info.sensor.origin;
	put64(h + H_CTX_COUNT, t->nctx);
	put32(h + H_CTX_SIZE, PLTR_CTX_SIZE);
	put32(h + H_CTX_SOURCES, t->info.ctx_sources);
	put64(h + H_CTX_DROPPED, t->info.ctx_dropped);
}

static void encode_ctx(uint8_t *c, const struct ctx_interval *iv)
{
	memset(c, 0, PLTR_CTX_SIZE);
	put64(c + C_BEGIN, iv->begin_ns);
	put64(c + C_END, iv->end_ns);
	put64(c + C_CTX, iv->ctx);
	put64(c + C_PIDNS, iv->pidns_ino);
	put64(c + C_LAUNCHES, iv->launches);
	put32(c + C_TGID, iv->tgid);
	put32(c + C_NS_TGID, iv->ns_tgid);
	put32(c + C_GPU, iv->gpu);
	put16(c + C_SOURCE, iv->source);
	put16(c + C_FLAGS, iv->flags);
	memcpy(c + C_COMM, iv->comm, strnlen(iv->comm, CTX_COMM_LEN));
}

int trace_set_contexts(struct trace *t, struct ctx_interval *iv, size_t n, struct plerr *e)
{
	size_t i, k;

	free(t->ctx);
	t->ctx = iv;
	t->nctx = n;
	for (i = 0; i < n; i++) {
		if (iv[i].end_ns < iv[i].begin_ns || (iv[i].flags & ~__CTXI_F_ALL) || !iv[i].source ||
		    iv[i].source >= __PL_GCS_MAX || (i && iv[i].begin_ns < iv[i - 1].begin_ns))
			return plerr_set(e, -EINVAL, "GPU-context interval %zu is malformed (ends before it begins, "
					 "out of order, or unknown source/flags)", i);
		for (k = 0; k < CTX_COMM_LEN && iv[i].comm[k]; k++)
			if (iv[i].comm[k] < 0x20 || iv[i].comm[k] > 0x7e)
				iv[i].comm[k] = '?';
		iv[i].comm[k] = 0;
	}
	return 0;
}

void trace_measure_sensor(struct trace *t)
{
	struct series v;

	sensor_measure(trace_series(t, &v), &t->info.sensor);
}

int trace_encode(const struct trace *t, struct buf *out)
{
	uint8_t h[PLTR_HEADER_SIZE];
	size_t i;

	encode_header(t, h);
	if (t->n > (SIZE_MAX / 2 - PLTR_HEADER_SIZE) / PLTR_RECORD_SIZE || t->nctx > SIZE_MAX / 2 / PLTR_CTX_SIZE ||
	    buf_reserve(out, PLTR_HEADER_SIZE + t->n * PLTR_RECORD_SIZE + t->nctx * PLTR_CTX_SIZE))
		return -ENOMEM;
	buf_put(out, h, sizeof(h));
	for (i = 0; i < t->n; i++) {
		encode_record(out->p + out->len, &t->s[i]);
		out->len += PLTR_RECORD_SIZE;
	}
	for (i = 0; i < t->nctx; i++) {
		encode_ctx(out->p + out->len, &t->ctx[i]);
		out->len += PLTR_CTX_SIZE;
	}
	out->p[out->len] = 0;
	return 0;
}

#define IO_RECORDS 512 /* records per write or read chunk: 64 KiB */

int trace_save_digest(const char *path, const struct trace *t, unsigned int flags, char digest[SHA256_HEX_LEN],
		      struct plerr *e)
{
	uint8_t h[PLTR_HEADER_SIZE], *chunk;
	struct afile f;
	size_t i, k;
	int ret;

	chunk = malloc(IO_RECORDS * PLTR_RECORD_SIZE);
	if (!chunk)
		return plerr_set(e, -ENOMEM, "%s: out of memory", path);
	ret = afile_open(&f, path, flags, e);
	if (ret) {
		free(chunk);
		return ret;
	}
	encode_header(t, h);
	afile_write(&f, h, sizeof(h));
	for (i = 0; i < t->n; i += k) {
		k = t->n - i < IO_RECORDS ? t->n - i : IO_RECORDS;
		for (size_t j = 0; j < k; j++)
			encode_record(chunk + j * PLTR_RECORD_SIZE, &t->s[i + j]);
		afile_write(&f, chunk, k * PLTR_RECORD_SIZE);
	}
	for (i = 0; i < t->nctx; i += k) {
		k = t->nctx - i < IO_RECORDS ? t->nctx - i : IO_RECORDS;
		for (size_t j = 0; j < k; j++)
			encode_ctx(chunk + j * PLTR_CTX_SIZE, &t->ctx[i + j]);
		afile_write(&f, chunk, k * PLTR_CTX_SIZE);
	}
	free(chunk);
	return afile_commit(&f, 0644, digest, e);
}

int trace_save(const char *path, const struct trace *t, unsigned int flags, struct plerr *e)
{
	return trace_save_digest(path, t, flags, NULL, e);
}

/* A NUL-padded printable-ASCII string field. */
static int get_str(const uint8_t *h, size_t off, char *out, const char *what, struct plerr *e)
{
	size_t i, len = 0;

	while (len < PLTR_STR_LEN && h[off + len])
		len++;
	for (i = 0; i < len; i++)
		if (h[off + i] < 0x20 || h[off + i] > 0x7e)
			return plerr_set(e, -EINVAL, "corrupt header at offset %zu: %s holds a non-printable byte",
					 off + i, what);
	for (i = len; i < PLTR_STR_LEN; i++)
		if (h[off + i])
			return plerr_set(e, -EINVAL, "corrupt header at offset %zu: %s is not NUL-padded", off + i,
					 what);
	memcpy(out, h + off, len);
	out[len] = 0;
	return 0;
}

static int parse_header(const uint8_t *h, size_t n, struct trace_info *ti, uint16_t *hsize, uint64_t *count,
			uint64_t *ctx_count, uint32_t *ctx_size, struct plerr *e)
{
	char fp[SHA256_HEX_LEN];
	uint16_t version;
	size_t min;

	if (n < 12)
		return plerr_set(e, -EINVAL, "truncated at offset %zu (the header needs %d bytes)", n,
				 PLTR_HEADER_SIZE);
	if (memcmp(h + H_MAGIC, PLTR_MAGIC, 8))
		return plerr_set(e, -EINVAL, "bad magic at offset 0: not a powerledger trace");
	version = get16(h + H_VERSION);
	if (version < 1 || version > PLTR_VERSION)
		return plerr_set(e, -EINVAL, "unsupported version %u at offset %d (this agent reads versions 1 to %d)",
				 version, H_VERSION, PLTR_VERSION);
	min = version == 1 ? PLTR_HEADER_SIZE_V1 : version == 2 ? PLTR_HEADER_SIZE_V2 : PLTR_HEADER_SIZE;
	*hsize = get16(h + H_HEADER_SIZE);
	if (*hsize < min)
		return plerr_set(e, -EINVAL, "corrupt header at offset %d: header size %u < %zu", H_HEADER_SIZE, *hsize,
				 min);
	if (n < *hsize)
		return plerr_set(e, -EINVAL, "truncated at offset %zu (the header needs %u bytes)", n, *hsize);
	memset(ti, 0, sizeof(*ti));
	ti->version = version;
	ti->record_size = get32(h + H_RECORD_SIZE);
	if (ti->record_size < PLTR_RECORD_SIZE || ti->record_size > PLTR_MAX_RECORD)
		return plerr_set(e, -EINVAL, "corrupt header at offset %d: record size %u outside %d..%d",
				 H_RECORD_SIZE, ti->record_size, PLTR_RECORD_SIZE, PLTR_MAX_RECORD);
	ti->period_ns = get64(h + H_PERIOD);
	if (ti->period_ns == 0 || ti->period_ns > PLTR_MAX_PERIOD_NS)
		return plerr_set(e, -EINVAL, "corrupt header at offset %d: sample period %" PRIu64 " ns", H_PERIOD,
				 ti->period_ns);
	ti->t0_ns = get64(h + H_T0);
	*count = get64(h + H_COUNT);
	ti->dev_id = get32(h + H_DEV_ID);
	ti->rails = get32(h + H_RAILS);
	if (ti->rails & ~__PL_RAIL_ALL)
		return plerr_set(e, -EINVAL, "corrupt header at offset %d: unknown rail bits 0x%x", H_RAILS,
				 ti->rails & ~__PL_RAIL_ALL);
	ti->flags = get32(h + H_FLAGS);
	if (ti->flags & ~__PLTR_F_ALL)
		return plerr_set(e, -EINVAL, "corrupt header at offset %d: unknown flag bits 0x%x", H_FLAGS,
				 ti->flags & ~__PLTR_F_ALL);
	ti->record_version = get16(h + H_REC_VERSION);
	if (ti->record_version != PL_SAMPLE_VERSION)
		return plerr_set(e, -EINVAL, "unsupported record version %u at offset %d", ti->record_version,
				 H_REC_VERSION);
	ti->source = h[H_SOURCE];
	if (ti->source >= __PLTR_SRC_MAX)
		return plerr_set(e, -EINVAL, "corrupt header at offset %d: unknown source %u", H_SOURCE, ti->source);
	if (h[H_RESERVED0])
		return plerr_set(e, -EINVAL, "corrupt header at offset %d: reserved byte is not zero", H_RESERVED0);
	if (get_str(h, H_MFR_ID, ti->mfr_id, "mfr_id", e) || get_str(h, H_MFR_MODEL, ti->mfr_model, "mfr_model", e) ||
	    get_str(h, H_MFR_SERIAL, ti->mfr_serial, "mfr_serial", e) || get_str(h, H_HOST, ti->host, "host", e))
		return -EINVAL;
	memcpy(ti->fingerprint, h + H_FINGERPRINT, 64);
	ti->fingerprint[64] = 0;
	trace_fingerprint(ti->mfr_id, ti->mfr_model, ti->mfr_serial, ti->host, fp);
	if (strcmp(fp, ti->fingerprint))
		return plerr_set(e, -EINVAL,
				 "corrupt header at offset %d: fingerprint does not match the MFR strings and host",
				 H_FINGERPRINT);
	ti->lost = get64(h + H_LOST);
	if (version >= 2) {
		struct sensor_model *m = &ti->sensor;

		m->refresh_ns = get64(h + H_REFRESH);
		m->quantum_uw = get64(h + H_QUANTUM);
		m->averaging_ns = get64(h + H_AVERAGING);
		m->kind = h[H_SENSOR_KIND];
		m->origin = h[H_SENSOR_ORIG];
		if (m->refresh_ns > MAX_SENSOR_NS)
			return plerr_set(e, -EINVAL, "corrupt header at offset %d: sensor refresh %" PRIu64 " ns",
					 H_REFRESH, m->refresh_ns);
		if (m->quantum_uw > MAX_QUANTUM_UW)
			return plerr_set(e, -EINVAL, "corrupt header at offset %d: sensor quantum %" PRIu64 " uW",
					 H_QUANTUM, m->quantum_uw);
		if (m->averaging_ns > MAX_SENSOR_NS)
			return plerr_set(e, -EINVAL, "corrupt header at offset %d: sensor averaging %" PRIu64 " ns",
					 H_AVERAGING, m->averaging_ns);
		if (m->kind >= __SENSOR_KIND_MAX)
			return plerr_set(e, -EINVAL, "corrupt header at offset %d: unknown sensor kind %u",
					 H_SENSOR_KIND, m->kind);
		if (m->origin & ~__SENSOR_O_ALL)
			return plerr_set(e, -EINVAL, "corrupt header at offset %d: unknown sensor origin bits 0x%x",
					 H_SENSOR_ORIG, m->origin & ~__SENSOR_O_ALL);
	}
	if (version >= 3) {
		*ctx_count = get64(h + H_CTX_COUNT);
		*ctx_size = get32(h + H_CTX_SIZE);
		if (*ctx_size < PLTR_CTX_SIZE || *ctx_size > PLTR_MAX_CTX_SIZE)
			return plerr_set(e, -EINVAL, "corrupt header at offset %d: context entry size %u outside %d..%d",
					 H_CTX_SIZE, *ctx_size, PLTR_CTX_SIZE, PLTR_MAX_CTX_SIZE);
		ti->ctx_sources = get32(h + H_CTX_SOURCES);
		ti->ctx_dropped = get64(h + H_CTX_DROPPED);
		if (ti->ctx_sources & ~(uint32_t)__PL_GCS_ALL_MASK)
			return plerr_set(e, -EINVAL, "corrupt header at offset %d: unknown GPU-context source bits 0x%x",
					 H_CTX_SOURCES, ti->ctx_sources & ~(uint32_t)__PL_GCS_ALL_MASK);
		for (size_t i = H_RESERVED1; i < H_CTX_COUNT; i++)
			if (h[i])
				return plerr_set(e, -EINVAL, "corrupt header at offset %zu: reserved byte is not zero", i);
	}
	for (size_t i = version >= 3 ? H_RESERVED2 : version == 2 ? H_RESERVED1 : PLTR_HEADER_SIZE_V1; i < *hsize;
	     i++)
		if (h[i])
			return plerr_set(e, -EINVAL,
					 "corrupt header at offset %zu: bytes past the version %u header must be zero", i,
					 version);
	return 0;
}

static int check_record(const uint8_t *r, const struct trace_info *ti, uint64_t idx, size_t off, struct plerr *e)
{
	uint32_t flags = get32(r + R_FLAGS), rails = get32(r + R_RAILS);
	size_t i;

	if (r[R_VERSION] != ti->record_version)
		return plerr_set(e, -EINVAL, "record %" PRIu64 " at offset %zu: version %u, header says %u", idx,
				 off + R_VERSION, r[R_VERSION], ti->record_version);
	if (flags & ~__PL_SF_ALL)
		return plerr_set(e, -EINVAL, "record %" PRIu64 " at offset %zu: unknown flag bits 0x%x", idx,
				 off + R_FLAGS, flags & ~__PL_SF_ALL);
	if (rails & ~__PL_RAIL_ALL)
		return plerr_set(e, -EINVAL, "record %" PRIu64 " at offset %zu: unknown rail bits 0x%x", idx,
				 off + R_RAILS, rails & ~__PL_RAIL_ALL);
	for (i = ti->version >= 3 ? R_GPU_PID : R_RESERVED; i < ti->record_size; i++)
		if (r[i])
			return plerr_set(e, -EINVAL, "record %" PRIu64 " at offset %zu: reserved byte is not zero%s", idx,
					 off + i, i < R_RESERVED ? " (gpu_pid/gpu_ctx are reserved since version 3)" : "");
	if (ti->version >= 3 && (flags & PL_SF_GPU_CTX))
		return plerr_set(e, -EINVAL,
				 "record %" PRIu64 " at offset %zu: flag PL_SF_GPU_CTX is reserved since version 3", idx,
				 off + R_FLAGS);
	return 0;
}

static int decode_ctx(const uint8_t *c, struct ctx_interval *iv, uint32_t size, uint64_t idx, size_t off,
		      struct plerr *e)
{
	size_t i, len = 0;

	memset(iv, 0, sizeof(*iv));
	iv->begin_ns = get64(c + C_BEGIN);
	iv->end_ns = get64(c + C_END);
	iv->ctx = get64(c + C_CTX);
	iv->pidns_ino = get64(c + C_PIDNS);
	iv->launches = get64(c + C_LAUNCHES);
	iv->tgid = get32(c + C_TGID);
	iv->ns_tgid = get32(c + C_NS_TGID);
	iv->gpu = get32(c + C_GPU);
	iv->source = get16(c + C_SOURCE);
	iv->flags = get16(c + C_FLAGS);
	if (iv->end_ns < iv->begin_ns)
		return plerr_set(e, -EINVAL, "context %" PRIu64 " at offset %zu: ends before it begins", idx,
				 off + C_END);
	if (!iv->source || iv->source >= __PL_GCS_MAX)
		return plerr_set(e, -EINVAL, "context %" PRIu64 " at offset %zu: unknown source %u", idx,
				 off + C_SOURCE, iv->source);
	if (iv->flags & ~__CTXI_F_ALL)
		return plerr_set(e, -EINVAL, "context %" PRIu64 " at offset %zu: unknown flag bits 0x%x", idx,
				 off + C_FLAGS, iv->flags & ~__CTXI_F_ALL);
	while (len < CTX_COMM_LEN && c[C_COMM + len])
		len++;
	for (i = 0; i < CTX_COMM_LEN; i++)
		if (i < len ? c[C_COMM + i] < 0x20 || c[C_COMM + i] > 0x7e : c[C_COMM + i] != 0)
			return plerr_set(e, -EINVAL, "context %" PRIu64 " at offset %zu: comm is not printable and "
					 "NUL-padded", idx, off + C_COMM + i);
	memcpy(iv->comm, c + C_COMM, len);
	for (i = C_RESERVED; i < size; i++)
		if (c[i])
			return plerr_set(e, -EINVAL, "context %" PRIu64 " at offset %zu: reserved byte is not zero",
					 idx, off + i);
	return 0;
}

/*
 * trace_parse(); with release set, p is a private file mapping whose
 * decoded pages are handed back as the walk passes them (MADV_DONTNEED):
 * a loaded trace costs its decoded records, not twice that.
 */
/*
 * Where parse_impl() gets its bytes: a caller's buffer, or a file read with
 * pread in chunks (no mapping: a file truncated while we read it gives a short
 * read and an error, never SIGBUS; memory is the decoded records plus one
 * chunk).
 */
struct src {
	const uint8_t *mem; /* whole image, or NULL for fd */
	int fd;
	uint8_t *buf;	/* fd: cached [boff, boff + blen) */
	size_t cap, blen;
	uint64_t boff;
	crypto_hash_sha256_state sha; /* fd: of the bytes read, each once, in order */
	uint64_t hashed;	      /* bytes [0, hashed) are in sha */
};

#define SRC_CHUNK (IO_RECORDS * PLTR_RECORD_SIZE + PLTR_MAX_HEADER) /* any header, any record */

/* Bytes [off, off + len) (len <= SRC_CHUNK), which the caller knows lie within the size; NULL: e set. */
static const uint8_t *src_get(struct src *s, uint64_t off, size_t len, uint64_t size, struct plerr *e)
{
	ssize_t r;

	if (s->mem)
		return s->mem + off;
	if (off >= s->boff && off + len <= s->boff + s->blen)
		return s->buf + (off - s->boff);
	s->boff = off;
	s->blen = 0;
	while (s->blen < s->cap && off + s->blen < size) {
		size_t want = s->cap - s->blen;

		if (want > size - off - s->blen)
			want = (size_t)(size - off - s->blen);
		r = pread(s->fd, s->buf + s->blen, want, (off_t)(off + s->blen));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			plerr_set(e, -errno, "read error at offset %" PRIu64 ": %s", off + s->blen, strerror(errno));
			return NULL;
		}
		if (r == 0)
			break;
		s->blen += (size_t)r;
	}
	/* Chunks only move forward; a refill may overlap what was hashed. */
	if (off + s->blen > s->hashed && off <= s->hashed) {
		crypto_hash_sha256_update(&s->sha, s->buf + (s->hashed - off), off + s->blen - s->hashed);
		s->hashed = off + s->blen;
	}
	if (s->blen < len) {
		plerr_set(e, -EIO,
			  "file shrank while being read: it ends at offset %" PRIu64 ", %" PRIu64
			  " bytes when opened (truncated by another process?)",
			  off + s->blen, size);
		return NULL;
	}
	return s->buf;
}

static int parse_impl(struct src *src, uint64_t n64, struct trace *t, struct plerr *e)
{
	uint64_t count = 0, i, have, ctx_count = 0;
	size_t n = (size_t)n64, off;
	uint32_t ctx_size = PLTR_CTX_SIZE;
	const uint8_t *p;
	uint16_t hsize = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	p = src_get(src, 0, n < PLTR_MAX_HEADER ? n : PLTR_MAX_HEADER, n64, e);
	if (!p)
		return -EIO;
	ret = parse_header(p, n, &t->info, &hsize, &count, &ctx_count, &ctx_size, e);
	if (ret)
		return ret;
	have = (n - hsize) / t->info.record_size;
	if (count > have) {
		/*
		 * A body that holds exactly count records of another size is
		 * a corrupt record-size field, not a short file.
		 */
		if (count && (n - hsize) % count == 0 && (n - hsize) / count >= PLTR_RECORD_SIZE &&
		    (n - hsize) / count <= PLTR_MAX_RECORD)
			return plerr_set(e, -EINVAL,
					 "corrupt header at offset %d: record size %u, but the file's %zu bytes after the "
					 "header hold its %" PRIu64 " records at %zu bytes each",
					 H_RECORD_SIZE, t->info.record_size, n - hsize, count, (n - hsize) / count);
		off = hsize + (size_t)have * t->info.record_size;
		return plerr_set(e, -EINVAL,
				 "truncated at offset %zu (header says %" PRIu64 " records, %" PRIu64
				 " complete; record %" PRIu64 " at offset %zu needs %u bytes, %zu present)",
				 n, count, have, have, off, t->info.record_size, n - off);
	}
	off = hsize + (size_t)count * t->info.record_size;
	if (ctx_count > (n - off) / ctx_size)
		return plerr_set(e, -EINVAL,
				 "truncated at offset %zu (header says %" PRIu64 " GPU-context entries of %u bytes after "
				 "the records at offset %zu, %zu bytes present)",
				 n, ctx_count, ctx_size, off, n - off);
	if (off + (size_t)ctx_count * ctx_size != n)
		return plerr_set(e, -EINVAL, "trailing data at offset %zu (%zu bytes after %s)",
				 off + (size_t)ctx_count * ctx_size, n - off - (size_t)ctx_count * ctx_size,
				 ctx_count ? "the GPU-context entries" : "the last record");
	if (count) {
		t->s = malloc((size_t)count * sizeof(*t->s));
		if (!t->s)
			return plerr_set(e, -ENOMEM, "out of memory for %" PRIu64 " records", count);
		t->cap = (size_t)count;
	}
	for (i = 0; i < count; i++) {
		off = hsize + (size_t)i * t->info.record_size;
		p = src_get(src, off, t->info.record_size, n64, e);
		if (!p) {
			ret = -EIO;
			goto fail;
		}
		ret = check_record(p, &t->info, i, off, e);
		if (ret)
			goto fail;
		decode_record(p, &t->s[i]);
		t->n++;
	}
	if (ctx_count) {
		t->ctx = malloc((size_t)ctx_count * sizeof(*t->ctx));
		if (!t->ctx) {
			ret = plerr_set(e, -ENOMEM, "out of memory for %" PRIu64 " GPU-context entries", ctx_count);
			goto fail;
		}
	}
	for (i = 0; i < ctx_count; i++) {
		off = hsize + (size_t)count * t->info.record_size + (size_t)i * ctx_size;
		p = src_get(src, off, ctx_size, n64, e);
		if (!p) {
			ret = -EIO;
			goto fail;
		}
		ret = decode_ctx(p, &t->ctx[i], ctx_size, i, off, e);
		if (ret)
			goto fail;
		if (!(t->info.ctx_sources & (1U << t->ctx[i].source))) {
			ret = plerr_set(e, -EINVAL,
					"context %" PRIu64 " at offset %zu: source %u is not among the header's ctx_sources 0x%x",
					i, off + C_SOURCE, t->ctx[i].source, t->info.ctx_sources);
			goto fail;
		}
		if ((t->ctx[i].flags & CTXI_F_NO_OWNER) && t->ctx[i].tgid) {
			ret = plerr_set(e, -EINVAL, "context %" PRIu64 " at offset %zu: no owner, yet tgid %u", i,
					off + C_TGID, t->ctx[i].tgid);
			goto fail;
		}
		if (i && t->ctx[i].begin_ns < t->ctx[i - 1].begin_ns) {
			ret = plerr_set(e, -EINVAL, "context %" PRIu64 " at offset %zu: begins before the one before it",
					i, off + C_BEGIN);
			goto fail;
		}
		t->nctx++;
	}
	if (count && t->s[0].ts_ns != t->info.t0_ns) {
		ret = plerr_set(e, -EINVAL, "corrupt header at offset %d: t0_ns differs from the first record's ts_ns",
				H_T0);
		goto fail;
	}
	if (!count && t->info.t0_ns) {
		ret = plerr_set(e, -EINVAL, "corrupt header at offset %d: t0_ns set in an empty trace", H_T0);
		goto fail;
	}
	if (t->info.version == 1) {
		/* Predates the sensor model: what the data shows of it. */
		t->info.sensor.kind = t->info.source == PLTR_SRC_CSV ? SENSOR_UNKNOWN : SENSOR_PMBUS;
		trace_measure_sensor(t);
	}
	return 0;
fail:
	trace__free(t);
	return ret;
}

int trace_parse(const uint8_t *p, size_t n, struct trace *t, struct plerr *e)
{
	struct src src = { .mem = p ? p : (const uint8_t *)"", .fd = -1 };

	return parse_impl(&src, n, t, e);
}

int trace_load_digest(const char *path, struct trace *t, char digest[SHA256_HEX_LEN], struct plerr *e)
{
	struct src src = { .fd = -1 };
	uint8_t h[SHA256_LEN];
	struct stat st;
	int ret;

	memset(t, 0, sizeof(*t));
	src.fd = file_open_regular(path, e);
	if (src.fd < 0)
		return src.fd;
	if (fstat(src.fd, &st) < 0) {
		ret = plerr_set(e, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	src.cap = SRC_CHUNK;
	src.buf = malloc(src.cap);
	if (!src.buf) {
		ret = plerr_set(e, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	crypto_hash_sha256_init(&src.sha);
	ret = parse_impl(&src, (uint64_t)st.st_size, t, e);
	if (!ret && src.hashed != (uint64_t)st.st_size) {
		trace__free(t);
		ret = plerr_set(e, -EIO, "read %" PRIu64 " of %" PRIu64 " bytes", src.hashed, (uint64_t)st.st_size);
	}
	if (ret) {
		plerr_prefix(e, path);
	} else if (digest) {
		crypto_hash_sha256_final(&src.sha, h);
		hex_encode(h, SHA256_LEN, digest);
	}
out:
	free(src.buf);
	close(src.fd);
	return ret;
}

int trace_load(const char *path, struct trace *t, struct plerr *e)
{
	return trace_load_digest(path, t, NULL, e);
}

