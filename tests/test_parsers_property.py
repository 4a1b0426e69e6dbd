"""Property tests: Python, Rego and CEL read the same generated strings the same way.

Strings come from the grammars (image references, quantities, capability
names) and from hostile variants of them (Unicode look-alikes, whitespace,
control characters, empty parts, lengths at and past the limits). Each
hypothesis example is a batch of a few hundred strings, and each engine judges
a batch in one run: one query to the session's OPA server, one `kyverno apply`
of a test-only CEL policy built from the production macros
(templates/kyverno/lib/pod.jinja, as the rules' rule.cel.jinja import them). Seeded (derandomized) and bounded.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from policygen.backends.cel import _env as cel_env
from policygen.capabilities import dropped_capability, runtime_capability
from policygen.images import _IMAGE_ID as IMAGE_ID
from policygen.images import ImageRefError, parse_image
from policygen.quantity import QuantityError, parse

from .conftest import require_tool

BATCHES = 4
# No shrinking: a batch is a seed, and a failure names the strings that differ.
SETTINGS = settings(max_examples=BATCHES, derandomize=True, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))

LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
DIGITS = "0123456789"
HEX = "0123456789abcdef"
# Characters an attacker reaches for: look-alikes that Unicode case mapping folds
# onto ASCII (Kelvin sign, long s, dotless i, dotted I), invisible ones,
# whitespace, controls, and the grammar's own delimiters.
HOSTILE = ["\u212a", "\u017f", "\u0131", "\u0130", "\u00df", "\u00e9", "\uff21", "\u200b", "\ufeff", "\u00a0",
           " ", "\t", "\n", "\r", "\x00", "\x7f", "\x85", "/", ":", "@", ".", "-", "_", "__", "[", "]", "A", "Z", ""]


def _mutated(rnd: random.Random, text: str) -> str:
    """The text, or a near miss: a hostile character in, a character out, a part upper-cased or repeated."""
    kind = rnd.choice(["same", "same", "insert", "delete", "upper", "repeat"])
    if kind == "same" or not text:
        return text
    at = rnd.randint(0, len(text))
    if kind == "insert":
        return text[:at] + rnd.choice(HOSTILE) + text[at:]
    if kind == "delete":
        return text[:at] + text[at + 1:]
    if kind == "upper":
        return text[:at] + text[at:at + 3].upper() + text[at + 3:]
    return text[:at] + text[at:at + 2] * rnd.randint(2, 140) + text[at + 2:]


def _text(rnd: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(low, high)))


def _component(rnd: random.Random) -> str:
    out = _text(rnd, LOWER, 1, 6)
    for _ in range(rnd.randint(0, 2)):
        out += rnd.choice([".", "_", "__", "-", "---"]) + _text(rnd, LOWER, 1, 6)
    return out


def _host(rnd: random.Random) -> str:
    if rnd.random() < 0.5:
        host = rnd.choice(["docker.io", "index.docker.io", "registry-1.docker.io", "Docker.IO", "localhost", "LOCALHOST",
                           "[::1]", "[fe80::1:A]", "127.0.0.1", "gcr.io", "Istio", "quay.io"])
    else:
        host = ".".join(_text(rnd, LOWER + "ABCXYZ-", 1, 6) for _ in range(rnd.randint(1, 3)))
    return host + (f":{rnd.randint(0, 70000)}" if rnd.random() < 0.3 else "")


def _digest(rnd: random.Random) -> str:
    kind = rnd.randint(0, 3)
    if kind == 0:
        return "sha256:" + _text(rnd, HEX, 64, 64)
    if kind == 1:
        return "sha512:" + _text(rnd, HEX, 128, 128)
    if kind == 2:
        return "sha256:" + _text(rnd, HEX + "ABCDEFxyz", 0, 70)
    return rnd.choice(["md5", "sha384", "sha256+b64u", "blake3", "SHA256", "sha.256", "s-"]) + ":" + _text(rnd, LOWER + "ABC=_-", 0, 44)


def image_ref(rnd: random.Random) -> str:
    if rnd.random() < 0.05:  # an image ID alone, or a near miss of one
        return _mutated(rnd, _digest(rnd) if rnd.random() < 0.8 else _text(rnd, HEX, 63, 65))
    path = [_component(rnd) for _ in range(rnd.randint(1, 4))]
    if rnd.random() < 0.05:  # at and past the 255-character path limit
        path.append("a" * rnd.randint(240, 260))
    ref = (f"{_host(rnd)}/" if rnd.random() < 0.6 else "") + "/".join(path)
    if rnd.random() < 0.5:
        ref += ":" + (_text(rnd, LOWER + "ABC_.-", 0, 8) if rnd.random() < 0.9 else "t" * rnd.randint(127, 129))
    if rnd.random() < 0.5:
        ref += "@" + _digest(rnd)
    return _mutated(rnd, ref)


def quantity(rnd: random.Random) -> str:
    text = rnd.choice(["", "", "", "+", "-"]) + _text(rnd, DIGITS, 0, 24)
    if rnd.random() < 0.5:
        text += "." + _text(rnd, DIGITS, 0, 24)
    if rnd.random() < 0.7:
        text += rnd.choice(["", "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "K", "ki", "mi", "i"])
    else:
        text += rnd.choice("eE") + rnd.choice(["", "+", "-"]) + _text(rnd, DIGITS, 0, 4)
    return _mutated(rnd, text)


def capability(rnd: random.Random) -> str:
    name = rnd.choice(["NET_ADMIN", "SYS_ADMIN", "NET_RAW", "ALL", "SYS_PTRACE", "BPF", "X"])
    name = "".join(c.lower() if rnd.random() < 0.5 else c for c in name)
    if rnd.random() < 0.5:
        name = rnd.choice(["CAP_", "cap_", "Cap_"]) + name
    if rnd.random() < 0.25:  # the look-alikes Go's ToUpper folds: ſ -> S, ı -> I
        name = name.replace("s", "\u017f").replace("i", "\u0131")
    return _mutated(rnd, name)


# ----------------------------------------------------------------------------- the Python model


def _py_image(ref: str) -> str:
    try:
        p = parse_image(ref)
    except ImageRefError:
        return "-"
    return f"{p.repository}|{p.tag or ''}|{p.digest or ''}|{'v' if p.verified_digest else 'u'}"


def _py_quantity(q: str):
    try:
        return parse(q)
    except QuantityError:
        return None


def _sign(a, b) -> str:
    return "<" if a < b else ">" if b < a else "="


def _py_pair(a: str, b: str) -> str:
    zero = parse("0")
    qa, qb = _py_quantity(a), _py_quantity(b)
    return (("1" if qa else "0") + ("1" if qb else "0") + (_sign(qa, qb) if qa and qb else ".")
            + (_sign(qa, zero) if qa else ".") + (_sign(qb, zero) if qb else "."))


def _py_capability(c: str) -> str:
    # As added (or forbidden), and as dropped: an entry with CAP_ drops nothing under containerd.
    return f"{runtime_capability(c) or '-'}/{dropped_capability(c) or '-'}"


def _pairs(qs: list[str]) -> list[tuple[str, str]]:
    # Each quantity against its neighbour (often a near miss of it) and against a spec-like bound.
    bounds = ["1Gi", "500m", "1", "0.000000001", "9223372036854775807", "1e19"]
    return [(q, qs[(i + 1) % len(qs)]) for i, q in enumerate(qs)] + [(q, bounds[i % len(bounds)]) for i, q in enumerate(qs)]


# ----------------------------------------------------------------------------- Rego: one query per batch

def _rego(opa_server, images, pairs, caps):
    query = (
        "images := [[p | p := data.lib.policygen.images.parse(r)] | some r in input.images]; "
        "qs := [[[x | x := data.lib.policygen.quantity.parse(p[0])], [x | x := data.lib.policygen.quantity.parse(p[1])], "
        "[c | c := data.lib.policygen.quantity.compare(p[0], p[1])], [c | c := data.lib.policygen.quantity.compare(p[0], \"0\")], "
        "[c | c := data.lib.policygen.quantity.compare(p[1], \"0\")]] | some p in input.pairs]; "
        "caps := [[[x | x := data.lib.policygen.pods.capability(c)], [y | y := data.lib.policygen.pods.dropped_capability(c)]] "
        "| some c in input.caps]; "
        "nanos := [[q, x] | some p in input.pairs; q := p[0]; x := data.lib.policygen.quantity.nano(q)]; "
        "quick := [[r, x, [g | g := data.lib.policygen.images.general(r)]] | some r in input.images; "
        "x := data.lib.policygen.images.quick(r)]"
    )
    answer = opa_server.client.ad_hoc_query(query, {"images": images, "pairs": pairs, "caps": caps})["result"][0]
    # nano() is a shortcut for the usual shapes: where it answers, it must be parse()'s value in nano-units.
    wrong = [(q, n) for q, n in answer["nanos"] if _py_quantity(q) is None or _py_quantity(q).nano() != n]
    assert wrong == [], f"quantity.nano differs from Quantity.nano: {wrong[:5]}"
    # images.quick reads the usual shapes by one match: where it answers, the general grammar must agree
    # (parse() prefers it, except for an image ID, which parse() refuses first).
    wrong = [(r, q, g) for r, q, g in answer["quick"] if [q] != g and not IMAGE_ID.fullmatch(r)]
    assert wrong == [], f"images.quick differs from images.general: {wrong[:5]}"
    sym = {-1: "<", 0: "=", 1: ">"}

    def image(found):
        if not found:
            return "-"
        p = found[0]
        return f"{p['repository']}|{p['tag']}|{p['digest']}|{'v' if p['verified_digest'] else 'u'}"

    def pair(row):
        a, b, ab, a0, b0 = row
        return (("1" if a else "0") + ("1" if b else "0") + (sym[ab[0]] if ab else ".")
                + (sym[a0[0]] if a0 else ".") + (sym[b0[0]] if b0 else "."))

    return ([image(f) for f in answer["images"]], [pair(r) for r in answer["qs"]],
            [f"{(a[0] or '-') if a else 'undefined'}/{(d[0] or '-') if d else 'undefined'}" for a, d in answer["caps"]])


# ----------------------------------------------------------------------------- CEL: one kyverno apply per batch

PROBE = """\
{% import "kyverno/lib/pod.jinja" as pod %}
variables:
{{ pod.pod_variables(params) }}
{{ pod.image_variables() }}
- name: ann
  expression: "type(object.metadata.annotations) == map ? object.metadata.annotations : {}"
