"""The policygen command: a thin layer over the public API."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from . import tools
from .engines import CLUSTER_ENGINES, ENGINES
from .errors import EngineError, EngineNotInstalled, PolicygenError
from .output import diff_tree, write_tree
from .pipeline import evaluate, render_all
from .plan import build_plan
from .samples import load_samples
from .spec import load_spec
from .verify import build_report, format_report

EXIT_BAD_INPUT = 2
EXIT_ENGINE = 3


def _cmd_generate(args: argparse.Namespace) -> int:
    plan = build_plan(load_spec(args.spec))
    files = render_all(plan)
    out = Path(args.output)
    if args.check:
        changes = [c for c in diff_tree(files, out) if c.action != "identical"]
        by_path = {str(p): text for p, text in files.items()}
        for change in changes:
            print(f"{change.action:9} {out / change.path}")
            new = by_path.get(change.path, "")
            old = (out / change.path).read_text(encoding="utf-8") if change.action != "create" else ""
            sys.stdout.writelines(
                difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{change.path}", f"b/{change.path}", n=2)
            )
        if changes:
            print(f"{out} is not what `policygen generate {args.spec}` writes: {len(changes)} file(s) differ", file=sys.stderr)
            return 1
        print(f"{out}: up to date ({len(files)} files)")
        return 0
    changes = write_tree(files, out)
    if not args.quiet:
        for change in changes:
            print(f"{change.action:9} {out / change.path}")
    counts = {a: sum(1 for c in changes if c.action == a) for a in ("create", "update", "identical", "delete")}
    print(f"generated {len(files)} files into {out} ({', '.join(f'{n} {a}' for a, n in counts.items() if n)})")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    plan = build_plan(load_spec(args.spec))
    samples = load_samples(args.paths)
    engine = args.engine
    if args.engine == "cluster":
        from .engines.cluster import ClusterEngine

        backend = args.backend or "vap"
        if not args.kubeconfig:
            for name in tools.CLUSTER_TOOLS + tools.CLUSTER_BACKEND_TOOLS[backend]:
                tools.find(name)
        engine = ClusterEngine(backend=backend, kubeconfig=args.kubeconfig)
    elif args.kubeconfig or args.backend:
        raise PolicygenError("--backend and --kubeconfig go with --engine cluster")
    verdicts = evaluate(plan, engine, samples)
    if args.format == "json":
        json.dump([v.to_json() for v in verdicts], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for v in verdicts:
            state = "allowed" if v.allowed else "denied"
            print(f"{v.file}#{v.index} {v.kind} {v.namespace}/{v.name}: {state}")
            for violation in v.violations:
                print(f"  {violation.message}")
            if v.not_evaluated:
                print(f"  (not evaluated by {v.engine}: {', '.join(v.not_evaluated)})")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    plan = build_plan(load_spec(args.spec))
    samples = load_samples(args.samples)
    engines = args.engine or list(ENGINES)
    chosen = []
    for engine in engines:
        if tools.is_installed(tools.ENGINE_TOOLS[engine]):
            chosen.append(engine)
        elif args.engine:
            raise EngineNotInstalled(engine, tools.install_hint(engine))
        else:
            print(f"SKIPPED engine {engine}: not installed; install it with: {tools.install_hint(engine)}", file=sys.stderr)
    if not chosen:
        raise EngineNotInstalled("opa", tools.install_hint("opa"))
    by_engine = {engine: evaluate(plan, engine, samples) for engine in chosen}
    report = build_report(samples.resources, by_engine)
    print(format_report(report))
    if len(chosen) < len(engines):
        print(f"WARNING: {len(engines) - len(chosen)} engine(s) skipped; this verification is incomplete", file=sys.stderr)
        return 1
    return 0 if report.ok else 1


def _cmd_tools(args: argparse.Namespace) -> int:
    if args.action == "list":
        tools.main_list()
        return 0
    names = args.names or list(tools.TOOLS)
    unknown = [n for n in names if n not in tools.TOOLS]
    if unknown:
        raise PolicygenError(f"unknown tool(s): {', '.join(unknown)}; known: {', '.join(tools.TOOLS)}")
    tools.install_all(names, log=lambda m: print(m, flush=True))
    return 0


def _cmd_cluster(args: argparse.Namespace) -> int:
    from .cluster import state

    if args.action == "up":
        for name in ("etcd", "kube-apiserver"):
            tools.find(name)
        info = state.up()
        print(f"kubeconfig: {info['kubeconfig']}")
        print(f"server:     {info['server']}")
        print(f"export KUBECONFIG={info['kubeconfig']}")
        return 0
    if args.action == "down":
        info = state.down()
        print("stopped the local control plane" if info else "no local control plane is running")
        return 0
    info = state.read_state()
    if info is None:
        print("no local control plane is running; start one with: policygen cluster up", file=sys.stderr)
        return 1
    print(f"export KUBECONFIG={info['kubeconfig']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policygen",
        description="Compile an approved-sidecars spec into Rego, Gatekeeper and Kyverno policies, and prove them in the real engines.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="compile a spec into dist/ (rego, gatekeeper, kyverno)")
    gen.add_argument("spec")
    gen.add_argument("-o", "--output", required=True, help="output folder; replaced atomically")
    gen.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff if the folder is stale")
    gen.add_argument("-q", "--quiet", action="store_true")
    gen.set_defaults(func=_cmd_generate)

    ev = sub.add_parser("eval", help="judge resources with one engine")
    ev.add_argument("--spec", required=True)
    ev.add_argument("--engine", required=True, choices=[*ENGINES, *CLUSTER_ENGINES])
    ev.add_argument("--backend", choices=["vap", "gatekeeper", "kyverno"],
                    help="with --engine cluster: the dist/ folder installed into the local control plane (default vap)")
    ev.add_argument("--kubeconfig", help="with --engine cluster: judge in this existing cluster; installs nothing, sends only dry-runs")
    ev.add_argument("--format", choices=["json", "text"], default="json")
    ev.add_argument("paths", nargs="+")
    ev.set_defaults(func=_cmd_eval)

    ver = sub.add_parser("verify", help="check labelled samples in every engine; exit 1 on any mismatch")
    ver.add_argument("spec")
    ver.add_argument("samples", nargs="+")
    ver.add_argument("--engine", action="append", choices=list(ENGINES), help="repeatable; default: every engine")
    ver.set_defaults(func=_cmd_verify)

    cl = sub.add_parser("cluster", help="a local Kubernetes control plane (etcd + kube-apiserver on 127.0.0.1)")
    cl.add_argument("action", choices=["up", "down", "env"])
    cl.set_defaults(func=_cmd_cluster)

    tl = sub.add_parser("tools", help="build the pinned engines from the Go module proxy (cached)")
    tl.add_argument("action", choices=["install", "list"])
    tl.add_argument("names", nargs="*")
    tl.set_defaults(func=_cmd_tools)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except EngineError as exc:
        print(f"policygen: {exc}", file=sys.stderr)
        return EXIT_ENGINE
    except PolicygenError as exc:
        print(f"policygen: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
