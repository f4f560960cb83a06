// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger plot TRACE [-o OUT.svg] [--proofs DIR|FILE]... [--baseline B] ... */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/trace.h"
#include "cmd/cli.h"
#include "report/plot.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_plot_help[] =
"NAME\n"
"       powerledger plot - draw a trace, its baseline and its proofs as SVG\n"
"\n"
"SYNOPSIS\n"
"       powerledger plot [-o OUT.svg] [--force] [--proofs DIR|FILE]...\n"
"                        [--baseline BASELINE] [--from S] [--to S]\n"
"                        [--width PX] [--height PX] [--title TEXT]\n"
"                        [--trust [ROLE=]PUB]... [--keydir DIR]... TRACE\n"
"\n"
"DESCRIPTION\n"
"       Draws TRACE as one SVG picture (no third-party code, no fonts or\n"
"       scripts embedded): the power per sample (PIN, else POUT) in W\n"
"       against the time since the trace's first sample in s, and below it\n"
"       VOUT (V) and IOUT (A) when the trace holds those rails.  A line is\n"
"       decimated to the minimum and maximum of each pixel column, so a\n"
"       trace of a million samples makes a small file and a one-sample\n"
"       spike still shows.\n"
"\n"
"       With --baseline, the power panel shows the band of typical window\n"
"       means (the baseline's mean_mw median +- 1.4826 MAD, a robust one\n"
"       sigma), its high and low levels (dashed) and its window maximum\n"
"       (dotted): whichever of those features the baseline holds.\n"
"\n"
"       Each proof about TRACE is a shaded span over the window its\n"
"       predicate names, labelled with its detector.  A proof is about\n"
"       TRACE when its trace_digest is TRACE's SHA-256.\n"
"\n"
"       Without --trust or --keydir, proofs and the baseline are parsed\n"
"       (DSSE envelope, in-toto statement, predicate schema) but their\n"
"       signatures are NOT checked: the picture labels them \"unverified\".\n"
"       With keys, each must be signed by a trusted key of the role that\n"
"       signs its kind (operator) and is labelled \"verified\"; one that is\n"
"       not fails the verb.  Use powerledger verify for the full check\n"
"       (subject files, digests).\n"
"\n"
"OPTIONS\n"
"       -o, --output OUT\n"
"              Write the picture to OUT (atomically; never over an input).\n"
"              Without -o, or with -o -, it goes to standard output, which\n"
"              must then not be a terminal unless -o - was given.\n"
"       --force\n"
"              Replace OUT if it exists.\n"
"       --proofs DIR|FILE\n"
"              Proof envelopes: FILE, or every *.proof.dsse.json in DIR\n"
"              (not recursive); of those in DIR, proofs about other traces\n"
"              are left out and counted on standard error, while a FILE\n"
"              named alone must be about TRACE.  Repeatable.\n"
"       --baseline BASELINE\n"
"              A Baseline envelope (powerledger baseline register).\n"
"       --from S, --to S\n"
"              Show only the time from S to S seconds after the first\n"
"              sample (decimals allowed: 12.5).\n"
"       --width PX, --height PX\n"
"              Picture size, 200 to 20000 (default 1200 wide; 480 high\n"
"              with one panel, 760 with more).\n"
"       --title TEXT\n"
"              Title (default: the trace's name, model, host, samples).\n"
CLI_TRUST_HELP
"\n"
"OUTPUT\n"
"       One SVG 1.1 document.  Elements carry classes for tools: the title\n"
"       text \"title\", data lines <path class=\"line\"> (points \"x,y\" in\n"
"       px), the baseline <rect class=\"band\"> and <line class=\"hline\">,\n"
"       each proof <g class=\"marker\"> with a <title> and, on the power\n"
"       panel, a <text> \"DETECTOR (verified|unverified)\".  The same\n"
"       inputs give the same bytes.\n"
"\n"
"EXIT STATUS\n"
"       0      picture written.\n"
"       1      with --trust/--keydir: a proof or the baseline is not\n"
"              signed by a trusted key of its role (nothing written).\n"
"       2      usage error; unreadable or corrupt trace; a malformed or\n"
"              unreadable proof or baseline, or a proof FILE about another\n"
"              trace (the message names the file); OUT exists without\n"
"              --force or is an input; standard output is a terminal.\n"
"              Nothing is written.\n"
"\n"
"FILES\n"
"       TRACE  a .pltr trace file.\n"
"\n"
"EXAMPLES\n"
"       powerledger plot -o miner.svg --proofs demo/ \\\n"
"                        --baseline demo/gpt4-class.baseline.dsse.json \\\n"
"                        demo/miner.pltr\n"
"       powerledger plot --from 10 --to 12 --keydir demo --proofs demo \\\n"
"                        demo/swapped.pltr > swapped.svg\n";
/* clang-format on */

