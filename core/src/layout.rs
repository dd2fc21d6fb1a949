//! The buffer layout shared with @thi.ng/malloc: state words, block headers and the
//! arithmetic that places blocks.
//!
//! Every word is a little-endian `u32`. The pool's state sits at `start` (a multiple of 4);
//! the heap follows it:
//!
//! ```text
//! start +0   free      address of the first free block (0 = none); free list sorted by address
//!       +4   used      address of the first used block (0 = none); used list newest first
//!       +8   top       first address never handed out (bump pointer)
//!       +12  end       one past the last usable byte
//!       +16  align     block alignment (power of two >= 8)
//!       +20  flags     bit 0 = compact, bit 1 = split (other bits are preserved)
//!       +24  minSplit  smallest remainder worth splitting off (> 8)
//!       +28  ...       padding up to initialTop
//! initialTop           first block; blocks tile [initialTop, top)
//! top .. end           never handed out
//!
//! block at address B:  B+0 size (bytes, header included)   B+4 next (0 = end of list)
//!                      B+8 data: the address callers see (a multiple of align)
//! ```
//!
//! `initialTop = alignUp(start + 28 + 8, align) - 8`, so every data address is a multiple of
//! `align`; a request of `n` bytes takes a block of `padded(n) = alignUp(n + 8, align)` bytes.
//!
//! Arithmetic on addresses is done in `u64` and checked when stored back as `u32`: JavaScript
//! numbers never wrap at 2^32, so neither may the port.

/// Byte offset (from `start`) of the word holding the first free block's address.
pub const STATE_FREE: u32 = 0;
/// Byte offset of the word holding the first used block's address.
pub const STATE_USED: u32 = 4;
/// Byte offset of the `top` word (first address never handed out).
pub const STATE_TOP: u32 = 8;
/// Byte offset of the `end` word (one past the last usable byte).
pub const STATE_END: u32 = 12;
/// Byte offset of the `align` word.
pub const STATE_ALIGN: u32 = 16;
/// Byte offset of the `flags` word ([`FLAG_COMPACT`], [`FLAG_SPLIT`]).
pub const STATE_FLAGS: u32 = 20;
/// Byte offset of the `minSplit` word.
pub const STATE_MIN_SPLIT: u32 = 24;
/// Size of the state block in bytes (7 words).
pub const STATE_BYTES: u32 = 28;

/// `flags` bit: coalesce free neighbours after every free and split.
pub const FLAG_COMPACT: u32 = 1;
/// `flags` bit: split oversized free blocks on allocation and shrink.
pub const FLAG_SPLIT: u32 = 2;

/// Byte offset of a block's size word (header included) from the block address.
pub const BLOCK_SIZE: u32 = 0;
/// Byte offset of a block's next-pointer word from the block address.
pub const BLOCK_NEXT: u32 = 4;
/// Size of a block header in bytes; the data address is `block + BLOCK_HEADER`.
pub const BLOCK_HEADER: u32 = 8;

/// Default buffer size of [`crate::MemPool::new`] (the seed's 0x1000).
pub const DEFAULT_SIZE: usize = 0x1000;
/// Default block alignment.
pub const DEFAULT_ALIGN: u32 = 8;
/// Default split threshold.
pub const DEFAULT_MIN_SPLIT: u32 = 16;
/// Largest buffer a pool can address: addresses are `u32`, so 4 GiB.
pub const MAX_BUFFER: usize = 1 << 32;

/// Rounds `x` up to a multiple of `align` (a power of two). Never overflows: works in `u64`.
#[must_use]
pub const fn align_up(x: u64, align: u32) -> u64 {
    // An attached heap that corrupts itself can hold align 0: round as for 1 instead of
    // underflowing `a - 1` (found by the `attach` fuzz target, fuzz/regressions/attach/).
    let a = if align == 0 { 1 } else { align as u64 };
    (x + a - 1) & !(a - 1)
}

/// The first block address of a pool whose state starts at `start` (the seed's `initialTop`).
#[must_use]
pub const fn initial_top(start: u32, align: u32) -> u64 {
    align_up(start as u64 + (STATE_BYTES + BLOCK_HEADER) as u64, align) - BLOCK_HEADER as u64
}

/// The block size for an `n`-byte request (the seed's `paddedSize`), in `u64`: the seed's
/// 32-bit version wraps for huge requests (bug B4, `core/SPEC.md` §6).
#[must_use]
pub const fn padded(n: u32, align: u32) -> u64 {
    align_up(n as u64 + BLOCK_HEADER as u64, align)
}

/// Data address of the block at `block`.
#[must_use]
pub const fn data_addr(block: u32) -> u64 {
    block as u64 + BLOCK_HEADER as u64
}

/// Block address of the data address `ptr`, or `None` for addresses below the first header
/// (the seed maps them to negative numbers that match no block).
#[must_use]
pub const fn block_addr(ptr: u32) -> Option<u32> {
    ptr.checked_sub(BLOCK_HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_top_matches_the_seed() {
        assert_eq!(initial_top(0, 8), 32);
        assert_eq!(initial_top(0, 16), 40);
        assert_eq!(initial_top(0x0c, 8), 40);
        assert_eq!(initial_top(u32::MAX - 3, 8), 0x1_0000_0018);
    }

    #[test]
    fn padded_never_wraps() {
        assert_eq!(padded(12, 8), 24);
        assert_eq!(padded(31, 16), 48);
        assert_eq!(padded(u32::MAX, 8), 0x1_0000_0008);
    }
}
