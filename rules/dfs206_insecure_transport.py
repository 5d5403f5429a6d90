"""TLS or signature checks are switched off, or a download travels over plain `http://`.

## What it does
Flags the instruction that turns off a transport or package check:

- `curl -k`/`--insecure`, `wget --no-check-certificate`;
- `pip --trusted-host` (and `pip config set global.trusted-host`), `uv --allow-insecure-host`;
- `apt-get`/`apt --allow-unauthenticated`, `--force-yes`, `--allow-insecure-repositories`
  (also as `-o APT::Get::AllowUnauthenticated=true` / `-o Acquire::AllowInsecureRepositories=true`);
- `apk --allow-untrusted`; `yum`/`dnf`/`microdnf`/`tdnf --nogpgcheck` (or
  `--setopt=gpgcheck=0`), `zypper --no-gpg-checks`; `rpm -i`/`-U`/`-F --nosignature` or
  `--nodigest`;
- `--setopt=sslverify=0` (`false`, `no`, `off`, any case; also a repository's own
  `--setopt=epel.sslverify=0` or `*.sslverify`) for `yum`, `dnf`, `microdnf`, `tdnf`,
  `yum-config-manager`/`dnf-config-manager`, `dnf config-manager` (and dnf 5's
  `dnf config-manager setopt epel.sslverify=0`);
- npm/yarn/pnpm `strict-ssl` false: set by a config command (`npm config set strict-ssl
  false`, `npm set strict-ssl=false`, `yarn config set strict-ssl false`) or given as an
  option to any command (`--strict-ssl=false`, `--strict-ssl false`, `--no-strict-ssl`);
- `git -c http.sslVerify=false`, `git config ... http.sslVerify false`;
- the variables `PIP_TRUSTED_HOST`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`,
  `NPM_CONFIG_STRICT_SSL=false` and `GIT_SSL_NO_VERIFY`, set by `ENV`, by `ARG` with a
  default, with `export` or as a `NAME=value cmd` prefix (the finding points at the
  instruction that sets it). git only checks that `GIT_SSL_NO_VERIFY` exists: `=0` or
  `=false` turn verification off too;
- a `curl`/`wget` download or an `ADD` source over plain `http://`.

## Why is this bad?
Each of these lets anyone on the network path (a compromised mirror, proxy or Wi-Fi, a
hijacked DNS answer) hand the build a file or a package of their choosing, which then
ships in the image. Certificate and signature checks are the only thing standing in the
way; switching them off to get past a proxy or an expired key trades a build error for
a silent compromise.

## Example
    RUN curl -k -o /tmp/tool.tgz https://example.com/tool.tgz
    RUN pip install --trusted-host pypi.org --trusted-host files.pythonhosted.org -r requirements.txt

## Use instead
    RUN curl -fsSL -o /tmp/tool.tgz https://example.com/tool.tgz
    RUN pip install -r requirements.txt

Behind a TLS-intercepting proxy, add its CA certificate to the image's trust store
(`COPY proxy-ca.crt /usr/local/share/ca-certificates/ && update-ca-certificates`, or a
`RUN --mount=type=secret` for the duration of the build) instead of disabling checks.

## Not flagged
`https://` URLs; package removals (`apt-get purge --force-yes` fetches nothing);
`apk add --allow-untrusted`, `dnf install --nogpgcheck` or `rpm -i --nosignature` of
local package files the build made itself, or downloaded in an earlier `RUN` (where
they can be checked) or checked in this one (`gpg --verify`, `sha256sum -c`): nothing
crossed the network unchecked. "Made itself" needs evidence in the file: a package
build earlier in the same `RUN` (`abuild -r`, `rpmbuild`, `fpm`, `make`...), or the file
(or its folder) written by a mount of the `RUN`, a local `COPY`/`ADD`, or an earlier
command of the stage; a package file that nothing in the Dockerfile wrote, or whose
path dfslim cannot resolve, is flagged (catalog: `rpm --nosignature`/`--nodigest`
are findings). `npm install strict-ssl false` (it installs the packages `strict-ssl` and
`false`), `yarn set strict-ssl false` (`yarn set` is no config command: Yarn 1 runs a
script of that name, Yarn 2+ knows only `yarn set version`/`resolution`), `rpm -q
--nosignature`; URLs that point at the machine itself (`localhost`, `127.0.0.1`, `::1`,
`0.0.0.0`): nothing crosses a network, so `curl -k https://localhost:8443/health` or a
download from a local test server is fine; a plain `http://` download that the same `RUN`
then checks with `sha256sum -c` (or `sha384sum`/`sha512sum`) or `gpg --verify`/`gpgv`,
and an `http://` `ADD` with `--checksum`: a pinned checksum or a signature gives the
integrity TLS would (weaker `md5sum`/`sha1sum` do not count; `curl -k` and the other
switches are flagged whatever follows); the same words inside a quoted string that is only printed (`echo "curl
-k ..."`), and `sed` commands that rewrite `http://` to `https://` (not downloads).
"""

