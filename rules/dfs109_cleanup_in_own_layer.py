"""A `RUN` that only deletes what an earlier layer created: it saves nothing.

## What it does
Flags a `RUN` whose every command is a cleanup — `rm`, `find ... -delete`,
`apt-get clean`, `yum`/`dnf`/`microdnf clean all`, `zypper clean`, `apk cache clean`,
`pip cache purge`, `npm cache clean`, `yarn cache clean`, `pnpm store prune`,
`conda clean`, `composer clear-cache`, `go clean -cache`, `pacman -Scc` — when it deletes something an
earlier `RUN`, `COPY` or `ADD` of the stage (or of the stages it is built `FROM`)
created and left behind:
- a package-manager cache that an earlier `RUN` filled and did not clean in the same
  `RUN` (`apt-get update` for `/var/lib/apt/lists`, `pip install` without
  `--no-cache-dir` for pip's cache, `apk add` without `--no-cache`...);
- a path an earlier `COPY`/`ADD` wrote (`COPY . /app` then `RUN rm -rf /app/tests`);
- a path an earlier `RUN` wrote and did not remove itself (`wget -O /tmp/x.tgz ...`
  then `RUN rm -rf /tmp/*`), or a folder it made or filled (`mkdir`, `tar -C /opt/x`)
  or rewrote (`chmod -R`, `sed -i`).

## Who created the files
The message names the instruction that created what is deleted, a `COPY --from=` as
often as a `RUN`: the instructions that surely wrote it (a `COPY`/`ADD`, a download, a
copy, a cache a package manager filled) when there are any, else the ones that made,
filled or changed its folder (then the message says so). A `RUN` that only reads the
files (`bash /tmp/scripts/setup.sh`, `pip install -r requirements.txt`, `xargs ... <
packages.txt`) is not their creator but a user of them. A name pattern counts:
`rm -f *.txt` does not delete a copied `run.sh`. What a `RUN` in between deleted
already is not named again (a cleanup done twice still fires, naming the creator).

For files a `COPY` brought in only to be used and deleted, the suggestion is a bind
mount in the `RUN`s that use them (`RUN --mount=type=bind,from=build,source=/wheels,
target=/wheels pip install ...`): they never enter a layer. For files a `RUN` created
and later `RUN`s use, it is one `RUN` that creates, uses and deletes them.

## Why is this bad?
Layers only add: deleting a file in a later layer hides it, but its bytes stay in the
layer that created it and are still downloaded with the image. Only a deletion in the
same `RUN` that created the files keeps them out.

## Example
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    RUN apt-get clean && rm -rf /var/lib/apt/lists/*

## Use instead
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && apt-get clean && rm -rf /var/lib/apt/lists/*

or keep caches out of the image with a BuildKit cache mount
(`RUN --mount=type=cache,target=/var/cache/apt ...`), which also speeds up rebuilds.
Files a `COPY` brings in only for a build step are best mounted for that step:

    RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
        pip install --no-cache-dir /wheels/*

and files nobody uses kept out of it (`.dockerignore`, a narrower source).

## Fix
Unsafe: when the `RUN` directly above (no instruction between) is the one that created
the files, moves the cleanup to its end (` && ...`, grouped in `{ ...; }` when the
cleanup has other operators than `&&`) and deletes this `RUN`. No fix when the creator is
another instruction, when either `RUN` is in exec form or not run by a POSIX shell
(PowerShell, `cmd`), when their flags differ, when
the creator runs something in the background or ends inside a branch or loop, or when
the cleanup has relative paths and the creator changes directory; none for an `ONBUILD`
trigger (moving its cleanup would change the image that declares it).

## Not flagged
- Cleanups in the same `RUN` as the install (another rule's business when missing).
- A `RUN` that also does something else than cleaning.
- Deleting what the base image shipped (`rm /etc/nginx/conf.d/default.conf`), or
  anything no earlier instruction of the stage can be seen to create (unknown
  variables included).

## Scope
Only stages that ship: a builder stage's layers never reach the final image. `ONBUILD`
triggers are checked as the `RUN`/`COPY`/`ADD` they hold, in the order they run: in the
child image, after every instruction of the stage that declares them, so a trigger's
cleanup may delete what the stage left (and flags at the `ONBUILD` line), while a plain
`RUN` never deletes what a trigger will copy.
"""

import fnmatch
import functools
import posixpath
from typing import NamedTuple

from dfslim.api import (
    Edit,
    Fix,
    Meta,
    Severity,
    Violation,
    append_at_end,
    cache_mounted,
    command_dirs,
    copy_paths,
    copy_writes,
    created_paths,
    expand,
    family_tools,
    path_below,
    posix_shell,
    resolve_path,
    tool_call,
    trigger_workdirs,
    unwrap,
    workdirs,
)
from dfslim.regex import lazy_compile
from dfslim.tools import apt

