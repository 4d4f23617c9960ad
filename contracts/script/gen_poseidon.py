#!/usr/bin/env python3
"""Generates the body of `Poseidon.permute` in contracts/src/lib/Poseidon.sol.

Every constant comes from plonky2 through the known-answer fixture that
core/examples/l1_vectors.rs exports (`poseidon.*`): the round constants, the MDS matrix and
the constants of plonky2's fast partial rounds. The script first checks, with plain Python
integers, that the generated schedule (fused constants, fast partial rounds) computes the
same permutation as the textbook definition on the fixture's known answers, then rewrites
the code between the `BEGIN GENERATED PERMUTATION` / `END GENERATED PERMUTATION` markers.

    cd contracts
    python3 script/gen_poseidon.py test/fixtures/l1_vectors.json src/lib/Poseidon.sol
    python3 script/gen_poseidon.py --check test/fixtures/l1_vectors.json src/lib/Poseidon.sol
"""
import json
import os
import subprocess
import sys

P = 2**64 - 2**32 + 1
M64 = 2**64 - 1


def load(path):
    d = json.load(open(path))["poseidon"]
    fp = d["fast_partial"]
    c = {
        "rc": [int(x) for x in d["round_constants"]],
        "circ": [int(x) for x in d["mds_circ"]],
        "diag": [int(x) for x in d["mds_diag"]],
        "first": [int(x) for x in fp["first_round_constant"]],
        "prc": [int(x) for x in fp["round_constants"]],
        "vs": [[int(x) for x in r] for r in fp["vs"]],
        "wh": [[int(x) for x in r] for r in fp["w_hats"]],
        "im": [[int(x) for x in r] for r in fp["initial_matrix"]],
        "perms": d["permutations"],
    }
    assert len(c["rc"]) == 360 and c["diag"] == [8] + [0] * 11
    return c


# ------------------------------------------------------------------ reference models

def mds(c, s):
    return [(sum(s[(i + r) % 12] * c["circ"][i] for i in range(12)) + s[r] * c["diag"][r]) % P for r in range(12)]


def textbook(c, s):
    for rnd in range(30):
        s = [(x + c["rc"][12 * rnd + i]) % P for i, x in enumerate(s)]
        if rnd < 4 or rnd >= 26:
            s = [pow(x, 7, P) for x in s]
        else:
            s[0] = pow(s[0], 7, P)
        s = mds(c, s)
    return s


def scheduled(c, s):
    """The schedule the generated code follows, with its unreduced intermediate values."""
    rc = lambda r: c["rc"][12 * r: 12 * r + 12]
    s = [(x + k) % P for x, k in zip(s, rc(0))]
    nexts = [rc(1), rc(2), rc(3), c["first"]]
    for n in nexts:
        s = [(x + k) % P for x, k in zip(mds(c, [pow(x, 7, P) for x in s]), n)]
    s = [s[0]] + [sum(s[r] * c["im"][r - 1][col - 1] for r in range(1, 12)) % P for col in range(1, 12)]
    for i in range(22):
        s0 = pow(s[0], 7, P) + c["prc"][i]  # < 2^65, not reduced
        d = s0 * (c["circ"][0] + c["diag"][0]) + sum(s[j] * c["wh"][i][j - 1] for j in range(1, 12))
        assert d < 2**256
        add = rc(26) if i == 21 else [0] * 12
        s = [(d + add[0]) % P] + [(s[j] + s0 * c["vs"][i][j - 1] + add[j]) % P for j in range(1, 12)]
    for n in [rc(27), rc(28), rc(29), [0] * 12]:
        s = [(x + k) % P for x, k in zip(mds(c, [pow(x, 7, P) for x in s]), n)]
    return s


def check_models(c):
    for v in c["perms"]:
        x = [int(t) for t in v["input"]]
        y = [int(t) for t in v["output"]]
        assert textbook(c, x) == y, "textbook permutation disagrees with plonky2"
        assert scheduled(c, x) == y, "generated schedule disagrees with plonky2"


