"""The spec's JSON Schema, from the Pydantic model, for editors' YAML language servers.

The schema knows each field, its type, pattern and enum; cross-field rules
(a sidecar needs images, requireSidecar names a listed sidecar, ...) are only
in ``policygen generate``/``load_spec``, which a schema cannot express.
"""

from __future__ import annotations

import json
from typing import Any

from .spec import SidecarPolicy

SCHEMA_ID = "https://policygen.dev/schemas/sidecarpolicy-v1alpha1.json"


def spec_json_schema() -> dict[str, Any]:
    schema = SidecarPolicy.model_json_schema(by_alias=True, mode="validation")
    head = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "policygen SidecarPolicy",
        "description": "Approved Istio sidecars (policygen.dev/v1alpha1). Cross-field rules are checked by `policygen generate`.",
    }
    schema.pop("title", None)
    return {**head, **schema}


def spec_json_schema_text() -> str:
    return json.dumps(spec_json_schema(), indent=2, sort_keys=True) + "\n"