META = Meta(
    id="DFS109",
    name="cleanup-in-own-layer",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="unsafe",
)

# cache tag -> the folders it lives in ("~" is the home directory), for what no package
# tool of `dfslim.tools` declares: the tools' own caches are added by `_caches`
OTHER_CACHES = {
    "apt-lists": (apt.LISTS,),
    "conda": ("/opt/conda/pkgs",),
    "composer": ("~/.composer/cache", "~/.cache/composer"),
    "go": ("~/.cache/go-build", "/go/pkg/mod", "~/go/pkg/mod"),
    "pacman": ("/var/cache/pacman",),
}
NEUTRAL = frozenset({"set", "true", ":"})
# commands that put files below a folder they are given (`tar -C /opt/x`, `--prefix=/opt/x`)
FILLERS = frozenset(
    "tar bsdtar unzip 7z 7za git cp mv rsync make cmake ninja install pip pip3 python python3 npm yarn pnpm "
    "curl wget dpkg dpkg-deb rpm gem bundle cargo go composer conda mamba micromamba apt-get apt apk yum dnf "
    "ln svn hg gunzip bunzip2 unxz xz zstd cpio patch".split()
)
# folders too general to say that a RUN naming them created what is below them
GENERAL = frozenset(
    "/ /bin /boot /etc /home /lib /lib64 /mnt /opt /root /sbin /srv /tmp /usr /usr/bin /usr/lib /usr/lib64 "
    "/usr/local /usr/local/bin /usr/local/lib /usr/local/share /usr/sbin /usr/share /var /var/cache /var/lib "
    "/var/log /var/tmp /run /app /src".split()
)


def _home(instruction):
    return instruction.scope.get("HOME", "/root").rstrip("/") or "/root"


@functools.cache
def _tag_caches(tag: str) -> tuple[str, ...]:
    """The folders of one cache tag: a package tool family's are its tools' caches."""
    if tag in OTHER_CACHES:
        return OTHER_CACHES[tag]
    family = "apt" if tag == "apt-cache" else tag
    return tuple(dict.fromkeys(cache for tool in family_tools(family) for cache in tool.caches))


def _cache_paths(tag, home):
    return [home + path[1:] if path.startswith("~") else path for path in _tag_caches(tag)]


_OTHER_TOOLS = frozenset({"conda", "mamba", "micromamba", "composer", "composer.phar", "go", "pacman"})


def _tool_cleanup(command):
    """The cache tag a package-manager cleanup command empties, else None."""
    words = unwrap(command)
    if not words:
        return None
    name = words[0].text.rsplit("/", 1)[-1]
    call = tool_call(command)
    if call is not None:
        return _tag(call) if call.action == "clean" else None
    if name not in _OTHER_TOOLS:
        return None  # most commands: no argv to copy
    argv = [w.text for w in words]
    if name in ("conda", "mamba", "micromamba") and argv[1:2] == ["clean"]:
        return "conda"
    if name in ("composer", "composer.phar") and argv[1:2] in (["clear-cache"], ["clearcache"], ["cc"]):
        return "composer"
    if name == "go" and argv[1:2] == ["clean"] and any(a in ("-cache", "-modcache") for a in argv[2:]):
        return "go"
    if name == "pacman" and any(a.startswith("-S") and "c" in a[2:] for a in argv[1:]):
        return "pacman"
    return None


def _rm_targets(instruction, command, directory):
    """(path, as written, name pattern) for what an `rm` or `find ... -delete` removes:
    an absolute path, or for a trailing glob its folder and the glob (`rm -f /x/*.txt`:
    `/x`, `*.txt`; a bare `*` is everything in the folder: None); None when the command
    is neither; unknown paths are left out."""
    words = unwrap(command)
    if not words:
        return None
    name = words[0].text.rsplit("/", 1)[-1]
    if name == "rm":
        texts = [w.text for w in words[1:] if not w.text.startswith("-") or w.text == "-"]
    elif name == "find" and any(w.text in ("-delete",) for w in words) or (
        name == "find" and any(w.text in ("-exec", "-execdir") for w in words) and _find_removes(words)
    ):
        texts = []
        for word in words[1:]:
            if word.text.startswith(("-", "(", "!", ")")):
                break
            texts.append(word.text)
    else:
        return None
    home = _home(instruction)
    found = []
    for text in texts:
        written = text if name == "rm" else f"files under {text}"
        text = expand(text, instruction.scope)
        for prefix in ("~", "$HOME", "${HOME}"):
            if text == prefix or text.startswith(prefix + "/"):
                text = home + text[len(prefix) :]
        if "$" in text or "`" in text:
            continue
        folder, _, last = text.rstrip("/").rpartition("/")
        if any(char in folder for char in "*?["):
            continue
        pattern = None
        if any(char in last for char in "*?["):
            text = folder or ("/" if text.startswith("/") else ".")
            pattern = None if last == "*" or name != "rm" else last
        resolved = resolve_path(text, directory)
        if resolved is not None:
            found.append((resolved, written, pattern))
    return found


