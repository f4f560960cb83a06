#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Hostile-input suite of the powerledger binary (issue 8): every verb fed
# truncations, bit flips, FIFOs, devices, symlink loops, wrong roles,
# re-keyed and re-signed envelopes, clobber attempts, a small full tmpfs and
# /dev/full.  Each case runs in a fresh work directory under `timeout` and
# asserts the exit code (0 ok, 1 negative result, 2 usage or system error;
# 124 is "hung", >= 128 a crash), key words of the message, and that no file
# that existed before the case changed (sha256 of every file, the type and
# target of every other entry); a case expected to fail must also leave no
# new file behind.  TAP output, then "hostile: N passed, N failed".
#
#   PL_BIN=build/agent/powerledger tests/agent/hostile.sh
#   PL_HOSTILE_ONLY=REGEX   run only the cases whose name matches
set -uo pipefail

BIN=${PL_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/agent/powerledger}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/tap.sh"
. "$HERE/hostile/lib.sh"
B=$BIN
T=$(mktemp -d "${TMPDIR:-/tmp}/pl-hostile-XXXXXX")
trap 'cleanup' EXIT
trap 'exit 130' INT TERM
FX=$T/fx
D=$FX/d # the demo's keys and evidence

fixtures || { fail "fixtures: $fx_err"; echo "1..$n"; echo "hostile: 0 passed, 1 failed"; exit 1; }

# Timeouts: 10 s for every case; a case that could block on a FIFO or a
# device gets 3 s (a refusal must come at once).
TB=2

# =========================================================================
# help and usage
ws; tcase help-unknown-verb 2 'unknown|frobnicate' -- "$B" help frobnicate
ws; tcase no-verb 2 'Verbs:' -- "$B"
ws; tcase help-dev-full 2 'write error|No space' --stdout /dev/full -- "$B" help
ws; tcase verb-help-dev-full 2 'write error|No space' --stdout /dev/full -- "$B" verify --help
ws; tcase unknown-option 2 'frob' -- "$B" info --frob x.pltr

# =========================================================================
# keygen
ws; mkdir keys; fxc d/operator.key d/operator.pub keys/
tcase keygen-clobber-dir 2 'exists;--force' -- "$B" keygen --role operator -o keys
ws; cp "$D/vendor.key" acme.key
tcase keygen-clobber-prefix-key 2 'exists;--force' --check '[ ! -e acme.pub ]' -- "$B" keygen --role vendor -o acme
ws; cp "$D/vendor.pub" acme.pub
tcase keygen-clobber-prefix-pub 2 'exists;--force' --check '[ ! -e acme.key ]' -- "$B" keygen --role vendor -o acme
ws; mkdir -p keys/reader.pub; cp "$D/reader.key" keys/
tcase keygen-force-pub-is-dir 2 'reader.pub' -- "$B" keygen --role reader -o keys --force
ws; ln -s victim.key acme.key
tcase keygen-dangling-symlink 2 'exists' --check '[ ! -e victim.key ]' -- "$B" keygen --role vendor -o acme
ws; echo precious >victim.txt; ln -s victim.txt acme.key
tcase keygen-force-symlink-to-file '0|2' '' --new-ok --may-change acme.key --may-change acme.pub -- "$B" keygen --role vendor -o acme --force
ws; tcase keygen-unknown-role 2 'role' -- "$B" keygen --role admin -o k
ws; tcase keygen-missing-dir 2 'No such file' -- "$B" keygen --role vendor -o nodir/k
ws; ln -s loop loop
tcase keygen-symlink-loop 2 'symbolic links|loop' -- "$B" keygen --role vendor -o loop/k
ws; tcase keygen-json-dev-full 2 'write error|No space' --new-ok --stdout /dev/full -- "$B" keygen --role vendor -o k --json