import fnmatch
import functools
import posixpath
import re

from dfslim.api import (
    Meta,
    Severity,
    Violation,
    arg_span,
    arg_words,
    assignments,
    command_dirs,
    copy_paths,
    copy_writes,
    created_paths,
    download,
    expand,
    expanded,
    has_option,
    is_loopback,
    mounts,
    path_below,
    program_names,
    resolve_path,
    split_words,
    tool_call,
    unquote,
    unwrap,
    workdirs,
)
from dfslim.regex import lazy_compile
from dfslim.tools import rpm

META = Meta(
    id="DFS206",
    name="insecure-transport",
    category="security",
    severity=Severity.ERROR,
    others=("checkov CKV2_DOCKER_2..16",),
)

FALSE = ("false", "0", "no", "off")
TRUE = ("true", "1", "yes", "on")
APT_SETTINGS = {
    "apt::get::allowunauthenticated": "installs unsigned packages",
    "acquire::allowinsecurerepositories": "accepts unsigned repositories",
}
_GLOB_RE = lazy_compile(r"[*?\[]")
_VARIABLE_RE = lazy_compile(r"\$\{[^}]*\}|\$\w+")
SIGNED = frozenset({"apk", "rpm", "zypper"})  # tool families that install local package files, signed
TLS = frozenset({"pip", "uv"})  # tool families whose insecure options are about certificates
ADVICE = {
    "tls": "keep certificate checks on; behind a TLS-intercepting proxy, add its CA to the image "
    "(`COPY proxy-ca.crt /usr/local/share/ca-certificates/ && update-ca-certificates`)",
    "signature": "keep signature checks on: import the repository's signing key (`signed-by=` keyring for apt, "
    "`rpm --import`, a key in /etc/apk/keys)",
    "http": "use `https://`",
}


def check(dockerfile):
    for instruction in dockerfile.of("RUN", "ENV", "ARG", "ADD"):
        problems, seen = [], set()
        for count, problem in enumerate(_problems(dockerfile, instruction)):
            if count >= 100:
                break  # enough to report: one finding per instruction
            if problem[0] not in seen:  # each distinct problem once
                seen.add(problem[0])
                problems.append(problem)
        if not problems:
            continue
        _what, kind, fixed, focus = problems[0]
        message = "; ".join(problem[0] for problem in problems[:2])
        if len(problems) > 2:
            message += f" (and {len(problems) - 2} more in this instruction)"
        if fixed.startswith("`"):
            fixed = "write " + fixed
        suggestion = f"{fixed}; {ADVICE[kind]}" if fixed else ADVICE[kind]
        yield Violation(instruction, message, suggestion, focus=focus)


def _problems(dockerfile, instruction):
    """(message, kind, what to write instead, focus) for each insecure setting of the
    instruction; the focus is the command, or the `NAME=` / source word, that holds it."""
    if instruction.keyword in ("ENV", "ARG"):
        for name, value in assignments(instruction.keyword, instruction.args):
            if value is not None:
                found = _variable(name, expand(value, instruction.scope))
                if found:
                    yield found[0], found[1], f"remove `{name}` from this {instruction.keyword}", _name_focus(instruction, name)
        return
    if instruction.keyword == "ADD":
        if instruction.flag("checksum"):
            return
        words = list(instruction.exec_form) if instruction.exec_form is not None else [unquote(w) for w in split_words(instruction.args)]
        for source in words[:-1]:
            source = expand(source, instruction.scope)
            if source.lower().startswith("http://") and not is_loopback(source):
                yield (
                    f"`ADD {source}` downloads over plain http", "http",
                    f"`ADD https://{source[7:]} ...` (or add `--checksum=sha256:...`)", arg_span(instruction, source),
                )
        return
    commands = instruction.script.commands
    verifying = [index for index, command in enumerate(commands) if _verifies(command)]
    context = {
        "last_verify": verifying[-1] if verifying else -1, "verified": False, "fetched": set(),
        "dockerfile": dockerfile, "instruction": instruction,
    }
    for index, command in enumerate(commands):  # those inside `$(...)` included
        focus = instruction.script.span(command)
        for problem in _command(dockerfile.text, instruction, commands, index, command, instruction.script.shell_form, context):
            yield (*problem, focus)
        context["verified"] = bool(verifying) and index >= verifying[0]
        program = command.words[0].text  # argv[0], without building argv
        got = download(command) if "curl" in program or "wget" in program or "sudo" in program else None
        if got is not None and len(context["fetched"]) < 1000:
            context["fetched"].update(posixpath.basename(o) for o in got.outputs if o != "-")


