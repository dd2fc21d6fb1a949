//! [`AlignedBuf`], the zeroed, 8-byte-aligned buffer a pool owns when the caller brings none.

/// A zeroed byte buffer whose first byte is 8-byte aligned, so typed blocks of every
/// element type up to `u64`/`f64` are aligned in memory as they are in the pool's addresses.
///
/// Allocated with the allocator's zeroed path, so a large buffer (up to 4 GiB) costs only the
/// pages that are touched.
#[derive(Clone, PartialEq, Eq)]
pub struct AlignedBuf {
    words: Vec<u64>,
    len: usize,
}

impl AlignedBuf {
    /// A zeroed buffer of `len` bytes.
    #[must_use]
    pub fn zeroed(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(8)],
            len,
        }
    }

    /// A buffer holding a copy of `bytes`.
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let mut buf = Self::zeroed(bytes.len());
        buf.as_mut().copy_from_slice(bytes);
        buf
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer has no bytes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes as a `Vec<u8>` (a copy).
    #[must_use]
    pub fn to_vec(&self) -> Vec<u8> {
        self.as_ref().to_vec()
    }
}

impl AsRef<[u8]> for AlignedBuf {
    fn as_ref(&self) -> &[u8] {
        let bytes: &[u8] = bytemuck::cast_slice(&self.words);
        bytes.get(..self.len).unwrap_or(bytes)
    }
}

impl AsMut<[u8]> for AlignedBuf {
    fn as_mut(&mut self) -> &mut [u8] {
        let len = self.len;
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut self.words);
        let all = bytes.len();
        &mut bytes[..len.min(all)]
    }
}

impl std::fmt::Debug for AlignedBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlignedBuf")
            .field("len", &self.len)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_and_sized() {
        let mut b = AlignedBuf::zeroed(13);
        assert_eq!(b.len(), 13);
        assert_eq!(b.as_ref().as_ptr() as usize % 8, 0);
        b.as_mut()[12] = 7;
        assert_eq!(b.to_vec()[12], 7);
        assert_eq!(AlignedBuf::from_bytes(&[1, 2, 3]).to_vec(), vec![1, 2, 3]);
        assert!(!b.is_empty());
        assert!(AlignedBuf::zeroed(0).is_empty());
    }

    #[test]
    fn debug_shows_the_length_only() {
        assert_eq!(
            format!("{:?}", AlignedBuf::zeroed(13)),
            "AlignedBuf { len: 13 }"
        );
    }
}
