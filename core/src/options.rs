//! Pool options, their defaults (the seed's) and their validation.

use thiserror::Error;

use crate::layout::{
    align_up, initial_top, DEFAULT_ALIGN, DEFAULT_MIN_SPLIT, DEFAULT_SIZE, MAX_BUFFER, STATE_BYTES,
};

/// Options of a new pool. `PoolOptions::default()` gives the seed's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PoolOptions {
    /// Buffer size in bytes for [`crate::MemPool::new`] (default 0x1000, at most 4 GiB);
    /// ignored when the caller brings the buffer.
    pub size: usize,
    /// Where the state words go; rounded up to a multiple of 4 (default 0).
    pub start: u32,
    /// One past the last usable byte (default and upper clamp: the buffer length, itself
    /// clamped to `u32::MAX` for a 4 GiB buffer).
    pub end: Option<u32>,
    /// Block alignment: a power of two >= 8 (default 8). Data addresses are multiples of it.
    pub align: u32,
    /// Coalesce free neighbours after every free and split (default true).
    pub compact: bool,
    /// Split oversized free blocks on allocation and shrink (default true).
    pub split: bool,
    /// Smallest remainder split off a block, in bytes; must exceed 8 (default 16).
    pub min_split: u32,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            size: DEFAULT_SIZE,
            start: 0,
            end: None,
            align: DEFAULT_ALIGN,
            compact: true,
            split: true,
            min_split: DEFAULT_MIN_SPLIT,
        }
    }
}

/// Why a pool could not be made or attached. Every message names the bad value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PoolError {
    /// `align` is not a power of two >= 8.
    #[error("invalid option `align`: {0} (must be a power of two >= 8)")]
    InvalidAlign(u32),
    /// `min_split` is 8 or less.
    #[error("invalid option `min_split`: {0} (must be greater than 8)")]
    InvalidMinSplit(u32),
    /// The buffer is longer than a `u32` address can reach.
    #[error("buffer of {0} bytes is too large: a pool addresses at most 4 GiB")]
    BufferTooLarge(usize),
    /// The state block does not fit in the buffer at `start`.
    #[error(
        "invalid option `start`: {start:#x} (rounded to {rounded:#x}) leaves no room for the \
         28-byte state in a buffer of {len} bytes"
    )]
    StartOutOfRange {
        /// `start` as given.
        start: u32,
        /// `start` rounded up to a multiple of 4.
        rounded: u64,
        /// Buffer length.
        len: usize,
    },
    /// The first block would start at or beyond `end` (the seed's "insufficient address range").
    #[error(
        "insufficient address range: start {start:#x}, end {end:#x}, but the first block would \
         start at {initial_top:#x}"
    )]
    InsufficientRange {
        /// Rounded `start`.
        start: u32,
        /// Resolved `end`.
        end: u32,
        /// Where the first block would start.
        initial_top: u64,
    },
    /// A state word of an attached buffer is out of range.
    #[error("cannot attach at {start:#x}: state word `{word}` = {value:#x} {reason}")]
    CorruptState {
        /// Address of the state block.
        start: u32,
        /// The state word's name in the seed (`free`, `used`, `top`, `end`, `align`, `minSplit`).
        word: &'static str,
        /// The value found.
        value: u32,
        /// What is wrong with it.
        reason: String,
    },
}

/// Options resolved against a concrete buffer: what the constructor writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) align: u32,
    pub(crate) initial_top: u32,
}

/// The largest `end` a buffer of `len` bytes allows.
pub(crate) fn max_end(len: usize) -> Result<u32, PoolError> {
    if len > MAX_BUFFER {
        return Err(PoolError::BufferTooLarge(len));
    }
    Ok(u32::try_from(len).unwrap_or(u32::MAX))
}

/// Rounds `start` up to 4 and checks that the state block fits in `len` bytes.
pub(crate) fn resolve_start(start: u32, len: usize) -> Result<u32, PoolError> {
    let rounded = align_up(u64::from(start), 4);
    let fits = rounded + u64::from(STATE_BYTES) <= len as u64;
    match u32::try_from(rounded) {
        Ok(s) if fits => Ok(s),
        _ => Err(PoolError::StartOutOfRange {
            start,
            rounded,
            len,
        }),
    }
}

/// Whether `align` is acceptable.
pub(crate) fn valid_align(align: u32) -> bool {
    align >= 8 && align.is_power_of_two()
}

impl PoolOptions {
    /// Validates the options against a buffer of `len` bytes.
    pub(crate) fn resolve(&self, len: usize) -> Result<Resolved, PoolError> {
        if !valid_align(self.align) {
            return Err(PoolError::InvalidAlign(self.align));
        }
        if self.min_split <= 8 {
            return Err(PoolError::InvalidMinSplit(self.min_split));
        }
        let max_end = max_end(len)?;
        let start = resolve_start(self.start, len)?;
        let end = self.end.map_or(max_end, |e| e.min(max_end));
        let top = initial_top(start, self.align);
        if top >= u64::from(end) {
            return Err(PoolError::InsufficientRange {
                start,
                end,
                initial_top: top,
            });
        }
        Ok(Resolved {
            start,
            end,
            align: self.align,
            // top < end <= u32::MAX
            initial_top: top as u32,
        })
    }
}
