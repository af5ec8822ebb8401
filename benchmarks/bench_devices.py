#!/usr/bin/env python3
"""Device search on OpenCL versus the CPU path, and upload/download throughput.

Generates (seeded, reused when present) a FAISS IndexFlatIP of n x d float32 vectors and a
query file in benchmarks/data/, then runs `vectui bench --json` on the same files with
--device cpu, with the index on cl0 in fp32 and in fp16, and sharded over two OpenCL devices
(POCL_DEVICES="pthread pthread"), plus faiss-cpu's own search as the reference, and prints a
markdown table.

On a machine without a GPU the OpenCL devices are PoCL running on the same two CPU cores, so
this measures the device code path (tiling, top-k on the device, host merge, transfers), not
GPU speed: expect PoCL to be slower than the native CPU path.

    python3 benchmarks/bench_devices.py                 # 500,000 x 128, 200 queries, k = 10
"""

import argparse
import json
import os
import pathlib
import subprocess
import time

import faiss
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=500_000)
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--single-queries", type=int, default=50)
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
    start = time.perf_counter()
    index.search(q, args.k)
    faiss_batch = args.queries / (time.perf_counter() - start)
    times = []
    for i in range(args.single_queries):
        start = time.perf_counter()
        index.search(q[i:i + 1], args.k)
        times.append(time.perf_counter() - start)
    faiss_p50 = sorted(times)[round(0.5 * (len(times) - 1))] * 1000

    rows = [("faiss-cpu (reference)", faiss_batch, faiss_p50, None, None)]
    configs = [
        ("vectui cpu", ["--device", "cpu"], {}),
        ("vectui cl0 fp32 (PoCL)", ["--device", "cl0"], {}),
        ("vectui cl0 fp16 (PoCL)", ["--device", "cl0", "--fp16"], {}),
        ("vectui cl0,cl1 sharded fp32 (PoCL x2)", ["--device", "all", "--shard"], {"POCL_DEVICES": "pthread pthread"}),
        ("vectui cl0,cl1 replicated fp32 (PoCL x2)", ["--device", "all", "--replicate"], {"POCL_DEVICES": "pthread pthread"}),
    ]
    for name, extra, env in configs:
        out = subprocess.run([args.vectui, "bench", index_path, "--queries", query_path, "-k", str(args.k), "--runs", "2",
                              "--single-queries", str(args.single_queries), "--json", *extra],
                             env={**os.environ, **env}, capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
        transfer = result.get("transfer", {})
        rows.append((name, result["batch"]["qps"], result["single"]["p50_ms"],
                     transfer.get("upload_gb_per_s"), transfer.get("download_gb_per_s")))

    print(f"IndexFlatIP {args.n} x {args.d} ({args.n * args.d * 4 / 1e9:.2f} GB fp32), k = {args.k}, "
          f"{args.queries} batched queries, {args.single_queries} single; faiss {faiss.__version__}")
    print()
    print("| placement | batch QPS | single p50 (ms) | upload GB/s | download GB/s |")
    print("|---|---:|---:|---:|---:|")
    for name, qps, p50, up, down in rows:
        fmt = lambda v: "—" if v is None else f"{v:.2f}"
        print(f"| {name} | {qps:.0f} | {p50:.2f} | {fmt(up)} | {fmt(down)} |")


if __name__ == "__main__":
    main()
