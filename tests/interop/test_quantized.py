"""faiss <-> vectui interop for the compressed and inverted-file types: IndexIVFFlat (`IwFl`),
IndexIVFScalarQuantizer (`IwSq`), IndexIVFPQ (`IwPQ`), IndexScalarQuantizer (`IxSQ`),
IndexPQ (`IxPq`), alone and inside IDMap/IDMap2:

- faiss writes, vectui searches with the same nprobe: IVF-Flat gives faiss's neighbours
  (ties allowed, scores checked against exact distances); SQ and PQ give a mean top-10 overlap
  with faiss's own results >= 0.99 (near-equal scores at the 10th place count as matches) and,
  for the same id at the same rank, the same score within interop_util's score tolerance;
- `vectui save` of faiss's files is byte-identical ('full' and 'sprs' lists, NoMap, Array and
  Hashtable direct maps);
- vectui builds (`vectui convert`): faiss reads them and returns what vectui returns; vectui's
  k-means gives faiss's centroids (same seeded initialisation and subsampling); on clustered data
  of 100,000 vectors vectui's recall@10 is within 0.02 of faiss's own build, same parameters;
- `info`, `--nprobe` and `convert`'s report; truncated and corrupt files fail with exit 2 and
  'at byte N'.
"""

import concurrent.futures
import functools
import json
import os
import shutil
import struct

import faiss
import numpy as np
import pytest

from interop_util import (assert_same_neighbours, assert_scores_agree, check_error_line, make_ids,
                          neighbour_tolerance, query_unit)

D = 32
N = 6000
NQ = 40
K = 10
SQ = faiss.ScalarQuantizer


def _clustered(n, d, seed, clusters=50, spread=0.35):
    """Gaussian clusters around random centres: structure that IVF lists and codebooks can use."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, d)).astype(np.float32)
    labels = rng.integers(0, clusters, n)
    return (centres[labels] + spread * rng.standard_normal((n, d))).astype(np.float32)


def _metric(name):
    return faiss.METRIC_INNER_PRODUCT if name == "ip" else faiss.METRIC_L2


def _search(vectui, index, queries, k=K, nprobe=None):
    args = ["search", index, "--queries", queries, "-k", k, "--json"]
    if nprobe is not None:
        args += ["--nprobe", nprobe]
    out = vectui.json(*args)
    ids = np.array(out["ids"], dtype=np.int64)
    scores = np.array([[np.nan if s is None else s for s in row] for row in out["scores"]], dtype=np.float64)
    return out, ids, scores


def _tolerance(xq, xb, ids, metric, codec):
    """Score tolerance of each (query, id) of a result array, for vectors searched with `codec`."""
    return functools.partial(neighbour_tolerance, xq=xq, xb=xb, ids=ids, metric=metric, unit=query_unit(codec))


def _overlap_with_ties(v_ids, v_scores, I, D, tolerance, metric):
    """Mean share of faiss's top-k found by vectui, where a boundary tie counts as found: a faiss
    id that vectui lacks and whose faiss score is not clearly (beyond its tolerance) better than
    vectui's k-th score, paired with a vectui id that faiss lacks and whose vectui score is not
    clearly better than faiss's k-th. `tolerance` maps a result array to per-entry tolerances."""
    sign = 1 if metric == "ip" else -1  # sign·(a − b) > t: a ranks clearly above b
    total = 0.0
    for vi, vs, vt, fi, fd, ft in zip(v_ids, v_scores, tolerance(v_ids), I, D, tolerance(I)):
        f_valid, v_valid = fi >= 0, vi >= 0
        if not f_valid.any():
            total += 1
            continue
        if not v_valid.any():
            continue
        f_only = f_valid & ~np.isin(fi, vi[v_valid])
        v_only = v_valid & ~np.isin(vi, fi[f_valid])
        f_tied = f_only & (sign * (fd - vs[v_valid][-1]) <= ft)
        v_tied = v_only & (sign * (vs - fd[f_valid][-1]) <= vt)
        hits = f_valid.sum() - f_only.sum() + min(f_tied.sum(), v_tied.sum())
        total += hits / f_valid.sum()
    return total / len(I)


