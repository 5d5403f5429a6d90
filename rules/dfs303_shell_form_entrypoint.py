"""`CMD` or `ENTRYPOINT` in shell form: the process gets no stop signal.

## What it does
Flags `CMD` and `ENTRYPOINT` written in shell form (`CMD python app.py`), including
pseudo-JSON that is not valid JSON (`CMD ['python', 'app.py']` with single quotes, or a
missing quote or bracket), which Docker also runs as a shell command.

## Why is this bad?
Shell form runs the command as `/bin/sh -c "python app.py"`: the shell is PID 1 and the
program its child. `docker stop` sends SIGTERM to the shell, which does not pass it on,
so the program never shuts down cleanly and is killed after the grace period. A
shell-form `ENTRYPOINT` also ignores `CMD` and the arguments of `docker run`.

## Example
    CMD python app.py
    ENTRYPOINT ['/docker-entrypoint.sh']

## Use instead
    CMD ["python", "app.py"]
    ENTRYPOINT ["/docker-entrypoint.sh"]

When you need the shell (variables, `&&`), let it replace itself with the program:
`CMD ["sh", "-c", "exec gunicorn --bind :$PORT app:app"]`.

## Fix
Unsafe: rewrites the instruction to exec form, one JSON string per argument (the words
keep their place, so continuation lines survive), when the command has no shell syntax
(no `$`, `&&`, `||`, `;`, `|`, redirections, globs, backslashes, `~` or backquotes; quotes
are fine when they quote plain text). A leading `exec` is dropped. Pseudo-JSON with
single quotes is rewritten to real JSON. It is unsafe because the command then runs
without a shell, and because a `CMD` becomes the arguments of an exec-form `ENTRYPOINT`.
There is no fix for `sh -c SCRIPT` whose script does not end in `exec prog`: in exec
form the shell is still PID 1 (`CMD sh -c "app | tee app.log"`); the suggestion says so.

## Not flagged
- Exec form, also with spaces inside the brackets (`CMD [ "python", "app.py" ]`).
- `CMD exec ...`, and a shell form whose last command is `exec prog ...` after the steps
  before it (`CMD python manage.py migrate && exec gunicorn app:app`, also after `;` or a
  newline): `exec` makes the program PID 1, so it receives the stop signal. Not after
  `||` (then `prog` runs only when the command before it fails), nor in a pipe or a
  subshell, where `exec` replaces only that part. A shell-form `ENTRYPOINT` that ends in
  `exec` is still flagged: it ignores `CMD` and the arguments of `docker run`.
- `HEALTHCHECK CMD` (a health check is not PID 1), an empty `CMD`.
- A `CMD` that starts a bare shell (`CMD bash`, `CMD /bin/sh -l`): the shell is what
  runs, and as PID 1 it ignores the stop signal in exec form too.
- A stage whose `SHELL` is PowerShell or `cmd` (Windows): shell form is deliberate there.

## Scope
Every stage: any stage can be the target of `docker build --target`. The message names
the shell that runs the command: `/bin/sh -c` by default, `cmd /S /C` on Windows images,
or the `SHELL` in effect for the stage (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]` set
in it or in a stage it is built `FROM`), and the suggestion hands over through that shell.
"""

import json
import re

from dfslim.api import (
    LEADING_KEYWORDS,
    SHELLS,
    SKIPPED_COMMANDS,
    Edit,
    Fix,
    Meta,
    Severity,
    Violation,
    at_level,
    inline_script,
    shell_in_effect,
    shell_program,
    tokenize,
)
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS303",
    name="shell-form-entrypoint",
    category="correctness",
    severity=Severity.WARNING,
    scope="all",
    fix="unsafe",
    others=("hadolint DL3025", "BuildKit JSONArgsRecommended"),
)

UNQUOTED_SPECIAL = set("$`\\;&|<>()*?[]{}~#!\n\r")
DOUBLE_QUOTED_SPECIAL = set("$`\\")
BUILTINS = frozenset({
    "cd", "set", "export", "source", ".", "ulimit", "umask", "trap", "eval", "exit", "alias",
    "unset", "readonly", "shift", "wait", ":", "return", "local", "declare", "typeset",
})
WINDOWS_SHELLS = frozenset({"powershell", "powershell.exe", "pwsh", "pwsh.exe", "cmd", "cmd.exe"})
PSEUDO_JSON = lazy_compile(r"\[\s*'[^'\\]*'(?:\s*,\s*'[^'\\]*')*\s*\]")


