"""The demo commune, built once per test run by `majal demo --no-serve` in a child process (as a user runs it), and
copied for each test that needs it: building it takes a minute of a busy 2-core machine (a year of service requests,
collection plans searched for seconds, a social registry).

Under pytest-xdist the workers share the one build: the first to need it builds it under a file lock."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

LOGINS_FILE = "demo-logins.json"


@dataclass(frozen=True)
class DemoBuild:
    """What `majal demo --no-serve` left: its data folder (SQLite file, secret key, logins) and what it printed."""

    data_dir: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def logins(self) -> dict[str, str]:
        return json.loads((self.data_dir / LOGINS_FILE).read_text(encoding="utf-8"))

    def copy_to(self, folder: Path) -> Path:
        """A copy of the data folder at `folder` (modes kept), for a test that changes or serves it."""
        assert self.returncode == 0, f"`majal demo` failed:\n{self.stdout}\n{self.stderr}"
        shutil.copytree(self.data_dir, folder)
        return folder


def demo_env(data_dir: Path) -> dict[str, str]:
    """`majal`'s environment for the demo: no developer setting, no map tiles from the internet, English."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("MAJAL_") or key == "MAJAL_PASSWORD_HASH_COST"}
    env.update(MAJAL_DATA_DIR=str(data_dir), MAJAL_TILE_URL="", LANG="C.UTF-8")
    return env


def build_once(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # xdist: one folder for all workers
    data_dir, record = shared / "demo-build", shared / "demo-build.json"
    with (shared / "demo-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            command = [sys.executable, "-m", "majal.cli", "demo", "--no-serve", "--data-dir", str(data_dir)]
            done = subprocess.run(command, env=demo_env(data_dir), capture_output=True, text=True, timeout=900,
                                  check=False)
            record.write_text(json.dumps({"returncode": done.returncode, "stdout": done.stdout,
                                          "stderr": done.stderr}), encoding="utf-8")
    found = json.loads(record.read_text(encoding="utf-8"))
    return DemoBuild(data_dir, found["returncode"], found["stdout"], found["stderr"])
