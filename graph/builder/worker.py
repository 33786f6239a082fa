"""Run one function in a forked worker process while the caller goes on.

The build uses it to validate the graph (pySHACL, pure Python) on one core while it
loads the records and serialises them on the other. The worker is forked before the
records are read, so that it can ``prepare`` (import pySHACL, read the shapes) while
the caller loads; the caller then ``send``s it the input, pickled through a pipe, and
later collects the ``result`` the same way.

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

I = TypeVar("I")  # noqa: E741 - the input, as T is the output
T = TypeVar("T")

PIPE_BYTES = 1 << 20
"""Pipe capacity asked for, so that sending the input does not wait for the worker to read it."""


class WorkerFailed(RuntimeError):
    """The worker process raised, or died before it could answer: a crash, not bad input."""


def can_fork() -> bool:
    """Whether a worker would be forked here (else the function runs in the caller)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Worker(Generic[I, T]):
    """``fn(input)`` in a forked worker that runs ``prepare()`` first, or in the caller.

    Use as a context manager: leaving the block without collecting the result stops
    the worker, so an error in the caller never leaves a stray process behind.
    """

    def __init__(self, fn: Callable[[I], T], *, prepare: Callable[[], object] | None = None,
                 fork: bool = True) -> None:
        self.fn, self.prepare = fn, prepare
        self.forked = fork and can_fork()
        self._pid = 0
        self._to_worker = self._from_worker = -1
        self._done = False
        self._value: T | None = None
        if not self.forked:
            return
        input_read, input_write = os.pipe()
        result_read, result_write = os.pipe()
        _widen(input_write)
        pid = os.fork()
        if pid == 0:  # the worker: prepare, answer through the pipe, then leave without cleanup handlers
            os.close(input_write)
            os.close(result_read)
            _serve(input_read, result_write, fn, prepare)
        os.close(input_read)
        os.close(result_write)
        self._pid, self._to_worker, self._from_worker = pid, input_write, result_read

    def send(self, value: I) -> None:
        """Give the worker its input (in the caller: compute the result now)."""
        if not self.forked:
            if self.prepare is not None:
                self.prepare()
            self._value, self._done = self.fn(value), True
            return
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with os.fdopen(self._to_worker, "wb") as stream:
                self._to_worker = -1
                stream.write(data)
        except BrokenPipeError:
            pass  # the worker stopped before reading its input; result() reports why

    def result(self) -> T:
        """Wait for the worker and return its value; raise WorkerFailed if it failed."""
        if self._done:
            return self._value  # type: ignore[return-value]
        with os.fdopen(self._from_worker, "rb") as stream:
            self._from_worker = -1
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
        for fd in (self._to_worker, self._from_worker):
            if fd >= 0:
                os.close(fd)
        self._to_worker = self._from_worker = -1
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid, self._done = 0, True

    def __enter__(self) -> Worker[I, T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def in_background(fn: Callable[[I], T], value: I, *, fork: bool = True) -> Worker[I, T]:
    """A worker already given its input: ``fn(value)`` runs while the caller goes on."""
    worker: Worker[I, T] = Worker(fn, fork=fork)
    worker.send(value)
    return worker


def _widen(fd: int) -> None:
    """Ask for a pipe large enough for the whole input (Linux); otherwise the write just waits."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def _serve(input_fd: int, result_fd: int, fn: Callable[[Any], Any], prepare: Callable[[], object] | None) -> None:
    """In the worker: prepare, read the input, write ("ok", value) or ("error", traceback), and exit."""
    code = 0
    try:
        try:
            if prepare is not None:
                prepare()
            with os.fdopen(input_fd, "rb") as stream:
                value = pickle.loads(stream.read())
            data = pickle.dumps(("ok", fn(value)))
        except BaseException:  # the caller re-raises it; the worker must exit either way
            data = pickle.dumps(("error", traceback.format_exc()))
        with os.fdopen(result_fd, "wb") as stream:
            stream.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)
