"""Exit codes by error domain (README, "Exit codes"): 2 a bad file or value, 3 a device,
4 a remote service, 64 the command line; always one line on stderr, never a signal."""

import socket

import faiss
import numpy as np
import pytest


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exit-codes")
    x = np.random.default_rng(0).standard_normal((40, 8)).astype(np.float32)
    index = faiss.IndexFlatL2(8)
    index.add(x)
    faiss.write_index(index, str(folder / "small.index"))
    np.save(folder / "queries.npy", x[:2])
    return folder


def one_line(proc, code):
    assert proc.returncode == code, f"expected {code}, got {proc.returncode}: {proc.stderr!r}"
    assert proc.stdout == "" and proc.stderr.count("\n") == 1 and proc.stderr.startswith("vectui: error: "), proc.stderr
    return proc.stderr


def test_a_bad_file_exits_2(vectui, small):
    bad = small / "bad.index"
    bad.write_bytes(b"IxF2" + b"\0" * 5)
    assert str(bad) in one_line(vectui.run("info", bad), 2)
    # Queries of another dimension than the index: a mismatch of the files given, also 2.
    np.save(small / "wide.npy", np.zeros((1, 9), np.float32))
    assert "dimension 9" in one_line(vectui.run("search", small / "small.index", "--queries", small / "wide.npy"), 2)


def test_an_impossible_device_placement_exits_3(vectui, small):
    line = one_line(vectui.run("search", small / "small.index", "--queries", small / "queries.npy", "--device", "gpu9"), 3)
    assert "no device named 'gpu9'" in line


def test_an_embedding_server_that_is_not_there_exits_4(vectui, small):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = vectui.run("embed", "--embed-url", f"http://127.0.0.1:{port}", "--embed-model", "m", "--text", "hello")
    assert "connection refused" in one_line(proc, 4)
    # A URL that is no http(s) URL is the user's value, not the server's fault: 2.
    proc = vectui.run("embed", "--embed-url", "ftp://127.0.0.1/v1", "--embed-model", "m", "--text", "hello")
    one_line(proc, 2)


def test_command_line_mistakes_exit_64_as_argument_parsers_own(vectui, small):
    one_line(vectui.run("search", small / "small.index", "--queries", small / "queries.npy", "-k", 0), 64)
    own = vectui.run("search", small / "small.index", "--no-such-option")
    assert own.returncode == 64, own.stderr
