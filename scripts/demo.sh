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
# The demo's share texts and cards hold its (test) key in clear: they are
# removed at the end, whatever happens; the rest of $WORK stays to look at.
cleanup() {
	bash "$ROOT/scripts/regtest.sh" stop >/dev/null 2>&1 || true
	rm -rf "$WORK/shares" "$WORK/cards" "$WORK/drill.answers" "$WORK/keygen.answers"
}
trap cleanup EXIT

step=0
say() { step=$((step + 1)); printf '\n\033[1m%d. %s\033[0m\n' "$step" "$*"; }
run() { printf '   $ %s\n' "$*"; "$@"; }
offline() { run "$BIN/airsign-offline" "$@"; }
online() { run "$BIN/airsign-online" "$@"; }

say "Offline laptop: the key generation ceremony (2-of-3 shares), driven by an answers file."
echo "   Witnesses follow the same steps on the printed checklist: airsign-offline ceremony checklist keygen"
echo "   (The answers file carries dice rolls and lets the demo keep the shares in $WORK/shares: this key is for the demo only.)"
export AIRSIGN_ALLOW_ONLINE=1 # this demo machine is connected; a real ceremony refuses to run here
# Step 1.4 is the date the witnesses read from their own calendars; the demo
# types today's (the file's own date would be refused by a later drill only
# if it went back in time, but would warn that the clock differs).
today=$(date -u +%Y-%m-%d)
sed "s/^1\.4: .*/1.4: $today/" "$ROOT/scripts/demo/keygen.answers" >"$WORK/keygen.answers"
offline ceremony keygen --answers "$WORK/keygen.answers" --log "$WORK/ceremony.jsonl" \
	--export-dir "$USB" --share-dir "$WORK/shares" --card-dir "$WORK/cards" >"$WORK/keygen.txt"
grep -E '^(Log head words|The keygen ceremony)' "$WORK/keygen.txt" | tail -n 2
offline ceremony verify-log "$WORK/ceremony.jsonl"
shares=(--share-file "$WORK/shares/share-1.txt" --share-file "$WORK/shares/share-3.txt")

say "Online laptop: import the watch-only descriptor from the USB stick (no key ever reaches this machine)."
online wallet import "$(cat "$USB/descriptor.txt")"
online wallet show
online wallet addresses -n 3
addr=$("$BIN/airsign-online" wallet addresses -n 1 | awk '{print $2}')

say "Start a private regtest Bitcoin node (btcd) on 127.0.0.1 and mine 101 blocks to our first address."
run bash "$ROOT/scripts/regtest.sh" start "$addr"
set -a; . "$AIRSIGN_REGTEST_DIR/env"; set +a
run bash "$ROOT/scripts/regtest.sh" mine 101 >/dev/null
online utxos | tail -n 2

say "Online laptop: prepare an unsigned payment of 1.25 BTC to an outside address, shown as animated QR codes (here: PNG frames)."
payee=bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080
online prepare --to "$payee:1.25" --fee-rate 4 --qr "$WORK/qr-unsigned" --qr-split | tee "$WORK/prepared.txt"
digest=$(sed -n 's/^Confirmation digest: //p' "$WORK/prepared.txt")

say "Offline laptop: look at what the PSBT really does; the digest must match the online screen: $digest"
offline inspect --descriptor "$(cat "$USB/descriptor.txt")" "$WORK/qr-unsigned"

say "Offline laptop: read the QR frames, rebuild the key from two of the three shares and sign; answer with QR frames. The operator types the digest back (here given with --confirm)."
offline sign "$WORK/qr-unsigned" "${shares[@]}" --confirm "$digest" --qr "$WORK/qr-signed" --qr-split --log "$WORK/signing.jsonl" >/dev/null

say "Online laptop: read the signed QR frames and broadcast. The node checks the transaction (testmempoolaccept) before it is sent."
txid=$("$BIN/airsign-online" broadcast --yes "$WORK/qr-signed")
echo "   txid $txid"

say "Mine a block and check the payment is confirmed."
run bash "$ROOT/scripts/regtest.sh" mine 1 >/dev/null
online status "$txid"

say "Offline laptop: the recovery drill. Shares 2 and 3 rebuild the key; it must match the keygen record and sign a test transaction."
fp=$(sed -n 's/^[a-z]*(\[\([0-9a-f]\{8\}\)\/.*/\1/p' "$USB/descriptor.txt")
# The descriptor ID: the first 8 hex digits of the descriptor's SHA-256.
id=$(tr -d '\n' <"$USB/descriptor.txt" | sha256sum | cut -c1-8)
cat >"$WORK/drill.answers" <<ANSWERS
ceremony: drill
secrets: drill
1.1: Alice Operator
1.2: Bob Witness
1.3: BW
1.4: $today
2.1: Erin Holder
2.2: $(cat "$WORK/shares/share-2.txt")
2.1: Frank Holder
2.2: $(cat "$WORK/shares/share-3.txt")
3.3: $fp
3.4: $id
3.5: ${addr: -8}
4.3: BW
ANSWERS
offline ceremony drill --answers "$WORK/drill.answers" --log "$WORK/ceremony.jsonl" >"$WORK/drill.txt"
grep -A1 '^Drill report' "$WORK/drill.txt"
offline ceremony verify-log "$WORK/ceremony.jsonl"

printf '\nDone: the key made by the ceremony signed offline across QR codes, the node accepted the signature and mined the transaction, and the drill proved the shares.\n'
printf 'The demo share texts and cards are deleted now; the log, PSBTs and QR frames stay in %s.\n' "$WORK"
