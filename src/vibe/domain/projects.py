"""Projects, their immutable numbered versions, and the rules every stored file path must follow.

The path and size rules here are shared by the HTTP API, the version store and the generation tools,
so a path the model may write is exactly a path a project may hold.
"""

from __future__ import annotations

import enum
import hashlib
import posixpath
import unicodedata
from collections.abc import Mapping
from datetime import datetime

import msgspec

from vibe.domain.assets import ASSET_TYPES
from vibe.domain.errors import InvalidInputError, NotFoundError
from vibe.domain.titles import title_of

__all__ = [
    "CONTENT_TYPES",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_PATH_CHARS",
    "MAX_VERSION_BYTES",
    "FileEntry",
    "Project",
    "ProjectName",
    "ProjectPath",
    "Version",
    "Visibility",
    "check_file_set",
    "content_type_for",
    "sha256_hex",
]

MAX_PATH_CHARS = 255
MAX_FILES = 100
MAX_FILE_BYTES = 1024 * 1024
MAX_VERSION_BYTES = 5 * 1024 * 1024
MAX_NAME_CHARS = 120
MAX_DESCRIPTION_CHARS = 2000

# Known text types, served with exactly these headers. Everything else is refused.
CONTENT_TYPES: Mapping[str, str] = {
    "html": "text/html; charset=utf-8",
    "htm": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "mjs": "text/javascript; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "map": "application/json; charset=utf-8",
    "webmanifest": "application/manifest+json; charset=utf-8",
    "svg": "image/svg+xml; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}

# Characters that break URLs, zips or shells, or that no editor shows honestly.
_FORBIDDEN_CHARS = frozenset('\\:*?"<>|#%')


class Visibility(enum.StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_type_for(path: str) -> str:
    """The exact Content-Type of a path that ``ProjectPath.parse`` (or ``parse_any``) accepted."""
    ext = path.rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES.get(ext) or ASSET_TYPES[ext]


class ProjectPath:
    """Relative, normalised, known-type paths; ``parse`` is idempotent."""

    @staticmethod
    def parse(raw: str) -> str:
        """A text file's path (what the model may write)."""
        return ProjectPath._parse(raw, assets=False)

    @staticmethod
    def parse_any(raw: str) -> str:
        """A path a project may hold: a text file or a binary asset (images, fonts)."""
        return ProjectPath._parse(raw, assets=True)

    @staticmethod
    def _parse(raw: str, *, assets: bool) -> str:
        if not isinstance(raw, str) or not raw:
            raise InvalidInputError("A file path is required.", field="path")
        path = unicodedata.normalize("NFC", raw)
        if len(path) > MAX_PATH_CHARS:
            raise InvalidInputError(f"A file path is at most {MAX_PATH_CHARS} characters.", field="path")
        if path[0] in "/\\":
            raise InvalidInputError("A file path must be relative (no leading / or \\).", field="path")
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in path):
            raise InvalidInputError("A file path must not hold control characters.", field="path")
        if bad := sorted(_FORBIDDEN_CHARS.intersection(path)):
            raise InvalidInputError(f"A file path must not hold {' '.join(bad)}.", field="path")
        segments = [s for s in path.split("/") if s not in ("", ".")]
        if ".." in segments:
            raise InvalidInputError("A file path must stay inside the project (no '..').", field="path")
        if not segments or any(s != s.strip() for s in segments):
            raise InvalidInputError(
                "A file path must name a file, without spaces around its parts.", field="path"
            )
        normalized = posixpath.join(*segments)
        name = segments[-1]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""
        if ext not in CONTENT_TYPES and not (assets and ext in ASSET_TYPES):
            if ext in ASSET_TYPES:
                raise InvalidInputError(
                    f"'{name}' is a binary asset: it is uploaded (PUT .../files/{{path}}), "
                    "never written as text.",
                    field="path",
                )
            known = ", ".join(sorted(CONTENT_TYPES))
            raise InvalidInputError(f"'{name}' is not a known text file type (known: {known}).", field="path")
        return normalized


def check_file_set(files: Mapping[str, str]) -> None:
    """Refuse a version that breaks the count or size limits (paths are checked on their own)."""
    if len(files) > MAX_FILES:
        raise InvalidInputError(f"A version holds at most {MAX_FILES} files.", field="files")
    total = 0
    for path, content in files.items():
        size = len(content.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            raise InvalidInputError(f"'{path}' is larger than {MAX_FILE_BYTES} bytes.", field="files")
        total += size
    if total > MAX_VERSION_BYTES:
        raise InvalidInputError(f"A version holds at most {MAX_VERSION_BYTES} bytes.", field="files")


class ProjectName:
    @staticmethod
    def parse(raw: str) -> str:
        value = " ".join(unicodedata.normalize("NFC", raw).split())
        if not value or len(value) > MAX_NAME_CHARS:
            raise InvalidInputError(f"A project name is 1 to {MAX_NAME_CHARS} characters.", field="name")
        return value

    @staticmethod
    def parse_description(raw: str) -> str:
        value = unicodedata.normalize("NFC", raw.strip())
        if len(value) > MAX_DESCRIPTION_CHARS:
            raise InvalidInputError(
                f"A description is at most {MAX_DESCRIPTION_CHARS} characters.", field="description"
            )
        return value

    @staticmethod
    def from_prompt(prompt: str, limit: int = 60) -> str:
        """A short title for a new project, read from its prompt: the subject and its name, in the
        prompt's language ("Bakery in Paris", "巴黎面包店"), never the prompt cut off."""
        return title_of(prompt)[:limit].strip() or "Untitled site"


class Project(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    owner_id: str
    name: str
    description: str
    visibility: Visibility
    current_version: int
    created_at: datetime
    updated_at: datetime

    def readable_by(self, user_id: str | None) -> bool:
        return self.visibility is Visibility.PUBLIC or self.owner_id == user_id

    def with_changes(
        self,
        now: datetime,
        *,
        name: str | None = None,
        description: str | None = None,
        visibility: Visibility | None = None,
    ) -> Project:
        return msgspec.structs.replace(
            self,
            name=self.name if name is None else name,
            description=self.description if description is None else description,
            visibility=self.visibility if visibility is None else visibility,
            updated_at=now,
        )

    def next_version(self, now: datetime) -> Project:
        return msgspec.structs.replace(self, current_version=self.current_version + 1, updated_at=now)

    def check_version(self, number: int | None) -> int:
        """Resolve ``?version=N`` (None means current, 0 while the project is empty); a version that
        does not exist is refused, and versions start at 1."""
        if number is None:
            return self.current_version
        if not 1 <= number <= self.current_version:
            raise NotFoundError(f"Version {number} does not exist.")
        return number


class Version(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    generation_id: str | None
    created_at: datetime
    summary: str


class FileEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One file of a version, without its content; contents live once per SHA-256."""

    path: str
    size: int
    content_type: str
    sha256: str
    width: int | None = None  # pixels, for images
    height: int | None = None

    @property
    def is_asset(self) -> bool:
        return self.path.rsplit(".", 1)[-1].lower() in ASSET_TYPES
