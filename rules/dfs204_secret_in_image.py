"""A secret is written into the Dockerfile, and so into the image.

## What it does
Flags three things:

- an `ENV` or `ARG` whose name says it holds a secret (it contains `PASSWORD`, `PASSWD`,
  `SECRET`, `TOKEN`, `API_KEY`, `APIKEY`, `ACCESS_KEY`, `PRIVATE_KEY` or `CREDENTIALS`,
  in any case, `-` counting as `_`) and that is given a literal value;
- any literal in any instruction (`ENV`, `ARG`, `LABEL`, `RUN`, `CMD`, `ADD`, ...,
  heredoc bodies included) that has the shape of a real credential: an AWS access key id
  (`AKIA...`/`ASIA...`), a GitHub token (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`,
  `github_pat_`), a PEM private key (`-----BEGIN ... PRIVATE KEY-----`), a Slack token
  (`xoxa-`, `xoxb-`, `xoxp-`, `xoxr-`, `xoxs-`), or a URL with a password in it
  (`https://user:password@host`, `postgres://app:secret@db/app`);
- a literal password that a `RUN` sets: a `user:password` line fed to `chpasswd` (`echo
  'app:pw' | chpasswd`, `printf 'app:%s\n' pw | chpasswd`, a here-string `chpasswd <<<
  'app:pw'`, a heredoc, `cat <<EOF | chpasswd`, `chpasswd -e` with a hash), a password
  fed to `passwd` the same ways, a literal hash given to `useradd`/`usermod` with `-p`
  (`-pHASH`, `-mp HASH`, `--password=HASH`), and a literal password hashed by `openssl
  passwd` or `mkpasswd` (also inside `useradd -p "$(openssl passwd -1 pw)"`). Commands in
  continuations, heredoc scripts, `sh -c "..."` strings, exec form and `ONBUILD RUN`
  count.

An `ARG` with a secret name and no default (or an empty one: `""`, `''`, or only `$VAR`
references) is a finding of severity `info` in a stage that ships: it holds no secret
itself, but whatever is passed with `--build-arg` is recorded in the image history. In a
builder (a stage only `COPY --from` uses, or a test stage nobody builds `FROM`) it is not
flagged: that history never ships. Nor is a global `ARG` (before the first `FROM`)
without a default: a stage that uses it declares it again, and that `ARG` is the finding.
An `ONBUILD ARG` declares the `ARG` in every child image, so it counts whatever its stage.
A literal secret is an error in every stage, builders included: it is in the Dockerfile.

## Why is this bad?
Everything in a Dockerfile ends up where anyone who can pull the image can read it: `ENV`
values in the image config (`docker inspect`), `ARG` values and `RUN` command lines in the
image history (`docker history`), files in the layers. Deleting the value in a later
instruction does not remove it from the earlier layer. The secret is also in your source
repository. A leaked key must be revoked, not just removed; a password hash in the
history can be cracked offline.

## Example
    ARG NPM_TOKEN=npm_0123456789abcdef
    ENV POSTGRES_PASSWORD=postgres
    RUN git clone https://deploy:hunter2@git.example.com/app.git
    RUN echo 'app:hunter2' | chpasswd

## Use instead
Pass secrets at build time with a secret mount, which never lands in a layer or the
history:

    # docker build --secret id=npm_token,env=NPM_TOKEN .
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci

and secrets the container needs at run time with `docker run -e POSTGRES_PASSWORD`, an
`--env-file`, or your orchestrator's secrets (Compose/Swarm/Kubernetes secrets). A service
account needs no login password: create it without one (its account stays locked).

## What is not a secret
- names ending in `_FILE`, `_PATH`, `_DIR`, `_URL` (and `_URI`, `_LOCATION`, `_FOLDER`):
  they hold where a secret is, not the secret (`POSTGRES_PASSWORD_FILE=/run/secrets/db`).
  A URL with a password is still a finding, whatever the name;
- names where the secret word is followed by a qualifier that makes the value a
  setting: `_LENGTH`, `_TTL`, `_TIMEOUT`, `_EXPIRY`, `_LIFETIME`, `_ENABLED`, `_HOST`,
  `_PORT`, `_USER`, `_NAME`, `_HEADER`, `_TYPE`, `_ALGORITHM`, `_MINUTES`, `_STORE`,
  `_COOKIE`, `_SAMESITE`... (`PASSWORD_MIN_LENGTH=8`, `ACCESS_TOKEN_EXPIRE_MINUTES=30`,
  `JWT_TOKEN_LOCATION=headers`). Other names with the secret word inside (`SECRET_KEY_BASE`)
  are secret names: their literal values are flagged unless they are booleans, switches
  or numbers;
- NLP tokenizer settings (`TOKENIZERS_PARALLELISM`, `TIKTOKEN_CACHE_DIR`);
- values that are empty (`""` and `''` included), only `$VAR`/`${VAR}` references, or
  have no letter or digit (`"_"`, a common "unset" marker);
- booleans and switches (`true`, `false`, `yes`, `no`, `on`, `off`, `0`, `1`, `enabled`,
  `disabled`, ...: `ARG VITE_AUTH_USE_ID_TOKEN=true`, `TOKEN_REFRESH_ENABLED=false`);
  other numbers are flagged only where the name ends in the secret word
  (`PASSWORD=1234` is flagged, `SECRET_KEY_BASE_DUMMY=2` is not); paths
  (`/run/secrets/key.json`, `./creds`) and plain file names (`reset-password.sh`);
- template placeholders `<token>` and `{{ token }}`;
- AWS's documented example credentials (`AKIAIOSFODNN7EXAMPLE` and its secret key; any
  key id ending in `EXAMPLE` found by its format): they are valid nowhere;
- passwords a command gets from a variable, a secret or a generator (`echo
  "app:$APP_PASSWORD" | chpasswd`, `"app:$(openssl rand -hex 16)"`, `chpasswd <
  /run/secrets/users`), and `-p '*'`, `-p '!'` or `-p ''`, which lock the account or leave
  it without a password. A literal fallback (`${APP_PASSWORD:-changeme}`) is a literal.

Placeholders such as `changeme`, `password` or `dummy` *are* flagged: the image runs with
them whenever nobody overrides them.

## Outputs
Outputs never show the secret, and mask only the secret's own text: for a secret `pass`,
the same letters in `password` or `chpasswd` stay as they are. This rule's messages name the
variable, the user or the kind of credential (`AKIA****`), never the secret; the excerpt
and fingerprint mask the secret's span in the source. The finding's focus is the secret
itself, so the snippet of a long `ENV` or `RUN` is the (masked) line that holds it. Other rules that quote the source
(a command, a URL) get the secret masked where they quote it: where the text is glued to
what it was glued to in the file (`app:` before it, `=` after a name, `-p ` before a
hash), not wherever the same letters occur.
"""

