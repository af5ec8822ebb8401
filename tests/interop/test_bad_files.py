"""vectui on truncated, corrupt, hostile and unsupported files: always exit code 2 with one
line on stderr that names the file (and, for format errors, the byte offset, what was
expected and what was found); never a crash, never an allocation sized by a header field."""

import concurrent.futures
import os
import shutil
import struct

import faiss
import numpy as np
import pytest

from interop_util import check_error_line, flat_file_bytes, header_bytes, new_faiss_index, write_fvecs

FLAT_DATA = 45  # byte where IxFI/IxF2 vector data starts: fourcc 4 + header 33 + count 8


def _write_faiss(path, kind, metric, d, n, seed=0):
    index = new_faiss_index(kind, metric, d)
    x = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    if kind == "flat":
        index.add(x)
    else:
        index.add_with_ids(x, np.arange(n, dtype=np.int64) * 1000 + 7)
    faiss.write_index(index, str(path))
    return path


def _queries(path, d, n=3, dtype=np.float32):
    np.save(path, np.random.default_rng(1).standard_normal((n, d)).astype(dtype))
    return path


# --- truncation ---------------------------------------------------------------------

SMALL_FILES = [
    pytest.param("flat", "l2", 3, 4, id="IxF2-d3-n4"),
    pytest.param("flat", "ip", 1, 1, id="IxFI-d1-n1"),
    pytest.param("idmap2", "ip", 3, 4, id="IxM2-IxFI-d3-n4"),
    pytest.param("idmap", "l2", 5, 0, id="IxMp-IxF2-d5-n0"),
]


def _check_truncations(vectui, source, offsets, queries, folder):
    """Truncates a copy of `source` at each offset (largest first, shrinking one file) and
    checks info and search fail properly; returns a list of failure descriptions."""
    data = source.read_bytes()
    path = folder / ("cut-" + source.name)
    shutil.copyfile(source, path)
    failures = []
    for cut in sorted(set(offsets), reverse=True):
        assert 0 <= cut < len(data)
        os.truncate(path, cut)
        for args in (("info", path), ("search", path, "--queries", queries, "-k", 3, "--json")):
            proc = vectui.run(*args)
            try:
                check_error_line(proc, path, kind="format", max_offset=cut)
            except AssertionError as e:
                failures.append(f"cut at {cut}, {args[0]}: {e}")
    return failures


@pytest.mark.parametrize("kind,metric,d,n", SMALL_FILES)
def test_truncated_small_file_at_every_offset(vectui, tmp_path, kind, metric, d, n):
    source = _write_faiss(tmp_path / "full.index", kind, metric, d, n)
    size = source.stat().st_size
    assert vectui.run("info", source).returncode == 0
    queries = _queries(tmp_path / "q.npy", d)
    # Split the offsets over a few threads (each with its own copy) to use both cores.
    chunks = [list(range(i, size, 4)) for i in range(4)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = []
        for i, chunk in enumerate(chunks):
            folder = tmp_path / f"w{i}"
            folder.mkdir()
            futures.append(pool.submit(_check_truncations, vectui, source, chunk, queries, folder))
        failures = [f for fut in futures for f in fut.result()]
    assert not failures, f"{len(failures)} failures over {size} offsets:\n" + "\n".join(failures[:20])


def test_truncated_big_file_at_sampled_offsets(vectui, tmp_path):
    """IndexIDMap2 over IndexFlatL2, 20000 x 64 (5.3 MB): 200 cut points, among them every
    offset of both headers, the data and id-count boundaries, and the last byte."""
    n, d = 20000, 64
    source = _write_faiss(tmp_path / "big.index", "idmap2", "l2", d, n)
    size = source.stat().st_size
    inner_data = 4 + 33 + FLAT_DATA              # IxM2 + header, then the IxF2 record
    ids_count = inner_data + n * d * 4
    assert size == ids_count + 8 + 8 * n
    must = set(range(0, inner_data + 1)) | {inner_data + 1, ids_count - 1, ids_count, ids_count + 7,
                                             ids_count + 8, ids_count + 9, size - 8, size - 1}
    rng = np.random.default_rng(7)
    rest = sorted(set(range(size)) - must)
    offsets = sorted(must) + rng.choice(rest, size=200 - len(must), replace=False).tolist()
    assert len(set(offsets)) == 200
    queries = _queries(tmp_path / "q.npy", d)
    failures = _check_truncations(vectui, source, offsets, queries, tmp_path)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:20])


# --- hostile counts -------------------------------------------------------------------

