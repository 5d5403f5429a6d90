r"""`apt-get update` runs apart from the install that needs it.

## What it does
Flags a `RUN` that runs `apt-get update` (or `apt update`) and installs nothing in the same
`RUN`, and a `RUN` that installs with `apt-get install` without `apt-get update` in the same
`RUN` on an image whose package lists are known to be missing: the stage starts from an
official Debian-based image (`debian`, `ubuntu`, `python`, `node`, ...; they ship without
lists), or an earlier `RUN` of the stage removed them (`rm -rf /var/lib/apt/lists/*`).

## Why is this bad?
Docker caches every layer. An update-only layer is built once and reused by every later
build, so the install that follows uses a package index that grows older with each build:
installs start failing with 404s once the mirrors drop the old versions, or silently
install outdated packages, and the index itself ships in its own layer. Without any
update, `apt-get install` on an image without lists fails with "Unable to locate
package".

## Example
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends curl

## Use instead
    RUN apt-get update \
        && apt-get install -y --no-install-recommends curl \
        && rm -rf /var/lib/apt/lists/*

## Fix
Safe, for an update-only `RUN` directly followed by the `RUN` that installs: the update
moves into that `RUN` (`apt-get update && ` before its install command), the update-only
`RUN` is deleted, and ` && rm -rf /var/lib/apt/lists/*` is appended to the install `RUN`
when it does not remove the lists already (as DFS103 would ask next). Offered only when
the update-only `RUN` runs nothing but the update, both `RUN`s carry the same flags
(`--mount`...), and no later `RUN` installs from the same lists: then the update must
move into every one of them (or they into one `RUN`), which is a change to make by hand.

## Exemptions
After an update-only `RUN` the installs that follow are not flagged: the finding is the
update's. An install is not flagged when dfslim cannot know whether lists exist: a base
image it has no data for (vendor images may ship lists), a `RUN` that may fetch them
indirectly (`add-apt-repository`, a script, `curl ... | bash`), a cache mount on the lists,
or an install of local `.deb` files only. `apt-get update` next to a script or another
command that may install is not "alone".

## Scope
Every stage: a stale index breaks builder stages as much as shipped ones.
"""


from dfslim.api import (
    SHELLS,
    Edit,
    Fix,
    Meta,
    Severity,
    Violation,
    append_at_end,
    apt_lists_reused,
    cache_mounted,
    clears_apt_lists,
    spell,
    tool_action,
    tool_call,
    unwrap,
)
from dfslim.images import lookup
from dfslim.tools import apt
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS102",
    name="apt-update-alone",
    category="size",
    severity=Severity.WARNING,
    scope="all",
    fix="safe",
    others=("trivy DS-0017", "checkov CKV_DOCKER_5"),
)

LISTS = "/var/lib/apt/lists"
INSTALLS = frozenset({"install", "build-dep"})  # apt actions that install named packages
NOT_USING_LISTS = frozenset({"update", "clean", "autoremove", "remove", ""})
# Official images built on Debian or Ubuntu whose Dockerfiles remove the lists.
DEBIAN_FAMILIES = frozenset(
    "debian ubuntu python node ruby rust perl erlang elixir php golang gcc buildpack-deps "
    "nginx postgres eclipse-temurin maven gradle".split()
)
OTHER_DISTRO_RE = lazy_compile(r"alpine|windows|nanoserver|corretto|ubi|oracle|graal|openjdk|centos|rocky|fedora")
APT_TEXT_RE = lazy_compile(r"\bapt(?:-get|itude)?\b")
APT_TOOLS = frozenset({"apt-get", "apt", "aptitude", "apt-key", "apt-mark", "apt-config", "apt-cache"})
INDIRECT = frozenset({"add-apt-repository", "apt-add-repository", "install_packages", "apt-fast", "nala", "eval", "source", "."})

ABSENT, PRESENT, UNKNOWN = "absent", "present", "unknown"


