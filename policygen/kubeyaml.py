"""YAML and JSON read the way `kubectl apply -f` reads them, with limits.

kubectl splits a stream into documents line by line at `---` (anything but a
comment after the marker is an error), sends a stream whose first character
is `{` through a JSON decoder, and turns each YAML document into JSON with
sigs.k8s.io/yaml, which resolves plain scalars as go-yaml v2 does (YAML 1.1
booleans `yes`/`on`/`y`, `0777` octal, `1e3` a number, timestamps left as the
text written, JSON numbers printed by Go). What the engines judge must be what
the API server would receive, so this module reproduces those rules instead of
PyYAML's own.

Everything here is bounded: the bytes of an input, the nesting depth, the
nodes that aliases add (a billion-laughs document stops at the first alias
over the budget, before anything is built), and duplicate keys are errors
(naming both lines) because engines that read the same text with another
parser keep a different one of the two values.

The C event parser of libyaml does the scanning; the tree is built here, one
pass, without recursion.
"""

from __future__ import annotations

import base64
import binascii
import decimal
import math
import os
import re
import stat
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import InputRefused, YamlError, YamlValueUnsupported
from .leaves import leaves

try:
    import orjson

    _json_loads: Callable[[str], Any] = orjson.loads
except ImportError:  # pragma: no cover - orjson is a dependency; json is the fallback
    import json

    _json_loads = json.loads

import json as _stdjson

try:
    from yaml.cyaml import CParser as _Parser

    LIBYAML = True
except ImportError:  # pragma: no cover - libyaml missing: PyYAML's pure-Python parser, same events
    LIBYAML = False
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader as _PyReader
    from yaml.scanner import Scanner as _PyScanner

    class _Parser(_PyReader, _PyScanner, _PyParser):  # type: ignore[no-redef]  # noqa: N801
        def __init__(self, stream: str) -> None:
            _PyReader.__init__(self, stream)
            _PyScanner.__init__(self)
            _PyParser.__init__(self)

        def dispose(self) -> None:
            pass


MAX_INPUT_BYTES = 256 * 1024 * 1024  # one file or standard input
MAX_DEPTH = 200  # nested mappings and sequences; real manifests stay under 30
MAX_ALIAS_NODES = 100_000  # nodes that aliases may add to one document

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BINARY = "tag:yaml.org,2002:binary"
_MERGE = "tag:yaml.org,2002:merge"
_RESOLVABLE = {None, _STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}




# --- reading bytes -------------------------------------------------------------------------------


