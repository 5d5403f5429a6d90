"""What a size finding's fix saves, priced from the package tables and the build context.

Every figure here is computed from a cited table or measured by the build harness
(`bench/measure/`), never typed in: Debian packages from `dfslim.packages` (the package
index), pip downloads from `dfslim.pipcache` (PyPI), ratios and per-case figures from
`dfslim.savings` (the harness's builds), and file sizes from the build context
(`dfslim.context`). A question the tables cannot answer gives None, never a guess.

- **The base.** `debian_release` is the Debian release a stage is built on: the codename
  or number in its root image's tag (`debian:bookworm-slim`, `python:3.12-slim-trixie`,
  `debian:12`), else the release the image table recorded that exact tag resolving to
  (`python:3.12-slim` -> trixie). `base_image_packages` adds the package list of the image's
  family (`debian:*`, `python:*-slim`, `node:*-slim`) when the table has one.
- **apt.** The packages each stage's apt installs add, in file order, so that a package
  an earlier install (or the base) brought counts nothing again: `recommends_saving`
  (DFS104) and `kept_saving` (DFS112, DFS119), priced as the RUN's layer holds them
  (`packages.layer_bytes`: on a `-slim` base without documentation, with what configuring
  writes, the debconf database once per layer).
- **pip.** `pip_cache_saving` (DFS105): the files pip downloads for the requirements of a
  RUN's installs (named, or read from a requirements file or `pyproject.toml` that the
  build context holds), and for what they depend on, less what the stage installed
  before; `dev_dependencies_bytes` (DFS117): what the development requirements add,
  installed.
- **Copies.** `copied_bytes` (DFS110): what the files a `COPY` brought in from the build
  context weigh in its layer.
"""

from __future__ import annotations

import posixpath

from dfslim.effects import apt_recommends, build_context, copy_paths, copy_writes, packages_kept, package_names, workdirs
from dfslim.images import lookup
from dfslim.savings import distribution, figure, ratio, stage_base
from dfslim.tools import tool_call
from dfslim.values import expand

__all__ = [
    "debian_release", "base_image_packages", "recommends_saving", "kept_saving", "lastlog_writes",
    "pip_cache_saving", "dev_dependencies_bytes", "copied_bytes", "context_path",
]

# image family -> the family of `dfslim.packages` base lists, for the variants that have one
LIST_FAMILIES = {"debian": ("debian", ("", "slim")), "python": ("python-slim", ("slim",)), "node": ("node-slim", ("slim",))}


# ---------------------------------------------------------------------------- the base


def debian_release(dockerfile, instruction) -> str | None:
    """The Debian codename the stage of `instruction` is built on, None when it is not a
    Debian image or the release cannot be told (`debian:stable`, `python:3.12.3-slim`)."""
    image = stage_base(dockerfile, instruction)
    if not image:
        return None
    found = distribution(image)
    return found[1] if found and found[0] == "debian" else None


def base_image_packages(dockerfile, instruction) -> tuple[str, frozenset[str]] | None:
    """(release, the packages of the stage's root image) when the package table has a list
    for that image family and release, else None (`ubuntu`, the full `python` images,
    which are built on buildpack-deps)."""
    base = _base_image(dockerfile, instruction)
    return (base.release, base.packages) if base is not None else None


class _BaseImage:
    """What a stage's root image brings to the price of an apt install."""

    __slots__ = ("release", "packages", "slim", "debconf_bytes")

    def __init__(self, release: str, packages: frozenset[str], slim: bool, debconf_bytes: int):
        self.release = release
        self.packages = packages
        self.slim = slim  # its dpkg leaves documentation out (`-slim`)
        self.debconf_bytes = debconf_bytes  # its debconf database


def _base_image(dockerfile, instruction) -> _BaseImage | None:
    from dfslim import packages

    image = stage_base(dockerfile, instruction)
    info = lookup(image) if image else None
    release = debian_release(dockerfile, instruction)
    if info is None or release is None or info.family not in LIST_FAMILIES:
        return None
    family, variants = LIST_FAMILIES[info.family]
    variant = "-".join(word for word in info.variant.split("-") if word and word != release)
    listed = packages.base_packages(family, release) if variant in variants else None
    if listed is None:
        return None
    return _BaseImage(release, listed, variant == "slim", packages.base_debconf_bytes(family, release))


