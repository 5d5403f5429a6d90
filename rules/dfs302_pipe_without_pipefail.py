"""A pipe in a RUN hides the failure of every command but the last.

## What it does
Flags a shell-form `RUN` with a pipe (`curl -sSL URL | bash`) in an image with bash,
when neither `set -o pipefail` (or `set -euo pipefail`, `-euxo pipefail`...) comes before
the pipe in the same `RUN`, nor a `SHELL [..., "-o", "pipefail", ...]` is in effect.

## Why is this bad?
A pipeline's exit status is the status of its last command. When `curl` fails (a 404, a
network error), `sh` on the right still succeeds on its empty input (and `tar -x` on an
archive cut short at a file boundary), the `RUN` exits 0 and the build goes on with a
half-installed image. `pipefail` makes the
pipeline fail when any command in it fails.

## Example
    FROM debian:bookworm-slim
    RUN curl -fsSL https://example.com/install.sh | bash

## Use instead
    FROM debian:bookworm-slim
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.com/install.sh | bash

`SHELL` holds for the rest of the stage and for stages built `FROM` it. Where the `RUN`
already runs in bash (a `SHELL ["/bin/bash", "-c"]`), starting it with
`set -o pipefail && ` works too; the default `/bin/sh` of Debian and Ubuntu is dash, which
rejects `set -o pipefail` before dash 0.5.13.

## Not flagged
- `RUN` in exec form (`RUN ["sh", "-c", "..."]`), `||` (not a pipe), a `|` inside quotes.
- Pipes whose left side cannot fail: `echo`, `printf`, `true`, `yes` (with `pipefail`,
  `yes | cmd` even fails, since `yes` is killed by SIGPIPE), `cat <<EOF`.
- Pipes into a command that stops reading early (`| head`, `| grep -q`, `grep -m`,
  `grep -l`): there `pipefail` would fail the build on the producer's SIGPIPE.
- Pipes into a command that fails by itself on empty or truncated input, so the RUN fails
  when the producer does: `gpg --import`, `gpg --dearmor`, `apt-key add -`, `sha256sum -c`
  (and the other digests), `tar -x` with decompression (`tar -xz`, `tar -xJ`). A plain
  `tar -x` and `| sh` are flagged: an archive cut at a file boundary, or an empty script,
  succeed.
- Alpine and BusyBox images (an image name containing `alpine` or `busybox`, a stage that
  installs with `apk`, `SHELL ["/busybox/sh", ...]`): their `sh` is BusyBox ash, which
  may be built without `pipefail`. There, if your ash has it, use
  `SHELL ["/bin/ash", "-eo", "pipefail", "-c"]`, or install bash.
- Images without a shell (`scratch`, distroless) and Windows images (`SHELL
  ["powershell", ...]` or `["cmd", ...]`, `mcr.microsoft.com/windows/...`, nanoserver,
  servercore, or an unknown image in a file with `# escape=``): their pipes work
  differently.
- A `SHELL` running a custom program (`SHELL ["/usr/local/bin/my-shell.sh"]`): what it
  does with pipes is unknown.

A stage built `FROM` an earlier stage has its base image and inherits its `SHELL`; a
`SHELL` with `pipefail` in any other stage (a builder the stage copies from with `COPY
--from=` or mounts with `RUN --mount=from=`, an earlier unrelated stage) does not cover it.

The finding points at the `RUN`; its focus is the pipe (`curl ... | tar ...`) on whichever
line of the `RUN` it sits.
"""

import re

from dfslim.api import SHELLS, Meta, Severity, Violation, has_option, next_in_line, shell_in_effect, shell_program, unwrap
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS302",
    name="pipe-without-pipefail",
    category="correctness",
    severity=Severity.WARNING,
    scope="all",
    fix=None,
    others=("hadolint DL4006",),
)