from __future__ import annotations

import bisect
import re

from dfslim.api import Meta, Severity, Violation, expand, unquote
from dfslim.graph import ships
from dfslim.regex import lazy_compile
from dfslim.shell import unwrap

META = Meta(
    id="DFS204",
    name="secret-in-image",
    category="security",
    severity=Severity.ERROR,
    scope="all",
    fix=None,
    others=("hadolint DL3064", "BuildKit SecretsUsedInArgOrEnv", "trivy DS-0031"),
)

SECRET_WORDS = (
    "PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIALS",
)
# `TOKEN` inside these is about text tokenizers, not credentials
NOT_TOKEN_RE = lazy_compile(r"TIKTOKEN|(?:DE)?TOKENI[SZ]")
# a name ending in one of these holds where a secret is, or a setting about it
LOCATION_SUFFIXES = ("FILE", "FILES", "PATH", "DIR", "DIRECTORY", "FOLDER", "URL", "URI", "LOCATION")
SETTING_SUFFIXES = (
    "LENGTH", "LEN", "MIN", "MAX", "TTL", "TIMEOUT", "EXPIRY", "EXPIRE", "EXPIRES", "EXPIRATION",
    "LIFETIME", "AGE", "INTERVAL", "ENABLED", "DISABLED", "ENABLE", "DISABLE", "REQUIRED",
    "HOST", "HOSTNAME", "PORT", "ENDPOINT", "USER", "USERNAME", "NAME", "HEADER", "TYPE",
    "ALGORITHM", "MODE", "POLICY", "PROVIDER", "ISSUER", "AUDIENCE", "SCOPE", "SCOPES",
    "REGION", "VERSION", "FORMAT", "PREFIX", "HASHER", "HASHERS", "COMPLEXITY", "STRENGTH",
    # `*_TOKEN_*` settings: how long tokens live, where they are kept, how they are checked
    "SECONDS", "SECS", "SEC", "MINUTES", "MINS", "HOURS", "DAYS", "MS", "SIZE", "COUNT", "LIMIT",
    "RETRIES", "STORE", "STORAGE", "BACKEND", "COOKIE", "SAMESITE", "SECURE", "DOMAIN", "METHOD",
    "STRATEGY", "LEEWAY", "THRESHOLD", "ROTATION", "VERIFY", "VALIDATION", "CLAIM", "FIELD", "PARAM",
)
# booleans and switches: what a setting about a secret holds, never the secret
BOOLEANS = frozenset(
    "true false yes no on off y n 0 1 enable enabled disable disabled none null nil".split()
)
NUMBER_RE = lazy_compile(r"[+-]?\d+(?:\.\d+)?")
PATH_RE = lazy_compile(r"(?:~|\.{1,2})?/\S*|[A-Za-z]:\\\S*")
FILE_NAME_RE = lazy_compile(
    r"[\w.-]+\.(?:sh|bash|ps1|py|rb|js|json|txt|ya?ml|xml|toml|ini|cfg|conf|env|properties|"
    r"pem|key|crt|cer|der|p12|pfx|jks|keystore|gpg|asc|pub|kdbx)",
    re.IGNORECASE,
)
AWS_SECRET_SHAPE_RE = lazy_compile(r"[A-Za-z0-9/+]{40}")
# AWS's documented example credentials: known to everyone, valid nowhere
AWS_EXAMPLES = frozenset({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
TEMPLATE_RE = lazy_compile(r"<[^<>]+>|\{\{.*\}\}|%[A-Z_]+%")


class _Everything(dict):
    """A scope in which every variable is known and empty (to strip references)."""

    def __contains__(self, key):
        return True

    def get(self, key, default=None):
        return ""


EVERYTHING_EMPTY = _Everything()

# ---------------------------------------------------------------- credential formats

FORMATS = (
    ("AWS access key id", lazy_compile(r"(?<![A-Za-z0-9+/])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])"), 4),
    ("GitHub token", lazy_compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}"), 11),
    ("GitHub token", lazy_compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}(?![A-Za-z0-9])"), 4),
    ("Slack token", lazy_compile(r"(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}"), 5),
)
PEM_RE = lazy_compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
PEM_END_RE = lazy_compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
KEY_MATERIAL_RE = lazy_compile(r"[A-Za-z0-9+/]{32,}")  # a header alone (a grep pattern) is no key
URL_PASSWORD_RE = lazy_compile(
    r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*)://([^\s/?#@:'\"`]*):([^\s/?#@'\"`]+)@(?=[\w\[$.-])"
)


def check(dockerfile):
    yield from dockerfile.memo(_violations)


def _violations(dockerfile) -> tuple:
    """Found once per file: the engine asks `secret_spans` (to mask every output) and
    `check` of the same file."""
    return tuple(_find(dockerfile))


def _find(dockerfile):
    literals = _literal_hits(dockerfile)
    for instruction in dockerfile.instructions:
        found = list(literals.get(instruction.index, ()))
        keyword, start = _inner(instruction)
        if keyword in ("ENV", "ARG"):
            found += _named(dockerfile, instruction, keyword, start, literals)
        if not found:
            continue
        found = _distinct(found)
        errors = [hit for hit in found if hit[0] == "error"]
        hits = errors or found
        masks = tuple(sorted({span for hit in found for span in hit[3]}))
        yield Violation(
            instruction,
            _message(hits),
            hits[0][2],
            severity=Severity.ERROR if errors else Severity.INFO,
            mask=masks,
            focus=hits[0][3][0] if hits[0][3] else None,  # the line of a continuation that holds the secret
        )


def _literal_hits(dockerfile) -> dict[int, list]:
    """Instruction index -> the literal secrets it holds (credential formats, passwords
    given to commands), for every instruction that holds one."""
    found = {}
    held = {trigger.index: trigger for trigger in dockerfile.triggers}  # `ONBUILD RUN ...`, at the ONBUILD
    for instruction in dockerfile.instructions:
        hits = _formats(instruction) + _passwords(dockerfile, held.get(instruction.index, instruction))
        if hits:
            found[instruction.index] = hits
    return found


def secret_spans(dockerfile) -> list[tuple[int, int]]:
    """Source ranges of every secret this rule finds in `dockerfile`: for an engine that
    masks secrets in all outputs, other rules' excerpts, messages and suggestions too."""
    spans: set[tuple[int, int]] = set()
    for violation in dockerfile.memo(_violations):
        spans.update(violation.mask)
    return sorted(spans)


def _distinct(hits):
    """Drop a hit whose secret overlaps an earlier one (a token that is also a URL's
    password is one secret).

    A hit has at most one span, so the kept spans never overlap one another: sorted,
    their ends ascend too, and the only kept span that can overlap `(a, b)` is the last
    one starting before `b` (one ENV can hold tens of thousands of secrets)."""
    kept, spans = [], []
    for hit in hits:
        if any(_overlaps(spans, a, b) for a, b in hit[3]):
            continue
        kept.append(hit)
        for span in hit[3]:
            bisect.insort(spans, span)
    return kept


def _overlaps(spans, a: int, b: int) -> bool:
    """Whether `(a, b)` overlaps one of the sorted, non-overlapping `spans` (`a < d and c < b`)."""
    before = bisect.bisect_left(spans, (b,))
    return before > 0 and spans[before - 1][1] > a


def _message(hits) -> str:
    first = hits[0][1]
    if len(hits) == 1:
        return first
    return f"{first} (and {len(hits) - 1} more secret{'s' if len(hits) > 2 else ''} in this instruction)"


def _inner(instruction):
    """The keyword and where its arguments start in `value`, looking through ONBUILD."""
    if instruction.keyword != "ONBUILD":
        return instruction.keyword, instruction.args_index
    match = re.match(r"\s*(\S+)\s*", instruction.value[instruction.args_index :])
    if not match:
        return "", 0
    return match.group(1).upper(), instruction.args_index + match.end()


# ---------------------------------------------------------------- named variables


def secret_name(name: str) -> bool:
    """Whether an ENV/ARG name says the variable holds a secret value."""
    upper = name.upper().replace("-", "_")
    if "TOKEN" in upper:
        upper_for_words = NOT_TOKEN_RE.sub("", upper)
    else:
        upper_for_words = upper
    if not any(word in upper_for_words for word in SECRET_WORDS):
        return False
    if not upper.endswith(LOCATION_SUFFIXES + SETTING_SUFFIXES):
        return True  # what most names are: no suffix to look at one by one
    for suffix in LOCATION_SUFFIXES + SETTING_SUFFIXES:
        if upper.endswith(suffix) and len(upper) > len(suffix):
            head = upper[: -len(suffix)]
            if head.endswith(("_", "-", ".")) or head.endswith(SECRET_WORDS + ("KEY", "PASS")):
                return False
    return True


def _ends_with_secret_word(name: str) -> bool:
    upper = name.upper().replace("-", "_").rstrip("0123456789_")
    return upper.endswith(SECRET_WORDS + ("KEY", "PASS", "PWD"))


def literal_secret(name: str, value: str) -> bool:
    """Whether `value` (unquoted) is a literal that may be a real secret."""
    literal = expand(value, EVERYTHING_EMPTY).strip()
    if not any(char.isalnum() for char in literal):
        return False  # empty, only references, or an "unset" marker such as "_"
    if literal.lower() in BOOLEANS:
        return False
    if NUMBER_RE.fullmatch(literal):
        return _ends_with_secret_word(name)
    if PATH_RE.fullmatch(literal) and not AWS_SECRET_SHAPE_RE.fullmatch(literal):
        return False
    if FILE_NAME_RE.fullmatch(literal):
        return False
    if TEMPLATE_RE.fullmatch(literal) or literal in AWS_EXAMPLES:
        return False
    return True


def _named(dockerfile, instruction, keyword, start, literals):
    escape = dockerfile.escape
    hits = []
    for name, raw, value_start, value_end in assignment_spans(keyword, instruction.value, start, escape):
        if not secret_name(name):
            continue
        value = None if raw is None else unquote(raw, escape)
        if value is not None and literal_secret(name, value):
            low, high = _strip_quotes(instruction.value, value_start, value_end)
            span = (instruction.source_offset(low), instruction.source_offset(high - 1) + 1)
            suggestion = _named_suggestion(keyword, name, _user_of(dockerfile, instruction, name, literals))
            hits.append(("error", _named_message(keyword, name), suggestion, (span,)))
        elif keyword == "ARG" and (value is None or _only_references(value)) and _history_shipped(dockerfile, instruction):
            message = (
                f"`ARG {name}` takes a secret: a value passed with `--build-arg {name}=...` "
                "is recorded in the image history"
            )
            suggestion = _named_suggestion(keyword, name, _user_of(dockerfile, instruction, name, literals))
            copy = _env_copy(dockerfile, instruction, name)
            if copy is not None:
                message += f", and the `ENV` on line {copy.line} stores it in the image config"
                suggestion = (
                    f"give `{name}` to the container at run time (`docker run -e {name}`, "
                    f"orchestrator secrets) instead of the `ARG` and the `ENV` on line {copy.line}; "
                    f"if a build step needs it, " + suggestion[len("remove this ARG and ") :]
                )
            hits.append(("info", message, suggestion, ()))
    return hits


def _history_shipped(dockerfile, instruction) -> bool:
    """Whether a value passed to this `ARG` lands in the history of an image that ships:
    not for a builder's ARG, nor a global one (a stage that uses it declares it again, and
    that ARG is the finding); an `ONBUILD ARG` declares it in every child image."""
    if instruction.keyword == "ONBUILD":
        return True
    return ships(dockerfile, dockerfile.stage_of(instruction))


def _only_references(value: str) -> bool:
    return not any(char.isalnum() for char in expand(value, EVERYTHING_EMPTY))


def _named_message(keyword: str, name: str) -> str:
    if keyword == "ENV":
        return f"`ENV {name}` sets a secret to a literal value: it is stored in the image config"
    return f"`ARG {name}` has a literal secret as its default: it is recorded in the image history"


def _user_of(dockerfile, instruction, name: str, literals):
    """The first later RUN of the same stage (any stage for a global ARG) that uses the
    variable and holds no literal secret (the suggestion quotes it)."""
    for later in _later_users(dockerfile, instruction, name, "RUN"):
        if later.index not in literals:
            return later
    return None


# `$NAME` or `${NAME` as `_uses` finds it, for a name made of these characters only
REFERENCE_RE = lazy_compile(r"\$\{?([A-Za-z0-9_]+)")
IDENTIFIER_RE = lazy_compile(r"[A-Za-z0-9_]+")


def _uses(name: str):
    return re.compile(r"\$\{?" + re.escape(name) + r"(?![A-Za-z0-9_])")


def _later_users(dockerfile, instruction, name: str, keyword: str):
    """The later RUNs (by RUN's whole value) or ENVs (by their arguments) of the same stage
    (any stage for a global ARG) that use the variable, in order."""
    instructions = dockerfile.instructions
    if IDENTIFIER_RE.fullmatch(name):
        positions = dockerfile.memo(_references).get((keyword, name), ())
        start = bisect.bisect_right(positions, instruction.index)
    else:  # not indexed: looked for the slow way
        used = _uses(name)
        positions = [
            position
            for position in range(instruction.index + 1, len(instructions))
            if instructions[position].keyword == keyword and used.search(_searched(instructions[position]))
        ]
        start = 0
    for position in positions[start:]:
        later = instructions[position]
        if instruction.stage < 0 or later.stage == instruction.stage:
            yield later


def _searched(instruction) -> str:
    return instruction.value if instruction.keyword == "RUN" else instruction.args


def _references(dockerfile) -> dict[tuple[str, str], list[int]]:
    """(keyword, name) -> positions of the RUNs and ENVs that use `$name`, in order: built
    in one pass, so that each secret ARG or ENV does not search every later instruction
    (a file of many secret ARGs was quadratic)."""
    table: dict[tuple[str, str], list[int]] = {}
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("RUN", "ENV"):
            continue
        names = dict.fromkeys(REFERENCE_RE.findall(_searched(instruction)))
        for name in names:
            table.setdefault((instruction.keyword, name), []).append(instruction.index)
    return table


MAX_ECHO = 80


def _env_copy(dockerfile, instruction, name: str):
    """A later ENV of the same stage (any stage for a global ARG) that copies the ARG."""
    return next(_later_users(dockerfile, instruction, name, "ENV"), None)


def _named_suggestion(keyword: str, name: str, user=None) -> str:
    secret_id = name.lower()
    command = "<command that needs it>"
    if user is not None and not user.heredocs:
        command = " ".join(user.value.split())
        if len(command) > MAX_ECHO:
            command = command[:MAX_ECHO].rstrip() + " ..."
    mount = (
        f"`RUN --mount=type=secret,id={secret_id},env={name} {command}`, "
        f"built with `docker build --secret id={secret_id},env={name} .`"
    )
    if keyword == "ENV":
        return (
            f"remove `{name}` from the image: give it at run time (`docker run -e {name}`, an "
            f"`--env-file`, or orchestrator secrets); if a build step needs it, use {mount}"
        )
    return f"remove this ARG and use a secret mount: {mount}"


def assignment_spans(keyword: str, value: str, start: int, escape: str = "\\"):
    """`(name, raw value or None, value start, value end)` of ENV/ARG assignments, with
    indices into `value`; mirrors `dfslim.parser.assignments`."""
    words = _words(value, start, escape)
    if not words:
        return []
    first_text, first_start, first_end = words[0]
    if keyword == "ENV" and "=" not in first_text:  # legacy `ENV NAME value with spaces`
        rest_start = first_end
        while rest_start < len(value) and value[rest_start].isspace():
            rest_start += 1
        rest_end = len(value.rstrip())
        raw = value[rest_start:rest_end] if rest_start < rest_end else ""
        return [(first_text, raw, rest_start, max(rest_end, rest_start))]
    spans = []
    for text, word_start, word_end in words:
        name, equals, raw = text.partition("=")
        if not name:
            continue
        if equals:
            spans.append((name, raw, word_start + len(name) + 1, word_end))
        else:
            spans.append((name, None, word_end, word_end))
    return spans


def _words(text: str, start: int, escape: str = "\\"):
    """Words of `text[start:]` split on unquoted whitespace: `(text, start, end)`;
    `escape` is the file's escape character (`\\`, or `` ` `` after `# escape=`)."""
    words = []
    index, length = start, len(text)
    while index < length:
        while index < length and text[index].isspace():
            index += 1
        if index >= length:
            break
        word_start, quote = index, None
        while index < length:
            char = text[index]
            if char == escape and quote != "'" and index + 1 < length:
                index += 2
                continue
            if quote:
                if char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char.isspace():
                break
            index += 1
        words.append((text[word_start:index], word_start, index))
    return words


def _strip_quotes(value: str, low: int, high: int) -> tuple[int, int]:
    if high - low >= 2 and value[low] in "\"'" and value[high - 1] == value[low]:
        return low + 1, high - 1
    return low, high


# ---------------------------------------------------------------- credential formats


def _texts(instruction):
    """`(text, to_source)` pieces to scan: the value, then each heredoc body."""
    yield instruction.value, instruction.source_offset
    for heredoc in instruction.heredocs:
        yield heredoc.body, (lambda index, base=heredoc.body_start: base + index)


def _formats(instruction):
    hits = []
    for text, to_source in _texts(instruction):
        for kind, pattern, keep in FORMATS:
            for match in pattern.finditer(text):
                secret = match.group(0)
                if kind == "AWS access key id" and secret.endswith("EXAMPLE"):
                    continue  # AWS's documented example key
                span = _span(to_source, match.start(), match.end())
                shown = secret[:keep] + "****"
                article = "an" if kind[0] in "AEIOU" else "a"
                hits.append(("error", f"{article} {kind} (`{shown}`) is written into the image", _format_suggestion(kind), (span,)))
        for match in PEM_RE.finditer(text):
            end = PEM_END_RE.search(text, match.end())
            body = text[match.end() : end.start() if end else match.end() + 400]
            if not KEY_MATERIAL_RE.search(body):
                continue
            span = _span(to_source, match.start(), end.end() if end else len(text))
            hits.append((
                "error",
                "a PEM private key is written into the image",
                "revoke this key and mount it at build time instead: "
                "`RUN --mount=type=secret,id=key,target=/run/secrets/key <command>` with "
                "`docker build --secret id=key,src=path/to/key .`; at run time, mount it "
                "as a secret or volume",
                (span,),
            ))
        for match in URL_PASSWORD_RE.finditer(text):
            password = match.group(3)
            user = match.group(2)
            if password.startswith("$") or "{{" in password or "{{" in user:
                continue  # a variable or command substitution, or a template
            if _only_references(password) or TEMPLATE_RE.fullmatch(password):
                continue
            span = _span(to_source, match.start(3), match.end(3))
            scheme = match.group(1).lower()
            hits.append((
                "error",
                f"a `{scheme}://` URL carries a password (`{scheme}://...:****@...`): "
                "it is stored in the image",
                "take the password out of the URL: pass it at run time (`docker run -e`), "
                "or at build time through a secret mount (`RUN --mount=type=secret,"
                "id=url_password,env=URL_PASSWORD <command>`) and build the URL from it",
                (span,),
            ))
    return hits


def _span(to_source, start: int, end: int) -> tuple[int, int]:
    return to_source(start), to_source(max(end - 1, start)) + 1


def _format_suggestion(kind: str) -> str:
    names = {
        "AWS access key id": ("aws", "AWS_ACCESS_KEY_ID"),
        "GitHub token": ("github_token", "GITHUB_TOKEN"),
        "Slack token": ("slack_token", "SLACK_TOKEN"),
    }
    secret_id, env = names[kind]
    return (
        f"revoke this credential (it is in the Dockerfile, its history and the image) and "
        f"pass it with a secret mount: `RUN --mount=type=secret,id={secret_id},env={env} "
        f"<command>`, built with `docker build --secret id={secret_id},env={env} .`"
    )


# ---------------------------------------------------------------- passwords given to commands

# a RUN without one of these words sets no password: most RUNs are skipped by one search
PASSWORD_COMMAND_RE = lazy_compile(r"passwd|useradd|usermod")
# the short options of useradd/usermod that take a value (`-p` among them)
VALUE_OPTIONS = {"useradd": "bcdefgGkKpPRsuZ", "usermod": "cdefgGlpPRsuvVwWZ"}
ECHO_OPTION_RE = lazy_compile(r"-[neE]+")
LINE_BREAK_RE = lazy_compile(r"\\[nr]|[\r\n]")
PRINTF_SPECIFIER_RE = lazy_compile(r"%(?:%|[-+ #0]*\d*(?:\.\d+)?[a-zA-Z])")
WORD_CHAR_RE = lazy_compile(r"\w")
SHELL_QUOTING_RE = lazy_compile(r"[\"'\\$`]")
IDENTIFIER_CHARS_RE = lazy_compile(r"[^a-z0-9]+")


def _passwords(dockerfile, instruction) -> list:
    """Hits for the literal passwords a RUN sets: fed to `chpasswd` or `passwd` (by `echo`,
    `printf`, a here-string or a heredoc), given to `useradd`/`usermod -p`, or hashed by
    `openssl passwd`/`mkpasswd` (in a `$(...)` too)."""
    if instruction.keyword != "RUN" or not any(PASSWORD_COMMAND_RE.search(text) for text, _ in _texts(instruction)):
        return []
    commands = instruction.script.commands  # those inside `$(...)` included
    locate = _Locator(dockerfile.text, instruction)
    hits = []
    for index, command in enumerate(commands):
        words = unwrap(command)
        name = _program(words)
        if name in ("chpasswd", "passwd"):
            hits += _fed_passwords(dockerfile, instruction, commands, index, name, locate)
        elif name in VALUE_OPTIONS:
            hits += _option_password(dockerfile, words, name, locate)
        hits += _hashed_password(dockerfile, words, locate)
    return hits


def _program(words) -> str:
    return words[0].text.rsplit("/", 1)[-1] if words else ""


def _fed_passwords(dockerfile, instruction, commands, index, name, locate):
    """`user:password` lines fed to `chpasswd`, or password lines fed to `passwd`."""
    hits = []
    for text, places in _stdin(dockerfile, instruction, commands, index):
        for line in LINE_BREAK_RE.split(text):
            user, colon, password = line.partition(":") if name == "chpasswd" else ("", ":", line)
            if not colon or not any(char.isalnum() for char in password):
                continue
            span = locate(places, password, ":" if name == "chpasswd" else "")
            hits.append(_password_hit(f"`{name}` is given a literal password", user.strip(), span, "password"))
    return hits


def _stdin(dockerfile, instruction, commands, index, depth=0):
    """What command `index` reads on its standard input where the RUN spells it out:
    `(literal text, where it is written)` pairs (nothing when a file or a program gives it)."""
    command = commands[index]
    for operator, word in command.redirects:
        if operator == "<<<":
            text = _literal(dockerfile, word)
            return [] if text is None else [(text, [(word.start, word.end)])]
        if operator in ("<<", "<<-"):
            return _heredoc_input(instruction, word.text)
    if not command.piped_from or index == 0 or not commands[index - 1].piped_to or depth:
        return []
    feeder = unwrap(commands[index - 1])
    name = _program(feeder)
    if name == "cat" and len(feeder) == 1:
        return _stdin(dockerfile, instruction, commands, index - 1, depth + 1)
    if name == "echo":
        arguments = list(feeder[1:])
        while arguments and ECHO_OPTION_RE.fullmatch(arguments[0].text):
            arguments.pop(0)
        texts = [_literal(dockerfile, word) for word in arguments]
        return [(text, [(word.start, word.end)]) for text, word in zip(texts, arguments) if text is not None]
    if name == "printf" and len(feeder) > 1:
        texts = [_literal(dockerfile, word) or "" for word in feeder[1:]]
        return [(_printf(texts[0], texts[1:]), [(word.start, word.end) for word in feeder[1:]])]
    return []


def _heredoc_input(instruction, delimiter: str):
    for heredoc in instruction.heredocs:
        if heredoc.delimiter == delimiter:
            body = heredoc.body if heredoc.quoted else _text_literal(heredoc.body)
            if body is None:
                return []
            if heredoc.strip_tabs:
                body = "\n".join(line.lstrip("\t") for line in body.split("\n"))
            return [(body, [(heredoc.body_start, heredoc.body_start + len(heredoc.body))])]
    return []  # a heredoc inside a heredoc script: its body is not one of the RUN's


def _printf(template: str, arguments: list[str]) -> str:
    """What `printf template arguments...` prints, near enough: each `%s`-like specifier
    takes the next argument, and the template repeats while arguments are left."""
    if not PRINTF_SPECIFIER_RE.search(template.replace("%%", "")):
        return template
    out, left = [], list(reversed(arguments))

    def fill(match):
        if match.group(0) == "%%":
            return "%"
        return left.pop() if left else ""

    out.append(PRINTF_SPECIFIER_RE.sub(fill, template))
    while left:
        out.append(PRINTF_SPECIFIER_RE.sub(fill, template))
    return "".join(out)


def _option_password(dockerfile, words, name, locate):
    """`useradd`/`usermod` `-p HASH` (`-pHASH`, `-mp HASH`, `--password[=]HASH`) with a literal hash."""
    value, skip, login, index = None, 0, "", 1
    while index < len(words):
        text = words[index].text
        option = _short_option(text, VALUE_OPTIONS[name])
        if text == "--password" or (option is not None and option[1] == ""):
            if text == "--password" or option[0] == "p":
                value, skip = (words[index + 1] if index + 1 < len(words) else None), 0
            index += 2
            continue
        if text.startswith("--password="):
            value, skip = words[index], len("--password=")
        elif option is not None and option[0] == "p":
            value, skip = words[index], len(text) - len(option[1])
        elif not text.startswith("-"):
            login = text
        index += 1
    password = None if value is None else _literal(dockerfile, value)
    if password is None or not any(char.isalnum() for char in password[skip:]):
        return []  # no `-p`; `-p '*'` or `-p '!'` lock the account; `$(...)` is looked into apart
    span = locate([(value.start, value.end)], password[skip:])
    return [_password_hit(f"`{name} -p` sets a literal password hash", login, span, "hash")]


def _short_option(text: str, with_values: str) -> tuple[str, str] | None:
    """The option of a short-option cluster (`-mp`, `-pHASH`) that takes a value, and that
    value when the word holds it: `("p", "HASH")`, `("p", "")`; None when none takes one."""
    if not text.startswith("-") or text.startswith("--"):
        return None
    for position, letter in enumerate(text[1:], start=1):
        if letter in with_values:
            return letter, text[position + 1 :]
    return None


def _hashed_password(dockerfile, words, locate):
    """`openssl passwd [-6] PASSWORD` or `mkpasswd [-m sha-512] PASSWORD`: the password is
    written in the RUN, whatever becomes of its hash."""
    name = _program(words)
    if name == "openssl" and len(words) > 1 and words[1].text == "passwd":
        arguments, with_values = words[2:], ("-salt", "-in")
    elif name == "mkpasswd":
        arguments, with_values = words[1:], ("-m", "--method", "-S", "--salt", "-R", "--rounds", "-P", "--password-fd")
    else:
        return []
    index = 0
    while index < len(arguments):
        word = arguments[index]
        if word.text in with_values:
            index += 2
            continue
        if not word.text.startswith("-"):
            password = _literal(dockerfile, word)
            if password is None or not any(char.isalnum() for char in password):
                return []
            span = locate([(word.start, word.end)], password)
            command = "openssl passwd" if name == "openssl" else name
            return [_password_hit(f"`{command}` hashes a literal password", "", span, "password")]
        index += 1
    return []


def _password_hit(what: str, user: str, span, kind: str):
    """A hit for a literal password (`kind` "password") or password hash ("hash") set for `user`."""
    shown = f" for `{user}`" if user and "$" not in user else ""
    secret_id = IDENTIFIER_CHARS_RE.sub("_", user.lower()).strip("_") if shown else ""
    secret_id = f"{secret_id}_password" if secret_id else "password"
    env, login = secret_id.upper(), user if shown else "app"
    message = f"{what}{shown}: the {kind} is in the Dockerfile and in the image history"
    if kind == "hash":
        message += ", where anyone can try to crack it"
        first = "create the user without `-p` (the account stays locked: a service account needs no password)"
    else:
        first = "leave the account without a password (a service account needs none)"
    suggestion = (
        f"{first}, or set it from a build secret: `RUN --mount=type=secret,id={secret_id},env={env} "
        f'echo "{login}:${env}" | chpasswd`, built with `docker build --secret id={secret_id},env={env} .`'
    )
    return ("error", message, suggestion, (span,))


def _literal(dockerfile, word) -> str | None:
    """The text a shell word has whatever its variables hold (see `_shell_literal`); from
    its source when the word's offsets spell it, else from its text."""
    raw = dockerfile.text[word.start : word.end]
    if raw == word.text and not SHELL_QUOTING_RE.search(raw):
        return raw  # most words: nothing quoted, escaped or expanded
    if unquote(raw) == word.text or unquote(raw).replace("\\", "") == word.text.replace("\\", ""):
        return _shell_literal(raw)
    return _text_literal(word.text)


def _shell_literal(raw: str) -> str | None:
    """Single-quoted parts as written; elsewhere `$VAR`/`${VAR}` dropped (a `${VAR:-x}`
    keeps its `x`); None when the word runs a command (`$(...)`, backquotes)."""
    parts, current, quote, index = [], [], None, 0
    while index < len(raw):
        char = raw[index]
        if quote == "'":
            if char == "'":
                parts.append(("".join(current), True))
                current, quote = [], None
            else:
                current.append(char)
        elif char == "\\" and index + 1 < len(raw):
            current.append(raw[index : index + 2])
            index += 1
        elif char == '"':
            quote = None if quote == '"' else '"'
        elif char == "'" and quote is None:
            parts.append(("".join(current), False))
            current, quote = [], "'"
        else:
            current.append(char)
        index += 1
    parts.append(("".join(current), quote == "'"))
    out = []
    for part, single_quoted in parts:
        literal = part if single_quoted else _text_literal(part)
        if literal is None:
            return None
        out.append(literal)
    return "".join(out)


def _text_literal(text: str) -> str | None:
    if "$(" in text or "`" in text:
        return None
    return expand(text, EVERYTHING_EMPTY)


class _Locator:
    """Finds where the passwords of one RUN are written, in order: each search starts
    where the last one ended, so that a RUN with thousands of them is read once.

    `locate(places, secret, after)` is the source span of `secret` in one of `places`
    (source ranges): right after `after` where it can be, else standing alone after the
    first `after`. Exec-form words and those inside `$(...)` point at their instruction
    or word, so the instruction is searched too (until that fails once); where the
    secret is not written as is, the places themselves are the span."""

    __slots__ = ("text", "cursor", "whole", "searchable")

    def __init__(self, text: str, instruction):
        self.text, self.cursor, self.searchable = text, 0, True
        self.whole = (instruction.start + len(instruction.keyword), instruction.end)

    def __call__(self, places, secret: str, after: str = "") -> tuple[int, int]:
        for low, high in places:
            found = self._find(max(low, self.cursor), high, secret, after)
            if found:
                return found
        if self.searchable:
            found = self._find(max(self.whole[0], self.cursor), self.whole[1], secret, after)
            if found:
                return found
            self.searchable = False
        low, high = min(start for start, _ in places), max(end for _, end in places)
        return (low, high) if high - low > 1 else self.whole

    def _find(self, low: int, high: int, secret: str, after: str):
        text = self.text
        at = text.find(after + secret, low, high) if after else -1
        if at >= 0:
            at += len(after)
        else:
            glue = text.find(after, low, high) if after else -1
            at = _standalone(text, secret, low if glue < 0 else glue + len(after), high)
        if at < 0:
            return None
        self.cursor = at + len(secret)  # the same password on the next line is the next occurrence
        return at, at + len(secret)


def _standalone(text: str, secret: str, low: int, high: int) -> int:
    """Where `secret` occurs in `text[low:high]` not inside a longer word, or -1."""
    starts, ends = bool(WORD_CHAR_RE.match(secret[0])), bool(WORD_CHAR_RE.match(secret[-1]))
    at = text.find(secret, low, high)
    while at >= 0:
        escaped = text[at - 2 : at] in ("\\n", "\\r", "\\t")  # `echo -e "pw\npw"`
        before = "" if at == 0 or escaped else text[at - 1]
        after = text[at + len(secret) : at + len(secret) + 1]
        if not (starts and WORD_CHAR_RE.match(before)) and not (ends and WORD_CHAR_RE.match(after)):
            return at
        at = text.find(secret, at + 1, high)
    return -1
