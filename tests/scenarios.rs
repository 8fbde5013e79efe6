//! Snapshot regression: every scenario in `scenarios/` is played against the embedded tenant
//! and its rendering (timeline with every log entry, request trace, final tenant state) is
//! compared with `snapshots/scenarios@<file>.snap`. A new scenario file is picked up without
//! touching code; its first snapshot is reviewed before it is accepted.

use blinksim::scenario::{Target, load_path, play, prepare};
use blinksim::scenario::{console, snapshot};

#[test]
fn scenarios() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../scenarios", "*.{toml,json}", |path| {
            let scenario = load_path(path).unwrap_or_else(|e| panic!("{e}"));
            let world = prepare(&scenario, &Target::Embedded).unwrap_or_else(|e| panic!("{e}"));
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            let played = runtime.block_on(play(&scenario, world, None));
            insta::assert_snapshot!(snapshot(&played));
            assert!(played.ok(), "expectations failed:\n{}", console(&played));
        });
    });
}
