"""Reading a raw e-mail into plain data: addresses, ids, subject, text body, attachments.

Pure: the stdlib `email` package only (policy.default), no Django import. Mail is input from
outside, so nothing here trusts it: a header that does not parse is read as empty, a charset
Python does not know is read as UTF-8 with replacement characters, an HTML-only mail is turned
into text without running anything, and every list is bounded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import cast

from ardesk.errors import DomainError

MAX_ATTACHMENTS = 20
MAX_REFERENCES = 50
MAX_BODY_CHARS = 200_000
MAX_TOKENS = 500
TAG = re.compile(r"\[(DSP-\d{1,12})\]", re.IGNORECASE)
_MSGID = re.compile(r"<[^<>\s]{1,900}>")
# Candidate invoice numbers: letters, digits and inner - _ / . with at least one digit, 3 to 40 long.
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9](?:[A-Za-z0-9._/-]{1,38})[A-Za-z0-9](?![A-Za-z0-9])")


class NotAMail(DomainError):
    """The bytes are not an e-mail message we can keep (no sender, or nothing at all)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    from_address: str  # lower-cased address only ("sue@southside.example")
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    body: str
    in_reply_to: str
    references: tuple[str, ...]
    attachments: tuple[Attachment, ...] = field(default=())
    dropped_attachments: int = 0  # beyond MAX_ATTACHMENTS

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The ids this mail answers, the direct parent first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids += [ref for ref in reversed(self.references) if ref not in ids]
        return tuple(ids[:MAX_REFERENCES])

    @property
    def domain(self) -> str:
        return domain_of(self.from_address)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower() if "@" in address else ""


def message_ids(value: str) -> tuple[str, ...]:
    """Every <id> in a header value, in order, at most MAX_REFERENCES."""
    return tuple(_MSGID.findall(value or ""))[:MAX_REFERENCES]


def dispute_tags(subject: str) -> list[str]:
    """Dispute numbers tagged in a subject ("Re: [DSP-0000123] …" → ["DSP-0000123"]), upper-cased, in order."""
    seen: list[str] = []
    for tag in TAG.findall(subject or ""):
        if tag.upper() not in seen:
            seen.append(tag.upper())
    return seen


def tagged_subject(subject: str, number: str) -> str:
    """The subject with the dispute's tag in front, once."""
    tag = f"[{number}]"
    return subject if tag.lower() in subject.lower() else f"{tag} {subject}".strip()


def invoice_tokens(text: str, *, limit: int = MAX_TOKENS) -> list[str]:
    """Words of the text that could be invoice numbers (they hold a digit), unique, in order, at most `limit`."""
    found: dict[str, None] = {}
    for match in _TOKEN.finditer(text or ""):
        token = match.group(0)
        if any(ch.isdigit() for ch in token):
            found.setdefault(token, None)
            if len(found) >= limit:
                break
    return list(found)


class _TextOf(HTMLParser):
    """HTML to text: tags dropped, block ends as line breaks, script and style skipped."""

    _BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(self._skip - 1, 0)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, AssertionError):
        # A charset Python does not know ("x-mac-unknown"): read the bytes as UTF-8, never fail on them.
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload or "")
    return content if isinstance(content, str) else content.decode("utf-8", errors="replace")


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError):  # a header policy.default cannot parse
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _addresses(values: Iterable[str]) -> tuple[str, ...]:
    pairs = getaddresses([v for v in values if v])
    return tuple(dict.fromkeys(addr.lower() for _, addr in pairs if "@" in addr))[:MAX_REFERENCES]


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _text_of(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").strip()[:MAX_BODY_CHARS]


def _attachments(msg: EmailMessage, body: Message | None) -> tuple[list[Attachment], int]:
    found: list[Attachment] = []
    dropped = 0
    for part in msg.walk():
        if part is msg or part is body or part.is_multipart():
            continue
        filename = part.get_filename()
        if not filename and part.get_content_disposition() != "attachment":
            continue  # an alternative text part of the body, not a file
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            continue
        if len(found) >= MAX_ATTACHMENTS:
            dropped += 1
            continue
        found.append(Attachment(filename=(filename or "attachment").strip()[:200] or "attachment",
                                content_type=part.get_content_type(), data=data))
    return found, dropped


def fallback_message_id(raw: bytes) -> str:
    """An id for a mail that has none: the same bytes give the same id, so importing twice is still once."""
    return f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.ardesk>"


def parse_mail(raw: bytes) -> ParsedMail:
    """The facts of a raw RFC 5322 message. Refuses (NotAMail) bytes without a sender address."""
    if not raw or not raw.strip():
        raise NotAMail("the e-mail is empty", field="raw")
    msg = cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(raw))  # policy.default builds these
    name, address = parseaddr(_header(msg, "From"))
    if "@" not in address:
        raise NotAMail("not an e-mail message: it has no From address", field="from")
    ids = message_ids(_header(msg, "Message-ID"))
    body_part = msg.get_body(preferencelist=("plain", "html"))
    attachments, dropped = _attachments(msg, body_part)
    reply_to = message_ids(_header(msg, "In-Reply-To"))
    return ParsedMail(
        message_id=ids[0] if ids else fallback_message_id(raw),
        from_address=address.strip().lower(), from_name=name.strip()[:200],
        to=_addresses([_header(msg, "To")]), cc=_addresses([_header(msg, "Cc")]),
        subject=_header(msg, "Subject")[:998], body=_body(msg),
        in_reply_to=reply_to[0] if reply_to else "", references=message_ids(_header(msg, "References")),
        attachments=tuple(attachments), dropped_attachments=dropped,
    )
