"""SPEC.md's eval contract: one JSON array, one record per resource, in input order."""

from __future__ import annotations

import io
import json
from typing import TextIO

from .model import EvalRun, iter_json_records

_ENCODE = json.JSONEncoder(indent=2).encode


def write(run: EvalRun, out: TextIO) -> None:
    """The array written record by record, byte for byte what json.dumps(records, indent=2) gives.

    A run over a cluster dump has 100,000 records; the whole array as one string
    (and the pure-Python encoder's pieces of it) would be several times their size.
    """
    first = True
    for record in iter_json_records(run):
        # Inside a JSON string a line break is always escaped, so every "\n" here is the layout's.
        out.write(("[\n  " if first else ",\n  ") + _ENCODE(record).replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")


def render(run: EvalRun) -> str:
    out = io.StringIO()
    write(run, out)
    return out.getvalue()
