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
            self.add(tail_word(rest));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
}

/// The 1 to 7 bytes of `rest` as a little-endian word, zero-padded
/// (what copying them into `[0; 8]` gives), from two overlapping loads
/// instead of a byte loop (which compiles to a `memcpy` call): the bytes
/// both loads cover are OR-ed with themselves.
#[inline]
fn tail_word(rest: &[u8]) -> u64 {
    let n = rest.len();
    let byte = |i: usize| u64::from(rest.get(i).copied().unwrap_or(0));
    if n >= 4 {
        let word = |at: usize| {
            let mut w = [0u8; 4];
            if let Some(src) = rest.get(at..at + 4) {
                w.copy_from_slice(src);
            }
            u64::from(u32::from_le_bytes(w))
        };
        word(0) | (word(n - 4) << (8 * (n - 4)))
    } else {
        byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)))
    }
}

impl std::hash::BuildHasher for NameHashBuild {
    type Hasher = NameHash;
    fn build_hasher(&self) -> NameHash {
        NameHash(0)
    }
}

#[cfg(test)]
mod tail_tests {
    use super::tail_word;

    #[test]
    fn tail_word_is_the_zero_padded_little_endian_word() {
        let bytes: Vec<u8> = (1..=7u8).map(|b| b.wrapping_mul(37) | 0x80).collect();
        for n in 1..=7 {
            for start in 0..(8 - n) {
                let rest = bytes
                    .get(start..(start + n).min(bytes.len()))
                    .unwrap_or(&[]);
                if rest.len() != n {
                    continue;
                }
                let mut w = [0u8; 8];
                for (d, s) in w.iter_mut().zip(rest) {
                    *d = *s;
                }
                assert_eq!(tail_word(rest), u64::from_le_bytes(w), "{rest:?}");
            }
        }
    }
}
