"""The commands a RUN runs: its shell form, exec form (`sh -c` scripts split too), heredoc
bodies that are scripts, and the strings of `sh -c "..."`/`su -c '...'` inside it."""

from __future__ import annotations

from bisect import bisect_right

from dfslim.model import Command, Instruction, Script, Word
from dfslim.shell.commands import SHELLS, unwrap
from dfslim.shell.tokenizer import tokenize


def script_of(instruction: Instruction) -> Script:
    """The commands of a RUN: shell form, exec form (`sh -c` scripts split too), heredocs."""
    exec_form = instruction.exec_form
    if exec_form is not None:
        return Script(_exec_commands(instruction, exec_form), shell_form=False)
    args_index = instruction.args_index
    commands = tokenize(instruction.args, to_source=_locator(instruction, args_index))
    commands = _with_inline_scripts(instruction, commands)
    if not instruction.heredocs:
        return Script(tuple(c for c in commands if c.words), shell_form=True)
    if _heredoc_is_script(commands):
        commands = [c for c in commands if c.words]
        body_commands = []
        for heredoc in instruction.heredocs:
            for command in tokenize(heredoc.body, base=heredoc.body_start):
                if command.words:
                    body_commands.append(command._replace(heredoc=True))
        return Script(tuple(commands + body_commands), shell_form=True)
    return Script(tuple(c for c in commands if c.words), shell_form=True)


def _locator(instruction: Instruction, at: int):
    """`lambda i: instruction.source_offset(at + i)`, with the piece starts looked up once
    (the tokenizer maps two offsets per word)."""
    pieces = instruction.pieces
    length, end = len(instruction.value), instruction.end
    if len(pieces) == 1:  # one line: a shift
        shift, limit = pieces[0][1] - pieces[0][0] + at, length - at

        def shifted(index: int) -> int:
            return shift + index if index < limit else end

        return shifted
    starts = [piece_index for piece_index, _source in pieces]

    def locate(index: int) -> int:
        value_index = at + index
        if value_index >= length:
            return end
        piece = bisect_right(starts, value_index) - 1
        piece_index, source = pieces[piece if piece > 0 else 0]
        return source + (value_index - piece_index)

    return locate


def _with_inline_scripts(instruction: Instruction, commands: list[Command]) -> list[Command]:
    """`sh -c "apt-get update && ..."`, `su app -c '...'`: the string's commands follow the
    command that runs them, one subshell deeper. Only a string quoted without escapes is
    split, so that every word keeps its exact place in the source."""
    out: list[Command] = []
    for command in commands:
        out.append(command)
        words = unwrap(command)
        if not words or words[0].text.rsplit("/", 1)[-1] not in SHELLS | {"su"}:
            continue
        script = inline_script(words)
        if script is None:
            continue
        start = instruction.value_index(script.start)
        if start is None:
            continue
        raw = instruction.value[start : start + (script.end - script.start)]
        if len(raw) < 2 or raw[0] not in "'\"" or raw[-1] != raw[0] or raw[1:-1] != script.text or "\\" in raw:
            continue
        for inner in tokenize(script.text, to_source=lambda i, at=start + 1: instruction.source_offset(at + i)):
            out.append(inner._replace(depth=inner.depth + command.depth + 1, inline=True))
    return out


def inline_script(words: tuple[Word, ...]) -> Word | None:
    """The word after `-c` (or a combined `-ec`) of a shell or `su` command."""
    for index, word in enumerate(words[1:-1], start=1):
        text = word.text
        if text == "--command" or (text.startswith("-") and not text.startswith("--") and text.endswith("c")):
            return words[index + 1]
    return None


def _heredoc_is_script(commands: list[Command]) -> bool:
    """`RUN <<EOF` and `RUN bash -e <<EOF` run the body; `RUN cat <<EOF >f` does not."""
    real = [c for c in commands if c.words]
    if not real:
        return True
    return len(real) == 1 and real[0].name in SHELLS and all(w.text.startswith("-") for w in real[0].words[1:])


def _exec_commands(instruction: Instruction, argv: tuple[str, ...]) -> tuple[Command, ...]:
    """`RUN ["bash", "-o", "pipefail", "-c", "script"]` runs the script's commands; any
    other exec form runs its argv. Offsets are the instruction's (not exact)."""
    start, end = instruction.start, instruction.end
    if not argv:
        return ()
    words = tuple(Word(item, start, end) for item in argv)
    if len(argv) >= 3 and argv[0].replace("\\", "/").rsplit("/", 1)[-1] in SHELLS:
        script = inline_script(words)
        if script is None and argv[1] == "-eux":
            script = words[2]
        if script is not None:
            return tuple(c for c in tokenize(script.text, to_source=lambda _i: start) if c.words)
    return (Command(words, (), (), None, None, 0, start, end),)
