//! Helpers of the tests that run the `blinksim` binary: one run, and a file written for it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary with `args` and waits for it.
pub fn blinksim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blinksim"))
        .args(args)
        .output()
        .expect("run blinksim")
}

/// Writes `content` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}
