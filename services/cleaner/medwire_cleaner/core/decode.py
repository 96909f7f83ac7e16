"""Bytes → text: the charset declared by HTTP, then by the page, then detected; never raises."""

from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    declared: str | None
    repaired: bool  # True when the declared charset was wrong or missing and we detected another


def _detect(body: bytes) -> str | None:
    best = from_bytes(body[:65536]).best()
    return best.encoding if best else None


def decode_page(body: bytes, content_type: str | None, is_html: bool) -> Decoded:
    header_enc = http_content_type_encoding(content_type or "")
    declared = header_enc or (html_body_declared_encoding(body) if is_html else None)
    if declared:
        try:
            # w3lib maps gb2312/gbk to gb18030 and latin-1 to cp1252, as browsers do.
            encoding, text = html_to_unicode(content_type or "", body)
            body.decode(encoding)  # strict check: did the declaration hold?
            return Decoded(text, encoding, declared, repaired=False)
        except (UnicodeDecodeError, LookupError):
            pass
    for candidate in ("utf-8", "gb18030"):
        try:
            return Decoded(
                body.decode(candidate), candidate, declared, repaired=declared is not None
            )
        except UnicodeDecodeError:
            continue
    detected = _detect(body) or "utf-8"
    return Decoded(body.decode(detected, errors="replace"), detected, declared, repaired=True)
