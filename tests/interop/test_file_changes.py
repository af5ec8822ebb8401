"""Another process changes an index file while `vectui search` / `bench` reads it: the command
ends with exit code 2 and one line naming the file and what happened, never a signal.

vectui takes a read lease on every file it maps (shown in /proc/locks), so a writer's open
waits until vectui lets go; the tests wait for the lease before they write, so the change lands
while the command is running. Without a lease (someone already had the file open for writing)
the SIGBUS guard turns reads past the new end into zeros and the command still fails cleanly.
"""

import json
import os
import pathlib
import subprocess
import time

import faiss
import numpy as np
import pytest

from interop_util import make_vectors


def lease_held_by(pid: int) -> bool:
    for line in pathlib.Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 4 and fields[1] == "LEASE" and fields[4] == str(pid):
            return True
    return False


def wait_for_lease(proc: subprocess.Popen, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not lease_held_by(proc.pid):
        assert proc.poll() is None, f"vectui ended before it held a lease: {proc.communicate()}"
        assert time.monotonic() < deadline, "vectui never took a read lease on the index"
        time.sleep(0.01)


def check_changed_on_disk(proc: subprocess.Popen, path: pathlib.Path, change: str):
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, f"exit {proc.returncode} (a negative one is a signal)\n{err}"
    lines = [line for line in err.splitlines() if line.startswith("vectui: error:")]
    assert len(lines) == 1, err
    assert str(path) in lines[0] and f"changed on disk ({change})" in lines[0], lines[0]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """A 200,000 × 128 flat index, 20,000-vector HNSW and IVF ones, and 2,000 queries."""
    root = tmp_path_factory.mktemp("file-changes")
    xb = make_vectors(200_000, 128, 11)
    flat = faiss.IndexFlatL2(128)
    flat.add(xb)
    hnsw = faiss.IndexHNSWFlat(128, 16)
    hnsw.add(xb[:20_000])
    quantizer = faiss.IndexFlatL2(128)
    ivf = faiss.IndexIVFFlat(quantizer, 128, 64)
    ivf.train(xb[:20_000])
    ivf.add(xb[:20_000])
    originals = {}
    for name, index in [("flat", flat), ("hnsw", hnsw), ("ivf", ivf)]:
        originals[name] = root / f"{name}.original.index"
        faiss.write_index(index, str(originals[name]))
    queries = root / "queries.npy"
    np.save(queries, make_vectors(2_000, 128, 12))
    return root, originals, queries


def fresh_copy(indexes, name: str) -> pathlib.Path:
    root, originals, _ = indexes
    path = root / f"{name}.index"
    path.write_bytes(originals[name].read_bytes())
    return path


def start(vectui_bin, *args) -> subprocess.Popen:
    return subprocess.Popen([vectui_bin, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("name", ["flat", "hnsw", "ivf"])
def test_truncated_under_bench_exits_2(vectui_bin, indexes, name):
    path = fresh_copy(indexes, name)
    proc = start(vectui_bin, "bench", path, "--queries", indexes[2], "--runs", 100_000)
    wait_for_lease(proc)
    os.truncate(path, 4096)          # waits for vectui to let go of its lease, then cuts the file
    check_changed_on_disk(proc, path, "truncated")


def test_rewritten_by_faiss_under_search_exits_2(vectui_bin, indexes):
    path = fresh_copy(indexes, "flat")
    proc = start(vectui_bin, "search", path, "--queries", indexes[2], "-k", 10, "--json")
    wait_for_lease(proc)
    smaller = faiss.IndexFlatL2(128)
    smaller.add(make_vectors(1_000, 128, 13))
    faiss.write_index(smaller, str(path))   # as a notebook rebuilding the index does: in place
    check_changed_on_disk(proc, path, "truncated")


def test_truncated_without_a_lease_is_still_an_error(vectui_bin, indexes):
    path = fresh_copy(indexes, "flat")
    with open(path, "r+b") as writer:        # open for writing first: the kernel grants no lease
        proc = start(vectui_bin, "bench", path, "--queries", indexes[2], "--runs", 100_000)
        time.sleep(1.0)
        assert proc.poll() is None and not lease_held_by(proc.pid)
        writer.truncate(4096)
    check_changed_on_disk(proc, path, "truncated")


def test_replaced_by_rename_keeps_the_old_file(vectui_bin, indexes):
    """A save that renames a new file over the old one leaves vectui's mapping intact: the
    search finishes on the file it opened."""
    path = fresh_copy(indexes, "flat")
    proc = start(vectui_bin, "search", path, "--queries", indexes[2], "-k", 5, "--json")
    wait_for_lease(proc)
    other = path.with_suffix(".new")
    faiss.write_index(faiss.IndexFlatL2(128), str(other))
    os.replace(other, path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    ids = np.array(json.loads(out)["ids"])
    assert ids.shape == (2_000, 5) and ids.min() >= 0


def test_truncated_under_convert_leaves_the_target_alone(vectui_bin, indexes):
    """A conversion whose source shrank under it writes nothing over its target."""
    path = fresh_copy(indexes, "flat")
    target = path.with_name("converted.index")
    target.write_bytes(b"the user's previous file")
    proc = start(vectui_bin, "convert", path, "--to", "HNSW32", "--out", target)
    wait_for_lease(proc)
    os.truncate(path, 4096)
    check_changed_on_disk(proc, path, "truncated")
    assert target.read_bytes() == b"the user's previous file"
    assert [p.name for p in target.parent.iterdir() if p.name.startswith("converted.index")] == ["converted.index"]
