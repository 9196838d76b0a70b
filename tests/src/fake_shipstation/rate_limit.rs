//! Fixed-window rate limiter, one per API key pair (§2 of the spec).

use std::time::{Duration, Instant};

/// Values for the `X-Rate-Limit-*` headers plus whether the request may proceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// `X-Rate-Limit-Limit`.
    pub limit: u32,
    /// `X-Rate-Limit-Remaining`.
    pub remaining: u32,
    /// `X-Rate-Limit-Reset`: seconds until the window restarts (a countdown).
    pub reset_secs: u64,
    /// False when the request is over the limit (answer 429).
    pub allowed: bool,
}

/// A fixed window that starts with the first request after the previous window expired.
#[derive(Debug, Default, Clone)]
pub struct RateWindow {
    started: Option<Instant>,
    used: u32,
}

impl RateWindow {
    fn roll(&mut self, window: Duration, now: Instant) -> Instant {
        match self.started {
            Some(s) if now.saturating_duration_since(s) < window => s,
            _ => {
                self.started = Some(now);
                self.used = 0;
                now
            }
        }
    }

    fn reset_secs(start: Instant, window: Duration, now: Instant) -> u64 {
        let left = window.saturating_sub(now.saturating_duration_since(start));
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        secs.max(1)
    }

    /// Counts one request and reports the header values.
    pub fn hit(&mut self, limit: u32, window: Duration, now: Instant) -> RateDecision {
        let start = self.roll(window, now);
        let reset_secs = Self::reset_secs(start, window, now);
        if self.used >= limit {
            return RateDecision {
                limit,
                remaining: 0,
                reset_secs,
                allowed: false,
            };
        }
        self.used += 1;
        RateDecision {
            limit,
            remaining: limit - self.used,
            reset_secs,
            allowed: true,
        }
    }

    /// Reports the header values without counting a request.
    pub fn peek(&mut self, limit: u32, window: Duration, now: Instant) -> RateDecision {
        let start = self.roll(window, now);
        RateDecision {
            limit,
            remaining: limit.saturating_sub(self.used),
            reset_secs: Self::reset_secs(start, window, now),
            allowed: self.used < limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_refuses_then_resets() {
        let mut w = RateWindow::default();
        let t0 = Instant::now();
        let win = Duration::from_secs(60);
        let first = w.hit(3, win, t0);
        assert_eq!(
            (first.remaining, first.reset_secs, first.allowed),
            (2, 60, true)
        );
        assert_eq!(w.hit(3, win, t0 + Duration::from_secs(10)).remaining, 1);
        let third = w.hit(3, win, t0 + Duration::from_millis(20_500));
        assert_eq!((third.remaining, third.reset_secs), (0, 40));
        let over = w.hit(3, win, t0 + Duration::from_secs(30));
        assert!(!over.allowed);
        assert_eq!(over.remaining, 0);
        let fresh = w.hit(3, win, t0 + Duration::from_secs(61));
        assert_eq!((fresh.remaining, fresh.allowed), (2, true));
    }

    #[test]
    fn peek_does_not_consume() {
        let mut w = RateWindow::default();
        let now = Instant::now();
        let win = Duration::from_secs(60);
        assert_eq!(w.peek(40, win, now).remaining, 40);
        assert_eq!(w.hit(40, win, now).remaining, 39);
        assert_eq!(w.peek(40, win, now).remaining, 39);
    }
}
