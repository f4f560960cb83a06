// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The `powerledger run` daemon loop (rund.c) on a synthetic source with a
 * virtual clock: minutes of 1 kHz telemetry play in about a second, and a
 * hook in the source acts at given virtual times (raise SIGTERM or SIGHUP,
 * add a claim, take the output directory away).  Keys, the baseline and
 * the claim come from `powerledger demo` and `powerledger claim`.
 *
 * Also the pieces under it: segment.c (slots, ordering, gaps, lost, cut)
 * and claimdir.c.
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sodium.h>

#include "capture/source.h"
#include "cmd/cli.h"
#include "daemon/check.h"
#include "daemon/rund.h"
#include "daemon/segment.h"
#include "evidence/canon.h"
#include "evidence/verify.h"

#define SEC   1000000000ULL
#define T0_NS (1000 * SEC) /* the fast source's virtual clock starts here */

/* cli.c (trusted key sets) wants main.c's verb table: none here. */
const struct verb pl_verbs[1];
const size_t pl_nverbs = 0;

static char *fixture; /* demo keys and baseline, claim.dsse.json, forged.dsse.json */

static const char *bin(void)
{
	const char *b = getenv("PL_BIN");

	return b && *b ? b : "./powerledger";
}

/* A copy of a Workload envelope with tokens_per_s changed and the signature kept. */
static void forge(const char *in, const char *out)
{
	json_t *env = json_load_file(in, 0, NULL), *sigs;
	const char *payload;
	uint8_t *p = NULL;
	size_t n = 0;
	char *s, *b64;
	struct buf b = { 0 };
	struct plerr e;

	assert_non_null(env);
	payload = json_string_value(json_object_get(env, "payload"));
	assert_int_equal(b64_decode(payload, strlen(payload), &p, &n), 0);
	s = calloc(1, n + 1);
	memcpy(s, p, n);
	assert_non_null(strstr(s, "\"tokens_per_s\":2400"));
	memcpy(strstr(s, "\"tokens_per_s\":2400") + 15, "9", 1);
	b64 = b64_encode((uint8_t *)s, n);
	sigs = json_object_get(env, "signatures");
	assert_non_null(sigs);
	json_object_set_new(env, "payload", json_string(b64));
	assert_int_equal(canon_dump(env, &b, &e), 0);
	tu_write(out, b.p, b.len);
	buf_free(&b);
	free(b64);
	free(s);
	free(p);
	json_decref(env);
}

static int group_setup(void **state)
{
	(void)state;
	fixture = tu_tmpdir();
	if (tu_sh("'%s' demo -o '%s/demo' >/dev/null", bin(), fixture) ||
	    tu_sh("'%s' claim --model gpt4-class --tokens-per-s 2400 --from 0 --to 4611686018427387904 "
		  "--trace '%s/demo/legit.pltr' --key '%s/demo/vendor.key' -o '%s/claim.dsse.json' >/dev/null",
		  bin(), fixture, fixture, fixture))
		return -1;
	forge(tu_path(fixture, "claim.dsse.json"), tu_path(fixture, "forged.dsse.json"));
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tu_rmdir(fixture);
	return 0;
}

/* ---- a daemon run on the fast synthetic source --------------------------- */

struct action {
	uint64_t at_ns; /* virtual time after T0_NS */
	enum { ACT_SIGNAL, ACT_CLAIM, ACT_RMOUT, ACT_MKOUT, ACT_MEM } what;
	int arg;
	bool done;
};

struct run {
	char *dir, claims[4096], out[4096];
	struct action act[8];
	size_t nact;
	struct synth_source_opts so;
	uint64_t segment_ns, status_ns;
	bool online; /* judge window by window (run's default); the rotation tests decide at segment ends */
	struct rund_stats st;
	int ret;
	json_t *events; /* every event line, parsed */
	size_t mem[2];	/* ACT_MEM: heap in use, bytes */
	long rss[2];	/* ACT_MEM: resident set, KiB */
	size_t nmem;
};

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld %ld", &pages, &rss), 2);
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void hook(void *arg, uint64_t now_ns)
{
	struct run *r = arg;

	for (size_t i = 0; i < r->nact; i++) {
		struct action *a = &r->act[i];

		if (a->done || now_ns < T0_NS + a->at_ns)
			continue;
		a->done = true;
		switch (a->what) {
		case ACT_SIGNAL: kill(getpid(), a->arg); break;
		case ACT_CLAIM:
			assert_int_equal(tu_sh("cp '%s/claim.dsse.json' '%s/late.dsse.json'", fixture, r->claims), 0);
			break;
		case ACT_RMOUT: assert_int_equal(tu_sh("rm -rf '%s'", r->out), 0); break;
		case ACT_MKOUT: assert_int_equal(mkdir(r->out, 0755), 0); break;
		case ACT_MEM:
			if (r->nmem < 2) {
				r->rss[r->nmem] = rss_kib();
				r->mem[r->nmem++] = heap_in_use();
			}
			break;
		}
	}
}

