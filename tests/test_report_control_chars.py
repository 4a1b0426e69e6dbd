"""No report format writes a control character raw, and none fails on one.

A pod's name, a message echoing its values and the path of the file it came
from are chosen by whoever wrote them. A NUL or ESC in them once made
``--format junit`` die with a traceback (XML 1.0 cannot hold it), and passed
ESC raw into the GitHub log. Every format a person reads shows them as text
(``policygen/visible.py``); the machine formats (json, sarif's file,
policyreport) are ASCII with the format's own escapes. Generated strings
(hypothesis, seeded by the suite's profile) hold every C0 and C1 control, DEL,
lone surrogates (what Python makes of a file name that is not UTF-8), U+FFFE,
U+FFFF, line separators and bidi controls, next to any other character.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policygen.report import FORMATS, EvalRun, render
from policygen.visible import UNSAFE, visible
from policygen.verdicts import Exemption, Verdict, Violation

from .cli_support import SCHEMAS, policygen
from .conftest import REFERENCE_SPEC, require_tool

# Every character visible() must escape, as a list: C0, DEL, C1, the separators and bidi controls, the ends
# of the surrogate range and some inside it, and XML's two excluded noncharacters.
CONTROLS = (
    [chr(c) for c in range(0x20)] + [chr(c) for c in range(0x7F, 0xA0)]
    + ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029"] + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\ud800", "\udbff", "\udc80", "\udcff", "\udfff", "\ufffe", "\uffff"]
)
_HOSTILE = st.text(alphabet=st.one_of(st.sampled_from(CONTROLS), st.characters(blacklist_categories=())), max_size=24)

# XML 1.0's Char production: what a well-formed document may hold at all.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def test_every_control_is_escaped_visibly_and_nothing_else():
    for ch in CONTROLS:
        shown = visible(f"a{ch}b")
        code = ord(ch)
        assert shown == (f"a\\x{code:02x}b" if code < 0x100 else f"a\\u{code:04x}b"), repr(ch)
    plain = "Pod payments/web-1 ünïcødé 名前 \\x1b % :: , \U0001f600 \u00a0\u00ff"
    assert visible(plain) == plain
    assert not UNSAFE.search(visible("".join(CONTROLS)))


def _run(plan, entries):
    """One Pod per (namespace, name, file, message, reason): denied with the message, one exempted violation."""
    verdicts = []
    for i, (ns, name, file, message, reason) in enumerate(entries):
        verdicts.append(Verdict(
            file, i, "Pod", ns, name, "opa",
            [Violation("SC001", f"SC001/image-not-approved {message}", "image-not-approved"),
             Violation("SC004", f"SC004/capability-added {name}", "capability-added")],
            ["SC012"], document=i + 1, line=2 * i + 1, object=f"Pod {ns}/{name}",
            exempted=[Exemption("SC005", f"SC005/env-forbidden {message}", "SC005/env-forbidden", f"exc-{i}", reason, "2999-01-01")],
        ))
    return EvalRun.of(plan, "opa", verdicts)


def _texts(elem):
    """Every attribute value and text of the tree, with the element and what it is."""
    for e in elem.iter():
        for key, value in e.attrib.items():
            yield e, key, value
        if e.text is not None:
            yield e, "text", e.text


def _check_all_formats(run, entries):
    """Each format renders, is encodable as UTF-8 (what -o writes), and holds no raw control where a person reads."""
    out = {fmt: render(fmt, run) for fmt in FORMATS}
    for fmt, text in out.items():
        text.encode("utf-8")  # strict: a lone surrogate written raw would raise here
    # Read by people: no unsafe character but the layout's own line feeds.
    for fmt in ("text", "github", "junit"):
        # (junit: its pretty layout indents with tabs; the parsed texts are checked below)
        assert not UNSAFE.search(out[fmt].replace("\n", "").replace("\t", "" if fmt == "junit" else "\t")), fmt
    # Machine formats: ASCII, the format's own escapes carry the exact values.
    for fmt in ("json", "sarif", "policyreport"):
        assert out[fmt].isascii(), fmt
    records = json.loads(out["json"])
    assert [(r["namespace"], r["name"], r["file"]) for r in records] == [(ns, name, file) for ns, name, file, _, _ in entries]

    # JUnit: well-formed XML 1.0 whatever the input, every text in its visible form.
    assert not _NOT_XML.search(out["junit"])
    root = ET.fromstring(out["junit"])
    for _, key, value in _texts(root):
        if not value.strip("\n\t"):
            continue  # the pretty layout's indentation between elements
        assert not UNSAFE.search(value.replace("\n", "")), (key, value)
    cases = root.findall(".//testcase")
    assert len(cases) == len(entries)
    for case, (ns, name, file, message, reason) in zip(cases, entries, strict=True):
        ref = f"Pod {ns}/{name or '(unnamed)'}"
        assert case.get("name") == visible(f"{ref} [#{cases.index(case)}]")
        assert case.get("classname") == visible(file)
        failure = case.find("failure")
        assert failure.text.split("\n") == [visible(f"SC001/image-not-approved {message}"), visible(f"SC004/capability-added {name}")]
        body = case.find("system-out").text.split("\n")
        assert body[0] == visible(f"{file}:{2 * cases.index(case) + 1} {ref}")
        assert visible(reason) in body[1] and visible(message) in body[1]

    # GitHub: one command a line, nothing forged, no raw control.
    lines = out["github"].splitlines()
    assert len(lines) == 3 * len(entries) + 2
    assert all(re.match(r"^::(error|notice) [^:]*::", line) for line in lines[:-1]), lines

    # Text: one line per resource, violation, exemption and notEvaluated, and the summary; nothing forged.
    assert len(out["text"].splitlines()) == 5 * len(entries) + 1

    # SARIF: messages and names a viewer shows are visible text; the URI is a URI.
    sarif = json.loads(out["sarif"])
    for result in sarif["runs"][0]["results"]:
        assert not UNSAFE.search(result["message"]["text"])
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not re.search(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]", uri), uri
        assert not UNSAFE.search(result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"])
    return out


_ENTRY = st.tuples(_HOSTILE, _HOSTILE, _HOSTILE.map(lambda s: s or "f.yaml"), _HOSTILE, _HOSTILE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(_ENTRY, min_size=1, max_size=4))
def test_no_format_writes_a_control_raw_or_fails(reference_plan, entries):
    _check_all_formats(_run(reference_plan, entries), entries)


def test_every_control_at_once_in_every_place(reference_plan):
    entries = [(f"ns{ch}", f"web{ch}", f"dir/f{ch}.yaml", f"m{ch}", f"r{ch}") for ch in CONTROLS]
    out = _check_all_formats(_run(reference_plan, entries), entries)
    xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd")).validate(out["junit"])
    assert "web\\x1b" in out["github"] and "web\\x00" in out["text"] and "dir/f\\udcff.yaml" in out["junit"]


# --- through the command line, with OPA's verdicts -------------------------------

ESC_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: "web\\e\\0\\x9b2J\\N\\L"
  namespace: payments
spec:
  containers: [{name: "web\\e", image: "busybox\\e"}]
"""


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    """A pod named with ESC, NUL, CSI, NEL and LS, in a file whose name holds ESC and the byte 0xff."""
    folder = tmp_path_factory.mktemp("controls")
    named = folder / "esc.yaml"
    named.write_text(ESC_POD)
    raw = os.path.join(os.fsencode(folder), b"p\x1bq\xff.yaml")
    with open(raw, "w") as out:
        out.write(ESC_POD.replace('"web\\e\\0\\x9b2J\\N\\L"', "plain"))
    return [str(named), os.fsdecode(raw)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_formats_never_fail_on_controls(fmt, hostile_files, tmp_path):
    require_tool("opa")
    target = tmp_path / f"report.{fmt}"
    for output in (["-o", str(target)], []):
        proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "--format", fmt, *output, *hostile_files)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        text = target.read_text(encoding="utf-8") if output else proc.stdout
        if fmt in ("text", "github", "junit"):
            assert "\x1b" not in text and "\x00" not in text and "\x9b" not in text and "\u2028" not in text
            assert "web\\x1b\\x00\\x9b2J\\x85\\u2028" in text
            assert "p\\x1bq\\udcff.yaml" in text
        if fmt == "junit":
            names = [case.get("name") for case in ET.fromstring(text).iter("testcase")]
            assert names == ["Pod payments/web\\x1b\\x00\\x9b2J\\x85\\u2028 [#0]", "Pod payments/plain [#0]"]


