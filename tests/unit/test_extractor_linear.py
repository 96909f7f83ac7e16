"""Extraction work grows linearly with the text (#20, Deliver 4): a name repeated thousands of
times once cost every mention a comparison with every other (30,000 repeats: 38 s). Work is
counted as lines of extractor code executed, which is deterministic, not timed."""

import sys
from datetime import UTC, date, datetime
from types import FrameType
from typing import Any

from medwire_common.schemas import CleanArticle
from medwire_extractor.core import extract

SENTENCE = "山西省药品监督管理局局长李庭芳在太原市表示，将与晋中市人民政府签订合作协议《若干措施》，投资10亿元，新增3家企业。"


def lines_executed(text: str) -> int:
    count = 0

    def in_extractor(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return in_extractor

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return in_extractor if "medwire_extractor" in frame.f_code.co_filename else None

    article = CleanArticle.of(
        "x", text, datetime(2026, 1, 1, tzinfo=UTC), title="t", published_at=date(2025, 8, 1)
    )
    sys.settrace(tracer)
    try:
        enriched = extract(article)
    finally:
        sys.settrace(None)
    assert enriched.organizations and enriched.locations  # the repeats are really read
    return count


def test_extraction_work_is_linear_in_a_name_repeated_many_times() -> None:
    small, large = lines_executed(SENTENCE * 150), lines_executed(SENTENCE * 600)
    # Four times the text: about four times the work when linear, sixteen when quadratic.
    assert large < 5 * small, (small, large)
