#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# End-to-end test of verify's rules (verify --help, "VERIFICATION RULES"):
# an envelope is always verified as an envelope, every signature counts,
# a detached FILE.sig is an extra check bound to a role, exit statuses come
# from what went wrong (1 a negative verdict, 2 could not verify).  Envelopes
# with several signers and statements a reader key signs wrongly are built
# with python3 and signed by openssl over the DSSE PAE, so openssl and we
# agree on what a signature is.  TAP output, then the plan.
#
#   PL_BIN=build/agent/powerledger tests/agent/e2e-verify.sh
set -euo pipefail

BIN=${PL_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/agent/powerledger}
. "$(cd "$(dirname "$0")" && pwd)/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pl-e2e-verify-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

"$BIN" demo -o demo >/dev/null
K=demo # reader, operator, vendor .key/.pub
"$BIN" claim --model gpt4-class --tokens-per-s 2400 --from 1990000000000 --to 2400000000000 \
	--trace demo/legit.pltr --key $K/vendor.key -o claim.dsse.json >/dev/null

# envelope SRC_ENV OUT KEY...: OUT is SRC_ENV's payload (or a payload file
# given as payload:FILE) in a new envelope signed, in order, by each KEY
# through openssl over the PAE.  A KEY written bad:KEY gets a signature by
# KEY over other bytes; unknown:KEY a signature by KEY under an all-zero
# key id.
envelope() {
	python3 - "$@" <<'PY'
import base64, hashlib, json, subprocess, sys
src, out, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
if src.startswith("payload:"):
    p = open(src[8:], "rb").read()
else:
    p = base64.b64decode(json.load(open(src))["payload"])
t = b"application/vnd.in-toto+json"
pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(p), p)
sigs = []
for k in keys:
    mode, _, path = k.rpartition(":")
    msg = pae + b"x" if mode == "bad" else pae
    open("pae.bin", "wb").write(msg)
    subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", path, "-rawin", "-in", "pae.bin",
                    "-out", "sig.bin"], check=True)
    der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    kid = "0" * 64 if mode == "unknown" else hashlib.sha256(der).hexdigest()
    sigs.append({"keyid": kid, "sig": base64.b64encode(open("sig.bin", "rb").read()).decode()})
e = {"payload": base64.b64encode(p).decode(), "payloadType": t.decode(), "signatures": sigs}
open(out, "w").write(json.dumps(e, sort_keys=True, separators=(",", ":")))
PY
}
# retoken IN OUT: IN with tokens_per_s 2400 -> 9999 in its payload, signatures kept.
retoken() {
	python3 - "$1" "$2" <<'PY'
import base64, json, sys
e = json.load(open(sys.argv[1]))
p = base64.b64decode(e["payload"])
assert b'"tokens_per_s":2400' in p
e["payload"] = base64.b64encode(p.replace(b'"tokens_per_s":2400', b'"tokens_per_s":9999')).decode()
open(sys.argv[2], "w").write(json.dumps(e, sort_keys=True, separators=(",", ":")))
PY
}

# --- issue 8.1: a detached signature never replaces the envelope's own ------
mkdir forged
retoken claim.dsse.json forged/claim.dsse.json
expect 0 "sign the forged claim with the reader key" "$BIN" sign --key $K/reader.key forged/claim.dsse.json
expect 1 "verify DIR rejects the forged claim (exit 1)" "$BIN" verify --keydir $K forged
has "forged/claim.dsse.json" "names the envelope"
has "bad signature" "says its signature is bad"
has "does not verify" "says the signature does not verify over the payload"
grep -q '^OK' <<<"$out" && fail "no OK line for a forged claim" "$out" || pass "no OK line for a forged claim"
expect 1 "verify FILE rejects the forged claim" "$BIN" verify --keydir $K forged/claim.dsse.json
expect 1 "verify FILE.sig rejects the forged claim" "$BIN" verify --keydir $K forged/claim.dsse.json.sig
has "bad signature" "FILE.sig: the envelope itself was checked"
# Even a detached signature by the right role cannot vouch for a forged envelope.
expect 0 "sign the forged claim with the operator key" "$BIN" sign --force --key $K/operator.key forged/claim.dsse.json
expect 1 "an operator's detached signature does not rescue it" "$BIN" verify --keydir $K forged/claim.dsse.json

