/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Canonical JSON, the only JSON the agent signs or accepts as signed:
 *
 *   - objects with keys sorted bytewise (= by UTF-16 code unit for ASCII),
 *     no duplicate keys, no whitespace anywhere;
 *   - numbers are integers in int64 range, written in shortest decimal
 *     form ("-0", "1.0", "1e3", leading zeros are not canonical);
 *   - strings (and keys) hold printable ASCII only (0x20..0x7e); the only
 *     escapes are \" and \\;
 *   - true, false and null as themselves.
 *
 * For integers of magnitude below 2^53 the bytes equal RFC 8785 (JCS)
 * output.  Larger int64 values (ns timestamps since the epoch) are written
 * exactly; a JCS implementation that goes through IEEE doubles would round
 * them, so consumers must parse them as 64-bit integers.
 */
#ifndef PL_CANON_H
#define PL_CANON_H

#include <stddef.h>

#include <jansson.h>

#include "lib/util.h"

/* Largest document canon_parse() accepts, bytes. */
#define CANON_MAX_LEN (16u << 20)

/* canon.c APIs: */

/*
 * Appends the canonical form of v to out.  -EINVAL (e says what and where,
 * as a JSON pointer) for a real number or a string/key outside printable
 * ASCII; -ENOMEM.
 */
int canon_dump(const json_t *v, struct buf *out, struct plerr *e);

/*
 * Parses n bytes that must be canonical JSON: first as JSON (jansson,
 * duplicate keys rejected), then re-emitted and compared byte for byte.
 * Returns a new reference, or NULL with e saying why: "not JSON: ... at
 * byte N", "not canonical JSON: ... (first difference at byte N)".
 */
json_t *canon_parse(const void *p, size_t n, struct plerr *e);

#endif /* PL_CANON_H */
