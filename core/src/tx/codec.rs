//! The canonical binary encoding.
//!
//! Integers are big-endian and fixed-width (account ids `u32`, tokens `u8`, amounts and
//! fees `u64`, nonces `u32`, priority ids `u64`), addresses 20 bytes, public keys 40 bytes
//! and signatures 72 bytes in their own canonical encodings. Each value starts with its
//! [`OpType`] byte. Decoding is strict: unknown types, out-of-range account ids,
//! non-canonical keys or signatures, truncation and trailing bytes are errors, so each
//! value has exactly one encoding.
//!
//! | value | layout |
//! |---|---|
//! | Transfer | `02 from:4 to:4 token:1 amount:8 fee:8 nonce:4` |
//! | Withdraw | `03 from:4 to:20 token:1 amount:8 fee:8 nonce:4` |
//! | Swap | `04 account:4 pool:4 token_in:1 amount_in:8 min_out:8 fee:8 nonce:4` |
//! | AddLiquidity | `05 account:4 pool:4 max_a:8 max_b:8 min_shares:8 fee:8 nonce:4` |
//! | RemoveLiquidity | `06 account:4 pool:4 shares:8 min_a:8 min_b:8 fee:8 nonce:4` |
//! | SignedTx | `tx signature:72` |
//! | Deposit | `01 priority_id:8 from:20 to:40 token:1 amount:8` |
//! | FullExit | `07 priority_id:8 account:4 owner:20 token:1` |
//! | Operation | `00 signed_tx` or `01 priority_op` |

use super::*;
use crate::schnorr::SignatureError;

/// Why bytes are not a canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended early.
    #[error("input ends before the {0} field")]
    UnexpectedEnd(&'static str),
    /// Bytes were left over.
    #[error("{0} trailing bytes after the value")]
    TrailingBytes(usize),
    /// An unknown type byte, or a type not allowed here.
    #[error("unknown or unexpected type byte {0:#04x}")]
    UnknownType(u8),
    /// An account id of 2^24 or more.
    #[error("account id {0} does not fit 24 bits")]
    AccountIdOutOfRange(u32),
    /// A public key that is not a canonical curve point encoding.
    #[error("invalid public key: {0}")]
    PublicKey(SignatureError),
    /// A signature that is not canonical.
    #[error("invalid signature encoding: {0}")]
    Signature(SignatureError),
}

/// Appends fixed-width big-endian fields.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
    fn account(&mut self, a: AccountId) -> &mut Self {
        self.u32(a.get())
    }
}

/// Reads fixed-width big-endian fields, naming the field on truncation.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        if self.0.len() < N {
            return Err(DecodeError::UnexpectedEnd(field));
        }
        let (head, rest) = self.0.split_at(N);
        self.0 = rest;
        let mut out = [0u8; N];
        out.copy_from_slice(head);
        Ok(out)
    }
    fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take::<1>(field)?[0])
    }
    fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.take(field)?))
    }
    fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.take(field)?))
    }
    fn account(&mut self, field: &'static str) -> Result<AccountId, DecodeError> {
        let v = self.u32(field)?;
        AccountId::new(v).ok_or(DecodeError::AccountIdOutOfRange(v))
    }
    fn token(&mut self, field: &'static str) -> Result<TokenId, DecodeError> {
        Ok(TokenId(self.u8(field)?))
    }
    fn address(&mut self, field: &'static str) -> Result<Address, DecodeError> {
        Ok(Address(self.take(field)?))
    }
    fn pubkey(&mut self, field: &'static str) -> Result<PublicKey, DecodeError> {
        let b: [u8; 40] = self.take(field)?;
        PublicKey::from_bytes(&b).map_err(DecodeError::PublicKey)
    }
    fn finish(self) -> Result<(), DecodeError> {
        match self.0.len() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }
}

