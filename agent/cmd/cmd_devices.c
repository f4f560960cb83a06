// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger devices [--json] */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "capture/genl.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_devices_help[] =
"NAME\n"
"       powerledger devices - list the PSUs the powerledger module samples\n"
"\n"
"SYNOPSIS\n"
"       powerledger devices [--json]\n"
"\n"
"DESCRIPTION\n"
"       Asks the module, over its generic netlink family \"powerledger\"\n"
"       (PL_CMD_GET_DEVICE, a dump), for every bound PSU and, per PSU, for\n"
"       its counters (PL_CMD_GET_STATS).  Needs no privilege.  A PSU\n"
"       unbound between the two questions is left out.\n"
"\n"
"       Rails are named vin, iin, vout, iout, pout, pin and temp\n"
"       (READ_VIN ... READ_TEMPERATURE_1); device flags pec (packet error\n"
"       checking in use), block-read (the adapter does SMBus block reads),\n"
"       enabled (sampling), backoff (the bus is stuck: backing off) and\n"
"       page-check (PAGE is read back before every sample).\n"
"\n"
"OPTIONS\n"
"       --json Print one canonical JSON object, {\"devices\": [...]}.\n"
"\n"
"OUTPUT\n"
"       On a terminal, a block per PSU: id, name, MFR_ID, MFR_MODEL and\n"
"       MFR_SERIAL; the period (\"1 ms (1000 Hz)\") and whether it samples;\n"
"       the rails each sample reads and those the PSU answers; the flags\n"
"       and PMBus page; the headline counters.\n"
"\n"
"       Otherwise one line per PSU, tab-separated: id, name, mfr_id,\n"
"       mfr_model, mfr_serial (\"-\" when empty; tabs and bytes outside\n"
"       printable ASCII as '_'), period_ns, enabled (0 or 1), rails,\n"
"       rails_avail, flags (comma-separated names, \"-\" for none), page,\n"
"       samples, lost, overruns, i2c_errors, pec_errors.\n"
"\n"
"       --json: the same fields per PSU, strings escaped as %XX where not\n"
"       printable ASCII, enabled as true or false.  See powerledger stats\n"
"       for every counter and the jitter histogram.\n"
"\n"
"EXIT STATUS\n"
"       0      the list was printed (it may be empty: no PSU bound).\n"
"       2      usage error; the module is not loaded (generic netlink\n"
"              family \"powerledger\" not found); the kernel refused or\n"
"              answered nonsense.\n"
"\n"
"FILES\n"
"       None: everything comes from the module over generic netlink\n"
"       (uapi/linux/powerledger.h documents the family).\n"
"\n"
"EXAMPLES\n"
"       powerledger devices\n"
"       powerledger devices | cut -f1,2,6\n"
"       powerledger devices --json | jq '.devices[].period_ns'\n";
/* clang-format on */

/* A string as one tab-separated field: never empty, no tab, no control byte. */
static void field(const char *s)
{
	if (!*s)
		fputc('-', stdout);
	for (; *s; s++)
		fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f && *s != '\t' ? *s : '_', stdout);
}

static void print_pretty(const struct plnl_dev *d, const struct pl_stats *st)
{
	char period[64], rails[80], avail[80], flags[80];

	cli_period_str(d->period_ns, period, sizeof(period));
	plnl_rails_str(d->rails, rails, sizeof(rails));
	plnl_rails_str(d->rails_avail, avail, sizeof(avail));
	plnl_dev_flags_str(d->flags, flags, sizeof(flags));
	printf("%" PRIu32 ": %s  %s %s  serial %s\n", d->id, d->name, d->mfr_id[0] ? d->mfr_id : "-",
	       d->mfr_model[0] ? d->mfr_model : "-", d->mfr_serial[0] ? d->mfr_serial : "-");
	printf("    period    %s, %s\n", period, d->enabled ? "sampling" : "stopped");
	printf("    rails     %s (available: %s)\n", rails, avail);
	printf("    flags     %s, page %u\n", flags, d->page);
	printf("    counters  samples %llu, lost %llu, overruns %llu, i2c errors %llu, pec errors %llu\n",
	       (unsigned long long)st->samples, (unsigned long long)st->lost, (unsigned long long)st->overruns,
	       (unsigned long long)st->i2c_errors, (unsigned long long)st->pec_errors);
}

