//! Progress bars on a terminal (stderr), for long cycles in `run` and `load`.

use crate::engine::job::{Progress, SyncProgress};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;

/// A progress callback drawing a bar labelled `label` on stderr; it clears itself when the
/// work is done.
pub fn bar(label: String) -> Progress {
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} pages ({per_sec}, {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(label);
    // Pages, as the portal's bar counts them (§1.7 WHEN).
    Arc::new(move |p: &SyncProgress| {
        bar.set_length(p.total_units);
        bar.set_position(p.completed_units);
        if p.completed_units >= p.total_units {
            bar.finish_and_clear();
        }
    })
}
