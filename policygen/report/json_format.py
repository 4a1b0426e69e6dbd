"""SPEC.md's eval contract: one JSON array, one record per resource, in input order."""

from __future__ import annotations

import json

from .model import EvalRun, json_records


def render(run: EvalRun) -> str:
    return json.dumps(json_records(run), indent=2) + "\n"
