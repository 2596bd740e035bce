"""Published sites: a project's chosen version served at ``<slug>.<sites domain>``, and the rules of
slugs and of the ``Host`` headers that name them.

A slug is one DNS label, so it is the whole host name part a site owns: lowercase ``a-z0-9-``, 3 to 63
characters, no hyphen at either end, no ``--`` in the third and fourth places (reserved for
internationalised labels such as ``xn--``), and none of the names an operator keeps for itself.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import msgspec

from vibe.domain.errors import InvalidInputError
from vibe.domain.projects import FileEntry

__all__ = [
    "MAX_SLUG_CHARS",
    "MIN_SLUG_CHARS",
    "RESERVED_SLUGS",
    "PublishedSite",
    "SiteTable",
    "Slug",
    "slug_of_host",
]

MIN_SLUG_CHARS = 3
MAX_SLUG_CHARS = 63
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")

# Names an operator may want for itself under the sites domain, or that users would take for official.
RESERVED_SLUGS = frozenset(
    {
        "www", "api", "admin", "app", "apps", "mail", "email", "smtp", "imap", "pop", "pop3", "ftp",
        "sftp", "ssh", "ns", "ns1", "ns2", "ns3", "dns", "mx", "cdn", "static", "assets", "media",
        "status", "help", "support", "docs", "blog", "dashboard", "login", "logout", "signin",
        "signup", "auth", "oauth", "sso", "account", "accounts", "billing", "pay", "payments",
        "security", "root", "system", "vibe", "site", "sites", "preview", "previews", "share",
        "localhost", "internal", "intranet", "webmail", "autoconfig", "autodiscover", "wpad",
        "mta-sts", "dev", "test", "staging", "prod", "beta", "new", "old", "web", "host",
        "hostmaster", "postmaster", "webmaster", "abuse", "noc", "official",
    }
)  # fmt: skip


class Slug:
    @staticmethod
    def parse(raw: object) -> str:
        """The slug itself when ``raw`` is a valid, unreserved one; InvalidInputError otherwise."""
        if not isinstance(raw, str) or not MIN_SLUG_CHARS <= len(raw) <= MAX_SLUG_CHARS:
            raise InvalidInputError(
                f"A slug is {MIN_SLUG_CHARS} to {MAX_SLUG_CHARS} characters.", field="slug"
            )
        if not _LABEL.fullmatch(raw):
            raise InvalidInputError(
                "A slug holds lowercase letters a-z, digits and hyphens, and neither starts nor ends "
                "with a hyphen.",
                field="slug",
            )
        if raw[2:4] == "--":
            raise InvalidInputError("A slug must not have '--' in its third and fourth places.", field="slug")
        if raw in RESERVED_SLUGS:
            raise InvalidInputError(f"The slug '{raw}' is reserved; choose another.", field="slug")
        return raw

    @staticmethod
    def from_name(name: str, fallback: str) -> str:
        """A valid slug read from a project's name (``"Café Menu!"`` -> ``"cafe-menu"``); ``fallback``
        (itself valid) when the name gives none, as one in another script does."""
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
        slug = slug[:50].rstrip("-")
        try:
            return Slug.parse(slug)
        except InvalidInputError:
            return fallback

    @staticmethod
    def numbered(base: str, n: int) -> str:
        """``base`` with ``-n`` appended, cut so that it stays a label (the n-th try of a free slug)."""
        suffix = f"-{n}"
        return base[: MAX_SLUG_CHARS - len(suffix)].rstrip("-") + suffix


class PublishedSite(msgspec.Struct, frozen=True, kw_only=True):
    """A project's site: which version it serves under which slug, since when."""

    project_id: str
    owner_id: str
    slug: str
    version: int
    published_at: datetime

    def url(self, domain: str, scheme: str = "https") -> str:
        return f"{scheme}://{self.slug}.{domain}/"


class SiteTable(msgspec.Struct, frozen=True, kw_only=True):
    """What serving a site needs, kept in the read cache: its version's files, without their bytes."""

    project_id: str
    slug: str
    version: int
    files: dict[str, FileEntry]


def slug_of_host(host: bytes, domain: bytes) -> str | None:
    """The slug a raw ``Host`` header names under ``domain`` (lowercase, without a trailing dot).

    Host names are case-insensitive and may end with the root's dot; a port is dropped. Returns
    ``""`` for a host inside the sites domain that names no site (the bare domain, a nested
    subdomain, a label that cannot be a slug), and None for a host outside it (the app's)."""
    name = host.rpartition(b":")[0] if host.count(b":") == 1 else host
    name = name.lower()
    if name.endswith(b"."):
        name = name[:-1]
    if name == domain:
        return ""
    if not name.endswith(domain) or name[-len(domain) - 1 : -len(domain)] != b".":
        return None
    label = name[: -len(domain) - 1]
    try:
        return Slug.parse(label.decode("ascii"))
    except (UnicodeDecodeError, InvalidInputError):
        return ""
