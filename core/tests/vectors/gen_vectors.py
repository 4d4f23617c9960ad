#!/usr/bin/env python3
"""Independent reference implementation of GF(p^5), EcGFp5 and Quire's Schnorr
verification equation, used to generate and check the known-answer vectors in this
directory.

Why a second implementation: the Rust code (core/src/ecgfp5) uses the fractional
(x, u) coordinates and complete formulas of Pornin's paper, Itoh-Tsujii inversion and a
norm-based square root. This script deliberately uses different mathematics wherever it
can, so that a shared mistake is unlikely:

  * GF(p^5) inversion by the extended Euclidean algorithm on polynomials over GF(p);
  * Legendre symbol by Euler's criterion x^((p^5-1)/2) computed directly in GF(p^5);
  * square roots by Tonelli-Shanks directly in GF(p^5);
  * the group law on the isomorphic short Weierstrass curve Y^2 = X^3 + A X + B with
    plain affine chord-and-tangent formulas, and double-and-add scalar multiplication;
  * the textbook double-odd decoding (pick the root x that is NOT a square), then an
    explicit chord through N = (0, 0) to move between the group element P + N and the
    n-torsion point P.

Python 3.11, standard library only.

Usage:
  python3 gen_vectors.py                      # (re)write ecgfp5.json next to this file
  python3 gen_vectors.py --check              # regenerate in memory, compare with ecgfp5.json
  python3 gen_vectors.py --check-schnorr      # check schnorr.json (written by the Rust example
                                              # `gen_schnorr_vectors`): pk = sk*G and
                                              # s*G - e*Q encodes to the stated R

The JSON formats are documented in README.md in this directory.
"""

import json
import os
import random
import sys

# ---------------------------------------------------------------------------------------
# Parameters.

P = 2**64 - 2**32 + 1  # Goldilocks
W = 3  # GF(p^5) = GF(p)[z]/(z^5 - W)
# Prime order of the EcGFp5 group (the curve has 2n points).
N = 1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241
# Encoding of the conventional generator (Pornin's reference implementation).
GENERATOR_W = (4, 0, 0, 0, 0)
# The generator's x coordinate on y^2 = x(x^2 + 2x + 263z), as stated in Pornin's
# reference implementation (pornin/ecgfp5, rust/src/curve.rs, `GENERATOR`).
GENERATOR_X_STATED = (
    12883135586176881569,
    4356519642755055268,
    5248930565894896907,
    2165973894480315022,
    2448410071095648785,
)

# ---------------------------------------------------------------------------------------
# GF(p^5): elements are tuples of 5 ints in [0, p), little-endian in z.

ZERO = (0, 0, 0, 0, 0)
ONE = (1, 0, 0, 0, 0)


def fe(c0, c1=0, c2=0, c3=0, c4=0):
    return tuple(c % P for c in (c0, c1, c2, c3, c4))


def add(a, b):
    return tuple((x + y) % P for x, y in zip(a, b))


def sub(a, b):
    return tuple((x - y) % P for x, y in zip(a, b))


def neg(a):
    return tuple((-x) % P for x in a)


def smul(k, a):
    return tuple((k * x) % P for x in a)


def mul(a, b):
    # Schoolbook product of degree <= 8, then fold z^(5+i) = W z^i.
    prod = [0] * 9
    for i in range(5):
        for j in range(5):
            prod[i + j] += a[i] * b[j]
    return tuple((prod[i] + W * (prod[i + 5] if i + 5 < 9 else 0)) % P for i in range(5))


def sqr(a):
    return mul(a, a)


def power(a, e):
    r = ONE
    base = a
    while e:
        if e & 1:
            r = mul(r, base)
        base = sqr(base)
        e >>= 1
    return r


def _poly_trim(f):
    f = list(f)
    while f and f[-1] == 0:
        f.pop()
    return f


def _poly_divmod(f, g):
    """Quotient and remainder of polynomials over GF(p) (lists, low degree first)."""
    f = _poly_trim(f)
    g = _poly_trim(g)
    inv_lead = pow(g[-1], -1, P)
    q = [0] * max(len(f) - len(g) + 1, 1)
    while len(f) >= len(g) and f:
        c = f[-1] * inv_lead % P
        shift = len(f) - len(g)
        q[shift] = c
        for i, gi in enumerate(g):
            f[i + shift] = (f[i + shift] - c * gi) % P
        f = _poly_trim(f)
    return q, f


def _poly_sub_mul(a, q, b):
    """a - q*b over GF(p)."""
    res = list(a) + [0] * max(0, len(q) + len(b) - len(a))
    for i, qi in enumerate(q):
        for j, bj in enumerate(b):
            res[i + j] = (res[i + j] - qi * bj) % P
    return _poly_trim(res)


