"""The one Jinja environment every backend renders with.

Spec values reach templates only through the ``tojson`` and ``toyaml`` filters,
which emit literals that cannot change the logic around them.
"""

from __future__ import annotations

import io
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import yaml

from .kubeyaml import resolve_v2


def templates_root() -> Path:
    """Templates ship inside the wheel as policygen/templates; a checkout keeps them at the top."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("policygen templates not found: reinstall policygen")  # pragma: no cover


@lru_cache(maxsize=8)
def _json_encoder(indent: int | None) -> json.JSONEncoder:
    # json.dumps with these options would build a new encoder on every call, thousands per `generate`.
    return json.JSONEncoder(sort_keys=True, indent=indent, ensure_ascii=False, separators=None if indent else (",", ":"))


# Characters no policy source holds raw: YAML cannot carry them (DEL, the C1 controls, U+FFFE, U+FFFF), YAML 1.1
# reads them as line breaks inside a scalar (NEL, U+2028, U+2029), or they reorder the text a reviewer reads (the
# bidi controls, a byte-order mark). JSON, CEL and Rego strings all read the same \uXXXX escape for each (all are
# in the Basic Multilingual Plane and none a surrogate), so the value is unchanged; other non-ASCII stays readable.
_UNSAFE_IN_SOURCE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")


def _escape_char(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_unsafe(json_text: str) -> str:
    """JSON text (or a CEL or Rego literal written as JSON) with every _UNSAFE_IN_SOURCE character escaped.

    Outside its strings JSON text is ASCII, and a raw character inside one is never part of an escape
    sequence, so replacing each one with its \\uXXXX escape anywhere in the text keeps the same value.
    """
    return _UNSAFE_IN_SOURCE.sub(_escape_char, json_text) if _UNSAFE_IN_SOURCE.search(json_text) else json_text


def to_json(value: Any, indent: int | None = None) -> str:
    return escape_unsafe(_json_encoder(indent).encode(value))


# libyaml's emitter and parser where PyYAML was built with them: the same YAML, many times faster
# (generate dumps and re-reads every manifest it writes). Only our own output is read with these.
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=65536)
def _resolve(kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
    tag = yaml.resolver.Resolver.resolve(_RESOLVER, kind, value, implicit)
    if tag == _STR and implicit[0] and isinstance(value, str):
        # kubectl, Gatekeeper and the Kyverno CLI read YAML as go-yaml v2 does, where y, n, 0o17 and 1e3 are
        # no strings: a string that either reader would take for another type is written quoted.
        return resolve_v2(value)[0]
    return tag


def _plain_resolve(self, kind, value, implicit):  # type: ignore[no-untyped-def]
    # The emitter asks twice per scalar whether a plain one would read back as another type; the answer
    # depends on nothing else (no path resolvers are registered), and manifests repeat their strings.
    if self.yaml_path_resolvers or not isinstance(value, (str, type(None))):
        return yaml.resolver.Resolver.resolve(self, kind, value, implicit)
    return _resolve(kind, value, implicit)


class _PlainDumper(_SafeDumper):  # type: ignore[misc,valid-type]
    resolve = _plain_resolve


class _PurePlainDumper(yaml.SafeDumper):
    """PyYAML's own emitter, which escapes what libyaml's cannot encode (a lone surrogate in a report)."""

    resolve = _plain_resolve


class _Dumper(_PlainDumper):
    """_PlainDumper that writes a string with line breaks as a literal block (its str presenter, below)."""


_RESOLVER = yaml.resolver.Resolver()


def load_own_yaml(text: str):
    """A document policygen itself rendered (never user input: that goes through kubeyaml's bounded loader)."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader


def load_own_yaml_all(text: str) -> list:
    return list(yaml.load_all(text, Loader=SafeLoader))  # noqa: S506 - a safe loader


def _str_presenter(dumper: yaml.SafeDumper, data: str):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


_Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]

_STR, _INT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _node(value: Any, dumper: Any) -> yaml.Node:
    """The node SafeRepresenter builds for value (block style, sorted keys, no aliases), without its per-node
    dispatch, which is most of `generate`'s time. Whether a plain scalar would read back as another type
    (``"true"``, ``"1.0"``, ``"~"``) is still decided by the resolver while the node is emitted."""
    kind = type(value)
    if kind is str:
        return yaml.ScalarNode(_STR, value, style="|" if "\n" in value else None)
    if kind is dict:
        try:
            items = sorted(value.items())
        except TypeError:
            items = list(value.items())
        return yaml.MappingNode(_MAP, [(_node(k, dumper), _node(v, dumper)) for k, v in items], flow_style=False)
    if kind is list:
        return yaml.SequenceNode(_SEQ, [_node(v, dumper) for v in value], flow_style=False)
    if kind is bool:
        return yaml.ScalarNode(_BOOL, "true" if value else "false")
    if kind is int:
        return yaml.ScalarNode(_INT, str(value))
    if value is None:
        return yaml.ScalarNode(_NULL, "null")
    return dumper.represent_data(value)  # floats, tuples, dates...: PyYAML's own rules


