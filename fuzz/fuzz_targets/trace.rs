//! The `trace` fuzz target: see `mempool_fuzz::trace`.

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| mempool_fuzz::trace::run(bytes));
