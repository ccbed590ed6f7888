#!/usr/bin/env bash
# release.sh — reproducible release build of airsign.
#
# Usage:
#   scripts/release.sh build [REF]       build commit REF (default HEAD) into dist/
#   scripts/release.sh reproduce [REF]   build REF twice and compare SHA256SUMS
#
# What `build` does, so that anyone can get the same bytes from the same commit:
# - exports the commit with `git archive` into a fresh temporary directory. The
#   release is exactly a commit: uncommitted changes in the work tree are not in
#   it (the script says so when the tree is dirty), and there is no .git in the
#   build directory, so the go command stamps no VCS data;
# - builds with the Go release named in go.mod (GOTOOLCHAIN=go<version>, fetched
#   through the module proxy if the local go is another release: a different Go
#   gives different bytes), CGO_ENABLED=0 (static, no C toolchain in the
#   result), -trimpath (no build directory in the binary), -ldflags=-buildid=
#   (no build id), GOAMD64=v1 / GOARM64=v8.0 whatever the environment says;
# - sets the version with -ldflags -X: Version = `git describe --tags --always
#   --abbrev=12` and Commit = the full commit hash. Both depend on the commit
#   (and its tags) only; `airsign-offline --version` prints them;
# - writes into dist/ (or $AIRSIGN_DIST):
#     airsign-offline-linux-amd64  airsign-offline-linux-arm64
#     airsign-online-linux-amd64   airsign-online-linux-arm64
#     airsign-docs.tar.gz          man pages and shell completions (cmd/internal/gendocs), and
#                                  print/: the pages to print with every wallet backup sheet
#                                  (shares.md, recovery.md, CEREMONY.md, each also as .html)
#                                  and ash_recover.py, the stand-alone share decoder
#     verify-release.sh            the checker for the offline laptop (coreutils only)
#     SHA256SUMS                   sha256sum of all of the above
#   The docs tarball is made reproducible too: sorted names, owner 0, mtime =
#   commit time, gzip without name and time.
#
# `reproduce` runs `build` twice, each in its own temporary directory (so the
# absolute source paths differ), the second with an empty GOCACHE (so nothing
# is reused from the first), and fails unless the two SHA256SUMS are identical.
#
# Environment: AIRSIGN_DIST (output directory, default <repo>/dist), GOCACHE and
# GOMODCACHE as usual. The module cache is shared between the two builds of
# `reproduce`; its contents are checked against go.sum on every build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGETS="linux/amd64 linux/arm64"
COMMANDS="airsign-offline airsign-online"
VERSION_PKG=github.com/airsign/airsign/cmd/internal/version

die() { echo "release: $*" >&2; exit 1; }