#define PROOF_SUFFIX ".proof.dsse.json"

struct proof_list {
	struct plot_proof *p;
	size_t n, cap;
	char **paths; /* every proof file read: inputs the output must not be */
	size_t npaths;
	size_t other; /* proofs in directories about other traces */
};

static int list_push_path(struct proof_list *l, const char *path)
{
	char **np = realloc(l->paths, (l->npaths + 1) * sizeof(*np));

	if (!np)
		return -ENOMEM;
	l->paths = np;
	l->paths[l->npaths] = strdup(path);
	if (!l->paths[l->npaths])
		return -ENOMEM;
	l->npaths++;
	return 0;
}

/* Loads one proof file; in_dir: a proof about another trace is counted, not an error. */
static int load_one(struct proof_list *l, const char *path, bool in_dir, const char *digest, const struct keyring *kr,
		    struct plerr *e)
{
	struct plot_proof pr;
	int ret;

	/* Parse first: a directory's proofs about other traces are not ours to verify. */
	ret = plot_proof_load(path, NULL, &pr, e);
	if (ret)
		return ret;
	if (strcmp(pr.trace_digest, digest)) {
		if (in_dir) {
			l->other++;
			return 0;
		}
		return plerr_set(e, -EINVAL,
				 "%s: a proof about another trace (sha256 %.16s...), not this one (%.16s...)", path,
				 pr.trace_digest, digest);
	}
	if (kr->n) {
		ret = plot_proof_load(path, kr, &pr, e);
		if (ret)
			return ret;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct plot_proof *np = realloc(l->p, cap * sizeof(*np));

		if (!np)
			return plerr_set(e, -ENOMEM, "out of memory");
		l->p = np;
		l->cap = cap;
	}
	l->p[l->n++] = pr;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.proof.dsse.json of dir, in name order (the picture must not depend on readdir's). */
static int load_dir(struct proof_list *l, const char *dir, const char *digest, const struct keyring *kr,
		    struct plerr *e)
{
	char **names = NULL, **nn, *path;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(dir);
	if (!d)
		return plerr_set(e, -errno, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (!str_ends_with(de->d_name, PROOF_SUFFIX) || de->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			ret = plerr_set(e, -ENOMEM, "out of memory");
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (!ret)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && !ret; i++) {
		path = path_join(dir, names[i]);
		if (!path || list_push_path(l, path))
			ret = plerr_set(e, -ENOMEM, "out of memory");
		else
			ret = load_one(l, path, true, digest, kr, e);
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int parse_px(const char *s, int *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v < PLOT_MIN_PX || v > PLOT_MAX_PX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* Seconds (decimals allowed, >= 0) -> ns. */
static int parse_seconds(const char *s, uint64_t *ns)
{
	int64_t v;

	if (parse_decimal_scaled(s, 9, &v) || v < 0)
		return -EINVAL;
	*ns = (uint64_t)v;
	return 0;
}

int cmd_plot(int argc, char **argv)
{
	enum { O_PROOFS = 0x100, O_BASELINE, O_FROM, O_TO, O_WIDTH, O_HEIGHT, O_TITLE, O_FORCE };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, O_FORCE },
		{ "proofs", required_argument, NULL, O_PROOFS },
		{ "baseline", required_argument, NULL, O_BASELINE },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "width", required_argument, NULL, O_WIDTH },
		{ "height", required_argument, NULL, O_HEIGHT },
		{ "title", required_argument, NULL, O_TITLE },
		CLI_TRUST_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *baseline_path = NULL, *trace_path, **proof_args = NULL, **inputs = NULL, **np;
	struct plot_opts po = { .to_ns = UINT64_MAX };
	struct proof_list pl = { 0 };
	struct keyring kr = { 0 };
	struct baseline bl;
	struct plerr e = { "" };
	struct trace t = { 0 };
	char digest[SHA256_HEX_LEN];
	struct buf svg = { 0 };
	size_t nproof_args = 0, ninputs = 0, i;
	bool force = false, to_stdout;
	int c, r, ret = PL_EXIT_ERR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case O_FORCE: force = true; break;
		case O_PROOFS:
			np = realloc(proof_args, (nproof_args + 1) * sizeof(*np));
			if (!np) {
				pl_warn("out of memory");
				goto cleanup;
			}
			proof_args = np;
			proof_args[nproof_args++] = optarg;
			break;
		case O_BASELINE: baseline_path = optarg; break;
		case O_FROM:
			if (parse_seconds(optarg, &po.from_ns)) {
				ret = usage_error("plot", "bad --from '%s' (seconds since the first sample)", optarg);
				goto cleanup;
			}
			break;
		case O_TO:
			if (parse_seconds(optarg, &po.to_ns)) {
				ret = usage_error("plot", "bad --to '%s' (seconds since the first sample)", optarg);
				goto cleanup;
			}
			break;
		case O_WIDTH:
			if (parse_px(optarg, &po.width_px)) {
				ret = usage_error("plot", "bad --width '%s' (%d to %d px)", optarg, PLOT_MIN_PX,
						  PLOT_MAX_PX);
				goto cleanup;
			}
			break;
		case O_HEIGHT:
			if (parse_px(optarg, &po.height_px)) {
				ret = usage_error("plot", "bad --height '%s' (%d to %d px)", optarg, PLOT_MIN_PX,
						  PLOT_MAX_PX);
				goto cleanup;
			}
			break;
		case O_TITLE: po.title = optarg; break;
		case CLI_OPT_KEYDIR:
		case CLI_OPT_TRUST:
			if (cli_trust_opt(&kr, c, optarg, &e)) {
				pl_error(&e);
				goto cleanup;
			}
			break;
		default: ret = usage_error("plot", "bad option"); goto cleanup;
		}
	}
	if (optind + 1 != argc) {
		ret = usage_error("plot", "exactly one TRACE");
		goto cleanup;
	}
	trace_path = argv[optind];
	if (po.to_ns != UINT64_MAX && po.to_ns <= po.from_ns) {
		ret = usage_error("plot", "--to must be after --from");
		goto cleanup;
	}
	to_stdout = !out || !strcmp(out, "-");
	if (!out && isatty(STDOUT_FILENO)) {
		pl_warn("plot: standard output is a terminal: give -o OUT.svg, or pipe or redirect it (-o - insists)");
		goto cleanup;
	}
	if (to_stdout && force) {
		ret = usage_error("plot", "--force without -o OUT");
		goto cleanup;
	}

	if (trace_load_digest(trace_path, &t, digest, &e)) {
		pl_error(&e);
		goto cleanup;
	}
	po.name = path_base(trace_path);
	if (baseline_path) {
		r = plot_baseline_load(baseline_path, &kr, &bl, &po.baseline_verified, &e);
		if (r) {
			pl_error(&e);
			ret = cli_exit_for(r);
			goto cleanup;
		}
		if (strcmp(bl.fingerprint, t.info.fingerprint))
			pl_warn("plot: %s: a baseline of other hardware (fingerprint %.16s..., the trace's %.16s...)",
				baseline_path, bl.fingerprint, t.info.fingerprint);
		po.baseline = &bl;
	}
	for (i = 0; i < nproof_args; i++) {
		if (path_is_dir(proof_args[i])) {
			r = load_dir(&pl, proof_args[i], digest, &kr, &e);
		} else {
			r = list_push_path(&pl, proof_args[i]);
			if (r)
				plerr_set(&e, r, "out of memory");
			else
				r = load_one(&pl, proof_args[i], false, digest, &kr, &e);
		}
		if (r) {
			pl_error(&e);
			ret = cli_exit_for(r);
			goto cleanup;
		}
	}
	if (pl.other)
		pl_warn("plot: %zu proof%s about other traces left out", pl.other, pl.other == 1 ? "" : "s");
	po.proofs = pl.p;
	po.nproofs = pl.n;

	if (!to_stdout) {
		inputs = calloc(pl.npaths + 2, sizeof(*inputs));
		if (!inputs) {
			pl_warn("out of memory");
			goto cleanup;
		}
		inputs[ninputs++] = trace_path;
		inputs[ninputs++] = baseline_path;
		for (i = 0; i < pl.npaths; i++)
			inputs[ninputs++] = pl.paths[i];
		if (out_check_inputs(out, force, inputs, ninputs, &e)) {
			pl_error(&e);
			goto cleanup;
		}
	}
	if (plot_trace(&t, &po, &svg, &e)) {
		plerr_prefix(&e, trace_path);
		pl_error(&e);
		goto cleanup;
	}
	if (to_stdout) {
		/* main() flushes and reports a write error (EPIPE, ENOSPC) as exit 2. */
		fwrite(svg.p, 1, svg.len, stdout);
	} else if (file_write_atomic(out, svg.p, svg.len, 0644, afile_force(force), &e)) {
		pl_error(&e);
		goto cleanup;
	}
	ret = PL_EXIT_OK;
cleanup:
	buf_free(&svg);
	trace__free(&t);
	keyring__free(&kr);
	for (i = 0; i < pl.npaths; i++)
		free(pl.paths[i]);
	free(pl.paths);
	free(pl.p);
	free(inputs);
	free(proof_args);
	return ret;
}
