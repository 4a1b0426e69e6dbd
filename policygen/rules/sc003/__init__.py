"""SC003: no container but an approved sidecar runs a sidecar image; sidecars stay in their placements."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from ...images import any_port, parse_image
from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo
from .status import STATUS_MAX_LENGTH, rego_status_patterns, status_patterns


def plan(given):
    spec = given.spec
    if not (spec.sidecars or spec.images):
        return None
    return {
        "scope": given.scope,
        "sidecarRepositories": given.repositories,
        # The same repositories on any port of their host (images.any_port): SC003 matches a disguise by these.
        "sidecarRepositoriesAnyPort": sorted({any_port(parse_image(r)) for r in given.repositories}),
        # A digest names content: an approved digest is the sidecar image under whatever repository names it
        # (crane copy keeps the digest), so SC003 matches a disguise by these too, exactly as SC002 compares them.
        "sidecarDigests": sorted(spec.images.digests) if spec.images else [],
        "sidecars": [{"name": s.name, "placement": sorted(s.placement)} for s in given.sidecars],
        # Sidecars that no app init container may precede (beforeAppInitContainers).
        "firstInits": sorted(s.name for s in given.sidecars if s.before_app_init_containers),
        # Sidecars approved beside the app and in initContainers: there, native ones (restartPolicy: Always) only.
        "nativeInits": sorted(s.name for s in given.sidecars if {"initContainers", "containers"} <= set(s.placement)),
        # Sidecars that must finish before the next container starts (runsToCompletion): never native ones.
        "plainInits": sorted(s.name for s in given.sidecars if s.runs_to_completion),
    }


def other_port(image: str) -> str:
    """The image on its registry named with a port that changes nothing: :443 added, or a leading 0 in its
    port; Docker Hub by another of its host names, with :443."""
    ref = parse_image(image)
    host, port = re.fullmatch(r"(.*?)(?::([0-9]+))?", ref.registry).groups()
    if host == "docker.io":
        host = "registry-1.docker.io"
    name, at, digest = image.partition("@")
    tag = name.rsplit("/", 1)[-1].partition(":")[2]
    return f"{host}:{'0' + port if port else '443'}/{ref.path}" + (f":{tag}" if tag else "") + (f"@{digest}" if at else "")


def cases(p, kit):
    image = kit.sidecar_image()
    if p["sidecarRepositories"]:
        kit.pod("sidecar_image_renamed", "image-under-other-name", lambda pod: pod["spec"]["containers"].append({"name": "debug", "image": image}))
    kit.pod("unapproved_native_sidecar", "native-sidecar-unapproved", lambda pod: pod["spec"].setdefault("initContainers", []).append(
        {"name": "shadow", "image": "registry.example.com/tools/shadow:1", "restartPolicy": "Always"}))
    kit.pod("status_lists_unapproved", "status-unapproved-container", lambda pod: pod["metadata"]["annotations"].update(
        {"sidecar.istio.io/status": '{"initContainers":null,"containers":["evil-proxy"]}'}))
    kit.pod("containers_null", "pod-spec-malformed", lambda pod: pod["spec"].update(initContainers=None))
    # Kubernetes reads a missing list as a null one: no container list at all is no way past the rules.
    kit.pod("containers_missing", "pod-spec-malformed", lambda pod: pod["spec"].pop("containers"))
    if p["sidecars"]:
        side = p["sidecars"][0]["name"]
        if "ephemeralContainers" not in p["sidecars"][0]["placement"]:
            kit.pod("sidecar_as_ephemeral", "placement-not-approved", lambda pod: pod["spec"].setdefault("ephemeralContainers", []).append(
                copy.deepcopy(kit.sidecar(kit.base, side))))

    def status(value):
        return lambda pod: pod["metadata"]["annotations"].update({"sidecar.istio.io/status": value})
    names = [s["name"] for s in p["sidecars"]]
    # Evasions of a reader without a JSON parser: an escaped key, a repeated key, not JSON at all.
    kit.pod("status_escaped_key", "status-malformed", status('{"initContainers":null,"contain\\u0065rs":["evil-proxy"]}'))
    kit.pod("status_repeated_key", "status-unapproved-container", status(json.dumps({"containers": names[:1]})[:-1] + ',"containers":["evil-proxy"]}'))
    # A JSON parser keeps the last of a repeated key: the unapproved name, or the malformed list, first.
    kit.pod("status_repeated_key_first", "status-unapproved-container", status('{"containers":["evil-proxy"],' + json.dumps({"containers": names[:1]})[1:]))
    kit.pod("status_repeated_key_null_last", "status-unapproved-container", status('{"containers":["evil-proxy"],"containers":null}'))
    # Istio's Go reader folds a key's case ("Containers", "containerſ" with a long s) onto the field.
    kit.pod("status_key_case_folded", "status-malformed", status(json.dumps({"containers": names[:1]})[:-1] + ',"Containers":["evil-proxy"]}'))
    kit.pod("status_key_long_s", "status-malformed", status('{"container\u017f":["evil-proxy"]}'))
    kit.pod("status_repeated_key_malformed_first", "status-malformed", status('{"initContainers":[1],' + json.dumps({"initContainers": names[:1]})[1:]))
    kit.pod("status_not_json", "status-malformed", status('{"containers":["' + (names[0] if names else "x") + '"]'))
    kit.pod("status_null_lists", False, status(json.dumps({"initContainers": None, "containers": None})))
    # Longer than any engine reads (status.STATUS_MAX_LENGTH), though flat JSON naming only approved sidecars.
    kit.pod("status_too_long", "status-malformed", status(json.dumps({"containers": names, "revision": "r" * STATUS_MAX_LENGTH})))
    kit.pod("status_spaced", False, status(json.dumps({"containers": names, "revision": "default", "n": [1, True, None]}, indent=1)))
    misplaced = next((s for s in p["sidecars"] if "containers" not in s["placement"]), None)
    if misplaced:
        def move(pod, name=misplaced["name"]):
            c = kit.sidecar(pod, name)
            pod["spec"]["initContainers"] = [x for x in pod["spec"].get("initContainers", []) if x is not c]
            pod["spec"]["containers"].append(c)
        kit.pod("sidecar_out_of_placement", "placement-not-approved", move)
    if p["sidecarRepositories"]:
        # The approved repository with a port that names the same registry (a red team, 2026-12-05): a disguise too.
        kit.pod("sidecar_image_renamed_other_port", "image-under-other-name",
                lambda pod: pod["spec"]["containers"].append({"name": "debug", "image": other_port(image)}))
        # Near miss: another host on that port is another registry, and its image an app's.
        kit.pod("other_host_same_path_ok", False,
                lambda pod: pod["spec"]["containers"].append({"name": "debug", "image": "elsewhere.example:443/" + parse_image(image).path}))
        # A sidecar image under another name is denied everywhere, not only in the mesh.
        kit.pod("sidecar_image_renamed_outside_mesh", "image-under-other-name",
                lambda pod: pod["spec"]["containers"].append({"name": "debug", "image": image}), outside=True)
    if p["sidecarDigests"]:
        digest = p["sidecarDigests"][0]
        encoded = digest.partition(":")[2]
        # The approved digest copied to another repository (a red team, 2026-12-05): the same bytes, so a disguise
        # in every namespace, with a tag or without, in an init container too.
        kit.pod("sidecar_digest_other_repository", "digest-under-other-name",
                lambda pod: pod["spec"]["containers"].append({"name": "helper", "image": f"mirror.example/copies/p@{digest}"}))
        kit.pod("sidecar_digest_other_repository_outside_mesh", "digest-under-other-name",
                lambda pod: pod["spec"].setdefault("initContainers", []).append(
                    {"name": "helper", "image": f"mirror.example/copies/p:1.0@{digest}"}), outside=True)
        # Near misses: on that repository another digest is other content, and the approved hex as a tag pins nothing.
        other = next(d for d in (f"sha256:{c * 64}" for c in "fedcba") if d not in p["sidecarDigests"])
        kit.pod("other_digest_other_repository_ok", False,
                lambda pod: pod["spec"]["containers"].append({"name": "helper", "image": f"mirror.example/copies/p@{other}"}))
        kit.pod("sidecar_digest_hex_as_tag_ok", False,
                lambda pod: pod["spec"]["containers"].append({"name": "helper", "image": f"mirror.example/copies/p:{encoded}"}))
    # Always is the only restartPolicy an init container takes: another is unparseable, denied in every namespace.
    kit.pod("restart_policy_never", "restart-policy-malformed", lambda pod: pod["spec"].setdefault("initContainers", []).append(
        {"name": "setup", "image": "registry.example.com/tools/setup:1", "restartPolicy": "Never"}))
    kit.pod("restart_policy_never_outside_mesh", "restart-policy-malformed", lambda pod: pod["spec"].setdefault("initContainers", []).append(
        {"name": "setup", "image": "registry.example.com/tools/setup:1", "restartPolicy": "Never"}), outside=True)
    if p["firstInits"]:
        setup = {"name": "setup", "image": "registry.example.com/tools/setup:1"}

        def init_at(index, container):
            return lambda pod: pod["spec"].setdefault("initContainers", []).insert(index, dict(container))
        # An app init container before it runs before traffic is captured; after it, it is captured.
        kit.pod("app_init_before_first_sidecar", "init-order-not-approved", init_at(0, setup))
        kit.pod("app_init_after_first_sidecar", False, init_at(99, setup))
        kit.pod("app_init_before_first_sidecar_outside_mesh", False, init_at(0, setup), outside=True)
    if p["nativeInits"]:
        def to_init(restart):
            def move(pod, name=p["nativeInits"][0]):
                c = kit.sidecar(pod, name)
                for field in ("initContainers", "containers"):
                    pod["spec"][field] = [x for x in pod["spec"].get(field, []) if x is not c]
                moved = {k: v for k, v in c.items() if k != "restartPolicy"}
                pod["spec"]["initContainers"].append(dict(moved, **({"restartPolicy": restart} if restart else {})))
            return move
        # Run to completion before the app (red team 14b: with args that exit at once, the app runs with no proxy).
        kit.pod("sidecar_as_plain_init_container", "placement-not-approved", to_init(None))
        kit.pod("sidecar_as_native_init_container", False, to_init("Always"))
        kit.pod("sidecar_as_plain_init_container_outside_mesh", False, to_init(None), outside=True)
    if p["plainInits"]:
        def restart(policy, name=p["plainInits"][0]):
            return lambda pod: kit.sidecar(pod, name).update(restartPolicy=policy)
        # Native, it is marked started at once, and the app starts beside it while it still writes the capture rules (red team 15a).
        kit.pod("plain_init_sidecar_made_native", "placement-not-approved", restart("Always"))
        kit.pod("plain_init_sidecar_restart_policy_null", False, restart(None))
        kit.pod("plain_init_sidecar_made_native_outside_mesh", False, restart("Always"), outside=True)
    kit.pod("native_sidecar_outside_mesh", False, lambda pod: pod["spec"].setdefault("initContainers", []).append(
        {"name": "shadow", "image": "registry.example.com/tools/shadow:1", "restartPolicy": "Always"}), outside=True)


def template_context(params):
    names = sorted(s["name"] for s in params["sidecars"])
    return {
        "status_patterns": status_patterns(names),
        "rego_status_patterns": rego_status_patterns(names),
        "sidecar_names": names,
        "status_max_length": STATUS_MAX_LENGTH,
    }


RULE = Rule(
    info=RuleInfo("SC003", "unapproved-sidecar", "Unapproved sidecar",
                  "No container but an approved sidecar runs a sidecar image, no unapproved native sidecar or injected container appears, and approved sidecars stay in their placements.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "image-under-other-name": "a container with another name runs a sidecar image",
        "digest-under-other-name": "a container with another name runs an approved sidecar digest, whatever repository names it",
        "image-unparseable": "a non-sidecar container's image does not parse, so it may be a sidecar image",
        "native-sidecar-unapproved": "an init container with restartPolicy Always is not an approved sidecar",
        "placement-not-approved": "an approved sidecar sits in a placement it does not allow",
        "status-unapproved-container": "the injector status annotation lists an unapproved container",
        "status-malformed": "the injector status annotation is not the injector's status JSON",
        "pod-spec-malformed": "a container list is not a list of named containers, or there is no containers list",
        "pod-metadata-malformed": "the pod's metadata, labels or annotations are not of the shape Kubernetes reads",
        "restart-policy-malformed": "an init container's restartPolicy is set to something other than Always",
        "init-order-not-approved": "an app init container comes before a sidecar that must precede every app init container",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    template_context=template_context,
    coverage_notes={
        "ValidatingAdmissionPolicy": "yes: the status annotation is read by a strict JSON grammar (docs/vap.md)",
    },
    usual=lambda params: True,
)
