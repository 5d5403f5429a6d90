"""Building fixes and suggestions from a RUN's commands: insert an option after a word,
append a command at the end, and spell a command as the user wrote it."""

from __future__ import annotations

from dfslim.model import Edit, Instruction, Script, Word
from dfslim.regex import lazy_compile

TRAILING_RE = lazy_compile(r"(?:\s|;|\\|`|#[^\n]*)*")


def append_at_end(dockerfile, instruction: Instruction, text: str):
    """An edit appending `text` after the last command of a RUN, or None when that is not
    safe: no shell-form command, a background `&`, or anything but separators and comments
    after the last command (`fi`, `done`, `esac`, `}` or `)`), so that the appended command
    runs after everything else, not inside the last branch or loop."""
    script = instruction.script
    if not script.commands or not script.shell_form:
        return None
    if any(c.after in ("&", "|&") or c.before == "&" for c in script.commands):
        return None
    last = [command for command in script.commands if not command.nested][-1]  # not one inside a `$(...)`
    edit = Edit(last.end, last.end, text)
    end = instruction.end
    if last.heredoc:
        for heredoc in instruction.heredocs:
            if heredoc.body_start <= last.start < heredoc.body_start + len(heredoc.body):
                end = heredoc.body_start + len(heredoc.body)
    elif instruction.heredocs:
        return None  # a shell-form line followed by heredoc bodies
    if last.depth or not TRAILING_RE.fullmatch(dockerfile.text, last.end, end):
        return None
    return edit


def insert_option(script: Script, word: Word, option: str):
    """An edit inserting ` option` right after `word` (`--no-cache` after `apk add`), or
    None when the script's offsets are not exact (exec form)."""
    if not script.shell_form:
        return None
    return Edit(word.end, word.end, " " + option)


def spell(text: str, script: Script, words, after: int = -1, option: str = "", limit: int = 120) -> str:
    """A command as the user wrote it (each word's source text when the script's offsets
    are exact), with `option` inserted after `words[after]`; cut with `...` past `limit`."""
    parts = [text[w.start : w.end] if script.shell_form else w.text for w in words]
    if option and 0 <= after < len(parts):
        parts.insert(after + 1, option)
    line = ""
    for part in parts:
        candidate = f"{line} {part}" if line else part
        if len(candidate) > limit and line:
            return line + " ..."
        line = candidate
    return line


def spell_call(text: str, script: Script, command, call, option: str = "", limit: int = 120) -> str:
    """The whole simple command of a tool call as written, its `NAME=value` prefixes and
    wrappers (`sudo`) kept (`ACCEPT_EULA=Y apt-get install -y msodbcsql17`: without the
    prefix the copied command stops at the licence prompt), with `option` inserted after
    the call's action word."""
    first = call.words[0] if call.words else None
    lead = next((i for i, word in enumerate(command.words) if word is first or (first and word.start == first.start)), 0)
    prefix = list(command.assignments) + list(command.words[:lead])
    return spell(text, script, prefix + list(call.words), len(prefix) + call.index if option else -1, option, limit)


def cleanup_commands(offenders) -> str:
    """` && yum clean all && npm cache clean --force`: the clean command of each offender's
    tool, once each, under `sudo` when the offender ran under it; offenders are (command,
    tool call) pairs."""
    cleanups: list[str] = []
    for command, call in offenders:
        sudo = "sudo " if command.words[0].text.rsplit("/", 1)[-1] == "sudo" else ""
        cleanup = sudo + call.tool.clean
        if cleanup not in cleanups:
            cleanups.append(cleanup)
    return "".join(" && " + cleanup for cleanup in cleanups)
