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
- a path an earlier `RUN` named and did not remove itself (`wget -O /tmp/x.tgz ...`
  then `RUN rm -rf /tmp/*`).

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
Files a `COPY` brings in are best kept out of it (`.dockerignore`, a narrower source).

## Fix
Unsafe: when the `RUN` directly above (no instruction between) is the one that created
the files, moves the cleanup to its end (` && ...`, grouped in `{ ...; }` when the
cleanup has other operators than `&&`) and deletes this `RUN`. No fix when the creator is
another instruction, when either `RUN` is in exec form or not run by a POSIX shell
(PowerShell, `cmd`), when their flags differ, when
the creator runs something in the background or ends inside a branch or loop, or when
the cleanup has relative paths and the creator changes directory.

## Not flagged
- Cleanups in the same `RUN` as the install (another rule's business when missing).
- A `RUN` that also does something else than cleaning.
- Deleting what the base image shipped (`rm /etc/nginx/conf.d/default.conf`), or
  anything no earlier instruction of the stage can be seen to create (unknown
  variables included).

## Scope
Only stages that ship: a builder stage's layers never reach the final image.
"""

import functools

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
    declared_tools,
    expand,
    family_tools,
    path_below,
    posix_shell,
    resolve_path,
    tool_call,
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


def _caches() -> dict[str, tuple[str, ...]]:
    """Every cache tag with its folders (every tool declared: for messages only)."""
    table: dict[str, tuple[str, ...]] = {}
    for tool in declared_tools():
        if tool.caches:
            tag = _family_tag(tool.family)
            table[tag] = tuple(dict.fromkeys(table.get(tag, ()) + tool.caches))
    return {**table, **OTHER_CACHES}


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
    """Absolute paths an `rm` or `find ... -delete` removes (a trailing glob gives its
    folder); None when the command is neither; unknown paths are left out."""
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
        if any(char in last for char in "*?["):
            text = folder or ("/" if text.startswith("/") else ".")
        resolved = resolve_path(text, directory)
        if resolved is not None:
            found.append((resolved, written))
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
    """What one earlier instruction created and left in its layer."""

    def __init__(self, instruction, tags=(), paths=(), writes=None):
        self.instruction = instruction
        self.tags = set(tags)
        self.paths = list(paths)
        self.writes = writes  # CopyWrites of a COPY/ADD

    def covers(self, kind, value, home):
        """Whether the cleanup (`("tag", tag)` or `("rm", path)`) deletes some of it."""
        if kind == "tag":
            return value in self.tags
        path = value
        for tag in self.tags:
            for folder in _cache_paths(tag, home):
                if path_below(path, folder) or path_below(folder, path):
                    return True
        for created, empty in self.paths:
            if path_below(created, path):
                return True
            # below something a RUN filled (a clone, an extraction); not below a bare mkdir
            if not empty and created not in GENERAL and path_below(path, created):
                return True
        writes = self.writes
        if writes is not None:
            if path in writes.entries or path in writes.trees:
                return True
            if writes.writes(path) and self.whole_context and not path_below(path, "/etc") and not path_below(path, "/usr"):
                # below a folder copy: only the build context's own files (`COPY . /app`
                # then `rm -rf /app/tests`); a folder merged into one of the base image
                # (`COPY nginx/ /etc/nginx/`) leaves the base's files there too
                return True
            if writes.inside(path) and not (writes.folder == path and not writes.trees):
                return True
        return False

    @property
    def whole_context(self):
        instruction = self.writes.instruction
        paths = copy_paths(instruction)
        return instruction.flag("from") is None and paths is not None and any(s in (".", "./") for s in paths[0])


def _run_leftovers(instruction, cwd):
    """The caches and paths a RUN leaves behind (what it cleans itself taken out)."""
    home = _home(instruction)
    tags, paths = set(), _Created()
    commands = instruction.script.commands
    for command, directory in zip(commands, command_dirs(instruction, cwd)):
        cleanup = _cleanup(instruction, command, directory)
        if cleanup is not None:
            kind, value = cleanup
            if kind == "tag":
                tags.discard(value)
            elif kind == "rm":
                for target, _written in value:
                    tags = {t for t in tags if not any(path_below(f, target) for f in _cache_paths(t, home))}
                    paths.remove_below(target)
            continue
        for tag in _fills(command):
            if not cache_mounted(instruction, *_cache_paths(tag, home)):
                tags.add(tag)
        words = unwrap(command)
        name = words[0].text.rsplit("/", 1)[-1] if words else ""
        empty = name in ("mkdir", "touch")
        for path in created_paths(instruction, command, directory):
            paths.add(path, empty)
        if not empty:
            # a folder a filling command names may hold anything below it; one that
            # `chown`, `chmod`, `sed -i`... name is only known to exist itself
            filled = name in FILLERS or name.endswith((".sh", ".py")) or words[:1] and words[0].text.startswith(("./", "/"))
            for path in _named_paths(instruction, command, directory):
                paths.add(path, not filled)
    return Leftovers(instruction, tags, paths.entries())


class _Created:
    """The (path, empty) pairs a RUN created so far, in order, indexed by each folder a
    path lies in: an `rm` then drops what is below its target (as `path_below` decides)
    without testing every pair, which made a RUN of many creations and deletions
    quadratic. Each pair is dropped once and each index list read once."""

    __slots__ = ("_next", "_pairs", "_exact", "_inside")

    def __init__(self):
        self._next = 0
        self._pairs: dict[int, tuple[str, bool]] = {}
        self._exact: dict[str, list[int]] = {}  # path -> its pairs
        self._inside: dict[str, list[int]] = {}  # folder, no trailing slash -> pairs below it

    def add(self, path, empty):
        key = self._next
        self._next += 1
        self._pairs[key] = (path, empty)
        self._exact.setdefault(path, []).append(key)
        for at, char in enumerate(path):
            if char == "/":
                self._inside.setdefault(path[:at], []).append(key)

    def remove_below(self, target):
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


def _named_paths(instruction, command, directory):
    """Absolute paths a command names as arguments (`tar -C /opt/x`, `--prefix=/opt/x`,
    `make install DESTDIR=/out`), URLs left out."""
    found = []
    for word in unwrap(command)[1:]:
        text = word.text
        if "=" in text and text.startswith("-"):
            text = text.split("=", 1)[1]
        if not text.startswith("/") or "://" in text:
            continue
        text = expand(text, instruction.scope)
        if "$" in text or "`" in text or any(char in text for char in "*?["):
            continue
        resolved = resolve_path(text, directory)
        if resolved:
            found.append(resolved)
    return found


def check(dockerfile):
    dirs = workdirs(dockerfile)
    for stage in dockerfile.stages:
        earlier = []  # Leftovers of the lineage's instructions so far
        for ancestor in dockerfile.lineage(stage)[:-1]:
            earlier += _leftovers(ancestor.instructions, dirs)
        for instruction in stage.instructions:
            if instruction.keyword == "RUN":
                found = _check_run(dockerfile, instruction, earlier, dirs)
                if found is not None:
                    yield found
            earlier += _leftovers([instruction], dirs)


def _leftovers(instructions, dirs):
    found = []
    for instruction in instructions:
        cwd = dirs.get(instruction.index)
        if instruction.keyword == "RUN":
            left = _run_leftovers(instruction, cwd)
            if left.tags or left.paths:  # an empty one covers nothing: not kept, so a
                found.append(left)  # cleanup RUN is not checked against every earlier RUN
        elif instruction.keyword in ("COPY", "ADD"):
            writes = copy_writes(instruction, cwd)
            if writes is not None:
                found.append(Leftovers(instruction, writes=writes))
    return found


def _check_run(dockerfile, instruction, earlier, dirs):
    commands = instruction.script.commands
    if not commands or not earlier:
        return None
    home = _home(instruction)
    cleanups = []
    for command, directory in zip(commands, command_dirs(instruction, dirs.get(instruction.index))):
        cleanup = _cleanup(instruction, command, directory)
        if cleanup is None:
            return None  # does something else too
        cleanups.append(cleanup)
    deleted = []  # (what, creators)
    written = {}
    for kind, value in cleanups:
        if kind == "neutral":
            continue
        if kind == "rm":
            written.update((path, text) for path, text in value)
        items = [("tag", value)] if kind == "tag" else [("rm", path) for path, _text in value]
        for item in items:
            creators = [left.instruction for left in earlier if left.covers(*item, home)]
            if creators:
                deleted.append((item, creators))
    if not deleted:
        return None
    creators = sorted({c.index: c for _item, cs in deleted for c in cs}.values(), key=lambda c: c.index)
    what = ", ".join(dict.fromkeys(_describe(item, written) for item, _cs in deleted))
    lines = ", ".join(str(c.line) for c in creators[-3:])
    text = _cleanup_text(dockerfile, instruction)
    fix = _fix(dockerfile, instruction, creators, text, dirs)
    parts = []
    runs = [c for c in creators if c.keyword == "RUN"]
    copies = [c for c in creators if c.keyword != "RUN"]
    if runs:
        at = f"`... && {text}`" if text else "the same commands"
        parts.append(f"do the cleanup at the end of the RUN that creates the files (line {runs[-1].line}): {at}")
    if copies:
        copy = copies[-1]
        copied = " ".join(copy.value.split())
        mount = _bind_mount(copy, [item[1] for item, cs in deleted if item[0] == "rm" and copy in cs], dirs)
        if mount:
            parts.append(f"instead of `{copy.keyword} {copied}` (line {copy.line}) and a deletion, mount the file for the RUN that needs it: `RUN {mount} ...`")
        else:
            parts.append(f"keep the files out of `{copy.keyword} {copied}` (line {copy.line}) with `.dockerignore` or a narrower source")
    suggestion = "; ".join(parts)
    targets = [folder for item, _cs in deleted for folder in _cache_folders(item, home)]
    if targets:
        suggestion += f", or keep the cache out of the image with `RUN --mount=type=cache,target={targets[0]} ...`"
    return Violation(
        instruction,
        f"this RUN only deletes {what}, which an earlier layer (line {lines}) keeps: it saves nothing",
        suggestion,
        fix=fix,
    )


def _bind_mount(copy, deleted, dirs):
    """`--mount=type=bind,source=x,target=/y` when a one-source COPY wrote exactly what
    is deleted."""
    paths = copy_paths(copy)
    writes = copy_writes(copy, dirs.get(copy.index))
    if paths is None or writes is None or len(paths[0]) != 1 or len(deleted) != 1:
        return None
    source = paths[0][0]
    if source.startswith("<<") or "://" in source or source.startswith("git@") or "$" in source or source in (".", "./"):
        return None
    if any(char in source for char in "*?["):
        return None
    target = deleted[0]
    if target not in writes.entries and target not in writes.trees:
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
    kind, value = item
    if kind == "tag":
        return NAMES.get(value, f"the {value} cache")
    text = written.get(value, value)
    return f"files under `{text[12:]}`" if text.startswith("files under ") else f"`{text}`"


def _cache_folders(item, home):
    kind, value = item
    if kind == "tag":
        return _cache_paths(value, home)[:1]
    return [folder for tag in _caches() for folder in _cache_paths(tag, home) if path_below(value, folder) or path_below(folder, value)][:1]


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
    if text is None:
        return None
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
        start_dir = dirs.get(previous.index)
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
