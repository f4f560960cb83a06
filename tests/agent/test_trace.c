// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Trace files: round trip of every pl_sample field (GPU-context tags
 * included), the byte layout as decoded independently by Python's struct
 * module, and the reader's bounds checks: every truncation and each kind of
 * corruption is an error naming the offset.
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>

#include "capture/trace.h"

static void fill(struct trace *t, size_t n)
{
	struct pl_sample s;
	size_t i;

	trace_init(t, 1000000, 3, PL_RAIL_VIN | PL_RAIL_IIN | PL_RAIL_PIN | PL_RAIL_VOUT | PL_RAIL_IOUT | PL_RAIL_POUT,
		   PLTR_SRC_SYNTHETIC, 0, "ACME", "PSU-3000", "SN42", "gpu-host-7");
	for (i = 0; i < n; i++) {
		memset(&s, 0, sizeof(s));
		s.ts_ns = 5000000000ULL + i * 1000000ULL + (i % 3);
		s.seq = 100 + i;
		s.dev_id = 3;
		s.flags = i == 2 ? PL_SF_OVERRUN : 0;
		s.rails = t->info.rails;
		s.status_word = (uint16_t)(0x8000 | i);
		s.page = 1;
		s.version = PL_SAMPLE_VERSION;
		s.vin_uv = 230000000 + (int64_t)i;
		s.iin_ua = 4000000 + (int64_t)i;
		s.vout_uv = 54000000 - (int64_t)i;
		s.iout_ua = -(int64_t)i; /* signed fields keep their sign */
		s.pout_uw = 900000000 + (int64_t)i * 1000;
		s.pin_uw = 950000000 + (int64_t)i * 1000;
		s.temp_mc = -5000 + (int32_t)i;
		s.read_ns = 41000 + (uint32_t)i;
		s.overruns = i == 2 ? 4 : 0;
		assert_int_equal(trace_push(t, &s), 0);
	}
}

/* Two context intervals in the context section (version 3). */
static void fill_ctx(struct trace *t)
{
	{
		struct ctx_interval *iv = calloc(2, sizeof(*iv));
		struct plerr e;

		assert_non_null(iv);
		iv[0] = (struct ctx_interval){ .begin_ns = 5000000000ULL, .end_ns = 5002000000ULL, .ctx = 0xdeadbeef00000000ULL,
					       .pidns_ino = 4026531836ULL, .launches = 12, .tgid = 4242, .ns_tgid = 4242,
					       .gpu = 0, .source = PL_GCS_CUDA, .comm = "python3" };
		iv[1] = (struct ctx_interval){ .begin_ns = 5001000000ULL, .end_ns = 5004000000ULL, .ctx = 0x5600dead0000ULL,
					       .pidns_ino = 4026532901ULL, .launches = 3, .tgid = 31337, .ns_tgid = 7,
					       .gpu = 1, .source = PL_GCS_DRM, .flags = CTXI_F_OPEN, .comm = "mi\x01ner" };
		assert_int_equal(trace_set_contexts(t, iv, 2, &e), 0);
		assert_string_equal(t->ctx[1].comm, "mi?ner"); /* not printable: replaced */
		t->info.ctx_sources = 1U << PL_GCS_CUDA | 1U << PL_GCS_DRM;
		t->info.ctx_dropped = 5;
	}
	t->info.lost = 9;
	t->info.sensor = (struct sensor_model){ .refresh_ns = 2000000, .quantum_uw = 1000, .averaging_ns = 7000000,
						.kind = SENSOR_PMBUS, .origin = SENSOR_O_AVERAGING };
}

