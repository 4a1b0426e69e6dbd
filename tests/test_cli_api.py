"""The small public API: one error tree, SpecError catchable, generate(check=True), verify(), typing."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import policygen as pg
from policygen import errors

from .conftest import REFERENCE_SAMPLES, REFERENCE_SPEC, require_tool

PACKAGE = Path(pg.__file__).parent


def _exception_classes_outside_errors() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                if node.name.endswith(("Error", "Exception")) or bases & {"Exception", "ValueError", "RuntimeError",
                                                                          "PolicygenError"}:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    return found


def test_every_error_class_lives_in_errors_py():
    assert _exception_classes_outside_errors() == []


def test_every_error_is_a_policygen_error_and_exported():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Exception)]
    assert {c.__name__ for c in classes} == set(errors.__all__)
    for cls in classes:
        assert issubclass(cls, pg.PolicygenError)
        assert getattr(pg, cls.__name__) is cls and cls.__name__ in pg.__all__


def test_all_is_complete_and_resolves():
    for name in pg.__all__:
        assert hasattr(pg, name), name
    public = {n for n, v in vars(pg).items() if not n.startswith("_") and not inspect.ismodule(v)}
    assert public <= set(pg.__all__), public - set(pg.__all__)


def test_validation_errors_are_catchable_as_spec_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(REFERENCE_SPEC.read_text().replace("requireDigest: true", "requireDigest: 3")
                   .replace("forbiddenTags: [latest]", "forbiddenTag: [latest]"))
    with pytest.raises(pg.SpecError) as caught:
        pg.load_spec(bad)
    exc = caught.value
    assert isinstance(exc, pg.SpecErrors)
    assert exc.file == str(bad) and exc.loc.startswith("spec.images.")
    assert [e.loc for e in exc.errors] == ["spec.images.requireDigest", "spec.images.forbiddenTag"]


def test_image_and_quantity_errors_are_policygen_errors():
    from policygen.images import parse_image
    from policygen.quantity import parse_quantity

    with pytest.raises(pg.ImageRefError):
        parse_image("UPPER/Case::")
    with pytest.raises(pg.QuantityError):
        parse_quantity("1.5.3Gi")
    with pytest.raises(ValueError):  # still ValueErrors, for Pydantic validators
        parse_quantity("x")


def test_generate_check_returns_the_diff(tmp_path, reference_plan):
    out = tmp_path / "dist"
    fresh = pg.generate(reference_plan, out, check=True)
    assert isinstance(fresh, pg.TreeDiff) and fresh
    assert not out.exists()  # check writes nothing
    assert {c.action for c in fresh.stale} == {"create"}
    pg.generate(reference_plan, out)
    clean = pg.generate(reference_plan, out, check=True)
    assert not clean and clean.diff == "" and clean.files == len(clean.changes)
    target = next(out.rglob("*.rego"))
    target.write_text(target.read_text() + "# edited by hand\n")
    (out / "rego" / "stray.txt").write_text("x")
    stale = pg.generate(reference_plan, out, check=True)
    rel = target.relative_to(out).as_posix()
    assert {(c.path, c.action) for c in stale.stale} == {(rel, "update"), ("rego/stray.txt", "delete")}
    assert f"--- a/{rel}" in stale.diff and "-# edited by hand" in stale.diff


def test_verify_returns_a_report_object():
    require_tool("opa")
    report = pg.verify(REFERENCE_SPEC, [REFERENCE_SAMPLES], ["opa"])
    assert isinstance(report, pg.Report)
    assert report.ok and report.engines == ["opa"] and len(report.rows) > 100
    assert report.failures("opa") == 0
    assert "opa: " in pg.format_report(report)


def test_verify_of_nothing_raises_input_error(tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    with pytest.raises(pg.InputError, match="no resource to verify"):
        pg.verify(REFERENCE_SPEC, [tmp_path], ["opa"])


def test_py_typed_marker_ships():
    assert (PACKAGE / "py.typed").is_file()


def test_one_path_given_as_a_string_is_one_path_and_an_engine_named_alone_is_one_engine():
    # A red team (2026-12-05): evaluate(spec, "opa", "pod.yaml") read "/" as a path and walked the root
    # file system; verify(..., engines="opa") raised a bare KeyError for "o".
    from policygen.errors import PolicygenError
    from policygen.samples import load_samples

    require_tool("opa")
    sample = REFERENCE_SAMPLES / "sc004.yaml"
    assert len(load_samples(str(sample)).resources) == len(load_samples([sample]).resources) > 0
    spec = REFERENCE_SPEC
    report = pg.verify(spec, str(sample), engines="opa")
    assert report.engines == ["opa"] and report.rows
    with pytest.raises(PolicygenError, match="unknown engine 'nope'"):
        pg.verify(spec, sample, engines=["nope"])


def test_wrong_types_from_a_caller_are_named_errors_not_bare_ones(reference_plan):
    # A red team (2026-12-05): build_plan("path") and evaluate(engine=None) raised AttributeErrors from deep
    # inside, and render_all(plan, ["nope"]) returned no file at all.
    with pytest.raises(TypeError, match="expected a SidecarPolicy .* not str"):
        pg.build_plan(str(REFERENCE_SPEC))
    with pytest.raises(TypeError, match="spec: expected a path .* not int"):
        pg.evaluate(3, "opa", REFERENCE_SAMPLES)
    with pytest.raises(TypeError, match="engine: expected an engine's name .* not NoneType"):
        pg.evaluate(REFERENCE_SPEC, None, REFERENCE_SAMPLES)
    with pytest.raises(TypeError, match="plan: expected a Plan"):
        pg.render_all(pg.load_spec(REFERENCE_SPEC))
    with pytest.raises(pg.PolicygenError, match="unknown backend 'nope'; choose among: rego, "):
        pg.render_all(reference_plan, ["nope"])
    alone = pg.render_all(reference_plan, "rego")
    assert alone and all(path.parts[0] == "rego" for path in alone)


def test_a_policy_changed_after_loading_is_validated_again_before_it_is_planned():
    # The models are frozen but their lists are not: a value appended after load must meet the same validation.
    policy = pg.load_spec(REFERENCE_SPEC)
    policy.spec.sidecars.append("not a sidecar")
    with pytest.raises(pg.SpecError, match=r"<SidecarPolicy>: spec\.sidecars\[\d+\]"):
        pg.build_plan(policy)
    fine = pg.load_spec(REFERENCE_SPEC)
    assert pg.build_plan(fine).rules == pg.build_plan(pg.load_spec(REFERENCE_SPEC)).rules
