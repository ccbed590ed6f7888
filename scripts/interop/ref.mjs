// ref.mjs runs other people's implementations of the formats airsign writes,
// for the interop tests (transport/interop_test.go,
// cmd/airsign-offline/interop_test.go; `make interop`):
//
//   @ngraveio/bc-ur            the reference JavaScript UR (BCR-2020-005) library
//   bbqr                       Coinkite's BBQr library
//   @bitcoinerlab/descriptors  output descriptors (BIP380 checksum, address derivation)
//   @scure/btc-signer          PSBTs, taproot included (with @scure/bip32 for keys)
//   @keystonehq/bc-ur-registry Keystone's UR registry types (crypto-output, BCR-2020-010)
//   bitcoinjs-lib, @noble/curves  BIP127 proofs of reserves (bip127_verify.mjs)
//
// Usage: node ref.mjs COMMAND < request.json > answer.json
//
// Every command reads one JSON object on stdin and writes one on stdout;
// bytes travel as hex. A failure is a message on stderr and exit status 1.
// The packages are resolved from a node_modules directory next to this file
// (the tests copy it next to .cache/interop/node_modules).
// Each library is loaded only by the commands that use it: node starts
// faster, and a test needing one package does not wait for the others.
const bcur = () => import('@ngraveio/bc-ur');
const bbqr = () => import('bbqr');
const descriptorsLib = () => import('@bitcoinerlab/descriptors');
const btcSigner = () => import('@scure/btc-signer');
const bip32 = () => import('@scure/bip32');
const urRegistry = () => import('@keystonehq/bc-ur-registry');

const hexOf = (b) => Buffer.from(b).toString('hex');
const bytesOf = (h) => Uint8Array.from(Buffer.from(h, 'hex'));