def _find_removes(words):
    texts = [w.text for w in words]
    for index, text in enumerate(texts):
        if text in ("-exec", "-execdir") and index + 1 < len(texts) and texts[index + 1].rsplit("/", 1)[-1] == "rm":
            return True
    return False


def _cleanup(instruction, command, directory):
    """("tag", tag) / ("rm", paths) / ("neutral", None) for a cleanup command, else None."""
    words = unwrap(command)
    if not words:
        return ("neutral", None) if not command.words else None
    if words[0].text in NEUTRAL:
        return ("neutral", None)
    tag = _tool_cleanup(command)
    if tag:
        return ("tag", tag)
    targets = _rm_targets(instruction, command, directory)
    if targets is not None:
        return ("rm", targets)
    return None


def _tag(call) -> str:
    """The cache a package tool fills and cleans: the tools of one family share theirs."""
    return _family_tag(call.tool.family)


def _family_tag(family: str) -> str:
    return "apt-cache" if family == "apt" else family


def _fills(command):
    """The cache tags a command fills."""
    action = tool_call(command)
    if action is None:
        words = unwrap(command)
        name = words[0].text.rsplit("/", 1)[-1] if words else ""
        if name not in _OTHER_TOOLS:
            return set()  # most commands: no argv to copy
        argv = [w.text for w in words]
        if name in ("conda", "mamba", "micromamba") and argv[1:2] in (["install"], ["create"], ["update"], ["env"]):
            return {"conda"}
        if name in ("composer", "composer.phar") and argv[1:2] in (["install"], ["require"], ["update"]):
            return {"composer"}
        if name == "go" and argv[1:2] in (["build"], ["install"], ["get"], ["mod"], ["test"]):
            return {"go"}
        if name == "pacman" and any(a.startswith(("-S", "-U")) and "c" not in a[2:] for a in argv[1:]):
            return {"pacman"}
        return set()
    if action.keeps_cache_out or not action.fills_cache:
        return set()
    if action.name == "apt" and action.action == "update":
        return {"apt-lists", "apt-cache"}
    return {_tag(action)}


class Leftovers:
    """What one earlier instruction created and left in its layer, and the paths it
    only read (`bash /tmp/scripts/setup.sh`): those make it a user of the files, not
    their creator."""

    def __init__(self, instruction, tags=(), paths=(), writes=None, used=()):
        self.instruction = instruction
        self.tags = set(tags)
        self.paths = list(paths)  # (path, empty, strong)
        self.writes = writes  # CopyWrites of a COPY/ADD
        self.used = tuple(used)
        self.gone: list[tuple] = []  # the items later RUNs deleted

    def prune(self, item):
        """A later RUN deleted `item`: what it reaches is no longer there to delete."""
        self.gone.append(item)

    def covers(self, item, home, fresh=True):
        """How surely the cleanup `item` (`("tag", tag, None)` or `("rm", path, name
        pattern)`) deletes something this instruction left: STRONG when it wrote it (a
        cache it filled, a file it downloaded or copied), WEAK when it only made,
        filled or changed something the cleanup reaches (`mkdir`, `tar -C /opt/x`,
        `chmod -R /opt/x`), else None. With `fresh`, what a RUN in between deleted
        already does not count."""
        kind, value, pattern = item
        removed = [(v, p) for k, v, p in self.gone if k == "rm"] if fresh else []
        cleaned = {v for k, v, _p in self.gone if k == "tag"} if fresh else set()

        def there(written):
            return not any(_reached(written, gone, gone_pattern) for gone, gone_pattern in removed)

        def tag_there(tag):
            return tag not in cleaned and all(there(folder) for folder in _cache_paths(tag, home))

        if kind == "tag":
            return STRONG if value in self.tags and tag_there(value) else None
        path = value
        if not there(path):
            return None  # deleted before by another RUN

        def reaches(written):
            return there(written) and _reached(written, path, pattern)

        for tag in self.tags:
            for folder in _cache_paths(tag, home):
                if (path_below(path, folder) or path_below(folder, path)) and tag_there(tag):
                    return STRONG
        found = None
        for created, empty, strong in self.paths:
            # the cleanup deletes it, or (not below a bare mkdir) something a RUN put below it
            if reaches(created) or (not empty and created not in GENERAL and path_below(path, created)):
                if strong and not empty:
                    return STRONG
                found = WEAK
        writes = self.writes
        if writes is not None:
            if not pattern and (path in writes.entries or path in writes.trees):
                return STRONG
            if writes.writes(path) and self.whole_context and not path_below(path, "/etc") and not path_below(path, "/usr"):
                # below a folder copy: only the build context's own files (`COPY . /app`
                # then `rm -rf /app/tests`); a folder merged into one of the base image
                # (`COPY nginx/ /etc/nginx/`) leaves the base's files there too
                return STRONG
            if any(reaches(root) for root in writes.trees + writes.entries):
                return STRONG
            for folder, written in writes.patterns:
                if reaches(folder) and (folder != path or not pattern or _globs_meet(written, pattern)):
                    return STRONG
        return found

    def uses(self, path):
        """Whether this instruction read something at or below `path`."""
        return any(path_below(used, path) for used in self.used)

    @property
    def whole_context(self):
        instruction = self.writes.instruction
        paths = copy_paths(instruction)
        return instruction.flag("from") is None and paths is not None and any(s in (".", "./") for s in paths[0])


