#![no_main]
//! See `blinksim::fuzzing::filter` for the input format and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| blinksim::fuzzing::filter(data));