static void test_roundtrip_all_fields(void **state)
{
	struct trace t, back;
	struct buf b = { 0 };
	struct plerr e = { "" };

	(void)state;
	fill(&t, 17);
	fill_ctx(&t);
	assert_int_equal(trace_encode(&t, &b), 0);
	assert_int_equal(b.len, PLTR_HEADER_SIZE + 17 * PLTR_RECORD_SIZE + 2 * PLTR_CTX_SIZE);
	assert_int_equal(trace_parse(b.p, b.len, &back, &e), 0);
	assert_int_equal(back.n, 17);
	assert_memory_equal(back.s, t.s, 17 * sizeof(struct pl_sample));
	assert_int_equal(back.info.period_ns, 1000000);
	assert_int_equal(back.info.t0_ns, 5000000000ULL);
	assert_int_equal(back.info.lost, 9);
	assert_int_equal(back.info.version, 3);
	assert_memory_equal(&back.info.sensor, &t.info.sensor, sizeof(t.info.sensor));
	assert_int_equal(back.nctx, 2);
	assert_memory_equal(back.ctx, t.ctx, 2 * sizeof(*t.ctx));
	assert_int_equal(back.info.ctx_sources, 1U << PL_GCS_CUDA | 1U << PL_GCS_DRM);
	assert_int_equal(back.info.ctx_dropped, 5);
	assert_int_equal(back.info.dev_id, 3);
	assert_int_equal(back.info.source, PLTR_SRC_SYNTHETIC);
	assert_string_equal(back.info.mfr_model, "PSU-3000");
	assert_string_equal(back.info.host, "gpu-host-7");
	assert_string_equal(back.info.fingerprint, t.info.fingerprint);
	trace__free(&t);
	trace__free(&back);
	buf_free(&b);
}

static void test_layout_independent_decode(void **state)
{
	char *dir = tu_tmpdir();
	struct trace t;
	struct plerr e = { "" };
	char fp[65];

	(void)state;
	fill(&t, 4);
	fill_ctx(&t);
	assert_int_equal(trace_save(tu_path(dir, "t.pltr"), &t, 0, &e), 0);
	/* The fingerprint is SHA-256 of "ACME\0PSU-3000\0SN42\0gpu-host-7" as sha256sum computes it. */
	assert_int_equal(
		tu_sh("printf 'ACME\\0PSU-3000\\0SN42\\0gpu-host-7' | sha256sum | cut -c1-64 | tr -d '\\n' > %s",
		      tu_path(dir, "fp")),
		0);
	{
		struct buf b = { 0 };

		tu_read(tu_path(dir, "fp"), &b);
		memcpy(fp, b.p, 65);
		buf_free(&b);
	}
	assert_string_equal(fp, t.info.fingerprint);
	/* Python decodes the documented offsets (TRACE-FORMAT.md) and checks them. */
	assert_int_equal(
		tu_sh("python3 -c '\n"
		      "import struct, sys\n"
		      "d = open(sys.argv[1], \"rb\").read()\n"
		      "h = struct.unpack_from(\"<8sHHIQQQIIIHBB32s32s32s32s64sQ\", d, 0)\n"
		      "assert h[0] == b\"PLTRACE\\0\" and h[1] == 3 and h[2] == 320 and h[3] == 128, h[:4]\n"
		      "assert h[4] == 1000000 and h[5] == 5000000000 and h[6] == 4, h[4:7]\n"
		      "assert h[7] == 3 and h[8] == 0x3f and h[9] == 0 and h[10] == 1 and h[11] == 2, h[7:12]\n"
		      "assert h[13].rstrip(b\"\\0\") == b\"ACME\" and h[16].rstrip(b\"\\0\") == b\"gpu-host-7\"\n"
		      "assert h[17].decode() == sys.argv[2] and h[18] == 9\n"
		      "m = struct.unpack_from(\"<QQQBB6s\", d, 256)\n"
		      "assert m == (2000000, 1000, 7000000, 1, 4, bytes(6)), m\n"
		      "c = struct.unpack_from(\"<QIIQ8s\", d, 288)\n"
		      "assert c == (2, 128, 0x6 | 0x8, 5, bytes(8)) or c == (2, 128, (1 << 1) | (1 << 3), 5, bytes(8)), c\n"
		      "assert len(d) == 320 + 4 * 128 + 2 * 128\n"
		      "for i in range(4):\n"
		      "    r = struct.unpack_from(\"<QQIIIHBBqqqqqqiIIIQ24s\", d, 320 + 128 * i)\n"
		      "    assert r[0] == 5000000000 + i * 1000000 + i %% 3 and r[1] == 100 + i, r[:2]\n"
		      "    assert r[5] == 0x8000 | i and r[6] == 1 and r[7] == 1\n"
		      "    assert r[8] == 230000000 + i and r[11] == -i and r[13] == 950000000 + i * 1000\n"
		      "    assert r[14] == -5000 + i and r[17] == 0 and r[18] == 0\n"
		      "    assert r[19] == bytes(24)\n"
		      "x = struct.unpack_from(\"<QQQQQIIIHH16s56s\", d, 320 + 4 * 128 + 128)\n"
		      "assert x[:10] == (5001000000, 5004000000, 0x5600dead0000, 4026532901, 3, 31337, 7, 1, 3, 1), x\n"
		      "assert x[10] == b\"mi?ner\" + bytes(10) and x[11] == bytes(56), x\n"
		      "' %s %s",
		      tu_path(dir, "t.pltr"), fp),
		0);
	trace__free(&t);
	tu_rmdir(dir);
}

