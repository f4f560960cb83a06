// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CSV import: exact decimal conversion, ISO-8601 (checked against GNU
 * date), column and unit recognition, nvidia-smi output, period inference,
 * bad rows with line numbers; several GPUs in one log (with and without an
 * index column), a truncated last line, headerless ADC counts, --period
 * against the timestamps.
 */
#include "testutil.h"

#include <errno.h>

#include "capture/csv.h"

static void test_decimal_exact(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(parse_decimal_scaled("250.45", 6, &v), 0);
	assert_int_equal(v, 250450000);
	assert_int_equal(parse_decimal_scaled("1700000000.123456789", 9, &v), 0);
	assert_int_equal(v, 1700000000123456789LL);
	assert_int_equal(parse_decimal_scaled("0.0005", 6, &v), 0);
	assert_int_equal(v, 500);
	assert_int_equal(parse_decimal_scaled("1.2345675", 6, &v), 0); /* half away from zero */
	assert_int_equal(v, 1234568);
	assert_int_equal(parse_decimal_scaled("-1.2345675", 6, &v), 0);
	assert_int_equal(v, -1234568);
	assert_int_equal(parse_decimal_scaled("0.00000049", 6, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_decimal_scaled("2.5e3", 3, &v), 0);
	assert_int_equal(v, 2500000);
	assert_int_equal(parse_decimal_scaled("15E-1", 0, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(parse_decimal_scaled(".5", 1, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(parse_decimal_scaled("007", 0, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_decimal_scaled("9223372036854775807", 0, &v), 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(parse_decimal_scaled("9223372036854775808", 0, &v), -ERANGE);
	assert_int_equal(parse_decimal_scaled("1e30", 0, &v), -ERANGE);
	assert_int_equal(parse_decimal_scaled("", 0, &v), -EINVAL);
	assert_int_equal(parse_decimal_scaled("-", 0, &v), -EINVAL);
	assert_int_equal(parse_decimal_scaled("1.2.3", 0, &v), -EINVAL);
	assert_int_equal(parse_decimal_scaled("1e", 0, &v), -EINVAL);
	assert_int_equal(parse_decimal_scaled("0x10", 0, &v), -EINVAL);
	assert_int_equal(parse_decimal_scaled("nan", 0, &v), -EINVAL);
	assert_int_equal(parse_decimal_scaled(" 1", 0, &v), -EINVAL);
}

/* Our ISO parser against GNU date for a spread of dates, zones and leap days. */
static void test_iso8601_vs_date(void **state)
{
	static const char *const cases[] = {
		"1970-01-01T00:00:00Z",		  "2000-02-29T12:34:56Z",     "2024-01-15T10:23:45.123Z",
		"2024-12-31T23:59:59.999999999Z", "2038-01-19T03:14:08Z",     "2100-03-01T00:00:00+01:00",
		"2024-06-30T18:00:00-05:30",	  "1999-12-31T23:59:59+0000",
	};
	char *dir = tu_tmpdir();
	struct buf out = { 0 };
	size_t i;
	int64_t ns, want;
	bool zone;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_iso8601_ns(cases[i], &ns, &zone), 0);
		assert_true(zone);
		assert_int_equal(tu_sh("date -u -d '%s' +%%s%%N > %s", cases[i], tu_path(dir, "d")), 0);
		tu_read(tu_path(dir, "d"), &out);
		assert_int_equal(parse_decimal_scaled(strtok((char *)out.p, "\n"), 0, &want), 0);
		if (ns != want)
			fail_msg("%s: %lld != date's %lld", cases[i], (long long)ns, (long long)want);
	}
	/* nvidia-smi's format, no zone: UTC. */
	assert_int_equal(parse_iso8601_ns("2024/01/15 10:23:45.123", &ns, &zone), 0);
	assert_false(zone);
	assert_int_equal(ns, 1705314225123000000LL);
	assert_int_equal(parse_iso8601_ns("2023-02-29T00:00:00Z", &ns, &zone), -EINVAL);
	assert_int_equal(parse_iso8601_ns("2024-13-01T00:00:00Z", &ns, &zone), -EINVAL);
	assert_int_equal(parse_iso8601_ns("2024-01-15T25:00:00Z", &ns, &zone), -EINVAL);
	assert_int_equal(parse_iso8601_ns("2024-01-15", &ns, &zone), -EINVAL);
	assert_int_equal(parse_iso8601_ns("2024-01/15T00:00:00Z", &ns, &zone), -EINVAL);
	assert_int_equal(parse_iso8601_ns("2024-01-15T00:00:00Zjunk", &ns, &zone), -EINVAL);
	assert_int_equal(parse_iso8601_ns("1969-12-31T23:59:59Z", &ns, &zone), -ERANGE);
	buf_free(&out);
	tu_rmdir(dir);
}

static int import(const char *csv, const struct csv_opts *o, struct trace *t, struct csv_report *rep, struct plerr *e)
{
	return csv_import(csv, strlen(csv), o, t, rep, e);
}

static void test_nvidia_smi(void **state)
{
	const char *csv = "timestamp, name, power.draw [W]\n"
			  "2024/01/15 10:23:45.100, NVIDIA H100, 250.45 W\n"
			  "2024/01/15 10:23:45.200, NVIDIA H100, 251.00 W\n"
			  "2024/01/15 10:23:45.301, NVIDIA H100, 249.99 W\n";
	struct csv_opts o = { .host = "h" };
	struct csv_report rep;
	struct plerr e = { "" };
	struct trace t;

	(void)state;
	assert_int_equal(import(csv, &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(rep.unit, CSV_TIME_ISO);
	assert_true(rep.no_zone);
	assert_int_equal(t.s[0].ts_ns, 1705314225100000000ULL);
	assert_int_equal(t.s[2].pin_uw, 249990000);
	assert_int_equal(t.s[1].rails, PL_RAIL_PIN);
	assert_int_equal(t.s[2].seq, 2);
	assert_int_equal(t.info.period_ns, 100000000); /* median of 100 ms and 101 ms: lower median */
	assert_true(t.info.flags & PLTR_F_REALTIME);
	assert_int_equal(t.info.source, PLTR_SRC_CSV);
	trace__free(&t);
}

static void test_units_columns_rates(void **state)
{
	struct csv_opts o = { 0 };
	struct csv_report rep;
	struct plerr e = { "" };
	struct trace t;

	(void)state;
	/* ms timestamps by suffix, mW power, V and mA, output rails, semicolons, CRLF, comments. */
	assert_int_equal(import("# logger v2\r\ntime_ms;power_mw;volts;current (mA)\r\n0;1000;12;83\r\n"
				"2;1500.5;12.1;124\r\n4;1200;12;100\r\n",
				&(struct csv_opts){ .output_rails = true }, &t, &rep, &e),
			 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.info.period_ns, 2000000);
	assert_int_equal(t.s[1].ts_ns, 2000000);
	assert_int_equal(t.s[1].pout_uw, 1500500);
	assert_int_equal(t.s[1].vout_uv, 12100000);
	assert_int_equal(t.s[1].iout_ua, 124000);
	assert_int_equal(t.info.rails, PL_RAIL_POUT | PL_RAIL_VOUT | PL_RAIL_IOUT);
	assert_false(t.info.flags & PLTR_F_REALTIME);
	trace__free(&t);
	/* Seconds without a unit, a 50 Hz logger, power from V*I, quoted header. */
	assert_int_equal(import("\"t\",\"v\",\"a\"\n10.00,230,2\n10.02,230,2.5\n10.04,229.5,2\n", &o, &t, &rep, &e), 0);
	assert_int_equal(t.info.period_ns, 20000000);
	assert_int_equal(t.s[1].pin_uw, 575000000);
	assert_int_equal(t.s[2].pin_uw, 459000000);
	trace__free(&t);
	/* --time-unit and --period override. */
	o.unit = CSV_TIME_US;
	o.period_ns = 1000;
	assert_int_equal(import("ts,watts\n5,1\n6,2\n", &o, &t, &rep, &e), 0);
	assert_int_equal(t.s[1].ts_ns, 6000);
	assert_int_equal(t.info.period_ns, 1000);
	trace__free(&t);
}

static void test_bad_rows_with_line_numbers(void **state)
{
	const char *csv = "time,power\n"
			  "\n"
			  "0.001,100\n"
			  "0.002,abc\n" /* line 4 */
			  "0.003,-5\n"	/* line 5 */
			  "0.004\n"	/* line 6 */
			  "0.004,100\n"
			  "0.004,100\n"	   /* line 8: not after the previous */
			  "0.005,100 mW\n" /* line 9: unit mismatch */
			  "0.006,\"7\n";   /* line 10: broken quote */
	struct csv_opts o = { 0 };
	struct csv_report rep;
	struct plerr e = { "" };
	struct trace t;

	(void)state;
	assert_int_equal(import(csv, &o, &t, &rep, &e), -EINVAL);
	assert_int_equal(rep.bad, 6);
	assert_int_equal(rep.rows, 8);
	assert_string_equal(rep.msg[0], "line 4: bad power 'abc'");
	assert_string_equal(rep.msg[1], "line 5: bad power '-5'");
	assert_string_equal(rep.msg[2], "line 6: 1 fields, the header has 2");
	assert_non_null(strstr(rep.msg[3], "line 8: time 0.004 is not after"));
	assert_non_null(strstr(rep.msg[4], "line 9: bad power"));
	assert_non_null(strstr(rep.msg[5], "line 10: unbalanced quotes"));
	assert_non_null(strstr(e.msg, "6 bad row(s) of 8"));
	o.skip_bad = true;
	assert_int_equal(import(csv, &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.s[1].ts_ns, 4000000);
	trace__free(&t);
}

static void test_header_errors(void **state)
{
	struct csv_opts o = { 0 };
	struct csv_report rep;
	struct plerr e = { "" };
	struct trace t;

	(void)state;
	assert_int_equal(import("power\n1\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "line 1: no time column"));
	assert_int_equal(import("# c\ntime,volts\n1,2\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "line 2: no power column"));
	assert_int_equal(import("time,power [furlongs]\n1,2\n", &o, &t, &rep, &e), -EINVAL);
	assert_int_equal(import("", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no header"));
	assert_int_equal(import("time,power\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no usable data rows"));
	assert_int_equal(import("time,power\n1,1\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--period"));
}

/* nvidia-smi --query-gpu=timestamp,index,name,power.draw: GPUs 0 and 1 share each timestamp. */
static const char two_gpus[] = "timestamp, index, name, power.draw [W]\n"
			       "2024/01/15 10:23:45.100, 0, NVIDIA H100, 250.45 W\n"
			       "2024/01/15 10:23:45.100, 1, NVIDIA H100, 90.00 W\n"
			       "2024/01/15 10:23:45.200, 0, NVIDIA H100, 251.00 W\n"
			       "2024/01/15 10:23:45.200, 1, NVIDIA H100, 91.00 W\n"
			       "2024/01/15 10:23:45.300, 0, NVIDIA H100, 249.99 W\n"
			       "2024/01/15 10:23:45.300, 1, NVIDIA H100, 92.00 W\n";

static void test_several_gpus_with_index(void **state)
{
	struct csv_opts o = { 0 };
	struct csv_report rep;
	struct plerr e = { "" };
	struct trace t;

	(void)state;
	/* No selection: refused, naming the GPUs and --gpu; --skip-bad changes nothing. */
	assert_int_equal(import(two_gpus, &o, &t, &rep, &e), -EINVAL);
	assert_true(rep.mixed);
	assert_non_null(strstr(e.msg, "2 GPUs in column 'index' (0, 1)"));
	assert_non_null(strstr(e.msg, "--gpu"));
	o.skip_bad = true;
	assert_int_equal(import(two_gpus, &o, &t, &rep, &e), -EINVAL);
	assert_true(rep.mixed);
	/* --gpu 1: that GPU's rows only, its own 100 ms period. */
	o.skip_bad = false;
	o.gpu = "1";
	assert_int_equal(import(two_gpus, &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(rep.bad, 0);
	assert_int_equal(rep.other_gpu, 3);
	assert_int_equal(t.s[0].pin_uw, 90000000);
	assert_int_equal(t.s[2].pin_uw, 92000000);
	assert_int_equal(t.info.period_ns, 100000000);
	trace__free(&t);
	o.gpu = "7";
	assert_int_equal(import(two_gpus, &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--gpu 7: no such value in column 'index' (it holds 0, 1)"));
	/* Other names, any case: GPU_ID (the long format of training logs), pci.bus_id. */
	o.gpu = NULL;
	assert_int_equal(import("time_s,GPU_ID,watts\n0.000,0,100\n0.002,1,50\n0.100,0,101\n0.103,1,51\n"
				"0.200,0,102\n0.201,1,52\n",
				&o, &t, &rep, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "2 GPUs in column 'GPU_ID'"));
	o.gpu = "00000000:3B:00.0";
	assert_int_equal(import("time_s,pci.bus_id,watts\n0.0,00000000:17:00.0,100\n0.0,00000000:3B:00.0,50\n"
				"0.1,00000000:17:00.0,101\n0.1,00000000:3B:00.0,51\n",
				&o, &t, &rep, &e),
			 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.s[1].pin_uw, 51000000);
	trace__free(&t);
	/* One GPU in the column: a plain import. */
	o.gpu = NULL;
	assert_int_equal(import("time_s,uuid,watts\n0.0,GPU-8c5d,100\n0.1,GPU-8c5d,101\n", &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 2);
	trace__free(&t);
	/* A column called index that differs on every row is a row number, not GPUs. */
	assert_int_equal(import("index,time_s,watts\n0,0.0,100\n1,0.1,101\n2,0.2,102\n3,0.3,103\n", &o, &t, &rep, &e),
			 0);
	assert_int_equal(t.n, 4);
	trace__free(&t);
	/* --gpu needs a GPU column. */
	o.gpu = "0";
	assert_int_equal(import("time_s,watts\n0.0,1\n0.1,2\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--gpu 0: line 1 has no GPU column"));
}

static void test_several_gpus_without_index(void **state)
{
	/* nvidia-smi --query-gpu=timestamp,power.draw on a 4-GPU host: 4 rows per timestamp. */
	const char *shared = "timestamp, power.draw [W]\n"
			     "2024/01/15 10:23:45.100, 250.45 W\n2024/01/15 10:23:45.100, 90.00 W\n"
			     "2024/01/15 10:23:45.100, 70.00 W\n2024/01/15 10:23:45.100, 60.00 W\n"
			     "2024/01/15 10:23:45.200, 251.00 W\n2024/01/15 10:23:45.200, 91.00 W\n"
			     "2024/01/15 10:23:45.200, 71.00 W\n2024/01/15 10:23:45.200, 61.00 W\n";
	struct csv_opts o = { 0 };
	struct csv_report rep;
	struct plerr e = { "" };
	struct buf b = { 0 };
	struct trace t;
	char row[64];

	(void)state;
	assert_int_equal(import(shared, &o, &t, &rep, &e), -EINVAL);
	assert_true(rep.mixed);
	assert_non_null(strstr(e.msg, "4 rows share timestamp 2024/01/15 10:23:45.100 (lines 2-5)"));
	assert_non_null(strstr(e.msg, "several GPUs in one log? give --gpu with a gpu/index column"));
	/* --skip-bad would keep one row per timestamp, whichever GPU came first: still refused. */
	o.skip_bad = true;
	assert_int_equal(import(shared, &o, &t, &rep, &e), -EINVAL);
	assert_true(rep.mixed);
	/* Each GPU's row stamped when it was read: groups of 3 rows 2 ms apart, every 100 ms. */
	buf_put(&b, "time_s,watts\n", 13);
	for (int i = 0; i < 20; i++) {
		for (int k = 0; k < 3; k++) {
			snprintf(row, sizeof(row), "%d.%03d,%d\n", i / 10, (i % 10) * 100 + 2 * k, 100 + 50 * k);
			buf_put(&b, row, strlen(row));
		}
	}
	buf_put(&b, "", 1);
	assert_int_equal(import((const char *)b.p, &o, &t, &rep, &e), -EINVAL);
	assert_true(rep.mixed);
	assert_non_null(strstr(e.msg, "groups of 3 rows (2ms apart inside a group, 96ms between groups"));
	buf_free(&b);
	/* 8 GPUs read one after another, 10 ms each, every 100 ms: gaps only 3 times the steps. */
	buf_put(&b, "time_ms,watts\n", 14);
	for (int i = 0; i < 10; i++) {
		for (int k = 0; k < 8; k++) {
			snprintf(row, sizeof(row), "%d,%d\n", 100 * i + 10 * k, 100 + k);
			buf_put(&b, row, strlen(row));
		}
	}
	buf_put(&b, "", 1);
	assert_int_equal(import((const char *)b.p, &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "groups of 8 rows (10ms apart inside a group, 30ms between groups"));
	buf_free(&b);
	/* Not several GPUs: a 1.5 ms logger stamping in ms (1, 2, 1, 2 ms), a jittery 100 ms one. */
	o.skip_bad = false;
	buf_put(&b, "time_ms,watts\n", 14);
	for (int i = 0, ms = 0; i < 40; i++, ms += i % 2 ? 1 : 2) {
		snprintf(row, sizeof(row), "%d,100\n", ms);
		buf_put(&b, row, strlen(row));
	}
	buf_put(&b, "", 1);
	assert_int_equal(import((const char *)b.p, &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 40);
	trace__free(&t);
	buf_free(&b);
	assert_int_equal(import("time_ms,watts\n0,1\n97,1\n201,1\n299,1\n402,1\n500,1\n598,1\n703,1\n", &o, &t, &rep, &e),
			 0);
	assert_int_equal(t.n, 8);
	trace__free(&t);
}

static void test_truncated_last_line(void **state)
{
	struct csv_opts o = { 0 };
	struct csv_report rep;
	struct plerr e = { "" };
	struct trace t;

	(void)state;
	/* Fewer fields, no newline: the logger died mid-line; the rest is imported. */
	assert_int_equal(import("time_s,watts\n0.0,10\n0.1,11\n0.2,12\n0.3", &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(rep.bad, 0);
	assert_int_equal(rep.truncated_line, 5);
	assert_string_equal(rep.truncated_why, "1 fields, the header has 2");
	trace__free(&t);
	/* A number cut short ("1e"), an ISO date cut short. */
	assert_int_equal(import("time_s,watts\n0.0,10\n0.1,11\n0.2,1e", &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(rep.truncated_line, 4);
	trace__free(&t);
	assert_int_equal(import("timestamp,power.draw [W]\n2024/01/15 10:23:45.100, 250 W\n"
				"2024/01/15 10:23:45.200, 251 W\n2024/01/15 10:2",
				&o, &t, &rep, &e),
			 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(rep.truncated_line, 4);
	trace__free(&t);
	/* An unterminated last line that parses is a whole row. */
	assert_int_equal(import("time_s,watts\n0.0,10\n0.1,11\n0.2,12", &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(rep.truncated_line, 0);
	trace__free(&t);
	/* The same short line with its newline, or a bad line before the end: bad rows as ever. */
	assert_int_equal(import("time_s,watts\n0.0,10\n0.1,11\n0.3\n", &o, &t, &rep, &e), -EINVAL);
	assert_int_equal(rep.truncated_line, 0);
	assert_int_equal(import("time_s,watts\n0.0,10\n0.1\n0.2,12\n0.3", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "line 3: 1 fields"));
	/* A negative power on the last line is no cut. */
	assert_int_equal(import("time_s,watts\n0.0,10\n0.1,11\n0.2,-12", &o, &t, &rep, &e), -EINVAL);
	assert_int_equal(rep.truncated_line, 0);
}

static void test_headerless_counts(void **state)
{
	/* A 10-bit ADC current clamp at 2.35 kHz: 512 counts = 0 A, 0.75 W per count. */
	struct csv_opts o = { .rate_uhz = 2350000000ULL, .scale_pw = 750000000000LL, .offset_ucount = 512000000 };
	struct csv_report rep;
	struct plerr e = { "" };
	struct trace t;

	(void)state;
	assert_int_equal(import("512\n600\n1023\n", &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 3);
	assert_true(rep.synthetic_time);
	assert_int_equal(t.s[0].pin_uw, 0);
	assert_int_equal(t.s[1].pin_uw, 66000000);  /* (600 - 512) * 0.75 W */
	assert_int_equal(t.s[2].pin_uw, 383250000); /* (1023 - 512) * 0.75 W */
	/* t_i = i / 2350 Hz, rounded to ns: 425531.9 -> 425532, 851063.8 -> 851064. */
	assert_int_equal(t.s[0].ts_ns, 0);
	assert_int_equal(t.s[1].ts_ns, 425532);
	assert_int_equal(t.s[2].ts_ns, 851064);
	assert_int_equal(t.info.period_ns, 425532);
	assert_false(t.info.flags & PLTR_F_REALTIME);
	trace__free(&t);
	/* Exact decimal: 0.0488 W per count, no offset, fractional counts. */
	o = (struct csv_opts){ .period_ns = 1000000, .scale_pw = 48800000000LL };
	assert_int_equal(import("# clamp\n3\n\n1000.5\n7\n", &o, &t, &rep, &e), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.s[0].pin_uw, 146400);
	assert_int_equal(t.s[1].pin_uw, 48824400);
	assert_int_equal(t.s[2].ts_ns, 2000000);
	assert_int_equal(t.info.period_ns, 1000000);
	trace__free(&t);
	/* 0.5 uW per count: halves round away from zero, as the parser does. */
	o = (struct csv_opts){ .period_ns = 1000000, .scale_pw = 500000 };
	assert_int_equal(import("1\n3\n4\n", &o, &t, &rep, &e), 0);
	assert_int_equal(t.s[0].pin_uw, 1);
	assert_int_equal(t.s[1].pin_uw, 2);
	assert_int_equal(t.s[2].pin_uw, 2);
	trace__free(&t);
	/* Below the offset: negative power, a bad row like any other. */
	o = (struct csv_opts){ .rate_uhz = 1000000000ULL, .scale_pw = 1000000000000LL, .offset_ucount = 512000000 };
	assert_int_equal(import("512\n511\n513\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(rep.msg[0], "line 2: negative power"));
	o.skip_bad = true;
	assert_int_equal(import("512\n511\n513\n", &o, &t, &rep, &e), 0);
	assert_int_equal(t.s[1].ts_ns, 2000000); /* the dropped sample keeps its place in time */
	trace__free(&t);
	/* Without a rate or a scale: refused, saying what is needed. */
	o = (struct csv_opts){ .scale_pw = 1000000000000LL };
	assert_int_equal(import("512\n600\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--rate HZ"));
	o = (struct csv_opts){ .rate_uhz = 1000000000ULL };
	assert_int_equal(import("512\n600\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--scale"));
	/* Rates whose samples would share a ns, or a period over an hour. */
	o = (struct csv_opts){ .rate_uhz = 2000000000000000ULL, .scale_pw = 1000000000000LL };
	assert_int_equal(import("1\n2\n3\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--rate out of range"));
	o.rate_uhz = 100;
	assert_int_equal(import("1\n2\n3\n", &o, &t, &rep, &e), -EINVAL);
	o.rate_uhz = 1000000000000000ULL; /* 1 GHz: t_i = i ns */
	assert_int_equal(import("1\n2\n3\n", &o, &t, &rep, &e), 0);
	assert_int_equal(t.s[2].ts_ns, 2);
	trace__free(&t);
	/* --scale is for counts, --rate for logs without times. */
	o = (struct csv_opts){ .rate_uhz = 1000000000ULL, .scale_pw = 1000000000000LL };
	assert_int_equal(import("time_s,watts\n0,1\n1,2\n", &o, &t, &rep, &e), -EINVAL);
	o.scale_pw = 0;
	assert_int_equal(import("time_s,watts\n0,1\n1,2\n", &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--rate is for a log without times"));
	/* A header with power but no time column takes the rate too. */
	assert_int_equal(import("watts\n10\n11\n", &o, &t, &rep, &e), 0);
	assert_int_equal(t.s[1].ts_ns, 1000000);
	assert_int_equal(t.s[1].pin_uw, 11000000);
	trace__free(&t);
}

static void test_period_checked(void **state)
{
	const char *csv = "time_s,watts\n0.0,1\n0.1,2\n0.2,3\n0.3,4\n";
	struct csv_opts o = { .period_ns = 1000000 };
	struct csv_report rep;
	struct plerr e = { "" };
	struct trace t;

	(void)state;
	assert_int_equal(import(csv, &o, &t, &rep, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--period 1ms differs from the timestamps' median interval 100ms"));
	o.period_ns = 111000000; /* 11 % */
	assert_int_equal(import(csv, &o, &t, &rep, &e), -EINVAL);
	o.period_ns = 89000000;
	assert_int_equal(import(csv, &o, &t, &rep, &e), -EINVAL);
	o.period_ns = 110000000; /* 10 %: within */
	assert_int_equal(import(csv, &o, &t, &rep, &e), 0);
	assert_int_equal(t.info.period_ns, 110000000);
	trace__free(&t);
	o.period_ns = 90000000;
	assert_int_equal(import(csv, &o, &t, &rep, &e), 0);
	trace__free(&t);
}

/* Durations and sizes share one unit parser: units, zero, junk, overflow. */
static void test_durations_and_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_duration_ns("250ms", &v), 0);
	assert_int_equal(v, 250000000);
	assert_int_equal(parse_duration_ns("2min", &v), 0);
	assert_int_equal(v, 120000000000ULL);
	assert_int_equal(parse_duration_ns("7", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_duration_ns("0s", &v), -EINVAL);
	assert_int_equal(parse_duration_ns("s", &v), -EINVAL);
	assert_int_equal(parse_duration_ns("1.5s", &v), -EINVAL);
	assert_int_equal(parse_duration_ns("99999999999999999min", &v), -ERANGE);
	assert_int_equal(parse_size_bytes("64KiB", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(parse_size_bytes("8M", &v), 0);
	assert_int_equal(v, 8 << 20);
	assert_int_equal(parse_size_bytes("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size_bytes("M", &v), -EINVAL);
	assert_int_equal(parse_size_bytes("lots", &v), -EINVAL);
	assert_int_equal(parse_size_bytes("99999999999999G", &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal_exact),
		cmocka_unit_test(test_durations_and_sizes),
		cmocka_unit_test(test_iso8601_vs_date),
		cmocka_unit_test(test_nvidia_smi),
		cmocka_unit_test(test_units_columns_rates),
		cmocka_unit_test(test_bad_rows_with_line_numbers),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_several_gpus_with_index),
		cmocka_unit_test(test_several_gpus_without_index),
		cmocka_unit_test(test_truncated_last_line),
		cmocka_unit_test(test_headerless_counts),
		cmocka_unit_test(test_period_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