_SCALAR_TAGS = {str: _STR, bool: _BOOL, int: _INT}


@lru_cache(maxsize=65536)
def _implicit(tag: str, text: str) -> tuple[bool, bool]:
    # What the serializer asks the resolver for every scalar: would it read back plain, or quoted, as its tag?
    return (_resolve(yaml.ScalarNode, text, (True, False)) == tag, _resolve(yaml.ScalarNode, text, (False, True)) == tag)


def _events(value: Any, out: list) -> None:
    """The events PyYAML's serializer emits for the node _node builds, without the node or its per-scalar
    resolver calls back from the emitter (about half of `generate`'s YAML time)."""
    kind = type(value)
    if kind is str:
        out.append(yaml.ScalarEvent(None, _STR, _implicit(_STR, value), value, style="|" if "\n" in value else None))
    elif kind is dict:
        try:
            items = sorted(value.items())
        except TypeError:
            items = list(value.items())
        out.append(yaml.MappingStartEvent(None, _MAP, True, flow_style=False))
        for k, v in items:
            _events(k, out)
            _events(v, out)
        out.append(yaml.MappingEndEvent())
    elif kind is list:
        out.append(yaml.SequenceStartEvent(None, _SEQ, True, flow_style=False))
        for v in value:
            _events(v, out)
        out.append(yaml.SequenceEndEvent())
    elif kind is bool or kind is int:
        text = ("true" if value else "false") if kind is bool else str(value)
        out.append(yaml.ScalarEvent(None, _SCALAR_TAGS[kind], _implicit(_SCALAR_TAGS[kind], text), text))
    elif value is None:
        out.append(yaml.ScalarEvent(None, _NULL, _implicit(_NULL, "null"), "null"))
    else:
        raise TypeError(f"{kind.__name__} is left to PyYAML's own representer")  # floats, tuples, dates...


# libyaml's indicators that keep a scalar from being plain when they come first (emitter.c, analyze_scalar).
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
# Printable ASCII: libyaml writes it as is, where a tab, a break other than \n or any other character
# can change the scalar's style. Those are rare in manifests and go to the emitter.
_ASCII_LINE = re.compile(r"[\x20-\x7e]*")
_ASCII_LINES = re.compile(r"[\x20-\x7e\n]*")
# A line is never folded while it stays within the emitter's width (4096); kept well inside it.
_WIDTH = 4000


def _plain_allowed(s: str) -> bool:
    # libyaml's block_plain_allowed for one printable ASCII line.
    if not s:
        return True
    first = s[0]
    if first == " " or s[-1] == " " or first in _FIRST_INDICATORS or s.startswith(("---", "...")):
        return False
    if first in "?:-" and (len(s) == 1 or s[1] == " "):
        return False
    return not (": " in s or s[-1] == ":" or " #" in s)


@lru_cache(maxsize=65536)
def _inline(s: str, key: bool) -> str:
    """One line of text as libyaml writes it in block context: plain where it reads back as the same string,
    else single-quoted."""
    if not _ASCII_LINE.fullmatch(s):
        raise NotImplementedError
    if _plain_allowed(s) and (s or not key) and _implicit(_STR, s)[0]:
        return s
    return "'" + s.replace("'", "''") + "'"


@lru_cache(maxsize=4096)
def _literal(s: str, indent: int) -> str:
    """A string with line breaks, as libyaml writes the literal block PyYAML asks for: "|" keeps one final
    break, "|-" none; each line indented, empty lines left empty."""
    if (not _ASCII_LINES.fullmatch(s) or s[0] in " \n" or s.endswith(("\n\n", " ")) or " \n" in s):
        raise NotImplementedError  # an indentation hint, "|+", or double quotes
    head = "|\n" if s[-1] == "\n" else "|-\n"
    pad = " " * indent
    body = s[:-1] if s[-1] == "\n" else s
    return head + "\n".join(pad + line if line else "" for line in body.split("\n")) + "\n"


def _scalar(value: Any, indent: int, column: int) -> str:
    """A scalar after "key:" or "-", with its line break; indent is where a literal block's lines start."""
    kind = type(value)
    if kind is str:
        if "\n" in value:
            return " " + _literal(value, indent)
        text = _inline(value, False)
    elif kind is bool:
        text = "true" if value else "false"
    elif kind is int:
        text = str(value)
    elif value is None:
        text = "null"
    else:
        raise NotImplementedError  # floats, tuples, dates...: PyYAML's own rules
    if column + len(text) > _WIDTH:
        raise NotImplementedError
    return " " + text + "\n"


