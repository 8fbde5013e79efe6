#![no_main]
//! See `blinksim::fuzzing::expression` for the input format and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| blinksim::fuzzing::expression(data));
