//! The memory the daemon's connections share.
//!
//! Every buffer whose size a peer or a command decides — a request frame,
//! the tree it decodes into, a command's captured output — is charged here
//! before it is allocated, and released when it is dropped. A request waits
//! (a bounded time) for its worst case to fit; output that would not fit
//! stops the command instead of growing.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// A shared limit on bytes in use.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    state: Mutex<State>,
    freed: Condvar,
}

/// What the lock protects.
#[derive(Debug, Default)]
struct State {
    used: u64,
    /// Reservations waiting for bytes to be given back: only then does
    /// giving back wake anyone (a wake-up is a system call).
    waiting: usize,
}

/// Bytes held from a [`Budget`], given back when dropped.
#[derive(Debug)]
pub struct Charge<'a> {
    budget: &'a Budget,
    held: u64,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Budget {
        Budget {
            limit,
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        }
    }

    /// The limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes currently held.
    pub fn used(&self) -> u64 {
        self.lock().used
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Holds `bytes`, waiting up to `patience` for others to give enough
    /// back; `None` if they never fit.
    pub fn reserve(&self, bytes: u64, patience: Duration) -> Option<Charge<'_>> {
        if bytes > self.limit {
            return None;
        }
        let deadline = Instant::now() + patience;
        let mut state = self.lock();
        while state.used + bytes > self.limit {
            let left = deadline.checked_duration_since(Instant::now())?;
            state.waiting += 1;
            state = self
                .freed
                .wait_timeout(state, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
            state.waiting -= 1;
        }
        state.used += bytes;
        Some(Charge {
            budget: self,
            held: bytes,
        })
    }

    fn give_back(&self, bytes: u64) {
        let mut state = self.lock();
        state.used = state.used.saturating_sub(bytes);
        // A waiter counted itself under this lock before it slept.
        let wake = state.waiting > 0;
        drop(state);
        if wake {
            self.freed.notify_all();
        }
    }
}

impl Charge<'_> {
    /// Holds `bytes` more if they fit now (never waits).
    pub fn grow(&mut self, bytes: u64) -> bool {
        let mut state = self.budget.lock();
        if state.used + bytes > self.budget.limit {
            return false;
        }
        state.used += bytes;
        self.held += bytes;
        true
    }

    /// Gives back all but `keep` bytes.
    pub fn shrink_to(&mut self, keep: u64) {
        if keep < self.held {
            self.budget.give_back(self.held - keep);
            self.held = keep;
        }
    }

    /// Bytes held.
    pub fn held(&self) -> u64 {
        self.held
    }
}

impl Drop for Charge<'_> {
    fn drop(&mut self) {
        self.budget.give_back(self.held);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_are_bounded_and_given_back() {
        let b = Budget::new(100);
        let mut a = b
            .reserve(60, Duration::ZERO)
            .unwrap_or_else(|| panic!("fits"));
        assert!(b.reserve(50, Duration::from_millis(10)).is_none());
        assert!(!a.grow(41));
        assert!(a.grow(40));
        assert_eq!(b.used(), 100);
        a.shrink_to(10);
        assert_eq!(b.used(), 10);
        drop(a);
        assert_eq!(b.used(), 0);
        assert!(b.reserve(101, Duration::ZERO).is_none());
    }

    #[test]
    fn a_waiting_reservation_gets_what_is_given_back() {
        let b = std::sync::Arc::new(Budget::new(100));
        let held = b.reserve(100, Duration::ZERO).map(|c| c.held());
        assert_eq!(held, Some(100));
        // The charge above was dropped at once: a waiter gets it.
        let first = b.reserve(80, Duration::ZERO);
        let b2 = std::sync::Arc::clone(&b);
        let waiter =
            std::thread::spawn(move || b2.reserve(50, Duration::from_secs(10)).map(|c| c.held()));
        std::thread::sleep(Duration::from_millis(50));
        drop(first);
        assert_eq!(waiter.join().ok().flatten(), Some(50));
    }
}
