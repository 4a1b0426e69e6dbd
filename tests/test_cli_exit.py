"""Exit status as CI reads it: 1 denied (per --fail-on), 2 bad input, 3 engine failed; verify of nothing fails."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time

import pytest
import yaml

import policygen as pg

from .cli_support import ROOT, policygen
from .conftest import REFERENCE_SAMPLES, REFERENCE_SPEC, require_tool

ALLOWED_ONLY = REFERENCE_SAMPLES / "cp003.yaml"


@pytest.fixture(scope="module")
def allowed_file(tmp_path_factory):
    """The first benign document of the reference samples, alone in its file."""
    first = pg.load_samples([REFERENCE_SAMPLES / "benign.yaml"]).resources[0]
    assert first.expect is not None and first.expect.allowed
    path = tmp_path_factory.mktemp("allowed") / "web.yaml"
    path.write_text(yaml.safe_dump(first.source))
    return path


@pytest.fixture(scope="module")
def audit_spec(tmp_path_factory):
    path = tmp_path_factory.mktemp("audit") / "audit.yaml"
    path.write_text(REFERENCE_SPEC.read_text().replace("  mode: enforce", "  mode: audit", 1))
    return path


def _eval(*args, spec=REFERENCE_SPEC, env=None):
    return policygen("eval", "--spec", str(spec), "--engine", "opa", "--format", "text", *args, env=env)


def test_allowed_resources_exit_0(allowed_file):
    require_tool("opa")
    proc = _eval(str(allowed_file))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ": allowed" in proc.stdout and "0 denied" in proc.stdout


@pytest.mark.parametrize("fail_on, status", [("deny", 1), ("warn", 1), ("never", 0)])
def test_denied_resources_exit_per_fail_on(fail_on, status):
    require_tool("opa")
    proc = _eval("--fail-on", fail_on, str(REFERENCE_SAMPLES / "sc004.yaml"))
    assert proc.returncode == status, proc.stderr
    assert ": denied" in proc.stdout


def test_default_fail_on_is_deny():
    require_tool("opa")
    assert _eval(str(REFERENCE_SAMPLES / "sc004.yaml")).returncode == 1


@pytest.mark.parametrize("fail_on, status", [("deny", 0), ("warn", 1), ("never", 0)])
def test_audit_mode_warns_and_fails_only_on_warn(audit_spec, fail_on, status):
    require_tool("opa")
    proc = _eval("--fail-on", fail_on, str(REFERENCE_SAMPLES / "sc004.yaml"), spec=audit_spec)
    assert proc.returncode == status, proc.stderr
    assert ": allowed with warnings" in proc.stdout and "  WARN SC004" in proc.stdout
    assert ": denied" not in proc.stdout


def test_bad_spec_exits_2_naming_file_and_field(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(REFERENCE_SPEC.read_text().replace("requireDigest: true", "requireDigest: yes-please"))
    proc = _eval(str(ALLOWED_ONLY), spec=spec)
    assert proc.returncode == 2
    assert f"{spec}: spec.images.requireDigest" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_bad_input_exits_2_without_output(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Pod\nmetadata: {name: [\n")
    out = tmp_path / "report.sarif"
    proc = _eval("--format", "sarif", "-o", str(out), str(bad))
    assert proc.returncode == 2 and str(bad) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_unknown_format_is_a_usage_error():
    proc = _eval("--format", "xml", str(ALLOWED_ONLY))
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_engine_that_is_not_executable_exits_3(tmp_path):
    named = tmp_path / "opa"
    named.write_text("not a program")
    proc = _eval(str(ALLOWED_ONLY), env={"POLICYGEN_OPA": str(named)})
    assert proc.returncode == 3
    assert "POLICYGEN_OPA" in proc.stderr and "Traceback" not in proc.stderr


def test_engine_that_crashes_exits_3_and_prints_no_verdict(tmp_path):
    # /bin/false stands for an engine that dies at once: never read as "allowed".
    proc = _eval(str(ALLOWED_ONLY), env={"POLICYGEN_OPA": "/bin/false"})
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr


def test_engine_of_another_version_exits_3(tmp_path):
    fake = tmp_path / "opa"
    fake.write_text("#!/bin/sh\necho 'Version: 0.70.0'\n")
    fake.chmod(0o755)
    proc = _eval(str(ALLOWED_ONLY), env={"POLICYGEN_OPA": str(fake)})
    assert proc.returncode == 3
    assert "version v0.70.0, policygen is pinned to v1.22.3" in proc.stderr


def test_eval_of_nothing_is_bad_input(tmp_path):
    (tmp_path / "values.yaml").write_text("# nothing rendered\n")
    proc = _eval(str(tmp_path))
    assert proc.returncode == 2 and "no Kubernetes object" in proc.stderr


@pytest.mark.parametrize("kind", ["[Pod]", "{a: Pod}"])
def test_a_kind_that_is_no_string_is_bad_input_not_a_traceback(kind, tmp_path):
    """Red team 16c: a list or map as the only document's kind raised a TypeError while the loader asked whether
    kustomize would read the file."""
    (tmp_path / "pod.yaml").write_text(f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: a}}\n")
    proc = _eval(str(tmp_path / "pod.yaml"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "no Kubernetes object" in proc.stderr, proc.stderr


@pytest.mark.parametrize(("engine", "setting"), [
    ("opa", {"POLICYGEN_JOBS": "abc"}),
    ("opa", {"POLICYGEN_TODAY": "tomorrow"}),
    ("kyverno", {"POLICYGEN_KYVERNO_JUDGE": "bogus"}),
    # Read only when SC012 runs, which needs the registry; the bad value stops the run before any registry is asked.
    ("kyverno", {"POLICYGEN_KYVERNO_REGISTRY": "1", "POLICYGEN_SC012_TIMEOUT": "soon"}),
])
def test_a_setting_that_does_not_parse_is_bad_input(engine, setting, allowed_file):
    """Each POLICYGEN_* setting is the caller's input: exit 2 naming it, as a flag would be (the Kyverno ones were 3,
    and a bad SC012 timeout left every pod's signature undecided instead of stopping the run)."""
    require_tool(engine)
    proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", engine, str(allowed_file), env=setting)
    name = list(setting)[-1]
    assert (proc.returncode, "Traceback" in proc.stderr) == (2, False), proc.stderr
    assert f"{name}=" in proc.stderr and proc.stdout == ""


