"""The whole set's usual pod (policygen/usual.py, usual.rego) clears nothing a rule would deny.

main.violations answers set() where data.policygen.usual.pod holds, and asks every rule
(main.every_violation) where it does not. For every spec the project ships or tests (the reference,
the corpus's, the exceptions example and every variant), on each plan's fixtures, every near miss of
its approved pods (tests/near_misses.py: one change to what a rule reads), the type-confusion mutants
of them, and the real corpus with its near misses, both answers must be the same, message for
message, and the usual pod must be taken often enough that the comparison means something.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

import policygen as pg
from policygen.fixtures import cases_for
from policygen.kinds import POD_KINDS
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.samples import load_samples

from .adversarial.type_confusion import field_types, mutants_of
from .conftest import CORPUS, CORPUS_SPEC, REFERENCE_SPEC
from .near_misses import every_near_miss

ROOT = Path(__file__).resolve().parent.parent
SPECS = [REFERENCE_SPEC, CORPUS_SPEC, ROOT / "specs" / "exceptions.yaml",
         *sorted((ROOT / "tests" / "variants").glob("*/spec.yaml"))]

# For each input: whether the usual pod held, main.violations' messages, and where it held, every rule's
# (main.every_violation; where it does not hold, main.violations is every rule's by its else).
CHECK = """package usual_check

results := [[held, sort([v.msg | some v in data.main.violations with input as doc]), every_rule(held, doc)] |
	some doc in input.docs
	held := usual(doc)
]

usual(doc) := true if data.policygen.usual.pod with input as doc

else := false

every_rule(true, doc) := sort([v.msg | some v in data.main.every_violation with input as doc])

every_rule(false, _) := null
"""


def _in_namespace(doc: dict[str, Any], namespace: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    if isinstance(doc.get("metadata"), dict):
        doc["metadata"]["namespace"] = namespace
    return doc


# The plan's approved pods whose near misses are judged (with them, every allowed fixture is judged as it is).
BASES = ("approved_pod", "sidecar_as_native_init_container", "status_spaced", "tag_and_digest")
CORPUS_BASES = 12  # corpus pods, every tenth, whose near misses are judged under the corpus's spec


def _inputs(plan, corpus: list[dict[str, Any]], own_corpus: bool) -> tuple[list[Any], int]:
    """Every input judged under plan, and how many approved pods are among the near misses' bases."""
    cases = cases_for(plan)
    docs: list[Any] = [c.resource for c in cases] + corpus
    bases = [c.resource for c in cases if c.name in BASES and not c.fails and c.resource.get("kind") == "Pod"]
    approved = len(bases)
    if own_corpus:
        bases += corpus[::10][:CORPUS_BASES]
    for base in bases:
        docs += every_near_miss(base)
    types = field_types(bases[:1])
    for i, base in enumerate(bases[:1]):
        docs += [m.doc for m in mutants_of(f"approved{i}", "any", base, types)]
    return docs, approved


@pytest.fixture(scope="module")
def corpus_docs() -> list[dict[str, Any]]:
    found = load_samples(sorted(CORPUS.glob("*.injected")))
    return [r.source for r in found.resources if isinstance(r.source, dict) and r.source.get("kind") == "Pod"]


def _digest_without_list(folder: Path) -> Path:
    """The reference spec with requireDigest and no digest list: SC002's own line decides a digest-less image."""
    doc = yaml.safe_load(REFERENCE_SPEC.read_text(encoding="utf-8"))
    doc["spec"]["images"]["digests"] = []
    doc["spec"]["images"]["requireDigest"] = True
    path = folder / "digest-without-list.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def verdicts(opa_server, tmp_path_factory, corpus_docs) -> dict[str, tuple[list[Any], list[Any], int, bool]]:
    """Per spec: its inputs, the server's three answers for each, how many approved pods, whether usual.rego exists."""
    out = {}
    opa_server.set_inventory({})
    for spec in [*SPECS, _digest_without_list(tmp_path_factory.mktemp("specs"))]:
        plan = pg.build_plan(pg.load_spec(spec))
        name = spec.parent.name if spec.name == "spec.yaml" else spec.stem
        files = render_all(plan, ["rego"])
        written = PurePosixPath("rego/usual.rego") in files
        if not written:
            out[name] = ([], [], 0, False)
            continue
        dist = tmp_path_factory.mktemp("usual") / "dist"
        write_tree(files, dist)
        rego = dist / "rego"
        for test in rego.rglob("*_test.rego"):
            test.unlink()
        (rego / "usual_check.rego").write_text(CHECK)
        mesh = plan.rule("SC003").params["scope"]["meshNamespaces"][:1]
        docs, approved = _inputs(plan, [_in_namespace(d, ns) for d in corpus_docs for ns in mesh], name == "corpus")
        opa_server.load(rego)
        answer = opa_server.client.query_rule({"docs": docs}, "usual_check", "results")
        out[name] = (docs, answer["result"], approved, True)
    return out


def test_usual_pod_clears_nothing_a_rule_denies(verdicts):
    differ = []
    for name, (docs, results, _, _) in verdicts.items():
        assert len(results) == len(docs)
        differ += [(name, docs[i], fast, every) for i, (held, fast, every) in enumerate(results)
                   if held and (fast != [] or every != [])]
    assert not differ, "\n".join(json.dumps({"spec": n, "input": d, "main.violations": f, "every rule": e})[:3000]
                                 for n, d, f, e in differ[:5])


def test_usual_pod_is_taken(verdicts):
    """Not vacuous: the approved pods of each plan take it, and so do many of their near misses."""
    for name in ("reference", "corpus", "exceptions", "digest-without-list"):
        assert verdicts[name][3], f"{name}: no usual.rego"
    for name, (docs, results, approved, written) in verdicts.items():
        if not written:
            continue
        # The approved pods are judged first among the near misses' bases, each followed by its near misses.
        held = [i for i, (usual, _, _) in enumerate(results) if usual]
        denied = sum(1 for _, fast, _ in results if fast)
        assert approved > 0 and len(held) >= approved, f"{name}: the usual pod held for {len(held)} of {len(docs)} inputs"
        assert denied > 0, name


def test_usual_pod_written_for_the_specs_of_the_usual_shape(verdicts):
    """Which specs get the usual pod: the variants whose options its lines do not cover leave every rule asked."""
    not_written = {name for name, (*_, w) in verdicts.items() if not w}
    assert not_written == {
        # Options whose checks the rules' usual cases leave to the checks.
        "sc005-env-allowlist", "sc005-exec-handlers", "sc006-mount-paths", "sc006-volume-sources",
        "sc010-declared-identity", "sc010-forbidden-volumes", "sc010-supplemental-groups",
        # No sidecars: no SC001 or SC003 to read a container by.
        "cp001-default-path", "cp001-guarded-mutators", "sc010-add-all", "selector-metadata-name", "selector-name-versions",
    }

