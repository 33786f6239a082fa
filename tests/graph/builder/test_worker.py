"""The forked worker: same answer as running inline, failures surface, no stray process is left."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from vexas_kg.graph.builder.worker import Worker, WorkerFailed, can_fork

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker is forked on Linux")


PREPARED: list[int] = []


def _prepare() -> None:
    PREPARED.append(os.getpid())


def _pid_and(value: int) -> tuple[int, int, list[int]]:
    return os.getpid(), value * 2, list(PREPARED)


def _fail(value: object = None) -> None:
    raise ValueError("shapes are broken")


def _vanish(value: object = None) -> None:
    os._exit(3)


def _sleep(value: object = None) -> None:
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
def test_the_worker_prepares_then_answers_in_another_process() -> None:
    with Worker(_pid_and, prepare=_prepare) as job:
        job.send(21)
        pid, value, prepared = job.result()
    assert job.forked
    assert pid != os.getpid()
    assert value == 42
    assert prepared == [pid], "prepare ran once, in the worker, before the input"
    assert PREPARED == []
    assert _gone(pid)


def test_a_large_input_goes_through() -> None:
    big = list(range(300_000))
    with Worker(len) as job:
        job.send(big)
        assert job.result() == 300_000


def test_without_fork_the_function_runs_in_the_caller() -> None:
    with Worker(_pid_and, prepare=_prepare, fork=False) as job:
        assert not job.forked
        job.send(21)
        assert job.result() == (os.getpid(), 42, [os.getpid()])
    PREPARED.clear()


def test_a_running_thread_makes_it_run_in_the_caller() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with Worker(_pid_and) as job:
            assert not job.forked
            job.send(1)
            assert job.result() == (os.getpid(), 2, [])
    finally:
        stop.set()
        thread.join()


@linux_only
def test_an_exception_in_the_worker_is_raised_with_its_traceback() -> None:
    with Worker(_fail) as job:
        job.send(None)
        with pytest.raises(WorkerFailed) as caught:
            job.result()
    assert "ValueError: shapes are broken" in str(caught.value)
    assert "_fail" in str(caught.value)


@linux_only
def test_a_failing_prepare_is_reported_even_before_the_input_is_read() -> None:
    with Worker(_pid_and, prepare=_fail) as job:
        job.send(list(range(300_000)))
        with pytest.raises(WorkerFailed, match="ValueError: shapes are broken"):
            job.result()


@linux_only
def test_a_worker_that_dies_without_answering_is_reported() -> None:
    with Worker(_vanish) as job:
        job.send(None)
        with pytest.raises(WorkerFailed, match="ended without an answer"):
            job.result()


@linux_only
def test_leaving_the_block_early_stops_and_reaps_the_worker() -> None:
    with pytest.raises(RuntimeError, match="loading failed"):
        with Worker(_sleep, prepare=lambda: time.sleep(60)) as job:
            pid = job._pid
            assert pid and not _gone(pid)
            raise RuntimeError("loading failed")
    assert _gone(pid)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
