"""The whole build context is copied before the dependencies are installed.

## What it does
Flags a whole-context copy (`COPY . .`, `COPY ./ /app/`, `ADD . /src`: a `COPY`/`ADD`
with `.` or `./` as a source, any flags, any destination, not `--from`) that comes before
a dependency install of the same stage:
`pip install -r requirements*.txt`, `pip install .` / `-e .`, `uv pip install -r`,
`uv pip sync`, `poetry install`, `pipenv install`/`sync`, `uv sync`, `npm ci`,
`npm install` (no package names), `yarn` / `yarn install`, `pnpm install`,
`go mod download`, `bundle install`, `composer install`; and installs of wheels built in
another stage (`pip install /wheels/*`, `pip install --no-index --find-links /wheels
flask`), when the wheels come from a `COPY --from=` or a `RUN --mount=...,from=`.

## Why is this bad?
A layer is rebuilt when anything before it changes. After `COPY . .`, any edit to any
source file invalidates the cache, so every code change downloads and installs every
dependency again: slow builds and busy registries. Copying the dependency manifests
alone and installing them first keeps that layer cached until the manifests change.

## Example
    WORKDIR /app
    COPY . .
    RUN pip install --no-cache-dir -r requirements.txt

## Use instead
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . .

The suggestion is built from the file: the manifests the install reads (the `-r` files,
`package.json` + `package-lock.json` for `npm ci`, `go.mod` + `go.sum`, `Gemfile` +
`Gemfile.lock`, `composer.json` + `composer.lock`, `pyproject.toml` + `poetry.lock` or
`uv.lock`, `Pipfile` + `Pipfile.lock`), placed relative to the copy's destination, the
install command as written, then the whole-context copy. Tools that install the project
itself get a dependencies-only first step (`poetry install --no-root`,
`uv sync --no-install-project`, `pip install -r requirements.txt` then
`pip install --no-deps .`).

## Not flagged
- Manifests copied alone and installed (with the same ecosystem's tool) before the
  whole-context copy: a later `pip install .`, `poetry install` or `npm ci` only installs
  the project itself. Downloading from the lockfile first counts too (`pnpm fetch` then
  `pnpm install --offline`, `pip download -r` then `pip install --no-index`).
- Build steps: `npm run build`, `make`, `cargo`, `mvn`, `gradle`, `go build` are not
  dependency installs; nor are installs of named packages (`npm install -g pm2`,
  `pip install gunicorn`) or `pip install --no-deps .`.
- Installs in another stage (even one built `FROM` this one).
- Wheels that do not come from another stage or image (`pip install dist/*.whl` after
  `python -m build` of the copied context installs the project itself), or whose folder
  dfslim cannot resolve.

## Scope
Every stage: slow rebuilds happen in builder stages too.
"""

import fnmatch
import posixpath

from dfslim.api import (
    UNKNOWN_WORKDIR,
    Meta,
    Severity,
    Violation,
    arg_span,
    command_dirs,
    copy_paths,
    copy_writes,
    expand,
    mounts,
    path_below,
    resolve_path,
    tool_call,
    unwrap,
    workdirs,
)

META = Meta(
    id="DFS111",
    name="dependency-copy-order",
    category="size",
    severity=Severity.WARNING,
    scope="all",
    fix=None,
)

WHOLE = (".", "./")


class Install:
    """A dependency install found in a RUN."""

    def __init__(self, ecosystem, manifests, before=None, after=None, note=None, wheels=()):
        self.note = note  # a remark for the suggestion
        self.ecosystem = ecosystem  # python, node, go, ruby, php
        self.manifests = manifests  # paths as the install sees them (relative to its directory)
        self.before = before  # the dependencies-only command (None: the command as written)
        self.after = after  # the command to run after the whole copy (None: nothing)
        self.wheels = wheels  # wheel files or `--find-links` folders it installs from
        self.copies = ()  # the `COPY --from` lines that bring the wheels, for the suggestion
        self.flags = ""  # the `--mount` flags of its RUN that bring the wheels


