// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {StateProof} from "../lib/StateProof.sol";

/// @title IRollup
/// @notice Types, events and errors of Quire's settlement contract, for bindings (quire-l1)
///         and the sequencer's L1 watcher. See src/Rollup.sol for the behaviour.
interface IRollup {
    // ------------------------------------------------------------------ types

    /// @notice What the contract keeps of a committed batch: only
    ///         `keccak256(abi.encode(StoredBatchInfo))` is stored; callers pass the struct back
    ///         (it is in the `BatchCommitted` event) to prove, execute or exit against it.
    struct StoredBatchInfo {
        uint64 batchNumber;
        /// L2 timestamp the operator gave the batch (seconds; monotonic, not in the future).
        uint64 timestamp;
        /// Queue index of the first priority operation the batch consumed.
        uint64 firstPriorityId;
        /// Number of priority operations consumed (derived from the pubdata).
        uint64 priorityOpsCount;
        /// State root before the batch (the previous batch's `stateRoot`).
        bytes32 prevStateRoot;
        /// State root after the batch (D9 L1 form).
        bytes32 stateRoot;
        /// keccak256(pubdata).
        bytes32 pubdataCommitment;
        /// D9 fold over the consumed priority operations' hashes.
        bytes32 priorityCommitment;
        /// Head of the chain over the batch's payout records in pages (see Pubdata.sol for a
        /// record, Rollup._payoutsHead for the chain).
        bytes32 payoutsHash;
    }

    /// @notice The operator's header of a new batch.
    struct CommitBatchInfo {
        uint64 batchNumber;
        uint64 timestamp;
        bytes32 newStateRoot;
    }

    /// @notice A genesis AMM pool's reserve tokens (L1 asset ids below 128, distinct), as the
    ///         constructor takes them in the genesis' pool order: pool `i` is the keyless L2
    ///         account `2 + i` and its liquidity shares are token `128 + i` (D2, D3).
    struct GenesisPool {
        uint8 tokenA;
        uint8 tokenB;
    }

    /// @notice A queued priority operation as stored (two slots).
    /// @dev `amount` holds the L2 amount of a Deposit (zeroed once reclaimed in exodus) and
    ///      the account id of a FullExit; `owner` is the depositor or the exit's requester.
    struct PriorityOp {
        bytes32 opHash;
        address owner;
        uint64 amount;
        uint8 token;
        uint8 kind;
    }

    // ------------------------------------------------------------------ events

