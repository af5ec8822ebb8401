#!/usr/bin/env python3
"""sgemm on this host through every BLAS kernel set vectui could use, in one run.

vectui multiplies queries by database blocks with single-threaded sgemm on each core, so the
figure that matters is one thread's GFLOPS on the shape a batched flat search makes: a
1000 x 128 query block times 128 x 20,000 database tiles (200,000 rows in all). Measured in
--rounds alternating rounds (medians), each in its own process so that OpenBLAS reads
OPENBLAS_CORETYPE when it loads:

  - Debian's OpenBLAS (libopenblas.so.0) with the core it picks itself, and forced to each
    core this CPU can run (SkylakeX/Cooperlake need AVX-512, Haswell AVX2+FMA; Prescott is
    the generic one that OpenBLAS 0.3.21 falls back to on CPUs it does not know);
  - BLIS (Debian's libblis4), when installed, single-threaded;
  - numpy's own BLAS with one thread and with every core (the reference the acceptance of
    issue 9 compares vectui's batch search with).

    python3 benchmarks/bench_blas.py [--rounds 3]
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import subprocess
import sys
import time

import numpy as np

from benchlib import cpu_model, median

M, N, K, TILE = 1000, 200_000, 128, 20_000
BLIS_PATHS = ["/usr/lib/x86_64-linux-gnu/blis-pthread/libblis.so", "/usr/lib/x86_64-linux-gnu/libblis.so.4"]


def cpu_flags():
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def cores_this_cpu_runs():
    """OpenBLAS cores whose kernels this CPU has (one it lacks would crash)."""
    flags = cpu_flags()
    cores = ["Prescott"]
    if {"avx2", "fma"} <= flags:
        cores.append("Haswell")
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        cores.append("SkylakeX")
        if "avx512_bf16" in flags:
            cores.append("Cooperlake")
    return cores


def measure_in_this_process(library):
    """GFLOPS of one-thread sgemm through `library` (a path), best of a few after a warm-up."""
    lib = ctypes.CDLL(library)
    for name in ("openblas_set_num_threads", "bli_thread_set_num_threads"):
        if hasattr(lib, name):
            getattr(lib, name)(ctypes.c_int(1) if "openblas" in name else ctypes.c_long(1))
    core = None
    if hasattr(lib, "openblas_get_corename"):
        lib.openblas_get_corename.restype = ctypes.c_char_p
        core = lib.openblas_get_corename().decode()
    rng = np.random.default_rng(0)
    a = rng.standard_normal((M, K), dtype=np.float32)
    b = rng.standard_normal((N, K), dtype=np.float32)
    c = np.empty((M, TILE), dtype=np.float32)
    fp = ctypes.POINTER(ctypes.c_float)
    sgemm = lib.cblas_sgemm
    sgemm.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, fp, ctypes.c_int, fp, ctypes.c_int, ctypes.c_float, fp, ctypes.c_int]

    def once():
        t0 = time.perf_counter()
        for start in range(0, N, TILE):
            tile = b[start:start + TILE]
            sgemm(101, 111, 112, M, TILE, K, 1.0, a.ctypes.data_as(fp), K, tile.ctypes.data_as(fp), K, 0.0,
                  c.ctypes.data_as(fp), TILE)
        return 2.0 * M * N * K / (time.perf_counter() - t0) / 1e9

    once()
    return {"gflops": max(once() for _ in range(3)), "core": core}


def numpy_gflops(threads):
    from threadpoolctl import threadpool_limits
    rng = np.random.default_rng(0)
    a = rng.standard_normal((M, K), dtype=np.float32)
    b = rng.standard_normal((N, K), dtype=np.float32)
    with threadpool_limits(threads):
        a @ b[:TILE].T
        best = 0.0
        for _ in range(3):
            t0 = time.perf_counter()
            for start in range(0, N, TILE):
                a @ b[start:start + TILE].T
            best = max(best, 2.0 * M * N * K / (time.perf_counter() - t0) / 1e9)
    return best


def in_child(library, core=None):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    if core:
        env["OPENBLAS_CORETYPE"] = core
    proc = subprocess.run([sys.executable, __file__, "--child", library], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"{library} (core {core}) failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds, medians reported (default 3)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(measure_in_this_process(args.child)))
        return

    openblas = "libopenblas.so.0"
    setups = [("Debian OpenBLAS, its own choice", lambda: in_child(openblas))]
    for core in cores_this_cpu_runs():
        setups.append((f"Debian OpenBLAS, OPENBLAS_CORETYPE={core}", lambda core=core: in_child(openblas, core)))
    blis = next((path for path in BLIS_PATHS if os.path.exists(path)), None)
    if blis:
        setups.append((f"BLIS ({blis})", lambda: in_child(blis)))
    setups.append(("numpy's BLAS, 1 thread", lambda: {"gflops": numpy_gflops(1), "core": None}))
    setups.append((f"numpy's BLAS, {os.cpu_count()} threads", lambda: {"gflops": numpy_gflops(os.cpu_count()), "core": None}))

    samples = {label: [] for label, _ in setups}
    cores = {}
    for _ in range(args.rounds):
        for label, run in setups:
            result = run()
            samples[label].append(result["gflops"])
            cores[label] = result["core"]

    print(f"## sgemm, {M} x {K} by {K} x {N:,} in tiles of {TILE:,} columns, one thread unless said\n")
    print(f"- machine: {cpu_model()}, {os.cpu_count()} logical CPUs; numpy {np.__version__}")
    print(f"- medians of {args.rounds} alternating rounds, each the best of 3 products after a warm-up\n")
    print("| BLAS | kernels in use | GFLOPS |")
    print("|---|---|---:|")
    for label, _ in setups:
        print(f"| {label} | {cores[label] or '—'} | {median(samples[label]):.1f} |")


if __name__ == "__main__":
    main()
