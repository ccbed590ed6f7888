"""electrum_ref.py runs Electrum's own PSBT and key code (Debian's
python3-electrum, Electrum 4.3.x) for airsign's interop tests
(cmd/airsign-offline/interop_test.go; `make interop`).

Usage: /usr/bin/python3 -I electrum_ref.py COMMAND < request.json > answer.json

Every command reads one JSON object on stdin and writes one on stdout. A
failure is a message on stderr and exit status 1. "network" is mainnet,
testnet or regtest. Nothing here touches the network: the wallet object used
for signing is an in-memory Electrum wallet that is never connected.

Commands:
  inspect    {psbt, network} -> {txid, inputs, outputs, fee}
             What Electrum reads out of a PSBT (base64).
  sign       {psbt, network, mnemonic, derivation, finalize}
             -> {psbt, complete, txhex}
             Signs with an Electrum BIP39 standard wallet (keystore from the
             mnemonic at the BIP84 derivation, as Electrum's "BIP39 seed"
             restore creates it), the way Electrum signs a PSBT it loads.
             Electrum finalizes an input as soon as it is signed; with
             finalize false the PSBT is serialized before that, keeping the
             partial signatures (Electrum's private _serialize_psbt).
  finalize   {psbt, network, xpub, script} -> {complete, txhex}
             Electrum's finalizer on a PSBT someone else signed, in a
             watch-only Electrum wallet of the account xpub (tpub/xpub
             accepted; script p2wpkh or p2wpkh-p2sh): what an Electrum
             watch-only wallet does with a PSBT back from a cold signer.
  addresses  {items: [{xpub, script, network, count}]}
             -> {results: [{receive, change}]}
             The first addresses Electrum derives from an account xpub
             (tpub/xpub) for script type p2wpkh or p2wpkh-p2sh.
"""

import base64
import json
import sys
import tempfile


def set_network(name):
    from electrum import constants

    if name == "mainnet":
        constants.set_mainnet()
    elif name == "testnet":
        constants.set_testnet()
    elif name == "regtest":
        constants.set_regtest()
    else:
        raise ValueError("unknown network %r" % name)


def load(b64):
    from electrum.transaction import tx_from_any, PartialTransaction

    tx = tx_from_any(b64)
    if not isinstance(tx, PartialTransaction):
        raise ValueError("not a PSBT")
    return tx


def describe(tx):
    return {
        "txid": tx.txid(),
        "inputs": [
            {"prevout": i.prevout.to_str(), "value": i.value_sats(), "address": i.address, "sequence": i.nsequence}
            for i in tx.inputs()
        ],
        "outputs": [{"address": o.address, "value": o.value} for o in tx.outputs()],
        "fee": tx.get_fee(),
        "locktime": tx.locktime,
    }


def cmd_inspect(req):
    set_network(req["network"])
    return describe(load(req["psbt"]))


def psbt_b64(tx):
    import io

    with io.BytesIO() as fd:
        tx._serialize_psbt(fd)
        return base64.b64encode(fd.getvalue()).decode("ascii")


class offline_wallet:
    """An in-memory Electrum standard wallet around a keystore, never
    connected; Electrum's wallet machinery wants an event loop even so."""

    def __init__(self, ks):
        self.ks = ks

    def __enter__(self):
        from electrum import util
        from electrum.simple_config import SimpleConfig
        from electrum.wallet import Standard_Wallet
        from electrum.wallet_db import WalletDB

        self.loop, self.stopping, self.thread = util.create_and_start_event_loop()
        config = SimpleConfig({"electrum_path": tempfile.mkdtemp(prefix="electrum-interop-")})
        db = WalletDB("", manual_upgrades=False)
        db.put("keystore", self.ks.dump())
        db.put("wallet_type", "standard")
        db.put("gap_limit", 20)
        self.wallet = Standard_Wallet(db, None, config=config)
        self.wallet.synchronize()
        return self.wallet

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.stopping.set_result, 1)
        self.thread.join(timeout=10)
        return False


def cmd_sign(req):
    from electrum import keystore

    set_network(req["network"])
    seed = keystore.bip39_to_seed(req["mnemonic"], "")
    ks = keystore.from_bip43_rootseed(seed, req["derivation"])
    with offline_wallet(ks) as wallet:
        tx = load(req["psbt"])
        tx.add_info_from_wallet(wallet)
        if req.get("finalize", True):
            wallet.sign_transaction(tx, None)
            out = base64.b64encode(tx.serialize_as_bytes(force_psbt=True)).decode("ascii")
        else:
            # The same signing one level down, so that the PSBT can be
            # written before Electrum finalizes it.
            ks.sign_transaction(tx, None)
            out = psbt_b64(tx)
        complete = tx.is_complete()
        return {"psbt": out, "complete": complete, "txhex": tx.serialize() if complete else ""}


def electrum_xpub(xpub, script):
    """The account xpub as Electrum writes it for the script type (vpub,
    zpub, ...), from a plain xpub/tpub."""
    from electrum.bip32 import BIP32Node

    return BIP32Node.from_xkey(xpub)._replace(xtype=script).to_xpub()


def cmd_finalize(req):
    from electrum import keystore

    set_network(req["network"])
    ks = keystore.from_master_key(electrum_xpub(req["xpub"], req["script"]))
    with offline_wallet(ks) as wallet:
        tx = load(req["psbt"])
        tx.add_info_from_wallet(wallet)
        tx.finalize_psbt()
        complete = tx.is_complete()
        return {"complete": complete, "txhex": tx.serialize() if complete else ""}


def cmd_addresses(req):
    from electrum import bitcoin
    from electrum.bip32 import BIP32Node

    def derive(item):
        set_network(item["network"])
        node = BIP32Node.from_xkey(item["xpub"])
        script = item["script"]
        if script not in ("p2wpkh", "p2wpkh-p2sh", "p2pkh"):
            raise ValueError("unsupported script type %r" % script)

        def addr(branch, index):
            pub = node.subkey_at_public_derivation([branch, index]).eckey.get_public_key_hex(compressed=True)
            return bitcoin.pubkey_to_address(script, pub)

        n = item["count"]
        return {"receive": [addr(0, i) for i in range(n)], "change": [addr(1, i) for i in range(n)]}

    return {"results": [derive(item) for item in req["items"]]}


COMMANDS = {
    "inspect": cmd_inspect,
    "sign": cmd_sign,
    "finalize": cmd_finalize,
    "addresses": cmd_addresses,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write("usage: python3 electrum_ref.py (%s) < request.json\n" % "|".join(COMMANDS))
        return 2
    req = json.load(sys.stdin)
    try:
        ans = COMMANDS[sys.argv[1]](req)
    except Exception as e:  # report, never a traceback of secrets: requests hold only test keys
        sys.stderr.write("%s: %s: %s\n" % (sys.argv[1], type(e).__name__, e))
        return 1
    json.dump(ans, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
