"""The generated Rego is idiomatic OPA 1.x and its own tests pass in the real opa and conftest."""

import re


from policygen.backends.rego import UNSUPPORTED
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.rules import ALL_RULE_IDS, REGISTRY

from .conftest import ROOT, run_tool


def test_every_rule_has_a_rego_template():
    missing = [r for r in ALL_RULE_IDS if r not in UNSUPPORTED and REGISTRY[r].rego_template is None]
    assert missing == []


def test_every_policy_folder_has_its_tests(reference_dist):
    folders = [p for p in (reference_dist / "rego").iterdir() if p.is_dir() and p.name not in ("lib", ".regal")]
    assert len(folders) == 16
    for folder in folders:
        assert (folder / "src.rego").is_file() and (folder / "src_test.rego").is_file(), folder


def test_opa_fmt_has_no_diff(reference_dist):
    proc = run_tool("opa", "fmt", "--diff", str(reference_dist / "rego"))
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_opa_check_strict(reference_dist):
    proc = run_tool("opa", "check", "--strict", str(reference_dist / "rego"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_opa_test_runs_every_generated_fixture(reference_dist):
    proc = run_tool("opa", "test", str(reference_dist / "rego"), "-v")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    m = re.search(r"PASS: (\d+)/(\d+)", proc.stdout)
    assert m and m.group(1) == m.group(2) and int(m.group(1)) >= 60, proc.stdout[-500:]


def test_conftest_verify_runs_the_same_tests(reference_dist):
    proc = run_tool("conftest", "verify", "--no-color", "--policy", str(reference_dist / "rego"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert re.search(r"(\d+) tests, \1 passed", proc.stdout), proc.stdout[-500:]


def test_regal_lint(reference_dist):
    rego = reference_dist / "rego"
    proc = run_tool("regal", "lint", "--config-file", str(rego / ".regal" / "config.yaml"), str(rego))
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr


def test_spec_values_reach_rego_only_as_json(tmp_path):
    """A hostile string in the spec stays a string: the policy's logic is unchanged."""
    import policygen as pg

    text = (ROOT / "specs" / "reference.yaml").read_text()
    text = text.replace("PILOT_CERT_PROVIDER: istiod", 'PILOT_CERT_PROVIDER: "x\\"}\\nallow := true\\n#"')
    spec = tmp_path / "hostile.yaml"
    spec.write_text(text)
    out = tmp_path / "dist"
    write_tree(render_all(pg.build_plan(pg.load_spec(spec)), ["rego"]), out)
    src = (out / "rego" / "sc005-sidecar-command-args-env" / "src.rego").read_text()
    assert '"x\\"}\\nallow := true\\n#"' in src
    assert "\nallow := true" not in src
    proc = run_tool("opa", "check", "--strict", str(out / "rego"))
    assert proc.returncode == 0, proc.stderr


def _json_values():
    from hypothesis import strategies as st

    text = st.text(alphabet=st.sampled_from(list('ab"\\}]{[,:\n\t é') + ["\u2028"]), max_size=6)
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), text)
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(text, inner, max_size=3)), max_leaves=12)


def test_rego_literals_are_what_opa_fmt_writes_and_read_back_as_their_value(tmp_path):
    """rego_literal lays JSON out as `opa fmt` does (a comma after every element): the generated policies
    pass `opa fmt --diff` only if it does. Generated values, closing brackets and breaks inside strings
    included, each in a module of its own; opa formats none of them differently, and evaluates each back
    to the value it was written from."""
    import json

    from hypothesis import HealthCheck, given, settings

    from policygen.backends.rego import rego_literal

    values: list = []

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(_json_values())
    def collect(value):
        values.append(value)

    collect()
    values += [{}, [], {"a": {}}, [[]], {"}": "]", "x": ["}", {"]": "\n}"}]}]
    for i, value in enumerate(values):
        (tmp_path / f"v{i}.rego").write_text(f"package v{i}\n\nvalue := {rego_literal(value)}\n", encoding="utf-8")
    proc = run_tool("opa", "fmt", "--diff", str(tmp_path))
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout[:3000] + proc.stderr
    proc = run_tool("opa", "eval", "--format", "json", "--data", str(tmp_path), "data")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    assert [data[f"v{i}"]["value"] for i in range(len(values))] == values


