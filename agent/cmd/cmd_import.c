// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger import CSV -o TRACE [options] */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "capture/csv.h"
#include "science/sensor.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_import_help[] =
"NAME\n"
"       powerledger import - convert a power CSV into a trace file\n"
"\n"
"SYNOPSIS\n"
"       powerledger import CSV -o TRACE [--time-unit s|ms|us|ns|iso]\n"
"                          [--period DURATION] [--rail in|out] [--skip-bad]\n"
"                          [--gpu ID] [--rate HZ --scale S [--offset O]]\n"
"                          [--sensor pmbus|nvml|adc|unknown] [--refresh D]\n"
"                          [--quantum W] [--averaging D]\n"
"                          [--host NAME] [--mfr-id S] [--mfr-model S]\n"
"                          [--mfr-serial S] [--dev-id N] [--force]\n"
"\n"
"DESCRIPTION\n"
"       Reads power readings logged by another tool (a PDU or PSU logger,\n"
"       `nvidia-smi --query-gpu=timestamp,power.draw --format=csv -lms 100`)\n"
"       and writes a trace (agent/capture/TRACE-FORMAT.md) that every other verb\n"
"       reads.  The first non-empty line not starting with # is the header;\n"
"       columns are recognized by name, case-insensitively, with the unit in\n"
"       brackets, parentheses or a _unit suffix:\n"
"         time    timestamp, time, ts, t, elapsed (s, ms, us, ns, or ISO-8601\n"
"                 such as 2024-01-15T10:23:45.123Z or 2024/01/15 10:23:45.123)\n"
"         power   power, watts, w, p, power.draw, pin, pout (W, mW, kW)\n"
"         volts   volts, voltage, v, vin, vout (V, mV), optional\n"
"         amps    amps, current, a, i, iin, iout (A, mA), optional\n"
"         gpu     index, gpu, gpu_id, gpu_index, pci.bus_id, uuid, optional\n"
"       Other columns are ignored.  Values may carry their unit (\"250.45 W\").\n"
"       Numbers are converted exactly in decimal (no rounding through binary\n"
"       floating point) to uW, uV, uA and ns.  Without a power column, power\n"
"       is volts * amps.  Any sample rate works; the period is the median\n"
"       interval unless --period is given, and a --period more than 10 %\n"
"       off the median interval is refused (both are named; a wrong\n"
"       --time-unit is the usual cause).  Timestamps must increase strictly.\n"
"       A time column without a unit holds seconds, or ISO-8601 dates when the\n"
"       values look like dates; ISO times without a zone are taken as UTC (a\n"
"       warning says so).  ISO times and epoch seconds make a realtime-clock\n"
"       trace; small relative times a monotonic one.\n"
"\n"
"       Every bad row is reported with its line number.  Without --skip-bad\n"
"       any bad row fails the import and no trace is written.  A last line\n"
"       without a newline that does not parse (fewer fields than the header,\n"
"       a number or date cut short) is what a logger killed mid-write leaves:\n"
"       it is ignored with a warning, \"last line truncated, ignored\", and\n"
"       the rest imported.  An unterminated last line that parses is kept.\n"
"\n"
"       A trace is one series, so a log of several GPUs is never imported\n"
"       as one, --skip-bad or not.  nvidia-smi writes the rows of GPUs\n"
"       0..N-1 one after another for every sample; with --query-gpu=index,...\n"
"       the gpu column tells them apart, and a gpu column holding several ids\n"
"       is refused with the ids found unless --gpu picks one.  (A column whose\n"
"       value differs on every row is a row number, not a GPU.)  Without a\n"
"       gpu column, rows that share their timestamp (\"4 rows share timestamp\n"
"       T\") or that come in groups of N close rows, one group per sample,\n"
"       are refused as several GPUs; log the index column and give --gpu.\n"
"\n"
"       A headerless log of one number a line is read as ADC counts at a\n"
"       known rate (a current clamp, a shunt monitor): --rate (or --period)\n"
"       and --scale are required, and power_W = (count - O) * S, in exact\n"
"       decimal as above (counts to 1e-6, S to 1e-12 W).  The time axis is\n"
"       made, not read: sample i (counting every data line, bad ones too)\n"
"       is at t = i / rate (i * period), rounded to ns, on a monotonic clock\n"
"       from 0; the trace's period is 1/rate rounded to ns.  A header with a\n"
"       power column but no time column takes --rate or --period the same\n"
"       way.  A count below the offset (negative power) is a bad row.\n"
"\n"
"       Every trace states what its sensor can show, because every detector\n"
"       needs it (science/sensor.h): the refresh interval (the time between\n"
"       changes of the reading: nvidia-smi polled every 5 ms still shows a\n"
"       new power value only every ~100 ms), the quantization step (what\n"
"       the printed decimals or the ADC count allow) and the averaging\n"
"       window (how long a step takes to show in full).  import measures\n"
"       them from the readings: the refresh is the typical time between\n"
"       changes, the quantum the largest step dividing nearly every change,\n"
"       the averaging the 10-90 % rise time of the largest steps (0 when\n"
"       steps show within one refresh).  --refresh, --quantum and\n"
"       --averaging give a value instead, from the sensor's data sheet; the\n"
"       trace records which values were given.  The sensor kind is nvml\n"
"       for nvidia-smi's power.draw columns, adc for a headerless log, else\n"
"       unknown, unless --sensor says.\n"
"\n"
"OPTIONS\n"
"       -o, --out TRACE   Output trace (written atomically).  Required.\n"
"       --force           Replace TRACE if it exists; without it an existing\n"
"                         TRACE is left as it is (exit 2).  TRACE is never\n"
"                         the CSV itself, --force or not.\n"
"       --time-unit U     Override the time unit: s, ms, us, ns or iso.\n"
"       --period D        Nominal period, e.g. 1ms, 100ms, 1s (default:\n"
"                         median interval).\n"
"       --rail in|out     The readings are PSU input (PIN/VIN/IIN, default)\n"
"                         or output (POUT/VOUT/IOUT) rails.\n"
"       --skip-bad        Drop bad rows (still reported) instead of failing.\n"
"       --gpu ID          Import only the rows whose gpu column is ID\n"
"                         (compared as text: 0, or 00000000:17:00.0, or\n"
"                         GPU-8c5d...).  One GPU per trace.\n"
"       --rate HZ         Sample rate of a log without a time column, e.g.\n"
"                         2350, 2350Hz, 2.35kHz.  Not with a time column\n"
"                         (give --period there, which is checked).\n"
"       --scale S         Watts per count of a headerless log (> 0).\n"
"       --offset O        Count that reads 0 W (default 0).\n"
"       --host, --mfr-id, --mfr-model, --mfr-serial S\n"
"                         Header strings (printable ASCII, at most 32\n"
"                         bytes) that make the hardware fingerprint.  A\n"
"                         longer one, or one with other bytes, is refused\n"
"                         rather than cut or mended (two hosts must never\n"
"                         share a fingerprint).\n"
"       --dev-id N        Device id stored in the trace (default 0).\n"
"       --sensor KIND     The sensor: pmbus (a PSU's PMBus telemetry), nvml\n"
"                         (a GPU board sensor read through NVML), adc (an\n"
"                         external meter or clamp), unknown.\n"
"       --refresh D       The sensor's refresh interval, e.g. 100ms (not\n"
"                         shorter than the log's period).\n"
"       --quantum W       The reading's quantization step in W, e.g. 0.01,\n"
"                         10mW, 0.25W (> 0).\n"
"       --averaging D     The sensor's averaging window, e.g. 1s; 0 for\n"
"                         instantaneous readings.\n"
"\n"
"OUTPUT\n"
"       Tab-separated: TRACE, rows written, bad rows, period_ns, time unit\n"
"       used (\"rate\" where the times were made from --rate/--period),\n"
"       fingerprint, sensor kind, refresh_ns, quantum_uw, averaging_ns (0:\n"
"       unknown, or none for averaging; `info` says which were given).  Bad rows go to stderr as\n"
"       \"powerledger: CSV:LINE: reason\".  A truncated last line draws\n"
"       \"powerledger: CSV:LINE: last line truncated, ignored (reason)\".\n"
"\n"
"EXIT STATUS\n"
"       0      trace written.\n"
"       2      usage error, unreadable CSV, no usable header, bad rows\n"
"              without --skip-bad, a negative power (also as volts x amps),\n"
"              several GPUs without --gpu (or signs of them), --gpu without\n"
"              a gpu column or with an ID it does not hold, --period off the\n"
"              timestamps by more than 10 %, a headerless log without --rate\n"
"              and --scale, TRACE exists without --force, write error.\n"
"\n"
"FILES\n"
"       CSV    input; TRACE  output .pltr file.\n"
"\n"
"EXAMPLES\n"
"       nvidia-smi --query-gpu=timestamp,power.draw --format=csv -lms 100 > gpu.csv\n"
"       powerledger import gpu.csv -o gpu.pltr --host $(hostname)\n"
"       powerledger import psu.csv -o psu.pltr --rail out --period 1ms\n"
"       nvidia-smi --query-gpu=timestamp,index,power.draw --format=csv -lms 100 > gpus.csv\n"
"       powerledger import gpus.csv -o gpu2.pltr --gpu 2\n"
"       # 10-bit ADC clamp at 2.35 kHz, 512 counts = 0 A, 0.75 W per count:\n"
"       powerledger import clamp.txt -o clamp.pltr --rate 2.35kHz --scale 0.75 --offset 512\n";
/* clang-format on */

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "time-unit", required_argument, NULL, 'u' },
		{ "period", required_argument, NULL, 'p' },
		{ "rail", required_argument, NULL, 'r' },
		{ "skip-bad", no_argument, NULL, 's' },
		{ "host", required_argument, NULL, 'H' },
		{ "mfr-id", required_argument, NULL, 'I' },
		{ "mfr-model", required_argument, NULL, 'M' },
		{ "mfr-serial", required_argument, NULL, 'S' },
		{ "dev-id", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "gpu", required_argument, NULL, 'g' },
		{ "rate", required_argument, NULL, 'R' },
		{ "scale", required_argument, NULL, 'x' },
		{ "offset", required_argument, NULL, 'O' },
		{ "sensor", required_argument, NULL, 'K' },
		{ "refresh", required_argument, NULL, 'F' },
		{ "quantum", required_argument, NULL, 'Q' },
		{ "averaging", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const unit_names[] = { "auto", "s", "ms", "us", "ns", "iso" };
	struct csv_opts o = { 0 };
	struct csv_report rep;
	struct plerr e = { "" };
	struct buf text = { 0 };
	struct trace t = { 0 };
	const char *out = NULL, *csv;
	uint64_t v;
	int64_t sv;
	size_t i;
	int c, ret = PL_EXIT_ERR;
	bool force = false, have_offset = false;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'u':
			for (i = 1; i < 6 && strcmp(optarg, unit_names[i]); i++)
				;
			if (i == 6)
				return usage_error("import", "--time-unit must be s, ms, us, ns or iso");
			o.unit = (enum csv_time_unit)i;
			break;
		case 'p':
			if (parse_duration_ns(optarg, &o.period_ns))
				return usage_error("import", "bad --period '%s' (e.g. 1ms, 100ms, 1s)", optarg);
			break;
		case 'r':
			if (strcmp(optarg, "in") && strcmp(optarg, "out"))
				return usage_error("import", "--rail must be in or out");
			o.output_rails = !strcmp(optarg, "out");
			break;
		case 's': o.skip_bad = true; break;
		case 'g':
			if (!*optarg)
				return usage_error("import", "--gpu needs the GPU column's value, e.g. --gpu 0");
			o.gpu = optarg;
			break;
		case 'R':
			if (cli_parse_rate_uhz(optarg, &o.rate_uhz))
				return usage_error("import", "bad --rate '%s' (e.g. 2350, 2350Hz, 2.35kHz)", optarg);
			break;
		case 'x':
			if (parse_decimal_scaled(optarg, 12, &sv) || sv <= 0)
				return usage_error("import", "bad --scale '%s' (W per count, > 0, e.g. 0.0488)", optarg);
			o.scale_pw = sv;
			break;
		case 'O':
			if (parse_decimal_scaled(optarg, 6, &o.offset_ucount))
				return usage_error("import", "bad --offset '%s' (counts, e.g. 512)", optarg);
			have_offset = true;
			break;
		case 'H':
		case 'I':
		case 'M':
		case 'S':
			if (cli_ident_opt("import", c == 'H' ? "host" : c == 'I' ? "mfr-id" : c == 'M' ? "mfr-model" : "mfr-serial",
					  optarg))
				return PL_EXIT_ERR;
			*(c == 'H' ? &o.host : c == 'I' ? &o.mfr_id : c == 'M' ? &o.mfr_model : &o.mfr_serial) = optarg;
			break;
		case 'K':
			for (i = 0; i < __SENSOR_KIND_MAX && strcmp(optarg, sensor_kind_name((uint8_t)i)); i++)
				;
			if (i == __SENSOR_KIND_MAX)
				return usage_error("import", "bad --sensor '%s' (pmbus, nvml, adc or unknown)", optarg);
			o.sensor.kind = (uint8_t)i;
			break;
		case 'F':
			if (parse_duration_ns(optarg, &v) || !v || v > PLTR_MAX_PERIOD_NS)
				return usage_error("import", "bad --refresh '%s' (e.g. 100ms, 1s)", optarg);
			o.sensor.refresh_ns = v;
			o.sensor.origin |= SENSOR_O_REFRESH;
			break;
		case 'A':
			if (strcmp(optarg, "0") && (parse_duration_ns(optarg, &v) || v > PLTR_MAX_PERIOD_NS))
				return usage_error("import", "bad --averaging '%s' (e.g. 0, 25ms, 1s)", optarg);
			o.sensor.averaging_ns = strcmp(optarg, "0") ? v : 0;
			o.sensor.origin |= SENSOR_O_AVERAGING;
			break;
		case 'Q':
			if (cli_parse_power_uw(optarg, &sv) || sv <= 0 || (uint64_t)sv > SENSOR_MAX_QUANTUM_UW)
				return usage_error("import", "bad --quantum '%s' (W, > 0 and at most 1 MW, e.g. 0.01, 10mW)",
						   optarg);
			o.sensor.quantum_uw = (uint64_t)sv;
			o.sensor.origin |= SENSOR_O_QUANTUM;
			break;
		case 'd':
			if (parse_u64(optarg, &v) || v > UINT32_MAX)
				return usage_error("import", "bad --dev-id '%s'", optarg);
			o.dev_id = (uint32_t)v;
			break;
		default: return usage_error("import", "bad option");
		}
	}
	if (!out)
		return usage_error("import", "-o TRACE is required");
	if (o.rate_uhz && o.period_ns)
		return usage_error("import", "--rate or --period, not both");
	if (have_offset && !o.scale_pw)
		return usage_error("import", "--offset needs --scale");
	if (optind + 1 != argc)
		return usage_error("import", "exactly one CSV");
	if ((o.sensor.origin & SENSOR_O_REFRESH) && o.period_ns && o.sensor.refresh_ns < o.period_ns)
		return usage_error("import", "--refresh is shorter than --period: a reading cannot change between polls");
	csv = argv[optind];
	if (out_check_inputs(out, force, &csv, 1, &e) || file_read(csv, SIZE_MAX / 4, &text, &e)) {
		pl_error(&e);
		goto cleanup;
	}
	if (csv_import(text.p ? (const char *)text.p : "", text.len, &o, &t, &rep, &e)) {
		/* Several GPUs: their rows' complaints about each other's times say nothing more. */
		for (i = 0; i < rep.reported && !rep.mixed; i++)
			pl_warn("%s:%s", csv, rep.msg[i] + 5); /* "line 17: x" -> "CSV:17: x" */
		if (rep.bad > rep.reported && !rep.mixed)
			pl_warn("%s: %zu more bad row(s)", csv, rep.bad - rep.reported);
		if (rep.truncated_line)
			pl_warn("%s:%zu: last line truncated, ignored (%s)", csv, rep.truncated_line, rep.truncated_why);
		pl_warn("%s: %s", csv, e.msg);
		goto cleanup;
	}
	for (i = 0; i < rep.reported; i++)
		pl_warn("%s:%s (skipped)", csv, rep.msg[i] + 5);
	if (rep.bad > rep.reported)
		pl_warn("%s: %zu more bad row(s) skipped", csv, rep.bad - rep.reported);
	if (rep.truncated_line)
		pl_warn("%s:%zu: last line truncated, ignored (%s)", csv, rep.truncated_line, rep.truncated_why);
	if (rep.no_zone)
		pl_warn("%s: ISO-8601 times without a zone were taken as UTC", csv);
	if ((o.sensor.origin & SENSOR_O_REFRESH) && o.sensor.refresh_ns < t.info.period_ns) {
		usage_error("import", "--refresh is shorter than the log's period (%" PRIu64
				      " ns): a reading cannot change between polls",
			    t.info.period_ns);
		goto cleanup;
	}
	if (trace_save(out, &t, afile_force(force), &e)) {
		pl_error(&e);
		goto cleanup;
	}
	printf("%s\t%zu\t%zu\t%" PRIu64 "\t%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", out, t.n, rep.bad,
	       rep.period_ns, rep.synthetic_time ? "rate" : unit_names[rep.unit], t.info.fingerprint,
	       sensor_kind_name(t.info.sensor.kind), t.info.sensor.refresh_ns, t.info.sensor.quantum_uw,
	       t.info.sensor.averaging_ns);
	ret = PL_EXIT_OK;
cleanup:
	trace__free(&t);
	buf_free(&text);
	return ret;
}