    event TokenRegistered(uint8 indexed tokenId, address indexed token, uint256 scale);
    /// @notice A deposit entered the priority queue. `amount` is in L2 units (L1 amount /
    ///         scale); `opHash` = keccak256 of its canonical encoding.
    event DepositQueued(
        uint64 indexed priorityId,
        address indexed from,
        uint8 indexed token,
        uint64 amount,
        bytes l2Key,
        bytes32 opHash,
        uint64 deadline
    );
    /// @notice A full exit entered the priority queue, requested by `owner`.
    event FullExitQueued(
        uint64 indexed priorityId,
        uint32 indexed accountId,
        address indexed owner,
        uint8 token,
        bytes32 opHash,
        uint64 deadline
    );
    /// @notice A batch was committed; `payouts` are the records `executeBatch` needs.
    event BatchCommitted(uint64 indexed batchNumber, bytes32 batchHash, StoredBatchInfo info, bytes payouts);
    event BatchProven(uint64 indexed batchNumber, bytes32 batchHash);
    /// @notice A batch was executed: its payouts are claimable and its root is final.
    event BatchExecuted(uint64 indexed batchNumber, bytes32 batchHash, bytes32 stateRoot);
    /// @notice A further page of batch `batchNumber`'s payouts was credited; `nextLink` is
    ///         the link of the page after it (zero once all are credited).
    event PayoutsExecuted(uint64 indexed batchNumber, bytes32 nextLink);
    /// @notice Batches `firstBatch..lastBatch` (committed, unproven) were reverted.
    event BatchesReverted(uint64 firstBatch, uint64 lastBatch);
    /// @notice `amount` (L1 units) of `owner`'s claimable `token` was paid to `to`.
    event Withdrawn(address indexed owner, uint8 indexed token, address to, uint256 amount);
    event ExodusActivated(uint64 expiredPriorityId);
    event DepositReclaimed(uint64 indexed priorityId, address indexed depositor, uint8 indexed token, uint64 amount);
    event Exited(uint32 indexed accountId, uint8 indexed token, address indexed owner, uint64 amount);
    /// @notice The constructor recorded genesis pool `pool`: L2 account `account` (2 + pool)
    ///         holds its reserves of `tokenA` and `tokenB`, its shares are `shareToken`
    ///         (128 + pool). One per pool, so an L1-only reader can check the contract's pools
    ///         against the genesis.
    event PoolRegistered(uint8 indexed pool, uint8 tokenA, uint8 tokenB, uint32 account, uint8 shareToken);
    /// @notice Exodus: pool `pool`'s reserves and outstanding share supply under the exit
    ///         root, the snapshot every share exit of it is paid from.
    event PoolSettled(uint8 indexed pool, uint64 reserveA, uint64 reserveB, uint64 supply);
    /// @notice Exodus: `shares` of `shareToken` in `accountId` exited for their pro-rata
    ///         part of the pool's settled reserves, claimable by `owner` (L2 units).
    event SharesExited(
        uint32 indexed accountId,
        uint8 indexed shareToken,
        address indexed owner,
        uint64 shares,
        uint64 amountA,
        uint64 amountB
    );

    // ------------------------------------------------------------------ errors

    /// `registerToken`: the scale is not a power of ten in 10^0 .. 10^18.
    error InvalidScale();
    error TokenAlreadyRegistered();
    error TooManyTokens();
    error UnknownToken();
    error InvalidPublicKey();
    error AmountNotMultipleOfScale();
    error AmountOutOfRange();
    error SupplyCapExceeded();
    error FeeOnTransferToken();
    error InvalidAccountId();
    error ExodusActive();
    error NotInExodus();
    error InvalidDeadline();
    /// Constructor: the priority fee is above `MAX_PRIORITY_FEE`.
    error InvalidPriorityFee();
    /// A priority request's `msg.value` is below `priorityFee` (`depositETH`) or not exactly
    /// `priorityFee` (`depositERC20`, `requestFullExit`).
    error PriorityFeeNotPaid();
    error InvalidStateRoot();
    error LastBatchMismatch();
    error BatchNumberMismatch();
    error InvalidTimestamp();
    /// @notice Byte `offset` of the pubdata holds no known op type.
    error UnknownOpType(uint256 offset);
    error TruncatedPubdata();
    /// @notice The pubdata consumes more priority operations than are queued.
    error PriorityOpNotQueued(uint64 priorityId);
    /// @notice The pubdata's priority op does not match the queued one.
    error PriorityOpMismatch(uint64 priorityId);
    error InvalidCreditedFlag();
    error BatchNotCommitted();
    error BatchNotProven();
    error BatchMismatch();
    error InvalidProof();
    /// @notice `commitAndProveBatch` needs every committed batch proven (use `commitBatch`).
    error UnprovenBatchesPending();
    error PayoutsMismatch();
    error CannotRevert();
    error NothingToClaim();
    error NoExpiredPriorityOp();
    error DepositNotPending();
    error AlreadyReclaimed();
    error InvalidExit();
    /// The last executed batch still has payout pages to credit (`executePayouts`).
    error PayoutsPending();
    /// `executePayouts` with nothing pending.
    error NoPayoutsPending();
    /// A batch consumes more than `MAX_PRIORITY_OPS_PER_BATCH` priority operations.
    error TooManyPriorityOps();
    /// Exodus: a batch proven before exodus is not executed yet; execute it first.
    error ProvenBatchesPending();
    error AlreadyExited();
    error InvalidStateProof();
    /// Constructor: more than 128 pools (share-token ids 128..255).
    error TooManyPools();
    /// Constructor: pool `pool`'s tokens are not two distinct L1 asset ids (below 128).
    error InvalidPoolTokens(uint256 pool);
    /// No genesis pool has this index, account or share token.
    error UnknownPool();
    /// `settlePool` of a pool already settled.
    error PoolAlreadySettled();
    /// A share exit of a pool not settled yet: call `settlePool` first.
    error PoolNotSettled(uint8 pool);
    /// `settlePool`: the proof is not of the pool's keyless account opening exactly its two
    /// reserve tokens by id, then its share token.
    error InvalidPoolProof();
    /// A share exit whose pro-rata payout rounds to zero in both tokens (as RemoveLiquidity
    /// refuses it), or of more shares than the settled supply.
    error ZeroOutput();
    /// A state proof with no balance opening, or more than `MAX_OPENINGS`.
    error InvalidOpeningCount();
    /// A state proof's openings are not by strictly increasing token id.
    error OpeningsNotSorted();
    /// A state proof opens a balance above 2^63 - 1.
    error BalanceOutOfRange();
    /// A state proof's openings lead to different balance roots.
    error BalanceRootMismatch();

