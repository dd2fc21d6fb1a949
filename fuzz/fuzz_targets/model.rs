//! The `model` fuzz target: see `mempool_fuzz::against_model`.

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use mempool_fuzz::input::OpsInput;

fuzz_target!(|input: OpsInput| mempool_fuzz::against_model::run(&input));
