"""`useradd` with a large uid and without `-l` writes a huge sparse `/var/log/lastlog`.

## What it does
Flags a `RUN` whose `useradd` gives a uid above 65535 (`-u 100000`, `-u100000`,
`--uid 100000`, `--uid=100000`, or a variable whose `ARG`/`ENV` value is such a uid) and
does not pass `-l`/`--no-log-init`.

## Why is this bad?
`useradd` records the new user in `/var/log/lastlog` (and `faillog`), files indexed by
uid: a user with uid 1000000 makes them about 300 MB of zeros. On the build host the file
is sparse, but layer tarballs do not keep holes, so the image grows by that much. `-l`
(`--no-log-init`) skips the entries; a container never needs them.

## Example
    RUN useradd -u 1000001 -m app

## Use instead
    RUN useradd -l -u 1000001 -m app

## Fix
Safe: inserts `-l` right after `useradd`.

## Scope
Every stage: the file also slows down builder stages. A uid given by a variable whose
value is not known (a build argument without default, `$(id -u)`) is not flagged.
"""

from dfslim.api import Edit, Fix, Meta, Severity, Violation, expand, spell, unwrap

META = Meta(
    id="DFS114",
    name="useradd-lastlog",
    category="size",
    severity=Severity.WARNING,
    scope="all",
    fix="safe",
    others=("hadolint DL3046",),
)

LIMIT = 65535
# short options of useradd that take a value (the value may be glued: `-u1000`)
VALUE_SHORT = set("bcdefgGkKpsuRPZ")
VALUE_LONG = {
    "--base-dir", "--comment", "--home-dir", "--expiredate", "--inactive", "--gid", "--groups",
    "--skel", "--key", "--password", "--shell", "--uid", "--root", "--prefix", "--selinux-user",
    "--btrfs-subvolume-home",
}


def _options(words):
    """(has -l, uid text or None) of a useradd argv."""
    no_log = False
    uid = None
    index = 1
    while index < len(words):
        text = words[index].text
        index += 1
        if text == "--":
            break
        if text.startswith("--"):
            name, equals, value = text.partition("=")
            if name == "--no-log-init":
                no_log = True
            elif name in VALUE_LONG:
                if not equals and index < len(words):
                    value = words[index].text
                    index += 1
                if name == "--uid":
                    uid = value
        elif text.startswith("-") and len(text) > 1:
            for position in range(1, len(text)):
                char = text[position]
                if char == "l":
                    no_log = True
                elif char in VALUE_SHORT:
                    value = text[position + 1 :]
                    if not value and index < len(words):
                        value = words[index].text
                        index += 1
                    if char == "u":
                        uid = value
                    break
    return no_log, uid


def _uid(text, scope):
    value = expand(text, scope).strip()
    return int(value) if value.isdigit() else None


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        script = instruction.script
        edits, spelled, focus = [], [], None
        for command in script.commands:
            words = unwrap(command)
            if not words or words[0].text.rsplit("/", 1)[-1] != "useradd":
                continue
            no_log, uid = _options(words)
            if no_log or uid is None:
                continue
            number = _uid(uid, instruction.scope)
            if number is None or number <= LIMIT:
                continue
            spelled.append(spell(dockerfile.text, script, words, after=0, option="-l"))
            focus = focus or script.span(command)
            if script.shell_form:
                edits.append(Edit(words[0].end, words[0].end, " -l"))
        if not spelled:
            continue
        fix = Fix("Add `-l` (`--no-log-init`) to `useradd`", tuple(edits)) if edits else None
        yield Violation(
            instruction,
            "`useradd` with a uid above 65535 and without `-l` fills `/var/log/lastlog` with zeros",
            "add `-l` so no lastlog entry is written: `" + "` / `".join(spelled) + "`",
            fix=fix,
            focus=focus,
        )
