#!/usr/bin/env bash
# install.sh installs the reference implementations airsign's interop tests
# run against (make interop):
#
#   Debian packages  python3-electrum (Electrum 4.3.x), zbar-tools (zbarimg),
#                    nodejs + npm when node is missing — installed with
#                    apt-get when run as root, else reported as missing.
#   npm packages     pinned in scripts/interop/package.json and its lockfile
#                    (@ngraveio/bc-ur, bbqr, @bitcoinerlab/descriptors,
#                    @keystonehq/bc-ur-registry, @scure/btc-signer,
#                    bitcoinjs-lib and @noble/curves for bip127_verify.mjs),
#                    installed with `npm ci --ignore-scripts` into
#                    .cache/interop (or $AIRSIGN_INTEROP_NODE_DIR), again only
#                    when the lockfile changed. Nothing is installed into the
#                    source tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dest=${AIRSIGN_INTEROP_NODE_DIR:-$root/.cache/interop}
python=${AIRSIGN_INTEROP_PYTHON:-/usr/bin/python3}

missing=()
"$python" -I -c 'import electrum' 2>/dev/null || missing+=(python3-electrum)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
	if [ "$(id -u)" != 0 ]; then
		echo "interop: missing Debian packages: ${missing[*]}" >&2
		echo "interop: install them (sudo apt-get install ${missing[*]}) or run make interop as root" >&2
		exit 1
	fi
	echo "interop: apt-get install ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$dest"
stamp="$dest/.installed"
if [ -d "$dest/node_modules" ] && cat "$here/package.json" "$here/package-lock.json" | cmp -s - "$stamp"; then
	echo "interop: npm packages in $dest are up to date"
else
	rm -f "$stamp"
	cp "$here/package.json" "$here/package-lock.json" "$dest/"
	echo "interop: npm ci into $dest"
	(cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
	cat "$here/package.json" "$here/package-lock.json" >"$stamp"
fi

echo "interop: node $(node --version), Electrum $("$python" -I -c 'import electrum.version as v; print(v.ELECTRUM_VERSION)'), $(zbarimg --version | sed 's/^/zbarimg /')"
