#ifndef VECTUI_FATAL_SIGNALS_H
#define VECTUI_FATAL_SIGNALS_H
// Gives the terminal back when vectui dies of a fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGTRAP,
// SIGABRT, SIGFPE: a Swift trap is SIGILL on x86-64 and SIGTRAP on arm64).
//
// One process-wide handler, installed once at the start of main: it restores the terminal
// modes and leaves full-screen mode (when a terminal UI registered them), writes one line to
// stderr naming the signal and what vectui was doing ("vectui: fatal: bus error (SIGBUS) while
// searching /x/index.faiss — the terminal was restored"), and exits with 128 + the signal.
// With VECTUI_BACKTRACE=1 in the environment it restores the terminal and then hands the
// signal on to the handler installed before it (the Swift runtime's backtracer, or the
// default action), so a developer still gets the full backtrace.
//
// "What vectui was doing" is a small table of contexts that threads push around jobs and
// commands. The handler names the crashing thread's newest context, or, when that thread has
// none (a worker of a parallel loop), the newest context of any thread.
//
// The handler makes only async-signal-safe calls (tcsetattr, write, sigaction, _exit); the
// state it reads is fixed-size and published with atomics.

#include <stddef.h>
#include <termios.h>

/// Installs the fatal-signal handler for every fatal signal, then puts the mapping guard's
/// SIGBUS handler back in front of it (faults in guarded mappings are repaired and never get
/// here). Reads VECTUI_BACKTRACE once. Idempotent.
void vectui_fatal_install(void);
/// Puts the handler back in front of any a library installed since (PoCL's LLVM takes every
/// fatal signal when it loads), keeping the mapping guard in front on SIGBUS. Does nothing
/// before `vectui_fatal_install`.
void vectui_fatal_reclaim(void);

/// Registers the terminal to restore: `modes` are written back to `fd` with tcsetattr, then
/// `length` bytes of `restore` (the terminal's "leave full-screen mode" strings) are written
/// to standard output. Both are copied; `restore` is cut at 255 bytes. Installs the handler
/// if it is not yet installed.
void vectui_fatal_register_terminal(int fd, const struct termios *modes, const char *restore, size_t length);
/// Forgets the terminal (after the UI has restored it itself).
void vectui_fatal_unregister_terminal(void);

/// Pushes what the calling thread is doing ("searching /x/index.faiss"; cut at 199 bytes).
/// Returns a slot for `vectui_fatal_context_pop`, or -1 when every slot is taken.
int vectui_fatal_context_push(const char *text);
/// Pops a context pushed by `vectui_fatal_context_push`.
void vectui_fatal_context_pop(int slot);

/// Writes the one line the handler would write for `signal` into `buffer` (at most `capacity`
/// bytes, NUL-terminated) and returns its length: for tests of the wording and the context
/// choice without dying.
size_t vectui_fatal_describe(int signal, char *buffer, size_t capacity);

/// Really faults with `signal` (SIGSEGV: a write to an unmapped page; SIGBUS: a read past the
/// end of a mapped empty file; SIGFPE: an integer division by zero; SIGILL/SIGTRAP: a trap
/// instruction; SIGABRT: abort()), for the end-to-end tests of the handler. Returns only for
/// a signal it cannot raise.
void vectui_fatal_crash(int signal);

#endif
