"""OPA as a server: started once, policies loaded once, resources judged in batched queries.

A run streams: resources go to the server in chunks, already encoded as
JSON, one query in flight per worker (one per core by default), and the
verdicts come back in input order. The server holds a few chunks, never the
whole input, so its memory does not grow with the number of resources.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from opa_client.opa import OpaClient

from .. import tools
from ..children import die_with_parent
from ..errors import EngineError
from ..plan import Plan
from ..samples import Resource, SampleSet
from ..spool import Spool
from ..verdicts import Verdict, Violation
from . import runner
from .rego_common import inventory
from .runner import BatchFailed

CHUNK = 100  # resources per query: small enough that the server holds little, big enough to amortise a request

# Libraries before the modules that call their functions: OPA compiles each upload (and each removal,
# which goes the other way). usual.rego reads the rule libraries, and main.rego reads it.
_LOAD_ORDER = ("lib/review.rego", "lib/scope.rego", "lib/images.rego", "lib/quantity.rego", "lib/pods.rego", "lib/rules/",
               "usual.rego")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load_rank(rel: str) -> tuple[int, str]:
    for rank, prefix in enumerate(_LOAD_ORDER):
        if rel.startswith(prefix):
            return rank, rel
    return len(_LOAD_ORDER), rel


class OpaServer:
    """One `opa run --server` on 127.0.0.1, reused for as many evaluations as wanted."""

    def __init__(self, binary: Path | None = None, startup_timeout: float = 30.0, rego_dir: Path | None = None) -> None:
        self.binary = binary or tools.find("opa")
        self.startup_timeout = startup_timeout
        # Policies given at start compile once; later load() calls upload module by module.
        self.rego_dir = rego_dir
        self._loaded: dict[str, tuple[str, str]] = {}  # module path -> (OPA policy id, text)
        self.proc: subprocess.Popen | None = None
        self.client: OpaClient | None = None
        self.port = 0
        self._local = threading.local()  # one HTTP connection per worker thread
        self._log = tempfile.TemporaryFile()

    def __enter__(self) -> "OpaServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _stderr(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-4000:]

    def start(self) -> None:
        port = _free_port()
        argv = [str(self.binary), "run", "--server", "--addr", f"127.0.0.1:{port}", "--disable-telemetry", "--log-level", "error"]
        if self.rego_dir is not None:
            modules = self._modules(self.rego_dir)
            argv += [str(self.rego_dir / rel) for rel in modules]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self._log, preexec_fn=die_with_parent())
        try:
            self._wait_healthy(port)
        except BaseException:
            # `with OpaServer()` runs no __exit__ when starting fails or is interrupted (SIGINT, SIGTERM):
            # the server is stopped here, never left running on its own.
            self.stop()
            raise

    def _wait_healthy(self, port: int) -> None:
        assert self.proc is not None
        self.port = port
        self.client = OpaClient(host="127.0.0.1", port=port, timeout=120, retries=0)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise EngineError(f"OPA server exited at start (status {self.proc.returncode}):\n{self._stderr()}")
            if self.client.check_health():
                if self.rego_dir is not None:
                    self._loaded = {rel: (str(self.rego_dir / rel), text) for rel, text in self._modules(self.rego_dir).items()}
                return
            time.sleep(0.05)
        raise EngineError(f"OPA server on 127.0.0.1:{port} did not become healthy within {self.startup_timeout}s")

    def _alive(self) -> OpaClient:
        if self.proc is None or self.client is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            raise EngineError(f"OPA server is not running (exit status {code}):\n{self._stderr()}")
        return self.client

    @staticmethod
    def _modules(rego_dir: Path) -> dict[str, str]:
        """Policy modules (tests left out) by path, in an order OPA can compile one by one."""
        rels = sorted(
            (p.relative_to(rego_dir).as_posix() for p in rego_dir.rglob("*.rego") if not p.name.endswith("_test.rego")),
            key=_load_rank,
        )
        return {rel: (rego_dir / rel).read_text(encoding="utf-8") for rel in rels}

    def load(self, rego_dir: Path) -> None:
        """Make the server hold exactly the modules under rego_dir (a no-op when it already does)."""
        client = self._alive()
        modules = self._modules(rego_dir)
        if {rel: text for rel, (_, text) in self._loaded.items()} == modules:
            return
        try:
            try:
                self._sync(client, modules)
            except Exception:
                # A lib changed under a module that still calls it: start from empty.
                self._sync(client, {})
                self._sync(client, modules)
        except Exception as exc:  # the client raises its own types for OPA's errors
            raise EngineError(f"OPA rejected the generated policies: {exc}\n{self._stderr()}") from exc

    def _sync(self, client: OpaClient, modules: dict[str, str]) -> None:
        # Callers before callees on the way out, callees first on the way in.
        for rel in sorted((r for r in self._loaded if r not in modules), key=_load_rank, reverse=True):
            # Forgotten only once OPA has let it go: a removal it refuses (a caller still loaded) leaves it
            # held, for load()'s second try to remove after its callers.
            client.delete_policy(self._loaded[rel][0])
            del self._loaded[rel]
        for rel, text in modules.items():
            if rel not in self._loaded or self._loaded[rel][1] != text:
                policy_id = self._loaded[rel][0] if rel in self._loaded else rel
                client.update_policy_from_string(text, policy_id, rego_compat=False)
                self._loaded[rel] = (policy_id, text)

    def judge(self, docs: list[Any], namespaces: dict[str, Any]) -> list[Any]:
        """What policygen.batch.results holds per input document, in order, from one query.

        OPA failing on the query (an evaluation error, a time-out) while the server
        lives is this batch's failure (BatchFailed, bisected by the caller); a dead
        server is the run's (EngineError).
        """
        client = self._alive()
        try:
            client.update_or_create_data(namespaces, "inventory")
            answer = client.query_rule({"items": docs}, "policygen.batch", "results")
        except Exception as exc:  # requests' and the client's own error types alike
            self._alive()
            detail = getattr(getattr(exc, "response", None), "text", "") or ""
            raise BatchFailed(f"OPA could not evaluate the query: {exc} {detail[:1000]}") from exc
        results = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(docs):
            # Undefined or short: never read as "no violations".
            raise BatchFailed(f"OPA answered {str(answer)[:500]!r} for {len(docs)} inputs")
        return results

    def set_inventory(self, namespaces: dict[str, Any]) -> None:
        """The data every later query reads as data.inventory."""
        client = self._alive()
        try:
            client.update_or_create_data(namespaces, "inventory")
        except Exception as exc:
            self._alive()
            raise EngineError(f"OPA would not take the inventory of Namespaces: {exc}") from exc

    def judge_encoded(self, items: list[bytes], timeout: float = 120.0) -> list[Any]:
        """What policygen.batch.results holds per input, for inputs already encoded as JSON; thread-safe.

        The inventory is whatever set_inventory last stored. Failures are as in judge().
        """
        self._alive()
        body = b'{"input":{"items":[' + b",".join(items) + b"]}}"
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "port", None) != self.port:
            conn = self._local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            self._local.port = self.port
        try:
            conn.request("POST", "/v1/data/policygen/batch/results", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            self._local.conn = None
            self._alive()
            raise BatchFailed(f"OPA could not evaluate the query: {exc}") from exc
        if response.status != 200:
            raise BatchFailed(f"OPA could not evaluate the query: HTTP {response.status} {data[:1000].decode('utf-8', 'replace')}")
        try:
            answer = json.loads(data)
        except ValueError as exc:
            raise BatchFailed(f"OPA answered something that is not JSON: {data[:300]!r}") from exc
        results = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(items):
            raise BatchFailed(f"OPA answered {str(answer)[:500]!r} for {len(items)} inputs")
        return results

    def stop(self) -> None:
        if self.client is not None:
            try:
                self.client.close_connection()
            except Exception:  # pragma: no cover - closing a dead session
                pass
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.proc.kill()
                self.proc.wait()


class OpaEngine:
    name = "opa"
    tool = "opa"
    backend = "rego"

    def __init__(self, server: OpaServer | None = None, *, chunk: int = CHUNK, jobs: int | None = None) -> None:
        # A caller (the test session) may lend a running server; else one per evaluate().
        self.server = server
        self.chunk = chunk
        self.jobs = jobs

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        if self.server is not None:
            return self._run(self.server, dist, plan, samples)
        with OpaServer(rego_dir=dist / "rego") as server:
            return self._run(server, dist, plan, samples)

    def evaluate_spooled(self, dist: Path, plan: Plan, spool: Spool) -> list[Verdict]:
        """Verdicts for resources read once and spooled as JSON lines (policygen eval's path)."""
        if self.server is not None:
            return self._stream(self.server, dist, plan, spool.records, spool.chunks(self.chunk), spool.inventory(plan))
        with OpaServer(rego_dir=dist / "rego") as server:
            return self._stream(server, dist, plan, spool.records, spool.chunks(self.chunk), spool.inventory(plan))

    def _run(self, server: OpaServer, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        items = ((i, res.label, runner.encodable(res.source)) for i, res in enumerate(samples.resources))
        chunks = runner.chunked(((i, None if text is None else (label, text.encode())) for i, label, text in items), self.chunk)
        return self._stream(server, dist, plan, samples.resources, chunks, inventory(samples, plan))

    def _stream(self, server: OpaServer, dist: Path, plan: Plan, records: list, chunks: Iterable[list[tuple[int, Any]]],
                inv: dict[str, Any]) -> list[Verdict]:
        server.load(dist / "rego")
        server.set_inventory(inv)

        def judge(batch: list[tuple[str, bytes]]) -> list[list[Violation]]:
            results = server.judge_encoded([text for _, text in batch])
            return [rego_violations(self.name, plan, found, where) for found, (where, _) in zip(results, batch, strict=True)]

        canary = ("policygen:canary#0", runner.encodable(runner.canary().source).encode())
        undecided = runner.signatures_undecided(plan, records)
        out: list[Verdict] = []
        for i, violations in runner.isolate_stream(self.name, chunks, judge, runner.jobs(self.jobs), lambda: canary):
            if i != len(out):
                raise EngineError(f"opa: verdict for resource {i} came back out of order")  # pragma: no cover
            # One not_evaluated list for all that lack it: read, never changed, and a run may hold 100,000.
            out.append(runner.verdict(self.name, records[i], violations, undecided(i)))
        return out


def rego_violations(engine: str, plan: Plan, found: Any, res: Resource | str) -> list[Violation]:
    """The generated Rego's violations of one resource: {msg, rule, check} objects."""
    where = res if isinstance(res, str) else f"{res.file}#{res.index}"
    if not isinstance(found, list):
        raise BatchFailed(f"{engine} answered a non-list of violations for {where}: {str(found)[:300]!r}")
    return [runner.structured(engine, plan, v, where) for v in found]
