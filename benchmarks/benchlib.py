"""Helpers shared by the benchmark scripts: running vectui (and variants of it) for its JSON,
alternating rounds with medians, naming the machine and measuring its limits."""

import json
import os
import platform
import subprocess
import sys


def run_json(cmd, env=None):
    """Runs `cmd` (any values, made strings), with `env` (name -> value) added to this
    process's environment, and returns its stdout parsed as JSON; exits with the command's
    stderr when it fails."""
    cmd = [str(c) for c in cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, else what platform knows."""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def median(values):
    """The median of a non-empty list (the mean of the middle two for an even count)."""
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def alternate(rounds, measures):
    """Runs each of `measures` (name -> callable returning a dict of numbers) once per round,
    in turn, for `rounds` rounds, so a busy spell on the host hits every side alike; returns
    name -> {key: median over the rounds}."""
    samples = {name: [] for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            samples[name].append(measure())
    return {name: {key: median([s[key] for s in runs]) for key in runs[0]} for name, runs in samples.items()}


def sgemm_gflops(m=1000, n=200_000, k=128, repeats=3):
    """This host's float32 matrix-product rate through numpy's BLAS on every core (the
    compute limit for batched flat search): the best GFLOPS of an m x k by k x n product,
    done in column blocks of 20,000 as a search tiles it (a limit: the best of the repeats)."""
    import time
    import numpy as np
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((n, k), dtype=np.float32)
    rates = []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        for start in range(0, n, 20_000):
            a @ b[start:start + 20_000].T
        rates.append(2.0 * m * n * k / (time.perf_counter() - t0) / 1e9)
    return max(rates[1:])


def memory_read_gbps(threads, gigabytes=2.0, repeats=7):
    """This host's memory read rate with `threads` threads (the limit for a single-query flat
    scan): the best GB/s of glibc's memchr (vectorised, streaming, and run through ctypes,
    which releases the GIL) over a written array far larger than the caches, split over the
    threads. A limit is what the machine can do, so the best of the repeats, not their median.
    (numpy reductions understate it: their pairwise float sums are compute-bound near 24 GB/s
    a thread.)"""
    import ctypes
    import threading
    import time
    import numpy as np
    libc = ctypes.CDLL("libc.so.6")
    libc.memchr.restype = ctypes.c_void_p
    libc.memchr.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    x = np.ones(int(gigabytes * 1e9), dtype=np.uint8)  # written: no shared zero pages; no 0 byte to find
    parts = np.array_split(x, threads)

    def once():
        workers = [threading.Thread(target=libc.memchr, args=(p.ctypes.data, 0, p.nbytes)) for p in parts]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return x.nbytes / (time.perf_counter() - t0) / 1e9

    once()
    return max(once() for _ in range(repeats))


class Vectui:
    """One vectui to measure: a binary and the VECTUI_SIMD it runs with (None: the CPU's best)."""

    def __init__(self, label, binary, simd=None):
        self.label, self.binary, self.simd = label, str(binary), simd

    def json(self, *args):
        """`vectui ARGS` run for its JSON output."""
        return run_json([self.binary, *args], env={"VECTUI_SIMD": self.simd} if self.simd else None)

    def describe(self):
        """The binary, and the SIMD level and BLAS kernels it reports (older binaries may not)."""
        cpu = self.json("devices", "--json").get("cpu")
        kernels = (f"SIMD {cpu['simd']}, OpenBLAS kernels {cpu['blas']['core']} (chosen by {cpu['blas']['chosen_by']})"
                   if cpu else "no SIMD/BLAS report (a release before it)")
        env = f"VECTUI_SIMD={self.simd} " if self.simd else ""
        return f"{self.label}: `{env}{self.binary}`: {kernels}"


def add_variant_args(parser, default_binary):
    """--vectui (the binary measured as 'vectui') and --variant LABEL=BINARY[@SIMD] (more, in
    the same alternating rounds: e.g. `--variant avx2=@avx2` for the AVX2 path of the same
    binary, `--variant previous=/tmp/prev/vectui@avx2` for an older release)."""
    parser.add_argument("--vectui", default=os.environ.get("VECTUI_BIN", str(default_binary)),
                        help="vectui binary (default: $VECTUI_BIN or .build/release/vectui)")
    parser.add_argument("--variant", action="append", default=[], metavar="LABEL=BINARY[@SIMD]",
                        help="another vectui to measure in the same rounds (BINARY empty: --vectui; "
                             "SIMD: avx2 or portable, passed as VECTUI_SIMD)")


def variants(args):
    """The vectuis to measure: 'vectui' (--vectui at the CPU's best level), then each --variant."""
    out = [Vectui("vectui", args.vectui)]
    for spec in args.variant:
        label, _, rest = spec.partition("=")
        binary, _, simd = rest.partition("@")
        binary = binary or args.vectui
        if not label or not os.access(binary, os.X_OK):
            sys.exit(f"--variant {spec}: expected LABEL=BINARY[@SIMD] with an executable BINARY")
        out.append(Vectui(label, binary, simd or None))
    return out


def setup_lines(vectuis, gflops, read, d, load=None):
    """The header every comparison prints, as markdown list items: the reference's versions,
    the machine (and the load average before and after, when given), the limits measured in
    the run (sgemm at depth `d`, memory read) and each vectui measured."""
    import faiss
    import numpy as np
    machine = f"machine: {cpu_model()}, {os.cpu_count()} logical CPUs"
    if load:
        machine += (f"; load average {load[0][0]:.2f} before, {load[1][0]:.2f} after "
                    "(other work on the host skews timings)")
    lines = [f"faiss-cpu {faiss.__version__}, faiss.omp_get_max_threads() = {faiss.omp_get_max_threads()}; "
             f"numpy {np.__version__}; Python {platform.python_version()}",
             machine,
             f"limits measured in this run: numpy sgemm {gflops:.0f} GFLOPS (d = {d}); memory read {read:.1f} GB/s "
             f"({os.cpu_count()} threads)"]
    return [f"- {line}" for line in lines + [vectui.describe() for vectui in vectuis]]
