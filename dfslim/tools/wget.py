"""wget: which options take a value, and where a download is saved."""

from __future__ import annotations

from dfslim.tools.urls import url_basename

PROGRAMS = frozenset({"wget"})
SHORT_VALUES = frozenset("OoaPtTeUiBwQlARDXI")
LONG_VALUES = frozenset(
    "--output-document --output-file --append-output --directory-prefix --tries --timeout --user --password "
    "--http-user --http-password --header --user-agent --post-data --post-file --body-data --body-file --method "
    "--ca-certificate --ca-directory --certificate --private-key --load-cookies --save-cookies --input-file --base "
    "--wait --quota --level --accept --reject --domains --exclude-directories --include-directories --limit-rate "
    "--referer --execute --dns-timeout --connect-timeout --read-timeout --waitretry --bind-address --progress "
    "--secure-protocol --restrict-file-names --cut-dirs --default-page --max-redirect --proxy-user "
    "--proxy-password --certificate-type --private-key-type --ftp-user --ftp-password".split()
)



def outputs(urls, options, values) -> tuple[list[str], bool]:
    document = values.get("-O", values.get("--output-document"))
    if document is not None:
        return [document], False
    unknown = any(o in options for o in ("-r", "--recursive", "-m", "--mirror", "-i", "--input-file", "--content-disposition"))
    prefix = values.get("-P", values.get("--directory-prefix"))
    outputs = []
    for url in urls:
        name = url_basename(url.text)
        if not name:
            unknown = True
            continue
        outputs.append(prefix.rstrip("/") + "/" + name if prefix else name)
    return outputs, unknown

