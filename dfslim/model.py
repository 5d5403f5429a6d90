"""The immutable model of a parsed Dockerfile: the bottom layer, importing nothing of dfslim.

Instructions, stages and comments; the shell words and commands of a RUN; the text edits
fixes are made of. The layers above fill them in (the parser, `dfslim.shell`) and read
them (tools, effects, the build graph, rules).

Offsets are indices into `Dockerfile.text` (the file's text without a BOM); lines and
columns are 1-based and `end_column` is exclusive, as in the JSON output.

Records are `typing.NamedTuple`s rather than dataclasses: creating a frozen dataclass
costs about a millisecond at import, and a one-file pre-commit run imports some thirty
of them. A record that caches derived values (`cached_property`) is a subclass of its
fields' NamedTuple, which gives it the `__dict__` the cache needs; the model's
Instruction, Stage and Dockerfile compare by identity, as distinct places in a file.
"""

import bisect
import json
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple, TypeVar

EMPTY_SCOPE: Mapping[str, str] = MappingProxyType({})
KNOWN_INSTRUCTIONS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD "
    "RUN SHELL STOPSIGNAL USER VOLUME WORKDIR".split()
)
T = TypeVar("T")


class ParseError(Exception):
    """The file cannot be read as a Dockerfile; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


class Flag(NamedTuple):
    """An instruction flag such as `--mount=type=cache,target=/root/.cache`."""

    name: str  # lower-case, without the leading dashes
    value: str | None
    start: int
    end: int


class Heredoc(NamedTuple):
    """A `<<EOF` body folded into its instruction."""

    delimiter: str
    strip_tabs: bool  # `<<-EOF`
    quoted: bool  # `<<"EOF"`: no variable expansion in the body
    body: str  # the body lines with their line endings, terminator excluded
    body_start: int  # offset of the body in the text
    start_line: int  # first body line
    end_line: int  # the terminator's line


class Comment(NamedTuple):
    line: int
    text: str  # after the `#`, stripped
    start: int
    end: int


class Word(NamedTuple):
    """One shell word: its text with quotes and escapes removed (expansions left as
    written), and the source offsets of the raw word."""

    text: str
    start: int
    end: int


class _CommandFields(NamedTuple):
    words: tuple[Word, ...]  # argv, redirections and leading assignments removed
    assignments: tuple[Word, ...]
    redirects: tuple[tuple[str, Word], ...]
    before: str | None  # the operator that precedes it (`&&`, `|`, ...), None at the start
    after: str | None  # the operator that follows it
    depth: int  # how many parentheses enclose it (a subshell)
    start: int
    end: int
    heredoc: bool = False  # comes from a heredoc body
    inline: bool = False  # comes from a `sh -c "..."` string: runs in a shell of its own
    nested: int = 0  # how many command substitutions (`$(...)`, backticks, `<(...)`) enclose it


class Command(_CommandFields):
    """A simple command: `DEBIAN_FRONTEND=noninteractive apt-get install -y curl`.

    Compares by value; its `__dict__` holds what the layers above cache about it."""

    @property
    def argv(self) -> tuple[str, ...]:
        return tuple(word.text for word in self.words)

    @property
    def name(self) -> str:
        """The basename of the program (`/opt/venv/bin/pip` -> `pip`), or ""."""
        return self.words[0].text.rsplit("/", 1)[-1] if self.words else ""

    @property
    def piped_to(self) -> bool:
        return self.after in ("|", "|&")

    @property
    def piped_from(self) -> bool:
        return self.before in ("|", "|&")


class Script:
    """The commands of one RUN, in order; iterating a Script iterates its commands."""

    __slots__ = ("commands", "shell_form")

    def __init__(self, commands: tuple[Command, ...], shell_form: bool):
        self.commands = commands
        self.shell_form = shell_form  # False for exec form: word offsets are not exact

    def __repr__(self) -> str:
        return f"Script({self.commands!r}, shell_form={self.shell_form})"

    def __iter__(self):
        return iter(self.commands)

    def __len__(self) -> int:
        return len(self.commands)

    def span(self, first, last=None) -> tuple[int, int] | None:
        """The source range from `first` to `last` (commands or words of this script),
        for a finding's focus; None in exec form, whose offsets are not exact. A command
        starts at its first assignment or word: not at a `then`/`do` before it."""
        if not self.shell_form:
            return None
        return (_first_offset(first), (last or first).end)


def _first_offset(item) -> int:
    """Where a command's own text starts (its first assignment, word or redirection), or
    a word's start."""
    if not isinstance(item, Command):
        return item.start
    starts = [word.start for word in item.assignments + item.words] + [word.start for _op, word in item.redirects]
    return min(starts, default=item.start)


