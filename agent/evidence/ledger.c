// SPDX-License-Identifier: GPL-2.0 OR MIT
/* RFC 6962 leaf, node and root hashes. */
#include <string.h>

#include <sodium.h>

#include "evidence/ledger.h"

void ledger_leaf_hash(const uint8_t *entry, size_t n, uint8_t out[SHA256_LEN])
{
	crypto_hash_sha256_state st;
	const uint8_t prefix = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, entry, n);
	crypto_hash_sha256_final(&st, out);
}

void ledger_leaf_hash_hex(const uint8_t *entry, size_t n, char out[SHA256_HEX_LEN])
{
	uint8_t h[SHA256_LEN];

	ledger_leaf_hash(entry, n, h);
	hex_encode(h, SHA256_LEN, out);
}

void ledger_node_hash(const uint8_t left[SHA256_LEN], const uint8_t right[SHA256_LEN], uint8_t out[SHA256_LEN])
{
	crypto_hash_sha256_state st;
	const uint8_t prefix = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, left, SHA256_LEN);
	crypto_hash_sha256_update(&st, right, SHA256_LEN);
	crypto_hash_sha256_final(&st, out);
}

void ledger_root(const uint8_t (*leaves)[SHA256_LEN], size_t n, uint8_t out[SHA256_LEN])
{
	uint8_t l[SHA256_LEN], r[SHA256_LEN];
	size_t k = 1;

	if (n == 0) {
		sha256("", 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], SHA256_LEN);
		return;
	}
	/* k: the largest power of two smaller than n (RFC 6962 2.1). */
	while (k * 2 < n)
		k *= 2;
	ledger_root(leaves, k, l);
	ledger_root(leaves + k, n - k, r);
	ledger_node_hash(l, r, out);
}
