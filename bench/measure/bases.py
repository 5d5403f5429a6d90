"""The base images the harness builds: Debian root filesystems made with mmdebstrap the way
the official images are made, and two images derived from them with a build.

The official debian images are built by debuerreotype: a minbase debootstrap, the
Docker apt and dpkg settings of `debuerreotype-minimizing-config`, and for `-slim`
the path excludes of `debuerreotype-slimify` (scripts/.slimify-excludes and
.slimify-includes in github.com/debuerreotype/debuerreotype). The settings are
written here from what those scripts configure.
"""

from __future__ import annotations

from typing import NamedTuple

MIRROR = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"

# What debuerreotype-minimizing-config sets (file name -> apt.conf lines).
APT_CONFIG = {
    "docker-clean": (
        'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
        '/var/cache/apt/*.bin || true"; };\n'
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
        '/var/cache/apt/*.bin || true"; };\n'
        'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
    ),
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "docker-no-languages": 'Acquire::Languages "none";\n',
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
}
DPKG_SPEEDUP = "force-unsafe-io\n"
# debuerreotype-slimify: paths dpkg leaves out of -slim images
SLIM_EXCLUDES = (
    "/usr/share/doc/*", "/usr/share/groff/*", "/usr/share/info/*", "/usr/share/linda/*",
    "/usr/share/lintian/overrides/*", "/usr/share/locale/*", "/usr/share/man/*",
)
SLIM_INCLUDES = (
    "/usr/share/doc/*/copyright", "/usr/share/doc/kde/HTML/C/*", "/usr/share/gnome/help/*/C/*",
    "/usr/share/locale/all_languages", "/usr/share/locale/currency/*", "/usr/share/locale/l10n/*",
    "/usr/share/locale/languages", "/usr/share/locale/locale.alias", "/usr/share/omf/*/*-C.emf",
)

# The Debian packages of python:3.12-slim-bookworm (image created 2026-08-05) as listed by
# docker-library/repo-info, repos/python/local/3.12-slim-bookworm.md at commit
# 33cda30be5833831143d1c93663f1ca38d85d049: debian:bookworm-slim plus ca-certificates,
# netbase, tzdata and the runtime libraries the Dockerfile keeps for Python's extension
# modules. Python itself lives in /usr/local and is no Debian package.
PYTHON_SLIM_BOOKWORM = (
    "adduser apt base-files base-passwd bash bsdutils ca-certificates coreutils dash debconf "
    "debian-archive-keyring debianutils diffutils dpkg e2fsprogs findutils gcc-12-base gpgv grep gzip "
    "hostname init-system-helpers libacl1 libapt-pkg6.0 libattr1 libaudit-common libaudit1 libblkid1 "
    "libbz2-1.0 libc-bin libc6 libcap-ng0 libcap2 libcom-err2 libcrypt1 libdb5.3 libdebconfclient0 "
    "libext2fs2 libffi8 libgcc-s1 libgcrypt20 libgdbm6 libgmp10 libgnutls30 libgpg-error0 "
    "libgssapi-krb5-2 libhogweed6 libidn2-0 libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 "
    "liblz4-1 liblzma5 libmd0 libmount1 libncursesw6 libnettle8 libnsl2 libp11-kit0 libpam-modules "
    "libpam-modules-bin libpam-runtime libpam0g libpcre2-8-0 libreadline8 libseccomp2 libselinux1 "
    "libsemanage-common libsemanage2 libsepol2 libsmartcols1 libsqlite3-0 libss2 libssl3 libstdc++6 "
    "libsystemd0 libtasn1-6 libtinfo6 libtirpc-common libtirpc3 libudev1 libunistring2 libuuid1 "
    "libxxhash0 libzstd1 login logsave mawk mount ncurses-base ncurses-bin netbase openssl passwd "
    "perl-base readline-common sed sysvinit-utils tar tzdata usr-is-merged util-linux util-linux-extra "
    "zlib1g"
).split()
PYTHON_SLIM_SOURCE = (
    "docker-library/repo-info repos/python/local/3.12-slim-bookworm.md "
    "(commit 33cda30be5833831143d1c93663f1ca38d85d049, python:3.12.13-slim-bookworm created 2026-08-05)"
)

# The Debian packages of python:3.12-slim-trixie (python:3.12.14-slim-trixie, created
# 2026-09-19), the release `python:3.x-slim` tags resolve to, as listed by
# docker-library/repo-info, repos/python/local/3.12-slim-trixie.md at commit
# 87d2c47713d426149a0b9e05abd3f4e6878051e0 (the `Binary Packages` of its dpkg section).
PYTHON_SLIM_TRIXIE = (
    "adduser apt base-files base-passwd bash bsdutils ca-certificates coreutils dash debconf "
    "debian-archive-keyring debianutils diffutils dpkg findutils gcc-14-base grep gzip hostname "
    "init-system-helpers libacl1 libapt-pkg7.0 libattr1 libaudit-common libaudit1 libblkid1 libbsd0 "
    "libbz2-1.0 libc-bin libc6 libcap-ng0 libcap2 libcrypt1 libdb5.3t64 libdebconfclient0 libffi8 "
    "libgcc-s1 libgdbm6t64 libgmp10 libhogweed6t64 liblastlog2-2 liblz4-1 liblzma5 libmd0 libmount1 "
    "libncursesw6 libnettle8t64 libpam-modules libpam-modules-bin libpam-runtime libpam0g "
    "libpcre2-8-0 libreadline8t64 libseccomp2 libselinux1 libsemanage-common libsemanage2 libsepol2 "
    "libsmartcols1 libsqlite3-0 libssl3t64 libstdc++6 libsystemd0 libtinfo6 libudev1 libuuid1 "
    "libxxhash0 libzstd1 login login.defs mawk mount ncurses-base ncurses-bin netbase openssl "
    "openssl-provider-legacy passwd perl-base readline-common sed sqv sysvinit-utils tar tzdata "
    "util-linux zlib1g"
).split()
PYTHON_SLIM_TRIXIE_SOURCE = (
    "docker-library/repo-info repos/python/local/3.12-slim-trixie.md "
    "(commit 87d2c47713d426149a0b9e05abd3f4e6878051e0, python:3.12.14-slim-trixie created 2026-09-19)"
)