STRONG, WEAK = "strong", "weak"


def _reached(written, path, pattern) -> bool:
    """Whether deleting `path` (with a name pattern, `path/<pattern>`) deletes `written`."""
    return _matches(written, path, pattern) if pattern else path_below(written, path)


def _matches(written, folder, pattern) -> bool:
    """Whether `rm folder/<pattern>` deletes `written` (it, or a folder holding it)."""
    if written == folder or not path_below(written, folder):
        return False
    return fnmatch.fnmatchcase(posixpath.relpath(written, folder).split("/", 1)[0], pattern)


def _globs_meet(first, second) -> bool:
    """Whether two name globs may match one name (`*.sh` and `*`, not `*.sh` and `*.txt`)."""
    return fnmatch.fnmatchcase(first, second) or fnmatch.fnmatchcase(second, first)


def _run_leftovers(instruction, cwd):
    """The caches and paths a RUN leaves behind (what it cleans itself taken out), and the
    paths it only names."""
    home = _home(instruction)
    tags, paths = set(), _Created()
    used = []
    commands = instruction.script.commands
    for command, directory in zip(commands, command_dirs(instruction, cwd)):
        cleanup = _cleanup(instruction, command, directory)
        if cleanup is not None:
            kind, value = cleanup
            if kind == "tag":
                tags.discard(value)
            elif kind == "rm":
                for target, _written, pattern in value:
                    tags = {t for t in tags if not any(path_below(f, target) for f in _cache_paths(t, home))}
                    paths.remove_below(target, pattern)
            continue
        for tag in _fills(command):
            if not cache_mounted(instruction, *_cache_paths(tag, home)):
                tags.add(tag)
        words = unwrap(command)
        name = words[0].text.rsplit("/", 1)[-1] if words else ""
        empty = name in ("mkdir", "touch")
        created = created_paths(instruction, command, directory)
        for path in created:
            paths.add(path, empty, True)
        if empty:
            continue
        # a folder a filling command names may hold anything below it; one that `chown`,
        # `chmod`, `sed -i`... name is rewritten in this layer, but only known to exist
        # itself; what the others name (`bash /tmp/x/setup.sh`) they only read
        filled = name in FILLERS or name.endswith((".sh", ".py")) or words[:1] and words[0].text.startswith(("./", "/"))
        changed = not filled and _modifies(name, words)
        if filled or changed:
            for path in _named_paths(instruction, command, directory):
                if path not in created:
                    paths.add(path, not filled, False)
        used += _named_paths(instruction, command, directory, relative=True)
        used += _read_redirects(instruction, command, directory)
    return Leftovers(instruction, tags, paths.entries(), used=used)


def _read_redirects(instruction, command, directory):
    """The files a command reads through `< FILE`."""
    found = []
    for op, word in command.redirects:
        if op == "<":
            text = expand(word.text, instruction.scope)
            resolved = resolve_path(text, directory) if "$" not in text and "`" not in text else None
            if resolved:
                found.append(resolved)
    return found


# commands that rewrite the files they name, in the layer of their RUN
MODIFIERS = frozenset("chown chmod chgrp setfacl setcap strip truncate dos2unix".split())


def _modifies(name, words) -> bool:
    if name in MODIFIERS:
        return True
    # `sed -i`, `perl -pi -e`: an edit in place
    return name in ("sed", "perl") and any(w.text.startswith("-") and "i" in w.text.lstrip("-")[:3] for w in words[1:])