def _name_focus(instruction, name):
    """The source range of the `NAME=value` (or `NAME value`) word of an ENV or ARG, else None."""
    for word in arg_words(instruction):
        if word.text == name or word.text.startswith(name + "="):
            return word.start, word.end
    return None


def _render(text, words, exact, drop=(), letters=None, replace=None) -> str:
    """The command as it should read: `words` without the indices in `drop`, with the
    letter `letters[i]` taken out of a short-option cluster (`-fsSLk` -> `-fsSL`) and the
    words in `replace` replaced."""
    parts = []
    for position, word in enumerate(words):
        if position in drop:
            continue
        part = text[word.start : word.end] if exact else word.text
        if replace and position in replace:
            part = replace[position]
        if letters and position in letters:
            part = part.replace(letters[position], "", 1)
            if part == "-":
                continue
        parts.append(part)
    line = " ".join(parts)
    return f"`{line[:150]}{' ...' if len(line) > 150 else ''}`"


def _option_at(words, option, takes_value):
    """Indices to drop for every `option` (`--x`, `--x=v`, or `--x v` when it takes a value)."""
    drop = set()
    for position, word in enumerate(words):
        if word.text == option:
            drop |= {position, position + 1} if takes_value else {position}
        elif word.text.startswith(option + "="):
            drop.add(position)
    return drop


INTERESTING = frozenset({"curl", "wget", "curl.exe", "wget.exe", "git", "rpm", "export", "declare", "typeset", "pip", "pip3"})


@functools.cache
def _interesting() -> frozenset[str]:
    """The programs this rule reads: the ones above and every package tool's."""
    return INTERESTING | program_names()


