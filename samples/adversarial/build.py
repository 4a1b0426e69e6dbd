"""Writes the adversarial samples: python samples/adversarial/build.py

Each case is an attacker's attempt against one rule of the reference spec, or
the benign near miss beside it, written as a change to the reference baseline
Pod (the first document of samples/reference/benign.yaml) or as a
control-plane object. The reason for every label is the comment above it; the
YAML files are what `policygen verify` and the test suite read, and this
script is how they are kept readable and consistent. Rerun it after editing a
case and commit both.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from policygen.serviceaccount import API_TOKEN_PATH, api_token_sources

HERE = Path(__file__).resolve().parent
BASE = next(yaml.safe_load_all((HERE.parent / "reference" / "benign.yaml").read_text()))
DIGEST = "sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b"
DIGEST2 = "sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"
PROXY = f"docker.io/istio/proxyv2:1.24.0@{DIGEST}"
UNTRUSTED = {"username": "mallory@example.com", "groups": ["developers", "system:authenticated"]}
ISTIOD = "system:serviceaccount:istio-system:istiod"
ISTIOD_USER = {"username": ISTIOD, "groups": ["system:serviceaccounts", "system:serviceaccounts:istio-system", "system:authenticated"]}


def pod(name: str, ns: str | None = "payments"):
    p = copy.deepcopy(BASE)
    p["metadata"]["name"] = name
    if ns is None:
        del p["metadata"]["namespace"]
    else:
        p["metadata"]["namespace"] = ns
    return p


def spec(obj):
    kind = obj["kind"]
    if kind == "Pod":
        return obj["spec"]
    if kind == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def meta(obj):
    kind = obj["kind"]
    if kind == "Pod":
        return obj["metadata"]
    if kind == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["metadata"]
    return obj["spec"]["template"]["metadata"]


def container(obj, name: str, field: str | None = None):
    for f in [field] if field else ["initContainers", "containers", "ephemeralContainers"]:
        for c in spec(obj).get(f) or []:
            if c.get("name") == name:
                return c
    raise KeyError(name)


def proxy(obj):
    return container(obj, "istio-proxy")


def init(obj):
    return container(obj, "istio-init")


def app(obj):
    return container(obj, "web")


def controller(kind: str, p):
    name, ns = p["metadata"]["name"], p["metadata"].get("namespace")
    template = {"metadata": {k: v for k, v in p["metadata"].items() if k in ("labels", "annotations")}, "spec": p["spec"]}
    md = {"name": name, "namespace": ns} if ns else {"name": name}
    if kind == "CronJob":
        return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": md,
                "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {**template, "spec": {**p["spec"], "restartPolicy": "OnFailure"}}}}}}
    api = {"Job": "batch/v1", "ReplicationController": "v1"}.get(kind, "apps/v1")
    body = {"template": template}
    if kind not in ("Job", "ReplicationController"):
        body["selector"] = {"matchLabels": {"app": p["metadata"]["labels"]["app"]}}
    return {"apiVersion": api, "kind": kind, "metadata": md, "spec": body}


DEPLOYMENT_CONTROLLER = {"username": "system:serviceaccount:kube-system:deployment-controller",
                         "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]}


def review(obj, op="CREATE", user=None, old=None, ns=None, subresource=None, resource=None):
    target = old if op == "DELETE" else obj
    kind = target["kind"]
    group = target["apiVersion"].rsplit("/", 1)[0] if "/" in target["apiVersion"] else ""
    req = {
        "uid": "00000000-0000-4000-8000-000000000000",
        "kind": {"group": group, "version": target["apiVersion"].rsplit("/", 1)[-1], "kind": kind},
        "resource": {"group": group, "version": target["apiVersion"].rsplit("/", 1)[-1], "resource": resource or kind.lower() + "s"},
        "name": target["metadata"].get("name", ""),
        "operation": op,
        "userInfo": user or UNTRUSTED,
        "object": None if op == "DELETE" else obj,
        "oldObject": old,
    }
    if subresource:
        req["subResource"] = subresource
    if ns or target["metadata"].get("namespace"):
        req["namespace"] = ns or target["metadata"]["namespace"]
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


def namespace(name: str, labels: dict | None = None):
    md = {"name": name}
    if labels is not None:
        md["labels"] = labels
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": md}


CASES: dict[str, tuple[str, list]] = {}


def case(rule: str, title: str):
    """Registers the cases of one file: a function returning (comment, expect, object) triples."""

    def register(fn):
        CASES[rule] = (title, fn())
        return fn

    return register


def write() -> None:
    for rule, (title, cases) in CASES.items():
        out = [
            "# Adversarial samples for /work/shared/specs/reference.yaml, written by build.py (see README.md).",
            f"# {title}",
        ]
        for comment, expect, obj in cases:
            out.append("---")
            out += [f"# {line}" if line else "#" for line in comment.strip().splitlines()]
            out.append(f"# expect: {expect}")
            out.append(yaml.safe_dump(obj, sort_keys=False, allow_unicode=True, width=200).rstrip("\n"))
        (HERE / f"{rule}.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")

# --------------------------------------------------------------------------- pod rules


def with_(obj, fn):
    fn(obj)
    return obj


def image(img, who=proxy, name="s1"):
    return with_(pod(name), lambda p: who(p).update(image=img))


@case("sc001", "SC001: a sidecar runs only an approved repository, however the reference is spelled.")
def _sc001():
    return [
        ("The approved registry host with another port is another registry.", "deny SC001",
         image(f"registry.corp.example:5001/mesh/proxyv2@{DIGEST}", name="s1-port")),
        ("Near miss: the approved registry and port, host in upper case (DNS names fold case).", "allow",
         image(f"REGISTRY.corp.example:5000/mesh/proxyv2@{DIGEST}", name="s1-port-ok")),
        ("The approved host without its port is port 443: another registry.", "deny SC001",
         image(f"registry.corp.example/mesh/proxyv2@{DIGEST}", name="s1-noport")),
        ("Near miss: registry-1.docker.io is Docker Hub.", "allow",
         image(f"registry-1.docker.io/istio/proxyv2@{DIGEST}", name="s1-hub-ok")),
        ("localhost is a registry of its own, not Docker Hub.", "deny SC001",
         image(f"localhost/istio/proxyv2@{DIGEST}", name="s1-localhost")),
        ("Near miss: the implied docker.io form of the approved repository.", "allow",
         image(f"istio/proxyv2:1.24.0@{DIGEST}", name="s1-implied-ok")),
        ("Upper case in a path component does not parse: no registry would serve it.", "deny SC001",
         image(f"docker.io/Istio/proxyv2@{DIGEST}", name="s1-upper-path")),
        ("Near miss: index.docker.io is Docker Hub.", "allow",
         image(f"index.docker.io/istio/proxyv2@{DIGEST}", name="s1-index-ok")),
        ("A second istio-proxy container with another image: every container of that name is a sidecar.", "deny SC001",
         with_(pod("s1-dup"), lambda p: p["spec"]["containers"].append(
             dict(copy.deepcopy(proxy(p)), image=f"evil.example/istio/proxyv2@{DIGEST}")))),
        ("Near miss: the same duplicate with the approved image (the API server rejects it; the policy has no reason to).", "allow",
         with_(pod("s1-dup-ok"), lambda p: p["spec"]["containers"].append(copy.deepcopy(proxy(p))))),
        ("The istio-init of a CronJob's pod template from an unapproved registry.", "deny SC001",
         with_(controller("CronJob", pod("s1-cron")), lambda c: init(c).update(image=f"quay.io/istio/proxyv2@{DIGEST}"))),
        ("Near miss: the same CronJob with the approved image.", "allow", controller("CronJob", pod("s1-cron-ok"))),
        ("A path that walks up a level does not parse.", "deny SC001",
         image(f"docker.io/istio/../proxyv2@{DIGEST}", name="s1-dotdot")),
        ("Near miss: the second approved repository, with its port.", "allow",
         image(f"registry.corp.example:5000/mesh/proxyv2:1.24.0@{DIGEST}", name="s1-corp-ok")),
    ]


@case("sc002", "SC002: a sidecar image is pinned by an approved digest and never uses a forbidden tag.")
def _sc002():
    return [
        ("A cosign-style tag that looks like a digest is a tag: no digest.", "deny SC002",
         image("docker.io/istio/proxyv2:sha256-0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b", name="s2-tagdigest")),
        ("Near miss: the approved digest with no tag.", "allow", image(f"docker.io/istio/proxyv2@{DIGEST}", name="s2-digest-ok")),
        ("The forbidden tag next to an approved digest.", "deny SC002", image(f"docker.io/istio/proxyv2:latest@{DIGEST}", name="s2-latest")),
        ("Near miss: tags are case-sensitive; Latest is another tag, and the digest decides.", "allow",
         image(f"docker.io/istio/proxyv2:Latest@{DIGEST}", name="s2-Latest-ok")),
        ("A well-formed digest that is not approved, on istio-init.", "deny SC002",
         image("docker.io/istio/proxyv2:1.24.0@sha256:" + "a" * 64, who=init, name="s2-init")),
        ("Near miss: the other approved digest.", "allow", image(f"docker.io/istio/proxyv2:1.24.0@{DIGEST2}", name="s2-digest2-ok")),
        ("The approved digest with one hex digit changed in a Deployment's template.", "deny SC002",
         with_(controller("Deployment", pod("s2-deploy")), lambda d: proxy(d).update(image=PROXY[:-1] + "c"))),
        ("Near miss: a tag that only starts with the forbidden one.", "allow",
         image(f"docker.io/istio/proxyv2:latest-distroless@{DIGEST}", name="s2-latest-distroless-ok")),
        ("A tag only, on the native-sidecar form of istio-proxy.", "deny SC002",
         with_(pod("s2-native"), lambda p: (
             p["spec"]["initContainers"].append(dict(p["spec"]["containers"].pop(1), restartPolicy="Always", image="docker.io/istio/proxyv2:1.24.0"))))),
        ("Near miss: the native sidecar pinned by digest.", "allow",
         with_(pod("s2-native-ok"), lambda p: p["spec"]["initContainers"].append(dict(p["spec"]["containers"].pop(1), restartPolicy="Always")))),
    ]


def disguised(p, name="envoy", field="containers", img=PROXY):
    p["spec"].setdefault(field, []).append({"name": name, "image": img, "args": ["proxy", "sidecar"]})
    return p


@case("sc003", "SC003: no sidecar under another name, no unapproved native sidecar or injected name, placements kept.")
def _sc003():
    ephemeral_init = lambda p: p["spec"].setdefault("ephemeralContainers", []).append(copy.deepcopy(init(p)))
    return [
        ("An app container without an image: the API server refuses it, and offline it is unparseable, so it may be a\n"
         "sidecar image (never left unread because there is nothing to parse).", "deny SC003",
         with_(pod("s3-no-image"), lambda p: app(p).pop("image"))),
        ("A Deployment whose pod template has no containers list, and a privileged istio-init: Kubernetes reads a\n"
         "missing list as a null one (denied), and the API server refuses both.",
         "deny SC003 SC004",
         with_(controller("Deployment", pod("s3-no-containers")), lambda d: (
             spec(d).pop("containers"), init(d)["securityContext"].update(privileged=True)))),
        ("Near miss: the same Deployment with its containers list, and the proxy as approved.", "allow",
         controller("Deployment", pod("s3-no-containers-ok"))),
        ("The proxy as an ordinary init container (no restartPolicy Always): it runs to completion before the app, which\n"
         "then runs without it; with arguments that exit at once it never holds the pod (red team 14b).", "deny SC003",
         with_(pod("s3-plain-init-proxy"), lambda p: p["spec"]["initContainers"].append(
             # The probes go: the API server refuses them on an init container without restartPolicy Always.
             {k: v for k, v in dict(p["spec"]["containers"].pop(1), args=["proxy", "sidecar", "--help"]).items()
              if k not in ("readinessProbe", "livenessProbe", "startupProbe", "lifecycle")}))),
        ("Near miss: the same proxy as a native sidecar (restartPolicy Always), as the injector writes it.", "allow",
         with_(pod("s3-plain-init-proxy-ok"), lambda p: p["spec"]["initContainers"].append(
             dict(p["spec"]["containers"].pop(1), restartPolicy="Always")))),
        ("The proxy image under a name that differs only in case.", "deny SC003", disguised(pod("s3-case"), "Istio-Proxy")),
        ("Near miss: the app image under that name is just an app container.", "allow",
         disguised(pod("s3-case-ok"), "Istio-Proxy", img="registry.corp.example:5000/shop/web:2.3.1")),
        ("The proxy image through Docker Hub's other host name, in a namespace outside the mesh (SC003 (a) applies everywhere).",
         "deny SC003", disguised(pod("s3-outside", "legacy-batch"), "envoy", img=f"index.docker.io/istio/proxyv2@{DIGEST}")),
        ("Near miss: outside the mesh, even an istio-proxy with a foreign image is not judged (no mesh rule applies there).", "allow",
         with_(pod("s3-outside-ok", "legacy-batch"), lambda p: proxy(p).update(image="evil.example/proxy:1"))),
        ("The proxy image in an ephemeral debug container added by kubectl debug.", "deny SC003",
         review(disguised(pod("s3-debug"), "debugger-x7", field="ephemeralContainers"), op="UPDATE", old=pod("s3-debug"),
                subresource="ephemeralcontainers", resource="pods")),
        ("Near miss: a busybox debug container.", "allow",
         review(disguised(pod("s3-debug-ok"), "debugger-x7", field="ephemeralContainers", img="docker.io/library/busybox:1.36"),
                op="UPDATE", old=pod("s3-debug-ok"), subresource="ephemeralcontainers", resource="pods")),
        ("An unapproved name listed in the injector's status annotation, written through pods/status.", "deny SC003",
         review(with_(pod("s3-status"), lambda p: p["metadata"]["annotations"].update(
                    {"sidecar.istio.io/status": '{"containers":["istio-proxy","evil-proxy"]}'})),
                op="UPDATE", old=pod("s3-status"), subresource="status", resource="pods")),
        ("An unapproved native sidecar: an init container that keeps running.", "deny SC003",
         with_(pod("s3-native"), lambda p: p["spec"]["initContainers"].append(
             {"name": "log-shipper", "image": "registry.corp.example:5000/shop/shipper:1", "restartPolicy": "Always"}))),
        ("Near miss: the same init container without restartPolicy runs to completion.", "allow",
         with_(pod("s3-native-ok"), lambda p: p["spec"]["initContainers"].append(
             {"name": "log-shipper", "image": "registry.corp.example:5000/shop/shipper:1"}))),
        ("istio-init copied into ephemeralContainers: a placement it is not approved in.", "deny SC003",
         with_(pod("s3-ephemeral-init"), ephemeral_init)),
        ("Near miss: istio-validation in initContainers, where it is approved, as a native sidecar.", "allow",
         with_(pod("s3-validation-ok"), lambda p: p["spec"]["initContainers"].append(
             {"name": "istio-validation", "image": PROXY, "args": ["istio-iptables", "--run-validation"], "restartPolicy": "Always",
              "resources": {"limits": {"cpu": "2", "memory": "1Gi"}},
              "securityContext": {"privileged": False, "allowPrivilegeEscalation": False, "runAsNonRoot": True,
                                  "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}}))),
        ("The injector status names a container that differs from istio-proxy only in case.", "deny SC003",
         with_(pod("s3-status"), lambda p: p["metadata"]["annotations"].update({
             "sidecar.istio.io/status": '{"initContainers":["istio-init"],"containers":["Istio-Proxy"],"volumes":[],"imagePullSecrets":null,"revision":"default"}'}))),
        ("Near miss: the status without an initContainers list (CNI mode).", "allow",
         with_(pod("s3-status-ok"), lambda p: p["metadata"]["annotations"].update({
             "sidecar.istio.io/status": '{"containers":["istio-proxy"],"volumes":[],"imagePullSecrets":null,"revision":"default"}'}))),
        ("The proxy image in an excluded namespace under another name.", "deny SC003",
         disguised(pod("s3-kube-system", "kube-system"), "node-proxy")),
        ("hostNetwork in a mesh pod whose namespace is a list: read as no namespace, it would land outside the mesh\n"
         "and escape SC011 (found by the type-confusion fuzzer). The API server cannot decode it: unparseable, so denied.",
         "deny SC003", with_(pod("s3-namespace-list"), lambda p: (p["metadata"].update(namespace=["payments"]), spec(p).update(hostNetwork=True)))),
        ("Near miss: the same pod with no namespace at all: kubectl puts it in default, outside the mesh.", "allow",
         with_(pod("s3-namespace-none-ok", ns=None), lambda p: spec(p).update(hostNetwork=True))),
        ("The proxy image by its image ID, sha256:<hex> alone, under another name, outside the mesh (a red team, 2026-12-05):\n"
         "the grammar reads repository sha256 with a tag, but containerd runs the image on the node that has this ID.",
         "deny SC003", disguised(pod("s3-image-id", "legacy-batch"), "helper", img=DIGEST)),
        ("Near miss: an app image whose tag merely looks like hex.", "allow",
         disguised(pod("s3-image-id-ok", "legacy-batch"), "helper", img="registry.corp.example:5000/shop/tools:" + DIGEST[7:19])),
        ("The proxy image by an approved digest, copied to another repository (crane copy keeps the digest) and run under\n"
         "another name with a tag (a red team, 2026-12-05): a digest names content, so these are the sidecar's own bytes.",
         "deny SC003", disguised(pod("s3-digest-mirror"), "helper", img="registry.evil.example/mirror/p:1.24.0@" + DIGEST2)),
        ("Near miss: an app image on a mirror pinned by its own digest (the approved one's hex reversed), as apps should be.", "allow",
         disguised(pod("s3-digest-mirror-ok"), "helper", img="registry.corp.example:5000/mirror/shop/tools@sha256:" + DIGEST[7:][::-1])),
    ]


def sc(who, **changes):
    return lambda p: who(p)["securityContext"].update(changes)


def caps(who, add=None, drop=None):
    def apply(p):
        c = who(p)["securityContext"].setdefault("capabilities", {})
        if add is not None:
            c["add"] = add
        if drop is not None:
            c["drop"] = drop
    return apply


@case("sc004", "SC004: a sidecar's securityContext is exactly the approved one, capabilities included.")
def _sc004():
    return [
        ("istio-proxy adds net_admin in lower case: runtimes upper-case capability names.", "deny SC004",
         with_(pod("s4-lower"), caps(proxy, add=["net_admin"]))),
        ("Near miss: drop: [all] in lower case drops everything too.", "allow", with_(pod("s4-drop-lower-ok"), caps(proxy, drop=["all"]))),
        ("istio-proxy adds CAP_NET_ADMIN, the prefixed form.", "deny SC004", with_(pod("s4-prefix"), caps(proxy, add=["CAP_NET_ADMIN"]))),
        ("Near miss: istio-init adds cap_net_raw, an approved capability in another spelling.", "allow",
         with_(pod("s4-init-prefix-ok"), caps(init, add=["NET_ADMIN", "cap_net_raw"]))),
        ("istio-init adds SYS_ADMIN spelled with a long s: Go's upper-casing makes it SYS_ADMIN.", "deny SC004",
         with_(pod("s4-longs"), caps(init, add=["NET_ADMIN", "NET_RAW", "ſys_admin"]))),
        ("Near miss: istio-init without NET_RAW (adding less than approved).", "allow", with_(pod("s4-init-less-ok"), caps(init, add=["NET_ADMIN"]))),
        ("A second istio-proxy that runs as root.", "deny SC004",
         with_(pod("s4-dup"), lambda p: p["spec"]["containers"].append(
             dict(copy.deepcopy(proxy(p)), securityContext=dict(proxy(p)["securityContext"], runAsUser=0))))),
        ("Near miss: privileged left out (Kubernetes defaults it to false, the approved value).", "allow",
         with_(pod("s4-priv-default-ok"), lambda p: proxy(p)["securityContext"].pop("privileged"))),
        ("allowPrivilegeEscalation left out: Kubernetes does not default it to false.", "deny SC004",
         with_(pod("s4-ape-missing"), lambda p: proxy(p)["securityContext"].pop("allowPrivilegeEscalation"))),
        ("Near miss: drop lists ALL and more.", "allow", with_(pod("s4-drop-more-ok"), caps(proxy, drop=["ALL", "NET_RAW"]))),
        ("drop CAP_ALL: containerd prefixes CAP_ to every entry but ALL, and runc ignores the CAP_CAP_ALL it gets,"
         " so nothing is dropped.", "deny SC004", with_(pod("s4-cap-all"), caps(proxy, drop=["CAP_ALL"]))),
        ("Near miss: drop all, in lower case: both runtimes compare ALL in any case.", "allow",
         with_(pod("s4-drop-all-lower-ok"), caps(proxy, drop=["all"]))),
        ("runAsUser as the string \"1337\".", "deny SC004", with_(pod("s4-string-uid"), sc(proxy, runAsUser="1337"))),
        ("istio-proxy as a native sidecar that may run as root.", "deny SC004",
         with_(pod("s4-native"), lambda p: p["spec"]["initContainers"].append(
             dict(p["spec"]["containers"].pop(1), restartPolicy="Always")) or sc(lambda q: container(q, "istio-proxy"), runAsNonRoot=False)(p))),
    ]


def env(who, entries):
    return lambda p: who(p).update(env=entries)


BASE_ENV = [{"name": "PILOT_CERT_PROVIDER", "value": "istiod"}, {"name": "CA_ADDR", "value": "istiod.istio-system.svc:15012"}]


@case("sc005", "SC005: a sidecar keeps its entrypoint and args prefix, its pinned env, and none of the forbidden variables.")
def _sc005():
    return [
        ("CA_ADDR set twice: Kubernetes keeps the last one, which points elsewhere.", "deny SC005",
         with_(pod("s5-twice"), env(proxy, BASE_ENV + [{"name": "CA_ADDR", "value": "ca.evil.example:15012"}]))),
        ("Near miss: a variable whose name only starts with CA_ADDR.", "allow",
         with_(pod("s5-prefix-ok"), env(proxy, BASE_ENV + [{"name": "CA_ADDR_FALLBACK", "value": "x"}]))),
        ("CA_ADDR from a ConfigMap the attacker controls.", "deny SC005",
         with_(pod("s5-valuefrom"), env(proxy, [BASE_ENV[0], {"name": "CA_ADDR", "valueFrom": {"configMapKeyRef": {"name": "ca", "key": "addr"}}}]))),
        ("Near miss: env in another order.", "allow", with_(pod("s5-order-ok"), env(proxy, list(reversed(BASE_ENV))))),
        ("LD_PRELOAD through envFrom with a prefix: no env entry names it.", "deny SC005",
         with_(pod("s5-envfrom"), lambda p: proxy(p).update(envFrom=[{"prefix": "LD_", "configMapRef": {"name": "preload"}}]))),
        ("Near miss: an empty envFrom sets nothing.", "allow", with_(pod("s5-envfrom-empty-ok"), lambda p: proxy(p).update(envFrom=[]))),
        ("LD_PRELOAD from a secret (valueFrom).", "deny SC005",
         with_(pod("s5-preload-secret"), env(proxy, BASE_ENV + [{"name": "LD_PRELOAD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]))),
        ("Near miss: ld_preload in lower case is another variable; the loader reads only LD_PRELOAD.", "allow",
         with_(pod("s5-lower-ok"), env(proxy, BASE_ENV + [{"name": "ld_preload", "value": "/tmp/x.so"}]))),
        ("args start with $(MODE) that the container's env expands to proxy: the prefix is compared as written.", "deny SC005",
         with_(pod("s5-expand"), lambda p: proxy(p).update(args=["$(MODE)", "sidecar"], env=BASE_ENV + [{"name": "MODE", "value": "proxy"}]))),
        ("Near miss: command: [] is no command.", "allow", with_(pod("s5-command-empty-ok"), lambda p: proxy(p).update(command=[]))),
        ("command: [\"\"] is a command.", "deny SC005", with_(pod("s5-command-blank"), lambda p: proxy(p).update(command=[""]))),
        ("Near miss: command: null is no command.", "allow", with_(pod("s5-command-null-ok"), lambda p: proxy(p).update(command=None))),
        ("istio-init args with a trailing space in the first word.", "deny SC005",
         with_(pod("s5-init-args"), lambda p: init(p).update(args=["istio-iptables "] + init(p)["args"][1:]))),
        ("LD_LIBRARY_PATH on the native-sidecar istio-proxy of a StatefulSet.", "deny SC005",
         with_(controller("StatefulSet", pod("s5-sts")), lambda s: (
             spec(s)["initContainers"].append(dict(spec(s)["containers"].pop(1), restartPolicy="Always")),
             container(s, "istio-proxy")["env"].append({"name": "LD_LIBRARY_PATH", "value": "/tmp"})))),
        # pilot-agent reads its bootstrap template, config folder and CA by paths relative to its working directory:
        # in the proxy's own writable istio-data volume, filled by an app init container, it runs the author's (red team 15a).
        ("istio-proxy's workingDir in its own writable istio-data volume: the image's entrypoint reads its bootstrap from there.",
         "deny SC005", with_(pod("s5-workdir"), lambda p: proxy(p).update(workingDir="/var/lib/istio/data"))),
        ("istio-init's workingDir set to /tmp.", "deny SC005", with_(pod("s5-workdir-init"), lambda p: init(p).update(workingDir="/tmp"))),
        ("Near miss: workingDir \"\" is none (the API server reads it as unset).", "allow",
         with_(pod("s5-workdir-empty-ok"), lambda p: proxy(p).update(workingDir=""))),
        ("Near miss: the app container's own workingDir.", "allow", with_(pod("s5-workdir-app-ok"), lambda p: app(p).update(workingDir="/srv"))),
    ]


def mount(who, name, **extra):
    return lambda p: who(p)["volumeMounts"].append({"name": name, "mountPath": "/x/" + name, **extra})


def volume(name, **source):
    return lambda p: p["spec"]["volumes"].append({"name": name, **source})


def both(*fns):
    def apply(p):
        for fn in fns:
            fn(p)
    return apply


API_TOKEN = "kube-api-access-7xk2p"


API_TOKEN_SOURCES = api_token_sources()
OPENSHIFT_CA_SOURCE = {"configMap": {"name": "openshift-service-ca.crt", "items": [{"key": "service-ca.crt", "path": "service-ca.crt"}]}}


def api_token(volume=None, source=None, path=API_TOKEN_PATH, read_only=True, name=API_TOKEN, sources=None, mount_extra=None,
              also=None):
    """The ServiceAccount plugin's volume, and its mount in istio-proxy and istio-init, changed as given."""
    sources = [dict(s) for s in (sources or API_TOKEN_SOURCES)]
    if source is not None:
        sources[0] = source

    def apply(p):
        p["spec"]["volumes"].append(volume or {"name": name, "projected": {"defaultMode": 420, "sources": sources}})
        p["spec"]["volumes"].extend(also or [])
        for who in (proxy, init):
            who(p).setdefault("volumeMounts", []).append({"name": name, "readOnly": read_only, "mountPath": path, **(mount_extra or {})})
    return apply


