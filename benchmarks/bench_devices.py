#!/usr/bin/env python3
"""Device search on OpenCL versus the CPU path, and upload/download throughput.

Generates (seeded, reused when present) a FAISS IndexFlatIP of n x d float32 vectors and a
query file in benchmarks/data/, then runs `vectui bench --json` on the same files with
--device cpu, with the index on cl0 in fp32 and in fp16, and sharded over two OpenCL devices
(POCL_DEVICES="pthread pthread"), plus faiss-cpu's own search as the reference, in --rounds
rounds that alternate them all (one `vectui bench --runs 1` process per placement a round),
and prints the medians in a markdown table.

On a machine without a GPU the OpenCL devices are PoCL running on the same two CPU cores, so
this measures the device code path (tiling, top-k on the device, host merge, transfers), not
GPU speed: expect PoCL to be slower than the native CPU path.

    python3 benchmarks/bench_devices.py                 # 500,000 x 128, 200 queries, k = 10
"""

import argparse
import os
import pathlib
import time

import faiss
import numpy as np

from benchlib import alternate, cpu_model, run_json

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=500_000)
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--single-queries", type=int, default=50)
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds, medians reported (default 3)")
    p.add_argument("--data-dir", type=pathlib.Path, default=HERE / "data")
    p.add_argument("--vectui", default=os.environ.get("VECTUI_BIN", str(REPO_ROOT / ".build" / "release" / "vectui")))
    args = p.parse_args()

    args.data_dir.mkdir(parents=True, exist_ok=True)
    stem = args.data_dir / f"devices_ip_{args.n}x{args.d}"
    index_path, query_path = f"{stem}.index", f"{stem}_queries{args.queries}.npy"
    if not (os.path.exists(index_path) and os.path.exists(query_path)):
        rng = np.random.default_rng(7)
        x = rng.standard_normal((args.n, args.d), dtype=np.float32)
        index = faiss.IndexFlatIP(args.d)
        index.add(x)
        faiss.write_index(index, index_path)
        np.save(query_path, rng.standard_normal((args.queries, args.d), dtype=np.float32))

    # faiss-cpu reference, same files.
    index = faiss.read_index(index_path)
    q = np.load(query_path)
    index.search(q[:20], args.k)

    def faiss_round():
        start = time.perf_counter()
        index.search(q, args.k)
        batch = args.queries / (time.perf_counter() - start)
        times = []
        for i in range(args.single_queries):
            start = time.perf_counter()
            index.search(q[i:i + 1], args.k)
            times.append(time.perf_counter() - start)
        return {"qps": batch, "p50": sorted(times)[round(0.5 * (len(times) - 1))] * 1000}

    configs = [
        ("vectui cpu", ["--device", "cpu"], {}),
        ("vectui cl0 fp32 (PoCL)", ["--device", "cl0"], {}),
        ("vectui cl0 fp16 (PoCL)", ["--device", "cl0", "--fp16"], {}),
        ("vectui cl0,cl1 sharded fp32 (PoCL x2)", ["--device", "all", "--shard"], {"POCL_DEVICES": "pthread pthread"}),
        ("vectui cl0,cl1 replicated fp32 (PoCL x2)", ["--device", "all", "--replicate"], {"POCL_DEVICES": "pthread pthread"}),
    ]

    def vectui_round(extra, env):
        result = run_json([args.vectui, "bench", index_path, "--queries", query_path, "-k", args.k, "--runs", 1,
                           "--single-queries", args.single_queries, "--json", *extra], env=env)
        transfer = result.get("transfer", {})
        return {"qps": result["batch"]["qps"], "p50": result["single"]["p50_ms"],
                "up": transfer.get("upload_gb_per_s", float("nan")), "down": transfer.get("download_gb_per_s", float("nan"))}

    measures = {"faiss-cpu (reference)": faiss_round}
    for name, extra, env in configs:
        measures[name] = lambda extra=extra, env=env: vectui_round(extra, env)
    medians = alternate(args.rounds, measures)
    rows = [(name, m["qps"], m["p50"], m.get("up"), m.get("down")) for name, m in medians.items()]

    print(f"IndexFlatIP {args.n} x {args.d} ({args.n * args.d * 4 / 1e9:.2f} GB fp32), k = {args.k}, "
          f"{args.queries} batched queries, {args.single_queries} single; faiss {faiss.__version__}; "
          f"{cpu_model()}, {os.cpu_count()} CPUs; medians of {args.rounds} alternating rounds")
    print()
    print("| placement | batch QPS | single p50 (ms) | upload GB/s | download GB/s |")
    print("|---|---:|---:|---:|---:|")
    for name, qps, p50, up, down in rows:
        fmt = lambda v: "—" if v is None or v != v else f"{v:.2f}"
        print(f"| {name} | {qps:.0f} | {p50:.2f} | {fmt(up)} | {fmt(down)} |")


if __name__ == "__main__":
    main()