def _no_polysemous_training(index):
    """faiss's factory turns on polysemous training for PQ and IVF-PQ: simulated annealing that
    renumbers each codebook's centroids (distances and recall do not change) and takes minutes
    at 2^10 centroids. Off here, as faiss's own 'np' suffix does, which is what vectui builds."""
    core = faiss.downcast_index(index)
    core = faiss.downcast_index(core.index) if hasattr(core, "id_map") else core
    if hasattr(core, "do_polysemous_training"):
        core.do_polysemous_training = False


def _recall(ids, truth):
    return float(np.mean([len(set(a[:10].tolist()) & set(b[:10].tolist())) / 10 for a, b in zip(ids, truth)]))


@pytest.fixture(scope="module")
def data(work_dir):
    folder = work_dir / "quantized"
    folder.mkdir(exist_ok=True)
    xb = _clustered(N, D, seed=11)
    xq = _clustered(NQ, D, seed=12)
    np.save(folder / "xq.npy", xq)
    return folder, xb, xq


# --- faiss writes, vectui reads --------------------------------------------------------------

def _sq_index(qtype):
    return lambda d, metric: faiss.IndexScalarQuantizer(d, qtype, metric)


# (id, builder(d, metric) or factory string, kind of comparison)
FAISS_TYPES = [
    ("IVF32,Flat", "IVF32,Flat", "exact"),
    ("IVF32,SQ8", "IVF32,SQ8", "overlap"),
    ("IVF32,SQ4", "IVF32,SQ4", "overlap"),
    ("IVF32,SQfp16", "IVF32,SQfp16", "overlap"),
    ("IVF32,SQ6", "IVF32,SQ6", "overlap"),
    ("IVF32,PQ8", "IVF32,PQ8", "overlap"),
    ("IVF32,PQ16x6", "IVF32,PQ16x6", "overlap"),
    ("SQ8", "SQ8", "overlap"),
    ("SQ4", "SQ4", "overlap"),
    ("SQfp16", "SQfp16", "overlap"),
    ("SQbf16", "SQbf16", "overlap"),
    ("SQ6", "SQ6", "overlap"),
    ("SQ8_uniform", _sq_index(SQ.QT_8bit_uniform), "overlap"),
    ("SQ4_uniform", _sq_index(SQ.QT_4bit_uniform), "overlap"),
    ("PQ8", "PQ8", "overlap"),
    ("PQ16x4", "PQ16x4", "overlap"),
    ("PQ8x10", "PQ8x10", "overlap"),
    ("PQ8x5", "PQ8x5", "overlap"),
    ("IDMap2,IVF32,PQ8", "IDMap2,IVF32,PQ8", "overlap"),
    ("IDMap,SQ8", "IDMap,SQ8", "overlap"),
    ("IDMap2,IVF32,Flat", "IDMap2,IVF32,Flat", "exact"),
]


@pytest.fixture(scope="module")
def faiss_files(data):
    """Each type built and written by faiss (IVF nprobe 8 saved in the file), per metric."""
    folder, xb, xq = data
    cache = {}

    def get(name, metric):
        key = (name, metric)
        if key in cache:
            return cache[key]
        spec = dict((n, s) for n, s, _ in FAISS_TYPES)[name]
        index = faiss.index_factory(D, spec, _metric(metric)) if isinstance(spec, str) else spec(D, _metric(metric))
        _no_polysemous_training(index)
        index.train(xb)
        if name.startswith("IDMap"):
            ids = make_ids(N, 5)
            index.add_with_ids(xb, ids)
        else:
            ids = np.arange(N, dtype=np.int64)
            index.add(xb)
        if "IVF" in name:
            faiss.extract_index_ivf(index).nprobe = 8
        path = folder / f"faiss-{name.replace(',', '_')}-{metric}.index"
        faiss.write_index(index, str(path))
        cache[key] = (index, path, ids)
        return cache[key]

    return get