# ---------------------------------------------------------------------------- apt


class _AptInstall:
    """One apt install of a RUN (a plain class: a NamedTuple costs more to import)."""

    __slots__ = ("names", "recommends", "index")

    def __init__(self, names: tuple[str, ...], recommends: bool, index: int):
        self.names = names  # bare names as written (variables expanded); may hold `$`
        self.recommends = recommends
        self.index = index  # of the installing command in its RUN


def _apt_installs(dockerfile, instruction) -> list[_AptInstall]:
    """The apt installs of a RUN whose packages it keeps (not purged later in the RUN),
    read once per RUN: the stage's walk and the finding's price both ask."""
    table = dockerfile.memo(_apt_install_table)
    found = table.get(instruction.index)
    if found is None:
        found = table[instruction.index] = _read_apt_installs(dockerfile, instruction)
    return found


def _apt_install_table(_dockerfile) -> dict:
    return {}


def _read_apt_installs(dockerfile, instruction) -> list[_AptInstall]:
    flags = apt_recommends(dockerfile, instruction)
    if not flags:
        return []
    commands = instruction.script.commands
    kept = packages_kept(instruction, lambda name: True)
    found = []
    for index, recommends in flags.items():
        call = tool_call(commands[index])
        names = [name for word in call.packages for name in package_names(instruction, commands, index, word.text)]
        names = [name for name in names if "$" in name or kept.get(name, ("", -1))[1] == index]
        found.append(_AptInstall(tuple(names), recommends, index))
    return found


def _present(dockerfile) -> dict[int, frozenset[str]]:
    """For each RUN of a stage whose base has a package list: the packages present before
    it (the base's and what the stage's earlier apt installs, and those of the stages it is
    built FROM, added), by instruction index."""
    from dfslim import packages

    before: dict[int, frozenset[str]] = {}
    ended: dict[int, frozenset[str]] = {}
    for stage in dockerfile.stages:
        base = _base_image(dockerfile, stage.instructions[0]) if stage.instructions else None
        if base is None:
            continue
        release, present = base.release, frozenset(ended.get(stage.parent, base.packages))
        for instruction in stage.instructions:
            if instruction.keyword != "RUN" or instruction.onbuild:
                continue
            before[instruction.index] = present
            added: set[str] = set()
            for install in _apt_installs(dockerfile, instruction):
                added |= packages.closure(install.names, release, install.recommends, present | added) or set()
            if added:  # a new set only when something was added: most RUNs share one
                present = present | added
        ended[stage.index] = present
    return before


def _priced(dockerfile, instruction):
    """(the stage's base image, packages present before the RUN) or None when the table
    cannot price it."""
    base = _base_image(dockerfile, instruction)
    if base is None or instruction.onbuild:
        return None
    present = dockerfile.memo(_present).get(instruction.index)
    return (base, present) if present is not None else None


def recommends_saving(dockerfile, instruction, indexes) -> int | None:
    """What `--no-install-recommends` on the apt installs at `indexes` of a RUN saves:
    their recommends closure on top of what the stage has by then (its base image's
    packages, what earlier installs added, the RUN's other installs). Where the table
    cannot tell (another base, a package it lacks), the measured or index figures per
    package of `savings.json` (`apt-recommends:<package>`, Debian 12 slim), summed;
    None when one is missing."""
    from dfslim import packages

    installs = _apt_installs(dockerfile, instruction)
    wanted = [install for install in installs if install.index in indexes]
    names = list(dict.fromkeys(name for install in wanted for name in install.names))
    priced = _priced(dockerfile, instruction)
    if priced is not None and all("$" not in name for name in names):
        base, present = priced
        release, present, others = base.release, set(present), set()
        for install in installs:
            if install.index not in indexes:
                others |= packages.closure(install.names, release, install.recommends, present | others) or set()
        # the RUN's other installs may rewrite the debconf database anyway
        debconf = 0 if packages.asks_debconf(others, release) else base.debconf_bytes
        saved = packages.recommends_bytes(names, release, present | others, base.slim, debconf)
        if saved is not None:
            return saved
    return _figures("apt-recommends", names)


