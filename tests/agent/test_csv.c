// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CSV import: exact decimal conversion, ISO-8601 (checked against GNU
 * date), column and unit recognition, nvidia-smi output, period inference,
 * bad rows with line numbers.
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
