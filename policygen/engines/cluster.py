"""Real admission: every resource as a server-side dry-run through a Kubernetes API server.

Against the local control plane (policygen/cluster/) the chosen backend's
dist/ folder is installed first, as GitOps installs it; with a kubeconfig the
user's cluster judges with whatever it has installed, and receives only dry-run
requests. Plain resources are sent as a CREATE by the untrusted user,
AdmissionReviews with their operation, impersonating their userInfo; an UPDATE
or DELETE goes to an object that exists first.
"""

from __future__ import annotations

import copy
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..backends.cel import JUDGED_SUBRESOURCES, POD_RULE_SUBRESOURCES
from ..backends.gatekeeper import CONTROL_PLANE_KINDS
from ..cluster.admission import (GatekeeperController, KyvernoController, apply_folder, delete_folder, ensure_crds, kubectl,
                                 wait_established)
from ..cluster.client import ApiClient, ApiResource, load_kubeconfig
from ..cluster.control_plane import LocalCluster
from ..cluster.denials import API_SERVER_RULE, Outcome, read_answer
from ..cluster.processes import ClusterError
from ..errors import PolicygenError
from ..fixtures import cases_for
from ..plan import Plan
from ..serviceaccount import mount_api_token
from ..samples import UNTRUSTED_USER, Resource, SampleSet, _admission_review, _plain_review
from ..verdicts import Verdict, Violation
from .base import verdict_shell

BACKENDS = ("vap", "gatekeeper", "kyverno")
# Kinds the API server sends to no admission webhook (k8s.io/apiserver's
# IsExemptAdmissionConfigurationResource) ...
NOT_SENT_TO_ADMISSION = frozenset({
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
})
# ... and to no ValidatingAdmissionPolicy: only the policy kinds themselves. Webhook
# configurations do reach VAPs (measured: the vap backend denies CP001's samples).
NOT_SENT_TO_POLICIES = frozenset({
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
})


def not_sent(backend: str) -> frozenset[str]:
    """The kinds a backend's policies never see in real admission."""
    return NOT_SENT_TO_POLICIES if backend == "vap" else NOT_SENT_TO_ADMISSION
# Rules each backend leaves to another engine (signatures need Kyverno's verifyImages).
UNSUPPORTED = {"vap": frozenset({"SC012"}), "gatekeeper": frozenset({"SC012"}), "kyverno": frozenset()}
# ...and what the local control plane cannot run: signature checks need the images'
# registries, unreachable from here (tests/test_signatures.py proves SC012 against a
# loopback registry). Installed as written, then that policy alone is removed again,
# so that its "cannot reach the registry" denial does not hide the other rules'.
LOCAL_UNSUPPORTED = {"vap": frozenset(), "gatekeeper": frozenset(), "kyverno": frozenset({"SC012"})}
_SERVER_SET = ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp")


@dataclass
class Request:
    index: int
    res: Resource
    op: str
    user: dict[str, Any]
    obj: dict[str, Any] | None
    old: dict[str, Any] | None
    namespace: str
    api: ApiResource | None = None


def _clean(obj: dict[str, Any], namespace: str | None) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    meta = out.get("metadata")
    if not isinstance(meta, dict):
        meta = out["metadata"] = {} if meta is None else meta
    if isinstance(meta, dict):
        for key in _SERVER_SET:
            meta.pop(key, None)
        # A namespace that is no string is sent as written: the API server refuses to decode it, as it would the user's.
        if meta.get("namespace") in (None, "") or isinstance(meta["namespace"], str):
            if namespace is not None:
                meta["namespace"] = namespace
            else:
                meta.pop("namespace", None)
    return out


def _as_submitted(obj: dict[str, Any], namespace: str | None) -> dict[str, Any]:
    """The object as a real cluster's admission chain has it when validating webhooks and policies see it.

    The ServiceAccount admission plugin is off here (no controller makes the ServiceAccounts it looks up),
    so its effects on a Pod are applied here: a serviceAccountName (`default`), without which the server
    refuses every pod with a projected token volume (Istio's istio-token) before admission, and the API
    token mounted into every container. A cluster gives the injector's sidecars that mount too, since the
    API server runs the plugin again after a webhook changes the pod, so every pod rule meets it here.
    """
    out = _clean(obj, namespace)
    spec = out.get("spec")
    if out.get("kind") == "Pod" and out.get("apiVersion") == "v1" and isinstance(spec, dict):
        if not spec.get("serviceAccountName") and not spec.get("serviceAccount"):
            spec["serviceAccountName"] = "default"
        mount_api_token(spec)
    return out