def kept_saving(dockerfile, instruction, names, fallback: str | None = None) -> int | None:
    """What leaving the apt packages `names` out of a RUN saves: what its apt installs
    add with them (and what they depend on, recommends too where the install takes them)
    minus what they add without. None when a name is not an apt package of the RUN or the
    table cannot price it; then the figures `<fallback>:<name>` of `savings.json`, summed,
    when a fallback family is given."""
    from dfslim import packages

    installs = _apt_installs(dockerfile, instruction)
    named = {name for install in installs for name in install.names}
    names = list(names)
    if not names or not set(names) <= named:
        return None
    priced = _priced(dockerfile, instruction)
    if priced is not None and all(packages.known(name, priced[0].release) for name in names):
        base, present = priced
        release, dropped = base.release, set(names)
        with_them, without = set(present), set(present)
        for install in installs:
            with_them |= packages.closure(install.names, release, install.recommends, with_them) or set()
            rest = [name for name in install.names if name not in dropped]
            without |= packages.closure(rest, release, install.recommends, without) or set()
        layer = lambda added: packages.layer_bytes(added - present, release, base.slim, base.debconf_bytes)  # noqa: E731
        return layer(with_them) - layer(without)
    return _figures(fallback, names) if fallback else None


def _figures(family: str, names) -> int | None:
    total = 0
    for name in names:
        value = figure(f"{family}:{name}")
        if value is None:
            return None
        total += value
    return total


# ---------------------------------------------------------------------------- useradd

FIRST_QUIET_SHADOW = (4, 13)  # shadow-maint/shadow#558: useradd writes no empty lastlog/faillog records


def lastlog_writes(dockerfile, instruction) -> bool | None:
    """Whether `useradd` without `-l` writes the lastlog and faillog records of a new uid
    on the stage's base: not with shadow 4.13 or later (Debian bookworm and trixie, from
    the `passwd` version of the package index), which writes no record for a user that
    has none; None when the release or its shadow is unknown."""
    from dfslim import packages

    release = debian_release(dockerfile, instruction)
    found = packages.version("passwd", release) if release in packages.releases() else None
    if not found:
        return None
    upstream = found.split(":", 1)[-1].split("+", 1)[0].split("-", 1)[0]
    numbers = tuple(int(part) for part in upstream.split(".")[:2] if part.isdigit())
    return numbers < FIRST_QUIET_SHADOW if len(numbers) == 2 else None


# ---------------------------------------------------------------------------- the build context


def _context(dockerfile):
    return build_context(dockerfile)


def _writers(dockerfile, instruction):
    """The context `COPY`/`ADD`s of the stage of `instruction` and the stages it is built
    FROM, before it, latest first, with the directory each ran in."""
    dirs = workdirs(dockerfile)
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return []
    found = []
    for each in dockerfile.lineage(stage):
        for copy in each.instructions:
            if copy.index >= instruction.index:
                break
            if copy.keyword in ("COPY", "ADD") and copy.flag("from") is None and not copy.onbuild:
                found.append((copy, dirs.get(copy.index)))
    return found[::-1]


def context_path(dockerfile, instruction, path: str) -> str | None:
    """The build-context path of the file an earlier `COPY`/`ADD` of the stage put at the
    image path `path` (absolute), when the context holds it; else None."""
    context = _context(dockerfile)
    if context is None:
        return None
    for copy, cwd in _writers(dockerfile, instruction):
        writes = copy_writes(copy, cwd)
        if writes is None or not writes.writes(path):
            continue
        for _source, candidate in _sources_for(copy, writes, path):
            if context.exists(candidate) and not context.is_excluded(candidate):
                return candidate
        return None  # the last COPY that wrote it is not from the context we have
    return None


