#!/usr/bin/env python3
"""ash_recover.py: recover an airsign key from its share cards, and check it
against the wallet backup sheet, with nothing but Python 3's standard library.

Written from docs/shares.md ("ash1 shares, spec v1") and docs/recovery.md
alone: it shares no code with airsign. RIPEMD-160 (for fingerprints and
addresses) comes from hashlib when OpenSSL provides it, else from the plain
implementation below (ASH_PURE_RIPEMD=1 forces that one).

  python3 ash_recover.py [--share-file F]... [--sheet SHEET.txt] [--show-secret] [--show-xprv]
      Shares come from --share-file (one share a file) or, one a line, from
      standard input until an empty line or end of input (on a terminal it
      prompts). A mistyped share is named by its card's share number and
      the block that looks wrong; with more than T shares, bad ones are left
      out (and named) when the good ones are enough. Prints the share
      set, the key's fingerprint F (checked against the shares); with
      --sheet, rebuilds the sheet's descriptor from the key and the sheet's
      text and checks the xpub, the descriptor and the first receive
      addresses. --show-secret prints the mnemonic (and entropy);
      --show-xprv the master private key for Bitcoin Core: SECRETS, on the
      offline computer only.
  python3 ash_recover.py --slip132 XPUB --type wsh|sh-wsh
      The same key with Electrum's multisig version bytes (Zpub/Ypub, Vpub/Upub).

Exit status 0 when everything checked, 1 on any refusal or mismatch.
"""

import argparse
import hashlib
import hmac
import itertools
import os
import sys

# ---------------------------------------------------------------- bech32m

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32M_CONST = 0x2BC830A3
GEN = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
SEPARATORS = " -\t\n\r\v\f"
DATA_LENGTHS = {58: 16, 64: 20, 70: 24, 77: 28, 83: 32}


class Refused(Exception):
    pass


def polymod(values):
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= GEN[i]
    return chk


def hrp_expand(hrp):
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_encode(hrp, data, const):
    values = hrp_expand(hrp) + data
    pm = polymod(values + [0] * 6) ^ const
    return hrp + "1" + "".join(CHARSET[d] for d in data + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])


def convertbits(data, frombits, tobits, pad):
    acc, bits, out, maxv = 0, 0, [], (1 << tobits) - 1
    for v in data:
        acc = (acc << frombits) | v
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (tobits - bits)) & maxv)
    elif not pad and (acc & ((1 << bits) - 1)):
        return None  # non-zero padding bits
    return out


# ---------------------------------------------------------------- shares


def block_of(pos):
    """The block number a card prints above character pos of the share
    without spaces ("ash1" is block 1)."""
    return pos // 4 + 1


def single_fixes(values):
    """Positions (in the data) where one changed character gives a valid
    checksum, with the share those values would give. Used only to name the
    block of a typo (docs/shares.md); the share is never corrected."""
    base = hrp_expand("ash")
    out = []
    for j in range(len(values)):
        for v in range(32):
            if v == values[j]:
                continue
            trial = values[:j] + [v] + values[j + 1:]
            if polymod(base + trial) == BECH32M_CONST:
                out.append((j, trial))
    return out


def card_number(values):
    """The share number (byte 11) the data values hold, or None."""
    raw = convertbits(values[:-6], 5, 8, True)
    return raw[11] if raw is not None and len(raw) > 11 else None


def decode_share(text, label):
    """Step 1 of docs/shares.md: reading rules, checksum, bytes, fields.
    label says where the share came from (line N, or a file); errors name
    the card's own share number when it can be read, and the block."""
    s = "".join(c for c in text if c not in SEPARATORS).lower()
    if not s.startswith("ash1"):
        raise Refused(f"{label}: does not start with ash1")
    data = s[4:]
    for j, c in enumerate(data):
        if c not in CHARSET:
            raise Refused(f"{label}: {c!r} in block {block_of(4 + j)} is not a share character: shares use the letters a-z and "
                          "the digits 0, 2-9, never b, i, o or 1 after ash1 (case does not matter; spaces and dashes are ignored)")
    if len(data) not in DATA_LENGTHS:
        raise Refused(f"{label}: {len(data)} data characters, not 58, 64, 70, 77 or 83 (a block is missing, doubled, or a character dropped or added)")
    values = [CHARSET.index(c) for c in data]
    if polymod(hrp_expand("ash") + values) != BECH32M_CONST:
        fixes = single_fixes(values)
        blocks = sorted({block_of(4 + j) for j, _ in fixes})
        numbers = sorted({n for n in (card_number(v) for _, v in fixes) if n})
        who = label
        if len(numbers) == 1:
            who = f"{label} (share {numbers[0]} of its set)"
        if len(blocks) == 1:
            raise Refused(f"{who}: checksum mismatch: block {blocks[0]} looks mistyped; compare it with the card")
        if blocks:
            raise Refused(f"{who}: checksum mismatch: one of blocks {', '.join(map(str, blocks))} looks mistyped; compare them with the card")
        raise Refused(f"{who}: checksum mismatch: more than one character is mistyped; compare the blocks one by one with the card")
    raw = convertbits(values[:-6], 5, 8, False)
    if raw is None:
        raise Refused(f"{label}: non-zero padding bits")
    b = bytes(raw)
    L = DATA_LENGTHS[len(data)]
    if len(b) != 12 + L + 4:
        raise Refused(f"{label}: {len(b)} bytes for a {L}-byte secret")
    version, setid, t, n, fp, idx = b[0], b[1:5], b[5], b[6], b[7:11], b[11]
    if version != 1:
        raise Refused(f"{label}: version {version}, not 1")
    if not 2 <= t <= 16:
        raise Refused(f"{label}: threshold {t} outside 2..16")
    if not t <= n <= 16:
        raise Refused(f"{label}: count {n} outside {t}..16")
    if idx == 0 or idx > n:
        raise Refused(f"{label}: index {idx} outside 1..{n}")
    name = f"share {idx}" if label.startswith("line ") else f"share {idx} ({label})"
    return {"label": name, "header": b[:11], "setid": setid, "t": t, "n": n, "fp": fp,
            "index": idx, "payload": b[12:], "L": L}


