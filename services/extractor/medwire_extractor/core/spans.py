"""Which characters of a text some span already covers, so that "is this mention inside or across
one already taken" costs the mention's own length, not the number of mentions taken: a name
repeated 30,000 times was 30,000² comparisons (38 s) when each check walked a list of spans."""

from __future__ import annotations

from collections.abc import Iterable

Span = tuple[int, int]


class Coverage:
    def __init__(self, length: int, spans: Iterable[Span] = ()) -> None:
        self._covered = bytearray(max(0, length))
        for start, end in spans:
            self.add(start, end)

    def add(self, start: int, end: int) -> None:
        start, end = max(0, start), min(len(self._covered), end)
        if end > start:
            self._covered[start:end] = b"\x01" * (end - start)

    def covers(self, i: int) -> bool:
        """Whether character `i` lies in a span added (`s <= i < e` for some span)."""
        return 0 <= i < len(self._covered) and self._covered[i] == 1

    def overlaps(self, start: int, end: int) -> bool:
        """Whether `[start, end)` shares a character with a span added."""
        return 1 in self._covered[max(0, start) : max(0, end)]