def _sources_for(copy, writes, path: str) -> list[tuple[str, str]]:
    """(the source, the context path) of each context path that a `COPY`/`ADD` could have
    put at `path`."""
    sources, dest = copy_paths(copy)
    target = writes.folder or posixpath.normpath(posixpath.join("/", expand(dest, copy.scope)))
    found = []
    for source in sources:
        source = expand(source, copy.scope)
        if "$" in source or "://" in source or source.startswith("<<") or any(c in source for c in "*?["):
            continue
        clean = source.strip("/") or "."
        base = writes.folder or target
        if source in (".", "./") or source.endswith("/"):
            found.append((clean, posixpath.normpath(posixpath.join(clean, posixpath.relpath(path, base)))))
        elif path == target and writes.folder is None:
            found.append((clean, clean))  # `COPY requirements.txt /tmp/req.txt`
        else:
            inner = posixpath.relpath(path, target)
            if inner == posixpath.basename(clean):
                found.append((clean, clean))  # `COPY requirements.txt /app/`
            elif not inner.startswith(".."):
                found.append((clean, posixpath.normpath(posixpath.join(clean, inner))))  # a folder's contents
    return found


def copied_bytes(dockerfile, copy, paths=None) -> int | None:
    """What the files a `COPY`/`ADD` brought in from the build context weigh in its layer
    (`paths`: only those image paths it wrote), when the context is at hand and holds
    every source; None otherwise (another stage's or image's files, a URL, a glob)."""
    from dfslim.context import compile_pattern, Pattern, clean

    context = _context(dockerfile)
    if context is None or copy.flag("from") is not None or copy.onbuild:
        return None
    cwd = workdirs(dockerfile).get(copy.index)
    writes = copy_writes(copy, cwd)
    found = copy_paths(copy)
    if writes is None or found is None:
        return None
    excludes = [Pattern(clean(value), False, compile_pattern(clean(value))) for value in copy.flag_values("exclude")]
    if paths is None:
        named = [expand(source, copy.scope) for source in found[0]]
        if any("$" in s or "://" in s or s.startswith("<<") or any(c in s for c in "*?[") for s in named):
            return None
        sources = {source: source for source in named}  # path -> the source it is below
    else:
        sources = {}
        for path in paths:
            candidates = [pair for pair in _sources_for(copy, writes, path) if context.exists(pair[1])]
            if not candidates:
                return None
            sources.setdefault(candidates[0][1], candidates[0][0])
    total = 0
    for source in _outermost(sources):
        counted = context.layer_bytes(source, excludes, _root_of(source, sources))
        if counted is None:
            return None
        total += counted
    return total


def _root_of(path: str, sources: dict[str, str]) -> str:
    """The COPY source `path` (one of `sources`, or `.`) is below, which `--exclude` patterns are relative to."""
    for candidate, root in sources.items():
        if posixpath.normpath(candidate.strip("/") or ".") == path:
            return root
    return path


def _outermost(paths) -> list[str]:
    """The paths without those inside another of them (each file counted once)."""
    cleaned = sorted({posixpath.normpath(path.strip("/") or ".") for path in paths})
    if "." in cleaned:
        return ["."]
    kept: list[str] = []
    for path in cleaned:
        if not any(path == other or path.startswith(other + "/") for other in kept):
            kept.append(path)
    return kept


# ---------------------------------------------------------------------------- pip


class _Requirements:
    """What an install asks pip for."""

    __slots__ = ("names", "unknown")

    def __init__(self, names: tuple[str, ...], unknown: bool):
        self.names = names  # normalised project names
        self.unknown = unknown  # some requirements could not be read (a file not at hand, a variable)


