#!/usr/bin/env python3
"""Exact flat search, faiss-cpu vs vectui, on the same files in one run.

Generates (seeded, reused when present) a FAISS flat index of n x d float32 vectors and a
query file in benchmarks/data/, then measures

  - batched search of all queries: best of --runs after one warm-up run;
  - single-query latency: --single-queries queries searched one at a time (p50, p99, mean);

first with faiss-cpu (in this process, index loaded with faiss.read_index), then with
`vectui bench --json` on the same index and query files, and prints a side-by-side markdown
table with ratios (vectui/faiss for throughput, faiss/vectui for latency: > 1 means vectui
is better). Percentiles use the same rule as vectui: sorted[round(p * (count - 1))].

    python3 benchmarks/bench_flat.py                       # 1,000,000 x 128, IP, k = 10
    python3 benchmarks/bench_flat.py --n 200000 --metric l2 --k 100
"""

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import time

import faiss
import numpy as np

from benchlib import cpu_model, run_json

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=1_000_000, help="database vectors (default 1,000,000)")
    p.add_argument("--d", type=int, default=128, help="dimension (default 128)")
    p.add_argument("--k", type=int, default=10, help="neighbours per query (default 10)")
    p.add_argument("--queries", type=int, default=1000, help="queries in the batch (default 1000)")
    p.add_argument("--single-queries", type=int, default=200,
                   help="queries timed one at a time (default 200)")
    p.add_argument("--metric", choices=["ip", "l2"], default="ip", help="ip (IndexFlatIP) or l2 (IndexFlatL2)")
    p.add_argument("--runs", type=int, default=3, help="timed batch runs, best reported (default 3)")
    p.add_argument("--seed", type=int, default=1234, help="data seed (default 1234)")
    p.add_argument("--data-dir", type=pathlib.Path, default=HERE / "data", help="where data files live")
    p.add_argument("--vectui", default=os.environ.get("VECTUI_BIN", str(REPO_ROOT / ".build" / "release" / "vectui")),
                   help="vectui binary (default: $VECTUI_BIN or .build/release/vectui)")
    args = p.parse_args()
    if min(args.n, args.d, args.k, args.queries, args.single_queries, args.runs) < 1:
        p.error("all sizes must be at least 1")
    if args.single_queries > args.queries:
        p.error("--single-queries cannot exceed --queries")
    return args


def data_files(args):
    """The index and query files for these parameters, generated once and then reused."""
    args.data_dir.mkdir(parents=True, exist_ok=True)
    stem = f"flat_{args.metric}_{args.n}x{args.d}_seed{args.seed}"
    index_path = args.data_dir / f"{stem}.index"
    queries_path = args.data_dir / f"{stem}_queries{args.queries}.npy"
    if not index_path.exists():
        t0 = time.perf_counter()
        rng = np.random.default_rng(args.seed)
        index = faiss.IndexFlatIP(args.d) if args.metric == "ip" else faiss.IndexFlatL2(args.d)
        chunk = max(1, (64 << 20) // (4 * args.d))
        for start in range(0, args.n, chunk):
            index.add(rng.standard_normal((min(chunk, args.n - start), args.d), dtype=np.float32))
        tmp = index_path.with_suffix(".index.tmp")
        faiss.write_index(index, str(tmp))
        os.replace(tmp, index_path)  # a half-written file is never reused
        del index
        print(f"generated {index_path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if not queries_path.exists():
        rng = np.random.default_rng(args.seed + 1)
        tmp = queries_path.with_suffix(".tmp.npy")
        np.save(tmp, rng.standard_normal((args.queries, args.d), dtype=np.float32))
        os.replace(tmp, queries_path)
    return index_path, queries_path


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p * (len(sorted_values) - 1))))]


def bench_faiss(index, xq, args):
    index.search(xq, args.k)  # warm-up
    best = float("inf")
    for _ in range(args.runs):
        t0 = time.perf_counter()
        index.search(xq, args.k)
        best = min(best, time.perf_counter() - t0)
    m = args.single_queries
    index.search(xq[:1], args.k)  # warm-up
    latencies = []
    for i in range(m):
        q = xq[i:i + 1]
        t0 = time.perf_counter()
        index.search(q, args.k)
        latencies.append(time.perf_counter() - t0)
    lat = sorted(latencies)
    total = sum(lat)
    return {
        "batch": {"queries": len(xq), "qps": len(xq) / best, "seconds": best},
        "single": {"queries": m, "qps": m / total, "p50_ms": percentile(lat, 0.5) * 1e3,
                   "p99_ms": percentile(lat, 0.99) * 1e3, "mean_ms": total / m * 1e3},
    }


