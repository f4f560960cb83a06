// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Canonical JSON: emitter vectors, rejection of everything outside the
 * rules, the parse-and-re-emit check, and a differential test against
 * Python's json module (an independent implementation of the same rules for
 * ASCII strings and integers).
 */
#include "testutil.h"

#include <errno.h>
#include <stdint.h>

#include "evidence/canon.h"

static char *emit(json_t *v)
{
	struct buf b = { 0 };
	struct plerr e = { "" };
	int ret = canon_dump(v, &b, &e);

	json_decref(v);
	if (ret) {
		buf_free(&b);
		return NULL;
	}
	return (char *)b.p;
}

static void expect_emit(json_t *v, const char *want)
{
	char *got = emit(v);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_emit_sorted_no_whitespace(void **state)
{
	(void)state;
	expect_emit(json_pack("{s:i,s:[b,b,n,s]}", "b", 1, "a", 1, 0, "x"), "{\"a\":[true,false,null,\"x\"],\"b\":1}");
	/* Bytewise: 'B' < '_' < 'a'; a key that is a prefix sorts first. */
	expect_emit(json_pack("{s:i,s:i,s:i,s:i,s:i}", "predicateType", 1, "predicate", 2, "_type", 3, "B", 4, "a", 5),
		    "{\"B\":4,\"_type\":3,\"a\":5,\"predicate\":2,\"predicateType\":1}");
	expect_emit(json_pack("{s:{s:i,s:{s:[]}},s:{}}", "z", "y", 1, "x", "w", "a"),
		    "{\"a\":{},\"z\":{\"x\":{\"w\":[]},\"y\":1}}");
	expect_emit(json_array(), "[]");
	expect_emit(json_string(""), "\"\"");
}

static void test_emit_integers(void **state)
{
	(void)state;
	expect_emit(json_integer(0), "0");
	expect_emit(json_integer(-1), "-1");
	expect_emit(json_integer(INT64_MAX), "9223372036854775807");
	expect_emit(json_integer(INT64_MIN), "-9223372036854775808");
	expect_emit(json_integer(1700000000123456789LL), "1700000000123456789");
}

static void test_emit_escapes_only_quote_and_backslash(void **state)
{
	(void)state;
	expect_emit(json_string("a\"b\\c/d'e"), "\"a\\\"b\\\\c/d'e\"");
	expect_emit(json_pack("{s:s}", "k\"ey", "v"), "{\"k\\\"ey\":\"v\"}");
	expect_emit(json_string(" ~"), "\" ~\"");
}

static void test_emit_rejects(void **state)
{
	struct buf b = { 0 };
	struct plerr e = { "" };
	json_t *v;

	(void)state;
	assert_null(emit(json_real(1.5)));
	assert_null(emit(json_real(2.0)));
	assert_null(emit(json_string("line\nbreak")));
	assert_null(emit(json_string("tab\t")));
	assert_null(emit(json_string("del\x7f")));
	assert_null(emit(json_string("caf\xc3\xa9")));
	assert_null(emit(json_pack("{s:i}", "bad\x01key", 1)));
	assert_null(emit(json_stringn("nul\0inside", 10)));
	/* The error names where: a JSON pointer to the offending value. */
	v = json_pack("{s:[i,f]}", "evidence", 1, 0.5);
	assert_int_equal(canon_dump(v, &b, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "/evidence/1"));
	assert_int_equal(b.len, 0);
	json_decref(v);
	buf_free(&b);
}

static void expect_parse_ok(const char *s)
{
	struct plerr e = { "" };
	json_t *v = canon_parse(s, strlen(s), &e);

	if (!v)
		fail_msg("rejected %s: %s", s, e.msg);
	json_decref(v);
}

static void expect_parse_fails(const char *s, size_t n, const char *why)
{
	struct plerr e = { "" };
	json_t *v = canon_parse(s, n, &e);

	if (v)
		fail_msg("accepted non-canonical %.*s", (int)n, s);
	assert_non_null(strstr(e.msg, why));
}

static void test_parse_accepts_canonical(void **state)
{
	(void)state;
	expect_parse_ok("{\"a\":[1,-2,true,false,null],\"b\":{\"c\":\"x\\\"y\\\\z\"}}");
	expect_parse_ok("[]");
	expect_parse_ok("9223372036854775807");
	expect_parse_ok("\"\"");
}

static void test_parse_rejects_noncanonical(void **state)
{
	(void)state;
	expect_parse_fails("{\"a\": 1}", 8, "first difference at byte 5");
	expect_parse_fails("{\"b\":1,\"a\":2}", 13, "first difference at byte 2");
	expect_parse_fails("[1.0]", 5, "not an integer");
	expect_parse_fails("[1e2]", 5, "not an integer");
	expect_parse_fails("-0", 2, "first difference at byte 0");
	expect_parse_fails("\"\\u0041\"", 8, "first difference at byte 1");
	expect_parse_fails("\"a\\/b\"", 6, "first difference at byte 2");
	expect_parse_fails("\"\\n\"", 4, "not printable ASCII");
	expect_parse_fails("\"caf\xc3\xa9\"", 7, "not printable ASCII");
	expect_parse_fails("{\"a\":1,\"a\":1}", 13, "not JSON");
	expect_parse_fails("[1]\n", 4, "first difference at byte 3");
	expect_parse_fails("[9223372036854775808]", 21, "not JSON");
	expect_parse_fails("", 0, "not JSON");
	expect_parse_fails("[01]", 4, "not JSON");
	expect_parse_fails("[1] [2]", 7, "not JSON");
	expect_parse_fails("\"a\0b\"", 5, "not JSON");
}

/* Deterministic random documents within our rules. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static json_t *random_value(int depth)
{
	static const char alphabet[] = " !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~";
	char s[12];
	json_t *v;
	size_t i, n;

	switch (depth > 3 ? next() % 3 : next() % 5) {
	case 0: return json_integer((json_int_t)(next() % 2 ? next() : -next()) >> (next() % 60));
	case 1:
		n = next() % sizeof(s);
		for (i = 0; i < n; i++)
			s[i] = alphabet[next() % (sizeof(alphabet) - 1)];
		return json_stringn(s, n);
	case 2: return next() % 2 ? json_true() : json_null();
	case 3:
		v = json_array();
		for (n = next() % 4; n; n--)
			json_array_append_new(v, random_value(depth + 1));
		return v;
	default:
		v = json_object();
		for (n = next() % 5; n; n--) {
			size_t kl = 1 + next() % 6;

			for (i = 0; i < kl; i++)
				s[i] = alphabet[next() % (sizeof(alphabet) - 1)];
			s[kl] = 0;
			json_object_set_new(v, s, random_value(depth + 1));
		}
		return v;
	}
}

static void test_differential_python(void **state)
{
	char *dir = tu_tmpdir();
	struct buf all = { 0 };
	struct plerr e = { "" };
	json_t *v, *back;
	int i;

	(void)state;
	for (i = 0; i < 300; i++) {
		struct buf one = { 0 };

		v = random_value(0);
		assert_int_equal(canon_dump(v, &one, &e), 0);
		/* Our own checker accepts our output and gets the same value back. */
		back = canon_parse(one.p, one.len, &e);
		assert_non_null(back);
		assert_true(json_equal(v, back));
		json_decref(back);
		json_decref(v);
		buf_put(&all, one.p, one.len);
		buf_putc(&all, '\n');
		buf_free(&one);
	}
	tu_write(tu_path(dir, "docs.txt"), all.p, all.len);
	/* Python re-emits each line with sorted keys and no whitespace: must be a fixed point. */
	assert_int_equal(
		tu_sh("python3 -c '\n"
		      "import json, sys\n"
		      "for n, line in enumerate(open(sys.argv[1], encoding=\"ascii\").read().split(\"\\n\")[:-1]):\n"
		      "    again = json.dumps(json.loads(line), sort_keys=True, separators=(\",\", \":\"))\n"
		      "    if again != line: sys.exit(\"line %%d: %%s != %%s\" %% (n, again, line))\n"
		      "' %s",
		      tu_path(dir, "docs.txt")),
		0);
	buf_free(&all);
	tu_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emit_sorted_no_whitespace),
		cmocka_unit_test(test_emit_integers),
		cmocka_unit_test(test_emit_escapes_only_quote_and_backslash),
		cmocka_unit_test(test_emit_rejects),
		cmocka_unit_test(test_parse_accepts_canonical),
		cmocka_unit_test(test_parse_rejects_noncanonical),
		cmocka_unit_test(test_differential_python),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
