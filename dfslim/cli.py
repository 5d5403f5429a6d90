"""The command line: `dfslim lint`, `dfslim fix`, `dfslim rules`, `dfslim explain`, `dfslim lsp`."""


import os
import sys
from typing import NamedTuple

import click

from dfslim import __version__
from dfslim.discovery import discover, odd_name

FORMAT_NAMES = ("auto", "text", "json", "sarif", "github", "gitlab", "checkstyle")  # dfslim.reporters.FORMATS + auto
COLOR_CHOICES = ("auto", "always", "never")
LSP_PACKAGES = ("pygls", "lsprotocol", "cattrs", "attrs")  # the `lsp` extra and what it brings


class FileProblem(Exception):
    """A path that cannot be linted; the message is one line."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="dfslim")
def main() -> None:
    """dfslim: find what makes a Docker image fat or unsafe, and how to fix it."""


def _lint_options(command):
    """The options `lint` and `fix` share."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--format", "output_format", type=click.Choice(FORMAT_NAMES), default="auto", show_default=True, help="Output format; auto: github when GITHUB_ACTIONS=true, else text."),
        click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False), help="Write the --format report to FILE (auto: by its extension, .sarif, .json or .xml) and show the text report on standard output."),
        click.option("--select", help="Comma-separated rule ids, names or categories (size, security, correctness) to run; other linters' ids (DL3009) name the same rules."),
        click.option("--extend-select", help="Comma-separated rules to run on top of the selection (the configuration's or the default)."),
        click.option("--ignore", help="Comma-separated rule ids, names or categories to skip."),
        click.option("--fail-level", type=click.Choice(["error", "warning", "info", "none"]), help="Exit 1 when a finding is at or above this severity.  [default: the configuration's, else warning]"),
        click.option("--target", "targets", multiple=True, metavar="NAME", help="A build target that ships (repeatable; like `docker build --target`): exactly these stages and the stages they are built FROM ship.  [default: the last stage and every leaf stage not named as a test/dev/debug stage]"),
        click.option("--context", "context_dir", type=click.Path(file_okay=False), help="The build context for context-aware rules (default: each Dockerfile's folder)."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this configuration file (a pyproject.toml with [tool.dfslim], or a .dfslim.toml) instead of searching for one."),
        click.option("--force-exclude", is_flag=True, help="Apply the configuration's exclude to files named on the command line too (as pre-commit names them)."),
        click.option("--no-respect-gitignore", "gitignore", is_flag=True, flag_value=False, default=True, help="Search folders for Dockerfiles that .gitignore ignores too."),
        click.option("--stdin-filename", type=click.Path(dir_okay=False), help="The path of what `-` reads: its configuration, per-file-ignores and build context apply, and reports name it."),
        click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: also apply fixes that may change what the image does."),
        click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 when there is a diff)."),
        click.option("--color", "color_choice", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True, help="Colour the text output: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), always or never."),
        click.option("--no-color", is_flag=True, help="Never colour the text output (the same as --color never)."),
        click.option("-q", "--quiet", is_flag=True, help="Print the findings only: no summary, no notes."),
        click.option("--statistics", is_flag=True, help="After the findings, one line per rule: count, fixable count, total saving, most frequent first."),
        click.option("--max-savings", metavar="SIZE", help="Exit 1 when a file's estimated avoidable bytes (the sum of its findings' savings) exceed SIZE: 50MB, 1.2GB (decimal units, as docker prints them).  [default: the configuration's max-savings, else no limit]"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@_lint_options
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply safe fixes in place (add --unsafe-fixes for the others).")
def lint(apply_fixes, **options) -> None:
    """Lint Dockerfiles (files or folders; `-` for standard input; default: the current folder)."""
    _run(fix=apply_fixes, **options)


@main.command()
@_lint_options
def fix(**options) -> None:
    """Fix Dockerfiles in place (the same as `dfslim lint --fix`)."""
    _run(fix=True, **options)


class Options(NamedTuple):
    """What the command line asked of one run, beside the paths."""

    mode: str  # lint | fix | diff
    unsafe: bool = False
    context_dir: str | None = None
    stdin_filename: str | None = None


def _run(paths, output_format, output_file, select, extend_select, ignore, fail_level, targets, context_dir, config_file, force_exclude, gitignore, stdin_filename, unsafe_fixes, show_diff, color_choice, no_color, quiet, statistics, fix, max_savings=None) -> None:
    from dfslim.reporters import Run, format_for_file, over_budget, resolve_format

    try:
        report_format = format_for_file(output_format, output_file) if output_file else None
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    options = Options("diff" if show_diff else ("fix" if fix else "lint"), unsafe_fixes, context_dir, stdin_filename)
    configs = _configs(select, extend_select, ignore, fail_level, config_file, targets, max_savings)
    targets = _targets(paths, configs, force_exclude, gitignore, stdin_filename)
    results = _process_all([(target, settings, options) for target, settings in targets])
    _print_notes([target for target, _settings in targets], results, quiet)
    run = Run([result for result in results if not result.skipped], skipped=tuple(result for result in results if result.skipped))
    status = exit_status(run, configs.defaults)
    if options.mode != "diff":
        for line in over_budget(run, configs.defaults):
            click.echo(f"dfslim: {line}", err=True)
            status = max(status, 1)
    if options.mode == "diff":
        _finish_diff(run.files, status)
    fixed_stdin = next((result.fixed_text for result in run.files if result.fixed_text is not None), None)
    if fixed_stdin is not None:
        click.echo(fixed_stdin, nl=False)
    if output_file and not _write_output(output_file, report_format, run, quiet):
        status = 2
    terminal_format = "text" if output_file else resolve_format(output_format)
    color = terminal_format == "text" and use_color("never" if no_color else color_choice, sys.stdout.isatty())
    # with `-` fixed, standard output carries the Dockerfile: the report goes to standard error
    _print_report(run, terminal_format, color, quiet, statistics, to_stderr=fixed_stdin is not None)
    sys.exit(status)


def _print_notes(targets, results, quiet: bool) -> None:
    """On standard error: odd file names, files that could not be linted, files skipped."""
    for target in targets:
        if not quiet and odd_name(target.path):
            click.echo(f"dfslim: warning: {target.path!r}: the name holds a newline or another control character; line-based reports may split it", err=True)
    for result in results:
        if result.error:
            click.echo(f"dfslim: error: {result.error}", err=True)
        elif result.skipped and not quiet:
            click.echo(f"dfslim: note: {result.path}: skipped, {result.skipped}", err=True)
        elif result.warning and not quiet:
            click.echo(f"dfslim: warning: {result.path}: {result.warning}", err=True)


def _write_output(output_file: str, report_format: str, run, quiet: bool) -> bool:
    """Write the `-o` report and say which format it is; False when it cannot be written."""
    from dfslim.reporters import render

    try:
        _write_report(output_file, render(report_format, run))
    except OSError as error:
        click.echo(f"dfslim: error: cannot write {output_file}: {error.strerror or error}", err=True)
        return False
    if not quiet:
        click.echo(f"dfslim: wrote the {report_format} report to {output_file}", err=True)
    return True


def _print_report(run, terminal_format: str, color: bool, quiet: bool, statistics: bool, to_stderr: bool) -> None:
    from dfslim.reporters import render_pieces

    if color:
        import colorama

        colorama.just_fix_windows_console()
    # click strips colour codes from what is not a terminal unless told that they are wanted
    for chunk in _chunks(render_pieces(terminal_format, run, color=color, quiet=quiet)):
        click.echo(chunk, nl=False, err=to_stderr, color=color or None)
    if statistics:
        from dfslim.reporters.text import statistics_table

        # beside a machine-readable report on standard output, the table goes to standard error
        click.echo(statistics_table(run), nl=False, err=to_stderr or terminal_format != "text")


def _chunks(pieces, size: int = 1 << 16):
    """The pieces joined into chunks of about `size` characters: one write each."""
    batch, length = [], 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)