static void expect_error(const uint8_t *p, size_t n, const char *want)
{
	struct trace t;
	struct plerr e = { "" };

	if (trace_parse(p, n, &t, &e) == 0)
		fail_msg("accepted a bad trace (%s expected)", want);
	if (!strstr(e.msg, want))
		fail_msg("error '%s' lacks '%s'", e.msg, want);
}

static void test_every_truncation_names_offset(void **state)
{
	struct trace t;
	struct buf b = { 0 };
	char want[64];
	size_t n;

	(void)state;
	fill(&t, 5);
	assert_int_equal(trace_encode(&t, &b), 0);
	for (n = 0; n < b.len; n++) {
		if (n >= 8 && n < 12)
			continue; /* magic present, header size not yet: still "truncated at offset n" */
		snprintf(want, sizeof(want), "truncated at offset %zu", n);
		expect_error(b.p, n, n < 8 ? "truncated at offset" : want);
	}
	expect_error(b.p, 332, "record 0 at offset 320 needs 128 bytes, 12 present");
	trace__free(&t);
	buf_free(&b);
}

static void test_corruption_names_offset(void **state)
{
	struct trace t, ok;
	struct buf b = { 0 }, c = { 0 };
	struct plerr e = { "" };

	(void)state;
	fill(&t, 3);
	assert_int_equal(trace_encode(&t, &b), 0);
#define CORRUPT(off, val, want)                                                                                        \
	do {                                                                                                           \
		c.len = 0;                                                                                             \
		buf_put(&c, b.p, b.len);                                                                               \
		c.p[(off)] = (uint8_t)(val);                                                                           \
		expect_error(c.p, c.len, (want));                                                                      \
	} while (0)
	CORRUPT(0, 'X', "bad magic at offset 0");
	CORRUPT(8, 4, "unsupported version 4 at offset 8");
	CORRUPT(11, 0, "header size 64 < 320");
	CORRUPT(10, 0x60, "offset 321: bytes past the version 3 header must be zero"); /* 352: into record 0 */
	CORRUPT(280, 4, "offset 280: unknown sensor kind 4");
	CORRUPT(281, 8, "offset 281: unknown sensor origin bits 0x8");
	CORRUPT(285, 1, "offset 285: reserved byte is not zero");
	CORRUPT(313, 1, "offset 313: bytes past the version 3 header must be zero");
	CORRUPT(296, 0, "offset 296: context entry size 0 outside 128..4096");
	CORRUPT(300, 1, "offset 300: unknown GPU-context source bits 0x1");
	CORRUPT(288, 1, "truncated at offset 704 (header says 1 GPU-context entries of 128 bytes after the records at offset 704, 0 bytes present)");
	CORRUPT(263, 0x80, "offset 256: sensor refresh");
	CORRUPT(271, 0x80, "offset 264: sensor quantum");
	CORRUPT(279, 0x80, "offset 272: sensor averaging");
	CORRUPT(12, 0, "corrupt header at offset 12");
	c.len = 0;
	buf_put(&c, b.p, b.len);
	memset(c.p + 16, 0, 8);
	expect_error(c.p, c.len, "sample period 0 ns");
	CORRUPT(44, 0x80, "unknown rail bits 0x80");
	CORRUPT(48, 0x02, "offset 48: unknown flag bits 0x2");
	CORRUPT(52, 7, "unsupported record version 7 at offset 52");
	CORRUPT(54, 9, "offset 54: unknown source 9");
	CORRUPT(56, 'Z', "offset 184: fingerprint does not match");
	CORRUPT(62, 'Z', "offset 62: mfr_id is not NUL-padded");
	CORRUPT(152, 0x01, "offset 152: host holds a non-printable byte");
	CORRUPT(24, 1, "offset 24: t0_ns differs");
	CORRUPT(32, 9, "truncated at offset 704 (header says 9 records, 3 complete");
	CORRUPT(32, 1, "trailing data at offset 448");
	CORRUPT(320 + 128 + 31, 2, "record 1 at offset 479: version 2");
	/* flags bits 0..8 are defined (PL_SF_*): bit 9 is the first unknown one */
	CORRUPT(320 + 2 * 128 + 21, 0x02, "record 2 at offset 596: unknown flag bits 0x200");
	CORRUPT(320 + 2 * 128 + 27, 0x01, "record 2 at offset 600: unknown rail bits");
	CORRUPT(320 + 127, 1, "record 0 at offset 447: reserved byte is not zero");
	/* GPU-context tags in records: reserved since version 3 */
	CORRUPT(320 + 92, 1, "record 0 at offset 412: reserved byte is not zero (gpu_pid/gpu_ctx are reserved");
	CORRUPT(320 + 100, 1, "record 0 at offset 420: reserved byte is not zero (gpu_pid/gpu_ctx are reserved");
	CORRUPT(320 + 20, 0x20, "record 0 at offset 340: flag PL_SF_GPU_CTX is reserved since version 3");
	c.len = 0;
	buf_put(&c, b.p, b.len);
	buf_putc(&c, 0);
	expect_error(c.p, c.len, "trailing data at offset 704 (1 bytes after the last record)");
	/* The untouched image still parses. */
	assert_int_equal(trace_parse(b.p, b.len, &ok, &e), 0);
	trace__free(&ok);
	trace__free(&t);
	buf_free(&b);
	buf_free(&c);
}

