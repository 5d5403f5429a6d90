"""Output formats. Each module has `render(run: Run, *, color: bool) -> str`; no I/O."""


import importlib
import os
from typing import NamedTuple

from dfslim.api import Severity
from dfslim.linter import Finding
from dfslim.units import exact, megabytes

FORMATS = {
    "text": "dfslim.reporters.text",
    "json": "dfslim.reporters.json",
    "sarif": "dfslim.reporters.sarif",
    "github": "dfslim.reporters.github",
    "gitlab": "dfslim.reporters.gitlab",
    "checkstyle": "dfslim.reporters.checkstyle",
}
CHOICES = ("auto", *FORMATS)  # auto: github under GitHub Actions, else text
SUFFIXES = ((".sarif", "sarif"), (".sarif.json", "sarif"), (".json", "json"), (".xml", "checkstyle"))
# names CI documentation gives a report, which win over the extension
CONVENTIONAL_NAMES = {"gl-code-quality-report.json": "gitlab"}


class FileResult:
    """What one file gave: findings, or a one-line error; filled in as the run goes."""

    __slots__ = ("path", "findings", "error", "settings", "fixes_applied", "fixed_text", "diff", "skipped", "warning")

    def __init__(
        self,
        path: str,
        findings: list[Finding] | None = None,
        error: str | None = None,  # one line, with the line number when there is one
        settings: object = None,  # config.Settings used, for the exit status
        fixes_applied: int = 0,
        fixed_text: str | None = None,  # `-` fixed: the text to print
        diff: str | None = None,  # --diff: the unified diff of the fixes
        skipped: str | None = None,  # a file a folder search chose that is no Dockerfile: why
        warning: str | None = None,  # linted, but not quite as asked (a `--target` it lacks)
    ):
        self.path = path
        self.findings = [] if findings is None else findings
        self.error = error
        self.settings = settings
        self.fixes_applied = fixes_applied
        self.fixed_text = fixed_text
        self.diff = diff
        self.skipped = skipped
        self.warning = warning

    def __repr__(self) -> str:
        return f"FileResult({self.path!r}, findings={len(self.findings)}, error={self.error!r})"


class Run(NamedTuple):
    files: list[FileResult]
    skipped: tuple[FileResult, ...] = ()  # found by a folder search, not Dockerfiles: not linted

    @property
    def findings(self) -> list[Finding]:
        every = [finding for result in self.files for finding in result.findings]
        every.sort(key=lambda finding: finding.sort_key)
        return every

    def count(self, severity: Severity) -> int:
        return sum(1 for result in self.files for f in result.findings if f.severity == severity)

    @property
    def fixes_applied(self) -> int:
        return sum(result.fixes_applied for result in self.files)

    @property
    def savings_bytes(self) -> int | None:
        known = [f.savings_bytes for result in self.files for f in result.findings if f.savings_bytes]
        return sum(known) if known else None


def over_budget(run: Run, settings) -> list[str]:
    """One line per file whose findings' estimated savings exceed its `max-savings`
    (the file's own settings when the run recorded them, else `settings`, the command
    line's): which file, how much, by how much, and whose limit it was."""
    lines = []
    for result in run.files:
        chosen = result.settings or settings
        total = sum(finding.savings_bytes or 0 for finding in result.findings)
        if result.error or not chosen.over_budget(total):
            continue
        limit = chosen.max_savings
        where = "--max-savings" if settings.max_savings is not None else f"max-savings in {chosen.source}"
        lines.append(
            f"{result.path}: estimated avoidable {megabytes(total)} ({total:,} bytes) exceeds "
            f"{exact(limit)} ({where}) by {megabytes(total - limit)}"
        )
    return lines


def render(name: str, run: Run, *, color: bool = False, quiet: bool = False) -> str:
    """The report; `quiet` drops the text report's summary (the other formats are data)."""
    name = resolve_format(name)
    module = importlib.import_module(FORMATS[name])
    if name == "text":
        return module.render(run, color=color, quiet=quiet)
    return module.render(run, color=color)


def render_pieces(name: str, run: Run, *, color: bool = False, quiet: bool = False):
    """The report in pieces, to write one after the other: a format that can (JSON) gives
    them one finding at a time, so a corpus-sized report is never one string; the others
    give the whole report."""
    name = resolve_format(name)
    module = importlib.import_module(FORMATS[name])
    if hasattr(module, "render_pieces"):
        return module.render_pieces(run)
    return iter((render(name, run, color=color, quiet=quiet),))


def resolve_format(name: str, environ=None) -> str:
    """`auto` is `github` when running under GitHub Actions, else `text`."""
    if name != "auto":
        return name
    environ = os.environ if environ is None else environ
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"


def format_for_file(name: str, path: str) -> str:
    """The format of an `--output` file: as asked, or for `auto` by the file's name
    (GitLab's `gl-code-quality-report.json`) or extension."""
    if name != "auto":
        return name
    lower = path.lower()
    conventional = CONVENTIONAL_NAMES.get(os.path.basename(lower))
    if conventional:
        return conventional
    for suffix, found in SUFFIXES:
        if lower.endswith(suffix):
            return found
    raise ValueError(f"cannot tell the report format of {path!r} from its extension (.sarif, .json, .xml): add --format")


# --- shared by the CI formats ------------------------------------------------------------


def report_path(path: str) -> str:
    """A path as CI systems want it: `/`-separated, without `./`, and relative to the current
    folder (the repository root in CI) when it is inside it."""
    if path == "-":
        return path
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive
            relative = path
        if not relative.startswith(".."):
            path = relative
    path = os.path.normpath(path).replace(os.sep, "/")
    return path


def headline(finding: Finding) -> str:
    """The message, with the size estimate when there is one."""
    if finding.savings_bytes:
        return f"{finding.message} ({megabytes(finding.savings_bytes)})"
    return finding.message


def focus_of(finding: Finding) -> tuple[int, int, int, int]:
    """(line, column, end_line, end_column) of what triggered the finding: the command or
    word inside a long instruction, else the instruction itself."""
    return finding.focus or (finding.line, finding.column, finding.end_line, finding.end_column)


def with_help(finding: Finding, separator: str = "\n") -> str:
    """The message and the suggestion: what is wrong and what to write instead."""
    return f"{headline(finding)}{separator}help: {finding.suggestion}"


def fingerprints(findings: list[Finding]) -> list[str]:
    """A fingerprint per finding that survives edits elsewhere in the file: a hash of the
    path, the rule, the instruction's normalized text and which occurrence of identical
    ones it is (never its line number)."""
    import hashlib

    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for finding in findings:
        key = (report_path(finding.path), finding.rule, finding.fingerprint_text or finding.excerpt.strip())
        seen[key] = occurrence = seen.get(key, 0) + 1
        out.append(hashlib.sha256("\0".join((*key, str(occurrence))).encode("utf-8")).hexdigest())
    return out


def split_error(result: FileResult) -> tuple[int | None, str]:
    """A file error's line (when it names one) and its message without the `path:line: `."""
    error = result.error or ""
    prefix = f"{result.path}:"
    if not error.startswith(prefix):
        return None, error
    rest = error[len(prefix) :]
    number, colon, message = rest.partition(": ")
    if colon and number.isdigit():
        return int(number), message
    return None, rest.removeprefix(" ")
