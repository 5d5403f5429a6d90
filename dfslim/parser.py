"""Turn Dockerfile text into the `dfslim.model` types, on top of dockerfile-parse.

dockerfile-parse groups physical lines into instructions and honours the escape
directive, but it knows nothing of heredocs (their bodies come back as bogus
instructions) and ends a continuation at a blank line, where BuildKit skips it. A first
linear pass over the lines finds both and masks them (bodies become empty lines, blank
lines inside a continuation become comments) without moving any line, so the
structure dockerfile-parse returns lines up with the original text. Everything else —
values, spans, flags, stages, scopes — is computed from the original text, never from
dockerfile-parse's `content`, which drops comment lines.
"""


import io
import re
from collections.abc import Mapping
from typing import NamedTuple
from types import MappingProxyType

from dockerfile_parse import DockerfileParser

from dfslim.model import (
    EMPTY_SCOPE,
    Comment,
    Dockerfile,
    Flag,
    Heredoc,
    Instruction,
    ParseError,
    Stage,
)
from dfslim.regex import lazy_compile
from dfslim.shell import script_of
from dfslim.values import assignments, expand, unquote

HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
# what an `ONBUILD` may hold that does work in the child image and is linted as such;
# its ENV, USER, WORKDIR... do not change the declaring stage
TRIGGER_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
TRIGGER_RE = lazy_compile(r"\s*([A-Za-z]+)(?:\s+|$)")
FLAG_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD", "FROM", "HEALTHCHECK"})

DIRECTIVE_RE = lazy_compile(r"#[ \t]*([A-Za-z][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*?)[ \t\r]*$")
KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
HEREDOC_RE = lazy_compile(r"(?<![<\w])\d*<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2(?![\w<])")


def parse_bytes(data: bytes, path: str = "Dockerfile") -> Dockerfile:
    """Decode and parse a file's bytes; raises ParseError for anything unreadable."""
    if b"\x00" in data:
        raise ParseError("binary file (contains NUL bytes), not a Dockerfile")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ParseError(f"not valid UTF-8 (byte {error.start})", line) from None
    return parse(text, path)


def parse(text: str, path: str = "Dockerfile") -> Dockerfile:
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    if not text.strip():
        raise ParseError("empty file, not a Dockerfile")
    lines = text.split("\n")
    line_starts = _line_starts(lines)
    directives, directive_lines = _directives(lines)
    escape = directives.get("escape", "\\")
    if escape not in ("\\", "`"):
        raise ParseError(f"invalid escape directive {escape!r} (use \\ or `)", 1)
    layout = _layout(lines, escape, directive_lines)
    structure = _structure(layout.masked)

    builder = _Builder(text, lines, line_starts, escape, layout, path)
    for entry in structure:
        if entry["instruction"] == "COMMENT":
            builder.add_comment(entry["startline"])
        else:
            builder.add_instruction(entry["instruction"], entry["startline"], entry["endline"])
    return builder.finish(bom, escape, directives)


# ---------------------------------------------------------------------------- line pass


class _Layout(NamedTuple):
    masked: str
    directive_lines: set[int]
    comment_lines: set[int]  # 0-based lines that are comments inside a continuation
    heredocs: dict[int, list[tuple[str, bool, bool, int, int]]]  # start line -> bodies
    ends: dict[int, int]  # start line -> last line, heredoc terminators included


def _line_starts(lines: list[str]) -> tuple[int, ...]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return tuple(starts)


def _directives(lines: list[str]) -> tuple[dict[str, str], set[int]]:
    directives: dict[str, str] = {}
    for number, line in enumerate(lines):
        match = DIRECTIVE_RE.match(line)
        key = match.group(1).lower() if match else None
        if key not in KNOWN_DIRECTIVES or key in directives:
            break
        directives[key] = match.group(2)
    return directives, set(range(len(directives)))


def _continues(line: str, escape: str) -> bool:
    stripped = line.rstrip(" \t\r")
    return stripped.endswith(escape)


