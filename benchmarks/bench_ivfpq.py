#!/usr/bin/env python3
"""IVF-PQ, faiss-cpu vs vectui, on the same data in one run: build times side by side, then
search throughput and recall at the same nprobe.

Generates (seeded, reused when present) float32 vectors of intrinsic dimension 24 as a FAISS flat index, held-out
queries and their exact top-10 in benchmarks/data/, then:

  - builds IVF{nlist},PQ{m}x{nbits} with faiss-cpu (IndexIVFPQ, by residual; polysemous training
    off, as vectui builds) on the very rows `vectui convert` trains on (its seeded sample, ported
    below), timing train and add; and with `vectui convert --json` (its own train/add timings);
  - for each nprobe: batched search of all queries (best of --runs after a warm-up, in --rounds
    rounds that alternate the three, so a busy spell on the host hits each) with faiss on
    faiss's file, with `vectui bench` on faiss's file (the same index, so the same recall), and
    with `vectui bench` on vectui's own build; recall@10 (10-recall@10) and recall@1 against the
    exact neighbours for each.

    python3 benchmarks/bench_ivfpq.py                          # 1,000,000 x 128, L2, IVF1024,PQ32
    python3 benchmarks/bench_ivfpq.py --n 200000 --nprobe 1,8,32
"""

import argparse
import os
import pathlib
import platform
import sys
import time

import faiss
import numpy as np

from benchlib import cpu_model, run_json

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
MASK64 = (1 << 64) - 1


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=1_000_000, help="database vectors (default 1,000,000)")
    p.add_argument("--d", type=int, default=128, help="dimension (default 128)")
    p.add_argument("--nlist", type=int, default=1024, help="inverted lists (default 1024)")
    p.add_argument("--m", type=int, default=32, help="PQ sub-quantizers (default 32)")
    p.add_argument("--nbits", type=int, default=8, help="bits per sub-code (default 8)")
    p.add_argument("--metric", choices=["ip", "l2"], default="l2", help="l2 (default) or ip")
    p.add_argument("--queries", type=int, default=1000, help="held-out queries (default 1000)")
    p.add_argument("--train", type=int, default=100_000, help="training vectors (default 100,000)")
    p.add_argument("--nprobe", default="1,4,16,64", help="comma-separated nprobe values (default 1,4,16,64)")
    p.add_argument("--runs", type=int, default=3, help="timed batch runs per round, best reported (default 3)")
    p.add_argument("--rounds", type=int, default=3,
                   help="rounds alternating faiss and vectui at each nprobe, best of all kept (default 3): "
                        "a busy spell on the host then hits both sides, not one")
    p.add_argument("--seed", type=int, default=1234, help="data seed, also vectui's sample seed (default 1234)")
    p.add_argument("--data-dir", type=pathlib.Path, default=HERE / "data", help="where data files live")
    p.add_argument("--vectui", default=os.environ.get("VECTUI_BIN", str(REPO_ROOT / ".build" / "release" / "vectui")),
                   help="vectui binary (default: $VECTUI_BIN or .build/release/vectui)")
    args = p.parse_args()
    args.nprobes = [int(x) for x in args.nprobe.split(",")]
    if min(args.n, args.d, args.nlist, args.m, args.nbits, args.queries, args.train, args.runs, args.rounds,
           *args.nprobes) < 1:
        p.error("all sizes must be at least 1")
    if args.d % args.m:
        p.error("--d must be a multiple of --m")
    return args


