"""Base-image knowledge: what a ``FROM`` image is, whether a smaller sibling exists, and
which user it starts as.

The facts live in ``dfslim/data/base_images.json`` (image families, tag grammar, sizes)
and ``dfslim/data/default_users.json`` (default users); see their ``_about``. This module
only parses image references against that data. It is pure, uses the standard library
only, loads each file once, on first use, and never raises on any input string: anything
it does not recognise gives ``None``.

    >>> info = lookup("python:3.12-bookworm")
    >>> info.is_full, info.smaller
    (True, 'python:3.12-slim-bookworm')
    >>> default_user("gcr.io/distroless/static-debian12:nonroot")
    '65532'
"""


import functools
import json
import os
from typing import Any, Callable, NamedTuple

__all__ = ["ImageInfo", "lookup", "family_of", "resolved_tag", "default_user", "entrypoint_steps_down", "size_to_bytes"]

_DATA_FILE = "base_images.json"
_USERS_FILE = "default_users.json"
_MAX_REFERENCE = 1024
_MAX_TAG = 128
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
_TAG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
_VERSION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._")
_DIGITS = frozenset("0123456789")
_NUM_CHARS = frozenset("0123456789.")
_HEX = frozenset("0123456789abcdef")
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


class ImageInfo(NamedTuple):
    reference: str          # as given, e.g. "docker.io/library/python:3.12-bookworm@sha256:..."
    family: str             # "python"
    kind: str               # runtime | build-tool | os | minimal
    version: str | None     # "3.12"
    variant: str            # "bookworm", "" for the default
    is_full: bool           # the fat variant that has a smaller official sibling
    smaller: str | None     # the image reference to suggest (registry prefix as written, no digest)
    size_bytes: int | None  # uncompressed size of this tag, None if unknown
    smaller_size_bytes: int | None
    default_user: str | None   # as default_user(reference): "root", "node", "65532", None if unknown
    shell: str | None          # "bash" | "busybox" | "none" | None


# ---------------------------------------------------------------------------
# data loading
# ---------------------------------------------------------------------------


def _read_data_text(name: str = _DATA_FILE) -> str:
    # a plain path: importlib.resources costs more to import than the whole lookup
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", name)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


@functools.cache
def _data() -> dict[str, Any]:
    return json.loads(_read_data_text())


@functools.cache
def _index() -> "_Index":
    return _Index(_data())


def size_to_bytes(size: str) -> int | None:
    """Convert a size string as printed by a source ("1.11 GB", "74.83 MB", "2 MiB") to bytes."""
    if not isinstance(size, str):
        return None
    parts = size.strip().split()
    if len(parts) != 2:
        return None
    number, unit = parts
    factor = _UNITS.get(unit.lower())
    if factor is None:
        return None
    # exact decimal arithmetic on the digits ("74.83 MB" is 7483 * 10^4): `decimal` costs
    # a pre-commit run 5 M instructions to import for this one line
    whole, _dot, fraction = number.partition(".")
    if not (whole or fraction) or not all(part.isdigit() for part in (whole, fraction) if part):
        return None
    scale = 10 ** len(fraction)
    quotient, remainder = divmod(int(whole or "0") * scale * factor + int(fraction or "0") * factor, scale)
    if remainder * 2 > scale or (remainder * 2 == scale and quotient % 2):
        quotient += 1  # round half to even, as `Decimal.to_integral_value` did
    return quotient