@pytest.mark.parametrize("metric", ["l2", "ip"])
@pytest.mark.parametrize("name,spec,compare", FAISS_TYPES, ids=[t[0] for t in FAISS_TYPES])
def test_vectui_searches_faiss_files_like_faiss(vectui, data, faiss_files, name, spec, compare, metric):
    folder, xb, xq = data
    index, path, ids = faiss_files(name, metric)
    D0, I0 = index.search(xq, K)
    out, v_ids, v_scores = _search(vectui, path, folder / "xq.npy")
    tolerance = _tolerance(xq, xb, ids, metric, name)
    if compare == "exact":
        assert_same_neighbours(out, D0, I0, xq=xq, xb=xb, ids=ids, metric=metric, label=f"{name} {metric}")
    else:
        overlap = _overlap_with_ties(v_ids, v_scores, I0, D0, tolerance, metric)
        assert overlap >= 0.99, f"{name} {metric}: top-10 overlap {overlap:.4f} with faiss"
        assert_scores_agree(v_ids, v_scores, I0, D0, tolerance(I0), label=f"{name} {metric}")
    # Another nprobe, on the command line and in faiss.
    if "IVF" in name:
        ivf = faiss.extract_index_ivf(index)
        ivf.nprobe = 3
        D3, I3 = index.search(xq, K)
        ivf.nprobe = 8
        out3, v3, s3 = _search(vectui, path, folder / "xq.npy", nprobe=3)
        if compare == "exact":
            assert_same_neighbours(out3, D3, I3, xq=xq, xb=xb, ids=ids, metric=metric, label=f"{name} {metric} nprobe 3")
        else:
            assert _overlap_with_ties(v3, s3, I3, D3, tolerance, metric) >= 0.99


