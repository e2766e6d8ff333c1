"""Where FAQ files come from: the bundled FAQ, and reading a file with a size
limit and a worded error for everything that can go wrong. Cheap to import:
a warm start reads the cache and never needs the YAML parser."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from faq_cli.errors import DataError, FaqError, Problem

# A 100,000-entry FAQ of long real answers is about 114 MB, and its first read
# peaks near 250 MB (see docs/scale.md); past this, the error says how
# to raise the limit, for those with the memory to spare.
DEFAULT_MAX_BYTES = 128 * 1024 * 1024


class How(NamedTuple):
    """How to read a FAQ file: the format and question level the user chose
    (None: as its content says, `readers`), and the media type it came with."""

    format: str | None = None
    level: int | None = None
    media: str | None = None


def bundled() -> Path:
    """The FAQ shipped inside the package, as the `faq_cli.data` resource."""
    from importlib import import_module

    # The package's own search location is where importlib.resources.files()
    # looks too, without the 6 ms of imports (zipfile among them) that files()
    # would add to every start. Packages installed by pip are directories.
    try:
        spec = import_module("faq_cli.data").__spec__
    except ModuleNotFoundError:  # a source tree, not installed: its data/ is not the package's yet
        run = "run 'python3 -m pip install -e .' here, or give one with --data"
        raise FaqError(f"the bundled FAQ is not installed; {run}") from None
    assert spec is not None and spec.submodule_search_locations, "faq_cli.data is a package"
    return Path(next(iter(spec.submodule_search_locations))) / "faq.yaml"


def max_bytes() -> int:
    """The size limit, from FAQ_MAX_BYTES when set to a positive integer."""
    value = os.environ.get("FAQ_MAX_BYTES", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MAX_BYTES


def within_limit(size: int, name: str) -> int:
    """The size limit, once `size` is within it; else the worded error."""
    limit = max_bytes()
    if size > limit:
        message = f"file is {size:,} bytes, over the {limit:,}-byte limit; set FAQ_MAX_BYTES to raise it"
        raise DataError(name, [Problem(message)])
    return limit


def read_bytes(path: Path) -> bytes:
    """Read the file, refusing what is not a regular readable file of sane size."""
    name = str(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise DataError(name, [Problem("is a directory, not a FAQ file")])
        if not stat.S_ISREG(st.st_mode):  # a FIFO or a device could block or never end
            raise DataError(name, [Problem("is not a regular file")])
        limit = within_limit(st.st_size, name)
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise DataError(name, [Problem("no such file")]) from None
    except PermissionError:
        raise DataError(name, [Problem("permission denied")]) from None
    except OSError as exc:
        raise DataError(name, [Problem(exc.strerror or str(exc))]) from None
    except ValueError:  # a NUL in the name
        raise DataError(name, [Problem("not a valid file name")]) from None
    if len(data) > limit:  # it grew, or is a device
        raise DataError(
            name, [Problem(f"file is over the {limit:,}-byte limit (set FAQ_MAX_BYTES to raise it)")]
        )
    return data


# --- a FAQ at a URL ------------------------------------------------------------

TIMEOUT = 10  # seconds, for the whole fetch
MAX_REDIRECTS = 5


def is_url(text: str) -> bool:
    """Whether `--data` names a URL rather than a file: any "scheme://"."""
    return "://" in text and text.split("://", 1)[0].isalpha()


def shown(url: str) -> str:
    """The URL as messages name it: without its credentials, ever."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if parts.port is not None:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


class Fetched:
    """A FAQ fetched from a URL: the file its content is in (the cached copy,
    or a temporary one), and its media type. A context manager: a temporary
    copy is removed when it is done with."""

    def __init__(self, path: Path, media: str | None, temporary: bool) -> None:
        self.path, self.media, self.temporary = path, media, temporary

    def __enter__(self) -> Fetched:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.temporary:
            import shutil

            shutil.rmtree(self.path.parent, ignore_errors=True)