class _Family:
    __slots__ = ("name", "spec", "kind", "shell", "style", "precision",
                 "suffix_words", "aliases", "alias_rewrite", "release_sets", "release_numeric",
                 "release_dated", "versionless", "arch_suffix", "variants", "sizes", "images_any",
                 "image_keys")

    def __init__(self, name: str, spec: dict[str, Any]) -> None:
        self.name = name
        self.spec = spec
        self.kind = spec["kind"]
        self.shell = spec.get("shell")
        ver = spec.get("version", {})
        self.style = ver.get("style", "numeric")
        self.precision = int(ver.get("precision", 2))
        self.suffix_words = tuple(ver.get("suffix_words", ()))
        self.aliases = frozenset(ver.get("aliases", ()))
        self.alias_rewrite = dict(ver.get("alias_rewrite", {}))
        self.release_sets = tuple(ver.get("release_sets", ()))
        self.release_numeric = bool(ver.get("numeric", False))
        self.release_dated = bool(ver.get("dated", False))
        self.versionless = bool(spec.get("versionless_variants", False))
        self.arch_suffix = bool(spec.get("arch_suffix", False))
        self.variants: dict[str, dict[str, Any]] = spec.get("variants", {})
        match = spec.get("match", {})
        images = match.get("images", [])
        self.images_any = "*" in images
        self.image_keys = frozenset(i for i in images if i != "*")
        self.sizes: list[tuple[tuple, str, int, bool, str]] | None = None  # filled on first use


class _Index:
    def __init__(self, data: dict[str, Any]) -> None:
        self.hub_registries = frozenset(data.get("docker_hub_registries", ()))
        self.arch = frozenset(data.get("arch_tokens", ()))
        self.release_codenames: dict[str, dict[str, str | None]] = {}
        self.release_suites: dict[str, frozenset[str]] = {}
        self.number_to_codename: dict[str, dict[str, str]] = {}
        self.codename_set: dict[str, str] = {}
        for rset, rel in data.get("releases", {}).items():
            codes = dict(rel.get("codenames", {}))
            self.release_codenames[rset] = codes
            self.release_suites[rset] = frozenset(rel.get("suites", ()))
            self.number_to_codename[rset] = {num: code for code, num in codes.items() if num}
            for code in codes:
                self.codename_set[code] = rset
        self.families: dict[str, _Family] = {}
        self.hub: dict[str, _Family] = {}
        self.other: list[_Family] = []
        self.scratch: _Family | None = None
        self.sources: dict[str, Any] = data.get("sources", {})
        for name, spec in data.get("families", {}).items():
            fam = _Family(name, spec)
            self.families[name] = fam
            match = spec.get("match", {})
            if "hub" in match:
                self.hub[match["hub"]] = fam
            elif match.get("scratch"):
                self.scratch = fam
            else:
                self.other.append(fam)

    def sizes_of(self, fam: _Family) -> list[tuple[tuple, str, int, bool, str]]:
        """The family's size figures keyed for `size_for`; parsed on first use, since a run
        usually asks about one or two families of the twenty-nine."""
        if fam.sizes is None:
            fam.sizes = [figure for fig in fam.spec.get("sizes", ()) for figure in self._figures(fam, fig)]
        return fam.sizes

    def _figures(self, fam: _Family, fig: dict[str, Any]) -> list[tuple[tuple, str, int, bool, str]]:
        src = self.sources.get(fig.get("source"), {})
        if src.get("measure") != "uncompressed":
            return []
        nbytes = size_to_bytes(fig.get("size", ""))
        if nbytes is None:
            return []
        amd64 = src.get("platform") == "linux/amd64"
        date = str(src.get("date", ""))
        date = date if len(date) == 10 and date[4] == "-" and date[7] == "-" else ""
        paths = fam.spec.get("match", {}).get("paths") or [""]
        path = fig.get("path", paths[0])
        found = []
        for tag in (fig.get("tag"), fig.get("resolved")):
            if not tag:
                continue
            parsed = _parse_tag(self, fam, tag)
            if parsed is None:
                continue
            key = self._size_key(fam, path, parsed)
            if key is not None:
                found.append((key, date, nbytes, amd64, tag))
        return found

    # -- size keys ------------------------------------------------------------
    def _size_key(self, fam: _Family, path: str, parsed: "_Parsed") -> tuple | None:
        vkey = self._version_key(fam, parsed)
        if vkey is None:
            return None
        return (path, vkey, parsed.key, parsed.captures, parsed.arch)

    def _version_key(self, fam: _Family, parsed: "_Parsed") -> tuple | None:
        if fam.style == "none":
            return ("-",)
        version = parsed.version
        if version is None and fam.spec.get("version", {}).get("latest_sizes"):
            return ("latest",)
        if version is None or version in fam.aliases:
            return None  # moving aliases are never used for sizes
        if fam.style == "release":
            base = version
            if fam.release_dated and len(base) > 9 and base[-9] == "-" and _is_date(base[-8:]):
                base = base[:-9]
            for rset in fam.release_sets:
                code = self.number_to_codename.get(rset, {}).get(base)
                if code:
                    return ("release", code)
            if base in self.release_suites.get("debian", ()) and "debian" in fam.release_sets:
                return None  # suites move like aliases
            return ("release", base)
        base = version.split("-", 1)[0]
        comps = base.split(".")
        head = []
        for comp in comps[: fam.precision]:
            digits = ""
            for ch in comp:
                if ch in _DIGITS:
                    digits += ch
                else:
                    break
            if not digits:
                return None
            head.append(str(int(digits)))
            if digits != comp:
                break
        if len(head) < fam.precision:
            return None
        return ("num", *head)

    def size_for(self, fam: _Family, path: str, parsed: "_Parsed") -> int | None:
        key = self._size_key(fam, path, parsed)
        if key is None:
            return None
        best: tuple[bool, str] | None = None
        best_bytes: int | None = None
        for fkey, date, nbytes, amd64, _tag in self.sizes_of(fam):
            if fkey != key:
                continue
            rank = (amd64, date)
            if best is None or rank > best:
                best, best_bytes = rank, nbytes
        return best_bytes


