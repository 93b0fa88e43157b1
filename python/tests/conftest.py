"""Shared by the package's tests: the repository root and the `cdnsim` binary they compare with."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli_binary() -> Path:
    """The command line to compare with: $CDNSIM_BIN, else the debug build `cargo test` leaves, else release."""
    if os.environ.get("CDNSIM_BIN"):
        return Path(os.environ["CDNSIM_BIN"])
    for profile in ["debug", "release"]:
        path = ROOT / "target" / profile / "cdnsim"
        if path.exists():
            return path
    raise RuntimeError("no cdnsim binary to compare with: run `cargo build` first, or set CDNSIM_BIN")


@pytest.fixture(scope="session")
def cli():
    """Runs the command line from the repository root: (exit status, stdout, stderr)."""
    binary = cli_binary()

    def run(*args):
        done = subprocess.run([str(binary), *map(str, args)], cwd=ROOT, capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr

    return run