def gf_mul(a, b):
    r = 0
    while b:
        if b & 1:
            r ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11B
        b >>= 1
    return r


def gf_inv(a):
    r = 1  # a^254
    for _ in range(254):
        r = gf_mul(r, a)
    return r


def interpolate(subset):
    """Step 3: Lagrange at 0 over GF(2^8), x = share index."""
    xs = [s["index"] for s in subset]
    weights = []
    for j, xj in enumerate(xs):
        l = 1
        for m, xm in enumerate(xs):
            if m != j:
                l = gf_mul(l, gf_mul(xm, gf_inv(xm ^ xj)))
        weights.append(l)
    out = bytearray(len(subset[0]["payload"]))
    for s, l in zip(subset, weights):
        for k, y in enumerate(s["payload"]):
            out[k] ^= gf_mul(y, l)
    return bytes(out)


def digest_ok(header, m, L):
    return hmac.new(header, m[:L], hashlib.sha256).digest()[:4] == m[L:]


def combine(shares):
    """Steps 2-4: one set, no duplicates, any T-subset whose digest checks,
    and every other share on the same polynomials."""
    if not shares:
        raise Refused("no shares given")
    first = shares[0]
    for s in shares[1:]:
        if s["setid"] != first["setid"]:
            raise Refused(f"{s['label']} is from set {s['setid'].hex()}, {first['label']} from {first['setid'].hex()}: two splits mixed")
        if (s["t"], s["n"], s["fp"], s["L"]) != (first["t"], first["n"], first["fp"], first["L"]):
            raise Refused(f"{s['label']} and {first['label']} disagree on T, N, fingerprint or length: one is corrupted or forged")
    seen = {}
    for s in shares:
        o = seen.get(s["index"])
        if o is not None:
            if o["payload"] == s["payload"]:
                raise Refused(f"{o['label']} and {s['label']} are the same share given twice")
            raise Refused(f"{o['label']} and {s['label']} both have index {s['index']} but differ")
        seen[s["index"]] = s
    t, L = first["t"], first["L"]
    if len(shares) < t:
        raise Refused(f"need {t} shares, got {len(shares)}: find another card of set {first['setid'].hex().upper()} "
                      f"(its \"Set\" line; any {t} of its {first['n']} cards)")
    for subset in itertools.combinations(shares, t):
        m = interpolate(list(subset))
        if not digest_ok(first["header"], m, L):
            continue
        bad = []
        for s in shares:
            if s in subset:
                continue
            if interpolate(list(subset[1:]) + [s]) != m:
                bad.append(s["label"])
        for label in bad:
            print(f"ash_recover: {label} does not fit the others (corrupted or forged): left out; "
                  f"the key is rebuilt from {', '.join(x['label'] for x in subset)}", file=sys.stderr)
        return m[:L]
    raise Refused("no T of the shares pass the digest: at least one is forged, corrupted or from another split")


# ---------------------------------------------------------------- BIP39, BIP32, secp256k1

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def point_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        lam = 3 * a[0] * a[0] * pow(2 * a[1], -1, P) % P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, P) % P
    x = (lam * lam - a[0] - b[0]) % P
    return (x, (lam * (a[0] - x) - a[1]) % P)


def point_mul(k, pt=G):
    r = None
    while k:
        if k & 1:
            r = point_add(r, pt)
        pt = point_add(pt, pt)
        k >>= 1
    return r


def ser_p(pt):
    return bytes([2 + (pt[1] & 1)]) + pt[0].to_bytes(32, "big")