def _layout(lines: list[str], escape: str, directive_lines: set[int]) -> _Layout:
    """Find heredoc bodies and blank lines inside continuations, and mask them."""
    masked = list(lines)
    comment_lines: set[int] = set()
    heredocs: dict[int, list] = {}
    ends: dict[int, int] = {}
    start = None  # first line of the instruction being read
    logical: list[str] = []
    number = 0
    total = len(lines)
    while number < total:
        line = lines[number]
        if number in directive_lines:
            # dockerfile-parse stops looking for `# escape=` at any other directive
            masked[number] = line if "escape" in line.lower() else "# syntax=x"
            number += 1
            continue
        stripped = line.strip()
        if stripped.startswith("#"):
            if start is not None:
                comment_lines.add(number)
            number += 1
            continue
        if not stripped:
            if start is not None:
                masked[number] = "#"
                comment_lines.add(number)
            number += 1
            continue
        if start is None:
            if stripped == escape:
                # BuildKit joins an empty continuation line with the next one
                masked[number] = ""
                number += 1
                continue
            start, logical = number, []
        logical.append(line)
        if _continues(line, escape):
            number += 1
            continue
        bodies = _heredoc_markers(logical)
        first, start = start, None
        number += 1
        if not bodies:
            continue
        found = []
        for delimiter, strip_tabs, quoted in bodies:
            body_start = number
            while number < total:
                candidate = lines[number].rstrip("\r")
                if strip_tabs:
                    candidate = candidate.lstrip("\t")
                masked[number] = ""
                number += 1
                if candidate == delimiter:
                    break
            else:
                raise ParseError(f"unterminated heredoc <<{delimiter}", first + 1)
            found.append((delimiter, strip_tabs, quoted, body_start, number - 1))
        heredocs[first] = found
        ends[first] = number - 1
    return _Layout("\n".join(masked) + "\n", directive_lines, comment_lines, heredocs, ends)


def _heredoc_markers(logical: list[str]) -> list[tuple[str, bool, bool]]:
    head = logical[0].lstrip()
    keyword = head.split(None, 1)[0].upper() if head else ""
    if keyword == "ONBUILD":
        rest = head.split(None, 2)
        keyword = rest[1].upper() if len(rest) > 1 else ""
    if keyword not in HEREDOC_INSTRUCTIONS:
        return []
    text = " ".join(logical)
    if "<<" not in text:
        return []
    return [(m.group(3), m.group(1) == "-", bool(m.group(2))) for m in HEREDOC_RE.finditer(text)]


