"""SARIF 2.1.0 for code scanning, built with Microsoft's SARIF object model (sarif-om).

One rule descriptor per rule ID of the catalogue, its severity mapped to a
level and to GitHub's ``security-severity``; one result per violation, at the
file and line where the resource's document starts.

The file is ASCII (JSON's escapes), but a viewer decodes the escapes again:
texts a person reads (messages, the object's name, a suppression's
justification) are shown through ``visible``, and an artifact's URI is
percent-encoded as RFC 3986 requires, so no control character reaches a
code-scanning page raw. The ``properties`` keep the values exactly, as data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from ..checks import CHECKS
from ..rules import CATALOGUE
from .model import EvalRun
from ..visible import visible

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# The catalogue's severities as SARIF levels and as GitHub's numeric scale.
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
INFORMATION_URI = "https://policygen.dev/rules"


def _to_json(value: Any) -> Any:
    """sarif-om's attrs classes as the SARIF JSON they model: schema names, defaults left out."""
    if attr.has(type(value)):
        out: dict[str, Any] = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            default = field.default.factory() if isinstance(field.default, attr.Factory) else field.default  # type: ignore[arg-type]
            if item is None or item == default:
                continue
            out[field.metadata["schema_property_name"]] = _to_json(item)
        return out
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return value


def _uri(file: str) -> str:
    """The file as a URI reference: relative to the checkout where it is inside it (code scanning resolves it
    there), a file: URI otherwise; each byte outside RFC 3986's path characters percent-encoded (a control
    character, a space, the byte 0xff of a name that is not UTF-8)."""
    path = Path(file)
    prefix = ""
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            prefix = "file://"
    text = PurePosixPath(*path.parts).as_posix() if path.parts else file
    try:
        raw = os.fsencode(text)
    except UnicodeEncodeError:  # a surrogate no file name decodes to: its UTF-8 form, still percent-encoded
        raw = text.encode("utf-8", "surrogatepass")
    return prefix + quote(raw, safe="/!$&'()*+,;=@~")


def _rules() -> list[om.ReportingDescriptor]:
    rules = []
    for rule_id, info in CATALOGUE.items():
        rules.append(
            om.ReportingDescriptor(
                id=rule_id,
                name=info.slug,
                short_description=om.MultiformatMessageString(text=info.title),
                full_description=om.MultiformatMessageString(text=info.description),
                help=om.MultiformatMessageString(
                    text=info.description + " Sub-checks: " + ", ".join(f"{rule_id}/{c}" for c in CHECKS.get(rule_id, {}))
                ),
                default_configuration=om.ReportingConfiguration(level=LEVELS[info.severity]),
                properties={
                    "tags": ["security", "kubernetes", "istio"],
                    "precision": "very-high",
                    "problem.severity": "error" if info.severity in ("critical", "high") else "warning",
                    "security-severity": SECURITY_SEVERITY[info.severity],
                    "category": info.category,
                },
            )
        )
    return rules


def build(run: EvalRun) -> om.SarifLog:
    index = {rule_id: i for i, rule_id in enumerate(CATALOGUE)}
    results = []
    for r in run.results:
        v = r.verdict
        for f in r.findings:
            info = CATALOGUE.get(f.rule)
            level = "warning" if f.action == "warn" else LEVELS[info.severity] if info else "error"
            props: dict[str, Any] = {
                "check": f.check,
                "engine": v.engine,
                "action": f.action,
                "kind": v.kind,
                "namespace": v.namespace if r.namespaced else "",
                "name": v.name,
                "index": v.index,
                "object": r.object_ref,
            }
            results.append(
                om.Result(
                    rule_id=f.rule,
                    rule_index=index.get(f.rule, -1),
                    level=level,
                    kind="fail",
                    message=om.Message(text=visible(f.message)),
                    locations=[
                        om.Location(
                            physical_location=om.PhysicalLocation(
                                artifact_location=om.ArtifactLocation(uri=_uri(v.file)),
                                region=om.Region(start_line=r.line),
                            ),
                            logical_locations=[om.LogicalLocation(fully_qualified_name=visible(r.object_ref), kind="resource")],
                        )
                    ],
                    # One stable identity per (object, check), so code scanning tracks it across commits.
                    partial_fingerprints={"policygen/v1": f"{r.object_ref}|{f.check or f.rule}"},
                    properties={k: p for k, p in props.items() if p != ""},
                )
            )
        # An exempted violation is a result suppressed by the spec's exception, with its reason as justification.
        for e in v.exempted:
            results.append(
                om.Result(
                    rule_id=e.rule,
                    rule_index=index.get(e.rule, -1),
                    level="note",
                    kind="fail",
                    message=om.Message(text=visible(e.message)),
                    locations=[om.Location(
                        physical_location=om.PhysicalLocation(
                            artifact_location=om.ArtifactLocation(uri=_uri(v.file)), region=om.Region(start_line=r.line)),
                        logical_locations=[om.LogicalLocation(fully_qualified_name=visible(r.object_ref), kind="resource")],
                    )],
                    suppressions=[om.Suppression(kind="external", justification=visible(f"{e.exception} (until {e.expires}): {e.reason}"))],
                    partial_fingerprints={"policygen/v1": f"{r.object_ref}|{e.check or e.rule}"},
                    properties={"check": e.check, "engine": v.engine, "exception": e.exception, "expires": e.expires},
                )
            )
    notifications = [
        om.Notification(
            message=om.Message(text=visible(f"{rule} was not evaluated by {run.engine}: not counted as passed")),
            level="note",
            descriptor=om.ReportingDescriptorReference(id=rule),
        )
        for rule in run.not_evaluated
    ] + [
        # Each object whose containers no rule reads, where it is: never counted as passed.
        om.Notification(
            message=om.Message(text=visible(f"{r.object_ref}: {r.unread_note}")),
            level="warning",
            locations=[om.Location(
                physical_location=om.PhysicalLocation(artifact_location=om.ArtifactLocation(uri=_uri(r.verdict.file)),
                                                      region=om.Region(start_line=r.line)),
                logical_locations=[om.LogicalLocation(fully_qualified_name=visible(r.object_ref), kind="resource")],
            )],
        )
        for r in run.results if r.unread and not r.findings
    ]
    from .. import __version__

    driver = om.ToolComponent(
        name="policygen",
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=_rules(),
    )
    invocation = om.Invocation(execution_successful=True, tool_execution_notifications=notifications or None)
    sarif_run = om.Run(
        tool=om.Tool(driver=driver),
        results=results,
        invocations=[invocation],
        automation_details=om.RunAutomationDetails(id=f"policygen/{run.plan.name}/{run.engine}/"),
        properties={"engine": run.engine, "spec": run.plan.name},
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[sarif_run])


def render(run: EvalRun) -> str:
    return json.dumps(_to_json(build(run)), indent=2, sort_keys=False) + "\n"