def _is_date(text: str) -> bool:
    return len(text) == 8 and all(c in _DIGITS for c in text)


# ---------------------------------------------------------------------------
# reference and tag parsing
# ---------------------------------------------------------------------------


class _Parsed(NamedTuple):
    version: str | None          # version text as written (lower case), alias included
    variant: str                 # variant text as written (lower case), without arch suffix
    key: str                     # normalised variant key, e.g. "slim-{debian}"
    captures: tuple[tuple[str, str], ...]
    arch: str | None


def _token_key(index: _Index, token: str) -> tuple[str, tuple[str, str] | None]:
    if token in index.arch:
        return "{arch}", ("arch", token)
    rset = index.codename_set.get(token)
    if rset is not None:
        return "{" + rset + "}", (rset, token)
    if token and token[0] in _DIGITS and all(c in _NUM_CHARS for c in token):
        return "{num}", ("num", token)
    i = 0
    while i < len(token) and token[i].isalpha() and token[i].isascii():
        i += 1
    rest = token[i:]
    if i and rest and rest[0] in _DIGITS and all(c in _NUM_CHARS for c in rest):
        return token[:i] + "{num}", ("num", rest)
    return token, None


def _normalise(index: _Index, text: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    if text == "":
        return "", ()
    tokens = text.split("-")
    if any(t == "" for t in tokens):
        return None
    keys = []
    caps = []
    for tok in tokens:
        k, cap = _token_key(index, tok)
        keys.append(k)
        if cap is not None:
            caps.append(cap)
    return "-".join(keys), tuple(caps)


def _is_numeric_version(fam: _Family, text: str) -> bool:
    base, sep, suffix = text.partition("-")
    if not base or base[0] not in _DIGITS or len(base) > 40:
        return False
    if any(c not in _VERSION_CHARS for c in base):
        return False
    if not sep:
        return True
    for word in fam.suffix_words:
        if suffix == word:
            return True
        if suffix.startswith(word):
            rest = suffix[len(word):]
            if rest[:1] in (".", "-"):
                rest = rest[1:]
            if rest and all(c in _DIGITS for c in rest):
                return True
    return False


def _is_release_version(index: _Index, fam: _Family, text: str) -> bool:
    def plain(t: str) -> bool:
        for rset in fam.release_sets:
            if t in index.release_codenames.get(rset, {}) or t in index.release_suites.get(rset, ()):
                return True
        if fam.release_numeric and t and t[0] in _DIGITS and all(c in _NUM_CHARS for c in t):
            return True
        return False

    if plain(text):
        return True
    if fam.release_dated and len(text) > 9 and text[-9] == "-" and _is_date(text[-8:]):
        return plain(text[:-9])
    return False


def _is_version(index: _Index, fam: _Family, text: str) -> bool:
    if fam.style == "none":
        return False
    if fam.style == "release":
        return _is_release_version(index, fam, text)
    return _is_numeric_version(fam, text)


def _resolve_variant(index: _Index, fam: _Family, version: str | None, text: str) -> _Parsed | None:
    arch = None
    if fam.arch_suffix:
        head, _, last = text.rpartition("-")
        if last in index.arch:
            text, arch = head, last
        elif text in index.arch:
            text, arch = "", text
    norm = _normalise(index, text)
    if norm is None:
        return None
    key, caps = norm
    if key not in fam.variants:
        return None
    return _Parsed(version, text, key, caps, arch)


def _parse_tag(index: _Index, fam: _Family, tag: str) -> _Parsed | None:
    # aliases: "latest", "lts", "lts-slim", "stable-alpine", ...
    for alias in fam.aliases:
        if tag == alias:
            return _resolve_variant(index, fam, None if alias == "latest" else alias, "")
        if tag.startswith(alias + "-"):
            got = _resolve_variant(index, fam, None if alias == "latest" else alias, tag[len(alias) + 1:])
            if got is not None:
                return got
    # version, then version-variant at every '-' split point from the left
    cuts = [i for i, c in enumerate(tag) if c == "-"] + [len(tag)]
    for cut in cuts:
        version = tag[:cut]
        if not _is_version(index, fam, version):
            continue
        got = _resolve_variant(index, fam, version, tag[cut + 1:])
        if got is not None:
            return got
    if fam.versionless:
        return _resolve_variant(index, fam, None, tag)
    return None


class _Ref(NamedTuple):
    head: str            # what precedes the family path as written ("", "docker.io/library/", "mcr.microsoft.com/")
    path: str            # family path as written ("python", "dotnet/sdk", "distroless/static")
    family: _Family
    image: str           # canonical image path for multi-image families ("static", "node", "dotnet/sdk"), else ""
    tag: str | None      # lower case, None if absent


def _split(reference: Any) -> tuple[str, str | None, str | None] | None:
    """-> (name as written, tag lower-cased or None, digest or None)."""
    if not isinstance(reference, str):
        return None
    ref = reference.strip()
    if not ref or len(ref) > _MAX_REFERENCE or "$" in ref:
        return None
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in ref):
        return None
    name_tag, at, digest = ref.partition("@")
    if at:
        algo, colon, hexpart = digest.partition(":")
        if not colon or not algo or not hexpart or "@" in hexpart:
            return None
        if not all(c.isascii() and (c.isalnum() or c in "+._-") for c in algo):
            return None
        if not all(c in _HEX for c in hexpart.lower()):
            return None
    slash = name_tag.rfind("/")
    colon = name_tag.rfind(":")
    tag: str | None = None
    name = name_tag
    if colon > slash:
        name, tag = name_tag[:colon], name_tag[colon + 1:].lower()
        if not tag or len(tag) > _MAX_TAG or tag[0] in ".-" or any(c not in _TAG_CHARS for c in tag):
            return None
    if not name:
        return None
    return name, tag, (digest if at else None)