- name: qa
  expression: lists.range(int(variables.ann["pairs"])).map(i, variables.ann["qa" + string(i)])
- name: qb
  expression: lists.range(int(variables.ann["pairs"])).map(i, variables.ann["qb" + string(i)])
- name: qaOk
  expression: variables.qa.map(s, {{ pod.quantity_ok("s") }})
- name: qbOk
  expression: variables.qb.map(s, {{ pod.quantity_ok("s") }})
problems: >-
 ["images: " + variables.indexes.map(i, variables.imgOk[i] ?
    variables.imgRepository[i] + "|" + variables.imgTag[i] + "|" + variables.imgDigest[i] + "|" + (variables.imgVerifiedDigest[i] ? "v" : "u") : "-").join(" ")
 + " pairs: " + lists.range(int(variables.ann["pairs"])).map(i,
    (variables.qaOk[i] ? "1" : "0") + (variables.qbOk[i] ? "1" : "0") +
    (variables.qaOk[i] && variables.qbOk[i] ? {{ sym('quantity(variables.qa[i]).compareTo(quantity(variables.qb[i]))') }} : ".") +
    (variables.qaOk[i] ? {{ sym('quantity(variables.qa[i]).compareTo(quantity("0"))') }} : ".") +
    (variables.qbOk[i] ? {{ sym('quantity(variables.qb[i]).compareTo(quantity("0"))') }} : ".")).join(" ")
 + " caps: " + lists.range(int(variables.ann["caps"])).map(i,
    [{{ pod.capability('variables.ann["c" + string(i)]') }}, {{ pod.dropped_capability('variables.ann["c" + string(i)]') }}]
    .map(c, c == "" ? "-" : c).join("/")).join(" ")]
