"""What a RUN, COPY or ADD does to the image's files and environment.

The mounts of a RUN and what they keep out of the layer, the paths `rm` deletes, the
variables a command sees (`ENV`/`ARG`, `export`, `NAME=value cmd`), the working directory
of each command, the paths a COPY/ADD or a RUN command writes, and the system packages a
RUN installs and keeps, and which apt installs bring their recommended packages. Tool knowledge comes
from `dfslim.tools`; the shell's words from `dfslim.shell`.
"""


import bisect
import fnmatch
import posixpath
import re
from typing import NamedTuple

from dfslim.graph import earlier_in_lineage, runs_as_root, user_in_effect
from dfslim.model import Command, Instruction
from dfslim.regex import lazy_compile
from dfslim.shell import SHELLS, has_option, unwrap
from dfslim.tools import apt, installed_packages, package_name, removed_packages, tool_call
from dfslim.tools.apt import LISTS as APT_LISTS
from dfslim.tools.download import download
from dfslim.tools.spec import FALSE_VALUES, setting_matches
from dfslim.values import expand, split_words, unquote

# ---------------------------------------------------------------------------- mounts and removals


def mounts(instruction: Instruction) -> list[dict[str, str]]:
    """The `--mount=` flags of a RUN as dicts (`{"type": "cache", "target": "/x"}`)."""
    found = []
    values = instruction.flag_values("mount")
    if not values:
        return found  # most RUNs: nothing to import or parse
    for value in values:
        value = expand(value, instruction.scope)
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
    if not is_rm(command):
        return False
    for word in unwrap(command)[1:]:
        target = word.text.rstrip("/")
        if target.endswith("/*"):
            target = target[:-2]
        for path in paths:
            path = path.rstrip("/")
            if target and (path == target or path.startswith(target + "/")):
                return True
    return False


def is_rm(command: Command) -> bool:
    words = unwrap(command)
    return bool(words) and words[0].text.rsplit("/", 1)[-1] == "rm"


def last_index(commands, predicate) -> int:
    """The position of the last command for which `predicate` holds, else -1: whether any
    command after position i qualifies is then `last_index(...) > i`, one pass per RUN."""
    for position in range(len(commands) - 1, -1, -1):
        if predicate(commands[position]):
            return position
    return -1


class Removals:
    """Whether an `rm` after a given command of one RUN deletes one of some paths (see
    `removes`). Rules ask this for every install in the RUN, mostly with the same paths:
    the answer for a set of paths is the position of the last `rm` deleting one of them,
    found once, so a long RUN is not rescanned per install."""

    __slots__ = ("_commands", "_removers", "_last")

    def __init__(self, commands):
        self._commands = commands
        self._removers = [position for position, command in enumerate(commands) if is_rm(command)]
        self._last: dict[tuple[str, ...], int] = {}

    def after(self, index: int, *paths: str) -> bool:
        last = self._last.get(paths)
        if last is None:
            found = [i for i in self._removers if removes(self._commands[i], *paths)]
            last = self._last[paths] = found[-1] if found else -1
        return last > index


def clears_apt_lists(command: Command) -> bool:
    """`rm -rf /var/lib/apt/lists/*`, or apt 3's `apt-get dist-clean`, which removes them too."""
    if removes(command, APT_LISTS):
        return True
    call = tool_call(command)
    return call is not None and call.name == "apt" and call.verb == "dist-clean"


def piped_into_shell(command: Command) -> bool:
    """`curl -fsSL https://deb.nodesource.com/setup_22.x | sudo -E bash -`: a script read by a
    shell from a pipe."""
    words = unwrap(command)
    return command.piped_from and bool(words) and words[0].text.rsplit("/", 1)[-1] in SHELLS


