//! segfit under the generic harness: overlap, alignment, region bounds, contents, realloc,
//! its own check after every op (see `mempool_fuzz::peers`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use mempool_fuzz::peers::{run, PeerInput};

fuzz_target!(|input: PeerInput| run::<bring_your_own::SegFit>(&input));
