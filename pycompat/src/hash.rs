//! Hashing for lookup tables keyed by names from trusted files.

/// A fast hash for short, trusted names (FxHash's word-at-a-time mixing):
/// policy rule names, option and section names from the operator's own
/// files, looked up on every decision or read, where SipHash's flood
/// resistance buys nothing and costs a third of the lookup.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NameHashBuild;

/// The hasher [`NameHashBuild`] builds.
#[derive(Debug)]
pub struct NameHash(u64);

impl NameHash {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl std::hash::Hasher for NameHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            for (d, s) in w.iter_mut().zip(rest) {
                *d = *s;
            }
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
}

impl std::hash::BuildHasher for NameHashBuild {
    type Hasher = NameHash;
    fn build_hasher(&self) -> NameHash {
        NameHash(0)
    }
}