class _Created:
    """The (path, empty, strong) entries a RUN created so far, in order, indexed by each
    folder a path lies in: an `rm` then drops what is below its target (as `path_below`
    decides) without testing every entry, which made a RUN of many creations and
    deletions quadratic. Each entry is dropped once and each index list read once."""

    __slots__ = ("_next", "_pairs", "_exact", "_inside")

    def __init__(self):
        self._next = 0
        self._pairs: dict[int, tuple[str, bool, bool]] = {}
        self._exact: dict[str, list[int]] = {}  # path -> its pairs
        self._inside: dict[str, list[int]] = {}  # folder, no trailing slash -> pairs below it

    def add(self, path, empty, strong):
        key = self._next
        self._next += 1
        self._pairs[key] = (path, empty, strong)
        self._exact.setdefault(path, []).append(key)
        for at, char in enumerate(path):
            if char == "/":
                self._inside.setdefault(path[:at], []).append(key)

    def remove_below(self, target, pattern=None):
        if pattern is not None:
            # `rm -f /x/*.txt`: what lies in /x under a matching name
            for key in self._inside.get(target.rstrip("/"), ()):
                entry = self._pairs.get(key)
                if entry is not None and _matches(entry[0], target, pattern):
                    self._pairs.pop(key, None)
            return
        if target == "/":
            self._pairs.clear()
            self._exact.clear()
            self._inside.clear()
            return
        for key in self._exact.pop(target, ()):
            self._pairs.pop(key, None)
        for key in self._inside.pop(target.rstrip("/"), ()):
            self._pairs.pop(key, None)

    def entries(self):
        return list(self._pairs.values())


# a relative word that looks like a file (`requirements.txt`, `scripts/setup`), not a
# package name or a subcommand
FILE_WORD_RE = lazy_compile(r"^(?!-)(?:.*/.|.*[^.]\.[A-Za-z0-9]+$)")


def _named_paths(instruction, command, directory, relative=False):
    """Absolute paths a command names as arguments (`tar -C /opt/x`, `--prefix=/opt/x`,
    `make install DESTDIR=/out`), URLs left out; with `relative`, also the other words
    that may be paths (`pip install -r requirements.txt`), resolved against `directory`."""
    found = []
    for word in unwrap(command)[1:]:
        text = word.text
        if "=" in text and text.startswith("-"):
            text = text.split("=", 1)[1]
        if "://" in text or not text or not (text.startswith("/") or relative and FILE_WORD_RE.search(text)):
            continue
        text = expand(text, instruction.scope)
        if "$" in text or "`" in text:
            continue
        if any(char in text for char in "*?["):
            folder, _, last = text.rpartition("/")
            if not relative or not folder or any(char in folder for char in "*?["):
                continue
            text = folder  # `pip install /wheels/*` reads /wheels
        resolved = resolve_path(text, directory)
        if resolved:
            found.append(resolved)
    return found


class _Dirs:
    """The working directory of each instruction, ONBUILD triggers included."""

    __slots__ = ("_plain", "_triggers")

    def __init__(self, dockerfile):
        self._plain = workdirs(dockerfile)
        self._triggers = trigger_workdirs(dockerfile)

    def of(self, instruction):
        return (self._triggers if instruction.onbuild else self._plain).get(instruction.index)


def check(dockerfile):
    dirs = _Dirs(dockerfile)
    triggers: dict[int, list] = {}
    for trigger in dockerfile.triggers:
        triggers.setdefault(trigger.stage, []).append(trigger)
    for stage in dockerfile.stages:
        earlier = []  # Leftovers of the lineage's instructions so far
        for ancestor in dockerfile.lineage(stage)[:-1]:
            earlier += _leftovers(ancestor.instructions, dirs)
        # the stage's own instructions, then its ONBUILD triggers: they run in a child
        # image, after all of them, in the directory the stage ends in
        for instruction in stage.instructions + tuple(triggers.get(stage.index, ())):
            if instruction.keyword == "RUN":
                found = _check_run(dockerfile, instruction, earlier, dirs)
                if found is not None:
                    yield found
                _prune(instruction, earlier, dirs)
            earlier += _leftovers([instruction], dirs)


def _prune(instruction, earlier, dirs):
    """Take what the RUN deletes out of the earlier instructions' leftovers: a later
    cleanup of the same files deletes nothing they left (they are gone already)."""
    if not earlier:
        return
    for command, directory in zip(instruction.script.commands, command_dirs(instruction, dirs.of(instruction))):
        cleanup = _cleanup(instruction, command, directory)
        if cleanup is None or cleanup[0] == "neutral":
            continue
        kind, value = cleanup
        items = [("tag", value, None)] if kind == "tag" else [("rm", path, pattern) for path, _text, pattern in value]
        for item in items:
            for left in earlier:
                left.prune(item)


