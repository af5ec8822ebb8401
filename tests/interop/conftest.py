"""Fixtures for the interop tests: the vectui binary under test and scratch folders.

The binary is taken from the environment variable VECTUI_BIN, else from
<repo root>/.build/release/vectui, where the repo root is found from this file's own path
(tests/interop/conftest.py -> two levels up), so the suite works from any checkout.
"""

import os
import pathlib

import pytest

from interop_util import Vectui

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / ".build" / "release" / "vectui"


@pytest.fixture(scope="session")
def vectui_bin() -> str:
    """Absolute path of the vectui executable; a missing binary fails the run (never a skip)."""
    path = pathlib.Path(os.environ.get("VECTUI_BIN", str(DEFAULT_BIN))).resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"vectui binary not found or not executable at {path}: "
            "run `swift build -c release` or set VECTUI_BIN",
            pytrace=False,
        )
    return str(path)


@pytest.fixture(scope="session")
def vectui(vectui_bin) -> Vectui:
    """Runs vectui subcommands and checks their output conventions."""
    return Vectui(vectui_bin)


@pytest.fixture(scope="session")
def work_dir(tmp_path_factory) -> pathlib.Path:
    """A scratch folder shared by the whole session (index files reused across tests)."""
    return tmp_path_factory.mktemp("vectui-interop")
