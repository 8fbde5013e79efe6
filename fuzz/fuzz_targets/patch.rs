#![no_main]
//! See `blinksim::fuzzing::patch` for the input format and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| blinksim::fuzzing::patch(data));
