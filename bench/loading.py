"""How fast inputs are read: policygen's loader against the per-document PyYAML loading it replaced.

Run: python bench/loading.py [N] [--keep DIR]   (N generated resources, default 3000)

Writes N Istio-injected Deployments and Pods (taken from the shared corpus,
renamed) into 30 multi-document files, then reads them three ways, each in
one run of this process:

- before: what samples.py did until issue 11.1, a scan of each document for
  `# expect` followed by PyYAML's pure-Python `yaml.safe_load`;
- libyaml: the same with PyYAML's C loader (no limits, PyYAML's YAML 1.1, not kubectl's);
- policygen: `load_samples` (libyaml events, kubectl's reading, every limit).

Prints resources per second and the ratio to "before". Nothing is asserted.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policygen.samples import load_samples  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "istio-injected"
_EXPECT = re.compile(r"^#\s*expect(?:\[(\d+)\])?\s*:\s*(.*?)\s*$")
_SEPARATOR = re.compile(r"^---(?:[ \t].*)?$", re.MULTILINE)


def workloads() -> list[str]:
    """Deployment and Pod documents of the corpus, as text."""
    out = []
    for f in sorted(CORPUS.glob("*.injected")):
        for chunk in _SEPARATOR.split(f.read_text(encoding="utf-8")):
            doc = yaml.load(chunk, Loader=yaml.CSafeLoader)
            if isinstance(doc, dict) and doc.get("kind") in ("Deployment", "Pod"):
                out.append(chunk.strip("\n"))
    return out


def write(n: int, folder: Path, tampered_every: int = 0, namespace: str = "") -> list[Path]:
    """n resources in 30 files; with tampered_every k, every k-th one runs its sidecar from an unapproved registry;
    with a namespace, every resource is placed in it (a namespace of the mesh makes every pod rule do its work)."""
    base = workloads()
    files: list[list[str]] = [[] for _ in range(30)]
    for i in range(n):
        text = base[i % len(base)]
        text = re.sub(r"^(  name: )(\S+)$", lambda m: f"{m.group(1)}{m.group(2)}-{i}", text, count=1, flags=re.MULTILINE)
        if namespace:
            text = re.sub(r"^  namespace: \S+\n", "", text, count=1, flags=re.MULTILINE)
            text = re.sub(r"^metadata:\n", f"metadata:\n  namespace: {namespace}\n", text, count=1, flags=re.MULTILINE)
        expect = "allow"
        if tampered_every and i % tampered_every == tampered_every - 1:
            text, found = re.subn(r"(image: )[^\s]*/(proxyv2:)", r"\1evil.example/istio/\2", text)
            expect = "deny SC001" if found else expect
        files[i % 30].append(f"# expect: {expect}\n{text}")
    paths = []
    for k, docs in enumerate(files):
        p = folder / f"workloads-{k:02d}.yaml"
        p.write_text("---\n".join(d + "\n" for d in docs), encoding="utf-8")
        paths.append(p)
    return paths


def before(paths: list[Path], loader) -> int:
    count = 0
    for p in paths:
        for chunk in _SEPARATOR.split(p.read_text(encoding="utf-8")):
            for line in chunk.splitlines():
                _EXPECT.match(line.strip())
            doc = yaml.load(chunk, Loader=loader)
            if doc is not None:
                count += 1
    return count


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    args = sys.argv[1:]
    keep = None
    if "--keep" in args:
        keep = Path(args[args.index("--keep") + 1])
        del args[args.index("--keep"):args.index("--keep") + 2]
    n = int(args[0]) if args else 3000
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        paths = write(n, folder)
        size = sum(p.stat().st_size for p in paths)
        rows = [
            ("before: scan + yaml.safe_load (pure Python)", timed(lambda: before(paths, yaml.SafeLoader))),
            ("libyaml: scan + CSafeLoader (no limits)", timed(lambda: before(paths, yaml.CSafeLoader))),
            ("policygen: load_samples (kubectl reading, limits)", timed(lambda: len(load_samples(paths).resources))),
        ]
    base = rows[0][1][0]
    print(f"{n} resources, {len(paths)} files, {size / 1e6:.1f} MB")
    for name, (secs, count) in rows:
        print(f"{name:52} {secs:7.2f} s  {count / secs:8.0f} resources/s  {base / secs:5.1f}x")


if __name__ == "__main__":
    main()
