"""A downloaded archive or installer stays in the image after it was unpacked or run.

## What it does
Flags a `RUN` in a stage that ships when it downloads a file (`curl -o FILE`, `curl -O`,
`wget URL`, `wget -O FILE`, `wget -P DIR`) and then unpacks or runs it (`tar -x`,
`unzip`, `7z x`, `dpkg -i`, `rpm -i`, `apt-get install ./file.deb`, `yum localinstall`,
`sh file.sh`, `bash installer`, `python get-pip.py`, `./installer.run` after `chmod +x`)
without removing it later in the same `RUN` (`rm` of the file, of a glob that matches
it, or of a folder that holds it; `find DIR -delete`).

## Why is this bad?
Once unpacked or installed, the archive is dead weight: the image carries the software
twice, once installed and once packed, often tens or hundreds of megabytes. A layer is
frozen when its `RUN` ends, so only a removal in the same `RUN` keeps it out.

## Example
    RUN curl -fsSLO https://nodejs.org/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz \\
        && tar -xJf node-v20.11.1-linux-x64.tar.xz -C /usr/local --strip-components=1

## Use instead
    RUN curl -fsSLO https://nodejs.org/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz \\
        && tar -xJf node-v20.11.1-linux-x64.tar.xz -C /usr/local --strip-components=1 \\
        && rm node-v20.11.1-linux-x64.tar.xz

or stream the archive into `tar`, so it never touches the disk (verify a checksum when
you can):

    RUN curl -fsSL https://nodejs.org/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz \\
        | tar -xJ -C /usr/local --strip-components=1

## Not flagged
A download piped straight into `tar` (`curl ... | tar xz`, `wget -qO- ...`); a file
removed later in the same `RUN`; a download that is itself the final artifact
(`curl -o /usr/local/bin/tool` then `chmod +x` and running `tool`: a program run from a
`bin` folder, or a downloaded program that is not an installer, is kept on purpose);
downloads into a cache, tmpfs or bind mount; file names dfslim cannot tell (`curl -J`,
`wget --content-disposition`, a variable it cannot read).

## Scope
Only stages that ship: a builder's leftovers never reach the final image.
"""

import fnmatch
import posixpath
import re

from dfslim.api import (
    SHELLS,
    Meta,
    Severity,
    Violation,
    command_dirs,
    download,
    expanded,
    find_exec,
    installed_packages,
    mounts,
    resolve_path,
    unwrap,
    workdirs,
)
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS113",
    name="download-leftovers",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    others=("Binnacle gold rules",),
)

INTERPRETERS_RE = lazy_compile(r"(python|pypy)[0-9.]*|perl|ruby|php[0-9.]*|node")
INSTALLER_RE = lazy_compile(r"install|setup|init|bootstrap|\.(sh|run|bin|py|pl)$", re.IGNORECASE)
REMOVERS = frozenset({"rm", "del", "erase", "rmdir", "rd", "remove-item", "ri"})  # Windows images too
ACTING = REMOVERS | SHELLS | {"find", "mv", "tar", "unzip", "7z", "7za", "7zr", "bsdtar", "dpkg", "rpm", "gdebi"}
MAX_TRACKED = 200  # downloads followed per RUN: real ones have a handful; keeps the rule linear
UNPACKERS = {"unzip": "unzip", "7z": "7z", "7za": "7z", "7zr": "7z", "bsdtar": "bsdtar", "dpkg": "dpkg -i", "rpm": "rpm -i", "gdebi": "gdebi"}


class _Fetched:
    """A downloaded file, followed through the commands after the download."""

    __slots__ = ("written", "text", "path", "index", "used", "gone")

    def __init__(self, written: str, text: str, path: str | None, index: int):
        self.written = written  # the output as written (`-o` value or the URL's basename)
        self.text = text  # variables dfslim knows substituted
        self.path = path  # absolute, when the directory is known
        self.index = index  # the command that downloaded it
        self.used = ""  # how it was used: "unpacked with `tar`", "run with `sh`"...
        self.gone = False


