//! Retrying with exponential backoff: the one rule for how long to wait between tries of
//! something that may succeed later (an SSH server still booting, a security group EC2 still
//! sees in use, a script that cannot start while the machine reboots).

use std::time::{Duration, Instant};

/// Waits that double from a first delay up to a cap, within a deadline.
#[derive(Debug, Clone)]
pub struct Backoff {
    delay: Duration,
    cap: Duration,
    deadline: Instant,
}

impl Backoff {
    /// Waits of `first`, doubling up to `cap`, for at most `within` from now.
    pub fn new(first: Duration, cap: Duration, within: Duration) -> Backoff {
        Backoff { delay: first, cap, deadline: Instant::now() + within }
    }

    /// Raises (or lowers) the longest wait from now on.
    pub fn set_cap(&mut self, cap: Duration) {
        self.cap = cap;
    }

    /// How long to wait before the next try, or `None` when waiting would pass the deadline
    /// (the caller gives up with its last error).
    pub fn next_delay(&mut self) -> Option<Duration> {
        let delay = self.delay;
        if Instant::now() + delay > self.deadline {
            return None;
        }
        self.delay = (self.delay * 2).min(self.cap.max(delay));
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_to_the_cap_and_stop_at_the_deadline() {
        let mut b = Backoff::new(Duration::from_millis(50), Duration::from_millis(150), Duration::from_secs(60));
        let waits: Vec<u128> = (0..4).filter_map(|_| b.next_delay()).map(|d| d.as_millis()).collect();
        assert_eq!(waits, [50, 100, 150, 150]);
        let mut short = Backoff::new(Duration::from_millis(50), Duration::from_secs(1), Duration::from_millis(10));
        assert_eq!(short.next_delay(), None);
    }
}
