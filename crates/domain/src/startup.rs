//! Business start-up time (企业开办时间): from the application received to the business
//! licence issued, in working days, and the summary figures of a group of start-ups.
//!
//! Day counting follows [`crate::calendar`]: the day the application arrives is not
//! counted, the day the licence is issued is; a licence issued on the day of application
//! took 0 working days. The median of an even number of values is the mean of the middle
//! two; the 90th percentile is the nearest-rank value (the ⌈0.9·n⌉-th smallest), so it is
//! always a duration that actually occurred.

use serde::Serialize;

/// Median and 90th percentile of a group of start-up durations in working days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub count: usize,
    pub median: f64,
    pub p90: u32,
}

/// Summarises `days` (any order); `None` for an empty group.
#[must_use]
pub fn summarise(days: &[u32]) -> Option<Summary> {
    if days.is_empty() {
        return None;
    }
    let mut v = days.to_vec();
    v.sort_unstable();
    let n = v.len();
    let median = if n % 2 == 1 {
        f64::from(v[n / 2])
    } else {
        (f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0
    };
    // Nearest rank: ceil(0.9 n), 1-based.
    let rank = (n * 9).div_ceil(10).max(1);
    Some(Summary {
        count: n,
        median,
        p90: v[rank - 1],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        assert_eq!(summarise(&[]), None);
        let s = summarise(&[3]).unwrap();
        assert_eq!((s.count, s.median, s.p90), (1, 3.0, 3));
        let s = summarise(&[4, 1, 3, 2]).unwrap();
        assert_eq!((s.median, s.p90), (2.5, 4));
        let ten: Vec<u32> = (1..=10).collect();
        let s = summarise(&ten).unwrap();
        assert_eq!((s.median, s.p90), (5.5, 9));
        let eleven: Vec<u32> = (0..=10).collect();
        let s = summarise(&eleven).unwrap();
        assert_eq!((s.median, s.p90), (5.0, 9));
    }
}