def check(dockerfile):
    dirs_by_index = workdirs(dockerfile)
    for instruction in dockerfile.of("RUN"):
        if instruction.stage < 0:
            continue  # before any FROM: not part of an image (DFS300's business)
        left = _leftovers(instruction, dirs_by_index.get(instruction.index))
        if left:
            first = left[0]
            names = ", ".join(f"`{item.written}`" for item in left)
            removal = " ".join(item.written for item in left)
            remove = "del" if dockerfile.escape == "`" else "rm -f"
            download_command = instruction.script.commands[first.index]
            yield Violation(
                instruction,
                f"{names} {'is' if len(left) == 1 else 'are'} downloaded, {first.used} and left in the image",
                f"append `&& {remove} {removal}` to this RUN"
                + (", or pipe the download straight into `tar` (`curl -fsSL URL | tar -xz -C DIR`)" if "tar" in first.used else ""),
                focus=instruction.script.span(download_command),
            )


def _leftovers(instruction, workdir):
    commands = instruction.script.commands
    dirs = command_dirs(instruction, workdir)
    fetched: list[_Fetched] = []
    written_dir = ""  # the folder as written by the last `cd` (`$TMP`), when it cannot be resolved
    for index, command in enumerate(commands):
        cwd = dirs[index]
        words = unwrap(command)
        tool = words[0].text.rsplit("/", 1)[-1].lower() if words else ""
        relevant = fetched and words and (tool in ACTING or "/" in words[0].text or INTERPRETERS_RE.fullmatch(tool) or installed_packages(command))
        for item in fetched if relevant else ():
            if item.gone:
                continue
            if _removes(instruction, commands, index, cwd, item):
                item.gone = True
            elif not item.used:
                item.used = _uses(instruction, commands, index, cwd, item)
            _follow_move(instruction, commands, index, cwd, item)
        written_dir = _cd(command, written_dir)
        got = download(command) if tool.startswith(("curl", "wget")) else None
        if got is None or got.unknown_output:
            continue
        for output in got.outputs:
            if output == "-" or output.startswith("/dev/"):
                continue
            text = expanded(instruction, commands, index, output)
            if cwd is None and written_dir and not text.startswith("/"):
                text = posixpath.join(written_dir, text)  # `cd "$TMP" && wget URL`: `$TMP/file`
            path = resolve_path(text, cwd) if "$" not in text and "`" not in text else None
            if path is not None and _mounted(instruction, path):
                continue
            if len(fetched) < MAX_TRACKED:
                fetched.append(_Fetched(output, text, path, index))
    return [item for item in fetched if item.used and not item.gone]


def _cd(command, written_dir: str) -> str:
    """The folder a top-level `cd` moves to, as written (joined to the previous one)."""
    words = command.words
    if not words or words[0].text != "cd" or command.depth or command.piped_from or command.piped_to:
        return written_dir
    args = [w.text for w in words[1:] if not w.text.startswith("-")]
    if not args:
        return ""
    if not written_dir or args[0].startswith(("/", "$", "~")):
        return args[0]
    return posixpath.join(written_dir, args[0])


def _same(instruction, commands, index, cwd, text, item) -> bool:
    """Whether argument `text` of `commands[index]` names the downloaded file (strict)."""
    text = expanded(instruction, commands, index, text)
    if item.path is not None and "$" not in text:
        path = resolve_path(text, cwd)
        if path is not None:
            return path == item.path
    return _normal(text) == _normal(item.text)


def _normal(text: str) -> str:
    text = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", r"$\1", text)
    return posixpath.normpath(text) if text else text