def check(dockerfile):
    for instruction in dockerfile.of("CMD", "ENTRYPOINT"):
        args = instruction.args.strip()
        if not args or instruction.exec_form is not None:
            continue
        keyword = instruction.keyword
        commands = _commands(instruction)
        looks_json = args.startswith("[") and (args.endswith("]") or re.match(r"\[\s*[\"']", args) is not None)
        hands_over = not looks_json and _execs_program(commands)
        if keyword == "CMD" and hands_over:
            continue  # `exec` makes the program PID 1
        if keyword == "CMD" and not looks_json and _bare_shell(commands):
            continue  # a shell as PID 1 ignores the stop signal in exec form as well
        custom = shell_in_effect(dockerfile, instruction)
        if shell_program(custom) in WINDOWS_SHELLS:
            continue
        windows = custom is None and _windows_image(dockerfile, instruction)
        shell = f"`{' '.join(custom)}`" if custom else "`cmd /S /C`" if windows else "`/bin/sh -c`"
        edits = _pseudo_json_edits(instruction, args) if looks_json else _exec_edits(instruction)
        inner_shell = not looks_json and _shell_keeping_pid1(commands)
        if inner_shell:
            edits = None  # `["sh", "-c", "app | tee log"]` still has a shell as PID 1
        exec_form = " ".join(edit.replacement for edit in edits) if edits else None
        comment = _trailing_comment(args) if looks_json else None
        if comment is not None:
            start = instruction.source_offset(instruction.args_index + len(instruction.args) - len(args) + comment)
            edits = [Edit(start, instruction.end, "")]
            exec_form = args[:comment].rstrip()
        if looks_json:
            problem = "it is not valid JSON"
            if comment is not None:
                problem = "a comment must stand on its own line"
            elif "\\" in args:
                problem = "backslashes must be doubled in JSON"
            elif "'" in args:
                problem = "JSON strings take double quotes"
            message = (
                f"`{keyword}` looks like exec form but is not valid JSON ({problem}): Docker runs "
                "it as a shell command"
            )
        elif keyword == "ENTRYPOINT" and hands_over:
            message = f"`ENTRYPOINT` in shell form (under {shell}) ignores `CMD` and the arguments of `docker run`"
        elif custom is None and not windows and len(commands) == 1 and _busybox_sh(dockerfile, instruction):
            # BusyBox's sh replaces itself with a lone command: it is PID 1, but only thanks to that shell
            message = (f"`{keyword}` in shell form runs under {shell}: BusyBox's sh runs a lone command in its "
                       "place, so it is PID 1 here, but a second command or another base's sh (dash) would "
                       "keep the shell as PID 1")
            if keyword == "ENTRYPOINT":
                message += "; `CMD` and `docker run` arguments are ignored"
        else:
            message = f"`{keyword}` in shell form runs under {shell}: the program is not PID 1 and gets no stop signal"
            if keyword == "ENTRYPOINT":
                message += ", and `CMD` and `docker run` arguments are ignored"
        if comment is not None:
            suggestion = f"move the comment to a line of its own: `{keyword} {exec_form}`"
        elif inner_shell:
            suggestion = (
                f"`{inner_shell} -c` stays PID 1 in exec form too: end its script with `exec program ...` "
                "(a pipe such as `| tee` keeps the shell: log to standard output instead), then use exec form"
            )
        elif exec_form:
            suggestion = f"use exec form: `{keyword} {exec_form}`"
        elif looks_json:
            suggestion = (
                f"write valid JSON: `{keyword} [\"program\", \"arg\"]`, with double quotes, backslashes "
                "doubled and comments on their own line"
            )
        elif windows:
            suggestion = f"use exec form: `{keyword} [\"program\", \"arg\"]` (backslashes doubled in JSON)"
        else:
            handing = json.dumps([*(custom or ("sh", "-c")), "exec ..."])
            suggestion = (
                f"use exec form (`{keyword} [\"program\", \"arg\"]`); if you need the shell, let it "
                f"hand over to the program: `{keyword} {handing}`"
            )
        if keyword == "ENTRYPOINT" and exec_form and _has_cmd(dockerfile, instruction):
            suggestion += " (the stage's `CMD` then becomes its arguments)"
        title = f"Remove the trailing comment: `{keyword} {exec_form}`" if comment is not None else f"Rewrite to exec form: `{keyword} {exec_form}`"
        fix = Fix(title, tuple(edits), safe=False) if edits else None
        yield Violation(instruction, message, suggestion, fix=fix, focus=instruction.args_span())


def _commands(instruction):
    """The commands the shell form runs itself (not those inside its `$(...)`)."""
    index = instruction.args_index
    return at_level(tokenize(instruction.args, to_source=lambda i: instruction.source_offset(index + i)))


# what may come before the `exec` that ends the command: it runs once the earlier ones are done
HANDOVER_OPERATORS = frozenset({None, ";", "&&", "&", "\n"})


