//! The feature hash: 64-bit FNV-1a with a namespace byte, fixed forever.
//!
//! Why FNV-1a: it is fully specified (offset basis and prime below), has no per-process seed (unlike std's
//! `RandomState`), and is incremental, so every prefix of a character n-gram is hashed in one pass. Changing
//! anything here changes every feature index and therefore needs a new [`crate::FEATURE_VERSION`].

/// FNV-1a 64-bit offset basis.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// An FNV-1a hash in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Fnv1a {
    /// Starts a hash in the given feature namespace (the namespace is the first byte hashed).
    #[inline]
    pub fn new(namespace: u8) -> Fnv1a {
        Fnv1a(FNV_OFFSET).byte(namespace)
    }

    #[inline]
    pub fn byte(self, b: u8) -> Fnv1a {
        Fnv1a((self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME))
    }

    #[inline]
    pub fn bytes(self, bytes: &[u8]) -> Fnv1a {
        bytes.iter().fold(self, |h, &b| h.byte(b))
    }

    #[inline]
    pub fn finish(self) -> u64 {
        self.0
    }

    /// The bucket of this hash in a table of `2^bits` buckets. Uses the high bits mixed with the low bits,
    /// because FNV's low bits alone are weak for short keys.
    #[inline]
    pub fn bucket(self, bits: u32) -> u32 {
        let h = self.0 ^ (self.0 >> 32);
        (h & ((1u64 << bits) - 1)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_fnv1a_test_vectors() {
        // From the FNV reference (draft-eastlake-fnv): fnv1a64("") and fnv1a64("a"), "foobar".
        assert_eq!(Fnv1a(FNV_OFFSET).finish(), 0xcbf29ce484222325);
        assert_eq!(Fnv1a(FNV_OFFSET).bytes(b"a").finish(), 0xaf63dc4c8601ec8c);
        assert_eq!(Fnv1a(FNV_OFFSET).bytes(b"foobar").finish(), 0x85944171f73967e8);
    }

    #[test]
    fn namespaces_separate_equal_strings() {
        assert_ne!(Fnv1a::new(1).bytes(b"good").bucket(14), Fnv1a::new(2).bytes(b"good").bucket(14));
        assert!(Fnv1a::new(1).bytes(b"good").bucket(14) < 1 << 14);
    }
}
