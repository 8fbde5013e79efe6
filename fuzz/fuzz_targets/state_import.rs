#![no_main]
//! See `blinksim::fuzzing::state_import` for the input format and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| blinksim::fuzzing::state_import(data));
