"""Bytes → text. Chinese pages often declare the wrong charset (GBK served as UTF-8, Big5 as
UTF-8, UTF-8 declared GBK, nothing declared), so every plausible charset is tried and the one
whose Chinese reads most like real text wins; never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_BAD = re.compile(
    r"[\ue000-\uf8ff\ufffd]"
)  # private use and replacement: a wrong decoding's signature
CANDIDATES = ("utf-8", "gb18030", "big5")
# Never text a page means, and refused by PostgreSQL and UTF-8 (so by every record): NUL (a
# binary or padded page) and lone surrogates (a page that declares a codec like unicode-escape).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    declared: str | None
    repaired: bool  # the declared charset was wrong (or missing and not UTF-8/GB)


@lru_cache(maxsize=1)
def common_hanzi() -> frozenset[str]:
    """The most frequent characters: GB2312 level 1 (3,755 simplified) and Big5's frequent
    block (5,401 traditional), read out of the codecs themselves, so no data file is needed."""
    chars: set[str] = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for hi in range(0xA4, 0xC7):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                chars.add(bytes((hi, lo)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def plausibility(text: str) -> float:
    """Share of the Chinese characters that are common ones, minus private-use/replacement
    (on the first 2,000 Chinese characters: plenty to tell charsets apart)."""
    sample = text[:30000]
    cjk = _CJK.findall(sample, 0)[:2000]
    bad = len(_BAD.findall(sample))
    if not cjk:
        return 0.5 - bad / max(1, len(sample))
    return sum(map(common_hanzi().__contains__, cjk)) / len(cjk) - 5 * bad / len(cjk)


def _norm(name: str | None) -> str | None:
    if not name:
        return None
    resolved = resolve_encoding(name)
    return resolved if resolved else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _best_decoding(body: bytes, order: list[str], declared: str | None) -> tuple[str, str]:
    """The charset among `order` whose strict decoding reads most like real Chinese text."""
    first = _strict(body, order[0])
    if first is not None and order[0] == "utf-8":
        return order[0], first  # non-ASCII GBK/Big5 bytes essentially never form valid UTF-8
    if first is not None and plausibility(first) >= 0.9:
        return order[0], first  # the declaration holds and reads as real text
    scored: list[tuple[float, int, str, str]] = []
    for rank, encoding in enumerate(order):
        text = first if rank == 0 else _strict(body, encoding)
        if text is not None:
            # A declaration breaks near-ties; decoding as strict UTF-8 is strong evidence by itself.
            bonus = 0.02 if encoding == declared else 0.0
            bonus += 0.05 if encoding == "utf-8" and not body.isascii() else 0.0
            scored.append((plausibility(text) + bonus, -rank, encoding, text))
    if scored:
        _, _, encoding, text = max(scored)
        return encoding, text
    fallback = declared or "utf-8"
    return fallback, body.decode(fallback, errors="replace")


def storable(text: str) -> str:
    """The text without NUL, and with U+FFFD for each lone surrogate."""
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def decode_page(body: bytes, content_type: str | None, is_html: bool) -> Decoded:
    decoded = _decode(body, content_type, is_html)
    if _UNSTORABLE.search(decoded.text):
        return Decoded(storable(decoded.text), decoded.encoding, decoded.declared, decoded.repaired)
    return decoded


def _decode(body: bytes, content_type: str | None, is_html: bool) -> Decoded:
    if body.startswith(b"\xef\xbb\xbf"):
        return Decoded(body[3:].decode("utf-8", "replace"), "utf-8", "utf-8", repaired=False)
    header = _norm(http_content_type_encoding(content_type or ""))
    meta = _norm(html_body_declared_encoding(body)) if is_html else None
    declared = header or meta
    order = [e for e in dict.fromkeys([declared, meta, *CANDIDATES]) if e]
    encoding, text = _best_decoding(body, order, declared)
    # Repaired: a browser, which obeys the header first and the <meta> second, would show garbage.
    repaired = declared is not None and not _equivalent(encoding, declared)
    return Decoded(text, encoding, declared, repaired=repaired)


def _equivalent(a: str, b: str | None) -> bool:
    families = ({"gbk", "gb18030", "gb2312"}, {"big5", "big5hkscs", "cp950"})
    return a == b or any(a in f and b in f for f in families)
