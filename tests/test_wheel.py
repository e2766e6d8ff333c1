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
    # Reading other formats needs what the wheel installs (markdown-it-py, docutils).
    markdown = elsewhere / "faq.md"
    markdown.write_text("# Shop\n\n## Do you deliver?\n\nYes.\n", encoding="utf-8")
    read = run("faq", "list", "--data", str(markdown))
    assert (read.returncode, read.stdout) == (0, "1\tDo you deliver?\n"), read.stderr
    # Every licence the package ships under, in full, where pip shows them.
    shown = run("python", "-m", "pip", "show", "-f", "faq-cli").stdout
    licences = [line.strip() for line in shown.splitlines() if "licenses/" in line]
    names = {Path(line).name for line in licences}
    assert {"LICENSE", "NOTICE", "Apache-2.0.txt", "WordNet-3.0.txt", "fortune-mod.txt"} <= names
    assert {"FOLDOC.txt", "GFDL-1.3.txt", "Partnership-FAQ.txt"} <= names
    site = Path(shown.split("Location: ", 1)[1].splitlines()[0])
    apache = next(site / line for line in licences if line.endswith("Apache-2.0.txt"))
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in apache.read_text()
    wordnet = next(site / line for line in licences if line.endswith("WordNet-3.0.txt"))
    assert "Permission to use, copy, modify and distribute this software" in wordnet.read_text()
