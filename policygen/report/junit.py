"""JUnit XML for CI test tabs (GitLab, Jenkins, Azure), written with junitparser.

One test suite per engine run, one test case per resource (class name: the
file; name: the object), one failure per denied resource listing every denying violation. Warnings of
audit-mode rules do not fail a case; they are listed in its system-out.
"""

from __future__ import annotations

import io

from junitparser import Failure, JUnitXml, Properties, Property, TestCase, TestSuite

from .model import EvalRun


def build(run: EvalRun) -> JUnitXml:
    suite = TestSuite(f"policygen {run.plan.name} ({run.engine})")
    props = Properties()
    props.add_property(Property("engine", run.engine))
    props.add_property(Property("spec", run.plan.name))
    if run.not_evaluated:
        props.add_property(Property("notEvaluated", " ".join(run.not_evaluated)))
    suite.append(props)
    for r in run.results:
        v = r.verdict
        case = TestCase(f"{r.object_ref} [#{v.index}]", classname=v.file, time=0.0)
        denials = [f for f in r.findings if f.action == "deny"]
        warnings = [f for f in r.findings if f.action == "warn"]
        if denials:
            # One failure per case, as CI test tabs count failed cases; every message in its body.
            rules = sorted({f.rule for f in denials})
            failure = Failure(
                message=denials[0].message if len(denials) == 1 else f"{len(denials)} violations: {', '.join(rules)}",
                type_=" ".join(rules),
            )
            failure.text = "\n".join(f.message for f in denials)
            case.result = [failure]
        out = [f"{r.location} {r.object_ref}"]
        out += [f"WARN {f.message}" for f in warnings]
        out += [f"EXEMPT ({e.exception}, until {e.expires}: {e.reason}) {e.message}" for e in v.exempted]
        if v.not_evaluated:
            out.append(f"not evaluated by {v.engine}: {', '.join(v.not_evaluated)}")
        case.system_out = "\n".join(out)
        suite.add_testcase(case)
    suite.update_statistics()
    xml = JUnitXml()
    xml.add_testsuite(suite)
    xml.update_statistics()
    # Jenkins' JUnit schema has no "skipped" on the root (only on a suite); nothing is skipped here.
    xml._elem.attrib.pop("skipped", None)
    return xml


def render(run: EvalRun) -> str:
    buffer = io.BytesIO()
    build(run).write(buffer, pretty=True)
    return buffer.getvalue().decode("utf-8")