def test_header_claiming_1e12_vectors_fails_fast(vectui, tmp_path):
    """45 bytes: IxFI, a header with d = 128 and ntotal = 10^12, and a vector count of
    10^12 x 128 floats, with no data behind it (faiss-format.md §3/§4)."""
    path = tmp_path / "huge.index"
    data = flat_file_bytes(b"IxFI", 128, 10**12)
    assert len(data) == 45
    path.write_bytes(data)
    queries = _queries(tmp_path / "q.npy", 128)
    for args in (("info", path, "--json"), ("search", path, "--queries", queries, "-k", 5, "--json")):
        m = vectui.run_measured(*args)
        check_error_line(m, path, kind="format", offset=37)
        assert m.seconds < 0.5, f"{args[0]} took {m.seconds:.2f} s"
        assert m.max_rss_bytes < 100 << 20, f"{args[0]} peaked at {m.max_rss_bytes >> 20} MiB"


@pytest.mark.parametrize("variant", ["idmap-outer", "idmap-inner", "count-zero"])
def test_other_huge_counts_fail_fast(vectui, tmp_path, variant):
    d = 16
    if variant == "idmap-outer":    # wrapper says 10^12, inner is an empty flat index
        data = b"IxMp" + header_bytes(d, 10**12) + flat_file_bytes(b"IxFI", d, 0) + struct.pack("<Q", 0)
    elif variant == "idmap-inner":  # both say 10^12, nothing follows
        data = b"IxMp" + header_bytes(d, 10**12) + flat_file_bytes(b"IxFI", d, 10**12)
    else:                           # ntotal 10^12 but a data count of 0
        data = flat_file_bytes(b"IxFI", d, 10**12, count=0)
    path = tmp_path / "huge.index"
    path.write_bytes(data)
    m = vectui.run_measured("info", path)
    check_error_line(m, path, kind="format", max_offset=len(data))
    assert m.seconds < 0.5 and m.max_rss_bytes < 100 << 20


# --- corrupt and unsupported index files -------------------------------------------------

def _patch(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new):]


def _flat_l2(tmp_path, d=3, n=4):
    return _write_faiss(tmp_path / "src.index", "flat", "l2", d, n).read_bytes()


def _idmap2(tmp_path, d=3, n=4):
    return _write_faiss(tmp_path / "src.index", "idmap2", "ip", d, n).read_bytes()


# (name, make bytes from tmp_path, error kind, exact offset or None, text the message must contain)
CORRUPT = [
    ("unknown-fourcc", lambda t: _patch(_flat_l2(t), 0, b"QQQQ"), "format", 0, "QQQQ"),
    ("binary-fourcc", lambda t: _patch(_flat_l2(t), 0, b"\x00\xff\x13\x80"), "format", 0, None),
    ("null-fourcc", lambda t: _patch(_flat_l2(t), 0, b"null"), "format", 0, None),
    ("bool-byte-2", lambda t: _patch(_flat_l2(t), 32, b"\x02"), "format", 32, None),
    ("bool-byte-ff", lambda t: _patch(_idmap2(t), 32, b"\xff"), "format", 32, None),
    ("inner-bool-byte", lambda t: _patch(_idmap2(t), 37 + 32, b"\x07"), "format", 37 + 32, None),
    ("negative-ntotal", lambda t: _patch(_flat_l2(t), 8, struct.pack("<q", -1)), "format", 8, None),
    ("negative-d", lambda t: _patch(_flat_l2(t), 4, struct.pack("<i", -3)), "format", 4, None),
    ("d-over-2^20", lambda t: _patch(_flat_l2(t), 4, struct.pack("<i", (1 << 20) + 1)), "format", 4, None),
    ("metric-7", lambda t: _patch(_flat_l2(t), 33, struct.pack("<i", 7)), "format", 33, None),
    ("metric-negative", lambda t: _patch(_flat_l2(t), 33, struct.pack("<i", -1)), "format", 33, None),
    ("data-count-mismatch", lambda t: _patch(_flat_l2(t), 37, struct.pack("<Q", 11))[:-4], "format", 37, None),
    ("data-count-huge", lambda t: _patch(_flat_l2(t), 37, struct.pack("<Q", 2**62 + 1)), "format", 37, None),
    ("idmap-id-count-less", lambda t: _patch(_idmap2(t), 37 + 93, struct.pack("<Q", 3))[:-8], "format", 130, None),
    ("idmap-id-count-more", lambda t: _patch(_idmap2(t), 37 + 93, struct.pack("<Q", 5)) + b"\0" * 8, "format", 130, None),
    ("idmap-id-count-max", lambda t: _patch(_idmap2(t), 37 + 93, struct.pack("<Q", 2**64 - 1)), "format", 130, None),
    ("idmap-ntotal-vs-inner", lambda t: _patch(_idmap2(t), 8, struct.pack("<q", 5)), "format", None, None),
    ("idmap-d-vs-inner", lambda t: _patch(_idmap2(t), 4, struct.pack("<i", 4)), "format", None, None),
    ("idmap-inner-unknown", lambda t: _patch(_idmap2(t), 37, b"ZZZZ"), "format", 37, "ZZZZ"),
    ("idmap-inner-null", lambda t: _idmap2(t)[:37] + b"null" + struct.pack("<Q", 0), "format", 37, None),
]


