//! Helpers shared by the integration tests: seeded generators ([`rng`]), the Node.js set-up
//! of the tests that run the seed under JavaScript ([`node`]) and fresh pools ([`pools`]).

#![allow(dead_code)] // each test binary uses part of it

pub mod node;
pub mod pools;
pub mod rng;