def apt_lists_reused(dockerfile, instruction: Instruction) -> Instruction | None:
    """The first later RUN, in the stage of `instruction` or one built FROM it, that
    installs with apt from the lists `instruction` leaves (it fetches none itself first),
    else None. A script piped into a shell counts as a fetch only before an install of
    its own RUN (a repository setup script runs `apt-get update`); alone in a RUN it may
    have added a repository without updating."""
    stage = dockerfile.stage_of(instruction)
    instructions = dockerfile.instructions
    for position in range(instruction.index + 1, len(instructions)):  # no copy of the rest per RUN
        later = instructions[position]
        if later.keyword != "RUN":
            continue
        later_stage = dockerfile.stage_of(later)
        if later_stage is not stage and stage not in dockerfile.lineage(later_stage):
            continue
        setup = False
        for command in later.script.commands:
            if fetches_apt_lists(command) or clears_apt_lists(command):
                return None  # fetched or removed afresh: later RUNs do not use these lists
            call = tool_call(command)
            if call is not None and call.name == "apt" and call.action in apt.DOWNLOADS:
                return None if setup else later
            setup = setup or piped_into_shell(command)
    return None


def fetches_apt_lists(command: Command) -> bool:
    """Whether `command` writes the apt package lists: `apt-get update` (`apt`,
    `aptitude`), apt 3's `apt-get install --update`, `add-apt-repository` without `-n`."""
    call = tool_call(command)
    if call is not None:
        return call.name == "apt" and (call.action == "update" or (call.action in apt.DOWNLOADS and call.has("--update")))
    words = unwrap(command)
    if not words or words[0].text.rsplit("/", 1)[-1] not in apt.REPOSITORY_ADDERS:
        return False
    return not has_option(words[1:], *apt.NO_UPDATE_OPTIONS)


# ---------------------------------------------------------------------------- variables


def env_value(instruction: Instruction, commands, index: int, name: str) -> str | None:
    """The value of environment variable `name` when `commands[index]` of a RUN runs: set on
    the command (`NAME=1 pip ...`, `env NAME=1 pip ...`), exported earlier in the same RUN
    (`export NAME=1`), else by `ENV`/`ARG` in scope; None when unset."""
    command = commands[index]
    inline = list(command.assignments) + list(command.words[: len(command.words) - len(unwrap(command))])
    for word in reversed(inline):
        key, equals, value = word.text.partition("=")
        if equals and key == name:
            return value
    exported = _exports(instruction, commands).get(name, ())
    at = bisect.bisect_left(exported, (index,))
    for position, depth, value in reversed(exported[:at]):
        if depth <= command.depth:
            return value
    return instruction.scope.get(name)


def env_selects(instruction: Instruction, commands, index: int, settings: tuple[str, ...]) -> bool:
    """Whether a variable `commands[index]` sees (see `env_value`) matches one of
    `settings`, written as `dfslim.tools.Tool` describes (`NODE_ENV=production`, `UV_NO_DEV`)."""
    for setting in settings:
        value = env_value(instruction, commands, index, setting.partition("=")[0])
        if value is not None and setting_matches(setting, value if value else ""):
            return True
    return False


def _exports(instruction: Instruction, commands) -> dict[str, list[tuple[int, int, str]]]:
    """For each variable name: (position, depth, value) of the `export`/`declare`/`typeset`
    commands that set it, in order, each with the last value it gives there. Built once
    per RUN and kept with the instruction: `env_value` is asked for every command, and
    rescanning the earlier commands each time made a long RUN quadratic."""
    cached = instruction.__dict__.get("_exports")
    if cached is not None and cached[0] is commands:
        return cached[1]
    table: dict[str, list[tuple[int, int, str]]] = {}
    for position, earlier in enumerate(commands):
        if earlier.name not in ("export", "declare", "typeset"):
            continue
        values: dict[str, str] = {}
        for word in earlier.words[1:]:
            key, equals, value = word.text.partition("=")
            if equals:
                values[key] = value
        for key, value in values.items():
            table.setdefault(key, []).append((position, earlier.depth, value))
    instruction.__dict__["_exports"] = (commands, table)
    return table


