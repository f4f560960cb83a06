// SPDX-License-Identifier: GPL-2.0 OR MIT
/* powerledger demo [-o DIR] [--force] */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/synth.h"
#include "cmd/cli.h"
#include "daemon/check.h"
#include "evidence/attest.h"
#include "evidence/baseline_json.h"
#include "evidence/canon.h"
#include "evidence/statement.h"
#include "evidence/verify.h"
#include "evidence/workload.h"
#include "science/baseline.h"

/* The manual page reads as it prints: */
/* clang-format off */
const char cmd_demo_help[] =
"NAME\n"
"       powerledger demo - offline, deterministic end-to-end scenario\n"
"\n"
"SYNOPSIS\n"
"       powerledger demo [-o DIR] [--force]\n"
"\n"
"DESCRIPTION\n"
"       Plays the whole evidence chain on synthetic telemetry, with no device\n"
"       and no network, and prints the same bytes on every run:\n"
"\n"
"        1. reader, operator and vendor keys, derived from fixed public seeds\n"
"           (demo only: anyone can recompute them);\n"
"        2. three 30 s commissioning traces of a GPT-4-class model server at\n"
"           1 kHz (synth.h: batched iterations, bursty arrivals, every reading\n"
"           through the PMBus LINEAR11/16 codec), each attested by the reader;\n"
"        3. the operator's baseline of those traces;\n"
"        4. the vendor's claim: gpt4-class inference on this host's hardware\n"
"           over the test window;\n"
"        5. four reader-attested traces in that window: legit (the claimed\n"
"           model), swapped (a 7B-class model instead), miner (a GPU pinned\n"
"           at its power limit), tampered (reported power scaled by a shim);\n"
"        6. check of each against claim and baseline: a signed proof for the\n"
"           last three -- model-mismatch with its sigma distance,\n"
"           crypto-miner-hidden with its burstiness, rail-tamper with its\n"
"           discontinuity magnitude -- and none for the legitimate trace;\n"
"        7. verify of every envelope in DIR with the demo public keys.\n"
"\n"
"OPTIONS\n"
"       -o, --out DIR   Where to write (default ./powerledger-demo).  It must\n"
"                       not exist or be empty, unless --force.  The demo is\n"
"                       built in DIR.tmp.XXXXXX beside it and moved to DIR\n"
"                       only when complete: a failure leaves nothing.\n"
"       --force         Reuse a non-empty DIR, replacing the demo's files.\n"
"\n"
"OUTPUT\n"
"       Lines of STEP<TAB>details; for each proof, a line with its headline\n"
"       number and the signed predicate as canonical JSON.  The last line is\n"
"       \"demo: N proofs (expected 3), M for the legitimate trace (expected\n"
"       0), V of E envelopes verified\".\n"
"\n"
"EXIT STATUS\n"
"       0      the scenario came out as expected.\n"
"       1      it did not (a missing or extra proof, a failed verification).\n"
"       2      usage or I/O error.\n"
"\n"
"FILES\n"
"       DIR/{reader,operator,vendor}.{key,pub}, DIR/commission-N.pltr,\n"
"       DIR/legit.pltr, swapped.pltr, miner.pltr, tampered.pltr, their\n"
"       .pltr.dsse.json Trace statements, DIR/gpt4-class.baseline.dsse.json,\n"
"       DIR/claim.dsse.json, DIR/*.proof.dsse.json.\n"
"\n"
"EXAMPLES\n"
"       powerledger demo -o /tmp/pl-demo\n"
"       powerledger verify --keydir /tmp/pl-demo /tmp/pl-demo\n"
"       openssl pkeyutl -verify -pubin -inkey /tmp/pl-demo/operator.pub -rawin ...\n";
/* clang-format on */

#define SEC	   1000000000ULL
#define DEMO_MODEL "gpt4-class"

struct demo {
	const char *out; /* the user's DIR */
	char *dir;	 /* where the demo is built: a fresh DIR.tmp.XXXXXX beside it, published at the end */
	bool force;
	struct pl_seckey keys[__PL_ROLE_MAX];
	struct plerr e;
	char fingerprint[SHA256_HEX_LEN];
};

static char *dpath(const struct demo *d, const char *name)
{
	char *p = path_join(d->dir, name);

	if (!p) {
		pl_warn("out of memory");
		exit(PL_EXIT_ERR); /* one-shot verb: fine */
	}
	return p;
}