class Edit(NamedTuple):
    """Replace `text[start:end]` of the file with `replacement` (offsets, end exclusive)."""

    start: int
    end: int
    replacement: str


class Fix(NamedTuple):
    title: str  # what the fix does, e.g. "Append `&& rm -rf /var/lib/apt/lists/*`"
    edits: tuple[Edit, ...]
    safe: bool = True  # False: applied only with --unsafe-fixes


class _InstructionFields(NamedTuple):
    index: int
    keyword: str  # upper-case
    start: int
    end: int  # exclusive, before the last line's line ending
    line: int
    column: int
    end_line: int
    end_column: int
    value: str
    pieces: tuple[tuple[int, int], ...]  # (index in value, source offset), ascending
    flags: tuple[Flag, ...]
    args_index: int  # where the arguments start in `value`, after the flags
    heredocs: tuple[Heredoc, ...]
    stage: int  # index of the stage; -1 before the first FROM
    scope: Mapping[str, str]  # ARG/ENV values known just before this instruction
    script: Script | None = None  # RUN: the shell commands it runs (see `dfslim.shell`)
    onbuild: bool = False  # held by an `ONBUILD` (at its place; `Dockerfile.triggers`)


class _ByIdentity:
    """Equal only to itself and hashed by identity, like a plain object."""

    __slots__ = ()
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


class Instruction(_ByIdentity, _InstructionFields):
    """One Dockerfile instruction with its exact place in the source.

    `value` is the logical text after the keyword: continuation lines joined, the escape
    character and comment lines inside the continuation removed, heredoc bodies excluded.
    `pieces` maps positions in `value` back to source offsets. `script` holds the simple
    commands a RUN runs, split by the parser with `dfslim.shell`; None for other keywords.
    """

    @property
    def args(self) -> str:
        return self.value[self.args_index :]

    def source_offset(self, value_index: int) -> int:
        """The source offset of `value[value_index]` (clamped to the instruction)."""
        if value_index >= len(self.value):
            return self.end
        at = bisect.bisect_right(self.pieces, (value_index, float("inf"))) - 1
        piece_index, source = self.pieces[max(at, 0)]
        return source + (value_index - piece_index)

    def args_span(self, first_word: bool = False) -> tuple[int, int] | None:
        """The source range of the arguments without surrounding whitespace (of their
        first word only with `first_word`: the image of a FROM), None when there are none."""
        args = self.args
        text = args.strip()
        if first_word:
            text = text.split(None, 1)[0] if text else ""
        if not text:
            return None
        first = self.args_index + len(args) - len(args.lstrip())
        return self.source_offset(first), self.source_offset(first + len(text) - 1) + 1

    def value_index(self, source_offset: int) -> int | None:
        """The index in `value` of a source offset, or None when it is not part of it."""
        ends = [index for index, _ in self.pieces[1:]] + [len(self.value)]
        for (piece_index, source), piece_end in zip(self.pieces, ends):
            if source <= source_offset <= source + (piece_end - piece_index):
                return piece_index + (source_offset - source)
        return None

    def flag(self, name: str) -> str | None:
        """The value of the last flag called `name` (`""` for a bare flag), else None."""
        found = None
        for flag in self.flags:
            if flag.name == name:
                found = "" if flag.value is None else flag.value
        return found

    def flag_values(self, name: str) -> list[str]:
        return [flag.value or "" for flag in self.flags if flag.name == name]

    @cached_property
    def exec_form(self) -> tuple[str, ...] | None:
        """The JSON array of an exec-form RUN/CMD/ENTRYPOINT, else None."""
        args = self.args.strip()
        if not args.startswith("["):
            return None
        if args.startswith("[["):
            return None  # an exec form is a flat list of strings; deep nesting is not one
        try:
            parsed = json.loads(args)
        except (ValueError, RecursionError):
            return None
        if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
            return tuple(parsed)
        return None