def _resolve_name(index: _Index, name: str, tag: str | None, digest: str | None) -> _Ref | None:
    parts = name.split("/")
    if any(p == "" for p in parts):
        return None
    first = parts[0].lower()
    registry = None
    if len(parts) > 1 and ("." in first or ":" in first or first == "localhost"):
        registry = first
        path_parts = parts[1:]
    else:
        path_parts = parts
    lowered = [p.lower() for p in path_parts]
    for p in lowered:
        if any(c not in _NAME_CHARS for c in p) or p[0] in "._-":
            return None
    if registry is not None and any(c not in _NAME_CHARS and c != ":" for c in registry):
        return None

    if registry is None and lowered == ["scratch"]:
        if index.scratch is None or tag is not None or digest is not None:
            return None
        return _Ref("", name, index.scratch, "", None)

    if registry is None or registry in index.hub_registries:
        if not (len(lowered) == 1 or (len(lowered) == 2 and lowered[0] == "library")):
            return None  # a user namespace (myorg/python) is not the official image
        fam = index.hub.get(lowered[-1])
        if fam is None:
            return None
        written_path = path_parts[-1]
        return _Ref(name[: len(name) - len(written_path)], written_path, fam, "", tag)

    for fam in index.other:
        match = fam.spec.get("match", {})
        if match.get("registry") != registry:
            continue
        if "namespace" in match:
            if len(lowered) != 2 or lowered[0] != match["namespace"]:
                continue
            image = lowered[1]
            if not fam.images_any:
                norm = _normalise(index, image)
                if norm is None or norm[0] not in fam.image_keys:
                    continue
            written_path = "/".join(path_parts)
            return _Ref(name[: len(name) - len(written_path)], written_path, fam, image, tag)
        paths = match.get("paths", ())
        joined = "/".join(lowered)
        if joined in paths:
            written_path = "/".join(path_parts)
            return _Ref(name[: len(name) - len(written_path)], written_path, fam, joined, tag)
    return None


