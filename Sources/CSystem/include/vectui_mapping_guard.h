#ifndef VECTUI_MAPPING_GUARD_H
#define VECTUI_MAPPING_GUARD_H
// Keeps memory-mapped files from killing the process when another process truncates them,
// and tells when another process opens them for writing.
//
// The guard: a SIGBUS handler that, for a fault inside a registered mapping, maps anonymous
// zero pages over the rest of that mapping and returns, so the faulting read goes on with
// zeros; the mapping is marked faulted, and the job that read it turns the mark into an error.
// A fault anywhere else goes to the handler installed before (or the default action).
//
// Leases: a read lease (fcntl F_SETLEASE) on a mapped file's descriptor makes another
// process's open for writing or truncate wait (up to /proc/sys/fs/lease-break-time seconds)
// until the lease is released. The break is signalled with a real-time signal whose handler
// writes the descriptor to a pipe; `vectui_lease_next_break` reads it on a watcher thread.

#include <stddef.h>

/// Installs the SIGBUS guard in front of whatever handles SIGBUS now (idempotent; the first
/// registration does it too). A fatal-signal handler installed later must call this again
/// after itself, so that guarded faults never reach it.
void vectui_guard_install(void);
/// Starts guarding `length` bytes at `base`. Returns a slot for the other calls, or -1 when
/// every slot is taken (the mapping is then unguarded).
int vectui_guard_register(const void *base, size_t length);
/// Stops guarding a slot (before its mapping is unmapped).
void vectui_guard_unregister(int slot);
/// Whether a read faulted inside the slot's mapping (the file shrank under it).
int vectui_guard_faulted(int slot);

/// Takes a read lease on `fd` (opened read-only). Returns 0, or the errno the kernel gave
/// (EAGAIN when some process has the file open for writing, EACCES/EPERM when not the owner).
int vectui_lease_acquire(int fd);
/// Releases the lease on `fd`, letting a waiting writer go on.
void vectui_lease_release(int fd);
/// Blocks until some lease is broken and returns its descriptor (or -1 on error).
int vectui_lease_next_break(void);

/// Replaces `length` bytes of a file mapping at `base` (page-aligned) by an anonymous,
/// read-only copy of the same bytes, at the same address, `chunk` bytes at a time, so readers
/// never see a gap and a later truncate of the file cannot touch them. Returns 0 or errno.
int vectui_mapping_make_private(const void *base, size_t length, size_t chunk);

#endif
