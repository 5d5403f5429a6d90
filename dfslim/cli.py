"""The command line: `dfslim lint`, `dfslim rules`, `dfslim explain`."""

from __future__ import annotations

import dataclasses
import os
import re
import sys

import click

from dfslim import __version__

DOCKERFILE_NAME_RE = re.compile(r"(?:Dockerfile|Containerfile)(?:\..+)?|.+\.(?:Dockerfile|dockerfile)")
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages"})
FORMAT_NAMES = ("text", "json")


class FileProblem(Exception):
    """A path that cannot be linted; the message is one line."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dfslim")
def main() -> None:
    """dfslim: find what makes a Docker image fat or unsafe, and how to fix it."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMAT_NAMES), default="text", show_default=True, help="Output format.")
@click.option("--select", help="Comma-separated rule ids, names or categories (size, security, correctness) to run.")
@click.option("--ignore", help="Comma-separated rule ids, names or categories to skip.")
@click.option("--fail-level", type=click.Choice(["error", "warning", "info", "none"]), default="warning", show_default=True, help="Exit 1 when a finding is at or above this severity.")
@click.option("--context", "context_dir", type=click.Path(file_okay=False), help="The build context for context-aware rules (default: each Dockerfile's folder).")
@click.option("--no-color", is_flag=True, help="Never colour the text output.")
def lint(paths, output_format, select, ignore, fail_level, context_dir, no_color) -> None:
    """Lint Dockerfiles (files or folders; `-` for standard input; default: the current folder)."""
    from dfslim.config import ConfigError, Settings, split_list
    from dfslim.reporters import Run, render

    try:
        settings = Settings(select=split_list(select), ignore=split_list(ignore), fail_level=fail_level)
        rules = settings.rules()
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    results = [_lint_one(path, rules, settings, context_dir) for path in discover(paths or (".",))]
    run = Run(results)
    color = output_format == "text" and _use_color(no_color)
    if color:
        import colorama

        colorama.just_fix_windows_console()
    for result in results:
        if result.error:
            click.echo(f"dfslim: error: {result.error}", err=True)
    click.echo(render(output_format, run, color=color), nl=False)
    sys.exit(exit_status(run, settings))


def exit_status(run, settings) -> int:
    if any(result.error for result in run.files):
        return 2
    if any(settings.fails(finding.severity) for result in run.files for finding in result.findings):
        return 1
    return 0


def discover(paths) -> list[str | tuple[str, str]]:
    """Files to lint, in order; a path that cannot be linted becomes ("!", message)."""
    found: list = []
    for path in paths:
        if path == "-" or os.path.isfile(path):
            found.append(path)
        elif os.path.isdir(path):
            inside = sorted(_walk(path))
            found.extend(inside or [("!", f"{path}: no Dockerfile found in this folder")])
        elif os.path.lexists(path):
            found.append(("!", f"{path}: not a regular file"))
        else:
            found.append(("!", f"{path}: no such file or folder"))
    return found


def _walk(folder: str):
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not os.path.exists(os.path.join(root, d, "pyvenv.cfg"))]
        for name in files:
            if DOCKERFILE_NAME_RE.fullmatch(name):
                yield os.path.join(root, name) if root != "." else name


def _lint_one(path, rules, settings, context_dir=None):
    from dfslim.linter import lint
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
        context = context_dir or os.path.dirname(os.path.abspath(path))
        dockerfile = dataclasses.replace(dockerfile, context_dir=context)
    return FileResult(path, lint(dockerfile, rules, settings.severities))


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
