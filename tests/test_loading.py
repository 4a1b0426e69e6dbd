"""Inputs read as `kubectl apply -f` reads them (policygen/kubeyaml.py, policygen/samples.py).

Each expected value below is what kubectl sends the API server for the text:
sigs.k8s.io/yaml turns a document into JSON through go-yaml v2, so plain
scalars resolve as YAML 1.1 does there, and Go's encoding/json prints the
numbers. Where PyYAML reads the same text differently, the test says so.
"""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest

from policygen import kubeyaml
from policygen.errors import InputError
from policygen.samples import load_text


def one(text: str):
    loaded = kubeyaml.load_yaml_chunk(text)
    assert loaded is not None
    return loaded.value


# --- scalars -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [
    # YAML 1.1 booleans of go-yaml v2, all three spellings, y/n included (PyYAML: y and n are strings).
    ("yes", True), ("Yes", True), ("YES", True), ("on", True), ("ON", True), ("y", True), ("Y", True),
    ("no", False), ("off", False), ("n", False), ("N", False), ("true", True), ("False", False),
    ("yEs", "yEs"), ("oN", "oN"), ("tRUE", "tRUE"),
    # Integers as Go's strconv.ParseInt(s, 0, 64) reads them after go-yaml drops underscores.
    ("0777", 511), ("0o17", 15), ("0x1F", 31), ("0b101", 5), ("-0b11", -3), ("+12", 12), ("1_000", 1000),
    ("9223372036854775808", 9223372036854775808),  # uint64 still an integer
    ("08", 8), ("09.5", 9.5),  # not octal: the float pattern takes them (PyYAML: "08" is a string)
    # Floats; Go prints integral ones without a point, so the API server reads an integer.
    ("1e3", 1000), ("1.0", 1), ("1.5", 1.5), (".5", 0.5), ("-2.5e-3", -0.0025), ("1e21", 1e21),
    ("1e400", "1e400"),  # out of range: go-yaml keeps the text
    # A point first: Go's ParseFloat as written, which takes underscores between digits only (a red team, 2026-12-06).
    (".1_5", 0.15), (".1_337e4", 1337), (".1_5e1_0", 1500000000), ("._5", "._5"), (".1__5", ".1__5"), (".1_", ".1_"),
    (".5_E3", ".5_E3"), (".e3", ".e3"),
    # Go prints the shortest digits that read back as the float, then zeros: 2**60 as a float is not 2**60.
    ("1.152921504606846976e18", 1152921504606847000), ("9007199254740993.0", 9007199254740992),
    ("1:20", "1:20"),  # no base-60 (PyYAML: 80)
    # Timestamps stay the text written (PyYAML: a datetime that JSON cannot hold).
    ("2024-01-31", "2024-01-31"), ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("2024-02-30", "2024-02-30"),
    ("~", None), ("null", None), ("NULL", None), ("", None),
    ("'yes'", "yes"), ('"0777"', "0777"), ("|\n  0777\n", "0777\n"),
    # Explicit tags.
    ("!!str 12", "12"), ('!!int "12"', 12), ("!!float 3", 3), ("!!bool yes", True),
    ("!!timestamp 2024-01-31", "2024-01-31"), ("!!binary aGk=", "hi"), ("!custom 5", "5"), ("! 12", "12"),
])
def test_scalars_resolve_as_go_yaml_v2(text, value):
    got = one(f"v: {text}")["v"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text,message", [
    ("v: .nan", "line 1: json: unsupported value: NaN"),
    ("v: -.inf", "line 1: json: unsupported value: -Inf"),
    ("v: !!int x", "line 1: cannot decode !!str `x` as a !!int"),
    ("v: !!int 1.5", "line 1: cannot decode !!float `1.5` as a !!int"),
    ("v: !!binary '!!'", "line 1: !!binary value contains invalid base64 data"),
    ("~: 1", "line 1: unsupported map key: null"),
    ("? [a]\n: 1", "line 1: a mapping or sequence used as a mapping key (kubectl cannot turn it into JSON)"),
    ("18446744073709551615: x", "line 1: unsupported map key of type uint64: 18446744073709551615"),
])
def test_values_kubectl_cannot_send_are_errors(text, message):
    with pytest.raises(kubeyaml.YamlError) as exc:
        kubeyaml.load_yaml_chunk(text)
    assert str(exc.value) == message