# =========================================================================
# sign
ws; printf 'report body\n' >body.txt; cp "$FX/rogue.key" k.key; printf 'old' >body.txt.sig
tcase sign-clobber-default 2 'exists;--force' -- "$B" sign --key k.key body.txt
ws; printf 'report body\n' >body.txt; cp "$FX/rogue.key" k.key; printf 'old' >out.sig
tcase sign-clobber-o 2 'exists;--force' -- "$B" sign --key k.key body.txt -o out.sig
ws; printf 'report body\n' >body.txt; cp "$FX/rogue.key" k.key
tcase sign-o-is-input 2 'input|same file' -- "$B" sign --key k.key body.txt -o body.txt --force
ws; printf 'report body\n' >body.txt; cp "$FX/rogue.key" k.key
tcase sign-o-is-key 2 'input|same file' -- "$B" sign --key k.key body.txt -o k.key --force
ws; mkfifo body.txt; cp "$FX/rogue.key" k.key
tcase sign-fifo-file 2 'not a regular file' --timeout $TB -- "$B" sign --key k.key body.txt -o out.sig
ws; cp "$FX/rogue.key" k.key
tcase sign-dev-zero 2 'not a regular file' --timeout $TB -- "$B" sign --key k.key /dev/zero -o out.sig
ws; printf 'report body\n' >body.txt
tcase sign-dev-zero-key 2 'not a regular file' --timeout $TB -- "$B" sign --key /dev/zero body.txt
ws; printf 'report body\n' >body.txt; mkfifo k.key
tcase sign-fifo-key 2 'not a regular file' --timeout $TB -- "$B" sign --key k.key body.txt
ws; printf 'report body\n' >body.txt; mkdir k.key
tcase sign-dir-key 2 'not a regular file|directory' -- "$B" sign --key k.key body.txt
ws; printf 'report body\n' >body.txt; ln -s k.key k.key
tcase sign-loop-key 2 'symbolic links|loop' -- "$B" sign --key k.key body.txt
ws; printf 'report body\n' >body.txt; head -c 60 "$FX/rogue.key" >k.key; chmod 600 k.key
tcase sign-truncated-key 2 'k.key' -- "$B" sign --key k.key body.txt
ws; printf 'report body\n' >body.txt; fxc m/flipped.key k.key; chmod 600 k.key
tcase sign-bitflip-key 2 'k.key' -- "$B" sign --key k.key body.txt
ws; printf 'report body\n' >body.txt; cp "$FX/rogue.pub" k.pub
tcase sign-public-as-key 2 'k.pub' -- "$B" sign --key k.pub body.txt
ws; mkdir body; cp "$FX/rogue.key" k.key
tcase sign-dir-file 2 'not a regular file|directory' -- "$B" sign --key k.key body -o out.sig
ws; printf 'report body\n' >body.txt; cp "$FX/rogue.key" k.key
tcase sign-dev-full 2 'write error|No space' --new-ok --stdout /dev/full -- "$B" sign --key k.key body.txt