def _command(text, instruction, commands, index, command, exact, context):
    words = unwrap(command)
    tool = words[0].text.rsplit("/", 1)[-1] if words else ""
    if not command.assignments and len(words) == len(command.words) and tool not in _interesting() \
            and not tool.startswith(("pip", "python", "apt", "dnf", "yum")):
        return  # nothing this rule looks at: keeps long scripts cheap
    prefix = list(command.assignments) + list(command.words[: len(command.words) - len(words)])
    exported = words and words[0].text in ("export", "declare", "typeset")
    for position, word in enumerate(prefix + (list(words[1:]) if exported else [])):
        name, equals, value = word.text.partition("=")
        if equals:
            found = _variable(name, expanded(instruction, commands, index, value))
            if found:
                fixed = f"remove `{word.text}`" if exported else f"drop `{word.text}`: " + _render(text, words, exact)
                yield found[0], found[1], fixed
    if not words or exported:
        return
    fetched = download(command)
    if fetched is not None:
        yield from _download(text, instruction, commands, index, words, fetched, exact, context)
        return
    if tool == "git":
        yield from _git(text, words, exact)
        return
    action = tool_call(command)
    if action is None:
        if tool == "rpm" and has_option(words[1:], *rpm.RPM_INSTALL_MODES) and not has_option(words[1:], *rpm.RPM_QUERY_MODES):
            files = [w for w in words[1:] if not w.text.startswith("-")]
            for option, what in rpm.RPM_INSECURE_OPTIONS:
                if has_option(words, option) and _untrusted_source(context, files, index):
                    yield f"`rpm {option}` {what}", "signature", _render(text, words, exact, _option_at(words, option, False))
        return
    if action.action in ("remove", "autoremove", "clean"):
        return  # `apt-get purge --force-yes` fetches nothing
    name = words[0].text.rsplit("/", 1)[-1]
    given = {w.text.partition("=")[0] for w in words if w.text.startswith("--")}
    family = action.tool.family
    for option, takes_value, what in action.tool.insecure_options:
        if option in given:
            if family in SIGNED and not _untrusted_source(context, action.packages, index):
                continue
            kind = "tls" if family in TLS else "signature"
            yield f"`{name} {option}` {what}", kind, _render(text, words, exact, _option_at(words, option, takes_value))
    texts = [w.text for w in words]
    if action.name == "apt":
        for position, word in enumerate(texts):
            if word in ("-o", "--option") and position + 1 < len(texts):
                setting, drop = texts[position + 1], {position, position + 1}
            elif word.startswith("-o") and len(word) > 2 and not word.startswith("--"):
                setting, drop = word[2:], {position}
            else:
                continue
            key, _, value = setting.partition("=")
            if key.lower() in APT_SETTINGS and value.lower() in TRUE:
                yield f"`-o {setting}` {APT_SETTINGS[key.lower()]}", "signature", _render(text, words, exact, drop)
    elif family == "rpm":
        for setting, drop in _rpm_settings(texts, action):
            shown = setting if action.action == "config" and "setopt" in texts else f"--setopt={setting}"
            key, _, value = setting.partition("=")
            key = key.lower().rsplit(".", 1)[-1]  # `epel.sslverify`, `*.gpgcheck`: one repository's, or all
            if value.lower() not in FALSE:
                continue
            fixed = "remove this setting" if action.action == "config" else _render(text, words, exact, drop)
            if key in rpm.NO_TLS_SETTINGS:
                yield f"`{shown}` makes {name} accept any certificate from its repositories", "tls", fixed
            elif key in rpm.NO_SIGNATURE_SETTINGS:
                yield f"`{shown}` installs packages without checking their signatures", "signature", fixed
    elif action.name == "pip" and action.verb == "config" and any("trusted-host" in t for t in texts):
        yield "`pip config set global.trusted-host` makes pip accept any certificate (or plain http) from that host", "tls", "remove this `pip config` command"
    elif action.name in ("npm", "pnpm", "yarn"):
        yield from _strict_ssl(text, name, words, action, exact)


def _rpm_settings(texts, action):
    """(setting, indices to drop) of a yum/dnf command: every `--setopt KEY=VALUE` and
    `--setopt=KEY=VALUE`, and the `KEY=VALUE` words of dnf 5's `config-manager setopt`."""
    for position, word in enumerate(texts):
        if word == "--setopt" and position + 1 < len(texts):
            yield texts[position + 1], {position, position + 1}
        elif word.startswith("--setopt="):
            yield word[len("--setopt=") :], {position}
    if action.action == "config" and "setopt" in texts:
        for position in range(texts.index("setopt") + 1, len(texts)):
            if "=" in texts[position] and not texts[position].startswith("-"):
                yield texts[position], {position}


def _download(text, instruction, commands, index, words, fetched, exact, context):
    urls = [expanded(instruction, commands, index, u.text) for u in fetched.urls]
    if not [u for u in urls if not is_loopback(u)]:
        return  # only the machine itself: nothing crosses a network
    tool = words[0].text.rsplit("/", 1)[-1]
    options = ("--no-check-certificate",) if fetched.tool == "wget" else ("-k", "--insecure", "--proxy-insecure")
    for option in options:
        if option not in fetched.options:
            continue
        drop, letters = _option_at(words, option, False), {}
        if not drop and option == "-k":  # in a cluster: `-fsSLk`
            for position, word in enumerate(words):
                if re.fullmatch(r"-[A-Za-z]*k[A-Za-z]*", word.text):
                    letters = {position: "k"}
                    break
        yield f"`{tool} {option}` accepts any certificate", "tls", _render(text, words, exact, drop, letters)
        break
    if context["last_verify"] > index:
        return  # checked against a pinned checksum or signature: the plain http is harmless
    replace = {}
    for position, word in enumerate(words):
        if word.text.lower().startswith("http://") and not is_loopback(word.text):
            replace[position] = "https://" + word.text[7:]
    for url in urls:
        if url.lower().startswith("http://") and not is_loopback(url):
            fixed = _render(text, words, exact, replace=replace) if replace else f"`https://{url[7:]}`"
            yield f"`{tool}` downloads `{url}` over plain http", "http", fixed