def fetch(url: str, use_cache: bool = True, notice: Callable[[str], None] | None = None) -> Fetched:
    """The FAQ at `url` (http or https), fetched within TIMEOUT seconds,
    FAQ_MAX_BYTES and MAX_REDIRECTS; kept in the user cache and revalidated
    with its ETag or Last-Modified; when the network fails, the kept copy is
    used, and `notice` says how old it is. Without `use_cache`, always
    fetched afresh, and kept nowhere."""
    import json
    import time
    import zlib

    name = shown(url)
    scheme = url.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise DataError(name, [Problem(f"only http and https URLs can be read, not {scheme}")])
    place = _fetched_folder() if use_cache else None
    key = f"{zlib.crc32(url.encode('utf-8', 'surrogateescape')):08x}"
    body = place / f"{key}.body" if place else None
    about = place / f"{key}.json" if place else None
    kept: dict[str, Any] = {}
    if body is not None and about is not None and _ours(body) and _ours(about):
        try:
            kept = json.loads(about.read_text(encoding="utf-8"))
            kept = kept if isinstance(kept, dict) and kept.get("url") == url else {}
        except (OSError, ValueError):
            kept = {}
    try:
        status, data, headers = _get(url, name, kept)
    except _Unreachable as exc:
        if kept and body is not None:
            if notice:
                notice(
                    f"cannot reach {name} ({exc}); using the copy fetched {_age(kept.get('fetched', 0))} ago"
                )
            return Fetched(body, kept.get("media"), False)
        raise DataError(name, [Problem(f"cannot fetch it: {exc}")]) from None
    if status == 304 and kept and body is not None:
        return Fetched(body, kept.get("media"), False)
    media = headers.get("Content-Type")
    if body is None or about is None:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="faq-fetch-"))
        temporary = folder / "faq"
        temporary.write_bytes(data)
        return Fetched(temporary, media, True)
    record = {
        "url": url,
        "media": media,
        "etag": headers.get("ETag"),
        "modified": headers.get("Last-Modified"),
        "fetched": time.time(),
    }
    if _write(body, data) and _write(about, json.dumps(record).encode("utf-8")):
        return Fetched(body, media, False)
    return fetch(url, False)  # the cache cannot be written: a copy of our own, then


class _Unreachable(Exception):
    """The network failed: no answer, a refused connection, a timeout."""


def _get(url: str, name: str, kept: dict[str, Any]) -> tuple[int, bytes, Any]:
    """(status, content, headers) of a GET of `url`, conditional on what was
    `kept`; an HTTP error is the URL's problem, a network failure `_Unreachable`."""
    import base64
    import time
    import urllib.error
    import urllib.request
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    request = urllib.request.Request(shown(url), headers={"User-Agent": "faq-cli", "Accept": "*/*"})
    if parts.username is not None:  # sent to this host only, never after a redirect
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        request.add_unredirected_header("Authorization", "Basic " + base64.b64encode(pair.encode()).decode())
    if kept.get("etag"):
        request.add_header("If-None-Match", kept["etag"])
    if kept.get("modified"):
        request.add_header("If-Modified-Since", kept["modified"])
    opener = urllib.request.build_opener(_redirects())
    limit = max_bytes()
    deadline = time.monotonic() + TIMEOUT
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit:
                raise DataError(name, [Problem(_too_big(int(length), limit))])
            chunks, size = [], 0
            while chunk := response.read(1 << 16):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise DataError(name, [Problem(_too_big(size, limit, more=True))])
                if time.monotonic() > deadline:
                    raise _Unreachable(f"no whole answer within {TIMEOUT} seconds")
            return response.status, b"".join(chunks), response.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, b"", exc.headers
        raise DataError(name, [Problem(f"HTTP {exc.code} {exc.reason}")]) from None
    except urllib.error.URLError as exc:
        raise _Unreachable(str(getattr(exc.reason, "strerror", None) or exc.reason)) from None
    except (TimeoutError, OSError) as exc:
        raise _Unreachable(str(exc.strerror or exc) if isinstance(exc, OSError) else "timed out") from None
    except ValueError as exc:  # a URL urllib cannot read
        raise DataError(name, [Problem(f"not a URL that can be fetched: {exc}")]) from None


def _too_big(size: int, limit: int, more: bool = False) -> str:
    said = f"over {limit:,}" if more else f"{size:,}"
    return f"it is {said} bytes, over the {limit:,}-byte limit; set FAQ_MAX_BYTES to raise it"


def _redirects() -> type:
    import urllib.error
    import urllib.request

    class Redirects(urllib.request.HTTPRedirectHandler):
        """At most MAX_REDIRECTS, and only to http or https."""

        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            if newurl.split("://", 1)[0].lower() not in ("http", "https"):
                raise urllib.error.URLError(f"redirected to a URL that is not http or https: {shown(newurl)}")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return Redirects


def _fetched_folder() -> Path | None:
    """Where fetched copies are kept: beside the index cache, as private."""
    from faq_cli import cache

    where = cache.folder()
    if where is None or cache.private(where) is not None:
        return None
    place = where / "fetched"
    return place if cache.private(place) is None else None


def _ours(path: Path) -> bool:
    from faq_cli import cache

    return path.exists() and cache.usable(path)


def _write(path: Path, data: bytes) -> bool:
    """`data` into `path`, atomically, private to the user; False where it cannot be."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False


def _age(when: float) -> str:
    import time

    seconds = max(0, int(time.time() - when))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' * (n > 1)}"
    return f"{seconds} second{'s' * (seconds != 1)}"