def test_cli_errors_and_warnings_show_a_file_name_as_text(tmp_path):
    """stderr is a terminal or a CI log too: a file name with ESC or a line feed is shown, not obeyed."""
    bad = tmp_path / "bad\x1b[31m\n::error::forged.yaml"
    bad.write_text("a: [\n")
    skipped = tmp_path / "values\x1b\x9b.yaml"
    skipped.write_text("foo: bar\n")
    for path, status, shown in ((bad, 2, "bad\\x1b[31m\\x0a::error::forged.yaml: line 2: not valid YAML"),
                                (skipped, 2, "values\\x1b\\x9b.yaml: skipped: no Kubernetes object")):
        proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", str(path))
        assert proc.returncode == status, proc.stderr
        assert shown in proc.stderr
        assert not UNSAFE.search(proc.stderr.replace("\n", "")), proc.stderr
        assert all(line.startswith("policygen: ") for line in proc.stderr.splitlines()), proc.stderr


def test_verify_report_shows_a_file_name_as_text(tmp_path):
    require_tool("opa")
    sample = tmp_path / "ok\x1b[2J\n.yaml"
    sample.write_text("# expect: allow\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"c\\e\", namespace: default}\ndata: {}\n")
    proc = policygen("verify", str(REFERENCE_SPEC), str(sample), "--engine", "opa")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok\\x1b[2J\\x0a.yaml" in proc.stdout and "c\\x1b" in proc.stdout, proc.stdout
    assert not UNSAFE.search(proc.stdout.replace("\n", "")), proc.stdout
