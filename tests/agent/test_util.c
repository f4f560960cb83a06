// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lib/util.c's file rules, which every verb relies on: readers open only
 * regular files and never wait on a FIFO; outputs never replace a file
 * without AFILE_REPLACE and never one of their inputs; a failed read frees
 * what it allocated; messages keep their reason past a long path.  And
 * keys.c's pair writing, which must leave an old pair intact on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "testutil.h"

#include "capture/trace.h"
#include "evidence/attest.h"
#include "evidence/keys.h"

/* n samples at 1 kHz of 1 W on PIN. */
static void pin_trace(struct trace *t, size_t n)
{
	struct pl_sample s = { 0 };

	trace_init(t, 1000000, 0, PL_RAIL_PIN, PLTR_SRC_SYNTHETIC, 0, "", "", "", "h");
	for (size_t i = 0; i < n; i++) {
		s.ts_ns = 1000000 * (i + 1);
		s.seq = i;
		s.rails = PL_RAIL_PIN;
		s.version = PL_SAMPLE_VERSION;
		s.pin_uw = 1000000;
		assert_int_equal(trace_push(t, &s), 0);
	}
}

static void sha_of(const char *path, char out[SHA256_HEX_LEN])
{
	struct plerr e = { "" };

	assert_int_equal(file_sha256_hex(path, out, &e), 0);
}

