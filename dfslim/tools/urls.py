"""URLs as downloads name them: host, loopback, the file name they are saved under."""

from __future__ import annotations

import re


def url_basename(url: str) -> str:
    path = url.split("#", 1)[0].split("?", 1)[0]
    if "://" in path:
        path = path.split("://", 1)[1]
        path = path.partition("/")[2]
    return path.rstrip("/").rsplit("/", 1)[-1] if path and not path.endswith("/") else ""



def url_host(url: str) -> str:
    """The lower-case host of a URL (`https://user@Example.com:8443/x` -> `example.com`,
    `http://[::1]:8080/` -> `::1`), "" when it has none."""
    _, separator, rest = url.partition("://")
    if not separator:
        return ""
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    if authority.startswith("["):
        return authority[1:].partition("]")[0].lower()
    return authority.partition(":")[0].lower()


def is_loopback(url: str) -> bool:
    """Whether a URL points at the machine itself: `localhost` (and `*.localhost`),
    `127.x.x.x`, `::1`, `0.0.0.0`."""
    host = url_host(url)
    return host in ("localhost", "::1", "0.0.0.0") or host.endswith(".localhost") or bool(re.fullmatch(r"127(\.\d{1,3}){3}", host))