"""


def _sym(expr: str) -> str:
    return f'({expr} < 0 ? "<" : {expr} == 0 ? "=" : ">")'


# Kyverno's CEL cost budget holds about 20 of each per Pod (long strings cost more): a batch is several Pods in one apply.
POD_SHARE = 20


def _probe_pod(n, images, pairs, caps):
    annotations = {f"qa{i}": a for i, (a, _) in enumerate(pairs)} | {f"qb{i}": b for i, (_, b) in enumerate(pairs)}
    annotations |= {f"c{i}": c for i, c in enumerate(caps)} | {"pairs": str(len(pairs)), "caps": str(len(caps))}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"probe-{n}", "namespace": "default", "annotations": annotations},
            "spec": {"containers": [{"name": f"c{i}", "image": ref} for i, ref in enumerate(images)]}}


def _cel(images, pairs, caps):
    binary = require_tool("kyverno")
    probe = yaml.safe_load(cel_env().from_string(PROBE).render(params={}, sym=_sym))
    # A ValidatingPolicy like the generated ones, whose one validation always fails with the readings as its message.
    policy = {"apiVersion": "policies.kyverno.io/v1", "kind": "ValidatingPolicy", "metadata": {"name": "parser-probe"},
              "spec": {"evaluation": {"background": {"enabled": False}}, "validationActions": ["Deny"],
                       "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                                                               "resources": ["pods"]}]},
                       "variables": probe["variables"],
                       "validations": [{"expression": "false", "messageExpression": probe["problems"].strip()[1:-1]}]}}
    chunks = range(0, max(len(images), len(pairs), len(caps)), POD_SHARE)
    pods = [_probe_pod(n, images[k:k + POD_SHARE], pairs[k:k + POD_SHARE], caps[k:k + POD_SHARE]) for n, k in enumerate(chunks)]
    with tempfile.TemporaryDirectory(prefix="policygen-probe-") as tmp:
        (Path(tmp) / "policy.yaml").write_text(yaml.safe_dump(policy, sort_keys=True), encoding="utf-8")
        # One JSON document per Pod (JSON is YAML; every non-ASCII character is escaped).
        (Path(tmp) / "pods.yaml").write_text("\n---\n".join(json.dumps(p) for p in pods), encoding="utf-8")
        proc = subprocess.run([str(binary), "apply", str(Path(tmp) / "policy.yaml"), "--resource", str(Path(tmp) / "pods.yaml"),
                               "--policy-report", "--output-format", "json", "--remove-color"],
                              capture_output=True, text=True, timeout=300)
    reports = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert reports, f"kyverno printed no report (exit {proc.returncode}):\n{proc.stderr[-3000:]}{proc.stdout[-3000:]}"
    by_pod = {r["resources"][0]["name"]: r for r in reports[-1].get("results") or [] if r.get("policy") == "parser-probe"}
    assert sorted(by_pod) == sorted(p["metadata"]["name"] for p in pods), by_pod.keys()
    found: tuple[list, list, list] = ([], [], [])
    for pod in pods:
        result = by_pod[pod["metadata"]["name"]]
        parts = re.fullmatch(r"images:(.*) pairs:(.*) caps:(.*)", result["message"], re.DOTALL)
        assert result.get("result") == "fail" and parts, result
        for into, text in zip(found, parts.groups()):
            into.extend(text.split())
    return found


# ----------------------------------------------------------------------------- the properties


@pytest.fixture(scope="module")
def rego_lib(opa_server, reference_dist):
    opa_server.load(reference_dist / "rego")
    return opa_server


def _batch():
    # Hypothesis draws the seed of each batch; a batch of a few hundred strings
    # drawn item by item would overrun hypothesis' per-example entropy buffer.
    return st.integers(0, 2**32 - 1).map(random.Random).map(lambda rnd: (
        [image_ref(rnd) for _ in range(200)], [quantity(rnd) for _ in range(120)], [capability(rnd) for _ in range(80)]))


def _python(images, pairs, caps):
    return ([_py_image(r) for r in images], [_py_pair(a, b) for a, b in pairs], [_py_capability(c) for c in caps])


def _differences(name, strings, expected, found):
    assert len(found) == len(expected), f"{name}: {len(found)} answers for {len(expected)} strings"
    return [(name, s, e, f) for s, e, f in zip(strings, expected, found) if e != f]


@SETTINGS
@given(batch=_batch())
def test_python_and_rego_read_alike(rego_lib, batch):
    images, qs, caps = batch
    pairs = _pairs(qs)
    py = _python(images, pairs, caps)
    rego = _rego(rego_lib, images, pairs, caps)
    diff = (_differences("image", images, py[0], rego[0]) + _differences("quantity", pairs, py[1], rego[1])
            + _differences("capability", caps, py[2], rego[2]))
    assert diff == []


@SETTINGS
@given(batch=_batch())
def test_python_and_cel_read_alike(batch):
    images, qs, caps = batch
    pairs = _pairs(qs)
    py = _python(images, pairs, caps)
    cel = _cel(images, pairs, caps)
    diff = (_differences("image", images, py[0], cel[0]) + _differences("quantity", pairs, py[1], cel[1])
            + _differences("capability", caps, py[2], cel[2]))
    assert diff == []


@SETTINGS
@given(batch=_batch())
def test_batches_hold_hostile_and_valid_strings(batch):
    """The generators reach both sides of each grammar, so the properties above cannot pass vacuously."""
    images, qs, caps = batch
    parsed = [_py_image(r) for r in images]
    assert 20 <= sum(p != "-" for p in parsed) <= len(images) - 20
    assert any(p.endswith("|v") for p in parsed) and any(p.endswith("|u") and p.split("|")[2] for p in parsed)
    read = [_py_quantity(q) for q in qs]
    assert 10 <= sum(q is not None for q in read) <= len(qs) - 10
    assert sum(runtime_capability(c) is not None for c in caps) >= 10


def test_quick_shapes_read_as_the_general_grammar(rego_lib):
    """quantity.parse reads "2", "100m", "128Mi" by a short match first; each such shape must get exactly
    the value the general grammar gives it, including leading zeros, zero and the longest digit runs."""
    digits = ["0", "00", "7", "010", "100", "123456789", "999999999", "1234567890", "1" * 15, "0" * 15, "9" * 15, "1" * 16]
    suffixes = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
    shapes = [d + s for d in digits for s in suffixes]
    q = "data.lib.policygen.quantity"
    query = (f"rows := [[s, [x | x := {q}.parse(s)], [x | "
             f"m := regex.find_all_string_submatch_n({q}.scan_pattern, s, 1)[0]; "
             f"x := {q}.from_parts(m[1], m[2], m[3], concat(\"\", [m[4], m[5]]))]] | some s in input.shapes]")
    rows = rego_lib.client.ad_hoc_query(query, {"shapes": shapes})["result"][0]["rows"]
    assert len(rows) == len(shapes)
    assert [r for r in rows if r[1] != r[2] or not r[1]] == []


def test_quick_shapes_in_nano_units(rego_lib):
    """quantity.nano reads the usual shapes as integers, which SC007 compares instead of parsed values: where it
    answers it must be exactly the general grammar's value in nano-units, and it must answer every usual shape."""
    digits = ["0", "7", "100", "123456789", "999999999", "1234567890", "1" * 15, "9" * 15, "1" * 16, "010", "00"]
    suffixes = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
    shapes = [d + s for d in digits for s in suffixes] + ["+1", "-1", "1.5", "1e3", "1Gi ", "\u0661"]
    query = "rows := {s: n | some s in input.shapes; n := data.lib.policygen.quantity.nano(s)}"
    rows = rego_lib.client.ad_hoc_query(query, {"shapes": shapes})["result"][0]["rows"]
    assert {s: n for s, n in rows.items() if parse(s).nano() != n} == {}
    usual = {d + s for d in digits for s in suffixes if not (len(d) > 1 and d[0] == "0")
             and len(d) <= (9 if s.endswith("i") else 15) and s not in ("Ti", "Pi", "Ei")}
    assert set(rows) == usual


