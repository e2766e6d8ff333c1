"""The built wheel works from anywhere: the FAQ is inside the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_searches_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("faq_cli-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQ_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bin_dir / args[0]), *args[1:]], cwd=elsewhere, capture_output=True, text=True, env=env
        )

    result = run("faq", "search", "Costa Rica", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["id"] == 8
    # In the user's own words: the sentence model ships in the wheel.
    own_words = run("faq", "search", "who else is the us teaming up with", "--json")
    assert own_words.returncode == 0, own_words.stderr
    assert json.loads(own_words.stdout)[0]["id"] == 8
    module = run("python", "-m", "faq_cli", "show", "8")
    assert module.returncode == 0 and "Costa Rica" in module.stdout
