// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Claims and baselines directories for the daemon (see claimdir.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/claimdir.h"
#include "evidence/baseline_json.h"
#include "evidence/statement.h"
#include "science/baseline.h"

/* Reads and opens one envelope; digest is the file's SHA-256 whether or not it verifies. */
static int open_env(const struct claimdir *cd, const char *path, struct signed_statement *ss,
		    uint8_t digest[SHA256_LEN], struct plerr *e)
{
	struct buf b = { 0 };
	int ret;

	memset(digest, 0, SHA256_LEN);
	ret = file_read(path, DSSE_MAX_LEN, &b, e);
	if (ret)
		return ret;
	sha256(b.p ? b.p : (const uint8_t *)"", b.len, digest);
	ret = statement_open(b.p, b.len, cd->trusted, cd->ntrusted, ss, e);
	buf_free(&b);
	return ret;
}

static int baseline_model_of(struct signed_statement *ss, struct baseline *b, struct plerr *e)
{
	if (ss->st.kind != PL_KIND_BASELINE)
		return plerr_set(e, -EINVAL, "a %s statement, not a Baseline", kind_name(ss->st.kind));
	return baseline_from_predicate(ss->st.predicate, b, e);
}

int claimdir__init(struct claimdir *cd, const char *claims_dir, const char *baseline_dir, const char *baseline_file,
		   const struct pl_pubkey *trusted, size_t ntrusted, const char *fingerprint, struct plerr *e)
{
	memset(cd, 0, sizeof(*cd));
	cd->claims_dir = claims_dir;
	cd->baseline_dir = baseline_dir;
	cd->baseline_file = baseline_file;
	cd->trusted = trusted;
	cd->ntrusted = ntrusted;
	snprintf(cd->fingerprint, sizeof(cd->fingerprint), "%s", fingerprint);
	if (!path_is_dir(claims_dir))
		return plerr_set(e, -ENOTDIR, "%s: not a directory", claims_dir);
	if (baseline_dir && !path_is_dir(baseline_dir))
		return plerr_set(e, -ENOTDIR, "%s: not a directory", baseline_dir);
	if (baseline_file) {
		struct signed_statement ss = { 0 };
		uint8_t digest[SHA256_LEN];
		struct baseline b;
		int ret;

		ret = open_env(cd, baseline_file, &ss, digest, e);
		if (!ret) {
			ret = baseline_model_of(&ss, &b, e);
			signed_statement__free(&ss);
		}
		if (ret) {
			plerr_prefix(e, baseline_file);
			return ret;
		}
		/*
		 * Another host's baseline would fail every check: refused now,
		 * not once per segment (preflight, before the source says who
		 * this host is, passes "": checked again once it does).
		 */
		if (cd->fingerprint[0] && strcmp(b.fingerprint, cd->fingerprint))
			return plerr_set(e, -EINVAL,
					 "%s: commissioned on other hardware (fingerprint %.16s...), this host is %.16s...",
					 baseline_file, b.fingerprint, cd->fingerprint);
		snprintf(cd->baseline_model, sizeof(cd->baseline_model), "%s", b.model);
	}
	return 0;
}

void claimdir__free(struct claimdir *cd)
{
	free(cd->v);
	free(cd->bl);
	free(cd->seen);
	free(cd->bseen);
	memset(cd, 0, sizeof(*cd));
}

static bool is_envelope_name(const char *name)
{
	return name[0] != '.' && str_ends_with(name, ".dsse.json") && strlen(name) < CLAIMDIR_NAME;
}

static const struct claimdir_seen *seen_find(const struct claimdir_seen *v, size_t n, const char *name,
					     const uint8_t digest[SHA256_LEN])
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name) && !memcmp(v[i].digest, digest, SHA256_LEN))
			return &v[i];
	return NULL;
}

/* Appends to a table of elements of size sz; -ENOMEM. */
static int grow(void **v, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void *p = realloc(*v, c * sz);

		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = c;
	}
	(*n)++;
	return 0;
}

