"""A FAQ at a URL, served here by a local http.server on 127.0.0.1: fetched,
read by its media type, kept in the user cache and revalidated, used from
the cache when the network is down, and refused within its limits."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from faq_cli import source

FAQ_MD = b"# Shop FAQ\n\n## Do you deliver?\n\nYes, within 10 km.\n\n## Can I return it?\n\nWithin 30 days.\n"
FAQ_V2 = FAQ_MD.replace(b"10 km", b"20 km")


class Site:
    """What the server serves, and what it was asked."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers)))
            status, headers, body = state.pages.get(self.path, (404, {}, b"not here"))
            if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                status, body = 304, b""
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def page(
    body: bytes, media: str = "text/markdown", etag: str | None = '"v1"'
) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": media, **({"ETag": etag} if etag else {})}, body


def test_a_url_is_fetched_read_by_its_media_type_and_searched(site, run) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    state.pages["/help"] = page(FAQ_MD)  # no extension: the media type says Markdown
    found = run("search", "deliver", "--json", "--data", f"{base}/help")
    assert found.exit_code == 0, found.stderr
    assert json.loads(found.stdout)[0]["answer"] == "Yes, within 10 km."
    listed = run("list", "--data", f"{base}/help")
    assert listed.stdout == "1\tDo you deliver?\n2\tCan I return it?\n"
    # The second time, the cached copy was revalidated with its ETag: not sent again.
    assert state.requests[-1][1].get("If-None-Match") == '"v1"'


def test_a_changed_page_is_fetched_again_and_read_anew(site, run) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    state.pages["/faq.md"] = page(FAQ_MD)
    assert "10 km" in run("show", "1", "--data", f"{base}/faq.md").stdout
    state.pages["/faq.md"] = page(FAQ_V2, etag='"v2"')
    assert "20 km" in run("show", "1", "--data", f"{base}/faq.md").stdout


def test_offline_the_cached_copy_is_used_and_its_age_said(site, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    state.pages["/faq.md"] = page(FAQ_MD)
    assert run("list", "--data", f"{base}/faq.md").exit_code == 0
    monkeypatch.setattr(source, "_get", _refused)
    offline = run("list", "--data", f"{base}/faq.md")
    assert offline.exit_code == 0 and offline.stdout == "1\tDo you deliver?\n2\tCan I return it?\n"
    assert offline.stderr.startswith(
        f"faq: cannot reach {base}/faq.md (Connection refused); using the copy fetched"
    )
    assert offline.stderr.endswith(" ago\n") and offline.stderr.count("\n") == 1
    nothing_kept = run("list", "--data", f"{base}/other.md")
    assert nothing_kept.exit_code == 2
    assert nothing_kept.stderr == f"faq: error: {base}/other.md: cannot fetch it: Connection refused\n"


def _refused(url: str, name: str, kept: object) -> object:
    raise source._Unreachable("Connection refused")


def test_no_cache_always_fetches_and_keeps_nothing(site, run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    state.pages["/faq.md"] = page(FAQ_MD)
    for _ in range(2):
        assert run("list", "--no-cache", "--data", f"{base}/faq.md").exit_code == 0
    assert [headers.get("If-None-Match") for _, headers in state.requests] == [None, None]
    assert not (tmp_path / "cache" / "faq" / "fetched").exists()


def test_http_errors_and_refused_connections_exit_2_without_a_traceback(site, run) -> None:  # type: ignore[no-untyped-def]
    _, base = site
    missing = run("list", "--data", f"{base}/missing.md")
    assert missing.exit_code == 2 and missing.stdout == ""
    assert missing.stderr == f"faq: error: {base}/missing.md: HTTP 404 Not Found\n"
    refused = run("list", "--data", "http://127.0.0.1:9/faq.md")  # the discard port: nobody listens
    assert (
        refused.exit_code == 2 and "cannot fetch it" in refused.stderr and "Traceback" not in refused.stderr
    )
    other = run("list", "--data", "ftp://127.0.0.1/faq.md")
    assert other.exit_code == 2 and "only http and https URLs can be read, not ftp" in other.stderr


def test_credentials_are_sent_to_their_host_and_never_printed(site, run) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    secret = base.replace("http://", "http://ann:s3cret@")
    result = run("list", "--data", f"{secret}/missing.md")
    assert result.exit_code == 2 and "s3cret" not in result.stderr and "ann" not in result.stderr
    sent = state.requests[-1][1]["Authorization"]
    assert base64.b64decode(sent.split()[1]) == b"ann:s3cret"


def test_credentials_are_not_sent_on_after_a_redirect(site, run) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    state.pages["/moved.md"] = (302, {"Location": "/faq.md"}, b"")
    state.pages["/faq.md"] = page(FAQ_MD)
    secret = base.replace("http://", "http://ann:s3cret@")
    assert run("list", "--data", f"{secret}/moved.md").exit_code == 0
    (first, asked), (then, told) = state.requests[-2:]
    assert (first, then) == ("/moved.md", "/faq.md")
    assert "Authorization" in asked and "Authorization" not in told  # the next host may be anyone's


def test_at_most_five_redirects(site, run) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    for i in range(7):
        state.pages[f"/r{i}"] = (302, {"Location": f"/r{i + 1}"}, b"")
    state.pages["/r5"] = page(FAQ_MD)
    assert run("list", "--data", f"{base}/r0").exit_code == 0  # five hops
    state.pages["/r5"] = (302, {"Location": "/r6"}, b"")
    state.pages["/r6"] = page(FAQ_MD)
    too_many = run("list", "--data", f"{base}/r0")
    assert too_many.exit_code == 2 and "redirect" in too_many.stderr.lower()
    state.pages["/away"] = (302, {"Location": "file:///etc/passwd"}, b"")
    away = run("list", "--data", f"{base}/away")
    assert away.exit_code == 2 and "file:///etc/passwd' is not allowed" in away.stderr


def test_the_size_limit_holds_for_a_url(site, run) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    state.pages["/big.md"] = page(FAQ_MD * 100)
    result = run("list", "--data", f"{base}/big.md", env={"FAQ_MAX_BYTES": "1000"})
    assert result.exit_code == 2 and "over the 1,000-byte limit; set FAQ_MAX_BYTES" in result.stderr


def test_validate_and_convert_read_a_url(site, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    state.pages["/faq"] = page(FAQ_MD, media="text/markdown; charset=utf-8")
    said = run("validate", f"{base}/faq")
    assert (
        said.stderr == f"faq: {base}/faq: valid, 2 entries, read as Markdown; questions: level-2 headings\n"
    )
    converted = run("convert", f"{base}/faq")
    assert converted.exit_code == 0 and "question: Do you deliver?" in converted.stdout
