"""Shared fixtures: run the CLI with separate stdout and stderr, on any FAQ text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

try:
    from typer.testing import CliRunner

    from faq_cli.cli import app
except ImportError as exc:  # tests run before the install step, not a failing test
    raise pytest.UsageError(
        f"{exc}: the project and its test dependencies are not installed in this Python; "
        "run: python3 -m pip install -e '.[test]' && python3 -m pytest"
    ) from None

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _sentences_encoded_once() -> None:
    """The sentence model reads each text once per test run: many tests index
    the same evaluation FAQs, and its vectors depend on the text alone."""
    from faq_cli import encoder

    encode = encoder.Encoder.encode
    seen: dict[tuple[str, int], object] = {}

    def remembered(
        self: encoder.Encoder,
        texts: list[str],
        most: int = encoder.MAX_TOKENS,
        done: Callable[[int], None] | None = None,
    ) -> object:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if (t, most) not in seen]
        if missing:
            for text, vector in zip(missing, encode(self, missing, most), strict=True):
                seen[text, most] = vector
        if done:
            done(len(texts))
        return np.array([seen[t, most] for t in texts], np.float32).reshape(len(texts), self.dims)

    encoder.Encoder.encode = remembered  # type: ignore[method-assign,assignment]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("FAQ_DATA", "NO_COLOR", "FAQ_MAX_BYTES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "100")


@pytest.fixture
def run() -> Callable[..., object]:
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env)

    return invoke


@pytest.fixture
def faq_file(tmp_path: Path) -> Callable[[str | bytes], Path]:
    def write(content: str | bytes, name: str = "faq.yaml") -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write
