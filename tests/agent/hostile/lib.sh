# SPDX-License-Identifier: GPL-2.0 OR MIT
# Helpers of tests/agent/hostile.sh (sourced after tap.sh; bash).  The script
# sets B (the binary), T (scratch), FX (fixtures), D (the demo's files).
#
#   ws                         fresh, empty work directory; cd into it
#   fxc SRC... DEST            copy fixtures (paths relative to $FX)
#   fxk                        keys/ with the demo's three public keys
#   tcase NAME RC KEYWORDS [OPTIONS] -- CMD...
#       runs CMD (a program or an exported function) in the work directory
#       under `timeout`, stdin /dev/null, and asserts:
#       - the exit status is RC (alternatives: '1|2'); 124 = hung, >= 128 = a
#         crash, whatever RC says;
#       - KEYWORDS: ';'-separated groups, each a '|'-separated list of
#         alternatives of which one must occur (case-insensitively) in stdout
#         or stderr; a group starting with '!' must not occur;
#       - no entry of the work directory that existed before changed (sha256
#         of regular files; type and link target of the rest) or vanished;
#       - when RC does not allow 0, no new entry appeared.
#       OPTIONS: --timeout S (default 10), --stdout FILE (e.g. /dev/full),
#       --may-change PATH, --new-ok, --check 'SHELL TEST' (run in the work
#       directory after the command; sees $rc $out $err).
#   skip NAME WHY              a skipped case (TAP "# SKIP")
#   mkfull                     mount a 64 KiB tmpfs at ./full holding
#                              full/existing.txt and filled up; sets
#                              full_why and fails where mount is refused
#   unfull                     unmount it
skipped=0 k=0 setup_err='' full_why='' MOUNTS=() FAILED=()
export B

cleanup()
{
	local m
	cd /
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	rm -rf "$T"
}

ws()
{
	k=$((k + 1))
	setup_err=''
	[ -d "$T/w/$k" ] || mkdir -p "$T/w/$k"
	cd "$T/w/$k" || setup_err="cannot make $T/w/$k"
}

fxc()
{
	local -a src=("${@:1:$#-1}")
	cp "${src[@]/#/$FX/}" "${!#}" 2>/dev/null || setup_err="${setup_err:+$setup_err; }fixture ${src[*]} missing"
}

fxk() { cp -r "$FX/keys" . || setup_err="${setup_err:+$setup_err; }no keys"; }

pyx() { python3 "$HERE/hostile/mangle.py" "$@" || setup_err="${setup_err:+$setup_err; }mangle $1 $2 failed"; }

# putbytes FILE OFFSET BYTES (printf escapes)
putbytes() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

# flipbyte FILE OFFSET: xor the byte with 1
flipbyte()
{
	local b
	b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
	putbytes "$1" "$2" "\\x$(printf %02x $((b ^ 1)))"
}

flipb64() { pyx flipchar "$@"; }

# snap ARRAY: ARRAY[path] = "f SHA256" for a regular file, "l TARGET" for a
# symbolic link, "d", "p" or "o" for a directory, FIFO or other entry, over
# the current directory (one sha256sum for all files; links not followed).
snap()
{
	local -n s=$1
	local p h
	local -a f=()
	s=()
	shopt -s globstar dotglob nullglob
	for p in **; do
		if [[ -L $p ]]; then
			s[$p]="l $(readlink -- "$p")"
		elif [[ -f $p ]]; then
			f+=("$p")
		elif [[ -d $p ]]; then
			s[$p]=d
		elif [[ -p $p ]]; then
			s[$p]=p
		else
			s[$p]=o
		fi
	done
	shopt -u globstar dotglob nullglob
	if [ ${#f[@]} -gt 0 ]; then
		while read -r h p; do
			s[$p]="f $h"
		done < <(sha256sum -- "${f[@]}")
	fi
}

skip()
{
	[ -z "${PL_HOSTILE_ONLY:-}" ] || [[ $1 =~ $PL_HOSTILE_ONLY ]] || return 0
	pass "$1 # SKIP $2"
	skipped=$((skipped + 1))
}

tcase()
{
	local name=$1 want=$2 kw=$3 to=10 stdout='' newok='' c g a neg found t0 hay
	local -a checks=() may=() why=() groups=() alts=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case $1 in
		--timeout) to=$2; shift 2 ;;
		--stdout) stdout=$2; shift 2 ;;
		--new-ok) newok=1; shift ;;
		--may-change) may+=("$2"); shift 2 ;;
		--check) checks+=("$2"); shift 2 ;;
		*) fail "$name: bad tcase option $1"; return ;;
		esac
	done
	shift
	if [ -n "${PL_HOSTILE_ONLY:-}" ] && ! [[ $name =~ $PL_HOSTILE_ONLY ]]; then
		return
	fi
	if [ -n "$setup_err" ]; then
		fail "$name: setup: $setup_err"
		FAILED+=("$name")
		return
	fi
	declare -A before=() after=()
	snap before
	t0=${EPOCHREALTIME/./}
	: >"$T/.out"
	timeout -k 2 "$to" bash -c '"$@"' bash "$@" </dev/null >"${stdout:-$T/.out}" 2>"$T/.err"
	rc=$?
	out=$(<"$T/.out") err=$(<"$T/.err")
	hay="${out,,}
