#!/usr/bin/env python3
"""Exact flat search, faiss-cpu vs vectui, on the same files in one run.

Generates (seeded, reused when present) a FAISS flat index of n x d float32 vectors and a
query file in benchmarks/data/, then measures, in --rounds rounds that alternate faiss-cpu
(in this process, index loaded with faiss.read_index) and `vectui bench --json` on the same
files (so a busy spell on the host hits both):

  - batched search of all queries (one run a round, after a warm-up);
  - single-query latency: --single-queries queries searched one at a time (p50, p99, mean);

and prints the medians over the rounds side by side with ratios (vectui/faiss for throughput,
faiss/vectui for latency: > 1 means vectui is better), next to this host's limits measured in
the same run: numpy's sgemm GFLOPS (batch) and the memory read rate (single queries).
Percentiles use the same rule as vectui: sorted[round(p * (count - 1))].

    python3 benchmarks/bench_flat.py                       # 1,000,000 x 128, IP, k = 10
    python3 benchmarks/bench_flat.py --n 200000 --metric l2 --k 100
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

import faiss
import numpy as np

from benchlib import add_variant_args, alternate, memory_read_gbps, setup_lines, sgemm_gflops, variants

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
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds, medians reported (default 5)")
    p.add_argument("--seed", type=int, default=1234, help="data seed (default 1234)")
    p.add_argument("--data-dir", type=pathlib.Path, default=HERE / "data", help="where data files live")
    add_variant_args(p, REPO_ROOT / ".build" / "release" / "vectui")
    args = p.parse_args()
    if min(args.n, args.d, args.k, args.queries, args.single_queries, args.rounds) < 1:
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
    """One round of faiss: the whole batch once, then the single queries one at a time."""
    t0 = time.perf_counter()
    index.search(xq, args.k)
    batch = time.perf_counter() - t0
    latencies = []
    for i in range(args.single_queries):
        q = xq[i:i + 1]
        t0 = time.perf_counter()
        index.search(q, args.k)
        latencies.append(time.perf_counter() - t0)
    lat = sorted(latencies)
    total = sum(lat)
    return {"batch_qps": len(xq) / batch, "single_qps": len(lat) / total, "p50_ms": percentile(lat, 0.5) * 1e3,
            "p99_ms": percentile(lat, 0.99) * 1e3, "mean_ms": total / len(lat) * 1e3}


def vectui_args(index_path, queries_path, args):
    return ["bench", str(index_path), "--queries", str(queries_path), "-k", str(args.k),
            "--runs", "1", "--single-queries", str(args.single_queries), "--json"]


def bench_vectui(vectui, bench_args):
    """One round of a vectui: one `vectui bench` process (one batch run, then the single queries)."""
    v = vectui.json(*bench_args)
    return {"batch_qps": v["batch"]["qps"], "single_qps": v["single"]["qps"], "p50_ms": v["single"]["p50_ms"],
            "p99_ms": v["single"]["p99_ms"], "mean_ms": v["single"]["mean_ms"]}


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

    index.search(xq, args.k)  # warm-up (and the index's pages in the page cache for vectui)
    agreement = check_agreement(index, index_path, queries_path, xq, args)
    bench_args = vectui_args(index_path, queries_path, args)
    vectuis = variants(args)
    measures = {"faiss": lambda: bench_faiss(index, xq, args)}
    for vectui in vectuis:
        measures[vectui.label] = lambda vectui=vectui: bench_vectui(vectui, bench_args)
    medians = alternate(args.rounds, measures)
    del index
    gflops = sgemm_gflops(m=min(args.queries, 1000), k=args.d)
    read = memory_read_gbps(os.cpu_count())

    name = "IndexFlatIP" if args.metric == "ip" else "IndexFlatL2"
    print(f"## {name}, {args.n:,} x {args.d}, k = {args.k}\n")
    for line in setup_lines(vectuis, gflops, read, args.d):
        print(line)
    print(f"- index file: {index_path} ({index_path.stat().st_size / 1e6:.0f} MB); queries: {queries_path}")
    print(f"- each round: faiss in-process, then `vectui {' '.join(bench_args)}` per vectui; "
          f"medians of {args.rounds} alternating rounds")
    print(f"- results: {agreement}\n")

    flops = 2.0 * args.n * args.d  # per query
    nbytes = args.n * args.d * 4   # read per single query

    def batch_note(qps):
        return f"{qps * flops / 1e9:.0f} GFLOPS = {qps * flops / 1e9 / gflops:.0%} of sgemm"

    def single_note(ms):
        return f"{nbytes / (ms / 1e3) / 1e9:.1f} GB/s = {nbytes / (ms / 1e3) / 1e9 / read:.0%} of memory read"

    # (label, key, format, higher is better, what the limit note says)
    measures = [
        (f"batch: {len(xq)} queries, QPS", "batch_qps", "{:,.0f}", True, batch_note),
        (f"single: {args.single_queries} queries one at a time, QPS", "single_qps", "{:,.1f}", True, None),
        ("single: p50 latency (ms)", "p50_ms", "{:.3f}", False, single_note),
        ("single: p99 latency (ms)", "p99_ms", "{:.3f}", False, None),
        ("single: mean latency (ms)", "mean_ms", "{:.3f}", False, None),
    ]
    names = ["faiss"] + [v.label for v in vectuis]
    print("| measure | " + " | ".join(names) + " | " + " | ".join(f"{v.label} / faiss" for v in vectuis) + " |")
    print("|---|" + "---:|" * (2 * len(names) - 1))
    for label, key, fmt, higher, note in measures:
        values = [medians[name][key] for name in names]
        ratios = [(v / values[0] if higher else values[0] / v) for v in values[1:]]
        print(f"| {label} | " + " | ".join(fmt.format(v) for v in values) + " | "
              + " | ".join(f"{r:.2f}x" for r in ratios) + " |")
        if note:
            print("| ↳ vs this host's limit | " + " | ".join(note(v) for v in values) + " |" + " |" * len(vectuis))
    print("\nRatios: vectui/faiss for QPS, faiss/vectui for latency (> 1: vectui better).")


if __name__ == "__main__":
    main()