def _pip(call, spelled):
    """`pip install -r requirements.txt`, `uv pip sync requirements.txt`, or an install of
    the project itself (`pip install .`, `pip install -e .[dev]`)."""
    if call.action == "sync":
        requirements = [word.text for word in call.packages]
    else:
        requirements = call.values("-r", "--requirement")
    if requirements:
        return Install("python", requirements)
    packages = [word.text for word in call.packages]
    targets = call.values("-e", "--editable") + packages
    if any(_is_project(text) for text in targets) and not call.has("--no-deps"):
        words = call.words
        command = spelled(words)
        after = command.replace(f" {words[call.index].text} ", f" {words[call.index].text} --no-deps ", 1)
        note = "(list the project's dependencies in requirements.txt, e.g. with `pip-compile` or `uv export`)"
        return Install("python", ["requirements.txt"], before=_pip_requirements(spelled, words, call), after=after, note=note)
    wheels = _wheels(call, packages)
    if wheels:
        return Install("python", [], wheels=wheels)
    return None


def _wheels(call, packages):
    """The local wheel sources of a pip install: wheel files or globs of a folder
    (`/wheels/*`, `/wheels/*.whl`) among its `packages`, and local `--find-links` folders."""
    found = [
        text
        for text in packages
        if "/" in text and "://" not in text and (text.endswith(".whl") or any(char in text.rsplit("/", 1)[-1] for char in "*?["))
    ]
    if any(word.text.startswith(("-f", "--find-links")) for word in call.words):
        found += [value for value in call.values("-f", "--find-links") if "://" not in value]
    return found


def _pip_requirements(spelled, words, action):
    program = spelled(words[: action.index + 1])
    return f"{program} -r requirements.txt"


def _is_project(text):
    base = text.split("[", 1)[0].rstrip("/")
    return base in ("", ".")


def detect(command, spelled):
    """The `Install` a command performs, else None."""
    call = tool_call(command)
    if call is not None:
        return _tool_install(call, spelled)
    words = unwrap(command)
    if not words:
        return None
    name = words[0].text.rsplit("/", 1)[-1]
    argv = [w.text for w in words]
    if name == "go" and argv[1:3] == ["mod", "download"]:
        return Install("go", ["go.mod", "go.sum"])
    if name in ("composer", "composer.phar") and "install" in argv[1:2]:
        return Install("php", ["composer.json", "composer.lock"])
    if name.startswith("php") and len(argv) > 2 and argv[1].endswith("composer.phar") and argv[2] == "install":
        return Install("php", ["composer.json", "composer.lock"])
    return None


def _tool_install(call, spelled):
    """The `Install` of a package-tool command that installs from manifests, else None."""
    tool, action = call.name, call.action
    if tool in ("pip", "uv pip") and action in ("install", "sync", "download"):
        return _pip(call, spelled)
    if tool == "uv" and action == "sync":
        command_text = spelled(call.words)
        if call.has("--no-install-project", "--only-dev"):
            return Install("python", ["pyproject.toml", "uv.lock"])
        return Install("python", ["pyproject.toml", "uv.lock"], before=command_text + " --no-install-project", after=command_text)
    if tool == "poetry" and action == "install":
        if call.has("--only-root"):
            return None
        command_text = spelled(call.words)
        if call.has("--no-root"):
            return Install("python", ["pyproject.toml", "poetry.lock"])
        return Install("python", ["pyproject.toml", "poetry.lock"], before=command_text + " --no-root", after=command_text)
    if tool == "pipenv" and action in ("install", "sync"):
        if action == "install" and call.packages:
            return None
        return Install("python", ["Pipfile", "Pipfile.lock"])
    if tool == "bundle" and (action == "install" or not call.verb):
        return Install("ruby", ["Gemfile", "Gemfile.lock"])
    if tool in ("npm", "pnpm") and action in ("install", "ci"):
        if call.has("-g", "--global") or call.packages:
            return None
        if tool == "pnpm":
            return Install("node", ["package.json", "pnpm-lock.yaml"])
        return Install("node", ["package.json", "package-lock.json"] if action == "ci" else ["package*.json"])
    if tool == "pnpm" and action == "fetch":
        return Install("node", ["pnpm-lock.yaml"])  # fills the store from the lockfile alone
    if tool == "yarn" and action == "install" and call.verb in ("", "install"):
        return Install("node", ["package.json", "yarn.lock"])
    return None


