// See include/vectui_fatal_signals.h. The handler reads only fixed-size state published with
// atomics, builds its line by hand (no stdio: not async-signal-safe) and ends with _exit.
#define _GNU_SOURCE
#include "vectui_fatal_signals.h"
#include "vectui_mapping_guard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
#define FATAL_SIGNAL_COUNT (sizeof fatal_signals / sizeof fatal_signals[0])

static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int installed;
static int hand_on;  // VECTUI_BACKTRACE: pass the signal to the previous handler
static struct sigaction previous_actions[NSIG];
/// Set by the first thread to take a fatal signal; any other waits for it to exit.
static _Atomic int handling;
/// The mapping guard's SIGBUS handler, which may stay in front of ours.
static void (*guard_handler)(int, siginfo_t *, void *);

// MARK: - Terminal

#define RESTORE_CAPACITY 256
static _Atomic int terminal_registered;
static int terminal_fd;
static struct termios terminal_modes;
static char restore_bytes[RESTORE_CAPACITY];
static size_t restore_length;

// MARK: - Contexts

#define CONTEXT_SLOTS 64
#define CONTEXT_CAPACITY 200

enum { SLOT_FREE = 0, SLOT_WRITING = 1, SLOT_READY = 2 };

struct context_slot {
    _Atomic int state;
    _Atomic long thread;
    _Atomic unsigned long sequence;
    char text[CONTEXT_CAPACITY];
};

static struct context_slot contexts[CONTEXT_SLOTS];
static _Atomic unsigned long next_sequence = 1;

static long current_thread(void) { return (long)syscall(SYS_gettid); }

int vectui_fatal_context_push(const char *text) {
    for (int i = 0; i < CONTEXT_SLOTS; i++) {
        int expected = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&contexts[i].state, &expected, SLOT_WRITING)) continue;
        size_t length = strlen(text);
        if (length > CONTEXT_CAPACITY - 1) length = CONTEXT_CAPACITY - 1;
        memcpy(contexts[i].text, text, length);
        contexts[i].text[length] = 0;
        atomic_store(&contexts[i].thread, current_thread());
        atomic_store(&contexts[i].sequence, atomic_fetch_add(&next_sequence, 1));
        atomic_store(&contexts[i].state, SLOT_READY);
        return i;
    }
    return -1;
}

void vectui_fatal_context_pop(int slot) {
    if (slot < 0 || slot >= CONTEXT_SLOTS) return;
    atomic_store(&contexts[slot].state, SLOT_FREE);
}

/// The newest context of the calling thread, else the newest of any thread, else NULL.
static const char *current_context(void) {
    long thread = current_thread();
    int mine = -1, any = -1;
    unsigned long mine_sequence = 0, any_sequence = 0;
    for (int i = 0; i < CONTEXT_SLOTS; i++) {
        if (atomic_load(&contexts[i].state) != SLOT_READY) continue;
        unsigned long sequence = atomic_load(&contexts[i].sequence);
        if (sequence > any_sequence) { any = i; any_sequence = sequence; }
        if (atomic_load(&contexts[i].thread) == thread && sequence > mine_sequence) {
            mine = i;
            mine_sequence = sequence;
        }
    }
    int chosen = mine >= 0 ? mine : any;
    return chosen >= 0 ? contexts[chosen].text : NULL;
}

// MARK: - The line

static const char *signal_description(int signal) {
    switch (signal) {
    case SIGSEGV: return "segmentation fault (SIGSEGV)";
    case SIGBUS: return "bus error (SIGBUS)";
    case SIGILL: return "Swift runtime trap or illegal instruction (SIGILL)";
    case SIGTRAP: return "trap (SIGTRAP)";
    case SIGABRT: return "abort (SIGABRT)";
    case SIGFPE: return "arithmetic error (SIGFPE)";
    default: return "fatal signal";
    }
}

struct line { char *buffer; size_t capacity; size_t length; };

static void append(struct line *line, const char *text) {
    while (*text && line->length + 1 < line->capacity) line->buffer[line->length++] = *text++;
    line->buffer[line->length] = 0;
}

size_t vectui_fatal_describe(int signal, char *buffer, size_t capacity) {
    if (capacity == 0) return 0;
    struct line line = {buffer, capacity, 0};
    buffer[0] = 0;
    append(&line, "vectui: fatal: ");
    append(&line, signal_description(signal));
    const char *context = current_context();
    if (context) {
        append(&line, " while ");
        append(&line, context);
    }
    if (atomic_load(&terminal_registered)) append(&line, " \xe2\x80\x94 the terminal was restored");
    if (!hand_on) append(&line, " (VECTUI_BACKTRACE=1 prints a backtrace)");
    append(&line, "\n");
    return line.length;
}

// MARK: - The handler

