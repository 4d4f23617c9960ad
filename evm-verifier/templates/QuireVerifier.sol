{# QuireVerifier: parsing, transcript, PoW; rendered by src/solidity/quire_verifier.rs. -#}
{% include "header.sol" %}

import {IBatchVerifier} from "../interfaces/IBatchVerifier.sol";
import {Poseidon} from "../lib/Poseidon.sol";
import {QuireGates} from "./QuireGates.sol";
import {QuireFri} from "./QuireFri.sol";

/// @title QuireVerifier
/// @notice plonky2 verifier of Quire's EVM wrapper proof (KeccakGoldilocksConfig).
/// @dev Circuit: degree 2^{{ s.degree_bits }}, rate 2^-{{ s.rate_bits }}, cap height {{ s.cap_height }}, {{ s.num_query_rounds }} queries, {{ s.pow_bits }} PoW bits, FRI arities {{ arities }}, final poly {{ s.final_poly_len }} coefficients;
///      {{ s.num_wires }} wires ({{ s.num_routed_wires }} routed), {{ s.num_constants }} constants, {{ s.num_challenges }} challenges, {{ s.num_partial_products }} partial products, quotient degree {{ s.quotient_degree_factor }}.
///      Gates: {{ gates }}.
///      Proof encoding: circuits/src/calldata.rs ({{ o.total }} bytes).
///      Checks: strict parsing, public-inputs hash, Fiat-Shamir transcript, PoW, vanishing/quotient identity (QuireGates), FRI (QuireFri).
contract QuireVerifier is IBatchVerifier {
    /// @notice Evaluates the vanishing polynomial and the quotient at zeta.
    QuireGates public immutable GATES;
    /// @notice Checks the FRI opening proof.
    QuireFri public immutable FRI;
    uint256 internal constant P = 0xffffffff00000001;
    uint256 public constant PROOF_BYTES = {{ o.total }};
    uint256 public constant NUM_PUBLIC_INPUTS = {{ s.num_public_inputs }};
    /// @dev Layout of the vector `challenges` returns.
    uint256 public constant CH_PI_HASH = {{ ch.pi_hash }};
    uint256 public constant CH_BETAS = {{ ch.betas }};
    uint256 public constant CH_GAMMAS = {{ ch.gammas }};
    uint256 public constant CH_ALPHAS = {{ ch.alphas }};
    uint256 public constant CH_ZETA = {{ ch.zeta }};
    uint256 public constant CH_FRI_ALPHA = {{ ch.fri_alpha }};
    uint256 public constant CH_FRI_BETAS = {{ ch.fri_betas }};
    uint256 public constant CH_POW = {{ ch.pow }};
    uint256 public constant CH_QUERIES = {{ ch.queries }};
    uint256 public constant CH_LEN = {{ ch.len }};

    error ProofLength();
    error PublicInputsLength();
    error NonCanonical();

    constructor() {
        GATES = new QuireGates();
        FRI = new QuireFri();
    }

    /// @inheritdoc IBatchVerifier
    function verify(bytes calldata proof, uint256[] calldata publicInputs) external view returns (bool) {
        uint256[] memory ch = _transcript(proof, publicInputs);
        if (ch[CH_POW] >> {{ pow_shift }} != 0) return false;
        uint256[] memory v = GATES.evaluate(proof, ch);
        // vanishing(zeta) == Z_H(zeta) * quotient(zeta), once per challenge round.
        for (uint256 j; j < {{ s.num_challenges }}; ++j) {
            uint256 o = {{ vanishing_at }} + 4 * j;
            if (v[o] != v[o + 2] || v[o + 1] != v[o + 3]) return false;
        }
        return FRI.verifyFri(proof, ch);
    }

    /// @notice Every Fiat-Shamir challenge of `proof` (see the CH_* constants); for tests against plonky2.
    function challenges(bytes calldata proof, uint256[] calldata publicInputs)
        external
        pure
        returns (uint256[] memory)
    {
        return _transcript(proof, publicInputs);
    }

    /// @dev Length and canonicity checks, public-inputs hash, and plonky2's Keccak challenger replayed over the proof.
    function _transcript(bytes calldata proof, uint256[] calldata publicInputs)
        internal
        pure
        returns (uint256[] memory ch)
    {
        if (proof.length != PROOF_BYTES) revert ProofLength();
        if (publicInputs.length != NUM_PUBLIC_INPUTS) revert PublicInputsLength();
        uint256[] memory pis = new uint256[](NUM_PUBLIC_INPUTS);
        for (uint256 i; i < NUM_PUBLIC_INPUTS; ++i) {
            uint256 x = publicInputs[i];
            if (x >= P) revert NonCanonical();
            pis[i] = x;
        }
        bytes32 pih = Poseidon.hashNoPad(pis);
        ch = new uint256[](CH_LEN);
{#- The transcript. Sponge state at `s`: 12 little-endian u64 (96 bytes), then the number of
    buffered inputs (`s + 0x60`) and of unread outputs (`s + 0x80`). An element read from the
    proof stays in its little-endian byte order ("raw": the 8 bytes read big-endian) until its
    value is needed (`bswap64`). #}
        assembly ("memory-safe") {
            // Raw (LE bytes read big-endian) -> value, and back: byte reversal of 64 bits.
            function bswap64(v) -> r {
                v := or(shr(8, and(v, 0xff00ff00ff00ff00)), shl(8, and(v, 0x00ff00ff00ff00ff)))
                v := or(shr(16, and(v, 0xffff0000ffff0000)), shl(16, and(v, 0x0000ffff0000ffff)))
                r := and(or(shr(32, v), shl(32, v)), 0xffffffffffffffff)
            }
            // A raw word encodes a value >= p iff its high 32 value bits are all ones and the low 32 are not all zero.
            function rawInvalid(v) -> bad {
                bad := and(eq(and(v, 0xffffffff), 0xffffffff), gt(shr(32, v), 0))
            }
            function allValid(h) -> ok {
                let m := 0xffffffffffffffff
                ok := iszero(
                    or(
                        or(rawInvalid(shr(192, h)), rawInvalid(and(shr(128, h), m))),
                        or(rawInvalid(and(shr(64, h), m)), rawInvalid(and(h, m)))
                    )
                )
            }
            function writeElem(s, i, raw) {
                let p := add(s, shl(3, i))
                mstore(p, or(shl(192, raw), and(mload(p), 0xffffffffffffffffffffffffffffffffffffffffffffffff)))
            }
            // plonky2 KeccakPermutation: state <- the first 12 words < p of H(state) || H(H(state)) || ...
            function permute(s) {
                let h1 := keccak256(s, 0x60)
                mstore(0x00, h1)
                let h2 := keccak256(0x00, 0x20)
                mstore(0x00, h2)
                let h3 := keccak256(0x00, 0x20)
                if and(and(allValid(h1), allValid(h2)), allValid(h3)) {
                    mstore(s, h1)
                    mstore(add(s, 0x20), h2)
                    mstore(add(s, 0x40), h3)
                    leave
                }
                let pos := 0
                let cur := h1
                for {} 1 {} {
                    for { let j := 0 } lt(j, 4) { j := add(j, 1) } {
                        let raw := and(shr(sub(192, shl(6, j)), cur), 0xffffffffffffffff)
                        if iszero(rawInvalid(raw)) {
                            writeElem(s, pos, raw)
                            pos := add(pos, 1)
                            if eq(pos, 12) { leave }
                        }
                    }
                    mstore(0x00, cur)
                    cur := keccak256(0x00, 0x20)
                }
            }
            function duplex(s) {
                permute(s)
                mstore(add(s, 0x60), 0)
                mstore(add(s, 0x80), 8)
            }
            function observeRaw(s, raw) {
                let n := mload(add(s, 0x60))
                writeElem(s, n, raw)
                n := add(n, 1)
                mstore(add(s, 0x60), n)
                mstore(add(s, 0x80), 0)
                if eq(n, 8) { duplex(s) }
            }
            // A KeccakHash<25> is observed as four elements: 7-byte little-endian chunks.
            function observeHash(s, off) {
                let c := calldataload(off)
                observeRaw(s, shl(8, shr(200, c)))
                observeRaw(s, shl(8, and(shr(144, c), 0xffffffffffffff)))
                observeRaw(s, shl(8, and(shr(88, c), 0xffffffffffffff)))
                observeRaw(s, shl(32, and(shr(56, c), 0xffffffff)))
            }
            // Observes n consecutive elements of the proof, each checked canonical.
            function observeElems(s, off, n) {
                for { let end := add(off, shl(3, n)) } lt(off, end) { off := add(off, 8) } {
                    let raw := shr(192, calldataload(off))
                    if rawInvalid(raw) {
                        mstore(0x00, 0x7ba9e47a) // NonCanonical()
                        revert(0x1c, 0x04)
                    }
                    observeRaw(s, raw)
                }
            }
            function challenge(s) -> x {
                if or(gt(mload(add(s, 0x60)), 0), iszero(mload(add(s, 0x80)))) { duplex(s) }
                let k := sub(mload(add(s, 0x80)), 1)
                mstore(add(s, 0x80), k)
                x := bswap64(shr(192, mload(add(s, shl(3, k)))))
            }
            function put(arr, i, x) {
                mstore(add(arr, shl(5, add(i, 1))), x)
            }

            let s := mload(0x40)
            mstore(0x40, add(s, 0xa0))
            // The constant prefix (FRI parameters, circuit digest), absorbed at generation time.
            mstore(s, {{ sponge[0] }})
            mstore(add(s, 0x20), {{ sponge[1] }})
            mstore(add(s, 0x40), {{ sponge[2] }})
            mstore(add(s, 0x60), {{ buffered }})
            mstore(add(s, 0x80), 0)
            let base := proof.offset
            // Public-inputs hash (Poseidon, not Keccak: the config's InnerHasher).
            for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                let x := and(shr(sub(192, shl(6, i)), pih), 0xffffffffffffffff)
                put(ch, i, x)
                observeRaw(s, bswap64(x))
            }
            observeHash(s, base) // wires cap
            for { let i := 0 } lt(i, {{ s.num_challenges }}) { i := add(i, 1) } { put(ch, add({{ ch.betas }}, i), challenge(s)) }
            for { let i := 0 } lt(i, {{ s.num_challenges }}) { i := add(i, 1) } { put(ch, add({{ ch.gammas }}, i), challenge(s)) }
            observeHash(s, add(base, 25)) // Z / partial products cap
            for { let i := 0 } lt(i, {{ s.num_challenges }}) { i := add(i, 1) } { put(ch, add({{ ch.alphas }}, i), challenge(s)) }
            observeHash(s, add(base, 50)) // quotient cap
            put(ch, {{ ch.zeta }}, challenge(s))
            put(ch, add({{ ch.zeta }}, 1), challenge(s))
            // Openings at zeta and g*zeta: contiguous up to the FRI caps.
            observeElems(s, add(base, {{ o.openings }}), shr(3, sub({{ o.fri_caps }}, {{ o.openings }})))
            put(ch, {{ ch.fri_alpha }}, challenge(s))
            put(ch, add({{ ch.fri_alpha }}, 1), challenge(s))
            for { let i := 0 } lt(i, {{ fri_layers }}) { i := add(i, 1) } {
                observeHash(s, add(base, add({{ o.fri_caps }}, mul(25, i))))
                put(ch, add({{ ch.fri_betas }}, shl(1, i)), challenge(s))
                put(ch, add({{ ch.fri_betas }}, add(shl(1, i), 1)), challenge(s))
            }
            // Final polynomial, then the PoW witness.
            observeElems(s, add(base, {{ o.final_poly }}), shr(3, sub({{ o.pow_witness }}, {{ o.final_poly }})))
            observeElems(s, add(base, {{ o.pow_witness }}), 1)
            put(ch, {{ ch.pow }}, challenge(s))
            for { let i := 0 } lt(i, {{ s.num_query_rounds }}) { i := add(i, 1) } {
                put(ch, add({{ ch.queries }}, i), and(challenge(s), {{ lde_mask }}))
            }
        }
    }
}
