"""Words that keep a NER model name out when the rules' gold leaves such names out."""

from __future__ import annotations

# What the gold's rules leave out and the corpora tag ORG: party and legislative bodies, generic
# references (`驻军部队`, `公立医院`), phrases opened by a determiner.
NOT_ORG_START = tuple("该本这那各多首我其")
NOT_ORG_END = ("部队", "公立医院", "部门", "基地", "产业", "中心")
# Title endings a model person name may start with (`首席医学官高敏` tagged `官高敏`).
TITLE_ENDS = "官长员"

# Places the gold leaves out: zones, parks and bases are not divisions.
NOT_PLACE_END = ("园", "区", "中心", "基地", "链", "病")
