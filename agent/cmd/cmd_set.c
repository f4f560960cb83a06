// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger set DEV [--period P] [--rails LIST] [--enable | --disable] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "capture/genl.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_set_help[] =
"NAME\n"
"       powerledger set - change how the module samples one PSU\n"
"\n"
"SYNOPSIS\n"
"       powerledger set DEV [--period P] [--rails LIST] [--enable | --disable]\n"
"\n"
"DESCRIPTION\n"
"       Sends one PL_CMD_SET_DEVICE request over generic netlink for DEV, a\n"
"       device id or name (as devices prints them).  The kernel applies all\n"
"       of it or, refusing any part, nothing.  Needs CAP_NET_ADMIN.\n"
"\n"
"       Values are checked here for their syntax only: which periods and\n"
"       rails a PSU takes is the module's to say (uapi/linux/powerledger.h),\n"
"       and its refusal is printed as it gave it: the errno, its extack\n"
"       message and the setting it pointed at, e.g.\n"
"\n"
"           powerledger: set: kernel refused period (PL_A_DEV_PERIOD_NS):\n"
"           integer out of range (Numerical result out of range)\n"
"\n"
"       (one line).  Today's module takes periods of 100 us .. 1 s, and\n"
"       rails that are a non-empty subset of those the PSU answers\n"
"       (devices: \"available\").\n"
"\n"
"OPTIONS\n"
"       --period P   Sampling period: a duration with its unit (500us, 2ms,\n"
"                    1s, 250000ns) or a rate (1000Hz, 2.5kHz), rounded to\n"
"                    whole ns.  A bare number is refused: ns or Hz?\n"
"       --rails LIST Rails each sample reads, from the next one on: names\n"
"                    from vin, iin, vout, iout, pout, pin, temp, comma-\n"
"                    separated (pin,pout,vout,iout); all (every rail the\n"
"                    PSU answers); or a PL_RAIL_* mask (0x21), sent as\n"
"                    it is.  Fewer rails take less bus time per sample.\n"
"       --enable, --disable\n"
"                    Start or stop sampling.\n"
"       At least one of them is required.\n"
"\n"
"OUTPUT\n"
"       Nothing on success (powerledger devices shows the result).  A\n"
"       refusal on stderr as above; without CAP_NET_ADMIN the genetlink\n"
"       core refuses with EPERM and no message, which is said:\n"
"       \"kernel refused: Operation not permitted (changing a device needs\n"
"       CAP_NET_ADMIN)\".\n"
"\n"
"EXIT STATUS\n"
"       0      the kernel applied every setting.\n"
"       2      usage error; the module is not loaded; the kernel refused\n"
"              (nothing changed: EPERM, ERANGE, EINVAL, ENODEV, ...).\n"
"\n"
"FILES\n"
"       None: the request goes to the module over generic netlink.\n"
"\n"
"EXAMPLES\n"
"       powerledger set 0 --period 2ms\n"
"       powerledger set i2c-0-58 --rails pin,pout,vout,iout --period 1kHz\n"
"       powerledger set 0 --disable\n"
"       powerledger set 0 --rails all --enable\n";
/* clang-format on */

int cmd_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "rails", required_argument, NULL, 'r' },
		{ "enable", no_argument, NULL, 'e' },
		{ "disable", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct plnl_set s = { 0 };
	struct plerr e = { "" };
	struct plnl *nl = NULL;
	struct plnl_dev d;
	bool all_rails = false;
	int c, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cli_parse_period_ns(optarg, &s.period_ns))
				return usage_error("set", "bad --period '%s' (a duration with its unit: 500us, 2ms; or a "
							  "rate: 1000Hz)",
						   optarg);
			s.what |= PLNL_SET_PERIOD;
			break;
		case 'r':
			if (!strcmp(optarg, "all"))
				all_rails = true;
			else if (plnl_rails_parse(optarg, &s.rails))
				return usage_error("set", "bad --rails '%s' (names from vin,iin,vout,iout,pout,pin,temp; "
							  "all; or a mask such as 0x21)",
						   optarg);
			s.what |= PLNL_SET_RAILS;
			break;
		case 'e':
		case 'd':
			if ((s.what & PLNL_SET_ENABLED) && s.enabled != (c == 'e'))
				return usage_error("set", "--enable or --disable, not both");
			s.enabled = c == 'e';
			s.what |= PLNL_SET_ENABLED;
			break;
		default: return usage_error("set", "bad option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("set", "exactly one DEV (a device id or name)");
	if (!s.what)
		return usage_error("set", "nothing to set: give --period, --rails, --enable or --disable");
	if (plnl__open(&nl, &e) || plnl__resolve(nl, argv[optind], &s.dev_id, &e))
		goto err;
	if (all_rails) {
		if (plnl__device(nl, s.dev_id, &d, &e))
			goto err;
		s.rails = d.rails_avail;
	}
	if (plnl__set(nl, &s, &e))
		goto err;
	ret = PL_EXIT_OK;
	goto cleanup;
err:
	plerr_prefix(&e, "set");
	pl_error(&e);
cleanup:
	plnl__close(nl);
	return ret;
}