# ---------------------------------------------------------------------------
# suggestion building
# ---------------------------------------------------------------------------


def _fill(template: str, captures: tuple[tuple[str, str], ...], release: str | None) -> str | None:
    queues: dict[str, list[str]] = {}
    for name, value in captures:
        queues.setdefault(name, []).append(value)
    out = []
    i = 0
    while i < len(template):
        if template[i] == "{":
            j = template.find("}", i)
            if j < 0:
                return None
            name = template[i + 1:j]
            if name == "release":
                if release is None:
                    return None
                out.append(release)
            else:
                q = queues.get(name)
                if not q:
                    return None
                out.append(q.pop(0))
            i = j + 1
        else:
            out.append(template[i])
            i += 1
    return "".join(out)


def _release_set(index: _Index, fam: _Family, version: str | None) -> str | None:
    if version is None:
        return None
    base = version
    if len(base) > 9 and base[-9] == "-" and _is_date(base[-8:]):
        base = base[:-9]
    for rset in fam.release_sets:
        if base in index.release_codenames.get(rset, {}) or base in index.release_suites.get(rset, ()):
            return rset
        if base in index.number_to_codename.get(rset, {}):
            return rset
    return None


def _suggest(index: _Index, ref: _Ref, parsed: _Parsed, spec_v: dict[str, Any]) -> str | None:
    fam = ref.family
    specs = spec_v.get("smaller")
    if not specs:
        return None
    if isinstance(specs, dict):
        specs = [specs]
    version = parsed.version
    if version is not None and version in fam.spec.get("version", {}).get("no_smaller", ()):
        return None
    if version is None and "latest" in fam.alias_rewrite:
        version = fam.alias_rewrite["latest"]
    rset = _release_set(index, fam, version) if fam.style == "release" else None
    for spec in specs:
        when = spec.get("when_release")
        if when is not None and when != rset:
            continue
        if spec.get("same_variant"):
            new_variant: str | None = parsed.variant
        else:
            new_variant = _fill(spec.get("tag", ""), parsed.captures, version)
        if new_variant is None:
            return None
        if parsed.arch:
            new_variant = f"{new_variant}-{parsed.arch}" if new_variant else parsed.arch
        if spec.get("keep_version", True):
            if version is None:
                if not fam.versionless or not new_variant:
                    return None
                tag = new_variant
            else:
                tag = f"{version}-{new_variant}" if new_variant else version
        else:
            if not new_variant:
                return None
            tag = new_variant
        repo = spec.get("repo")
        if isinstance(repo, dict):
            repo = repo.get(ref.image or ref.path.lower())
            if repo is None:
                return None
        path = repo if repo else ref.path
        return f"{ref.head}{path}:{tag}"
    return None


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def _analyze(reference: str, with_smaller: bool) -> ImageInfo | None:
    index = _index()
    split = _split(reference)
    if split is None:
        return None
    name, tag, digest = split
    ref = _resolve_name(index, name, tag, digest)
    if ref is None:
        return None
    fam = ref.family
    parsed = _parse_tag(index, fam, tag if tag is not None else "latest") if fam is not index.scratch \
        else _Parsed(None, "", "", (), None)
    if parsed is None:
        return None
    spec_v = fam.variants.get(parsed.key, {})
    smaller = _suggest(index, ref, parsed, spec_v) if spec_v.get("full") else None
    is_full = bool(spec_v.get("full")) and smaller is not None
    size = index.size_for(fam, ref.image, parsed)
    smaller_size = None
    if with_smaller and smaller is not None:
        other = _analyze(smaller, with_smaller=False)
        smaller_size = other.size_bytes if other is not None else None
    variant = parsed.variant if parsed.arch is None else (
        f"{parsed.variant}-{parsed.arch}" if parsed.variant else parsed.arch)
    return ImageInfo(
        reference=reference,
        family=fam.name,
        kind=fam.kind,
        version=parsed.version,
        variant=variant,
        is_full=is_full,
        smaller=smaller,
        size_bytes=size,
        smaller_size_bytes=smaller_size,
        default_user=default_user(reference),
        shell=spec_v.get("shell", fam.shell),
    )