def _status_document(rnd: random.Random) -> str:
    """An injector status annotation or a near miss: the injector's keys and others (case-folded, long s,
    repeated), approved and unapproved names, other values, spacing, and now and then a broken character."""
    names = ["istio-proxy", "istio-init", "istio-validation", "evil-proxy", "istio-proxY", ""]
    keys = ["initContainers", "containers", "volumes", "imagePullSecrets", "revision", "Containers", "initcontainers",
            "container\u017f", "CONTAINERS", "extra", "volume", "revisions", ""]

    def value(key: str) -> str:
        pick = rnd.random()
        if pick < 0.15:
            return rnd.choice(["null", "true", "1", "-2.5e3", '"default"', '""'])
        if pick < 0.2:
            return rnd.choice(['{"a":1}', '["a\\u0062"]', "[1, null]", '"x'])
        pool = names if "ontainer" in key.lower() or rnd.random() < 0.2 else ["workload-socket", "istio-envoy", "a"]
        return "[" + ", ".join(json.dumps(rnd.choice(pool)) for _ in range(rnd.randint(0, 3))) + "]"

    ws = lambda: rnd.choice(["", "", " ", "\n ", "\t"])  # noqa: E731
    members = [f'"{k}"{ws()}:{ws()}{value(k)}' for k in rnd.choices(keys, weights=[5, 5, 4, 2, 4] + [1] * 8, k=rnd.randint(0, 6))]
    return _mutated(rnd, ws() + "{" + ws() + f"{ws()},{ws()}".join(members) + ws() + "}" + ws())


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_usual_status_documents_are_clean_by_the_counts(rego_lib, seed):
    """SC003's status_clean clears the injector's own document by one match (status_usual_document): every
    document that match accepts must be one the grammar and the counts clear too, or a status naming an
    unapproved container could be cleared unread."""
    rnd = random.Random(seed)
    docs = [_status_document(rnd) for _ in range(400)]
    r = "data.lib.policygen.rules.sc003"
    query = (f"rows := [[usual, counted] | some v in input.docs; usual := regex.match({r}.status_usual_document, v); "
             f"counted := count([1 | regex.match({r}.status_document, v); "
             f"count(regex.find_n({r}.status_folded_key, v, -1)) == count(regex.find_n({r}.status_approved_member, v, -1))]) == 1]")
    rows = rego_lib.client.ad_hoc_query(query, {"docs": docs})["result"][0]["rows"]
    assert len(rows) == len(docs)
    assert [d for d, (usual, counted) in zip(docs, rows) if usual and not counted] == []
    # Both sides reached, and the counts clearing documents the one match leaves to them: not vacuous.
    assert sum(u for u, _ in rows) >= 40 and sum(not c for _, c in rows) >= 40
    assert any(c and not u for u, c in rows)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_compact_status_documents_are_usual_documents(rego_lib, seed):
    """The usual pod clears a status annotation by SC003's compactDocument before its usualDocument: every
    document the compact one matches (in OPA's RE2) must be one usualDocument matches too. The CEL's usual
    case reads compactDocument as "{}" or its members (compactMembers): the same documents."""
    from policygen.rules.sc003.status import rego_status_patterns

    rnd = random.Random(seed)
    docs = [_status_document(rnd) for _ in range(400)]
    # The injector's own writing, and near misses of it.
    docs += [_mutated(rnd, json.dumps({k: v for k, v in (
        ("initContainers", rnd.choice([None, ["istio-init"], ["istio-init", "istio-proxy"], ["evil"], []])),
        ("containers", rnd.choice([None, ["istio-proxy"], ["istio-proxy", "evil"]])),
        ("volumes", rnd.choice([None, ["workload-socket", "istio-envoy"], [1], "x"])),
        ("imagePullSecrets", None), ("revision", rnd.choice(["default", 1, True])),
    ) if rnd.random() < 0.9}, separators=(",", ":"))) for _ in range(400)]
    patterns = rego_status_patterns(["istio-init", "istio-proxy", "istio-validation"])
    compact, members = patterns["compactDocument"], patterns["compactMembers"]
    docs += ["{}", "{", "}", "{,}", "{{}}", *(d[:-1] + ",}" for d in docs[-50:]), *("{" + d for d in docs[-50:])]
    r = "data.lib.policygen.rules.sc003"
    # The CEL's reading (usual.cel.jinja): "{}", or "{" + members + "}" where members + "," is compactMembers.
    query = (f"rows := [[regex.match(input.compact, v), regex.match({r}.status_usual_document, v), "
             'v == "{}", startswith(v, "{"), endswith(v, "}"), '
             'regex.match(input.members, concat("", [substring(v, 1, max([count(v) - 2, 0])), ","]))] | some v in input.docs]')
    rows = rego_lib.client.ad_hoc_query(query, {"docs": docs, "compact": compact, "members": members})["result"][0]["rows"]
    assert len(rows) == len(docs)
    assert [d for d, (c, usual, *_) in zip(docs, rows) if c and not usual] == []
    assert [d for d, (c, _, empty, start, end, inner) in zip(docs, rows)
            if c != (empty or (start and end and inner))] == []
    assert sum(c for c, *_ in rows) >= 20 and sum(usual and not c for c, usual, *_ in rows) >= 10


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_a_plainly_other_image_is_none_of_the_sidecar_images(rego_lib, seed):
    """SC003 asks images.plainly_other of each app container's image before parsing it: wherever it holds, the
    image must parse, and be none of the repositories (under any host or port) and carry none of the digests
    whose markers it lacks, or a sidecar image under another name would go unread."""
    rnd = random.Random(seed)
    digest = "sha256:" + _text(rnd, HEX, 64, 64)
    sources = ["docker.io/istio/proxyv2:1.24.0", "registry.corp.example:5000/mesh/proxyv2", f"gcr.io/x/envoy@{digest}",
               "docker.io/library/pilot"]

    def near(rnd: random.Random) -> str:
        """A sidecar image under another host, port, tag or path, or an app image beside it."""
        host = rnd.choice(["evil.example", "docker.io", "index.docker.io", "registry.corp.example:5000",
                           "registry.corp.example", "localhost:5000", "gcr.io", "quay.io", ""])
        path = rnd.choice(["istio/proxyv2", "mesh/proxyv2", "x/envoy", "pilot", "library/pilot", "shop/app", "proxyv2x/app",
                           "a/proxyv2-debug", "envoy", "team/web"])
        ref = (f"{host}/" if host else "") + path
        ref += rnd.choice(["", ":1.0", ":latest", ":proxyv2"]) + rnd.choice(["", "", f"@{digest}", "@sha256:" + "e" * 64])
        return _mutated(rnd, ref)

    refs = [image_ref(rnd) for _ in range(150)] + [near(rnd) for _ in range(150)]
    # Repositories as SC003's parameters hold them (any_port) and digests, and images near them.
    i = "data.lib.policygen.images"
    query = (f"repos := {{r | some s in input.sources; r := {i}.any_port(s)}}; "
             f"digests := {{d | some s in input.sources; d := {i}.parse(s).digest; d != \"\"}}; "
             f"markers := {{m | some r in repos; parts := split(r, \"/\"); m := parts[count(parts) - 1]}} | digests; "
             f"rows := [[other, parses, named] | some ref in input.refs; "
             f"other := count([1 | {i}.plainly_other(ref, markers)]) == 1; "
             f"parses := count([1 | {i}.parse(ref)]) == 1; "
             f"named := count([1 | {i}.any_port(ref) in repos]) + count([1 | {i}.parse(ref).digest in digests]) > 0]")
    rows = rego_lib.client.ad_hoc_query(query, {"refs": refs, "sources": sources})["result"][0]["rows"]
    assert len(rows) == len(refs)
    assert [ref for ref, (other, parses, named) in zip(refs, rows) if other and (not parses or named)] == []
    # Both sides reached: images it clears, and parseable images it leaves to the parse (a marker, no host).
    assert sum(o for o, _, _ in rows) >= 10 and sum(p and not o for o, p, _ in rows) >= 30
    assert sum(n for _, _, n in rows) >= 10


