"""A minimal IMAP4rev1 server for tests: LOGIN, SELECT, UID SEARCH/FETCH/STORE, LOGOUT over a real socket.

The company's mail server is outside the project; this one lets the product's imaplib code talk real IMAP
to something we control. One mailbox of (uid → raw mail, seen flag); one user.
"""

from __future__ import annotations

import re
import shlex
import socketserver
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Mailbox:
    user: str = "ar"
    password: str = "s3cret pass"
    folder: str = "INBOX"
    mails: dict[int, bytes] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    commands: list[str] = field(default_factory=list)

    def deliver(self, raw: bytes) -> int:
        uid = max(self.mails, default=0) + 1
        self.mails[uid] = raw
        return uid


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _send(self, text: str | bytes) -> None:
        self.wfile.write(text if isinstance(text, bytes) else text.encode())

    def handle(self) -> None:
        box = self.server.mailbox
        self._send("* OK IMAP4rev1 test server ready\r\n")
        authenticated = False
        while line := self.rfile.readline():
            text = line.decode().rstrip("\r\n")
            box.commands.append(text)
            tag, _, rest = text.partition(" ")
            words = (shlex.split(rest) if rest.upper().startswith("LOGIN") else rest.split()) or [""]
            command = words[0].upper()
            if command == "CAPABILITY":
                self._send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK CAPABILITY completed\r\n")
            elif command == "LOGIN":
                authenticated = words[1:3] == [box.user, box.password]
                self._send(f"{tag} OK LOGIN completed\r\n" if authenticated
                           else f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
            elif command == "LOGOUT":
                self._send(f"* BYE logging out\r\n{tag} OK LOGOUT completed\r\n")
                return
            elif not authenticated:
                self._send(f"{tag} BAD not authenticated\r\n")
            elif command == "SELECT":
                ok = words[1] == box.folder
                self._send(f"* {len(box.mails)} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen)\r\n"
                           f"{tag} OK [READ-WRITE] SELECT completed\r\n" if ok else f"{tag} NO no such folder\r\n")
            elif command == "UID":
                self._uid(tag, words[1:], box)
            else:
                self._send(f"{tag} BAD unknown command\r\n")

    def _uid(self, tag: str, words: list[str], box: Mailbox) -> None:
        sub = words[0].upper()
        if sub == "SEARCH" and [w.upper() for w in words[1:]] == ["UNSEEN"]:
            unseen = " ".join(str(uid) for uid in sorted(box.mails) if uid not in box.seen)
            self._send(f"* SEARCH{' ' + unseen if unseen else ''}\r\n{tag} OK SEARCH completed\r\n")
        elif sub == "FETCH" and re.fullmatch(r"\(?BODY\.PEEK\[\]\)?", " ".join(words[2:]), re.I):
            uid = int(words[1])
            raw = box.mails[uid]
            self._send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n")
            self._send(f"{tag} OK FETCH completed\r\n")
        elif sub == "STORE" and words[2].upper() == "+FLAGS" and "\\Seen" in " ".join(words[3:]):
            uid = int(words[1])
            box.seen.add(uid)
            self._send(f"* {uid} FETCH (UID {uid} FLAGS (\\Seen))\r\n{tag} OK STORE completed\r\n")
        else:
            self._send(f"{tag} BAD unsupported UID command\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = mailbox


class ImapServer:
    """Start with `with ImapServer() as server:`; `server.port`, `server.mailbox`."""

    def __init__(self, mailbox: Mailbox | None = None) -> None:
        self.mailbox = mailbox or Mailbox()
        self._server = _Server(self.mailbox)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ImapServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
