"""The forked worker: same answer as running inline, failures surface, no stray process is left."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from vexas_kg.graph.background import Background, WorkerFailed, can_fork

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker is forked on Linux")


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def _fail() -> None:
    raise ValueError("shapes are broken")


def _vanish() -> None:
    os._exit(3)


def _sleep() -> None:
    time.sleep(60)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@linux_only
def test_a_single_threaded_linux_process_forks() -> None:
    assert threading.active_count() == 1
    assert can_fork()


@linux_only
def test_the_worker_runs_in_another_process_and_returns_its_value() -> None:
    with Background(_pid_and, 21) as job:
        pid, value = job.result()
    assert job.forked
    assert pid != os.getpid()
    assert value == 42
    assert _gone(pid)


def test_without_fork_the_function_runs_in_the_caller() -> None:
    with Background(_pid_and, 21, fork=False) as job:
        assert not job.forked
        assert job.result() == (os.getpid(), 42)


def test_a_running_thread_makes_it_run_in_the_caller() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with Background(_pid_and, 1) as job:
            assert not job.forked
            assert job.result() == (os.getpid(), 2)
    finally:
        stop.set()
        thread.join()


@linux_only
def test_an_exception_in_the_worker_is_raised_with_its_traceback() -> None:
    with Background(_fail) as job:
        with pytest.raises(WorkerFailed) as caught:
            job.result()
    assert "ValueError: shapes are broken" in str(caught.value)
    assert "_fail" in str(caught.value)


@linux_only
def test_a_worker_that_dies_without_answering_is_reported() -> None:
    with Background(_vanish) as job:
        with pytest.raises(WorkerFailed, match="ended without an answer"):
            job.result()


@linux_only
def test_leaving_the_block_early_stops_and_reaps_the_worker() -> None:
    with pytest.raises(RuntimeError, match="serialising failed"):
        with Background(_sleep) as job:
            pid = job._pid
            assert pid and not _gone(pid)
            raise RuntimeError("serialising failed")
    assert _gone(pid)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