@case("sc006", "SC006: a sidecar mounts only approved volumes, never a hostPath.")
def _sc006():
    def host_envoy(p):
        for v in p["spec"]["volumes"]:
            if v["name"] == "istio-envoy":
                v.clear()
                v.update(name="istio-envoy", hostPath={"path": "/"})
    return [
        ("The approved name istio-envoy given to a hostPath volume.", "deny SC006", with_(pod("s6-hostpath"), host_envoy)),
        ("Near miss: istio-envoy mounted again with subPathExpr (an emptyDir).", "allow",
         with_(pod("s6-subpath-ok"), mount(proxy, "istio-envoy", subPathExpr="$(POD_NAME)"))),
        ("A second volume named istio-data that is a hostPath: any volume of that name counts.", "deny SC006",
         with_(pod("s6-dup-volume"), volume("istio-data", hostPath={"path": "/var/lib/kubelet"}))),
        ("A raw block device of a claim given to the proxy through volumeDevices, with no mount.", "deny SC006",
         with_(pod("s6-block"), both(volume("node-disk", persistentVolumeClaim={"claimName": "disk"}),
                                     lambda p: proxy(p).update(volumeDevices=[{"name": "node-disk", "devicePath": "/dev/xvda"}])))),
        ("Near miss: hostPath: null is no hostPath.", "allow",
         with_(pod("s6-null-ok"), lambda p: p["spec"]["volumes"][4].update(hostPath=None))),
        ("A mount whose name differs from an approved one in case.", "deny SC006",
         with_(pod("s6-case"), both(volume("Istio-Data", hostPath={"path": "/"}), mount(proxy, "Istio-Data")))),
        ("Near miss: an unapproved hostPath volume that no sidecar mounts (an app's business).", "allow",
         with_(pod("s6-app-host-ok"), volume("app-logs", emptyDir={}))),
        ("istio-init mounts anything: its allowed list is empty.", "deny SC006",
         with_(pod("s6-init"), lambda p: init(p).update(volumeMounts=[{"name": "istio-data", "mountPath": "/d"}]))),
        ("Near miss: istio-init with an empty volumeMounts list.", "allow", with_(pod("s6-init-empty-ok"), lambda p: init(p).update(volumeMounts=[]))),
        ("A hostPath behind the approved name in a DaemonSet template, mounted with subPath.", "deny SC006",
         with_(controller("DaemonSet", pod("s6-ds")), lambda d: (
             spec(d)["volumes"].__setitem__(5, {"name": "istio-podinfo", "hostPath": {"path": "/etc"}}),
             proxy(d)["volumeMounts"][7].update(subPath="passwd")))),
        ("Near miss: the projected token volume mounted read-only.", "allow",
         with_(pod("s6-ro-ok"), lambda p: proxy(p)["volumeMounts"][6].update(readOnly=True))),
        ("hostPath: {} (an empty hostPath is still a hostPath).", "deny SC006",
         with_(pod("s6-empty-hostpath"), lambda p: p["spec"]["volumes"][1].update(hostPath={}))),
        # What the ServiceAccount plugin adds to every container, the sidecars too, when the API server runs it
        # again after the injector (admission reinvocation): approved as written, and nothing else under its name.
        ("Near miss: the API token mount the ServiceAccount plugin gives istio-proxy and istio-init in a cluster.", "allow",
         with_(pod("s6-api-token-ok"), api_token())),
        ("A hostPath under the token volume's name, mounted at the token path.", "deny SC006",
         with_(pod("s6-api-token-hostpath"), api_token(volume={"name": API_TOKEN, "hostPath": {"path": "/"}}))),
        ("The token volume's name on a projection of another audience's token.", "deny SC006",
         with_(pod("s6-api-token-audience"), api_token(source={"serviceAccountToken": {"audience": "istio-ca", "path": "token"}}))),
        ("The token volume's name on a projection of a Secret.", "deny SC006",
         with_(pod("s6-api-token-secret"), api_token(source={"secret": {"name": "other-sa-token"}}))),
        ("The token volume mounted over the proxy's own files.", "deny SC006",
         with_(pod("s6-api-token-elsewhere"), api_token(path="/etc/istio/proxy"))),
        ("The token volume mounted writable.", "deny SC006",
         with_(pod("s6-api-token-writable"), api_token(read_only=False))),
        ("The plugin's projection under a name it never gives.", "deny SC006",
         with_(pod("s6-api-token-renamed"), api_token(name="sa-token"))),
        # Red team 11c: the kinds of source alone let a downward API projection write the pod's own annotations
        # under the token's and CA's file names, which in-cluster clients trust.
        ("The token moved aside, and an annotation of the pod's written as the token and the CA.", "deny SC006",
         with_(pod("s6-api-token-forged-files"), api_token(sources=[
             {"serviceAccountToken": {"expirationSeconds": 3607, "path": "real-token"}},
             {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "real-ca.crt"}]}},
             {"downwardAPI": {"items": [{"path": "token", "fieldRef": {"fieldPath": "metadata.annotations['forged-token']"}},
                                        {"path": "ca.crt", "fieldRef": {"fieldPath": "metadata.annotations['forged-ca']"}}]}}]))),
        ("A volume of the token's name that projects no token, only the pod's annotations.", "deny SC006",
         with_(pod("s6-api-token-downward-only"), api_token(sources=[
             {"downwardAPI": {"items": [{"path": "token", "fieldRef": {"fieldPath": "metadata.annotations['t']"}}]}}]))),
        ("Near miss: the token volume as OpenShift's ServiceAccount admission writes it, with its service CA.", "allow",
         with_(pod("s6-api-token-openshift-ok"), api_token(sources=[*API_TOKEN_SOURCES, OPENSHIFT_CA_SOURCE]))),
        ("A Secret volume under the token volume's name beside it (the mount goes by name).", "deny SC006",
         with_(pod("s6-api-token-duplicate"), api_token(also=[{"name": API_TOKEN, "secret": {"secretName": "other-sa-token"}}]))),
        ("The token mount propagating mounts both ways, which the plugin never writes.", "deny SC006",
         with_(pod("s6-api-token-propagation"), api_token(mount_extra={"mountPropagation": "Bidirectional"}))),
    ]



