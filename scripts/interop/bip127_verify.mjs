// bip127_verify.mjs checks a BIP127 proof of reserves — the final
// transaction — against the coins it claims, with other people's code only:
// bitcoinjs-lib parses the transaction and computes the signature hashes
// (BIP143 for segwit v0, BIP341 for taproot), @noble/curves checks the ECDSA
// and Schnorr signatures, node's crypto takes the SHA-256. Nothing of
// airsign (btcd) is involved, so a proof airsign makes and verifies is
// checked here a second, independent way (`make interop`,
// cmd/airsign-offline/interop_reserves_test.go).
//
// The rules are BIP127's ("Proof of Reserves", bip-0127.mediawiki):
//
//   - input 0, the commitment input, spends txid SHA-256("Proof-of-Reserves: "
//     + message) — the digest as the txid's internal bytes, as serialized in
//     the transaction — index 0, with an empty scriptSig and witness;
//   - every other input spends one of the coins given, each at most once,
//     and carries a valid signature that commits to the commitment input
//     (SIGHASH_ALL, or taproot's SIGHASH_DEFAULT which is ALL);
//   - exactly one output, of the exact sum of the coins (the commitment
//     input counts as 0): no miner fee. Its script must be the unspendable
//     P2PKH(HASH160(0x00)) bdk-reserves writes and requires.
//
// Other tools differ from BIP127 on the commitment, and the error says when
// a proof's is one of theirs: bdk-reserves takes the double SHA-256
// (sha256d) of the prefixed message (`challenge_txin` in its
// src/reserves.rs); ElementsProject's reserves takes the SHA-256 of its
// challenge string with no prefix (`challenge_txin` in its src/bitcoin.rs).
// A proof passes in the format the request names (BIP127's by default).
//
// Scripts checked: P2WPKH, P2SH-P2WPKH, P2WSH multisig (OP_CHECKMULTISIG)
// and P2TR key path. Anything else is refused by name, never passed.
//
// Request:  {message, txHex, coins: [{txid, vout, value, scriptHex}], format?: "bip127"|"bdk"|"elements"}
// Answer:   {totalSat, coins, commitment: "bip127-sha256"|"bdk-reserves-sha256d"|"unprefixed-sha256"}
// A proof that does not hold is an error naming the input or output at fault.
import { createHash } from 'node:crypto';

const sha256 = (b) => new Uint8Array(createHash('sha256').update(b).digest());
const hex = (b) => Buffer.from(b).toString('hex');
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

const SIGHASH_DEFAULT = 0x00;
const SIGHASH_ALL = 0x01;

