"""The parsers on hand-picked cases: each with the answer the modelled component gives, in Python and in Rego.

tests/test_parsers_property.py adds generated strings and CEL; these are the
cases a reader can check against the grammar by eye.
"""

import json

import pytest

from policygen.capabilities import runtime_capability
from policygen.images import ImageRefError, any_port, parse_image
from policygen.quantity import QuantityError, parse

D256 = "sha256:" + "a" * 64
D512 = "sha512:" + "b" * 128

# reference -> (repository, tag, digest, verified digest), or None when it does not parse
IMAGES = {
    "istio/proxyv2": ("docker.io/istio/proxyv2", "", "", False),
    "docker.io/istio/proxyv2": ("docker.io/istio/proxyv2", "", "", False),
    "index.docker.io/istio/proxyv2": ("docker.io/istio/proxyv2", "", "", False),
    "registry-1.docker.io/istio/proxyv2": ("docker.io/istio/proxyv2", "", "", False),
    "Docker.IO/istio/proxyv2": ("docker.io/istio/proxyv2", "", "", False),
    "nginx": ("docker.io/library/nginx", "", "", False),
    "nginx:latest": ("docker.io/library/nginx", "latest", "", False),
    "docker.io.evil.example/istio/proxyv2": ("docker.io.evil.example/istio/proxyv2", "", "", False),
    "evil.example/docker.io/istio/proxyv2": ("evil.example/docker.io/istio/proxyv2", "", "", False),
    "docker.io/istio/proxyv2-debug": ("docker.io/istio/proxyv2-debug", "", "", False),
    "registry.corp.example:5000/mesh/proxyv2:1.2": ("registry.corp.example:5000/mesh/proxyv2", "1.2", "", False),
    "Registry.Corp.Example:5000/mesh/proxyv2": ("registry.corp.example:5000/mesh/proxyv2", "", "", False),
    "localhost/proxy": ("localhost/proxy", "", "", False),
    "localhost:5000/proxy:dev": ("localhost:5000/proxy", "dev", "", False),
    "localhost:5000": ("docker.io/library/localhost", "5000", "", False),
    "[::1]:5000/mesh/proxy": ("[::1]:5000/mesh/proxy", "", "", False),
    "[fe80::A]/x": ("[fe80::a]/x", "", "", False),
    # an upper-case first component is a host (distribution's splitDockerDomain)
    "Istio/proxyv2": ("istio/proxyv2", "", "", False),
    "a/b/c/d:e": ("docker.io/a/b/c/d", "e", "", False),
    "a__b/c---d/e.f_g": ("docker.io/a__b/c---d/e.f_g", "", "", False),
    f"istio/proxyv2:1.24.0@{D256}": ("docker.io/istio/proxyv2", "1.24.0", D256, True),
    f"istio/proxyv2@{D512}": ("docker.io/istio/proxyv2", "", D512, True),
    # the repository is intact and only the digest is wrong: it parses, and SC002 judges the digest
    "istio/proxyv2@sha256:abc": ("docker.io/istio/proxyv2", "", "sha256:abc", False),
    "istio/proxyv2@sha256:" + "A" * 64: ("docker.io/istio/proxyv2", "", "sha256:" + "A" * 64, False),
    "istio/proxyv2@md5:" + "a" * 32: ("docker.io/istio/proxyv2", "", "md5:" + "a" * 32, False),
    "istio/proxyv2@sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564": (
        "docker.io/istio/proxyv2", "", "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", False),
    "x/" + "a" * 253: ("docker.io/x/" + "a" * 253, "", "", False),
    # near misses of the Rego's quick shape (images.quick): a dotted single name, a hub host with a port,
    # a bare localhost, a dotted first component that the host grammar refuses
    "my.proxy:1.2": ("docker.io/library/my.proxy", "1.2", "", False),
    "docker.io:443/istio/proxyv2": ("docker.io:443/istio/proxyv2", "", "", False),
    "localhost": ("docker.io/library/localhost", "", "", False),
    "a_b.example/x": None, "a.b_c/x": None, "a-.example/x": None, "istio/proxyv2@sha256:" + "a" * 63: (
        "docker.io/istio/proxyv2", "", "sha256:" + "a" * 63, False),
    "x/" + "a" * 252 + "/": None, "library/nginx": ("docker.io/library/nginx", "", "", False),
    # unparseable
    "istio/Proxyv2": None, "istio/proxyv2:": None, "istio/proxyv2@": None, "istio/proxyv2@sha256": None,
    "istio/proxyv2@SHA256:" + "a" * 64: None, "istio/proxyv2@sha256:a b": None, "istio/proxyv2@a:b@c:d": None,
    "a b": None, "istio/proxyv2:1:2": None, "": None, "/istio/proxyv2": None, "istio//proxyv2": None,
    "istio/proxyv2:-x": None, "registry:port/x": None, "a" * 64: None, "x/" + "a" * 254: None,
    # an image ID alone: containerd runs the image on the node that has it, whatever it is
    D256: None, D512: None, "sha384:" + "a" * 96: None, "sha256:abc": None,
    "istio/proxyv2:" + "t" * 129: None, "evil.example./x": None, "-evil.example/x": None, "[::1/x": None,
    "\u212aevil.example/x": None,  # Kelvin sign: Unicode lower-casing would make it "k"
    "ſtio/proxy": None, "istio/proxyv2\n": None, " istio/proxyv2": None, "istio/proxyv2\u0000": None,
    "istio/proxyv2:1.0\t": None, "istio/pro\u00f6xy": None,
}