static void test_context_section_checks(void **state)
{
	struct trace t;
	struct buf b = { 0 }, c = { 0 };
	const size_t c0 = 320 + 3 * 128, c1 = c0 + 128;

	(void)state;
	fill(&t, 3);
	fill_ctx(&t);
	assert_int_equal(trace_encode(&t, &b), 0);
	/* end 5004000000 = 0x12a42aa00: without its bit 32 it ends before it begins */
	CORRUPT(c1 + 12, 0, "context 1 at offset 840: ends before it begins");
	CORRUPT(c0 + 52, 9, "context 0 at offset 756: unknown source 9");
	CORRUPT(c0 + 52, 0, "context 0 at offset 756: unknown source 0");
	CORRUPT(c0 + 54, 0x80, "context 0 at offset 758: unknown flag bits 0x80");
	CORRUPT(c0 + 58, 0x07, "context 0 at offset 762: comm is not printable and NUL-padded");
	CORRUPT(c0 + 70, 'x', "context 0 at offset 774: comm is not printable and NUL-padded");
	CORRUPT(c0 + 100, 1, "context 0 at offset 804: reserved byte is not zero");
	CORRUPT(c0 + 52, 4, "context 0 at offset 756: source 4 is not among the header's ctx_sources 0xa");
	CORRUPT(c1 + 54, 0x03, "context 1 at offset 872: no owner, yet tgid 31337");
	CORRUPT(c1 + 4, 0, "context 1 at offset 832: begins before the one before it");
	c.len = 0;
	buf_put(&c, b.p, b.len - 1);
	expect_error(c.p, c.len, "truncated at offset 959 (header says 2 GPU-context entries");
	trace__free(&t);
	buf_free(&b);
	buf_free(&c);
}