def _pip_requirements(dockerfile, instruction, command_index, call) -> _Requirements:
    """The project names a `pip install` asks for: its arguments, and the requirements
    files (`-r`, nested `-r` too) and local projects (`.`, `-e .`: their `pyproject.toml`
    dependencies) the build context holds."""
    from dfslim.pipcache import requirement_names

    names: list[str] = []
    unknown = False
    cwd = _command_dir(dockerfile, instruction, command_index)
    for word in call.packages:
        text = word.text
        if "$" in text or "://" in text:
            unknown = True  # a variable, or a URL whose dependencies only its metadata names
        elif text.startswith((".", "/")) or "/" in text.split("[", 1)[0]:
            found = _project(dockerfile, instruction, cwd, text)
            names += found.names
            unknown = unknown or found.unknown
        else:
            names += requirement_names(text)
    for value in call.values("-e", "--editable"):
        found = _project(dockerfile, instruction, cwd, value)
        names += found.names
        unknown = unknown or found.unknown
    for value in call.values("-r", "--requirement"):
        found = _requirements_file(dockerfile, instruction, cwd, value)
        names += found.names
        unknown = unknown or found.unknown
    return _Requirements(tuple(dict.fromkeys(names)), unknown)


def _command_dir(dockerfile, instruction, index) -> str | None:
    dirs = dockerfile.memo(_command_dirs).get(instruction.index)
    if dirs is None:
        from dfslim.effects import command_dirs

        dirs = dockerfile.memo(_command_dirs)[instruction.index] = command_dirs(instruction, workdirs(dockerfile).get(instruction.index))
    return dirs[index] if index < len(dirs) else None


def _command_dirs(_dockerfile) -> dict:
    """A table kept with the file: the directory of each command, by RUN, once asked for."""
    return {}


def _image_path(cwd, text: str) -> str | None:
    if "$" in text:
        return None
    if text.startswith("/"):
        return posixpath.normpath(text)
    return posixpath.normpath(posixpath.join(cwd, text)) if cwd and cwd.startswith("/") and "<" not in cwd else None


def _read_context(dockerfile, instruction, path) -> tuple[str, str] | None:
    """(context path, text) of the context file a COPY put at image path `path`."""
    if path is None:
        return None
    source = context_path(dockerfile, instruction, path)
    text = _context(dockerfile).read_text(source) if source is not None else None
    return (source, text) if text is not None else None


def _requirements_file(dockerfile, instruction, cwd, value) -> _Requirements:
    """The names of a requirements file and of those its `-r` lines include."""
    names, unknown = [], False
    for _path, found in _requirements_files(dockerfile, instruction, cwd, value):
        names += found.names
        unknown = unknown or found.unknown
    return _Requirements(tuple(dict.fromkeys(names)), unknown)


def _requirements_files(dockerfile, instruction, cwd, value, depth=0) -> list[tuple[str, _Requirements]]:
    """(image path, its own requirements) of a requirements file and, depth first, of each
    file its `-r` lines include (relative to it)."""
    from dfslim.pipcache import requirement_names

    path = _image_path(cwd, value)
    found = _read_context(dockerfile, instruction, path) if depth <= 4 else None
    if found is None:
        return [(path or value, _Requirements((), True))]
    text, unknown, nested = found[1], False, []
    for line in text.splitlines():
        words = line.split(" #", 1)[0].split()
        if len(words) >= 2 and words[0] in ("-r", "--requirement"):
            nested += _requirements_files(dockerfile, instruction, posixpath.dirname(path), words[1], depth + 1)
        elif words and (words[0] in ("-e", "--editable") or any("$" in word or "://" in word for word in words)):
            unknown = True
    return [(path, _Requirements(tuple(requirement_names(text)), unknown))] + nested


def _pyproject(dockerfile, instruction, cwd, folder) -> dict | None:
    """The parsed `pyproject.toml` of a project folder of the image, when the context has it."""
    import tomllib

    found = _read_context(dockerfile, instruction, _image_path(cwd, posixpath.join(folder, "pyproject.toml")))
    if found is None:
        return None
    try:
        return tomllib.loads(found[1])
    except tomllib.TOMLDecodeError:
        return None


