#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# End-to-end test of powerledger plot against the demo's traces, baseline
# and proofs: the SVG is well-formed (python3's xml.etree), holds a
# decimated power line, the baseline band and one labelled marker per
# proof about the trace; outputs are never replaced without --force nor
# written over an input; a malformed, FIFO or foreign proof fails the verb
# naming the file, with nothing written; a terminal as standard output is
# refused (tested when script(1) can provide one).  TAP output, then the plan.
#
#   PL_BIN=build/agent/powerledger tests/agent/e2e-plot.sh
set -euo pipefail

BIN=${PL_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/agent/powerledger}
. "$(cd "$(dirname "$0")" && pwd)/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pl-e2e-plot-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

"$BIN" demo -o demo >/dev/null
B=demo/gpt4-class.baseline.dsse.json

# svgcheck FILE: prints "POINTS<TAB>MARKERS<TAB>LABEL|LABEL...<TAB>BANDS" for the
# SVG, or fails (exit 1) when it is not a well-formed <svg> document.
svgcheck() {
	python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + "svg", root.tag
pts = 0
for p in root.iter(ns + "path"):
    if p.get("class") == "line":
        pts = max(pts, p.get("d").count(","))
labels = []
for g in root.iter(ns + "g"):
    if g.get("class") == "marker":
        for t in g.findall(ns + "text"):
            labels.append(t.text)
band = sum(1 for r in root.iter(ns + "rect") if r.get("class") == "band")
print("%d\t%d\t%s\t%d" % (pts, len(labels), "|".join(labels), band))
PY
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# A trace with its proof (found in the directory among the others' proofs) and the baseline.
expect 0 "plot miner.pltr with --proofs DIR and --baseline" "$BIN" plot -o miner.svg --proofs demo --baseline $B demo/miner.pltr
has "2 proofs about other traces left out" "the other traces' proofs are counted, not drawn"
run svgcheck miner.svg
is "$rc" 0 "the SVG is well-formed with an <svg> root"
IFS=$'\t' read -r pts markers labels band <<<"$out"
[ "$pts" -gt 1000 ] && [ "$pts" -le 2400 ] && pass "a decimated power line ($pts points for 30000 samples)" ||
	fail "a decimated power line" "$out"
is "$markers" 1 "one labelled marker for the one proof"
is "$labels" "crypto-miner-hidden (unverified)" "the marker names its detector and says it is unverified"
is "$band" 1 "the baseline band is drawn"

# The same inputs give the same bytes, to a file or to standard output.
"$BIN" plot --proofs demo --baseline $B demo/miner.pltr >stdout.svg 2>/dev/null
is "$(sha stdout.svg)" "$(sha miner.svg)" "standard output (not a terminal) gets the same bytes"

# With the operator's key the proof and baseline are verified; with another key they fail (exit 1).
expect 0 "plot --keydir verifies" "$BIN" plot -o tampered.svg --keydir demo --proofs demo --baseline $B demo/tampered.pltr
run svgcheck tampered.svg
IFS=$'\t' read -r pts markers labels band <<<"$out"
is "$labels" "rail-tamper (verified)" "a verified proof is labelled verified"
expect 1 "a proof signed by no trusted operator key: exit 1" \
	"$BIN" plot -o wrongkey.svg --trust operator=demo/vendor.pub --proofs demo demo/tampered.pltr
has "tampered.claim.rail-tamper.proof.dsse.json" "the message names the proof"
[ ! -e wrongkey.svg ] && pass "nothing written" || fail "nothing written"

# No output replaced without --force, never an input.
before=$(sha miner.svg)
expect 2 "an existing OUT without --force" "$BIN" plot -o miner.svg demo/miner.pltr
has "exists" "the message says it exists"
is "$(sha miner.svg)" "$before" "OUT unchanged"
expect 0 "--force replaces it" "$BIN" plot -o miner.svg --force demo/miner.pltr
[ "$(sha miner.svg)" != "$before" ] && pass "OUT replaced (no proofs now)" || fail "OUT replaced"
tb=$(sha demo/miner.pltr)
expect 2 "OUT is the trace itself, even with --force" "$BIN" plot -o demo/miner.pltr --force demo/miner.pltr
is "$(sha demo/miner.pltr)" "$tb" "the trace is unchanged"
expect 2 "OUT is a proof read, even with --force" \
	"$BIN" plot -o demo/miner.claim.crypto-miner-hidden.proof.dsse.json --force --proofs demo demo/miner.pltr
has "is also an input" "the message says it is an input"

# Bad proofs: malformed, a FIFO, a proof about another trace; each named, nothing written.
mkdir bad
cp demo/miner.claim.crypto-miner-hidden.proof.dsse.json bad/
head -c 300 demo/swapped.claim.model-mismatch.proof.dsse.json >bad/broken.proof.dsse.json
expect 2 "a malformed proof in DIR: exit 2" "$BIN" plot -o bad.svg --proofs bad demo/miner.pltr
has "broken.proof.dsse.json" "the message names the malformed proof"
[ ! -e bad.svg ] && pass "nothing written" || fail "nothing written"
rm bad/broken.proof.dsse.json
mkfifo bad/fifo.proof.dsse.json
expect 2 "a FIFO among the proofs: exit 2 at once" timeout 10 "$BIN" plot -o bad.svg --proofs bad demo/miner.pltr
has "fifo.proof.dsse.json" "the message names the FIFO"
rm bad/fifo.proof.dsse.json
expect 2 "a proof FILE about another trace: exit 2" \
	"$BIN" plot -o bad.svg --proofs demo/swapped.claim.model-mismatch.proof.dsse.json demo/miner.pltr
has "swapped.claim.model-mismatch.proof.dsse.json: a proof about another trace" "the message names it"
expect 2 "a Trace envelope given as a proof: exit 2" "$BIN" plot -o bad.svg --proofs demo/miner.pltr.dsse.json demo/miner.pltr
has "not a Proof" "the message says what it is"
expect 2 "a missing trace: exit 2" "$BIN" plot -o bad.svg missing.pltr
has "missing.pltr" "the message names it"
[ ! -e bad.svg ] && pass "nothing written by any of them" || fail "nothing written by any of them"

# Standard output on a terminal is refused (needs script(1) for a terminal).
if command -v script >/dev/null; then
	expect 2 "standard output a terminal: refused" script -qec "'$BIN' plot demo/miner.pltr" /dev/null
	has "standard output is a terminal" "the message says why"
else
	pass "# SKIP no script(1) for a terminal"
fi

# Time range: a proof outside it is left out; options are checked.
expect 0 "--from/--to before the proof's window" "$BIN" plot -o early.svg --from 0 --to 5.5 --proofs demo demo/tampered.pltr
run svgcheck early.svg
IFS=$'\t' read -r pts markers labels band <<<"$out"
is "$markers" 0 "no marker outside the time shown"
expect 2 "--to before --from" "$BIN" plot -o x.svg --from 5 --to 2 demo/miner.pltr
expect 2 "a --width out of range" "$BIN" plot -o x.svg --width 10 demo/miner.pltr
expect 0 "plot --help" "$BIN" plot --help
has "unverified" "the manual says unchecked signatures are labelled unverified"

echo "1..$n"
[ "$failed" = 0 ]