@pytest.mark.parametrize("name,make,kind,offset,text", [pytest.param(*c, id=c[0]) for c in CORRUPT])
def test_corrupt_index_file(vectui, tmp_path, name, make, kind, offset, text):
    path = tmp_path / f"{name}.index"
    data = make(tmp_path)
    path.write_bytes(data)
    queries = _queries(tmp_path / "q.npy", 3)
    for args in (("info", path), ("search", path, "--queries", queries, "-k", 2), ("save", path, "--out", tmp_path / "o.index")):
        line = check_error_line(vectui.run(*args), path, kind=kind, offset=offset, max_offset=len(data))
        if text:
            assert text in line
    assert not (tmp_path / "o.index").exists()


def _hnsw_sq(d):
    index = faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, 8)
    x = np.random.default_rng(0).standard_normal((50, d)).astype(np.float32)
    index.train(x)
    index.add(x)
    return index


def _ivf(d):
    x = np.random.default_rng(0).standard_normal((200, d)).astype(np.float32)
    index = faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, 4)
    index.train(x)
    index.add(x)
    return index


def _idmap_hnsw_sq(d):
    inner = faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, 8)
    x = np.random.default_rng(0).standard_normal((20, d)).astype(np.float32)
    inner.train(x)
    index = faiss.IndexIDMap(inner)
    index.add_with_ids(x, np.arange(20) + 100)
    return index


# Files faiss writes that vectui recognises but cannot load yet: (maker, offset, class name).
UNSUPPORTED = [
    pytest.param(_hnsw_sq, 0, "IndexHNSWSQ", id="IndexHNSWSQ"),
    pytest.param(lambda d: faiss.IndexLSH(d, 16), 0, "IndexLSH", id="IndexLSH"),
    pytest.param(lambda d: faiss.IndexResidualQuantizer(d, 2, 4), 0, "IndexResidualQuantizer", id="IndexResidualQuantizer"),
    pytest.param(lambda d: faiss.IndexFlat(d, faiss.METRIC_L1), 33, "METRIC_L1", id="IndexFlat-L1"),
    pytest.param(_idmap_hnsw_sq, 37, "IndexHNSWSQ", id="IDMap-over-HNSWSQ"),
]


@pytest.mark.parametrize("make,offset,name", UNSUPPORTED)
def test_known_but_unsupported_index(vectui, tmp_path, make, offset, name):
    d = 8
    path = tmp_path / "other.index"
    faiss.write_index(make(d), str(path))
    queries = _queries(tmp_path / "q.npy", d)
    for args in (("info", path), ("search", path, "--queries", queries, "-k", 2)):
        line = check_error_line(vectui.run(*args), path, kind="unsupported", offset=offset)
        assert name in line


# --- bad query files ----------------------------------------------------------------------

@pytest.fixture
def small_index(tmp_path):
    return _write_faiss(tmp_path / "ok.index", "flat", "ip", 8, 50)


def _npy_bytes(array) -> bytes:
    import io
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


_Q = np.random.default_rng(3).standard_normal((5, 8)).astype(np.float32)

BAD_QUERIES = [
    ("empty.npy", lambda: b""),
    ("wrong-magic.npy", lambda: b"\x93NUMPZ" + _npy_bytes(_Q)[6:]),
    ("not-npy.npy", lambda: b"hello, this is not a numpy file at all\n" * 4),
    ("version-9.npy", lambda: _npy_bytes(_Q)[:6] + b"\x09\x00" + _npy_bytes(_Q)[8:]),
    ("fortran.npy", lambda: _npy_bytes(np.asfortranarray(_Q))),
    ("int32.npy", lambda: _npy_bytes(_Q.astype(np.int32))),
    ("int64.npy", lambda: _npy_bytes(_Q.astype(np.int64))),
    ("big-endian.npy", lambda: _npy_bytes(_Q.astype(">f4"))),
    ("complex.npy", lambda: _npy_bytes(_Q.astype(np.complex64))),
    ("3d.npy", lambda: _npy_bytes(_Q.reshape(5, 2, 4))),
    ("truncated-data.npy", lambda: _npy_bytes(_Q)[:-4]),
    ("truncated-header.npy", lambda: _npy_bytes(_Q)[:40]),
    ("truncated-magic.npy", lambda: _npy_bytes(_Q)[:5]),
    ("bad-rows.fvecs", lambda: _fvecs_bytes(_Q) + b"\x01\x02"),
    ("mixed-d.fvecs", lambda: _fvecs_bytes(_Q)[:-36] + struct.pack("<i", 7) + b"\0" * 32),
    ("zero-d.fvecs", lambda: struct.pack("<i", 0) * 4),
    ("empty.fvecs", lambda: b""),
]