static void run_init(struct run *r, const char *claims_from)
{
	memset(r, 0, sizeof(*r));
	r->dir = tu_tmpdir();
	snprintf(r->claims, sizeof(r->claims), "%s/claims", r->dir);
	snprintf(r->out, sizeof(r->out), "%s/out", r->dir);
	assert_int_equal(mkdir(r->claims, 0755), 0);
	assert_int_equal(mkdir(r->out, 0755), 0);
	if (claims_from)
		assert_int_equal(tu_sh("cp %s '%s/'", claims_from, r->claims), 0);
	r->so.fast = true;
	r->so.t0_ns = T0_NS;
	r->so.seed = 7;
	r->segment_ns = 5 * SEC;
}

static void act(struct run *r, uint64_t at_ns, int what, int arg)
{
	r->act[r->nact++] = (struct action){ .at_ns = at_ns, .what = what, .arg = arg };
}

static void run_go(struct run *r)
{
	struct source *src = NULL;
	struct pl_seckey op = { 0 }, rd = { 0 };
	struct keyring kr = { 0 };
	struct detect_params dp;
	struct plerr e = { "" };
	struct rund_cfg cfg = { 0 };
	char *line = NULL;
	size_t cap = 0;
	FILE *out = tmpfile();

	assert_non_null(out);
	r->so.hook = hook;
	r->so.hook_arg = r;
	assert_int_equal(source_synth__new(&src, &r->so, &e), 0);
	assert_int_equal(seckey__load(&op, tu_path(fixture, "demo/operator.key"), &e), 0);
	assert_int_equal(seckey__load(&rd, tu_path(fixture, "demo/reader.key"), &e), 0);
	assert_int_equal(keyring_add_dir(&kr, tu_path(fixture, "demo"), &e), 0);
	detect_params_default(&dp);
	/* Segments here are 5 s: a miner's sustained draw is judged over 4 s (run --miner-span 4s). */
	dp.miner_min_span_ns = 4000000000ULL;
	dp.min_windows = 4;
	cfg.src = src;
	cfg.claims_dir = r->claims;
	cfg.baseline_dir = tu_path(fixture, "demo");
	cfg.outdir = r->out;
	cfg.operator_key = &op;
	cfg.reader_key = &rd;
	cfg.trusted = kr.keys;
	cfg.ntrusted = kr.n;
	cfg.dp = &dp;
	cfg.segment_ns = r->segment_ns;
	cfg.segment_only = !r->online;
	if (r->segment_ns > 60 * SEC) /* room for the whole slot: no buffer-full cuts */
		cfg.segment_bytes = (r->segment_ns / SEC * 1100) * sizeof(struct pl_sample);
	cfg.window_ns = SEC;
	cfg.status_ns = r->status_ns;
	cfg.json = true;
	cfg.out = out;
	r->ret = rund_run(&cfg, &r->st, &e);
	if (r->ret)
		fail_msg("rund_run: %s", e.msg);
	rewind(out);
	r->events = json_array();
	while (getline(&line, &cap, out) > 0) {
		json_error_t je;
		json_t *ev = json_loads(line, 0, &je), *canon;

		if (!ev)
			fail_msg("event line is not JSON: %s", line);
		/* Canonical: what we parse re-emits to the same bytes. */
		canon = canon_parse(line, strlen(line) - 1, &e);
		if (!canon)
			fail_msg("event line is not canonical JSON: %s: %s", e.msg, line);
		json_decref(canon);
		json_array_append_new(r->events, ev);
	}
	free(line);
	fclose(out);
	source__free(src);
	seckey__free(&op);
	seckey__free(&rd);
	keyring__free(&kr);
}