def _leftovers(instructions, dirs):
    found = []
    for instruction in instructions:
        cwd = dirs.of(instruction)
        if instruction.keyword == "RUN":
            left = _run_leftovers(instruction, cwd)
            if left.tags or left.paths or left.used:  # one that leaves and reads nothing is
                found.append(left)  # not kept: a cleanup is not checked against every RUN
        elif instruction.keyword in ("COPY", "ADD"):
            writes = copy_writes(instruction, cwd)
            if writes is not None:
                found.append(Leftovers(instruction, writes=writes))
    return found


class _Deleted(NamedTuple):
    """One thing a cleanup deletes that earlier instructions left."""

    item: tuple  # ("tag", tag, None) or ("rm", path, name pattern or None)
    creators: list  # the instructions that created it (the surest ones)
    users: list  # RUNs after the first creator that only read it
    sure: bool  # the creators surely wrote it (else they made or filled its folder)
    tags: set  # the caches the creators filled
    command: object  # the cleanup command


def _check_run(dockerfile, instruction, earlier, dirs):
    commands = instruction.script.commands
    if not commands or not earlier:
        return None
    home = _home(instruction)
    cleanups = []
    for command, directory in zip(commands, command_dirs(instruction, dirs.of(instruction))):
        cleanup = _cleanup(instruction, command, directory)
        if cleanup is None:
            return None  # does something else too
        cleanups.append((command, cleanup))
    deleted = []
    written = {}
    for command, (kind, value) in cleanups:
        if kind == "neutral":
            continue
        if kind == "rm":
            written.update(((path, pattern), text) for path, text, pattern in value)
        items = [("tag", value, None)] if kind == "tag" else [("rm", path, pattern) for path, _text, pattern in value]
        for item in items:
            found = _creators(earlier, item, home)
            if found is not None:
                deleted.append(_Deleted(item, *found, command))
    if not deleted:
        return None
    creators = sorted({c.index: c for entry in deleted for c in entry.creators}.values(), key=lambda c: c.index)
    users = sorted({u.index: u for entry in deleted for u in entry.users}.values(), key=lambda u: u.index)
    what = ", ".join(dict.fromkeys(_describe(entry.item, written) for entry in deleted))
    text = _cleanup_text(dockerfile, instruction)
    parts = []
    runs = [c for c in creators if c.keyword == "RUN"]
    copies = [c for c in creators if c.keyword != "RUN"]
    sure = any(entry.sure for entry in deleted)
    if runs and not sure:
        at = f"`... && {text}`" if text else "the same commands"
        parts.append(f"delete the files at the end of the RUN that writes them, not in a RUN of their own: {at}")
    elif runs:
        parts.append(_run_advice(runs, [u for u in users if u.index > runs[-1].index], text))
    if copies:
        parts.append(_copy_advice(copies[-1], deleted, users, dirs))
    suggestion = "; ".join(parts)
    targets = [folder for entry in deleted for folder in _cache_folders(entry.item, entry.tags, home)]
    if targets:
        suggestion += f", or keep the cache out of the image with `RUN --mount=type=cache,target={targets[0]} ...`"
    first = deleted[0].command
    return Violation(
        instruction,
        f"this RUN only deletes {what}, which {_named(creators)} created: it stays in "
        f"{'that layer' if len(creators) == 1 else 'their layers'}, so deleting it here saves nothing"
        if sure
        else f"this RUN only deletes {what}, in {'a folder' if len(creators) == 1 else 'folders'} {_named(creators)} "
        "made or changed: what an earlier layer holds stays in it, so deleting it here saves nothing",
        suggestion,
        fix=_fix(dockerfile, instruction, creators, text, dirs),
        focus=instruction.script.span(first),
    )


def _creators(earlier, item, home):
    """(creators, users, sure, cache tags) of what a cleanup deletes, None when nothing
    earlier left it:
    the instructions that surely wrote it when there are any (a `COPY`, the RUN that
    downloaded it), else those that filled or changed it; and the RUNs after the first
    creator that read it (`bash /tmp/scripts/setup.sh`)."""
    for fresh in (True, False):  # what is still there first; else a cleanup done twice
        strong, weak = [], []
        for left in earlier:
            how = left.covers(item, home, fresh)
            if how == STRONG:
                strong.append(left)
            elif how == WEAK:
                weak.append(left)
        found = strong or weak
        if found:
            break
    else:
        return None
    first = found[0].instruction.index
    users = []
    if item[0] == "rm":
        makers = {left.instruction.index for left in found}
        users = [
            left.instruction
            for left in earlier
            if left.instruction.keyword == "RUN" and left.instruction.index > first and left.instruction.index not in makers and left.uses(item[1])
        ]
    tags = {tag for left in found for tag in left.tags}
    return [left.instruction for left in found], users, bool(strong), tags


