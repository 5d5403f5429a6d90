"""A downloaded archive or installer stays in the image after it was unpacked or run.

## What it does
Flags a `RUN` in a stage that ships when it downloads a file (`curl -o FILE`, `curl -O`,
`wget URL`, `wget -O FILE`, `wget -P DIR`, `curl URL > FILE`) and then unpacks or runs it
(`tar -x`, `unzip`, `7z x`, `dpkg -i`, `rpm -i`, `apt-get install ./file.deb`, `yum
localinstall`, `pip install ./file.whl`, `sh file.sh`, `bash installer`, `python
get-pip.py`, `java -jar installer.jar`, `./installer.run` after `chmod +x`)
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
    INTERPRETERS_RE,
    SHELLS,
    Meta,
    Severity,
    Violation,
    downloads_anything,
    expanded,
    file_use,
    find_exec,
    follow_downloads,
    installed_packages,
    mounts,
    normal,
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

INSTALLER_RE = lazy_compile(r"install|setup|init|bootstrap|\.(sh|run|bin|py|pl)$", re.IGNORECASE)
REMOVERS = frozenset({"rm", "del", "erase", "rmdir", "rd", "remove-item", "ri"})  # Windows images too
ACTING = REMOVERS | SHELLS | {"find", "tar", "unzip", "7z", "7za", "7zr", "bsdtar", "dpkg", "rpm", "gdebi", "msiexec", "java", ".", "source"}
# unpacking that leaves nothing behind (`gunzip x.gz` replaces the file), or not the point here
NOT_LEFT = frozenset({"jar", "gunzip", "unxz", "bunzip2", "unzstd", "unlzma", "uncompress", "gzip -d", "xz -d", "bzip2 -d", "zstd -d", "lzma -d", "pigz -d"})


def check(dockerfile):
    dirs_by_index = workdirs(dockerfile)
    for instruction in dockerfile.of("RUN"):
        if instruction.stage < 0 or not downloads_anything(instruction):
            continue  # before any FROM: not part of an image (DFS300's business); or nothing downloaded
        left = _leftovers(instruction, dirs_by_index.get(instruction.index))
        if left:
            first, used = left[0]
            names = ", ".join(f"`{item.written}`" for item, _used in left)
            removal = " ".join(item.written for item, _used in left)
            remove = "del" if dockerfile.escape == "`" else "rm -f"
            download_command = instruction.script.commands[first.index]
            yield Violation(
                instruction,
                f"{names} {'is' if len(left) == 1 else 'are'} downloaded, {used} and left in the image",
                f"append `&& {remove} {removal}` to this RUN"
                + (", or pipe the download straight into `tar` (`curl -fsSL URL | tar -xz -C DIR`)" if "tar" in used else ""),
                focus=instruction.script.span(download_command),
            )


def _leftovers(instruction, workdir):
    """The downloads the RUN unpacks, installs or runs and does not remove, with how each
    was used ("unpacked with `tar`", "run with `sh`"...)."""
    commands = instruction.script.commands
    used: dict[object, str] = {}
    gone: set[object] = set()
    fetched = []
    for index, command, cwd, fetched in follow_downloads(instruction, workdir):
        words = unwrap(command)
        tool = words[0].text.rsplit("/", 1)[-1].lower() if words else ""
        relevant = fetched and words and (tool in ACTING or "/" in words[0].text or INTERPRETERS_RE.fullmatch(tool) or tool.startswith("pip") or installed_packages(command))
        for item in fetched if relevant else ():
            if item in gone:
                continue
            if _removes(instruction, commands, index, cwd, item):
                gone.add(item)
            elif item not in used:
                how = _used(file_use(instruction, commands, index, cwd, item), item)
                if how:
                    used[item] = how
    return [(item, used[item]) for item in fetched if item in used and item not in gone and not _mounted(instruction, item.path)]


def _used(use, item) -> str:
    """How a use leaves the download behind, as the message says it ("" when it does not)."""
    if use is None or use.kind == "mark" or use.how in NOT_LEFT:
        return ""
    if use.kind == "unpack":
        return f"unpacked with `{use.how}`"
    if use.kind == "install":
        return f"installed with `{use.how}`"
    if use.how in ("", "java -jar") and _kept_program(item):
        return ""  # the program itself, run from where it stays
    return f"run with `{use.how}`" if use.how else "run"


def _kept_program(item) -> bool:
    """A program run from a `bin` folder, or one that is not an installer, is the artifact."""
    return item.in_bin or not INSTALLER_RE.search(item.name)


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
        raw, mine = normal(text), normal(item.text)
        if raw == mine or mine.startswith(raw.rstrip("/") + "/") or fnmatch.fnmatchcase(mine, raw):
            return True
        if posixpath.basename(raw) and fnmatch.fnmatchcase(posixpath.basename(mine), posixpath.basename(raw)):
            return True
    return False


def _mounted(instruction, path) -> bool:
    if path is None:
        return False
    for mount in mounts(instruction):
        target = mount.get("target", "").rstrip("/")
        if target and (path == target or path.startswith(target + "/")):
            return True
    return False