def lookup(reference: str) -> ImageInfo | None:
    """Describe the base image named by ``reference`` (a FROM operand after substitution).

    Returns None for anything that is not a modelled official image: another registry or a
    user namespace, an unknown family, tag or variant, a tag still holding ``$``.
    Never raises.
    """
    return _remembered(_LOOKUPS, reference, _analyze_with_smaller)


def _analyze_with_smaller(reference: str) -> ImageInfo | None:
    return _analyze(reference, with_smaller=True)


def _remembered(answers: dict, reference: Any, answer: Callable[[str], Any]) -> Any:
    """`answer(reference)`, kept in `answers`; None for a non-string or when it raises."""
    if not isinstance(reference, str):
        return None
    if reference in answers:
        return answers[reference]
    try:
        found = answer(reference)
    except Exception:  # pragma: no cover - defensive: the public lookups never raise
        found = None
    if len(answers) >= 1024:
        answers.clear()  # bounded: references are few per file, but files are many
    answers[reference] = found
    return found


# answers by reference: the tables never change, and rules ask about the same base image
# for every RUN of a stage (20,000 RUNs asked 20,000 times)
_LOOKUPS: dict = {}
_DEFAULT_USERS: dict = {}
_STEPS_DOWN: dict = {}


def family_of(reference: str) -> str | None:
    """The family key of ``reference`` ("python", "gcr.io/distroless", ...) without checking the tag."""
    try:
        split = _split(reference)
        ref = _resolve_name(_index(), *split) if split is not None else None
        return ref.family.name if ref is not None else None
    except Exception:  # pragma: no cover
        return None


def tag_of(reference: str) -> str | None:
    """The tag as written (`nginx:1.27-alpine` -> `1.27-alpine`); None without one, with a digest."""
    return split[1] if (split := _split(reference)) is not None and split[2] is None else None


def resolved_tag(reference: str) -> str | None:
    """The tag the image table saw ``reference``'s exact tag resolve to, from the newest
    figure that records it (``python:3.12-slim`` -> ``3.12.13-slim-trixie``); None when
    none does, for moving aliases and suites (``latest``, ``stable``: kept for the record
    only), and with a digest, which pins an image the tag may have left long ago."""
    return _remembered(_RESOLVED, reference, _resolved)


def _resolved(reference: str) -> str | None:
    index, split = _index(), _split(reference)
    ref = _resolve_name(index, *split) if split and split[1] and not split[2] else None
    parsed = _parse_tag(index, ref.family, ref.tag) if ref and ref.family is not index.scratch else None
    if parsed is None or index._size_key(ref.family, ref.image, parsed) is None:
        return None
    figures = [fig for fig in ref.family.spec.get("sizes", ()) if fig.get("tag") == ref.tag and fig.get("resolved")]
    ranked = [((index.sources.get(fig.get("source"), {}).get("platform") == "linux/amd64",
                str(index.sources.get(fig.get("source"), {}).get("date", ""))), fig["resolved"]) for fig in figures]
    return max(ranked)[1] if ranked else None


_RESOLVED: dict = {}


def releases() -> dict[str, Any]:
    """Distribution codenames and version numbers (`debian`, `ubuntu`) from the table."""
    return _data().get("releases", {})


# ---------------------------------------------------------------------------
# default users
# ---------------------------------------------------------------------------