# ------------------------------------------------------------------ code generation

def words(consts):
    """12 constants -> three 256-bit words, four 64-bit constants each, first most significant."""
    return ["0x" + "".join(f"{k:016x}" for k in consts[4 * w: 4 * w + 4]) for w in range(3)]


def lane(word, g):
    return ["shr(192, {w})", "and(shr(128, {w}), M64)", "and(shr(64, {w}), M64)", "and({w}, M64)"][g].format(w=word)


def gen(c):
    I = " " * 12
    out = []
    o = out.append
    circ = c["circ"]
    o(I + "// S-boxes x -> x^7 are inlined: for x < 2^64, x^2 and x^4 are exact in 256 bits.")
    o(I + "// Full round: S-box on all 12 elements, MDS layer (three rows per word, see the")
    o(I + "// library notes), then the next round's constants (n0..n2, four per word).")
    o(I + "function fullRound(s, n0, n1, n2) {")
    o(I + "    let q := add(s, 0x180)")
    for k in range(4):
        o(I + "    {")
        for name, idx in (("a", k), ("b", k + 4), ("c", k + 8)):
            o(I + f"        let {name} := mload(add(s, {hex(32 * idx)}))")
            o(I + "        {")
            o(I + f"            let t := mul({name}, {name})")
            o(I + f"            {name} := mulmod(mul({name}, t), mul(t, t), P)")
            o(I + "        }")
        o(I + f"        mstore(add(q, {hex(32 * k)}), or(a, or(shl(85, b), shl(170, c))))")
        o(I + f"        mstore(add(q, {hex(32 * (k + 4))}), or(b, or(shl(85, c), shl(170, a))))")
        o(I + f"        mstore(add(q, {hex(32 * (k + 8))}), or(c, or(shl(85, a), shl(170, b))))")
        o(I + "    }")
    for g in range(4):
        o(I + "    {")
        terms = [f"mul(mload(add(q, {hex(32 * ((i + g) % 12))})), {circ[i]})" for i in range(12)]
        if g == 0:
            o(I + "        // Row 0 (lane 0 of this word) also takes the diagonal term 8·s0.")
            o(I + "        let q0 := mload(q)")
            o(I + f"        let acc := add(mul(q0, {circ[0]}), mul(and(q0, M85), {c['diag'][0]}))")
            start = 1
        else:
            o(I + f"        let acc := {terms[0]}")
            start = 1
        for t in terms[start:]:
            o(I + f"        acc := add(acc, {t})")
        o(I + f"        mstore(add(s, {hex(32 * g)}), addmod(and(acc, M85), {lane('n0', g)}, P))")
        o(I + f"        mstore(add(s, {hex(32 * (g + 4))}), addmod(and(shr(85, acc), M85), {lane('n1', g)}, P))")
        o(I + f"        mstore(add(s, {hex(32 * (g + 8))}), addmod(shr(170, acc), {lane('n2', g)}, P))")
        o(I + "    }")
    o(I + "}")
    o("")
    o(I + "let s := state")
    o(I + "// Round 0's constants.")
    w = words(c["rc"][0:12])
    for i in range(12):
        o(I + f"mstore(add(s, {hex(32 * i)}), addmod(mload(add(s, {hex(32 * i)})), {lane(w[i // 4], i % 4)}, P))")
    o(I + "// Full rounds 0..3; round 3 adds the first constants of the fast partial rounds.")
    for n in [c["rc"][12:24], c["rc"][24:36], c["rc"][36:48], c["first"]]:
        o(I + "fullRound(s, {}, {}, {})".format(*words(n)))
    o(I + "// Partial rounds 4..25 in plonky2's fast form: the initial matrix, then per round")
    o(I + "// s0 <- s0^7 + c_i; d = 25·s0 + <w_i, s[1..]>; s[j] += s0·v_i[j]; s0 <- d.")
    o(I + "{")
    for j in range(1, 12):
        o(I + f"    let s{j} := mload(add(s, {hex(32 * j)}))")
    for col in range(1, 12):
        o(I + f"    let acc := mul(s1, {hex(c['im'][0][col - 1])})" if col == 1 else I + f"    acc := mul(s1, {hex(c['im'][0][col - 1])})")
        for r in range(2, 12):
            o(I + f"    acc := add(acc, mul(s{r}, {hex(c['im'][r - 1][col - 1])}))")
        o(I + f"    mstore(add(s, {hex(32 * col)}), mod(acc, P))")
    o(I + "}")
    rc26 = c["rc"][12 * 26: 12 * 27]
    # The 22 rounds keep the state in stack variables x0..x11 (loaded once, stored once); the
    # state pointer waits in scratch memory meanwhile, which keeps the stack within reach.
    o(I + "function partialRounds() {")
    for j in range(12):
        o(I + f"    let x{j} := mload(add(mload(0x00), {hex(32 * j)}))")
    for i in range(22):
        last = i == 21
        o(I + f"    // partial round {4 + i}")
        o(I + "    {")
        o(I + "        let t := mul(x0, x0)")
        o(I + "        let u := mul(x0, t)")
        o(I + f"        x0 := add(mulmod(u, mul(t, t), P), {hex(c['prc'][i])})")
        o(I + "    }")
        o(I + "    {")
        o(I + f"        let d := mul(x0, {circ[0] + c['diag'][0]})")
        for j in range(1, 12):
            o(I + f"        d := add(d, mul(x{j}, {hex(c['wh'][i][j - 1])}))")
        for j in range(1, 12):
            upd = f"add(x{j}, mul(x0, {hex(c['vs'][i][j - 1])}))"
            o(I + (f"        x{j} := addmod({upd}, {hex(rc26[j])}, P)" if last else f"        x{j} := mod({upd}, P)"))
        o(I + (f"        x0 := addmod(d, {hex(rc26[0])}, P)" if last else "        x0 := mod(d, P)"))
        o(I + "    }")
    o(I + "    let ptr := mload(0x00)")
    for j in range(12):
        o(I + f"    mstore(add(ptr, {hex(32 * j)}), x{j})")
    o(I + "}")
    o(I + "mstore(0x00, s)")
    o(I + "partialRounds()")
    o(I + "// Full rounds 26..29 (round 26's constants were added by the last partial round).")
    for n in [c["rc"][12 * 27: 12 * 28], c["rc"][12 * 28: 12 * 29], c["rc"][12 * 29: 12 * 30], [0] * 12]:
        o(I + "fullRound(s, {}, {}, {})".format(*words(n)))
    return "\n".join(out)


BEGIN = "// BEGIN GENERATED PERMUTATION"
END = "// END GENERATED PERMUTATION"


def main():
    args = sys.argv[1:]
    check = args[0] == "--check"
    if check:
        args = args[1:]
    fixture, target = args
    c = load(fixture)
    check_models(c)
    src = open(target).read()
    a = src.index(BEGIN)
    a = src.index("\n", a) + 1
    b = src.index(END)
    b = src.rindex("\n", 0, b) + 1
    new = fmt(src[:a] + gen(c) + "\n" + src[b:])
    if check:
        if src != new:
            sys.exit(f"{target}: generated permutation is out of date; rerun script/gen_poseidon.py")
        print("Poseidon.sol permutation matches the fixture's constants")
        return
    open(target, "w").write(new)
    print(f"wrote {target}")


def fmt(source):
    """The source as `forge fmt` lays it out (so the file stays fmt-clean and --check is exact)."""
    forge = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", ".bin", "forge")
    r = subprocess.run([forge, "fmt", "--raw", "-"], input=source, capture_output=True, text=True, check=True)
    return r.stdout


if __name__ == "__main__":
    main()
