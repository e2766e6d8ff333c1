"""Where FAQ files come from: the bundled FAQ, and reading a file with a size
limit and a worded error for everything that can go wrong. Cheap to import:
a warm start reads the cache and never needs the YAML parser."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from faq_cli.errors import DataError, Problem

# A 100,000-entry FAQ of long real answers is about 114 MB, and its first read
# peaks near 250 MB (see docs/scale.md); past this, the error says how
# to raise the limit, for those with the memory to spare.
DEFAULT_MAX_BYTES = 128 * 1024 * 1024


def bundled() -> Path:
    """The FAQ shipped inside the package, as the `faq_cli.data` resource."""
    from importlib import import_module

    # The package's own search location is where importlib.resources.files()
    # looks too, without the 6 ms of imports (zipfile among them) that files()
    # would add to every start. Packages installed by pip are directories.
    spec = import_module("faq_cli.data").__spec__
    assert spec is not None and spec.submodule_search_locations, "faq_cli.data is a package"
    return Path(next(iter(spec.submodule_search_locations))) / "faq.yaml"


def max_bytes() -> int:
    """The size limit, from FAQ_MAX_BYTES when set to a positive integer."""
    value = os.environ.get("FAQ_MAX_BYTES", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MAX_BYTES


def read_bytes(path: Path) -> bytes:
    """Read the file, refusing what is not a regular readable file of sane size."""
    name = str(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise DataError(name, [Problem("is a directory, not a FAQ file")])
        if not stat.S_ISREG(st.st_mode):  # a FIFO or a device could block or never end
            raise DataError(name, [Problem("is not a regular file")])
        size = st.st_size
        limit = max_bytes()
        if size > limit:
            message = f"file is {size:,} bytes, over the {limit:,}-byte limit; set FAQ_MAX_BYTES to raise it"
            raise DataError(name, [Problem(message)])
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