# =========================================================================
# verify: envelopes are verified as envelopes, with their roles
# The forgery of issue 8: a claim whose payload was changed (2400 -> 9999
# tokens/s), with a detached signature by the reader next to it.
ws; fxc d/reader.pub d/operator.pub d/vendor.pub .; fxc forged.claim.dsse.json claim.dsse.json
"$B" sign --key "$D/reader.key" claim.dsse.json >/dev/null 2>&1 || setup_err="sign failed"
tcase verify-forged-claim-resigned-dir 1 'FAIL;claim.dsse.json' -- "$B" verify --keydir . .
ws; fxc d/reader.pub d/operator.pub d/vendor.pub .; fxc forged.claim.dsse.json claim.dsse.json
"$B" sign --key "$D/reader.key" claim.dsse.json >/dev/null 2>&1 || setup_err="sign failed"
tcase verify-forged-claim-resigned-file 1 'FAIL' -- "$B" verify --keydir . claim.dsse.json
ws; fxc d/reader.pub d/operator.pub d/vendor.pub .; fxc forged.claim.dsse.json claim.dsse.json
"$B" sign --key "$D/vendor.key" claim.dsse.json >/dev/null 2>&1 || setup_err="sign failed"
tcase verify-forged-claim-vendor-sig 1 'FAIL' -- "$B" verify --keydir . claim.dsse.json.sig
ws; fxc d/reader.pub d/operator.pub d/vendor.pub .; fxc forged.claim.dsse.json claim.dsse.json
tcase verify-forged-claim 1 'signature' -- "$B" verify --keydir . claim.dsse.json
ws; fxk; fxc rekeyed.claim.dsse.json .
tcase verify-rekeyed-claim 1 'trusted|signature' -- "$B" verify --keydir keys rekeyed.claim.dsse.json
ws; fxk; fxc wrongrole.claim.dsse.json .
tcase verify-claim-by-reader 1 'vendor' -- "$B" verify --keydir keys wrongrole.claim.dsse.json
ws; fxk; fxc small.pltr wrongrole.trace.dsse.json .
tcase verify-trace-by-operator 1 'reader' -- "$B" verify --keydir keys wrongrole.trace.dsse.json
ws; fxk; fxc wrongrole.baseline.dsse.json .
tcase verify-baseline-by-vendor 1 'operator' -- "$B" verify --keydir keys wrongrole.baseline.dsse.json
ws; fxc d/operator.pub miner.proof.dsse.json .
tcase verify-proof-as-reader-key 1 'operator' -- "$B" verify --key reader=operator.pub miner.proof.dsse.json
ws; fxk; fxc swapsig.claim.dsse.json .
tcase verify-swapped-signature 1 'signature' -- "$B" verify --keydir keys swapsig.claim.dsse.json
ws; fxk; fxc m/flip-payload.claim.dsse.json claim.dsse.json
tcase verify-bitflip-payload 1 'signature|canonical|payload' -- "$B" verify --keydir keys claim.dsse.json
ws; fxk; fxc m/flip-sig.claim.dsse.json claim.dsse.json
tcase verify-bitflip-sig 1 'signature' -- "$B" verify --keydir keys claim.dsse.json
ws; fxk; fxc m/flip-keyid.claim.dsse.json claim.dsse.json
# DSSE's keyid is an unsigned hint: a flipped one changes nothing signed; verify
# reports the key that actually verified (the vendor's), never the hint.
tcase verify-bitflip-keyid 0 'Workload|vendor' -- "$B" verify --keydir keys claim.dsse.json
ws; fxk; head -c 200 "$D/claim.dsse.json" >claim.dsse.json
tcase verify-truncated-envelope 2 'claim.dsse.json' -- "$B" verify --keydir keys claim.dsse.json
ws; fxk; : >claim.dsse.json
tcase verify-empty-envelope 2 'claim.dsse.json' -- "$B" verify --keydir keys claim.dsse.json
ws; fxk; fxc m/member.claim.dsse.json claim.dsse.json
tcase verify-extra-member 2 'claim.dsse.json' -- "$B" verify --keydir keys claim.dsse.json
ws; fxk; fxc small.pltr small.pltr.dsse.json .; flipbyte small.pltr 300
tcase verify-subject-changed 1 'differs' -- "$B" verify --keydir keys small.pltr.dsse.json
ws; fxk; fxc small.pltr.dsse.json .; mkfifo small.pltr
tcase verify-subject-fifo 2 'not a regular file' --timeout $TB -- "$B" verify --keydir keys small.pltr.dsse.json
ws; fxk; fxc small.pltr.dsse.json .; ln -s /dev/zero small.pltr
tcase verify-subject-dev-zero 2 'not a regular file' --timeout $TB -- "$B" verify --keydir keys small.pltr.dsse.json
ws; fxk; mkfifo claim.dsse.json
tcase verify-fifo-envelope 2 'not a regular file' --timeout $TB -- "$B" verify --keydir keys claim.dsse.json
ws; fxk; ln -s claim.dsse.json claim.dsse.json
tcase verify-loop-envelope 2 'symbolic links|loop' -- "$B" verify --keydir keys claim.dsse.json
ws; fxk; mkdir ev; ln -s x.dsse.json ev/x.dsse.json
tcase verify-loop-in-dir 2 'symbolic links|loop' -- "$B" verify --keydir keys ev
ws; fxk; printf 'report body\n' >body.txt; mkfifo body.txt.sig
tcase verify-fifo-sig 2 'not a regular file' --timeout $TB -- "$B" verify --keydir keys body.txt.sig
ws; fxk; mkfifo body.txt; "$B" sign --key "$D/operator.key" /dev/null -o body.txt.sig >/dev/null 2>&1 || printf 'AAAA' >body.txt.sig
tcase verify-fifo-signed-body 2 'not a regular file' --timeout $TB -- "$B" verify --keydir keys body.txt.sig
ws; fxk; rm keys/vendor.pub; mkfifo keys/vendor.pub; fxc d/claim.dsse.json .
tcase verify-fifo-keydir-member 2 'not a regular file' --timeout $TB -- "$B" verify --keydir keys claim.dsse.json
ws; mkfifo vendor.pub; fxc d/claim.dsse.json .
tcase verify-fifo-key 2 'not a regular file' --timeout $TB -- "$B" verify --key vendor=vendor.pub claim.dsse.json
ws; fxc d/vendor.pub d/claim.dsse.json .
tcase verify-unknown-role 2 'admin' -- "$B" verify --key admin=vendor.pub claim.dsse.json
ws; mkdir vendor.pub; fxc d/claim.dsse.json .
tcase verify-dir-key 2 'not a regular file|directory' -- "$B" verify --key vendor.pub claim.dsse.json
ws; fxc d/claim.dsse.json .
tcase verify-dev-zero-key 2 'not a regular file' --timeout $TB -- "$B" verify --key vendor=/dev/zero claim.dsse.json
ws; fxk
tcase verify-dev-zero-envelope 2 'not a regular file' --timeout $TB -- "$B" verify --keydir keys /dev/zero
ws; fxk
tcase verify-no-files 2 'verify' -- "$B" verify --keydir keys
ws; head -c 50 "$D/vendor.pub" >vendor.pub; fxc d/claim.dsse.json .
tcase verify-truncated-key 2 'vendor.pub' -- "$B" verify --key vendor.pub claim.dsse.json
ws; mkdir keys; fxc d/claim.dsse.json .
tcase verify-empty-keydir 2 'key' -- "$B" verify --keydir keys claim.dsse.json
ws; fxk
tcase verify-missing-file 2 'No such file' -- "$B" verify --keydir keys nope.dsse.json
ws; fxk; fxc d/claim.dsse.json .
tcase verify-dev-full 2 'write error|No space' --stdout /dev/full -- "$B" verify --keydir keys claim.dsse.json
ws; fxk; printf 'report body\n' >body.txt; "$B" sign --key "$FX/rogue.key" body.txt >/dev/null 2>&1 || setup_err="sign failed"
tcase verify-sig-rekeyed 1 'signature' -- "$B" verify --keydir keys body.txt.sig
ws; fxk; printf 'report body\n' >body.txt; "$B" sign --key "$D/operator.key" body.txt >/dev/null 2>&1 || setup_err="sign failed"; truncate -s 20 body.txt.sig
tcase verify-sig-truncated 2 'body.txt.sig' -- "$B" verify --keydir keys body.txt.sig

