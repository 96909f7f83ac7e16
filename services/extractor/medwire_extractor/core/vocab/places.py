"""Words of place mentions (the places themselves are in `data/adcodes.tsv`)."""

from __future__ import annotations

# Short forms that are ordinary words far more often than places.
NOT_PLACES = frozenset({"东方", "安康", "朝阳", "长治", "日照", "白银", "来宾", "普洱", "阿里"})
