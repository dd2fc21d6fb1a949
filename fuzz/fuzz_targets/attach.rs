//! The `attach` fuzz target: see `mempool_fuzz::attach`.

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use mempool_fuzz::attach::AttachInput;

fuzz_target!(|input: AttachInput| mempool_fuzz::attach::run(&input));
