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


_SEEN: dict[tuple[str, int], object] = {}  # text, tokens -> its vector, for the whole run


@pytest.fixture(autouse=True)
def _sentences_encoded_once(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sentence model reads each text once per test run: many tests index
    the same evaluation FAQs, and its vectors depend on the text alone. Tests
    of the encoder itself, and of what calls it, are marked `real_encoder`
    and run the real one."""
    if request.node.get_closest_marker("real_encoder"):
        return
    from faq_cli import encoder

    encode = encoder.Encoder.encode

    def remembered(
        self: encoder.Encoder,
        texts: list[str],
        most: int = encoder.MAX_TOKENS,
        done: Callable[[int], None] | None = None,
    ) -> object:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if (t, most) not in _SEEN]
        if missing:
            for text, vector in zip(missing, encode(self, missing, most), strict=True):
                _SEEN[text, most] = vector
        if done:
            done(len(texts))
        return np.array([_SEEN[t, most] for t in texts], np.float32).reshape(len(texts), self.dims)

    monkeypatch.setattr(encoder.Encoder, "encode", remembered)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("FAQ_DATA", "NO_COLOR", "FAQ_MAX_BYTES"):
        monkeypatch.delenv(var, raising=False)
    # No reader of a large FAQ left running after a test; tests of it ask for one.
    monkeypatch.setenv("FAQ_BACKGROUND", "0")
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
