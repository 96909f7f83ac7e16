"""Which block of a pruned page holds its main text. Blocks are scored readability-style (Chinese
characters of each leaf block, links discounted, credited to its parent and a third to its
grandparent); the best one wins unless the page's own title heading sits elsewhere: then the best
block inside the heading's closest wrapper that holds one wins, since a short article under its headline beats a longer teaser
feed or recommended article further down (portals often print both in full)."""

from __future__ import annotations

import re
from collections import defaultdict

from lxml.html import HtmlElement

from .dom import cjk_count, text_of, tokens

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li blockquote pre td section article table ul ol dd dt main".split()
)
_HEADINGS = frozenset({"h1", "h2", "h3"})
_TITLE_TOKENS = frozenset({"title", "headline"})
# A heading shorter than this says too little to be matched against the page's <title>.
_MIN_TITLE_CHARS = 6
# A block beside the title must still read as an article (not a date line, a share bar's label
# or a channel menu the heading's wrapper also holds).
_MIN_ARTICLE_SCORE = 100.0
# How many times longer a block next to the headline's wrapper must be to win over the block
# under the headline (teasers and recommendations are rarely that much longer one by one).
_OUTWEIGHED = 3.0


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def leaf_blocks(root: HtmlElement) -> list[HtmlElement]:
    """Block elements with no block element inside, in document order."""
    has_block_child: set[HtmlElement] = set()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in BLOCK_TAGS:
            parent = el.getparent()
            while parent is not None and parent is not root.getparent():
                has_block_child.add(parent)
                parent = parent.getparent()
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag in BLOCK_TAGS and el not in has_block_child
    ]


def link_chars(el: HtmlElement) -> int:
    return sum(len(text_of(a)) for a in el.iter("a"))


def _loose_text(block: HtmlElement) -> tuple[str, int]:
    """The text a block holds beside its nested blocks (their tails, its inline children), with
    its link characters: a `<p>` closed early by a nested `<div>` leaves the rest of the
    paragraph there."""
    parts, linked = [block.text or ""], 0
    for child in block:
        if isinstance(child.tag, str) and child.tag not in BLOCK_TAGS:
            inner = text_of(child)
            parts.append(inner)
            linked += len(inner) if child.tag == "a" else link_chars(child)
        parts.append(child.tail or "")
    return "".join(parts), linked


def _credit(scores: dict[HtmlElement, float], container: HtmlElement | None, weight: float) -> None:
    if container is not None:
        scores[container] += weight
        grand = container.getparent()
        if grand is not None:
            scores[grand] += weight / 3


def block_scores(body: HtmlElement) -> dict[HtmlElement, float]:
    """Leaf blocks credit their parent (and a third to its grandparent); text loose beside
    nested blocks credits the block holding it in the same way."""
    scores: dict[HtmlElement, float] = defaultdict(float)
    leaves = leaf_blocks(body)
    for block in leaves:
        if block.tag in _HEADINGS:  # a headline is not body text
            continue
        text = text_of(block)
        n = cjk_count(text)
        if n >= 10:
            _credit(
                scores, block.getparent(), n * (1 - min(1.0, link_chars(block) / max(1, len(text))))
            )
    leaf_set = set(leaves)
    for block in body.iter(*BLOCK_TAGS):
        if block in leaf_set or block.tag in _HEADINGS:
            continue
        text, linked = _loose_text(block)
        n = cjk_count(text)
        if n >= 10:
            _credit(scores, block, n * (1 - min(1.0, linked / max(1, len(text.strip())))))
    return scores


def title_branch(doc: HtmlElement, titles: list[str]) -> list[HtmlElement]:
    """The first heading (h1-h3 or a title-classed element) whose text is the page's title as its
    <title>/og:title give it, with its ancestors: read before pruning, which may drop the heading
    itself (a `<header>`), so the caller can still find where it was."""
    wanted = [_squash(t) for t in titles if t]
    if not wanted:
        return []
    for el in doc.iter():
        if not isinstance(el.tag, str) or not (el.tag in _HEADINGS or tokens(el) & _TITLE_TOKENS):
            continue
        heading = _squash(text_of(el))
        if len(heading) >= _MIN_TITLE_CHARS and any(heading in w for w in wanted):
            return [el, *el.iterancestors()]
    return []


def _attached(el: HtmlElement, doc: HtmlElement) -> bool:
    top = el
    while top.getparent() is not None:
        top = top.getparent()
    return top is doc


def content_root(doc: HtmlElement, branch: list[HtmlElement] | None = None) -> HtmlElement | None:
    """The element holding the main text; `branch` is `title_branch` read before pruning."""
    body = doc.find("body") if doc.find("body") is not None else doc
    scores = block_scores(body)
    if not scores:
        return None
    best = max(scores, key=lambda el: scores[el])
    point = next((el for el in branch or [] if _attached(el, doc)), None)
    if point is None:
        return best
    # The article is the best block inside the closest wrapper of the title that holds one;
    # reaching <body> means the title sits apart from every article-sized block.
    for wrapper in [point, *point.iterancestors()]:
        if wrapper is body:
            break
        inside = [el for el in wrapper.iter() if scores.get(el, 0.0) >= _MIN_ARTICLE_SCORE]
        if inside:
            near = max(inside, key=lambda el: scores[el])
            return best if _outweighed_next_door(near, best, wrapper, scores) else near
    return best


def _outweighed_next_door(
    near: HtmlElement, best: HtmlElement, wrapper: HtmlElement, scores: dict[HtmlElement, float]
) -> bool:
    """A lede or summary block under the headline is not the article when the page's best block
    sits right beside the headline's wrapper and is several times longer."""
    parent = wrapper.getparent()
    return (
        parent is not None
        and scores[best] > _OUTWEIGHED * scores[near]
        and any(el is best for el in parent.iter())
    )
