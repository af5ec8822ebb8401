#!/usr/bin/env python3
"""IVF-PQ, faiss-cpu vs vectui, on the same data in one run: build times side by side, then
search throughput and recall at the same nprobe.

Generates (seeded, reused when present) float32 vectors of intrinsic dimension 24 as a FAISS
flat index, held-out queries and their exact top-10 in benchmarks/data/, then:

  - builds IVF{nlist},PQ{m}x{nbits} with faiss-cpu (IndexIVFPQ, by residual; polysemous training
    off, as vectui builds) on the very rows `vectui convert` trains on (its seeded sample, ported
    below), timing train and add; and with `vectui convert --json` per vectui (its own train/add
    timings, each variant to its own file); in --build-rounds rounds that alternate faiss and
    each vectui, medians over the rounds; faiss's last build is saved and searched below;
  - for each nprobe: recall@1 and 10-recall@10 against the exact neighbours of faiss on its
    file, of each vectui on faiss's file (the same index, so the same recall) with its top-10
    agreement with faiss, and of each vectui's own build (measured once, not timed);
  - batched search of all queries, in --rounds rounds that alternate faiss (in-process, on its
    index) and `vectui bench` per vectui on faiss's file and on that vectui's own build (so a
    busy spell on the host hits every side alike); each round is a warm-up then one timed
    batch; medians over the rounds;

and prints markdown tables with a column per vectui and a ratio per vectui vs faiss, next to
this host's limits measured in the same run (numpy sgemm GFLOPS, memory read rate).
`--variant LABEL=BINARY[@SIMD]` adds vectuis to the same rounds (e.g. `--variant avx2=@avx2`:
the same binary with VECTUI_SIMD=avx2).

    python3 benchmarks/bench_ivfpq.py                          # 1,000,000 x 128, L2, IVF1024,PQ32
    python3 benchmarks/bench_ivfpq.py --n 200000 --nprobe 1,8,32 --variant avx2=@avx2
"""

import argparse
import os
import pathlib
import re
import sys
import time

import faiss
import numpy as np

from benchlib import add_variant_args, alternate, memory_read_gbps, setup_lines, sgemm_gflops, variants

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
    p.add_argument("--rounds", type=int, default=5,
                   help="alternating search rounds per nprobe, one timed batch each, medians reported (default 5)")
    p.add_argument("--build-rounds", type=int, default=3,
                   help="alternating build rounds per side/variant, medians reported (default 3)")
    p.add_argument("--seed", type=int, default=1234, help="data seed, also vectui's sample seed (default 1234)")
    p.add_argument("--data-dir", type=pathlib.Path, default=HERE / "data", help="where data files live")
    add_variant_args(p, REPO_ROOT / ".build" / "release" / "vectui")
    args = p.parse_args()
    args.nprobes = [int(x) for x in args.nprobe.split(",")]
    if min(args.n, args.d, args.nlist, args.m, args.nbits, args.queries, args.train, args.rounds,
           args.build_rounds, *args.nprobes) < 1:
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


def file_label(label):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", label)


