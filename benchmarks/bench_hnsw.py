#!/usr/bin/env python3
"""HNSW32, faiss-cpu vs vectui, on the same data in one run.

Generates (seeded, reused when present) clustered float32 data in benchmarks/data/: n database
vectors and a separate query set drawn from the same mixture (centres ~ N(0, scale^2),
points = centre + N(0, 1)), and their exact top-k (faiss IndexFlatL2). Then

  - builds IndexHNSWFlat(d, M) with faiss-cpu (all threads, efConstruction 40), timed, and saves it;
  - builds the same with `vectui convert FLAT --to HNSW{M}` (both cores), build time = its add time;
  - for each efSearch in --ef: recall@k and batched QPS of faiss on its graph, and of vectui
    (`vectui bench --ef-search`) on the same faiss-written file, so both search the very same
    graph with the same efSearch; plus the recall vectui's own graph reaches (`vectui search`);
  - repeats the QPS measurements --rounds times, alternating faiss and vectui, best of each
    (the machine may be shared; the best run is the least disturbed one);

and prints markdown tables, marking the smallest efSearch where faiss reaches recall >= --target.

    python3 benchmarks/bench_hnsw.py                 # 100,000 x 64, HNSW32, k = 10
    python3 benchmarks/bench_hnsw.py --n 200000 --d 96 --ef 32 64 128 256
"""

import argparse
import os
import pathlib
import platform
import resource
import sys
import time

import faiss
import numpy as np

from benchlib import run_json

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=100_000, help="database vectors (default 100,000)")
    p.add_argument("--d", type=int, default=64, help="dimension (default 64)")
    p.add_argument("--m", type=int, default=32, help="HNSW M (default 32)")
    p.add_argument("--k", type=int, default=10, help="neighbours per query (default 10)")
    p.add_argument("--queries", type=int, default=10_000, help="queries (default 10,000)")
    p.add_argument("--clusters", type=int, default=1000, help="mixture components (default 1000)")
    p.add_argument("--scale", type=float, default=0.8, help="spread of the centres (default 0.8)")
    p.add_argument("--ef", type=int, nargs="+", default=[16, 32, 64, 96, 128, 192, 256], help="efSearch values")
    p.add_argument("--target", type=float, default=0.95, help="recall@k the comparison is made at (default 0.95)")
    p.add_argument("--rounds", type=int, default=3, help="alternating timing rounds, best kept (default 3)")
    p.add_argument("--runs", type=int, default=3, help="timed batches per round, best kept (default 3)")
    p.add_argument("--seed", type=int, default=1234, help="data seed (default 1234)")
    p.add_argument("--data-dir", type=pathlib.Path, default=HERE / "data", help="where data files live")
    p.add_argument("--vectui", default=os.environ.get("VECTUI_BIN", str(REPO_ROOT / ".build" / "release" / "vectui")),
                   help="vectui binary (default: $VECTUI_BIN or .build/release/vectui)")
    args = p.parse_args()
    if min(args.n, args.d, args.m, args.k, args.queries, args.clusters, args.rounds, args.runs) < 1 or min(args.ef) < 1:
        p.error("all sizes must be at least 1")
    if args.m < 2:
        p.error("--m must be at least 2")
    return args