def _finish_diff(results, status) -> None:
    diffs = [result.diff for result in results if result.diff]
    for diff in diffs:
        click.echo(diff, nl=False)
    sys.exit(2 if status == 2 else (1 if diffs else 0))


# Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 24


def _process_all(jobs) -> list:
    """Lint (or fix) every file, in parallel for many files; results keep the input order."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_THRESHOLD or workers < 2 or any(job[0].path == "-" for job in jobs):
        return [_process(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from dfslim.registry import all_rules

    all_rules()  # import the rules once, before the workers fork
    import gc

    gc.freeze()  # a collection in a worker would write to every object it inherited, copying their pages
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    chunk = max(1, len(jobs) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_process, jobs, chunksize=chunk))


def _process(job):
    """One file: lint it, or fix it (in place, as a diff, or to standard output)."""
    target, settings, options = job
    if target.error:
        from dfslim.reporters import FileResult

        return FileResult(target.path, error=target.error)
    name = options.stdin_filename if target.path == "-" and options.stdin_filename else target.path
    rules = settings.rules_for(name)
    from dfslim.linter import RuleFailure

    try:
        if options.mode == "lint":
            result = _lint_one(target, name, rules, settings, options)
        else:
            result = _fix_one(target, name, rules, settings, options)
    except RuleFailure as failure:
        from dfslim.reporters import FileResult

        result = FileResult(name, error=f"{name}: {failure}")  # nothing written: the fix never ran to the end
    result.settings = settings
    return result


def _fix_one(target, name, rules, settings, options):
    from dfslim.fixer import FixError, fix_text, unified_diff, write_atomically
    from dfslim.linter import lint
    from dfslim.reporters import FileResult

    loaded = _load(target, name, options, settings)
    if isinstance(loaded, FileResult):
        return loaded
    dockerfile, text = loaded
    path = target.path
    try:
        outcome = fix_text(text, name, rules, settings.severities, unsafe=options.unsafe, context_dir=dockerfile.context_dir, targets=settings.targets)
    except FixError as error:
        return FileResult(name, error=f"{name}: {error}")
    if options.mode == "diff":
        diff = unified_diff(name, text, outcome.text) if outcome.text != text else None
        return FileResult(name, lint(dockerfile, rules, settings.severities), diff=diff)
    result = FileResult(name, outcome.findings, fixes_applied=outcome.count, warning=_target_warning(dockerfile))
    if path == "-":
        result.fixed_text = outcome.text
    elif outcome.text != text:
        try:
            write_atomically(path, outcome.text)
        except OSError as error:
            return FileResult(path, error=f"{path}: cannot write the fixed file: {error.strerror or error}")
    return result


def _context_for(path, context_dir):
    """The build context of a file: `--context`, else the file's folder (None for `-`
    without a name: standard input has no folder)."""
    if path == "-":
        return context_dir
    return context_dir or os.path.dirname(os.path.abspath(path))


def _configs(select, extend_select, ignore, fail_level, config_file, targets=(), max_savings=None):
    """The command line's settings and the configuration files; a bad one ends the run (2)."""
    from dfslim.config import ConfigError, ConfigFileError, Configs

    try:
        return Configs(select, ignore, fail_level, config_file, extend_select=extend_select, targets=targets, max_savings=max_savings)
    except ConfigFileError as error:
        _config_failure(error)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


