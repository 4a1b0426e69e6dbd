"""dist/ as a GitOps user meets it: complete, parseable, deterministic, documented."""


import yaml

import policygen as pg
from policygen.coverage import coverage_table
from policygen.rules import CATALOGUE

from .conftest import ROOT


def test_readme_coverage_table_is_current():
    assert coverage_table() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_backend_has_every_rule_with_its_tests(reference_plan, tmp_path):
    out = tmp_path / "dist"
    pg.generate(reference_plan, out)
    for rule_id in reference_plan.rule_ids:
        name = CATALOGUE[rule_id].policy_name
        assert list((out / "kyverno" / name).glob("*.yaml")), rule_id
        assert (out / "kyverno" / name / ".kyverno-test" / "kyverno-test.yaml").is_file(), rule_id
        if rule_id != "SC012":
            assert (out / "rego" / name / "src_test.rego").is_file(), rule_id
            assert (out / "gatekeeper" / name / "template.yaml").is_file(), rule_id
            assert (out / "gatekeeper-tests" / name / "suite.yaml").is_file(), rule_id
    assert (out / "docs" / "policies.md").is_file()


def test_every_yaml_file_parses_and_nothing_carries_a_timestamp(reference_plan, tmp_path):
    out = tmp_path / "dist"
    pg.generate(reference_plan, out)
    files = [p for p in out.rglob("*") if p.is_file()]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "creationTimestamp" not in text and "createdAt" not in text, path
        assert text.endswith("\n") and "\r" not in text, path
        if path.suffix == ".yaml":
            list(yaml.safe_load_all(text))


def test_generation_is_byte_identical(reference_plan):
    assert pg.render_all(reference_plan) == pg.render_all(pg.build_plan(pg.load_spec(ROOT / "specs" / "reference.yaml")))


def test_committed_dist_matches_specs():
    """The repo's own dist/ is what `make generate` writes (also `make check`)."""
    for spec in sorted((ROOT / "specs").glob("*.yaml")):
        want = pg.render_all(pg.build_plan(pg.load_spec(spec)))
        dist = ROOT / "dist" / spec.stem
        have = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}
        assert have == {str(p) for p in want}, spec
        stale = [str(p) for p, text in want.items() if (dist / p).read_text(encoding="utf-8") != text]
        assert stale == [], f"dist/{spec.stem} is stale; run make generate: {stale[:5]}"


def _small_tree():
    from pathlib import PurePosixPath
    return {PurePosixPath("rego/a/src.rego"): "package a\n", PurePosixPath("rego/b/src.rego"): "package b\n",
            PurePosixPath("docs/policies.md"): "# policies\n"}


def test_a_rerun_that_changes_nothing_leaves_the_folder_as_it_is(tmp_path):
    from policygen.output import write_tree
    out = tmp_path / "dist"
    write_tree(_small_tree(), out)
    before = {p: p.stat().st_ino for p in [out, *out.rglob("*")]}
    changes = write_tree(_small_tree(), out)
    assert {c.action for c in changes} == {"identical"}
    assert {p: p.stat().st_ino for p in [out, *out.rglob("*")]} == before


def test_a_rerun_replaces_the_tree_when_anything_differs_and_links_what_is_unchanged(tmp_path):
    from policygen.output import write_tree
    out = tmp_path / "dist"
    write_tree(_small_tree(), out)
    kept = (out / "rego/b/src.rego").stat().st_ino
    (out / "rego/a/src.rego").write_text("tampered\n")
    (out / "rego/stale").mkdir()
    changes = write_tree(_small_tree(), out)
    assert sorted((c.path, c.action) for c in changes if c.action != "identical") == [("rego/a/src.rego", "update")]
    assert (out / "rego/a/src.rego").read_text() == "package a\n"
    assert not (out / "rego/stale").exists()
    assert (out / "rego/b/src.rego").stat().st_ino == kept
    assert not list(tmp_path.glob(".dist.*"))