static int demo_keys(struct demo *d)
{
	static const enum pl_role roles[] = { PL_ROLE_READER, PL_ROLE_OPERATOR, PL_ROLE_VENDOR };
	uint8_t seed[ED25519_SEED_LEN];
	char label[64], name[32];
	size_t i;

	printf("keys");
	for (i = 0; i < 3; i++) {
		char *priv, *pub;
		int ret;

		snprintf(label, sizeof(label), "powerledger demo key v1: %s", role_name(roles[i]));
		sha256(label, strlen(label), seed);
		if (seckey__from_seed(&d->keys[roles[i]], seed, &d->e))
			return -1;
		d->keys[roles[i]].pub.role = roles[i];
		snprintf(name, sizeof(name), "%s.key", role_name(roles[i]));
		priv = dpath(d, name);
		snprintf(name, sizeof(name), "%s.pub", role_name(roles[i]));
		pub = dpath(d, name);
		ret = seckey__save(&d->keys[roles[i]], priv, pub, false, &d->e);
		free(priv);
		free(pub);
		if (ret)
			return -1;
		printf("\t%s %.16s", role_name(roles[i]), d->keys[roles[i]].pub.keyid);
	}
	printf("\t(from public seeds: demo only)\n");
	return 0;
}

/* Synthesizes, saves and attests one trace; returns its digest in digest. */
static int demo_trace(struct demo *d, const char *name, enum synth_workload wl, uint64_t seed, uint64_t t0,
		      uint64_t duration_s, char digest[SHA256_HEX_LEN])
{
	struct synth_params sp = { .workload = wl, .seed = seed, .t0_ns = t0, .duration_ns = duration_s * SEC };
	char *path = dpath(d, name), envname[128], *envpath;
	struct buf env = { 0 };
	struct trace t;
	int ret;

	snprintf(envname, sizeof(envname), "%s.dsse.json", name);
	envpath = dpath(d, envname);
	ret = synth_trace(&sp, &t, &d->e);
	if (!ret) {
		memcpy(d->fingerprint, t.info.fingerprint, SHA256_HEX_LEN);
		ret = trace_save(path, &t, 0, &d->e);
		trace__free(&t);
	}
	if (!ret)
		ret = attest_trace(path, &d->keys[PL_ROLE_READER], &env, digest, &d->e);
	if (!ret)
		ret = file_write_atomic(envpath, env.p, env.len, 0644, 0, &d->e);
	buf_free(&env);
	free(path);
	free(envpath);
	return ret;
}

static int demo_sign(struct demo *d, json_t *stmt, enum pl_role role, const char *name)
{
	struct buf env = { 0 };
	char *path = dpath(d, name);
	int ret;

	if (!stmt)
		return plerr_set(&d->e, -ENOMEM, "out of memory");
	ret = statement_sign(stmt, &d->keys[role], &env, &d->e);
	if (!ret)
		ret = file_write_atomic(path, env.p, env.len, 0644, 0, &d->e);
	json_decref(stmt);
	buf_free(&env);
	free(path);
	return ret;
}

static int demo_baseline(struct demo *d, char names[3][32], char digests[3][SHA256_HEX_LEN])
{
	struct window_features *all = NULL, *w, *tmp;
	struct feat_params p;
	struct sensor_model sensor = { 0 };
	uint64_t window_ns = 0;
	struct baseline b;
	size_t nall = 0, n, i, nf = 0;
	json_t *subj = json_array();
	int f, ret = 0;

	feat_params_default(&p);
	for (i = 0; i < 3 && !ret; i++) {
		struct trace t;
		char *path = dpath(d, names[i]);

		ret = trace_load(path, &t, &d->e);
		free(path);
		if (ret)
			break;
		if (i == 0) {
			sensor = t.info.sensor;
			window_ns = feat_window_ns(&sensor, t.info.period_ns, 1000000000ULL);
		} else {
			sensor_merge(&sensor, &t.info.sensor);
		}
		feat_params_for(trace_series(&t, &(struct series){ 0 }), window_ns, &p);
		ret = features_windows(trace_series(&t, &(struct series){ 0 }), &p, 0, UINT64_MAX, &w, &n);
		trace__free(&t);
		if (ret)
			break;
		tmp = realloc(all, (nall + n + 1) * sizeof(*all));
		if (!tmp) {
			free(w);
			ret = -ENOMEM;
			break;
		}
		all = tmp;
		memcpy(all + nall, w, n * sizeof(*w));
		nall += n;
		free(w);
		json_array_append_new(subj, subject_new(names[i], digests[i]));
	}
	if (!ret)
		ret = baseline_build(all, nall, DEMO_MODEL, d->fingerprint, window_ns, &sensor, &b, &d->e);
	free(all);
	if (ret) {
		json_decref(subj);
		return ret;
	}
	ret = demo_sign(d, statement_new(PL_KIND_BASELINE, subj, baseline_predicate(&b)), PL_ROLE_OPERATOR,
			DEMO_MODEL ".baseline.dsse.json");
	for (f = 0; f < __FEAT_MAX; f++)
		nf += b.have[f] && feat_desc[f].model;
	if (!ret)
		printf("baseline\t" DEMO_MODEL ".baseline.dsse.json\tmodel " DEMO_MODEL ", %llu windows, %llu samples, "
		       "%zu model features (operator)\n",
		       (unsigned long long)b.windows, (unsigned long long)b.samples, nf);
	return ret;
}