def data_files(args):
    """Flat index (the conversion source), queries and exact neighbours, generated once."""
    args.data_dir.mkdir(parents=True, exist_ok=True)
    stem = f"clustered_{args.n}x{args.d}_c{args.clusters}_s{args.scale}_seed{args.seed}"
    flat_path = args.data_dir / f"{stem}_flat.index"
    queries_path = args.data_dir / f"{stem}_queries{args.queries}.npy"
    truth_path = args.data_dir / f"{stem}_queries{args.queries}_top{args.k}.npy"
    if not (flat_path.exists() and queries_path.exists() and truth_path.exists()):
        t0 = time.perf_counter()
        rng = np.random.default_rng(args.seed)
        centres = (rng.standard_normal((args.clusters, args.d)) * args.scale).astype(np.float32)
        xb = centres[rng.integers(0, args.clusters, args.n)] + rng.standard_normal((args.n, args.d), dtype=np.float32)
        xq = centres[rng.integers(0, args.clusters, args.queries)] + rng.standard_normal((args.queries, args.d), dtype=np.float32)
        flat = faiss.IndexFlatL2(args.d)
        flat.add(xb)
        _, truth = flat.search(xq, args.k)
        for path, write in ((flat_path, lambda p: faiss.write_index(flat, str(p))),
                            (queries_path, lambda p: np.save(p, xq)),
                            (truth_path, lambda p: np.save(p, truth))):
            tmp = path.with_name(".tmp-" + path.name)  # np.save keeps a .npy suffix
            write(tmp)
            os.replace(tmp, path)  # a half-written file is never reused
        print(f"generated {stem} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return flat_path, queries_path, truth_path


def recall(found, truth):
    k = truth.shape[1]
    return float(np.mean([len(set(f[:k]) & set(t)) / k for f, t in zip(found, truth)]))


def faiss_qps(index, xq, k, ef, runs):
    index.hnsw.efSearch = ef
    index.search(xq[:min(len(xq), 200)], k)  # warm-up
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        index.search(xq, k)
        best = min(best, time.perf_counter() - t0)
    return len(xq) / best


def vectui_qps(args, index_path, queries_path, ef):
    out = run_json([args.vectui, "bench", index_path, "--queries", queries_path, "-k", args.k, "--ef-search", ef,
                    "--runs", args.runs, "--single-queries", 1, "--json"])
    return out["batch"]["qps"]


def main():
    args = parse_args()
    if not os.access(args.vectui, os.X_OK):
        sys.exit(f"vectui binary not found at {args.vectui}: run `swift build -c release` or pass --vectui")
    flat_path, queries_path, truth_path = data_files(args)
    xq = np.load(queries_path)
    truth = np.load(truth_path)
    flat = faiss.read_index(str(flat_path))
    xb = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d).copy()
    del flat
    work = args.data_dir / f"hnsw_{args.n}x{args.d}_M{args.m}_seed{args.seed}"
    work.mkdir(parents=True, exist_ok=True)
    faiss_path = work / "faiss.index"
    vectui_path = work / "vectui.index"

    def cpu_seconds(who):
        usage = resource.getrusage(who)
        return usage.ru_utime + usage.ru_stime

    # Build times: wall clock, and CPU time (user + system, all threads), which a shared machine
    # disturbs less. vectui's CPU time covers its whole `convert` process (read, add, save).
    index = faiss.IndexHNSWFlat(args.d, args.m)
    cpu0 = cpu_seconds(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    index.add(xb)
    faiss_build = time.perf_counter() - t0
    faiss_cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu0
    faiss.write_index(index, str(faiss_path))
    print(f"faiss built HNSW{args.m} in {faiss_build:.2f} s ({faiss_cpu:.2f} s CPU)", file=sys.stderr)

    cpu0 = cpu_seconds(resource.RUSAGE_CHILDREN)
    report = run_json([args.vectui, "convert", flat_path, "--to", f"HNSW{args.m}", "--out", vectui_path,
                       "--query-count", 0, "--json"])
    vectui_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu0
    vectui_build = report["build"]["add_seconds"] + report["build"]["train_seconds"]
    print(f"vectui built HNSW{args.m} in {vectui_build:.2f} s ({vectui_cpu:.2f} s CPU)", file=sys.stderr)

    rows = []
    for ef in args.ef:
        index.hnsw.efSearch = ef
        _, found = index.search(xq, args.k)
        faiss_recall = recall(found, truth)
        theirs = run_json([args.vectui, "search", faiss_path, "--queries", queries_path, "-k", args.k,
                           "--ef-search", ef, "--json"])
        same = float(np.mean(np.array(theirs["ids"]) == found))
        own = run_json([args.vectui, "search", vectui_path, "--queries", queries_path, "-k", args.k,
                        "--ef-search", ef, "--json"])
        own_recall = recall(np.array(own["ids"]), truth)
        best_faiss, best_vectui = 0.0, 0.0
        for _ in range(args.rounds):
            best_faiss = max(best_faiss, faiss_qps(index, xq, args.k, ef, args.runs))
            best_vectui = max(best_vectui, vectui_qps(args, faiss_path, queries_path, ef))
        rows.append(dict(ef=ef, faiss_recall=faiss_recall, vectui_recall_same_graph=recall(np.array(theirs["ids"]), truth),
                         same_ids=same, vectui_own_recall=own_recall, faiss_qps=best_faiss, vectui_qps=best_vectui))
        print(f"efSearch {ef}: recall faiss {faiss_recall:.4f}, vectui's graph {own_recall:.4f}; "
              f"QPS faiss {best_faiss:.0f}, vectui {best_vectui:.0f}", file=sys.stderr)

    print(f"## HNSW{args.m}: {args.n:,} x {args.d} clustered vectors (L2), "
          f"{len(xq):,} queries, k = {args.k}\n")
    print(f"faiss-cpu {faiss.__version__} ({faiss.omp_get_max_threads()} threads), {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs; QPS = batched, best of {args.rounds} rounds x {args.runs} runs\n")
    print("| build (efConstruction 40) | faiss-cpu | vectui | faiss / vectui (> 1: vectui faster) |")
    print("|---|---:|---:|---:|")
    print(f"| HNSW{args.m} add, wall seconds | {faiss_build:.2f} | {vectui_build:.2f} | {faiss_build / vectui_build:.2f} |")
    print(f"| CPU seconds (all threads) | {faiss_cpu:.2f} | {vectui_cpu:.2f} | {faiss_cpu / vectui_cpu:.2f} |\n")
    print("| efSearch | recall@{0} faiss | recall@{0} vectui (faiss's graph) | same ids | recall@{0} vectui's own graph "
          "| QPS faiss | QPS vectui | QPS vectui / faiss |".format(args.k))
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    target_row = None
    for r in rows:
        mark = ""
        if target_row is None and r["faiss_recall"] >= args.target:
            target_row = r
            mark = " **"
        print(f"| {r['ef']}{mark} | {r['faiss_recall']:.4f} | {r['vectui_recall_same_graph']:.4f} | {r['same_ids']:.4f} "
              f"| {r['vectui_own_recall']:.4f} | {r['faiss_qps']:.0f} | {r['vectui_qps']:.0f} "
              f"| {r['vectui_qps'] / r['faiss_qps']:.2f} |")
    if target_row is None:
        print(f"\nfaiss did not reach recall {args.target} with these efSearch values")
    else:
        print(f"\n** smallest efSearch with faiss recall@{args.k} >= {args.target}: efSearch {target_row['ef']}, "
              f"QPS faiss {target_row['faiss_qps']:.0f}, vectui {target_row['vectui_qps']:.0f} "
              f"({target_row['vectui_qps'] / target_row['faiss_qps']:.2f}x)")


if __name__ == "__main__":
    main()