def test_keys_become_json_strings_as_sigs_yaml_writes_them():
    assert one("1: a\n1.5: b\ntrue: c\nno: d\n1e6: e\n2024-01-01: f\n") == {
        "1": "a", "1.5": "b", "true": "c", "false": "d", "1e+06": "e", "2024-01-01": "f",
    }


# --- duplicates, merges, aliases ------------------------------------------------------------------

def test_duplicate_key_names_both_lines():
    with pytest.raises(kubeyaml.YamlError) as exc:
        kubeyaml.load_yaml_chunk("spec:\n  containers:\n  - name: a\n    image: good\n    image: evil\n", line_offset=10)
    assert str(exc.value) == 'line 15: mapping key "image" already defined at line 14'


def test_keys_that_convert_to_the_same_json_key_are_duplicates():
    # go-yaml keeps 1 and "1" apart; sigs.k8s.io/yaml then writes both as "1" in Go map order (random).
    with pytest.raises(kubeyaml.YamlError, match='mapping key "1" already defined at line 1'):
        kubeyaml.load_yaml_chunk('1: a\n"1": b\n')
    with pytest.raises(kubeyaml.YamlError, match='mapping key "true" already defined at line 1'):
        kubeyaml.load_yaml_chunk("yes: a\non: b\n")


def test_merge_keys_fill_what_is_not_written():
    doc = one("base: &b {runAsUser: 1337, runAsNonRoot: true}\nsc:\n  <<: *b\n  runAsUser: 0\n")
    assert doc["sc"] == {"runAsUser": 0, "runAsNonRoot": True}
    doc = one("a: &a {p: 1}\nb: &b {p: 2, q: 2}\nm:\n  <<: [*a, *b]\n")
    assert doc["m"] == {"p": 1, "q": 2}  # earlier mappings of a merge list take precedence


def test_a_key_written_before_a_merge_that_overrides_it_is_refused():
    # go-yaml v2 (kubectl) lets the merge win, PyYAML, go-yaml v3 and kustomize the key: an evasion either way.
    with pytest.raises(kubeyaml.YamlError) as exc:
        kubeyaml.load_yaml_chunk("safe: &s {runAsUser: 1337}\nsc:\n  runAsUser: 0\n  <<: *s\n")
    assert str(exc.value) == ('line 4: key "runAsUser" is set before a merge key << that sets it again '
                              "(kubectl and kustomize read this differently); put the merge first")


def test_aliased_values_are_copies():
    doc = one("a: &x {k: [1]}\nb: *x\n")
    assert doc["a"] == doc["b"] and doc["a"] is not doc["b"] and doc["a"]["k"] is not doc["b"]["k"]


def billion_laughs(levels: int = 10) -> str:
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_stops_at_the_alias_budget_with_bounded_memory():
    tracemalloc.start()
    try:
        with pytest.raises(kubeyaml.YamlError) as exc:
            kubeyaml.load_yaml_chunk(billion_laughs())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(exc.value) == f"line 5: aliases expand to more than {kubeyaml.MAX_ALIAS_NODES} nodes (an alias bomb?); refused"
    assert peak < 64 * 1024 * 1024


def test_recursive_and_unknown_aliases():
    with pytest.raises(kubeyaml.YamlError, match=r"^line 1: alias \*x refers to a node that contains it$"):
        kubeyaml.load_yaml_chunk("a: &x [*x]\n")
    with pytest.raises(kubeyaml.YamlError, match=r'^line 1: unknown anchor "nope" referenced$'):
        kubeyaml.load_yaml_chunk("a: *nope\n")


@pytest.mark.parametrize("text", [
    "a: " + "[" * 5000 + "]" * 5000,
    "a: " + "{b: " * 300 + "1" + "}" * 300,
    "".join(" " * i + "k:\n" for i in range(300)) + " " * 300 + "v",
])
def test_nesting_depth_is_bounded(text):
    with pytest.raises(kubeyaml.YamlError) as exc:
        kubeyaml.load_yaml_chunk(text)
    assert exc.value.msg == f"nested deeper than {kubeyaml.MAX_DEPTH} levels; refused"