static void print_proof(const struct check_out *o, size_t i)
{
	json_t *ev = json_object_get(o->proofs[i].predicate, "evidence");
	struct buf b = { 0 };
	struct plerr e;

	switch (o->proofs[i].det) {
	case DET_MODEL_MISMATCH:
		printf("  cusum=%.2f (threshold %.2f) false_alarms<=%.3g/h time_to_proof=%.1fs",
		       json_integer_value(json_object_get(ev, "cusum_milli")) / 1e3,
		       json_integer_value(json_object_get(ev, "threshold_milli")) / 1e3,
		       json_integer_value(json_object_get(ev, "false_alarm_per_hour_ppb")) / 1e9,
		       json_integer_value(json_object_get(ev, "time_to_proof_ms")) / 1e3);
		break;
	case DET_MINER:
		printf("  flat for %.1fs at %.1f W, cv=%.2f%%, %.0f%% of the range idle..ceiling",
		       json_integer_value(json_object_get(ev, "sustained_ms")) / 1e3,
		       json_integer_value(json_object_get(ev, "mean_mw")) / 1e3,
		       json_integer_value(json_object_get(ev, "cv_ppm")) / 1e4,
		       json_integer_value(json_object_get(ev, "level_in_range_ppm")) / 1e4);
		break;
	case DET_RAIL_TAMPER:
		printf("  discontinuity=%.1f sigma, P vs V*I off by up to %.1f%% on %lld samples",
		       json_integer_value(json_object_get(ev, "discontinuity_msigma")) / 1e3,
		       json_integer_value(json_object_get(ev, "pvi_err_max_ppm")) / 1e4,
		       (long long)json_integer_value(json_object_get(ev, "pvi_bad_samples")));
		break;
	default: break;
	}
	printf("\t%s\n", path_base(o->proofs[i].path));
	if (!canon_dump(o->proofs[i].predicate, &b, &e))
		printf("  %s\n", (char *)b.p);
	buf_free(&b);
}

/*
 * The demo is built in a directory of its own beside DIR and published only
 * when complete: a failure (a full disk) leaves no half-made DIR behind.
 */