static void test_larger_records_and_header_forward_compatible(void **state)
{
	struct trace t, back;
	struct buf b = { 0 }, c = { 0 };
	struct plerr e = { "" };
	size_t i;
	uint8_t zeros[64] = { 0 };

	(void)state;
	fill(&t, 2);
	assert_int_equal(trace_encode(&t, &b), 0);
	/* Rebuild with a 352-byte header and 192-byte records, extra bytes zero. */
	buf_put(&c, b.p, 320);
	c.p[10] = 0x60;
	c.p[11] = 0x01;
	c.p[12] = 192;
	buf_put(&c, zeros, 32);
	for (i = 0; i < 2; i++) {
		buf_put(&c, b.p + 320 + 128 * i, 128);
		buf_put(&c, zeros, 64);
	}
	assert_int_equal(trace_parse(c.p, c.len, &back, &e), 0);
	assert_int_equal(back.n, 2);
	assert_memory_equal(back.s, t.s, 2 * sizeof(struct pl_sample));
	trace__free(&back);
	c.p[352 + 150] = 1;
	expect_error(c.p, c.len, "record 0 at offset 502: reserved byte is not zero");
	c.p[352 + 150] = 0;
	c.p[340] = 1;
	expect_error(c.p, c.len, "offset 340: bytes past the version 3 header must be zero");
	c.p[340] = 0;
	/*
	 * Version 2 (no context section): read; the made-up GPU tags the
	 * synthetic PSU used to write in records are accepted and dropped.
	 */
	c.len = 0;
	buf_put(&c, b.p, 288);
	c.p[8] = 2;
	c.p[10] = 0x20;
	c.p[11] = 0x01;
	for (i = 0; i < 2; i++)
		buf_put(&c, b.p + 320 + 128 * i, 128);
	c.p[288 + 92] = 0x92;		/* gpu_pid 4242 */
	c.p[288 + 93] = 0x10;
	c.p[288 + 20] |= 0x20;		/* PL_SF_GPU_CTX */
	assert_int_equal(trace_parse(c.p, c.len, &back, &e), 0);
	assert_int_equal(back.info.version, 2);
	assert_int_equal(back.nctx, 0);
	assert_memory_equal(back.s, t.s, 2 * sizeof(struct pl_sample));
	trace__free(&back);
	/* Version 1 (no sensor model): read, and the model measured from the data. */
	c.len = 0;
	buf_put(&c, b.p, 256);
	c.p[8] = 1;
	c.p[10] = 0;
	c.p[11] = 1;
	for (i = 0; i < 2; i++)
		buf_put(&c, b.p + 320 + 128 * i, 128);
	assert_int_equal(trace_parse(c.p, c.len, &back, &e), 0);
	assert_int_equal(back.info.version, 1);
	assert_int_equal(back.info.sensor.kind, SENSOR_PMBUS);
	assert_int_equal(back.info.sensor.origin, 0);
	assert_int_equal(back.info.sensor.quantum_uw, 1000); /* PIN steps 1000 uW */
	assert_int_equal(back.info.sensor.refresh_ns, 0); /* one change: no interval between changes */
	assert_memory_equal(back.s, t.s, 2 * sizeof(struct pl_sample));
	trace__free(&back);
	trace__free(&t);
	buf_free(&b);
	buf_free(&c);
}

static void test_save_is_atomic_and_load_prefixes_path(void **state)
{
	char *dir = tu_tmpdir();
	struct trace t, back;
	struct plerr e = { "" };
	struct dirent *de;
	int files = 0;
	DIR *d;

	(void)state;
	fill(&t, 3);
	assert_int_equal(trace_save(tu_path(dir, "a.pltr"), &t, 0, &e), 0);
	/* Without AFILE_REPLACE an existing file is refused, and left as it was. */
	assert_int_equal(trace_save(tu_path(dir, "a.pltr"), &t, 0, &e), -EEXIST);
	assert_non_null(strstr(e.msg, "exists (use --force"));
	assert_int_equal(trace_save(tu_path(dir, "a.pltr"), &t, AFILE_REPLACE, &e), 0);
	d = opendir(dir);
	while ((de = readdir(d)))
		files += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 1); /* no temporary left behind */
	assert_int_equal(trace_load(tu_path(dir, "a.pltr"), &back, &e), 0);
	assert_int_equal(back.n, 3);
	trace__free(&back);
	assert_int_equal(tu_sh("truncate -s 4000 %s", tu_path(dir, "a.pltr")), 0);
	assert_int_not_equal(trace_load(tu_path(dir, "a.pltr"), &back, &e), 0);
	assert_non_null(strstr(e.msg, "a.pltr: trailing data at offset 704"));
	assert_int_equal(tu_sh("truncate -s 600 %s", tu_path(dir, "a.pltr")), 0);
	assert_int_not_equal(trace_load(tu_path(dir, "a.pltr"), &back, &e), 0);
	assert_non_null(strstr(e.msg, "a.pltr: truncated at offset 600"));
	trace__free(&t);
	tu_rmdir(dir);
}

/*
 * The streamed writer produces trace_encode()'s bytes and their SHA-256;
 * the mapped loader reads large traces (past the release chunk), pipes and
 * empty files; a failed afile leaves neither the target nor a temporary.
 */
