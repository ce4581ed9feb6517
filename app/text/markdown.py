"""Markdown to safe HTML, plus the plain-text helpers built on it (excerpts, slugs, reading time)."""
from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = [
    "render_markdown",
    "sanitize_html",
    "plain_text",
    "excerpt",
    "word_count",
    "reading_time_minutes",
    "slugify",
    "url_scheme",
    "is_safe_link",
    "is_safe_image",
]

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})
LINK_REL = "nofollow noopener ugc"
TABLE_ALIGN_CLASSES = frozenset({"align-left", "align-center", "align-right"})

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr",
        "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "del", "code", "pre", "blockquote",
        "ul", "ol", "li",
        "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
# Dropped with everything inside them, should any ever reach the sanitiser.
DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "frame", "frameset",
        "object", "embed", "applet", "svg", "math", "form", "textarea", "select",
        "title", "xmp", "noembed", "noframes", "plaintext",
    }
)

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Browsers drop ASCII tab and newline anywhere in a URL and trim C0 controls and spaces.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in url, lowercased, or None for a relative URL."""
    seen = _IGNORED_IN_URL.sub("", html.unescape(url))
    # Browsers do not decode percent-escapes in a scheme; decoding them here only makes us stricter.
    decoded = _IGNORED_IN_URL.sub("", unquote(seen))
    match = _SCHEME.match(decoded)
    return match.group(1).lower() if match else None


def is_safe_link(url: str) -> bool:
    """True for http, https and mailto links and for relative paths."""
    scheme = url_scheme(url)
    return scheme is None or scheme in LINK_SCHEMES


def is_safe_image(url: str) -> bool:
    """True only for absolute http and https image addresses."""
    return url_scheme(url) in IMAGE_SCHEMES


def _build_parser() -> MarkdownIt:
    # Raw HTML off: a writer's "<b>" shows up as text rather than reaching the sanitiser at all.
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # Every URL is judged in _rewrite_inline instead, so a bad link keeps its words and loses only the URL.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_MD = _build_parser()


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _rewrite_inline(children: list[Token]) -> list[Token]:
    result: list[Token] = []
    dropping_link = False
    for token in children:
        if token.type == "link_open" and not is_safe_link(str(token.attrGet("href") or "")):
            # Links cannot nest in CommonMark, so the next link_close is this link's.
            dropping_link = True
            continue
        if token.type == "link_close" and dropping_link:
            dropping_link = False
            continue
        if token.type == "image" and not is_safe_image(str(token.attrGet("src") or "")):
            result.append(_text_token(token.content))
            continue
        if token.type in ("s_open", "s_close"):
            token.tag = "del"
        result.append(token)
    return result


def _rewrite(tokens: list[Token]) -> list[Token]:
    """Adjust the token stream to the house rules before rendering."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            # The page title is the only h1.
            token.tag = "h2"
        elif token.type in ("th_open", "td_open"):
            style = str(token.attrs.pop("style", "") or "")
            if style.startswith("text-align:"):
                # A class rather than an inline style, so a strict CSP can forbid inline styles.
                token.attrSet("class", "align-" + style.removeprefix("text-align:"))
        elif token.type == "fence":
            token.info = ""
        elif token.type == "inline" and token.children:
            token.children = _rewrite_inline(token.children)
    return tokens


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if is_safe_image(value) else None
    if attribute in ("href", "src"):
        return value if is_safe_link(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    allowed_classes={"th": set(TABLE_ALIGN_CLASSES), "td": set(TABLE_ALIGN_CLASSES)},
    url_schemes=set(LINK_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)


def sanitize_html(fragment: str) -> str:
    """Reduce an HTML fragment to the allowlist that render_markdown produces."""
    return _CLEANER.clean(fragment or "")


# Each worker keeps the last posts it rendered: a feed renders twenty on every request, and a
# post's text changes only when it is edited (then it is another key). Bodies are at most
# 60,000 characters, so the cache holds a few megabytes at most.
RENDER_CACHE_SIZE = 128


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def render_markdown(source: str) -> str:
    """Render untrusted Markdown to HTML that is safe to insert into a page as is."""
    tokens = _rewrite(_MD.parse(source or ""))
    # The sanitiser is the second wall: the parser already refuses raw HTML and bad URLs.
    return sanitize_html(_MD.renderer.render(tokens, _MD.options, {})).rstrip("\n")


def _inline_text(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(token.content)
    return "".join(parts)


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def plain_text(source: str) -> str:
    """The words a reader sees, without Markdown or HTML; one paragraph per line. Escape it when rendering."""
    blocks: list[str] = []
    for token in _MD.parse(source or ""):
        if token.type == "inline":
            text = _inline_text(token.children or [])
        elif token.type in ("fence", "code_block"):
            text = token.content
        else:
            continue
        text = " ".join(text.split())
        if text:
            blocks.append(text)
    return "\n".join(blocks)


def word_count(source: str) -> int:
    """How many words a reader sees in the Markdown source."""
    return len(plain_text(source).split())


def reading_time_minutes(source: str, wpm: int = 220) -> int:
    """Minutes to read the text at wpm words a minute, rounded up, never less than 1."""
    if wpm <= 0:
        raise ValueError("wpm must be positive")
    return max(1, math.ceil(word_count(source) / wpm))


def prose(source: str) -> str:
    """The paragraphs only: no headings, tables or code, so an excerpt reads as sentences."""
    tokens = _MD.parse(source or "")
    paragraphs = [_inline_text(token.children or []) for previous, token in zip(tokens, tokens[1:])
                  if token.type == "inline" and previous.type == "paragraph_open"]
    return "\n".join(" ".join(text.split()) for text in paragraphs if text.strip())


def excerpt(source: str, words: int = 40) -> str:
    """The first words of the prose on one line, ending in an ellipsis when cut short."""
    if words <= 0:
        raise ValueError("words must be positive")
    all_words = (prose(source) or plain_text(source)).split()
    if len(all_words) <= words:
        return " ".join(all_words)
    return " ".join(all_words[:words]).rstrip(",;:.-–—") + "…"


# Letters that Unicode decomposition does not reduce to ASCII.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
        "þ": "th", "Þ": "Th", "ł": "l", "Ł": "L", "ı": "i", "&": " and ",
    }
)
_APOSTROPHES = re.compile(r"['’ʼ`]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """An ASCII, lowercase, hyphenated slug of text, at most max_length long; "post" if nothing is left."""
    if max_length < 1:
        raise ValueError("max_length must be positive")
    folded = unicodedata.normalize("NFKD", (text or "").translate(_TRANSLITERATE))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    # "Don't" reads better as "dont" than "don-t".
    slug = _NOT_SLUG.sub("-", _APOSTROPHES.sub("", ascii_text)).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        # Cut at a word boundary when one is reasonably close, otherwise mid-word.
        boundary = cut.rfind("-")
        slug = cut[:boundary] if boundary > max_length // 2 else slug[:max_length]
        slug = slug.strip("-")
    return slug or "post"
