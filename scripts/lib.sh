# shellcheck shell=bash
# Helpers shared by the scripts in scripts/ and tests/. Source it, do not run it:
#
#	. "$(dirname "$0")/lib.sh"
#
# Defines:
#	PL_ROOT		repository root (absolute)
#	pl_cache	prints the cache directory (${PL_CACHE:-$HOME/.cache/powerledger}), creating it
#	pl_abi		prints the Debian kernel ABI that linux-headers-amd64 depends on (6.1.0-NN-amd64)
#	pl_pkg_version	prints the installed or candidate version of a Debian package
#	log, warn, die	messages on stderr prefixed with the script's name; die exits 2
#	pl_need		dies unless every named command exists, naming the Debian package to install
#	pl_atomic_dir	fills a directory through a temporary sibling, then renames it into place
#
# Everything that is slow to produce (kernels, extracted packages) lives in the cache, outside the
# repository, keyed by version, so that concurrent work trees share it and `git clean` keeps it.

[ -n "${PL_LIB_SOURCED:-}" ] && return 0
PL_LIB_SOURCED=1

# shellcheck disable=SC2034	# used by the scripts that source this file
PL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PL_PROG=${PL_PROG:-$(basename "$0")}

log()
{
	printf '%s: %s\n' "$PL_PROG" "$*" >&2
}

warn()
{
	printf '%s: warning: %s\n' "$PL_PROG" "$*" >&2
}

die()
{
	printf '%s: error: %s\n' "$PL_PROG" "$*" >&2
	exit 2
}

# pl_need CMD[:PACKAGE]... -- every command must be on PATH.
pl_need()
{
	local spec cmd pkg missing=()

	for spec in "$@"; do
		cmd=${spec%%:*}
		pkg=${spec#*:}
		[ "$pkg" = "$spec" ] && pkg=$cmd
		command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd (Debian package $pkg)")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "missing tools: ${missing[*]}; run scripts/install-deps"
}

pl_cache()
{
	local dir=${PL_CACHE:-${HOME:?HOME is not set}/.cache/powerledger}

	mkdir -p "$dir" || die "cannot create cache directory $dir"
	(cd "$dir" && pwd)
}

# pl_pkg_version PKG -- the installed version, else the apt candidate.
pl_pkg_version()
{
	local v

	v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true)
	if [ -z "$v" ]; then
		v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
		[ "$v" = "(none)" ] && v=
	fi
	[ -n "$v" ] || die "package $1 is neither installed nor known to apt"
	printf '%s\n' "$v"
}

# pl_abi -- the ABI (e.g. 6.1.0-56-amd64) of Debian's current stock kernel, resolved from the
# dependency of the linux-headers-amd64 meta package; PL_ABI overrides it.
pl_abi()
{
	local deps abi

	if [ -n "${PL_ABI:-}" ]; then
		printf '%s\n' "$PL_ABI"
		return 0
	fi
	deps=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null || true)
	[ -n "$deps" ] || deps=$(apt-cache depends linux-headers-amd64 2>/dev/null |
		awk '/Depends:/ { print $2 }' || true)
	abi=$(printf '%s\n' "$deps" | grep -o 'linux-headers-[0-9][^ ,()]*-amd64' | head -n1)
	abi=${abi#linux-headers-}
	[ -n "$abi" ] ||
		die "cannot resolve the kernel ABI from linux-headers-amd64 (is it installed? run scripts/install-deps)"
	printf '%s\n' "$abi"
}

# pl_atomic_dir DEST CMD ARGS... -- run CMD ARGS... TMPDIR with a fresh temporary directory next
# to DEST (same filesystem) and rename it to DEST on success, so that a half-written DEST never
# exists. A concurrent run that finished first wins; ours is discarded.
pl_atomic_dir()
{
	local dest=$1 tmp
	shift

	tmp=$(mktemp -d "${dest}.tmp.XXXXXX") || die "cannot create a temporary directory next to $dest"
	chmod 755 "$tmp"
	if ! "$@" "$tmp"; then
		rm -rf "$tmp"
		return 1
	fi
	if ! mv -T "$tmp" "$dest" 2>/dev/null; then
		rm -rf "$tmp"
		[ -d "$dest" ] || die "cannot rename $tmp to $dest"
	fi
}

# pl_lock NAME -- take an exclusive lock (fd 9) on NAME in the cache for the rest of the script,
# so that two runs do not build the same artefact at the same time.
pl_lock()
{
	local f

	f="$(pl_cache)/.lock-$1"
	exec 9>"$f" || die "cannot open lock $f"
	if ! flock -n 9; then
		log "waiting for another run holding $f"
		flock 9 || die "cannot lock $f"
	fi
}

# pl_elapsed START -- seconds since START (from `date +%s`), e.g. "3m12s".
pl_elapsed()
{
	local s=$(( $(date +%s) - $1 ))

	if [ "$s" -ge 60 ]; then
		printf '%dm%02ds\n' $((s / 60)) $((s % 60))
	else
		printf '%ds\n' "$s"
	fi
}
