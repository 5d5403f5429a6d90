"""curl: which options take a value, and where a download is saved."""

from __future__ import annotations

from dfslim.tools.urls import url_basename

PROGRAMS = frozenset({"curl"})
SHORT_VALUES = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")
LONG_VALUES = frozenset(
    "--output --url --header --user --user-agent --data --data-binary --data-raw --data-urlencode --data-ascii "
    "--form --form-string --request --referer --proxy --proxy-user --cacert --capath --cert --key --cert-type "
    "--key-type --config --connect-timeout --max-time --retry --retry-delay --retry-max-time --max-redirs "
    "--limit-rate --range --resolve --connect-to --output-dir --cookie --cookie-jar --dump-header --continue-at "
    "--write-out --upload-file --interface --local-port --max-filesize --speed-limit --speed-time --time-cond "
    "--tls-max --ciphers --proto --proto-redir --proto-default --pubkey --netrc-file --oauth2-bearer "
    "--expect100-timeout --keepalive-time --dns-servers --noproxy --preproxy --socks5 --socks5-hostname --socks4 "
    "--socks4a --stderr --trace --trace-ascii --unix-socket --abstract-unix-socket --aws-sigv4 --variable --json "
    "--parallel-max --create-file-mode --hsts --alt-svc --etag-save --etag-compare --proxy-header --doh-url "
    "--request-target --pinnedpubkey --crlfile --engine --ftp-port --ftp-method --mail-from --mail-rcpt "
    "--proxy-cacert --proxy-cert --proxy-key --proxy-ciphers".split()
)


def outputs(urls, options, values) -> tuple[list[str], bool]:
    outputs = [value for name, value in values.items() if name in ("-o", "--output")]
    directory = values.get("--output-dir")
    unknown = "-J" in options or "--remote-header-name" in options
    remote = "-O" in options or "--remote-name" in options or "--remote-name-all" in options
    if remote and not unknown:
        for url in urls[len(outputs) :] if outputs else urls:
            name = url_basename(url.text)
            if name:
                outputs.append(name)
            else:
                unknown = True
    if directory:
        outputs = [o if o == "-" or o.startswith("/") else directory.rstrip("/") + "/" + o for o in outputs]
    if not outputs and not remote:
        outputs = ["-"]
    return outputs, unknown

