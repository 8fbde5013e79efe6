//! Progress bars on a terminal (stderr), for long cycles in `run` and `load`.

use crate::engine::job::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;

/// A progress callback drawing a bar labelled `label` on stderr; it clears itself when the
/// work is done.
pub fn bar(label: String) -> Progress {
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} users ({per_sec}, {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(label);
    Arc::new(move |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done >= total {
            bar.finish_and_clear();
        }
    })
}
