"""Inputs read once and kept small: each resource's JSON spooled to a temporary file, a short record in memory.

``policygen eval`` over a cluster dump must not hold every parsed document:
a pod parsed into Python objects is tens of kilobytes. The loader hands over
one document's resources at a time; each is encoded to one line of JSON (the exact
bytes an engine is sent), appended to the spool, and only what the report
needs of it stays in memory, and of a Namespace its name and labels: every
batch reads them as the inventory (policygen/inventory.py).
"""

from __future__ import annotations

import json
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .engines.runner import chunked, encodable
from .inventory import Inventory
from .samples import Resource, reread

if TYPE_CHECKING:
    from .plan import Plan


@dataclass(slots=True)
class Record:
    """What a verdict and a report need of a judged resource (duck-types Resource for them)."""

    file: str
    index: int
    kind: str
    namespace: str
    name: str
    document: int
    line: int
    api_version: str
    unserved: str | None = None
    foreign: bool = False
    undecodable: str | None = None
    operation: str = "CREATE"
    unread_template: str | None = None

    @classmethod
    def of(cls, res: Resource) -> "Record":
        api = res.object.get("apiVersion")
        # Kinds, namespaces and versions repeat across a cluster dump: one string each, not one per resource.
        return cls(res.file, res.index, sys.intern(res.kind), sys.intern(res.namespace), res.name, res.document, res.line,
                   sys.intern(api) if isinstance(api, str) else "", res.unserved, res.foreign, res.undecodable,
                   sys.intern(res.operation), res.unread_template)

    def fields(self) -> list[Any]:
        return [self.file, self.index, self.kind, self.namespace, self.name, self.document, self.line, self.api_version,
                self.unserved, self.foreign, self.undecodable, self.operation, self.unread_template]

    @property
    def display(self) -> str:
        ns = self.namespace
        return f"{self.kind or '?'} {ns + '/' if ns else ''}{self.name or '?'}"

    @property
    def object(self) -> dict[str, Any]:
        return {"apiVersion": self.api_version}

    @property
    def label(self) -> str:
        return f"{self.file}#{self.index}"


class Records(Sequence[Record]):
    """Records packed into one growing buffer, a Record built on reading.

    Small objects kept while parsed documents come and go pin the
    allocator's memory pages those documents freed; one buffer pins nothing.
    """

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("Q")

    def append(self, record: Record) -> None:
        # ASCII JSON: any lone surrogate in a file name is escaped, and read back as it was.
        self._data += json.dumps(record.fields(), separators=(",", ":")).encode("ascii")
        self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        start = self._ends[i - 1] if i else 0
        file, index, kind, namespace, name, document, line, api, unserved, foreign, undecodable, operation, template = (
            json.loads(self._data[start:self._ends[i]]))
        return Record(sys.intern(file), index, sys.intern(kind), sys.intern(namespace), name, document, line, sys.intern(api),
                      unserved, foreign, undecodable, sys.intern(operation), template)


class Spool:
    """Resources in input order: records in memory, their JSON in a temporary file."""

    def __init__(self) -> None:
        self.records = Records()
        self._encoded: bytearray = bytearray()  # 1 where the resource has a JSON line in the file
        self._file = tempfile.TemporaryFile(prefix="policygen-spool-")
        self._inventory = Inventory()

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def add(self, res: Resource) -> None:
        text = encodable(res.source)
        if text is None:
            self._encoded.append(0)
        else:
            # json.dumps escapes every control character, so a document is exactly one line.
            self._file.write(text.encode("ascii") + b"\n")
            self._encoded.append(1)
        self._inventory.add(res)
        self.records.append(Record.of(res))

    def extend(self, resources: Iterable[Resource]) -> "Spool":
        for res in resources:
            self.add(res)
        return self

    def namespaces(self, plan: Plan) -> dict[str, dict[str, Any]]:
        """As SampleSet.inventory: the inputs' Namespaces by name, in normal form."""
        return self._inventory.namespaces(plan)

    def inventory(self, plan: Plan) -> dict[str, Any]:
        """As rego_common.inventory: data.inventory, the inputs' Namespaces in normal form."""
        return {"cluster": {"v1": {"Namespace": self.namespaces(plan)}}}

    def items(self) -> Iterator[tuple[int, tuple[str, bytes] | None]]:
        """(index, (label, JSON line)) per resource in order; None for a resource with no JSON form."""
        self._file.flush()
        self._file.seek(0)
        for i, rec in enumerate(self.records):
            if not self._encoded[i]:
                yield i, None
                continue
            line = self._file.readline()
            yield i, (rec.label, line.rstrip(b"\n"))

    def chunks(self, size: int) -> Iterator[list[tuple[int, tuple[str, bytes] | None]]]:
        return chunked(self.items(), size)

    def judgeable(self) -> Iterator[tuple[int, Resource | None]]:
        """As runner.judgeable for a SampleSet: (index, resource as JSON data, or None) of each resource an
        engine is sent, each read again from its line only when its batch is made."""
        return self.resources(judgeable=True)

    def resources(self, judgeable: bool = False) -> Iterator[tuple[int, Resource | None]]:
        """(index, resource as JSON data, or None when it has no JSON form) of every resource, or with judgeable
        of those judgeable() gives, each read again from its line only when it is asked for."""
        for i, item in self.items():
            rec = self.records[i]
            if judgeable and (rec.unserved is not None or rec.foreign):
                continue
            yield i, None if item is None else reread(rec.file, rec.index, json.loads(item[1]), rec.document, rec.line)