/* FIFOs, devices, directories, loops: refused at once, with the reason. */
static void test_open_regular(void **state)
{
	char *dir = tu_tmpdir();
	struct plerr e = { "" };
	struct buf b = { 0 };
	char hex[SHA256_HEX_LEN];
	time_t t0 = time(NULL);

	(void)state;
	assert_int_equal(mkfifo(tu_path(dir, "fifo"), 0600), 0);
	/* With no writer, a plain open() would block here forever. */
	assert_int_equal(file_open_regular(tu_path(dir, "fifo"), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not a regular file (a FIFO)"));
	assert_int_equal(file_read(tu_path(dir, "fifo"), 100, &b, &e), -EINVAL);
	assert_int_equal(file_sha256_hex(tu_path(dir, "fifo"), hex, &e), -EINVAL);
	/* /dev/zero would be hashed forever. */
	assert_int_equal(file_sha256_hex("/dev/zero", hex, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "a character device"));
	assert_int_equal(file_open_regular(dir, &e), -EISDIR);
	assert_non_null(strstr(e.msg, "a directory"));
	assert_int_equal(symlink("loop", tu_path(dir, "loop")), 0);
	assert_int_equal(file_open_regular(tu_path(dir, "loop"), &e), -ELOOP);
	assert_int_equal(file_open_regular(tu_path(dir, "absent"), &e), -ENOENT);
	assert_non_null(strstr(e.msg, "absent: No such file"));
	assert_true(time(NULL) - t0 < 5);
	tu_rmdir(dir);
}

/* An oversized file is refused before reading, and nothing is left allocated. */
static void test_read_limits(void **state)
{
	char *dir = tu_tmpdir();
	struct plerr e = { "" };
	struct buf b = { 0 };

	(void)state;
	tu_write(tu_path(dir, "big"), "0123456789", 10);
	assert_int_equal(file_read(tu_path(dir, "big"), 9, &b, &e), -EFBIG);
	assert_null(b.p); /* freed: a caller that forgets buf_free() leaks nothing */
	assert_int_equal(b.len, 0);
	assert_non_null(strstr(e.msg, "larger than 9 bytes"));
	/* Appending to a caller's buffer: kept as it was. */
	assert_int_equal(buf_puts(&b, "keep"), 0);
	assert_int_equal(file_read(tu_path(dir, "big"), 9, &b, &e), -EFBIG);
	assert_int_equal(b.len, 4);
	assert_string_equal((char *)b.p, "keep");
	buf_free(&b);
	tu_rmdir(dir);
}

static void test_no_clobber(void **state)
{
	char *dir = tu_tmpdir(), before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
	struct plerr e = { "" };
	struct afile f;

	(void)state;
	tu_write(tu_path(dir, "old"), "old", 3);
	sha_of(tu_path(dir, "old"), before);
	assert_int_equal(out_check(tu_path(dir, "new"), false, &e), 0);
	assert_int_equal(out_check(tu_path(dir, "old"), false, &e), -EEXIST);
	assert_non_null(strstr(e.msg, "exists (use --force to replace it)"));
	assert_int_equal(out_check(tu_path(dir, "old"), true, &e), 0);
	assert_int_equal(out_check(dir, true, &e), -EISDIR); /* never, even with --force */
	assert_int_equal(file_write_atomic(tu_path(dir, "old"), "new", 3, 0644, 0, &e), -EEXIST);
	sha_of(tu_path(dir, "old"), after);
	assert_string_equal(before, after);
	/* A file that appears between the check and the commit is not replaced either. */
	assert_int_equal(afile_open(&f, tu_path(dir, "late"), 0, &e), 0);
	afile_write(&f, "mine", 4);
	tu_write(tu_path(dir, "late"), "theirs", 6);
	assert_int_equal(afile_commit(&f, 0644, NULL, &e), -EEXIST);
	assert_int_equal(tu_sh("grep -qx theirs '%s'", tu_path(dir, "late")), 0);
	/* ... and what we wrote is not lost: kept under the temporary name the message gives. */
	assert_non_null(strstr(e.msg, "what was written is kept in "));
	assert_int_equal(tu_sh("grep -qx mine '%s'", strstr(e.msg, "kept in ") + 8), 0);
	/* With AFILE_REPLACE: replaced. */
	assert_int_equal(file_write_atomic(tu_path(dir, "old"), "new", 3, 0644, AFILE_REPLACE, &e), 0);
	assert_int_equal(tu_sh("grep -qx new '%s'", tu_path(dir, "old")), 0);
	tu_rmdir(dir);
}

/* Same file under another name (a hard link, a symlink): still an input. */
static void test_out_not_input(void **state)
{
	char *dir = tu_tmpdir();
	struct plerr e = { "" };
	const char *in[2];

	(void)state;
	tu_write(tu_path(dir, "in"), "x", 1);
	assert_int_equal(link(tu_path(dir, "in"), tu_path(dir, "hard")), 0);
	assert_int_equal(symlink("in", tu_path(dir, "soft")), 0);
	in[0] = NULL;
	in[1] = tu_path(dir, "in");
	assert_int_equal(out_check_inputs(tu_path(dir, "hard"), true, in, 2, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "is also an input"));
	assert_non_null(strstr(e.msg, "even with --force"));
	assert_int_equal(out_check_inputs(tu_path(dir, "soft"), true, in, 2, &e), -EINVAL);
	assert_int_equal(out_check_inputs(tu_path(dir, "other"), true, in, 2, &e), 0);
	tu_rmdir(dir);
}

/* A message about a path near PATH_MAX still ends with its reason. */
static void test_long_message(void **state)
{
	struct plerr e = { "" };
	char path[4000];
	struct buf b = { 0 };

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	for (size_t i = 200; i < sizeof(path) - 1; i += 200)
		path[i] = '/';
	assert_int_not_equal(file_read(path, 10, &b, &e), 0);
	plerr_prefix(&e, "trace");
	assert_non_null(strstr(e.msg, "No such file or directory"));
	assert_true(strlen(e.msg) > sizeof(path));
}

static void test_mkdir_p(void **state)
{
	char *dir = tu_tmpdir();
	struct plerr e = { "" };

	(void)state;
	assert_int_equal(mkdir_p(tu_path(dir, "a/b/c"), 0755, &e), 0);
	assert_true(path_is_dir(tu_path(dir, "a/b/c")));
	assert_int_equal(mkdir_p(tu_path(dir, "a/b/c"), 0755, &e), 0); /* again: fine */
	assert_int_equal(mkdir_p("", 0755, &e), -EINVAL);		  /* read past the end before */
	tu_write(tu_path(dir, "f"), "x", 1);
	assert_int_not_equal(mkdir_p(tu_path(dir, "f/g"), 0755, &e), 0);
	assert_non_null(strstr(e.msg, "f/g"));
	tu_rmdir(dir);
}

/* keygen --force over a pair where one name is a directory: nothing changes. */
static void test_key_pair_atomic(void **state)
{
	char *dir = tu_tmpdir(), before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
	struct pl_seckey a = { 0 }, b = { 0 };
	struct plerr e = { "" };
	char priv[4096], pub[4096];

	(void)state;
	snprintf(priv, sizeof(priv), "%s", tu_path(dir, "r.key"));
	snprintf(pub, sizeof(pub), "%s", tu_path(dir, "r.pub"));
	assert_int_equal(seckey__generate(&a, &e), 0);
	assert_int_equal(seckey__generate(&b, &e), 0);
	assert_int_equal(seckey__save(&a, priv, pub, false, &e), 0);
	sha_of(priv, before);
	assert_int_equal(seckey__save(&b, priv, pub, false, &e), -EEXIST);
	assert_int_equal(unlink(pub), 0);
	assert_int_equal(mkdir(pub, 0755), 0);
	assert_int_not_equal(seckey__save(&b, priv, pub, true, &e), 0);
	assert_non_null(strstr(e.msg, "a directory"));
	sha_of(priv, after);
	assert_string_equal(before, after); /* the old private key survives */
	assert_int_equal(tu_sh("[ $(ls '%s' | wc -l) = 2 ]", dir), 0); /* no temporary left */
	assert_int_equal(rmdir(pub), 0);
	assert_int_equal(seckey__save(&b, priv, pub, true, &e), 0);
	sha_of(priv, after);
	assert_string_not_equal(before, after);
	assert_int_equal(tu_sh("[ \"$(stat -c %%a '%s')\" = 600 ]", priv), 0);
	seckey__free(&a);
	seckey__free(&b);
	tu_rmdir(dir);
}

struct shrink {
	const char *path;
	off_t to;
	int delay_us;
};

static void *shrinker(void *arg)
{
	struct shrink *s = arg;

	usleep((useconds_t)s->delay_us);
	if (truncate(s->path, s->to))
		return NULL;
	return NULL;
}

/*
 * A trace truncated while it is read: an error naming what happened, never
 * SIGBUS (traces used to be mapped).  Racy by nature: tried with several
 * delays; at least one must land mid-read, and none may kill us.
 */
static void test_trace_shrinks_while_read(void **state)
{
	char *dir = tu_tmpdir();
	struct plerr e = { "" };
	struct trace t = { 0 }, back;
	int mid = 0, delay;

	(void)state;
	pin_trace(&t, 200000);
	for (delay = 0; delay <= 20000 && !mid; delay += 500) {
		struct shrink sh = { tu_path(dir, "t.pltr"), 4096, delay };
		pthread_t th;
		int ret;

		assert_int_equal(trace_save(sh.path, &t, AFILE_REPLACE, &e), 0);
		assert_int_equal(pthread_create(&th, NULL, shrinker, &sh), 0);
		ret = trace_load(sh.path, &back, &e);
		pthread_join(th, NULL);
		if (ret == 0) {
			trace__free(&back);
			continue;
		}
		assert_null(back.s);
		if (strstr(e.msg, "shrank while being read"))
			mid = 1;
		else
			assert_non_null(strstr(e.msg, "truncated")); /* shrunk before we looked */
	}
	assert_true(mid);
	trace__free(&t);
	tu_rmdir(dir);
}

/* A corrupted record-size field is named as such, not as a truncation. */
static void test_record_size_field(void **state)
{
	char *dir = tu_tmpdir();
	struct plerr e = { "" };
	struct trace t = { 0 }, back;

	(void)state;
	pin_trace(&t, 10);
	assert_int_equal(trace_save(tu_path(dir, "t.pltr"), &t, 0, &e), 0);
	{
		/* The digest of what was parsed, from the same read, is the file's. */
		char d1[SHA256_HEX_LEN], d2[SHA256_HEX_LEN];

		assert_int_equal(trace_load_digest(tu_path(dir, "t.pltr"), &back, d1, &e), 0);
		trace__free(&back);
		sha_of(tu_path(dir, "t.pltr"), d2);
		assert_string_equal(d1, d2);
	}
	{
		/* attest without wanting the digest back (record does that) still signs a subject. */
		struct pl_seckey k = { 0 };
		struct buf env = { 0 };

		assert_int_equal(seckey__generate(&k, &e), 0);
		assert_int_equal(attest_trace(tu_path(dir, "t.pltr"), &k, &env, NULL, &e), 0);
		assert_true(env.len > 0);
		buf_free(&env);
		seckey__free(&k);
	}
	/* record_size (offset 12, le32) 128 -> 256 */
	assert_int_equal(tu_sh("printf '\\000\\001' | dd of='%s' bs=1 seek=12 conv=notrunc status=none",
			       tu_path(dir, "t.pltr")), 0);
	assert_int_equal(trace_load(tu_path(dir, "t.pltr"), &back, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "corrupt header at offset 12: record size 256"));
	assert_null(strstr(e.msg, "truncated"));
	trace__free(&t);
	tu_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_regular),   cmocka_unit_test(test_read_limits),
		cmocka_unit_test(test_no_clobber),     cmocka_unit_test(test_out_not_input),
		cmocka_unit_test(test_long_message),   cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_key_pair_atomic), cmocka_unit_test(test_trace_shrinks_while_read),
		cmocka_unit_test(test_record_size_field),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