# text -> canonical exact value, or None when ParseQuantity (with our exponent limit) refuses it
QUANTITIES = list({
    "1Gi": "1073741824e0", "1000Mi": "1048576e3", "1500m": "15e-1", "2": "2e0", "0": "0", ".5": "5e-1",
    "5.": "5e0", "1.G": "1e9", "100n": "1e-7", "5u": "5e-6", "1k": "1e3", "1M": "1e6", "1E": "1e18",
    "1e3": "1e3", "1E3": "1e3", "1.5e-3": "15e-4", "2e+2": "2e2", "+1": "1e0", "-1": "-1e0", "-0": "0",
    "1000000000000000001m": "1000000000000000001e-3", "1000000000000000000m": "1e15",
    "0.0000000001": "1e-9",  # finer than nano: rounded up, never to zero
    "0.1n": "1e-9", "-0.5n": "-1e-9", "1.0000000001": "1000000001e-9", "0.000000000001Ki": "2e-9",
    "8Ei": "9223372036854775807e0", "7Ei": "8070450532247928832e0",  # binary quantities cap at 2^63-1
    "10000000000000000000": "1e19", "1e19": "1e19", "1.5Gi": "1610612736e0", "0.5Ki": "512e0",
    "k": "0", "+": "0", ".": "0", "Ki": "0", "1e999": "1e999", "1e-999": "1e-9", "1e+0999": "1e999",
    1: "1e0", 0.25: "25e-2",
    "1K": None, "1e": None, "1 Gi": None, "abc": None, "2Gi ": None, " 2Gi": None, "": None, "1.2.3": None,
    "1e1000": None, "1e-1000": None, "e-10": None, "Pi": None, "1Mi5": None, "1ki": None, "1e5.5": None,
    "1e+": None, "1+5": None, "--1": None, "١": None, "1\n": None, None: None,
}.items()) + [(True, None), ([1], None), ({"a": 1}, None)]

CAPABILITIES = {
    "NET_ADMIN": "NET_ADMIN", "net_admin": "NET_ADMIN", "CAP_NET_ADMIN": "NET_ADMIN", "cap_net_admin": "NET_ADMIN",
    "Cap_Sys_Admin": "SYS_ADMIN", "all": "ALL", "CAP_CAP_X": "CAP_X",
    # Go's ToUpper reads "ſ" as S and "ı" as I: a runtime would take these as SYS_ADMIN
    "ſys_admin": None, "net_admın": None, "NET_ADM\u212aN": None, "straße": None,
    "CAP_": None, "": None, "NET ADMIN": None, "NET_ADMIN\n": None, "SYS-ADMIN": None, 5: None, None: None,
}


