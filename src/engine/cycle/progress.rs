//! Progress as Graph counts it: `synchronizationProgress` in "pages" (§1.1), because "the
//! percentage reflects the count of pages provisioned. Each page could contain multiple users
//! or groups" (§1.7 WHEN). A page is `progress_page_size` of the cycle's imported objects.

use crate::engine::job::{Progress, SyncProgress};
use crate::scim::datetime::format_millis;
use std::time::Duration;

/// Graph's `units` of the engine's progress.
pub(crate) const UNITS: &str = "pages";

/// Pages of `objects` objects.
pub(crate) fn pages(objects: usize, page_size: u64) -> u64 {
    (objects as u64).div_ceil(page_size.max(1))
}

/// The progress after the first `processed` of `objects` objects, observed at `at`: a page
/// counts once every object of it is processed.
pub(crate) fn observed(processed: usize, objects: usize, page_size: u64, at: i64) -> SyncProgress {
    let total = pages(objects, page_size);
    SyncProgress {
        completed_units: if processed >= objects {
            total
        } else {
            processed as u64 / page_size.max(1)
        },
        progress_observation_date_time: format_millis(at),
        total_units: total,
        units: UNITS.to_string(),
    }
}

/// Counts a cycle's pages as its objects complete, in any order, and reports each completed
/// page to the callback with the virtual time of the work done so far.
pub(crate) struct PageCounter {
    page_size: u64,
    /// Objects still running, per page.
    remaining: Vec<u64>,
    completed: u64,
    start: i64,
    elapsed: Duration,
    callback: Option<Progress>,
}

impl PageCounter {
    /// A counter of `objects` objects of a cycle that started at `start` (Unix ms).
    pub(crate) fn new(
        objects: usize,
        page_size: u64,
        start: i64,
        callback: Option<Progress>,
    ) -> Self {
        let size = page_size.max(1);
        let total = pages(objects, size);
        let remaining = (0..total)
            .map(|p| size.min(objects as u64 - p * size))
            .collect();
        PageCounter {
            page_size: size,
            remaining,
            completed: 0,
            start,
            elapsed: Duration::ZERO,
            callback,
        }
    }

    /// Object `index` is done after `cost` of virtual time; a page it completes is reported.
    pub(crate) fn done(&mut self, index: usize, cost: Duration) {
        self.elapsed += cost;
        let page = (index as u64 / self.page_size) as usize;
        let Some(left) = self.remaining.get_mut(page) else {
            return;
        };
        *left = left.saturating_sub(1);
        if *left > 0 {
            return;
        }
        self.completed += 1;
        if let Some(callback) = &self.callback {
            let at = self
                .start
                .saturating_add(i64::try_from(self.elapsed.as_millis()).unwrap_or(i64::MAX));
            callback(&SyncProgress {
                completed_units: self.completed,
                progress_observation_date_time: format_millis(at),
                total_units: self.remaining.len() as u64,
                units: UNITS.to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn progress_counts_pages_not_objects() {
        // §1.7 WHEN: "the count of pages provisioned ... doesn't directly correlate to the
        // number of users".
        assert_eq!(pages(0, 100), 0);
        assert_eq!(pages(250, 100), 3);
        let p = observed(250, 250, 100, 0);
        assert_eq!(
            (p.completed_units, p.total_units, p.units.as_str()),
            (3, 3, "pages")
        );
        let cut = observed(199, 250, 100, 0);
        assert_eq!((cut.completed_units, cut.total_units), (1, 3));
    }

    #[test]
    fn a_page_is_reported_when_its_last_object_completes_in_any_order() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let callback: Progress = Arc::new(move |p: &SyncProgress| {
            if let Ok(mut s) = sink.lock() {
                s.push((p.completed_units, p.total_units));
            }
        });
        let mut pages = PageCounter::new(5, 2, 0, Some(callback));
        for i in [1, 4, 0, 3, 2] {
            pages.done(i, Duration::from_secs(1));
        }
        // Page 2 (object 4) first, then page 0 (objects 0, 1), then page 1 (objects 2, 3).
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(seen, [(1, 3), (2, 3), (3, 3)]);
    }
}
