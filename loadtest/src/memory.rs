//! Memory figures for `tgsync simulate --json`: live heap bytes from a counting global allocator (which the
//! binary installs) and the process's peak resident set from `/proc`.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::Serialize;

/// Wraps a global allocator and keeps a count of the bytes it has live.
pub struct Counting<A>(pub A);

static LIVE: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

// SAFETY: every call goes to the wrapped allocator unchanged; the counters only observe sizes.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            counted(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            counted(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.0.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

/// Counts `size` more bytes live; the first count marks the allocator as installed.
fn counted(size: usize) {
    LIVE.fetch_add(size, Ordering::Relaxed);
    // A load first: the flag's cache line stays shared rather than written on every allocation.
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

/// Heap bytes live now (as asked for, not as the allocator rounds them); `None` without [`Counting`].
pub fn live_bytes() -> Option<usize> {
    INSTALLED
        .load(Ordering::Relaxed)
        .then(|| LIVE.load(Ordering::Relaxed))
}

/// The process's peak resident set so far (`VmHWM`); `None` where `/proc` has no such line.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What a strategy's own state weighs: actors, ledgers, router and budget, not the ELB model or the scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Memory {
    /// Heap bytes the strategy held at the end (after the scenario, converged): what stopping it freed.
    pub daemon_bytes: u64,
    /// Heap bytes it held once it had taken in the initial slices (the warm-up's end), measured as the heap's
    /// growth since just before it started; the model's growth in that time (ledger rows of warm-up calls)
    /// is in it too, and is nil when the strategy adopts what ELB holds without calls.
    pub settled_daemon_bytes: u64,
    /// Targets it tracked at the end (the final desired set, over all target groups).
    pub tracked_targets: u64,
    /// `daemon_bytes / tracked_targets`.
    pub bytes_per_target: f64,
    /// The process's peak resident set so far (the scenario and the ELB model included).
    pub peak_rss_bytes: Option<u64>,
}
