"""What one rule is made of: the parts every folder under policygen/rules/ provides.

A rule folder holds its catalogue entry, its sub-check codes, the function that
plans it from the spec, its Rego (``rule.rego.jinja``), its CEL
(``rule.cel.jinja``), a pod rule's lines in the whole set's usual pod and in
its own Gatekeeper template's (``usual.rego.jinja``, policygen/usual.py) and in its CEL policy
(``usual.cel.jinja``), its cases and the backends that cannot render it. Nothing
here imports a later stage of the pipeline: the plan, the fixtures and the
backends read rules, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..fixtures import CaseKit
    from ..spec import PolicySpec

REGO_SOURCE = "rule.rego.jinja"
CEL_SOURCE = "rule.cel.jinja"
USUAL_SOURCE = "usual.rego.jinja"
USUAL_CEL_SOURCE = "usual.cel.jinja"
# Backends a rule may be unable to render; the rule says why, and the engines report it in notEvaluated.
# "rego" is OPA, conftest and Gatekeeper; "vap" the ValidatingAdmissionPolicy backend.
BACKENDS_WITH_GAPS = ("rego", "vap")
POD = "Pod"
SIDECAR_CATEGORY = "Istio Sidecar Security"
CONTROL_PLANE_CATEGORY = "Istio Control Plane"


@dataclass(frozen=True)
class RuleInfo:
    rule_id: str
    slug: str
    title: str
    description: str
    category: str
    severity: str
    subject: str  # the Kubernetes kinds the rule reads, for Kyverno's annotation

    @property
    def policy_name(self) -> str:
        return f"{self.rule_id.lower()}-{self.slug}"


@dataclass(frozen=True)
class PlanInputs:
    """What the spec says, in the shapes several rules plan from (computed once per plan)."""

    spec: "PolicySpec"
    scope: dict[str, Any]
    sidecar_names: list[str]
    repositories: list[str]
    sidecars: list[Any]  # the spec's Sidecar models, by name


Planner = Callable[[PlanInputs], "dict[str, Any] | None"]


def per_sidecar(given: PlanInputs, entry: Callable[[Any], "dict[str, Any] | None"]) -> "dict[str, Any] | None":
    """The parameters of a rule configured per sidecar: an entry for each sidecar that configures it, or None."""
    entries = [e for e in map(entry, given.sidecars) if e is not None]
    return {"scope": given.scope, "sidecars": entries} if entries else None
CaseWriter = Callable[[dict[str, Any], "CaseKit"], None]


@dataclass(frozen=True)
class Rule:
    info: RuleInfo
    # Sub-check codes (stable API: add new ones, never rename one) -> what each means.
    checks: Mapping[str, str]
    # The rule's parameters from the spec, or None when the spec does not switch it on.
    plan: Planner
    # Writes the rule's benign near-misses and malicious variants from its parameters.
    cases: CaseWriter | None
    folder: Path
    # backend (BACKENDS_WITH_GAPS) -> why that backend cannot render the rule.
    not_rendered: Mapping[str, str] = field(default_factory=dict)
    # coverage-table engine -> what the cell says instead of a plain yes/no.
    coverage_notes: Mapping[str, str] = field(default_factory=dict)
    # The rule judges a DELETE too (its old object): removing what it guards is itself a violation.
    judges_delete: bool = False
    # The rule compares an UPDATE's oldObject with its object (which the Kyverno CLI cannot give it).
    reads_old_object: bool = False
    # Whether the plan's approved Pod and Deployment join the rule's cases (False where allowing them
    # needs what no test run has, like SC012's registry).
    baseline_cases: bool = True
    # What the rule's templates (Rego and CEL) read besides its params, from its params: grammars and
    # limits that belong to the rule, not to a backend.
    template_context: Callable[[Mapping[str, Any]], Mapping[str, Any]] = field(default=lambda params: {})
    # Whether the rule's usual.rego.jinja and usual.cel.jinja can clear a pod under these params
    # (policygen/usual.py): a pod rule without them, or whose params they cannot clear, is asked in full.
    usual: Callable[[Mapping[str, Any]], bool] | None = None

    @property
    def rule_id(self) -> str:
        return self.info.rule_id

    def _source(self, name: str) -> str | None:
        # Template names are relative to the policygen package (render.make_env searches it).
        return f"rules/{self.folder.name}/{name}" if (self.folder / name).is_file() else None

    @property
    def rego_template(self) -> str | None:
        return self._source(REGO_SOURCE)

    @property
    def cel_template(self) -> str | None:
        return self._source(CEL_SOURCE)

    @property
    def usual_template(self) -> str | None:
        return self._source(USUAL_SOURCE)

    @property
    def usual_cel_template(self) -> str | None:
        return self._source(USUAL_CEL_SOURCE)

    def renders_in(self, backend: str) -> bool:
        return backend not in self.not_rendered
