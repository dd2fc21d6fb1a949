//! Which allocators a tool runs, by one name each: the built-in ones (an [`AdapterSpec`]) and
//! a user's region allocators, registered with [`AllocatorEntry::region`]. Every tool (the
//! report, the benchmarks' gate, the examples) takes the same entries, so a user's allocator
//! is registered once.

use std::ops::Range;

use crate::adapters::{AdapterSpec, Allocator, RegionAdapter, RegionAllocator};
use crate::error::{AdapterError, SuiteError};
use crate::op::Workload;
use crate::replay::{replay, ReplayConfig, ReplayResult};
use crate::timing::{self, Latency, Prepared, Timed};

/// One allocator to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocatorEntry {
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Builtin(AdapterSpec),
    Region(RegionFns),
}

/// A user's region allocator `T`, as functions compiled for `T`.
#[derive(Clone, Copy)]
struct RegionFns {
    name: &'static str,
    build: fn(usize) -> Result<Box<dyn Allocator>, AdapterError>,
    time: fn(&Prepared, Range<usize>, usize) -> Result<Timed, AdapterError>,
    latency: fn(&Prepared, usize) -> Result<Latency, AdapterError>,
}

impl std::fmt::Debug for RegionFns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionFns")
            .field("name", &self.name)
            .finish()
    }
}

impl PartialEq for RegionFns {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for RegionFns {}

fn build_region<T: RegionAllocator + 'static>(
    capacity: usize,
) -> Result<Box<dyn Allocator>, AdapterError> {
    Ok(Box::new(RegionAdapter::<T>::new(capacity)?))
}

fn time_region<T: RegionAllocator>(
    p: &Prepared,
    window: Range<usize>,
    capacity: usize,
) -> Result<Timed, AdapterError> {
    Ok(timing::time_window(
        p,
        &mut RegionAdapter::<T>::new(capacity)?,
        window,
    ))
}

fn latency_region<T: RegionAllocator>(
    p: &Prepared,
    capacity: usize,
) -> Result<Latency, AdapterError> {
    Ok(timing::latency(p, &mut RegionAdapter::<T>::new(capacity)?))
}

impl From<AdapterSpec> for AllocatorEntry {
    fn from(spec: AdapterSpec) -> Self {
        Self {
            kind: Kind::Builtin(spec),
        }
    }
}

impl AllocatorEntry {
    /// A user's region allocator `T`, named `T::NAME`; timed and measured with loops compiled
    /// for `RegionAdapter<T>`, as the built-in peers are.
    #[must_use]
    pub fn region<T: RegionAllocator + 'static>() -> Self {
        Self {
            kind: Kind::Region(RegionFns {
                name: T::NAME,
                build: build_region::<T>,
                time: time_region::<T>,
                latency: latency_region::<T>,
            }),
        }
    }

    /// The name every tool gives it.
    #[must_use]
    pub fn name(&self) -> String {
        match &self.kind {
            Kind::Builtin(spec) => spec.name(),
            Kind::Region(f) => f.name.to_owned(),
        }
    }

    /// The built-in allocator's spec; `None` for a user's.
    #[must_use]
    pub fn spec(&self) -> Option<AdapterSpec> {
        match self.kind {
            Kind::Builtin(spec) => Some(spec),
            Kind::Region(_) => None,
        }
    }

    /// Builds it over a new region of `capacity` bytes.
    ///
    /// # Errors
    /// [`AdapterError`] when it cannot be built.
    pub fn build(&self, capacity: usize) -> Result<Box<dyn Allocator>, AdapterError> {
        match &self.kind {
            Kind::Builtin(spec) => spec.build(capacity),
            Kind::Region(f) => (f.build)(capacity),
        }
    }

    /// The tracked replay of `workload` on a fresh allocator of `capacity` bytes.
    ///
    /// # Errors
    /// [`AdapterError`] when it cannot be built.
    pub fn replay(
        &self,
        workload: &Workload,
        capacity: usize,
        config: &ReplayConfig,
    ) -> Result<ReplayResult, AdapterError> {
        let mut a = self.build(capacity)?;
        Ok(replay(workload, a.as_mut(), config))
    }

    /// [`timing::time_window`] on a fresh allocator of `capacity` bytes, compiled for it.
    ///
    /// # Errors
    /// [`AdapterError`] when it cannot be built.
    pub fn time(
        &self,
        prepared: &Prepared,
        window: Range<usize>,
        capacity: usize,
    ) -> Result<Timed, AdapterError> {
        match &self.kind {
            Kind::Builtin(spec) => timing::time_window_spec(prepared, window, spec, capacity),
            Kind::Region(f) => (f.time)(prepared, window, capacity),
        }
    }

    /// [`timing::latency`] on a fresh allocator of `capacity` bytes, compiled for it.
    ///
    /// # Errors
    /// [`AdapterError`] when it cannot be built.
    pub fn latency(&self, prepared: &Prepared, capacity: usize) -> Result<Latency, AdapterError> {
        match &self.kind {
            Kind::Builtin(spec) => timing::latency_spec(prepared, spec, capacity),
            Kind::Region(f) => (f.latency)(prepared, capacity),
        }
    }
}

/// Checks that `entries` name every allocator once, and that no user's allocator takes a
/// built-in allocator's name.
///
/// # Errors
/// [`SuiteError::AllocatorName`] naming the clash.
pub fn check_names(entries: &[AllocatorEntry]) -> Result<(), SuiteError> {
    for (i, e) in entries.iter().enumerate() {
        let name = e.name();
        if e.spec().is_none() && AdapterSpec::from_name(&name).is_ok() {
            return Err(SuiteError::AllocatorName {
                name,
                reason: "is a built-in allocator's name".into(),
            });
        }
        if entries[..i].iter().any(|o| o.name() == name) {
            return Err(SuiteError::AllocatorName {
                name,
                reason: "is given to two allocators".into(),
            });
        }
    }
    Ok(())
}