class _StageFields(NamedTuple):
    index: int
    name: str | None  # as written after AS
    instruction: Instruction  # its FROM
    base: str  # the image as written
    base_resolved: str  # after ARG substitution (may still contain `$` when unknown)
    parent: int | None  # the earlier stage it is built FROM (see `dfslim.graph` for which ship)
    platform: str | None
    instructions: tuple[Instruction, ...]  # FROM included


class Stage(_ByIdentity, _StageFields):
    @property
    def label(self) -> str:
        """How outputs name the stage: its name, else its index."""
        return self.name if self.name else str(self.index)


class _DockerfileFields(NamedTuple):
    path: str
    text: str
    bom: bool
    escape: str
    directives: Mapping[str, str]
    instructions: tuple[Instruction, ...]
    comments: tuple[Comment, ...]
    stages: tuple[Stage, ...]
    global_args: Mapping[str, str]
    line_starts: tuple[int, ...]
    context_dir: str | None = None  # the build context, for context-aware rules; None: unknown
    targets: tuple[str, ...] = ()  # the build targets asked for (`--target`); (): inferred
    triggers: tuple[Instruction, ...] = ()  # what the `ONBUILD`s hold, in file order


class Dockerfile(_ByIdentity, _DockerfileFields):
    def __repr__(self) -> str:
        return f"Dockerfile(path={self.path!r}, instructions={len(self.instructions)}, stages={len(self.stages)})"

    def of(self, *keywords: str) -> Iterator[Instruction]:
        """The instructions of these keywords, in file order; what an `ONBUILD` holds
        (`ONBUILD RUN ...`) is one of them, at the ONBUILD's place."""
        if len(keywords) == 1:
            return iter(self.by_keyword.get(keywords[0].upper(), ()))
        wanted = {k.upper() for k in keywords}
        if not self.triggers:
            return (i for i in self.instructions if i.keyword in wanted)
        return (i for i in self._with_triggers if i.keyword in wanted)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a source offset."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def stage_of(self, instruction: Instruction) -> Stage | None:
        return self.stages[instruction.stage] if instruction.stage >= 0 else None

    def lineage(self, stage: Stage) -> list[Stage]:
        """The stage and the stages it is built FROM, root first."""
        chain = [stage]
        while chain[-1].parent is not None:
            chain.append(self.stages[chain[-1].parent])
        return chain[::-1]

    def find_stage(self, reference: str) -> Stage | None:
        """The stage a `--from=` or `FROM` reference names (a name or an index)."""
        wanted = reference.lower()
        for stage in self.stages:
            if stage.name and stage.name.lower() == wanted:
                return stage
        if wanted.isdigit() and int(wanted) < len(self.stages):
            return self.stages[int(wanted)]
        return None

    def memo(self, function: "Callable[[Dockerfile], T]") -> T:
        """`function(self)`, computed once per Dockerfile and kept with it: for what a
        rule's `check` and its `secret_spans`, or several rules, ask of the same file."""
        cache = self.__dict__.setdefault("_memo", {})
        key = (function.__module__, function.__qualname__)
        if key not in cache:
            cache[key] = function(self)
        return cache[key]

    @cached_property
    def _with_triggers(self) -> tuple[Instruction, ...]:
        """The instructions with each ONBUILD's trigger right after it."""
        if not self.triggers:
            return self.instructions
        held: dict[int, Instruction] = {trigger.index: trigger for trigger in self.triggers}
        found: list[Instruction] = []
        for instruction in self.instructions:
            found.append(instruction)
            if instruction.index in held:
                found.append(held[instruction.index])
        return tuple(found)

    @cached_property
    def by_keyword(self) -> Mapping[str, tuple[Instruction, ...]]:
        """The instructions of each keyword, in order (cheap repeated lookups), ONBUILD
        triggers included."""
        table: dict[str, list[Instruction]] = {}
        for instruction in self._with_triggers:
            table.setdefault(instruction.keyword, []).append(instruction)
        return MappingProxyType({keyword: tuple(found) for keyword, found in table.items()})

    @cached_property
    def newline(self) -> str:
        """The file's line ending, for fixes that add lines."""
        return "\r\n" if "\r\n" in self.text else "\n"

    @cached_property
    def final_stage(self) -> Stage:
        return self.stages[-1]
