"""`sudo` is used in a `RUN`.

## What it does
Flags a `RUN` that runs a command through `sudo`: as the program (`sudo apt-get install
...`), behind another wrapper (`xargs sudo rm`, `env X=1 sudo ...`), from `find -exec
sudo`, in exec form (`RUN ["sudo", ...]`) and in heredoc bodies.

## Why is this bad?
A build step runs as the user the last `USER` set, root by default: `sudo` adds nothing
but a setuid binary and a sudoers policy to the image, and its TTY and environment
handling make builds behave unpredictably. Where the image keeps `sudo` for its
non-root user, anyone who gets a shell as that user is one command away from root.

## Example
    USER app
    RUN sudo apt-get update && sudo apt-get install -y curl

## Use instead
    USER root
    RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    USER app

To run one step as another user, use `USER name` around it, or `gosu name cmd` /
`su-exec name cmd` (`runuser -u name -- cmd` on Debian-based images).

## Not flagged
Installing the `sudo` package (`apt-get install sudo`), `sudo` as an argument (`usermod
-aG sudo app`, a sudoers line written with `echo`), and words inside quoted strings.
"""

from dfslim.api import Meta, Severity, Violation, find_exec, spell, unwrap

# commands that neither write nor need a user: they do not keep a RUN from running as root
NEUTRAL = frozenset({"cd", "set", "export", "true", ":", "test", "[", "exit"})
# a `sudo` in front of these adds nothing: they need no privilege
NO_ROOT_NEEDED = frozenset({"echo", "printf", "true", ":"})
SUDO_VALUE_OPTIONS = ("-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t", "-D", "--user", "--group")

META = Meta(
    id="DFS208",
    name="sudo",
    category="security",
    severity=Severity.WARNING,
    others=("hadolint DL3004", "trivy DS-0010"),
)


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        script = instruction.script
        found = [command for command in script.commands if any("sudo" in w.text for w in command.words) and _sudo(command)]
        if not found:
            continue
        first = found[0]
        shown = spell(dockerfile.text, script, _without_sudo(first), limit=100)
        user = _user(dockerfile, instruction)
        count = f"{len(found)} commands" if len(found) > 1 else "a command"
        target = _target_user(first)
        others = [c for c in script.commands if c not in found and c.name not in NEUTRAL]
        needless = [c for c in found if _without_sudo(c) and _without_sudo(c)[0].text in NO_ROOT_NEEDED]
        if needless and len(needless) == len(found) and not target:
            advice = f"`{_without_sudo(needless[0])[0].text}` needs no root"
        elif target:
            advice = f"run it as `{target}` with `USER {target}` around this RUN (or `gosu {target} ...`)"
        elif user and others:
            # the rest of the RUN runs as the user (and writes in its home): only the sudo'd part moves
            advice = (f"move the commands run with `sudo` into a RUN of their own between `USER root` and "
                      f"`USER {user}`; the others stay as `{user}`")
        elif user:
            advice = f"put `USER root` before this RUN and `USER {user}` after it"
        elif _base_runs_as_root(dockerfile, instruction):
            advice = "the build already runs as root"
        else:
            advice = "a build runs as root unless a `USER` says otherwise; if the base image sets a non-root user, put `USER root` before this RUN and switch back after it"
        yield Violation(
            instruction,
            f"this RUN uses `sudo` to run {count}",
            f"drop `sudo` ({advice}): `{shown}`",
            focus=script.span(first),
        )


def _sudo(command) -> bool:
    """Whether `sudo` runs the command: as the program or behind another wrapper."""
    prefix = command.words[: len(command.words) - len(unwrap(command))]
    if any(word.text.rsplit("/", 1)[-1] == "sudo" for word in prefix):
        return True
    return any(argv and argv[0].text.rsplit("/", 1)[-1] == "sudo" for argv in find_exec(command))


def _without_sudo(command):
    """The command's words with `sudo` and its own options left out."""
    words, kept, index = command.words, [], 0
    while index < len(words):
        if words[index].text.rsplit("/", 1)[-1] == "sudo":
            index += 1
            while index < len(words) and words[index].text.startswith("-"):
                index += 2 if words[index].text in SUDO_VALUE_OPTIONS else 1
            kept.extend(words[index:])
            return kept
        kept.append(words[index])
        index += 1
    return kept


def _target_user(command):
    """The user of `sudo -u NAME` (or `--user=NAME`), else None."""
    words = command.words
    for index, word in enumerate(words):
        if word.text.rsplit("/", 1)[-1] != "sudo":
            continue
        for option, value in zip(words[index + 1 :], words[index + 2 :]):
            if option.text in ("-u", "--user"):
                return value.text
            if option.text.startswith("--user="):
                return option.text.partition("=")[2]
            if not option.text.startswith("-"):
                break
    return None


def _user(dockerfile, instruction):
    """The non-root user the RUN runs as (the last `USER` before it), else None."""
    stage = dockerfile.stage_of(instruction)
    user = None
    for ancestor in dockerfile.lineage(stage) if stage else ():
        for earlier in ancestor.instructions:
            if earlier.index >= instruction.index:
                break
            if earlier.keyword == "USER" and earlier.args.strip():
                user = earlier.args.split()[0]
    if user is None or user.split(":")[0] in ("root", "0"):
        return None
    return user


def _base_runs_as_root(dockerfile, instruction) -> bool:
    from dfslim.images import lookup

    stage = dockerfile.stage_of(instruction)
    info = lookup(dockerfile.lineage(stage)[0].base_resolved) if stage else None
    return info is not None and info.default_user == "root"
