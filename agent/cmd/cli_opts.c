// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Options several verbs share: signing one file with one key; hardware identity strings. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cli.h"
#include "capture/trace.h"
#include "cmd/cli_opts.h"

int sign_opts__parse(struct sign_opts *o, int argc, char **argv, const char *verb, const char *operand,
		     const char *suffix)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct plerr e = { "" };
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o->keypath = optarg; break;
		case 'o': o->out = optarg; break;
		case 'f': o->force = true; break;
		default: return usage_error(verb, "bad option");
		}
	}
	if (!o->keypath)
		return usage_error(verb, "--key KEY is required");
	if (optind + 1 != argc)
		return usage_error(verb, "exactly one %s", operand);
	o->file = argv[optind];
	if (o->out) {
		o->outpath = strdup(o->out);
	} else {
		o->outpath = malloc(strlen(o->file) + strlen(suffix) + 1);
		if (o->outpath)
			sprintf(o->outpath, "%s%s", o->file, suffix);
	}
	if (!o->outpath)
		plerr_set(&e, -ENOMEM, "out of memory");
	else if (!out_not_input(o->outpath, o->file, &e) && !out_not_input(o->outpath, o->keypath, &e) &&
		 !out_check(o->outpath, o->force, &e))
		return 0;
	pl_error(&e);
	sign_opts__free(o);
	return PL_EXIT_ERR;
}

void sign_opts__free(struct sign_opts *o)
{
	free(o->outpath);
	o->outpath = NULL;
}

int cli_ident_opt(const char *verb, const char *opt, const char *val)
{
	struct plerr e = { "" };

	if (trace_str_check(val, &e))
		return usage_error(verb, "--%s: %s", opt, e.msg);
	return 0;
}

int cli_default_host(const char *verb, char *host, size_t size)
{
	char name[256] = "";
	struct plerr e = { "" };

	if (gethostname(name, sizeof(name) - 1))
		name[0] = 0;
	if (trace_str_check(name, &e) || strlen(name) >= size)
		return usage_error(verb, "this host's name '%.64s' cannot serve as the trace's host (%s): give --host",
				   name, e.msg[0] ? e.msg : "too long");
	strcpy(host, name);
	return 0;
}

json_t *cli_jstr(const char *s)
{
	char *p = str_printable(s);
	json_t *v = p ? json_string(p) : NULL;

	free(p);
	return v;
}

int cli_rate_opt(const char *s, double *r)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1)
		return -EINVAL;
	*r = v;
	return 0;
}

struct unit_suffix {
	const char *suffix;
	int scale; /* decimal digits: value * 10^scale */
};

/* s as NUMBER SUFFIX for the first suffix in u[0..n) it ends with, scaled exactly. */
static int parse_suffixed(const char *s, const struct unit_suffix *u, size_t n, int64_t *out)
{
	size_t l = strlen(s);
	char num[64];

	for (size_t k = 0; k < n; k++) {
		size_t sl = strlen(u[k].suffix);

		if (l > sl && l - sl < sizeof(num) && !strcmp(s + l - sl, u[k].suffix)) {
			memcpy(num, s, l - sl);
			num[l - sl] = 0;
			return parse_decimal_scaled(num, u[k].scale, out);
		}
	}
	return -EINVAL;
}

int cli_parse_rate_uhz(const char *s, uint64_t *uhz)
{
	static const struct unit_suffix u[] = { { "MHz", 12 }, { "kHz", 9 }, { "khz", 9 },
						{ "Hz", 6 },   { "hz", 6 },  { "", 6 } };
	int64_t v;

	if (parse_suffixed(s, u, sizeof(u) / sizeof(u[0]), &v) || v <= 0)
		return -EINVAL;
	*uhz = (uint64_t)v;
	return 0;
}

int cli_parse_power_uw(const char *s, int64_t *uw)
{
	static const struct unit_suffix u[] = { { "mW", 3 }, { "kW", 9 }, { "W", 6 }, { "", 6 } };

	return parse_suffixed(s, u, sizeof(u) / sizeof(u[0]), uw);
}

int cli_parse_rate_period_ns(const char *s, uint64_t *period_ns)
{
	uint64_t uhz;

	if (cli_parse_rate_uhz(s, &uhz))
		return -EINVAL;
	*period_ns = (1000000000000000ULL + uhz / 2) / uhz;
	return *period_ns ? 0 : -EINVAL;
}

int cli_parse_period_ns(const char *s, uint64_t *period_ns)
{
	size_t l = strlen(s);

	if (l >= 2 && (!strcmp(s + l - 2, "Hz") || !strcmp(s + l - 2, "hz")))
		return cli_parse_rate_period_ns(s, period_ns);
	if (!l || (s[l - 1] >= '0' && s[l - 1] <= '9'))
		return -EINVAL; /* "1000": ns or Hz?  Say which. */
	return parse_duration_ns(s, period_ns);
}

void cli_period_str(uint64_t ns, char *buf, size_t n)
{
	static const struct {
		uint64_t ns;
		const char *unit;
	} u[] = { { 1000000000ULL, "s" }, { 1000000, "ms" }, { 1000, "us" }, { 1, "ns" } };
	uint64_t mhz, k = 0;
	char hz[40];

	if (!ns) {
		strfmt(buf, n, "0 ns");
		return;
	}
	while (ns % u[k].ns)
		k++;
	mhz = (1000000000000ULL + ns / 2) / ns; /* rounded, in mHz */
	if (mhz % 1000)
		strfmt(hz, sizeof(hz), "%llu.%03llu", (unsigned long long)(mhz / 1000), (unsigned long long)(mhz % 1000));
	else
		strfmt(hz, sizeof(hz), "%llu", (unsigned long long)(mhz / 1000));
	while (strchr(hz, '.') && hz[strlen(hz) - 1] == '0')
		hz[strlen(hz) - 1] = 0;
	strfmt(buf, n, "%llu %s (%s Hz)", (unsigned long long)(ns / u[k].ns), u[k].unit, hz);
}
