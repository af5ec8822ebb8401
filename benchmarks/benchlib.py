"""Helpers shared by the benchmark scripts: running vectui for its JSON, and naming the machine."""

import json
import platform
import subprocess
import sys


def run_json(cmd):
    """Runs `cmd` (any values, made strings) and returns its stdout parsed as JSON; exits with
    the command's stderr when it fails."""
    cmd = [str(c) for c in cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, else what platform knows."""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