HARMLESS = frozenset({"echo", "printf", "true", "yes", ":"})
WINDOWS_SHELLS = frozenset({"powershell", "powershell.exe", "pwsh", "pwsh.exe", "cmd", "cmd.exe"})
WINDOWS_IMAGE = lazy_compile(r"windows|nanoserver|servercore|dotnet/framework|ltsc20\d\d", re.IGNORECASE)
BUSYBOX_IMAGE = lazy_compile(r"alpine|busybox", re.IGNORECASE)
NO_SHELL_IMAGE = lazy_compile(r"^scratch$|distroless|^cgr\.dev/chainguard/static", re.IGNORECASE)
ALPINE_NOTE = " (Alpine and BusyBox images are not flagged: their `sh` may lack `pipefail`.)"


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        if instruction.exec_form is not None or not instruction.script.shell_form:
            continue
        # a `bash -c "..."` string runs in a shell that neither `set -o pipefail` nor SHELL reaches
        commands = tuple(c for c in instruction.script.commands if not c.inline)
        pipes = _risky_pipes(commands)
        if not pipes:
            continue
        risky = next((c for c, _ in pipes if c.name in ("curl", "wget")), pipes[0][0])
        first = pipes[0][0]
        if any(_sets_pipefail(c) for c in commands if c.start < first.start):
            continue
        shell = shell_in_effect(dockerfile, instruction)
        if shell is not None and _argv_pipefail(shell):
            continue
        kind = _shell_kind(shell) if shell is not None else "sh"
        if kind == "sh":
            kind = _image_shell(dockerfile, instruction)
            shell = None  # `SHELL ["/bin/sh", "-c"]` is the default
        if kind != "bash":
            continue
        left = " ".join(w.text for w in risky.words[:3])
        right = dict((id(c), r) for c, r in pipes).get(id(risky))
        target = f" into `{right.name}`" if right is not None and right.name else ""
        if shell is not None:
            shown = ", ".join(f'"{item}"' for item in shell)
            fixed = ", ".join(f'"{item}"' for item in _with_pipefail(shell))
            suggestion = (
                f"start this RUN with `set -o pipefail && `, or add `-o pipefail` to the SHELL: "
                f"`SHELL [{fixed}]` instead of `SHELL [{shown}]`"
            )
        else:
            suggestion = (
                'add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before this RUN (the default '
                "`/bin/sh` may be dash, which rejects `set -o pipefail`)"
            )
        yield Violation(
            instruction,
            f"`{left}` is piped{target} without `pipefail`: if it fails, the RUN still succeeds",
            suggestion + "." + ALPINE_NOTE,
            focus=(risky.start, (right or risky).end),
        )


def _risky_pipes(commands):
    """(left, right) for each pipe whose left side can fail and whose right side reads
    its input to the end (`| head`, `| grep -q` stop early: `pipefail` would turn the
    producer's SIGPIPE into a failure)."""
    found = []
    for index, command in enumerate(commands):
        if not command.piped_to or _status_lost(commands, index):
            continue
        right = next_in_line(commands, index)
        if right is not None and not right.piped_from:
            right = None
        if command.name in HARMLESS or _reads_heredoc(command):
            continue
        if right is not None and (_stops_early(right) or _fails_on_bad_input(right)):
            continue
        found.append((command, right))
    return found


def _status_lost(commands, index) -> bool:
    """Whether the exit status of a pipe inside `$(...)` is lost whatever `pipefail` says:
    the substitution is a word of another command (`echo "$(du -sh x | cut -f1)"`,
    `export V=$(...)`, `for f in $(...)`). Only a bare assignment (`V=$(a | b)`) hands
    the status on to the RUN."""
    command = commands[index]
    if not command.nested:
        return False
    for earlier in reversed(commands[:index]):
        if earlier.nested < command.nested:
            return earlier.start <= command.start < earlier.end  # the command holding the substitution
    return False


def _reads_heredoc(command) -> bool:
    """`cat <<EOF | ...`: cat prints a heredoc or here-string, it cannot fail."""
    return command.name == "cat" and len(command.words) == 1 and any(op in ("<<", "<<-", "<<<") for op, _ in command.redirects)


def _stops_early(command) -> bool:
    words = unwrap(command)
    name = words[0].text.rsplit("/", 1)[-1] if words else ""
    if name == "head":
        return True
    if name in ("grep", "egrep", "fgrep"):
        return has_option(words[1:], "-q", "--quiet", "--silent", "-m", "--max-count", "-l", "--files-with-matches")
    return False


TAR_DECOMPRESS = frozenset("--gzip --gunzip --ungzip --bzip2 --xz --lzma --zstd --auto-compress".split())
DIGESTS = frozenset("sha256sum sha512sum sha1sum sha384sum sha224sum md5sum b2sum".split())


