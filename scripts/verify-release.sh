#!/bin/sh
# verify-release.sh — check an airsign release on the offline laptop.
#
# Usage:  sh verify-release.sh [--ignore-missing] [DIR]
#
# DIR is the directory holding SHA256SUMS and the files it lists (default: the
# directory this script is in). Needs nothing but a POSIX shell and coreutils
# (sha256sum, cut, tr, uname) plus sed and awk.
#
# It prints, for comparing by eye or reading aloud in groups of four:
#   - the SHA-256 of SHA256SUMS itself. This is the one number that matters:
#     compare it with the value published with the release (release notes,
#     a second person reading it from another machine). If it matches, the
#     file list below is the released one;
#   - the SHA-256 of every file SHA256SUMS lists, checked against that list.
# It fails (exit 1) if a listed file is missing (unless --ignore-missing, for
# a stick that carries only some of the binaries), differs, if a line of
# SHA256SUMS is malformed, or if an airsign-* file in DIR is not listed (an
# unlisted binary is unverified: do not run it). Exit 0 means every listed
# file that is present matches; exit 2 means the command line or SHA256SUMS
# itself is unusable.
#
# The same check by hand, with coreutils alone:  sha256sum -c SHA256SUMS
# This script is short on purpose: read it before you trust it. It cannot
# vouch for itself; the SHA256SUMS hash you compare by eye is what does.
set -u

ignore_missing=0
dir=
for arg in "$@"; do
	case $arg in
	--ignore-missing) ignore_missing=1 ;;
	-h | --help)
		sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "verify-release: unknown option $arg (see --help)" >&2
		exit 2
		;;
	*)
		if [ -n "$dir" ]; then
			echo "verify-release: give one directory, not several (see --help)" >&2
			exit 2
		fi
		dir=$arg
		;;
	esac
done
if ! command -v sha256sum >/dev/null 2>&1; then
	echo "verify-release: sha256sum (coreutils) is not installed here" >&2
	exit 2
fi
if [ -z "$dir" ]; then
	dir=$(dirname -- "$0")
fi
sums=$dir/SHA256SUMS
if [ ! -f "$sums" ]; then
	echo "verify-release: no SHA256SUMS in $dir: copy the whole release directory, or give its path" >&2
	exit 2
fi

# groups: 64 hex digits as 16 groups of 4, for reading aloud.
groups() { printf '%s\n' "$1" | sed 's/..../& /g; s/ $//'; }
hash_of() { sha256sum <"$1" | cut -c1-64; }

echo "airsign release check in $dir"
echo
echo "SHA256SUMS itself:"
echo "    $(groups "$(hash_of "$sums")")"
echo "  Compare this, all 16 groups, with the hash published with the release."
echo "  If it differs, stop: nothing below can be trusted."
echo

fail=0
ok=0
missing=0
listed=" "
n=0
# The last line may lack a newline; read it too.
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	# sha256sum writes "HASH  NAME" (text mode) or "HASH *NAME" (binary mode).
	want=$(printf '%s\n' "$line" | cut -c1-64 | tr 'A-F' 'a-f')
	sep=$(printf '%s\n' "$line" | cut -c65-66)
	name=$(printf '%s\n' "$line" | cut -c67- | tr -d '\r')
	case $want in
	*[!0-9a-f]*) want= ;;
	esac
	if [ ${#want} -ne 64 ] || { [ "$sep" != "  " ] && [ "$sep" != " *" ]; } || [ -z "$name" ]; then
		echo "MALFORMED  SHA256SUMS line $n: not \"<64 hex digits>  <file name>\""
		fail=$((fail + 1))
		continue
	fi
	case $name in
	*/* | .* | -*)
		echo "MALFORMED  SHA256SUMS line $n: file name \"$name\" is not a plain name in this directory"
		fail=$((fail + 1))
		continue
		;;
	esac
	listed="$listed$name "
	if [ ! -f "$dir/$name" ]; then
		if [ "$ignore_missing" = 1 ]; then
			echo "missing    $name (ignored: --ignore-missing)"
			missing=$((missing + 1))
		else
			echo "MISSING    $name: listed in SHA256SUMS but not in $dir"
			fail=$((fail + 1))
		fi
		continue
	fi
	got=$(hash_of "$dir/$name")
	if [ "$got" = "$want" ]; then
		echo "OK         $name"
		echo "           $(groups "$got")"
		ok=$((ok + 1))
	else
		echo "FAILED     $name: its SHA-256 is not the one in SHA256SUMS"
		echo "           file:       $(groups "$got")"
		echo "           SHA256SUMS: $(groups "$want")"
		fail=$((fail + 1))
	fi
done <"$sums"

for f in "$dir"/airsign-*; do
	[ -e "$f" ] || continue
	base=${f##*/}
	case $listed in
	*" $base "*) ;;
	*)
		echo "NOT LISTED $base: in $dir but not in SHA256SUMS; it is unverified, do not run it"
		fail=$((fail + 1))
		;;
	esac
done

echo
case $(uname -m) in
x86_64 | amd64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) arch= ;;
esac
if [ -n "$arch" ]; then
	echo "This machine ($(uname -m)) runs the linux-$arch binaries. 'airsign-offline airgap-check'"
	echo "prints the SHA-256 of the binary it runs from; it must be the one shown above."
	echo
fi

if [ "$fail" -gt 0 ]; then
	echo "FAIL: $fail problem(s) above. Do not use these files; get the release again."
	exit 1
fi
if [ "$ok" -eq 0 ]; then
	echo "FAIL: SHA256SUMS lists no file that is here; nothing was checked."
	exit 1
fi
if [ "$missing" -gt 0 ]; then
	echo "PASS: $ok file(s) match SHA256SUMS ($missing listed file(s) not here, ignored)."
else
	echo "PASS: all $ok file(s) match SHA256SUMS."
fi
echo "This proves the files match SHA256SUMS; SHA256SUMS proves nothing unless its hash"
echo "above is the published one."
exit 0
