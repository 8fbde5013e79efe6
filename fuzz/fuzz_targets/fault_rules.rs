#![no_main]
//! See `blinksim::fuzzing::fault_rules` for the input format and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| blinksim::fuzzing::fault_rules(data));