${err,,}"
	snap after
	case $rc in
	124 | 137) why+=("hung (killed after ${to}s)") ;;
	*)
		if [ "$rc" -ge 128 ]; then
			why+=("crashed: signal $((rc - 128))")
		elif ! [[ "|$want|" == *"|$rc|"* ]]; then
			why+=("exit $rc, want $want")
		fi
		;;
	esac
	IFS=';' read -ra groups <<<"$kw"
	for g in "${groups[@]}"; do
		[ -n "$g" ] || continue
		neg=''
		[[ $g == '!'* ]] && neg=1 g=${g#!}
		IFS='|' read -ra alts <<<"$g"
		found=''
		for a in "${alts[@]}"; do
			[[ $hay == *"${a,,}"* ]] && found=1
		done
		if [ -n "$neg" ] && [ -n "$found" ]; then
			why+=("message says '$g'")
		elif [ -z "$neg" ] && [ -z "$found" ]; then
			why+=("message lacks '$g'")
		fi
	done
	for g in "${!before[@]}"; do
		[[ " ${may[*]} " == *" $g "* ]] && continue
		if [ -z "${after[$g]+set}" ]; then
			why+=("removed $g")
		elif [ "${after[$g]}" != "${before[$g]}" ]; then
			why+=("changed $g")
		fi
	done
	if [ -z "$newok" ] && ! [[ "|$want|" == *"|0|"* ]]; then
		for g in "${!after[@]}"; do
			[ -n "${before[$g]+set}" ] && continue
			[[ " ${may[*]} " == *" $g "* ]] && continue
			why+=("left $g behind")
		done
	fi
	for c in "${checks[@]}"; do
		eval "$c" || why+=("check failed: $c")
	done
	[ -z "${PL_HOSTILE_TIME:-}" ] || echo "# $name: $(((${EPOCHREALTIME/./} - t0) / 1000)) ms" >&2
	if [ ${#why[@]} = 0 ]; then
		pass "$name"
	else
		local IFS=';'
		fail "$name: ${why[*]}" "$(printf '%s\n%s' "$out" "$err" | grep -v '^$' | head -6)"
		FAILED+=("$name")
	fi
}

mkfull()
{
	full_why=''
	mkdir full || { full_why="cannot mkdir full"; return 1; }
	if ! mount -t tmpfs -o size=64k,mode=0755 tmpfs full 2>"$T/.mount"; then
		full_why="tmpfs mount not permitted: $(head -1 "$T/.mount")"
		rmdir full
		return 1
	fi
	MOUNTS+=("$PWD/full")
	printf 'keep me\n' >full/existing.txt
	dd if=/dev/zero of=full/fill bs=4096 status=none 2>/dev/null
	return 0
}

unfull()
{
	if mountpoint -q full 2>/dev/null; then
		umount full 2>/dev/null || umount -l full
	fi
}

# race_truncate VERB: VERB reads a 3.8 MB trace while it is cut to 300
# bytes, at several delays; a process killed by a signal (SIGBUS from a
# mapped file that shrank) fails, a clean 0 or 2 passes.
race_truncate()
{
	local d r
	for d in 0 0.002 0.005 0.01 0.02 0.03 0.04 0.06; do
		cp "$D/legit.pltr" big.pltr
		"$B" "$1" big.pltr >/dev/null 2>"$T/.race" &
		sleep "$d"
		truncate -s 300 big.pltr
		wait $!
		r=$?
		if [ "$r" -ge 128 ]; then
			echo "$1 killed by signal $((r - 128)) with the trace truncated after ${d}s" >&2
			rm -f big.pltr
			return "$r"
		fi
		if [ "$r" != 0 ] && [ "$r" != 2 ]; then
			echo "$1 exit $r: $(head -1 "$T/.race")" >&2
			rm -f big.pltr
			return "$r"
		fi
	done
	rm -f big.pltr
	return 0
}
export -f race_truncate

# check -o DIR with DIR missing: DIR is created and holds the proof, or the
# message names DIR itself as missing (not a temporary file inside it).
check_missing_dir()
{
	if [ "$rc" = 0 ]; then
		ls "$1"/*.proof.dsse.json >/dev/null 2>&1
	else
		grep -qE "(^|[ '\"])$1/?[:'\"]" <<<"$err" && ! grep -qi temporary <<<"$err"
	fi
}

fixtures()
{
	local cl=(--model gpt4-class --tokens-per-s 2400 --from 1990000000000 --to 2400000000000)
	fx_err=''
	mkdir -p "$FX" && cd "$FX" || { fx_err="cannot make $FX"; return 1; }
	export FX D
	if ! "$B" demo -o d >/dev/null 2>"$T/.fx"; then
		fx_err="demo failed: $(head -3 "$T/.fx")"
		return 1
	fi
	mkdir keys && cp d/*.pub keys/
	awk 'BEGIN { print "time_s,watts"; for (i = 0; i < 300; i++) printf "%.3f,%d.%02d\n", i / 100, 200 + i % 7, i % 100 }' >small.csv
	"$B" import small.csv -o small.pltr --host h1 >/dev/null 2>>"$T/.fx" &&
		"$B" attest --key d/reader.key small.pltr >/dev/null 2>>"$T/.fx" ||
		{ fx_err="import/attest failed: $(head -3 "$T/.fx")"; return 1; }
	"$B" keygen --role vendor -o rogue >/dev/null 2>>"$T/.fx"
	cp d/claim.dsse.json forged.claim.dsse.json
	"$B" claim "${cl[@]}" --trace d/legit.pltr --key rogue.key -o rekeyed.claim.dsse.json >/dev/null 2>>"$T/.fx"
	"$B" claim "${cl[@]}" --trace d/legit.pltr --key d/reader.key -o wrongrole.claim.dsse.json >/dev/null 2>>"$T/.fx"
	"$B" claim --model gpt4-class --tokens-per-s 1200 --from 1990000000000 --to 2400000000000 \
		--trace d/legit.pltr --key d/vendor.key -o claimB.dsse.json >/dev/null 2>>"$T/.fx"
	"$B" attest --key d/operator.key small.pltr -o wrongrole.trace.dsse.json >/dev/null 2>>"$T/.fx"
	"$B" baseline register --model gpt4-class --key d/vendor.key -o wrongrole.baseline.dsse.json \
		d/commission-1.pltr d/commission-2.pltr d/commission-3.pltr >/dev/null 2>>"$T/.fx"
	# Short copies (5 s, 6 s) of the demo's traces keep the check and
	# baseline cases cheap (the claim and baseline still apply to them);
	# m/ holds the mangled envelopes and keys.
	mkdir m
	python3 "$HERE/hostile/mangle.py" <<-'EOF' 2>>"$T/.fx" || { fx_err="mangle.py failed: $(tail -3 "$T/.fx")"; return 1; }
	tamper forged.claim.dsse.json '"tokens_per_s":2400' '"tokens_per_s":9999'
	cut d/swapped.pltr swapped.pltr 60000
	cut d/commission-1.pltr commission-1.pltr 15000
	cut d/commission-2.pltr commission-2.pltr 15000
	swapsig swapsig.claim.dsse.json d/claim.dsse.json d/legit.pltr.dsse.json
	copy d/claim.dsse.json m/flip-payload.claim.dsse.json
	flip m/flip-payload.claim.dsse.json payload
	copy d/claim.dsse.json m/flip-sig.claim.dsse.json
	flip m/flip-sig.claim.dsse.json sig
	copy d/claim.dsse.json m/flip-keyid.claim.dsse.json
	flip m/flip-keyid.claim.dsse.json keyid
	copy d/claim.dsse.json m/member.claim.dsse.json
	member m/member.claim.dsse.json
	copy d/gpt4-class.baseline.dsse.json m/flip-sig.baseline.dsse.json
	flip m/flip-sig.baseline.dsse.json sig
	copy rogue.key m/flipped.key
	flipchar m/flipped.key 40
	EOF
	mkdir -p "$T"/w/{1..300}
	# proof names vary (TRACE.DETECTOR or TRACE.CLAIM.DETECTOR): take them
	# from the demo and from a check of the short swapped trace
	cp d/miner.*crypto-miner-hidden.proof.dsse.json miner.proof.dsse.json 2>/dev/null
	mkdir pr
	"$B" check --trace swapped.pltr --claim d/claim.dsse.json --baseline d/gpt4-class.baseline.dsse.json \
		--key d/operator.key --keydir keys -o pr >/dev/null 2>>"$T/.fx"
	(cd pr && ls -- *.proof.dsse.json) >proof.name 2>/dev/null || rm -f proof.name
	cd "$T" || return 1
	return 0
}
