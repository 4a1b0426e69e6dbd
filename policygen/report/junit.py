"""JUnit XML for CI test tabs (GitLab, Jenkins, Azure), written with junitparser.

One test suite per engine run, one test case per resource (class name: the
file; name: the object), a failure per denying violation. Warnings of
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
            case.result = [
                Failure(message=f.message, type_=f.check or f.rule) for f in denials
            ]
        out = [f"{r.location} {r.object_ref}"]
        out += [f"WARN {f.message}" for f in warnings]
        if v.not_evaluated:
            out.append(f"not evaluated by {v.engine}: {', '.join(v.not_evaluated)}")
        case.system_out = "\n".join(out)
        suite.add_testcase(case)
    suite.update_statistics()
    xml = JUnitXml()
    xml.add_testsuite(suite)
    xml.update_statistics()
    return xml


def render(run: EvalRun) -> str:
    buffer = io.BytesIO()
    build(run).write(buffer, pretty=True)
    return buffer.getvalue().decode("utf-8")
