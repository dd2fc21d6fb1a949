//! Typed blocks: the seed's `mallocAs` / `callocAs` / `reallocArray` for any
//! [`bytemuck::Pod`] element type (u8, i8, u16, i16, u32, i32, u64, i64, f32, f64, ...).

use std::marker::PhantomData;

use bytemuck::Pod;
use thiserror::Error;

use crate::engine::Engine;
use crate::pool::MemPool;

/// A block allocated for `len` elements of `T`: a handle, like the seed's typed-array view.
/// Read and write its elements with [`MemPool::slice`] and [`MemPool::slice_mut`].
pub struct TypedBlock<T> {
    addr: u32,
    len: u32,
    pool: u64,
    _elem: PhantomData<fn() -> T>,
}

impl<T> TypedBlock<T> {
    /// Data address of the block.
    #[must_use]
    pub fn addr(&self) -> u32 {
        self.addr
    }

    /// Number of elements.
    #[must_use]
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the block has no elements (never true for a block the pool returned).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Length in bytes (`len * size_of::<T>()`).
    #[must_use]
    pub fn byte_len(&self) -> usize {
        self.len as usize * std::mem::size_of::<T>()
    }
}

impl<T> Clone for TypedBlock<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for TypedBlock<T> {}

impl<T> std::fmt::Debug for TypedBlock<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedBlock")
            .field("type", &std::any::type_name::<T>())
            .field("addr", &self.addr)
            .field("len", &self.len)
            .finish()
    }
}

/// Why a typed block's elements cannot be viewed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccessError {
    /// The block belongs to another pool.
    #[error("typed block at {addr:#x} belongs to another pool")]
    OtherPool {
        /// The block's data address.
        addr: u32,
    },
    /// The block is no longer allocated (freed, moved by realloc, or the pool was reset).
    #[error("typed block at {addr:#x} is not allocated")]
    NotAllocated {
        /// The block's data address.
        addr: u32,
    },
    /// The buffer's memory at the block is not aligned for `T` (a caller's byte buffer that
    /// is less aligned than `T`; the pool's own [`crate::AlignedBuf`] is 8-byte aligned).
    #[error("typed block at {addr:#x} is not aligned in memory for a {align}-byte aligned type")]
    Misaligned {
        /// The block's data address.
        addr: u32,
        /// The alignment `T` needs.
        align: usize,
    },
}

impl<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine> MemPool<B, E> {
    fn typed<T>(&self, addr: u32, len: u32) -> TypedBlock<T> {
        TypedBlock {
            addr,
            len,
            pool: self.id(),
            _elem: PhantomData,
        }
    }

    fn byte_size<T>(num: u32) -> Option<u32> {
        u32::try_from(std::mem::size_of::<T>())
            .ok()?
            .checked_mul(num)
    }

    /// Allocates a block for `num` elements of `T` (the seed's `mallocAs`); the elements hold
    /// whatever bytes were there. `None` when `num` is 0, the byte size overflows, or no
    /// block fits.
    pub fn malloc_as<T: Pod>(&mut self, num: u32) -> Option<TypedBlock<T>> {
        let addr = self.malloc(Self::byte_size::<T>(num)?)?;
        Some(self.typed(addr, num))
    }

    /// [`MemPool::malloc_as`], then sets every element to `fill` (the seed's `callocAs`).
    pub fn calloc_as<T: Pod>(&mut self, num: u32, fill: T) -> Option<TypedBlock<T>> {
        let block = self.malloc_as::<T>(num)?;
        let bytes = bytemuck::bytes_of(&fill);
        let start = block.addr as usize;
        let region = self.bytes_mut_range(start, block.byte_len())?;
        if !bytes.is_empty() {
            for chunk in region.chunks_exact_mut(bytes.len()) {
                chunk.copy_from_slice(bytes);
            }
        }
        Some(block)
    }

    /// Resizes a typed block to `num` elements, keeping its elements up to the smaller length
    /// (the seed's `reallocArray`). `None` for a block of another pool or as
    /// [`MemPool::realloc`] fails; on failure nothing changes.
    pub fn realloc_array<T: Pod>(
        &mut self,
        block: TypedBlock<T>,
        num: u32,
    ) -> Option<TypedBlock<T>> {
        if block.pool != self.id() {
            return None;
        }
        let addr = self.realloc(block.addr, Self::byte_size::<T>(num)?)?;
        Some(self.typed(addr, num))
    }

    /// Frees a typed block; `false` for a block of another pool or one not allocated.
    pub fn free_typed<T>(&mut self, block: TypedBlock<T>) -> bool {
        block.pool == self.id() && self.free(block.addr)
    }

    fn check_typed<T>(&self, block: &TypedBlock<T>) -> Result<(), AccessError> {
        let addr = block.addr;
        if block.pool != self.id() {
            return Err(AccessError::OtherPool { addr });
        }
        match self.block(addr) {
            Some(b) if b.data() + block.byte_len() as u64 <= b.end() => Ok(()),
            _ => Err(AccessError::NotAllocated { addr }),
        }
    }

    /// The elements of an allocated typed block.
    ///
    /// # Errors
    /// [`AccessError`] when the block is of another pool, not allocated, or misaligned.
    pub fn slice<T: Pod>(&self, block: &TypedBlock<T>) -> Result<&[T], AccessError> {
        self.check_typed(block)?;
        let addr = block.addr;
        let start = addr as usize;
        let bytes = self
            .bytes()
            .get(start..start + block.byte_len())
            .ok_or(AccessError::NotAllocated { addr })?;
        bytemuck::try_cast_slice(bytes).map_err(|_| AccessError::Misaligned {
            addr,
            align: std::mem::align_of::<T>(),
        })
    }

    /// The elements of an allocated typed block, writable.
    ///
    /// # Errors
    /// [`AccessError`] when the block is of another pool, not allocated, or misaligned.
    pub fn slice_mut<T: Pod>(&mut self, block: &TypedBlock<T>) -> Result<&mut [T], AccessError> {
        self.check_typed(block)?;
        let addr = block.addr;
        let bytes = self
            .bytes_mut_range(addr as usize, block.byte_len())
            .ok_or(AccessError::NotAllocated { addr })?;
        bytemuck::try_cast_slice_mut(bytes).map_err(|_| AccessError::Misaligned {
            addr,
            align: std::mem::align_of::<T>(),
        })
    }
}