def _python_image(ref):
    try:
        p = parse_image(ref)
    except ImageRefError:
        return None
    return (p.repository, p.tag or "", p.digest or "", p.verified_digest)


def _python_quantity(q):
    try:
        return parse(q).canonical()
    except QuantityError:
        return None


@pytest.fixture(scope="module")
def rego_answers(opa_server, reference_dist):
    opa_server.load(reference_dist / "rego")
    # [x | x := f(a)] is [] where f is undefined, so that no case drops out of the answer.
    query = (
        f"images := [[r, [x | x := data.lib.policygen.images.parse(r)]] | some r in {json.dumps(list(IMAGES))}]; "
        f"qs := [[q[0], [x | x := data.lib.policygen.quantity.canonical(q[0])]] | some q in {json.dumps([[k] for k, _ in QUANTITIES])}]; "
        f"caps := [[c[0], [x | x := data.lib.policygen.pods.capability(c[0])]] | some c in {json.dumps([[k] for k in CAPABILITIES])}]; "
        f"ports := [[r, [x | x := data.lib.policygen.images.any_port(r)]] | some r in {json.dumps(list(ANY_PORT))}]"
    )
    return opa_server.client.ad_hoc_query(query)["result"][0]


def _rego_image(found: list):
    return (found[0]["repository"], found[0]["tag"], found[0]["digest"], found[0]["verified_digest"]) if found else None


# reference -> its repository on any port of its host (images.any_port), as SC003 compares a disguise
ANY_PORT = {
    "registry-1.docker.io:443/istio/proxyv2@" + D256: "docker.io/istio/proxyv2",
    "index.docker.io:443/nginx": "docker.io/library/nginx",
    "Docker.IO:0443/istio/proxyv2:1": "docker.io/istio/proxyv2",
    "index.docker.io/istio/proxyv2": "docker.io/istio/proxyv2",
    "registry.corp.example:05000/mesh/proxyv2": "registry.corp.example/mesh/proxyv2",
    "registry.corp.example/mesh/proxyv2": "registry.corp.example/mesh/proxyv2",
    "[::1]:5000/mesh/proxy": "[::1]/mesh/proxy",
    "[::1]/mesh/proxy": "[::1]/mesh/proxy",
    "localhost:5000/a": "localhost/a",
    "istio/proxyv2": "docker.io/istio/proxyv2",
    # near misses: another host, and Docker Hub's name inside another one
    "docker.io.evil.example:443/istio/proxyv2": "docker.io.evil.example/istio/proxyv2",
    "evil.example:443/docker.io/istio/proxyv2": "evil.example/docker.io/istio/proxyv2",
    D256: None,
}


def test_any_port_drops_the_port_and_folds_docker_hub(rego_answers):
    assert {r: any_port(parse_image(r)) if _python_image(r) else None for r in ANY_PORT} == ANY_PORT
    assert {r: (x[0] if x else None) for r, x in rego_answers["ports"]} == ANY_PORT


def test_images_parse_as_the_grammar_says():
    assert {r: _python_image(r) for r in IMAGES} == IMAGES


def test_rego_images_agree(rego_answers):
    rego = {ref: _rego_image(found) for ref, found in rego_answers["images"]}
    assert rego == IMAGES


def test_quantities_read_as_parse_quantity_reads_them():
    assert [(q, _python_quantity(q)) for q, _ in QUANTITIES] == QUANTITIES


def test_rego_quantities_agree(rego_answers):
    assert [x[0] if x else None for _, x in rego_answers["qs"]] == [v for _, v in QUANTITIES]


def test_capabilities_read_as_the_runtime_reads_them(rego_answers):
    assert {c: runtime_capability(c) for c in CAPABILITIES} == CAPABILITIES
    # Rego's null and CEL's "" both mean "no runtime reads this".
    assert [x[0] if x else "undefined" for _, x in rego_answers["caps"]] == list(CAPABILITIES.values())
