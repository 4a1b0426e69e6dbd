"""What a mature command line has: --version, completion, schema for editors,
progress only on a terminal, engines found on PATH or named by environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version

import jsonschema
import pytest
import yaml

from policygen import tools

from .cli_support import ROOT, policygen
from .conftest import REFERENCE_SAMPLES, REFERENCE_SPEC, require_tool


def test_version():
    proc = policygen("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"policygen {version('policygen')}"


def test_bash_completion_completes_commands_and_choices(tmp_path):
    bash = shutil.which("bash")
    assert bash, "bash is part of every supported machine"
    script = tmp_path / "policygen.bash"
    proc = policygen("completion", "bash")
    assert proc.returncode == 0
    script.write_text(proc.stdout)

    def complete(*words: str) -> list[str]:
        line = " ".join(["policygen", *words])
        program = (
            f"source {script}\n"
            f"COMP_WORDS=(policygen {' '.join(words)}); COMP_CWORD={len(words)}; COMP_LINE='{line}'; COMP_POINT={len(line)}\n"
            "_shtab_policygen policygen\n"
            'printf "%s\\n" "${COMPREPLY[@]}"\n'
        )
        out = subprocess.run([bash, "-c", program], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return sorted(w.strip() for w in out.stdout.split("\n") if w.strip())

    assert complete("ev") == ["eval"]
    assert set(complete("")) >= {"generate", "eval", "verify", "tools", "schema", "completion"}
    assert complete("eval", "--format", "sa") == ["sarif"]
    assert complete("eval", "--engine", "ky") == ["kyverno"]
    assert complete("eval", "--fail-on", "") == ["deny", "never", "warn"]


def test_zsh_completion_is_valid_zsh():
    proc = policygen("completion", "zsh")
    assert proc.returncode == 0 and "#compdef policygen" in proc.stdout
    zsh = shutil.which("zsh")
    if zsh:
        check = subprocess.run([zsh, "-n"], input=proc.stdout, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


# --- JSON Schema of the spec -------------------------------------------------------

@pytest.fixture(scope="module")
def spec_schema():
    proc = policygen("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_schema_accepts_the_reference_spec(spec_schema):
    jsonschema.validate(yaml.safe_load(REFERENCE_SPEC.read_text()), spec_schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("break_it, where", [
    (lambda d: d["spec"]["images"].update(requireDigests=True), "requireDigests"),  # a typo
    (lambda d: d["spec"]["images"]["digests"].append("sha256:short"), "sha256:short"),
    (lambda d: d["spec"].update(mode="enforcing"), "enforcing"),
    (lambda d: d["spec"]["sidecars"][0].update(placement=["sidecars"]), "sidecars"),
])
def test_schema_refuses_what_load_spec_refuses(spec_schema, break_it, where, tmp_path):
    doc = yaml.safe_load(REFERENCE_SPEC.read_text())
    break_it(doc)
    errors = list(jsonschema.Draft202012Validator(spec_schema).iter_errors(doc))
    assert errors and any(where in (e.message + json.dumps(list(e.path))) for e in errors)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc))
    assert policygen("generate", str(path), "-o", str(tmp_path / "dist")).returncode == 2


def test_schema_to_a_file(tmp_path):
    out = tmp_path / "sidecarpolicy.schema.json"
    assert policygen("schema", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["$id"].endswith("sidecarpolicy-v1alpha1.json")


# --- progress only on a terminal ------------------------------------------------------

def _eval_args():
    return ["eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "--format", "json", "--fail-on", "never",
            str(REFERENCE_SAMPLES / "sc004.yaml")]


def test_no_progress_when_not_on_a_terminal():
    require_tool("opa")
    proc = policygen(*_eval_args())
    assert proc.returncode == 0
    assert proc.stderr == ""
    json.loads(proc.stdout)


def test_progress_on_a_terminal():
    require_tool("opa")
    import pty

    main_fd, child_fd = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "policygen", *_eval_args()], stdout=subprocess.PIPE, stderr=child_fd,
                          env=env, text=True)
    os.close(child_fd)
    seen = b""
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(main_fd)
    assert proc.returncode == 0
    assert b"opa is judging 10 resource(s)" in seen
    json.loads(proc.stdout)  # standard output stays the report alone


# --- engines found on PATH, or named by POLICYGEN_<TOOL> ---------------------------------

@pytest.fixture()
def empty_cache(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    return cache


def test_engine_on_path_at_the_pinned_version_is_used(tmp_path, empty_cache):
    real = require_tool("opa")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "opa").symlink_to(real)
    env = {"POLICYGEN_TOOLS_DIR": str(empty_cache), "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    listed = policygen("tools", "list", env=env)
    assert ["opa", "v1.22.3", "path", str(bindir / "opa")] in _rows(listed.stdout)
    proc = policygen(*_eval_args(), env=env)
    assert proc.returncode == 0, proc.stderr


def test_engine_on_path_at_another_version_is_not_used(tmp_path, empty_cache):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "opa"
    fake.write_text("#!/bin/sh\necho 'Version: 1.0.0'\nexit 0\n")
    fake.chmod(0o755)
    env = {"POLICYGEN_TOOLS_DIR": str(empty_cache), "PATH": f"{bindir}{os.pathsep}/usr/bin:/bin"}
    listed = policygen("tools", "list", env=env)
    assert any(row[:3] == ["opa", "v1.22.3", "missing"] for row in _rows(listed.stdout))
    proc = policygen(*_eval_args(), env=env)
    assert proc.returncode == 3
    assert "policygen tools install opa" in proc.stderr


def test_engine_named_by_environment_is_used(empty_cache):
    real = require_tool("opa")
    env = {"POLICYGEN_TOOLS_DIR": str(empty_cache), "POLICYGEN_OPA": str(real)}
    assert ["opa", "v1.22.3", "env", str(real)] in _rows(policygen("tools", "list", env=env).stdout)
    assert policygen(*_eval_args(), env=env).returncode == 0


def test_version_parsing_reads_the_tools_own_line(tmp_path):
    fake = tmp_path / "conftest"
    # conftest prints OPA's version too; only its own line counts.
    fake.write_text("#!/bin/sh\necho 'Conftest: 0.71.1'\necho 'OPA: 1.21.1'\n")
    fake.chmod(0o755)
    assert tools.version_of("conftest", fake) == "v0.71.1"
    fake.write_text("#!/bin/sh\necho 'Conftest: dev'\necho 'OPA: 1.21.1'\n")
    os.utime(fake, (1, 1))
    assert tools.version_of("conftest", fake) == ""


def _rows(listing: str) -> list[list[str]]:
    """`tools list` as rows of words: its columns are as wide as their widest entry."""
    return [line.split() for line in listing.splitlines()]
