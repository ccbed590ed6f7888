#!/usr/bin/env bash
# demo.sh — airsign's main job, end to end, on a throwaway regtest node:
# make a key, give the online side its watch-only descriptor, receive coins,
# prepare a payment online, sign it offline, broadcast it, see it mined.
# Run it with `make demo` (which builds the binaries and the node first).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/bin
WORK=$(mktemp -d "${TMPDIR:-/tmp}/airsign-demo.XXXXXX")
export AIRSIGN_REGTEST_DIR=$WORK/node AIRSIGN_NETWORK=regtest AIRSIGN_DATADIR=$WORK/online
USB=$WORK/usb-stick
mkdir -p "$USB"
cleanup() { bash "$ROOT/scripts/regtest.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

step=0
say() { step=$((step + 1)); printf '\n\033[1m%d. %s\033[0m\n' "$step" "$*"; }
run() { printf '   $ %s\n' "$*"; "$@"; }
offline() { run "$BIN/airsign-offline" "$@"; }
online() { run "$BIN/airsign-online" "$@"; }

say "Offline laptop: the key. (This demo uses the BIP39 test mnemonic in a file; a real key comes from the keygen ceremony.)"
echo "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about" >"$WORK/mnemonic.txt"
offline export descriptor --mnemonic-file "$WORK/mnemonic.txt" --out "$USB/descriptor.txt"

say "Online laptop: import the watch-only descriptor from the USB stick (no key ever reaches this machine)."
online wallet import "$(cat "$USB/descriptor.txt")"
online wallet addresses -n 3
addr=$("$BIN/airsign-online" wallet addresses -n 1 | awk '{print $2}')

say "Start a private regtest Bitcoin node (btcd) on 127.0.0.1 and mine 101 blocks to our first address."
run bash "$ROOT/scripts/regtest.sh" start "$addr"
set -a; . "$AIRSIGN_REGTEST_DIR/env"; set +a
run bash "$ROOT/scripts/regtest.sh" mine 101 >/dev/null
online utxos | tail -n 2

say "Online laptop: prepare an unsigned payment of 1.25 BTC to an outside address, and write it to the USB stick."
payee=bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080
online prepare --to "$payee:1.25" --fee-rate 4 --out "$USB/payment.psbt" | tee "$WORK/prepared.txt"
digest=$(sed -n 's/^Confirmation digest: //p' "$WORK/prepared.txt")

say "Offline laptop: look at what the PSBT really does; the digest must match the online screen: $digest"
offline inspect "$USB/payment.psbt"

say "Offline laptop: sign. The operator types the digest back (here given with --confirm)."
offline sign "$USB/payment.psbt" --mnemonic-file "$WORK/mnemonic.txt" --confirm "$digest" --out "$USB/payment-signed.psbt" >/dev/null

say "Online laptop: broadcast. The node checks the transaction (testmempoolaccept) before it is sent."
txid=$("$BIN/airsign-online" broadcast "$USB/payment-signed.psbt")
echo "   txid $txid"

say "Mine a block and check the payment is confirmed."
run bash "$ROOT/scripts/regtest.sh" mine 1 >/dev/null
online status "$txid"

printf '\nDone: the key signed offline, the node accepted the signature and mined the transaction.\n'