def _conftest_failures(policy, path, *extra):
    import json

    proc = run_tool("conftest", "test", "--no-color", "--output", "json", "--policy", str(policy), *extra, str(path))
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr
    return sorted(f["msg"] for result in json.loads(proc.stdout) for f in result.get("failures") or [])


def test_conftest_judges_each_object_of_a_list(reference_dist, tmp_path):
    """conftest given a List (kubectl get -o yaml writes one) judges each object in it, nested lists and
    kubectl's kind defaults included, as it judges the same objects given alone: a List hid them before."""
    import yaml

    privileged = {"containers": [{"name": "web", "image": "busybox", "securityContext": {"privileged": True, "capabilities": {"add": ["NET_ADMIN"]}}}]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "in-list", "namespace": "payments"}, "spec": privileged}
    kindless = {"metadata": {"name": "nested", "namespace": "payments"}, "spec": privileged}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "payments"}, "data": {"items": "x"}}
    listed = {"apiVersion": "v1", "kind": "List", "items": [pod, {"apiVersion": "v1", "kind": "PodList", "items": [kindless]}, config]}
    (tmp_path / "list.yaml").write_text(yaml.safe_dump(listed))
    alone = [pod, {"apiVersion": "v1", "kind": "Pod", **kindless}, config]
    (tmp_path / "alone.yaml").write_text(yaml.safe_dump_all(alone))
    rego = reference_dist / "rego"
    for extra in ((), ("--namespace", "policygen.sc010")):
        from_list = _conftest_failures(rego, tmp_path / "list.yaml", *extra)
        by_itself = _conftest_failures(rego, tmp_path / "alone.yaml", *extra)
        assert by_itself and any(m.startswith("SC010/privileged") for m in by_itself)
        where = {"(items[0])": 0, "(items[1].items[0])": 0}
        stripped = []
        for msg in from_list:
            text, _, suffix = msg.rpartition(" ")
            assert suffix in where, msg
            where[suffix] += 1
            stripped.append(text)
        assert sorted(stripped) == by_itself
        assert all(where.values()), where


def test_usual_case_shortcuts_survive_hand_written_parameters(reference_dist, reference_plan, tmp_path):
    """SC004's and SC005's bodies that clear the usual sidecar hold only for parameters as the plan
    writes them: given a Constraint's parameters written otherwise by hand (a capability name in lower
    case, a number for a list, a variable both pinned and forbidden), they clear nothing and the checks
    decide, and a message that lists such values is written (review.listed)."""
    import copy
    import json

    from policygen.samples import load_samples

    pod = load_samples([ROOT.parent / "shared" / "corpus" / "istio-injected" / "pod.yaml.injected"]).resources[0].source
    pod["metadata"]["namespace"] = reference_plan.rule("SC004").params["scope"]["meshNamespaces"][0]
    review = {"operation": "CREATE", "userInfo": {"username": "someone", "groups": []}, "object": pod,
              "oldObject": None, "namespace": "", "subResource": ""}

    def judge(rule: str, edit, adds: list | None = None) -> list[str]:
        params = copy.deepcopy(reference_plan.rule(rule).params)
        for sidecar in params["sidecars"]:
            edit(sidecar)
        given = copy.deepcopy(review)
        if adds is not None:
            init = next(c for c in given["object"]["spec"]["initContainers"] if c["name"] == "istio-init")
            init["securityContext"]["capabilities"]["add"] = adds
        (tmp_path / "input.json").write_text(json.dumps({"review": given, "params": params}))
        proc = run_tool("opa", "eval", "--format", "json", "-d", str(reference_dist / "rego"), "-i", str(tmp_path / "input.json"),
                        f"data.lib.policygen.rules.{rule.lower()}.violations(input.review, input.params, {{}})")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return sorted(f["check"] for f in json.loads(proc.stdout)["result"][0]["expressions"][0]["value"])

    # istio-init adds NET_ADMIN and NET_RAW. Approved as net_admin (no name the plan writes), the runtime's
    # NET_ADMIN is not approved, however the pod spells it: the shortcut compares canonical names only.
    assert judge("SC004", lambda s: None) == []
    for adds in (["NET_ADMIN", "NET_RAW"], ["net_admin", "NET_RAW"]):
        assert judge("SC004", lambda s: s.update(mayAdd=["NET_RAW", "net_admin"]), adds) == ["capability-added"]
    # A number among the approved names: both are unapproved, and the message that lists it is still written.
    assert judge("SC004", lambda s: s.update(mayAdd=[1])) == ["capability-added", "capability-added"]
    # Without args checked, a prefix that is no list is never read; pinned variables that are no list pin nothing.
    assert judge("SC005", lambda s: s.update(checkArgs=False, argsPrefix=5, pinnedEnv=5)) == []
    # A variable both pinned and forbidden (the spec refuses it) is reported forbidden, not cleared.
    forbidden_too = judge("SC005", lambda s: s.update(forbiddenEnv=[*s["forbiddenEnv"], *(w["name"] for w in s["pinnedEnv"])]))
    assert "env-forbidden" in forbidden_too