def _named(instructions) -> str:
    """`COPY --from=build /wheels /wheels` (line 7)`, or the lines of several."""
    if len(instructions) == 1:
        return f"{_quoted(instructions[0])} (line {instructions[0].line})"
    kind = "RUNs" if all(i.keyword == "RUN" for i in instructions) else "instructions"
    return f"the {kind} at {_lines(instructions)}"


def _quoted(instruction, limit=60) -> str:
    text = _spelled(instruction)
    return f"`{text if len(text) <= limit else text[: limit - 3] + '...'}`"


def _spelled(instruction) -> str:
    """The instruction on one line, `ONBUILD` in front of a trigger."""
    return " ".join(((["ONBUILD"] if instruction.onbuild else []) + [instruction.keyword] + instruction.value.split()))


def _lines(instructions) -> str:
    """`line 7`, `lines 7 and 9`, `lines 3, 5, 7, 9 and 2 more`."""
    lines = [str(i.line) for i in instructions]
    if len(lines) == 1:
        return f"line {lines[0]}"
    if len(lines) > 5:
        return "lines " + ", ".join(lines[:4]) + f" and {len(lines) - 4} more"
    return "lines " + ", ".join(lines[:-1]) + " and " + lines[-1]


def _run_advice(runs, users, text) -> str:
    """Move the cleanup into the RUN that created the files, after what uses them."""
    at = f"`... && {text}`" if text else "the same commands"
    if users:
        return (
            f"create, use and delete the files in one RUN: do the work of {_lines(users)} in the RUN at "
            f"line {runs[-1].line} and end it with {at}"
        )
    if len(runs) > 1:
        return f"do the cleanup at the end of each RUN that creates the files ({_lines(runs)}): {at}"
    return f"do the cleanup at the end of the RUN that creates the files (line {runs[0].line}): {at}"


def _copy_advice(copy, deleted, users, dirs) -> str:
    """Mount what a COPY brought in only to be used and deleted; else keep it out of it."""
    copied = _spelled(copy)
    mine = [entry.item[1] for entry in deleted if entry.item[0] == "rm" and copy in entry.creators]
    if any(entry.item[2] for entry in deleted if copy in entry.creators):
        mine = []  # a name pattern deletes part of what the COPY wrote: no mount of it
    mount = _bind_mount(copy, mine, dirs)
    if mount:
        readers = [u for u in users if u.index > copy.index]
        where = f"the RUN{'s' if len(readers) > 1 else ''} that use{'' if len(readers) > 1 else 's'} them ({_lines(readers)})" if readers else "the RUN that needs them"
        run = "ONBUILD RUN" if copy.onbuild else "RUN"
        return (
            f"instead of `{copied}` (line {copy.line}) and this deletion, mount the files in "
            f"{where}: `{run} {mount} ...`, so they never enter a layer"
        )
    return f"keep the files out of `{copied}` (line {copy.line}) with `.dockerignore` or a narrower source"


def _bind_mount(copy, deleted, dirs):
    """`--mount=type=bind,source=x,target=/y` when the COPY wrote exactly what is
    deleted: one source, or name patterns of one folder (`COPY scripts/*.sh
    scripts/*.env /tmp/scripts/` mounts `scripts` at `/tmp/scripts`)."""
    paths = copy_paths(copy)
    writes = copy_writes(copy, dirs.of(copy))
    if paths is None or writes is None or len(deleted) != 1:
        return None
    sources, target = paths[0], deleted[0]
    if any(s.startswith("<<") or "://" in s or s.startswith("git@") or "$" in s or s in (".", "./") for s in sources):
        return None
    if len(sources) == 1 and not any(char in sources[0] for char in "*?["):
        source = sources[0]
        if target == writes.folder and len(writes.entries) == 1 and not writes.trees:
            target = writes.entries[0]  # `COPY motd.txt /tmp/` then `rm -rf /tmp/*`
        elif target not in writes.entries and target not in writes.trees:
            return None
    else:
        folders = {s.rpartition("/")[0] for s in sources}
        if len(folders) != 1 or writes.folder != target or writes.entries or writes.trees:
            return None
        source = folders.pop()
        if not source or any(char in source for char in "*?["):
            return None
    origin = copy.flag("from")
    return "--mount=type=bind," + (f"from={origin}," if origin else "") + f"source={source},target={target}"


