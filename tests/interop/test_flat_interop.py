"""faiss <-> vectui interop for IndexFlatIP, IndexFlatL2, IndexIDMap(Flat), IndexIDMap2(Flat):

- faiss writes, vectui searches: same neighbours (ties allowed) on the scan path (< 20
  queries) and the BLAS path (>= 20 queries), k below and above ntotal;
- vectui writes (`build` from the same .npy files, `save` of faiss's file): the bytes equal
  faiss's write_index, and faiss reads them back to the same search results;
- `info --json` reports the right type, fourcc, d, ntotal and metric.
"""

import json

import faiss
import numpy as np
import pytest

from interop_util import METRIC_NAME, assert_same_neighbours, build_case, class_name, fourcc

KINDS = [("flat", "ip"), ("flat", "l2"), ("idmap", "ip"), ("idmap", "l2"), ("idmap2", "ip"), ("idmap2", "l2")]
DIMS = [1, 37, 128, 1024]
SIZES = [0, 1, 3000]

CASE_PARAMS = [pytest.param(kind, metric, d, n, id=f"{kind}-{metric}-d{d}-n{n}")
               for kind, metric in KINDS for d in DIMS for n in SIZES]


def k_values(n):
    """k below ntotal (where there is room), and above it (padding with -1 / null)."""
    return ([2, 10] if n > 10 else [1]) + [n + 3]


# "scan" batches have fewer than 20 queries and take vectui's SIMD scan; "blas" batches have 20
# or more and take its sgemm path (FlatSearch.blasThreshold). faiss-cpu 1.15.1 picks its own
# path by nx·d < distance_compute_blas_threshold (128000), so the reference here is mostly
# faiss's exact sequential scan: vectui's BLAS results are checked against direct distances.
SEARCH_PARAMS = [pytest.param(kind, metric, d, n, path, k, id=f"{kind}-{metric}-d{d}-n{n}-{path}-k{k}")
                 for kind, metric in KINDS for d in DIMS for n in SIZES
                 for path in ("scan", "blas") for k in k_values(n)]


@pytest.fixture(scope="session")
def cases(work_dir):
    """faiss indexes written once per session, keyed by (kind, metric, d, n)."""
    cache = {}

    def get(kind, metric, d, n):
        key = (kind, metric, d, n)
        if key not in cache:
            cache[key] = build_case(work_dir / "cases", kind, metric, d, n)
        return cache[key]

    return get


@pytest.mark.parametrize("kind,metric,d,n,path,k", SEARCH_PARAMS)
def test_search_matches_faiss(vectui, cases, kind, metric, d, n, path, k):
    case = cases(kind, metric, d, n)
    xq, qpath = case.queries[path]
    D, I = case.index.search(xq, k)
    result = vectui.search(case.index_path, qpath, k)
    assert set(result) >= {"ids", "scores"}
    assert_same_neighbours(result, D, I, xq=xq, xb=case.xb, ids=case.ids, metric=metric,
                           label=f"{case.label} {path} k={k}")


def _assert_faiss_reads_same(case, path):
    """faiss.read_index(path) is the same index as the one faiss wrote: same class, same
    search results (bit for bit: same library, same data)."""
    back = faiss.read_index(str(path))
    assert type(faiss.downcast_index(back)).__name__ == class_name(case.kind, case.metric)
    assert back.ntotal == case.n and back.d == case.d
    assert back.metric_type == (faiss.METRIC_INNER_PRODUCT if case.metric == "ip" else faiss.METRIC_L2)
    for name in ("scan", "blas"):
        xq, _ = case.queries[name]
        k = min(10, case.n) if case.n else 3
        D0, I0 = case.index.search(xq, k)
        D1, I1 = back.search(xq, k)
        np.testing.assert_array_equal(I1, I0)
        np.testing.assert_array_equal(D1, D0)


def _assert_same_bytes(got_path, want_path):
    got = got_path.read_bytes()
    want = want_path.read_bytes()
    if got != want:
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        pytest.fail(f"{got_path} differs from faiss's {want_path}: sizes {len(got)} vs {len(want)}, "
                    f"first difference at byte {first}: {got[first:first + 16].hex()} vs {want[first:first + 16].hex()}")