@pytest.mark.parametrize("metric", ["l2", "ip"])
@pytest.mark.parametrize("name", [t[0] for t in FAISS_TYPES])
def test_save_of_faiss_files_is_byte_identical(vectui, faiss_files, tmp_path, name, metric):
    _, path, _ = faiss_files(name, metric)
    out = tmp_path / "saved.index"
    proc = vectui.run("save", path, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == path.read_bytes()


def _ivf_with(direct_map, nlist, n, seed):
    x = _clustered(max(n, nlist * 4), 8, seed)
    index = faiss.IndexIVFFlat(faiss.IndexFlatL2(8), 8, nlist)
    index.train(x)
    index.add(x[:n])
    if direct_map is not None:
        index.set_direct_map_type(direct_map)
    return index


@pytest.mark.parametrize("case", ["sparse-lists", "empty", "array-map", "hashtable-map", "ids-with-hashtable"])
def test_lists_and_direct_maps_round_trip(vectui, tmp_path, case):
    if case == "sparse-lists":
        index = _ivf_with(None, 64, 20, 1)    # at most 20 of 64 lists used: 'sprs'
    elif case == "empty":
        index = _ivf_with(None, 16, 0, 2)
    elif case == "array-map":
        index = _ivf_with(faiss.DirectMap.Array, 16, 300, 3)
    elif case == "hashtable-map":
        index = _ivf_with(faiss.DirectMap.Hashtable, 16, 300, 4)
    else:
        x = _clustered(400, 8, 5)
        index = faiss.IndexIVFFlat(faiss.IndexFlatL2(8), 8, 8)
        index.train(x)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        index.add_with_ids(x, make_ids(400, 6))
    path = tmp_path / "faiss.index"
    faiss.write_index(index, str(path))
    out = tmp_path / "saved.index"
    proc = vectui.run("save", path, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == path.read_bytes()
    if index.ntotal:
        xq = _clustered(5, 8, 9)
        np.save(tmp_path / "q.npy", xq)
        index.nprobe = 4
        D0, I0 = index.search(xq, 5)
        _, v_ids, _ = _search(vectui, path, tmp_path / "q.npy", k=5, nprobe=4)
        np.testing.assert_array_equal(v_ids, I0)


@pytest.mark.parametrize("factory", ["IVF64_HNSW8,Flat", "IVF64_HNSW8,PQ8"])
def test_ivf_with_an_hnsw_coarse_quantizer(vectui, data, tmp_path, factory):
    """FAISS's IVF over an HNSW quantizer (a nested `IHNf`): same neighbours, same bytes on save."""
    folder, xb, xq = data
    index = faiss.index_factory(D, factory)
    _no_polysemous_training(index)
    index.train(xb)
    index.add(xb)
    faiss.extract_index_ivf(index).nprobe = 6
    path = tmp_path / "hnsw-ivf.index"
    faiss.write_index(index, str(path))
    D0, I0 = index.search(xq, K)
    out, v_ids, v_scores = _search(vectui, path, folder / "xq.npy")
    if factory.endswith("Flat"):
        assert_same_neighbours(out, D0, I0, xq=xq, xb=xb, ids=np.arange(N), metric="l2", label=factory)
    else:
        tolerance = _tolerance(xq, xb, np.arange(N), "l2", factory)
        assert _overlap_with_ties(v_ids, v_scores, I0, D0, tolerance, "l2") >= 0.99
    assert vectui.info(path)["structure"]["quantizer"] == "IndexHNSWFlat"
    saved = tmp_path / "saved.index"
    assert vectui.run("save", path, "--out", saved).returncode == 0
    assert saved.read_bytes() == path.read_bytes()


# --- vectui writes, faiss reads ------------------------------------------------------------

CONVERT_TYPES = [
    ("IVF32,Flat", "exact"), ("IVF32,SQ8", "overlap"), ("IVF32,SQ4", "overlap"), ("IVF32,SQfp16", "overlap"),
    ("IVF32,PQ8", "overlap"), ("IVF32,PQ16x5", "overlap"), ("SQ8", "overlap"), ("SQ4", "overlap"),
    ("SQfp16", "overlap"), ("PQ8", "overlap"), ("PQ8x6", "overlap"), ("IDMap2,IVF32,PQ8", "overlap"),
]


@pytest.fixture(scope="module")
def flat_sources(data):
    folder, xb, _ = data
    paths = {}
    for metric in ("l2", "ip"):
        flat = faiss.IndexFlatIP(D) if metric == "ip" else faiss.IndexFlatL2(D)
        flat.add(xb)
        paths[metric] = folder / f"flat-{metric}.index"
        faiss.write_index(flat, str(paths[metric]))
    wrapped = faiss.IndexIDMap2(faiss.IndexFlatL2(D))
    wrapped.add_with_ids(xb, make_ids(N, 7))
    paths["idmap2-l2"] = folder / "flat-idmap2-l2.index"
    faiss.write_index(wrapped, str(paths["idmap2-l2"]))
    return paths


@pytest.mark.parametrize("metric", ["l2", "ip"])
@pytest.mark.parametrize("factory,compare", CONVERT_TYPES, ids=[t[0] for t in CONVERT_TYPES])
def test_faiss_reads_vectui_builds_and_finds_the_same(vectui, data, flat_sources, tmp_path, factory, compare, metric):
    folder, xb, xq = data
    out = tmp_path / "vectui.index"
    extra = ["--nprobe", 8] if "IVF" in factory else []
    report = vectui.json("convert", flat_sources[metric], "--to", factory, "--out", out, *extra, "--query-count", 50, "--json")
    assert report["target"]["file_bytes"] == out.stat().st_size
    # The memory predicted before the build (the explorer's convert dialog shows it) is what the
    # build holds, caches made by the first add or search aside.
    caches = {"centroid norms", "centroid copy", "PQ precomputed table", "id lookup", "direct map"}
    built = sum(part["bytes"] for part in report["target"]["memory"] if part["component"] not in caches)
    assert report["target"]["predicted_memory_bytes"] == built, report["target"]
    index = faiss.read_index(str(out))
    assert index.ntotal == N and index.d == D and index.metric_type == _metric(metric)
    expected = {"IVF": {"Flat": "IndexIVFFlat", "SQ": "IndexIVFScalarQuantizer", "PQ": "IndexIVFPQ"}}
    inner = faiss.downcast_index(index.index) if factory.startswith("IDMap") else faiss.downcast_index(index)
    if "IVF" in factory:
        kind = factory.split(",")[-1]
        assert type(inner).__name__ == expected["IVF"]["Flat" if kind == "Flat" else kind[:2]]
        assert faiss.extract_index_ivf(index).nprobe == 8
    D0, I0 = index.search(xq, K)
    result, v_ids, v_scores = _search(vectui, out, folder / "xq.npy")
    if compare == "exact":
        assert_same_neighbours(result, D0, I0, xq=xq, xb=xb, ids=np.arange(N), metric=metric, label=factory)
    else:
        tolerance = _tolerance(xq, xb, np.arange(N), metric, factory)
        overlap = _overlap_with_ties(v_ids, v_scores, I0, D0, tolerance, metric)
        assert overlap >= 0.99, f"{factory} {metric}: faiss on vectui's file overlaps {overlap:.4f}"
    # vectui saves its own file byte for byte.
    again = tmp_path / "again.index"
    assert vectui.run("save", out, "--out", again).returncode == 0
    assert again.read_bytes() == out.read_bytes()


def test_convert_keeps_the_source_ids(vectui, data, flat_sources, tmp_path):
    folder, xb, xq = data
    ids = make_ids(N, 7)
    for factory, wrapper in (("IVF32,Flat", None), ("SQ8", "IndexIDMap2"), ("IDMap,PQ8", "IndexIDMap")):
        out = tmp_path / "ids.index"
        extra = ["--nprobe", 32] if "IVF" in factory else []
        report = vectui.json("convert", flat_sources["idmap2-l2"], "--to", factory, "--out", out, *extra, "--json")
        index = faiss.read_index(str(out))
        if wrapper:
            assert type(faiss.downcast_index(index)).__name__ == wrapper, report["target"]["ids"]
        _, I0 = index.search(xq[:5], 3)
        assert set(I0.ravel().tolist()) <= set(ids.tolist())
        _, v_ids, _ = _search(vectui, out, folder / "xq.npy")
        assert set(v_ids.ravel().tolist()) <= set(ids.tolist())
        # A stored vector finds itself first (exact for IVF-Flat; quantized codes for the others).
        if factory == "IVF32,Flat":
            np.save(tmp_path / "self.npy", xb[:20])
            _, self_ids, _ = _search(vectui, out, tmp_path / "self.npy", k=1)
            assert self_ids[:, 0].tolist() == ids[:20].tolist()


def test_kmeans_matches_faiss_centroids(vectui, tmp_path):
    """Same data, same order, same seeds: vectui's coarse centroids are faiss's (up to float
    rounding in the BLAS assignments), with subsampling (n > 256 × nlist) and without."""
    for n, nlist, metric in ((20_000, 64, "l2"), (5_000, 40, "ip")):
        x = _clustered(n, 16, seed=n)
        flat = faiss.IndexFlatIP(16) if metric == "ip" else faiss.IndexFlatL2(16)
        flat.add(x)
        faiss.write_index(flat, str(tmp_path / "flat.index"))
        ivf = faiss.index_factory(16, f"IVF{nlist},Flat", _metric(metric))
        ivf.train(x)
        ref = faiss.rev_swig_ptr(faiss.downcast_index(ivf.quantizer).get_xb(), nlist * 16).reshape(nlist, 16).copy()
        out = tmp_path / "ivf.index"
        vectui.json("convert", tmp_path / "flat.index", "--to", f"IVF{nlist},Flat", "--out", out,
                    "--train-size", n, "--query-count", 0, "--json")
        mine = faiss.read_index(str(out))
        got = faiss.rev_swig_ptr(faiss.downcast_index(faiss.extract_index_ivf(mine).quantizer).get_xb(), nlist * 16)
        got = got.reshape(nlist, 16)
        assert np.abs(got - ref).max() < 1e-3, f"n={n} {metric}: centroids differ by {np.abs(got - ref).max()}"
        # The same vectors land in the same lists.
        _, a = faiss.extract_index_ivf(ivf).quantizer.search(x, 1)
        _, b = faiss.extract_index_ivf(mine).quantizer.search(x, 1)
        assert np.mean(a == b) > 0.999


def test_pq_codebooks_match_faiss(vectui, tmp_path):
    x = _clustered(8_000, 16, seed=3)
    flat = faiss.IndexFlatL2(16)
    flat.add(x)
    faiss.write_index(flat, str(tmp_path / "flat.index"))
    pq = faiss.IndexPQ(16, 4, 6)
    pq.train(x)
    ref = faiss.vector_to_array(pq.pq.centroids)
    vectui.json("convert", tmp_path / "flat.index", "--to", "PQ4x6", "--out", tmp_path / "pq.index",
                "--train-size", 8000, "--query-count", 0, "--json")
    read = faiss.read_index(str(tmp_path / "pq.index"))  # owns the C++ index: keep it alive
    mine = faiss.downcast_index(read)
    got = faiss.vector_to_array(mine.pq.centroids)
    assert np.abs(got - ref).max() < 1e-3
    # Codes: faiss and vectui encode (nearly) every vector alike.
    assert np.mean(faiss.vector_to_array(mine.codes) == pq.pq.compute_codes(x).ravel()) > 0.999


# --- recall of vectui's builds against faiss's own ------------------------------------------

RECALL_N = 100_000
RECALL_D = 32
# (factory, nprobe, metric, training vectors); faiss's polysemous training is off (see above).
RECALL_CASES = [("IVF256,Flat", 2, "l2", 50_000), ("IVF256,SQ8", 2, "l2", 50_000), ("IVF256,PQ8", 16, "l2", 50_000),
                ("IVF256,PQ8", 16, "ip", 50_000), ("IVF256,PQ16x6", 16, "l2", 50_000), ("SQ4", None, "l2", 50_000),
                ("PQ8", None, "l2", 50_000)]


@pytest.fixture(scope="module")
def recall_data(work_dir):
    folder = work_dir / "quantized-recall"
    folder.mkdir(exist_ok=True)
    x = _clustered(RECALL_N + 300, RECALL_D, seed=2025, clusters=300, spread=0.5)
    xb, xq = x[:RECALL_N], x[RECALL_N:]
    np.save(folder / "xq.npy", xq)
    sources, truth = {}, {}
    for metric in ("l2", "ip"):
        flat = faiss.IndexFlatIP(RECALL_D) if metric == "ip" else faiss.IndexFlatL2(RECALL_D)
        flat.add(xb)
        sources[metric] = folder / f"flat-{metric}.index"
        faiss.write_index(flat, str(sources[metric]))
        truth[metric] = flat.search(xq, 10)[1]
    return folder, xb, xq, sources, truth


@pytest.mark.parametrize("factory,nprobe,metric,train", RECALL_CASES, ids=[f"{f}-{m}" for f, _, m, _ in RECALL_CASES])
def test_vectui_builds_reach_faiss_recall(vectui, recall_data, tmp_path, factory, nprobe, metric, train):
    folder, xb, xq, sources, truth = recall_data
    index = faiss.index_factory(RECALL_D, factory, _metric(metric))
    _no_polysemous_training(index)
    index.train(xb[np.sort(np.random.default_rng(0).choice(RECALL_N, train, replace=False))])
    index.add(xb)
    if nprobe:
        faiss.extract_index_ivf(index).nprobe = nprobe
    faiss_recall = _recall(index.search(xq, 10)[1], truth[metric])
    out = tmp_path / "vectui.index"
    args = ["convert", sources[metric], "--to", factory, "--out", out, "--train-size", train, "--query-count", 200, "--json"]
    if nprobe:
        args += ["--nprobe", nprobe]
    report = vectui.json(*args)
    _, v_ids, _ = _search(vectui, out, folder / "xq.npy")
    vectui_recall = _recall(v_ids, truth[metric])
    print(f"{factory} {metric}: recall@10 faiss {faiss_recall:.4f}, vectui {vectui_recall:.4f}; "
          f"vectui build {report['build']['train_seconds'] + report['build']['add_seconds']:.1f} s")
    assert vectui_recall >= faiss_recall - 0.02, f"{factory}: vectui {vectui_recall:.4f} vs faiss {faiss_recall:.4f}"
    assert 0 <= report["recall"]["recall_at_1"] <= 1 and 0 <= report["recall"]["recall_at_10"] <= 1


# --- info, options and the convert report ----------------------------------------------------

def test_info_shows_the_structure(vectui, faiss_files):
    index, path, _ = faiss_files("IVF32,PQ8", "l2")
    info = vectui.info(path)
    assert info["type"] == "IndexIVFPQ" and info["fourcc"] == "IwPQ"
    s = info["structure"]
    sizes = [faiss.extract_index_ivf(index).invlists.list_size(i) for i in range(32)]
    assert (s["nlist"], s["nprobe"], s["code_size"], s["pq_m"], s["pq_nbits"]) == (32, 8, 8, 8, 8)
    assert (s["list_size_min"], s["list_size_max"]) == (min(sizes), max(sizes))
    assert abs(s["list_size_mean"] - N / 32) < 1e-9
    assert {m["component"] for m in info["memory"]} >= {"centroids", "list codes", "list ids", "PQ codebooks"}
    _, sq_path, _ = faiss_files("IDMap,SQ8", "ip")
    info = vectui.info(sq_path)
    assert info["inner"] == {"type": "IndexScalarQuantizer", "fourcc": "IxSQ"}
    assert info["structure"]["sq_type"] == "QT_8bit"
    text = vectui.run("info", path)
    assert text.returncode == 0 and "nlist       32" in text.stdout and "pq nbits" in text.stdout


def test_nprobe_is_refused_where_it_does_not_apply(vectui, data, faiss_files, flat_sources):
    folder, _, _ = data
    _, sq_path, _ = faiss_files("SQ8", "l2")
    for args in (("search", sq_path, "--queries", folder / "xq.npy", "--nprobe", 4),
                 ("bench", flat_sources["l2"], "--queries", folder / "xq.npy", "--nprobe", 4),
                 ("search", faiss_files("IVF32,Flat", "l2")[1], "--queries", folder / "xq.npy", "--nprobe", 0)):
        line = check_error_line(vectui.run(*args), args[1], kind="any", code=64)  # a usage error
        assert "--nprobe" in line
    bench = vectui.json("bench", faiss_files("IVF32,PQ8", "l2")[1], "--queries", folder / "xq.npy", "--nprobe", 4,
                        "--runs", 1, "--single-queries", 5, "--json")
    assert bench["batch"]["qps"] > 0


def test_convert_report_and_refusals(vectui, data, flat_sources, faiss_files, tmp_path):
    out = tmp_path / "r.index"
    report = vectui.json("convert", flat_sources["l2"], "--to", "IVF16,SQ8", "--out", out, "--train-size", 2000,
                         "--query-count", 100, "--json")
    assert report["build"]["train_vectors"] == 2000
    assert {p["component"]: p["bytes"] for p in report["source"]["memory"]}["vectors"] == N * D * 4
    target_parts = {p["component"]: p["bytes"] for p in report["target"]["memory"]}
    assert target_parts["list codes"] == N * D and target_parts["list ids"] == N * 8
    assert report["recall"]["queries"] == 100 and report["recall"]["recall_at_1"] > 0.5
    assert report["target"]["details"]["sq_type"] == "QT_8bit"
    text = vectui.run("convert", flat_sources["l2"], "--to", "PQ8", "--out", out)
    assert text.returncode == 0 and "recall    @1" in text.stdout and "memory" in text.stdout
    for factory, part in (("IVF16,LSH", "LSH"), ("PQ7", "PQ7"), ("OPQ8,IVF16,PQ8", "OPQ8")):
        proc = vectui.run("convert", flat_sources["l2"], "--to", factory, "--out", tmp_path / "x.index")
        assert proc.returncode == 2 and f"'{part}'" in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr.startswith("vectui: error: index factory string") and proc.stdout == ""
    assert not (tmp_path / "x.index").exists()
    # The source must hold raw vectors.
    proc = vectui.run("convert", faiss_files("SQ8", "l2")[1], "--to", "IVF16,Flat", "--out", tmp_path / "x.index")
    assert proc.returncode == 2 and "flat index" in proc.stderr


# --- truncated and corrupt files ---------------------------------------------------------

def _small_files(folder):
    """One small faiss file of every new type (and IDMap over IVF)."""
    x = _clustered(300, 4, seed=1)
    out = {}
    for name, make in [
        ("IVF4,Flat", lambda: faiss.index_factory(4, "IVF4,Flat")),
        ("IVF4,SQ8", lambda: faiss.index_factory(4, "IVF4,SQ8", faiss.METRIC_INNER_PRODUCT)),
        ("IVF4,PQ2x4", lambda: faiss.index_factory(4, "IVF4,PQ2x4")),
        ("SQ4", lambda: faiss.index_factory(4, "SQ4")),
        ("PQ2x4", lambda: faiss.index_factory(4, "PQ2x4")),
        ("IDMap2,IVF4,Flat", lambda: faiss.index_factory(4, "IDMap2,IVF4,Flat")),
    ]:
        index = make()
        index.train(x)
        if name.startswith("IDMap"):
            index.add_with_ids(x[:20], np.arange(20) * 3)
        else:
            index.add(x[:20])
        path = folder / f"small-{name.replace(',', '_')}.index"
        faiss.write_index(index, str(path))
        out[name] = path
    return out


def _check_cuts(vectui, source, offsets, queries, folder):
    data = source.read_bytes()
    path = folder / ("cut-" + source.name)
    shutil.copyfile(source, path)
    failures = []
    for cut in sorted(set(offsets), reverse=True):
        os.truncate(path, cut)
        for args in (("info", path), ("search", path, "--queries", queries, "-k", 3, "--json")):
            try:
                check_error_line(vectui.run(*args), path, kind="format", max_offset=cut)
            except AssertionError as e:
                failures.append(f"{source.name} cut at {cut}, {args[0]}: {e}")
    return failures


def test_truncated_files_of_every_type_fail_with_the_offset(vectui, tmp_path):
    files = _small_files(tmp_path)
    np.save(tmp_path / "q.npy", _clustered(2, 4, seed=2))
    jobs = []
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for i, (name, path) in enumerate(files.items()):
            size = path.stat().st_size
            # Every offset of the headers (IVF prefix, quantizer, direct map, SQ/PQ records start);
            # then every 11th byte (a prime: every field phase of the rest is hit).
            offsets = list(range(0, min(size, 256))) + list(range(256, size, 11))
            for j in range(2):
                folder = tmp_path / f"w{i}-{j}"
                folder.mkdir()
                jobs.append(pool.submit(_check_cuts, vectui, path, offsets[j::2], tmp_path / "q.npy", folder))
        failures = [f for job in jobs for f in job.result()]
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:20])


