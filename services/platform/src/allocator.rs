//! glibc's malloc, told to keep large buffers out of its heap. By default it serves a request of
//! 128 KiB or more with its own mapping, but raises that threshold each time such a mapping is
//! freed, so after a few large requests (bodies of up to `GRPC_MAX_MESSAGE_BYTES`, their copies
//! and encodings) their buffers are carved from the per-thread heaps instead, and the holes left
//! between live small allocations are never given back: resident memory then climbs under a
//! steady load while the heap in use stays flat (RELIABILITY.md has the profile). A fixed
//! threshold keeps every large buffer in a mapping of its own, returned to the system when freed.

/// The size from which an allocation gets its own mapping: glibc's own starting threshold.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD_BYTES: libc::c_int = 128 * 1024;

/// Fixes the threshold; called first thing by every binary. Elsewhere than glibc, does nothing.
pub fn return_large_buffers_to_the_system() {
    // SAFETY: mallopt takes two integers and changes a malloc setting; it touches no memory of
    // ours. It fails only for an unknown parameter, and M_MMAP_THRESHOLD is glibc's own.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[expect(unsafe_code, reason = "mallopt has no safe wrapper; it only sets a malloc parameter")]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
    }
}