# --- documents ------------------------------------------------------------------------------------

def test_documents_split_at_separator_lines_only():
    chunks = kubeyaml.split_documents("a: 1\n---\nb: 2\n--- # note\r\nc: |\n  ---x\n")
    assert [(c.number, c.line) for c in chunks] == [(1, 1), (2, 3), (3, 5)]


@pytest.mark.parametrize("line", ["--- kind: Pod", "---kind: Pod", "----", "--- !!map"])
def test_separator_with_content_is_refused_as_kubectl_refuses_it(line):
    with pytest.raises(kubeyaml.YamlError) as exc:
        kubeyaml.split_documents(f"kind: Pod\n{line}\nmetadata: {{}}\n")
    assert exc.value.line == 2 and exc.value.msg.startswith("invalid YAML document separator: ")


def test_second_document_in_one_chunk_is_refused():
    with pytest.raises(kubeyaml.YamlError) as exc:
        kubeyaml.load_yaml_chunk("a: 1\n--- \nb: 2\n"[:0] + "%YAML 1.1\n--- {a: 1}\n...\n--- {b: 2}\n")
    assert "second YAML document" in exc.value.msg


def test_directive_alone_before_the_separator_is_an_error_as_in_kubectl():
    with pytest.raises(InputError) as exc:
        load_text("%YAML 1.2\n---\nkind: Pod\nmetadata: {name: p}\n", "f.yaml")
    assert str(exc.value).startswith("f.yaml: line 2: not valid YAML: ")


def test_json_stream_sniffed_by_its_first_brace():
    docs = kubeyaml.load_json_stream('{"kind": "Pod", "v": 1.0}\n{"kind": "Secret"}')
    assert [d.value for d in docs] == [{"kind": "Pod", "v": 1.0}, {"kind": "Secret"}]
    assert [d.line for d in docs] == [1, 2]


@pytest.mark.parametrize("text,message", [
    ('{"a": 1, "a": 2}', 'line 1: not valid JSON: duplicate key "a"'),
    ('{"x": "\\":", "a": 1,\n "a": 2}', 'line 1: not valid JSON: duplicate key "a"'),
    ('{"a": NaN}', "line 1: not valid JSON: NaN is not JSON"),
    ('{"a": "\\ud800"}', "line 1: a string holds an unpaired UTF-16 surrogate; refused"),
    ('{"a":\n' + "[" * 300 + "]" * 300 + "}", f"line 1: nested deeper than {kubeyaml.MAX_DEPTH} levels; refused"),
    ('{"a": 1', "line 1: not valid JSON: Expecting ',' delimiter (column 8)"),
])
def test_bad_json_is_refused(text, message):
    with pytest.raises(kubeyaml.YamlError) as exc:
        kubeyaml.load_json_stream(text)
    assert str(exc.value) == message


# --- resources --------------------------------------------------------------------------------------

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec: {containers: [{name: c, image: i}]}\n"


def test_records_carry_document_and_line_and_name_the_object():
    text = "# header\n---\n" + POD + "---\n---\n# expect: allow\napiVersion: v1\nkind: Namespace\nmetadata: {name: payments, namespace: x}\n"
    res = load_text(text, "f.yaml")
    assert [(r.document, r.line, r.display, r.namespace) for r in res] == [
        (2, 3, "Pod ns/p", "ns"),
        (4, 10, "Namespace payments", ""),  # cluster-scoped: no namespace, whatever its metadata says
    ]
    assert res[1].expect is not None and res[1].expect.allowed


def test_expectations_belong_to_their_document_and_empty_chunks_pass_them_on():
    text = "# expect: deny SC004\n" + POD + "---\n# expect: allow\n---\n" + POD
    res = load_text(text, "f.yaml")
    assert [r.expect.describe() for r in res] == ["deny SC004", "allow"]


def test_a_bad_expectation_names_its_line():
    with pytest.raises(InputError) as exc:
        load_text(POD + "---\n# expect: deny SC04\n" + POD, "f.yaml")
    assert str(exc.value) == "f.yaml: line 6: # expect: expectation 'deny SC04' is neither 'allow' nor 'deny' followed by rule IDs (or ENGINE)"


