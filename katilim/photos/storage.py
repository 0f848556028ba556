"""Where photo files live. One small interface, so that an installation with several app
servers can point it at shared storage (docs/deploy.md: a shared folder over NFS, or an
S3-compatible bucket mounted as a folder); the folder backend is the one implemented here.

Files are written under random names chosen by the server (``new_key``); a key from anywhere
else is checked against that shape before it touches the file system.
"""

import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

KEY_SHAPE = re.compile(r"^[0-9a-f]{32}\.(jpg)$")


class PhotoStorage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...
    def path(self, key: str) -> Path | None: ...
    def delete(self, key: str) -> None: ...


def new_key(extension: str = "jpg") -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def _checked(key: str) -> str:
    if not KEY_SHAPE.match(key):
        raise ValueError("not a photo key")
    return key


class FolderStorage:
    """Files in one folder, spread over 256 sub-folders by the key's first two characters."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _file(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key

    def save(self, key: str, data: bytes) -> None:
        target = self._file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def path(self, key: str) -> Path | None:
        try:
            target = self._file(key)
        except ValueError:
            return None
        return target if target.is_file() else None

    def delete(self, key: str) -> None:
        try:
            self._file(key).unlink(missing_ok=True)
        except ValueError:
            return


def storage() -> PhotoStorage:
    """The configured storage (KATILIM_UPLOAD_DIR, by default instance/uploads)."""
    return FolderStorage(current_app.config["UPLOAD_DIR"])
