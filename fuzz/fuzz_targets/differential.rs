//! The `differential` fuzz target: see `mempool_fuzz::differential`.

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use mempool_fuzz::differential::DiffInput;

fuzz_target!(|input: DiffInput| mempool_fuzz::differential::run(&input));