@pytest.mark.parametrize("comment", ["# expect: 3 replicas", "# expect: permit", "#expect:", "# expect[2]: nothing"])
def test_a_comment_that_is_no_directive_is_a_comment(comment):
    """A manifest's own comment that happens to start with `expect:` is neither an expectation nor an error."""
    res = load_text(f"{comment}\n" + POD + "---\n# expect: allow\n" + POD, "f.yaml")
    assert [r.expect.describe() if r.expect else None for r in res] == [None, "allow"]


def test_nested_lists_flattened_breadth_first_as_kubectl_does():
    def pod(name):
        return {"kind": "Pod", "metadata": {"name": name}}
    doc = {"kind": "List", "items": [pod("a"), {"kind": "List", "items": [pod("b"), pod("c")]}, pod("d")]}
    res = load_text(json.dumps(doc), "l.json")
    assert [r.name for r in res] == ["a", "d", "b", "c"]


def test_typed_list_items_without_kind_take_it_from_the_list():
    text = "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n- kind: Secret\n  metadata: {name: s}\n"
    res = load_text(text, "f.yaml")
    assert [(r.kind, r.object.get("apiVersion"), r.line) for r in res] == [("Pod", "v1", 4), ("Secret", None, 5)]


def test_any_object_with_items_is_a_list_for_kubectl():
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nitems:\n- kind: Pod\n  metadata: {name: hidden}\n"
    assert [r.display for r in load_text(text, "f.yaml")] == ["Pod default/hidden"]


def test_a_list_item_that_is_no_object_names_its_path():
    with pytest.raises(InputError) as exc:
        load_text("kind: List\nitems:\n- kind: Pod\n- 5\n", "f.yaml")
    assert str(exc.value) == "f.yaml: document 1, line 1, items[1]: a List item is a Kubernetes object with a kind"


def test_loading_never_raises_anything_but_input_errors():
    hostile = [
        "\x00", "kind: Pod\n\x07", "{", "[", "kind: [", "? ? ?", "&a *a", "*a", "!!python/object:os.system x",
        "kind: !!python/name:os.system Pod", "%TAG ! tag:x\n--- a", "\ufeffkind: Pod", "kind: Pod\t\n  x: 1",
        '"\\ud800"', "a: 'unterminated", "- - - - -", "kind: Pod\nmetadata: {name: " + "x" * 100000 + "}",
    ]
    for text in hostile:
        try:
            load_text(text, "h.yaml")
        except InputError:
            pass


def test_a_thousand_documents_load_in_one_pass():
    text = "---\n".join(POD.replace("name: p", f"name: p{i}") for i in range(1000))
    start = time.perf_counter()
    res = load_text(text, "big.yaml")
    assert len(res) == 1000 and res[-1].name == "p999" and res[-1].line == 1 + 999 * 5
    del start


_TOKENS = ["&a ", "*a", "<<: ", "!!int ", "!!binary ", "? ", "- ", ": ", "{", "}", "[", "]", "---\n", "...\n",
           "%YAML 1.1\n", '"\\u0000"', '"\\ud800"', "\t", "\n", " ", "#", "|", ">", "'", '"', "!", "~", "yes", "0x",
           "1e999", ".nan", "\ufeff", "\x85", "\u2028", "items: ", "kind: List\n", '{"a":1}', "\x00", "\\"]


