// See include/vectui_mapping_guard.h. Everything a signal handler touches is a fixed table of
// atomics or a pipe; handlers make only async-signal-safe calls, plus mmap, which on Linux is
// a plain system call with no user-space locks.
#define _GNU_SOURCE
#include "vectui_mapping_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUARD_SLOTS 512

struct guard_slot {
    _Atomic uintptr_t start;   // 0 when free
    _Atomic uintptr_t end;
    _Atomic int faulted;
};

static struct guard_slot slots[GUARD_SLOTS];
static struct sigaction previous_bus_action;
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_bus_error(int signal, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int i = 0; i < GUARD_SLOTS; i++) {
        uintptr_t start = atomic_load(&slots[i].start);
        if (start == 0 || address < start) continue;
        uintptr_t end = atomic_load(&slots[i].end);
        if (address >= end) continue;
        uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
        uintptr_t from = address & ~(page - 1);
        uintptr_t to = (end + page - 1) & ~(page - 1);
        if (mmap((void *)from, to - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            atomic_store(&slots[i].faulted, 1);
            return;  // the read is retried and finds zeros
        }
        break;
    }
    // Not a guarded mapping: whatever handled SIGBUS before us decides.
    if (previous_bus_action.sa_flags & SA_SIGINFO) {
        previous_bus_action.sa_sigaction(signal, info, context);
    } else if (previous_bus_action.sa_handler != SIG_DFL && previous_bus_action.sa_handler != SIG_IGN) {
        previous_bus_action.sa_handler(signal);
    } else {
        // Default action: the faulting instruction runs again and the signal kills the process.
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        sigaction(SIGBUS, &fallback, NULL);
    }
}

void vectui_guard_install(void) {
    pthread_mutex_lock(&install_lock);
    struct sigaction current;
    sigaction(SIGBUS, NULL, &current);
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_bus_error) {
        pthread_mutex_unlock(&install_lock);
        return;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_bus_error;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previous_bus_action);
    pthread_mutex_unlock(&install_lock);
}

int vectui_guard_register(const void *base, size_t length) {
    if (base == NULL || length == 0) return -1;
    vectui_guard_install();
    pthread_mutex_lock(&slot_lock);
    int found = -1;
    for (int i = 0; i < GUARD_SLOTS; i++) {
        if (atomic_load(&slots[i].start) == 0) { found = i; break; }
    }
    if (found >= 0) {
        atomic_store(&slots[found].faulted, 0);
        atomic_store(&slots[found].end, (uintptr_t)base + length);
        atomic_store(&slots[found].start, (uintptr_t)base);
    }
    pthread_mutex_unlock(&slot_lock);
    return found;
}

void vectui_guard_unregister(int slot) {
    if (slot < 0 || slot >= GUARD_SLOTS) return;
    pthread_mutex_lock(&slot_lock);
    atomic_store(&slots[slot].start, 0);
    atomic_store(&slots[slot].end, 0);
    pthread_mutex_unlock(&slot_lock);
}

int vectui_guard_faulted(int slot) {
    if (slot < 0 || slot >= GUARD_SLOTS) return 0;
    return atomic_load(&slots[slot].faulted);
}

// MARK: - Leases

static int break_pipe[2] = {-1, -1};
static pthread_once_t lease_once = PTHREAD_ONCE_INIT;

static int lease_signal(void) { return SIGRTMIN + 3; }

static void on_lease_break(int signal, siginfo_t *info, void *context) {
    (void)signal; (void)context;
    int saved = errno;
    int fd = info->si_fd;
    ssize_t written = write(break_pipe[1], &fd, sizeof fd);
    (void)written;
    errno = saved;
}

static void install_lease_handler(void) {
    if (pipe2(break_pipe, O_CLOEXEC) != 0) return;
    fcntl(break_pipe[1], F_SETFL, O_NONBLOCK);  // a handler never blocks on a full pipe
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_lease_break;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(lease_signal(), &action, NULL);
}

int vectui_lease_acquire(int fd) {
    pthread_once(&lease_once, install_lease_handler);
    if (break_pipe[0] < 0) return ENOSYS;
    if (fcntl(fd, F_SETSIG, lease_signal()) != 0) return errno;
    if (fcntl(fd, F_SETLEASE, F_RDLCK) != 0) return errno;
    return 0;
}

void vectui_lease_release(int fd) { fcntl(fd, F_SETLEASE, F_UNLCK); }

int vectui_lease_next_break(void) {
    pthread_once(&lease_once, install_lease_handler);
    int fd;
    for (;;) {
        ssize_t got = read(break_pipe[0], &fd, sizeof fd);
        if (got == (ssize_t)sizeof fd) return fd;
        if (got < 0 && errno == EINTR) continue;
        return -1;
    }
}

// MARK: - Private copies

int vectui_mapping_make_private(const void *base, size_t length, size_t chunk) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (((uintptr_t)base % page) != 0) return EINVAL;
    if (chunk < page) chunk = page;
    chunk -= chunk % page;
    for (size_t offset = 0; offset < length; offset += chunk) {
        size_t bytes = length - offset < chunk ? length - offset : chunk;
        size_t mapped = (bytes + page - 1) / page * page;
        void *copy = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (copy == MAP_FAILED) return errno;
        memcpy(copy, (const char *)base + offset, bytes);
        if (mprotect(copy, mapped, PROT_READ) != 0 ||
            mremap(copy, mapped, mapped, MREMAP_MAYMOVE | MREMAP_FIXED, (char *)base + offset) == MAP_FAILED) {
            int error = errno;
            munmap(copy, mapped);
            return error;
        }
    }
    return 0;
}