static void on_fatal_signal(int signal, siginfo_t *info, void *context) {
    if (atomic_exchange(&handling, 1)) {
        for (;;) pause();  // another thread is reporting and will exit
    }
    char text[512];
    size_t length = vectui_fatal_describe(signal, text, sizeof text);
    if (atomic_exchange(&terminal_registered, 0)) {
        tcsetattr(terminal_fd, TCSANOW, &terminal_modes);
        ssize_t written = write(STDOUT_FILENO, restore_bytes, restore_length);
        (void)written;
    }
    ssize_t written = write(STDERR_FILENO, text, length);
    (void)written;
    if (!hand_on) _exit(128 + signal);

    // VECTUI_BACKTRACE: the handler before ours (the Swift backtracer) or the default action.
    struct sigaction previous = previous_actions[signal];
    sigaction(signal, &previous, NULL);
    if (previous.sa_flags & SA_SIGINFO) {
        previous.sa_sigaction(signal, info, context);
    } else if (previous.sa_handler == SIG_IGN) {
        _exit(128 + signal);
    } else if (previous.sa_handler != SIG_DFL) {
        previous.sa_handler(signal);
    } else if (info == NULL || info->si_code <= 0) {
        raise(signal);  // sent, not a fault: delivered with the default action once we return
    }
    // A fault returns to the faulting instruction, which faults again under the default action.
}

// MARK: - Installation

/// An alternate stack for the installing (main) thread, so a stack overflow there is reported.
static void install_alternate_stack(void) {
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    size_t size = 64 * 1024;
    void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return;
    stack_t stack = {.ss_sp = memory, .ss_size = size, .ss_flags = 0};
    sigaltstack(&stack, NULL);
}

void vectui_fatal_install(void) {
    pthread_mutex_lock(&install_lock);
    if (atomic_load(&installed)) {
        pthread_mutex_unlock(&install_lock);
        return;
    }
    const char *backtrace = getenv("VECTUI_BACKTRACE");
    hand_on = backtrace != NULL && backtrace[0] != 0 && strcmp(backtrace, "0") != 0;
    install_alternate_stack();
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < FATAL_SIGNAL_COUNT; i++) {
        sigaction(fatal_signals[i], &action, &previous_actions[fatal_signals[i]]);
    }
    atomic_store(&installed, 1);
    pthread_mutex_unlock(&install_lock);
    vectui_guard_install();  // guarded SIGBUS faults are repaired before they reach us
    struct sigaction guard;
    sigaction(SIGBUS, NULL, &guard);
    guard_handler = guard.sa_sigaction;
}

void vectui_fatal_reclaim(void) {
    if (!atomic_load(&installed)) return;
    pthread_mutex_lock(&install_lock);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < FATAL_SIGNAL_COUNT; i++) {
        struct sigaction current;
        sigaction(fatal_signals[i], NULL, &current);
        int ours = (current.sa_flags & SA_SIGINFO) &&
            (current.sa_sigaction == on_fatal_signal || (fatal_signals[i] == SIGBUS && current.sa_sigaction == guard_handler));
        // A library's handler is dropped, not chained: LLVM's resets itself to what it found
        // (us) and returns, which lets abort() end the process by the default action.
        if (!ours) sigaction(fatal_signals[i], &action, NULL);
    }
    pthread_mutex_unlock(&install_lock);
    vectui_guard_install();
}

void vectui_fatal_register_terminal(int fd, const struct termios *modes, const char *restore, size_t length) {
    vectui_fatal_install();
    atomic_store(&terminal_registered, 0);
    terminal_fd = fd;
    terminal_modes = *modes;
    if (length > RESTORE_CAPACITY) length = RESTORE_CAPACITY;
    memcpy(restore_bytes, restore, length);
    restore_length = length;
    atomic_store(&terminal_registered, 1);
}

void vectui_fatal_unregister_terminal(void) { atomic_store(&terminal_registered, 0); }

// MARK: - Crashing on purpose

void vectui_fatal_crash(int signal) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    switch (signal) {
    case SIGSEGV: {
        volatile int *target = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (target != MAP_FAILED) *target = 1;
        break;
    }
    case SIGBUS: {
        int fd = memfd_create("vectui-crash", MFD_CLOEXEC);  // empty: every page is past its end
        if (fd < 0) break;
        volatile const char *bytes = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
        if (bytes != MAP_FAILED) (void)bytes[0];
        break;
    }
    case SIGFPE: {
        volatile int zero = 0;
        volatile int quotient = 1 / zero;  // traps on x86-64; arm64 gives 0 and falls through
        (void)quotient;
        break;
    }
    case SIGILL: __builtin_trap();
    case SIGTRAP: __builtin_debugtrap(); break;
    case SIGABRT: abort();
    default: return;
    }
    raise(signal);  // the fault did not happen here: send the signal instead
}