def limits(who, **values):
    return lambda p: who(p)["resources"]["limits"].update(values)


def requests(who, **values):
    return lambda p: who(p)["resources"].setdefault("requests", {}).update(values)


@case("sc007", "SC007: a sidecar has cpu and memory limits within the approved maxima, requests too (quantities compared exactly).")
def _sc007():
    return [
        ("cpu limit 2001m, one millicore over.", "deny SC007", with_(pod("s7-2001m"), limits(proxy, cpu="2001m"))),
        ("Near miss: 2000m is exactly 2.", "allow", with_(pod("s7-2000m-ok"), limits(proxy, cpu="2000m"))),
        ("cpu limit 2.0001.", "deny SC007", with_(pod("s7-2.0001"), limits(proxy, cpu="2.0001"))),
        ("Near miss: 2.000 is 2.", "allow", with_(pod("s7-2.000-ok"), limits(proxy, cpu="2.000"))),
        ("memory limit one byte over 1Gi.", "deny SC007", with_(pod("s7-1Gi+1"), limits(proxy, memory="1073741825"))),
        ("Near miss: 1073741824 is 1Gi.", "allow", with_(pod("s7-1Gi-ok"), limits(proxy, memory="1073741824"))),
        ("memory limit 1.1e9 bytes, above 1Gi.", "deny SC007", with_(pod("s7-exp"), limits(proxy, memory="1.1e9"))),
        ("Near miss: 1e9 bytes is below 1Gi.", "allow", with_(pod("s7-exp-ok"), limits(proxy, memory="1e9"))),
        ("No cpu request: Kubernetes defaults it to the limit, 2, above the request maximum 1.", "deny SC007",
         with_(pod("s7-default-request"), lambda p: proxy(p)["resources"]["requests"].pop("cpu"))),
        ("Near miss: cpu request exactly 1000m.", "allow", with_(pod("s7-req-ok"), requests(proxy, cpu="1000m"))),
        ("cpu request 1001m.", "deny SC007", with_(pod("s7-req-over"), requests(proxy, cpu="1001m"))),
        ("Near miss: a cpu limit given as a YAML integer.", "allow", with_(pod("s7-int-ok"), limits(proxy, cpu=2))),
        ("memory limit 0.5Ei on istio-init.", "deny SC007", with_(pod("s7-init-ei"), limits(init, memory="0.5Ei"))),
        ("memory limit with a trailing space does not parse.", "deny SC007", with_(pod("s7-space"), limits(proxy, memory="1Gi "))),
        ("cpu limit 0 is no limit.", "deny SC007", with_(pod("s7-zero"), limits(proxy, cpu="0m"))),
    ]


