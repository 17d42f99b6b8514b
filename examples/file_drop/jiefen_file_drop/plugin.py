"""File drop: each outbox message becomes one JSON file in a folder set per partner.

For a partner whose system cannot take a web request but reads a shared folder (a mounted
share, an exchange directory swept by a gateway). Writing is atomic: the file appears under
its final name complete or not at all. The partner answers in Jiefen's partner pages: this
mechanism takes no callbacks.
"""
from __future__ import annotations

import json
import os
import tempfile

from app.plugins import DeliveryError, Mechanism, PluginMetadata, SettingField, _, hookimpl

from jiefen_file_drop import __version__

HERE = os.path.dirname(__file__)


def file_name(message) -> str:
    """``<referral>-<event>-<idempotency key>.json``: a retry rewrites the same file."""
    return f"{message.referral_id}-{message.event}-{message.idempotency_key}.json"


def document(message) -> dict:
    """What the partner's system reads: the event, the ids and the payload as queued."""
    return {
        "event": message.event,
        "idempotency_key": message.idempotency_key,
        "referral_id": message.referral_id,
        "payload": message.payload or {},
    }


def write_atomically(directory: str, name: str, data: bytes) -> None:
    """Write ``data`` to ``directory/name`` through a hidden temporary file and a rename.

    The temporary file lives in the same folder (a rename across file systems is not
    atomic) and starts with a dot, so a partner reading ``*.json`` never sees half a file.
    """
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".jiefen-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o640)  # the partner's reader is in the folder's group
        os.replace(tmp, os.path.join(directory, name))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class FileDropMechanism(Mechanism):
    """One JSON file per message in the partner's drop folder."""

    name = "file_drop"
    label = _("File drop (JSON files in a shared folder)")

    def settings_schema(self):
        """One setting: the partner's drop folder, as seen by the server."""
        return (
            SettingField("directory", _("Drop folder"), required=True,
                         help=_("An absolute path on the Jiefen server, such as /srv/exchange/police. "
                                "The folder must exist and Jiefen must be allowed to write into it.")),
        )

    def validate_settings(self, settings):
        """The folder is an absolute path to an existing folder Jiefen may write into."""
        problems = super().validate_settings(settings)
        directory = str((settings or {}).get("directory") or "").strip()
        if problems or not directory:
            return problems
        if not os.path.isabs(directory):
            return [_("The drop folder must be an absolute path, starting with “/”.")]
        if not os.path.isdir(directory):
            return [_("The drop folder %(path)s does not exist on the server.", path=directory)]
        if not os.access(directory, os.W_OK | os.X_OK):
            return [_("Jiefen may not write into the drop folder %(path)s.", path=directory)]
        return []

    def send(self, message, partner) -> None:
        """Write the message's file; a missing or read-only folder is retried."""
        directory = str((partner.linkage_settings or {}).get("directory") or "").strip()
        if not os.path.isabs(directory):
            # The settings are wrong, not the folder: an administrator fixes them and re-sends.
            raise DeliveryError("file_drop: the partner's drop folder is not an absolute path", retryable=False)
        if not os.path.isdir(directory):
            # A share that is not mounted yet comes back: retry.
            raise DeliveryError("file_drop: the drop folder does not exist")
        data = json.dumps(document(message), ensure_ascii=False, sort_keys=True, indent=2,
                          default=str).encode("utf-8")
        try:
            write_atomically(directory, file_name(message), data)
        except OSError as exc:
            raise DeliveryError(f"file_drop: cannot write into the drop folder ({type(exc).__name__})") from None

    def verify(self, request_headers, body, partner) -> bool:
        """No callback is ever authentic: the partner answers in Jiefen's partner pages."""
        return False


@hookimpl
def plugin_metadata():
    """Version and the core versions this mechanism is written for."""
    return PluginMetadata(version=__version__, requires_core=">=0.1,<0.2",
                          description=_("Referrals as JSON files in a shared folder"))


@hookimpl
def register_linkage_mechanisms():
    """One mechanism: the file drop."""
    return [FileDropMechanism]


@hookimpl
def translation_directories():
    """The example's own catalogues (zh_CN and en)."""
    return [os.path.join(HERE, "translations")]