def home_paths(dockerfile, instruction: Instruction, relative: str) -> tuple[str, ...]:
    """The spellings of `relative` under the home directory of the user a RUN runs as:
    `/root/.npm`, `~/.npm`, `$HOME/.npm`, `${HOME}/.npm`, `/home/<USER>/.npm` and
    `$HOME` from `ENV` when set."""
    relative = relative.strip("/")
    homes = ["/root", "~", "$HOME", "${HOME}"]
    if instruction.scope.get("HOME"):
        homes.append(instruction.scope["HOME"].rstrip("/") or "/")
    user = user_in_effect(dockerfile, instruction)
    if user and user not in ("root", "0") and not user.isdigit() and "$" not in user:
        homes.append("/home/" + user)
    return tuple(home.rstrip("/") + "/" + relative for home in homes)


def tool_paths(dockerfile, instruction: Instruction, paths: tuple[str, ...]) -> tuple[str, ...]:
    """A tool's declared folders with every spelling of a `~/` one (see `home_paths`)."""
    found: list[str] = []
    for path in paths:
        found += home_paths(dockerfile, instruction, path[2:]) if path.startswith("~/") else [path]
    return tuple(found)

_VARIABLE_NAME_RE = lazy_compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def expanded(instruction: Instruction, commands, index: int, text: str) -> str:
    """`text` (a word of `commands[index]`) with the variables `env_value` knows there
    substituted (`$BUILD_DEPS` from `ENV`/`ARG`, `export` or `NAME=... cmd`); unknown
    ones stay as written."""
    if "$" not in text:
        return text
    known = {}
    for name in _VARIABLE_NAME_RE.findall(text):
        value = env_value(instruction, commands, index, name)
        if value is not None:
            known[name] = value
    return expand(text, known)


# ---------------------------------------------------------------------------- COPY/ADD paths and WORKDIR


UNKNOWN_WORKDIR = "/<base image workdir>"  # where a stage starts when its base image's WORKDIR is unknown


def copy_paths(instruction: Instruction) -> tuple[list[str], str] | None:
    """The sources and the destination of a `COPY`/`ADD` (shell or JSON form, quotes
    removed, variables left as written; a heredoc source is `<<EOF`), None without both."""
    items = list(instruction.exec_form) if instruction.exec_form is not None else [unquote(w) for w in split_words(instruction.args)]
    if len(items) < 2:
        return None
    return items[:-1], items[-1]


# a source that is no plain path of the context: a glob, a variable, a URL, a heredoc, the whole context
NOT_A_CONTEXT_FILE_RE = lazy_compile(r"[*?\[$]|^[a-z][a-z0-9+.-]*://|^<<|^\.?/?$", re.IGNORECASE)


def build_context(dockerfile):
    """The build context of the file (`--context`, else the Dockerfile's folder) as a
    `dfslim.context.BuildContext`, or None: without one (standard input), and when none
    of the paths the file's `COPY`/`ADD` name from the context (plain names: no glob or
    variable) is there, because the file is built from another folder (a
    `docker/app.Dockerfile` built from the repository root) and nothing that folder
    holds says anything about the image."""
    return dockerfile.memo(_build_context)


def _build_context(dockerfile):
    if dockerfile.context_dir is None:
        return None
    from dfslim.context import BuildContext

    context = BuildContext.get(dockerfile.context_dir, dockerfile.path)
    named = [source for instruction in dockerfile.of("COPY", "ADD")
             if instruction.flag("from") is None and not instruction.heredocs
             for source in (copy_paths(instruction) or ((), ""))[0]
             if not NOT_A_CONTEXT_FILE_RE.search(source)]
    if named and not any(context.exists(source.lstrip("/")) for source in named):
        return None
    return context


def resolve_path(path: str, cwd: str | None) -> str | None:
    """`path` made absolute against `cwd` and normalised (`/app/./x/..` -> `/app`); None
    when it is relative and `cwd` is unknown."""
    if not path.startswith("/"):
        if cwd is None:
            return None
        path = posixpath.join(cwd, path)
    path = posixpath.normpath(path)
    return "/" + path.lstrip("/")


