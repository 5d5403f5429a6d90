"""The command line: `dfslim lint`, `dfslim fix`, `dfslim rules`, `dfslim explain`."""

from __future__ import annotations

import os
import sys

import click

from dfslim import __version__
from dfslim.regex import lazy_compile

DOCKERFILE_NAME_RE = lazy_compile(r"(?:Dockerfile|Containerfile)(?:\..+)?|.+\.(?:Dockerfile|dockerfile)")
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages"})
FORMAT_NAMES = ("auto", "text", "json", "sarif", "github", "gitlab", "checkstyle")  # dfslim.reporters.FORMATS + auto


class FileProblem(Exception):
    """A path that cannot be linted; the message is one line."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dfslim")
def main() -> None:
    """dfslim: find what makes a Docker image fat or unsafe, and how to fix it."""


def _lint_options(command):
    """The options `lint` and `fix` share."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--format", "output_format", type=click.Choice(FORMAT_NAMES), default="auto", show_default=True, help="Output format; auto: github when GITHUB_ACTIONS=true, else text."),
        click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False), help="Write the --format report to FILE (auto: by its extension, .sarif, .json or .xml) and show the text report on standard output."),
        click.option("--select", help="Comma-separated rule ids, names or categories (size, security, correctness) to run."),
        click.option("--ignore", help="Comma-separated rule ids, names or categories to skip."),
        click.option("--fail-level", type=click.Choice(["error", "warning", "info", "none"]), help="Exit 1 when a finding is at or above this severity.  [default: the configuration's, else warning]"),
        click.option("--context", "context_dir", type=click.Path(file_okay=False), help="The build context for context-aware rules (default: each Dockerfile's folder)."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this configuration file (a pyproject.toml with [tool.dfslim], or a .dfslim.toml) instead of searching for one."),
        click.option("--force-exclude", is_flag=True, help="Apply the configuration's exclude to files named on the command line too (as pre-commit names them)."),
        click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: also apply fixes that may change what the image does."),
        click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 when there is a diff)."),
        click.option("--no-color", is_flag=True, help="Never colour the text output."),
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


def _run(paths, output_format, output_file, select, ignore, fail_level, context_dir, config_file, force_exclude, unsafe_fixes, show_diff, no_color, fix) -> None:
    from dfslim.reporters import Run, format_for_file, render, resolve_format

    try:
        report_format = format_for_file(output_format, output_file) if output_file else None
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    terminal_format = "text" if output_file else resolve_format(output_format)
    mode = "diff" if show_diff else ("fix" if fix else "lint")
    configs = _configs(select, ignore, fail_level, config_file)
    targets = _targets(paths, configs, force_exclude)
    jobs = [(path, settings, context_dir, mode, unsafe_fixes) for path, settings in targets]
    results = _process_all(jobs)
    run = Run(results)
    for result in results:
        if result.error:
            click.echo(f"dfslim: error: {result.error}", err=True)
    status = exit_status(run, configs.defaults)
    if mode == "diff":
        _finish_diff(results, status)
    stdin_fixed = mode == "fix" and any(result.path == "-" and result.fixed_text is not None for result in results)
    if stdin_fixed:
        click.echo(next(r.fixed_text for r in results if r.path == "-"), nl=False)
    if output_file:
        try:
            _write_report(output_file, render(report_format, run))
        except OSError as error:
            click.echo(f"dfslim: error: cannot write {output_file}: {error.strerror or error}", err=True)
            status = 2
    color = terminal_format == "text" and _use_color(no_color)
    if color:
        import colorama

        colorama.just_fix_windows_console()
    # with `-` fixed, standard output carries the Dockerfile: the report goes to standard error
    click.echo(render(terminal_format, run, color=color), nl=False, err=stdin_fixed)
    sys.exit(status)


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
    if len(jobs) < PARALLEL_THRESHOLD or workers < 2 or any(job[0] == "-" for job in jobs):
        return [_process(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from dfslim.registry import all_rules

    all_rules()  # import the rules once, before the workers fork
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    chunk = max(1, len(jobs) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_process, jobs, chunksize=chunk))


def _process(job):
    """One file: lint it, or fix it (in place, as a diff, or to standard output)."""
    path, settings, context_dir, mode, unsafe = job
    rules = settings.rules_for(path) if not isinstance(path, tuple) else []
    if mode == "lint" or isinstance(path, tuple):
        result = _lint_one(path, rules, settings, context_dir)
    else:
        result = _fix_one(path, rules, settings, context_dir, mode, unsafe)
    result.settings = settings
    return result


def _fix_one(path, rules, settings, context_dir, mode, unsafe):
    from dfslim.fixer import FixError, fix_text, unified_diff, write_atomically
    from dfslim.linter import lint
    from dfslim.reporters import FileResult

    loaded = _load(path, context_dir)
    if isinstance(loaded, FileResult):
        return loaded
    dockerfile, text = loaded
    try:
        outcome = fix_text(text, path, rules, settings.severities, unsafe=unsafe, context_dir=dockerfile.context_dir)
    except FixError as error:
        return FileResult(path, error=f"{path}: {error}")
    if mode == "diff":
        diff = unified_diff(path, text, outcome.text) if outcome.text != text else None
        return FileResult(path, lint(dockerfile, rules, settings.severities), diff=diff)
    result = FileResult(path, outcome.findings, fixes_applied=outcome.count)
    if path == "-":
        result.fixed_text = outcome.text
    elif outcome.text != text:
        try:
            write_atomically(path, outcome.text)
        except OSError as error:
            return FileResult(path, error=f"{path}: cannot write the fixed file: {error.strerror or error}")
    return result


def _context_for(path, context_dir):
    if path == "-":
        return None
    return context_dir or os.path.dirname(os.path.abspath(path))


def _configs(select, ignore, fail_level, config_file):
    """The command line's settings and the configuration files; a bad one ends the run (2)."""
    from dfslim.config import ConfigError, ConfigFileError, Configs

    try:
        return Configs(select, ignore, fail_level, config_file)
    except ConfigFileError as error:
        _config_failure(error)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


def _targets(paths, configs, force_exclude=False) -> list:
    """(path, settings) for each file to lint, `exclude` applied to folder discovery (and to
    named files with `force_exclude`); a bad configuration file ends the run (exit 2)."""
    from dfslim.config import ConfigFileError

    try:
        targets = [(path, configs.settings_for(path)) for path in discover(paths or (".",), configs)]
    except ConfigFileError as error:
        _config_failure(error)
    if force_exclude:
        targets = [(path, settings) for path, settings in targets if not (isinstance(path, str) and path != "-" and settings.excludes(path))]
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


def discover(paths, configs=None) -> list[str | tuple[str, str]]:
    """Files to lint, in order; a path that cannot be linted becomes ("!", message).
    With `configs`, folder searches skip what the configuration's `exclude` names."""
    found: list = []
    for path in paths:
        if path == "-" or os.path.isfile(path):
            found.append(path)
        elif os.path.isdir(path):
            excluded: list[str] = []
            inside = sorted(_walk(path, configs, excluded))
            if not inside and not excluded:
                inside = [("!", f"{path}: no Dockerfile found in this folder")]
            found.extend(inside)
        elif os.path.lexists(path):
            found.append(("!", f"{path}: not a regular file"))
        else:
            found.append(("!", f"{path}: no such file or folder"))
    return found


def _walk(folder: str, configs=None, excluded=None):
    for root, dirs, files in os.walk(folder):
        settings = configs.settings_in(root) if configs is not None else None

        def skip(name: str) -> bool:
            if settings is not None and settings.excludes(os.path.join(root, name)):
                if excluded is not None:
                    excluded.append(os.path.join(root, name))
                return True
            return False

        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not os.path.exists(os.path.join(root, d, "pyvenv.cfg")) and not skip(d)]
        for name in files:
            if DOCKERFILE_NAME_RE.fullmatch(name) and not skip(name):
                path = os.path.join(root, name)
                yield path[2:] if folder == "." and path.startswith("." + os.sep) else path