def inv(a):
    """Inverse by the extended Euclidean algorithm against z^5 - W (not Itoh-Tsujii)."""
    if a == ZERO:
        raise ZeroDivisionError("inverse of zero in GF(p^5)")
    r0, r1 = [(-W) % P, 0, 0, 0, 0, 1], _poly_trim(a)
    s0, s1 = [], [1]  # coefficients of a: s_i * a = r_i  (mod z^5 - W)
    while len(r1) > 1:
        q, r = _poly_divmod(r0, r1)
        r0, r1 = r1, r
        s0, s1 = s1, _poly_sub_mul(s0, q, s1)
    # r1 is a nonzero constant.
    c = pow(r1[0], -1, P)
    out = [(c * x) % P for x in s1] + [0] * 5
    res = tuple(out[:5])
    assert mul(res, a) == ONE
    return res


def div(a, b):
    return mul(a, inv(b))


ORDER5 = P**5


def legendre(a):
    """Euler's criterion in GF(p^5): 0, 1 or -1."""
    if a == ZERO:
        return 0
    r = power(a, (ORDER5 - 1) // 2)
    if r == ONE:
        return 1
    assert r == neg(ONE)
    return -1


def _find_nonresidue():
    k = 1
    while True:
        c = fe(k, 1)
        if legendre(c) == -1:
            return c
        k += 1


_S = 0
_Q = ORDER5 - 1
while _Q % 2 == 0:
    _Q //= 2
    _S += 1
_NONRES = None


def sqrt(a):
    """Tonelli-Shanks directly in GF(p^5); returns a root or None."""
    global _NONRES
    if a == ZERO:
        return ZERO
    if legendre(a) != 1:
        return None
    if _NONRES is None:
        _NONRES = _find_nonresidue()
    m = _S
    c = power(_NONRES, _Q)
    t = power(a, _Q)
    r = power(a, (_Q + 1) // 2)
    while t != ONE:
        i, t2 = 0, t
        while t2 != ONE:
            t2 = sqr(t2)
            i += 1
        b = c
        for _ in range(m - i - 1):
            b = sqr(b)
        m, c = i, sqr(b)
        t = mul(t, c)
        r = mul(r, b)
    assert sqr(r) == a
    return r


def fe_to_bytes(a):
    return b"".join(x.to_bytes(8, "little") for x in a)


def fe_from_bytes(bb):
    """Canonical decoding: None if any limb >= p."""
    assert len(bb) == 40
    limbs = [int.from_bytes(bb[8 * i : 8 * i + 8], "little") for i in range(5)]
    if any(x >= P for x in limbs):
        return None
    return tuple(limbs)


# ---------------------------------------------------------------------------------------
# The curve. Double-odd model E: y^2 = x (x^2 + a x + b); group G = { P + N : n P = 0 }
# with law P (+) Q = P + Q + N, neutral N = (0, 0).
# Computations happen on the isomorphic short Weierstrass curve Ew: Y^2 = X^3 + A X + B,
# via (X, Y) = (x + a/3, y), restricted to its n-torsion Ew[n]; the isomorphism
# G -> Ew[n] is "add N, then shift x".

A_DO = fe(2)  # a
B_DO = fe(0, 263)  # b = 263 z
THIRD = pow(3, -1, P)
A_OVER_3 = smul(THIRD, A_DO)
A_W = sub(B_DO, smul(THIRD, sqr(A_DO)))  # A = (3b - a^2)/3
B_W = smul(pow(27, -1, P), mul(A_DO, sub(smul(2, sqr(A_DO)), smul(9, B_DO))))  # B = a(2a^2-9b)/27

INF = None  # point at infinity of Ew == neutral of G


def on_weierstrass(pt):
    if pt is INF:
        return True
    x, y = pt
    return sqr(y) == add(add(mul(sqr(x), x), mul(A_W, x)), B_W)


def w_neg(pt):
    if pt is INF:
        return INF
    return (pt[0], neg(pt[1]))


def w_add(p1, p2):
    """Affine chord-and-tangent addition on Ew, all special cases spelled out."""
    if p1 is INF:
        return p2
    if p2 is INF:
        return p1
    x1, y1 = p1
    x2, y2 = p2
    if x1 == x2:
        if add(y1, y2) == ZERO:
            return INF
        lam = div(add(smul(3, sqr(x1)), A_W), smul(2, y1))
    else:
        lam = div(sub(y2, y1), sub(x2, x1))
    x3 = sub(sub(sqr(lam), x1), x2)
    y3 = sub(mul(lam, sub(x1, x3)), y1)
    return (x3, y3)


def w_mul(k, pt):
    """Left-to-right double-and-add on a non-negative integer (not reduced mod n)."""
    assert k >= 0
    acc = INF
    for bit in bin(k)[2:]:
        acc = w_add(acc, acc)
        if bit == "1":
            acc = w_add(acc, pt)
    return acc


def do_add_n(x, y):
    """On E (double-odd model): (x, y) + N via the chord through N = (0, 0).

    The line through (0, 0) and (x, y) has slope m = y/x; on y^2 = x^3 + a x^2 + b x the
    three intersections have x-coordinates summing to m^2 - a, so the third one is
    x3 = m^2 - a - x, at (x3, m x3); the sum is its negation (x3, -m x3)."""
    m = div(y, x)
    x3 = sub(sub(sqr(m), A_DO), x)
    return (x3, neg(mul(m, x3)))


def decode(w):
    """Field element -> point of Ew[n] (INF for the neutral), or False if invalid."""
    if w == ZERO:
        return INF
    e = sub(sqr(w), A_DO)
    delta = sub(sqr(e), smul(4, B_DO))
    r = sqrt(delta)
    if r is None:
        return False
    half = pow(2, -1, P)
    x1 = smul(half, add(e, r))
    x2 = smul(half, sub(e, r))
    # Exactly one root is a non-square (their product is b, a non-square); the element of
    # G is the point with non-square x.
    l1, l2 = legendre(x1), legendre(x2)
    assert {l1, l2} == {1, -1}
    x = x1 if l1 == -1 else x2
    y = mul(w, x)
    assert sqr(y) == mul(x, add(add(sqr(x), mul(A_DO, x)), B_DO))
    # The element is P + N; the n-torsion point is P = (P + N) + N.
    px, py = do_add_n(x, y)
    pt = (add(px, A_OVER_3), py)
    assert on_weierstrass(pt)
    return pt


def encode(pt):
    """Point of Ew[n] -> w = y/x of the group element P + N (0 for the neutral)."""
    if pt is INF:
        return ZERO
    px, py = sub(pt[0], A_OVER_3), pt[1]
    x, y = do_add_n(px, py)
    return div(y, x)


G = decode(GENERATOR_W)


def mul_gen(k):
    return w_mul(k % N, G)


# ---------------------------------------------------------------------------------------
# Helpers for the JSON files.


def h(bb):
    return bb.hex()


def fe_hex(a):
    return h(fe_to_bytes(a))


def scalar_hex(k):
    assert 0 <= k < 2**320
    return h(k.to_bytes(40, "little"))


def point_hex(pt):
    return fe_hex(encode(pt))


def rand_fe(rng):
    return tuple(rng.randrange(P) for _ in range(5))


# ---------------------------------------------------------------------------------------
# Self-checks that do not produce vectors.


def self_check():
    # z^5 - 3 irreducible over GF(p) is a premise; check that 3 is not a 5th power
    # (p = 1 mod 5) which, for binomials, is equivalent.
    assert (P - 1) % 5 == 0 and pow(3, (P - 1) // 5, P) != 1
    # b and a^2 - 4b are non-squares (double-odd curve conditions).
    assert legendre(B_DO) == -1
    assert legendre(sub(sqr(A_DO), smul(4, B_DO))) == -1
    # The generator decodes, its x is the stated one, and it has order n.
    gx_elem = None
    e = sub(sqr(GENERATOR_W), A_DO)
    r = sqrt(sub(sqr(e), smul(4, B_DO)))
    for cand in (smul(pow(2, -1, P), add(e, r)), smul(pow(2, -1, P), sub(e, r))):
        if legendre(cand) == -1:
            gx_elem = cand
    assert gx_elem == GENERATOR_X_STATED, "generator x differs from the stated value"
    assert G is not INF and on_weierstrass(G)
    assert w_mul(N, G) is INF, "n*G != neutral"
    assert encode(G) == GENERATOR_W
    # The whole curve has order 2n: a point of Ew that is not n-torsion exists (the
    # image of N itself, at X = a/3, Y = 0) and has order 2.
    n2 = (A_OVER_3, ZERO)
    assert on_weierstrass(n2) and w_add(n2, n2) is INF


# ---------------------------------------------------------------------------------------
# Vector generation.


def gen_gfp5(rng):
    cases = []
    specials = [ZERO, ONE, neg(ONE), fe(0, 1), fe(0, 0, 0, 0, 1), fe(P - 1, P - 1, P - 1, P - 1, P - 1), fe(3), fe(2)]
    pairs = [(a, b) for a in specials[:4] for b in specials[4:]]
    pairs += [(rand_fe(rng), rand_fe(rng)) for _ in range(12)]
    for a, b in pairs:
        c = {
            "a": fe_hex(a),
            "b": fe_hex(b),
            "add": fe_hex(add(a, b)),
            "sub": fe_hex(sub(a, b)),
            "mul": fe_hex(mul(a, b)),
            "square": fe_hex(sqr(a)),
            "inv": fe_hex(inv(a)) if a != ZERO else None,
            "legendre": legendre(a),
        }
        cases.append(c)
    return cases


def gen_sqrt(rng):
    cases = []
    vals = [ZERO, ONE, neg(ONE), fe(3), fe(0, 1), B_DO, sub(sqr(A_DO), smul(4, B_DO))]
    for _ in range(6):
        vals.append(sqr(rand_fe(rng)))  # squares
    for _ in range(6):
        vals.append(rand_fe(rng))  # half of these are squares
    for v in vals:
        r = sqrt(v)
        cases.append({"a": fe_hex(v), "is_square": r is not None, "legendre": legendre(v)})
    return cases


def gen_noncanonical_fe():
    out = []
    for idx, bad in [(0, P), (1, P + 1), (2, 2**64 - 1), (4, P), (3, 2**64 - 2**31)]:
        limbs = [1, 2, 3, 4, 5]
        limbs[idx] = bad
        enc = b"".join(x.to_bytes(8, "little") for x in limbs)
        assert fe_from_bytes(enc) is None
        out.append(h(enc))
    return out


def gen_mul_gen(rng):
    ks = [0, 1, 2, 3, 4, 5, 7, 16, 17, 31, 32, 33, 2**64, 2**128 + 1, 2**255, 2**256 - 1, 2**256,
          2**318, (N - 1) // 2, (N + 1) // 2, N - 2, N - 1]
    ks += [rng.randrange(N) for _ in range(10)]
    return [{"k": scalar_hex(k), "point": point_hex(mul_gen(k))} for k in ks]


def gen_add(rng):
    cases = []
    pts = [mul_gen(rng.randrange(1, N)) for _ in range(6)]
    p0 = pts[0]
    combos = [(pts[i], pts[i + 1]) for i in range(5)]
    combos += [(p0, p0), (p0, w_neg(p0)), (p0, INF), (INF, p0), (INF, INF), (G, G), (G, mul_gen(2))]
    for a, b in combos:
        cases.append({
            "p": point_hex(a),
            "q": point_hex(b),
            "sum": point_hex(w_add(a, b)),
            "double_p": point_hex(w_add(a, a)),
            "neg_p": point_hex(w_neg(a)),
        })
    return cases


def gen_mul(rng):
    """Variable-base k*P vectors (P given by its encoding)."""
    cases = []
    for _ in range(6):
        pt = mul_gen(rng.randrange(1, N))
        k = rng.randrange(N)
        cases.append({"p": point_hex(pt), "k": scalar_hex(k), "point": point_hex(w_mul(k, pt))})
    pt = mul_gen(rng.randrange(1, N))
    for k in (0, 1, 2, N - 1):
        cases.append({"p": point_hex(pt), "k": scalar_hex(k), "point": point_hex(w_mul(k, pt))})
    return cases


def gen_decode(rng):
    valid = []
    invalid = []
    # Valid: neutral, generator, some multiples.
    for k in [0, 1, 2, 3, rng.randrange(N), rng.randrange(N), N - 1]:
        w = encode(mul_gen(k))
        valid.append({"w": fe_hex(w), "k": scalar_hex(k)})
    # Non-canonical limbs. The first one is p + 4 in limb 0, i.e. a non-canonical way of
    # writing the generator's encoding 4; the second is a non-canonical zero.
    for limbs in ([P + 4, 0, 0, 0, 0], [P, 0, 0, 0, 0], [4, P, 0, 0, 0], [4, 0, 0, 0, 2**64 - 1],
                  [4, 0, 0, P + 7, 0]):
        invalid.append({"w": h(b"".join(x.to_bytes(8, "little") for x in limbs)), "reason": "non-canonical"})
    # Canonical field elements that are not encodings: (w^2 - a)^2 - 4b is not a square.
    count = 0
    cands = [fe(1), fe(2), fe(3), fe(5), fe(0, 1)] + [rand_fe(rng) for _ in range(40)]
    for w in cands:
        if count >= 10:
            break
        if decode(w) is False:
            invalid.append({"w": fe_hex(w), "reason": "not-on-curve"})
            count += 1
    assert count >= 5
    return valid, invalid


def gen_scalars(rng):
    canonical = []
    for k in [0, 1, N - 1, N, N + 1, 2**319, 2**320 - 1, rng.randrange(N), rng.randrange(N, 2**320)]:
        canonical.append({"bytes": scalar_hex(k), "valid": k < N})
    wide = []
    for v in [0, 1, N - 1, N, 2 * N, 2**320, 2**320 - 1, 2**512 - 1, (N * N) % 2**512, 2**511 + N, rng.randrange(2**512),
              rng.randrange(2**512), rng.randrange(2**320)]:
        wide.append({"bytes": h(v.to_bytes(64, "little")), "reduced": scalar_hex(v % N)})
    arith = []
    pairs = [(0, 0), (1, N - 1), (N - 1, N - 1), (2**256, 2**256), (N - 1, 2)]
    pairs += [(rng.randrange(N), rng.randrange(N)) for _ in range(8)]
    for a, b in pairs:
        arith.append({
            "a": scalar_hex(a),
            "b": scalar_hex(b),
            "add": scalar_hex((a + b) % N),
            "sub": scalar_hex((a - b) % N),
            "mul": scalar_hex((a * b) % N),
            "neg_a": scalar_hex((-a) % N),
        })
    return canonical, wide, arith


def generate():
    self_check()
    rng = random.Random(0x51_1E_EC_6F_55)  # fixed seed: regeneration is reproducible
    valid, invalid = gen_decode(rng)
    canonical, wide, arith = gen_scalars(rng)
    return {
        "format": "quire-ecgfp5-kat/1",
        "comment": "Generated by core/tests/vectors/gen_vectors.py; format in README.md.",
        "params": {
            "p": str(P),
            "extension": "GF(p)[z]/(z^5 - 3)",
            "curve": "y^2 = x(x^2 + a x + b), a = 2, b = 263 z",
            "a": fe_hex(A_DO),
            "b": fe_hex(B_DO),
            "n": str(N),
            "n_le": scalar_hex(N),
            "generator": fe_hex(GENERATOR_W),
            "generator_x": fe_hex(GENERATOR_X_STATED),
        },
        "gfp5": gen_gfp5(rng),
        "gfp5_sqrt": gen_sqrt(rng),
        "gfp5_noncanonical": gen_noncanonical_fe(),
        "mul_generator": gen_mul_gen(rng),
        "mul": gen_mul(rng),
        "add": gen_add(rng),
        "decode_valid": valid,
        "decode_invalid": invalid,
        "scalar_canonical": canonical,
        "scalar_wide": wide,
        "scalar_arith": arith,
    }


# ---------------------------------------------------------------------------------------
# Schnorr vector check (signatures come from the Rust signer; see module docstring).


def check_schnorr(path):
    with open(path) as f:
        doc = json.load(f)
    cases = doc["cases"]
    for i, c in enumerate(cases):
        sk = int.from_bytes(bytes.fromhex(c["sk"]), "little")
        assert 0 < sk < N, f"case {i}: sk out of range"
        pk_w = fe_from_bytes(bytes.fromhex(c["pk"]))
        assert pk_w is not None and pk_w != ZERO
        q = decode(pk_w)
        assert q is not False and q is not INF
        assert encode(mul_gen(sk)) == pk_w, f"case {i}: pk != sk*G"
        sig = bytes.fromhex(c["sig"])
        assert len(sig) == 72
        s = int.from_bytes(sig[:40], "little")
        assert s < N, f"case {i}: s >= n"
        e_limbs = [int.from_bytes(sig[40 + 8 * j : 48 + 8 * j], "little") for j in range(4)]
        assert all(x < P for x in e_limbs)
        e = sum(x << (64 * j) for j, x in enumerate(e_limbs))
        r = w_add(mul_gen(s), w_neg(w_mul(e, q)))
        assert r is not INF
        assert encode(r) == fe_from_bytes(bytes.fromhex(c["r"])), f"case {i}: s*G - e*Q != R"
    print(f"{path}: {len(cases)} signature vectors OK (pk = sk*G, s*G - e*Q = R)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = os.path.join(here, "ecgfp5.json")
    args = sys.argv[1:]
    if args == ["--check-schnorr"]:
        check_schnorr(os.path.join(here, "schnorr.json"))
        return
    doc = generate()
    text = json.dumps(doc, indent=1) + "\n"
    if args == ["--check"]:
        with open(out_path) as f:
            if f.read() != text:
                sys.exit(f"{out_path} differs from the regenerated vectors")
        print(f"{out_path}: up to date")
        return
    if args:
        sys.exit(__doc__)
    with open(out_path, "w") as f:
        f.write(text)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