def workdirs(dockerfile) -> dict[int, str | None]:
    """The working directory each instruction runs in, by instruction index: `WORKDIR`
    values expanded with the instruction's scope (relative ones resolved against the
    previous one); a stage built FROM an earlier stage starts in that stage's last
    directory, `FROM scratch` in `/`, any other base image in `UNKNOWN_WORKDIR`."""
    return _workdirs(dockerfile)[0]


def trigger_workdirs(dockerfile) -> dict[int, str | None]:
    """The working directory each `ONBUILD` trigger runs in, by its index: a trigger runs
    in the child image after the whole declaring stage, so it starts in that stage's last
    directory and follows the `ONBUILD WORKDIR`s before it."""
    if not dockerfile.triggers:
        return {}
    last = _workdirs(dockerfile)[1]
    held = {trigger.index for trigger in dockerfile.triggers}
    found: dict[int, str | None] = {}
    current: dict[int, str | None] = {}
    for onbuild in dockerfile.of("ONBUILD"):
        cwd = current.get(onbuild.stage, last.get(onbuild.stage, UNKNOWN_WORKDIR))
        if onbuild.index in held:
            found[onbuild.index] = cwd
        keyword, _, rest = onbuild.args.strip().partition(" ")
        if keyword.upper() == "WORKDIR" and rest.strip():
            current[onbuild.stage] = _next_workdir(onbuild._replace(keyword="WORKDIR", value=rest, args_index=0), cwd)
    return found


def _workdirs(dockerfile) -> tuple[dict[int, str | None], dict[int, str | None]]:
    """`workdirs`, and the directory each stage ends in (by stage index)."""
    found: dict[int, str | None] = {}
    last: dict[int, str | None] = {}
    for stage in dockerfile.stages:
        if stage.parent is not None:
            cwd = last.get(stage.parent, UNKNOWN_WORKDIR)
        elif stage.base_resolved.strip().lower() == "scratch":
            cwd = "/"
        else:
            cwd = UNKNOWN_WORKDIR
        for instruction in stage.instructions:
            found[instruction.index] = cwd
            cwd = _next_workdir(instruction, cwd)
        last[stage.index] = cwd
    return found, last


def _next_workdir(instruction: Instruction, cwd: str | None) -> str | None:
    """The working directory after `instruction` (a `WORKDIR` changes it)."""
    if instruction.keyword != "WORKDIR" or not instruction.args.strip():
        return cwd
    target = expand(instruction.args.strip(), instruction.scope)
    if len(target) >= 2 and target[0] == target[-1] and target[0] in "\"'":
        target = target[1:-1]
    return None if "$" in target else resolve_path(target, cwd)


def command_dirs(instruction: Instruction, cwd: str | None) -> list[str | None]:
    """The directory each command of a RUN's script runs in, starting from `cwd` and
    following top-level `cd DIR` (None once it cannot be told: `cd` alone, `cd -`,
    unknown variables)."""
    dirs: list[str | None] = []
    for command in instruction.script.commands:
        dirs.append(cwd)
        words = command.words
        if words and words[0].text in ("cd", "pushd") and command.depth == 0 and not command.piped_from and not command.piped_to:
            args = [w.text for w in words[1:] if not w.text.startswith("-")]
            target = expand(args[0], instruction.scope) if args else ""
            cwd = None if not target or "$" in target or "`" in target or target.startswith("~") else resolve_path(target, cwd)
    return dirs


# ---------------------------------------------------------------------------- what COPY/ADD and RUN write


_GLOB_RE = lazy_compile(r"[*?\[]")
_ADD_ARCHIVE_RE = lazy_compile(r"\.(tar|tgz|tbz2?|txz|tzst)$|\.tar\.[a-z0-9]+$", re.IGNORECASE)
# folders of the base system: a COPY of a name without extension into one of them is
# taken as a file, not as a folder whose contents could be anything there
SYSTEM_DIRS = frozenset(
    "/ /bin /sbin /lib /lib64 /etc /opt /srv /var /var/lib /var/cache /var/log /tmp /home /root /usr /usr/bin "
    "/usr/sbin /usr/lib /usr/lib64 /usr/share /usr/local /usr/local/bin /usr/local/sbin /usr/local/lib "
    "/usr/local/share /usr/libexec /etc/init.d".split()
)