def _u64(value):
    return struct.pack("<Q", value)


def test_corrupt_fields_are_named(vectui, tmp_path):
    files = _small_files(tmp_path)
    np.save(tmp_path / "q.npy", _clustered(2, 4, seed=2))
    ivf = files["IVF4,Flat"].read_bytes()
    ilar = ivf.index(b"ilar")
    sq = files["IVF4,SQ8"].read_bytes()
    sq_type = 53 + 45 + 4 * 4 * 4 + 9
    pq = files["PQ2x4"].read_bytes()
    cases = [
        ("nlist0", ivf[:37] + _u64(0) + ivf[45:], "format", 37, "nlist"),
        ("maptype", ivf[:162] + b"\x07" + ivf[163:], "format", 162, "direct map type"),
        ("listsnlist", ivf[:ilar + 4] + _u64(5) + ivf[ilar + 12:], "format", ilar + 4, "nlist 4"),
        ("listtype", ivf[:ilar + 20] + b"FULL" + ivf[ilar + 24:], "format", ilar + 20, "'full' or 'sprs'"),
        ("il00", ivf[:ilar] + b"il00" + ivf[ilar + 4:], "unsupported", ilar, "without its inverted lists"),
        ("qtype", sq[:sq_type] + struct.pack("<i", 99) + sq[sq_type + 4:], "format", sq_type, "scalar quantizer type"),
        ("qtype-eden", sq[:sq_type] + struct.pack("<i", 21) + sq[sq_type + 4:], "unsupported", sq_type, "QT_3bit_eden"),
        ("pqnbits", pq[:53] + _u64(40) + pq[61:], "format", 53, "nbits between 1 and 24"),
        ("pqM", pq[:45] + _u64(3) + pq[53:], "format", 45, "dividing the dimension"),
    ]
    for name, data, kind, offset, text in cases:
        path = tmp_path / f"bad-{name}.index"
        path.write_bytes(data)
        for args in (("info", path), ("search", path, "--queries", tmp_path / "q.npy", "-k", 2),
                     ("save", path, "--out", tmp_path / "o.index")):
            line = check_error_line(vectui.run(*args), path, kind=kind, offset=offset)
            assert text in line, line
    assert not (tmp_path / "o.index").exists()
