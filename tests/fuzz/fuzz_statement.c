// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for the signed-statement parsers: canonical JSON, DSSE
 * envelopes, in-toto statements and predicate schemas.  Anything accepted
 * must be canonical: re-emitting it gives the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "evidence/baseline_json.h"
#include "evidence/canon.h"
#include "evidence/dsse.h"
#include "evidence/statement.h"
#include "evidence/workload.h"
#include "science/baseline.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0;
}

static void check_statement(const uint8_t *p, size_t n)
{
	struct statement st;
	struct plerr e;
	struct baseline b;
	struct claim c;

	if (statement_parse(p, n, &st, &e))
		return;
	if (st.kind == PL_KIND_BASELINE)
		baseline_from_predicate(st.predicate, &b, &e);
	if (st.kind == PL_KIND_WORKLOAD)
		claim_from_predicate(st.predicate, &c, &e);
	statement__free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_pubkey k = { 0 };
	const struct pl_pubkey *signer;
	struct dsse_env env;
	struct plerr e;
	struct buf b = { 0 };
	json_t *v;

	v = canon_parse(data, size, &e);
	if (v) {
		if (canon_dump(v, &b, &e) || b.len != size || memcmp(b.p, data, size))
			abort();
		json_decref(v);
		buf_free(&b);
	}
	check_statement(data, size);
	if (dsse_parse(data, size, &env, &e))
		return 0;
	if (env.nsigs == 0 || env.nsigs > DSSE_MAX_SIGS)
		abort();
	check_statement(env.payload, env.payload_len);
	/* An all-zero key verifies nothing; the point is to run the path. */
	if (dsse_verify(&env, &k, 1, &signer, &e) == 0)
		abort();
	dsse_env__free(&env);
	return 0;
}