@pytest.mark.parametrize("seed", range(4))
def test_mutated_samples_give_resources_or_an_input_error_never_a_crash(seed):
    import random
    from pathlib import Path

    rng = random.Random(seed)
    root = Path(__file__).resolve().parent.parent / "samples" / "reference"
    yaml_base = (root / "sc004.yaml").read_text(encoding="utf-8")[:5000]
    json_base = json.dumps({"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}}]})
    outcomes = {"resources": 0, "error": 0}
    for _ in range(400):
        text = list(rng.choice([yaml_base, json_base]))
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(text))
            op = rng.random()
            if op < 0.5:
                text.insert(pos, rng.choice(_TOKENS))
            elif op < 0.8:
                del text[pos:pos + rng.randint(1, 20)]
            else:
                text[pos] = rng.choice(_TOKENS)
        try:
            load_text("".join(text), "m.yaml")
            outcomes["resources"] += 1
        except InputError as exc:
            assert str(exc).startswith("m.yaml")
            outcomes["error"] += 1
    assert outcomes["resources"] and outcomes["error"]  # both paths exercised


def test_spec_strings_no_backend_can_encode_name_their_field():
    assert kubeyaml.find_unencodable({"spec": {"sidecars": [{"name": "istio-\ud800proxy"}]}}) == (
        "spec.sidecars[0].name", "a string holds an unpaired UTF-16 surrogate")
    assert kubeyaml.find_unencodable({"spec": {"a\x00": 1}}) == ("spec.a\x00", "a string holds a NUL character")
    assert kubeyaml.find_unencodable({"spec": {"ok": ["fine", 1, None]}}) is None


@pytest.mark.parametrize("kind", ["PodList", "List"])
def test_an_admission_request_holding_a_list_is_refused(kind):
    """No API server sends one, and the Kyverno CLI panicked on it, losing every verdict of its run."""
    text = ("apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: '1'\n  operation: CREATE\n"
            f"  object: {{apiVersion: v1, kind: {kind}, items: []}}\n")
    with pytest.raises(InputError) as exc:
        load_text(text, "f.yaml")
    assert str(exc.value) == ("f.yaml: document 1, line 1, request.object: an admission request holds one object, "
                              "not a list (it has items)")


def test_a_folder_that_cannot_be_listed_is_bad_input_never_skipped(tmp_path, monkeypatch):
    # A red team (2026-12-05): a mode-000 folder inside an input folder was passed over, so the denied pod in
    # it went unjudged and eval exited 0. Root lists any folder, so the refusal is the file system's, faked.
    import os

    from policygen.samples import collect_paths
    (tmp_path / "in" / "hidden").mkdir(parents=True)
    (tmp_path / "in" / "ok.yaml").write_text("kind: Pod\n")
    (tmp_path / "in" / "hidden" / "bad.yaml").write_text("kind: Pod\n")
    assert [name for _, name in collect_paths([tmp_path / "in"])] == [str(tmp_path / "in" / "hidden" / "bad.yaml"),
                                                                      str(tmp_path / "in" / "ok.yaml")]
    real_scandir = os.scandir

    def refusing(path="."):
        if os.fspath(path).endswith("hidden"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)
    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(InputError, match="hidden.*cannot read: Permission denied"):
        collect_paths([tmp_path / "in"])


@pytest.mark.parametrize("kind", ["{a: Pod}", "[Pod]", "5", "''", "null"])
@pytest.mark.parametrize("role,op", [("object", "CREATE"), ("oldObject", "DELETE"), ("oldObject", "UPDATE")])
def test_an_admission_request_whose_object_has_no_string_kind_is_bad_input(kind, role, op):
    # A red team (2026-12-05): object.kind {a: Pod} on a privileged pod was allowed by OPA and conftest (no rule
    # reads a kind that is no string), and broke the vap and gator runs with a traceback.
    from policygen.errors import InputError
    from policygen.samples import load_text

    pod = "{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: payments}, spec: {containers: []}}"
    broken = pod.replace("kind: Pod", f"kind: {kind}")
    objects = {"object": broken if role == "object" else pod, "oldObject": broken if role == "oldObject" else pod}
    if op == "CREATE":
        objects.pop("oldObject")
    if op == "DELETE":
        objects.pop("object")
    text = ("apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: u\n  operation: " + op + "\n"
            + "".join(f"  {k}: {v}\n" for k, v in objects.items()))
    with pytest.raises(InputError, match=rf"request\.{role}\.kind: an admission request's object is a Kubernetes object with a string kind"):
        load_text(text, "review.yaml")


def test_a_byte_order_mark_keeps_the_first_directive():
    """The YAML reader drops a leading BOM; the directive on that first line was lost (no expectation)."""
    res = load_text("\ufeff# expect: deny SC011\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\n# expect: allow\n"
                    "apiVersion: v1\nkind: Pod\nmetadata: {name: q}\n", "bom.yaml")
    assert [r.expect.describe() if r.expect else None for r in res] == ["deny SC011", "allow"]
