"""Shared helpers for the vectui <-> faiss interop tests: running the binary, checking the
error-line convention, comparing neighbour lists with ties allowed, and making test data."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import re
import struct
import subprocess
import sys
import tempfile

import faiss
import numpy as np

FLT_MAX = float(np.finfo(np.float32).max)

# Text that only shows up when a process crashed or an interpreter leaked a stack trace.
CRASH_MARKERS = (
    "Traceback",
    "Fatal error",
    "Stack dump",
    "stack trace",
    "Program crashed",
    "Segmentation fault",
    "Illegal instruction",
    "Assertion failed",
    "Abort",
    "panic",
)


_MEASURE_HELPER = r"""
import json, os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(report, "w") as f:
    json.dump({"code": os.waitstatus_to_exitcode(status), "seconds": seconds, "maxrss_kb": usage.ru_maxrss}, f)
"""


@dataclasses.dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_bytes: int


class Vectui:
    """Thin wrapper around the vectui executable."""

    def __init__(self, binary: str):
        self.binary = binary

    def run(self, *args, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.binary, *map(str, args)], capture_output=True, text=True, timeout=timeout
        )

    def run_measured(self, *args, timeout: float = 60) -> Measured:
        """Runs vectui and reports its wall time and its own peak RSS.

        A small helper Python process forks and execs vectui and reads wait4's rusage. (Forking
        vectui from this big pytest process directly would report pytest's own peak: Linux
        carries the pre-exec high-water mark into the child's ru_maxrss.)
        """
        with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
            proc = subprocess.run(
                [sys.executable, "-c", _MEASURE_HELPER, report.name, self.binary, *map(str, args)],
                capture_output=True, text=True, timeout=timeout)
            assert proc.returncode == 0, f"measuring helper failed: {proc.stderr}"
            r = json.load(report)
        # ru_maxrss is in kilobytes on Linux.
        return Measured(r["code"], proc.stdout, proc.stderr, r["seconds"], r["maxrss_kb"] * 1024)

    def json(self, *args) -> dict:
        proc = self.run(*args)
        assert proc.returncode == 0, f"vectui {' '.join(map(str, args))} failed ({proc.returncode}): {proc.stderr}"
        return json.loads(proc.stdout)

    def search(self, index, queries, k) -> dict:
        return self.json("search", index, "--queries", queries, "-k", k, "--json")

    def info(self, index) -> dict:
        return self.json("info", index, "--json")


def check_error_line(proc, path, *, kind: str = "format", max_offset: int | None = None,
                     offset: int | None = None, code: int = 2) -> str:
    """Asserts vectui's failure convention: exit code `code` (2, a bad file or value, unless
    told; README "Exit codes"; never a signal), nothing on stdout,
    exactly one line on stderr, starting 'vectui: error: ', naming `path`.

    kind = "format": the line is 'PATH: at byte N: expected ..., found ...';
    kind = "unsupported": 'PATH: at byte N: ... is not supported yet';
    kind = "any": only the common checks (used for errors without a byte offset).
    `offset` pins N exactly; `max_offset` bounds it (an error cannot lie past the file's end).
    Returns the message line.
    """
    rc = proc.returncode
    err = proc.stderr
    assert rc == code, f"expected exit code {code}, got {rc}{' (killed by signal %d)' % -rc if rc < 0 else ''}; stderr={err!r}"
    assert proc.stdout == "", f"nothing expected on stdout, got {proc.stdout[:300]!r}"
    assert err.endswith("\n") and err.count("\n") == 1, f"expected exactly one stderr line, got {err!r}"
    line = err[:-1]
    for marker in CRASH_MARKERS:
        assert marker.lower() not in line.lower(), f"crash-like output ({marker!r}): {line!r}"
    path = str(path)
    assert line.startswith("vectui: error: "), line
    assert path in line, f"message does not name {path}: {line!r}"
    if kind == "any":
        return line
    p = re.escape(path)
    if kind == "format":
        m = re.fullmatch(rf"vectui: error: {p}: at byte (\d+): expected .+, found .+", line)
    elif kind == "unsupported":
        m = re.fullmatch(rf"vectui: error: {p}: at byte (\d+): .+ is not supported yet", line)
    else:
        raise ValueError(kind)
    assert m, f"message not in the {kind} form: {line!r}"
    at = int(m.group(1))
    if offset is not None:
        assert at == offset, f"expected the error at byte {offset}: {line!r}"
    if max_offset is not None:
        assert 0 <= at <= max_offset, f"error offset {at} outside 0..{max_offset}: {line!r}"
    return line


# --- comparing neighbour lists -------------------------------------------------------------

# Score tolerance: a bound on |vectui's score − faiss's score| for one query q and one stored
# vector x, from the two roundings that separate correct implementations.
#
# float32 arithmetic. Each side sums d terms in float32 (Σ(q_i − x_i)², the BLAS form
# ‖q‖² − 2 q·x + ‖x‖², q·x, or PQ's and IVF's residual tables), whose magnitudes add up to
# about (‖q‖ + ‖x‖)² at most; summing in any order errs by at most (d + 2)·2⁻²⁴ of that
# (d additions, the differences or products, the final rounding). Twice that for the two
# sides, twice again because checks chain two such bounds (vectui against faiss at a rank,
# faiss against the exact score): (d + 2)·2⁻²²·(‖q‖ + ‖x‖)². A score near 0 (a query equal to
# a stored vector) gets the same absolute allowance: the error scales with the terms summed,
# not with the result.
#
# Query rounding. faiss's AVX512_SPR build scores SQbf16 codes against the query rounded to
# bf16, and AVX512_FP16 builds may score SQfp16 codes against an fp16 query:
# q'_i = q_i·(1 + ε_i), |ε_i| ≤ u, the format's unit roundoff (2⁻⁸ for bf16's 8 significant
# bits, 2⁻¹¹ for fp16's 11), while the decoded x is the same on both sides. So
#   inner product: |q'·x − q·x| = |Σ ε_i q_i x_i| ≤ u·Σ|q_i x_i|,
#   L2: |‖q' − x‖² − ‖q − x‖²| = |Σ (q'_i − q_i)(q'_i + q_i − 2x_i)|
#                               ≤ u·Σ|q_i|·(2|q_i − x_i| + u|q_i|).
# The sums stay per component: the cruder u·(‖q‖ + ‖x‖)² bounds both too, but is several
# times an inner-product score and would let errors of a few percent through.
BF16_UNIT = 2.0 ** -8
FP16_UNIT = 2.0 ** -11


def query_unit(codec: str) -> float:
    """The relative rounding faiss may apply to the query for `codec` (a factory string):
    bf16's or fp16's unit roundoff for bf16 or fp16 codes, 0 where the query stays float32."""
    return BF16_UNIT if "bf16" in codec else FP16_UNIT if "fp16" in codec else 0.0


def float32_tolerance(d: int, q_norm, x_norm):
    """The float32 part of the score tolerance, (d + 2)·2⁻²²·(‖q‖ + ‖x‖)², from the norms."""
    return (d + 2) * 2.0 ** -22 * (np.asarray(q_norm, dtype=np.float64) + x_norm) ** 2


def score_tolerance(q: np.ndarray, x: np.ndarray, metric: str, unit: float = 0.0) -> np.ndarray:
    """The score tolerance for queries q against vectors x (arrays (..., d), broadcast), with
    `unit` from query_unit. x may be the vectors as added rather than as decoded: the codec's
    quantization error moves the bound by about as much, relatively."""
    q = q.astype(np.float64)
    x = x.astype(np.float64)
    aq = np.abs(q)
    rounding = aq * np.abs(x) if metric == "ip" else aq * (2 * np.abs(q - x) + unit * aq)
    norms = np.linalg.norm(q, axis=-1), np.linalg.norm(x, axis=-1)
    return float32_tolerance(q.shape[-1], *norms) + unit * rounding.sum(-1)


def neighbour_tolerance(I: np.ndarray, *, xq: np.ndarray, xb: np.ndarray, ids: np.ndarray,
                        metric: str, unit: float = 0.0) -> np.ndarray:
    """score_tolerance of each (query, id) of a result I (nq x k external ids, -1 for padding:
    NaN there); xb[r] is the vector with id ids[r]."""
    order = np.argsort(ids)
    rows = order[np.clip(np.searchsorted(ids, I, sorter=order), 0, len(ids) - 1)]
    assert np.all((ids[rows] == I) | (I == -1)), "ids not in the index"
    return np.where(I == -1, np.nan, score_tolerance(xq[:, None, :], xb[rows], metric, unit))


def assert_scores_agree(v_ids: np.ndarray, v_scores: np.ndarray, I: np.ndarray, D: np.ndarray,
                        tol: np.ndarray, label: str = ""):
    """Where vectui and faiss return the same id at the same rank, their scores differ by at
    most `tol` (from neighbour_tolerance of I)."""
    same = (v_ids == I) & (I != -1)
    excess = np.where(same, np.abs(v_scores - D) - tol, -np.inf)
    q, j = np.unravel_index(np.argmax(excess), excess.shape)
    assert excess[q, j] <= 0, (f"{label} query {q} rank {j} (id {I[q, j]}): vectui {v_scores[q, j]!r} "
                               f"vs faiss {D[q, j]!r}, tolerance {tol[q, j]:.3g}")


def exact_scores(q: np.ndarray, rows: np.ndarray, metric: str) -> np.ndarray:
    q = q.astype(np.float64)
    rows = rows.astype(np.float64)
    if metric == "ip":
        return rows @ q
    diff = rows - q
    return np.einsum("ij,ij->i", diff, diff)


def assert_same_neighbours(result: dict, D: np.ndarray, I: np.ndarray, *, xq: np.ndarray,
                           xb: np.ndarray, ids: np.ndarray, metric: str, label: str = ""):
    """vectui's `search --json` result equals faiss's (D, I) up to ties.

    - shape, padding (id -1 and score null exactly where faiss pads), own scores sorted;
    - scores rank by rank within the float32 score tolerance above, taken at the largest
      stored norm (it bounds the k-th best of scores that each err by at most that much);
    - every id vectui returns is a real, distinct id whose exact (float64) score matches the
      faiss score at that rank within tolerance: so ids may differ from faiss's only where
      scores are equal or near-equal;
    - every id faiss ranks clearly (more than the tolerance) above the last returned score is
      also returned by vectui; when all vectors are returned, the id sets are equal.
    """
    nq, k = I.shape
    v_ids = result["ids"]
    v_scores = result["scores"]
    assert len(v_ids) == nq and len(v_scores) == nq, f"{label}: {len(v_ids)} rows for {nq} queries"
    row_of = {int(i): r for r, i in enumerate(ids)}
    max_norm = float(np.sqrt((xb.astype(np.float64) ** 2).sum(1).max())) if len(xb) else 0.0
    better = (lambda a, b: a > b) if metric == "ip" else (lambda a, b: a < b)
    for q in range(nq):
        where = f"{label} query {q}"
        vi, vs = v_ids[q], v_scores[q]
        assert len(vi) == k and len(vs) == k, f"{where}: rows of {len(vi)}/{len(vs)}, expected k={k}"
        nvalid = int((I[q] != -1).sum())
        assert all(i != -1 for i in I[q, :nvalid]), "faiss pads at the end"
        # faiss's own sentinel where it pads (sanity of the reference).
        assert np.all(np.abs(D[q, nvalid:]) == np.float32(FLT_MAX))
        assert vi[nvalid:] == [-1] * (k - nvalid), f"{where}: padding ids {vi[nvalid:][:10]}"
        assert vs[nvalid:] == [None] * (k - nvalid), f"{where}: padding scores {vs[nvalid:][:10]}"
        assert all(i != -1 for i in vi[:nvalid]), f"{where}: -1 among the first {nvalid} ids"
        assert all(s is not None for s in vs[:nvalid]), f"{where}: null among the first {nvalid} scores"
        if nvalid == 0:
            continue
        vs_arr = np.array(vs[:nvalid], dtype=np.float64)
        fs = D[q, :nvalid].astype(np.float64)
        qn = float(np.linalg.norm(xq[q].astype(np.float64)))
        tol = float(float32_tolerance(xq.shape[1], qn, max_norm))
        # vectui's own list is sorted best first.
        assert not any(better(vs_arr[j + 1], vs_arr[j]) for j in range(nvalid - 1)), f"{where}: scores not sorted"
        bad = np.nonzero(np.abs(vs_arr - fs) > tol)[0]
        assert len(bad) == 0, (f"{where}: score at rank {bad[0]}: vectui {vs_arr[bad[0]]!r} vs faiss "
                               f"{fs[bad[0]]!r} (tol {tol:.3g}); {len(bad)} ranks differ")
        vi_valid = vi[:nvalid]
        assert len(set(vi_valid)) == nvalid, f"{where}: repeated ids"
        unknown = [i for i in vi_valid if i not in row_of]
        assert not unknown, f"{where}: ids not in the index: {unknown[:5]}"
        rows = np.array([row_of[i] for i in vi_valid])
        true = exact_scores(xq[q], xb[rows], metric)
        off = np.nonzero(np.abs(true - fs) > tol)[0]
        assert len(off) == 0, (
            f"{where}: rank {off[0]}: vectui id {vi_valid[off[0]]} has exact score {true[off[0]]!r} "
            f"but faiss's score at that rank is {fs[off[0]]!r} (faiss id {I[q, off[0]]}): "
            "not a tie, so the neighbour is wrong")
        if nvalid == len(ids):
            assert set(vi_valid) == set(int(i) for i in ids), f"{where}: all vectors expected"
        else:
            last = fs[-1]
            clear = [int(I[q, j]) for j in range(nvalid) if better(fs[j], last) and abs(fs[j] - last) > tol]
            missing = set(clear) - set(vi_valid)
            assert not missing, f"{where}: faiss neighbours {sorted(missing)[:5]} missing"


# --- data -----------------------------------------------------------------------------

KIND_CLASS = {"flat": {"ip": "IndexFlatIP", "l2": "IndexFlatL2"}, "idmap": "IndexIDMap", "idmap2": "IndexIDMap2"}
FOURCC = {"flat": {"ip": "IxFI", "l2": "IxF2"}, "idmap": "IxMp", "idmap2": "IxM2"}
METRIC_NAME = {"ip": "inner_product", "l2": "l2"}


def class_name(kind: str, metric: str) -> str:
    c = KIND_CLASS[kind]
    return c[metric] if isinstance(c, dict) else c


def fourcc(kind: str, metric: str) -> str:
    c = FOURCC[kind]
    return c[metric] if isinstance(c, dict) else c


def make_vectors(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xb = rng.standard_normal((n, d)).astype(np.float32)
    if n >= 10:
        # Exact duplicates: equal scores for every query, so ties occur in every ranking.
        xb[5] = xb[3]
        xb[8] = xb[3]
    return xb


def make_queries(nq: int, d: int, seed: int, xb: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(seed + 7919)
    xq = rng.standard_normal((nq, d)).astype(np.float32)
    if len(xb) >= 1:
        xq[0] = xb[0]  # L2 distance 0 (and a near-zero BLAS result): exercises the absolute floor
    if len(xb) >= 10 and nq >= 2:
        # Close to the three duplicate rows: a three-way tie at the top.
        xq[1] = xb[3] + np.float32(0.01) * rng.standard_normal(d).astype(np.float32)
    return xq


def make_ids(n: int, seed: int) -> np.ndarray:
    """Distinct, large (beyond 2^53, so JSON doubles would lose them), non-sequential ids."""
    rng = np.random.default_rng(seed + 104729)
    ids = rng.choice(np.int64(1) << 40, size=n, replace=False).astype(np.int64) * 4099 + 12345
    return ids


def new_faiss_index(kind: str, metric: str, d: int):
    flat = faiss.IndexFlatIP(d) if metric == "ip" else faiss.IndexFlatL2(d)
    if kind == "flat":
        return flat
    # faiss's Python wrapper keeps a reference to `flat` (referenced_objects).
    return faiss.IndexIDMap(flat) if kind == "idmap" else faiss.IndexIDMap2(flat)


def write_fvecs(path, x: np.ndarray):
    x = np.ascontiguousarray(x, dtype=np.float32)
    n, d = x.shape
    rows = np.empty((n, d + 1), dtype=np.float32)
    rows[:, 0] = np.array([d], dtype=np.int32).view(np.float32)[0]
    rows[:, 1:] = x
    rows.tofile(str(path))


@dataclasses.dataclass
class Case:
    """One faiss index written to disk, with the arrays and files it was made from."""
    kind: str
    metric: str
    d: int
    n: int
    xb: np.ndarray
    ids: np.ndarray           # external ids (row numbers for flat indexes)
    index: object             # the faiss index in memory
    index_path: pathlib.Path  # faiss.write_index output
    vectors_path: pathlib.Path
    ids_path: pathlib.Path | None
    queries: dict             # "scan" / "blas" -> (array, path)

    @property
    def label(self) -> str:
        return f"{self.kind}-{self.metric}-d{self.d}-n{self.n}"


SCAN_QUERIES = 7    # < 20: the scan path in both faiss and vectui
BLAS_QUERIES = 25   # >= 20: the BLAS path


def build_case(root: pathlib.Path, kind: str, metric: str, d: int, n: int) -> Case:
    seed = d * 100003 + n * 17 + {"ip": 1, "l2": 2}[metric]
    folder = root / f"{kind}-{metric}-d{d}-n{n}"
    folder.mkdir(parents=True, exist_ok=True)
    xb = make_vectors(n, d, seed)
    index = new_faiss_index(kind, metric, d)
    if kind == "flat":
        ids = np.arange(n, dtype=np.int64)
        index.add(xb)
        ids_path = None
    else:
        ids = make_ids(n, seed)
        index.add_with_ids(xb, ids)
        ids_path = folder / "ids.npy"
        np.save(ids_path, ids)
    vectors_path = folder / "vectors.npy"
    np.save(vectors_path, xb)
    index_path = folder / "faiss.index"
    faiss.write_index(index, str(index_path))
    queries = {}
    for name, nq in (("scan", SCAN_QUERIES), ("blas", BLAS_QUERIES)):
        xq = make_queries(nq, d, seed + nq, xb)
        qp = folder / f"queries-{name}.npy"
        np.save(qp, xq)
        queries[name] = (xq, qp)
    return Case(kind, metric, d, n, xb, ids, index, index_path, vectors_path, ids_path, queries)


# --- raw file crafting (faiss-format.md §3/§4) -------------------------------------------

def header_bytes(d: int, ntotal: int, metric: int = 0, is_trained: int = 1) -> bytes:
    """The 33-byte common index header (no metric_arg: metric 0 or 1)."""
    return struct.pack("<iqqqBi", d, ntotal, 1 << 20, 1 << 20, is_trained, metric)


def flat_file_bytes(fourcc_text: bytes, d: int, ntotal: int, data: bytes = b"", metric: int = 0,
                    count: int | None = None) -> bytes:
    count = ntotal * d if count is None else count
    return fourcc_text + header_bytes(d, ntotal, metric) + struct.pack("<Q", count) + data