static void test_streamed_save_and_mapped_load(void **state)
{
	char *dir = tu_tmpdir(), digest[SHA256_HEX_LEN], want[SHA256_HEX_LEN];
	struct trace t, back;
	struct buf b = { 0 }, file = { 0 };
	struct plerr e = { "" };
	struct afile f;

	(void)state;
	fill(&t, 20000); /* 2.5 MB: several 1 MiB release chunks and a partial one */
	assert_int_equal(trace_encode(&t, &b), 0);
	sha256_hex(b.p, b.len, want);
	assert_int_equal(trace_save_digest(tu_path(dir, "big.pltr"), &t, 0, digest, &e), 0);
	assert_string_equal(digest, want);
	assert_int_equal(file_read(tu_path(dir, "big.pltr"), SIZE_MAX, &file, &e), 0);
	assert_int_equal(file.len, b.len);
	assert_memory_equal(file.p, b.p, b.len);
	assert_int_equal(trace_load(tu_path(dir, "big.pltr"), &back, &e), 0);
	assert_int_equal(back.n, 20000);
	assert_memory_equal(back.s, t.s, 20000 * sizeof(struct pl_sample));
	trace__free(&back);
	/* a pipe is refused at once (not waited on for a writer), named with its path */
	assert_int_equal(tu_sh("mkfifo %s", tu_path(dir, "fifo")), 0);
	assert_int_not_equal(trace_load(tu_path(dir, "fifo"), &back, &e), 0);
	assert_non_null(strstr(e.msg, "fifo: not a regular file"));
	/* an empty file: the header's absence, named with the path */
	assert_int_equal(tu_sh(": > %s", tu_path(dir, "empty.pltr")), 0);
	assert_int_not_equal(trace_load(tu_path(dir, "empty.pltr"), &back, &e), 0);
	assert_non_null(strstr(e.msg, "empty.pltr"));
	/* a truncated large file: the offset of the first incomplete record */
	assert_int_equal(tu_sh("head -c %zu %s > %s", b.len - 100, tu_path(dir, "big.pltr"), tu_path(dir, "cut.pltr")),
			 0);
	assert_int_not_equal(trace_load(tu_path(dir, "cut.pltr"), &back, &e), 0);
	assert_non_null(strstr(e.msg, "truncated at offset"));
	/* afile: abandoned or failed, nothing is left behind and the target is untouched */
	assert_int_equal(afile_open(&f, tu_path(dir, "big.pltr"), AFILE_REPLACE, &e), 0);
	afile_write(&f, "partial", 7);
	afile_abort(&f);
	assert_int_equal(tu_sh("test $(ls %s | grep -c tmp) = 0", dir), 0);
	assert_int_equal(trace_load(tu_path(dir, "big.pltr"), &back, &e), 0);
	trace__free(&back);
	assert_int_not_equal(afile_open(&f, tu_path(dir, "no/such/dir/x.pltr"), 0, &e), 0);
	assert_non_null(strstr(e.msg, "no/such/dir/x.pltr"));
	buf_free(&b);
	buf_free(&file);
	trace__free(&t);
	tu_rmdir(dir);
}

static void test_empty_trace_and_power_rail(void **state)
{
	struct trace t, back;
	struct buf b = { 0 };
	struct plerr e = { "" };
	struct pl_sample s = { 0 };
	int64_t uw;

	(void)state;
	trace_init(&t, 1000000, 0, 0, PLTR_SRC_CSV, PLTR_F_REALTIME, "", "", "", "h\x01st");
	assert_string_equal(t.info.host, "h?st");
	assert_int_equal(trace_encode(&t, &b), 0);
	assert_int_equal(trace_parse(b.p, b.len, &back, &e), 0);
	assert_int_equal(back.n, 0);
	assert_int_equal(back.info.flags, PLTR_F_REALTIME);
	trace__free(&back);
	s.rails = PL_RAIL_POUT;
	s.pout_uw = 7;
	s.pin_uw = 9;
	assert_true(sample_power_uw(&s, &uw));
	assert_int_equal(uw, 7);
	s.rails |= PL_RAIL_PIN;
	assert_true(sample_power_uw(&s, &uw));
	assert_int_equal(uw, 9);
	s.rails = PL_RAIL_VIN;
	assert_false(sample_power_uw(&s, &uw));
	trace__free(&t);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_all_fields),
		cmocka_unit_test(test_layout_independent_decode),
		cmocka_unit_test(test_every_truncation_names_offset),
		cmocka_unit_test(test_corruption_names_offset),
		cmocka_unit_test(test_larger_records_and_header_forward_compatible),
		cmocka_unit_test(test_context_section_checks),
		cmocka_unit_test(test_save_is_atomic_and_load_prefixes_path),
		cmocka_unit_test(test_streamed_save_and_mapped_load),
		cmocka_unit_test(test_empty_trace_and_power_rail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