    // ------------------------------------------------------------------ functions

    /// @notice `scale`: a power of ten, 10^0 .. 10^18.
    function registerToken(address token, uint96 scale) external returns (uint8 tokenId);
    /// @notice Priority requests each pay the rollup's `priorityFee` (wei, credited to its
    ///         `feeRecipient`): `depositETH` with `msg.value` = fee + deposit, the others with
    ///         `msg.value` = fee exactly.
    function depositETH(bytes calldata l2Key) external payable returns (uint64 priorityId);
    function depositERC20(address token, uint256 amount, bytes calldata l2Key)
        external
        payable
        returns (uint64 priorityId);
    function requestFullExit(uint32 accountId, uint8 token) external payable returns (uint64 priorityId);
    /// @notice Wei every priority request pays (fixed at deployment, at most 0.1 ether).
    function priorityFee() external view returns (uint256);
    /// @notice Who is credited the priority fees (claimable ETH).
    function feeRecipient() external view returns (address);
    function commitBatch(StoredBatchInfo calldata last, CommitBatchInfo calldata next, bytes calldata pubdata) external;
    function commitAndProveBatch(
        StoredBatchInfo calldata last,
        CommitBatchInfo calldata next,
        bytes calldata pubdata,
        bytes calldata proof
    ) external;
    function proveBatch(StoredBatchInfo calldata batch, bytes calldata proof) external;
    function executeBatch(StoredBatchInfo calldata batch, bytes calldata page, bytes32 nextLink) external;
    function executePayouts(bytes calldata page, bytes32 nextLink) external;
    function revertBatches(uint64 newLastBatch) external;
    function withdraw(uint8 token) external returns (uint256 amount);
    function withdrawTo(uint8 token, address to) external returns (uint256 amount);
    function claim(address owner, uint8 token) external returns (uint256 amount);
    function activateExodusMode() external;
    function reclaimDeposit(uint64 priorityId) external;
    function exit(StoredBatchInfo calldata lastExecuted, StateProof.AccountProof calldata proof) external;
    function settlePool(StoredBatchInfo calldata lastExecuted, StateProof.AccountProof calldata proof) external;
    function poolCount() external view returns (uint8);
    function pools(uint8 pool) external view returns (uint8 tokenA, uint8 tokenB, uint32 account, uint8 shareToken);
    function poolSettlement(uint8 pool)
        external
        view
        returns (bool settled, uint64 reserveA, uint64 reserveB, uint64 supply);
}