def _strict_ssl(text, name, words, action, exact):
    """`--strict-ssl=false` (or `--strict-ssl false`, `--no-strict-ssl`) on any command, and
    `strict-ssl` set false by a config command (`npm config set`, `npm set`, `yarn config
    set`, `pnpm config set`). A bare `strict-ssl false` elsewhere names packages (`npm
    install strict-ssl false` installs two), and `yarn set` is no config command."""
    texts = [w.text for w in words]
    setting = _config_set_start(action)
    for position, word in enumerate(texts):
        if word == "--no-strict-ssl":
            yield f"`{name} --no-strict-ssl` accepts any certificate from the registry", "tls", _render(text, words, exact, {position})
            return
        option = word.startswith("--")
        if not option and (setting < 0 or position < setting):
            continue
        key, equals, value = word.lstrip("-").partition("=")
        if key != "strict-ssl":
            continue
        value = value if equals else (texts[position + 1] if position + 1 < len(texts) else "")
        if value.lower() not in FALSE:
            continue
        if not option:
            yield f"`{name}` with `strict-ssl` false accepts any certificate from the registry", "tls", f"remove this `{name} {action.verb}` command"
        else:
            drop = {position} if equals else {position, position + 1}
            yield f"`{name} --strict-ssl=false` accepts any certificate from the registry", "tls", _render(text, words, exact, drop)
        return


def _config_set_start(action) -> int:
    """The position in `action.words` where the settings of a config-set command start
    (after `set` in `npm config set`, after `set` in `npm set`), else -1."""
    if action.action != "config" or action.index < 0:
        return -1
    if action.verb == "set":
        return action.index + 1
    rest = action.arguments
    if rest and rest[0].text == "set":
        return action.index + 2
    return -1


def _git(text, words, exact):
    texts = [w.text for w in words]
    for position, word in enumerate(texts):
        if word == "-c" and position + 1 < len(texts):
            key, _, value = texts[position + 1].partition("=")
            if _ssl_verify_key(key) and value.lower() in FALSE:
                yield f"`git -c {texts[position + 1]}` turns off certificate checks", "tls", _render(text, words, exact, {position, position + 1})
    if "config" in texts:
        rest = [t for t in texts[texts.index("config") + 1 :] if not t.startswith("-")]
        if len(rest) >= 2 and _ssl_verify_key(rest[0]) and rest[1].lower() in FALSE:
            yield f"`git config {rest[0]} {rest[1]}` turns off certificate checks", "tls", "remove this `git config` command"


def _ssl_verify_key(key: str) -> bool:
    key = key.lower()
    return key.startswith("http.") and key.endswith(".sslverify")


def _untrusted_source(context, packages, index) -> bool:
    """Whether skipping signature checks exposes packages fetched over the network: names
    from a repository, URLs, local files this RUN downloaded without checking them, or
    local files whose origin the build does not show (see `_made_by_the_build`)."""
    if not packages or any("://" in p.text or not _local(p.text) for p in packages):
        return True
    names = [posixpath.basename(p.text) for p in packages]
    if any(fnmatch.fnmatchcase(fetched, name) for name in names for fetched in context["fetched"]):
        return not context["verified"]
    return not _made_by_the_build(context, packages, index)


# programs that build package files: what they leave behind, the build made itself
PACKAGE_BUILDERS = frozenset({"abuild", "rpmbuild", "mock", "fpm", "nfpm", "dpkg-buildpackage", "debuild", "dpkg-deb", "makepkg", "cpack", "make"})


def _made_by_the_build(context, packages, index) -> bool:
    """Whether every local package file comes from somewhere the build shows: a package
    build earlier in the RUN (`abuild -r`, `rpmbuild`, `make`), or a mount of the RUN, a
    local COPY/ADD, or an earlier command (of this RUN or an earlier RUN of the stage
    lineage; a download in an earlier RUN included, where it could be checked) that wrote
    the file or its folder. A file nothing wrote (`rpm -i --nodigest python3.rpm` out of
    nowhere) or a path dfslim cannot resolve has no origin it can vouch for."""
    dockerfile, instruction = context["dockerfile"], context["instruction"]
    commands = instruction.script.commands
    if any(_program(command) in PACKAGE_BUILDERS for command in commands[:index]):
        return True
    copies, paths = _writers(context)
    dirs = command_dirs(instruction, dockerfile.memo(workdirs).get(instruction.index))
    for position in range(min(index, len(commands))):
        paths = paths + created_paths(instruction, commands[position], dirs[position])
    cwd = dirs[index] if index < len(dirs) else None
    for package in packages:
        path = _package_path(expanded(instruction, commands, index, package.text), cwd)
        if path is None or not _written(path, copies, paths):
            return False
    return True