def lift_x(x):
    y = pow((pow(x, 3, P) + 7) % P, (P + 1) // 4, P)
    if (y * y - x ** 3 - 7) % P:
        raise Refused("not a point on secp256k1")
    return (x, y if y % 2 == 0 else P - y)


def parse_p(b):
    pt = lift_x(int.from_bytes(b[1:], "big"))
    return pt if (pt[1] & 1) == (b[0] & 1) else (pt[0], P - pt[1])


# RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996), for Pythons whose
# hashlib lacks it (OpenSSL 3 without the legacy provider).
_RL = [*range(16),
       7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
       3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
       1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
       4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13]
_RR = [5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
       6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
       15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
       8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
       12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11]
_SL = [11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
       7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
       11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
       11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
       9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6]
_SR = [8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
       9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
       9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
       15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
       8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11]
_KL = [0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E]
_KR = [0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000]
_M = 0xFFFFFFFF


def _f(j, x, y, z):
    if j == 0:
        return x ^ y ^ z
    if j == 1:
        return (x & y) | (~x & z)
    if j == 2:
        return (x | ~y) ^ z
    if j == 3:
        return (x & z) | (y & ~z)
    return x ^ (y | ~z)


def _rol(x, n):
    return ((x << n) | (x >> (32 - n))) & _M


def ripemd160(msg):
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    msg = bytes(msg) + b"\x80" + b"\0" * ((55 - len(msg)) % 64) + (8 * len(msg) & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    for off in range(0, len(msg), 64):
        x = [int.from_bytes(msg[off + 4 * i:off + 4 * i + 4], "little") for i in range(16)]
        al, bl, cl, dl, el = h
        ar, br, cr, dr, er = h
        for j in range(80):
            rnd = j // 16
            t = (_rol((al + (_f(rnd, bl, cl, dl) & _M) + x[_RL[j]] + _KL[rnd]) & _M, _SL[j]) + el) & _M
            al, el, dl, cl, bl = el, dl, _rol(cl, 10), bl, t
            t = (_rol((ar + (_f(4 - rnd, br, cr, dr) & _M) + x[_RR[j]] + _KR[rnd]) & _M, _SR[j]) + er) & _M
            ar, er, dr, cr, br = er, dr, _rol(cr, 10), br, t
        h = [(h[1] + cl + dr) & _M, (h[2] + dl + er) & _M, (h[3] + el + ar) & _M, (h[4] + al + br) & _M, (h[0] + bl + cr) & _M]
    return b"".join(v.to_bytes(4, "little") for v in h)


def _ripemd160(b):
    if os.environ.get("ASH_PURE_RIPEMD") != "1":
        try:
            return hashlib.new("ripemd160", b).digest()
        except ValueError:
            pass  # OpenSSL 3 without the legacy provider
    return ripemd160(b)


def hash160(b):
    return _ripemd160(hashlib.sha256(b).digest())


def mnemonic_of(entropy, words):
    bits = bin(int.from_bytes(entropy, "big"))[2:].zfill(len(entropy) * 8)
    cs = bin(hashlib.sha256(entropy).digest()[0] >> (8 - len(entropy) // 4))[2:].zfill(len(entropy) // 4)
    bits += cs
    return " ".join(words[int(bits[i:i + 11], 2)] for i in range(0, len(bits), 11))


def master_of(mnemonic):
    # Empty passphrase, always (docs/shares.md).
    seed = hashlib.pbkdf2_hmac("sha512", mnemonic.encode(), b"mnemonic", 2048, 64)
    i = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    return int.from_bytes(i[:32], "big"), i[32:]


def ckd_priv(k, c, index):
    if index >= 0x80000000:
        data = b"\0" + k.to_bytes(32, "big") + index.to_bytes(4, "big")
    else:
        data = ser_p(point_mul(k)) + index.to_bytes(4, "big")
    i = hmac.new(c, data, hashlib.sha512).digest()
    return (int.from_bytes(i[:32], "big") + k) % N, i[32:]


def ckd_pub(pt, c, index):
    i = hmac.new(c, ser_p(pt) + index.to_bytes(4, "big"), hashlib.sha512).digest()
    return point_add(point_mul(int.from_bytes(i[:32], "big")), pt), i[32:]


# ---------------------------------------------------------------- base58

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check_encode(b):
    b = b + hashlib.sha256(hashlib.sha256(b).digest()).digest()[:4]
    n, s = int.from_bytes(b, "big"), ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + s


def b58check_decode(s):
    n = 0
    for c in s:
        n = n * 58 + B58.index(c)
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    b = b"\0" * (len(s) - len(s.lstrip("1"))) + b
    if hashlib.sha256(hashlib.sha256(b[:-4]).digest()).digest()[:4] != b[-4:]:
        raise Refused("an xpub's base58 checksum is wrong")
    return b[:-4]


XPUB = {"main": bytes.fromhex("0488b21e"), "test": bytes.fromhex("043587cf")}
XPRV = {"main": bytes.fromhex("0488ade4"), "test": bytes.fromhex("04358394")}
SLIP132 = {("main", "wsh"): "02aa7ed3", ("main", "sh-wsh"): "0295b43f",
           ("test", "wsh"): "02575483", ("test", "sh-wsh"): "024289ef"}


# ---------------------------------------------------------------- descriptors (BIP380)

DESC_INPUT = ("0123456789()[],'/*abcdefgh@:$%{}"
              "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
              "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ")
DESC_GEN = [0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD]


def desc_checksum(s):
    c, cls, clscount = 1, 0, 0

    def step(c, v):
        top = c >> 35
        c = (c & 0x7FFFFFFFF) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                c ^= DESC_GEN[i]
        return c
    for ch in s:
        pos = DESC_INPUT.find(ch)
        if pos < 0:
            raise Refused("a character a descriptor cannot hold")
        c = step(c, pos & 31)
        cls = cls * 3 + (pos >> 5)
        clscount += 1
        if clscount == 3:
            c, cls, clscount = step(c, cls), 0, 0
    if clscount:
        c = step(c, cls)
    for _ in range(8):
        c = step(c, 0)
    c ^= 1
    return "".join(CHARSET[(c >> (5 * (7 - i))) & 31] for i in range(8))


def parse_path(text):
    out = []
    for step in text.split("/"):
        hard = step[-1:] in ("h", "'", "H")
        out.append(int(step[:-1] if hard else step) + (0x80000000 if hard else 0))
    return out


def parse_key(k):
    if not k.startswith("["):
        raise Refused("a key without its origin [fingerprint/path]")
    origin, rest = k[1:].split("]", 1)
    fp, _, path = origin.partition("/")
    xpub, _, suffix = rest.partition("/")
    raw = b58check_decode(xpub)
    return {"fp": bytes.fromhex(fp), "path_text": path, "path": parse_path(path) if path else [],
            "xpub": xpub, "suffix": "/" + suffix, "chain": raw[13:45], "pub": raw[45:78], "version": raw[:4]}


def parse_descriptor(line):
    body, _, checksum = line.partition("#")
    if desc_checksum(body) != checksum:
        raise Refused("the sheet's descriptor does not match its checksum")
    shape, inner = [], body
    while True:
        for f in ("sh(", "wsh(", "wpkh(", "tr(", "sortedmulti("):
            if inner.startswith(f) and inner.endswith(")"):
                shape.append(f[:-1])
                inner = inner[len(f):-1]
                break
        else:
            break
        if shape[-1] in ("wpkh", "tr", "sortedmulti"):
            break
    shape = "(".join(shape)
    threshold = None
    if shape.endswith("sortedmulti"):
        k, inner = inner.split(",", 1)
        threshold = int(k)
    keys = [parse_key(k) for k in inner.split(",")]
    if shape not in ("wpkh", "sh(wpkh", "tr", "wsh(sortedmulti", "sh(wsh(sortedmulti"):
        raise Refused("a descriptor shape this script does not know: " + shape)
    return {"shape": shape, "threshold": threshold, "keys": keys, "body": body}


def format_descriptor(d):
    keys = ",".join("[" + k["fp"].hex() + "/" + k["path_text"] + "]" + k["xpub"] + k["suffix"] for k in d["keys"])
    if d["threshold"] is not None:
        keys = f"{d['threshold']},{keys}"
    body = d["shape"] + "(" + keys + ")" * (d["shape"].count("(") + 1)
    return body + "#" + desc_checksum(body)


# ---------------------------------------------------------------- addresses

NETWORKS = {"bitcoin mainnet": ("main", "bc", 0x05), "testnet3": ("test", "tb", 0xC4),
            "signet": ("test", "tb", 0xC4), "regtest": ("test", "bcrt", 0xC4)}


def segwit(hrp, version, program):
    return bech32_encode(hrp, [version] + convertbits(program, 8, 5, True), 1 if version == 0 else BECH32M_CONST)


def tagged(tag, msg):
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + msg).digest()


def address(d, net, branch, index):
    _, hrp, p2sh = NETWORKS[net]
    pubs = []
    for k in d["keys"]:
        pt, c = parse_p(k["pub"]), k["chain"]
        for step in (branch, index):
            pt, c = ckd_pub(pt, c, step)
        pubs.append(pt)
    shape = d["shape"]
    if shape == "wpkh":
        return segwit(hrp, 0, hash160(ser_p(pubs[0])))
    if shape == "sh(wpkh":
        return b58check_encode(bytes([p2sh]) + hash160(b"\x00\x14" + hash160(ser_p(pubs[0]))))
    if shape == "tr":
        x = pubs[0][0].to_bytes(32, "big")
        q = point_add(lift_x(pubs[0][0]), point_mul(int.from_bytes(tagged("TapTweak", x), "big")))
        return segwit(hrp, 1, q[0].to_bytes(32, "big"))
    keys = sorted(ser_p(p) for p in pubs)
    script = bytes([0x50 + d["threshold"]]) + b"".join(b"\x21" + k for k in keys) + bytes([0x50 + len(keys), 0xAE])
    program = hashlib.sha256(script).digest()
    if shape == "wsh(sortedmulti":
        return segwit(hrp, 0, program)
    return b58check_encode(bytes([p2sh]) + hash160(b"\x00\x20" + program))


# ---------------------------------------------------------------- the sheet


def sheet_notes(path):
    """What a sheet says besides the wallet: who keeps a BIP39 passphrase
    (its "Passphrase: YES … kept by NAME" line), and, for a key made as a
    multisig cosigner, its "As cosigner:" path and xpub."""
    notes = {"passphrase": None, "cosigner": None}
    lines = [l.strip() for l in open(path, encoding="utf-8")]
    for i, line in enumerate(lines):
        if line.startswith("Passphrase:") and "YES" in line:
            holder = line.split("kept by", 1)[1].split(", never written", 1)[0].strip() if "kept by" in line else "its holder"
            notes["passphrase"] = holder
        elif line.startswith("As cosigner:") and i + 1 < len(lines):
            path_text = line.split("path m/", 1)[1].split(" ", 1)[0] if "path m/" in line else ""
            notes["cosigner"] = (path_text, lines[i + 1].split()[0] if lines[i + 1] else "")
    return notes


def read_sheet(path):
    net, desc, first = None, None, []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("Network:"):
            net = line[len("Network:"):].strip()
        elif line.startswith("descriptor:"):
            desc = line[len("descriptor:"):].strip()
        elif desc and len(first) < 3 and line.startswith(f"{len(first)}  "):
            first.append(line[1:].strip())
    if net not in NETWORKS or not desc or len(first) != 3:
        raise Refused(f"{path}: not a wallet backup sheet (needs the Network:, descriptor: and three address lines)")
    return net, desc, first


def check_sheet(path, fp, master):
    net, line, first = read_sheet(path)
    d = parse_descriptor(line)
    kind = NETWORKS[net][0]
    notes = sheet_notes(path)
    mine = [k for k in d["keys"] if k["fp"] == fp]
    if not mine and notes["passphrase"]:
        raise Refused(f"this wallet needs {notes['passphrase']}'s BIP39 passphrase: the cards give the words alone (key {fp.hex()}), "
                      f"the sheet's wallet is those words with the passphrase. Print the words (--show-secret) and type them, with "
                      f"{notes['passphrase']}'s passphrase, into a wallet program (docs/recovery.md, section 1); this script knows no passphrase")
    if not mine:
        raise Refused(f"the key {fp.hex()} is not in the sheet's wallet")
    for k in mine:
        xpub = xpub_at(master, k["path"], kind)
        if xpub != k["xpub"]:
            raise Refused(f"the key's xpub at m/{k['path_text']} is not the sheet's: wrong shares, or the sheet belongs to another key")
        k["xpub"] = xpub  # rebuilt from the key, not copied
        print(f"sheet: key {fp.hex()} at m/{k['path_text']} gives the sheet's xpub")
    rebuilt = format_descriptor(d)
    if rebuilt != line:
        raise Refused("the descriptor rebuilt from the key and the sheet differs from the sheet's line")
    print(f"sheet: descriptor rebuilt: {rebuilt}")
    wallet_id = hashlib.sha256(rebuilt.encode()).hexdigest()[:8]
    print(f"sheet: wallet ID {wallet_id}")
    for i, want in enumerate(first):
        got = address(d, net, 0, i)
        if got != want:
            raise Refused(f"receive address {i} is {got}, the sheet says {want}")
        print(f"sheet: receive {i} {got} as on the sheet")
    if notes["cosigner"] and d["threshold"] is None:
        check_cosigner(notes["cosigner"], kind, fp, master)
        raise Refused(f"the key {fp.hex()} is right, but this sheet's single-key wallet is NOT the wallet: the key is a COSIGNER of a multisig, "
                      "and the money is in the multisig. Check the key against the multisig's own sheet (threshold, every cosigner's xpub; "
                      "kept with the cards): ash_recover.py --sheet wallet-sheet-MULTISIG-ID.txt")


def xpub_at(master, path, kind):
    priv, chain = master
    parent = None
    for step in path:
        parent = priv
        priv, chain = ckd_priv(priv, chain, step)
    pfp = hash160(ser_p(point_mul(parent)))[:4] if parent is not None else b"\0" * 4
    child = path[-1] if path else 0
    return b58check_encode(XPUB[kind] + bytes([len(path)]) + pfp + child.to_bytes(4, "big") + chain + ser_p(point_mul(priv)))


def check_cosigner(cos, kind, fp, master):
    """The "As cosigner:" xpub of a cosigner key's sheet, rebuilt from the key."""
    path_text, xpub = cos
    if not path_text or xpub_at(master, parse_path(path_text), kind) != xpub:
        raise Refused(f"the key {fp.hex()}'s cosigner xpub at m/{path_text} is not the sheet's \"As cosigner\" xpub")
    print(f"sheet: key {fp.hex()} at m/{path_text} gives the sheet's cosigner xpub {xpub}")


def slip132(xpub, typ):
    raw = b58check_decode(xpub)
    kind = "main" if raw[:4] == XPUB["main"] else "test"
    return b58check_encode(bytes.fromhex(SLIP132[(kind, typ)]) + raw[4:])


def main():
    ap = argparse.ArgumentParser(
        description="Recover an airsign key from ash1 shares (docs/shares.md) and check it against the wallet backup sheet "
                    "(docs/recovery.md). Without --share-file, type the shares one a line; an empty line ends.",
        epilog="Exit status 0 when everything checked, 1 on any refusal or mismatch. Secrets (--show-secret, --show-xprv): offline computer only.")
    ap.add_argument("--share-file", action="append", default=[], metavar="FILE",
                    help="a file holding one share (give it once per share); without it, shares are read from standard input")
    ap.add_argument("--sheet", metavar="SHEET.txt",
                    help="the wallet backup sheet's text file: rebuild its descriptor, xpub and first three addresses from the key and compare")
    ap.add_argument("--show-secret", action="store_true",
                    help="print the BIP39 mnemonic (the words to type into a wallet program) and the entropy: SECRET")
    ap.add_argument("--show-xprv", action="store_true",
                    help="print the master private key (xprv/tprv) of the words alone, without any BIP39 passphrase, for Bitcoin Core: SECRET")
    ap.add_argument("--slip132", metavar="XPUB",
                    help="print XPUB with Electrum's multisig version bytes (Zpub/Ypub, Vpub/Upub), then stop; needs no share")
    ap.add_argument("--type", choices=["wsh", "sh-wsh"], default="wsh",
                    help="with --slip132: the multisig's script type, wsh (P2WSH, default) or sh-wsh (P2SH-P2WSH)")
    a = ap.parse_args()
    try:
        if a.slip132:
            print(slip132(a.slip132, a.type))
            return 0
        texts = [(open(f).read(), f) for f in a.share_file]
        if not texts:
            tty = sys.stdin.isatty()
            if tty:
                print("Type the shares from the cards, one a line (spaces and dashes are ignored); an empty line ends.", file=sys.stderr)
            n = 0
            while True:
                n += 1
                if tty:
                    print(f"share line {n}: ", end="", file=sys.stderr, flush=True)
                line = sys.stdin.readline()
                if not line.strip():
                    break
                texts.append((line, f"line {n}"))
        shares, bad = [], []
        for t, label in texts:
            try:
                shares.append(decode_share(t, label))
            except Refused as e:
                bad.append(e)
        if bad:
            t = shares[0]["t"] if shares else None
            if t is None or len(shares) < t:
                raise bad[0]
            for e in bad:
                print(f"ash_recover: left out: {e}", file=sys.stderr)
            print(f"ash_recover: {len(shares)} good shares are enough ({t} needed): the key is rebuilt from them", file=sys.stderr)
        entropy = combine(shares)
        s0 = shares[0]
        print(f"shares: set {s0['setid'].hex()}, {s0['t']} of {s0['n']}, indexes "
              + " ".join(str(s["index"]) for s in sorted(shares, key=lambda s: s["index"])))
        words = WORDLIST.split()
        if len(words) != 2048 or hashlib.sha256(("\n".join(words) + "\n").encode()).hexdigest() != WORDLIST_SHA256:
            raise Refused("the embedded BIP39 word list is damaged")
        mnemonic = mnemonic_of(entropy, words)
        master = master_of(mnemonic)
        fp = hash160(ser_p(point_mul(master[0])))[:4]
        if fp != s0["fp"]:
            raise Refused(f"the key's fingerprint {fp.hex()} is not the shares' {s0['fp'].hex()}")
        print(f"fingerprint: {fp.hex()} (as in the shares)")
        if a.show_secret:
            print(f"entropy: {entropy.hex()}")
            print(f"mnemonic: {mnemonic}")
        if a.show_xprv:
            kind = "main"
            if a.sheet:
                kind = NETWORKS[read_sheet(a.sheet)[0]][0]
                holder = sheet_notes(a.sheet)["passphrase"]
                if holder:
                    print(f"ash_recover: WARNING: the sheet says this wallet needs {holder}'s BIP39 passphrase; this xprv is of the words ALONE, "
                          "without it: it is not the wallet's key. Use the words and the passphrase in a wallet program instead.", file=sys.stderr)
            print("xprv: " + b58check_encode(XPRV[kind] + b"\0" * 9 + master[1] + b"\0" + master[0].to_bytes(32, "big")))
        if a.sheet:
            check_sheet(a.sheet, fp, master)
        print("OK")
        return 0
    except Refused as e:
        print(f"ash_recover: {e}", file=sys.stderr)
        return 1


WORDLIST_SHA256 = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
# The BIP39 English word list, 2048 words (its SHA-256, one word a line, is above).
WORDLIST = """
abandon ability able about above absent absorb abstract absurd abuse access accident
account accuse achieve acid acoustic acquire across act action actor actress actual
adapt add addict address adjust admit adult advance advice aerobic affair afford afraid
again age agent agree ahead aim air airport aisle alarm album alcohol alert alien all
alley allow almost alone alpha already also alter always amateur amazing among amount
amused analyst anchor ancient anger angle angry animal ankle announce annual another
answer antenna antique anxiety any apart apology appear apple approve april arch arctic
area arena argue arm armed armor army around arrange arrest arrive arrow art artefact
artist artwork ask aspect assault asset assist assume asthma athlete atom attack attend
attitude attract auction audit august aunt author auto autumn average avocado avoid
awake aware away awesome awful awkward axis baby bachelor bacon badge bag balance
balcony ball bamboo banana banner bar barely bargain barrel base basic basket battle
beach bean beauty because become beef before begin behave behind believe below belt
bench benefit best betray better between beyond bicycle bid bike bind biology bird birth
bitter black blade blame blanket blast bleak bless blind blood blossom blouse blue blur
blush board boat body boil bomb bone bonus book boost border boring borrow boss bottom
bounce box boy bracket brain brand brass brave bread breeze brick bridge brief bright
bring brisk broccoli broken bronze broom brother brown brush bubble buddy budget buffalo
build bulb bulk bullet bundle bunker burden burger burst bus business busy butter buyer
buzz cabbage cabin cable cactus cage cake call calm camera camp can canal cancel candy
cannon canoe canvas canyon capable capital captain car carbon card cargo carpet carry
cart case cash casino castle casual cat catalog catch category cattle caught cause
caution cave ceiling celery cement census century cereal certain chair chalk champion
change chaos chapter charge chase chat cheap check cheese chef cherry chest chicken
chief child chimney choice choose chronic chuckle chunk churn cigar cinnamon circle
citizen city civil claim clap clarify claw clay clean clerk clever click client cliff
climb clinic clip clock clog close cloth cloud clown club clump cluster clutch coach
coast coconut code coffee coil coin collect color column combine come comfort comic
common company concert conduct confirm congress connect consider control convince cook
cool copper copy coral core corn correct cost cotton couch country couple course cousin
cover coyote crack cradle craft cram crane crash crater crawl crazy cream credit creek
crew cricket crime crisp critic crop cross crouch crowd crucial cruel cruise crumble
crunch crush cry crystal cube culture cup cupboard curious current curtain curve cushion
custom cute cycle dad damage damp dance danger daring dash daughter dawn day deal debate
debris decade december decide decline decorate decrease deer defense define defy degree
delay deliver demand demise denial dentist deny depart depend deposit depth deputy
derive describe desert design desk despair destroy detail detect develop device devote
diagram dial diamond diary dice diesel diet differ digital dignity dilemma dinner
dinosaur direct dirt disagree discover disease dish dismiss disorder display distance
divert divide divorce dizzy doctor document dog doll dolphin domain donate donkey donor
door dose double dove draft dragon drama drastic draw dream dress drift drill drink drip
drive drop drum dry duck dumb dune during dust dutch duty dwarf dynamic eager eagle
early earn earth easily east easy echo ecology economy edge edit educate effort egg
eight either elbow elder electric elegant element elephant elevator elite else embark
embody embrace emerge emotion employ empower empty enable enact end endless endorse
enemy energy enforce engage engine enhance enjoy enlist enough enrich enroll ensure
enter entire entry envelope episode equal equip era erase erode erosion error erupt
escape essay essence estate eternal ethics evidence evil evoke evolve exact example
excess exchange excite exclude excuse execute exercise exhaust exhibit exile exist exit
exotic expand expect expire explain expose express extend extra eye eyebrow fabric face
faculty fade faint faith fall false fame family famous fan fancy fantasy farm fashion
fat fatal father fatigue fault favorite feature february federal fee feed feel female
fence festival fetch fever few fiber fiction field figure file film filter final find
fine finger finish fire firm first fiscal fish fit fitness fix flag flame flash flat
flavor flee flight flip float flock floor flower fluid flush fly foam focus fog foil
fold follow food foot force forest forget fork fortune forum forward fossil foster found
fox fragile frame frequent fresh friend fringe frog front frost frown frozen fruit fuel
fun funny furnace fury future gadget gain galaxy gallery game gap garage garbage garden
garlic garment gas gasp gate gather gauge gaze general genius genre gentle genuine
gesture ghost giant gift giggle ginger giraffe girl give glad glance glare glass glide
glimpse globe gloom glory glove glow glue goat goddess gold good goose gorilla gospel
gossip govern gown grab grace grain grant grape grass gravity great green grid grief
grit grocery group grow grunt guard guess guide guilt guitar gun gym habit hair half
hammer hamster hand happy harbor hard harsh harvest hat have hawk hazard head health
heart heavy hedgehog height hello helmet help hen hero hidden high hill hint hip hire
history hobby hockey hold hole holiday hollow home honey hood hope horn horror horse
hospital host hotel hour hover hub huge human humble humor hundred hungry hunt hurdle
hurry hurt husband hybrid ice icon idea identify idle ignore ill illegal illness image
imitate immense immune impact impose improve impulse inch include income increase index
indicate indoor industry infant inflict inform inhale inherit initial inject injury
inmate inner innocent input inquiry insane insect inside inspire install intact interest
into invest invite involve iron island isolate issue item ivory jacket jaguar jar jazz
jealous jeans jelly jewel job join joke journey joy judge juice jump jungle junior junk
just kangaroo keen keep ketchup key kick kid kidney kind kingdom kiss kit kitchen kite
kitten kiwi knee knife knock know lab label labor ladder lady lake lamp language laptop
large later latin laugh laundry lava law lawn lawsuit layer lazy leader leaf learn leave
lecture left leg legal legend leisure lemon lend length lens leopard lesson letter level
liar liberty library license life lift light like limb limit link lion liquid list
little live lizard load loan lobster local lock logic lonely long loop lottery loud
lounge love loyal lucky luggage lumber lunar lunch luxury lyrics machine mad magic
magnet maid mail main major make mammal man manage mandate mango mansion manual maple
marble march margin marine market marriage mask mass master match material math matrix
matter maximum maze meadow mean measure meat mechanic medal media melody melt member
memory mention menu mercy merge merit merry mesh message metal method middle midnight
milk million mimic mind minimum minor minute miracle mirror misery miss mistake mix
mixed mixture mobile model modify mom moment monitor monkey monster month moon moral
more morning mosquito mother motion motor mountain mouse move movie much muffin mule
multiply muscle museum mushroom music must mutual myself mystery myth naive name napkin
narrow nasty nation nature near neck need negative neglect neither nephew nerve nest net
network neutral never news next nice night noble noise nominee noodle normal north nose
notable note nothing notice novel now nuclear number nurse nut oak obey object oblige
obscure observe obtain obvious occur ocean october odor off offer office often oil okay
old olive olympic omit once one onion online only open opera opinion oppose option
orange orbit orchard order ordinary organ orient original orphan ostrich other outdoor
outer output outside oval oven over own owner oxygen oyster ozone pact paddle page pair
palace palm panda panel panic panther paper parade parent park parrot party pass patch
path patient patrol pattern pause pave payment peace peanut pear peasant pelican pen
penalty pencil people pepper perfect permit person pet phone photo phrase physical piano
picnic picture piece pig pigeon pill pilot pink pioneer pipe pistol pitch pizza place
planet plastic plate play please pledge pluck plug plunge poem poet point polar pole
police pond pony pool popular portion position possible post potato pottery poverty
powder power practice praise predict prefer prepare present pretty prevent price pride
primary print priority prison private prize problem process produce profit program
project promote proof property prosper protect proud provide public pudding pull pulp
pulse pumpkin punch pupil puppy purchase purity purpose purse push put puzzle pyramid
quality quantum quarter question quick quit quiz quote rabbit raccoon race rack radar
radio rail rain raise rally ramp ranch random range rapid rare rate rather raven raw
razor ready real reason rebel rebuild recall receive recipe record recycle reduce
reflect reform refuse region regret regular reject relax release relief rely remain
remember remind remove render renew rent reopen repair repeat replace report require
rescue resemble resist resource response result retire retreat return reunion reveal
review reward rhythm rib ribbon rice rich ride ridge rifle right rigid ring riot ripple
risk ritual rival river road roast robot robust rocket romance roof rookie room rose
rotate rough round route royal rubber rude rug rule run runway rural sad saddle sadness
safe sail salad salmon salon salt salute same sample sand satisfy satoshi sauce sausage
save say scale scan scare scatter scene scheme school science scissors scorpion scout
scrap screen script scrub sea search season seat second secret section security seed
seek segment select sell seminar senior sense sentence series service session settle
setup seven shadow shaft shallow share shed shell sheriff shield shift shine ship shiver
shock shoe shoot shop short shoulder shove shrimp shrug shuffle shy sibling sick side
siege sight sign silent silk silly silver similar simple since sing siren sister situate
six size skate sketch ski skill skin skirt skull slab slam sleep slender slice slide
slight slim slogan slot slow slush small smart smile smoke smooth snack snake snap sniff
snow soap soccer social sock soda soft solar soldier solid solution solve someone song
soon sorry sort soul sound soup source south space spare spatial spawn speak special
speed spell spend sphere spice spider spike spin spirit split spoil sponsor spoon sport
spot spray spread spring spy square squeeze squirrel stable stadium staff stage stairs
stamp stand start state stay steak steel stem step stereo stick still sting stock
stomach stone stool story stove strategy street strike strong struggle student stuff
stumble style subject submit subway success such sudden suffer sugar suggest suit summer
sun sunny sunset super supply supreme sure surface surge surprise surround survey
suspect sustain swallow swamp swap swarm swear sweet swift swim swing switch sword
symbol symptom syrup system table tackle tag tail talent talk tank tape target task
taste tattoo taxi teach team tell ten tenant tennis tent term test text thank that theme
then theory there they thing this thought three thrive throw thumb thunder ticket tide
tiger tilt timber time tiny tip tired tissue title toast tobacco today toddler toe
together toilet token tomato tomorrow tone tongue tonight tool tooth top topic topple
torch tornado tortoise toss total tourist toward tower town toy track trade traffic
tragic train transfer trap trash travel tray treat tree trend trial tribe trick trigger
trim trip trophy trouble truck true truly trumpet trust truth try tube tuition tumble
tuna tunnel turkey turn turtle twelve twenty twice twin twist two type typical ugly
umbrella unable unaware uncle uncover under undo unfair unfold unhappy uniform unique
unit universe unknown unlock until unusual unveil update upgrade uphold upon upper upset
urban urge usage use used useful useless usual utility vacant vacuum vague valid valley
valve van vanish vapor various vast vault vehicle velvet vendor venture venue verb
verify version very vessel veteran viable vibrant vicious victory video view village
vintage violin virtual virus visa visit visual vital vivid vocal voice void volcano
volume vote voyage wage wagon wait walk wall walnut want warfare warm warrior wash wasp
waste water wave way wealth weapon wear weasel weather web wedding weekend weird welcome
west wet whale what wheat wheel when where whip whisper wide width wife wild will win
window wine wing wink winner winter wire wisdom wise wish witness wolf woman wonder wood
wool word work world worry worth wrap wreck wrestle wrist write wrong yard year yellow
you young youth zebra zero zone zoo
"""

if __name__ == "__main__":
    sys.exit(main())