def check(dockerfile):
    ends: dict[int, tuple[str, str]] = {}
    for stage in dockerfile.stages:
        if stage.parent is not None and stage.parent in ends:
            state, why = ends[stage.parent]
        else:
            state, why = _base_state(stage)
        for instruction in stage.instructions:
            if instruction.keyword != "RUN":
                continue
            commands = instruction.script.commands
            actions = [_action(command) for command in commands]
            # each command's answers once (they were asked up to three times per RUN)
            fetching = [action != "update" and _fetches_lists(command, action) for command, action in zip(commands, actions)]
            mounted = cache_mounted(instruction, LISTS)
            if "update" in actions and not any(_uses_lists(c, tool_action(c, "apt")) or _may_install(c) for c in commands):
                yield _update_alone(dockerfile, instruction, commands, actions)
            elif "update" not in actions and not mounted and not any(fetching):
                violation = _install_without_update(dockerfile, instruction, commands, actions, state, why)
                if violation:
                    yield violation
            state, why = _after(instruction, commands, actions, fetching, mounted, state, why)
        ends[stage.index] = (state, why)


def _action(command) -> str:
    """The apt action, with `apt-get install --update` (apt 3) counted as an update."""
    call = tool_call(command)
    if call is None or call.name != "apt":
        return ""
    if call.action in INSTALLS and call.has("--update"):
        return "update"
    return call.action


def _base_state(stage) -> tuple[str, str]:
    info = lookup(stage.base_resolved)
    if info is None or info.family not in DEBIAN_FAMILIES or OTHER_DISTRO_RE.search(info.variant):
        return UNKNOWN, ""
    return ABSENT, f"the official `{info.family}` image ships without package lists"


def _after(instruction, commands, actions, fetching, mounted, state, why) -> tuple[str, str]:
    """The state of the lists once `instruction` has run (`fetching`: `_fetches_lists` of
    each command that is no update)."""
    if mounted:
        return UNKNOWN, ""
    for command, action, fetches in zip(commands, actions, fetching):
        if action == "update" or fetches:
            state, why = (PRESENT if action == "update" else UNKNOWN), ""
        elif clears_apt_lists(command):
            state, why = ABSENT, f"the RUN on line {instruction.line} removed the package lists"
    return state, why


def _uses_lists(command, action) -> bool:
    """An apt command that reads the package index (install, upgrade, apt-cache...)."""
    if action not in NOT_USING_LISTS:
        return True
    words = unwrap(command)
    return bool(words) and words[0].text.rsplit("/", 1)[-1] == "apt-cache"


def _may_install(command) -> bool:
    """A command that may run apt itself: a script, a shell, an installer wrapper, or apt
    spelled inside a quoted string (`su -c "apt-get install ..."`)."""
    words = unwrap(command)
    if not words:
        return False
    name = words[0].text.rsplit("/", 1)[-1]
    if name in INDIRECT or name.endswith(".sh") or command.piped_from and name in SHELLS:
        return True
    if name not in APT_TOOLS and ("apt" in name or "install" in name):
        return True  # `xx-apt-get`, `install-packages`, `install_packages`...
    if name in SHELLS and len(words) > 1:
        return True
    if words[0].text.startswith(("./", "/tmp/", "/usr/local/bin/", "/opt/", "/scripts/", "/build/")) and tool_action(command, "apt") == "":
        return True
    return any(" " in word.text and APT_TEXT_RE.search(word.text) for word in words[1:])


def _fetches_lists(command, action=None) -> bool:
    """A command that may fetch the lists without dfslim seeing an `apt-get update`
    (`action`: its `_action`, when known)."""
    if (_action(command) if action is None else action) == "update":
        return False
    words = unwrap(command)
    if not words:
        return False
    name = words[0].text.rsplit("/", 1)[-1]
    if name in ("add-apt-repository", "apt-add-repository"):
        return not any(w.text in ("-n", "--no-update") for w in words[1:])
    if any("apt" in word.text and word.text.rsplit("/", 1)[-1] in ("apt-get", "apt", "aptitude") for word in words[1:]):
        return True  # `my-wrapper apt-get update`: a wrapper dfslim does not know
    return _may_install(command)