def test_mesh_pod_fast_path_is_pod_or_null_written_out(reference_dist, reference_plan, tmp_path):
    """pods.mesh_pod_or_null's first branch writes out pod_or_null's and pod()'s first branches to save
    their calls: it must give the same value they give, on every review it takes, and leave every other
    one to them. Each corpus document in a listed namespace, as each operation and status write, and
    with each part the branch reads changed (no spec, labels not an object, another kind, excluded)."""
    import copy
    import json

    from policygen.samples import load_samples

    scope = reference_plan.rule("SC004").params["scope"]
    listed = scope["meshNamespaces"][0]
    docs = [r.source for r in load_samples(sorted((ROOT.parent / "shared" / "corpus" / "istio-injected").glob("*.injected"))).resources
            if isinstance(r.source, dict)]
    variants = []
    for doc in docs[:40]:
        for change in (lambda d: None, lambda d: d.pop("spec", None), lambda d: d["metadata"].update(labels="x"),
                       lambda d: d["metadata"].update(annotations=None), lambda d: d.update(kind="Deployment"),
                       lambda d: d["metadata"].update(namespace=scope["excludedNamespaces"][0])):
            d = copy.deepcopy(doc)
            d.setdefault("metadata", {})["namespace"] = listed
            change(d)
            for op, sub in (("CREATE", ""), ("UPDATE", ""), ("UPDATE", "status"), ("DELETE", ""), ("CONNECT", "")):
                variants.append({"operation": op, "subResource": sub, "object": d, "oldObject": copy.deepcopy(d),
                                 "userInfo": {"username": "u", "groups": []}, "namespace": listed})
    (tmp_path / "input.json").write_text(json.dumps({"reviews": variants, "scope": scope}))
    query = ("[i | some i, rev in input.reviews; p := data.lib.policygen.pods.mesh_pod_or_null(rev, input.scope, {}); "
             "p != null; p != data.lib.policygen.pods.pod_or_null(rev)]")
    proc = run_tool("opa", "eval", "--format", "json", "-d", str(reference_dist / "rego"), "-i", str(tmp_path / "input.json"), query)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["result"][0]["expressions"][0]["value"] == []
    # The fast path does answer here, and leaves what it does not clear to the branches below.
    count = ("count([i | some i, rev in input.reviews; data.lib.policygen.pods.mesh_pod_or_null(rev, input.scope, {}) != null])")
    proc = run_tool("opa", "eval", "--format", "json", "-d", str(reference_dist / "rego"), "-i", str(tmp_path / "input.json"), count)
    in_mesh = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    assert 0 < in_mesh < len(variants), (in_mesh, len(variants))
