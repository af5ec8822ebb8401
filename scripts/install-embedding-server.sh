#!/usr/bin/env bash
# Installs a real OpenAI-compatible embedding server, infinity-emb, for the interop test
# tests/interop/test_embedding_server.py: a venv at $VECTUI_EMBED_VENV (default
# ~/.cache/vectui/infinity-venv) with infinity-emb[server,torch] and its dependencies at the
# versions in scripts/infinity-emb-constraints.txt, torch's CPU build (2.13.0+cpu) among them.
# That torch is found where pip is configured to look (here the local wheel folder,
# PIP_FIND_LINKS=/opt/wheels; elsewhere set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu):
# PyPI's default torch would pull ~16 CUDA packages. About 1.5 minutes and 1.4 GB, once:
# a venv whose install finished (its stamp matches the constraints) and whose packages are
# present is left alone, in well under a second. Prints the venv's path on its last line.
set -euo pipefail

venv="${VECTUI_EMBED_VENV:-$HOME/.cache/vectui/infinity-venv}"
constraints="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/infinity-emb-constraints.txt"
stamp="$venv/.vectui-installed"
want=$(grep -E '^(infinity_emb|torch)==' "$constraints" | sort | tr '\n' ' ')

installed() {
    [ -x "$venv/bin/infinity_emb" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$constraints" || return 1
    local have
    have=$("$venv/bin/python" -c "import importlib.metadata as m; print(' '.join(sorted(f'{p}=={m.version(p)}' for p in ('infinity_emb', 'torch'))))" 2>/dev/null) || return 1
    [ "$have " = "$want" ]
}

if installed; then
    echo "$venv"
    exit 0
fi

echo "installing infinity-emb into $venv (about 1.5 minutes, 1.4 GB)" >&2
start=$(date +%s)
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$constraints" "infinity-emb[server,torch]"
# The server must start its command line (imports torch, transformers, FastAPI).
if ! "$venv/bin/infinity_emb" v2 --help >/dev/null 2>&1; then
    echo "infinity_emb was installed into $venv but does not run:" >&2
    "$venv/bin/infinity_emb" v2 --help >&2 || true
    exit 1
fi
cp "$constraints" "$stamp"
echo "infinity-emb installed in $(( $(date +%s) - start )) s" >&2
echo "$venv"