def _name(obj: dict[str, Any] | None) -> str:
    meta = (obj or {}).get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def _user(review: dict[str, Any]) -> dict[str, Any]:
    info = review.get("userInfo") if isinstance(review.get("userInfo"), dict) else {}
    username = info.get("username") if isinstance(info.get("username"), str) and info.get("username") else UNTRUSTED_USER["username"]
    groups = [g for g in info.get("groups") or [] if isinstance(g, str) and g]
    return {"username": username, "groups": groups}


def _unsendable(user: dict[str, Any]) -> str | None:
    """Why the request's user cannot be impersonated as written, if it cannot: HTTP drops whitespace at the ends
    of a header value and cannot carry control characters, so the API server would judge another user."""
    for what, value in [("username", user["username"]), *(("group", g) for g in user["groups"])]:
        if value != value.strip(" \t") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            return (f"the request's {what} {value!r} cannot be sent as an impersonation header unchanged "
                    "(whitespace at its ends or a control character), so the API server would judge another user")
    return None


def _subresource(res: Resource) -> str:
    request = res.source.get("request") if res.from_admission_review else None
    sub = request.get("subResource") if isinstance(request, dict) else None
    # A controller's status write goes to its own status too, which no policy matches, as in a cluster.
    return sub if sub in POD_RULE_SUBRESOURCES or sub in JUDGED_SUBRESOURCES.get(res.kind, ()) else ""


def rule_objects(dist_backend: Path) -> list[tuple[str, str, str, str | None, str]]:
    """(apiVersion, kind, name, namespace, rule ID) of every object we install, from its policygen.dev/rule-id annotation."""
    found = []
    for path in sorted(dist_backend.rglob("*.yaml")):
        if {"samples", ".kyverno-test"} & set(path.relative_to(dist_backend).parts):
            continue
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue
        for doc in docs:
            meta = doc.get("metadata") if isinstance(doc, dict) else None
            annotations = (meta or {}).get("annotations") or {}
            rule = annotations.get("policygen.dev/rule-id")
            if isinstance(meta, dict) and isinstance(rule, str):
                found.append((doc.get("apiVersion"), doc.get("kind"), meta["name"], meta.get("namespace"), rule))
    return found


def rule_names(dist_backend: Path) -> dict[str, str]:
    """metadata.name -> rule ID, from the policygen.dev/rule-id annotation of every object we install."""
    return {name: rule for _, _, name, _, rule in rule_objects(dist_backend)}


def missing_rules(client: ApiClient, objects: list[tuple[str, str, str, str | None, str]]) -> set[str]:
    """The rules some of whose objects (a policy, its binding or constraint) the cluster does not hold."""
    missing = set()
    for api_version, kind, name, namespace, rule in objects:
        api = client.resource(api_version, kind) if isinstance(api_version, str) and isinstance(kind, str) else None
        if api is None or client.request("GET", f"{ApiClient.collection_path(api, namespace)}/{name}").status != 200:
            missing.add(rule)
    return missing