/// Decodes a whole value: `read` must consume every byte.
fn decode_all<T>(
    bytes: &[u8],
    read: impl FnOnce(&mut Reader<'_>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let mut r = Reader(bytes);
    let value = read(&mut r)?;
    r.finish()?;
    Ok(value)
}

impl L2Tx {
    fn write(&self, w: &mut Writer) {
        w.u8(self.op_type() as u8);
        match self {
            L2Tx::Transfer(t) => {
                w.account(t.from).account(t.to).u8(t.token.0);
                w.u64(t.amount).u64(t.fee).u32(t.nonce);
            }
            L2Tx::Withdraw(t) => {
                w.account(t.from).bytes(&t.to.0).u8(t.token.0);
                w.u64(t.amount).u64(t.fee).u32(t.nonce);
            }
            L2Tx::Swap(t) => {
                w.account(t.account).account(t.pool).u8(t.token_in.0);
                w.u64(t.amount_in)
                    .u64(t.min_amount_out)
                    .u64(t.fee)
                    .u32(t.nonce);
            }
            L2Tx::AddLiquidity(t) => {
                w.account(t.account).account(t.pool);
                w.u64(t.max_amount_a).u64(t.max_amount_b).u64(t.min_shares);
                w.u64(t.fee).u32(t.nonce);
            }
            L2Tx::RemoveLiquidity(t) => {
                w.account(t.account).account(t.pool);
                w.u64(t.shares).u64(t.min_amount_a).u64(t.min_amount_b);
                w.u64(t.fee).u32(t.nonce);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let ty = r.u8("type")?;
        Ok(match OpType::from_u8(ty) {
            Some(OpType::Transfer) => L2Tx::Transfer(Transfer {
                from: r.account("from")?,
                to: r.account("to")?,
                token: r.token("token")?,
                amount: r.u64("amount")?,
                fee: r.u64("fee")?,
                nonce: r.u32("nonce")?,
            }),
            Some(OpType::Withdraw) => L2Tx::Withdraw(Withdraw {
                from: r.account("from")?,
                to: r.address("to")?,
                token: r.token("token")?,
                amount: r.u64("amount")?,
                fee: r.u64("fee")?,
                nonce: r.u32("nonce")?,
            }),
            Some(OpType::Swap) => L2Tx::Swap(Swap {
                account: r.account("account")?,
                pool: r.account("pool")?,
                token_in: r.token("token_in")?,
                amount_in: r.u64("amount_in")?,
                min_amount_out: r.u64("min_amount_out")?,
                fee: r.u64("fee")?,
                nonce: r.u32("nonce")?,
            }),
            Some(OpType::AddLiquidity) => L2Tx::AddLiquidity(AddLiquidity {
                account: r.account("account")?,
                pool: r.account("pool")?,
                max_amount_a: r.u64("max_amount_a")?,
                max_amount_b: r.u64("max_amount_b")?,
                min_shares: r.u64("min_shares")?,
                fee: r.u64("fee")?,
                nonce: r.u32("nonce")?,
            }),
            Some(OpType::RemoveLiquidity) => L2Tx::RemoveLiquidity(RemoveLiquidity {
                account: r.account("account")?,
                pool: r.account("pool")?,
                shares: r.u64("shares")?,
                min_amount_a: r.u64("min_amount_a")?,
                min_amount_b: r.u64("min_amount_b")?,
                fee: r.u64("fee")?,
                nonce: r.u32("nonce")?,
            }),
            _ => return Err(DecodeError::UnknownType(ty)),
        })
    }
}

impl SignedTx {
    fn write(&self, w: &mut Writer) {
        self.tx.write(w);
        w.bytes(&self.signature.to_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let tx = L2Tx::read(r)?;
        let sig: [u8; 72] = r.take("signature")?;
        let signature = Signature::from_bytes(&sig).map_err(DecodeError::Signature)?;
        Ok(SignedTx { tx, signature })
    }
}

impl PriorityOp {
    fn write(&self, w: &mut Writer) {
        match self {
            PriorityOp::Deposit(d) => {
                w.u8(OpType::Deposit as u8)
                    .u64(d.priority_id)
                    .bytes(&d.from.0);
                w.bytes(&d.to.to_bytes()).u8(d.token.0).u64(d.amount);
            }
            PriorityOp::FullExit(e) => {
                w.u8(OpType::FullExit as u8)
                    .u64(e.priority_id)
                    .account(e.account);
                w.bytes(&e.owner.0).u8(e.token.0);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let ty = r.u8("type")?;
        Ok(match OpType::from_u8(ty) {
            Some(OpType::Deposit) => PriorityOp::Deposit(Deposit {
                priority_id: r.u64("priority_id")?,
                from: r.address("from")?,
                to: r.pubkey("to")?,
                token: r.token("token")?,
                amount: r.u64("amount")?,
            }),
            Some(OpType::FullExit) => PriorityOp::FullExit(FullExit {
                priority_id: r.u64("priority_id")?,
                account: r.account("account")?,
                owner: r.address("owner")?,
                token: r.token("token")?,
            }),
            _ => return Err(DecodeError::UnknownType(ty)),
        })
    }
}

impl Operation {
    /// `00` + signed tx, or `01` + priority op.
    fn write(&self, w: &mut Writer) {
        match self {
            Operation::L2(t) => {
                w.u8(0);
                t.write(w);
            }
            Operation::Priority(p) => {
                w.u8(1);
                p.write(w);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("kind")? {
            0 => Ok(Operation::L2(SignedTx::read(r)?)),
            1 => Ok(Operation::Priority(PriorityOp::read(r)?)),
            k => Err(DecodeError::UnknownType(k)),
        }
    }
}

/// The public `encode` / `decode` pair of a type with private `write` / `read`: one
/// definition of "canonical" (every byte consumed, see [`decode_all`]) for all of them.
macro_rules! canonical_codec {
    ($($ty:ident: $what:literal),* $(,)?) => {$(
        impl $ty {
            #[doc = concat!("The canonical encoding of ", $what, ".")]
            pub fn encode(&self) -> Vec<u8> {
                let mut w = Writer::default();
                self.write(&mut w);
                w.0
            }

            #[doc = concat!("Decodes ", $what, ", refusing trailing bytes.")]
            pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
                decode_all(bytes, Self::read)
            }
        }
    )*};
}

canonical_codec! {
    L2Tx: "the unsigned body",
    SignedTx: "a signed transaction (body then signature)",
    PriorityOp: "a priority operation",
    Operation: "an operation (`00` + signed tx, or `01` + priority op)",
}
