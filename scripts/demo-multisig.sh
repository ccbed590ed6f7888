#!/usr/bin/env bash
# demo-multisig.sh — a 2-of-3 multisig across three air-gapped keys, on a
# throwaway regtest node: three keygen ceremonies, one descriptor built from
# the three cosigner exports and enrolled by each signer, a payment signed by
# keys 1 and 3 on separate runs, another by keys 2 and 3 through QR frames.
# Run it with `make demo-multisig`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/bin
WORK=$(mktemp -d "${TMPDIR:-/tmp}/airsign-multisig.XXXXXX")
export AIRSIGN_REGTEST_DIR=$WORK/node AIRSIGN_NETWORK=regtest AIRSIGN_DATADIR=$WORK/online
export AIRSIGN_ALLOW_ONLINE=1 # this demo machine is connected; real ceremonies refuse to run here
cleanup() { bash "$ROOT/scripts/regtest.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

step=0
say() { step=$((step + 1)); printf '\n\033[1m%d. %s\033[0m\n' "$step" "$*"; }
run() { printf '   $ %s\n' "$*"; "$@"; }
offline() { run "$BIN/airsign-offline" "$@"; }
online() { run "$BIN/airsign-online" "$@"; }
shares() { echo --share-file "$WORK/key$1/shares/share-$2.txt" --share-file "$WORK/key$1/shares/share-$3.txt"; }

for k in 1 2 3; do
	say "Air-gapped laptop $k: keygen ceremony for key $k (2-of-3 shares of its own), exporting the key as a multisig cosigner."
	offline ceremony keygen --answers "$ROOT/scripts/demo/keygen.answers" --log "$WORK/key$k/ceremony.jsonl" \
		--export-dir "$WORK/key$k/usb" --share-dir "$WORK/key$k/shares" --cosigner >/dev/null
	echo "   cosigner key: $(cat "$WORK/key$k/usb/cosigner.txt")"
done

say "Any laptop: build the 2-of-3 descriptor from the three cosigner exports. Every cosigner compares the ID."
printf '   $ airsign-offline wallet multisig --threshold 2 key1/usb/cosigner.txt key2/usb/cosigner.txt key3/usb/cosigner.txt\n'
"$BIN/airsign-offline" wallet multisig --threshold 2 "$WORK"/key{1,2,3}/usb/cosigner.txt >"$WORK/multisig.txt"
cat "$WORK/multisig.txt"

for k in 1 2 3; do
	say "Air-gapped laptop $k: enroll the descriptor (checks key $k is in it; authenticates it with key $k)."
	offline wallet enroll "$WORK/multisig.txt" $(shares $k 1 2) --out "$WORK/key$k/usb/wallet.json" >/dev/null
done

say "Online laptop: import the watch-only 2-of-3, start a private regtest node and mine to its first address."
online wallet import "$(cat "$WORK/multisig.txt")"
addr=$("$BIN/airsign-online" wallet addresses -n 1 | awk '{print $2}')
run bash "$ROOT/scripts/regtest.sh" start "$addr"
set -a; . "$AIRSIGN_REGTEST_DIR/env"; set +a
run bash "$ROOT/scripts/regtest.sh" mine 101 >/dev/null
online utxos | tail -n 1

say "Online laptop: prepare a payment of 4 BTC (the PSBT carries the global xpubs and every cosigner's derivation)."
payee=bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080
"$BIN/airsign-online" prepare --to "$payee:4" --fee-rate 3 --out "$WORK/pay.psbt" >"$WORK/prepared.txt"
digest=$(sed -n 's/^Confirmation digest: //p' "$WORK/prepared.txt")
echo "   confirmation digest: $digest"

say "Laptops 1 and 3, separately: each signs with its own key into its own file (change verified against its enrolled wallet)."
offline sign "$WORK/pay.psbt" $(shares 1 1 3) --wallet "$WORK/key1/usb/wallet.json" --confirm "$digest" --out "$WORK/pay-key1.psbt" >/dev/null
offline sign "$WORK/pay.psbt" $(shares 3 2 3) --wallet "$WORK/key3/usb/wallet.json" --confirm "$digest" --out "$WORK/pay-key3.psbt" >/dev/null

say "Online laptop: combine the two signatures, finalize, test-accept, send; mine a block."
txid=$("$BIN/airsign-online" broadcast --yes "$WORK/pay-key1.psbt" "$WORK/pay-key3.psbt")
run bash "$ROOT/scripts/regtest.sh" mine 1 >/dev/null
online status "$txid"

say "Again with keys 2 and 3, across the air gap by QR frames."
"$BIN/airsign-online" prepare --to "$payee:1.5" --fee-rate 3 --qr "$WORK/qr" --qr-split >"$WORK/prepared2.txt"
digest=$(sed -n 's/^Confirmation digest: //p' "$WORK/prepared2.txt")
offline sign "$WORK/qr" $(shares 2 1 3) --wallet "$WORK/key2/usb/wallet.json" --confirm "$digest" --qr "$WORK/qr-key2" --qr-split >/dev/null
offline sign "$WORK/qr" $(shares 3 1 2) --wallet "$WORK/key3/usb/wallet.json" --confirm "$digest" --qr "$WORK/qr-key3" --qr-split >/dev/null
txid=$("$BIN/airsign-online" broadcast --yes "$WORK/qr-key2" "$WORK/qr-key3")
run bash "$ROOT/scripts/regtest.sh" mine 1 >/dev/null
online status "$txid"

printf '\nDone: three keys from three ceremonies, one 2-of-3 wallet, two payments signed by different pairs and mined.\n'