def test_verify_fails_on_zero_resources(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "nothing.yaml").write_text("# only a comment\n---\n")
    proc = policygen("verify", str(REFERENCE_SPEC), str(empty), "--engine", "opa")
    assert proc.returncode == 2
    assert "no resource to verify" in proc.stderr


def test_verify_passes_on_the_reference_samples_in_opa():
    require_tool("opa")
    proc = policygen("verify", str(REFERENCE_SPEC), str(REFERENCE_SAMPLES), "--engine", "opa")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert " 0 failed" in proc.stdout


def _closed(redirect: str, *args: str):
    """policygen started as `policygen ... >&-` or `<&-`: with a standard stream not open at all."""
    import os
    import subprocess
    import sys

    from .cli_support import ROOT

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, "-m", "policygen", *args],
                          stderr=subprocess.PIPE, text=True, env=env, timeout=300)


@pytest.mark.parametrize("command", ["generate", "check", "eval-path", "eval-output"])
def test_a_name_over_the_file_system_limit_is_bad_input(command, tmp_path):
    too_long = str(tmp_path / ("a" * 300))
    if command.startswith("eval"):
        require_tool("opa")
    proc = {
        "generate": lambda: policygen("generate", str(REFERENCE_SPEC), "-o", too_long),
        "check": lambda: policygen("generate", "--check", str(REFERENCE_SPEC), "-o", too_long),
        "eval-path": lambda: _eval(too_long),
        "eval-output": lambda: _eval("-o", too_long, str(ALLOWED_ONLY)),
    }[command]()
    assert proc.returncode == 2, proc.stderr
    assert "File name too long" in proc.stderr and too_long in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["eval", "schema"])
def test_an_output_file_under_a_file_is_bad_input_and_leaves_nothing(command, tmp_path):
    (tmp_path / "afile").write_text("mine\n")
    out = str(tmp_path / "afile" / "report")
    if command == "eval":
        require_tool("opa")
    proc = _eval("-o", out, str(ALLOWED_ONLY)) if command == "eval" else policygen("schema", "-o", out)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"policygen: {out}: cannot write: Not a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"] and (tmp_path / "afile").read_text() == "mine\n"


def test_a_closed_standard_output_is_bad_input():
    require_tool("opa")
    proc = _closed(">&-", "eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", str(ALLOWED_ONLY))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "policygen: standard output is closed; give -o FILE or redirect it\n"


