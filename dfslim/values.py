"""Values of ARG, ENV, LABEL and FROM: words, quotes and `$VARIABLE` substitution.

Pure functions of text, with the escape character a file declares; the parser and every
layer above use them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dfslim.model import Instruction, Word
from dfslim.regex import lazy_compile

VARIABLE_RE = lazy_compile(
    r"\\\$|\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def expand(text: str, scope: Mapping[str, str]) -> str:
    """Substitute `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` known in `scope`.

    Unknown variables stay as written, so a caller can tell the value is not known.
    """
    if "$" not in text:
        return text

    def substitute(match: re.Match) -> str:
        whole = match.group(0)
        if whole == "\\$":
            return "$"
        name = match.group("braced") or match.group("plain")
        op = match.group("op")
        known = name in scope
        value = scope.get(name, "")
        if op is None:
            return value if known else whole
        word = expand(match.group("word"), scope)
        if op in (":-", "-"):
            empty = not value if op == ":-" else not known
            return word if empty else value
        # :+ and +
        present = bool(value) if op == ":+" else known
        return word if present else ("" if known or op == ":+" else whole)

    return VARIABLE_RE.sub(substitute, text)


def assignments(keyword: str, args: str, escape: str = "\\") -> list[tuple[str, str | None]]:
    """`KEY=value` pairs of ENV/ARG (and the legacy `ENV KEY value` form); `escape` is the
    file's escape character (a backslash is plain text when the escape is a backtick)."""
    words = split_words(args, escape)
    if not words:
        return []
    if keyword == "ENV" and "=" not in words[0]:
        name, _, rest = args.strip().partition(" ")
        rest = rest.strip()
        return [(name, unquote(rest, escape) if rest else "")]
    pairs = []
    for word in words:
        name, equals, value = word.partition("=")
        if not name:
            continue
        pairs.append((name, unquote(value, escape) if equals else None))
    return pairs


def split_words(text: str, escape: str = "\\") -> list[str]:
    """Split on unquoted whitespace, keeping quotes (for ENV/ARG/LABEL values)."""
    words, current, quote, escaped = [], [], None, False
    in_word = False
    plain = _plain_run(escape)
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if escaped:
            current.append(char)
            escaped = False
        elif char == escape and quote != "'":
            current.append(char)
            escaped = True
        elif quote:
            # the rest of the quoted run at once (a char at a time was most of ENV parsing)
            run = plain[quote].match(text, index)
            if run:
                current.append(run.group(0))
                index = run.end()
                continue
            current.append(char)
            if char == quote:
                quote = None
        elif char in "\"'":
            current.append(char)
            quote = char
            in_word = True
        elif char.isspace():
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            run = plain[None].match(text, index)
            current.append(run.group(0))
            in_word = True
            index = run.end()
            continue
        index += 1
    if in_word or current:
        words.append("".join(current))
    return words


def _plain_run(escape: str) -> dict:
    """Patterns for a run of characters `split_words` only copies: outside quotes (no
    space, quote or escape), in double quotes (no `"` or escape), in single quotes."""
    found = _PLAIN_RUNS.get(escape)
    if found is None:
        found = _PLAIN_RUNS[escape] = {
            None: re.compile(r"[^\s\"'" + re.escape(escape) + "]+"),
            '"': re.compile(r'[^"' + re.escape(escape) + "]+"),
            "'": re.compile(r"[^']+"),
        }
    return found


_PLAIN_RUNS: dict[str, dict] = {}


def unquote(value: str, escape: str = "\\") -> str:
    out, quote, index = [], None, 0
    while index < len(value):
        char = value[index]
        if char == escape and quote != "'" and index + 1 < len(value):
            out.append(value[index + 1])
            index += 2
            continue
        if quote:
            if char == quote:
                quote = None
            else:
                out.append(char)
        elif char in "\"'":
            quote = char
        else:
            out.append(char)
        index += 1
    return "".join(out)


def arg_words(instruction: Instruction, escape: str = "\\") -> tuple[Word, ...]:
    """The arguments of a shell-form instruction after its flags (`COPY a b /dst/`,
    `FROM img AS x`) as `Word`s: text unquoted, offsets of the raw word in the source, so
    a finding can point at the word on the line it is on. An exec-form (JSON) instruction
    gives ()."""
    args = instruction.args
    if args.lstrip().startswith("["):
        return ()
    words, cursor = [], 0
    for raw in split_words(args, escape):
        at = args.find(raw, cursor)
        if at < 0:
            break
        cursor = at + len(raw)
        first = instruction.args_index + at
        start = instruction.source_offset(first)
        end = instruction.source_offset(first + len(raw) - 1) + 1
        words.append(Word(unquote(raw, escape), start, end))
    return tuple(words)


def arg_span(instruction: Instruction, text: str, escape: str = "\\") -> tuple[int, int] | None:
    """The source span of the first argument that reads `text` once the ARG/ENV values
    known at the instruction are substituted (a finding's focus on that word), else None."""
    for word in arg_words(instruction, escape):
        if expand(word.text, instruction.scope) == text:
            return (word.start, word.end)
    return None