CLEAN=()
cleanup() { if [ ${#CLEAN[@]} -gt 0 ]; then rm -rf "${CLEAN[@]}"; fi; }
trap cleanup EXIT

# build COMMIT OUTDIR: the whole release of COMMIT (a full hash) into OUTDIR.
# print_pages SRC OUT VERSION: the pages a recovery needs on paper, as the
# Markdown they are written in and as a printable HTML page each (the text
# in a monospace <pre>, so a browser prints it exactly as written, tables
# and formulas included). Deterministic: same input, same bytes.
print_pages() {
	mkdir -p "$2"
	for f in docs/shares.md docs/recovery.md CEREMONY.md; do
		name=$(basename "$f" .md)
		cp "$1/$f" "$2/$name.md"
		{
			printf '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>airsign %s — %s</title>\n' "$3" "$name"
			printf '<style>@page { size: A4; margin: 14mm; } pre { font: 8.6pt/1.35 "DejaVu Sans Mono", monospace; white-space: pre-wrap; }</style></head>\n'
			printf '<body><p style="font: 8pt sans-serif">airsign %s, %s</p><pre>\n' "$3" "$f"
			sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$1/$f"
			printf '</pre></body></html>\n'
		} >"$2/$name.html"
	done
	cp "$1/scripts/ash_recover.py" "$2/ash_recover.py"
}

build() {
	local ref=$1 out=$2
	local commit=$ref version epoch date work gover
	version=$(git -C "$ROOT" describe --tags --always --abbrev=12 "$commit")
	epoch=$(git -C "$ROOT" log -1 --format=%ct "$commit")
	date=$(git -C "$ROOT" log -1 --format=%cs "$commit")

	work=$(mktemp -d "${TMPDIR:-/tmp}/airsign-release.XXXXXX")
	CLEAN+=("$work")
	mkdir "$work/src" "$work/out" "$work/docs"
	git -C "$ROOT" archive --format=tar "$commit" | tar -x -C "$work/src"

	gover=$(awk '$1 == "toolchain" { sub(/^go/, "", $2); print $2; exit }' "$work/src/go.mod")
	[ -n "$gover" ] || gover=$(awk '$1 == "go" { print $2; exit }' "$work/src/go.mod")
	[ -n "$gover" ] || die "no go line in go.mod"

	echo "release: $version (commit $commit) with go$gover in $work"
	(
		cd "$work/src"
		export GOTOOLCHAIN=go$gover CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=readonly" GOAMD64=v1 GOARM64=v8.0
		unset GOEXPERIMENT GO386 GOARM GOPPC64 GORISCV64 GOWASM
		ldflags="-buildid= -X $VERSION_PKG.Version=$version -X $VERSION_PKG.Commit=$commit"
		for target in $TARGETS; do
			for cmd in $COMMANDS; do
				GOOS=${target%/*} GOARCH=${target#*/} go build -trimpath -ldflags="$ldflags" \
					-o "$work/out/$cmd-${target%/*}-${target#*/}" "./cmd/$cmd"
			done
		done
		go run -trimpath ./cmd/internal/gendocs -out "$work/docs" -date "$date" -version "$version"
	)
	print_pages "$work/src" "$work/docs/print" "$version"
	tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --mode=u+rw,go+r,go-w \
		--format=gnu -C "$work/docs" -cf - man completions print | gzip -n -9 >"$work/out/airsign-docs.tar.gz"
	cp "$work/src/scripts/verify-release.sh" "$work/out/verify-release.sh"
	chmod 0755 "$work/out/verify-release.sh"
	(cd "$work/out" && LC_ALL=C sha256sum -- * >SHA256SUMS)

	mkdir -p "$out"
	for f in "$work/out"/*; do
		mv -f "$f" "$out/"
	done
	rm -rf "$work"
}

print_sums() {
	echo "== $1/SHA256SUMS"
	cat "$1/SHA256SUMS"
	echo "SHA256SUMS itself: $(sha256sum <"$1/SHA256SUMS" | cut -c1-64)"
}

cmd=${1:-build}
ref=${2:-HEAD}
# Resolve the commit once: others may commit while we build, and both builds
# of `reproduce` must be of the same commit.
ref_commit=$(git -C "$ROOT" rev-parse --verify --quiet "$ref^{commit}") || die "$ref is not a commit"
if [ "$ref" = HEAD ] && [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]; then
	echo "release: note: the work tree has uncommitted changes; they are NOT in this release of $ref_commit" >&2
fi
case $cmd in
build)
	dist=${AIRSIGN_DIST:-$ROOT/dist}
	# Replace only what a release writes; anything else in dist/ is left alone.
	mkdir -p "$dist"
	rm -f "$dist"/airsign-offline-* "$dist"/airsign-online-* "$dist/airsign-docs.tar.gz" "$dist/verify-release.sh" "$dist/SHA256SUMS"
	build "$ref_commit" "$dist"
	print_sums "$dist"
	;;
reproduce)
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/airsign-reproduce.XXXXXX")
	CLEAN+=("$tmp")
	echo "release: first build (usual GOCACHE)"
	build "$ref_commit" "$tmp/a"
	echo "release: second build (empty GOCACHE, another directory)"
	(
		export GOCACHE=$tmp/gocache
		build "$ref_commit" "$tmp/b"
	)
	print_sums "$tmp/a"
	if ! cmp -s "$tmp/a/SHA256SUMS" "$tmp/b/SHA256SUMS"; then
		echo "release: NOT REPRODUCIBLE: the two builds differ:" >&2
		diff "$tmp/a/SHA256SUMS" "$tmp/b/SHA256SUMS" >&2 || true
		exit 1
	fi
	echo "release: reproducible: both builds give the SHA256SUMS above"
	;;
*)
	echo "usage: release.sh build|reproduce [REF]" >&2
	exit 2
	;;
esac