# =========================================================================
# info: truncations and bit flips name the offset
ws; fxc small.pltr .; truncate -s 100 small.pltr
tcase info-truncated-header 2 'truncated' -- "$B" info small.pltr
ws; fxc small.pltr .; truncate -s $((288 + 128 * 3 + 50)) small.pltr
tcase info-truncated-record 2 'truncated;offset' -- "$B" info small.pltr
ws; : >empty.pltr
tcase info-empty 2 'truncated' -- "$B" info empty.pltr
ws; fxc small.pltr .; putbytes small.pltr 12 '\x00\x00\x01\x00'
tcase info-record-size-range 2 'record size|record_size;!truncated' -- "$B" info small.pltr
ws; fxc small.pltr .; putbytes small.pltr 13 '\x01'
tcase info-record-size-bitflip 2 'record size|record_size;!truncated' -- "$B" info small.pltr
ws; fxc small.pltr .; putbytes small.pltr 10 '\x00\x10'
tcase info-header-size-bitflip 2 'offset' -- "$B" info small.pltr
ws; fxc small.pltr .; putbytes small.pltr 39 '\x40'
tcase info-sample-count-bitflip 2 'truncated|offset' -- "$B" info small.pltr
# bit 15 of record 5's flags: bits 0..8 are PL_SF_* flags
ws; fxc small.pltr .; putbytes small.pltr $((320 + 128 * 5 + 21)) '\x80'
tcase info-record-flags-bitflip 2 'offset' -- "$B" info small.pltr
ws; fxc small.pltr .; putbytes small.pltr 0 'Q'
tcase info-bad-magic 2 'magic' -- "$B" info small.pltr
ws; fxc small.pltr .; putbytes small.pltr 8 '\x04'
tcase info-bad-version 2 'version' -- "$B" info small.pltr
ws; fxc small.pltr .; putbytes small.pltr 16 '\x00\x00\x00\x00\x00\x00\x00\x00'
tcase info-zero-period 2 'period' -- "$B" info small.pltr
ws; mkfifo t.pltr
tcase info-fifo 2 'not a regular file' --timeout $TB -- "$B" info t.pltr
ws; tcase info-dev-zero 2 'not a regular file' --timeout $TB -- "$B" info /dev/zero
ws; mkdir t.pltr
tcase info-dir 2 'not a regular file|directory' -- "$B" info t.pltr
ws; tcase info-no-trace 2 'info' -- "$B" info
ws; ln -s t.pltr t.pltr
tcase info-symlink-loop 2 'symbolic links|loop' -- "$B" info t.pltr
ws; fxc small.pltr .
tcase info-dev-full 2 'write error|No space' --stdout /dev/full -- "$B" info small.pltr
ws; fxc small.pltr .
tcase info-json-dev-full 2 'write error|No space' --stdout /dev/full -- "$B" info --json small.pltr
ws; tcase info-truncated-while-read '0|2' '' --may-change big.pltr -- race_truncate info

# =========================================================================
# features
ws; mkfifo t.pltr
tcase features-fifo 2 'not a regular file' --timeout $TB -- "$B" features t.pltr
ws; tcase features-dev-zero 2 'not a regular file' --timeout $TB -- "$B" features /dev/zero
ws; mkdir t.pltr
tcase features-dir 2 'not a regular file|directory' -- "$B" features t.pltr
ws; ln -s t.pltr t.pltr
tcase features-symlink-loop 2 'symbolic links|loop' -- "$B" features t.pltr
ws; fxc small.pltr .; truncate -s 1000 small.pltr
tcase features-truncated 2 'truncated' -- "$B" features small.pltr
ws; fxc small.pltr .
tcase features-dev-full 2 'write error|No space' --stdout /dev/full -- "$B" features small.pltr
ws; fxc small.pltr .
tcase features-zero-window 2 'window' -- "$B" features --window 0 small.pltr
ws; fxc small.pltr .
tcase features-bad-window 2 'window' -- "$B" features --window 1parsec small.pltr
ws; tcase features-truncated-while-read '0|2' '' --may-change big.pltr -- race_truncate features

