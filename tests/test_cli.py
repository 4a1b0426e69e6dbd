"""The command line as a user meets it: eval's JSON contract, verify's exit status, bad input."""

import json
import subprocess
import sys

import pytest

from policygen.checks import CHECKS

from .conftest import REFERENCE_SAMPLES, REFERENCE_SPEC, require_tool

KEYS = {"file", "index", "kind", "namespace", "name", "engine", "allowed", "violations", "notEvaluated", "document", "line", "object"}


def policygen(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "policygen", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def eval_json():
    require_tool("opa")
    proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "--format", "json", str(REFERENCE_SAMPLES))
    # 1: the reference samples include denied resources (--fail-on deny is the default).
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_eval_prints_one_record_per_resource_in_input_order(eval_json):
    assert len(eval_json) >= 100
    assert all(set(r) == KEYS for r in eval_json)
    files = [r["file"] for r in eval_json]
    assert files == sorted(files, key=lambda f: sorted(set(files)).index(f))
    first = [r for r in eval_json if r["file"].endswith("sc004.yaml")]
    assert [r["index"] for r in first] == list(range(len(first)))


def test_eval_messages_start_with_their_rule_and_check(eval_json):
    denied = [r for r in eval_json if not r["allowed"]]
    assert denied
    for record in denied:
        assert record["violations"]
        for v in record["violations"]:
            assert v["check"] in CHECKS[v["rule"]]
            assert v["message"].startswith(f"{v['rule']}/{v['check']} ")
    # SC012 judges the pods written; OPA cannot verify a signature, and says so there and only there.
    pods_written = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}
    assert all(r["notEvaluated"] in ([["SC012"], []] if r["kind"] in pods_written else [[]]) for r in eval_json)
    assert any(r["notEvaluated"] == ["SC012"] for r in eval_json) and any(r["notEvaluated"] == [] for r in eval_json)


def test_eval_bad_input_exits_2_naming_the_file(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("kind: Pod\nmetadata: [\n")
    proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", str(bad))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and proc.stdout == ""


def test_eval_missing_path_exits_2(tmp_path):
    proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2 and "nope.yaml" in proc.stderr


def test_verify_fails_on_a_wrong_expectation(tmp_path):
    require_tool("opa")
    sample = tmp_path / "lie.yaml"
    src = (REFERENCE_SAMPLES / "sc011.yaml").read_text()
    sample.write_text(src.replace("# expect: deny SC011", "# expect: allow", 1))
    proc = policygen("verify", str(REFERENCE_SPEC), str(sample), "--engine", "opa")
    assert proc.returncode == 1
    assert "FAIL" in proc.stdout


def test_verify_reference_samples_in_opa_and_conftest():
    require_tool("opa")
    require_tool("conftest")
    proc = policygen("verify", str(REFERENCE_SPEC), str(REFERENCE_SAMPLES), "--engine", "opa", "--engine", "conftest")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert "opa: " in proc.stdout and " 0 failed" in proc.stdout


def test_generate_is_byte_identical_on_rerun_and_check_detects_drift(tmp_path):
    out = tmp_path / "dist"
    assert policygen("generate", str(REFERENCE_SPEC), "-o", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = policygen("generate", str(REFERENCE_SPEC), "-o", str(out))
    assert again.returncode == 0 and "0 create" not in again.stdout
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert policygen("generate", str(REFERENCE_SPEC), "-o", str(out), "--check").returncode == 0
    victim = next(p for p in out.rglob("src.rego"))
    victim.write_text(victim.read_text() + "\n# hand edit\n")
    check = policygen("generate", str(REFERENCE_SPEC), "-o", str(out), "--check")
    assert check.returncode == 1
    assert "+# hand edit" not in check.stdout and "-# hand edit" in check.stdout


def test_generate_replaces_stale_files(tmp_path):
    out = tmp_path / "dist"
    (out / "rego" / "old-policy").mkdir(parents=True)
    (out / "rego" / "old-policy" / "src.rego").write_text("package stale\n")
    assert policygen("generate", str(REFERENCE_SPEC), "-o", str(out)).returncode == 0
    assert not (out / "rego" / "old-policy").exists()


def test_a_dead_opa_server_is_an_error_never_an_allow(reference_plan, tmp_path):
    from policygen.engines.opa import OpaServer
    from policygen.errors import EngineError

    require_tool("opa")
    server = OpaServer()
    server.start()
    server.proc.kill()
    server.proc.wait()
    with pytest.raises(EngineError):
        server.judge([{"kind": "Pod"}], {})
    server.stop()


def test_an_unreachable_opa_server_is_an_error(tmp_path):
    from opa_client.opa import OpaClient

    from policygen.engines.opa import OpaServer, _free_port
    from policygen.errors import EngineError

    require_tool("opa")
    with OpaServer() as server:
        server.client = OpaClient(host="127.0.0.1", port=_free_port(), timeout=2, retries=0)
        with pytest.raises(EngineError):
            server.judge([{"kind": "Pod"}], {})


def test_generate_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    (home / "notes" / "todo.txt").write_text("keep me")
    proc = policygen("generate", str(REFERENCE_SPEC), "-o", str(home))
    assert proc.returncode == 2
    assert "refusing to replace" in proc.stderr and "notes" in proc.stderr
    assert (home / "notes" / "todo.txt").read_text() == "keep me"