def _lint_one(path, rules, settings, context_dir=None):
    from dfslim.linter import lint
    from dfslim.reporters import FileResult

    loaded = _load(path, context_dir)
    if isinstance(loaded, FileResult):
        return loaded
    return FileResult(path, lint(loaded[0], rules, settings.severities))


def _load(path, context_dir):
    """(dockerfile, text) of a path, or a FileResult carrying its one-line error."""
    from dfslim.model import ParseError
    from dfslim.parser import parse_bytes
    from dfslim.reporters import FileResult

    if isinstance(path, tuple):
        return FileResult(path[1].split(":", 1)[0], error=path[1])
    try:
        data = _read(path)
        dockerfile = parse_bytes(data, path)
    except FileProblem as problem:
        return FileResult(path, error=f"{path}: {problem}")
    except ParseError as error:
        where = f"{path}:{error.line}" if error.line else path
        return FileResult(path, error=f"{where}: {error.message}")
    if path != "-":
        dockerfile = dockerfile._replace(context_dir=_context_for(path, context_dir))
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


def _use_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@main.command("rules")
def list_rules() -> None:
    """List every rule: id, name, category, severity, fix, and whether it is on by default."""
    from dfslim.registry import all_rules

    rows = [("ID", "NAME", "CATEGORY", "SEVERITY", "FIX", "DEFAULT")]
    for rule in all_rules():
        meta = rule.meta
        rows.append((meta.id, meta.name, meta.category, meta.severity.label, meta.fix or "-", "on" if meta.enabled else "off"))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print a rule's documentation (by id or name)."""
    import inspect

    from dfslim.registry import by_key

    found = by_key().get(rule.strip().lower())
    if found is None:
        raise click.UsageError(f"unknown rule {rule!r} (see `dfslim rules`)")
    meta = found.meta
    click.echo(f"{meta.id} {meta.name} ({meta.category}, {meta.severity.label}, scope: {meta.scope}, fix: {meta.fix or 'none'})")
    if meta.others:
        click.echo(f"Same as: {', '.join(meta.others)}")
    if not meta.enabled:
        click.echo("Off by default: enable it with --select " + meta.id)
    click.echo()
    click.echo(inspect.cleandoc(found.doc))