def test_a_closed_standard_input_is_bad_input():
    proc = _closed("<&-", "eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "-")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "policygen: <stdin>: standard input is closed\n"


@pytest.mark.parametrize("command", ["eval", "generate"])
def test_a_standard_output_that_refuses_writes_is_one_line_and_exit_2(command, tmp_path):
    """As on a full disk: every write to standard output fails (here: it is open for reading only)."""
    import os
    import subprocess
    import sys

    from .cli_support import ROOT

    if command == "eval":
        require_tool("opa")
    args = (["eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", str(ALLOWED_ONLY)] if command == "eval"
            else ["generate", str(REFERENCE_SPEC), "-o", str(tmp_path / "dist")])
    (tmp_path / "stdout").write_text("")
    with open(tmp_path / "stdout") as read_only:
        proc = subprocess.run([sys.executable, "-m", "policygen", *args], stdout=read_only, stderr=subprocess.PIPE,
                              text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("policygen: standard output: ") and "Bad file descriptor" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr  # no traceback, no second failure at exit


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder"])
@pytest.mark.parametrize("command", ["eval", "schema"])
def test_an_output_file_that_is_not_a_regular_file_is_refused_not_replaced(command, kind, tmp_path):
    import os

    mine = tmp_path / "mine.txt"
    mine.write_text("mine\n")
    out = tmp_path / "report"
    {"symlink": lambda: out.symlink_to(mine), "fifo": lambda: os.mkfifo(out), "folder": out.mkdir}[kind]()
    what = {"symlink": "a symlink", "fifo": "a FIFO", "folder": "a directory"}[kind]
    if command == "eval":
        require_tool("opa")
    proc = _eval("-o", str(out), str(ALLOWED_ONLY)) if command == "eval" else policygen("schema", "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"policygen: {out}: is {what}, not a regular file; refusing to replace it")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt", "report"] and mine.read_text() == "mine\n"
    assert out.is_symlink() if kind == "symlink" else not out.is_file()


def _start(*args: str, tmpdir):
    import os
    import subprocess
    import sys

    from .cli_support import ROOT

    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmpdir))
    return subprocess.Popen([sys.executable, "-m", "policygen", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env)


def _poll(proc, found, seconds=240.0):
    """found()'s first truthy answer while proc still runs; the test fails if proc ends first."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        hit = found()
        if hit:
            assert proc.poll() is None, "finished before it could be signalled"
            return hit
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.005)
    proc.kill()
    raise AssertionError("never got there")


def _children(pid: int) -> list[int]:
    from pathlib import Path

    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _gone(pid: int) -> bool:
    from pathlib import Path

    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_sigterm_during_generate_leaves_no_temporary_folder_and_exits_143(tmp_path):
    import signal

    out = tmp_path / "out"
    out.mkdir()
    proc = _start("generate", str(REFERENCE_SPEC), "-o", str(out / "dist"), tmpdir=tmp_path)
    _poll(proc, lambda: list(out.glob(".dist.tmp-*")))
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert err == "policygen: terminated\n"
    assert list(out.iterdir()) == []


def test_sigterm_during_eval_stops_the_engine_and_removes_its_folder_and_exits_143(tmp_path):
    import os
    import signal
    from pathlib import Path

    require_tool("opa")
    first = pg.load_samples([REFERENCE_SAMPLES / "benign.yaml"]).resources[0].source
    text = yaml.safe_dump(first)
    big = tmp_path / "big.yaml"
    big.write_text("".join("---\n" + text.replace(first["metadata"]["name"], f"w{i}", 1) for i in range(400)))
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc = _start("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", str(big), tmpdir=tmpdir)

    def opa() -> list[int]:
        found = []
        for pid in _children(proc.pid):
            try:
                program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
            except OSError:
                continue
            if Path(program.decode(errors="replace")).name == "opa":
                found.append(pid)
        return found

    children = _poll(proc, opa)
    try:
        assert list(tmpdir.glob("policygen-eval-*"))
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 143, err
        assert err.endswith("policygen: terminated\n") and "Traceback" not in err
        assert all(_gone(pid) for pid in children), children
        assert list(tmpdir.iterdir()) == []
    finally:  # a failing run leaves no engine behind either
        for pid in children:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _piped(command: str, into: str = "head -1"):
    """A policygen command piped into a reader that stops early, under `set -o pipefail` as GitHub Actions runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    script = f"{shlex.quote(sys.executable)} -m policygen {command} | {into}"
    return subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_closed_pipe_never_turns_denials_into_a_pass(fmt):
    require_tool("opa")
    proc = _piped(f"eval --spec {shlex.quote(str(REFERENCE_SPEC))} --engine opa --format {fmt} "
                  f"{shlex.quote(str(REFERENCE_SAMPLES))}")
    assert proc.returncode == 1, proc.stderr
    assert len(proc.stdout.splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr


def test_a_closed_pipe_keeps_an_allowed_run_at_0(allowed_file):
    require_tool("opa")
    proc = _piped(f"eval --spec {shlex.quote(str(REFERENCE_SPEC))} --engine opa --format json {shlex.quote(str(allowed_file))}")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr


def test_a_closed_pipe_keeps_a_stale_folder_failing(tmp_path):
    out = tmp_path / "dist"
    assert policygen("generate", str(REFERENCE_SPEC), "-o", str(out), "-q").returncode == 0
    for path in sorted(out.rglob("*.rego")):  # a diff larger than a pipe holds, so writing it meets the closed pipe
        path.write_text("# stale\n" * 2000 + path.read_text())
    for _ in range(3):  # when the reader closes is up to it: each run must fail
        proc = _piped(f"generate {shlex.quote(str(REFERENCE_SPEC))} -o {shlex.quote(str(out))} --check", "head -3")
        assert proc.returncode == 1, proc.stderr
        assert len(proc.stdout.splitlines()) == 3 and "Traceback" not in proc.stderr, proc.stderr


def test_a_pipe_closed_before_anything_is_read_keeps_the_verdict():
    require_tool("opa")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "policygen", "eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa",
                             "--format", "text", str(REFERENCE_SAMPLES)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader is gone before the first line
    stderr = proc.stderr.read().decode()
    assert proc.wait() == 1, stderr
    assert "Traceback" not in stderr


def test_the_opa_server_ends_with_an_eval_that_is_killed(tmp_path):
    # A red team (2026-12-05): after SIGKILL of `policygen eval`, its OPA server on 127.0.0.1 ran on for good.
    import signal
    import time

    require_tool("opa")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(40):
        (inputs / f"p{i}.yaml").write_text((REFERENCE_SAMPLES / "sc004.yaml").read_text())
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "policygen", "eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa",
                             "-o", str(tmp_path / "r.json"), str(inputs)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def servers() -> list[int]:
        found = subprocess.run(["pgrep", "-P", str(proc.pid), "-f", "opa run --server"], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]
    started: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not servers() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        started = servers()
        assert started, "eval ended before its OPA server could be seen"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{pid}") and _running(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in started if os.path.exists(f"/proc/{pid}") and _running(pid)]
    finally:
        for pid in set(started) | set(servers() if proc.poll() is None else []):
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its (dead) parent's reaper."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_sigint_while_the_command_is_still_importing_ends_quietly_with_130():
    # A red team (2026-12-05): SIGINT in the first ~0.8 s printed a KeyboardInterrupt traceback. The
    # interrupt is raised where the signal would land: inside an import the command makes.
    hook = (
        "import sys\n"
        "class Interrupting:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'policygen.pipeline':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupting())\n"
        "sys.argv = ['policygen', 'generate', '--help']\n"
        "from policygen.command import run\n"
        "run()\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", hook], capture_output=True, text=True, env=env, timeout=60)
    assert (proc.returncode, proc.stderr) == (130, "policygen: interrupted\n")
    entry = next(line for line in (ROOT / "pyproject.toml").read_text().splitlines() if line.startswith("policygen = "))
    assert entry == 'policygen = "policygen.command:run"'
    assert (ROOT / "policygen" / "__main__.py").read_text().startswith("from .command import run")


def test_importing_the_package_imports_none_of_its_heavy_modules():
    # What makes the quiet SIGINT above possible, and `import policygen.errors` cheap: public names are
    # read on first use.
    code = ("import sys, policygen\n"
            "assert not {'policygen.pipeline', 'policygen.spec', 'pydantic'} & set(sys.modules), sorted(sys.modules)\n"
            "assert callable(policygen.verify) and policygen.verify.__module__ == 'policygen.pipeline'\n"
            "import policygen.cli\n"
            "assert callable(policygen.verify), policygen.verify\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_a_control_plane_process_that_would_wait_on_sigterm_ends_when_its_starter_is_killed(tmp_path):
    # A pytest ended by SIGTERM (2026-12-05) left its kube-apiserver running: SIGTERM from the kernel began
    # a graceful shutdown that waited on an etcd ending at the same moment. A component that ignores
    # SIGTERM stands for it here; it must end with the process that started it, however that one ends.
    starter = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from policygen.cluster.processes import Component\n"
        "stubborn = 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)'\n"
        "c = Component('stubborn', [sys.executable, '-c', stubborn], Path(sys.argv[1]))\n"
        "print(c.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", starter, str(tmp_path / "log")], stdout=subprocess.PIPE, text=True, env=env)
    child = int(proc.stdout.readline())
    try:
        time.sleep(1.0)  # SIGTERM is ignored by then
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(child)
    finally:
        for pid in (proc.pid, child):
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait(10)