struct scan_state {
	struct claimdir_seen *seen; /* this scan's table */
	size_t n, cap;
	const struct claimdir_seen *old;
	size_t nold;
	claimdir_note_fn note;
	void *arg;
};

/* Records name's status in this scan's table; tells note if it is news. */
static int remember(struct scan_state *s, const char *dir, const char *name, const uint8_t digest[SHA256_LEN],
		    enum claimdir_note what, const char *msg)
{
	const struct claimdir_seen *o = seen_find(s->old, s->nold, name, digest);
	struct claimdir_seen *x;
	char path[4096];

	if (grow((void **)&s->seen, &s->n, &s->cap, sizeof(*s->seen)))
		return -ENOMEM;
	x = &s->seen[s->n - 1];
	snprintf(x->name, sizeof(x->name), "%s", name);
	memcpy(x->digest, digest, SHA256_LEN);
	x->status = what;
	if (o && o->status == what)
		return 0;
	if (s->note) {
		strfmt(path, sizeof(path), "%s/%s", dir, name);
		s->note(s->arg, what, path, msg);
	}
	return 0;
}

static int scan_baselines(struct claimdir *cd, claimdir_note_fn note, void *arg, struct plerr *e)
{
	struct scan_state s = { .old = cd->bseen, .nold = cd->nbseen, .note = note, .arg = arg };
	struct dirent *de;
	size_t files = 0;
	DIR *dir;
	int ret = 0;

	cd->nbl = 0;
	dir = opendir(cd->baseline_dir);
	if (!dir)
		return plerr_set(e, -errno, "%s: %s", cd->baseline_dir, strerror(errno));
	while ((de = readdir(dir)) && files < CLAIMDIR_MAX) {
		struct signed_statement ss = { 0 };
		struct claimdir_baseline *b;
		struct plerr fe = { "" };
		uint8_t digest[SHA256_LEN];
		struct baseline bl;
		struct stat st;
		char path[4096];
		int r;

		if (!is_envelope_name(de->d_name))
			continue;
		strfmt(path, sizeof(path), "%s/%s", cd->baseline_dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		files++;
		r = open_env(cd, path, &ss, digest, &fe);
		if (!r && ss.st.kind != PL_KIND_BASELINE) {
			signed_statement__free(&ss);
			continue; /* a trace, a claim, a proof: not ours to judge here */
		}
		if (!r) {
			r = baseline_from_predicate(ss.st.predicate, &bl, &fe);
			signed_statement__free(&ss);
		}
		if (r) {
			if (r == -ENOMEM ||
			    remember(&s, cd->baseline_dir, de->d_name, digest, CLAIMDIR_BAD_BASELINE, fe.msg)) {
				ret = plerr_set(e, -ENOMEM, "out of memory");
				break;
			}
			continue;
		}
		/* Usable baselines are not news worth a line each: remember them quietly. */
		if (grow((void **)&cd->bl, &cd->nbl, &cd->capbl, sizeof(*cd->bl))) {
			ret = plerr_set(e, -ENOMEM, "out of memory");
			break;
		}
		b = &cd->bl[cd->nbl - 1];
		snprintf(b->name, sizeof(b->name), "%s", de->d_name);
		snprintf(b->model, sizeof(b->model), "%s", bl.model);
		b->here = !strcmp(bl.fingerprint, cd->fingerprint);
		b->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	}
	closedir(dir);
	free(cd->bseen);
	cd->bseen = s.seen;
	cd->nbseen = s.n;
	return ret;
}

static const struct claimdir_baseline *best_baseline(const struct claimdir *cd, const char *model)
{
	const struct claimdir_baseline *best = NULL;

	for (size_t i = 0; i < cd->nbl; i++) {
		const struct claimdir_baseline *b = &cd->bl[i];

		/* Only this host's: check refuses a baseline commissioned on other hardware. */
		if (strcmp(b->model, model) || !b->here)
			continue;
		if (!best || b->mtime_ns > best->mtime_ns)
			best = b;
	}
	return best;
}

int claimdir__scan(struct claimdir *cd, claimdir_note_fn note, void *arg, struct plerr *e)
{
	struct scan_state s = { .old = cd->seen, .nold = cd->nseen, .note = note, .arg = arg };
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	cd->n = 0;
	cd->files = 0;
	if (cd->baseline_dir) {
		ret = scan_baselines(cd, note, arg, e);
		if (ret)
			return ret;
	}
	dir = opendir(cd->claims_dir);
	if (!dir)
		return plerr_set(e, -errno, "%s: %s", cd->claims_dir, strerror(errno));
	while ((de = readdir(dir)) && cd->files < CLAIMDIR_MAX) {
		struct signed_statement ss = { 0 };
		const struct claimdir_baseline *b = NULL;
		struct claimdir_entry *x;
		struct plerr fe = { "" };
		uint8_t digest[SHA256_LEN];
		enum claimdir_note what;
		struct claim c;
		struct stat st;
		char path[4096];
		int r;

		if (!is_envelope_name(de->d_name))
			continue;
		strfmt(path, sizeof(path), "%s/%s", cd->claims_dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		cd->files++;
		r = open_env(cd, path, &ss, digest, &fe);
		if (!r && ss.st.kind != PL_KIND_WORKLOAD) {
			signed_statement__free(&ss);
			continue;
		}
		if (!r) {
			r = claim_from_predicate(ss.st.predicate, &c, &fe);
			signed_statement__free(&ss);
		}
		what = CLAIMDIR_REJECTED;
		if (r == -ENOMEM) {
			ret = plerr_set(e, -ENOMEM, "out of memory");
			break;
		} else if (r) {
			/* fe says why */
		} else if (strcmp(c.fingerprint, cd->fingerprint)) {
			what = CLAIMDIR_IGNORED;
			strfmt(fe.msg, sizeof(fe.msg), "for hardware %.16s..., this host is %.16s...", c.fingerprint,
			       cd->fingerprint);
		} else if (cd->baseline_dir && !(b = best_baseline(cd, c.model))) {
			strfmt(fe.msg, sizeof(fe.msg), "no baseline for model \"%s\" commissioned on this host in %s",
			       c.model, cd->baseline_dir);
		} else if (!cd->baseline_dir && strcmp(c.model, cd->baseline_model)) {
			strfmt(fe.msg, sizeof(fe.msg), "model \"%s\", the baseline is for \"%s\"", c.model,
			       cd->baseline_model);
		} else {
			what = CLAIMDIR_LOADED;
			strfmt(fe.msg, sizeof(fe.msg), "model %s, %s, [%llu, %llu] ns", c.model, c.workload,
			       (unsigned long long)c.start_ns, (unsigned long long)c.end_ns);
		}
		if (remember(&s, cd->claims_dir, de->d_name, digest, what, fe.msg) ||
		    (what == CLAIMDIR_LOADED && grow((void **)&cd->v, &cd->n, &cd->cap, sizeof(*cd->v)))) {
			ret = plerr_set(e, -ENOMEM, "out of memory");
			break;
		}
		if (what != CLAIMDIR_LOADED)
			continue;
		x = &cd->v[cd->n - 1];
		snprintf(x->name, sizeof(x->name), "%s", de->d_name);
		snprintf(x->baseline, sizeof(x->baseline), "%s", b ? b->name : "");
		x->c = c;
	}
	closedir(dir);
	free(cd->seen);
	cd->seen = s.seen;
	cd->nseen = s.n;
	if (ret)
		cd->n = 0;
	return ret;
}

bool claimdir_active(const struct claimdir_entry *c, uint64_t first_ns, uint64_t last_ns)
{
	return c->c.start_ns <= last_ns && c->c.end_ns >= first_ns;
}

bool claimdir_paths(const struct claimdir *cd, const struct claimdir_entry *c, char *claim, char *baseline, size_t len)
{
	int a, b;

	a = snprintf(claim, len, "%s/%s", cd->claims_dir, c->name);
	if (cd->baseline_dir)
		b = snprintf(baseline, len, "%s/%s", cd->baseline_dir, c->baseline);
	else
		b = snprintf(baseline, len, "%s", cd->baseline_file);
	return a > 0 && b > 0 && (size_t)a < len && (size_t)b < len;
}
