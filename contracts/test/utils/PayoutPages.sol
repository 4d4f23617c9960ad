// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {IRollup} from "../../src/interfaces/IRollup.sol";

/// @dev The off-chain side of Rollup's payout paging, as the operator computes it from the
///      records a `BatchCommitted` event carries: pages of 256 records (29 bytes each; one
///      empty page when there are none) and, for each page, the link of the page after it
///      (zero for the last), `link(page, next) = keccak256(keccak256(page) ‖ next)`.
library PayoutPages {
    uint256 internal constant PAGE_BYTES = 256 * 29;

    function split(bytes memory payouts) internal pure returns (bytes[] memory pages, bytes32[] memory next) {
        uint256 len = payouts.length;
        uint256 n = len == 0 ? 1 : (len + PAGE_BYTES - 1) / PAGE_BYTES;
        pages = new bytes[](n);
        next = new bytes32[](n);
        for (uint256 j; j < n; ++j) {
            uint256 off = j * PAGE_BYTES;
            uint256 size = len - off < PAGE_BYTES ? len - off : PAGE_BYTES;
            bytes memory page = new bytes(size);
            for (uint256 k; k < size; ++k) {
                page[k] = payouts[off + k];
            }
            pages[j] = page;
        }
        bytes32 link;
        for (uint256 j = n; j > 0; --j) {
            next[j - 1] = link;
            link = keccak256(abi.encodePacked(keccak256(pages[j - 1]), link));
        }
    }

    /// @dev Executes `info` with the first page of `payouts`, then credits every later page.
    function executeAll(IRollup rollup, IRollup.StoredBatchInfo memory info, bytes memory payouts) internal {
        (bytes[] memory pages, bytes32[] memory next) = split(payouts);
        rollup.executeBatch(info, pages[0], next[0]);
        for (uint256 j = 1; j < pages.length; ++j) {
            rollup.executePayouts(pages[j], next[j]);
        }
    }

    /// @dev The chain head commitBatch stores as `payoutsHash`.
    function head(bytes memory payouts) internal pure returns (bytes32) {
        (bytes[] memory pages, bytes32[] memory next) = split(payouts);
        return keccak256(abi.encodePacked(keccak256(pages[0]), next[0]));
    }
}