# =========================================================================
# import
ws; cp "$FX/small.csv" a.csv; fxc small.pltr .
tcase import-clobber 2 'exists;--force' -- "$B" import a.csv -o small.pltr
ws; cp "$FX/small.csv" a.csv
tcase import-o-is-input 2 'input|same file' -- "$B" import a.csv -o a.csv --force
ws; mkfifo a.csv
tcase import-fifo 2 'not a regular file' --timeout $TB -- "$B" import a.csv -o a.pltr
ws; tcase import-dev-zero 2 'not a regular file' --timeout $TB -- "$B" import /dev/zero -o a.pltr
ws; cp "$FX/small.csv" a.csv
tcase import-bad-period 2 'period' -- "$B" import a.csv -o a.pltr --period 1fortnight
ws; cp "$FX/small.csv" a.csv
tcase import-bad-rail 2 'rail' -- "$B" import a.csv -o a.pltr --rail sideways
ws; cp "$FX/small.csv" a.csv
tcase import-bad-time-unit 2 'time-unit|unit' -- "$B" import a.csv -o a.pltr --time-unit parsec
ws; mkdir a.csv
tcase import-dir 2 'not a regular file|directory' -- "$B" import a.csv -o a.pltr
ws; ln -s a.csv a.csv
tcase import-symlink-loop 2 'symbolic links|loop' -- "$B" import a.csv -o a.pltr
ws; printf 'time_s,volts,amps\n0.000,12.0,5\n0.010,12.0,-5\n0.020,12.0,5\n' >a.csv
tcase import-negative-va 2 'a.csv' -- "$B" import a.csv -o a.pltr
ws; printf 'time_s,volts,amps\n0.000,-12.0,5\n0.010,-12.0,5\n0.020,-12.0,5\n' >a.csv
tcase import-negative-volts 2 'a.csv' -- "$B" import a.csv -o a.pltr
ws; printf 'time_s,watts\n0.000,10\n0.010,-10\n0.020,10\n' >a.csv
tcase import-negative-power 2 'a.csv' -- "$B" import a.csv -o a.pltr
ws; cp "$FX/small.csv" a.csv
tcase import-long-host 2 '--host' -- "$B" import a.csv -o a.pltr --host "$(printf 'h%.0s' {1..33})"
ws; cp "$FX/small.csv" a.csv
tcase import-nonprint-host 2 '--host' -- "$B" import a.csv -o a.pltr --host "$(printf 'h\001st')"
ws; cp "$FX/small.csv" a.csv
tcase import-long-mfr-id 2 '--mfr-id' -- "$B" import a.csv -o a.pltr --mfr-id "$(printf 'm%.0s' {1..33})"
ws; { printf '\xef\xbb\xbf'; cat "$FX/small.csv"; } >a.csv
tcase import-utf8-bom 0 '' --check '[ -f a.pltr ]' -- "$B" import a.csv -o a.pltr
ws; cp "$FX/small.csv" a.csv
tcase import-missing-dir 2 'No such file|nodir' -- "$B" import a.csv -o nodir/a.pltr
ws; printf 'time_s,watts\n0.000,10\n0.010,11\n0.010,12\n' >a.csv
tcase import-time-not-increasing 2 'a.csv:4' -- "$B" import a.csv -o a.pltr
ws; printf 'time_s,watts\n' >a.csv
tcase import-header-only 2 'a.csv' -- "$B" import a.csv -o a.pltr
ws; head -c 7 "$FX/small.csv" >a.csv
tcase import-truncated-header 2 'a.csv' -- "$B" import a.csv -o a.pltr
ws; printf 'time_s,watts\n0.000,10\n0.0\00010,11\n0.020,12\n' >a.csv
tcase import-nul-byte 2 'a.csv' -- "$B" import a.csv -o a.pltr
ws; cp "$FX/small.csv" a.csv
tcase import-dev-full 2 'write error|No space' --new-ok --stdout /dev/full -- "$B" import a.csv -o a.pltr

# =========================================================================
# attest
ws; fxc small.pltr small.pltr.dsse.json .; cp "$D/reader.key" .
tcase attest-clobber-default 2 'exists;--force' -- "$B" attest --key reader.key small.pltr
ws; fxc small.pltr .; cp "$D/reader.key" .; printf 'old' >e.dsse.json
tcase attest-clobber-o 2 'exists;--force' -- "$B" attest --key reader.key small.pltr -o e.dsse.json
ws; fxc small.pltr .; cp "$D/reader.key" .
tcase attest-o-is-trace 2 'input|same file' -- "$B" attest --key reader.key small.pltr -o small.pltr --force
ws; fxc small.pltr .; cp "$D/reader.key" .
tcase attest-o-is-key 2 'input|same file' -- "$B" attest --key reader.key small.pltr -o reader.key --force
ws; mkfifo t.pltr; cp "$D/reader.key" .
tcase attest-fifo-trace 2 'not a regular file' --timeout $TB -- "$B" attest --key reader.key t.pltr -o e.dsse.json
ws; fxc small.pltr .; mkfifo reader.key
tcase attest-fifo-key 2 'not a regular file' --timeout $TB -- "$B" attest --key reader.key small.pltr
ws; fxc small.pltr .; cp "$D/reader.key" .; truncate -s 2000 small.pltr
tcase attest-truncated 2 'truncated' -- "$B" attest --key reader.key small.pltr
ws; fxc small.pltr .; cp "$D/reader.pub" .
tcase attest-public-as-key 2 'reader.pub' -- "$B" attest --key reader.pub small.pltr
ws; cp "$D/reader.key" .
tcase attest-dev-zero 2 'not a regular file' --timeout $TB -- "$B" attest --key reader.key /dev/zero -o e.dsse.json

