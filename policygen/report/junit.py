"""JUnit XML for CI test tabs (GitLab, Jenkins, Azure), written with junitparser.

One test suite per engine run, one test case per resource (class name: the
file; name: the object), one failure per denied resource listing every denying violation. Warnings of
audit-mode rules do not fail a case; they are listed in its system-out.

Every text in the file (names, file paths, messages, attributes) goes through
``visible``: a control character in a pod's name or a file's path is shown as
its escape, never written raw, so the file is always well-formed XML 1.0.
"""

from __future__ import annotations

import io

from junitparser import Failure, JUnitXml, Properties, Property, Skipped, TestCase, TestSuite

from .model import EvalRun
from ..visible import visible, visible_lines


def build(run: EvalRun) -> JUnitXml:
    suite = TestSuite(visible(f"policygen {run.plan.name} ({run.engine})"))
    props = Properties()
    props.add_property(Property("engine", visible(run.engine)))
    props.add_property(Property("spec", visible(run.plan.name)))
    if run.not_evaluated:
        props.add_property(Property("notEvaluated", visible(" ".join(run.not_evaluated))))
    suite.append(props)
    for r in run.results:
        v = r.verdict
        case = TestCase(visible(f"{r.object_ref} [#{v.index}]"), classname=visible(v.file), time=0.0)
        denials = [f for f in r.findings if f.action == "deny"]
        warnings = [f for f in r.findings if f.action == "warn"]
        if denials:
            # One failure per case, as CI test tabs count failed cases; every message in its body.
            rules = sorted({f.rule for f in denials})
            failure = Failure(
                message=visible(denials[0].message if len(denials) == 1 else f"{len(denials)} violations: {', '.join(rules)}"),
                type_=visible(" ".join(rules)),
            )
            failure.text = "\n".join(visible(f.message) for f in denials)
            case.result = [failure]
        elif r.unread:
            # Containers no rule reads: a skipped case, never a passed one.
            case.result = [Skipped(message=visible(r.unread_note))]
        # One line per item: each made visible on its own, so a name's line feed cannot start a line here.
        out = [f"{r.location} {r.object_ref}"]
        out += [f"WARN {f.message}" for f in warnings]
        out += [f"EXEMPT ({e.exception}, until {e.expires}: {e.reason}) {e.message}" for e in v.exempted]
        if v.not_evaluated:
            out.append(f"not evaluated by {v.engine}: {', '.join(v.not_evaluated)}")
        case.system_out = "\n".join(visible(line) for line in out)
        suite.add_testcase(case)
    suite.update_statistics()
    xml = JUnitXml()
    xml.add_testsuite(suite)
    xml.update_statistics()
    # Jenkins' JUnit schema has no "skipped" on the root (only on a suite, which counts the skipped cases).
    xml._elem.attrib.pop("skipped", None)
    _only_visible(xml._elem)
    return xml


def _only_visible(root) -> None:
    """Every attribute and text of the tree made visible, whatever set it: XML 1.0 holds no raw control."""
    for elem in root.iter():
        for key, value in elem.attrib.items():
            if isinstance(value, str):
                elem.attrib[key] = visible(value)
        if isinstance(elem.text, str):
            elem.text = visible_lines(elem.text)
        if isinstance(elem.tail, str):
            elem.tail = visible_lines(elem.tail)


def render(run: EvalRun) -> str:
    buffer = io.BytesIO()
    build(run).write(buffer, pretty=True)
    return buffer.getvalue().decode("utf-8")
