//! Seeded randomness for generated test cases.

/// The one environment variable that changes the seed of every generated
/// suite (each has its own default, so a plain run is deterministic).
/// Decimal, or hexadecimal with `0x`.
pub const SEED_VAR: &str = "OSLO_RS_TEST_SEED";

/// The seed [`SEED_VAR`] asks for, if set (and said on stderr, so that a
/// failing run can be repeated).
pub fn seed_override() -> Option<u64> {
    let text = std::env::var(SEED_VAR).ok()?;
    let text = text.trim();
    let seed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16),
        None => text.replace('_', "").parse(),
    }
    .unwrap_or_else(|e| panic!("{SEED_VAR}={text:?}: not an integer: {e}"));
    eprintln!("{SEED_VAR}={seed:#x}");
    Some(seed)
}

/// [`seed_override`], else the suite's `default`.
pub fn seed(default: u64) -> u64 {
    seed_override().unwrap_or(default)
}

/// SplitMix64: small, seedable, good enough for generating test inputs.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn pct(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// True with probability 1/`n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `items` (a copy: items are mostly `&str`s and numbers).
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    /// The sequence the suites were tuned with (pycompat's former
    /// `testing::Rng`): changing it changes every generated case.
    #[test]
    fn splitmix64_sequence() {
        let mut rng = Rng(0);
        assert_eq!(rng.next(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.below(10), (0x6e78_9e6a_a1b9_65f4_u64 % 10) as usize);
        assert_eq!(rng.below(0), 0);
    }
}
