//! Typed blocks of several element types behind one enum, so the targets can hold them side by
//! side and pick the type from the input.

use arbitrary::Arbitrary;
use bytemuck::Pod;
use mempool::{AccessError, Engine, MemPool, PoolOptions, TypedBlock};

/// The element value whose bytes are the low bytes of `bits` (little-endian).
fn value<T: Pod>(bits: u64) -> T {
    let bytes = bits.to_le_bytes();
    bytemuck::pod_read_unaligned(&bytes[..std::mem::size_of::<T>()])
}

macro_rules! elements {
    ($($name:ident => $t:ty),* $(,)?) => {
        /// An element type of `malloc_as` / `calloc_as`.
        #[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Elem {
            $(
                #[doc = concat!("`", stringify!($t), "`")]
                $name,
            )*
        }

        /// A typed block of one of the [`Elem`] types.
        #[derive(Debug, Clone, Copy)]
        pub enum Handle {
            $(
                #[doc = concat!("A block of `", stringify!($t), "`.")]
                $name(TypedBlock<$t>),
            )*
        }

        impl Elem {
            /// Size of one element in bytes.
            #[must_use]
            pub fn size(self) -> u32 {
                match self {
                    $(Elem::$name => std::mem::size_of::<$t>() as u32,)*
                }
            }

            /// `pool.malloc_as::<T>(num)`.
            pub fn malloc_as<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine>(
                self,
                pool: &mut MemPool<B, E>,
                num: u32,
            ) -> Option<Handle> {
                match self {
                    $(Elem::$name => pool.malloc_as::<$t>(num).map(Handle::$name),)*
                }
            }

            /// `pool.calloc_as::<T>(num, fill)` with the element whose bytes are the low bytes
            /// of `fill`.
            pub fn calloc_as<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine>(
                self,
                pool: &mut MemPool<B, E>,
                num: u32,
                fill: u64,
            ) -> Option<Handle> {
                match self {
                    $(Elem::$name => {
                        pool.calloc_as::<$t>(num, value::<$t>(fill)).map(Handle::$name)
                    })*
                }
            }
        }

        impl Handle {
            /// Data address.
            #[must_use]
            pub fn addr(&self) -> u32 {
                match self {
                    $(Handle::$name(b) => b.addr(),)*
                }
            }

            /// Number of elements.
            #[must_use]
            pub fn len(&self) -> u32 {
                match self {
                    $(Handle::$name(b) => b.len(),)*
                }
            }

            /// Whether it has no elements.
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// The element type.
            #[must_use]
            pub fn elem(&self) -> Elem {
                match self {
                    $(Handle::$name(_) => Elem::$name,)*
                }
            }

            /// `pool.realloc_array(block, num)`.
            pub fn realloc_array<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine>(
                self,
                pool: &mut MemPool<B, E>,
                num: u32,
            ) -> Option<Handle> {
                match self {
                    $(Handle::$name(b) => pool.realloc_array(b, num).map(Handle::$name),)*
                }
            }

            /// `pool.free_typed(block)`.
            pub fn free<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine>(self, pool: &mut MemPool<B, E>) -> bool {
                match self {
                    $(Handle::$name(b) => pool.free_typed(b),)*
                }
            }

            /// The elements' bytes through `pool.slice(&block)`.
            ///
            /// # Errors
            /// As [`MemPool::slice`].
            pub fn bytes<'p, B: AsRef<[u8]> + AsMut<[u8]>, E: Engine>(
                &self,
                pool: &'p MemPool<B, E>,
            ) -> Result<&'p [u8], AccessError> {
                match self {
                    $(Handle::$name(b) => pool.slice(b).map(|s| bytemuck::cast_slice(s)),)*
                }
            }

            /// The elements' bytes through `pool.slice_mut(&block)`.
            ///
            /// # Errors
            /// As [`MemPool::slice_mut`].
            pub fn bytes_mut<'p, B: AsRef<[u8]> + AsMut<[u8]>, E: Engine>(
                &self,
                pool: &'p mut MemPool<B, E>,
            ) -> Result<&'p mut [u8], AccessError> {
                match self {
                    $(Handle::$name(b) => {
                        pool.slice_mut(b).map(|s| bytemuck::cast_slice_mut(s))
                    })*
                }
            }
        }
    };
}

elements! {
    U8 => u8,
    I8 => i8,
    U16 => u16,
    I16 => i16,
    U32 => u32,
    I32 => i32,
    F32 => f32,
    U64 => u64,
    I64 => i64,
    F64 => f64,
}

impl Elem {
    /// The bytes of one element of value `fill` (as [`Elem::calloc_as`] writes it).
    #[must_use]
    pub fn fill_bytes(self, fill: u64) -> Vec<u8> {
        fill.to_le_bytes()[..self.size() as usize].to_vec()
    }

    /// `num * size`, or `None` when it overflows `u32` (the pool must then fail).
    #[must_use]
    pub fn byte_size(self, num: u32) -> Option<u32> {
        num.checked_mul(self.size())
    }
}

/// A pool of its own and a typed block of `count` elements in it: another pool's block, which
/// every pool under test must refuse.
///
/// # Panics
/// When the block does not fit: the pool has 128 bytes, room for one block of up to 88
/// (`count` elements of `T`).
#[must_use]
pub fn foreign_block<T: Pod>(count: u32) -> (MemPool, TypedBlock<T>) {
    let mut other = MemPool::new(PoolOptions {
        size: 128,
        ..PoolOptions::default()
    })
    .expect("a small pool");
    let h = other.malloc_as::<T>(count).expect("fits");
    (other, h)
}

/// Asserts that `pool` refuses `h`, a typed block of another pool: `free_typed` returns false
/// and `realloc_array(h, num)` fails.
///
/// # Panics
/// When the pool accepts the block.
pub fn assert_refuses_foreign<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine, T: Pod>(
    pool: &mut MemPool<B, E>,
    h: TypedBlock<T>,
    num: u32,
) {
    assert!(!pool.free_typed(h), "free_typed of another pool's block");
    assert!(
        pool.realloc_array(h, num).is_none(),
        "realloc_array of another pool's block"
    );
}
