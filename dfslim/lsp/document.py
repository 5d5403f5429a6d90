"""What the language server knows of one open document, without the protocol: its
lint, the spans of its findings, positions in the client's units, and its fixes.

Nothing here imports pygls or lsprotocol, so it is tested and timed on its own.
Offsets index the document's text as the editor holds it; the parser's offsets index the
text without a BOM, so they are shifted by the BOM's length.
"""


import bisect
import os
from typing import NamedTuple

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"  # LSP's position encodings


class Positions:
    """Offsets of a text to LSP positions (0-based line, character in the client's code
    units) and back."""

    def __init__(self, text: str, encoding: str = UTF16):
        self.text = text
        self.encoding = encoding
        self.line_starts = [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]

    def units(self, chunk: str) -> int:
        if self.encoding == UTF32 or chunk.isascii():
            return len(chunk)
        if self.encoding == UTF8:
            return len(chunk.encode("utf-8", "surrogatepass"))
        return len(chunk) + sum(1 for char in chunk if ord(char) > 0xFFFF)

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line, self.units(self.text[self.line_starts[line] : offset])

    def offset(self, line: int, character: int) -> int:
        """The offset of a client position; past a line's end: the line's end."""
        if line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[max(line, 0)]
        end = self.line_starts[line + 1] - 1 if line + 1 < len(self.line_starts) else len(self.text)
        if self.encoding == UTF32 or self.text[start:end].isascii():
            return min(start + max(character, 0), end)
        counted = 0
        for index in range(start, end):
            if counted >= character:
                return index
            counted += self.units(self.text[index])
        return end

    def offset_of(self, line: int, column: int) -> int:
        """The offset of a 1-based line and code-point column (dfslim's)."""
        if line - 1 >= len(self.line_starts):
            return len(self.text)
        return min(self.line_starts[max(line - 1, 0)] + column - 1, len(self.text))

    def line_end(self, offset: int) -> int:
        """Where the line holding `offset` ends (before its `\\r\\n` or `\\n`)."""
        end = self.text.find("\n", offset)
        end = len(self.text) if end < 0 else end
        return end - 1 if end > offset and self.text[end - 1] == "\r" else end


class Problem(NamedTuple):
    """A document that could not be linted: its one-line reason and line (1-based)."""

    message: str
    line: int = 1


class DocumentLint(NamedTuple):
    """One lint of one version of a document."""

    uri: str
    version: int | None
    text: str
    path: str  # the file's path, or `-` for a document without one
    findings: tuple = ()
    problem: Problem | None = None
    rules: tuple = ()
    severities: object = None
    context_dir: str | None = None
    targets: tuple[str, ...] = ()  # the configuration's `targets`

    @property
    def bom(self) -> int:
        return 1 if self.text.startswith("\ufeff") else 0


class Project:
    """The configuration of the documents' files, read as the CLI reads it (the nearest
    `.dfslim.toml` or `pyproject.toml` above each file), kept until `reload()`."""

    def __init__(self):
        self.configs = None

    def reload(self) -> None:
        self.configs = None

    def settings_for(self, path: str):
        from dfslim.config import Configs

        if self.configs is None:
            self.configs = Configs()
        return self.configs.settings_for(path)


def lint_document(project: Project, uri: str, version: int | None, text: str, path: str | None) -> DocumentLint:
    """Lint a document's text as the CLI lints the file at `path`: its configuration, its
    per-file-ignores, and the folder beside it as the build context."""
    from dfslim.config import ConfigError
    from dfslim.linter import lint
    from dfslim.model import ParseError
    from dfslim.parser import parse

    shown = path or "-"
    base = DocumentLint(uri, version, text, shown)
    if not text.strip():
        return base  # a new, empty buffer: nothing to say yet
    try:
        settings = project.settings_for(shown)
    except ConfigError as error:
        project.reload()  # read it again next time: the user is fixing it
        return base._replace(problem=Problem(f"configuration: {error}"))
    rules = tuple(settings.rules_for(shown))
    context_dir = os.path.dirname(os.path.abspath(path)) if path else None
    try:
        dockerfile = parse(text, shown)
    except ParseError as error:
        return base._replace(problem=Problem(error.message, error.line or 1), rules=rules, severities=settings.severities, context_dir=context_dir)
    if context_dir or settings.targets:
        dockerfile = dockerfile._replace(context_dir=context_dir, targets=settings.targets)
    findings = tuple(lint(dockerfile, rules, settings.severities))
    return base._replace(
        findings=findings, rules=rules, severities=settings.severities, context_dir=context_dir, targets=settings.targets
    )


def finding_span(finding, positions: Positions, bom: int = 0) -> tuple[int, int]:
    """The offsets a finding points at: its `focus` (the command or word that triggered
    it) when findings carry one, else the instruction's first line."""
    focus = getattr(finding, "focus", None)
    if focus is not None:
        line, column, end_line, end_column = _span_fields(focus)
        return positions.offset_of(line, column + bom * (line == 1)), positions.offset_of(end_line, end_column + bom * (end_line == 1))
    start = positions.offset_of(finding.line, finding.column + bom * (finding.line == 1))
    end = positions.offset_of(finding.end_line, finding.end_column + bom * (finding.end_line == 1))
    return start, min(end, positions.line_end(start))


def _span_fields(focus) -> tuple[int, int, int, int]:
    if isinstance(focus, dict):
        return focus["line"], focus["column"], focus["end_line"], focus["end_column"]
    if hasattr(focus, "end_column"):
        return focus.line, focus.column, focus.end_line, focus.end_column
    return tuple(focus)[:4]


def fix_edits(finding, bom: int = 0) -> list[tuple[int, int, str]]:
    """A finding's fix as (start, end, replacement) offsets of the document's text."""
    if finding.fix is None:
        return []
    return [(edit.edit.start + bom, edit.edit.end + bom, edit.edit.replacement) for edit in finding.edits]


def fix_all(document: DocumentLint) -> tuple[int, int, str] | None:
    """Every safe fix, applied as `dfslim fix` applies them, as one edit of the changed
    part of the text; None when nothing changes or a fix would damage the file."""
    from dfslim.fixer import FixError, fix_text

    if document.problem is not None or not any(f.fix is not None and f.fix.safe and f.edits for f in document.findings):
        return None
    try:
        outcome = fix_text(
            document.text, document.path, document.rules, document.severities, unsafe=False,
            context_dir=document.context_dir, targets=document.targets,
        )
    except FixError:
        return None
    return changed_part(document.text, outcome.text)


def changed_part(old: str, new: str) -> tuple[int, int, str] | None:
    """The one edit (start, end, replacement) of `old` that gives `new`: the text between
    their common start and common end (a small edit keeps the editor's cursor and undo)."""
    if old == new:
        return None
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return start, end_old, new[start:end_new]


def path_of(uri: str) -> str | None:
    """The local path of a `file:` URI; None for another scheme (an unsaved buffer)."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if os.name == "nt" and path.startswith("/") and path[2:3] == ":":
        path = path[1:]
    return os.path.normpath(path)