def bench_vectui(index_path, queries_path, args):
    cmd = [args.vectui, "bench", str(index_path), "--queries", str(queries_path), "-k", str(args.k),
           "--runs", str(args.runs), "--single-queries", str(args.single_queries), "--json"]
    return run_json(cmd), cmd


def check_agreement(index, index_path, queries_path, xq, args, nq=20):
    """Top-k ids of vectui and faiss for the first nq queries (a sanity check, not a test)."""
    sub = args.data_dir / "_check_queries.npy"
    np.save(sub, xq[:nq])
    proc = subprocess.run([args.vectui, "search", str(index_path), "--queries", str(sub), "-k", str(args.k), "--json"],
                          capture_output=True, text=True)
    sub.unlink()
    if proc.returncode != 0:
        return f"vectui search failed: {proc.stderr.strip()}"
    got = json.loads(proc.stdout)["ids"]
    _, want = index.search(xq[:nq], args.k)
    same = sum(len(set(g) & set(w.tolist())) for g, w in zip(got, want))
    return f"{same}/{nq * args.k} top-{args.k} ids in common over {nq} queries"


def main():
    args = parse_args()
    if not os.access(args.vectui, os.X_OK):
        sys.exit(f"vectui not found at {args.vectui}: run `swift build -c release` or set VECTUI_BIN")
    index_path, queries_path = data_files(args)
    xq = np.load(queries_path)
    index = faiss.read_index(str(index_path))
    assert index.ntotal == args.n and index.d == args.d

    f = bench_faiss(index, xq, args)
    agreement = check_agreement(index, index_path, queries_path, xq, args)
    del index
    v, cmd = bench_vectui(index_path, queries_path, args)

    name = "IndexFlatIP" if args.metric == "ip" else "IndexFlatL2"
    print(f"## {name}, {args.n:,} x {args.d}, k = {args.k}\n")
    print(f"- faiss-cpu {faiss.__version__}, faiss.omp_get_max_threads() = {faiss.omp_get_max_threads()}; "
          f"numpy {np.__version__}; Python {platform.python_version()}")
    print(f"- machine: {cpu_model()}, {os.cpu_count()} logical CPUs")
    print(f"- index file: {index_path} ({index_path.stat().st_size / 1e6:.0f} MB); queries: {queries_path}")
    print(f"- vectui: `{' '.join(cmd)}`")
    print(f"- results: {agreement}\n")

    rows = [
        (f"batch: {f['batch']['queries']} queries, QPS (best of {args.runs})",
         f["batch"]["qps"], v["batch"]["qps"], "{:,.0f}", v["batch"]["qps"] / f["batch"]["qps"]),
        (f"single: {f['single']['queries']} queries one at a time, QPS",
         f["single"]["qps"], v["single"]["qps"], "{:,.1f}", v["single"]["qps"] / f["single"]["qps"]),
        ("single: p50 latency (ms)", f["single"]["p50_ms"], v["single"]["p50_ms"], "{:.3f}",
         f["single"]["p50_ms"] / v["single"]["p50_ms"]),
        ("single: p99 latency (ms)", f["single"]["p99_ms"], v["single"]["p99_ms"], "{:.3f}",
         f["single"]["p99_ms"] / v["single"]["p99_ms"]),
        ("single: mean latency (ms)", f["single"]["mean_ms"], v["single"]["mean_ms"], "{:.3f}",
         f["single"]["mean_ms"] / v["single"]["mean_ms"]),
    ]
    print("| measure | faiss-cpu | vectui | ratio (> 1: vectui better) |")
    print("|---|---:|---:|---:|")
    for label, fv, vv, fmt, ratio in rows:
        print(f"| {label} | {fmt.format(fv)} | {fmt.format(vv)} | {ratio:.2f}x |")
    print("\nRatios: vectui/faiss for QPS, faiss/vectui for latency.")
    if "scan_gb_per_s" in v.get("single", {}):
        gbs = args.n * args.d * 4 / (f["single"]["mean_ms"] / 1e3) / 1e9
        print(f"Single-query scan rate: faiss {gbs:.1f} GB/s, vectui {v['single']['scan_gb_per_s']:.1f} GB/s.")


if __name__ == "__main__":
    main()
