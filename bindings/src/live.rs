//! Counts of the objects alive on the Rust side, so that a foreign test (or an app's debug screen)
//! can check that what it closed is really gone: a Kotlin object that is never closed keeps its
//! Rust object (and a vault's open file) until the garbage collector's cleaner runs.

use std::sync::atomic::{AtomicU64, Ordering};

static VAULTS: AtomicU64 = AtomicU64::new(0);
static INTERVIEWS: AtomicU64 = AtomicU64::new(0);
static SENDERS: AtomicU64 = AtomicU64::new(0);
static RECEIVERS: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Vault,
    Interview,
    Sender,
    Receiver,
}

fn counter(kind: Kind) -> &'static AtomicU64 {
    match kind {
        Kind::Vault => &VAULTS,
        Kind::Interview => &INTERVIEWS,
        Kind::Sender => &SENDERS,
        Kind::Receiver => &RECEIVERS,
    }
}

/// Held by each counted object: counts it while it lives.
#[derive(Debug)]
pub(crate) struct Live(Kind);

impl Live {
    pub(crate) fn new(kind: Kind) -> Live {
        counter(kind).fetch_add(1, Ordering::Relaxed);
        Live(kind)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        counter(self.0).fetch_sub(1, Ordering::Relaxed);
    }
}

/// Objects alive in the core right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct LiveObjects {
    pub vaults: u64,
    pub interviews: u64,
    pub handover_senders: u64,
    pub handover_receivers: u64,
}

#[uniffi::export]
pub fn live_objects() -> LiveObjects {
    LiveObjects {
        vaults: VAULTS.load(Ordering::Relaxed),
        interviews: INTERVIEWS.load(Ordering::Relaxed),
        handover_senders: SENDERS.load(Ordering::Relaxed),
        handover_receivers: RECEIVERS.load(Ordering::Relaxed),
    }
}