export async function verifyProof(req) {
  const bitcoin = await import('bitcoinjs-lib');
  const { secp256k1, schnorr } = await import('@noble/curves/secp256k1.js');
  const { Transaction, payments, script: bscript, crypto } = bitcoin;
  const OPS = bitcoin.opcodes;

  if (typeof req.message !== 'string' || req.message === '') throw new Error('no message given');
  const tx = Transaction.fromHex(req.txHex);
  if (tx.ins.length < 2) throw new Error(`the proof has ${tx.ins.length} input(s); BIP127 needs the commitment input and at least one coin`);

  // The commitment input.
  const prefixed = Buffer.from('Proof-of-Reserves: ' + req.message, 'utf8');
  const single = sha256(prefixed);
  const double = sha256(single);
  const c = tx.ins[0];
  const bare = sha256(Buffer.from(req.message, 'utf8'));
  let commitment = null;
  if (same(c.hash, single)) commitment = 'bip127-sha256';
  else if (same(c.hash, double)) commitment = 'bdk-reserves-sha256d';
  else if (same(c.hash, bare)) commitment = 'unprefixed-sha256';
  // The format the proof is checked in: BIP127's unless the request names
  // the one another verifier takes (bdk-reserves, ElementsProject).
  const formats = {
    bip127: ['bip127-sha256', single, 'SHA-256("Proof-of-Reserves: " + message)'],
    bdk: ['bdk-reserves-sha256d', double, 'SHA-256d("Proof-of-Reserves: " + message), bdk-reserves\' commitment'],
    elements: ['unprefixed-sha256', bare, 'SHA-256(message), ElementsProject\'s commitment'],
  };
  const format = formats[req.format || 'bip127'];
  if (!format) throw new Error(`unknown commitment format ${req.format}; bip127, bdk or elements`);
  const [want, wantHash, wantSays] = format;
  if (commitment !== want) {
    const why = {
      'bip127-sha256': ' (it is BIP127\'s SHA-256 of the prefixed message)',
      'bdk-reserves-sha256d': ' (it is the double SHA-256 bdk-reserves uses)',
      'unprefixed-sha256': ' (it is the SHA-256 of the message without the prefix, as ElementsProject\'s reserves hashes its challenge)',
    }[commitment] || '';
    throw new Error(`input 0 spends ${hex(Buffer.from(c.hash).reverse())}, not ${wantSays} ${hex(Buffer.from(wantHash).reverse())}${why}`);
  }
  if (c.index !== 0) throw new Error(`input 0 spends output ${c.index} of the commitment; BIP127 says index 0`);
  if (c.script.length !== 0 || c.witness.length !== 0) throw new Error('input 0, the commitment input, is not empty (BIP127: empty scriptSig and witness)');

  // The coins.
  const coins = new Map();
  for (const k of req.coins) coins.set(`${k.txid}:${k.vout}`, { value: BigInt(k.value), script: Uint8Array.from(Buffer.from(k.scriptHex, 'hex')) });
  const spent = [{ value: 0n, script: Uint8Array.of(OPS.OP_TRUE) }]; // the commitment input as BIP127 says to assume it
  const seen = new Set();
  let total = 0n;
  for (let i = 1; i < tx.ins.length; i++) {
    const op = `${hex(Buffer.from(tx.ins[i].hash).reverse())}:${tx.ins[i].index}`;
    if (seen.has(op)) throw new Error(`input ${i} spends ${op} a second time`);
    seen.add(op);
    const coin = coins.get(op);
    if (!coin) throw new Error(`input ${i} spends ${op}, which is not one of the coins given`);
    spent.push(coin);
    total += coin.value;
  }

  // One output, the exact total, unspendable.
  if (tx.outs.length !== 1) throw new Error(`the proof has ${tx.outs.length} outputs; BIP127 allows exactly one`);
  const burn = payments.p2pkh({ hash: crypto.hash160(Uint8Array.of(0)) }).output;
  if (!same(tx.outs[0].script, burn)) throw new Error(`output 0 pays ${hex(tx.outs[0].script)}, not the unspendable P2PKH(HASH160(0x00)) ${hex(burn)}`);
  if (tx.outs[0].value !== total) throw new Error(`output 0 is ${tx.outs[0].value} sat but the coins add up to ${total} sat; BIP127 requires the exact sum`);

  // Every coin's signature.
  const ecdsaAll = (i, sig, pubkey, scriptCode, value) => {
    if (sig.length < 9 || sig[sig.length - 1] !== SIGHASH_ALL) throw new Error(`input ${i}: the signature is not SIGHASH_ALL, so it does not commit to the commitment input`);
    const digest = tx.hashForWitnessV0(i, scriptCode, value, SIGHASH_ALL);
    return secp256k1.verify(sig.subarray(0, sig.length - 1), digest, pubkey, { prehash: false, format: 'der', lowS: false });
  };
  const p2wpkh = (i, coin, program) => {
    const w = tx.ins[i].witness;
    if (w.length !== 2) throw new Error(`input ${i}: a P2WPKH witness has 2 items, this one ${w.length}`);
    const [sig, pubkey] = w;
    if (!same(crypto.hash160(pubkey), program)) throw new Error(`input ${i}: the witness's key is not the coin's (HASH160 differs)`);
    const scriptCode = payments.p2pkh({ hash: program }).output;
    if (!ecdsaAll(i, sig, pubkey, scriptCode, coin.value)) throw new Error(`input ${i}: the signature does not verify`);
  };
  for (let i = 1; i < tx.ins.length; i++) {
    const coin = spent[i];
    const s = coin.script;
    const input = tx.ins[i];
    if (s.length === 22 && s[0] === 0x00 && s[1] === 0x14) {
      if (input.script.length !== 0) throw new Error(`input ${i}: a native segwit input has a scriptSig`);
      p2wpkh(i, coin, s.subarray(2));
    } else if (s.length === 23 && s[0] === OPS.OP_HASH160 && s[1] === 0x14 && s[22] === OPS.OP_EQUAL) {
      const chunks = bscript.decompile(input.script) || [];
      const redeem = chunks.length === 1 && chunks[0] instanceof Uint8Array ? chunks[0] : null;
      if (!redeem || !same(crypto.hash160(redeem), s.subarray(2, 22))) throw new Error(`input ${i}: the scriptSig is not the coin's redeem script`);
      if (!(redeem.length === 22 && redeem[0] === 0x00 && redeem[1] === 0x14)) throw new Error(`input ${i}: P2SH wrapping something other than P2WPKH is not checked here`);
      p2wpkh(i, coin, redeem.subarray(2));
    } else if (s.length === 34 && s[0] === 0x00 && s[1] === 0x20) {
      if (input.script.length !== 0) throw new Error(`input ${i}: a native segwit input has a scriptSig`);
      const w = input.witness;
      const ws = w[w.length - 1];
      if (!ws || !same(sha256(ws), s.subarray(2))) throw new Error(`input ${i}: the witness script is not the coin's (SHA-256 differs)`);
      const chunks = bscript.decompile(ws);
      const small = (op) => (op === OPS.OP_0 ? 0 : op >= OPS.OP_1 && op <= OPS.OP_16 ? op - OPS.OP_1 + 1 : -1);
      const m = small(chunks[0]);
      const n = small(chunks[chunks.length - 2]);
      const keys = chunks.slice(1, -2);
      if (chunks[chunks.length - 1] !== OPS.OP_CHECKMULTISIG || m < 1 || n !== keys.length || m > n || !keys.every((k) => k instanceof Uint8Array)) {
        throw new Error(`input ${i}: a witness script other than m-of-n OP_CHECKMULTISIG is not checked here`);
      }
      const sigs = w.slice(1, -1);
      if (w[0].length !== 0 || sigs.length !== m) throw new Error(`input ${i}: ${sigs.length} signature(s) where the script needs ${m} (after the empty dummy)`);
      // OP_CHECKMULTISIG: signatures in key order, each key used once.
      let k = 0;
      for (const sig of sigs) {
        while (k < keys.length && !ecdsaAll(i, sig, keys[k], ws, coin.value)) k++;
        if (k === keys.length) throw new Error(`input ${i}: a signature matches none of the remaining keys`);
        k++;
      }
    } else if (s.length === 34 && s[0] === OPS.OP_1 && s[1] === 0x20) {
      const w = input.witness;
      if (input.script.length !== 0 || w.length !== 1) throw new Error(`input ${i}: only taproot key-path spends (one witness item) are checked here`);
      const sig = w[0];
      let hashType = SIGHASH_DEFAULT;
      if (sig.length === 65) hashType = sig[64];
      else if (sig.length !== 64) throw new Error(`input ${i}: a Schnorr signature of ${sig.length} bytes`);
      if (hashType !== SIGHASH_DEFAULT && hashType !== SIGHASH_ALL) throw new Error(`input ${i}: sighash type ${hashType} does not commit to the commitment input`);
      const digest = tx.hashForWitnessV1(i, spent.map((x) => x.script), spent.map((x) => x.value), hashType);
      if (!schnorr.verify(sig.subarray(0, 64), digest, s.subarray(2))) throw new Error(`input ${i}: the signature does not verify`);
    } else {
      throw new Error(`input ${i}: the coin's script ${hex(s)} is of a kind this verifier does not check`);
    }
  }
  return { totalSat: total.toString(), coins: tx.ins.length - 1, commitment };
}