def _text_mapping(value: dict, indent: int, out: list, inline: bool) -> None:
    pad = " " * indent
    try:
        keys = sorted(value)
    except TypeError:
        raise NotImplementedError from None
    for k in keys:
        if type(k) is not str or len(k) > 128:
            raise NotImplementedError  # not a simple key
        key = _inline(k, True)
        if inline:
            inline = False
            lead = key
        else:
            lead = pad + key
        v = value[k]
        kind = type(v)
        if kind is str and "\n" not in v:  # most of a manifest: written in one piece
            text = _inline(v, False)
            if indent + len(key) + len(text) > _WIDTH:
                raise NotImplementedError
            out.append(f"{lead}: {text}\n")
        elif kind is dict or kind is list:
            _text_collection(v, lead + ":", indent, out, True)
        else:
            out.append(lead + ":" + _scalar(v, indent + 2, indent + len(key) + 1))


def _text_sequence(value: list, indent: int, out: list, inline: bool) -> None:
    pad = " " * indent
    for v in value:
        if inline:
            inline = False
            lead = "-"
        else:
            lead = pad + "-"
        kind = type(v)
        if kind is dict or kind is list:
            _text_collection(v, lead, indent, out, False)
        else:
            out.append(lead + _scalar(v, indent + 2, indent + 1))


def _text_collection(value: dict | list, lead: str, indent: int, out: list, in_mapping: bool) -> None:
    """A mapping or sequence after "key:" (in_mapping) or after "-", whose own indent is indent."""
    if not value:
        out.append(lead + (" {}\n" if type(value) is dict else " []\n"))
        return
    # After "key:" a collection starts on the next line, and a sequence there is not indented; after "-"
    # it starts on the same line, indented past the dash.
    out.append(lead + ("\n" if in_mapping else " "))
    if type(value) is dict:
        _text_mapping(value, indent + 2, out, not in_mapping)
    else:
        _text_sequence(value, indent if in_mapping else indent + 2, out, not in_mapping)


def _text(value: Any) -> str:
    """What libyaml's emitter writes for a mapping or sequence of strings, integers, booleans and nulls, in
    block style with sorted keys, written directly: the emitter needs an event object per scalar, and that
    was most of `generate`'s time. Anything whose layout needs more of libyaml (floats, tabs, non-ASCII
    text, long lines that would fold, complex keys) raises NotImplementedError: that layout is libyaml's to
    write, and its emitter writes it."""
    out: list[str] = []
    kind = type(value)
    if kind is dict and value:
        _text_mapping(value, 0, out, False)
    elif kind is list and value:
        _text_sequence(value, 0, out, False)
    else:
        raise NotImplementedError
    return "".join(out)


def to_yaml(value: Any) -> str:
    """Deterministic YAML: sorted keys, block style, no aliases, a trailing newline (what
    ``yaml.dump(value, sort_keys=True, default_flow_style=False, allow_unicode=True, width=4096)`` gives)."""
    try:
        return _text(value)
    except NotImplementedError:
        pass
    events: list = []
    try:
        _events(value, events)
    except TypeError:
        events = []
    stream = io.StringIO()
    dumper = _Dumper(stream, sort_keys=True, default_flow_style=False, allow_unicode=True, width=4096)
    try:
        dumper.open()
        if events:
            dumper.emit(yaml.DocumentStartEvent(explicit=False))
            for event in events:
                dumper.emit(event)
            dumper.emit(yaml.DocumentEndEvent(explicit=False))
        else:
            dumper.serialize(_node(value, dumper))
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue()


def safe_dump(value: Any, **options: Any) -> str:
    """yaml.safe_dump of a mapping written by libyaml's emitter, where PyYAML has it: the same text, several
    times faster, but for strings that go-yaml v2 would read as another type, which are quoted. (A scalar
    alone is written differently, with an end marker: PyYAML's own emitter writes it.)"""
    if not isinstance(value, (dict, list)):
        return yaml.safe_dump(value, **options)
    return yaml.dump(value, Dumper=_PlainDumper, **options)


def safe_dump_all(docs: list[Any], **options: Any) -> str:
    """yaml.safe_dump_all (PyYAML's own emitter, for any text), with safe_dump's quoting: documents of
    input-derived text that kubectl or an engine reads."""
    return yaml.dump_all(docs, Dumper=_PurePlainDumper, **options)


def dump_yaml_documents(docs: list[Any]) -> str:
    return "---\n".join(to_yaml(d) for d in docs)


# A CEL name or field selection: cheap to repeat, so the CEL macros repeat it rather than bind it.
_SIMPLE_CEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs: Jinja keys each by its name and drops it when the source's
    checksum differs, so an edited template is compiled again. A cache that cannot be read or written is none."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _template_cache() -> jinja2.BytecodeCache | None:
    # Compiling the templates is about a quarter of `generate`; beside the engines policygen builds.
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policygen" / "templates"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return _TemplateCache(str(folder))


@lru_cache(maxsize=1)
def make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=_template_cache(),
        # Shared templates, and each rule's own sources by "rules/<id>/rule.*.jinja" (policygen/rules/).
        loader=jinja2.FileSystemLoader([str(templates_root()), str(Path(__file__).resolve().parent)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["tojson"] = to_json
    env.filters["toyaml"] = to_yaml
    env.tests["simple_cel"] = _SIMPLE_CEL.fullmatch
    return env


def render(template: str, **context: Any) -> str:
    return make_env().get_template(template).render(**context)