# =========================================================================
# baseline
ws; fxc commission-1.pltr commission-2.pltr d/operator.key .; printf 'old' >b.dsse.json
tcase baseline-clobber 2 'exists;--force' -- "$B" baseline register --model m --key operator.key -o b.dsse.json commission-1.pltr commission-2.pltr
ws; fxc commission-1.pltr commission-2.pltr d/operator.key .
tcase baseline-o-is-trace 2 'input|same file' -- "$B" baseline register --model m --key operator.key -o commission-2.pltr --force commission-1.pltr commission-2.pltr
ws; fxc commission-1.pltr d/operator.key .; mkfifo c2.pltr
tcase baseline-fifo-trace 2 'not a regular file' --timeout $TB -- "$B" baseline register --model m --key operator.key -o b.dsse.json commission-1.pltr c2.pltr
ws; fxc commission-1.pltr .; mkfifo operator.key
tcase baseline-fifo-key 2 'not a regular file' --timeout $TB -- "$B" baseline register --model m --key operator.key -o b.dsse.json commission-1.pltr
ws; fxc commission-1.pltr d/operator.key .
tcase baseline-dev-zero-trace 2 'not a regular file' --timeout $TB -- "$B" baseline register --model m --key operator.key -o b.dsse.json commission-1.pltr /dev/zero
ws; fxc commission-1.pltr commission-2.pltr d/operator.key .; truncate -s 500000 commission-2.pltr
tcase baseline-truncated-trace 2 'truncated' -- "$B" baseline register --model m --key operator.key -o b.dsse.json commission-1.pltr commission-2.pltr
ws; fxc commission-1.pltr commission-2.pltr d/operator.key .; putbytes commission-2.pltr $((288 + 128 * 100 + 21)) '\x80'
tcase baseline-bitflip-trace 2 'offset' -- "$B" baseline register --model m --key operator.key -o b.dsse.json commission-1.pltr commission-2.pltr
ws; fxc small.pltr d/operator.key .
tcase baseline-too-few-windows 2 'windows' -- "$B" baseline register --model m --key operator.key -o b.dsse.json small.pltr
ws; tcase baseline-no-subverb 2 'register' -- "$B" baseline
ws; tcase baseline-unknown-subverb 2 'frob' -- "$B" baseline frob

# =========================================================================
# claim
CL=(--model gpt4-class --tokens-per-s 2400 --from 1990000000000 --to 2400000000000)
ws; fxc small.pltr d/vendor.key .; printf 'old' >c.dsse.json
tcase claim-clobber 2 'exists;--force' -- "$B" claim "${CL[@]}" --trace small.pltr --key vendor.key -o c.dsse.json
ws; fxc small.pltr d/vendor.key .
tcase claim-o-is-trace 2 'input|same file' -- "$B" claim "${CL[@]}" --trace small.pltr --key vendor.key -o small.pltr --force
ws; fxc small.pltr d/vendor.key .
tcase claim-o-is-key 2 'input|same file' -- "$B" claim "${CL[@]}" --trace small.pltr --key vendor.key -o vendor.key --force
ws; fxc d/vendor.key .; mkfifo t.pltr
tcase claim-fifo-trace 2 'not a regular file' --timeout $TB -- "$B" claim "${CL[@]}" --trace t.pltr --key vendor.key -o c.dsse.json
ws; fxc d/vendor.key .
tcase claim-dev-zero-trace 2 'not a regular file' --timeout $TB -- "$B" claim "${CL[@]}" --trace /dev/zero --key vendor.key -o c.dsse.json
ws; fxc small.pltr .; mkfifo vendor.key
tcase claim-fifo-key 2 'not a regular file' --timeout $TB -- "$B" claim "${CL[@]}" --trace small.pltr --key vendor.key -o c.dsse.json
ws; fxc small.pltr .; ln -s vendor.key vendor.key
tcase claim-symlink-loop-key 2 'symbolic links|loop' -- "$B" claim "${CL[@]}" --trace small.pltr --key vendor.key -o c.dsse.json
ws; fxc small.pltr d/vendor.key .
tcase claim-rate-overflow 2 'tokens' -- "$B" claim --model m --tokens-per-s 99999999999999999999999 --from 10 --to 20 --trace small.pltr --key vendor.key -o c.dsse.json
ws; fxc small.pltr d/vendor.key .
tcase claim-from-overflow 2 'from' -- "$B" claim --model m --tokens-per-s 5 --from 99999999999999999999999 --to 20 --trace small.pltr --key vendor.key -o c.dsse.json
ws; fxc d/vendor.key .
tcase claim-short-fingerprint 2 'fingerprint' -- "$B" claim "${CL[@]}" --fingerprint abcd --key vendor.key -o c.dsse.json
ws; fxc small.pltr d/vendor.key .
tcase claim-window-reversed 2 'from|to|window' -- "$B" claim --model m --tokens-per-s 1 --from 20 --to 10 --trace small.pltr --key vendor.key -o c.dsse.json
ws; fxc small.pltr d/vendor.key .
tcase claim-negative-rate 2 'tokens' -- "$B" claim --model m --tokens-per-s -5 --from 10 --to 20 --trace small.pltr --key vendor.key -o c.dsse.json
ws; fxc small.pltr d/vendor.key .; truncate -s 500 small.pltr
tcase claim-truncated-trace 2 'truncated' -- "$B" claim "${CL[@]}" --trace small.pltr --key vendor.key -o c.dsse.json

