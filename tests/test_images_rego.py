"""The Rego image and quantity parsers agree with Python's on SPEC.md's cases and their edges."""

import json

import pytest

from policygen.images import ImageRefError, parse_image
from policygen.quantity import parse_quantity

REFS = [
    "istio/proxyv2", "docker.io/istio/proxyv2", "index.docker.io/istio/proxyv2", "registry-1.docker.io/istio/proxyv2",
    "docker.io.evil.example/istio/proxyv2", "docker.io/istio/proxyv2-debug", "evil.example/docker.io/istio/proxyv2",
    "registry.corp.example:5000/mesh/proxyv2", "registry.corp.example:5000/mesh/proxyv2:1.2",
    "istio/proxyv2:1.24.0@sha256:" + "0" * 64, "istio/proxyv2@sha256:" + "a" * 64, "nginx", "nginx:latest",
    "localhost/proxy", "localhost:5000/proxy:dev", "Docker.IO/istio/proxyv2", "a/b/c/d:e",
    # unparseable
    "Istio/proxyv2", "istio/proxyv2:", "istio/proxyv2@sha256:abc", "istio/proxyv2@md5:" + "a" * 32, "a b",
    "istio/proxyv2:1:2", "", "/istio/proxyv2", "istio//proxyv2", "istio/proxyv2:-x", "registry:port/x",
]
QUANTITIES = ["1Gi", "1000Mi", "1500m", "2", "0", "512Mi", "0.5", ".5", "100n", "5u", "1k", "1M", "1e3", "1E3", "1.5e-3", "2e+2", "1E", "1K", "-1", "1 Gi", "abc", "2Gi "]


def _python_repo(ref):
    try:
        return parse_image(ref).repository
    except ImageRefError:
        return None


def _python_quantity(q):
    try:
        return float(parse_quantity(q))
    except ValueError:
        return None


@pytest.fixture(scope="module")
def rego_answers(opa_server, reference_dist):
    opa_server.load(reference_dist / "rego")
    query = (
        f"repos := {{r: x | some r in {json.dumps(REFS)}; x := object.get({{\"v\": data.lib.policygen.images.repository(r)}}, \"v\", null)}}; "
        f"qs := {{q: x | some q in {json.dumps(QUANTITIES)}; x := object.get({{\"v\": data.lib.policygen.quantity.parse(q)}}, \"v\", null)}}"
    )
    answer = opa_server.client.ad_hoc_query(query)
    return answer["result"][0]


def test_image_parsers_agree(rego_answers):
    differ = {r: (_python_repo(r), rego_answers["repos"].get(r)) for r in REFS if _python_repo(r) != rego_answers["repos"].get(r)}
    assert differ == {}
    assert sum(1 for r in REFS if _python_repo(r) is None) >= 10


def test_quantity_parsers_agree(rego_answers):
    differ = {}
    for q in QUANTITIES:
        py, rego = _python_quantity(q), rego_answers["qs"].get(q)
        if (py is None) != (rego is None) or (py is not None and abs(py - rego) > 1e-9 * max(1, abs(py))):
            differ[q] = (py, rego)
    assert differ == {}
