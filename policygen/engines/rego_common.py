"""What the OPA and conftest adapters share: the inventory document and the rules they cannot decide."""

from __future__ import annotations

from typing import Any

from ..backends.rego import UNSUPPORTED
from ..plan import Plan
from ..samples import SampleSet


def inventory(samples: SampleSet, plan: Plan) -> dict[str, Any]:
    """The Namespaces among the inputs (policygen/inventory.py), where Gatekeeper keeps its synced ones."""
    return {"cluster": {"v1": {"Namespace": samples.inventory(plan)}}}


def not_evaluated(plan: Plan) -> list[str]:
    return sorted(r.rule_id for r in plan.rules if r.rule_id in UNSUPPORTED)
