#!/usr/bin/env python3
"""HNSW{M}, faiss-cpu vs vectui, on the same data in one run.

Generates (seeded, reused when present) clustered float32 data in benchmarks/data/: n database
vectors and a separate query set drawn from the same mixture (centres ~ N(0, scale^2),
points = centre + N(0, 1)), and their exact top-k (faiss IndexFlatL2). Then

  - builds IndexHNSWFlat(d, M) with faiss-cpu (all threads, efConstruction 40) and the same
    with `vectui convert FLAT --to HNSW{M}` for each vectui (its own output file per variant),
    in --build-rounds rounds that alternate faiss and each vectui: wall seconds (faiss's
    index.add; vectui's train + add as it reports them) and CPU seconds (user + system, all
    threads; for vectui its whole `convert` process), medians over the rounds; faiss's last
    graph is saved and searched below;
  - for each efSearch in --ef: recall@k of faiss on its graph, and of each vectui on the same
    faiss-written file (`vectui search --ef-search`, so all search the very same graph with the
    same efSearch) with the share of ids identical to faiss's, and the recall each vectui's own
    graph reaches (measured once, not timed);
  - batched QPS of all queries, in --rounds rounds that alternate faiss (in-process) and
    `vectui bench --ef-search` per vectui on faiss's file (so a busy spell on the host hits
    every side alike); each round is a warm-up then one timed batch; medians over the rounds;

and prints markdown tables with a column per vectui and a ratio per vectui vs faiss, next to
this host's limits measured in the same run (numpy sgemm GFLOPS, memory read rate), marking
the smallest efSearch where faiss reaches recall >= --target. `--variant LABEL=BINARY[@SIMD]`
adds vectuis to the same rounds (e.g. `--variant avx2=@avx2`: the same binary with
VECTUI_SIMD=avx2).

    python3 benchmarks/bench_hnsw.py                 # 100,000 x 64, HNSW32, k = 10
    python3 benchmarks/bench_hnsw.py --n 200000 --d 96 --ef 32 64 128 256 --variant avx2=@avx2
"""

import argparse
import os
import pathlib
import re
import resource
import sys
import time

import faiss
import numpy as np

from benchlib import add_variant_args, alternate, memory_read_gbps, setup_lines, sgemm_gflops, variants

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
    p.add_argument("--rounds", type=int, default=5,
                   help="alternating search rounds per efSearch, one timed batch each, medians reported (default 5)")
    p.add_argument("--build-rounds", type=int, default=3,
                   help="alternating build rounds per side/variant, medians reported (default 3)")
    p.add_argument("--seed", type=int, default=1234, help="data seed (default 1234)")
    p.add_argument("--data-dir", type=pathlib.Path, default=HERE / "data", help="where data files live")
    add_variant_args(p, REPO_ROOT / ".build" / "release" / "vectui")
    args = p.parse_args()
    if min(args.n, args.d, args.m, args.k, args.queries, args.clusters, args.rounds, args.build_rounds,
           *args.ef) < 1:
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