class _Users:
    """default_users.json, indexed: exact repositories, `prefix/*` ones, and the names that
    stand for Docker Hub."""

    __slots__ = ("images", "globs", "mirrors", "arch_namespaces", "windows_words")

    def __init__(self, data: dict[str, Any]) -> None:
        images = data.get("images", {})
        self.images = {key: entry for key, entry in images.items() if not key.endswith("/*")}
        self.globs = {key[:-2]: entry for key, entry in images.items() if key.endswith("/*")}
        self.mirrors = frozenset(data.get("docker_hub_mirrors", {}).get("registries", ()))
        self.arch_namespaces = frozenset(data.get("architecture_namespaces", {}).get("names", ()))
        self.windows_words = frozenset(data.get("windows_tags", ()))


@functools.cache
def _users() -> _Users:
    return _Users(json.loads(_read_data_text(_USERS_FILE)))


def _repository(users: _Users, name: str) -> str:
    """`name` as the users table keys it: lower case, without Docker Hub's registry (or a
    mirror of it), `library/` or an architecture namespace (`arm64v8/python` is `python`)."""
    parts = name.lower().split("/")
    first = parts[0]
    if len(parts) > 1 and ("." in first or ":" in first or first == "localhost"):
        if first not in _index().hub_registries and first not in users.mirrors:
            return "/".join(parts)
        parts = parts[1:]
    if len(parts) == 2 and (parts[0] == "library" or parts[0] in users.arch_namespaces):
        parts = parts[1:]
    return "/".join(parts)


def _has_words(words: list[str], wanted: list[str]) -> bool:
    size = len(wanted)
    return any(words[i:i + size] == wanted for i in range(len(words) - size + 1))


def _rule_matches(rule: dict[str, Any], tag: str, words: list[str]) -> bool:
    if tag in rule.get("is", ()):
        return True
    if any(_has_words(words, seq.split("-")) for seq in rule.get("has", ())):
        return True
    first = words[0]
    return any(first == v or first.startswith(v + ".") for v in rule.get("versions", ()))


def _user_for_tag(users: _Users, entry: dict[str, Any], tag: str) -> str | None:
    words = tag.split("-")
    for rule in entry.get("tags", ()):
        if _rule_matches(rule, tag, words):
            return rule["user"]
    if users.windows_words.intersection(words):
        return None  # Windows images have their own accounts; only an explicit rule knows them
    return entry["user"]


def _user_entry(reference: str) -> tuple[_Users, dict[str, Any], str] | None:
    """The users table, the entry of `reference`'s repository and its tag, or None."""
    split = _split(reference)
    if split is None:
        return None
    name, tag, _digest = split
    users = _users()
    repository = _repository(users, name)
    entry = users.images.get(repository)
    if entry is None:
        entry = users.globs.get(repository.rpartition("/")[0])
    if entry is None:
        return None
    return users, entry, tag or "latest"


def _default_user(reference: str) -> str | None:
    found = _user_entry(reference)
    return _user_for_tag(*found) if found is not None else None


def _steps_down(reference: str) -> str | None:
    found = _user_entry(reference)
    return found[1].get("steps_down") if found is not None and _user_for_tag(*found) == "root" else None


def default_user(reference: str) -> str | None:
    """The user a container of the base image ``reference`` starts as, from its published
    Dockerfile or image config: ``"root"`` (uid 0), a non-root user as the image sets it
    (``"node"``, ``"65532"``, ``"1000:0"``), or None when dfslim has no sourced data for the
    image or tag (a vendor or company image, a Windows tag, a reference holding ``$``).

    Tags that change the user are honoured (``:nonroot``, ``-chiseled``, ``dind-rootless``).
    Never raises.
    """
    return _remembered(_DEFAULT_USERS, reference, _default_user)


def entrypoint_steps_down(reference: str) -> str | None:
    """The service user the base image's own entrypoint drops to when it starts as root
    (``"postgres"`` for ``postgres:16``, whose entrypoint runs the server through gosu), or
    None when the table does not say so. Never raises.
    """
    return _remembered(_STEPS_DOWN, reference, _steps_down)