def _whole_copy(instruction):
    if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") is not None:
        return None
    paths = copy_paths(instruction)
    if paths is None or not any(source in WHOLE for source in paths[0]):
        return None
    return paths[1]


def _installs(dockerfile, instruction, cwd):
    """(Install, spelled command with its `cd`, directory it runs in) of a RUN."""
    script = instruction.script

    def spelled(words):
        return " ".join(dockerfile.text[w.start : w.end] if script.shell_form else w.text for w in words)

    found = []
    dirs = command_dirs(instruction, cwd)
    last_cd = None
    for command, directory in zip(script.commands, dirs):
        if command.words and command.words[0].text in ("cd", "pushd") and command.depth == 0:
            last_cd = spelled(command.words)
        install = detect(command, spelled)
        if install is None:
            continue
        prefix = f"{last_cd} && " if last_cd and directory != cwd else ""
        found.append((install, prefix, spelled(command.assignments + command.words), directory))
    return found


def check(dockerfile):
    dirs = workdirs(dockerfile)
    for stage in dockerfile.stages:
        installed = set()  # ecosystems whose dependencies were installed before
        for ancestor in dockerfile.lineage(stage)[:-1]:
            for instruction in ancestor.instructions:
                if instruction.keyword == "RUN":
                    installed |= {i[0].ecosystem for i in _installs(dockerfile, instruction, dirs.get(instruction.index))}
        whole, whole_dest, pending = None, None, []
        for instruction in stage.instructions:
            if whole is None:
                dest = _whole_copy(instruction)
                if dest is not None:
                    whole, whole_dest = instruction, dest
                elif instruction.keyword == "RUN":
                    installed |= {i[0].ecosystem for i in _installs(dockerfile, instruction, dirs.get(instruction.index))}
                continue
            if instruction.keyword == "RUN":
                dest_abs = _dest(whole, whole_dest, dirs)
                for item in _installs(dockerfile, instruction, dirs.get(instruction.index)):
                    if item[0].ecosystem in installed:
                        continue
                    if item[0].wheels:
                        copies = _wheel_origin(dockerfile, instruction, whole, item[0].wheels, item[3], dirs)
                        if copies is not None:
                            item[0].copies = copies
                            item[0].flags = " ".join(dockerfile.text[f.start : f.end] for f in instruction.flags if f.name == "mount")
                            pending.append((instruction, item))
                        continue
                    places = [_context_path(m, item[3], dest_abs, instruction.scope) for m in item[0].manifests]
                    if all(place is None for place in places):
                        continue  # reads nothing the whole-context copy brought (a clone in /tmp...)
                    pending.append((instruction, item))
        if whole is None or not pending:
            continue
        first = "install the wheels" if all(item[0].wheels for _i, item in pending) else "copy the dependency manifests alone and install them"
        yield Violation(
            whole,
            "the whole build context is copied before the dependencies are installed: "
            "every code change re-installs every dependency",
            f"{first} first:\n" + _suggestion(dockerfile, stage, whole, whole_dest, pending, dirs),
            focus=_context_word(whole),
        )


def _context_word(whole):
    """The source range of the `.` (or `./`) source of a whole-context copy."""
    return arg_span(whole, ".") or arg_span(whole, "./")


def _wheel_origin(dockerfile, instruction, whole, wheels, directory, dirs):
    """When every wheel source of an install comes from another stage or an image (an
    earlier `COPY --from`, or a `RUN --mount=...,from=` of the install), the lines of the
    `COPY --from`s that come after the whole-context copy (to move with the install);
    else None (wheels built from the context, or of unknown origin)."""
    targets = [m["target"].rstrip("/") or "/" for m in mounts(instruction) if m.get("from") and m.get("target")]
    stage = dockerfile.stage_of(instruction)
    copies = [
        earlier
        for ancestor in dockerfile.lineage(stage)
        for earlier in ancestor.instructions
        if earlier.index < instruction.index and earlier.keyword == "COPY" and earlier.flag("from") is not None
    ]
    moved = []
    for wheel in wheels:
        path = resolve_path(expand(wheel, instruction.scope), directory)
        if path is None or "$" in path:
            return None
        folder = posixpath.dirname(path) if any(char in posixpath.basename(path) for char in "*?[") else path
        if any(path_below(folder, target) for target in targets):
            continue
        writers = [c for c in copies if _writes(copy_writes(c, dirs.get(c.index)), folder)]
        if not writers:
            return None
        moved += [c for c in writers if c.index > whole.index]
    return tuple(dict.fromkeys(" ".join(dockerfile.text[c.start : c.end].split()) for c in moved))