def annotate(**values):
    return lambda p: meta(p)["annotations"].update(values)


@case("sc008", "SC008: no annotation that reconfigures the injector beyond the approved values.")
def _sc008():
    return [
        ("inject.istio.io/templates with two templates (whole values are compared).", "deny SC008",
         with_(pod("s8-two"), annotate(**{"inject.istio.io/templates": "sidecar,debug"}))),
        ("Near miss: the approved gateway template.", "allow", with_(pod("s8-gateway-ok"), annotate(**{"inject.istio.io/templates": "gateway"}))),
        ("Near miss: a label and an annotation whose values are null (Helm's unset value): the API server stores \"\".",
         "allow", with_(pod("s8-null-ok"), lambda p: (p["metadata"].setdefault("labels", {}).update(team=None),
                                                       p["metadata"]["annotations"].update({"example.com/owner": None})))),
        ("An allowed value with a trailing space.", "deny SC008",
         with_(pod("s8-space"), annotate(**{"sidecar.istio.io/interceptionMode": "REDIRECT "}))),
        ("Near miss: sidecar.istio.io/interceptionMode REDIRECT.", "allow",
         with_(pod("s8-redirect-ok"), annotate(**{"sidecar.istio.io/interceptionMode": "REDIRECT"}))),
        ("interceptionMode TPROXY.", "deny SC008", with_(pod("s8-tproxy"), annotate(**{"sidecar.istio.io/interceptionMode": "TPROXY"}))),
        ("Near miss: a forbidden annotation's name as a label (the injector reads annotations).", "allow",
         with_(pod("s8-label-ok"), lambda p: p["metadata"]["labels"].update({"sidecar.istio.io/userVolume": "x"}))),
        ("A forbidden annotation set to the empty string is still set.", "deny SC008",
         with_(pod("s8-empty"), annotate(**{"proxy.istio.io/config": ""}))),
        ("Near miss: a resource annotation the spec does not name.", "allow", with_(pod("s8-cpu-ok"), annotate(**{"sidecar.istio.io/proxyCPU": "200m"}))),
        ("excludeInboundPorts with an extra port.", "deny SC008",
         with_(pod("s8-ports"), annotate(**{"traffic.sidecar.istio.io/excludeInboundPorts": "15020,22"}))),
        ("The bootstrap override in a ReplicaSet's template.", "deny SC008",
         with_(controller("ReplicaSet", pod("s8-rs")), annotate(**{"sidecar.istio.io/bootstrapOverride": "evil-bootstrap"}))),
        ("Near miss: excludeInboundPorts 15020.", "allow",
         with_(pod("s8-ports-ok"), annotate(**{"traffic.sidecar.istio.io/excludeInboundPorts": "15020"}))),
        ("excludeInboundPorts as a YAML integer (not the string that is approved); an annotation that is not\n"
         "a string is also one the API server cannot decode, so the pod is unparseable (SC003).", "deny SC003 SC008",
         with_(pod("s8-int"), annotate(**{"traffic.sidecar.istio.io/excludeInboundPorts": 15020}))),
        ("A forbidden annotation written through pods/status: the API server keeps the pod's old spec there, but\n"
         "takes its new labels and annotations (the proxy reads this one through its podinfo volume).", "deny SC008",
         review(with_(pod("s8-status"), annotate(**{"proxy.istio.io/config": "discoveryAddress: evil.example:15012"})),
                op="UPDATE", old=pod("s8-status"), subresource="status", resource="pods")),
        ("Near miss: a status write that leaves labels and annotations as they were (the kubelet's), on a pod that\n"
         "carried a forbidden annotation before the policy: not judged, so the kubelet's updates never fail.", "allow",
         review(with_(with_(pod("s8-status-ok"), annotate(**{"proxy.istio.io/config": "tracing: {}"})),
                      lambda p: p.update(status={"phase": "Running"})),
                op="UPDATE", old=with_(pod("s8-status-ok"), annotate(**{"proxy.istio.io/config": "tracing: {}"})),
                subresource="status", resource="pods")),
    ]


def label(**values):
    return lambda p: meta(p)["labels"].update(values)


def no_proxy(p):
    spec(p)["containers"] = [c for c in spec(p)["containers"] if c["name"] != "istio-proxy"]


@case("sc009", "SC009: a mesh pod does not opt out, uses an approved revision, and carries the sidecar.")
def _sc009():
    return [
        ("sidecar.istio.io/inject label 'disabled'.", "deny SC009", with_(pod("s9-disabled"), label(**{"sidecar.istio.io/inject": "disabled"}))),
        ("Near miss: the label set to exactly true.", "allow", with_(pod("s9-true-ok"), label(**{"sidecar.istio.io/inject": "true"}))),
        ("The annotation with a trailing newline.", "deny SC009", with_(pod("s9-newline"), annotate(**{"sidecar.istio.io/inject": "true\n"}))),
        ("Label true but annotation false.", "deny SC009",
         with_(pod("s9-mixed"), both(label(**{"sidecar.istio.io/inject": "true"}), annotate(**{"sidecar.istio.io/inject": "false"})))),
        ("istio.io/rev label Default in another case.", "deny SC009", with_(pod("s9-rev-case"), label(**{"istio.io/rev": "Default"}))),
        ("Near miss: istio.io/rev label stable.", "allow", with_(pod("s9-rev-ok"), label(**{"istio.io/rev": "stable"}))),
        ("istio.io/rev annotation canary.", "deny SC009", with_(pod("s9-rev-canary"), annotate(**{"istio.io/rev": "canary"}))),
        ("A Pod CREATE in payments (from the request) with no istio-proxy.", "deny SC009",
         review(with_(pod("s9-nosidecar", ns=None), no_proxy), ns="payments", resource="pods")),
        ("Near miss: a Deployment without sidecars (the injector adds them to its Pods).", "allow",
         with_(controller("Deployment", pod("s9-deploy-ok")), no_proxy)),
        ("istio-proxy only as an ephemeral container does not count (and is out of its placement, with no resources).",
         "deny SC003 SC009",
         with_(pod("s9-ephemeral"), lambda p: p["spec"].setdefault("ephemeralContainers", []).append(
             p["spec"]["containers"].pop(1)))),
        ("Near miss: a pod without sidecars outside the mesh.", "allow", with_(pod("s9-outside-ok", "legacy-batch"), no_proxy)),
        ("Near miss: the approved revision as an annotation, as the injector writes it.", "allow",
         with_(pod("s9-rev-annotation-ok"), annotate(**{"istio.io/rev": "default"}))),
        ("sidecar.istio.io/inject: \"false\" as a label written through pods/status.", "deny SC009",
         review(with_(pod("s9-status"), label(**{"sidecar.istio.io/inject": "false"})),
                op="UPDATE", old=pod("s9-status"), subresource="status", resource="pods")),
        ("Near miss: a status write that adds the approved revision label.", "allow",
         review(with_(pod("s9-status-ok"), label(**{"istio.io/rev": "default"})),
                op="UPDATE", old=pod("s9-status-ok"), subresource="status", resource="pods")),
    ]