def _fvecs_bytes(x):
    n, d = x.shape
    rows = np.empty((n, d + 1), dtype=np.float32)
    rows[:, 0] = np.array([d], dtype=np.int32).view(np.float32)[0]
    rows[:, 1:] = x
    return rows.tobytes()


@pytest.mark.parametrize("name,make", [pytest.param(*c, id=c[0]) for c in BAD_QUERIES])
def test_bad_query_file(vectui, tmp_path, small_index, name, make):
    qpath = tmp_path / name
    data = make()
    qpath.write_bytes(data)
    for command in ("search", "bench"):
        proc = vectui.run(command, small_index, "--queries", qpath, "-k", 3, "--json")
        check_error_line(proc, qpath, kind="format", max_offset=len(data))


@pytest.mark.parametrize("qd", [7, 9, 1])
def test_query_dimension_mismatch(vectui, tmp_path, small_index, qd):
    for suffix in (".npy", ".fvecs"):
        qpath = tmp_path / f"q{qd}{suffix}"
        x = np.ones((3, qd), dtype=np.float32)
        np.save(qpath, x) if suffix == ".npy" else write_fvecs(qpath, x)
        line = check_error_line(vectui.run("search", small_index, "--queries", qpath, "-k", 3), qpath, kind="any")
        assert str(qd) in line and "8" in line


def test_missing_files_and_bad_k(vectui, tmp_path, small_index):
    queries = _queries(tmp_path / "q.npy", 8)
    missing = tmp_path / "nope.index"
    check_error_line(vectui.run("info", missing), missing, kind="any")
    check_error_line(vectui.run("search", missing, "--queries", queries, "-k", 3), missing, kind="any")
    check_error_line(vectui.run("search", small_index, "--queries", tmp_path / "nope.npy", "-k", 3),
                     tmp_path / "nope.npy", kind="any")
    check_error_line(vectui.run("info", tmp_path), tmp_path, kind="any")  # a directory
    proc = vectui.run("search", small_index, "--queries", queries, "-k", 0)
    assert proc.returncode == 64 and proc.stdout == "" and proc.stderr.count("\n") == 1  # a usage error


def test_build_rejects_mismatched_ids(vectui, tmp_path):
    np.save(tmp_path / "v.npy", np.ones((4, 3), dtype=np.float32))
    np.save(tmp_path / "ids.npy", np.arange(5, dtype=np.int64))
    np.save(tmp_path / "fids.npy", np.arange(4, dtype=np.float32))
    out = tmp_path / "o.index"
    base = ("build", "--vectors", tmp_path / "v.npy", "--metric", "ip", "--out", out)
    check_error_line(vectui.run(*base, "--ids", tmp_path / "ids.npy"), tmp_path / "ids.npy", kind="any")
    check_error_line(vectui.run(*base, "--ids", tmp_path / "fids.npy"), tmp_path / "fids.npy", kind="format")
    assert not out.exists()


def test_peak_memory_measurement_sees_allocations(tmp_path):
    """The RSS figure used above is the measured program's own: 200 MiB written by a child
    shows up, and a small program stays small."""
    import sys
    from interop_util import Vectui
    py = Vectui(sys.executable)
    big = py.run_measured("-c", "b = b'x' * (200 << 20)")
    small = py.run_measured("-c", "pass")
    assert big.returncode == 0 and big.max_rss_bytes >= 200 << 20
    assert small.max_rss_bytes < 100 << 20


@pytest.mark.parametrize("k", [10**12, 2**62])
def test_huge_k_is_refused_not_a_crash(vectui, tmp_path, small_index, k):
    """k is user input: a k whose result arrays (queries x k x 12 bytes) cannot be allocated
    must be refused with exit code 2, not abort in the allocator or trap on overflow."""
    queries = _queries(tmp_path / "q.npy", 8, n=2)
    proc = vectui.run("search", small_index, "--queries", queries, "-k", k, "--json")
    assert proc.returncode == 2, f"exit {proc.returncode}: {proc.stderr[:300]!r}"
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("vectui: error: ")