def test_an_unchanged_file_that_is_a_symlink_is_written_not_linked(tmp_path):
    from policygen.output import write_tree
    out = tmp_path / "dist"
    write_tree(_small_tree(), out)
    elsewhere = tmp_path / "elsewhere.rego"
    elsewhere.write_text("package b\n")
    (out / "rego/b/src.rego").unlink()
    (out / "rego/b/src.rego").symlink_to(elsewhere)
    write_tree(_small_tree(), out)
    written = out / "rego/b/src.rego"
    assert not written.is_symlink() and written.read_text() == "package b\n"
    assert written.stat().st_ino != elsewhere.stat().st_ino


def test_an_output_folder_the_file_system_refuses_is_bad_input_not_a_traceback(tmp_path):
    from .cli_support import policygen

    (tmp_path / "a-file").write_text("x\n")
    proc = policygen("generate", str(ROOT / "specs" / "reference.yaml"), "-o", str(tmp_path / "a-file" / "dist"))
    assert proc.returncode == 2, proc.stderr
    assert "cannot write the generated files" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_the_current_folder_as_output_is_written_in_place_and_its_temporary_folder_sits_beside_it(tmp_path):
    from .cli_support import policygen

    here = tmp_path / "policies"
    here.mkdir()
    spec = str(ROOT / "specs" / "reference.yaml")
    first = policygen("generate", spec, "-o", ".", "-q", cwd=here)
    assert first.returncode == 0, first.stderr
    assert (here / "rego" / "main.rego").is_file()
    again = policygen("generate", spec, "-o", ".", "-q", cwd=here)
    assert again.returncode == 0 and "identical" in again.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policies"]
    (here / "notes.txt").write_text("mine\n")
    refused = policygen("generate", spec, "-o", "", cwd=here)
    assert refused.returncode == 2 and "notes.txt" in refused.stderr and ".tmp-" not in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policies"]


def _plant(out, tmp_path):
    """What a pull request can commit into dist/: a link to a secret, a FIFO and a folder where files belong."""
    import os

    secret = tmp_path / "secret.env"
    secret.write_text("FAKE_CI_TOKEN=hunter2\n")
    (out / "rego" / "leak.rego").symlink_to(secret)
    (out / "rego" / "main.rego").unlink()
    os.mkfifo(out / "rego" / "main.rego")
    (out / "docs" / "policies.md").unlink()
    (out / "docs" / "policies.md").mkdir()
    (out / "docs" / "policies.md" / "inside.md").write_text("FAKE_CI_TOKEN=hunter2\n")
    return secret