@case("sc010", "SC010: an app container does not run as the proxy's UID/GID, adds no traffic capability, is not privileged.")
def _sc010():
    def app_sc(**v):
        return lambda p: app(p).setdefault("securityContext", {}).update(v)

    def app_caps(*add):
        return app_sc(capabilities={"add": list(add)})
    return [
        ("An app container adds net_admin in lower case.", "deny SC010", with_(pod("s10-lower"), app_caps("net_admin"))),
        ("Near miss: NET_BIND_SERVICE.", "allow", with_(pod("s10-bind-ok"), app_caps("NET_BIND_SERVICE"))),
        ("An app container adds CAP_NET_RAW.", "deny SC010", with_(pod("s10-prefix"), app_caps("CAP_NET_RAW"))),
        ("An app container adds net_admın (dotless i): Go's upper-casing makes it NET_ADMIN.", "deny SC010",
         with_(pod("s10-dotless"), app_caps("net_admın"))),
        ("An app container adds 'all'.", "deny SC010", with_(pod("s10-all"), app_caps("all"))),
        ("The pod-level runAsUser 1337 applies to an app container that sets none.", "deny SC010",
         with_(pod("s10-pod-uid"), lambda p: p["spec"].update(securityContext={"runAsUser": 1337}))),
        ("Near miss: the app container overrides the pod's 1337 with its own UID.", "allow",
         with_(pod("s10-override-ok"), both(lambda p: p["spec"].update(securityContext={"runAsGroup": 1337}), app_sc(runAsGroup=1000)))),
        ("An app container named like the proxy in another case runs as 1337.", "deny SC010",
         with_(pod("s10-case"), lambda p: p["spec"]["containers"].append(
             {"name": "Istio-Proxy", "image": "registry.corp.example:5000/shop/web:2.3.1", "securityContext": {"runAsUser": 1337}}))),
        ("Near miss: UID 1338.", "allow", with_(pod("s10-1338-ok"), app_sc(runAsUser=1338))),
        ("A kubectl debug container running as 1337.", "deny SC010",
         review(with_(pod("s10-debug"), lambda p: p["spec"].setdefault("ephemeralContainers", []).append(
             {"name": "debugger", "image": "docker.io/library/busybox:1.36", "securityContext": {"runAsUser": 1337}})),
             op="UPDATE", old=pod("s10-debug"), subresource="ephemeralcontainers", resource="pods")),
        ("privileged as the string \"true\".", "deny SC010", with_(pod("s10-priv-string"), app_sc(privileged="true"))),
        ("Near miss: privileged false.", "allow", with_(pod("s10-priv-false-ok"), app_sc(privileged=False))),
        ("Near miss: CAP_CHOWN, a capability the spec does not forbid.", "allow", with_(pod("s10-chown-ok"), app_caps("CAP_CHOWN"))),
        ("An app init container with runAsGroup 1337 in a Job.", "deny SC010",
         with_(controller("Job", pod("s10-job")), lambda j: spec(j)["initContainers"].append(
             {"name": "migrate", "image": "registry.corp.example:5000/shop/web:2.3.1", "securityContext": {"runAsGroup": 1337}}))),
        ("Near miss: the deployment controller writes the status of a Deployment whose template runs a privileged\n"
         "app container (admitted before the policy). The API server keeps the template on deployments/status and\n"
         "no policy matches that subresource; the VAP and Kyverno engines denied it offline (a red team, 2026-12-05).",
         "allow", review(with_(controller("Deployment", with_(pod("s10-deploy-status-ok"), app_sc(privileged=True))),
                               lambda d: d.update(status={"observedGeneration": 2, "replicas": 1})),
                         op="UPDATE", old=controller("Deployment", with_(pod("s10-deploy-status-ok"), app_sc(privileged=True))),
                         user=DEPLOYMENT_CONTROLLER, subresource="status", resource="deployments")),
        ("Near miss: a status write that also changes the Deployment's own labels. No pod rule reads them, the\n"
         "template stays as it was, and no policy matches the subresource: real admission allows it in every\n"
         "backend, and so does every engine offline.", "allow",
         review(with_(controller("Deployment", with_(pod("s10-deploy-status-labels-ok"), app_sc(privileged=True))),
                      lambda d: d["metadata"].update(labels={"app": "web", "track": "canary"})),
                op="UPDATE", old=controller("Deployment", with_(pod("s10-deploy-status-labels-ok"), app_sc(privileged=True))),
                user=DEPLOYMENT_CONTROLLER, subresource="status", resource="deployments")),
        ("Near miss: the same write as an update of the Deployment itself. It keeps the spec, labels and\n"
         "annotations, so no pod rule judges it (the pods it makes are judged when created): an update that keeps\n"
         "them could otherwise never remove a finalizer from an object admitted before the policy (red team 13a).",
         "allow",
         review(with_(controller("Deployment", with_(pod("s10-deploy-update-ok"), app_sc(privileged=True))),
                      lambda d: d.update(status={"observedGeneration": 2, "replicas": 1})),
                op="UPDATE", old=controller("Deployment", with_(pod("s10-deploy-update-ok"), app_sc(privileged=True))),
                user=DEPLOYMENT_CONTROLLER, resource="deployments")),
        ("An update of that Deployment that scales it: the spec changes, so its template is judged as it stands.",
         "deny SC010",
         review(with_(controller("Deployment", with_(pod("s10-deploy-update"), app_sc(privileged=True))),
                      lambda d: d["spec"].update(replicas=3)),
                op="UPDATE", old=controller("Deployment", with_(pod("s10-deploy-update"), app_sc(privileged=True))),
                user=DEPLOYMENT_CONTROLLER, resource="deployments")),
    ]