def _uses(instruction, commands, index, cwd, item) -> str:
    """How `commands[index]` consumes the download ("" when it does not)."""
    words = unwrap(commands[index])
    if not words:
        return ""
    tool = words[0].text.rsplit("/", 1)[-1]
    args = [w.text for w in words[1:]]
    same = lambda text: _same(instruction, commands, index, cwd, text, item)  # noqa: E731
    if tool == "tar" and _extracts(args):
        return "unpacked with `tar`" if any(same(a) or same(a.partition("=")[2]) for a in args) else ""
    if tool in UNPACKERS and any(same(a) for a in args):
        return f"unpacked with `{UNPACKERS[tool]}`" if tool not in ("dpkg", "rpm", "gdebi") else f"installed with `{UNPACKERS[tool]}`"
    if installed_packages(commands[index]) and any(same(w.text) for w in installed_packages(commands[index])):
        return f"installed with `{tool}`"
    if tool in SHELLS or INTERPRETERS_RE.fullmatch(tool):
        script = next((a for a in args if not a.startswith("-")), None)
        if script is not None and "-c" not in args[: args.index(script)] and same(script):
            return f"run with `{tool}`"
        return ""
    if "/" in words[0].text and same(words[0].text) and not _kept_program(item):
        return "run"
    return ""


def _extracts(args) -> bool:
    if not args:
        return False
    first = args[0]
    if not first.startswith("-") and re.fullmatch(r"[A-Za-z]+", first):
        return "x" in first  # old style: `tar xzf file`
    return any(a in ("-x", "--extract", "--get") or (re.fullmatch(r"-[A-Za-z]+", a) and "x" in a) for a in args)


def _kept_program(item) -> bool:
    """A program run from a `bin` folder, or one that is not an installer, is the artifact."""
    written = item.path or item.text
    folder = posixpath.basename(posixpath.dirname(written))
    return folder in ("bin", "sbin") or not INSTALLER_RE.search(posixpath.basename(written))


def _removes(instruction, commands, index, cwd, item) -> bool:
    """Whether `commands[index]` deletes the download (lenient: a glob, a folder holding
    it, the same name, a variable-led path that may hold it)."""
    command = commands[index]
    words = unwrap(command)
    targets: list[str] = []
    tool = words[0].text.rsplit("/", 1)[-1].lower() if words else ""
    if tool in REMOVERS:
        targets = [w.text for w in words[1:] if not w.text.startswith(("-", "/s", "/q", "/f", "/S", "/Q", "/F"))]
    elif words and words[0].text.rsplit("/", 1)[-1] == "find":
        deletes = any(w.text == "-delete" for w in words) or any(argv and argv[0].text.rsplit("/", 1)[-1] == "rm" for argv in find_exec(command))
        if deletes:
            targets = [w.text for w in words[1:] if not w.text.startswith(("-", "(", "!"))][:1]
    for target in targets:
        text = expanded(instruction, commands, index, target)
        path = resolve_path(text, cwd) if "$" not in text else None
        if path is not None and item.path is not None:
            if path == item.path or item.path.startswith(path.rstrip("/") + "/") or fnmatch.fnmatchcase(item.path, path):
                return True
            continue
        raw, mine = _normal(text), _normal(item.text)
        if raw == mine or mine.startswith(raw.rstrip("/") + "/") or fnmatch.fnmatchcase(mine, raw):
            return True
        if posixpath.basename(raw) and fnmatch.fnmatchcase(posixpath.basename(mine), posixpath.basename(raw)):
            return True
    return False


def _follow_move(instruction, commands, index, cwd, item) -> None:
    """`mv FILE DEST`: the download now lives at DEST (or DEST/FILE)."""
    words = unwrap(commands[index])
    if not words or words[0].text.rsplit("/", 1)[-1] != "mv":
        return
    args = [w.text for w in words[1:] if not w.text.startswith("-")]
    if len(args) != 2 or not _same(instruction, commands, index, cwd, args[0], item):
        return
    text = expanded(instruction, commands, index, args[1])
    written = args[1]
    if text.endswith("/"):
        text += posixpath.basename(item.text)
        written += posixpath.basename(item.text)
    item.text = text
    item.written = written
    item.path = resolve_path(text, cwd) if "$" not in text else None


def _mounted(instruction, path) -> bool:
    for mount in mounts(instruction):
        target = mount.get("target", "").rstrip("/")
        if target and (path == target or path.startswith(target + "/")):
            return True
    return False
