"""The suite's own rules: a warning fails the test that caused it.

The running bot once sent no prompt because APScheduler dropped a coroutine; the only sign was
a RuntimeWarning. These run pytest, with this project's configuration, on a test that
commits that bug, and expect it to fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DROPPED_COROUTINE = """
import gc

async def job():
    return 1

def test_a_job_whose_coroutine_is_dropped():
    job()
    gc.collect()
"""

WARNS = """
import warnings

def test_a_runtime_warning():
    warnings.warn("coroutine 'PromptJob.__call__' was never awaited", RuntimeWarning)
"""


def outcome(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    test = tmp_path / "test_rule.py"
    test.write_text(source)
    return subprocess.run(  # noqa: S603 - our own interpreter on our own file
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "-p",
            "no:cacheprovider",
            str(test),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_coroutine_never_awaited_fails_its_test(tmp_path):
    run = outcome(tmp_path, DROPPED_COROUTINE)
    assert run.returncode == 1, run.stdout
    assert "never awaited" in run.stdout


def test_a_runtime_warning_fails_its_test(tmp_path):
    run = outcome(tmp_path, WARNS)
    assert run.returncode == 1, run.stdout
    assert "1 failed" in run.stdout