def _install_without_update(dockerfile, instruction, commands, actions, state, why):
    if state != ABSENT and not any(clears_apt_lists(c) for c in commands):
        return None
    current, reason = state, why
    for command, action in zip(commands, actions):
        if clears_apt_lists(command):
            current, reason = ABSENT, "an earlier command of this RUN removed the package lists"
            continue
        if action in INSTALLS and current == ABSENT and _fetches_packages(command):
            install = tool_call(command)
            written = spell(dockerfile.text, instruction.script, install.words)
            return Violation(
                instruction,
                f"`{install.program} {install.verb}` runs without "
                f"`apt-get update` in the same RUN, but {reason}: apt cannot find packages that "
                "are not installed yet",
                f"update in the same RUN: `RUN apt-get update && {written} && rm -rf /var/lib/apt/lists/*`",
                focus=instruction.script.span(command),
            )
    return None


def _fetches_packages(command) -> bool:
    """Whether the install names packages to download: not only local `.deb` files, and
    not a bare `apt-get install -f` (a no-op when nothing is missing)."""
    packages = [w.text for w in tool_call(command).arguments if not w.text.startswith("-")]
    return bool(packages) and not all("/" in p or p.endswith(".deb") for p in packages)


def _update_alone(dockerfile, instruction, commands, actions):
    update = next(c for c, a in zip(commands, actions) if a == "update")
    update_text = spell(dockerfile.text, instruction.script, update.words, limit=200)
    following = _next_install(dockerfile, instruction)
    fix = _merge(dockerfile, instruction, commands, actions, following, update_text) if following else None
    if following:
        target, command = following
        install = spell(dockerfile.text, target.script, tool_call(command).words)
        suggestion = (
            f"run it in the same RUN as the install on line {target.line}: "
            f"`RUN {update_text} && {install} && rm -rf /var/lib/apt/lists/*`"
        )
    else:
        suggestion = (
            f"run it in the same RUN as the install that needs it: "
            f"`RUN {update_text} && apt-get install -y ... && rm -rf /var/lib/apt/lists/*`"
        )
    if cache_mounted(instruction, LISTS):
        message = f"`{update_text}` runs in a RUN of its own: Docker reuses that step, so the package index goes stale"
    else:
        message = f"`{update_text}` runs in a RUN of its own: its package index is cached in that layer and goes stale"
    return Violation(instruction, message, suggestion, fix=fix, focus=instruction.script.span(update))


def _next_install(dockerfile, instruction):
    """The next instruction when it is a RUN of the same stage that uses the lists, with its
    first apt command that does (or its own update)."""
    index = instruction.index + 1
    if index >= len(dockerfile.instructions):
        return None
    target = dockerfile.instructions[index]
    if target.keyword != "RUN" or target.stage != instruction.stage:
        return None
    for command in target.script.commands:
        action = _action(command)
        if action == "update" or action in INSTALLS or action not in NOT_USING_LISTS:
            return target, command
    return None


def _merge(dockerfile, instruction, commands, actions, following, update_text):
    target, command = following
    if any(action != "update" for action in actions) or instruction.heredocs or instruction.exec_form is not None:
        return None
    if not target.script.shell_form or target.exec_form is not None:
        return None
    if sorted(f"{f.name}={f.value}" for f in instruction.flags) != sorted(f"{f.name}={f.value}" for f in target.flags):
        return None
    text = dockerfile.text
    line_starts = dockerfile.line_starts
    start = line_starts[instruction.line - 1]
    end = line_starts[instruction.end_line] if instruction.end_line < len(line_starts) else len(text)
    delete = Edit(start, end, "")
    if _action(command) == "update":
        return Fix(f"Delete this RUN: the RUN on line {target.line} updates before it installs", (delete,))
    if command.before in ("|", "|&", "||") or apt_lists_reused(dockerfile, target) is not None:
        return None  # a later RUN installs from these lists too: moving the update is not enough
    at = (command.assignments or command.words)[0].start
    edits = [delete, Edit(at, at, f"{update_text} && ")]
    removal = None if _removes_lists_after(target, command) else append_at_end(dockerfile, target, f" && {apt.CLEAR_LISTS}")
    if removal is not None:
        edits.append(removal)
    return Fix(
        f"Move `{update_text}` into the install RUN on line {target.line}"
        + (" and remove the lists at its end" if removal is not None else ""),
        tuple(edits),
    )


def _removes_lists_after(target, command) -> bool:
    """Whether the lists are removed (or mounted) in `target` after `command`."""
    if cache_mounted(target, LISTS):
        return True
    commands = target.script.commands
    return any(clears_apt_lists(later) for later in commands[commands.index(command) + 1 :])
