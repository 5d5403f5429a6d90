"""TLS or signature checks are switched off, or a download travels over plain `http://`.

## What it does
Flags the instruction that turns off a transport or package check:

- `curl -k`/`--insecure`, `wget --no-check-certificate`;
- `pip --trusted-host` (and `pip config set global.trusted-host`), `uv --allow-insecure-host`;
- `apt-get`/`apt --allow-unauthenticated`, `--force-yes`, `--allow-insecure-repositories`
  (also as `-o APT::Get::AllowUnauthenticated=true` / `-o Acquire::AllowInsecureRepositories=true`);
- `apk --allow-untrusted`; `yum`/`dnf`/`microdnf`/`tdnf --nogpgcheck` (or
  `--setopt=gpgcheck=0`), `zypper --no-gpg-checks`; `rpm --nosignature`/`--nodigest`;
- npm/yarn/pnpm `strict-ssl` false (`npm config set strict-ssl false`, `--strict-ssl=false`);
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
crossed the network unchecked; URLs that point at the machine itself (`localhost`, `127.0.0.1`, `::1`,
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
    assignments,
    download,
    expand,
    expanded,
    has_option,
    is_loopback,
    program_names,
    split_words,
    tool_call,
    unquote,
    unwrap,
)

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
        _what, kind, fixed = problems[0]
        message = "; ".join(problem[0] for problem in problems[:2])
        if len(problems) > 2:
            message += f" (and {len(problems) - 2} more in this instruction)"
        if fixed.startswith("`"):
            fixed = "write " + fixed
        suggestion = f"{fixed}; {ADVICE[kind]}" if fixed else ADVICE[kind]
        yield Violation(instruction, message, suggestion)


def _problems(dockerfile, instruction):
    """(message, kind, what to write instead) for each insecure setting of the instruction."""
    if instruction.keyword in ("ENV", "ARG"):
        for name, value in assignments(instruction.keyword, instruction.args):
            if value is not None:
                found = _variable(name, expand(value, instruction.scope))
                if found:
                    yield found[0], found[1], f"remove `{name}` from this {instruction.keyword}"
        return
    if instruction.keyword == "ADD":
        if instruction.flag("checksum"):
            return
        words = list(instruction.exec_form) if instruction.exec_form is not None else [unquote(w) for w in split_words(instruction.args)]
        for source in words[:-1]:
            source = expand(source, instruction.scope)
            if source.lower().startswith("http://") and not is_loopback(source):
                yield f"`ADD {source}` downloads over plain http", "http", f"`ADD https://{source[7:]} ...` (or add `--checksum=sha256:...`)"
        return
    commands = instruction.script.commands
    verifying = [index for index, command in enumerate(commands) if _verifies(command)]
    context = {"last_verify": verifying[-1] if verifying else -1, "verified": False, "fetched": set()}
    for index, command in enumerate(commands):  # those inside `$(...)` included
        yield from _command(dockerfile.text, instruction, commands, index, command, instruction.script.shell_form, context)
        context["verified"] = bool(verifying) and index >= verifying[0]
        program = command.words[0].text  # argv[0], without building argv
        got = download(command) if "curl" in program or "wget" in program or "sudo" in program else None
        if got is not None and len(context["fetched"]) < 1000:
            context["fetched"].update(posixpath.basename(o) for o in got.outputs if o != "-")


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
        if tool == "rpm":
            files = [w for w in words[1:] if not w.text.startswith("-")]
            for option in ("--nosignature", "--nodigest"):
                if has_option(words, option) and _untrusted_source(context, files):
                    yield f"`rpm {option}` installs packages without checking them", "signature", _render(text, words, exact, _option_at(words, option, False))
        return
    if action.action in ("remove", "autoremove", "clean"):
        return  # `apt-get purge --force-yes` fetches nothing
    name = words[0].text.rsplit("/", 1)[-1]
    given = {w.text.partition("=")[0] for w in words if w.text.startswith("--")}
    family = action.tool.family
    for option, takes_value, what in action.tool.insecure_options:
        if option in given:
            if family in SIGNED and not _untrusted_source(context, action.packages):
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
        for position, word in enumerate(texts):
            if word == "--setopt" and position + 1 < len(texts):
                setting, drop = texts[position + 1], {position, position + 1}
            elif word.startswith("--setopt="):
                setting, drop = word[9:], {position}
            else:
                continue
            key, _, value = setting.partition("=")
            if key.lower().rsplit(".", 1)[-1] in ("gpgcheck", "repo_gpgcheck") and value.lower() in FALSE:
                yield f"`--setopt={setting}` installs packages without checking their signatures", "signature", _render(text, words, exact, drop)
    elif action.name == "pip" and action.verb == "config" and any("trusted-host" in t for t in texts):
        yield "`pip config set global.trusted-host` makes pip accept any certificate (or plain http) from that host", "tls", "remove this `pip config` command"
    elif action.name in ("npm", "pnpm", "yarn"):
        yield from _strict_ssl(text, name, words, action, exact)


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
    texts = [w.text for w in words]
    for position, word in enumerate(texts):
        if word == "--no-strict-ssl":
            yield f"`{name} --no-strict-ssl` accepts any certificate from the registry", "tls", _render(text, words, exact, {position})
            return
        key, equals, value = word.lstrip("-").partition("=")
        if key != "strict-ssl":
            continue
        value = value if equals else (texts[position + 1] if position + 1 < len(texts) else "")
        if value.lower() not in FALSE:
            continue
        if action.action in ("config", "set"):
            yield f"`{name}` with `strict-ssl` false accepts any certificate from the registry", "tls", f"remove this `{name} {action.verb}` command"
        else:
            drop = {position} if equals else {position, position + 1}
            yield f"`{name} --strict-ssl=false` accepts any certificate from the registry", "tls", _render(text, words, exact, drop)
        return


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


def _untrusted_source(context, packages) -> bool:
    """Whether skipping signature checks exposes packages fetched over the network: names
    from a repository, URLs, or local files this RUN downloaded without checking them.
    Local files built by the build itself (or downloaded and checked earlier) are not."""
    if not packages or any("://" in p.text or not _local(p.text) for p in packages):
        return True
    names = [posixpath.basename(p.text) for p in packages]
    if not any(fnmatch.fnmatchcase(fetched, name) for name in names for fetched in context["fetched"]):
        return False
    return not context["verified"]


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
