#!/usr/bin/env bash
# lint-tools.sh — static analysis at pinned versions, installed with `go install`
# into .cache/bin (like scripts/regtest.sh does for btcd).
#
# Usage:
#   scripts/lint-tools.sh install        build staticcheck and govulncheck (pinned)
#   scripts/lint-tools.sh staticcheck    run staticcheck ./... (default checks)
#   scripts/lint-tools.sh govulncheck    run govulncheck ./...
#
# Environment:
#   AIRSIGN_BIN_DIR   where the tools are installed (default: <repo>/.cache/bin)
#   GOVULNDB          the vulnerability database govulncheck reads (its -db flag);
#                     unset: govulncheck's default, the Go project's public database.
#                     A local copy: file:///path.
#
# Versions, so nobody has to rediscover them:
# - staticcheck v0.8.2 (release 2026.2.2) understands Go 1.26.
# - govulncheck v1.8.0: v1.9.0 needs a golang.org/x/telemetry pseudo-version the
#   module proxy refuses (403), so it cannot be installed here.
# - govulncheck reads the Go vulnerability database over HTTPS. A
#   machine that reaches only the Go module proxy cannot run it; that is why
#   `make test` does not, and `make govulncheck` says so plainly when the
#   database is out of reach.
set -euo pipefail

STATICCHECK_VERSION=v0.8.2
STATICCHECK_MODULE=honnef.co/go/tools
GOVULNCHECK_VERSION=v1.8.0
GOVULNCHECK_MODULE=golang.org/x/vuln

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=${AIRSIGN_BIN_DIR:-$ROOT/.cache/bin}
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

# installed_ok BINARY MODULE VERSION: is BINARY built from MODULE at VERSION?
installed_ok() {
	[ -x "$1" ] || return 1
	go version -m "$1" 2>/dev/null |
		awk -v v="$3" -v m="$2" '$1 == "mod" && $2 == m && $3 == v { ok = 1 } END { exit !ok }'
}

install_one() { # NAME MODULE VERSION PACKAGE
	if installed_ok "$BIN_DIR/$1" "$2" "$3"; then
		return
	fi
	echo "lint-tools: installing $1 $3 into $BIN_DIR" >&2
	mkdir -p "$BIN_DIR"
	GOBIN=$BIN_DIR GOFLAGS= go install "$4@$3"
}

cd "$ROOT"
case ${1:-} in
install)
	install_one staticcheck $STATICCHECK_MODULE $STATICCHECK_VERSION $STATICCHECK_MODULE/cmd/staticcheck
	install_one govulncheck $GOVULNCHECK_MODULE $GOVULNCHECK_VERSION $GOVULNCHECK_MODULE/cmd/govulncheck
	;;
staticcheck)
	install_one staticcheck $STATICCHECK_MODULE $STATICCHECK_VERSION $STATICCHECK_MODULE/cmd/staticcheck
	"$BIN_DIR/staticcheck" ./...
	;;
govulncheck)
	install_one govulncheck $GOVULNCHECK_MODULE $GOVULNCHECK_VERSION $GOVULNCHECK_MODULE/cmd/govulncheck
	db=()
	if [ -n "${GOVULNDB:-}" ]; then
		# govulncheck v1.8.0 reports "No vulnerabilities found" for an empty
		# or wrong directory: refuse a local copy without the database index.
		case $GOVULNDB in
		file://*)
			if [ ! -f "${GOVULNDB#file://}/index/db.json" ]; then
				echo "lint-tools: $GOVULNDB has no index/db.json: not a copy of the vulnerability database" >&2
				exit 1
			fi
			;;
		esac
		db=(-db "$GOVULNDB")
	fi
	set +e
	out=$("$BIN_DIR/govulncheck" "${db[@]}" ./... 2>&1)
	rc=$?
	set -e
	printf '%s\n' "$out"
	if [ $rc -ne 0 ] && printf '%s' "$out" | grep -q 'fetching vulnerabilities'; then
		echo "lint-tools: govulncheck cannot read the vulnerability database from this machine." >&2
		echo "lint-tools: run it where that address is reachable, or point GOVULNDB at a local copy (file:///path)." >&2
	fi
	exit $rc
	;;
*)
	echo "usage: lint-tools.sh install | staticcheck | govulncheck" >&2
	exit 2
	;;
esac
