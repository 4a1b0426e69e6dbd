"""OPA as a server: started once, policies loaded once, every resource in one batched query."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from opa_client.opa import OpaClient

from .. import tools
from ..errors import EngineError
from ..plan import Plan
from ..samples import SampleSet
from ..verdicts import Verdict, sorted_violations
from .base import verdict_shell
from .rego_common import inputs, inventory, not_evaluated

# Libraries before the modules that call their functions: OPA compiles each upload.
_LOAD_ORDER = ("lib/review.rego", "lib/scope.rego", "lib/images.rego", "lib/quantity.rego", "lib/pods.rego", "lib/rules/")


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

    def __init__(self, binary: Path | None = None, startup_timeout: float = 30.0) -> None:
        self.binary = binary or tools.find("opa")
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.client: OpaClient | None = None
        self._policies: list[str] = []
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
        self.proc = subprocess.Popen(
            [str(self.binary), "run", "--server", "--addr", f"127.0.0.1:{port}", "--disable-telemetry", "--log-level", "error"],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        self.client = OpaClient(host="127.0.0.1", port=port, timeout=120, retries=0)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise EngineError(f"OPA server exited at start (status {self.proc.returncode}):\n{self._stderr()}")
            if self.client.check_health():
                return
            time.sleep(0.05)
        self.stop()
        raise EngineError(f"OPA server on 127.0.0.1:{port} did not become healthy within {self.startup_timeout}s")

    def _alive(self) -> OpaClient:
        if self.proc is None or self.client is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            raise EngineError(f"OPA server is not running (exit status {code}):\n{self._stderr()}")
        return self.client

    def load(self, rego_dir: Path) -> None:
        """Replace whatever policies the server holds with the modules under rego_dir."""
        client = self._alive()
        try:
            for policy_id in reversed(self._policies):
                client.delete_policy(policy_id)
            self._policies = []
            modules = sorted(
                (p.relative_to(rego_dir).as_posix() for p in rego_dir.rglob("*.rego") if not p.name.endswith("_test.rego")),
                key=_load_rank,
            )
            for rel in modules:
                client.update_policy_from_string((rego_dir / rel).read_text(encoding="utf-8"), rel, rego_compat=False)
                self._policies.append(rel)
        except EngineError:
            raise
        except Exception as exc:  # the client raises its own types for OPA's errors
            raise EngineError(f"OPA rejected the generated policies: {exc}\n{self._stderr()}") from exc

    def judge(self, docs: list[Any], namespaces: dict[str, Any]) -> list[list[str]]:
        """Violation messages per input document, in order, from one query."""
        client = self._alive()
        try:
            client.update_or_create_data(namespaces, "inventory")
            answer = client.query_rule({"items": docs}, "policygen.batch", "results")
        except requests.RequestException as exc:
            raise EngineError(f"OPA server query failed: {exc}\n{self._stderr()}") from exc
        except Exception as exc:
            raise EngineError(f"OPA server query failed: {exc}") from exc
        results = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(docs):
            # Undefined or short: never read as "no violations".
            raise EngineError(f"OPA answered {str(answer)[:500]!r} for {len(docs)} inputs")
        for found in results:
            if not isinstance(found, list) or not all(isinstance(m, str) for m in found):
                raise EngineError(f"OPA answered a non-list of messages: {str(found)[:300]!r}")
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


def verdicts_from(engine: str, plan: Plan, samples: SampleSet, results: list[list[str]]) -> list[Verdict]:
    skipped = not_evaluated(plan)
    out = []
    for res, messages in zip(samples.resources, results, strict=True):
        verdict = verdict_shell(res, engine)
        verdict.violations = sorted_violations(messages)
        verdict.not_evaluated = skipped
        out.append(verdict)
    return out


class OpaEngine:
    name = "opa"
    tool = "opa"
    backend = "rego"

    def __init__(self, server: OpaServer | None = None) -> None:
        # A caller (the test session) may lend a running server; else one per evaluate().
        self.server = server

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        if self.server is not None:
            return self._run(self.server, dist, plan, samples)
        with OpaServer() as server:
            return self._run(server, dist, plan, samples)

    def _run(self, server: OpaServer, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        server.load(dist / "rego")
        results = server.judge(inputs(samples), inventory(samples))
        return verdicts_from(self.name, plan, samples, results)