def path_below(path: str, root: str) -> bool:
    """`path` is `root` or inside it (absolute, normalised paths)."""
    return path == root or root == "/" or path.startswith(root.rstrip("/") + "/")


class CopyWrites(NamedTuple):
    """The paths one `COPY`/`ADD` wrote: whole trees, single entries, name patterns."""

    instruction: Instruction
    trees: list[str]  # roots everything below which was written (a folder's contents)
    entries: list[str]  # single files written
    patterns: list[tuple[str, str]]  # (folder, pattern): folder/<match> written
    folder: str | None  # the destination when it is surely a folder, else None
    single: bool = False  # one source to a destination that may be a file: `entries` are alternatives

    def roots(self) -> list[str]:
        return self.trees + self.entries + [folder for folder, _pattern in self.patterns]

    def writes(self, path: str) -> bool:
        """`path` is at or below something this instruction wrote."""
        if path in self.entries or any(path_below(path, root) for root in self.trees):
            return True
        for folder, pattern in self.patterns:
            if path != folder and path_below(path, folder):
                if fnmatch.fnmatchcase(posixpath.relpath(path, folder).split("/", 1)[0], pattern):
                    return True
        return False

    def inside(self, path: str) -> bool:
        """Something this instruction wrote lies at or below `path`."""
        return any(path_below(root, path) for root in self.roots())


def copy_writes(instruction: Instruction, cwd: str | None) -> CopyWrites | None:
    """What a `COPY`/`ADD` writes, its destination resolved against `cwd` (the WORKDIR)
    and variables expanded with its scope; None when the destination is not known.
    `COPY . /app` and `COPY src/ /app/` write the tree below `/app` (nothing is counted for
    a folder's contents copied to `/`: they could be anything); `COPY a.sh /bin/` writes
    `/bin/a.sh`, `COPY a.sh /bin` writes `/bin` or `/bin/a.sh`; a source without an
    extension may be a folder, whose contents land in the destination (not counted when
    that is one of `SYSTEM_DIRS`); a local archive `ADD` unpacks writes the
    destination's tree; `ADD URL dir/` writes `dir/<URL basename>`."""
    paths = copy_paths(instruction)
    if paths is None:
        return None
    sources, dest = paths
    dest = expand(dest, instruction.scope)
    if "$" in dest:
        return None
    target = resolve_path(dest, cwd)
    if target is None:
        return None
    is_folder = dest.endswith("/") or len(sources) > 1 or dest in (".", "./", "..") or any(_GLOB_RE.search(s) for s in sources)
    trees: list[str] = []
    entries: list[str] = []
    patterns: list[tuple[str, str]] = []
    for source in sources:
        source = expand(source, instruction.scope)
        if "$" in source:
            continue
        heredoc = source.startswith("<<")
        remote = "://" in source or source.startswith("git@")
        name = source[2:].lstrip("-").strip("\"'") if heredoc else source.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        contents = source in (".", "./") or source.endswith("/") or name in ("", ".", "..")
        if remote or heredoc:
            entries.append(posixpath.join(target, name) if is_folder and name else target)
        elif contents or (instruction.keyword == "ADD" and _ADD_ARCHIVE_RE.search(name)):
            if target != "/":
                trees.append(target)  # a folder's contents: anything below the destination
        elif _GLOB_RE.search(name):
            patterns.append((target, name))
        else:
            # a file (to the destination, or into it when it is an existing folder), or
            # a folder whose contents land in the destination
            entries.append(posixpath.join(target, name))
            if not is_folder:
                entries.append(target)
            if "." not in name.strip(".") and target not in SYSTEM_DIRS:
                trees.append(target)
    if not (trees or entries or patterns):
        return None
    surely_folder = is_folder or any(s in (".", "./") or s.endswith("/") for s in sources)
    return CopyWrites(instruction, trees, entries, patterns, target if surely_folder else None, single=not is_folder)


_CREATING = frozenset({"mkdir", "touch", "install", "ln", "cp", "mv", "git"})


