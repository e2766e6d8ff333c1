"""The process around a command: the standard streams the shell gave it (or
closed), the signals that end it, what it says on stderr, how its output ends
when the reader goes away or the disk is full, and numpy's threads."""

import contextlib
import errno
import io
import os
import sys
from typing import Any

EXIT_USAGE, EXIT_PIPE = 2, 141
EXIT_SIGNAL = 128  # plus the signal's number, as a shell reports a program it ended


def error(message: str) -> None:
    print(f"faq: error: {_safe(message)}", file=sys.stderr)


def hint(message: str) -> None:
    print(f"faq: {_safe(message)}", file=sys.stderr)


def _safe(message: str) -> str:
    from faq_cli.text import visible

    return visible(message, one_line=True)


class PipeClosed(Exception):
    """The reader of stdout went away."""


class Signalled(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, so that it cleans up as
    for Ctrl-C (a half-built cache is removed) and exits as the signal would."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> None:
    raise Signalled(signum)


def catch_signals() -> None:
    """SIGTERM and SIGHUP end the command as Ctrl-C does (`Signalled`)."""
    import signal

    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup's choice stands
            signal.signal(signum, _on_signal)


class _ClosedOutput(io.TextIOBase):
    """Standard output that the shell closed (`faq list >&-`): writing to it
    is an error, as writing to a full disk is; nothing is lost silently."""

    def writable(self) -> bool:
        return True

    def write(self, text: Any) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    @property
    def buffer(self) -> "_ClosedOutput":
        return self


def one_blas_thread() -> None:
    """numpy's matrix products on one thread, unless the user says otherwise;
    this works only before numpy is imported. A query's matrices are small, and
    a second thread costs more in hand-offs than it gains; an index being
    built runs a batch of texts on each core instead (`encoder.encode`)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def standard_streams() -> None:
    """Stand-ins for the streams the shell closed (`>&-`, `2>&-`, `<&-`). Their
    descriptors get /dev/null, so that no file opened later takes one of
    them; stdin reads nothing, diagnostics go nowhere, output is an error."""
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        if getattr(sys, name) is not None:
            continue
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
        stand_in = _ClosedOutput() if name == "stdout" else open(fd, "r" if fd == 0 else "w", closefd=False)  # noqa: SIM115
        setattr(sys, name, stand_in)


def broken_pipe() -> int:
    """The reader went away (`faq list | head -1`): stop quietly, as SIGPIPE would."""
    _drop_stdout()
    return EXIT_PIPE


def unwritable(exc: OSError) -> int:
    """A full disk (`faq list > /dev/full`): say so, and exit as for any other error."""
    error(f"cannot write output: {exc.strerror or exc}")
    _drop_stdout()
    return EXIT_USAGE


def _drop_stdout() -> None:
    # What is still buffered could never be written: send it nowhere, so that
    # no later flush complains.
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def flushed(code: int) -> int:
    """`code`, once what stdout holds is written; or the code of why it cannot be."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return broken_pipe()
    except OSError as exc:
        return unwritable(exc)
    return code


def finish(code: int) -> None:
    """Flush the output and leave. Every file is closed and every cache
    written by now: the interpreter's teardown (about 10 ms once Typer is
    loaded, a third of the start-up budget) is skipped."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            code = code or EXIT_PIPE
        except OSError as exc:
            code = unwritable(exc)
    os._exit(code)