def _targets(paths, configs, force_exclude=False, gitignore=True, stdin_filename=None) -> list:
    """(target, settings) for each file to lint, `exclude` applied to folder discovery (and
    to named files with `force_exclude`); a bad configuration file ends the run (exit 2)."""
    from dfslim.config import ConfigFileError

    try:
        targets = []
        for target in discover(paths or (".",), configs, gitignore):
            named = stdin_filename if target.path == "-" and stdin_filename else target.path
            settings = configs.defaults if target.error else configs.settings_for(named)
            targets.append((target, settings))
    except ConfigFileError as error:
        _config_failure(error)
    if force_exclude:
        targets = [(target, settings) for target, settings in targets if target.error or target.path == "-" or not settings.excludes(target.path)]
    return targets


def _config_failure(error) -> None:
    click.echo(f"dfslim: error: {error}", err=True)
    sys.exit(2)


def _write_report(path: str, text: str) -> None:
    """Write the report through a temporary file in the same folder and a rename."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".dfslim-report-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def exit_status(run, settings) -> int:
    """2 for a file error; 1 for a finding at or above the fail level (the file's own
    settings when the run recorded them, else `settings`); else 0."""
    if any(result.error for result in run.files):
        return 2
    for result in run.files:
        chosen = getattr(result, "settings", None) or settings
        if any(chosen.fails(finding.severity) for finding in result.findings):
            return 1
    return 0


def _lint_one(target, name, rules, settings, options):
    from dfslim.linter import lint
    from dfslim.reporters import FileResult

    loaded = _load(target, name, options, settings)
    if isinstance(loaded, FileResult):
        return loaded
    return FileResult(name, lint(loaded[0], rules, settings.severities), warning=_target_warning(loaded[0]))


def _target_warning(dockerfile) -> str | None:
    """What to say when `--target`/`targets` names stages the file does not have."""
    if not dockerfile.targets:
        return None
    from dfslim.graph import build_graph

    graph = build_graph(dockerfile)
    if not graph.unknown_targets:
        return None
    missing = ", ".join(graph.unknown_targets)
    stages = ", ".join(stage.label for stage in dockerfile.stages)
    if len(graph.unknown_targets) == len(set(dockerfile.targets)):
        return f"no stage named {missing} (stages: {stages}); linted with the inferred targets"
    return f"no stage named {missing} (stages: {stages})"


# What parse errors say of a file that is no Dockerfile at all (the parser's words)
NOT_A_DOCKERFILE = "not a Dockerfile"


def _load(target, name, options, settings):
    """(dockerfile, text) of a target, or a FileResult carrying its one-line error (or,
    for a file a folder search chose that is no Dockerfile, why it was skipped)."""
    from dfslim.model import ParseError
    from dfslim.parser import parse_bytes
    from dfslim.reporters import FileResult

    path = target.path
    try:
        data = _read(path)
        dockerfile = parse_bytes(data, name)
    except FileProblem as problem:
        return FileResult(name, error=f"{name}: {problem}")
    except ParseError as error:
        if target.walked and NOT_A_DOCKERFILE in error.message:
            return FileResult(name, skipped=error.message)
        where = f"{name}:{error.line}" if error.line else name
        return FileResult(name, error=f"{where}: {error.message}")
    context = _context_for(name, options.context_dir)
    if context is not None:
        dockerfile = dockerfile._replace(context_dir=context)
    if settings.targets:
        dockerfile = dockerfile._replace(targets=settings.targets)
    return dockerfile, data.decode("utf-8")


def _read(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as handle:
            return handle.read()
    except PermissionError:
        raise FileProblem("permission denied") from None
    except OSError as error:
        raise FileProblem(error.strerror or str(error)) from None


def use_color(choice: str, terminal: bool, environ=None) -> bool:
    """Whether to colour: `always`/`never` as said; `auto` never under NO_COLOR, always
    under FORCE_COLOR (any non-empty value of either, as no-color.org and force-color.org
    define them), else on a terminal."""
    if choice != "auto":
        return choice == "always"
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return terminal


@main.command("measure")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--context", "context_dir", type=click.Path(exists=True, file_okay=False), help="The build context (default: the Dockerfile's folder).")
@click.option("--builder", type=click.Choice(["auto", "docker", "podman", "buildah"]), default="auto", show_default=True, help="The builder to use; auto: docker when its daemon answers, else podman, else buildah.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change what the image does (as `dfslim fix --unsafe-fixes`).")
@click.option("--select", help="Comma-separated rules whose findings are fixed and measured (as for `dfslim lint`).")
@click.option("--ignore", help="Comma-separated rules to leave out.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this configuration file instead of searching for one.")
@click.option("--target", metavar="NAME", help="The stage to build (as `docker build --target`; default: the last).")
@click.option("--build-arg", "build_args", multiple=True, metavar="KEY=VALUE", help="A build argument for both builds (repeatable).")
@click.option("--timeout", default="30m", show_default=True, metavar="DURATION", help="Give up after this long, for both builds together: 90s, 30m, 1h, or seconds.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="text: a table; json: one object.")
@click.option("-v", "--verbose", is_flag=True, help="When a build fails, show the builder's last lines.")
def measure(path, context_dir, builder, unsafe_fixes, select, ignore, config_file, target, build_args, timeout, output_format, verbose) -> None:
    """Build a Dockerfile as it is and with its fixes (docker, podman or buildah), and
    show each finding's estimated and measured saving, the image sizes, and the bytes
    later layers hide. Runs only when asked: `dfslim lint` never builds."""
    from dfslim.measure.command import Request, run

    seconds = parse_duration(timeout)
    if seconds is None:
        raise click.BadParameter(f"{timeout!r} is not a duration (90s, 30m, 1h, or seconds)", param_hint="--timeout")
    configs = _configs(select, None, ignore, None, config_file, (target,) if target else ())
    settings = configs.settings_for(path)
    request = Request(path, context_dir, builder, unsafe_fixes, settings.rules_for(path), settings.severities, settings.targets, target, tuple(build_args), seconds, verbose)
    sys.exit(run(request, output_format))


DURATION_UNITS = {"": 1, "s": 1, "m": 60, "min": 60, "h": 3600}


def parse_duration(text: str) -> float | None:
    """Seconds in `90s`, `30m`, `1.5h` or `600`; None when it is no positive duration."""
    value = text.strip().lower()
    number = value.rstrip("minsh")
    unit = value[len(number):]
    try:
        seconds = float(number) * DURATION_UNITS[unit]
    except (ValueError, KeyError):
        return None
    return seconds if seconds > 0 else None


@main.command("stages")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--target", "targets", multiple=True, metavar="NAME", help="A build target that ships (repeatable), as for `dfslim lint`.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this configuration file (its `targets`) instead of searching for one.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="text: a line per stage; json: an object per file.")
def stages(paths, targets, config_file, output_format) -> None:
    """Show which stages each Dockerfile has, what they use, and which ship (its build targets)."""
    from dfslim.model import ParseError
    from dfslim.parser import parse_bytes
    from dfslim.stages import render_text, stage_records

    configs = _configs(None, None, None, None, config_file, targets)
    status, documents = 0, []
    for path in paths:
        try:
            dockerfile = parse_bytes(_read(path), path)
        except FileProblem as problem:
            click.echo(f"dfslim: error: {path}: {problem}", err=True)
            status = 2
            continue
        except ParseError as error:
            click.echo(f"dfslim: error: {path}{f':{error.line}' if error.line else ''}: {error.message}", err=True)
            status = 2
            continue
        settings = configs.settings_for(path)
        if settings.targets:
            dockerfile = dockerfile._replace(targets=settings.targets)
            warning = _target_warning(dockerfile)
            if warning:
                click.echo(f"dfslim: warning: {path}: {warning}", err=True)
        if output_format == "json":
            documents.append({"path": path, "stages": stage_records(dockerfile)})
        else:
            click.echo(render_text(path, dockerfile))
    if output_format == "json":
        import json

        click.echo(json.dumps(documents, indent=2, ensure_ascii=False))
    sys.exit(status)


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="text: a table; json: an array of objects, one per rule.")
def list_rules(output_format) -> None:
    """List every rule: id, name, category, severity, fix, and whether it is on by default."""
    from dfslim.registry import all_rules

    if output_format == "json":
        import json

        click.echo(json.dumps([rule_record(rule) for rule in all_rules()], indent=2, ensure_ascii=False))
        return
    rows = [("ID", "NAME", "CATEGORY", "SEVERITY", "FIX", "DEFAULT")]
    for rule in all_rules():
        meta = rule.meta
        rows.append((meta.id, meta.name, meta.category, meta.severity.label, meta.fix or "-", "on" if meta.enabled else "off"))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def rule_record(rule) -> dict:
    """A rule as `dfslim rules --format json` gives it."""
    from dfslim.links import rule_url
    from dfslim.registry import other_codes

    meta = rule.meta
    return {
        "id": meta.id,
        "name": meta.name,
        "category": meta.category,
        "severity": meta.severity.label,
        "scope": meta.scope,
        "fix": meta.fix,
        "enabled": meta.enabled,
        "summary": rule.summary,
        "others": list(meta.others),
        "other_codes": [code for other in meta.others for code in other_codes(other)],
        "url": rule_url(rule),
    }


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print a rule's documentation (by id, by name, or by another linter's id: DL3009)."""
    from dfslim.explain import explanation
    from dfslim.registry import resolve_rule_names

    found = resolve_rule_names(rule)
    if not found:
        raise click.UsageError(f"unknown rule {rule!r} (see `dfslim rules`)")
    if found[0].id.lower() != rule.strip().lower() and found[0].name != rule.strip().lower():
        names = ", ".join(f"{each.id} {each.name}" for each in found)
        click.echo(f"{rule.strip()} is {names} in dfslim.")
        click.echo()
    click.echo("\n".join(explanation(each) for each in found), nl=False)


@main.command()
def lsp() -> None:
    """Run the language server on standard input and output (needs `pip install 'dfslim[lsp]'`)."""
    try:
        from dfslim.lsp.server import serve
    except ImportError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in LSP_PACKAGES:
            raise
        raise click.UsageError(f"the language server needs {missing}: pip install 'dfslim[lsp]'") from None
    status = serve()
    os._exit(status)  # the server has closed standard output: nothing is left to flush