def _project(dockerfile, instruction, cwd, text) -> _Requirements:
    """The dependencies a local project (`.`, `./app[extra]`) declares: `[project]
    dependencies` or Poetry's `[tool.poetry.dependencies]`, and those of the extras asked for."""
    folder, _, extras = text.partition("[")
    data = _pyproject(dockerfile, instruction, cwd, folder)
    if data is None:
        return _Requirements((), True)
    optional = data.get("project", {}).get("optional-dependencies", {})
    wanted = [extra.strip() for extra in extras.rstrip("]").split(",") if extra.strip()]
    return _Requirements(_runtime_names(data) + tuple(_specs(spec for extra in wanted for spec in optional.get(extra, ()))), False)


def _runtime_names(data: dict) -> tuple[str, ...]:
    from dfslim.pipcache import normalise, requirement_names

    project = data.get("project", {})
    names = [name for spec in project.get("dependencies", ()) if isinstance(spec, str) for name in requirement_names(spec)]
    poetry = data.get("tool", {}).get("poetry", {})
    names += [normalise(name) for name in poetry.get("dependencies", {}) if name.lower() != "python"]
    return tuple(dict.fromkeys(names))


def _pip_installed(dockerfile) -> dict[int, frozenset[str]]:
    """For each RUN, by instruction index: the projects the earlier pip installs of its
    stage (and of those it is built FROM) installed, with what they depend on; a later
    install does not download them again. One pass over the file."""
    from dfslim.pipcache import estimate

    before: dict[int, frozenset[str]] = {}
    ended: dict[int, frozenset[str]] = {}
    for stage in dockerfile.stages:
        installed = ended.get(stage.parent, frozenset())
        for run in stage.instructions:
            if run.keyword != "RUN" or run.onbuild:
                continue
            before[run.index] = installed
            names = [
                name
                for index, command in enumerate(run.script.commands)
                if _is_pip_install(tool_call(command))
                for name in _pip_requirements(dockerfile, run, index, tool_call(command)).names
                if name not in installed
            ]
            if names:  # a new set only when something was added: most RUNs share one
                installed = installed | set(estimate(names, installed=installed).packages)
        ended[stage.index] = installed
    return before


def _is_pip_install(call) -> bool:
    return call is not None and call.name in ("pip", "uv pip") and call.action == "install"


def pip_cache_saving(dockerfile, instruction, calls) -> int | None:
    """What the download cache of the pip installs `calls` of a RUN holds: the files of
    what they ask for and everything that depends on (each file once, less what earlier
    installs of the stage already installed), from PyPI's sizes; a project the table
    lacks counts as its typical file, and requirements that cannot be read (no build
    context, a variable) as `pip-cache:default`."""
    from dfslim.pipcache import estimate

    positions = {id(tool_call(command)): index for index, command in enumerate(instruction.script.commands)}
    names: list[str] = []
    unknown = False
    for call in calls:
        index = positions[id(call)]
        if call.has("--no-index"):
            continue  # installs from local files only: nothing is downloaded
        found = _pip_requirements(dockerfile, instruction, index, call)
        names += found.names
        unknown = unknown or found.unknown
    installed = dockerfile.memo(_pip_installed).get(instruction.index, frozenset())
    total = estimate(names, installed=installed).bytes if names else 0
    if unknown:
        default = figure("pip-cache:default")
        total += default or 0
    return total


# ---------------------------------------------------------------------------- development dependencies


def dev_dependencies_bytes(dockerfile, instruction, command_index, call) -> int | None:
    """What the development dependencies a Python install brings weigh installed, where a
    file of the build context names them: those of development requirements files (less
    what the other requirements install), of development extras and dependency groups of
    `pyproject.toml`, of Pipenv's `[dev-packages]`; PyPI's download sizes of the
    dependency closure (a project the table lacks as its typical file) times the smallest
    installed-per-downloaded ratio the build harness measured. None when no file of the
    context names them."""
    from dfslim.pipcache import estimate

    found = _dev_and_runtime(dockerfile, instruction, command_index, call)
    factor = ratio("pip-install:per-download-byte")
    if found is None or factor is None:
        return None
    dev, runtime = found
    runtime_closure = set(estimate(runtime).packages) if runtime else set()
    extra = estimate(dev, installed=runtime_closure)
    return round(extra.bytes * factor)