static void print_tsv(const struct plnl_dev *d, const struct pl_stats *st)
{
	char rails[80], avail[80], flags[80];

	plnl_rails_str(d->rails, rails, sizeof(rails));
	plnl_rails_str(d->rails_avail, avail, sizeof(avail));
	plnl_dev_flags_str(d->flags, flags, sizeof(flags));
	printf("%" PRIu32 "\t", d->id);
	field(d->name);
	fputc('\t', stdout);
	field(d->mfr_id);
	fputc('\t', stdout);
	field(d->mfr_model);
	fputc('\t', stdout);
	field(d->mfr_serial);
	printf("\t%" PRIu64 "\t%u\t%s\t%s\t%s\t%u\t%llu\t%llu\t%llu\t%llu\t%llu\n", d->period_ns, d->enabled ? 1 : 0,
	       rails, avail, flags, d->page, (unsigned long long)st->samples, (unsigned long long)st->lost,
	       (unsigned long long)st->overruns, (unsigned long long)st->i2c_errors,
	       (unsigned long long)st->pec_errors);
}

static json_t *dev_json(const struct plnl_dev *d, const struct pl_stats *st)
{
	char rails[80], avail[80], flags[80];

	plnl_rails_str(d->rails, rails, sizeof(rails));
	plnl_rails_str(d->rails_avail, avail, sizeof(avail));
	plnl_dev_flags_str(d->flags, flags, sizeof(flags));
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:I,s:b,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "id", (json_int_t)d->id,
			 "name", cli_jstr(d->name), "mfr_id", cli_jstr(d->mfr_id), "mfr_model", cli_jstr(d->mfr_model),
			 "mfr_serial", cli_jstr(d->mfr_serial), "period_ns", (json_int_t)d->period_ns, "enabled",
			 d->enabled ? 1 : 0, "rails", rails, "rails_avail", avail, "flags", flags, "page",
			 (json_int_t)d->page, "samples", (json_int_t)st->samples, "lost", (json_int_t)st->lost,
			 "overruns", (json_int_t)st->overruns, "i2c_errors", (json_int_t)st->i2c_errors, "pec_errors",
			 (json_int_t)st->pec_errors);
}

int cmd_devices(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct plerr e = { "" };
	struct plnl *nl = NULL;
	struct plnl_dev *devs = NULL;
	struct pl_stats st;
	json_t *arr = NULL, *o;
	bool json = false, pretty, first = true;
	size_t n = 0, i;
	int c, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return usage_error("devices", "bad option");
		json = true;
	}
	if (optind != argc)
		return usage_error("devices", "unexpected argument '%s'", argv[optind]);
	pretty = !json && cli_pretty();
	if (plnl__open(&nl, &e) || plnl__devices(nl, &devs, &n, &e))
		goto err;
	if (json && !(arr = json_array())) {
		plerr_set(&e, -ENOMEM, "out of memory");
		goto err;
	}
	for (i = 0; i < n; i++) {
		if (plnl__stats(nl, devs[i].id, &st, &e)) {
			if (plnl__refusal(nl) && plnl__refusal(nl)->err == -ENODEV)
				continue; /* unbound since the dump */
			goto err;
		}
		if (json) {
			o = dev_json(&devs[i], &st);
			if (!o || json_array_append_new(arr, o)) {
				plerr_set(&e, -ENOMEM, "out of memory");
				goto err;
			}
		} else if (pretty) {
			if (!first)
				fputc('\n', stdout);
			print_pretty(&devs[i], &st);
		} else {
			print_tsv(&devs[i], &st);
		}
		first = false;
	}
	if (json) {
		o = json_pack("{s:o}", "devices", arr);
		arr = NULL; /* stolen, even on failure */
		if (cli_print_json(o))
			goto cleanup;
	} else if (pretty && first) {
		fprintf(stderr, PL_PROG ": devices: no PSU bound to powerledger\n");
	}
	ret = PL_EXIT_OK;
	goto cleanup;
err:
	plerr_prefix(&e, "devices");
	pl_error(&e);
cleanup:
	json_decref(arr);
	free(devs);
	plnl__close(nl);
	return ret;
}
