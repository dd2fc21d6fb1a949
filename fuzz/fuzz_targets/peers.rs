//! The `peers` fuzz target: see `mempool_fuzz::peers` (the input's first field picks talc,
//! rlsf, linked_list_allocator or dlmalloc).

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use mempool_fuzz::peers::{run_peer, Peer, PeerInput};

fuzz_target!(|input: (Peer, PeerInput)| run_peer(input.0, &input.1));
