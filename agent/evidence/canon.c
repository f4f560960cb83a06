// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Canonical JSON emitter (ours) and checker (jansson parses, we re-emit and
 * compare).  Keeping the emitter tiny and the rules strict is what makes the
 * signed bytes reproducible across implementations; see canon.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/canon.h"

/* Bounded: objects nest a few levels in our documents; deeper is hostile input. */
#define CANON_MAX_DEPTH 32

struct key_ref {
	const char *key;
	json_t *val;
};

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct key_ref *)a)->key, ((const struct key_ref *)b)->key);
}

static int put_string(struct buf *out, const char *s, size_t len, const char *where, struct plerr *e)
{
	size_t i;
	unsigned char c;

	if (buf_putc(out, '"'))
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e)
			return plerr_set(e, -EINVAL, "string at %s: byte 0x%02x at index %zu is not printable ASCII",
					 where[0] ? where : "/", c, i);
		if ((c == '"' || c == '\\') && buf_putc(out, '\\'))
			return -ENOMEM;
		if (buf_putc(out, (char)c))
			return -ENOMEM;
	}
	return buf_putc(out, '"') ? -ENOMEM : 0;
}

static int dump(const json_t *v, struct buf *out, char *where, size_t wlen, int depth, struct plerr *e)
{
	size_t i, n, base = strlen(where);
	struct key_ref *keys;
	const char *k;
	json_t *val;
	int ret = 0;

	if (depth > CANON_MAX_DEPTH)
		return plerr_set(e, -EINVAL, "nesting deeper than %d at %s", CANON_MAX_DEPTH, where);
	switch (json_typeof(v)) {
	case JSON_NULL: return buf_puts(out, "null") ? -ENOMEM : 0;
	case JSON_TRUE: return buf_puts(out, "true") ? -ENOMEM : 0;
	case JSON_FALSE: return buf_puts(out, "false") ? -ENOMEM : 0;
	case JSON_INTEGER: return buf_printf(out, "%" PRId64, (int64_t)json_integer_value(v)) ? -ENOMEM : 0;
	case JSON_REAL: return plerr_set(e, -EINVAL, "number at %s is not an integer", base ? where : "/");
	case JSON_STRING: return put_string(out, json_string_value(v), json_string_length(v), where, e);
	case JSON_ARRAY:
		if (buf_putc(out, '['))
			return -ENOMEM;
		for (i = 0; i < json_array_size(v); i++) {
			if (i && buf_putc(out, ','))
				return -ENOMEM;
			snprintf(where + base, wlen - base, "/%zu", i);
			ret = dump(json_array_get(v, i), out, where, wlen, depth + 1, e);
			where[base] = 0;
			if (ret)
				return ret;
		}
		return buf_putc(out, ']') ? -ENOMEM : 0;
	case JSON_OBJECT:
		n = json_object_size(v);
		keys = calloc(n ? n : 1, sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		i = 0;
		json_object_foreach((json_t *)v, k, val) {
			keys[i].key = k;
			keys[i].val = val;
			i++;
		}
		qsort(keys, n, sizeof(*keys), key_cmp);
		ret = buf_putc(out, '{') ? -ENOMEM : 0;
		for (i = 0; i < n && !ret; i++) {
			snprintf(where + base, wlen - base, "/%s", keys[i].key);
			if (i && buf_putc(out, ',')) {
				ret = -ENOMEM;
				break;
			}
			/* jansson keys are NUL-terminated: an embedded NUL cannot reach us. */
			ret = put_string(out, keys[i].key, strlen(keys[i].key), where, e);
			if (!ret)
				ret = buf_putc(out, ':') ? -ENOMEM : 0;
			if (!ret)
				ret = dump(keys[i].val, out, where, wlen, depth + 1, e);
			where[base] = 0;
		}
		free(keys);
		if (!ret)
			ret = buf_putc(out, '}') ? -ENOMEM : 0;
		return ret;
	}
	return plerr_set(e, -EINVAL, "unknown JSON type at %s", where);
}

int canon_dump(const json_t *v, struct buf *out, struct plerr *e)
{
	char where[256] = "";
	size_t start = out->len;
	int ret;

	if (!v)
		return plerr_set(e, -EINVAL, "no JSON value");
	ret = dump(v, out, where, sizeof(where), 0, e);
	if (ret == -ENOMEM)
		plerr_set(e, ret, "out of memory");
	if (ret) {
		out->len = start;
		if (out->p)
			out->p[start] = 0;
	}
	return ret;
}

json_t *canon_parse(const void *p, size_t n, struct plerr *e)
{
	struct buf re = { 0 };
	json_error_t jerr;
	json_t *v;
	size_t i;

	if (n > CANON_MAX_LEN) {
		plerr_set(e, -EFBIG, "JSON document larger than %u bytes", CANON_MAX_LEN);
		return NULL;
	}
	v = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!v) {
		plerr_set(e, -EINVAL, "not JSON: %s at byte %d", jerr.text, jerr.position);
		return NULL;
	}
	if (canon_dump(v, &re, e)) {
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e ? e->msg : "");
		plerr_set(e, -EINVAL, "not canonical JSON: %s", why);
		goto fail;
	}
	if (re.len != n || memcmp(re.p, p, n)) {
		for (i = 0; i < n && i < re.len && ((const uint8_t *)p)[i] == re.p[i]; i++)
			;
		plerr_set(e, -EINVAL,
			  "not canonical JSON (sorted keys, no whitespace, integers, printable ASCII): first "
			  "difference at byte %zu",
			  i);
		goto fail;
	}
	buf_free(&re);
	return v;
fail:
	buf_free(&re);
	json_decref(v);
	return NULL;
}