def read_text(path: Path | str, limit: int | None = None) -> str:
    """The file's text: a regular file, at most `limit` bytes, valid UTF-8.

    Opened without blocking and checked after opening, so a FIFO or device
    swapped in after a directory walk is refused rather than waited on.
    """
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputRefused(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputRefused(f"not a regular file ({_file_type(st.st_mode)}); refused")
        if st.st_size > limit:
            raise InputRefused(f"{st.st_size} bytes, over the {limit}-byte input limit; refused")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputRefused(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputRefused(f"over the {limit}-byte input limit; refused")
    return decode_utf8(data)


def read_stream(stream: Any, limit: int | None = None) -> str:
    """Standard input (bytes), bounded like a file."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputRefused(f"over the {limit}-byte input limit; refused")
    return decode_utf8(data)


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputRefused(f"line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def check_regular(path: Path) -> None:
    """Refuse a path that is not a regular file, without opening it (a FIFO would block an open)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputRefused(f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputRefused(f"not a regular file ({_file_type(st.st_mode)}); refused")


# --- splitting a stream as kubectl does ------------------------------------------------------------

_SEPARATOR = re.compile(r"^---([^\n]*)$", re.MULTILINE)


@dataclass
class Chunk:
    number: int  # 1-based, in kubectl's split
    line: int  # 1-based line of the chunk's first line in the file
    start: int  # offsets of the chunk in the text
    end: int


def split_documents(text: str) -> list[Chunk]:
    """kubectl's YAMLReader: a line starting `---` ends a document; only a comment may follow it."""
    chunks: list[Chunk] = []
    pos, line = 0, 1
    for m in _SEPARATOR.finditer(text):
        rest = m.group(1).strip()
        sep_line = line + text.count("\n", pos, m.start())
        if rest and not rest.startswith("#"):
            raise YamlError(f"invalid YAML document separator: {_quote(rest)} (kubectl allows only a comment after ---)", sep_line)
        chunks.append(Chunk(len(chunks) + 1, line, pos, m.start()))
        pos, line = min(m.end() + 1, len(text)), sep_line + 1
    chunks.append(Chunk(len(chunks) + 1, line, pos, len(text)))
    return chunks


def is_json_stream(text: str) -> bool:
    """kubectl's sniff: a stream whose first non-space character is `{` is JSON."""
    return text.lstrip().startswith("{")


# --- scalars as go-yaml v2 resolves them (sigs.k8s.io/yaml) ------------------------------------------

_V2_BOOL = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_V2_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_V2_SPECIAL_FLOAT = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_V2_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_V2_DOT_FLOAT = re.compile(r"\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?")
# Go's strconv.ParseInt(s, 0, 64) after go-yaml removed underscores.
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
# Go's time.Parse layouts that go-yaml v2 tries; the value stays the text written.
_V2_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ ])[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})?)?"
)
_INT64 = 2**63
_UINT64 = 2**64
_INTEGRAL_FLOAT_LIMIT = 1e21  # Go's encoding/json prints integral floats below this without a point




def _go_int(plain: str) -> int | None:
    m = _GO_INT.fullmatch(plain)
    if not m:
        return None
    sign, digits = m.groups()
    if digits[:2] in ("0x", "0X"):
        value = int(digits[2:], 16)
    elif digits[:2] in ("0o", "0O"):
        value = int(digits[2:], 8)
    elif digits[:2] in ("0b", "0B"):
        value = int(digits[2:], 2)
    elif digits.startswith("0") and len(digits) > 1:
        value = int(digits[1:], 8)
    elif len(digits) > 20:
        return None  # past uint64 (and past what int() converts, at 4300 digits): go-yaml tries a float, as for 1e400
    else:
        value = int(digits)
    value = -value if sign == "-" else value
    if -_INT64 <= value < _UINT64:
        return value
    return None


