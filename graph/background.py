"""Run one function in a forked worker process while the caller goes on.

The build uses it to validate the graph (pySHACL, pure Python) on one core while it
serialises the same graph on the other. A forked child inherits the graph, so nothing
is copied or re-parsed; only the function's result comes back, pickled through a pipe.

Forking is used only where it is safe: on platforms with ``os.fork`` and in a process
with a single thread (a lock held by another thread at fork time would stay held in the
child). Everywhere else the function simply runs in the caller, with the same result.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import traceback
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class WorkerFailed(RuntimeError):
    """The worker process raised, or died before it could answer: a crash, not bad input."""


def can_fork() -> bool:
    """Whether a worker would be forked here (else the function runs in the caller)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Background(Generic[T]):
    """``fn(*args)`` running in a forked worker, or already run in the caller.

    Use as a context manager: leaving the block without collecting the result stops
    the worker, so an error in the caller never leaves a stray process behind.
    """

    def __init__(self, fn: Callable[..., T], *args: Any, fork: bool = True) -> None:
        self.forked = fork and can_fork()
        self._pid = 0
        self._read_fd = -1
        self._done = False
        self._value: T | None = None
        if not self.forked:
            self._value, self._done = fn(*args), True
            return
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: answer through the pipe, then leave without cleanup handlers
            os.close(read_fd)
            _answer(write_fd, fn, args)
        os.close(write_fd)
        self._pid, self._read_fd = pid, read_fd

    def result(self) -> T:
        """Wait for the worker and return its value; raise WorkerFailed if it failed."""
        if self._done:
            return self._value  # type: ignore[return-value]
        with os.fdopen(self._read_fd, "rb") as stream:
            data = stream.read()
        _, status = os.waitpid(self._pid, 0)
        self._done, self._pid = True, 0
        if not data:
            raise WorkerFailed(f"the worker process ended without an answer (wait status {status})")
        kind, payload = pickle.loads(data)
        if kind == "error":
            raise WorkerFailed(f"the worker process failed:\n{payload}")
        self._value = payload
        return payload

    def stop(self) -> None:
        """Stop a worker whose result is no longer wanted, and reap it."""
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            os.close(self._read_fd)
            self._pid, self._done = 0, True

    def __enter__(self) -> Background[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _answer(write_fd: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """In the worker: run ``fn``, write ("ok", value) or ("error", traceback), and exit."""
    code = 0
    try:
        try:
            data = pickle.dumps(("ok", fn(*args)))
        except BaseException:  # the caller re-raises it; the worker must exit either way
            data = pickle.dumps(("error", traceback.format_exc()))
        with os.fdopen(write_fd, "wb") as stream:
            stream.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)
