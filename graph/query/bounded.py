"""Run one in-process query evaluation under a deadline and a memory bound, in a child process.

``vexas-kg query`` evaluates in a forked child: its address space may grow by at most
``memory_mb`` (``RLIMIT_AS``), and past ``timeout_s`` the parent kills it, so the CPU
is freed at once and the command fails with a clear message instead of running on or
eating the machine's memory. The child hands back its result (or its error) pickled
over a pipe. Where ``fork`` does not exist the evaluation runs unbounded in-process.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import time
from typing import Callable, TypeVar

from vexas_kg import defaults
from vexas_kg.errors import QueryError, VexasKGError

T = TypeVar("T")
DEFAULT_TIMEOUT_S = defaults.QUERY_TIMEOUT_S
DEFAULT_MEMORY_MB = defaults.QUERY_MEMORY_MB


def address_space() -> int:
    """This process's current address space in bytes (Linux), or 0 where unknown."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def run_bounded(work: Callable[[], T], timeout_s: float = DEFAULT_TIMEOUT_S,
                memory_mb: int = DEFAULT_MEMORY_MB) -> T:
    """``work()``, evaluated in a child that may use ``memory_mb`` more memory and ``timeout_s`` seconds."""
    if not hasattr(os, "fork"):
        return work()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: evaluate, send the outcome, end without running the parent's cleanup
        os.close(reader)
        faulthandler.disable()
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # the store's own out-of-memory report; ours goes in the pipe
        code = 0
        try:
            limit = address_space() + memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
            try:
                outcome = ("ok", work())
            except VexasKGError as exc:
                outcome = ("error", exc)
            except MemoryError:
                outcome = ("memory", None)
            with os.fdopen(writer, "wb") as out:
                out.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        except BaseException:  # noqa: BLE001 - anything else: the parent reports a failed evaluation
            code = 1
        finally:
            os._exit(code)
    os.close(writer)
    data = bytearray()
    deadline = time.monotonic() + timeout_s
    try:
        with os.fdopen(reader, "rb", buffering=0) as source:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([source], [], [], left)[0]:
                    os.kill(pid, signal.SIGKILL)
                    raise QueryError(f"the query ran longer than {timeout_s:g} s and was stopped "
                                     "(give a longer --timeout to wait more)")
                chunk = source.read(1 << 20)
                if not chunk:
                    break
                data += chunk
    finally:
        _, status = os.waitpid(pid, 0)
    if not data:
        raise QueryError(f"the query was stopped: it needed more than {memory_mb} MiB "
                         f"(give a larger --memory to allow more; exit status {status})")
    kind, value = pickle.loads(bytes(data))
    if kind == "memory":
        raise QueryError(f"the query was stopped: it needed more than {memory_mb} MiB (give a larger --memory)")
    if kind == "error":
        raise value
    return value