# --- detached signatures are bound to a role ----------------------------------
mkdir det
cp claim.dsse.json det/
expect 0 "reader signs a good claim detached" "$BIN" sign --key $K/reader.key det/claim.dsse.json
expect 1 "a reader's detached signature fails the file (exit 1)" "$BIN" verify --keydir $K det/claim.dsse.json
has "only operator keys sign detached signatures" "wrong-role detached: names the rule"
expect 0 "with --sig-role reader it passes" "$BIN" verify --keydir $K --sig-role reader det/claim.dsse.json
has "Workload" "and the envelope was verified as a Workload"
expect 2 "--sig-role admin is a usage error" "$BIN" verify --keydir $K --sig-role admin det/claim.dsse.json
has "unknown role 'admin'" "bad --sig-role names the role"
expect 0 "operator signs it detached" "$BIN" sign --force --key $K/operator.key det/claim.dsse.json
expect 0 "envelope + operator's detached signature pass" "$BIN" verify --keydir $K det
is "$(grep -c '^OK' <<<"$out")" 1 "DIR: one line for the envelope and its .sig"
has "detached signature" "the OK line mentions the detached signature"
printf 'report\n' >report.txt
expect 0 "operator signs a plain report" "$BIN" sign --key $K/operator.key report.txt
base64 -d report.txt.sig >report.bin
expect 0 "openssl verifies our detached signature" openssl pkeyutl -verify -pubin -inkey $K/operator.pub -rawin -in report.txt -sigfile report.bin
expect 0 "verify accepts it" "$BIN" verify --keydir $K report.txt.sig
expect 0 "reader signs it instead" "$BIN" sign --force --key $K/reader.key report.txt
base64 -d report.txt.sig >report.bin
expect 0 "openssl verifies that one too" openssl pkeyutl -verify -pubin -inkey $K/reader.pub -rawin -in report.txt -sigfile report.bin
expect 1 "a reader's detached signature of a report: wrong role" "$BIN" verify --keydir $K report.txt
has "only operator keys sign detached signatures" "wrong-role report: names the rule"
expect 0 "a key given without a role is trusted for any role" "$BIN" verify --key $K/reader.pub report.txt.sig
printf 'reporT\n' >report.txt
expect 1 "a changed report: bad signature" "$BIN" verify --keydir $K report.txt.sig
has "bad signature" "changed report: says so"

# --- issue 8.2: every signature counts ----------------------------------------
envelope claim.dsse.json rv.dsse.json $K/reader.key $K/vendor.key
expect 0 "Workload signed [reader, vendor] verifies" "$BIN" verify --keydir $K rv.dsse.json
has "vendor" "the vendor signature is the one that counts"
envelope claim.dsse.json vr.dsse.json $K/vendor.key $K/reader.key
expect 0 "Workload signed [vendor, reader] verifies" "$BIN" verify --keydir $K vr.dsse.json
cp rv.dsse.json rv2.dsse.json
expect 0 "check accepts a [reader, vendor] claim" "$BIN" check --trace demo/legit.pltr --claim rv2.dsse.json \
	--baseline demo/gpt4-class.baseline.dsse.json --key $K/operator.key --keydir $K -o .
openssl genpkey -algorithm ed25519 -out stranger.key 2>/dev/null
envelope claim.dsse.json sv.dsse.json unknown:stranger.key $K/vendor.key
expect 0 "a signature by a key not trusted here is reported, not fatal" "$BIN" verify --keydir $K sv.dsse.json
has "1 signature by a key not trusted here" "the unknown signature is reported"
envelope claim.dsse.json bv.dsse.json bad:$K/reader.key $K/vendor.key
expect 1 "a bad signature by a trusted key fails the envelope" "$BIN" verify --keydir $K bv.dsse.json
has "signature 0" "names the failing signature"
has "does not verify" "and says it does not verify"

# --- issue 8.3: wrong role is a verdict (exit 1), never 2 ---------------------
envelope claim.dsse.json ro.dsse.json $K/reader.key $K/operator.key
expect 1 "Workload signed only by reader and operator: exit 1" "$BIN" verify --keydir $K ro.dsse.json
has "only vendor keys sign Workloads" "wrong role names the rule"
expect 1 "check: a claim signed by the wrong role exits 1" "$BIN" check --trace demo/legit.pltr --claim ro.dsse.json \
	--baseline demo/gpt4-class.baseline.dsse.json --key $K/operator.key --keydir $K -o .
has "only vendor keys sign Workloads" "check: wrong role names the rule"
expect 1 "verify --key reader=operator.pub of a Proof: exit 1" "$BIN" verify --key reader=$K/operator.pub demo/miner.claim.crypto-miner-hidden.proof.dsse.json

