"""policygen/forked.py: generate's second core. A forked child's result is the work's result, and whatever
goes wrong in or around the child, the work is done in this process instead, with the same outcome."""

from __future__ import annotations

import os
import threading

import pytest

import policygen as pg
from policygen.forked import Forked, can_fork
from policygen.pipeline import render_backends

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")


def _single_threaded() -> None:
    """These tests need this process to be able to fork: under CI a thread left running is a failure."""
    if can_fork():
        return
    message = f"{threading.active_count()} threads are running in this test process: Forked would not fork"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _pid_and(value):
    return lambda: (os.getpid(), value)


def test_the_work_runs_in_a_child_and_its_result_comes_back():
    _single_threaded()
    big = "x" * 3_000_000  # far more than a pipe holds: the child blocks until it is read
    with Forked(_pid_and(big)) as child:
        pid, value = child.result()
    assert pid != os.getpid() and value == big


def test_with_another_thread_running_the_work_is_done_here():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with Forked(_pid_and(1)) as child:
            assert child.result() == (os.getpid(), 1)
    finally:
        stop.set()
        other.join()


def test_a_child_that_fails_is_done_again_here_and_raises_here():
    calls = []

    def work():
        calls.append(os.getpid())
        raise ValueError("boom")

    with Forked(work) as child, pytest.raises(ValueError, match="boom"):
        child.result()
    assert calls == [os.getpid()]  # the child's own attempt is in the child's memory, not here


def test_leaving_before_the_result_neither_hangs_nor_leaves_a_child():
    _single_threaded()
    child = Forked(_pid_and("x" * 3_000_000))
    pid = child._pid
    child.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped


def test_forked_rendering_is_byte_identical_to_rendering_in_one_process(reference_plan):
    one = {p: t for batch in render_backends(reference_plan, jobs=1) for p, t in batch.items()}
    two = {p: t for batch in render_backends(reference_plan, jobs=2) for p, t in batch.items()}
    assert one == two and len(one) > 400


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_backend_that_fails_while_streaming_leaves_the_old_tree_and_no_temporary_folder(reference_plan, tmp_path,
                                                                                         monkeypatch, jobs):
    out = tmp_path / "dist"
    pg.generate(reference_plan, out)
    (out / "rego" / "main.rego").write_text("# changed since: the new tree gets written\n")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    from policygen.backends.vap import VapBackend

    def broken(self, plan):
        raise RuntimeError("a template bug")

    monkeypatch.setattr(VapBackend, "render", broken)
    monkeypatch.setenv("POLICYGEN_JOBS", jobs)  # with 2, the failing backend renders in the child
    changed = reference_plan.without_exceptions()  # a new plan, so that nothing rendered before is reused
    with pytest.raises(RuntimeError, match="a template bug"):
        pg.generate(changed, out)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_generate_refuses_a_jobs_setting_that_is_no_number(tmp_path):
    from .cli_support import ROOT, policygen

    proc = policygen("generate", str(ROOT / "specs" / "reference.yaml"), "-o", str(tmp_path / "dist"),
                     env={"POLICYGEN_JOBS": "two"})
    assert proc.returncode == 2 and "POLICYGEN_JOBS='two'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "dist").exists()