def created_paths(instruction: Instruction, command: Command, cwd: str | None) -> list[str]:
    """Absolute paths a RUN command creates: `mkdir`/`touch`/`install` arguments, `ln`,
    `cp`, `mv` and `git clone` targets, `curl`/`wget` outputs, `>` redirections."""
    words = unwrap(command)
    found: list[str] = []
    if words:
        tool = words[0].text.rsplit("/", 1)[-1]
        # the arguments only for the tools that need them: most commands create nothing
        args = [w.text for w in words[1:] if not w.text.startswith("-")] if tool in _CREATING else []
        if tool in ("mkdir", "touch", "install"):
            found += args
        elif tool in ("ln", "cp", "mv") and len(args) >= 2:
            found.append(args[-1])
        elif tool == "git" and args[:1] == ["clone"] and len(args) >= 3:
            found.append(args[-1])
        fetched = download(command)
        if fetched is not None:
            found += [output for output in fetched.outputs if output != "-"]
    found += [word.text for op, word in command.redirects if op in (">", ">>", ">|", "&>", "&>>")]
    if not found:
        return []
    paths = []
    for text in found:
        text = expand(text, instruction.scope)
        if "$" in text or "`" in text or text.startswith("/dev/"):
            continue
        resolved = resolve_path(text, cwd)
        if resolved:
            paths.append(resolved)
    return paths


# ---------------------------------------------------------------------------- download caches



class Caches:
    """Where the package-tool commands of one RUN leave their download cache.

    `left(index, call)` answers for `commands[index]` (a `ToolCall` of it): the folders,
    in every spelling, where its cache stays in the layer, or None when nothing keeps it
    there: an option or a variable of the tool turns the cache off, a cache or tmpfs mount
    covers it, or a later command of the same RUN empties it (the tool's own clean
    command, or `rm` of the folder). Each "later command" question is answered in one pass
    over the RUN, however many installs ask it."""

    __slots__ = ("_dockerfile", "_instruction", "_commands", "_removals", "_last_clean")

    def __init__(self, dockerfile, instruction: Instruction):
        self._dockerfile = dockerfile
        self._instruction = instruction
        self._commands = instruction.script.commands
        self._removals: Removals | None = None
        self._last_clean: dict[str, int] = {}

    def left(self, index: int, call) -> tuple[str, ...] | None:
        tool = call.tool
        if call.keeps_cache_out or self.turned_off(index, tool):
            return None
        paths = self.paths(index, call)
        if cache_mounted(self._instruction, *paths) or self.cleaned_after(index, tool, paths):
            return None
        return paths

    def turned_off(self, index: int, tool) -> bool:
        """Whether a variable the command sees turns the tool's cache off."""
        for name in tool.no_cache_variables:
            value = env_value(self._instruction, self._commands, index, name)
            if value is None:
                continue
            if tool.no_cache_any_value or (value.strip() and value.strip().lower() not in FALSE_VALUES):
                return True
        return False

    def paths(self, index: int, call) -> tuple[str, ...]:
        """The tool's cache folders where `commands[index]` runs: its declared ones under
        the user's home, the folders its variables and options name (and the variables
        as written, `$PIP_CACHE_DIR`), and `$XDG_CACHE_HOME/<name>` for `~/.cache/<name>`."""
        instruction, commands, tool = self._instruction, self._commands, call.tool
        found = list(tool_paths(self._dockerfile, instruction, self._folders(tool)))
        for name in tool.cache_variables:
            value = env_value(instruction, commands, index, name)
            if value:
                found.append(expand(value, instruction.scope))
            found += [f"${name}", "${" + name + "}"]
        option = call.value(*tool.cache_options) if tool.cache_options else None
        if option:
            found += [option, expand(option, instruction.scope)]
        xdg = env_value(instruction, commands, index, "XDG_CACHE_HOME")
        if xdg:
            base = expand(xdg, instruction.scope).rstrip("/")
            found += [base + "/" + cache[len("~/.cache/") :] for cache in tool.caches if cache.startswith("~/.cache/")]
        return tuple(found)

    def _folders(self, tool) -> tuple[str, ...]:
        """The declared cache folders for the user the RUN runs as (see `Tool.root_caches`)."""
        if not tool.root_caches:
            return tool.caches
        if runs_as_root(self._dockerfile, self._instruction):
            return tool.root_caches
        return tuple(path for path in tool.caches if path not in tool.root_caches)

    def cleaned_after(self, index: int, tool, paths: tuple[str, ...]) -> bool:
        """Whether a command after `commands[index]` empties the tool's cache: a clean
        command of its family, `rm` of the folder its cache query prints, or `rm` of one
        of `paths`."""
        last = self._last_clean.get(tool.family)
        if last is None:
            last = self._last_clean[tool.family] = last_index(self._commands, lambda command: _empties(command, tool))
        if last > index:
            return True
        if self._removals is None:
            self._removals = Removals(self._commands)
        return self._removals.after(index, *paths)