def cpu_seconds(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def file_label(label):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", label)


def main():
    args = parse_args()
    if not os.access(args.vectui, os.X_OK):
        sys.exit(f"vectui binary not found at {args.vectui}: run `swift build -c release` or pass --vectui")
    vectuis = variants(args)
    flat_path, queries_path, truth_path = data_files(args)
    xq = np.load(queries_path)
    truth = np.load(truth_path)
    flat = faiss.read_index(str(flat_path))
    xb = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d).copy()
    del flat
    work = args.data_dir / f"hnsw_{args.n}x{args.d}_M{args.m}_seed{args.seed}"
    work.mkdir(parents=True, exist_ok=True)
    faiss_path = work / "faiss.index"
    own_paths = {v.label: work / f"vectui-{file_label(v.label)}.index" for v in vectuis}
    load_before = os.getloadavg()

    # Builds, alternating. Wall clock and CPU time (user + system, all threads), which a shared
    # machine disturbs less; vectui's CPU time covers its whole `convert` process (read, add, save).
    built = {}

    def build_faiss():
        built.pop("faiss", None)  # free the previous round's graph first
        index = faiss.IndexHNSWFlat(args.d, args.m)
        cpu0 = cpu_seconds(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        index.add(xb)
        wall = time.perf_counter() - t0
        built["faiss"] = index
        return {"wall": wall, "cpu": cpu_seconds(resource.RUSAGE_SELF) - cpu0}

    def build_vectui(vectui):
        cpu0 = cpu_seconds(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        report = vectui.json("convert", flat_path, "--to", f"HNSW{args.m}", "--out", own_paths[vectui.label],
                             "--query-count", 0, "--json")
        process = time.perf_counter() - t0
        return {"wall": report["build"]["add_seconds"] + report["build"]["train_seconds"],
                "cpu": cpu_seconds(resource.RUSAGE_CHILDREN) - cpu0, "process": process}

    builders = {"faiss": build_faiss}
    for vectui in vectuis:
        builders[vectui.label] = lambda vectui=vectui: build_vectui(vectui)
    builds = alternate(args.build_rounds, builders)
    index = built["faiss"]
    faiss.write_index(index, str(faiss_path))
    for name, b in builds.items():
        print(f"{name} built HNSW{args.m} in {b['wall']:.2f} s ({b['cpu']:.2f} s CPU), median of {args.build_rounds}",
              file=sys.stderr)

    def faiss_qps(ef):
        index.hnsw.efSearch = ef
        index.search(xq[:min(len(xq), 200)], args.k)  # warm-up
        t0 = time.perf_counter()
        index.search(xq, args.k)
        return {"qps": len(xq) / (time.perf_counter() - t0)}

    def vectui_qps(vectui, ef):
        out = vectui.json("bench", faiss_path, "--queries", queries_path, "-k", args.k, "--ef-search", ef,
                          "--runs", 1, "--single-queries", 1, "--json")
        return {"qps": out["batch"]["qps"]}

    rows = []
    for ef in args.ef:
        index.hnsw.efSearch = ef
        _, found = index.search(xq, args.k)
        row = {"ef": ef, "faiss_recall": recall(found, truth)}
        for vectui in vectuis:
            theirs = np.array(vectui.json("search", faiss_path, "--queries", queries_path, "-k", args.k,
                                          "--ef-search", ef, "--json")["ids"])
            own = np.array(vectui.json("search", own_paths[vectui.label], "--queries", queries_path, "-k", args.k,
                                       "--ef-search", ef, "--json")["ids"])
            row[vectui.label] = {"recall": recall(theirs, truth), "same": float(np.mean(theirs == found)),
                                 "own_recall": recall(own, truth)}
        measures = {"faiss": lambda: faiss_qps(ef)}
        for vectui in vectuis:
            measures[vectui.label] = lambda vectui=vectui: vectui_qps(vectui, ef)
        row["qps"] = {name: m["qps"] for name, m in alternate(args.rounds, measures).items()}
        rows.append(row)
        print(f"efSearch {ef}: recall faiss {row['faiss_recall']:.4f}; QPS "
              + ", ".join(f"{name} {qps:.0f}" for name, qps in row["qps"].items()), file=sys.stderr)
    load_after = os.getloadavg()
    del index, built
    gflops = sgemm_gflops(k=args.d)
    read = memory_read_gbps(os.cpu_count())

    names = ["faiss"] + [v.label for v in vectuis]
    labels = [v.label for v in vectuis]
    print(f"## HNSW{args.m}: {args.n:,} x {args.d} clustered vectors (L2), {len(xq):,} queries, k = {args.k}\n")
    for line in setup_lines(vectuis, gflops, read, args.d, load=(load_before, load_after)):
        print(line)
    print(f"- builds: medians of {args.build_rounds} alternating rounds (faiss `index.add`, then "
          f"`vectui convert FLAT --to HNSW{args.m}` per vectui, each to its own file); faiss's last graph is "
          f"the one searched")
    print(f"- QPS: all queries in one batch, median of {args.rounds} alternating rounds per efSearch, each a "
          f"warm-up then one timed batch (faiss in-process; `vectui bench --runs 1` on faiss's file)\n")

    print("| build (efConstruction 40) | " + " | ".join(names) + " | "
          + " | ".join(f"faiss / {l}" for l in labels) + " |")
    print("|---|" + "---:|" * (2 * len(names) - 1))
    for title, key in ((f"HNSW{args.m} add, wall seconds", "wall"), ("CPU seconds (all threads)", "cpu")):
        values = [builds[name][key] for name in names]
        print(f"| {title} | " + " | ".join(f"{v:.2f}" for v in values) + " | "
              + " | ".join(f"{values[0] / v:.2f}x" for v in values[1:]) + " |")
    print("\nBuild ratios: faiss/vectui (> 1: vectui faster). vectui's `convert` process wall seconds "
          "(reading, saving and process start included): "
          + ", ".join(f"{l} {builds[l]['process']:.2f}" for l in labels) + ".\n")

    print(f"| efSearch | recall@{args.k} faiss | "
          + " | ".join(f"recall@{args.k} {l} (faiss's graph) | same ids {l} | recall@{args.k} {l}'s own graph"
                       for l in labels) + " |")
    print("|---:|---:|" + "---:|---:|---:|" * len(labels))
    for r in rows:
        print(f"| {r['ef']} | {r['faiss_recall']:.4f} | "
              + " | ".join(f"{r[l]['recall']:.4f} | {r[l]['same']:.4f} | {r[l]['own_recall']:.4f}" for l in labels)
              + " |")
    print()

    print(f"| efSearch | recall@{args.k} faiss | " + " | ".join(f"QPS {name}" for name in names) + " | "
          + " | ".join(f"{l} / faiss" for l in labels) + " |")
    print("|---:|---:|" + "---:|" * (2 * len(names) - 1))
    target_row = None
    for r in rows:
        mark = ""
        if target_row is None and r["faiss_recall"] >= args.target:
            target_row = r
            mark = " **"
        print(f"| {r['ef']}{mark} | {r['faiss_recall']:.4f} | " + " | ".join(f"{r['qps'][n]:,.0f}" for n in names)
              + " | " + " | ".join(f"{r['qps'][l] / r['qps']['faiss']:.2f}x" for l in labels) + " |")
    print("\nQPS ratios: vectui/faiss on the same graph (> 1: vectui faster).")
    if target_row is None:
        print(f"\nfaiss did not reach recall {args.target} with these efSearch values")
    else:
        q = target_row["qps"]
        print(f"\n** smallest efSearch with faiss recall@{args.k} >= {args.target}: efSearch {target_row['ef']}, "
              f"QPS faiss {q['faiss']:,.0f}, "
              + ", ".join(f"{l} {q[l]:,.0f} ({q[l] / q['faiss']:.2f}x)" for l in labels))


if __name__ == "__main__":
    main()
