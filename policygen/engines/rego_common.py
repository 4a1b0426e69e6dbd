"""What the OPA and conftest adapters share: the inventory document."""

from __future__ import annotations

from typing import Any

from ..plan import Plan
from ..samples import SampleSet


def inventory(samples: SampleSet, plan: Plan) -> dict[str, Any]:
    """The Namespaces among the inputs (policygen/inventory.py), where Gatekeeper keeps its synced ones."""
    return {"cluster": {"v1": {"Namespace": samples.inventory(plan)}}}
