"""Who may reach `recruiter serve`: loopback by default; any other address only with RECRUITER_AUTH."""
from __future__ import annotations

import ipaddress
import os
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"


class BindRefused(ValueError):
    pass


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False      # a host name: may resolve to anything


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """RECRUITER_AUTH: ``user:password``, or the path of a file with one ``user:password`` a line."""
    if not value:
        return None
    p = Path(value).expanduser()
    if p.is_file():
        lines = p.read_text(encoding="utf-8").splitlines()
    elif ":" in value:
        lines = [value]
    else:
        raise BindRefused(f"RECRUITER_AUTH must be user:password or the path of a file of user:password "
                          f"lines; {value!r} is neither.")
    pairs = []
    for ln in lines:
        ln = ln.strip()
        if not ln or ln.startswith("#"):
            continue
        user, sep, pw = ln.partition(":")
        if not sep or not user or not pw:
            raise BindRefused("RECRUITER_AUTH entries must look like user:password (both non-empty).")
        pairs.append((user, pw))
    if not pairs:
        raise BindRefused("RECRUITER_AUTH names a file with no user:password lines.")
    return pairs


def check_bind(host: str, env: dict | None = None) -> list[tuple[str, str]] | None:
    """The auth to use for ``host``; refuses a non-loopback host without RECRUITER_AUTH."""
    env = os.environ if env is None else env
    auth = parse_auth(env.get("RECRUITER_AUTH"))
    if not is_loopback(host) and auth is None:
        raise BindRefused(
            f"Refusing to listen on {host}: anyone who can reach this machine could read every CV in the "
            f"store. Set RECRUITER_AUTH=user:password (or the path of a file of user:password lines) to "
            f"require a login, or keep the default --host {DEFAULT_HOST}.")
    return auth