def _fails_on_bad_input(command) -> bool:
    """A reader that exits non-zero on empty or truncated input, so that the RUN fails
    when the producer does, `pipefail` or not: `gpg --import`/`--dearmor` (exit 2),
    `apt-key add -`, `sha256sum -c`, and `tar -x` with decompression (`-xz`, `-xJ`: the
    compressed stream ends early). A plain `tar -x` is not one: an archive cut at a file
    boundary can pass."""
    words = unwrap(command)
    name = words[0].text.rsplit("/", 1)[-1] if words else ""
    rest = words[1:]
    if name in ("gpg", "gpg2"):
        return has_option(rest, "--import", "--dearmor", "--dearmour")
    if name == "apt-key":
        return any(word.text == "add" for word in rest)
    if name in DIGESTS:
        return has_option(rest, "-c", "--check")
    if name in ("tar", "bsdtar"):
        return _tar_decompresses(rest)
    return False


def _tar_decompresses(words) -> bool:
    """Whether tar's arguments extract (`x`) from a compressed stream (`z`, `j`, `J`, or a
    long option), in either the `-xzf` or the old `xzf` style."""
    letters, long_options = set(), set()
    for position, word in enumerate(words):
        text = word.text
        if text.startswith("--"):
            long_options.add(text.split("=", 1)[0])
        elif text.startswith("-") or position == 0:
            letters |= set(text.lstrip("-"))
    extracts = "x" in letters or bool(long_options & {"--extract", "--get"})
    return extracts and bool(letters & set("zjJ") or long_options & TAR_DECOMPRESS)


def _sets_pipefail(command) -> bool:
    """`set -o pipefail`, `set -euo pipefail`, or a shell started with `-o pipefail`."""
    argv = command.argv
    if not argv:
        return False
    if argv[0] == "set" or command.name in SHELLS:
        return _argv_pipefail(argv)
    return False


def _argv_pipefail(argv) -> bool:
    for before, word in zip(argv, argv[1:]):
        if word == "pipefail" and before.startswith("-") and not before.startswith("--") and "o" in before:
            return True
    return False


def _with_pipefail(shell) -> list[str]:
    items = list(shell)
    at = len(items) - 1 if items and items[-1] == "-c" else len(items)
    return items[:at] + ["-o", "pipefail"] + items[at:]


def _shell_kind(shell) -> str:
    """"bash" for a shell with `pipefail` (`/bin/bash`, `conda run ... bash -c`, zsh, ksh),
    "sh" for `sh`/`dash` (what the image's `/bin/sh` is decides), "busybox", "windows", or
    "other" for a program this rule knows nothing about."""
    names = [shell_program((item,)) for item in shell]
    if names and names[0] in WINDOWS_SHELLS:
        return "windows"
    if any("busybox" in item.lower() for item in shell) or "ash" in names:
        return "busybox"
    if any(name in ("bash", "zsh", "ksh", "mksh") for name in names):
        return "bash"
    if any(name in ("sh", "dash") for name in names):
        return "sh"
    return "other"


def _image_shell(dockerfile, instruction) -> str | None:
    """"bash" when the stage's root base image has bash (or probably has), else what it has."""
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return None
    lineage = dockerfile.lineage(stage)
    reference = lineage[0].base_resolved
    known = _lookup(reference)
    if known is not None:
        return known
    if NO_SHELL_IMAGE.search(reference):
        return "none"
    if BUSYBOX_IMAGE.search(reference):
        return "busybox"
    if WINDOWS_IMAGE.search(reference):
        return "windows"
    for ancestor in lineage:
        for earlier in ancestor.instructions:
            if earlier is instruction:
                break
            if earlier.keyword == "RUN" and any(c.name == "apk" for c in earlier.script.commands):
                return "busybox"
    if any(c.name == "apk" for c in instruction.script.commands):
        return "busybox"
    if dockerfile.escape == "`":
        return "windows"
    return "bash"


def _lookup(reference: str) -> str | None:
    try:
        from dfslim import images
    except ImportError:
        return None
    info = images.lookup(reference)
    shell = getattr(info, "shell", None) if info is not None else None
    return shell if shell in ("bash", "busybox", "none") else None