def _writes(written, folder) -> bool:
    return written is not None and (written.writes(folder) or written.inside(folder))


def _dest(whole, whole_dest, dirs):
    """The absolute destination of the whole-context copy, None when unknown."""
    dest = expand(whole_dest, whole.scope)
    return None if "$" in dest else resolve_path(dest, dirs.get(whole.index))


def _suggestion(dockerfile, stage, whole, whole_dest, pending, dirs):
    base = dirs.get(whole.index)
    dest_abs = _dest(whole, whole_dest, dirs)
    copied = _copied_names(stage, whole)
    lines, after, seen, notes = [], [], set(), []
    for instruction, (install, prefix, command, directory) in pending:
        if directory is not None and base is not None:
            if directory == base:
                prefix = ""
            elif path_below(directory, base):
                prefix = f"cd {posixpath.relpath(directory, base)} && "
            elif not directory.startswith(UNKNOWN_WORKDIR):
                prefix = f"cd {directory} && "
        key = (prefix, command)
        if key in seen:
            continue
        seen.add(key)
        groups = {}
        for manifest in install.manifests:
            context_path = _context_path(manifest, directory, dest_abs, instruction.scope)
            if context_path is None:
                continue
            if any(fnmatch.fnmatchcase(context_path, name) for name in copied):
                continue
            folder = posixpath.dirname(context_path)
            groups.setdefault(folder, []).append(context_path)
        for folder, files in groups.items():
            if folder:
                target = whole_dest.rstrip("/") + "/" + folder + "/" if whole_dest not in (".", "./") else folder + "/"
            elif whole_dest in (".", "./") and len(files) == 1 and not any(c in files[0] for c in "*?["):
                target = whole_dest
            else:
                target = whole_dest.rstrip("/") + "/"
            lines.append(f"COPY {' '.join(files)} {target}")
        lines.extend(install.copies)
        flags = install.flags + " " if install.flags else ""
        lines.append(f"RUN {flags}{prefix}{install.before or command}")
        if install.after:
            after.append(f"RUN {prefix}{install.after}")
        if install.note and install.note not in notes and not any(
            other.ecosystem == "python" and other.before is None for _i, (other, *_rest) in pending
        ):
            notes.append(install.note)
    flags = " ".join(dockerfile.text[f.start : f.end] for f in whole.flags)
    keyword = whole.keyword
    lines.append(f"{keyword} {flags + ' ' if flags else ''}{' '.join(whole.args.split())}")
    return "\n".join(dict.fromkeys(lines + after + notes))


def _context_path(manifest, directory, dest_abs, scope):
    """Where a manifest the install reads sits in the build context, relative to its
    root; None when it is known to lie outside the whole-context copy's destination."""
    manifest = expand(manifest, scope)
    if "$" in manifest:
        return manifest
    full = resolve_path(manifest, directory)
    if dest_abs is None or full is None or path_below(full, UNKNOWN_WORKDIR):
        return posixpath.normpath(manifest).lstrip("/")  # cannot tell: presumed from the copy
    if path_below(full, dest_abs):
        return posixpath.relpath(full, dest_abs)
    return None


def _copied_names(stage, whole):
    """The context paths (patterns) the stage copied before the whole-context copy."""
    names = set()
    for instruction in stage.instructions:
        if instruction is whole:
            break
        if instruction.keyword in ("COPY", "ADD") and instruction.flag("from") is None:
            paths = copy_paths(instruction)
            if paths:
                names |= {posixpath.normpath(source.lstrip("/")) for source in paths[0]}
    return names