const commands = {
  // {parts: [text…]} → {type, cborHex, payloadHex, used}
  // Feeds the parts in the order given to bc-ur's URDecoder until it is
  // complete; "used" is how many parts that took.
  'ur-decode': async (req) => {
    const { URDecoder } = await bcur();
    const dec = new URDecoder();
    let used = 0;
    for (const p of req.parts) {
      used++;
      dec.receivePart(p);
      if (dec.isComplete()) break;
    }
    if (!dec.isComplete()) throw new Error(`bc-ur: not complete after ${used} parts (${Math.round(dec.estimatedPercentComplete() * 100)}%)`);
    if (!dec.isSuccess()) throw new Error(`bc-ur: ${dec.resultError()}`);
    const ur = dec.resultUR();
    return { type: ur.type, cborHex: ur.cbor.toString('hex'), payloadHex: ur.decodeCBOR().toString('hex'), used };
  },

  // {type, hex, maxFragmentLength, count} → {parts, seqLen}
  // Encodes the bytes as a CBOR byte string under the UR type with bc-ur's
  // UREncoder and returns its first count parts (parts past seqLen are
  // fountain-coded mixes).
  'ur-encode': async (req) => {
    const { UR, UREncoder } = await bcur();
    const ur = new UR(UR.fromBuffer(Buffer.from(req.hex, 'hex')).cbor, req.type);
    const enc = new UREncoder(ur, req.maxFragmentLength);
    const parts = [];
    for (let i = 0; i < req.count; i++) parts.push(enc.nextPart());
    return { parts, seqLen: enc.fragmentsLength };
  },

  // {parts} → {fileType, encoding, hex}
  'bbqr-join': async (req) => {
    const { joinQRs } = await bbqr();
    const r = joinQRs(req.parts);
    return { fileType: r.fileType, encoding: r.encoding, hex: Buffer.from(r.raw).toString('hex') };
  },

  // {hex, fileType, encoding, minSplit, maxVersion} → {version, encoding, parts}
  'bbqr-split': async (req) => {
    const { splitQRs } = await bbqr();
    const opts = { encoding: req.encoding };
    if (req.minSplit) opts.minSplit = req.minSplit;
    if (req.minVersion) opts.minVersion = req.minVersion;
    if (req.maxVersion) opts.maxVersion = req.maxVersion;
    const r = splitQRs(Uint8Array.from(Buffer.from(req.hex, 'hex')), req.fileType, opts);
    return { version: r.version, encoding: r.encoding, parts: r.parts };
  },

  // {items: [{descriptor, network, count}]} → {results: [{checksum, addresses}]}
  // Each descriptor is one without multipath; its #checksum is required and
  // verified by the library; checksum is recomputed over the text before
  // '#'; addresses are those at indexes 0..count-1. network is bitcoin,
  // testnet or regtest.
  'descriptors': async (req) => {
    const descriptors = await descriptorsLib();
    const { Output } = descriptors.DescriptorsFactory(descriptors.ecc);
    const results = req.items.map((item) => {
      const network = descriptors.networks[item.network];
      if (!network) throw new Error(`unknown network ${item.network}`);
      const addresses = [];
      for (let i = 0; i < item.count; i++) {
        addresses.push(new Output({ descriptor: item.descriptor, index: i, network, checksumRequired: true }).getAddress());
      }
      return { checksum: descriptors.checksum(item.descriptor.split('#')[0]), addresses };
    });
    return { results };
  },

  // {psbtHex} → {txid, inputs: [{txid, index, amount, sequence}],
  //              outputs: [{script, amount}], fee}
  // What @scure/btc-signer reads out of a PSBT; amounts in satoshis.
  'psbt-inspect': async (req) => {
    const { Transaction } = await btcSigner();
    const tx = Transaction.fromPSBT(bytesOf(req.psbtHex));
    const inputs = [];
    for (let i = 0; i < tx.inputsLength; i++) {
      const inp = tx.getInput(i);
      inputs.push({ txid: hexOf(inp.txid), index: inp.index, amount: Number(inp.witnessUtxo.amount), sequence: inp.sequence });
    }
    const outputs = [];
    for (let i = 0; i < tx.outputsLength; i++) {
      const out = tx.getOutput(i);
      outputs.push({ script: hexOf(out.script), amount: Number(out.amount) });
    }
    return { txid: tx.id, inputs, outputs, fee: Number(tx.fee) };
  },

  // {psbtHex, seedHex} → {psbtHex, signed}
  // Signs every input whose BIP32 or taproot BIP32 derivation names the
  // master key of the BIP32 seed (the key at that path), leaves the PSBT
  // unfinalized. signed counts the inputs signed.
  'psbt-sign': async (req) => {
    const { Transaction } = await btcSigner();
    const { HDKey } = await bip32();
    const master = HDKey.fromMasterSeed(bytesOf(req.seedHex));
    const fp = master.fingerprint;
    const tx = Transaction.fromPSBT(bytesOf(req.psbtHex));
    let signed = 0;
    for (let i = 0; i < tx.inputsLength; i++) {
      const inp = tx.getInput(i);
      const paths = [];
      for (const [, { der }] of inp.tapBip32Derivation || []) paths.push(der);
      for (const [, der] of inp.bip32Derivation || []) paths.push(der);
      for (const der of paths) {
        if (der.fingerprint !== fp) continue;
        const key = master.derive('m/' + der.path.map((s) => (s >= 0x80000000 ? `${s - 0x80000000}'` : `${s}`)).join('/'));
        if (tx.signIdx(key.privateKey, i)) signed++;
        break;
      }
    }
    return { psbtHex: hexOf(tx.toPSBT()), signed };
  },

  // {psbtHex} → {txHex}: finalize every input and extract the transaction.
  'psbt-finalize': async (req) => {
    const { Transaction } = await btcSigner();
    const tx = Transaction.fromPSBT(bytesOf(req.psbtHex));
    tx.finalize();
    return { txHex: hexOf(tx.extract()) };
  },

  // {texts} → {checksums}: BIP380 checksums of arbitrary descriptor texts
  // (a multipath descriptor included), without parsing them.
  // {message, txHex, coins: [{txid, vout, value, scriptHex}]} →
  // {totalSat, coins, commitment}: a BIP127 proof of reserves checked with
  // bitcoinjs-lib and @noble/curves (bip127_verify.mjs); an error names
  // what does not hold.
  'bip127-verify': async (req) => (await import('./bip127_verify.mjs')).verifyProof(req),

  'checksum': async (req) => {
    const descriptors = await descriptorsLib();
    return { checksums: req.texts.map((t) => descriptors.checksum(t)) };
  },
};

