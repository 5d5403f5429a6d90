"""Split a RUN instruction's shell script into simple commands.

A small POSIX-shell tokenizer: enough to find commands and their arguments, with source
positions, in the scripts Dockerfiles contain. It splits on `&&`, `||`, `;`, `|`, `&`,
newlines and parentheses, honours quotes, backslash escapes, `$(...)`, backticks and
comments, drops redirections from argv, and never evaluates anything. Linear in the
length of its input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dfslim.model import Instruction

SEPARATORS = ("&&", "||", ";;", ";", "|&", "|", "&", "\n", "(", ")")
REDIRECT_RE = re.compile(r"\d*(?:<<<|<<-|<<|>>|>&|<&|<>|>\||&>>|&>|>|<)")
PLAIN_RE = re.compile(r"[^\s'\"\\$`;&|()<>]+")
ASSIGNMENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
LEADING_KEYWORDS = frozenset({"then", "else", "elif", "do", "if", "while", "until", "!", "{", "}", "time"})
SKIPPED_COMMANDS = frozenset({"fi", "done", "esac", "for", "case", "in", "select", "function"})
# Commands that run their arguments as another command.
WRAPPERS = frozenset({"sudo", "env", "exec", "nice", "nohup", "command", "builtin", "xargs", "doas", "gosu", "su-exec", "chroot", "stdbuf", "timeout", "eatmydata"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # the word with quotes and escapes removed (expansions left as written)
    start: int  # source offsets of the raw word
    end: int


@dataclass(frozen=True, slots=True)
class Command:
    """A simple command: `DEBIAN_FRONTEND=noninteractive apt-get install -y curl`."""

    words: tuple[Word, ...]  # argv, redirections and leading assignments removed
    assignments: tuple[Word, ...]
    redirects: tuple[tuple[str, Word], ...]
    before: str | None  # the operator that precedes it (`&&`, `|`, ...), None at the start
    after: str | None  # the operator that follows it
    depth: int  # how many parentheses enclose it (a subshell)
    start: int
    end: int
    heredoc: bool = False  # comes from a heredoc body

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


@dataclass(frozen=True)
class Script:
    commands: tuple[Command, ...]
    shell_form: bool  # False for exec form and for heredoc bodies that are not shell

    def __iter__(self):
        return iter(self.commands)

    def __len__(self) -> int:
        return len(self.commands)


def unwrap(command: Command) -> tuple[Word, ...]:
    """The argv of the command that really runs: `sudo -E env X=1 apt-get` -> apt-get ..."""
    words = command.words
    while words:
        name = words[0].text.rsplit("/", 1)[-1]
        if name not in WRAPPERS:
            break
        words = words[1:]
        # skip the wrapper's own options and assignments (`sudo -u app`, `env A=1`)
        while words and (words[0].text.startswith("-") or ASSIGNMENT_RE.match(words[0].text)):
            takes_value = name in ("sudo", "doas") and words[0].text in ("-u", "-g", "-C", "-h", "-p")
            words = words[2:] if takes_value else words[1:]
        if name == "timeout" and words and words[0].text[:1].isdigit():
            words = words[1:]
    return words


def tokenize(text: str, base: int = 0, to_source=None) -> list[Command]:
    """Split shell `text` into commands; offsets map through `to_source(index)`."""
    locate = to_source or (lambda index: base + index)
    commands: list[Command] = []
    words: list[tuple[str, int, int]] = []
    redirects: list[tuple[str, tuple[str, int, int]]] = []
    pending_redirect: str | None = None
    depth = 0
    before: str | None = None
    index, length = 0, len(text)

    def flush(after: str | None) -> None:
        nonlocal words, redirects, before
        if words or redirects:
            command = _command(words, redirects, before, after, depth, locate)
            if command.words:  # a bare assignment or `fi` runs no program
                commands.append(command)
        words, redirects = [], []
        before = after

    while index < length:
        char = text[index]
        if char in " \t\r":
            index += 1
            continue
        if char == "\\" and text.startswith("\n", index + 1):
            index += 2
            continue
        if char == "\\" and text.startswith("\r\n", index + 1):
            index += 3
            continue
        if char == "#":
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
            continue
        if char in ";&|()\n":
            operator = next(op for op in SEPARATORS if text.startswith(op, index))
            if operator == "&" and text.startswith("&>", index):
                pass  # a redirection, handled below
            else:
                index += len(operator)
                if operator == "(":
                    flush(before)
                    depth += 1
                elif operator == ")":
                    flush(")")
                    depth = max(depth - 1, 0)
                else:
                    flush(operator)
                continue
        redirect = REDIRECT_RE.match(text, index) if char in "<>&0123456789" else None
        if redirect:
            pending_redirect = redirect.group(0).lstrip("0123456789")
            index = redirect.end()
            if pending_redirect in (">&", "<&"):  # `2>&1`: the target is a descriptor
                target = re.compile(r"[ \t]*(\d+-?|-)").match(text, index)
                if target:
                    redirects.append((pending_redirect, (target.group(1), target.start(1), target.end())))
                    index, pending_redirect = target.end(), None
            continue
        value, end = _word(text, index)
        if pending_redirect is not None:
            redirects.append((pending_redirect, (value, index, end)))
            pending_redirect = None
        else:
            words.append((value, index, end))
        index = end
    flush(None)
    return commands


def _command(words, redirects, before, after, depth, locate) -> Command:
    start_index = min([w[1] for w in words] + [r[1][1] for r in redirects])
    end_index = max([w[2] for w in words] + [r[1][2] for r in redirects])
    made = [Word(value, locate(start), locate(end - 1) + 1) for value, start, end in words]
    assignments: list[Word] = []
    while made and ASSIGNMENT_RE.match(made[0].text):
        assignments.append(made.pop(0))
    while made and made[0].text in LEADING_KEYWORDS:
        made.pop(0)
    if made and made[0].text in SKIPPED_COMMANDS:
        made = []
    return Command(
        words=tuple(made),
        assignments=tuple(assignments),
        redirects=tuple((op, Word(v, locate(s), locate(e - 1) + 1)) for op, (v, s, e) in redirects),
        before=before,
        after=after,
        depth=depth,
        start=locate(start_index),
        end=locate(end_index - 1) + 1,
    )


def _word(text: str, index: int) -> tuple[str, int]:
    """Read one word from `index`; returns its unquoted value and its end."""
    out: list[str] = []
    length = len(text)
    while index < length:
        char = text[index]
        plain = PLAIN_RE.match(text, index)
        if plain:
            out.append(plain.group(0))
            index = plain.end()
            continue
        if char in " \t\r\n;&|()<>":
            break
        if char == "'":
            close = text.find("'", index + 1)
            close = length if close < 0 else close
            out.append(text[index + 1 : close])
            index = close + 1
        elif char == '"':
            index = _double_quoted(text, index + 1, out)
        elif char == "\\":
            if index + 1 < length and text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
        elif char == "$":
            end = _dollar(text, index)
            out.append(text[index:end])
            index = end
        elif char == "`":
            close = text.find("`", index + 1)
            close = length if close < 0 else close
            out.append(text[index : close + 1])
            index = close + 1
        else:
            out.append(char)
            index += 1
    return "".join(out), min(index, length)


def _double_quoted(text: str, index: int, out: list[str]) -> int:
    length = len(text)
    while index < length:
        char = text[index]
        if char == '"':
            return index + 1
        if char == "\\" and index + 1 < length:
            following = text[index + 1]
            if following in '$`"\\':
                out.append(following)
            elif following != "\n":
                out.append(char + following)
            index += 2
        elif char == "$":
            end = _dollar(text, index)
            out.append(text[index:end])
            index = end
        elif char == "`":
            close = text.find("`", index + 1)
            close = length if close < 0 else close
            out.append(text[index : close + 1])
            index = close + 1
        else:
            out.append(char)
            index += 1
    return length


def _dollar(text: str, index: int) -> int:
    """The end of a `$...` expansion starting at `index`."""
    following = text[index + 1 : index + 2]
    if following in ("(", "{"):
        opening, closing = following, ")" if following == "(" else "}"
        depth, position = 0, index + 1
        while position < len(text):
            char = text[position]
            if char == "\\":
                position += 2
                continue
            if char == "'" and opening == "(":
                close = text.find("'", position + 1)
                position = len(text) if close < 0 else close + 1
                continue
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
        return len(text)
    if following == "'":
        close = text.find("'", index + 2)
        return len(text) if close < 0 else close + 1
    match = re.match(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]", text[index + 1 : index + 64])
    return index + 1 + (match.end() if match else 0)


def script_of(instruction: Instruction) -> Script:
    """The commands of a RUN: shell form, exec form (`sh -c` scripts split too), heredocs."""
    exec_form = instruction.exec_form
    if exec_form is not None:
        return Script(_exec_commands(instruction, exec_form), shell_form=False)
    args_index = instruction.args_index
    commands = tokenize(instruction.args, to_source=lambda i: instruction.source_offset(args_index + i))
    if not instruction.heredocs:
        return Script(tuple(c for c in commands if c.words), shell_form=True)
    if _heredoc_is_script(commands):
        commands = [c for c in commands if c.words]
        body_commands = []
        for heredoc in instruction.heredocs:
            for command in tokenize(heredoc.body, base=heredoc.body_start):
                if command.words:
                    body_commands.append(_mark_heredoc(command))
        return Script(tuple(commands + body_commands), shell_form=True)
    return Script(tuple(c for c in commands if c.words), shell_form=True)


def _heredoc_is_script(commands: list[Command]) -> bool:
    """`RUN <<EOF` and `RUN bash -e <<EOF` run the body; `RUN cat <<EOF >f` does not."""
    real = [c for c in commands if c.words]
    if not real:
        return True
    return len(real) == 1 and real[0].name in SHELLS and all(w.text.startswith("-") for w in real[0].words[1:])


def _mark_heredoc(command: Command) -> Command:
    return Command(
        command.words,
        command.assignments,
        command.redirects,
        command.before,
        command.after,
        command.depth,
        command.start,
        command.end,
        heredoc=True,
    )


def _exec_commands(instruction: Instruction, argv: tuple[str, ...]) -> tuple[Command, ...]:
    start, end = instruction.start, instruction.end
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1] in ("-c", "-ec", "-ex", "-exc", "-xc", "-eux", "-euxc"):
        return tuple(c for c in tokenize(argv[2], to_source=lambda _i: start) if c.words)
    if not argv:
        return ()
    words = tuple(Word(item, start, end) for item in argv)
    return (Command(words, (), (), None, None, 0, start, end),)


# ---------------------------------------------------------------------------- rule helpers


def has_option(words, *names: str) -> bool:
    """Whether argv `words` carries one of `names`: `--yes`, `--opt=value`, or a short
    option alone or combined (`-y` matches `-yq`)."""
    for word in words:
        text = word.text if isinstance(word, Word) else word
        if text == "--":
            break
        for name in names:
            if name.startswith("--"):
                if text == name or text.startswith(name + "="):
                    return True
            elif len(name) == 2 and text.startswith("-") and not text.startswith("--") and name[1] in text[1:]:
                return True
    return False


def subcommand(words, value_options: tuple[str, ...] = ()) -> tuple[int, str]:
    """The index and text of the first non-option word after the program (`install` in
    `apt-get -q -o X=1 install curl`), skipping the values of `value_options`."""
    index = 1
    while index < len(words):
        text = words[index].text
        if text in value_options:
            index += 2
            continue
        if not text.startswith("-"):
            return index, text
        index += 1
    return -1, ""


APT_VALUE_OPTIONS = ("-o", "-c", "-t", "--option", "--config-file", "--target-release")


def apt_action(command: Command) -> str:
    """`install`, `update`, ... for an apt-get/apt/aptitude command, else ""."""
    words = unwrap(command)
    if not words or words[0].text.rsplit("/", 1)[-1] not in ("apt-get", "apt", "aptitude"):
        return ""
    return subcommand(words, APT_VALUE_OPTIONS)[1]


def mounts(instruction: Instruction) -> list[dict[str, str]]:
    """The `--mount=` flags of a RUN as dicts (`{"type": "cache", "target": "/x"}`)."""
    found = []
    for value in instruction.flag_values("mount"):
        fields: dict[str, str] = {"type": "bind"}
        for part in value.split(","):
            key, _, item = part.partition("=")
            key = {"dst": "target", "destination": "target"}.get(key.strip().lower(), key.strip().lower())
            fields[key] = item.strip().strip("\"'")
        found.append(fields)
    return found


def cache_mounted(instruction: Instruction, *paths: str) -> bool:
    """Whether a cache or tmpfs mount covers one of `paths` (the path or a parent)."""
    for mount in mounts(instruction):
        if mount.get("type") not in ("cache", "tmpfs"):
            continue
        target = mount.get("target", "").rstrip("/")
        if not target:
            continue
        for path in paths:
            path = path.rstrip("/")
            if path == target or path.startswith(target + "/"):
                return True
    return False


def removes(command: Command, *paths: str) -> bool:
    """Whether `command` is an `rm` that deletes one of `paths` (or a parent, or its
    contents via a trailing `/*`)."""
    words = unwrap(command)
    if not words or words[0].text.rsplit("/", 1)[-1] != "rm":
        return False
    for word in words[1:]:
        target = word.text.rstrip("/")
        if target.endswith("/*"):
            target = target[:-2]
        for path in paths:
            path = path.rstrip("/")
            if target and (path == target or path.startswith(target + "/")):
                return True
    return False


def append_edit(script: Script, text: str):
    """An edit appending `text` after the last command of a script, or None when
    that is not safe to do (nothing to append to, or a background `&`)."""
    from dfslim.api import Edit

    if not script.commands or not script.shell_form:
        return None
    if any(c.after in ("&", "|&") or c.before == "&" for c in script.commands):
        return None
    last = script.commands[-1]
    return Edit(last.end, last.end, text)