def _execs_program(commands) -> bool:
    """Whether the shell replaces itself with the program: the first command is `exec
    prog`, or the last one is and runs after the others (`migrate; exec gunicorn`, not
    after `||`, nor inside a pipe or a subshell)."""
    if not commands:
        return False
    candidates = (commands[0], commands[-1]) if len(commands) > 1 else (commands[0],)
    return any(_is_exec(command) and command.before in HANDOVER_OPERATORS for command in candidates)


def _shell_keeping_pid1(commands) -> str:
    """The shell (`sh`, `bash`...) when the command is a single `sh -c SCRIPT` whose script
    does not hand over to its program with `exec`; else ""."""
    if len(commands) != 1 or commands[0].name not in SHELLS:
        return ""
    script = inline_script(commands[0].words)
    if script is None:
        return ""
    return "" if _execs_program(at_level(tokenize(script.text))) else commands[0].name


def _is_exec(command) -> bool:
    words = [word.text for word in command.words]
    if not words or words[0] != "exec" or command.depth or command.piped_to or command.piped_from:
        return False
    return any(not word.startswith("-") for word in words[1:])  # `exec 2>&1` runs no program


def _exec_edits(instruction):
    """One edit per word turning `python app.py` into `["python", "app.py"]`, or None."""
    if not _plain(instruction.args):
        return None
    index = instruction.args_index
    commands = tokenize(instruction.args, to_source=lambda i: instruction.source_offset(index + i))
    if len(commands) != 1:
        return None
    command = commands[0]
    if command.redirects or command.assignments or command.depth or not command.words:
        return None
    words = list(command.words)
    start = words[0].start
    if words[0].text == "exec":
        words = words[1:]
    if not words or words[0].text in BUILTINS | LEADING_KEYWORDS | SKIPPED_COMMANDS:
        return None
    edits = []
    for number, word in enumerate(words):
        text = json.dumps(word.text, ensure_ascii=False)
        prefix = "[" if number == 0 else ""
        suffix = "]" if number == len(words) - 1 else ","
        edits.append(Edit(start if number == 0 else word.start, word.end, prefix + text + suffix))
    return edits


def _plain(text: str) -> bool:
    """No shell syntax outside quotes, no expansion inside double quotes, quotes closed."""
    quote = None
    for char in text:
        if quote == "'":
            if char == "'":
                quote = None
        elif quote == '"':
            if char == '"':
                quote = None
            elif char in DOUBLE_QUOTED_SPECIAL:
                return False
        elif char in "'\"":
            quote = char
        elif char in UNQUOTED_SPECIAL:
            return False
    return quote is None


def _trailing_comment(args: str) -> int | None:
    """Where a `# comment` after a valid JSON array starts (`CMD ["a"]  # note`), else None."""
    for match in re.finditer(r"\]\s*#", args):
        try:
            parsed = json.loads(args[: match.start() + 1])
        except ValueError:
            continue
        if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
            return match.start() + 1
    return None


def _pseudo_json_edits(instruction, args):
    """`['python', 'app.py']` -> `["python", "app.py"]` (one edit over the arguments)."""
    if not PSEUDO_JSON.fullmatch(args) or "\n" in args:
        return None
    items = re.findall(r"'([^']*)'", args)
    start = instruction.source_offset(instruction.args_index + (len(instruction.args) - len(instruction.args.lstrip())))
    end = instruction.end
    return [Edit(start, end, json.dumps(items, ensure_ascii=False))]


WINDOWS_IMAGE = lazy_compile(r"windows|nanoserver|servercore|dotnet/framework", re.IGNORECASE)


def _windows_image(dockerfile, instruction) -> bool:
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return dockerfile.escape == "`"
    return dockerfile.escape == "`" or bool(WINDOWS_IMAGE.search(dockerfile.lineage(stage)[0].base_resolved))


def _has_cmd(dockerfile, instruction) -> bool:
    stage = dockerfile.stage_of(instruction)
    return stage is not None and any(i.keyword == "CMD" for i in stage.instructions)


BARE_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})


def _bare_shell(commands) -> bool:
    """`bash`, `/bin/sh -l`: one command, a shell with options only."""
    return (len(commands) == 1 and commands[0].name in BARE_SHELLS
            and all(word.text.startswith("-") for word in commands[0].words[1:]))


def _busybox_sh(dockerfile, instruction) -> bool:
    """Whether the stage's root image is one whose `/bin/sh` is BusyBox ash (alpine, busybox)."""
    from dfslim.images import lookup

    stage = dockerfile.stage_of(instruction)
    info = lookup(dockerfile.lineage(stage)[0].base_resolved) if stage is not None else None
    return info is not None and info.shell == "busybox"
