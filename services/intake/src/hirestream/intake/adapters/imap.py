"""A blocking IMAP mailbox client (stdlib ``imaplib``), run in a worker thread by the poller.

Messages are read with ``BODY.PEEK[]`` so reading alone never marks them; the caller marks or
moves a message only after its application is durable. The password never appears in logs or
exception texts raised from here.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
from dataclasses import dataclass
from typing import Any

_UID = re.compile(rb"UID (\d+)")


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    ssl: bool
    user: str
    password: str
    folder: str = "INBOX"
    processed_folder: str = ""
    refused_folder: str = ""

    def __repr__(self) -> str:  # never the password
        return f"MailboxConfig({self.user}@{self.host}:{self.port}/{self.folder})"


class MailboxError(Exception):
    """The mailbox cannot be reached or used now; try again later."""


class ImapMailbox:
    def __init__(self, config: MailboxConfig) -> None:
        self._config = config
        self._conn: imaplib.IMAP4 | None = None
        self.supports_idle = False

    def connect(self) -> None:
        config = self._config
        try:
            conn: imaplib.IMAP4 = (
                imaplib.IMAP4_SSL(config.host, config.port, timeout=30)
                if config.ssl
                else imaplib.IMAP4(config.host, config.port, timeout=30)
            )
            conn.login(config.user, config.password)
            self._check(conn.select(_quote(config.folder)))
            for folder in (config.processed_folder, config.refused_folder):
                if folder:
                    conn.create(_quote(folder))  # "already exists" is a NO: harmless
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"IMAP {config!r}: {type(exc).__name__}") from None
        self._conn = conn
        self.supports_idle = "IDLE" in conn.capabilities

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                self._conn.logout()
            self._conn = None

    def interrupt(self) -> None:
        """From another thread: end a blocking IDLE now (on shutdown)."""
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(2)  # SHUT_RDWR

    def _c(self) -> imaplib.IMAP4:
        if self._conn is None:
            self.connect()
        assert self._conn is not None
        return self._conn

    @staticmethod
    def _check(response: tuple[str, list[Any]]) -> list[Any]:
        status, data = response
        if status != "OK":
            raise MailboxError(f"IMAP answered {status}")
        return data

    def unseen(self, limit: int = 50) -> list[tuple[int, bytes]]:
        """Up to ``limit`` messages not yet processed, oldest first, with their raw bytes."""
        try:
            conn = self._c()
            data = self._check(conn.uid("SEARCH", "UNSEEN"))
            raw_uids = data[0] if data and isinstance(data[0], bytes) else b""
            uids = [int(u) for u in raw_uids.split()][:limit]
            found = []
            for uid in uids:
                fetched = self._check(conn.uid("FETCH", str(uid), "(BODY.PEEK[])"))
                for item in fetched:
                    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                        found.append((uid, item[1]))
            return found
        except (imaplib.IMAP4.error, OSError) as exc:
            self.close()
            raise MailboxError(f"IMAP read failed: {type(exc).__name__}") from None

    def mark(self, uid: int, *, refused: bool) -> None:
        """Processed (durable or refused): flag it, or move it when a folder is configured."""
        folder = self._config.refused_folder if refused else self._config.processed_folder
        try:
            conn = self._c()
            flags = "(\\Seen $Refused)" if refused else "(\\Seen)"
            self._check(conn.uid("STORE", str(uid), "+FLAGS", flags))
            if folder:
                self._check(conn.uid("COPY", str(uid), _quote(folder)))
                self._check(conn.uid("STORE", str(uid), "+FLAGS", "(\\Deleted)"))
                conn.expunge()
        except (imaplib.IMAP4.error, OSError) as exc:
            self.close()
            raise MailboxError(f"IMAP mark failed: {type(exc).__name__}") from None

    def idle(self, seconds: float) -> None:
        """Wait until the server announces new mail or ``seconds`` pass (RFC 2177 IDLE)."""
        conn = self._c()
        if not self.supports_idle:
            return
        try:
            tag = conn._new_tag().decode()
            conn.send(f"{tag} IDLE\r\n".encode())
            if not conn.readline().startswith(b"+"):
                raise MailboxError("IDLE refused")
            conn.sock.settimeout(seconds)
            try:
                while b"EXISTS" not in (line := conn.readline()) and line:
                    pass
            except TimeoutError:
                pass
            finally:
                conn.sock.settimeout(30)
                conn.send(b"DONE\r\n")
                while not conn.readline().startswith(tag.encode()):
                    pass
        except (imaplib.IMAP4.error, OSError) as exc:
            self.close()
            raise MailboxError(f"IMAP IDLE failed: {type(exc).__name__}") from None


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