def caches_kept(dockerfile, instruction: Instruction, wanted) -> list[tuple[Command, object]]:
    """The package-tool commands of a RUN that `wanted(index, call)` selects and whose
    download cache stays in the layer (see `Caches.left`), as (command, call), in order."""
    caches = Caches(dockerfile, instruction)
    found = []
    for index, command in enumerate(instruction.script.commands):
        call = tool_call(command)
        if call is not None and wanted(index, call) and caches.left(index, call) is not None:
            found.append((command, call))
    return found


def _empties(command: Command, tool) -> bool:
    if tool.cache_query and command.name == "rm" and any(tool.cache_query in word.text for word in command.words[1:]):
        return True  # `rm -rf "$(pip cache dir)"`
    call = tool_call(command)
    return call is not None and call.tool.family == tool.family and call.cleans_cache


# ---------------------------------------------------------------------------- system packages kept


def packages_kept(instruction: Instruction, wanted) -> dict[str, tuple[str, int]]:
    """The system packages a RUN installs (`apt-get install`, `apk add`, `dnf install`,
    `zypper in`...) that `wanted(name)` selects and that no later command of the same RUN
    removes: {bare name: (tool name, index of the installing command)}, in install order.

    A removal is `apt-get purge`/`remove` of the name or of a glob matching it, `apk del`
    of the name or of the `--virtual` package holding it, `dnf remove`, `zypper rm`, and
    `apt-mark auto` of it (`'.*'` too) followed by an autoremove. Lists in a variable are
    read through `expanded`; a name dfslim cannot read is never kept, and removing the
    same variable clears it."""
    commands = instruction.script.commands
    pending: dict[str, tuple[str, str | None, int]] = {}  # name -> (tool, apk virtual, command index)
    auto: set[str] = set()  # pending apt names `apt-mark auto` marked as removable
    for index, command in enumerate(commands):
        call = tool_call(command)
        if call is None:
            continue
        if call.name == "apt-mark":
            _apt_mark(call, pending, auto)
            continue
        virtual = (call.values("--virtual", "-t") or [None])[0] if call.name == "apk" else None
        for word in installed_packages(command):
            for name in package_names(instruction, commands, index, word.text):
                if "$" in name or wanted(name):
                    pending[name] = (call.name, virtual, index)
                    auto.discard(name)
        removed = [name for word in removed_packages(command) for name in package_names(instruction, commands, index, word.text)]
        for name, (_tool, held_by, _index) in list(pending.items()):
            if any(fnmatch.fnmatchcase(name, pattern) or pattern == held_by for pattern in removed):
                del pending[name]
        if call.name == "apt" and _auto_removes(call):
            for name in auto & set(pending):
                del pending[name]
    return {name: (tool, index) for name, (tool, _virtual, index) in pending.items() if "$" not in name}


def package_names(instruction: Instruction, commands, index: int, text: str) -> list[str]:
    """The bare names a package argument of `commands[index]` stands for: `vim=2:9.0*` ->
    `vim`, `$BUILD_DEPS` -> its words, `@development-tools` and `"Development Tools"` (dnf
    groups) -> `development-tools`."""
    if text.startswith("@"):
        return [text[1:].lower().replace(" ", "-")]
    if " " in text and "$" not in text:
        return [text.lower().replace(" ", "-")]
    return [package_name(part) for part in expanded(instruction, commands, index, text).split()]