# --- malformed is an error (exit 2), not a verdict ----------------------------
head -c 200 claim.dsse.json >cut.dsse.json
expect 2 "a truncated envelope: exit 2" "$BIN" verify --keydir $K cut.dsse.json
printf 'not json' >junk.dsse.json
expect 2 "a non-JSON envelope: exit 2" "$BIN" verify --keydir $K junk.dsse.json
expect 2 "a missing file: exit 2" "$BIN" verify --keydir $K nope.dsse.json
mkdir mixed && cp ro.dsse.json cut.dsse.json mixed/
expect 2 "an error beats a negative verdict in the exit status" "$BIN" verify --keydir $K mixed
is "$(grep -c '^FAIL' <<<"$out")" 2 "both files reported"

# --- issue 8.5: messages -------------------------------------------------------
expect 2 "verify --key admin=PUB: exit 2" "$BIN" verify --key admin=$K/reader.pub claim.dsse.json
has "unknown role 'admin' (reader, operator, vendor)" "names the unknown role and the known ones"
expect 2 "check --trust admin=PUB: exit 2" "$BIN" check --trace demo/legit.pltr --claim claim.dsse.json \
	--baseline demo/gpt4-class.baseline.dsse.json --key $K/operator.key --trust admin=$K/vendor.pub
has "unknown role 'admin'" "check names the unknown role"
expect 2 "run --trust admin=PUB: exit 2" "$BIN" run --claims . --baseline demo/gpt4-class.baseline.dsse.json \
	--key $K/operator.key --reader-key $K/reader.key --trust admin=$K/vendor.pub -o out
has "unknown role 'admin'" "run names the unknown role"
expect 0 "verify --trust is --key's other name" "$BIN" verify --trust vendor=$K/vendor.pub claim.dsse.json
expect 2 "attest with a public key" "$BIN" attest --key $K/reader.pub -o fresh.dsse.json demo/legit.pltr
has "a public key, not a private key" "says it is a public key"
grep -q "accessible by group or others" <<<"$err" && fail "no permission warning for a public key" "$err" \
	|| pass "no permission warning for a public key"
# A reader that signs a Trace predicate the trace does not have.
mkdir tr && cp demo/legit.pltr tr/
python3 - demo/legit.pltr.dsse.json tr/stmt.json <<'PY'
import base64, json, sys
s = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))
s["predicate"]["samples"] += 1
s["predicate"]["host"] = "elsewhere"
open(sys.argv[2], "w").write(json.dumps(s, sort_keys=True, separators=(",", ":")))
PY
envelope payload:tr/stmt.json tr/legit.pltr.dsse.json $K/reader.key
expect 1 "a Trace predicate that differs from its trace: exit 1" "$BIN" verify --keydir $K tr/legit.pltr.dsse.json
has "samples: signed 60001, trace has 60000" "names the sample count, both values"
has 'host: signed "elsewhere", trace has "gpu-host-01"' "names the host, both values"

# --- a detached signature over a DSSE PAE would be an envelope signature -------
# (review finding: have the operator `sign` a "report" that is the PAE of a
# forged Proof payload, and its .sig is a valid envelope signature.)
python3 - claim.dsse.json pae.txt <<'PY'
import json, sys, base64
e = json.load(open(sys.argv[1]))
p = base64.b64decode(e["payload"])
t = e["payloadType"].encode()
open(sys.argv[2], "wb").write(b"DSSEv1 %d %s %d " % (len(t), t, len(p)) + p)
PY
expect 2 "sign refuses a DSSE pre-authentication encoding" "$BIN" sign --key $K/operator.key pae.txt
has "pre-authentication encoding" "says why"
[ ! -e pae.txt.sig ] && pass "no signature written for the PAE" || fail "pae.txt.sig written"
openssl pkeyutl -sign -inkey $K/operator.key -rawin -in pae.txt -out pae.bin 2>/dev/null && base64 -w0 pae.bin >pae.txt.sig
expect 1 "verify refuses a detached signature over a PAE, even a valid one" "$BIN" verify --keydir $K pae.txt.sig
has "pre-authentication encoding" "names the reason"

# --- an envelope a JSON parser chokes on is still an envelope -------------------
python3 - forged/claim.dsse.json bigint.json <<'PY'
import sys
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(s[:-1] + ',"n":123456789012345678901234567890}')
PY
expect 0 "operator signs the forged, unparseable envelope as a 'report'" "$BIN" sign --key $K/operator.key bigint.json
expect 2 "verify treats it as an envelope (malformed), not a plain file" "$BIN" verify --keydir $K bigint.json.sig
grep -q '^OK' <<<"$out" && fail "an OK line for it" "$out" || pass "no OK line"

echo "1..$n"
[ "$failed" = 0 ]