@pytest.mark.parametrize("kind,metric,d,n", CASE_PARAMS)
def test_build_writes_faiss_bytes(vectui, cases, tmp_path, kind, metric, d, n):
    case = cases(kind, metric, d, n)
    out = tmp_path / "built.index"
    args = ["build", "--vectors", case.vectors_path, "--metric", metric, "--out", out]
    if kind != "flat":
        args += ["--ids", case.ids_path]
    if kind == "idmap2":
        args += ["--idmap2"]
    proc = vectui.run(*args)
    assert proc.returncode == 0, proc.stderr
    _assert_same_bytes(out, case.index_path)
    _assert_faiss_reads_same(case, out)


@pytest.mark.parametrize("kind,metric,d,n", CASE_PARAMS)
def test_save_writes_faiss_bytes(vectui, cases, tmp_path, kind, metric, d, n):
    case = cases(kind, metric, d, n)
    out = tmp_path / "saved.index"
    proc = vectui.run("save", case.index_path, "--out", out)
    assert proc.returncode == 0, proc.stderr
    _assert_same_bytes(out, case.index_path)
    _assert_faiss_reads_same(case, out)
    # The save is atomic: no temporary file is left beside the output.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved.index"]


@pytest.mark.parametrize("kind,metric,d,n", CASE_PARAMS)
def test_info_fields(vectui, cases, kind, metric, d, n):
    case = cases(kind, metric, d, n)
    info = vectui.info(case.index_path)
    assert info["type"] == class_name(kind, metric)
    assert info["fourcc"] == fourcc(kind, metric)
    assert info["d"] == d
    assert info["ntotal"] == n
    assert info["metric"] == METRIC_NAME[metric]
    assert info["is_trained"] is True
    assert info["file_bytes"] == case.index_path.stat().st_size
    if kind != "flat":
        assert info["inner"]["type"] == class_name("flat", metric)
        assert info["inner"]["fourcc"] == fourcc("flat", metric)


def test_info_text_mode(vectui, cases):
    """Without --json, info prints human-readable text that still carries the key facts."""
    case = cases("idmap2", "l2", 37, 3000)
    proc = vectui.run("info", case.index_path)
    assert proc.returncode == 0, proc.stderr
    assert "IndexIDMap2" in proc.stdout and "3000" in proc.stdout and "37" in proc.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(proc.stdout)


def test_comparison_rejects_wrong_neighbours(cases):
    """The tie-aware comparison accepts faiss's own answer, a reordering among exact ties, and
    rejects a changed score, a non-tied id swap, a missing neighbour and bad padding."""
    case = cases("idmap", "l2", 37, 3000)
    xq, _ = case.queries["scan"]
    D, I = case.index.search(xq, 10)
    kw = dict(xq=xq, xb=case.xb, ids=case.ids, metric="l2")

    def as_result(D, I):
        return {"ids": I.tolist(), "scores": [[None if i == -1 else float(s) for s, i in zip(ds, is_)]
                                               for ds, is_ in zip(D, I)]}

    assert_same_neighbours(as_result(D, I), D, I, **kw)
    # Query 1 sits next to three identical rows (ties at ranks 0-2): any order is fine.
    tied = set(case.ids[[3, 5, 8]].tolist())
    assert set(I[1, :3].tolist()) == tied
    J = I.copy()
    J[1, :3] = J[1, [2, 0, 1]]
    assert_same_neighbours(as_result(D, J), D, I, **kw)

    def rejects(D2, I2):
        with pytest.raises(AssertionError):
            assert_same_neighbours(as_result(D2, I2), D, I, **kw)

    D2 = D.copy()
    D2[2, 4] *= 1.001
    rejects(D2, I)                                   # score off by 1e-3 relative
    J = I.copy()
    J[2, [3, 4]] = J[2, [4, 3]]
    rejects(D, J)                                    # swapped, not tied
    J = I.copy()
    J[2, 9] = case.ids[int(np.argmax(((case.xb - xq[2]) ** 2).sum(1)))]
    rejects(D, J)                                    # farthest vector in place of the 10th
    J = I.copy()
    J[2, 9] = -1
    rejects(D, J)                                    # padding where faiss has a result


def test_save_over_itself(vectui, cases, tmp_path):
    """Saving onto the file the index was read from (mapped) leaves the same bytes."""
    case = cases("idmap2", "ip", 128, 3000)
    path = tmp_path / "same.index"
    path.write_bytes(case.index_path.read_bytes())
    proc = vectui.run("save", path, "--out", path)
    assert proc.returncode == 0, proc.stderr
    assert path.read_bytes() == case.index_path.read_bytes()
    _assert_faiss_reads_same(case, path)