def data_files(args):
    """Flat index, queries and exact top-10, generated once per parameters and then reused."""
    args.data_dir.mkdir(parents=True, exist_ok=True)
    stem = f"lowrank_{args.metric}_{args.n}x{args.d}_seed{args.seed}"
    index_path = args.data_dir / f"{stem}.index"
    queries_path = args.data_dir / f"{stem}_queries{args.queries}.npy"
    truth_path = args.data_dir / f"{stem}_queries{args.queries}_top10.npy"
    if not (index_path.exists() and queries_path.exists() and truth_path.exists()):
        t0 = time.perf_counter()
        rng = np.random.default_rng(args.seed)
        # A continuous distribution of intrinsic dimension 24 (a random linear map of Gaussian
        # latents) plus a little isotropic noise: neighbourhoods cross IVF list boundaries, as in
        # real embeddings, so recall grows with nprobe.
        latent = min(24, args.d)
        mixing = (rng.standard_normal((latent, args.d)) / np.sqrt(latent)).astype(np.float32)

        def draw(count):
            z = rng.standard_normal((count, latent), dtype=np.float32)
            return (z @ mixing + 0.05 * rng.standard_normal((count, args.d), dtype=np.float32)).astype(np.float32)

        index = faiss.IndexFlatIP(args.d) if args.metric == "ip" else faiss.IndexFlatL2(args.d)
        chunk = max(1, (64 << 20) // (4 * args.d))
        for start in range(0, args.n, chunk):
            index.add(draw(min(chunk, args.n - start)))
        xq = draw(args.queries)
        _, truth = index.search(xq, 10)
        for path, write in ((index_path, lambda p: faiss.write_index(index, str(p))),
                            (queries_path, lambda p: np.save(p, xq)), (truth_path, lambda p: np.save(p, truth))):
            tmp = path.with_name(path.stem + ".tmp" + path.suffix)  # np.save keeps a .npy suffix
            write(tmp)
            os.replace(tmp, path)  # a half-written file is never reused
        print(f"generated {index_path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return index_path, queries_path, truth_path


def vectui_sample(size, n, seed):
    """`IndexConversion.sample` (a partial Fisher-Yates shuffle driven by SplitMix64), so faiss
    trains on exactly the rows vectui trains on."""
    state = seed
    swapped = {}
    out = []
    for i in range(min(size, n)):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        z ^= z >> 31
        j = i + z % (n - i)
        out.append(swapped.get(j, j))
        swapped[j] = swapped.get(i, i)
    return sorted(out)


def recall(ids, truth):
    r10 = float(np.mean([len(set(a[:10]) & set(b[:10])) / 10 for a, b in zip(ids.tolist(), truth.tolist())]))
    r1 = float(np.mean(ids[:, 0] == truth[:, 0]))
    return r1, r10


def run_vectui(args, *cmd):
    return run_json([args.vectui, *cmd])


def vectui_ids(args, index_path, queries_path, nprobe):
    result = run_vectui(args, "search", index_path, "--queries", queries_path, "-k", 10, "--nprobe", nprobe, "--json")
    return np.array(result["ids"], dtype=np.int64)


def vectui_qps(args, index_path, queries_path, nprobe):
    bench = run_vectui(args, "bench", index_path, "--queries", queries_path, "-k", 10, "--nprobe", nprobe,
                       "--runs", args.runs, "--single-queries", 1, "--json")
    return bench["batch"]["qps"]


def faiss_search(index, xq, nprobe, runs):
    faiss.extract_index_ivf(index).nprobe = nprobe
    index.search(xq[:50], 10)  # warm-up
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        _, ids = index.search(xq, 10)
        best = min(best, time.perf_counter() - t0)
    return ids, len(xq) / best


def main():
    args = parse_args()
    if not os.access(args.vectui, os.X_OK):
        sys.exit(f"vectui not found at {args.vectui}: run `swift build -c release` or set VECTUI_BIN")
    index_path, queries_path, truth_path = data_files(args)
    xq, truth = np.load(queries_path), np.load(truth_path)
    factory = f"IVF{args.nlist},PQ{args.m}x{args.nbits}"
    stem = f"{factory.replace(',', '_')}_{args.metric}_{args.n}x{args.d}"
    faiss_path = args.data_dir / f"{stem}_faiss.index"
    vectui_path = args.data_dir / f"{stem}_vectui.index"
    load_before = os.getloadavg()

    # faiss build, on vectui's training rows.
    flat = faiss.read_index(str(index_path))
    xb = faiss.rev_swig_ptr(faiss.downcast_index(flat).get_xb(), args.n * args.d).reshape(args.n, args.d)
    train_rows = vectui_sample(args.train, args.n, args.seed)
    metric = faiss.METRIC_INNER_PRODUCT if args.metric == "ip" else faiss.METRIC_L2
    quantizer = faiss.IndexFlatIP(args.d) if args.metric == "ip" else faiss.IndexFlatL2(args.d)
    index = faiss.IndexIVFPQ(quantizer, args.d, args.nlist, args.m, args.nbits, metric)
    index.do_polysemous_training = False
    xt = np.ascontiguousarray(xb[train_rows])
    t0 = time.perf_counter()
    index.train(xt)
    faiss_train = time.perf_counter() - t0
    t0 = time.perf_counter()
    chunk = 65536
    for start in range(0, args.n, chunk):
        index.add(np.ascontiguousarray(xb[start:start + chunk]))
    faiss_add = time.perf_counter() - t0
    faiss.write_index(index, str(faiss_path))
    del xt

    # vectui build.
    t0 = time.perf_counter()
    report = run_vectui(args, "convert", index_path, "--to", factory, "--out", vectui_path, "--train-size", args.train,
                        "--query-count", 0, "--seed", args.seed, "--json")
    vectui_wall = time.perf_counter() - t0
    build = report["build"]

    rows = []
    for nprobe in args.nprobes:
        vf_ids = vectui_ids(args, faiss_path, queries_path, nprobe)
        vv_ids = vectui_ids(args, vectui_path, queries_path, nprobe)
        f_qps = vf_qps = vv_qps = 0.0
        for _ in range(args.rounds):
            f_ids, qps = faiss_search(index, xq, nprobe, args.runs)
            f_qps = max(f_qps, qps)
            vf_qps = max(vf_qps, vectui_qps(args, faiss_path, queries_path, nprobe))
            vv_qps = max(vv_qps, vectui_qps(args, vectui_path, queries_path, nprobe))
        same = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(f_ids.tolist(), vf_ids.tolist())]))
        rows.append((nprobe, f_qps, recall(f_ids, truth), vf_qps, recall(vf_ids, truth), same, vv_qps, recall(vv_ids, truth)))
    load_after = os.getloadavg()

    print(f"## {factory}, {args.metric}, {args.n:,} x {args.d} vectors (intrinsic dimension 24), {len(xq)} held-out queries, k = 10\n")
    print(f"- faiss-cpu {faiss.__version__}, faiss.omp_get_max_threads() = {faiss.omp_get_max_threads()}; "
          f"numpy {np.__version__}; Python {platform.python_version()}")
    print(f"- machine: {cpu_model()}, {os.cpu_count()} logical CPUs; load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (other work on the host skews timings)")
    print(f"- both train on the same {len(train_rows):,} rows (vectui's seeded sample); faiss: IndexIVFPQ, "
          f"by residual, polysemous training off; vectui: `vectui convert --to {factory} --train-size {args.train}`\n")
    print("| build | faiss-cpu | vectui | ratio (faiss/vectui) |")
    print("|---|---:|---:|---:|")
    print(f"| train (s) | {faiss_train:.2f} | {build['train_seconds']:.2f} | {faiss_train / build['train_seconds']:.2f}x |")
    print(f"| add {args.n:,} (s) | {faiss_add:.2f} | {build['add_seconds']:.2f} | {faiss_add / build['add_seconds']:.2f}x |")
    total_v = build["train_seconds"] + build["add_seconds"]
    print(f"| train + add (s) | {faiss_train + faiss_add:.2f} | {total_v:.2f} | {(faiss_train + faiss_add) / total_v:.2f}x |")
    print(f"\n(vectui convert wall time including reading, saving and process start: {vectui_wall:.2f} s)\n")
    print("| nprobe | faiss QPS | faiss R@1 / R@10 | vectui QPS, faiss's file | ratio | vectui R@1 / R@10 "
          "| top-10 agreement | vectui QPS, own build | own build R@1 / R@10 |")
    print("|---:|---:|---|---:|---:|---|---:|---:|---|")
    for nprobe, f_qps, f_r, vf_qps, vf_r, same, vv_qps, vv_r in rows:
        print(f"| {nprobe} | {f_qps:,.0f} | {f_r[0]:.4f} / {f_r[1]:.4f} | {vf_qps:,.0f} | {vf_qps / f_qps:.2f}x "
              f"| {vf_r[0]:.4f} / {vf_r[1]:.4f} | {same:.4f} | {vv_qps:,.0f} | {vv_r[0]:.4f} / {vv_r[1]:.4f} |")
    print(f"\nQPS: all queries in one batch, best of {args.runs} runs x {args.rounds} alternating rounds; ratio = vectui/faiss on the same file (> 1: vectui faster).")


if __name__ == "__main__":
    main()
