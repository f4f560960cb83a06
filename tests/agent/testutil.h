/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Helpers shared by the agent's cmocka suites: temporary directories,
 * running shell commands (openssl, python3) and small file I/O.  Each suite
 * is one test_<module>.c; tests/agent/run runs them all.
 */
#ifndef PL_TESTUTIL_H
#define PL_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/util.h"

/* A fresh directory under $TMPDIR (or /tmp); removed by tu_rmdir. */
static inline char *tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p = malloc(4096);

	assert_non_null(p);
	snprintf(p, 4096, "%s/pl-test-XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(p));
	return p;
}

/* Runs a shell command; returns its exit status (or -1 when it died). */
static inline int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int tu_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static inline void tu_rmdir(char *dir)
{
	if (dir && !getenv("PL_TEST_KEEP"))
		tu_sh("rm -rf '%s'", dir);
	free(dir);
}

/* "DIR/NAME" in a static ring of buffers: fine for a test's few paths. */
static inline const char *tu_path(const char *dir, const char *name)
{
	static char bufs[8][4096];
	static int i;
	char *p = bufs[i++ & 7];

	snprintf(p, 4096, "%s/%s", dir, name);
	return p;
}

static inline void tu_write(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static inline void tu_read(const char *path, struct buf *b)
{
	struct plerr e;

	b->len = 0;
	assert_int_equal(file_read(path, 1 << 28, b, &e), 0);
}

#endif /* PL_TESTUTIL_H */