def _apt_mark(call, pending, auto) -> None:
    """`apt-mark auto '.*'` (or names) marks pending apt packages as removable by an
    autoremove; `apt-mark manual NAME` takes one back."""
    names = [word.text for word in call.packages]
    apt = {name for name, details in pending.items() if details[0] == "apt"}
    if call.action == "auto":
        if not names or any(char in name for name in names for char in "*$^[?"):  # `xargs apt-mark auto`: all
            auto |= apt
        else:
            auto |= apt & {package_name(name) for name in names}
    elif call.action == "manual":
        auto -= {package_name(name) for name in names}


def _auto_removes(call) -> bool:
    return call.action == "autoremove" or (call.action == "remove" and call.has("--auto-remove", "--autoremove"))


# ---------------------------------------------------------------------------- apt recommends

NO_RECOMMENDS = "--no-install-recommends"
# `apt-get install` options with which it installs nothing
INSTALLS_NOTHING = ("-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act", "-d", "--download-only")
_OFF = r"[\"']?\s*(?:0|false|no|off)\b"
_OPTION_RE = lazy_compile(r"APT::Install-Recommends\s*=\s*" + _OFF, re.IGNORECASE)
_CONFIG_RE = lazy_compile(r"APT::Install-Recommends\s*[\"']?\s*(?:=\s*)?" + _OFF, re.IGNORECASE)


def apt_recommends(dockerfile, instruction: Instruction) -> dict[int, bool]:
    """The apt installs of a RUN that install something, by command index: whether each
    brings the recommended packages. Not when the command turns them off
    (`--no-install-recommends`, also through a variable, `-o APT::Install-Recommends=false`,
    aptitude's `-R`), nor after an apt configuration that does (`echo
    'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/...`) earlier in the RUN or in an
    earlier RUN of the stage or of one it is built FROM."""
    found: dict[int, bool] = {}
    configured = earlier_in_lineage(dockerfile, instruction, dockerfile.memo(_apt_config_writers))
    for index, command in enumerate(instruction.script.commands):
        call = tool_call(command)
        if call is None or call.name != "apt":
            configured = configured or _sets_config(command)
            continue
        if call.verb == "install" and not call.has(*INSTALLS_NOTHING):
            found[index] = not (configured or recommends_off(call, instruction.scope))
    return found


def recommends_off(call, scope) -> bool:
    """The apt call's own options turn recommends off."""
    words = call.words[1:]
    if call.has(NO_RECOMMENDS):
        return True
    if any("$" in w.text and NO_RECOMMENDS in expand(w.text, scope).split() for w in words):
        return True  # `apt-get install $APT_OPTIONS curl` with `ARG APT_OPTIONS=--no-install-recommends`
    if call.program == "aptitude" and call.has("-R", "--without-recommends"):
        return True
    return any(_OPTION_RE.search(value) for value in call.values("-o", "--option"))


def _sets_config(command: Command) -> bool:
    # (every match holds `::`: a substring test first spares a regex search per word)
    return any("::" in word.text and _CONFIG_RE.search(word.text) for word in command.words)


def _apt_config_writers(dockerfile) -> list[Instruction]:
    """The RUNs that write `APT::Install-Recommends "0";` somewhere (an `echo`, a heredoc
    file), as opposed to passing it to one apt command with `-o`."""
    return [run for run in dockerfile.of("RUN") if _writes_apt_config(run)]


def _writes_apt_config(instruction: Instruction) -> bool:
    for command in instruction.script.commands:
        if tool_call(command) is None and _sets_config(command):
            return True
    for heredoc in instruction.heredocs:
        for line in heredoc.body.splitlines():
            if "::" in line and _CONFIG_RE.search(line) and "apt" not in line.split("APT::", 1)[0]:
                return True
    return False
