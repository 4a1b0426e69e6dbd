"""The one YAML writer (render.to_yaml) builds its nodes itself and remembers the resolver's answers, for speed;
what it writes must stay exactly what PyYAML's own representer writes, and read back as the value it was given."""

from __future__ import annotations

import re

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from policygen.kubeyaml import load_yaml_chunk, resolve_v2
from policygen.render import _Dumper, _events, load_own_yaml, to_yaml

# Strings a resolver could mistake for another type, YAML indicators, line breaks and unusual characters.
_TRICKY = st.sampled_from(["true", "False", "yes", "off", "~", "null", "NULL", "0x1f", "0o17", "1_000", "1e3", ".inf",
                           "-.NaN", "2001-12-14", "12:30:00", "=", "<<", "- x", "#c", "a: b", "'q'", '"q"', "{a}", "[]",
                           "*a", "&a", "!tag", "%x", "@x", "`x", "|", ">", "x\ny", "x\n", "\ty", " lead", "trail ",
                           "\u2028", "\u0085", "é", "\U0001f600", ""])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _TRICKY, st.text(max_size=20))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(_TRICKY, st.text(max_size=8)), inner, max_size=4)), max_leaves=30)


def _pyyaml(value):
    return yaml.dump(value, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=4096)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_to_yaml_writes_what_pyyaml_writes_and_reads_back(value):
    text = to_yaml(value)
    assert text == _pyyaml(value)
    assert load_own_yaml(text) == value


_MANIFEST_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), _TRICKY, st.text(max_size=20))
_MANIFEST_VALUES = st.recursive(_MANIFEST_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(_TRICKY, st.text(max_size=8)), inner, max_size=4)), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_MANIFEST_VALUES)
def test_manifest_values_are_written_as_events_and_as_pyyaml_writes_them(value):
    """What policygen writes (no floats) goes through the event writer, never the fallback, and still reads
    exactly as PyYAML's representer writes it."""
    events: list = []
    _events(value, events)
    assert events
    text = to_yaml(value)
    assert text == _pyyaml(value)
    assert load_own_yaml(text) == value


# Line breaks with what libyaml treats specially around them: leading and trailing spaces, empty lines, a
# final break or several, indicators at a line's start, and lines long enough to reach the emitter's width.
_LINE = st.sampled_from(["", " ", "a", "  indented", "trail ", "# c", "- x", "a: b", "'q'", "\"q\"", "|", "x" * 50])
_MULTILINE = st.lists(_LINE, min_size=2, max_size=5).map("\n".join)
_LONG = st.builds(lambda n, word: " ".join([word] * n), st.integers(600, 1100), st.sampled_from(["abc", "a'b", "x:y"]))
_EDGES = st.sampled_from(["a #b", "a#b", "a: ", "a:b", "x:", "a\n\n", "a\n\n\n", "\n", "a\n", " a\nb", "a \nb", "a\n b"])
_TEXT_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), _TRICKY, _EDGES, _MULTILINE, _LONG, st.text(max_size=20))
_TEXT_KEYS = st.one_of(_TRICKY, st.text(max_size=8), st.sampled_from(["k" * 128, "k" * 129, "a b", "-", "?"]))
_TEXT_VALUES = st.recursive(_TEXT_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_TEXT_KEYS, inner, max_size=4)), max_leaves=25)


@settings(max_examples=600, deadline=None)
@given(_TEXT_VALUES)
def test_the_direct_writer_writes_what_libyaml_writes_or_leaves_the_value_to_it(value):
    """render._text writes plain, single-quoted and literal scalars itself, in libyaml's layout; anything
    else (double quotes, indentation hints, "|+", folded long lines, complex keys) it hands back."""
    from policygen.render import _text

    try:
        text = _text(value)
    except NotImplementedError:
        return
    assert text == _pyyaml(value)


def test_policygen_manifests_are_written_directly(reference_plan):
    """The manifests policygen writes need no more than the direct writer knows (the Rego of a
    ConstraintTemplate aside: its tabs make libyaml double-quote it)."""
    from policygen.backends.kyverno import policy_doc
    from policygen.backends.vap import render_policy
    from policygen.render import _text

    for rule in reference_plan.rules:
        assert _text(policy_doc(reference_plan, rule))
        if rule.rule_id != "SC012":
            for doc in render_policy(reference_plan, rule):
                assert _text(doc)


def _ordinary(value) -> bool:
    """Every key and string short, on one line and printable ASCII."""
    if isinstance(value, dict):
        return all(_ordinary(k) and _ordinary(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_ordinary(v) for v in value)
    # ...and a string go-yaml v2 reads as a string too (PyYAML leaves y, n or 0o17 plain; safe_dump quotes them).
    return not isinstance(value, str) or bool(re.fullmatch(r"[\x20-\x7e]{1,127}", value)) and resolve_v2(value)[1] == value


@settings(max_examples=150, deadline=None)
@given(st.one_of(_TEXT_VALUES, st.dictionaries(_TEXT_KEYS, _TEXT_VALUES, max_size=4)),
       st.sampled_from([{}, {"default_flow_style": False, "width": 10_000}]))
def test_safe_dump_by_libyaml_reads_back_and_is_pyyamls_safe_dump_for_ordinary_text(value, options):
    """The exemptions and the kustomizations are written by render.safe_dump, libyaml's emitter. What it
    writes always reads back as the value. For short one-line printable text it is what yaml.safe_dump
    (PyYAML's own emitter) writes; beyond that the two emitters differ in layout (complex keys, where a
    long escaped line folds), never in what the text says."""
    from policygen.render import safe_dump

    text = safe_dump(value, sort_keys=False, **options)
    assert yaml.safe_load(text) == value
    if _ordinary(value):
        assert text == yaml.safe_dump(value, sort_keys=False, **options)


# Plain scalars that go-yaml v2 (kubectl, Gatekeeper, the Kyverno CLI) reads as no string, where PyYAML reads
# most of them as strings: YAML 1.1's one-letter booleans, Go's integer prefixes, exponents without a point.
_GO_YAML_TRICKY = st.sampled_from(["y", "Y", "n", "N", "yes", "On", "OFF", "0o17", "0b101", "-0b11", "0x1F", "017",
                                   "1e3", "1234e56", "1_000", "+12", "-1.5e-3", ".5", "1.", "2001-12-14", "~", "Null"])


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.one_of(_GO_YAML_TRICKY, _TRICKY, st.text(max_size=12)), lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=3), st.dictionaries(st.one_of(_GO_YAML_TRICKY, st.text(min_size=1, max_size=6)),
                                                             inner, min_size=1, max_size=3)), max_leaves=12))
def test_every_writer_of_yaml_that_kubectl_or_an_engine_reads_is_read_by_go_yaml_as_written(value):
    """A red team (2026-12-05): a namespace label 1234e56 or a user named y, written by yaml.safe_dump for the
    Kyverno CLI, made it refuse the whole run (exit 3); a PolicyReport named y read back as true."""
    from policygen.render import safe_dump, safe_dump_all

    doc = {"metadata": {"labels": value}} if not isinstance(value, dict) else value
    for text in (to_yaml(doc), safe_dump(doc, sort_keys=True), safe_dump_all([doc, doc], sort_keys=True).split("---\n")[-1]):
        loaded = load_yaml_chunk(text)
        assert loaded is not None and loaded.value == doc, text
        assert load_own_yaml(text) == doc