class ClusterEngine:
    name = "cluster"
    tool = "kube-apiserver"

    def __init__(self, backend: str = "vap", kubeconfig: str | Path | None = None, cluster: LocalCluster | None = None,
                 concurrency: int = 16, ready_timeout: float = 90.0,
                 probes: list[tuple[str, Resource]] | None = None, controller=None) -> None:
        if backend not in BACKENDS:
            raise PolicygenError(f"unknown cluster backend {backend!r}; choose one of: {', '.join(BACKENDS)}")
        self.backend = backend
        self.kubeconfig = Path(kubeconfig) if kubeconfig else None
        self.cluster = cluster
        self.concurrency = concurrency
        self.ready_timeout = ready_timeout
        # What a rule no probe can show is given after the others are in force (installed with them).
        self.settle_s = 3.0
        self.stats: dict[str, float] = {}
        # Known-bad requests awaited before judging; default: one fixture per installed rule.
        self.probes = probes
        # An admission controller already running in `cluster` (a test session's): used, never stopped.
        self.controller = controller
        self.skipped: frozenset[str] = UNSUPPORTED[backend]

    # -- entry -----------------------------------------------------------------

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        folder = Path(dist) / self.backend
        objects = rule_objects(folder) if folder.is_dir() else []
        names = {name: rule for _, _, name, _, rule in objects}
        if self.kubeconfig is not None:
            client = ApiClient(load_kubeconfig(self.kubeconfig), pool=self.concurrency)
            if not names:
                names = {r.info.policy_name: r.rule_id for r in plan.rules}
            # A cluster judges with what it holds: a rule whose objects are not there is not evaluated, and a
            # cluster that holds none of them judges nothing (its dry-runs would all be admitted).
            judged = {r.rule_id for r in plan.rules} - UNSUPPORTED[self.backend]
            absent = missing_rules(client, objects) & judged if objects else set()
            if objects and absent == judged:
                raise ClusterError(f"the cluster holds none of the {self.backend} backend's policies for this spec "
                                   f"({', '.join(sorted(judged))}): install them first (kubectl apply -k DIST/{self.backend}/), or name "
                                   f"the backend it holds with --backend")
            self.skipped = UNSUPPORTED[self.backend] | absent
            return self._judge(client, plan, samples.resources, names, prepared=False)
        if not (folder / "kustomization.yaml").is_file():
            raise PolicygenError(f"{folder}: no kustomization.yaml; the {self.backend} backend has nothing to install")
        self.skipped = UNSUPPORTED[self.backend] | LOCAL_UNSUPPORTED[self.backend]
        if self.cluster is not None:
            return self._local(self.cluster, folder, plan, samples, names)
        with LocalCluster() as cluster:
            return self._local(cluster, folder, plan, samples, names)

    # -- local control plane ---------------------------------------------------

    def _local(self, cluster: LocalCluster, folder: Path, plan: Plan, samples: SampleSet, names: dict[str, str]) -> list[Verdict]:
        client = cluster.client
        probes = self.probes if self.probes is not None else self._probes(plan, set(names.values()))
        everything = samples.resources + [p for _, p in probes]
        self._ensure_kinds(cluster, everything)
        self._ensure_namespaces(client, plan, samples)
        # The probes' namespaces only where the inputs have none of that name: inputs' labels win.
        self._ensure_namespaces(client, plan, SampleSet([p for _, p in probes]), replace=False)
        verdicts: list[Verdict | None] = [None] * len(samples.resources)
        for round_ in self._rounds(samples.resources):
            self._put_old_objects(client, round_, verdicts, samples.resources)
            started = time.monotonic()
            try:
                controller = self._install(cluster, folder)
            except BaseException as exc:
                # Half an install (a folder the API server or a controller refused in part) must not
                # outlive this run: what did apply would judge the next backend's requests.
                try:
                    self._uninstall(cluster, folder, None, plan, probes, names)
                except ClusterError as cleanup:
                    exc.add_note(f"and removing what was installed failed: {cleanup}")
                raise
            try:
                self._await_enforced(cluster, plan, probes, names)
                self.stats["install_to_enforced_s"] = time.monotonic() - started
                todo = [i for i in round_ if verdicts[i] is None]
                judged = self._judge(client, plan, [samples.resources[i] for i in todo], names, prepared=True, check=cluster.check)
                for i, verdict in zip(todo, judged):
                    verdicts[i] = verdict
            finally:
                self._uninstall(cluster, folder, controller, plan, probes, names)
        missing = sum(v is None for v in verdicts)
        if missing:
            raise ClusterError(f"{missing} resource(s) were never judged")
        return verdicts

    def _install(self, cluster: LocalCluster, folder: Path):
        controller = None
        if self.controller is None and self.backend in ("gatekeeper", "kyverno"):
            controller = (GatekeeperController if self.backend == "gatekeeper" else KyvernoController)(cluster)
            try:
                controller.start()
            except BaseException:
                controller.stop()
                raise
            self.stats["controller_start_s"] = getattr(controller, "started_in", 0.0)
        try:
            apply_folder(cluster.kubeconfig, folder)
            self._remove_local_unsupported(cluster, folder)
        except BaseException:
            if controller is not None:
                controller.stop()
            raise
        layers = sorted(p.parent for p in folder.glob("*/kustomization.yaml"))
        if layers:
            self._await_constraint_kinds(cluster, folder)
            for layer in layers:
                apply_folder(cluster.kubeconfig, layer)
        return controller

    def _remove_local_unsupported(self, cluster: LocalCluster, folder: Path) -> None:
        drop = LOCAL_UNSUPPORTED[self.backend]
        if not drop:
            return
        for path in sorted(folder.rglob("*.yaml")):
            if {"samples", ".kyverno-test"} & set(path.relative_to(folder).parts) or path.name == "kustomization.yaml":
                continue
            try:
                docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
            except yaml.YAMLError:
                continue
            if docs and all(((d.get("metadata") or {}).get("annotations") or {}).get("policygen.dev/rule-id") in drop for d in docs):
                kubectl(cluster.kubeconfig, "delete", "-f", str(path), "--ignore-not-found", "--wait=true", "--timeout=60s")

    def _await_constraint_kinds(self, cluster: LocalCluster, folder: Path) -> None:
        crds = []
        for path in sorted(folder.glob("*/template.yaml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            kind = doc["spec"]["crd"]["spec"]["names"]["kind"]
            crds.append(f"{kind.lower()}.constraints.gatekeeper.sh")
        wait_established(cluster.client, crds, timeout=self.ready_timeout, check=cluster.check)

    def _uninstall(self, cluster: LocalCluster, folder: Path, controller, plan: Plan, probes, names) -> None:
        """Remove what was installed, while its controller still runs (it owns their finalizers and CRDs)."""
        try:
            for layer in sorted(p.parent for p in folder.glob("*/kustomization.yaml")):
                delete_folder(cluster.kubeconfig, layer)
            delete_folder(cluster.kubeconfig, folder)
        finally:
            if controller is not None:
                controller.stop()
        cluster.check()
        # Lifted once every known-bad probe is admitted again: no stale policy may judge the next install.
        deadline = time.monotonic() + self.ready_timeout
        pending = [res for rule, res in probes if rule]
        while pending:
            try:
                judged = self._judge(cluster.client, plan, pending, names, prepared=True, measure=False)
                pending = [res for res, v in zip(pending, judged) if v.violations and v.rules != {API_SERVER_RULE}]
            except ClusterError:
                pass  # the API server may still call the webhook just unregistered, for a moment
            if pending and time.monotonic() > deadline:
                raise ClusterError(f"{self.backend}: policies still enforced {self.ready_timeout:.0f}s after their removal")
            if pending:
                time.sleep(0.25)

    def _rounds(self, resources: list[Resource]) -> list[list[int]]:
        """One old object per name at a time: a second UPDATE/DELETE of the same object waits a round."""
        rounds: list[list[int]] = []
        taken: list[dict] = []
        for i, res in enumerate(resources):
            key = None
            if res.operation in ("UPDATE", "DELETE") and isinstance(res.review.get("oldObject"), dict):
                old = res.review["oldObject"]
                key = (old.get("apiVersion"), old.get("kind"), res.namespace, _name(old))
            n = 0
            while key is not None and n < len(taken) and key in taken[n] and taken[n][key] != res.review["oldObject"]:
                n += 1
            while len(rounds) <= n:
                rounds.append([])
                taken.append({})
            rounds[n].append(i)
            if key is not None:
                taken[n][key] = res.review["oldObject"]
        return rounds or [[]]

    def _probes(self, plan: Plan, installed: set[str]) -> list[tuple[str, Resource]]:
        """Known-bad CREATEs from the fixtures, every one of each installed rule: a rule is in force once one is denied by it.

        Several per rule, since the API server refuses some fixtures before admission
        (a privileged container that may not escalate privileges is invalid).
        """
        probes = []
        for case in cases_for(plan):
            if not case.fails or case.rule_id not in installed or case.rule_id in self.skipped:
                continue
            review = _admission_review(copy.deepcopy(case.resource), "probe", case.name) if case.is_admission_review \
                else _plain_review(copy.deepcopy(case.resource))
            if review["operation"] != "CREATE" or (review.get("object") or {}).get("kind") in not_sent(self.backend):
                continue
            probes.append((case.rule_id, Resource(f"probe:{case.rule_id}:{case.name}", -1, review, case.resource)))
            for ns in case.namespaces.values():
                probes.append(("", Resource(f"probe-ns:{case.name}", -1, _plain_review(ns), ns)))
        return probes

    def _await_enforced(self, cluster: LocalCluster, plan: Plan, probes, names: dict[str, str]) -> None:
        candidates = [(rule, res) for rule, res in probes if rule]
        pending = {rule for rule, _ in candidates}
        settle = False
        deadline = time.monotonic() + self.ready_timeout
        while pending:
            cluster.check()
            trying = [(rule, res) for rule, res in candidates if rule in pending]
            judged = self._judge(cluster.client, plan, [res for _, res in trying], names, prepared=True, check=cluster.check,
                                 measure=False)
            refused = set()
            for (rule, _), verdict in zip(trying, judged):
                if rule in verdict.rules:
                    pending.discard(rule)
                elif verdict.rules == {API_SERVER_RULE}:
                    refused.add(id(_))
            candidates = [(rule, res) for rule, res in candidates if id(res) not in refused]
            unprobed = pending - {rule for rule, _ in candidates}
            if unprobed:
                # A spec can leave a rule nothing to deny that the API server accepts (SC005 with an empty args prefix
                # and no env settings: only args or env of the wrong shape). Nothing shows when such a rule is in
                # force; it was installed with the others, which are awaited, and given a moment more.
                print(f"policygen: warning: {self.backend}: every known-bad fixture of {', '.join(sorted(unprobed))} is refused "
                      "by the API server before admission, so nothing shows when it is in force; judging once the other "
                      "rules are", file=sys.stderr)
                pending -= unprobed
                settle = True
            if not pending:
                if settle:
                    time.sleep(self.settle_s)
                return
            if time.monotonic() > deadline:
                raise ClusterError(f"{self.backend}: rules not enforced after {self.ready_timeout:.0f}s "
                                   f"(their known-bad probes are still admitted): {', '.join(sorted(pending))}")
            time.sleep(0.25)

    def _ensure_kinds(self, cluster: LocalCluster, resources: list[Resource]) -> None:
        """Kinds the bare API server does not serve (Istio's) get a schema-less CRD, so their objects reach admission."""
        client = cluster.client
        wanted = {}
        for res in resources:
            if res.unserved is not None:
                continue  # a kind the rules read, in a version no API server serves: refused, never a CRD
            for obj in (res.review.get("object"), res.review.get("oldObject")):
                if isinstance(obj, dict) and isinstance(obj.get("apiVersion"), str) and "/" in obj["apiVersion"] \
                        and isinstance(obj.get("kind"), str) and obj["kind"]:
                    group, version = obj["apiVersion"].split("/", 1)
                    if "." in group and client.resource(obj["apiVersion"], obj["kind"]) is None:
                        wanted.setdefault((group, obj["kind"]), set()).add(version)
        ensure_crds(cluster, wanted)

    def _ensure_namespaces(self, client: ApiClient, plan: Plan, samples: SampleSet, replace: bool = True) -> None:
        """Every namespace the inputs use, with the labels of the Namespace objects among them (the offline inventory)."""
        labelled = samples.inventory(plan)
        names = set(labelled)
        for res in samples.resources:
            names.add(res.namespace)
        for name in sorted(names):
            if not isinstance(name, str) or not name:
                continue
            # The inventory's normal form (policygen/inventory.py): name and labels, as every offline engine reads them.
            body = labelled.get(name) or {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            resp = client.request("POST", "/api/v1/namespaces", body=body)
            if resp.status == 409 and replace:
                resp = client.request("PUT", f"/api/v1/namespaces/{name}", body=body)
            if resp.status not in (200, 201, 409):
                # An invalid name (a malformed sample's) cannot exist: its resources are refused before admission.
                continue

    def _put_old_objects(self, client: ApiClient, round_: list[int], verdicts, resources: list[Resource]) -> None:
        """Store the oldObject of each UPDATE/DELETE for real, before the policies are installed."""
        for i in round_:
            res = resources[i]
            if res.operation not in ("UPDATE", "DELETE"):
                continue
            old = res.review.get("oldObject")
            if not isinstance(old, dict):
                continue
            api = client.resource(str(old.get("apiVersion")), str(old.get("kind")))
            if api is None:
                continue
            ns = res.namespace if api.namespaced else None
            body = _as_submitted(old, ns)
            path = ApiClient.collection_path(api, ns)
            resp = client.request("POST", path, body=body)
            if resp.status == 409:
                current = client.request("GET", f"{path}/{_name(old)}")
                body["metadata"]["resourceVersion"] = (current.body.get("metadata") or {}).get("resourceVersion")
                resp = client.request("PUT", f"{path}/{_name(old)}", body=body)
            if resp.status not in (200, 201):
                verdict = verdict_shell(res, self.name)
                outcome = read_answer(resp.status, resp.body, {}, f"{res.label} (its oldObject)")
                verdict.violations = [Violation(v.rule, v.message.replace("refused", "refused its oldObject", 1))
                                      for v in outcome.violations]
                verdicts[i] = verdict

    # -- judging -----------------------------------------------------------------

    def _judge(self, client: ApiClient, plan: Plan, resources: list[Resource], names: dict[str, str],
               prepared: bool, check=None, measure: bool = True) -> list[Verdict]:
        skipped = sorted(self.skipped & {r.rule_id for r in plan.rules})
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            verdicts = list(pool.map(lambda res: self._one(client, plan, res, names, prepared), resources))
        elapsed = time.monotonic() - started
        if resources and measure:
            self.stats["requests"] = self.stats.get("requests", 0) + len(resources)
            self.stats["seconds"] = self.stats.get("seconds", 0.0) + elapsed
        if check:
            check()  # a component that died mid-run makes every answer suspect
        for verdict in verdicts:
            verdict.not_evaluated = sorted(set(verdict.not_evaluated) | set(skipped))
        return verdicts

    def _one(self, client: ApiClient, plan: Plan, res: Resource, names: dict[str, str], prepared: bool) -> Verdict:
        verdict = verdict_shell(res, self.name)
        op = res.operation
        obj = res.review.get("object") if op != "DELETE" else res.review.get("oldObject")
        if op == "CONNECT" or not isinstance(obj, dict):
            verdict.not_evaluated = sorted(r.rule_id for r in plan.rules)
            return verdict
        kind = obj.get("kind")
        if kind in not_sent(self.backend):
            verdict.not_evaluated = sorted(r.rule_id for r in plan.rules if kind in CONTROL_PLANE_KINDS.get(r.rule_id, ()))
        api_version = obj.get("apiVersion")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            verdict.violations = [Violation(API_SERVER_RULE, f"{API_SERVER_RULE}/no-kind refused by the API server: apiVersion and kind are required")]
            return verdict
        if (reason := res.unserved) is not None:
            # The offline engines deny it unjudged; here there is no endpoint to send it to (404).
            verdict.violations = [Violation(API_SERVER_RULE, f"{API_SERVER_RULE}/not-served refused by the API server: {reason}")]
            return verdict
        api = client.resource(api_version, kind)
        if api is None:
            verdict.not_evaluated = sorted(r.rule_id for r in plan.rules)
            return verdict
        ns = res.namespace if api.namespaced else None
        # A request no API server sends (red team 15d): refused before admission, never judged as an object the
        # harness rewrote into the request's namespace.
        own = (obj.get("metadata") or {}).get("namespace") if isinstance(obj.get("metadata"), dict) else None
        asked = res.review.get("namespace")
        if ns is not None and res.from_admission_review and isinstance(asked, str) and asked and isinstance(own, str) \
                and own not in ("", asked):
            verdict.violations = [Violation(API_SERVER_RULE, f"{API_SERVER_RULE}/namespace-mismatch refused by the API server: "
                                                             f"the object's namespace {own!r} is not the request's {asked!r}")]
            return verdict
        path = ApiClient.collection_path(api, ns)
        params = {"dryRun": "All", "fieldManager": "policygen", "fieldValidation": "Strict"}
        user = _user(res.review)
        if (reason := _unsendable(user)) is not None:
            verdict.violations = [Violation.engine_failure(self.name, reason)]
            return verdict
        if op == "CREATE":
            # A name already taken (a Namespace made from this very input, an oldObject stored for another
            # request) answers 409 AlreadyExists after admission: read_answer takes that as admitted.
            resp = client.request("POST", path, body=_as_submitted(obj, ns), params=params, impersonate=user)
        else:
            name = _name(res.review.get("oldObject") or obj)
            current = client.request("GET", f"{path}/{name}")
            if current.status == 404:
                if not prepared:
                    verdict.not_evaluated = sorted(r.rule_id for r in plan.rules)
                    return verdict
                raise ClusterError(f"{res.label}: the object of this {op} does not exist")
            if op == "UPDATE":
                body = _as_submitted(obj, ns)
                body["metadata"]["resourceVersion"] = (current.body.get("metadata") or {}).get("resourceVersion")
                # `kubectl debug` adds ephemeral containers through their subresource, and only there; an
                # in-place resize changes resources through pods/resize.
                sub = _subresource(res)
                target = f"{path}/{name}/{sub}" if sub else f"{path}/{name}"
                resp = client.request("PUT", target, body=body, params=params, impersonate=user)
            else:
                resp = client.request("DELETE", f"{path}/{name}", params={"dryRun": "All"}, impersonate=user)
        if resp.status == 404 and not prepared:
            # A user's cluster without this namespace (or object) cannot judge the request.
            verdict.not_evaluated = sorted(r.rule_id for r in plan.rules)
            return verdict
        outcome: Outcome = read_answer(resp.status, resp.body, names, res.label, resp.warnings)
        verdict.violations = outcome.violations
        return verdict