def _quantity_near(rnd: random.Random, max_nano: int) -> str:
    """A quantity near a maximum: its value in each unit, one more or less, other digits, zeros, odd shapes."""
    suffixes = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "e3", "i", "MI"]
    units = {"": 10**9, "n": 1, "u": 10**3, "m": 10**6, "k": 10**12, "M": 10**15, "G": 10**18, "T": 10**21, "P": 10**24,
             "E": 10**27, "Ki": 1024 * 10**9, "Mi": 1024**2 * 10**9, "Gi": 1024**3 * 10**9}
    suffix = rnd.choice(suffixes)
    base = max_nano // units.get(suffix, 10**9)
    number = rnd.choice([base, base + 1, base - 1, base * 10, base // 10 + 1, 0, 1, rnd.randint(0, 10**rnd.randint(1, 17))])
    text = str(max(number, 0))
    return _mutated(rnd, rnd.choice(["", "", "", "0", "+", "-"]) + text + suffix)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_usual_quantity_patterns_hold_nothing_out_of_range(rego_lib, seed):
    """SC007's usual-case patterns (quantity.at_most_pattern, in usual.rego): a quantity one matches, in OPA's
    regular expressions and Python's alike, is one whose value is above zero where asked and within the maximum;
    and each maximum written as the injector writes it matches."""
    from policygen.quantity import at_most_pattern

    rnd = random.Random(seed)
    rows = []
    for _ in range(6):
        max_nano = rnd.choice([2 * 10**9, 10**9, 1024**3 * 10**9, 512 * 1024**2 * 10**9, 10**6, 1, 0,
                               rnd.randint(1, 10**22)])
        positive = rnd.random() < 0.5
        pattern = at_most_pattern(max_nano, positive)
        if pattern is None:
            assert positive and max_nano < 1
            continue
        rows += [(pattern, q, max_nano, positive) for q in (_quantity_near(rnd, max_nano) for _ in range(150))]
    found = rego_lib.client.ad_hoc_query("rows := [regex.match(p, q) | some [p, q] in input.rows]",
                                         {"rows": [[p, q] for p, q, _, _ in rows]})["result"][0]["rows"]
    wrong = []
    for (pattern, q, max_nano, positive), in_rego in zip(rows, found, strict=True):
        in_python = re.fullmatch(pattern[1:-1], q) is not None
        if in_rego != in_python:
            wrong.append((q, "rego", in_rego, "python", in_python))
        elif in_python:
            value = parse(q).nano()
            if value > max_nano or (positive and value <= 0):
                wrong.append((q, value, max_nano, positive))
    assert wrong == []
    assert sum(found) >= 50, "the generator must reach matching quantities"
    for written, nano in (("2", 2 * 10**9), ("1Gi", 1024**3 * 10**9), ("100m", 10**8), ("128Mi", 128 * 1024**2 * 10**9)):
        assert re.fullmatch(at_most_pattern(nano, True)[1:-1], written)


@SETTINGS
@given(bounds=st.tuples(st.integers(0, 10**16), st.integers(0, 10**16)))
def test_integer_range_patterns(bounds):
    """quantity.int_range_pattern: exactly the integers from lo to hi, written without leading zeros."""
    from policygen.quantity import int_range_pattern

    lo, hi = sorted(bounds)
    pattern = re.compile(int_range_pattern(lo, hi))
    rnd = random.Random(lo * 31 + hi)
    probes = {lo, hi, lo - 1, hi + 1, 0, 10**len(str(hi)), *(rnd.randint(0, 2 * hi + 10) for _ in range(400))}
    for n in (p for p in probes if p >= 0):
        assert (pattern.fullmatch(str(n)) is not None) == (lo <= n <= hi), (lo, hi, n)
        assert pattern.fullmatch("0" + str(n)) is None, (lo, hi, n)