# =========================================================================
# check
ck() { "$B" check --trace "${1:-swapped.pltr}" --claim "${2:-claim.dsse.json}" --baseline "${3:-gpt4-class.baseline.dsse.json}" --key "${4:-operator.key}" "${@:5}"; }
ckws() { ws; fxk; fxc swapped.pltr d/claim.dsse.json d/gpt4-class.baseline.dsse.json d/operator.key "$@" .; }
export -f ck
ckws; mkdir out; printf 'old' >"out/$(<"$FX/proof.name")"
tcase check-clobber-proof 2 'exists;--force' -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o out
ckws; rm claim.dsse.json; mkfifo claim.dsse.json
tcase check-fifo-claim 2 'not a regular file' --timeout $TB -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws; rm gpt4-class.baseline.dsse.json; mkfifo gpt4-class.baseline.dsse.json
tcase check-fifo-baseline 2 'not a regular file' --timeout $TB -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws; mkfifo t.pltr
tcase check-fifo-trace 2 'not a regular file' --timeout $TB -- ck t.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws
tcase check-dev-zero-claim 2 'not a regular file' --timeout $TB -- ck swapped.pltr /dev/zero gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws; rm operator.key; mkfifo operator.key
tcase check-fifo-key 2 'not a regular file' --timeout $TB -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws; rm keys/vendor.pub; mkfifo keys/vendor.pub
tcase check-fifo-keydir-member 2 'not a regular file' --timeout $TB -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws
tcase check-unknown-role 2 'admin' -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --trust admin=keys/vendor.pub -o .
ckws; rm claim.dsse.json; fxc forged.claim.dsse.json .
tcase check-forged-claim 1 'signature' -- ck swapped.pltr forged.claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws rekeyed.claim.dsse.json
tcase check-rekeyed-claim 1 'trusted|signature' -- ck swapped.pltr rekeyed.claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws wrongrole.claim.dsse.json
tcase check-claim-by-reader 1 'vendor' -- ck swapped.pltr wrongrole.claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws; fxc m/flip-sig.baseline.dsse.json gpt4-class.baseline.dsse.json
tcase check-bitflip-baseline-sig 1 'signature' -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws; truncate -s 100000 swapped.pltr
tcase check-truncated-trace 2 'truncated' -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws
tcase check-dev-full 2 'write error|No space' --new-ok --stdout /dev/full -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .
ckws claimB.dsse.json; mkdir out; ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o out >/dev/null 2>&1
tcase check-two-claims-one-dir 0 'PROOF' --check '[ "$(ls out | grep -c proof)" = 2 ]' -- ck swapped.pltr claimB.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o out
ckws
tcase check-o-missing-dir '0|2' '' --new-ok --check 'check_missing_dir out1' -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o out1
ckws; printf 'x' >out
tcase check-o-is-file 2 'out' -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o out
ckws
tcase check-no-trusted-key 2 'key' -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key -o .
ckws
tcase check-baseline-as-claim '1|2' 'Workload' -- ck swapped.pltr gpt4-class.baseline.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o .

