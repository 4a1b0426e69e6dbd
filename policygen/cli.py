"""The policygen command: parses flags, calls the public API, prints.

Exit status: 0 done; 1 a verdict the caller asked to fail on (``eval
--fail-on``), a failed verification, or stale output (``generate --check``);
2 bad input (the message names the file and field); 3 an engine missing or
failed (a broken engine is never read as "allowed"); 130 interrupted (SIGINT),
143 terminated (SIGTERM), each after removing its temporary files and
stopping the processes it started.
"""

from __future__ import annotations

import argparse
import errno
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import tools
from .command import EXIT_INTERRUPTED
from .engines import CLUSTER_ENGINES, ENGINES
from .errors import EngineError, InputError, PolicygenError, SpecErrors
from .exceptions import expiry_messages as exception_expiry
from .pipeline import evaluate, evaluate_spool, generate, streams, verify
from .plan import plan_of_valid
from .report import FORMATS
from .spec import load_spec
from .visible import visible, visible_lines

if TYPE_CHECKING:  # each command imports what only it needs (report writers, the spool, the schema)
    from .samples import LoadOptions

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_ENGINE = 3
EXIT_TERMINATED = 128 + 15  # SIGTERM
FAIL_ON = ("deny", "warn", "never")


def _progress(message: str) -> None:
    """Progress for a person watching: only on a terminal, never in CI logs or pipes."""
    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)