def debug(p, target):
    """p with an ephemeral debug container aimed at target, as kubectl debug --target sends it."""
    old = copy.deepcopy(p)
    spec(p)["ephemeralContainers"] = [{"name": "debugger-x1", "image": "docker.io/library/busybox:1.36", "targetContainerName": target,
                                       "stdin": True, "tty": True, "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}]
    return review(p, op="UPDATE", old=old, subresource="ephemeralcontainers", resource="pods")


@case("sc011", "SC011: a mesh pod shares no host namespace and no process namespace.")
def _sc011():
    def set_(**v):
        return lambda p: spec(p).update(v)
    return [
        ("hostNetwork in a Deployment's template (Istio would not even inject it).", "deny SC011",
         with_(controller("Deployment", pod("s11-deploy")), set_(hostNetwork=True))),
        ("Near miss: hostNetwork false.", "allow", with_(pod("s11-false-ok"), set_(hostNetwork=False))),
        ("hostPID as the string \"true\".", "deny SC011", with_(pod("s11-string"), set_(hostPID="true"))),
        ("Near miss: hostNetwork null.", "allow", with_(pod("s11-null-ok"), set_(hostNetwork=None))),
        ("shareProcessNamespace as 1.", "deny SC011", with_(pod("s11-one"), set_(shareProcessNamespace=1))),
        ("Near miss: hostUsers false (a user namespace, not a host one).", "allow", with_(pod("s11-hostusers-ok"), set_(hostUsers=False))),
        ("hostIPC in a CronJob's template.", "deny SC011", with_(controller("CronJob", pod("s11-cron")), set_(hostIPC=True))),
        ("hostNetwork on a Pod CREATE whose namespace comes only from the request.", "deny SC011",
         review(with_(pod("s11-review", ns=None), set_(hostNetwork=True)), ns="checkout", resource="pods")),
        ("Near miss: hostNetwork outside the mesh.", "allow", with_(pod("s11-outside-ok", "legacy-batch"), set_(hostNetwork=True))),
        ("Near miss: shareProcessNamespace false in a StatefulSet.", "allow",
         with_(controller("StatefulSet", pod("s11-sts-ok")), set_(shareProcessNamespace=False))),
        ("hostPID in a ReplicationController.", "deny SC011", with_(controller("ReplicationController", pod("s11-rc")), set_(hostPID=True))),
        ("kubectl debug --target=istio-proxy (a red team, 2026-12-05): the ephemeral container joins the proxy's process namespace\n"
         "(targetContainerName) and reads envoy's memory and keys through /proc: shareProcessNamespace for one container.",
         "deny SC011", debug(pod("s11-debug-target"), "istio-proxy")),
        ("Near miss: the same debug container aimed at the app container.", "allow", debug(pod("s11-debug-target-ok"), "web")),
        ("Near miss offline: the sidecar's name in another case names no container (the API server refuses it).", "allow",
         debug(pod("s11-debug-target-case-ok"), "ISTIO-PROXY")),
        ("Near miss offline: the sidecar's name with a trailing space names no container either.", "allow",
         debug(pod("s11-debug-target-space-ok"), "istio-proxy ")),
    ]



# --------------------------------------------------------------------------- control-plane rules


def webhook_config(name, hooks, labels=None):
    md = {"name": name}
    if labels:
        md["labels"] = labels
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration", "metadata": md, "webhooks": hooks}


def hook(name="sidecar-injector.istio.io", service=None, url=None, rules=None, **extra):
    cc = {"caBundle": "LS0tLS1CRUdJTi0tLS0tCg=="}
    if url:
        cc["url"] = url
    else:
        cc["service"] = service or {"name": "istiod", "namespace": "istio-system", "path": "/inject", "port": 443}
    h = {"name": name, "clientConfig": cc,
         "rules": rules if rules is not None else [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}],
         "failurePolicy": "Fail", "sideEffects": "None", "admissionReviewVersions": ["v1"]}
    h.update(extra)
    return h


def rule(ops, groups, resources):
    return [{"operations": ops, "apiGroups": groups, "apiVersions": ["*"], "resources": resources}]


OTHER_SERVICE = {"name": "mutator", "namespace": "tools", "path": "/mutate", "port": 443}


@case("cp001", "CP001: the injector's webhooks point only at istiod /inject; no untrusted pod-CREATE mutating webhook.")
def _cp001():
    other = lambda name, rules, **kw: webhook_config(name, [hook("m.tools.example", service=OTHER_SERVICE, rules=rules, **kw)])
    return [
        ("A revision-named injector config (istio-sidecar-injector-<rev>) that sends pods to a URL.", "deny CP001",
         webhook_config("istio-sidecar-injector-stable", [hook(url="https://injector.evil.example/inject")])),
        ("Near miss: the approved service with its explicit port 443.", "allow", webhook_config("istio-revision-tag-default", [hook()])),
        ("The service path with a trailing slash is another path.", "deny CP001",
         webhook_config("istio-sidecar-injector", [hook(service={"name": "istiod", "namespace": "istio-system", "path": "/inject/"})])),
        ("A second webhook inside the injector's config points at another service.", "deny CP001",
         webhook_config("istio-sidecar-injector", [hook(), hook("object.sidecar-injector.istio.io", service=OTHER_SERVICE)])),
        ("An untrusted pod webhook whose rule has an empty operations list: the API server requires each of a rule's\n"
         "four lists, so no cluster holds it, and a rule it refuses is read as one that intercepts pods (red team 14a).",
         "deny CP001", other("zz-empty-ops", [{"operations": [], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}])),
        ("The same with apiGroups null.", "deny CP001",
         other("zz-null-groups", [{"operations": ["CREATE"], "apiGroups": None, "apiVersions": ["v1"], "resources": ["pods"]}])),
        ("The same without apiVersions.", "deny CP001",
         other("zz-no-versions", [{"operations": ["CREATE"], "apiGroups": [""], "resources": ["pods"]}])),
        ("Near miss: the same webhook on deployments only, every list given, intercepts no pod.", "allow",
         other("zz-deployments-ok", [{"operations": ["CREATE"], "apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments"]}])),
        ("An untrusted webhook on every resource of every group: */* includes pods.", "deny CP001",
         other("zz-mutator", rule(["*"], ["*"], ["*/*"]))),
        ("pods/* matches pod CREATE too: Kubernetes cuts each entry at its first / and a CREATE has no subresource.",
         "deny CP001", other("zz-pods-any-subresource", rule(["CREATE"], [""], ["pods/*"]))),
        ("*/ is every main resource, pods among them.", "deny CP001", other("zz-star-slash", rule(["CREATE"], [""], ["*/"]))),
        ("Near miss: pods/status and pods/ephemeralcontainers are subresources, never pod CREATE itself.", "allow",
         other("zz-subresources-ok", rule(["CREATE"], [""], ["pods/status", "pods/ephemeralcontainers"]))),
        ("An untrusted webhook whose only rule lists pods among other resources, with an objectSelector.", "deny CP001",
         other("zz-selective", rule(["UPDATE", "CREATE"], ["apps", ""], ["deployments", "pods"]), objectSelector={"matchLabels": {"team": "x"}})),
        ("Near miss: an untrusted webhook on Deployments only.", "allow", other("zz-deploy-ok", rule(["CREATE"], ["apps"], ["deployments"]))),
        ("Untrusted user whose group is named like istiod's service account: trustedSubjects are usernames, never groups.",
         "deny CP001",
         review(other("zz-group", rule(["CREATE"], [""], ["pods"])),
                user={"username": "mallory@example.com", "groups": [ISTIOD, "system:authenticated"]},
                resource="mutatingwebhookconfigurations")),
        ("Near miss: istiod itself writes a pod-CREATE webhook.", "allow",
         review(other("zz-istiod-ok", rule(["CREATE"], [""], ["pods"])), user=ISTIOD_USER, resource="mutatingwebhookconfigurations")),
        ("An UPDATE by an untrusted user that adds CREATE to an existing webhook.", "deny CP001",
         review(other("zz-update", rule(["CREATE", "UPDATE"], [""], ["pods"])), op="UPDATE",
                old=other("zz-update", rule(["UPDATE"], [""], ["pods"])), resource="mutatingwebhookconfigurations")),
        ("failurePolicy Ignore on the revision-tag webhook.", "deny CP001",
         webhook_config("istio-revision-tag-stable", [hook(failurePolicy="Ignore")])),
        ("Near miss: a resource named Pods (rules match lower-case resource names exactly).", "allow",
         other("zz-Pods-ok", rule(["CREATE"], [""], ["Pods"]))),
    ]


def configmap(name="istio-sidecar-injector", ns="istio-system"):
    md = {"name": name}
    if ns:
        md["namespace"] = ns
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": {"config": "policy: enabled\n", "values": "{}"}}


@case("cp002", "CP002: only trusted users create, change or delete the injector's ConfigMaps.")
def _cp002():
    cm = lambda **kw: review(configmap(), resource="configmaps", **kw)
    return [
        ("An untrusted user in a group named like istiod's service account.", "deny CP002",
         cm(op="UPDATE", old=configmap(), user={"username": "mallory@example.com", "groups": [ISTIOD]})),
        ("Near miss: istiod's UPDATE.", "allow", cm(op="UPDATE", old=configmap(), user=ISTIOD_USER)),
        ("A username with a trailing space.", "deny CP002", cm(op="UPDATE", old=configmap(), user={"username": ISTIOD + " ", "groups": []})),
        ("A username in another case.", "deny CP002",
         cm(op="DELETE", old=configmap(), user={"username": ISTIOD.replace("istiod", "Istiod"), "groups": []})),
        ("Near miss: the installer service account (trusted) deletes it.", "allow",
         cm(op="DELETE", old=configmap(), user={"username": "system:serviceaccount:istio-system:istio-installer", "groups": []})),
        ("The namespace only in the request, CREATE by an untrusted user.", "deny CP002",
         review(configmap(ns=None), ns="istio-system", resource="configmaps")),
        ("Near miss: a ConfigMap of that name in another namespace.", "allow", review(configmap(ns="istio-system-2"), resource="configmaps")),
        ("The group of all service accounts of istio-system is a group, not istiod.", "deny CP002",
         cm(op="UPDATE", old=configmap(), user={"username": "system:serviceaccount:istio-system:default",
                                                "groups": ["system:serviceaccounts:istio-system", "system:serviceaccounts"]})),
        ("Near miss: an untrusted user's ConfigMap with another name in istio-system.", "allow",
         review(configmap(name="mesh-notes"), resource="configmaps")),
        ("Near miss: a CREATE by istiod with the namespace only in the request.", "allow",
         review(configmap(ns=None), ns="istio-system", resource="configmaps", user=ISTIOD_USER)),
        ("A user named like istiod in another namespace.", "deny CP002",
         cm(op="UPDATE", old=configmap(), user={"username": "system:serviceaccount:istio-system2:istiod", "groups": []})),
        ("The injector's ConfigMap with its namespace as a map: read as no namespace it would be default's, not the\n"
         "injector's (found by the type-confusion fuzzer). The API server cannot decode it: unparseable, so denied.",
         "deny CP002", with_(configmap(), lambda c: c["metadata"].update(namespace={"name": "istio-system"}))),
        ("Near miss: a ConfigMap of the injector's name with no namespace: kubectl puts it in default.", "allow", configmap(ns=None)),
        ("Near miss: the same with a null namespace, which the API server reads as none (the Rego used to deny it).",
         "allow", with_(configmap(), lambda c: c["metadata"].update(namespace=None))),
        ("Near miss: a ConfigMap named by the API server, with no namespace written: it lands in default (Kyverno\n"
         "alone used to leave it unjudged).", "allow",
         with_(configmap(ns=None), lambda c: (c["metadata"].pop("name"), c["metadata"].update(generateName="app-settings-")))),
        ("The injector's namespace, a name left to the API server (generateName): offline there is no name, so\n"
         "nothing tells this write from one of the injector's ConfigMap (fail closed, as the CEL matches it).",
         "deny CP002", with_(configmap(), lambda c: (c["metadata"].pop("name"), c["metadata"].update(generateName="istio-sidecar-injector-")))),
        ("The injector ConfigMap of revision stable (istiod-stable reads istio-sidecar-injector-stable).", "deny CP002",
         review(configmap(name="istio-sidecar-injector-stable"), resource="configmaps")),
        ("Near miss: a name that only starts like the injector's, without its '-'.", "allow",
         review(configmap(name="istio-sidecar-injectors"), resource="configmaps")),
        ("Near miss: a ConfigMap named by the API server in an application namespace is no injector ConfigMap,\n"
         "whatever its name turns out to be (the Rego used to deny it for having no name).",
         "allow", with_(configmap(ns="payments"), lambda c: (c["metadata"].pop("name"), c["metadata"].update(generateName="app-settings-")))),
    ]


