#!/usr/bin/python3
"""bench-electrum.py — sign a PSBT with Electrum's Python API, for `make bench`.

Usage: bench-electrum.py PSBT MNEMONIC-FILE OUT [RUNS]

Reads the PSBT (binary BIP174), builds a BIP84 keystore for m/84'/1'/0' from the
BIP39 mnemonic in MNEMONIC-FILE (regtest), and RUNS times (default 1):
parses the PSBT, signs every input the keystore finds its key in, serializes the
signed PSBT. Writes the last signed PSBT to OUT and prints one JSON line:

  {"electrum": "4.3.4", "runs_s": [seconds per run, ...], "signed": N, "inputs": M}

The timed part is what airsign's in-process figure times too: decode, sign,
encode (plus prepare(), below: Electrum's wallet object would do it), with the key already derived from the mnemonic (Electrum's keystore
derives each input's key from the account key, as airsign does). Electrum
checks each input's derivation against its own key before it signs
(keystore._get_tx_derivations) and verifies each signature it makes
(ecc.ECPrivkey.sign); it grinds for low-R signatures, so its signatures differ
from airsign's (RFC 6979 without grinding) but verify the same. Electrum's
PSBT output (serialize_as_bytes) finalizes the inputs it completed: its output
carries final witnesses where airsign's carries partial signatures.

Works with Debian's python3-electrum 4.3.4 (bookworm): needs only the electrum
package, no wallet file, no network, no daemon.
"""
import json
import sys
import time


def prepare(tx):
    """Fill in what Electrum's wallet (wallet.add_input_info) fills in for its
    own single-key inputs before its keystore signs: the script type (from
    the scriptPubKey) and the input's public key (from the PSBT's BIP32
    derivation). Without a wallet object, from_raw_psbt leaves both unset and
    the keystore signs nothing. A full wallet would also scan the PSBT's
    addresses into its database; that is wallet bookkeeping, not signing."""
    tx.update_txin_script_type()
    for txin in tx.inputs():
        if txin.script_type == "p2wpkh" and len(txin.bip32_paths) == 1:
            txin.pubkeys = list(txin.bip32_paths)
            txin.num_sig = 1


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    psbt_path, mnemonic_path, out_path = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) == 5 else 1

    from electrum import constants, keystore, version
    from electrum.transaction import PartialTransaction

    constants.set_regtest()
    with open(mnemonic_path, encoding="utf-8") as f:
        mnemonic = " ".join(f.read().split())
    seed = keystore.bip39_to_seed(mnemonic, "")
    ks = keystore.from_bip43_rootseed(seed, "m/84'/1'/0'", xtype="p2wpkh")
    del mnemonic, seed

    with open(psbt_path, "rb") as f:
        raw = f.read()

    times = []
    out = b""
    signed = inputs = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        tx = PartialTransaction.from_raw_psbt(raw)
        prepare(tx)
        ks.sign_transaction(tx, None)
        out = tx.serialize_as_bytes(force_psbt=True)
        times.append(time.perf_counter() - t0)
        inputs = len(tx.inputs())
        signed = sum(1 for txin in tx.inputs() if txin.is_complete())

    with open(out_path, "wb") as f:
        f.write(out)
    print(json.dumps({"electrum": version.ELECTRUM_VERSION, "runs_s": times, "signed": signed, "inputs": inputs}))


if __name__ == "__main__":
    main()
