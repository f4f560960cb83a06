// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for the strict PEM key parsers (public SPKI, private
 * PKCS#8 into sodium_malloc'd memory) and signature files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "evidence/keys.h"
#include "evidence/sig.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sig[ED25519_SIG_LEN];
	struct pl_pubkey pk;
	struct pl_seckey sk;
	struct plerr e;
	struct buf b = { 0 };

	if (!pubkey_parse_pem((const char *)data, size, &pk, &e)) {
		/* Accepted keys re-encode to exactly the accepted text (modulo the final newline). */
		if (pubkey_pem(&pk, &b) || !(b.len == size || b.len == size + 1) || memcmp(b.p, data, size))
			abort();
		buf_free(&b);
	}
	if (!seckey_parse_pem((const char *)data, size, &sk, &e)) {
		uint8_t m[1] = { 0 };

		seckey__sign(&sk, m, 1, sig);
		if (!pubkey__verify(&sk.pub, m, 1, sig))
			abort();
		seckey__free(&sk);
	}
	sig_parse(data, size, sig, &e);
	return 0;
}