def _package_path(text, cwd):
    """The absolute path of a package argument, an unknown variable in its last part read
    as a glob (`/tmp/pkgs/nginx-${module}.apk` -> `/tmp/pkgs/nginx-*.apk`); None when its
    folder is unknown (a variable, `~user`, a command substitution)."""
    folder, _, name = text.rpartition("/")
    if "$" in folder or "`" in text or text.startswith("~"):
        return None
    name = _VARIABLE_RE.sub("*", name)
    return resolve_path(f"{folder}/{name}" if "/" in text else name, cwd)


def _writers(context):
    """What wrote files before this RUN, and its mounts: (the CopyWrites of the local
    COPY/ADDs of the stage lineage, the paths of the mounts and of what earlier RUNs
    created), found once per RUN."""
    if "writers" in context:
        return context["writers"]
    dockerfile, instruction = context["dockerfile"], context["instruction"]
    dirs = dockerfile.memo(workdirs)
    copies, paths = [], [m["target"] for m in mounts(instruction) if m.get("target")]
    stage = dockerfile.stage_of(instruction)
    for ancestor in dockerfile.lineage(stage) if stage else ():
        for earlier in ancestor.instructions:
            if earlier.index >= instruction.index:
                break
            if earlier.keyword in ("COPY", "ADD"):
                sources = (copy_paths(earlier) or ([], ""))[0]
                if earlier.flag("checksum") is None and any("://" in source or source.startswith("git@") for source in sources):
                    continue  # fetched over the network, unchecked
                written = copy_writes(earlier, dirs.get(earlier.index))
                if written is not None:
                    copies.append(written)
            elif earlier.keyword == "RUN":
                cwds = command_dirs(earlier, dirs.get(earlier.index))
                for command, cwd in zip(earlier.script.commands, cwds):
                    paths += created_paths(earlier, command, cwd)
    context["writers"] = (copies, paths)
    return context["writers"]


def _written(path, copies, paths) -> bool:
    """Whether `path` (a file, or a glob in its last part) is at or below something written."""
    if _GLOB_RE.search(posixpath.basename(path)):
        folder = posixpath.dirname(path)
        return any(c.writes(folder) or c.inside(folder) for c in copies) or any(
            path_below(folder, p) or path_below(p, folder) for p in paths
        )
    return any(c.writes(path) for c in copies) or any(path_below(path, p) for p in paths)


def _program(command) -> str:
    words = unwrap(command)
    return words[0].text.rsplit("/", 1)[-1] if words else ""


def _local(text: str) -> bool:
    return "/" in text or text.endswith((".apk", ".rpm", ".deb"))


_VERIFIERS = frozenset({"sha256sum", "sha384sum", "sha512sum", "gpgv", "gpg", "gpg2"})


def _verifies(command) -> bool:
    """`sha256sum -c` (or sha384/sha512, `--check`), `gpg --verify`, `gpgv`."""
    unwrapped = unwrap(command)
    if not unwrapped:
        return False
    tool = unwrapped[0].text.rsplit("/", 1)[-1]
    if tool not in _VERIFIERS:
        return False  # most commands: no argv to copy
    words = [w.text for w in unwrapped]
    if tool in ("sha256sum", "sha384sum", "sha512sum"):
        return any(w in ("-c", "--check") or (re.fullmatch(r"-[a-z]*c[a-z]*", w) is not None) for w in words[1:])
    return tool == "gpgv" or (tool in ("gpg", "gpg2") and "--verify" in words)


def _variable(name, value):
    upper = name.upper()
    if upper == "PIP_TRUSTED_HOST" and value:
        return f"`{name}={value}` makes pip accept any certificate (or plain http) from {value}", "tls", ""
    if upper == "NODE_TLS_REJECT_UNAUTHORIZED" and value == "0":
        return f"`{name}=0` turns off certificate checks in Node.js", "tls", ""
    if upper == "PYTHONHTTPSVERIFY" and value == "0":
        return f"`{name}=0` turns off certificate checks in Python", "tls", ""
    if upper == "NPM_CONFIG_STRICT_SSL" and value.lower() in FALSE:
        return f"`{name}={value}` turns off certificate checks in npm", "tls", ""
    if upper == "GIT_SSL_NO_VERIFY":
        return f"`{name}` (set, whatever its value) turns off certificate checks in git", "tls", ""
    return None