// hdKeyFields lists what Keystone's CryptoHDKey holds, for comparison.
const hdKeyFields = (k) => ({
  keyHex: hexOf(k.getKey()),
  chainHex: k.getChainCode() ? hexOf(k.getChainCode()) : '',
  bip32: k.getBip32Key(), // always with the mainnet xpub version
  originPath: k.getOrigin() ? k.getOrigin().getPath() : '',
  sourceFingerprint: k.getOrigin() && k.getOrigin().getSourceFingerprint() ? hexOf(k.getOrigin().getSourceFingerprint()) : '',
  depth: k.getOrigin() ? (k.getOrigin().getDepth() ?? -1) : -1,
  childrenPath: k.getChildren() ? k.getChildren().getPath() : '',
  parentFingerprint: k.getParentFingerprint() ? hexOf(k.getParentFingerprint()) : '',
  network: k.getUseInfo() ? k.getUseInfo().getNetwork() : -1,
  isPrivate: k.isPrivateKey(),
});

Object.assign(commands, {
  // {cborHex} → {scriptTags, threshold, keys: [hdKeyFields…]}
  // Reads a crypto-output message with Keystone's registry.
  'crypto-output-read': async (req) => {
    const { CryptoOutput } = await urRegistry();
    const out = CryptoOutput.fromCBOR(Buffer.from(req.cborHex, 'hex'));
    const scriptTags = out.getScriptExpressions().map((e) => (e ? e.getTag() : 0));
    const multi = out.getMultiKey();
    if (multi) {
      return { scriptTags, threshold: multi.getThreshold(), keys: multi.getKeys().map(hdKeyFields) };
    }
    return { scriptTags, threshold: 1, keys: [hdKeyFields(out.getHDKey())] };
  },

  // {scriptTags, threshold, keys: [{keyHex, chainHex, path: [[index, hardened]…],
  //   sourceFingerprint, parentFingerprint, network, children: [index]|null}]}
  //   → {cborHex}
  // Builds a crypto-output with Keystone's registry, as Keystone exports one.
  'crypto-output-write': async (req) => {
    const reg = await urRegistry();
    const { CryptoOutput, CryptoHDKey, CryptoKeypath, CryptoCoinInfo, CryptoCoinInfoType, CryptoCoinInfoNetwork, PathComponent, MultiKey, ScriptExpressions } = reg;
    const byTag = Object.fromEntries(Object.values(ScriptExpressions).map((e) => [e.getTag(), e]));
    const keys = req.keys.map((k) => new CryptoHDKey({
      isMaster: false,
      key: Buffer.from(k.keyHex, 'hex'),
      chainCode: Buffer.from(k.chainHex, 'hex'),
      useInfo: new CryptoCoinInfo(CryptoCoinInfoType.bitcoin, k.network === 0 ? CryptoCoinInfoNetwork.mainnet : CryptoCoinInfoNetwork.testnet),
      origin: new CryptoKeypath(k.path.map(([index, hardened]) => new PathComponent({ index, hardened })), Buffer.from(k.sourceFingerprint, 'hex'), k.path.length),
      children: k.children ? new CryptoKeypath([new PathComponent({ index: k.children[0], hardened: false }), new PathComponent({ hardened: false })]) : undefined,
      parentFingerprint: Buffer.from(k.parentFingerprint, 'hex'),
    }));
    const scripts = req.scriptTags.map((t) => {
      if (!byTag[t]) throw new Error(`Keystone's registry has no script expression ${t}`);
      return byTag[t];
    });
    const key = keys.length > 1 || req.multi ? new MultiKey(req.threshold, keys) : keys[0];
    return { cborHex: hexOf(new CryptoOutput(scripts, key).toCBOR()) };
  },
});

async function main() {
  const name = process.argv[2];
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`usage: node ref.mjs (${Object.keys(commands).join('|')}) < request.json\n`);
    process.exit(2);
  }
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  try {
    process.stdout.write(JSON.stringify(await cmd(JSON.parse(input))) + '\n');
  } catch (e) {
    process.stderr.write(`${name}: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  }
}

main();
