"""The sitemap: one <urlset> while the site has at most 50,000 addresses, else a sitemap index
of parts of at most 50,000 each (sitemaps.org's limit), so neither ever lists the whole
directory at once.

Features offer their addresses in app/features.py: small ones as sitemap_entries (one part),
the directory as sitemap_parts, ranges of ids each holding at most PART_SIZE addresses, whose
bounds come from the highest id (one index lookup) instead of counting a million rows.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

PART_SIZE = 50_000  # addresses in one sitemap file, at most

SitemapEntry = tuple[str, datetime | None]  # absolute address, last change if known


@dataclass(frozen=True)
class SitemapPart:
    """One file of the sitemap index: /sitemap/<name>.xml."""

    name: str
    most: int | None  # at most this many addresses (None: count them, a small part)
    entries: Callable[[], Iterable[SitemapEntry]]


def id_ranges(name: str, highest_id: int | None,
              entries: Callable[[int, int], Iterable[SitemapEntry]]) -> list[SitemapPart]:
    """Parts <name>-1, <name>-2, ... of PART_SIZE ids each, up to the highest id; entries(start,
    stop) gives the addresses of the rows with start <= id < stop."""
    highest = highest_id or 0
    starts = range(1, highest + 1, PART_SIZE)
    return [SitemapPart(f"{name}-{number}", min(PART_SIZE, highest - start + 1),
                        lambda start=start: entries(start, start + PART_SIZE))
            for number, start in enumerate(starts, 1)]


def materialised(parts: list[SitemapPart]) -> list[SitemapPart]:
    """Small parts (most=None) read once, so that their size is known."""
    result = []
    for part in parts:
        if part.most is None:
            listed = list(part.entries())
            part = SitemapPart(part.name, len(listed), lambda listed=listed: listed)
        result.append(part)
    return result


def one_file(parts: list[SitemapPart]) -> list[SitemapPart] | None:
    """The parts, read, when they fit one <urlset>; None when the site needs an index. Large
    parts are bounded without reading them; small ones are read only when there is room."""
    if sum(part.most for part in parts if part.most is not None) > PART_SIZE:
        return None
    parts = materialised(parts)
    return parts if sum(part.most for part in parts) <= PART_SIZE else None
