"""The one YAML writer (render.to_yaml) builds its nodes itself and remembers the resolver's answers, for speed;
what it writes must stay exactly what PyYAML's own representer writes, and read back as the value it was given."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

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