def _write_output(content: str | Callable[[TextIO], None], output: str | None) -> None:
    """Text, or a writer of it, to standard output or to a file that appears only once complete."""
    def emit(out: TextIO) -> None:
        if callable(content):
            content(out)
        else:
            out.write(content)

    if not output or output == "-":
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            raise PolicygenError("standard output is closed; give -o FILE or redirect it")
        try:
            emit(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # a reader that stopped early: main() keeps quiet about it
        except OSError as exc:  # a full disk, a stdout opened read-only
            _silence_stdout()
            raise PolicygenError(f"standard output: cannot write: {exc.strerror or exc}") from None
        return
    target = _output_file(output)
    # Short enough for the file system's name limit whatever the target's name, which may be at the limit.
    tmp = target.with_name(f".{target.name[:200]}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            emit(out)
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise PolicygenError(f"{output}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _remove(tmp)
        raise


def _output_file(output: str) -> Path:
    """-o FILE as a path that may be written: absent or a regular file. A symlink, FIFO, device or folder
    is refused, not replaced by the report (`-o /dev/stdout` would otherwise become a file)."""
    import stat

    from .output import file_kind

    target = Path(output)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:  # a name over the limit, a parent that is a file
        raise PolicygenError(f"{output}: cannot write: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise PolicygenError(f"{output}: is {file_kind(mode)}, not a regular file; refusing to replace it "
                             "(give a new file name, or - for standard output)")
    return target


def _silence_stdout() -> None:
    """Standard output pointed at nothing, so that Python's flush at exit does not fail a second time."""
    if sys.stdout is not None:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass


def _remove(path: Path) -> None:
    """Clean up a temporary file that may not exist, or whose folder may not be one (`-o afile/x`)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _exception_expiry(plan, spec: str) -> list[str]:
    """Warn on stderr of exceptions about to expire; the errors for expired ones, to print and fail on where checking."""
    errors, warnings = exception_expiry(plan, spec)
    for line in warnings:
        print(f"policygen: warning: {line}", file=sys.stderr)
    return errors


def _cmd_generate(args: argparse.Namespace) -> int:
    plan = plan_of_valid(load_spec(args.spec))
    expired = _exception_expiry(plan, args.spec)
    if args.check:
        diff = generate(plan, args.output, check=True)
        for change in diff.stale:
            print(f"{change.action:9} {Path(args.output) / change.path}" + (f" ({change.note})" if change.note else ""))
        print(diff.diff, end="")
        for line in expired:
            print(f"policygen: error: {line}", file=sys.stderr)
        if diff:
            print(f"{args.output} is not what `policygen generate {args.spec}` writes: {len(diff.stale)} file(s) differ",
                  file=sys.stderr)
            return EXIT_FAILED
        if expired:
            return EXIT_FAILED
        print(f"{args.output}: up to date ({diff.files} files)")
        return EXIT_OK
    for line in expired:
        print(f"policygen: EXPIRED: {line}", file=sys.stderr)
    out = Path(args.output)
    changes = generate(plan, out)
    if not args.quiet:
        for change in changes:
            print(f"{change.action:9} {out / change.path}" + (f" ({change.note})" if change.note else ""))
    counts = {a: sum(1 for c in changes if c.action == a) for a in ("create", "update", "identical", "delete")}
    written = sum(1 for c in changes if c.action != "delete")
    print(f"generated {written} files into {out} ({', '.join(f'{n} {a}' for a, n in counts.items() if n)})")
    return EXIT_OK


def _cmd_eval(args: argparse.Namespace) -> int:
    _use_jobs(args)
    if args.output and args.output != "-":
        _output_file(args.output)  # refused before the engine runs, and again when written
    plan = plan_of_valid(load_spec(args.spec))
    for line in _exception_expiry(plan, args.spec):
        print(f"policygen: warning: {line}", file=sys.stderr)
    if args.engine != "cluster" and (args.kubeconfig or args.backend):
        raise PolicygenError("--backend and --kubeconfig go with --engine cluster")
    from .samples import iter_files, load_samples
    from .spool import Spool

    if args.engine != "cluster" and streams(args.engine) and not plan.exceptions:
        # Read once, each parsed document let go as soon as it is spooled.
        with Spool() as spool:
            for found in iter_files(args.paths, _load_options(args)):
                spool.extend(found)
            _no_input(args, spool.records)
            _progress(f"policygen: {args.engine} is judging {len(spool.records)} resource(s) ...")
            verdicts = evaluate_spool(plan, args.engine, spool)
            return _report(args, plan, verdicts, spool.records)
    samples = load_samples(args.paths, _load_options(args))
    _no_input(args, samples.resources)
    engine = args.engine
    if args.engine == "cluster":
        from .engines.cluster import ClusterEngine

        backend = args.backend or "gatekeeper"
        if not args.kubeconfig:
            for name in tools.CLUSTER_TOOLS + tools.CLUSTER_BACKEND_TOOLS[backend]:
                tools.find(name)
        engine = ClusterEngine(backend=backend, kubeconfig=args.kubeconfig)
    elif args.kubeconfig or args.backend:
        raise PolicygenError("--backend and --kubeconfig go with --engine cluster")
    _progress(f"policygen: {args.engine} is judging {len(samples.resources)} resource(s) ...")
    verdicts = evaluate(plan, engine, samples)
    return _report(args, plan, verdicts, samples.resources)


def _no_input(args: argparse.Namespace, resources: list) -> None:
    if not resources:
        # A CI gate that judged nothing (a wrong path, a chart that rendered nothing) must not pass.
        raise InputError(" ".join(args.paths), "no Kubernetes object to judge in these paths")


def _report(args: argparse.Namespace, plan, verdicts: list, resources: list) -> int:
    from .report import EvalRun, write as write_report

    run = EvalRun.of(plan, args.engine, verdicts, resources)
    for line in _unread_template_warnings(resources):
        print(f"policygen: warning: {line}", file=sys.stderr)
    _write_output(lambda out: write_report(args.format, run, out), args.output)
    counts = run.counts()
    _progress(f"policygen: {counts['deny']} denied, {counts['warn']} warned, {counts['pass']} allowed")
    return run.exit_status(args.fail_on)


def _unread_template_warnings(resources: list) -> list[str]:
    """One line per kind whose objects keep containers no rule reads: a CI gate must not read them as passed."""
    found: dict[str, tuple[int, str]] = {}
    for res in resources:
        if res.unread_template is not None:
            n, path = found.get(res.kind or "?", (0, res.unread_template))
            found[res.kind or "?"] = (n + 1, path)
    return [visible(f"{n} {kind} object(s) keep containers at {path}{' (the first)' if n > 1 else ''}, which no rule reads "
                   "(the pod kinds are SPEC.md's): their pod rules are in notEvaluated, not passed; the pods made of them "
                   "are judged at admission only")
            for kind, (n, path) in sorted(found.items())]


def _cmd_verify(args: argparse.Namespace) -> int:
    _use_jobs(args)
    def skipped(engine: str, hint: str) -> None:
        print(f"SKIPPED engine {engine}: not installed; install it with: {hint}", file=sys.stderr)

    _progress("policygen: verifying in " + (", ".join(args.engine) if args.engine else "every installed engine") + " ...")
    from .samples import load_samples
    from .verification import format_report

    samples = load_samples(args.samples, _load_options(args))
    if not samples.resources:
        raise InputError(" ".join(args.samples), "no resource to verify: the paths hold no Kubernetes object")
    report = verify(args.spec, samples, args.engine, on_skip=skipped)
    print(format_report(report))
    if report.skipped_engines:
        print(f"WARNING: {len(report.skipped_engines)} engine(s) skipped; this verification is incomplete", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_FAILED


def _cmd_tools(args: argparse.Namespace) -> int:
    if args.action == "list":
        tools.main_list(sys.stdout)  # the guarded stream (main), not the one bound at import
        return EXIT_OK
    names = args.names or list(tools.TOOLS)
    unknown = [n for n in names if n not in tools.TOOLS]
    if unknown:
        raise PolicygenError(f"unknown tool(s): {', '.join(unknown)}; known: {', '.join(tools.TOOLS)}")

    def log(message: str) -> None:
        # "building ..." is progress; the line naming the binary is the result.
        (_progress if message.endswith("...") else print)(message)

    tools.install_all(names, log=log)
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from .schema import spec_json_schema_text

    _write_output(spec_json_schema_text(), args.output)
    return EXIT_OK


def _cmd_completion(args: argparse.Namespace) -> int:
    import shtab

    _write_output(shtab.complete(build_parser(), shell=args.shell), None)
    return EXIT_OK


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return value


def _add_jobs_flag(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--jobs", type=_jobs, metavar="N",
                     help="engine queries or processes at once (default: POLICYGEN_JOBS, else one per core)")


def _use_jobs(args: argparse.Namespace) -> None:
    # Engines read the number where every adapter can: the variable a caller may also set.
    if getattr(args, "jobs", None):
        os.environ["POLICYGEN_JOBS"] = str(args.jobs)


def _add_input_flags(cmd: argparse.ArgumentParser) -> None:
    """How eval and verify read their inputs: `-` is standard input; globs to leave out; files of no objects."""
    cmd.add_argument("--ignore", action="append", default=[], metavar="GLOB",
                     help="leave out files matching GLOB (path, trailing path or name; repeatable)")
    cmd.add_argument("--strict", action="store_true",
                     help="a file that holds no Kubernetes object (CI workflow, Helm values, kustomization) is an error, not a warning")


def _load_options(args: argparse.Namespace) -> LoadOptions:
    from .samples import LoadOptions

    return LoadOptions(ignore=tuple(args.ignore), strict=args.strict)


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


class _Version(argparse.Action):
    """--version, read from the installed metadata only when asked for."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        from . import __version__

        print(f"policygen {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policygen",
        description="Compile an approved-sidecars spec into Rego, Gatekeeper, Kyverno and ValidatingAdmissionPolicy policies, and prove them in the real engines.",
        epilog="Exit status: 0 ok; 1 denied (eval --fail-on), verification failed, or stale output; "
        "2 bad input; 3 engine missing or failed; 130 interrupted; 143 terminated.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = sub.add_parser("generate", help="compile a spec into dist/ (rego, gatekeeper, kyverno, vap, exemptions, docs)")
    gen.add_argument("spec", help="the SidecarPolicy YAML file").complete = {"bash": "_shtab_compgen_files", "zsh": "_files"}
    gen.add_argument("-o", "--output", required=True, help="output folder; replaced atomically").complete = {
        "bash": "_shtab_compgen_dirs", "zsh": "_files -/"}
    gen.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff if the folder is stale")
    gen.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    gen.set_defaults(func=_cmd_generate)

    ev = sub.add_parser("eval", help="judge resources with one engine")
    ev.add_argument("--spec", required=True, help="the SidecarPolicy YAML file").complete = {
        "bash": "_shtab_compgen_files", "zsh": "_files"}
    ev.add_argument("--engine", required=True, choices=[*ENGINES, *CLUSTER_ENGINES])
    ev.add_argument("--backend", choices=["vap", "gatekeeper", "kyverno"],
                    help="with --engine cluster: the dist/ folder installed into the local control plane (default gatekeeper)")
    ev.add_argument("--kubeconfig", help="with --engine cluster: judge in this existing cluster; installs nothing, sends only dry-runs")
    ev.add_argument("--format", choices=list(FORMATS), default="json",
                    help="json (SPEC.md's records, default), text, sarif, junit, github (workflow annotations), "
                    "policyreport (wgpolicyk8s.io/v1alpha2)")
    ev.add_argument("--fail-on", choices=FAIL_ON, default="deny",
                    help="exit 1 when a resource is denied (deny, default), denied or warned (warn), or never")
    ev.add_argument("-o", "--output", help="write the report to this file instead of standard output")
    ev.add_argument("paths", nargs="+", help="files or folders (walked for *.yaml, *.yml, *.json); - reads standard input").complete = {
        "bash": "_shtab_compgen_files", "zsh": "_files"}
    _add_input_flags(ev)
    _add_jobs_flag(ev)
    ev.set_defaults(func=_cmd_eval)

    ver = sub.add_parser("verify", help="check labelled samples in every engine; exit 1 on any mismatch")
    ver.add_argument("spec", help="the SidecarPolicy YAML file").complete = {"bash": "_shtab_compgen_files", "zsh": "_files"}
    ver.add_argument("samples", nargs="+", help="files or folders of resources labelled with `# expect: allow|deny RULE...` comments").complete = {"bash": "_shtab_compgen_files", "zsh": "_files"}
    ver.add_argument("--engine", action="append", choices=list(ENGINES), help="repeatable; default: every engine")
    _add_input_flags(ver)
    _add_jobs_flag(ver)
    ver.set_defaults(func=_cmd_verify)

    cl = sub.add_parser("cluster", help="a local Kubernetes control plane (etcd + kube-apiserver on 127.0.0.1)")
    cl.add_argument("action", choices=["up", "down", "env"])
    cl.set_defaults(func=_cmd_cluster)

    tl = sub.add_parser("tools", help="build the pinned engines from the Go module proxy (cached), or list them")
    tl.add_argument("action", choices=["install", "list"])
    tl.add_argument("names", nargs="*", help=f"default: all of {', '.join(tools.TOOLS)}")
    tl.set_defaults(func=_cmd_tools)

    sc = sub.add_parser("schema", help="print the spec's JSON Schema (for editors' YAML language servers)")
    sc.add_argument("-o", "--output", help="write it to this file instead of standard output")
    sc.set_defaults(func=_cmd_schema)

    comp = sub.add_parser("completion", help="print a shell completion script: policygen completion bash > ...")
    comp.add_argument("shell", choices=["bash", "zsh", "tcsh"])
    comp.set_defaults(func=_cmd_completion)
    return parser


def _shown(exc: PolicygenError) -> str:
    """An error as printed: file names and echoed input hold any character, so each line is made visible
    (a path with ESC or a line feed drives no terminal and starts no line, such as a CI log's ::error::)."""
    if isinstance(exc, SpecErrors):
        return "\n".join(visible(str(e)) for e in exc.errors)
    if isinstance(exc, EngineError):
        return visible_lines(str(exc))  # an engine's own output, line by line
    return visible(str(exc))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where SIGINT raises KeyboardInterrupt: the same way out, through every finally and
    context manager, so temporary folders go and engine processes are stopped (CI cancelling a job, a
    `timeout`, `kill`)."""


def _on_sigterm(signum: int, frame: object) -> None:
    # Once: a second SIGTERM during that cleanup must not cut it short (SIGKILL still ends everything).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set a handler
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _ClosedPipeGuard:
    """Standard output that, once its reader has gone (`| head`), takes and drops whatever is still written.

    The command then runs to the end, so its verdict (denied, stale, failed) still decides the exit status:
    under `set -o pipefail` a gate piped into head must fail as it would without the pipe.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def _gone(self) -> None:
        self.reader_gone = True
        try:  # what is still buffered, and Python's flush at exit, go nowhere instead of raising again
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with _sigterm_raises():
        return _main(args)


def _main(args: argparse.Namespace) -> int:
    stdout = sys.stdout
    # A closed standard output (>&-) stays None: the commands that write to it say so themselves.
    sys.stdout = guard = _ClosedPipeGuard(stdout) if stdout is not None else None  # type: ignore[assignment]
    try:
        code = args.func(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # here, where a full disk is an error like any other, not at exit
        return code
    except EngineError as exc:
        print(f"policygen: {_shown(exc)}", file=sys.stderr)
        return EXIT_ENGINE
    except PolicygenError as exc:
        print(f"policygen: {_shown(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Terminated:
        print("policygen: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("policygen: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Standard output is guarded, so another pipe closed: the verdict is unknown, never a pass.
        print("policygen: a pipe closed before the command finished", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        # The file system refusing what no command turned into its own message (standard output on a full
        # disk): one line naming what and why, as for bad input, never a traceback.
        where = exc.filename or ("standard output" if exc.errno in (errno.ENOSPC, errno.EIO, errno.EBADF) else "")
        print(f"policygen: {where + ': ' if where else ''}{exc.strerror or exc}", file=sys.stderr)
        _silence_stdout()
        return EXIT_BAD_INPUT
    finally:
        sys.stdout = stdout
        if guard is not None and guard.reader_gone:
            print("policygen: standard output closed early; the exit status is the full run's", file=sys.stderr)


def _few_collections() -> None:
    """The collector set for a command that builds many small objects and frees them by reference counting
    (a generate run made about 60 collections, ~5% of its time, freeing next to nothing): what is imported is
    never scanned again, and a collection comes after 20,000 new objects rather than 700."""
    gc.freeze()
    gc.set_threshold(20_000)


def run() -> None:
    """The `policygen` command: main(), then an exit that does not make Python's last collection visit
    every object it still holds (about 50 ms after `generate`) only to free memory the exit frees anyway."""
    # Pydantic looks for its plugins in every installed distribution's entry points when it builds a
    # validator, about 50 ms of each run; the command's models are its own, with nothing for one to observe.
    # Set only where the caller has not: PYDANTIC_DISABLE_PLUGINS= brings them back.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _few_collections()
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