class RootfsBase(NamedTuple):
    """A root filesystem made by mmdebstrap and imported with `podman import`."""

    name: str
    suite: str
    slim: bool
    include: tuple[str, ...]  # packages on top of minbase
    lint_image: str  # the public image it stands for (what dfslim is shown)
    env: tuple[str, ...] = ()


class DerivedBase(NamedTuple):
    """An image built FROM another base (a language runtime added with apt)."""

    name: str
    parent: str
    dockerfile: str  # `{parent}` is replaced by the parent's local image
    files: tuple[str, ...]  # names of the harness files the build context needs
    lint_image: str


ROOTFS_BASES = (
    RootfsBase("debian-bookworm", "bookworm", False, (), "debian:bookworm"),
    RootfsBase("debian-bookworm-slim", "bookworm", True, (), "debian:bookworm-slim"),
    RootfsBase(
        "python-bookworm-slim", "bookworm", True, tuple(PYTHON_SLIM_BOOKWORM), "python:3.11-slim-bookworm",
        ("PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"),
    ),
    RootfsBase("debian-bullseye-slim", "bullseye", True, (), "debian:bullseye-slim"),
    RootfsBase("debian-trixie-slim", "trixie", True, (), "debian:trixie-slim"),
)

# Python from Debian (3.11 on bookworm) in a virtual environment with the newest pip from
# the local index: python:3.x-slim has pip in /usr/local, the cache goes to /root/.cache/pip
# in both. The index URL and the local CA are the harness's (see pyindex.py).
PYTHON_VENV = DerivedBase(
    "python-venv-bookworm",
    "python-bookworm-slim",
    "FROM {parent}\n"
    "COPY local-ca.crt /usr/local/share/ca-certificates/dfslim-measure.crt\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv"
    " && rm -rf /var/lib/apt/lists/* && update-ca-certificates"
    " && python3 -m venv /opt/venv"
    " && /opt/venv/bin/pip install --no-cache-dir --index-url {index} --cert /etc/ssl/certs/ca-certificates.crt"
    " --upgrade pip\n"
    "ENV PATH=/opt/venv/bin:$PATH PIP_INDEX_URL={index} PIP_CERT=/etc/ssl/certs/ca-certificates.crt"
    " PIP_DISABLE_PIP_VERSION_CHECK=1\n",
    ("local-ca.crt",),
    "python:3.11-slim-bookworm",
)

# Node.js and npm from Debian (node 18, npm 9 on bookworm). npm reaches its registry through
# this machine's network, whose TLS certificates the machine's CA bundle signs.
NODE = DerivedBase(
    "node-bookworm-slim",
    "debian-bookworm-slim",
    "FROM {parent}\n"
    "COPY machine-ca.crt /usr/local/share/ca-certificates/machine.crt\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm ca-certificates"
    " && rm -rf /var/lib/apt/lists/*\n"
    "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/machine.crt\n",
    ("machine-ca.crt",),
    "node:18-bookworm-slim",
)

DERIVED_BASES = (PYTHON_VENV, NODE)


def sources(suite: str) -> list[str]:
    """The default sources of the official image of `suite` (main, -updates, -security)."""
    return [
        f"deb {MIRROR} {suite} main",
        f"deb {MIRROR} {suite}-updates main",
        f"deb {SECURITY} {suite}-security main",
    ]


def mmdebstrap_command(base: RootfsBase, tarball: str) -> list[str]:
    command = ["mmdebstrap", "--variant=minbase", "--format=tar", "--quiet"]
    if base.suite != "bullseye":
        # merged /usr as debootstrap (and so debuerreotype) makes it: usr-is-merged, not the
        # usrmerge package with its perl dependencies
        command.append("--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr")
    if base.include:
        command.append("--include=" + ",".join(base.include))
    if base.slim:
        command += [f"--dpkgopt=path-exclude={p}" for p in SLIM_EXCLUDES]
        command += [f"--dpkgopt=path-include={p}" for p in SLIM_INCLUDES]
    hook = ["set -e"]
    for name, text in APT_CONFIG.items():
        hook.append(f"printf '%s' '{text}' > \"$1/etc/apt/apt.conf.d/{name}\"")
    hook.append(f"printf '%s' '{DPKG_SPEEDUP}' > \"$1/etc/dpkg/dpkg.cfg.d/docker-apt-speedup\"")
    # mmdebstrap's own apt settings for the bootstrap are not part of an official image
    hook.append('rm -f "$1/etc/apt/apt.conf.d/99mmdebstrap"')
    # apt-get clean cannot find the caches once docker-clean unsets their names
    hook.append('rm -f "$1"/var/cache/apt/*.bin')
    command.append("--customize-hook=" + "; ".join(hook))
    return command + [base.suite, tarball] + sources(base.suite)