def peer(name, ns, mode=None, ports=None, selector=None):
    spec_ = {}
    if selector is not None:
        spec_["selector"] = selector
    if mode is not None:
        spec_["mtls"] = {"mode": mode}
    if ports is not None:
        spec_["portLevelMtls"] = ports
    return {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": name, "namespace": ns}, "spec": spec_}


@case("cp003", "CP003: no PeerAuthentication weakens mTLS; the mesh-wide one is STRICT.")
def _cp003():
    return [
        ("permissive in lower case.", "deny CP003", peer("p3-lower", "payments", "permissive")),
        ("Near miss: UNSET in a namespace inherits the mesh's STRICT.", "allow", peer("p3-unset-ok", "payments", "UNSET")),
        ("STRICT, but named by the API server (generateName): offline there is no name, which the rule reads as\n"
         "malformed (Kyverno alone used to allow it under the name its CLI needs).", "deny CP003",
         with_(peer("x", "payments", "STRICT"), lambda a: (a["metadata"].pop("name"), a["metadata"].update(generateName="p3-")))),
        ("STRICT for the workload, but one port DISABLE.", "deny CP003",
         peer("p3-port", "payments", "STRICT", ports={"8080": {"mode": "DISABLE"}}, selector={"matchLabels": {"app": "web"}})),
        ("Near miss: a port explicitly STRICT.", "allow",
         peer("p3-port-ok", "payments", ports={"8080": {"mode": "STRICT"}}, selector={"matchLabels": {"app": "web"}})),
        ("The mesh-wide policy with an empty selector: still mesh-wide, and UNSET is not STRICT.", "deny CP003",
         peer("default", "istio-system", "UNSET", selector={"matchLabels": {}})),
        ("Near miss: a workload policy in istio-system with a selector may leave the mode unset.", "allow",
         peer("p3-gw-ok", "istio-system", selector={"matchLabels": {"app": "istio-ingressgateway"}})),
        ("A mode no Istio accepts: unknown means weak.", "deny CP003", peer("p3-unknown", "payments", " PERMISSIVE")),
        ("The mesh-wide policy with no mtls at all.", "deny CP003", peer("default", "istio-system")),
        ("The mesh-wide policy with a null selector and PERMISSIVE.", "deny CP003",
         peer("p3-nullsel", "istio-system", "PERMISSIVE", selector={"matchLabels": None})),
        ("A port-level mode that is unknown.", "deny CP003",
         peer("p3-port-unknown", "payments", "STRICT", ports={"9090": {"mode": "Off"}}, selector={"matchLabels": {"app": "web"}})),
        ("Near miss: STRICT with no port settings.", "allow", peer("p3-strict-ok", "payments", "STRICT")),
        ("An untrusted DELETE of the mesh-wide STRICT policy: the mesh falls back to PERMISSIVE.", "deny CP003",
         review(None, op="DELETE", old=peer("default", "istio-system", "STRICT"), resource="peerauthentications")),
        ("An untrusted UPDATE that gives the mesh-wide policy a selector: no longer mesh-wide.", "deny CP003",
         review(peer("default", "istio-system", "STRICT", selector={"matchLabels": {"app": "none"}}), op="UPDATE",
                old=peer("default", "istio-system", "STRICT"), resource="peerauthentications")),
        ("Near miss: an UPDATE of the mesh-wide policy that keeps it mesh-wide and STRICT.", "allow",
         review(peer("default", "istio-system", "STRICT", selector={}), op="UPDATE",
                old=peer("default", "istio-system", "STRICT"), resource="peerauthentications")),
        ("Near miss: the installer (trusted) deletes the mesh-wide policy.", "allow",
         review(None, op="DELETE", old=peer("default", "istio-system", "STRICT"), resource="peerauthentications",
                user={"username": "system:serviceaccount:istio-system:istio-installer", "groups": []})),
        ("Near miss: an untrusted DELETE of a namespace's policy.", "allow",
         review(None, op="DELETE", old=peer("p3-ns", "payments", "STRICT"), resource="peerauthentications")),
        ("Near miss: a null mode inherits, like an absent one.", "allow", peer("p3-null-ok", "checkout", None, ports={"8080": {"mode": None}},
                                                                               selector={"matchLabels": {"app": "web"}})),
    ]


@case("cp004", "CP004: mesh namespaces turn injection on; excluded ones never do (Istio's webhook selectors decide).")
def _cp004():
    return [
        ("istio-injection Enabled: label values are case-sensitive, the webhook selects exactly enabled.", "deny CP004",
         namespace("payments", {"istio-injection": "Enabled"})),
        ("Near miss: istio-injection enabled with an unapproved revision label, which the revision webhooks ignore while istio-injection is set.",
         "allow", namespace("payments", {"istio-injection": "enabled", "istio.io/rev": "canary"})),
        ("istio-injection disabled with the approved revision: disabled wins, nothing is injected.", "deny CP004",
         namespace("storefront", {"istio-injection": "disabled", "istio.io/rev": "default"})),
        ("Near miss: an excluded namespace with istio-injection disabled and a revision label: not injected.", "allow",
         namespace("kube-system", {"istio-injection": "disabled", "istio.io/rev": "default"})),
        ("An excluded namespace with a revision label and no istio-injection: the revision's webhook injects it.", "deny CP004",
         namespace("kube-public", {"istio.io/rev": "stable"})),
        ("An UPDATE that removes the injection label from a mesh namespace.", "deny CP004",
         review(namespace("checkout", {"team": "checkout"}), op="UPDATE", old=namespace("checkout", {"istio-injection": "enabled"}))),
        ("istio-injection with a trailing space.", "deny CP004", namespace("checkout", {"istio-injection": "enabled "})),
        ("Near miss: an approved revision and no istio-injection label.", "allow", namespace("checkout", {"istio.io/rev": "stable"})),
        ("An excluded namespace that turns injection on.", "deny CP004", namespace("istio-system", {"istio-injection": "enabled"})),
        ("Near miss: a namespace outside both lists may label itself as it likes (no Namespace object here selects a sample's namespace).",
         "allow", namespace("adv-other", {"istio.io/rev": "canary"})),
        ("A listed mesh namespace with the revision label in another case.", "deny CP004", namespace("storefront", {"istio.io/rev": "Stable"})),
        ("Near miss: an excluded namespace whose istio-injection is some other value, with a revision label.", "allow",
         namespace("kube-node-lease", {"istio-injection": "off", "istio.io/rev": "default"})),
        ("The injection label removed through namespaces/status: the API server keeps the Namespace's spec there but\n"
         "takes new labels, so a user who may write the subresource alone could turn injection off.", "deny CP004",
         review(namespace("payments", {}), op="UPDATE", old=namespace("payments", {"istio-injection": "enabled"}),
                subresource="status", resource="namespaces")),
        ("Injection turned on in an excluded namespace through namespaces/finalize, which takes new labels too.", "deny CP004",
         review(with_(namespace("kube-public", {"istio-injection": "enabled"}), lambda n: n.update(spec={"finalizers": ["kubernetes"]})),
                op="UPDATE", old=with_(namespace("kube-public", {}), lambda n: n.update(spec={"finalizers": ["kubernetes"]})),
                subresource="finalize", resource="namespaces")),
        ("Near miss: the namespace controller's status write on a mesh namespace admitted before the policy without\n"
         "the label: it leaves labels and annotations as they were, so it is not judged.", "allow",
         review(with_(namespace("storefront", {"team": "storefront"}), lambda n: n.update(status={"phase": "Active"})),
                op="UPDATE", old=namespace("storefront", {"team": "storefront"}), subresource="status", resource="namespaces")),
        ("Near miss: a finalize write that keeps the labels of an excluded namespace that already turns injection on.", "allow",
         review(with_(namespace("kube-node-lease", {"istio.io/rev": "default"}), lambda n: n.update(spec={"finalizers": ["kubernetes"]})),
                op="UPDATE", old=with_(namespace("kube-node-lease", {"istio.io/rev": "default"}),
                                       lambda n: n.update(spec={"finalizers": ["kubernetes"]})),
                subresource="finalize", resource="namespaces")),
    ]


def role(kind, name, rules, ns="tools"):
    md = {"name": name}
    if kind == "Role":
        md["namespace"] = ns
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": md, "rules": rules}


def grant(verbs, resources, groups=("admissionregistration.k8s.io",), **extra):
    return [{"apiGroups": list(groups), "resources": list(resources), "verbs": list(verbs), **extra}]


@case("cp005", "CP005: only trusted roles may write admission webhook configurations.")
def _cp005():
    return [
        ("deletecollection removes every webhook configuration at once (Gatekeeper's and Kyverno's included).", "deny CP005",
         role("ClusterRole", "cleaner", grant(["deletecollection"], ["validatingwebhookconfigurations"]))),
        ("Near miss: read-only verbs.", "allow", role("ClusterRole", "reader", grant(["get", "list", "watch"], ["mutatingwebhookconfigurations"]))),
        ("A ClusterRole named by the API server (generateName) that may patch webhook configurations: no name is no\n"
         "trusted role's.", "deny CP005",
         with_(role("ClusterRole", "x", grant(["patch"], ["mutatingwebhookconfigurations"])),
               lambda r: (r["metadata"].pop("name"), r["metadata"].update(generateName="ci-")))),
        ("Near miss: a Role named by the API server that reads ConfigMaps only (Kyverno alone used to leave it unjudged).",
         "allow", with_(role("Role", "x", grant(["get"], ["configmaps"], groups=[""])),
                        lambda r: (r["metadata"].pop("name"), r["metadata"].update(generateName="reader-")))),
        ("patch limited by resourceNames to the injector's webhook is still a write.", "deny CP005",
         role("ClusterRole", "injector-patcher", grant(["patch"], ["mutatingwebhookconfigurations"], resourceNames=["istio-sidecar-injector"]))),
        ("Near miss: */* matches only subresources named *, and webhook configurations have none.", "allow",
         role("ClusterRole", "subresources", grant(["*"], ["*/*"], groups=["*"]))),
        ("Every verb on every resource of every group.", "deny CP005", role("ClusterRole", "god", grant(["*"], ["*"], groups=["*"]))),
        ("Near miss: RBAC verbs are case-sensitive; Create grants nothing.", "allow",
         role("ClusterRole", "upper-verb", grant(["Create"], ["mutatingwebhookconfigurations"]))),
        ("A role meant for aggregation into admin that carries the grant itself.", "deny CP005",
         with_(role("ClusterRole", "aggregate-webhooks", grant(["update"], ["mutatingwebhookconfigurations"])),
               lambda r: r["metadata"].update(labels={"rbac.authorization.k8s.io/aggregate-to-admin": "true"}))),
        ("Near miss: an aggregating ClusterRole has no rules of its own (the aggregated roles are judged themselves).", "allow",
         {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "aggregator"},
          "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"example.com/aggregate": "true"}}]}, "rules": []}),
        ("A Role named like a trusted role but in another case: role names compare exactly.",
         "deny CP005", role("Role", "Istiod-clusterrole-istio-system", grant(["create"], ["mutatingwebhookconfigurations"]))),
        ("An UPDATE that adds create to an existing role, by an untrusted user.", "deny CP005",
         review(role("ClusterRole", "grows", grant(["get", "create"], ["validatingwebhookconfigurations"])), op="UPDATE",
                old=role("ClusterRole", "grows", grant(["get"], ["validatingwebhookconfigurations"])), resource="clusterroles")),
        ("Near miss: write access to another group's resources.", "allow", role("ClusterRole", "apps-writer", grant(["*"], ["deployments"], groups=["apps"]))),
    ]


# --------------------------------------------------------------------------- mesh scope (Istio's injector decides)


def labelled(p, **labels):
    meta(p)["labels"].update(labels)
    return p


@case("scope", "Mesh scope: a pod Istio's injector injects is a mesh pod, whatever the spec's namespace lists say.")
def _scope():
    evil = lambda p: proxy(p).update(image=f"evil.example/istio/proxyv2@{DIGEST}")
    return [
        ("Namespace objects: an unlabelled one, one that disables injection, one injected by revision.", "allow",
         namespace("adv-open", {"team": "open"})),
        ("", "allow", namespace("adv-off", {"istio-injection": "disabled", "istio.io/rev": "default"})),
        ("", "allow", namespace("adv-rev", {"istio.io/rev": "stable"})),
        ("sidecar.istio.io/inject: \"true\" on the pod in a namespace whose labels are unknown: Istio's object webhook\n"
         "injects it, so its proxy image is judged (a Namespace not among the inputs counts as unlabelled).", "deny SC001",
         with_(labelled(pod("sc-object-inject", "legacy-batch"), **{"sidecar.istio.io/inject": "true"}), evil)),
        ("Near miss: the same pod without the label is not injected and not judged.", "allow",
         with_(pod("sc-object-plain-ok", "legacy-batch"), evil)),
        ("A pod revision label in an unlabelled namespace: the revision's object webhook injects it; root proxy.", "deny SC004",
         with_(labelled(pod("sc-object-rev", "adv-open"), **{"istio.io/rev": "stable"}), sc(proxy, runAsUser=0))),
        ("Near miss: the revision label with sidecar.istio.io/inject: \"false\" is not injected.", "allow",
         with_(labelled(pod("sc-object-rev-off-ok", "adv-open"), **{"istio.io/rev": "stable", "sidecar.istio.io/inject": "false"}),
               sc(proxy, runAsUser=0))),
        ("Near miss: without that label, the annotation sidecar.istio.io/inject: \"false\", which the injector the revision's\n"
         "object webhook calls then reads: not injected (red team 14b).", "allow",
         with_(with_(labelled(pod("sc-object-rev-annotation-off-ok", "adv-open"), **{"istio.io/rev": "stable"}),
               lambda p: p["metadata"].setdefault("annotations", {}).update({"sidecar.istio.io/inject": "false"})),
               sc(proxy, runAsUser=0))),
        ("The annotation \"False\": an Istio release reads any value but \"false\" as its default, and injects; root proxy.",
         "deny SC004 SC009",
         with_(with_(labelled(pod("sc-object-rev-annotation-capital", "adv-open"), **{"istio.io/rev": "stable"}),
               lambda p: p["metadata"].setdefault("annotations", {}).update({"sidecar.istio.io/inject": "False"})),
               sc(proxy, runAsUser=0))),
        ("The annotation \"false\" beside the label \"true\": the injector reads the label and injects; root proxy.",
         "deny SC004 SC009",
         with_(with_(labelled(pod("sc-object-label-over-annotation", "adv-open"), **{"istio.io/rev": "stable", "sidecar.istio.io/inject": "true"}),
               lambda p: p["metadata"].setdefault("annotations", {}).update({"sidecar.istio.io/inject": "false"})),
               sc(proxy, runAsUser=0))),
        ("Near miss: istio-injection: disabled wins over the namespace's revision and the pod's label: not injected.", "allow",
         with_(labelled(pod("sc-ns-off-ok", "adv-off"), **{"sidecar.istio.io/inject": "true"}), evil)),
        ("A namespace injected through its revision label (no istio-injection): its pods are mesh pods.", "deny SC001",
         with_(pod("sc-ns-rev", "adv-rev"), evil)),
        ("Near miss: an approved pod in that namespace.", "allow", pod("sc-ns-rev-ok", "adv-rev")),
        ("A Deployment whose pod template asks for injection in an unknown namespace: its app adds NET_ADMIN.", "deny SC010",
         with_(controller("Deployment", labelled(pod("sc-deploy-inject", "legacy-batch"), **{"sidecar.istio.io/inject": "true"})),
               lambda d: app(d).update(securityContext={"capabilities": {"add": ["NET_ADMIN"]}}))),
        ("Near miss: the label on the Deployment itself, not on its pod template, injects nothing.", "allow",
         with_(controller("Deployment", pod("sc-deploy-label-ok", "legacy-batch")),
               lambda d: (d["metadata"].update(labels={"sidecar.istio.io/inject": "true"}),
                          app(d).update(securityContext={"capabilities": {"add": ["NET_ADMIN"]}})))),
        ("An object-selected pod with an unapproved revision label.", "deny SC009",
         labelled(pod("sc-object-canary", "adv-open"), **{"istio.io/rev": "canary"})),
        ("Near miss: excluded namespaces always win, labels or not.", "allow",
         with_(labelled(pod("sc-excluded-ok", "kube-system"), **{"sidecar.istio.io/inject": "true"}), evil)),
        # The Namespace inventory (policygen/inventory.py): what it cannot hold fails closed.
        ("Two Namespace objects of one name: injection on here, off after the pod. Applied in this order, the pod is\n"
         "created while the namespace is injected: a pod is judged under the version that puts it furthest into the mesh.",
         "allow", namespace("adv-dup", {"istio-injection": "enabled"})),
        ("A pod in that namespace, between its two versions.", "deny SC001", with_(pod("sc-dup-ns", "adv-dup"), evil)),
        ("", "allow", namespace("adv-dup", {"istio-injection": "disabled"})),
        ("The same in the other order: off first, on after the pod.", "allow",
         namespace("adv-dup-late", {"istio-injection": "disabled"})),
        ("A pod in that namespace, between its two versions.", "deny SC001", with_(pod("sc-dup-late-ns", "adv-dup-late"), evil)),
        ("", "allow", namespace("adv-dup-late", {"istio-injection": "enabled"})),
        ("An injected Namespace with a label value that is no string (the API server would refuse it, so its labels\n"
         "are unknown): it is malformed, and its namespace counts as a mesh namespace.",
         "deny CP004", namespace("adv-tier", {"istio-injection": "enabled", "tier": 5})),
        ("A pod in that namespace.", "deny SC001", with_(pod("sc-tier-ns", "adv-tier"), evil)),
        ("An injected Namespace of another apiVersion: the inventory holds it as v1, as every engine reads it.\n"
         "No API server serves a Namespace in v2, so every engine denies the object itself unjudged.", "deny ENGINE",
         with_(namespace("adv-v2", {"istio-injection": "enabled"}), lambda n: n.update(apiVersion="v2"))),
        ("A pod in that namespace.", "deny SC001", with_(pod("sc-v2-ns", "adv-v2"), evil)),
        ("", "deny ENGINE", with_(namespace("adv-core", {"istio-injection": "enabled"}), lambda n: n.update(apiVersion="core/v1"))),
        ("A pod in that namespace.", "deny SC001", with_(pod("sc-core-ns", "adv-core"), evil)),
        ("A Namespace that turns injection off with a label value the API server refuses (red team 14b): applied, it\n"
         "fails while the pods are created in the namespace as it was; its labels are unknown, so it is a mesh namespace.",
         "allow", namespace("adv-badval", {"istio-injection": "disabled!"})),
        ("A pod in that namespace.", "deny SC001", with_(pod("sc-badval-ns", "adv-badval"), evil)),
        ("The same with a label key the API server refuses.", "allow",
         namespace("adv-badkey", {"istio-injection": "disabled", "team owner": "x"})),
        ("A pod in that namespace.", "deny SC001", with_(pod("sc-badkey-ns", "adv-badkey"), evil)),
        ("The same with a status that does not decode (gator could not load it): denied unjudged in every engine.",
         "deny ENGINE", with_(namespace("adv-badstatus", {"istio-injection": "disabled"}), lambda n: n.update(status={"phase": 5}))),
        ("A pod in that namespace.", "deny SC001", with_(pod("sc-badstatus-ns", "adv-badstatus"), evil)),
        ("The same with a finalizer neither qualified by a domain nor a standard one (red team 14c).", "allow",
         with_(namespace("adv-badfin", {"istio-injection": "disabled"}), lambda n: n["metadata"].update(finalizers=["notstandard"]))),
        ("A pod in that namespace.", "deny SC001", with_(pod("sc-badfin-ns", "adv-badfin"), evil)),
        ("Near miss: an annotation key with capitals, which the API server checks in lower case and stores: the\n"
         "Namespace's labels hold, and injection is off.", "allow",
         with_(namespace("adv-upper-ok", {"istio-injection": "disabled"}), lambda n: n["metadata"].update(annotations={"Example.COM/owner": "x"}))),
        ("", "allow", with_(pod("sc-upper-ok", "adv-upper-ok"), evil)),
        ("A dry run of a Namespace that turns injection off: the API server stores nothing of it.", "allow",
         with_(review(namespace("adv-dry", {"istio-injection": "disabled"})), lambda r: r["request"].update(dryRun=True))),
        ("A Deployment whose pod template asks for injection there: the namespace may still be unlabelled; root proxy.",
         "deny SC004",
         with_(controller("Deployment", labelled(pod("sc-dry-ns", "adv-dry"), **{"sidecar.istio.io/inject": "true"})),
               lambda d: spec(d)["containers"][1].setdefault("securityContext", {}).update(runAsUser=0))),
        ("Near miss: a namespace whose every version turns injection off: its pod is not a mesh pod.", "allow",
         namespace("adv-dup-off", {"istio-injection": "disabled"})),
        ("", "allow", namespace("adv-dup-off", {"istio-injection": "disabled", "team": "off"})),
        ("", "allow", with_(pod("sc-dup-off-ok", "adv-dup-off"), evil)),
        ("An update that takes a namespace out of the mesh: its oldObject was injected. A red team's pod in it went\n"
         "unjudged in every engine, the old version being no Namespace of the inventory (2026-12-05).", "allow",
         review(namespace("adv-leaving", {"team": "x"}), op="UPDATE", old=namespace("adv-leaving", {"istio-injection": "enabled", "team": "x"}))),
        ("A pod in that namespace: judged under the version that puts it furthest into the mesh.", "deny SC001",
         with_(pod("sc-leaving-ns", "adv-leaving"), evil)),
        ("Near miss: an update of a namespace that was never in the mesh.", "allow",
         review(namespace("adv-never", {"team": "yellow"}), op="UPDATE", old=namespace("adv-never", {"istio-injection": "disabled"}))),
        ("", "allow", with_(pod("sc-never-ok", "adv-never"), evil)),
        ("An admission request that names an excluded namespace for a pod of a mesh one (no API server sends the two\n"
         "apart): judged in the pod's own namespace in every engine. Gator matched the constraint on the request's\n"
         "when that Namespace was among the inputs (a red team, 2026-12-05).", "deny SC001",
         review(with_(pod("sc-request-ns", "payments"), evil), ns="istio-system", resource="pods")),
        ("", "allow", namespace("istio-system")),
    ]


if __name__ == "__main__":
    write()
