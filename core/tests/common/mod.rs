//! Helpers shared by the integration tests: seeded generators ([`rng`]) and the Node.js set-up
//! of the tests that run the seed under JavaScript ([`node`]).

#![allow(dead_code)] // each test binary uses part of it

pub mod node;
pub mod rng;