def main():
    args = parse_args()
    if not os.access(args.vectui, os.X_OK):
        sys.exit(f"vectui not found at {args.vectui}: run `swift build -c release` or set VECTUI_BIN")
    vectuis = variants(args)
    labels = [v.label for v in vectuis]
    index_path, queries_path, truth_path = data_files(args)
    xq, truth = np.load(queries_path), np.load(truth_path)
    factory = f"IVF{args.nlist},PQ{args.m}x{args.nbits}"
    stem = f"{factory.replace(',', '_')}_{args.metric}_{args.n}x{args.d}"
    faiss_path = args.data_dir / f"{stem}_faiss.index"
    own_paths = {v.label: args.data_dir / f"{stem}_vectui-{file_label(v.label)}.index" for v in vectuis}
    load_before = os.getloadavg()

    # faiss builds on vectui's training rows; vectui's on its own seeded sample (the same rows).
    flat = faiss.read_index(str(index_path))
    xb = faiss.rev_swig_ptr(faiss.downcast_index(flat).get_xb(), args.n * args.d).reshape(args.n, args.d)
    train_rows = vectui_sample(args.train, args.n, args.seed)
    metric = faiss.METRIC_INNER_PRODUCT if args.metric == "ip" else faiss.METRIC_L2
    xt = np.ascontiguousarray(xb[train_rows])
    built = {}

    def build_faiss():
        built.pop("faiss", None)  # free the previous round's index first
        quantizer = faiss.IndexFlatIP(args.d) if args.metric == "ip" else faiss.IndexFlatL2(args.d)
        index = faiss.IndexIVFPQ(quantizer, args.d, args.nlist, args.m, args.nbits, metric)
        index.do_polysemous_training = False
        t0 = time.perf_counter()
        index.train(xt)
        train = time.perf_counter() - t0
        t0 = time.perf_counter()
        chunk = 65536
        for start in range(0, args.n, chunk):
            index.add(np.ascontiguousarray(xb[start:start + chunk]))
        add = time.perf_counter() - t0
        built["faiss"] = index
        return {"train": train, "add": add, "total": train + add}

    def build_vectui(vectui):
        t0 = time.perf_counter()
        report = vectui.json("convert", index_path, "--to", factory, "--out", own_paths[vectui.label],
                             "--train-size", args.train, "--query-count", 0, "--seed", args.seed, "--json")
        process = time.perf_counter() - t0
        b = report["build"]
        return {"train": b["train_seconds"], "add": b["add_seconds"], "total": b["train_seconds"] + b["add_seconds"],
                "process": process}

    builders = {"faiss": build_faiss}
    for vectui in vectuis:
        builders[vectui.label] = lambda vectui=vectui: build_vectui(vectui)
    builds = alternate(args.build_rounds, builders)
    index = built.pop("faiss")
    faiss.write_index(index, str(faiss_path))
    del xt
    for name, b in builds.items():
        print(f"{name} built {factory}: train {b['train']:.2f} s, add {b['add']:.2f} s, "
              f"median of {args.build_rounds}", file=sys.stderr)

    def faiss_qps(nprobe):
        faiss.extract_index_ivf(index).nprobe = nprobe
        index.search(xq[:50], 10)  # warm-up
        t0 = time.perf_counter()
        index.search(xq, 10)
        return {"qps": len(xq) / (time.perf_counter() - t0)}

    def vectui_qps(vectui, path, nprobe):
        bench = vectui.json("bench", path, "--queries", queries_path, "-k", 10, "--nprobe", nprobe,
                            "--runs", 1, "--single-queries", 1, "--json")
        return {"qps": bench["batch"]["qps"]}

    def vectui_ids(vectui, path, nprobe):
        result = vectui.json("search", path, "--queries", queries_path, "-k", 10, "--nprobe", nprobe, "--json")
        return np.array(result["ids"], dtype=np.int64)

    rows = []
    for nprobe in args.nprobes:
        faiss.extract_index_ivf(index).nprobe = nprobe
        _, f_ids = index.search(xq, 10)
        row = {"nprobe": nprobe, "faiss": recall(f_ids, truth)}
        for vectui in vectuis:
            vf_ids = vectui_ids(vectui, faiss_path, nprobe)
            vv_ids = vectui_ids(vectui, own_paths[vectui.label], nprobe)
            same = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(f_ids.tolist(), vf_ids.tolist())]))
            row[vectui.label] = {"recall": recall(vf_ids, truth), "same": same, "own": recall(vv_ids, truth)}
        measures = {"faiss": lambda: faiss_qps(nprobe)}
        for vectui in vectuis:
            measures[vectui.label] = lambda vectui=vectui: vectui_qps(vectui, faiss_path, nprobe)
            measures[vectui.label + " own"] = lambda vectui=vectui: vectui_qps(vectui, own_paths[vectui.label], nprobe)
        row["qps"] = {name: m["qps"] for name, m in alternate(args.rounds, measures).items()}
        rows.append(row)
        print(f"nprobe {nprobe}: QPS " + ", ".join(f"{name} {qps:.0f}" for name, qps in row["qps"].items()),
              file=sys.stderr)
    load_after = os.getloadavg()
    del index
    gflops = sgemm_gflops(m=min(args.queries, 1000), k=args.d)
    read = memory_read_gbps(os.cpu_count())

    names = ["faiss"] + labels
    print(f"## {factory}, {args.metric}, {args.n:,} x {args.d} vectors (intrinsic dimension 24), {len(xq)} held-out queries, k = 10\n")
    for line in setup_lines(vectuis, gflops, read, args.d, load=(load_before, load_after)):
        print(line)
    print(f"- both train on the same {len(train_rows):,} rows (vectui's seeded sample); faiss: IndexIVFPQ, "
          f"by residual, polysemous training off; vectui: `vectui convert --to {factory} --train-size {args.train}`, "
          f"each vectui to its own file")
    print(f"- builds: medians of {args.build_rounds} alternating rounds; faiss's last build is the one searched")
    print(f"- QPS: all queries in one batch, median of {args.rounds} alternating rounds per nprobe, each a warm-up "
          f"then one timed batch (faiss in-process; `vectui bench --runs 1` on faiss's file and on its own build)\n")

    print("| build | " + " | ".join(names) + " | " + " | ".join(f"faiss / {l}" for l in labels) + " |")
    print("|---|" + "---:|" * (2 * len(names) - 1))
    for title, key in (("train (s)", "train"), (f"add {args.n:,} (s)", "add"), ("train + add (s)", "total")):
        values = [builds[name][key] for name in names]
        print(f"| {title} | " + " | ".join(f"{v:.2f}" for v in values) + " | "
              + " | ".join(f"{values[0] / v:.2f}x" for v in values[1:]) + " |")
    print("\nBuild ratios: faiss/vectui (> 1: vectui faster); train + add is the median of each round's sum. "
          "vectui's `convert` process wall seconds (reading, saving and process start included): "
          + ", ".join(f"{l} {builds[l]['process']:.2f}" for l in labels) + ".\n")

    def r(pair):
        return f"{pair[0]:.4f} / {pair[1]:.4f}"

    print("| nprobe | faiss R@1 / R@10 | "
          + " | ".join(f"{l} R@1 / R@10 (faiss's file) | {l} top-10 agreement | {l} own build R@1 / R@10"
                       for l in labels) + " |")
    print("|---:|---|" + "---|---:|---|" * len(labels))
    for row in rows:
        print(f"| {row['nprobe']} | {r(row['faiss'])} | "
              + " | ".join(f"{r(row[l]['recall'])} | {row[l]['same']:.4f} | {r(row[l]['own'])}" for l in labels)
              + " |")
    print()

    print("| nprobe | QPS faiss | " + " | ".join(f"QPS {l} (faiss's file)" for l in labels) + " | "
          + " | ".join(f"{l} / faiss" for l in labels) + " | "
          + " | ".join(f"QPS {l} (own build)" for l in labels) + " |")
    print("|---:|" + "---:|" * (3 * len(labels) + 1))
    for row in rows:
        q = row["qps"]
        print(f"| {row['nprobe']} | {q['faiss']:,.0f} | " + " | ".join(f"{q[l]:,.0f}" for l in labels) + " | "
              + " | ".join(f"{q[l] / q['faiss']:.2f}x" for l in labels) + " | "
              + " | ".join(f"{q[l + ' own']:,.0f}" for l in labels) + " |")
    print("\nQPS ratios: vectui/faiss on the same file (> 1: vectui faster).")


if __name__ == "__main__":
    main()