NAMES = {
    "apt-lists": "the apt package lists", "apt-cache": "the apt package cache", "apk": "the apk cache",
    "rpm": "the yum/dnf cache", "zypper": "the zypper cache", "pip": "the pip cache", "npm": "the npm cache",
    "yarn": "the yarn cache", "pnpm": "the pnpm store", "uv": "the uv cache", "ruby": "the gem cache", "conda": "the conda package cache",
    "composer": "the composer cache", "go": "the Go build cache", "pacman": "the pacman cache",
}


def _describe(item, written):
    kind, value, pattern = item
    if kind == "tag":
        return NAMES.get(value, f"the {value} cache")
    text = written.get((value, pattern), value)
    return f"files under `{text[12:]}`" if text.startswith("files under ") else f"`{text}`"


def _cache_folders(item, tags, home):
    """The cache folder a cache mount would keep out: of the cache the item names, or of
    one the creators filled below or above the deleted path."""
    kind, value, _pattern = item
    if kind == "tag":
        return _cache_paths(value, home)[:1]
    return [folder for tag in sorted(tags) for folder in _cache_paths(tag, home) if path_below(value, folder) or path_below(folder, value)][:1]


OPERATORS = {"&&": " && ", "||": " || ", ";": "; ", "\n": "; ", "|": " | "}


def _cleanup_text(dockerfile, instruction):
    """The cleanup commands as one line, as written (None for exec form)."""
    script = instruction.script
    if not script.shell_form:
        return None
    commands = [c for c in script.commands if not (c.words and c.words[0].text == "set")]
    parts, wrap = [], False
    for position, command in enumerate(commands):
        words = list(command.assignments) + list(command.words)
        spelled = " ".join(dockerfile.text[w.start : w.end] for w in words)
        spelled += "".join(f" {op}{dockerfile.text[w.start : w.end]}" for op, w in command.redirects)
        if command.depth:
            return None
        parts.append(spelled)
        if position + 1 < len(commands):
            operator = command.after or ";"
            if operator not in OPERATORS:
                return None
            wrap = wrap or operator != "&&"
            parts.append(OPERATORS[operator])
    text = "".join(parts)
    return "{ " + text + "; }" if wrap else text


def _fix(dockerfile, instruction, creators, text, dirs):
    if text is None or instruction.onbuild:
        return None  # a trigger cleans in the child image: moving it changes this one too
    index = instruction.index
    previous = dockerfile.instructions[index - 1] if index > 0 else None
    if previous is None or previous.keyword != "RUN" or previous.stage != instruction.stage:
        return None
    if any(creator is not previous for creator in creators):
        return None  # not clearly the RUN above alone
    if sorted((f.name, f.value) for f in previous.flags) != sorted((f.name, f.value) for f in instruction.flags):
        return None
    if previous.exec_form is not None or not posix_shell(dockerfile, previous):
        return None
    relative = any(
        not w.text.startswith(("/", "~", "$HOME", "${HOME}", "-"))
        for c in instruction.script.commands
        for w in unwrap(c)[1:]
        if unwrap(c) and unwrap(c)[0].text.rsplit("/", 1)[-1] in ("rm", "find")
    )
    if relative:
        start_dir = dirs.of(previous)
        directories = command_dirs(previous, start_dir)
        if directories and (directories[-1] != start_dir or _changes_dir(previous)):
            return None
    if "$" in text and _sets_variables(dockerfile.text, previous):
        return None  # the RUN above may set a variable the cleanup reads
    edit = append_at_end(dockerfile, previous, " && " + text)
    if edit is None:
        return None
    return Fix("Move the cleanup into the RUN above", (edit, _delete(dockerfile, instruction)), safe=False)


ASSIGNMENT_RE = lazy_compile(r"(?<![^\s;&|(])[A-Za-z_][A-Za-z0-9_]*\+?=")


def _sets_variables(text, run):
    """`export`, `source`, or a `NAME=value` outside the words of the RUN's commands."""
    commands = run.script.commands
    if any(c.words and c.words[0].text in ("export", "source", ".", "declare", "read", "set") for c in commands):
        return True
    covered = [(w.start, w.end) for c in commands for w in list(c.words) + list(c.assignments)]
    return any(
        not any(start <= match.start() < end for start, end in covered)
        for match in ASSIGNMENT_RE.finditer(text, run.start, run.end)
    )


def _changes_dir(run):
    return any(c.words and c.words[0].text in ("cd", "pushd", "popd") and c.depth == 0 for c in run.script.commands)


def _delete(dockerfile, instruction):
    """An edit deleting the instruction's lines, line ending included."""
    text = dockerfile.text
    start = dockerfile.line_starts[instruction.line - 1]
    end = instruction.end
    if text.startswith("\r\n", end):
        end += 2
    elif text.startswith("\n", end):
        end += 1
    return Edit(start, end, "")