# =========================================================================
# run: start-up refusals (synthetic source: no device needed)
rws() { ws; fxk; mkdir claims bl; fxc d/claim.dsse.json claims/; fxc d/gpt4-class.baseline.dsse.json bl/; fxc d/operator.key d/reader.key .; }
rn() { "$B" run --source synth --status-interval 0 --segment 1s "$@"; }
export -f rn
rws; rm reader.key; mkfifo reader.key
tcase run-fifo-reader-key 2 'not a regular file' --timeout $TB --new-ok -- rn --claims claims --baseline-dir bl --key operator.key --reader-key reader.key --keydir keys -o out
rws; rm operator.key; mkfifo operator.key
tcase run-fifo-key 2 'not a regular file' --timeout $TB --new-ok -- rn --claims claims --baseline-dir bl --key operator.key --reader-key reader.key --keydir keys -o out
rws; mkfifo b.dsse.json
tcase run-fifo-baseline 2 'not a regular file' --timeout $TB --new-ok -- rn --claims claims --baseline b.dsse.json --key operator.key --reader-key reader.key --keydir keys -o out
rws; mkfifo cl
tcase run-fifo-claims 2 'cl' --timeout $TB --new-ok -- rn --claims cl --baseline-dir bl --key operator.key --reader-key reader.key --keydir keys -o out
rws; printf 'x' >out
tcase run-out-is-file 2 'out' --timeout $TB --new-ok -- rn --claims claims --baseline-dir bl --key operator.key --reader-key reader.key --keydir keys -o out
rws
tcase run-long-host 2 '--host' --timeout $TB --new-ok -- rn --claims claims --baseline-dir bl --key operator.key --reader-key reader.key --keydir keys -o out --host "$(printf 'h%.0s' {1..33})"
rws
tcase run-unknown-role 2 'admin' --timeout $TB --new-ok -- rn --claims claims --baseline-dir bl --key operator.key --reader-key reader.key --trust admin=keys/vendor.pub -o out
rws; truncate -s 30 reader.key
tcase run-truncated-reader-key 2 'reader.key' --timeout $TB --new-ok -- rn --claims claims --baseline-dir bl --key operator.key --reader-key reader.key --keydir keys -o out

# =========================================================================
# record: needs the module; hostile devices and identities
ws; mkfifo dev
tcase record-fifo-device 2 'dev' --timeout $TB -- "$B" record -o r.pltr --duration 1s --device dev
ws; tcase record-dev-null 2 '/dev/null' --timeout $TB -- "$B" record -o r.pltr --duration 1s --device /dev/null
ws; tcase record-long-host 2 '--host' --timeout $TB -- "$B" record -o r.pltr --duration 1s --device /dev/null --host "$(printf 'h%.0s' {1..33})"
ws; tcase record-bad-duration 2 'duration' -- "$B" record -o r.pltr --duration forever
ws; fxc small.pltr .
tcase record-clobber 2 'exists|module|device' --timeout $TB -- "$B" record -o small.pltr --duration 1s --device /dev/null

# =========================================================================
# demo
ws; mkdir dd; printf 'mine' >dd/claim.dsse.json
tcase demo-clobber-dir 2 'not empty|exists;--force' -- "$B" demo -o dd
ws; printf 'mine' >dd
tcase demo-o-is-file 2 'dd' -- "$B" demo -o dd
ws; ln -s dd dd
tcase demo-symlink-loop 2 'symbolic links|loop' -- "$B" demo -o dd
ws; mkdir dd; echo precious >victim.txt; ln -s ../victim.txt dd/claim.dsse.json
tcase demo-force-symlink-member '0|2' '' --new-ok --may-change dd/claim.dsse.json -- "$B" demo -o dd --force
ws; tcase demo-dev-full 2 'write error|No space' --new-ok --stdout /dev/full -- "$B" demo -o dd

# =========================================================================
# a small full tmpfs as the output
ws; if mkfull; then tcase full-demo 2 'No space' --check '[ ! -e full/dd ]' -- "$B" demo -o full/dd; else skip full-demo "$full_why"; fi; unfull
ckws; if mkfull; then tcase full-check 2 'No space' -- ck swapped.pltr claim.dsse.json gpt4-class.baseline.dsse.json operator.key --keydir keys -o full; else skip full-check "$full_why"; fi; unfull
ws; cp "$FX/small.csv" a.csv; if mkfull; then tcase full-import 2 'No space' -- "$B" import a.csv -o full/a.pltr; else skip full-import "$full_why"; fi; unfull
ws; fxc small.pltr d/reader.key .; if mkfull; then tcase full-attest 2 'No space' -- "$B" attest --key reader.key small.pltr -o full/e.dsse.json; else skip full-attest "$full_why"; fi; unfull
ws; if mkfull; then tcase full-keygen 2 'No space' -- "$B" keygen --role vendor -o full/k; else skip full-keygen "$full_why"; fi; unfull
ws; printf 'report body\n' >body.txt; cp "$FX/rogue.key" k.key; if mkfull; then tcase full-sign 2 'No space' -- "$B" sign --key k.key body.txt -o full/s.sig; else skip full-sign "$full_why"; fi; unfull
ws; fxc commission-1.pltr commission-2.pltr d/operator.key .; if mkfull; then tcase full-baseline 2 'No space' -- "$B" baseline register --model m --key operator.key -o full/b.dsse.json commission-1.pltr commission-2.pltr; else skip full-baseline "$full_why"; fi; unfull
ws; fxc small.pltr d/vendor.key .; if mkfull; then tcase full-claim 2 'No space' -- "$B" claim "${CL[@]}" --trace small.pltr --key vendor.key -o full/c.dsse.json; else skip full-claim "$full_why"; fi; unfull

echo "1..$n"
echo "# $skipped skipped"
echo "hostile: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