static int dir_ready(struct demo *d)
{
	struct dirent *de;
	bool empty = true;
	char *tmpl;
	DIR *dir;

	dir = opendir(d->out);
	if (!dir && errno != ENOENT)
		return plerr_set(&d->e, -errno, "%s: %s", d->out, strerror(errno));
	while (dir && (de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	if (dir)
		closedir(dir);
	if (!empty && !d->force)
		return plerr_set(&d->e, -EEXIST, "%s: not empty (use --force to reuse it)", d->out);
	tmpl = malloc(strlen(d->out) + 16);
	if (!tmpl)
		return plerr_set(&d->e, -ENOMEM, "out of memory");
	sprintf(tmpl, "%s.tmp.XXXXXX", d->out);
	if (!mkdtemp(tmpl)) {
		int ret = plerr_set(&d->e, -errno, "%s: cannot create a directory beside it: %s", d->out,
				    strerror(errno));

		free(tmpl);
		return ret;
	}
	d->dir = tmpl;
	return 0;
}

/* Removes the building directory and what is in it (only the demo's own files). */
static void dir_discard(struct demo *d)
{
	struct dirent *de;
	DIR *dir;
	char *p;

	if (!d->dir)
		return;
	dir = opendir(d->dir);
	while (dir && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(d->dir, de->d_name);
		if (p)
			unlink(p);
		free(p);
	}
	if (dir)
		closedir(dir);
	rmdir(d->dir);
	free(d->dir);
	d->dir = NULL;
}

/*
 * Moves the finished demo to DIR: one rename when DIR is absent or an empty
 * directory; else file by file, replacing only with --force (DIR may have
 * gained files while the demo ran: without --force they are kept, and so
 * is the demo's copy, in the building directory named in the error).
 */
static int dir_publish(struct demo *d)
{
	struct dirent *de;
	char *from, *to;
	struct stat st = { 0 };
	int ret = 0;
	DIR *dir;

	if ((lstat(d->out, &st) < 0 && errno == ENOENT) || (S_ISDIR(st.st_mode) && rmdir(d->out) == 0)) {
		if (rename(d->dir, d->out) == 0) {
			free(d->dir);
			d->dir = NULL;
			return 0;
		}
		if (errno != EEXIST && errno != ENOTEMPTY)
			return plerr_set(&d->e, -errno, "%s: cannot move the demo there: %s", d->out, strerror(errno));
	}
	dir = opendir(d->dir);
	if (!dir)
		return plerr_set(&d->e, -errno, "%s: %s", d->dir, strerror(errno));
	while (!ret && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		from = path_join(d->dir, de->d_name);
		to = path_join(d->out, de->d_name);
		if (!from || !to) {
			ret = plerr_set(&d->e, -ENOMEM, "out of memory");
		} else {
			ret = file_rename(from, to, afile_force(d->force));
			if (ret == -EEXIST)
				plerr_set(&d->e, ret, "%s: appeared while the demo ran (use --force to replace it); the "
						      "demo is left in %s", to, d->dir);
			else if (ret)
				plerr_set(&d->e, ret, "%s: %s", to, strerror(-ret));
		}
		free(from);
		free(to);
	}
	closedir(dir);
	if (ret == -EEXIST) {
		free(d->dir); /* kept on disk: the message names it */
		d->dir = NULL;
	}
	return ret;
}

static int count_verified(struct demo *d, unsigned int *ok, unsigned int *total)
{
	struct keyring kr = { 0 };
	struct dirent *de;
	struct vresult r;
	DIR *dir;
	char *p;

	*ok = *total = 0;
	if (keyring_add_dir(&kr, d->dir, &d->e))
		return -1;
	dir = opendir(d->dir);
	if (!dir) {
		keyring__free(&kr);
		return plerr_set(&d->e, -errno, "%s: %s", d->dir, strerror(errno));
	}
	while ((de = readdir(dir))) {
		if (!str_ends_with(de->d_name, ".dsse.json"))
			continue;
		p = dpath(d, de->d_name);
		memset(&r, 0, sizeof(r));
		verify_envelope(p, &kr, &r);
		if (!r.ok)
			pl_warn("%s: %s", p, r.detail);
		free(p);
		*ok += r.ok;
		(*total)++;
	}
	closedir(dir);
	keyring__free(&kr);
	return 0;
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		enum synth_workload wl;
		uint64_t seed, t0, duration_s;
	} tests[] = {
		/*
		 * 90 s of the swapped model: a calibrated model-mismatch needs
		 * several groups of windows, each worth at most what the
		 * baseline's null resolves (science/baseline.h).
		 */
		{ "legit.pltr", SYNTH_GPT4, 2001, 2000 * SEC, 60 },
		{ "swapped.pltr", SYNTH_SMALL, 2002, 2100 * SEC, 90 },
		{ "miner.pltr", SYNTH_MINER, 2003, 2200 * SEC, 40 },
		{ "tampered.pltr", SYNTH_TAMPERED, 2004, 2300 * SEC, 30 },
	};
	struct demo d = { .out = "powerledger-demo" };
	char names[3][32], digests[3][SHA256_HEX_LEN], digest[SHA256_HEX_LEN];
	struct claim cl = { .model = DEMO_MODEL,
			    .workload = "inference",
			    .tokens_per_s = 2400,
			    .start_ns = 1990 * SEC,
			    .end_ns = 2400 * SEC };
	struct detect_params dp;
	unsigned int ok = 0, total = 0;
	size_t i, proofs = 0, legit_proofs = 0;
	int c, ret = PL_EXIT_ERR;
	char *outbuf = NULL;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': d.out = optarg; break;
		case 'f': d.force = true; break;
		default: return usage_error("demo", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("demo", "unexpected argument '%s'", argv[optind]);
	if (!*d.out)
		return usage_error("demo", "-o needs a directory name");
	/* "DIR/" is DIR: the building directory goes beside it, not inside. */
	outbuf = strdup(d.out);
	if (!outbuf)
		return usage_error("demo", "out of memory");
	for (size_t n = strlen(outbuf); n > 1 && outbuf[n - 1] == '/'; n--)
		outbuf[n - 1] = 0;
	d.out = outbuf;
	if (dir_ready(&d))
		goto err;
	printf("powerledger demo\toffline and deterministic: synthetic 1 kHz PSU telemetry, demo keys\n");
	printf("dir\t%s\n", d.out);
	if (demo_keys(&d))
		goto err;
	for (i = 0; i < 3; i++) {
		snprintf(names[i], sizeof(names[i]), "commission-%zu.pltr", i + 1);
		if (demo_trace(&d, names[i], SYNTH_GPT4, 1001 + i, (1000 + 100 * i) * SEC, 30, digests[i]))
			goto err;
		printf("commission\t%s\tsha256 %.16s\t30000 samples, " DEMO_MODEL " under load (reader-attested)\n",
		       names[i], digests[i]);
	}
	if (demo_baseline(&d, names, digests))
		goto err;
	strcpy(cl.fingerprint, d.fingerprint);
	if (demo_sign(&d, claim_statement(&cl), PL_ROLE_VENDOR, "claim.dsse.json"))
		goto err;
	printf("claim\tclaim.dsse.json\t" DEMO_MODEL " inference, 2400 tokens/s, hardware %.16s, t in [1990 s, 2400 s] "
	       "(vendor)\n",
	       cl.fingerprint);
	detect_params_default(&dp);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		struct check_in in = { 0 };
		struct check_out out;
		char *tp, *cp, *bp;
		size_t j;

		if (demo_trace(&d, tests[i].name, tests[i].wl, tests[i].seed, tests[i].t0, tests[i].duration_s, digest))
			goto err;
		tp = dpath(&d, tests[i].name);
		cp = dpath(&d, "claim.dsse.json");
		bp = dpath(&d, DEMO_MODEL ".baseline.dsse.json");
		{
			/* The vendor signs claims, the operator baselines: trust exactly those, by role. */
			struct pl_pubkey trusted[2] = { d.keys[PL_ROLE_VENDOR].pub, d.keys[PL_ROLE_OPERATOR].pub };

			in = (struct check_in){ .trace_path = tp,
						.claim_path = cp,
						.baseline_path = bp,
						.trusted = trusted,
						.ntrusted = 2,
						.key = &d.keys[PL_ROLE_OPERATOR],
						.dp = &dp,
						.outdir = d.dir };
			ret = check_run(&in, &out, &d.e);
		}
		free(tp);
		free(cp);
		free(bp);
		if (ret) {
			ret = PL_EXIT_ERR;
			goto err;
		}
		ret = PL_EXIT_ERR;
		if (!out.nproofs) {
			printf("trace\t%s\tno proof\t%s; %s; %s\n", tests[i].name, out.notes[DET_MODEL_MISMATCH],
			       out.notes[DET_MINER], out.notes[DET_RAIL_TAMPER]);
		}
		for (j = 0; j < out.nproofs; j++) {
			printf("trace\t%s\tPROOF %s (operator-signed)\n", tests[i].name,
			       detector_name(out.proofs[j].det));
			print_proof(&out, j);
		}
		proofs += out.nproofs;
		if (tests[i].wl == SYNTH_GPT4)
			legit_proofs += out.nproofs;
		check_out__free(&out);
	}
	if (count_verified(&d, &ok, &total))
		goto err;
	printf("verify\t%u of %u envelopes OK (signatures, roles, subjects, trace headers)\n", ok, total);
	printf("demo: %zu proofs (expected 3), %zu for the legitimate trace (expected 0), %u of %u envelopes "
	       "verified\n",
	       proofs, legit_proofs, ok, total);
	if (dir_publish(&d))
		goto err;
	ret = proofs == 3 && legit_proofs == 0 && ok == total && total > 0 ? PL_EXIT_OK : PL_EXIT_NEG;
	goto cleanup;
err:
	pl_error(&d.e);
cleanup:
	dir_discard(&d);
	free(outbuf);
	for (i = 0; i < __PL_ROLE_MAX; i++)
		seckey__free(&d.keys[i]);
	return ret;
}