# str.splitlines (which dockerfile-parse uses) breaks lines at these too; dfslim only at \n
FOREIGN_BREAKS_RE = lazy_compile("\r(?!\n)|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


# dockerfile-parse's own tests of a physical line, applied here to the same lines
_DP_COMMENT_RE = lazy_compile(r"^\s*#")
_DP_INSTRUCTION_RE = lazy_compile(r"^\s*(\S+)\s+(.*)$")
_DP_ESCAPE_RE = lazy_compile(r"^\s*#\s*escape\s*=\s*(\\|`)\s*$", re.IGNORECASE)
_DP_SYNTAX_RE = lazy_compile(r"^\s*#\s*syntax\s*=\s*(.*)\s*$", re.IGNORECASE)


def _structure(masked: str) -> list[dict]:
    """dockerfile-parse's entries (keyword, first and last line), from the lines it needs."""
    masked = FOREIGN_BREAKS_RE.sub(" ", masked)
    kept, numbers, comments = _needed_lines(masked.splitlines(True))
    parser = DockerfileParser(fileobj=io.BytesIO("".join(kept).encode("utf-8")), cache_content=True)
    entries = [
        dict(entry, startline=numbers[entry["startline"]], endline=numbers[entry["endline"]])
        for entry in parser.structure
    ]
    return sorted(entries + comments, key=lambda entry: entry["startline"])


def _needed_lines(lines: list[str]) -> tuple[list[str], list[int], list[dict]]:
    """The lines dockerfile-parse needs to group instructions exactly as it would with all
    of them, their numbers, and its entries for the comment lines left out.

    dockerfile-parse joins an instruction's lines by repeated string concatenation, which
    is quadratic in the number of lines of one instruction (100,000 continuation lines
    took seconds). A line inside a continuation that continues further changes nothing
    but that joined text, which is not used; a comment line only adds its own entry; a
    line that neither starts an instruction nor ends one is skipped or continues. So
    those are left out, and the directive lines at the top (which set the escape
    character it continues lines with) are all kept."""
    head, escape = 0, "\\"
    while head < len(lines):
        directive = _DP_ESCAPE_RE.match(lines[head])
        if directive:
            escape = directive.group(1)
        elif not _DP_SYNTAX_RE.match(lines[head]):
            break
        head += 1
    continues = re.compile(r"^.*" + re.escape(escape) + r"\s*$")
    kept: list[str] = []
    numbers: list[int] = []
    comments: list[dict] = []
    inside = False  # in a continuation, as dockerfile-parse tracks it
    for number, line in enumerate(lines):
        if _DP_COMMENT_RE.match(line):
            needed = number <= head
            if not needed:
                comments.append({"instruction": "COMMENT", "startline": number, "endline": number})
        else:
            more = continues.match(line) is not None
            if _DP_INSTRUCTION_RE.match(line) is None:
                needed = not more  # a blank line ends a continuation
                inside = inside and more
            else:
                needed = not (inside and more)
                inside = more
        if needed or number <= head:
            kept.append(line)
            numbers.append(number)
    return kept, numbers, comments


# ---------------------------------------------------------------------------- building


class _Builder:
    def __init__(self, text, lines, line_starts, escape, layout: _Layout, path):
        self.text = text
        self.lines = lines
        self.line_starts = line_starts
        self.escape = escape
        self.layout = layout
        self.path = path
        self.instructions: list[Instruction] = []
        self.comments: list[Comment] = []
        self.global_args: dict[str, str] = {}
        self.stage_scopes: list[dict[str, str]] = []
        self.stage_heads: list[tuple[Instruction, str | None, str, str, int | None, str | None]] = []
        # lowercased stage name -> the last stage so named: a FROM finds its parent without
        # reading every earlier stage (a file of many stages was quadratic)
        self.stage_names: dict[str, int] = {}
        self.scope: Mapping[str, str] = EMPTY_SCOPE
        self.triggers: list[Instruction] = []

    def add_comment(self, number: int) -> None:
        if number in self.layout.comment_lines or number in self.layout.directive_lines:
            return  # a directive, or inside a continuation: not a comment of the file's own
        line = self.lines[number]
        start = self.line_starts[number] + (len(line) - len(line.lstrip()))
        text = line.strip()[1:].strip()
        self.comments.append(Comment(number + 1, text, start, self.line_starts[number] + len(line.rstrip("\r"))))

    def add_instruction(self, keyword: str, first: int, last: int) -> None:
        last = self.layout.ends.get(first, last)
        value, pieces = self._logical_value(first, last)
        flags, args_index = _flags(value, pieces) if keyword in FLAG_INSTRUCTIONS else ((), 0)
        flags = tuple(Flag(n, v, _source(pieces, s), _source(pieces, e)) for n, v, s, e in flags)
        heredocs = tuple(self._heredoc(*spec) for spec in self.layout.heredocs.get(first, ()))
        start = self.line_starts[first] + (len(self.lines[first]) - len(self.lines[first].lstrip()))
        end_text = self.lines[last].rstrip("\r")
        end = self.line_starts[last] + len(end_text)
        stage = len(self.stage_heads) - (0 if keyword == "FROM" else 1)
        if keyword == "FROM":
            self.scope = MappingProxyType(dict(self.global_args))
        instruction = Instruction(
            index=len(self.instructions),
            keyword=keyword,
            start=start,
            end=end,
            line=first + 1,
            column=start - self.line_starts[first] + 1,
            end_line=last + 1,
            end_column=len(end_text) + 1,
            value=value,
            pieces=pieces,
            flags=flags,
            args_index=args_index,
            heredocs=heredocs,
            stage=stage,
            scope=self.scope,
        )
        if keyword == "RUN":
            instruction = instruction._replace(script=script_of(instruction))
        elif keyword == "ONBUILD":
            self._add_trigger(instruction)
        self.instructions.append(instruction)
        if keyword == "FROM":
            self._start_stage(instruction)
        elif keyword == "ARG" or (keyword == "ENV" and self.stage_heads):
            self._assign(instruction)

    def _add_trigger(self, onbuild: Instruction) -> None:
        """`ONBUILD RUN ...`: the instruction it holds, at the ONBUILD's place in the file,
        linted in the stage that declares it (it runs in every image built FROM it)."""
        match = TRIGGER_RE.match(onbuild.value)
        keyword = match.group(1).upper() if match else ""
        if keyword not in TRIGGER_KEYWORDS:
            return
        shift = match.end()
        value = onbuild.value[shift:]
        pieces = _shifted(onbuild.pieces, shift) or ((0, onbuild.end),)
        flags, args_index = _flags(value, pieces)
        trigger = onbuild._replace(
            keyword=keyword,
            value=value,
            pieces=pieces,
            flags=tuple(Flag(n, v, _source(pieces, s), _source(pieces, e)) for n, v, s, e in flags),
            args_index=args_index,
            onbuild=True,
        )
        if keyword == "RUN":
            trigger = trigger._replace(script=script_of(trigger))
        self.triggers.append(trigger)

    def _logical_value(self, first: int, last: int) -> tuple[str, tuple[tuple[int, int], ...]]:
        parts: list[str] = []
        pieces: list[tuple[int, int]] = []
        length = 0
        heredoc_lines = {n for spec in self.layout.heredocs.get(first, ()) for n in range(spec[3], spec[4] + 1)}
        for number in range(first, last + 1):
            if number in self.layout.comment_lines or number in heredoc_lines:
                continue
            line = self.lines[number].rstrip("\r")
            offset = self.line_starts[number]
            if number == first:
                match = re.match(r"\s*\S+[ \t]*", line)
                offset += match.end()
                line = line[match.end() :]
            if _continues(line, self.escape):
                line = line.rstrip(" \t")[:-1]
            if line:
                pieces.append((length, offset))
                parts.append(line)
                length += len(line)
        value = "".join(parts).rstrip()
        if not pieces:
            pieces.append((0, self.line_starts[first] + len(self.lines[first].rstrip("\r"))))
        return value, tuple(pieces)

    def _heredoc(self, delimiter, strip_tabs, quoted, body_first, terminator) -> Heredoc:
        body_start = self.line_starts[body_first]
        body_end = self.line_starts[terminator]
        return Heredoc(
            delimiter,
            strip_tabs,
            quoted,
            self.text[body_start:body_end],
            body_start,
            body_first + 1,
            terminator + 1,
        )

    def _start_stage(self, instruction: Instruction) -> None:
        words = instruction.args.split()
        base = unquote(words[0], self.escape) if words else ""
        name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
        resolved = expand(base, self.global_args)
        parent = self.stage_names.get(resolved.lower())
        platform = instruction.flag("platform")
        if name:
            self.stage_names[name.lower()] = len(self.stage_heads)
        self.stage_heads.append((instruction, name, base, resolved, parent, platform))
        scope = dict(self.stage_scopes[parent]) if parent is not None else {}
        self.stage_scopes.append(scope)
        self.scope = MappingProxyType(dict(scope))

    def _assign(self, instruction: Instruction) -> None:
        in_stage = bool(self.stage_heads)
        scope = dict(self.stage_scopes[-1]) if in_stage else self.global_args
        for name, value in assignments(instruction.keyword, instruction.args, self.escape):
            if value is None:  # `ARG NAME` takes the global default, if any
                if name in self.global_args and in_stage:
                    scope[name] = self.global_args[name]
                continue
            scope[name] = expand(value, scope if in_stage else self.global_args)
        if in_stage:
            self.stage_scopes[-1] = scope
            self.scope = MappingProxyType(dict(scope))
        else:
            self.scope = MappingProxyType(dict(self.global_args))

    def finish(self, bom: bool, escape: str, directives: dict[str, str]) -> Dockerfile:
        if not self.stage_heads:
            raise ParseError("no FROM instruction, not a Dockerfile")
        by_stage: list[list[Instruction]] = [[] for _ in self.stage_heads]
        for instruction in self.instructions:
            if instruction.stage >= 0:
                by_stage[instruction.stage].append(instruction)
        stages = tuple(
            Stage(
                index=index,
                name=name,
                instruction=head,
                base=base,
                base_resolved=resolved,
                parent=parent,
                platform=platform,
                instructions=tuple(by_stage[index]),
            )
            for index, (head, name, base, resolved, parent, platform) in enumerate(self.stage_heads)
        )
        return Dockerfile(
            path=self.path,
            text=self.text,
            bom=bom,
            escape=escape,
            directives=MappingProxyType(directives),
            instructions=tuple(self.instructions),
            comments=tuple(self.comments),
            stages=stages,
            global_args=MappingProxyType(dict(self.global_args)),
            line_starts=self.line_starts,
            triggers=tuple(self.triggers),
        )


def _shifted(pieces, shift: int) -> tuple[tuple[int, int], ...]:
    """`pieces` of a value for the same value without its first `shift` characters."""
    found = []
    ends = [index for index, _source in pieces[1:]] + [None]
    for (index, source), end in zip(pieces, ends):
        if end is not None and end <= shift:
            continue
        found.append((max(index - shift, 0), source + max(shift - index, 0)))
    return tuple(found)


def _source(pieces, value_index: int) -> int:
    source = pieces[0][1]
    for piece_index, offset in pieces:
        if piece_index > value_index:
            break
        source = offset + (value_index - piece_index)
    return source


def _flags(value: str, pieces) -> tuple[list[tuple[str, str | None, int, int]], int]:
    """Leading `--name[=value]` words; returns them and where the arguments start."""
    flags = []
    position = len(value) - len(value.lstrip())
    while value.startswith("--", position):
        end = position
        quote = None
        while end < len(value) and (quote or not value[end].isspace()):
            if value[end] in "\"'":
                quote = None if quote == value[end] else (quote or value[end])
            end += 1
        word = value[position + 2 : end]
        name, equals, flag_value = word.partition("=")
        flags.append((name.lower(), flag_value if equals else None, position, end))
        position = end
        while position < len(value) and value[position].isspace():
            position += 1
    return flags, position