static void run_free(struct run *r)
{
	json_decref(r->events);
	tu_rmdir(r->dir);
}

/* The i-th event of kind (0-based), or NULL. */
static json_t *event(const struct run *r, const char *kind, size_t i)
{
	size_t k;
	json_t *ev;

	json_array_foreach(r->events, k, ev)
		if (!strcmp(json_string_value(json_object_get(ev, "event")), kind) && i-- == 0)
			return ev;
	return NULL;
}

static size_t count(const struct run *r, const char *kind)
{
	size_t n = 0;

	while (event(r, kind, n))
		n++;
	return n;
}

static json_int_t ival(json_t *ev, const char *key)
{
	json_t *v = json_object_get(ev, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* Files in the output directory whose names contain s. */
static size_t files_with(const struct run *r, const char *s)
{
	DIR *d = opendir(r->out);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strstr(de->d_name, s) != NULL;
	closedir(d);
	return n;
}

/* Every envelope in the output directory verifies, subjects included. */
static size_t verify_out(const struct run *r)
{
	struct keyring kr = { 0 };
	struct plerr e;
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(r->out);

	assert_non_null(d);
	assert_int_equal(keyring_add_dir(&kr, tu_path(fixture, "demo"), &e), 0);
	while ((de = readdir(d))) {
		struct vresult v = { 0 };
		char p[4096];

		if (!str_ends_with(de->d_name, ".dsse.json"))
			continue;
		strfmt(p, sizeof(p), "%s/%s", r->out, de->d_name);
		verify_envelope(p, &kr, &v);
		if (!v.ok)
			fail_msg("%s: %s", de->d_name, v.detail);
		if (!strcmp(v.kind, "Trace"))
			assert_int_equal(v.unchecked, 0); /* the trace was next to it */
		else
			assert_int_equal(v.checked, 1); /* the proof's trace; claim and baseline live elsewhere */
		n++;
	}
	closedir(d);
	keyring__free(&kr);
	return n;
}

/* Segments rotate, files are complete and verify, SIGTERM writes the partial one. */
static void test_rotate_and_sigterm_flush(void **state)
{
	struct run r;
	json_t *last, *ex;
	size_t i;

	(void)state;
	run_init(&r, NULL);
	r.status_ns = 1; /* a status event every turn: exercise the live window */
	act(&r, 23300 * 1000000ULL, ACT_SIGNAL, SIGTERM);
	run_go(&r);
	assert_int_equal(r.ret, PL_EXIT_OK);
	assert_int_equal(r.st.signal, SIGTERM);
	/* [0,5) [5,10) [10,15) [15,20) and the partial [20,23.3+) */
	assert_int_equal(r.st.segments, 5);
	assert_int_equal(count(&r, "segment"), 5);
	for (i = 0; i < 4; i++) {
		json_int_t n = ival(event(&r, "segment", i), "samples");

		assert_true(n >= 4999 && n <= 5001);
		assert_int_equal(ival(event(&r, "segment", i), "lost"), 0);
	}
	last = event(&r, "segment", 4);
	/* SIGTERM at 23.3 s of virtual time; a fast source plays a chunk or two more before the loop sees it. */
	assert_in_range(ival(last, "samples"), 3300, 4999);
	assert_true(ival(last, "start_ns") >= ival(event(&r, "segment", 0), "start_ns") + 20 * (json_int_t)SEC);
	/* The exit event comes last and says 0. */
	ex = json_array_get(r.events, json_array_size(r.events) - 1);
	assert_string_equal(json_string_value(json_object_get(ex, "event")), "exit");
	assert_int_equal(ival(ex, "status"), 0);
	assert_string_equal(json_string_value(json_object_get(ex, "reason")), "SIGTERM");
	assert_int_equal(ival(ex, "samples"), r.st.samples);
	assert_true(count(&r, "status") > 0);
	assert_non_null(json_object_get(event(&r, "status", count(&r, "status") - 1), "window"));
	/* Written atomically: no temporary left; five traces, five statements, all verifying. */
	assert_int_equal(files_with(&r, ".tmp"), 0);
	assert_int_equal(files_with(&r, ".pltr"), 10);
	assert_int_equal(verify_out(&r), 5);
	assert_int_equal(r.st.errors, 0);
	run_free(&r);
}

/* A hidden miner after 10 s of the claimed model: proofs for the miner segments only. */
static void test_miner_proofs(void **state)
{
	struct run r;
	size_t i, proofs = 0;
	json_t *ev, *v;
	char claims[4096];

	(void)state;
	snprintf(claims, sizeof(claims), "'%s/claim.dsse.json'", fixture);
	run_init(&r, claims);
	r.so.phase[0].wl = SYNTH_GPT4;
	r.so.phase[0].duration_ns = 10 * SEC;
	r.so.phase[1].wl = SYNTH_MINER;
	r.so.nphases = 2;
	act(&r, 25500 * 1000000ULL, ACT_SIGNAL, SIGINT);
	run_go(&r);
	assert_int_equal(r.ret, PL_EXIT_OK);
	assert_int_equal(r.st.signal, SIGINT);
	assert_int_equal(count(&r, "segment"), 6);
	for (i = 0; i < 6; i++) {
		ev = event(&r, "segment", i);
		assert_int_equal(json_array_size(json_object_get(ev, "claims")), 1);
		if (i < 2) {
			/* The claimed model: no proof of any kind. */
			assert_int_equal(json_array_size(json_object_get(ev, "proofs")), 0);
		} else if (i < 5) {
			assert_int_equal(json_array_size(json_object_get(ev, "proofs")), 1);
			v = json_array_get(json_object_get(ev, "proofs"), 0);
			assert_non_null(strstr(json_string_value(v), ".claim.crypto-miner-hidden.proof.dsse.json"));
		}
	}
	json_array_foreach(r.events, i, ev)
		if (!strcmp(json_string_value(json_object_get(ev, "event")), "proof")) {
			assert_string_equal(json_string_value(json_object_get(ev, "detector")), "crypto-miner-hidden");
			assert_string_equal(json_string_value(json_object_get(ev, "claim")), "claim.dsse.json");
			proofs++;
		}
	assert_int_equal(proofs, r.st.proofs);
	assert_true(proofs >= 3);
	assert_int_equal(files_with(&r, ".tmp"), 0);
	assert_int_equal(files_with(&r, "proof.dsse.json"), proofs);
	assert_int_equal(verify_out(&r), 6 + proofs);
	run_free(&r);
}

/*
 * Online decisions: a 7B-class model served under the GPT-4-class claim, in 120 s segments.  The
 * segment is judged every window and closed the moment model-mismatch fires, and its check signs the
 * proof then -- well before the slot's end (63 s in: the CUSUM crossed h).  The same stream decided
 * at segment ends proves it only when the 120 s are up.
 */
static void test_online_early_proof(void **state)
{
	struct run r;
	json_t *ev;
	char claims[4096];
	json_int_t early_samples;

	(void)state;
	snprintf(claims, sizeof(claims), "'%s/claim.dsse.json'", fixture);
	run_init(&r, claims);
	r.online = true;
	r.segment_ns = 120 * SEC;
	r.so.phase[0].wl = SYNTH_SMALL;
	r.so.nphases = 1;
	act(&r, 130 * SEC, ACT_SIGNAL, SIGINT);
	run_go(&r);
	assert_int_equal(r.ret, PL_EXIT_OK);
	ev = event(&r, "segment", 0);
	assert_non_null(ev);
	assert_int_equal(ival(ev, "early"), 1);
	assert_int_equal(ival(ev, "cut"), 0);
	early_samples = ival(ev, "samples");
	print_message("# online: the first segment closed at %lld samples of 120000\n", (long long)early_samples);
	assert_true(early_samples > 10000 && early_samples < 119000);
	assert_int_equal(json_array_size(json_object_get(ev, "proofs")), 1);
	assert_non_null(strstr(json_string_value(json_array_get(json_object_get(ev, "proofs"), 0)),
			       ".claim.model-mismatch.proof.dsse.json"));
	assert_string_equal(json_string_value(json_object_get(event(&r, "proof", 0), "detector")), "model-mismatch");
	assert_true(verify_out(&r) >= 3);
	run_free(&r);
	/* Decided at segment ends: the first proof comes with the full 120 s segment. */
	run_init(&r, claims);
	r.segment_ns = 120 * SEC;
	r.so.phase[0].wl = SYNTH_SMALL;
	r.so.nphases = 1;
	act(&r, 125 * SEC, ACT_SIGNAL, SIGINT);
	run_go(&r);
	ev = event(&r, "segment", 0);
	assert_int_equal(ival(ev, "early"), 0);
	assert_true(ival(ev, "samples") >= 119990);
	assert_int_equal(json_array_size(json_object_get(ev, "proofs")), 1);
	run_free(&r);
}

/*
 * check_watch_judge() on what run feeds it: the swapped model fires; a series whose sensor is not the
 * baseline's (another refresh) is not judged by model-mismatch -- and must not crash (the finding
 * was freed uninitialized once, in the VM where the kmod sensor differed).
 */
static void test_watch_judge(void **state)
{
	struct check_in in = { 0 };
	struct check_watch w;
	struct detect_params dp;
	struct keyring kr = { 0 };
	struct plerr e = { "" };
	struct series v;
	struct trace t;

	(void)state;
	assert_int_equal(keyring_add_dir(&kr, tu_path(fixture, "demo"), &e), 0);
	in.trusted = kr.keys;
	in.ntrusted = kr.n;
	in.claim_path = tu_path(fixture, "claim.dsse.json");
	in.baseline_path = tu_path(fixture, "demo/gpt4-class.baseline.dsse.json");
	assert_int_equal(check_watch_open(&in, &w, &e), 0);
	detect_params_default(&dp);
	assert_int_equal(trace_load(tu_path(fixture, "demo/swapped.pltr"), &t, &e), 0);
	trace_series(&t, &v);
	assert_int_equal(check_watch_judge(&w, &v, &dp), 1);
	check_watch_reset(&w);
	v.sensor.refresh_ns = 100000000;
	assert_int_equal(check_watch_judge(&w, &v, &dp), 0);
	check_watch_reset(&w);
	/* As run feeds it: a series growing a second at a time, each window computed once; fires as a whole would. */
	{
		struct series grow = v;
		size_t fired = 0, windows;

		trace_series(&t, &grow);
		for (grow.n = 1000; grow.n <= t.n && !fired; grow.n += 1000)
			if (check_watch_judge(&w, &grow, &dp) == 1)
				fired = grow.n;
		windows = w.n;
		print_message("# judged a second at a time: fired at %zu samples, %zu windows kept\n", fired, windows);
		assert_true(fired > 0 && fired < t.n);
		assert_true(windows >= fired / 1000 - 2 && windows <= fired / 1000);
	}
	check_watch_reset(&w);
	trace__free(&t);
	assert_int_equal(trace_load(tu_path(fixture, "demo/legit.pltr"), &t, &e), 0);
	assert_int_equal(check_watch_judge(&w, trace_series(&t, &v), &dp), 0);
	trace__free(&t);
	check_watch__free(&w);
	/* A forged claim does not open. */
	in.claim_path = tu_path(fixture, "forged.dsse.json");
	assert_int_not_equal(check_watch_open(&in, &w, &e), 0);
	keyring__free(&kr);
}

/* A claim dropped in while running is used from the next segment on; SIGHUP re-reads at once. */
static void test_claim_added_midrun(void **state)
{
	struct run r;
	json_t *ev;
	size_t i, loaded_at = SIZE_MAX, k;

	(void)state;
	run_init(&r, NULL);
	r.so.phase[0].wl = SYNTH_MINER;
	r.so.nphases = 1;
	act(&r, 12 * SEC, ACT_CLAIM, 0);
	act(&r, 12 * SEC, ACT_SIGNAL, SIGHUP);
	act(&r, 26 * SEC, ACT_SIGNAL, SIGTERM);
	run_go(&r);
	assert_int_equal(r.ret, PL_EXIT_OK);
	assert_int_equal(count(&r, "segment"), 6);
	/* Nothing to check against before the claim came. */
	for (i = 0; i < 2; i++)
		assert_int_equal(json_array_size(json_object_get(event(&r, "segment", i), "claims")), 0);
	/* After: every segment is checked, and the miner proven. */
	for (i = 2; i < 5; i++) {
		ev = event(&r, "segment", i);
		assert_int_equal(json_array_size(json_object_get(ev, "claims")), 1);
		assert_int_equal(json_array_size(json_object_get(ev, "proofs")), 1);
	}
	/* Loaded once (no repeat every segment), right after the SIGHUP's rescan. */
	assert_int_equal(count(&r, "claim"), 1);
	assert_string_equal(json_string_value(json_object_get(event(&r, "claim", 0), "status")), "loaded");
	assert_int_equal(count(&r, "rescan"), 1);
	assert_int_equal(ival(event(&r, "rescan", 0), "claims"), 1);
	json_array_foreach(r.events, k, ev)
		if (!strcmp(json_string_value(json_object_get(ev, "event")), "claim"))
			loaded_at = k;
	assert_true(loaded_at < SIZE_MAX);
	json_array_foreach(r.events, k, ev)
		if (!strcmp(json_string_value(json_object_get(ev, "event")), "rescan"))
			assert_int_equal(k, loaded_at + 1);
	run_free(&r);
}

/* A forged claim is reported once and skipped; the genuine one still works. */
static void test_forged_claim_skipped(void **state)
{
	struct run r;
	json_t *err;
	char claims[8192];

	(void)state;
	snprintf(claims, sizeof(claims), "'%s/claim.dsse.json' '%s/forged.dsse.json'", fixture, fixture);
	run_init(&r, claims);
	r.so.phase[0].wl = SYNTH_MINER;
	r.so.nphases = 1;
	act(&r, 21 * SEC, ACT_SIGNAL, SIGTERM);
	run_go(&r);
	assert_int_equal(r.ret, PL_EXIT_OK);
	assert_int_equal(count(&r, "error"), 1);
	err = event(&r, "error", 0);
	assert_string_equal(json_string_value(json_object_get(err, "what")), "claim");
	assert_non_null(strstr(json_string_value(json_object_get(err, "path")), "forged.dsse.json"));
	assert_non_null(strstr(json_string_value(json_object_get(err, "message")), "signature"));
	assert_int_equal(count(&r, "segment"), 5);
	assert_int_equal(json_array_size(json_object_get(event(&r, "segment", 0), "claims")), 1);
	assert_int_equal(json_array_size(json_object_get(event(&r, "segment", 0), "proofs")), 1);
	assert_true(r.st.proofs >= 4);
	assert_int_equal(files_with(&r, "forged"), 0);
	run_free(&r);
}

/* The output directory vanishes for a while (as a full disk would fail writes): reported, not fatal. */
static void test_write_error_continues(void **state)
{
	struct run r;
	json_t *ev;
	size_t i, seg_errors = 0;

	(void)state;
	run_init(&r, NULL);
	act(&r, 6 * SEC, ACT_RMOUT, 0);
	act(&r, 11 * SEC, ACT_MKOUT, 0);
	act(&r, 21 * SEC, ACT_SIGNAL, SIGTERM);
	run_go(&r);
	assert_int_equal(r.ret, PL_EXIT_OK);
	json_array_foreach(r.events, i, ev)
		if (!strcmp(json_string_value(json_object_get(ev, "event")), "error")) {
			assert_string_equal(json_string_value(json_object_get(ev, "what")), "segment");
			assert_non_null(strstr(json_string_value(json_object_get(ev, "message")), "not saved"));
			seg_errors++;
		}
	assert_int_equal(seg_errors, 1);    /* [5,10) */
	assert_int_equal(r.st.segments, 4); /* [0,5), gone with the directory, [10,15) [15,20) [20,21+) */
	assert_int_equal(files_with(&r, ".tmp"), 0);
	assert_int_equal(verify_out(&r), 3);
	run_free(&r);
}

/* Sixty segments, each checked: the heap in use after the 50th is what it was after the 10th. */
static void test_memory_bounded(void **state)
{
	struct run r;
	char claims[4096];

	(void)state;
	snprintf(claims, sizeof(claims), "'%s/claim.dsse.json'", fixture);
	run_init(&r, claims);
	r.so.phase[0].wl = SYNTH_MINER; /* a proof every segment: the most allocation */
	r.so.nphases = 1;
	act(&r, 52 * SEC, ACT_MEM, 0);
	act(&r, 252 * SEC, ACT_MEM, 0);
	act(&r, 300 * SEC, ACT_SIGNAL, SIGTERM);
	run_go(&r);
	assert_int_equal(r.ret, PL_EXIT_OK);
	assert_int_equal(r.st.segments, 61); /* 60, and the partial one SIGTERM wrote */
	assert_true(r.st.proofs >= 60);
	assert_int_equal(r.nmem, 2);
	print_message("# heap in use after 10 segments %zu bytes, after 50 %zu bytes; RSS %ld KiB, %ld KiB\n", r.mem[0],
		      r.mem[1], r.rss[0], r.rss[1]);
	assert_true(r.mem[1] <= r.mem[0] + 64 * 1024);
#ifndef __SANITIZE_ADDRESS__ /* ASan's quarantine holds freed memory on purpose */
	assert_true(r.rss[1] <= r.rss[0] + 1024);
#endif
	run_free(&r);
}

/* ---- segment.c ---------------------------------------------------------- */

static struct pl_sample rec(uint32_t dev, uint64_t seq, uint64_t ts)
{
	struct pl_sample s = { 0 };

	s.dev_id = dev;
	s.seq = seq;
	s.ts_ns = ts;
	s.version = PL_SAMPLE_VERSION;
	s.rails = PL_RAIL_PIN;
	s.pin_uw = 1000000;
	return s;
}

static void test_segment_slots_order_lost(void **state)
{
	struct segment g;
	struct plerr e;
	struct pl_sample s;
	const uint64_t ms = 1000000;
	char *dir = tu_tmpdir(), tp[4096], ep[4096];
	struct pl_seckey k = { 0 };
	struct trace t;

	(void)state;
	assert_int_equal(segment__init(&g, 100 * ms, ms, PLTR_SRC_KMOD, 0, false, "a", "b", "c", "h",
					SEGMENT_DEFAULT_RECORDS, &e), 0);
	assert_int_equal(g.cap, 100 + 5 + 64);
	assert_int_equal(g.want, 100 + 5 + 64);
	/* The first device seen is the one; others are counted and skipped. */
	s = rec(3, 10, 1000 * ms);
	assert_int_equal(segment__add(&g, &s), SEG_ADDED);
	s = rec(4, 0, 1000 * ms);
	assert_int_equal(segment__add(&g, &s), SEG_SKIPPED);
	assert_int_equal(g.skipped, 1);
	/* seq 11 and 12 missing, 13 comes, then 11 a drain late: put in order, one gap left. */
	s = rec(3, 13, 1003 * ms);
	assert_int_equal(segment__add(&g, &s), SEG_ADDED);
	assert_int_equal(g.gaps, 2);
	s = rec(3, 11, 1001 * ms);
	assert_int_equal(segment__add(&g, &s), SEG_ADDED);
	assert_int_equal(g.gaps, 1);
	assert_int_equal(g.reordered, 1);
	assert_int_equal(g.t.s[1].seq, 11);
	assert_int_equal(segment__add(&g, &s), SEG_SKIPPED); /* a duplicate */
	assert_false(segment__due(&g, 1099 * ms));
	assert_true(segment__due(&g, 1150 * ms));
	/* The slot ends at 1100 ms: the next record closes the segment without being taken. */
	s = rec(3, 110, 1100 * ms);
	assert_int_equal(segment__add(&g, &s), SEG_CLOSE);
	assert_int_equal(g.t.n, 3);
	/* Written with the kernel admitting 5 drops: lost = 5 (>= the one gap), and it verifies. */
	seckey__generate(&k, &e);
	assert_int_equal(segment__write(&g, dir, "s1.pltr", 5, ms, &k, tp, sizeof(tp), ep, sizeof(ep), &e), 0);
	assert_int_equal(trace_load(tp, &t, &e), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.info.lost, 5);
	assert_int_equal(t.info.dev_id, 3);
	assert_int_equal(t.info.rails, PL_RAIL_PIN);
	trace__free(&t);
	segment__reset(&g);
	assert_int_equal(g.gaps_written, 1);
	/* Offered again: the gap 13 -> 110 (96 records) counts in the new segment. */
	assert_int_equal(segment__add(&g, &s), SEG_ADDED);
	assert_int_equal(g.start_ns, 1100 * ms);
	assert_int_equal(g.gaps, 96);
	/* A record of the written slot is late. */
	s = rec(3, 12, 1002 * ms);
	assert_int_equal(segment__add(&g, &s), SEG_SKIPPED);
	assert_int_equal(g.late, 2); /* with the duplicate above */
	/* An idle device: the next record lands three slots on, the grid kept. */
	segment__reset(&g);
	s = rec(3, 500, 1437 * ms);
	assert_int_equal(segment__add(&g, &s), SEG_ADDED);
	assert_int_equal(g.start_ns, 1400 * ms);
	/* A full buffer cuts the segment early. */
	for (uint64_t i = 1; g.t.n < g.cap; i++) {
		s = rec(3, 500 + i, 1437 * ms + i * 1000);
		assert_int_equal(segment__add(&g, &s), SEG_ADDED);
	}
	s = rec(3, 10000, 1499 * ms);
	assert_int_equal(segment__add(&g, &s), SEG_CLOSE);
	assert_true(g.cut);
	/* Over the budget: the buffer is capped (36M records wanted, 8 MiB held), segments get cut. */
	segment__free(&g);
	assert_int_equal(segment__init(&g, 3600 * SEC, 100000, PLTR_SRC_KMOD, 0, false, "", "", "", "",
					SEGMENT_DEFAULT_RECORDS, &e), 0);
	assert_int_equal(g.cap, SEGMENT_DEFAULT_RECORDS);
	assert_true(g.want > g.cap);
	for (uint64_t i = 0; i < SEGMENT_DEFAULT_RECORDS; i++) {
		s = rec(3, 1 + i, 1000 * ms + i * 100000);
		assert_int_equal(segment__add(&g, &s), SEG_ADDED);
	}
	s = rec(3, 1 + SEGMENT_DEFAULT_RECORDS, 1000 * ms + SEGMENT_DEFAULT_RECORDS * 100000);
	assert_int_equal(segment__add(&g, &s), SEG_CLOSE);
	assert_true(g.cut);
	/* Budgets out of bounds are refused at start. */
	segment__free(&g);
	assert_int_equal(segment__init(&g, SEC, ms, PLTR_SRC_KMOD, 0, false, "", "", "", "", SEGMENT_MAX_RECORDS + 1,
					&e), -ERANGE);
	assert_int_equal(segment__init(&g, SEC, ms, PLTR_SRC_KMOD, 0, false, "", "", "", "", 10, &e), -ERANGE);
	seckey__free(&k);
	tu_rmdir(dir);
}

/* ---- source_synth.c ------------------------------------------------------ */

static void test_synth_source(void **state)
{
	struct synth_source_opts o;
	struct source *src;
	struct pl_sample *v = NULL;
	size_t n = 0, cap = 0, i;
	struct plerr e;

	(void)state;
	assert_int_equal(synth_source_parse("synth", &o, &e), 0);
	assert_int_equal(o.nphases, 0);
	assert_int_equal(synth_source_parse("synth:gpt4=6s,miner", &o, &e), 0);
	assert_int_equal(o.nphases, 2);
	assert_int_equal(o.phase[0].duration_ns, 6 * SEC);
	assert_int_equal(o.phase[1].wl, SYNTH_MINER);
	assert_int_equal(synth_source_parse("synth:bitcoin", &o, &e), -EINVAL);
	assert_int_equal(synth_source_parse("synth:gpt4=x", &o, &e), -EINVAL);
	assert_int_equal(synth_source_parse("kmod2", &o, &e), -EINVAL);
	/* Fast: each drain plays 250 ms; sequence numbers and time run on across 10 s chunks. */
	assert_int_equal(synth_source_parse("synth:gpt4=1s,miner", &o, &e), 0);
	o.fast = true;
	assert_int_equal(source_synth__new(&src, &o, &e), 0);
	for (i = 0; i < 48; i++)
		assert_int_equal(source__drain(src, &v, &n, &cap), 250);
	assert_int_equal(n, 12000);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i].seq, i);
		assert_in_range(v[i].ts_ns, T0_NS + i * 1000000, T0_NS + i * 1000000 + 2000);
	}
	assert_int_equal(v[500].gpu_pid, 0);   /* reserved: contexts are a trace section now */
	assert_int_equal(v[1500].flags & PL_SF_GPU_CTX, 0);
	assert_int_equal(source__now(src), T0_NS + 12 * SEC);
	free(v);
	source__free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segment_slots_order_lost), cmocka_unit_test(test_synth_source),
		cmocka_unit_test(test_rotate_and_sigterm_flush), cmocka_unit_test(test_miner_proofs),
		cmocka_unit_test(test_online_early_proof), cmocka_unit_test(test_watch_judge),
		cmocka_unit_test(test_claim_added_midrun),	 cmocka_unit_test(test_forged_claim_skipped),
		cmocka_unit_test(test_write_error_continues),	 cmocka_unit_test(test_memory_bounded),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