def test_check_names_links_fifos_and_folders_in_the_output_as_stale_and_never_reads_them(reference_plan, tmp_path):
    from .cli_support import policygen

    out = tmp_path / "dist"
    pg.generate(reference_plan, out)
    _plant(out, tmp_path)
    proc = policygen("generate", "--check", str(ROOT / "specs" / "reference.yaml"), "-o", str(out), timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "hunter2" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    assert f"update    {out}/rego/main.rego (is a FIFO)" in proc.stdout.splitlines()
    assert f"update    {out}/docs/policies.md (is a directory)" in proc.stdout.splitlines()
    assert f"delete    {out}/rego/leak.rego (is a symlink)" in proc.stdout.splitlines()
    assert "3 file(s) differ" in proc.stderr


def test_check_does_not_walk_through_a_linked_folder(reference_plan, tmp_path):
    out = tmp_path / "dist"
    pg.generate(reference_plan, out)
    elsewhere = tmp_path / "elsewhere"
    (out / "docs").rename(elsewhere)
    (out / "docs").symlink_to(elsewhere, target_is_directory=True)
    diff = pg.generate(reference_plan, out, check=True)
    assert {(c.path, c.action, c.note) for c in diff.stale} == {
        ("docs", "delete", "is a symlink"), ("docs/policies.md", "create", "")}
    assert "+++ b/docs/policies.md\n@@ -0,0 +1," in diff.diff  # written from nothing: the linked file is not read


def test_generate_replaces_links_fifos_and_folders_in_the_output_without_reading_them(reference_plan, tmp_path):
    from .cli_support import policygen

    out = tmp_path / "dist"
    pg.generate(reference_plan, out)
    secret = _plant(out, tmp_path)
    spec = str(ROOT / "specs" / "reference.yaml")
    proc = policygen("generate", spec, "-o", str(out), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "hunter2" not in proc.stdout + proc.stderr
    assert f"update    {out}/rego/main.rego (is a FIFO)" in proc.stdout.splitlines()
    assert f"delete    {out}/rego/leak.rego (is a symlink)" in proc.stdout.splitlines()
    assert (out / "rego" / "main.rego").is_file() and (out / "docs" / "policies.md").is_file()
    assert not (out / "rego" / "leak.rego").exists() and secret.read_text() == "FAKE_CI_TOKEN=hunter2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "secret.env"]
    again = policygen("generate", "--check", spec, "-o", str(out), timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr


def test_an_output_folder_given_as_a_symlink_stays_a_symlink_and_its_folder_is_replaced(tmp_path):
    from policygen.output import write_tree

    real = tmp_path / "build" / "dist"
    write_tree(_small_tree(), real)
    link = tmp_path / "dist"
    link.symlink_to("build/dist", target_is_directory=True)
    (real / "rego/a/src.rego").write_text("tampered\n")
    changes = write_tree(_small_tree(), link)
    assert [(c.path, c.action) for c in changes if c.action != "identical"] == [("rego/a/src.rego", "update")]
    assert link.is_symlink() and (real / "rego/a/src.rego").read_text() == "package a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "dist"]
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == ["dist"]
    assert {c.action for c in write_tree(_small_tree(), link)} == {"identical"}


def test_an_output_folder_given_as_a_dangling_symlink_is_refused(tmp_path):
    from .cli_support import policygen

    (tmp_path / "dist").symlink_to("nowhere")
    proc = policygen("generate", str(ROOT / "specs" / "reference.yaml"), "-o", str(tmp_path / "dist"))
    assert proc.returncode == 2, proc.stderr
    assert f"{tmp_path / 'dist'}: is a symlink to {tmp_path / 'nowhere'}, which does not exist" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["dist"] and (tmp_path / "dist").is_symlink()


def test_an_interrupt_right_after_the_temporary_folder_is_made_leaves_nothing_beside_the_output(tmp_path, monkeypatch):
    # A red team's SIGINT landed after the folder was made and before its name was kept (2026-12-05).
    import os

    import pytest

    from policygen import output
    out = tmp_path / "dist"
    output.write_tree(_small_tree(), out)
    (out / "rego/a/src.rego").write_text("tampered\n")
    real_mkdir = os.mkdir

    def interrupted(path, *args, **kwargs):
        real_mkdir(path, *args, **kwargs)
        if ".dist.tmp-" in os.fspath(path) and os.path.dirname(os.fspath(path)) == os.fspath(tmp_path):
            raise KeyboardInterrupt
    monkeypatch.setattr(output.os, "mkdir", interrupted)  # the os module itself: tempfile's mkdir too
    with pytest.raises(KeyboardInterrupt):
        output.write_tree(_small_tree(), out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
    assert (out / "rego/a/src.rego").read_text() == "tampered\n"


def _raced_tree(tmp_path):
    """A written tree, changed since, for a write that another run races: (os, output, the folder, the real os.replace)."""
    import os

    from policygen import output
    out = tmp_path / "dist"
    output.write_tree(_small_tree(), out)
    (out / "rego/a/src.rego").write_text("tampered\n")
    return os, output, out, os.replace


def test_a_run_that_another_run_overtakes_between_its_renames_leaves_the_others_tree_and_nothing_beside(tmp_path, monkeypatch):
    # Two generates into one folder (a red team, 2026-12-05): the second rename of the slower one found
    # the faster one's tree in place, and the slower one's old tree stayed beside it for good.
    import pytest

    from policygen.errors import OutputError
    os, output, out, real_replace = _raced_tree(tmp_path)

    def overtaken(src, dst):
        real_replace(src, dst)
        if ".dist.old-" in os.fspath(dst):  # the other run's whole tree lands in the gap
            other = tmp_path / "other"
            (other / "rego").mkdir(parents=True)
            (other / "rego/theirs").write_text("theirs\n")
            real_replace(other, out)
    monkeypatch.setattr(output.os, "replace", overtaken)
    with pytest.raises(OutputError, match="another policygen run wrote this folder at the same time"):
        output.write_tree(_small_tree(), out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
    assert (out / "rego/theirs").read_text() == "theirs\n"


def test_a_run_whose_folder_another_run_moves_away_puts_its_own_tree_in_place(tmp_path, monkeypatch):
    # The other window (red team 11): another run moved the folder away between our test and our first
    # rename. That read "cannot write the generated files: No such file or directory"; the folder is free,
    # so our complete tree goes in, and the other run's second rename is the one that finds it taken.
    os, output, out, real_replace = _raced_tree(tmp_path)

    def overtaken(src, dst):
        if os.fspath(src) == os.path.abspath(out) and ".dist.old-" in os.fspath(dst):
            real_replace(out, tmp_path / ".dist.their-old")  # the other run's first rename comes first
        return real_replace(src, dst)
    monkeypatch.setattr(output.os, "replace", overtaken)
    output.write_tree(_small_tree(), out)
    assert (out / "rego/a/src.rego").read_text() != "tampered\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.their-old", "dist"]  # the other run's to remove


def test_check_refuses_a_folder_generate_would_refuse_before_reading_anything_in_it(reference_plan, tmp_path):
    # A red team (2026-12-05): `generate --check -o ~` read every file of the home folder and printed a
    # credentials file whole as a deletion, where writing refuses such a folder at once.
    from .cli_support import policygen

    home = tmp_path / "home"
    home.mkdir()
    (home / ".credentials").write_text("FAKE_CI_TOKEN=hunter2\n")
    spec = str(ROOT / "specs" / "reference.yaml")
    for args in (["--check"], []):
        proc = policygen("generate", *args, spec, "-o", str(home), timeout=120)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "hunter2" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
        assert f"{home}: refusing to {'check' if args else 'replace'} a folder that holds .credentials" in proc.stderr
    assert sorted(p.name for p in home.iterdir()) == [".credentials"]


def test_a_replaced_tree_that_cannot_be_removed_is_said_and_the_new_one_stays(tmp_path, monkeypatch):
    # A red team (2026-12-05): an immutable file in the old tree left `.dist.old-<pid>` beside the new tree
    # with exit 0, a stale policy tree that `git add -A` would commit. Root removes read-only folders, so
    # the refusal is the file system's answer simulated at rmtree.
    import errno
    import os
    import shutil

    import pytest

    from policygen import output
    from policygen.errors import OutputError
    out = tmp_path / "dist"
    output.write_tree(_small_tree(), out)
    (out / "rego/a/src.rego").write_text("tampered\n")
    real_rmtree = shutil.rmtree

    def refusing(path, *args, onerror=None, onexc=None, **kwargs):
        if ".dist.old-" not in os.fspath(path):
            return real_rmtree(path, *args, onerror=onerror, **kwargs) if onexc is None else \
                real_rmtree(path, *args, onexc=onexc, **kwargs)
        exc = PermissionError(errno.EPERM, "Operation not permitted", os.path.join(path, "rego/a/src.rego"))
        if onexc is not None:
            onexc(os.unlink, exc.filename, exc)
        elif onerror is not None:
            onerror(os.unlink, exc.filename, (type(exc), exc, None))
    monkeypatch.setattr(output.shutil, "rmtree", refusing)
    with pytest.raises(OutputError, match=r"the new files are in place, but the tree they replaced could not be "
                                          r"removed \(Operation not permitted: .*src\.rego\); remove .*\.dist\.old-\d+ by hand"):
        output.write_tree(_small_tree(), out)
    assert (out / "rego/a/src.rego").read_text() == _small_tree()[output.PurePosixPath("rego/a/src.rego")]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".dist.old-")) == ["dist"]