def _dev_and_runtime(dockerfile, instruction, index, call):
    """(development names, runtime names) an install's context files declare, else None."""
    from dfslim.tools.spec import dev_name

    cwd = _command_dir(dockerfile, instruction, index)
    if call.name in ("pip", "uv pip"):
        dev, runtime = [], []
        for value in call.values("-r", "--requirement"):
            for path, found in _requirements_files(dockerfile, instruction, cwd, value):
                if found.unknown:
                    return None
                (dev if dev_name(path) else runtime).extend(found.names)
        if call.extras:
            folder = next((w.text.split("[", 1)[0] for w in call.packages if "[" in w.text), None)
            folder = folder or next((v.split("[", 1)[0] for v in call.values("-e", "--editable") if "[" in v), ".")
            data = _pyproject(dockerfile, instruction, cwd, folder)
            if data is None:
                return None
            extras = data.get("project", {}).get("optional-dependencies", {})
            dev += _specs([spec for extra in call.extras if dev_name(extra) for spec in extras.get(extra, ())])
            runtime += _runtime_names(data)
        return (dev, runtime) if dev else None
    if call.name == "pipenv":
        return _pipenv(dockerfile, instruction, cwd)
    if call.name in ("uv", "poetry", "pdm"):
        data = _pyproject(dockerfile, instruction, cwd, ".")
        if data is None:
            return None
        dev = _groups(data, call.name)
        return (dev, list(_runtime_names(data))) if dev else None
    return None


def _specs(specs) -> list[str]:
    from dfslim.pipcache import requirement_names

    return [name for spec in specs if isinstance(spec, str) for name in requirement_names(spec)]


def _groups(data: dict, tool: str) -> list[str]:
    """The names of the groups `uv sync`, `poetry install` and `pdm install` install by
    default besides the runtime dependencies: `dev` of `[dependency-groups]` (uv), and
    `[tool.uv] dev-dependencies`; every non-optional Poetry group but `main` (and the
    old `[tool.poetry.dev-dependencies]`); every PDM development group."""
    from dfslim.pipcache import normalise

    groups = data.get("dependency-groups", {})
    section = data.get("tool", {}).get(tool, {})
    if tool == "uv":
        return _specs(groups.get("dev", ())) + _specs(section.get("dev-dependencies", ()))
    if tool == "pdm":
        names = _specs(spec for specs in groups.values() if isinstance(specs, list) for spec in specs)
        legacy = section.get("dev-dependencies", {})
        return names + _specs(spec for specs in legacy.values() if isinstance(specs, list) for spec in specs)
    names = [normalise(name) for name in section.get("dev-dependencies", {})]
    for name, group in section.get("group", {}).items():
        if name != "main" and isinstance(group, dict) and not group.get("optional"):
            names += [normalise(key) for key in group.get("dependencies", {}) if key.lower() != "python"]
    return names


def _pipenv(dockerfile, instruction, cwd):
    """Pipenv's development packages: `develop` less `default` of `Pipfile.lock` (the whole
    resolution), else the `[dev-packages]` of the `Pipfile`."""
    import json
    import tomllib

    from dfslim.pipcache import normalise

    found = _read_context(dockerfile, instruction, _image_path(cwd, "Pipfile.lock"))
    if found is not None:
        try:
            lock = json.loads(found[1])
        except ValueError:
            return None
        develop = [normalise(name) for name in lock.get("develop", {})]
        default = [normalise(name) for name in lock.get("default", {})]
        dev = [name for name in develop if name not in default]
        return (dev, default) if dev else None
    found = _read_context(dockerfile, instruction, _image_path(cwd, "Pipfile"))
    if found is None:
        return None
    try:
        pipfile = tomllib.loads(found[1])
    except tomllib.TOMLDecodeError:
        return None
    dev = [normalise(name) for name in pipfile.get("dev-packages", {})]
    return (dev, [normalise(name) for name in pipfile.get("packages", {})]) if dev else None
