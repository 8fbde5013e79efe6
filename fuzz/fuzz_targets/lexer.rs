#![no_main]
//! See `blinksim::fuzzing::lexer` for the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| blinksim::fuzzing::lexer(data));
