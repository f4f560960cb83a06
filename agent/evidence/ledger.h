/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * RFC 6962 (Certificate Transparency) hashing, the evidence ledger's tree:
 *   leaf hash = SHA256(0x00 || entry), node hash = SHA256(0x01 || left || right).
 * An entry is the exact bytes of a DSSE envelope file.
 */
#ifndef PL_LEDGER_H
#define PL_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

/* ledger.c APIs: */

void ledger_leaf_hash(const uint8_t *entry, size_t n, uint8_t out[SHA256_LEN]);
void ledger_leaf_hash_hex(const uint8_t *entry, size_t n, char out[SHA256_HEX_LEN]);
void ledger_node_hash(const uint8_t left[SHA256_LEN], const uint8_t right[SHA256_LEN], uint8_t out[SHA256_LEN]);
/*
 * Merkle tree hash (RFC 6962 section 2.1) of n leaf hashes; n == 0 gives
 * SHA256 of the empty string.
 */
void ledger_root(const uint8_t (*leaves)[SHA256_LEN], size_t n, uint8_t out[SHA256_LEN]);

#endif /* PL_LEDGER_H */