def _valid_date(text: str) -> bool:
    m = re.match(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    if not m:
        return False
    y, mo, d = (int(g) for g in m.groups())
    if not 1 <= mo <= 12:
        return False
    days = [31, 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 1 <= d <= days[mo - 1]


def resolve_v2(value: str) -> tuple[str, Any]:
    """go-yaml v2's resolve() for an untagged plain scalar: (tag, Python value)."""
    if not value:
        return _NULL, None
    first = value[0]
    if first in "yYnNtTfFoO~":
        if value in _V2_BOOL:
            return _BOOL, _V2_BOOL[value]
        if value in _V2_NULL:
            return _NULL, None
        return _STR, value
    if value in _V2_NULL:
        return _NULL, None
    if first == ".":
        if value in _V2_SPECIAL_FLOAT:
            return _FLOAT, _V2_SPECIAL_FLOAT[value]
        # Go's ParseFloat, which takes underscores between digits (.1_5 is 0.15).
        plain = value.replace("_", "")
        return (_FLOAT, float(plain)) if _V2_DOT_FLOAT.fullmatch(value) and _finite(plain) else (_STR, value)
    if first in "+-0123456789":
        if value in _V2_SPECIAL_FLOAT:
            return _FLOAT, _V2_SPECIAL_FLOAT[value]
        if _V2_TIMESTAMP.fullmatch(value) and _valid_date(value):
            return _TIMESTAMP, value
        plain = value.replace("_", "")
        as_int = _go_int(plain)
        if as_int is not None:
            return _INT, as_int
        if _V2_FLOAT.fullmatch(plain) and _finite(plain):
            return _FLOAT, float(plain)
        if plain.startswith("-0b") and re.fullmatch(r"-0b[01]+", plain):
            return _INT, -int(plain[3:], 2)
    return _STR, value


def _finite(text: str) -> bool:
    # Go's ParseFloat reports out-of-range values as an error: go-yaml then keeps the text.
    return math.isfinite(float(text))


def _tagged_v2(tag: str, value: str) -> Any:
    """A scalar with an explicit tag, as go-yaml v2 decodes it into interface{}."""
    if tag == _STR:
        return value
    if tag == _BINARY:
        try:
            return base64.b64decode(value.replace("\n", "").replace(" ", ""), validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            raise YamlValueUnsupported("!!binary value contains invalid base64 data") from None
    if tag not in _RESOLVABLE:
        return value  # an application tag: go-yaml keeps the text
    rtag, out = resolve_v2(value)
    if tag == _TIMESTAMP:
        if rtag == _TIMESTAMP:
            return value
    elif rtag == tag:
        return out
    elif tag == _FLOAT and rtag == _INT:
        return float(out)
    raise YamlValueUnsupported(f"cannot decode {_short(rtag)} `{value}` as a {_short(tag)}")


def _short(tag: str) -> str:
    return "!!" + tag.rsplit(":", 1)[-1]


def _json_value(value: Any) -> Any:
    """What Go's encoding/json prints for the value and the API server reads back."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise YamlValueUnsupported(f"json: unsupported value: {_go_float_name(value)}")
        if value.is_integer() and abs(value) < _INTEGRAL_FLOAT_LIMIT:
            # The digits Go prints: the shortest that read back as this float, then zeros (1.152921504606846976e18
            # is 1152921504606847000, not the float's exact 2**60; a red team, 2026-12-06).
            return int(decimal.Decimal(repr(value)))
    return value


def _go_float_name(value: float) -> str:
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def _float32_g(value: float) -> str:
    """strconv.FormatFloat(v, 'g', -1, 32): sigs.k8s.io/yaml's text for a float map key."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    f32 = struct.unpack("f", struct.pack("f", value))[0]
    if f32 == 0:
        return "-0" if math.copysign(1, f32) < 0 else "0"
    for digits in range(1, 10):  # the shortest decimal that reads back as the same float32
        mantissa, exp = f"{f32:.{digits - 1}e}".split("e")
        if struct.unpack("f", struct.pack("f", float(f"{mantissa}e{exp}")))[0] == f32:
            break
    sign = "-" if mantissa.startswith("-") else ""
    digits_text = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    exp_i = int(exp)
    if exp_i < -4 or exp_i >= 6:  # Go's 'g' with the shortest precision decides as if precision were 6
        frac = digits_text[1:]
        return f"{sign}{digits_text[0]}{'.' + frac if frac else ''}e{'-' if exp_i < 0 else '+'}{abs(exp_i):02d}"
    point = exp_i + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits_text}"
    if point >= len(digits_text):
        return f"{sign}{digits_text}{'0' * (point - len(digits_text))}"
    return f"{sign}{digits_text[:point]}.{digits_text[point:]}"


def _key_v2(key: Any) -> str:
    """sigs.k8s.io/yaml's JSON key for a YAML key of any scalar type."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        if key >= _INT64:
            raise YamlValueUnsupported(f"unsupported map key of type uint64: {key}")
        return str(key)
    if isinstance(key, float):
        return _float32_g(key)
    if key is None:
        raise YamlValueUnsupported("unsupported map key: null")
    raise YamlValueUnsupported(f"unsupported map key of type {type(key).__name__}")


# --- building documents from libyaml events -------------------------------------------------------


class _Frame:
    __slots__ = ("kind", "anchor", "value", "line", "keys", "pending_key", "merges", "nodes", "merge_line", "item_lines")

    def __init__(self, kind: str, anchor: str | None, line: int) -> None:
        self.kind = kind  # "map" or "seq"
        self.anchor = anchor
        self.line = line
        self.value: Any = {} if kind == "map" else []
        self.keys: dict[str, int] = {}  # key -> line, explicit keys only
        self.pending_key: Any = _NO_KEY
        self.merges: list[tuple[Any, int, int]] = []  # (mapping or list of mappings, line, keys set before it)
        self.nodes = 1
        self.merge_line = 0
        self.item_lines: list[int] | None = None


_NO_KEY = object()
_MERGE_KEY = object()


ScalarFn = Callable[[Any], Any]


@dataclass
class Loaded:
    value: Any
    line: int  # 1-based line where the document's content starts
    item_lines: list[int] | None = None  # lines of the elements of a top-level `items` sequence (a List)


def _scalar_kubectl(event: Any) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        if tag is None and event.implicit[0]:
            return _json_value(resolve_v2(event.value)[1])
        return event.value
    return _json_value(_tagged_v2(tag, event.value))


def _key_scalar_kubectl(event: Any) -> Any:
    """A key as go-yaml v2 decodes it, before sigs.k8s.io/yaml writes it as a JSON key (floats stay floats)."""
    tag = event.tag
    if tag is None or tag == "!":
        return resolve_v2(event.value)[1] if tag is None and event.implicit[0] else event.value
    return _tagged_v2(tag, event.value)


def _is_merge_kubectl(event: Any) -> bool:
    return event.value == "<<" and ((event.tag is None and event.implicit[0]) or event.tag == _MERGE)


class _Loader:
    """One chunk's events to one value. Shared by the sample reader and the spec reader."""

    def __init__(self, *, scalar: Callable[[Any], Any], key_scalar: Callable[[Any], Any], key: Callable[[Any], Any],
                 is_merge: Callable[[Any], bool]) -> None:
        self.scalar = scalar
        self.key_scalar = key_scalar
        self.key = key
        self.is_merge = is_merge

    def load(self, text: str, line_offset: int = 0) -> Loaded | None:
        parser = None
        try:
            parser = _Parser(text)
            return self._load(parser, line_offset)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise YamlError(_yaml_problem(exc), mark.line + 1 + line_offset if mark else None) from None
        except yaml.reader.ReaderError as exc:
            line = text.count("\n", 0, exc.position) + 1 + line_offset if isinstance(exc.position, int) else None
            char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
            raise YamlError(f"not valid YAML: {exc.reason} (U+{char:04X})", line) from None
        except yaml.YAMLError as exc:
            raise YamlError("not valid YAML: " + str(exc).replace("\n", " ")) from None
        finally:
            if parser is not None:
                parser.dispose()

    def _load(self, parser: Any, off: int) -> Loaded | None:
        get = parser.get_event
        anchors: dict[str, tuple[Any, int]] = {}
        open_anchors: set[str] = set()
        stack: list[_Frame] = []
        alias_nodes = 0
        result: Any = _NO_KEY
        doc_line = 0
        item_lines: list[int] | None = None
        documents = 0
        scalar, keyfn, is_merge = self.scalar, self.key, self.is_merge
        ScalarEvent, MappingStartEvent, SequenceStartEvent = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        MappingEndEvent, SequenceEndEvent, AliasEvent = yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.AliasEvent
        DocumentStartEvent = yaml.DocumentStartEvent
        while True:
            event = get()
            if event is None:
                break
            cls = type(event)
            value: Any = _NO_KEY
            nodes = 1
            start_line = 0
            is_key_merge = False
            if cls is ScalarEvent:
                if stack and stack[-1].kind == "map" and stack[-1].pending_key is _NO_KEY:
                    frame = stack[-1]
                    if is_merge(event):
                        is_key_merge = True
                    else:
                        try:
                            v = event.value
                            if event.tag is None and (not event.implicit[0] or (v and v[0] not in _RESOLVING_FIRST)):
                                k = v
                            else:
                                k = keyfn(self.key_scalar(event))
                        except YamlValueUnsupported as exc:
                            raise YamlError(str(exc), event.start_mark.line + 1 + off) from None
                        line = event.start_mark.line + 1 + off
                        first = frame.keys.get(k)
                        if first is not None:
                            raise YamlError(f"mapping key {_quote(k)} already defined at line {first}", line)
                        frame.keys[k] = line
                        frame.pending_key = k
                        if event.anchor:
                            anchors[event.anchor] = (k, 1)
                        continue
                else:
                    try:
                        value = scalar(event)
                    except YamlValueUnsupported as exc:
                        raise YamlError(str(exc), event.start_mark.line + 1 + off) from None
                    if event.anchor:
                        anchors[event.anchor] = (value, 1)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if stack and stack[-1].kind == "map" and stack[-1].pending_key is _NO_KEY:
                    raise YamlError("a mapping or sequence used as a mapping key (kubectl cannot turn it into JSON)",
                                    event.start_mark.line + 1 + off)
                if len(stack) >= MAX_DEPTH:
                    raise YamlError(f"nested deeper than {MAX_DEPTH} levels; refused", event.start_mark.line + 1 + off)
                frame = _Frame("map" if cls is MappingStartEvent else "seq", event.anchor, event.start_mark.line + 1 + off)
                if len(stack) == 1 and stack[0].pending_key == "items" and frame.kind == "seq":
                    frame.item_lines = item_lines = []
                if event.anchor:
                    open_anchors.add(event.anchor)
                stack.append(frame)
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                value = self._finish(frame) if frame.kind == "map" else frame.value
                nodes = frame.nodes
                start_line = frame.line
                if frame.anchor:
                    open_anchors.discard(frame.anchor)
                    anchors[frame.anchor] = (value, nodes)
            elif cls is AliasEvent:
                line = event.start_mark.line + 1 + off
                if event.anchor in open_anchors:
                    raise YamlError(f"alias *{event.anchor} refers to a node that contains it", line)
                if event.anchor not in anchors:
                    raise YamlError(f"unknown anchor {_quote(event.anchor)} referenced", line)
                target, nodes = anchors[event.anchor]
                alias_nodes += nodes
                if alias_nodes > MAX_ALIAS_NODES:
                    raise YamlError(f"aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?); refused", line)
                value = _copy(target) if nodes > 1 else target
                if stack and stack[-1].kind == "map" and stack[-1].pending_key is _NO_KEY:
                    try:
                        k = keyfn(value)
                    except YamlValueUnsupported as exc:
                        raise YamlError(str(exc), line) from None
                    frame = stack[-1]
                    if k in frame.keys:
                        raise YamlError(f"mapping key {_quote(k)} already defined at line {frame.keys[k]}", line)
                    frame.keys[k] = line
                    frame.pending_key = k
                    continue
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlError("a second YAML document without a --- line of its own (kubectl reads only the first)",
                                    event.start_mark.line + 1 + off)
                continue
            else:
                continue
            if is_key_merge:
                stack[-1].pending_key = _MERGE_KEY
                stack[-1].merge_line = event.start_mark.line + 1 + off
                continue
            # attach value
            if not stack:
                result = value
                doc_line = start_line or event.start_mark.line + 1 + off
                continue
            parent = stack[-1]
            parent.nodes += nodes
            if parent.kind == "seq":
                parent.value.append(value)
                if parent.item_lines is not None:
                    parent.item_lines.append(start_line or event.start_mark.line + 1 + off)
            else:
                k = parent.pending_key
                parent.pending_key = _NO_KEY
                if k is _MERGE_KEY:
                    if "<<" in parent.keys:
                        raise YamlError(f"mapping key \"<<\" already defined at line {parent.keys['<<']}", parent.merge_line)
                    parent.keys["<<"] = parent.merge_line
                    parent.merges.append((value, parent.merge_line, len(parent.value)))
                else:
                    parent.value[k] = value
        if result is _NO_KEY:
            return None
        return Loaded(result, doc_line or 1, item_lines)

    def _finish(self, frame: _Frame) -> dict:
        if not frame.merges:
            return frame.value
        explicit: dict = frame.value
        merged: dict = {}
        for value, line, keys_before in frame.merges:
            sources = value if isinstance(value, list) else [value]
            if not all(isinstance(s, dict) for s in sources):
                raise YamlError("map merge requires a mapping or a list of mappings", line)
            for source in reversed(sources):  # earlier mappings take precedence
                merged.update(source)
            # go-yaml v2 (kubectl) lets a merge overwrite keys written before it; PyYAML, go-yaml v3 and
            # kustomize keep them. Either reading can be the one an engine sees, so refuse the difference.
            before = list(explicit)[:keys_before]
            clash = [k for k in before if k in merged and merged[k] != explicit[k]]
            if clash:
                raise YamlError(f"key {_quote(clash[0])} is set before a merge key << that sets it again "
                                "(kubectl and kustomize read this differently); put the merge first", line)
        merged.update(explicit)
        return merged


# First characters with which a plain scalar can resolve to something other than a string.
_RESOLVING_FIRST = frozenset("yYnNtTfFoO~.+-0123456789<=")  # "<" and "=": PyYAML's merge and value tags


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _quote(text: Any) -> str:
    return _stdjson.dumps(text if isinstance(text, str) else str(text), ensure_ascii=True)[:200]


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "not valid YAML: " + ", ".join(parts) if parts else "not valid YAML"


_KUBECTL = _Loader(scalar=_scalar_kubectl, key_scalar=_key_scalar_kubectl, key=_key_v2, is_merge=_is_merge_kubectl)


def load_yaml_chunk(text: str, line_offset: int = 0) -> Loaded | None:
    """One kubectl document (the text between two `---` lines) as the API server would receive it."""
    return _KUBECTL.load(text, line_offset)


# --- JSON -----------------------------------------------------------------------------------------

_JSON_KEY = re.compile(r'"\s*:')


def _pairs_no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise YamlValueUnsupported(f"duplicate key {_quote(k)}")
            seen.add(k)
    return out


def _no_constant(name: str) -> Any:
    raise YamlValueUnsupported(f"{name} is not JSON")


def load_json_stream(text: str) -> list[Loaded]:
    """kubectl's JSON path: one or more JSON values, whitespace between them. Duplicate keys refused."""
    return list(iter_json_stream(text))


def iter_json_stream(text: str) -> Iterator[Loaded]:
    """load_json_stream value by value: a stream of many (one object per line) is not held whole."""
    try:
        value = _json_loads(text)
    except ValueError:
        yield from _json_values_slowly(text)
        return
    # A key count taken from the text can only overcount (quotes inside strings), so equal counts prove
    # that no key was dropped as a duplicate; otherwise look at every object's keys.
    keys, too_deep = _count_keys(value)
    if too_deep:
        raise YamlError(f"nested deeper than {MAX_DEPTH} levels; refused", 1)
    if _JSON_KEY.subn("", text)[1] != keys:  # subn counts in C without keeping every match
        del value
        yield from _json_values_slowly(text)
        return
    yield Loaded(value, text.count("\n", 0, len(text) - len(text.lstrip())) + 1)


def _json_int(text: str) -> int | float:
    # Go reads a JSON number as a float64: an integer of hundreds of digits is out of its range, as 1e400
    # is. Past the digits int() converts, the float it overflows to (inf) goes where 1e400's does: unjudged.
    return int(text) if len(text) <= 400 else float(text)


def _json_values_slowly(text: str) -> Iterator[Loaded]:
    decoder = _stdjson.JSONDecoder(object_pairs_hook=_pairs_no_duplicates, parse_constant=_no_constant,
                                   parse_int=_json_int)
    pos = 0
    n = len(text)
    ws = re.compile(r"\s*")
    line, counted = 1, 0  # lines counted up to offset `counted`: each value's line without rescanning the text
    while True:
        pos = ws.match(text, pos).end()
        if pos >= n:
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, pos = decoder.raw_decode(text, pos)
        except _stdjson.JSONDecodeError as exc:
            raise YamlError(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
        except YamlValueUnsupported as exc:
            raise YamlError(f"not valid JSON: {exc}", line) from None
        except RecursionError:
            raise YamlError("nested deeper than the JSON parser allows; refused", line) from None
        if _depth_over(value, MAX_DEPTH):
            raise YamlError(f"nested deeper than {MAX_DEPTH} levels; refused", line)
        if _has_surrogate(value):
            raise YamlError("a string holds an unpaired UTF-16 surrogate; refused", line)
        yield Loaded(value, line)


def _count_keys(value: Any) -> tuple[int, bool]:
    """How many keys the value's objects hold, and whether it nests deeper than MAX_DEPTH (one level at a time)."""
    total, depth, level = 0, 0, [value]
    while level:
        depth += 1
        nxt: list[Any] = []
        containers = False
        for v in level:
            t = type(v)
            if t is dict:
                total += len(v)
                nxt += v.values()
                containers = True
            elif t is list:
                nxt += v
                containers = True
        if containers and depth > MAX_DEPTH:
            return total, True
        level = nxt
    return total, False


def _depth_over(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            if d > limit:
                return True
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            if d > limit:
                return True
            stack.extend((x, d + 1) for x in v)
    return False


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: Any) -> bool:
    return any(isinstance(v, str) and _SURROGATE.search(v) is not None for v in leaves(value))




# --- the spec: PyYAML's YAML 1.1 scalars, the same limits and strictness -----------------------------

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar_pyyaml(event: Any) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise YamlValueUnsupported(getattr(exc, "problem", None) or str(exc)) from None
    except ValueError:  # int() of more than 4300 digits: no field of a spec takes such a number
        raise YamlValueUnsupported(f"a number of {len(event.value)} characters is too large for any field; refused") from None


def _key_any(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        raise YamlValueUnsupported(f"unsupported map key of type {type(key).__name__}") from None
    return key


_SPEC = _Loader(scalar=_scalar_pyyaml, key_scalar=_scalar_pyyaml, key=_key_any, is_merge=_is_merge_kubectl)


def load_spec_documents(text: str) -> list[Loaded]:
    """Every document of a spec file (YAML 1.1 as PyYAML reads it), with the limits of the sample reader.

    Strings that no backend can encode (an unpaired surrogate, NUL) are errors
    here rather than failures half-way through generation.
    """
    out: list[Loaded] = []
    for chunk in split_documents(text):
        loaded = _SPEC.load(text[chunk.start:chunk.end], chunk.line - 1)
        if loaded is None:
            continue
        bad = find_unencodable(loaded.value)
        if bad is not None:
            raise YamlError(f"{bad[0]}: {bad[1]}")
        out.append(loaded)
    return out


def find_unencodable(value: Any) -> tuple[str, str] | None:
    """(field path, problem) of the first string holding NUL or an unpaired surrogate, else None."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        v, path = stack.pop()
        if isinstance(v, str):
            if "\x00" in v:
                return path or "(document)", "a string holds a NUL character"
            if _SURROGATE.search(v):
                return path or "(document)", "a string holds an unpaired UTF-16 surrogate"
        elif isinstance(v, dict):
            for k, x in v.items():
                sub = f"{path}.{k}" if path else str(k)
                stack.append((x, sub))
                if isinstance(k, str):
                    stack.append((k, sub))
        elif isinstance(v, list):
            stack.extend((x, f"{path}[{i}]") for i, x in enumerate(v))
    return None
