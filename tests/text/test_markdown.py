"""Markdown rendering: XSS payloads come out inert, ordinary Markdown still renders."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.text.markdown import (
    excerpt,
    plain_text,
    reading_time_minutes,
    render_markdown,
    sanitize_html,
    slugify,
    word_count,
)

# Written out here rather than imported, so a loosened allowlist in the module fails these tests.
EXPECTED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}
EXPECTED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"class"},
    "td": {"class"},
}
DANGEROUS_TAG_OPENINGS = (
    "<script", "<style", "<iframe", "<frame", "<object", "<embed", "<applet", "<svg",
    "<math", "<form", "<input", "<button", "<base", "<meta", "<link", "<body", "<video",
    "<audio", "<source", "<details", "<noscript", "<template",
)

XSS_PAYLOADS = [
    # Script tags, plain and disguised.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<script\n>alert(1)</script\n>",
    # Event handlers.
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<img/src=x/onerror=alert(1)>",
    '<img src="https://ok.example/a.png" onload="alert(1)">',
    "<body onload=alert(1)>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "**<img src=x onerror=alert(1)>**",
    # javascript: in HTML links, with case, entity, whitespace and control-character tricks.
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href=" \x01javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    # svg and math.
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    # Frames, objects, embeds, forms.
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    # Styles and CSS expressions.
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    # Page-level tags.
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    # Nested, unclosed and comment-broken tags.
    "<img src=x onerror=alert(1)//",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<img src="x` `<script>alert(1)</script>"` `>',
    "<a href='javascript:alert(1)'><b>nested <i>unclosed",
    "> <script>alert(1)</script>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    # Markdown links and images.
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript&#x3A;alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](<java\tscript:alert(1)>)",
    "[click](<javascript:alert(1)>)",
    "[click]( javascript:alert(1) )",
    "[click](javascript&colon;alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    '[click](https://ok.example/"onmouseover="alert(1))',
    '[click](https://ok.example "t\\" onmouseover=\\"alert(1)")',
    "![x](javascript:alert(1))",
    "![x](JaVaScRiPt:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '![x"onerror="alert(1)](https://ok.example/a.png)',
    # Autolinks.
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html;base64,PHNjcmlwdD4=>",
]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def _elements(output: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(output)
    collector.close()
    return collector.elements


def _scheme(url: str) -> str | None:
    # html.parser has already decoded entities; browsers also drop control characters and spaces.
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", squeezed)
    return match.group(1) if match else None


def assert_inert(output: str) -> None:
    lowered = output.lower()
    for opening in DANGEROUS_TAG_OPENINGS:
        assert opening not in lowered, opening
    for tag, attrs in _elements(output):
        assert tag in EXPECTED_TAGS, tag
        names = [name for name, _ in attrs]
        assert set(names) <= EXPECTED_ATTRIBUTES.get(tag, set()), (tag, names)
        for name, value in attrs:
            assert not name.startswith("on"), name
            value = value or ""
            if name == "href":
                assert _scheme(value) in (None, "http", "https", "mailto"), value
            if name == "src":
                assert _scheme(value) in ("http", "https"), value
            if name in ("href", "src"):
                assert "javascript:" not in re.sub(r"[\x00-\x20]", "", value.lower())
                assert not value.lower().lstrip().startswith(("data:", "vbscript:"))


def test_corpus_is_large_enough() -> None:
    assert len(XSS_PAYLOADS) >= 40
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_payload_is_inert(payload: str) -> None:
    assert_inert(render_markdown(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitiser_alone_makes_payload_inert(payload: str) -> None:
    # Guards the second wall on its own, in case raw HTML is ever let through the parser.
    assert_inert(sanitize_html(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_inert_inside_ordinary_text(payload: str) -> None:
    assert_inert(render_markdown(f"Some *words* first.\n\n{payload}\n\nAnd [a link](https://ok.example) after."))


def test_raw_html_is_shown_as_text() -> None:
    out = render_markdown("Use <b>bold</b> and <script>alert(1)</script>")
    assert "&lt;b&gt;bold&lt;/b&gt;" in out
    assert "&lt;script&gt;" in out
    assert "<b>" not in out


def test_unsafe_link_keeps_its_words_but_loses_the_url() -> None:
    out = render_markdown("Please [click here](javascript:alert(1)) now.")
    assert out == "<p>Please click here now.</p>"


def test_unsafe_image_becomes_its_alt_text() -> None:
    assert render_markdown("![a chart](javascript:alert(1))") == "<p>a chart</p>"
    assert render_markdown("![a chart](data:image/png;base64,iVBORw0KGgo=)") == "<p>a chart</p>"
    # Only absolute http(s) images: a relative path could point anywhere on our own site.
    assert render_markdown("![a chart](/static/chart.png)") == "<p>a chart</p>"


def test_headings_h1_demoted_to_h2() -> None:
    out = render_markdown("# Title\n\n## Part\n\n### Detail\n\n###### Small")
    assert "<h1" not in out
    assert "<h2>Title</h2>" in out
    assert "<h2>Part</h2>" in out
    assert "<h3>Detail</h3>" in out
    assert "<h6>Small</h6>" in out


def test_emphasis_strong_and_strikethrough() -> None:
    out = render_markdown("*soft* **loud** ~~gone~~ `code`")
    assert out == "<p><em>soft</em> <strong>loud</strong> <del>gone</del> <code>code</code></p>"


def test_lists() -> None:
    out = render_markdown("- one\n- two\n\n3. three\n4. four")
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in out
    assert '<ol start="3">' in out
    assert "<li>four</li>" in out


def test_links_get_rel_and_keep_title() -> None:
    out = render_markdown('[site](https://example.org/a?b=1&c=2 "Home")')
    assert out == (
        '<p><a href="https://example.org/a?b=1&amp;c=2" title="Home" '
        'rel="nofollow noopener ugc">site</a></p>'
    )


@pytest.mark.parametrize(
    "url",
    ["http://example.org", "https://example.org", "mailto:someone@example.org", "/leaders/12", "#top", "other-page"],
)
def test_safe_links_are_kept(url: str) -> None:
    (tag, attrs), = [e for e in _elements(render_markdown(f"[x]({url})")) if e[0] == "a"]
    assert dict(attrs)["href"] == url
    assert dict(attrs)["rel"] == "nofollow noopener ugc"


def test_autolinks() -> None:
    out = render_markdown("<https://example.org> and <someone@example.org>")
    assert '<a href="https://example.org" rel="nofollow noopener ugc">https://example.org</a>' in out
    assert 'href="mailto:someone@example.org"' in out


def test_other_schemes_are_not_links() -> None:
    out = render_markdown("[call](tel:123) [file](file:///etc/passwd) [ftp](ftp://x.example)")
    assert "<a" not in out
    assert out == "<p>call file ftp</p>"


def test_https_image() -> None:
    out = render_markdown('![A tree](https://img.example/tree.jpg "Oak")')
    assert out == '<p><img src="https://img.example/tree.jpg" alt="A tree" title="Oak"></p>'


def test_code_block_escapes_html_and_drops_language_class() -> None:
    out = render_markdown('```html\n<script>alert("x")</script>\n```')
    assert out == "<pre><code>&lt;script&gt;alert(\"x\")&lt;/script&gt;\n</code></pre>"


def test_indented_code_and_blockquote_and_rule() -> None:
    out = render_markdown("    a < b\n\n> quoted\n\n---")
    assert "<pre><code>a &lt; b\n</code></pre>" in out
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in out
    assert "<hr>" in out


def test_tables_with_alignment_classes() -> None:
    out = render_markdown("| Name | Count |\n|:-----|------:|\n| Oak | 3 |")
    assert "<table>" in out and "<thead>" in out and "<tbody>" in out
    assert '<th class="align-left">Name</th>' in out
    assert '<td class="align-right">3</td>' in out
    assert "style=" not in out


def test_hard_break() -> None:
    assert render_markdown("one  \ntwo") == "<p>one<br>\ntwo</p>"


def test_empty_input() -> None:
    assert render_markdown("") == ""
    assert plain_text("") == ""


def test_plain_text_strips_markdown() -> None:
    source = "# Title\n\nSome **bold** and [a link](https://x.example).\n\n- item one\n- item ![pic](https://x/y.png)"
    assert plain_text(source) == "Title\nSome bold and a link.\nitem one\nitem pic"


def test_plain_text_keeps_literal_angle_brackets_unescaped() -> None:
    # The caller's template escapes it; escaping here too would show "&lt;".
    assert plain_text("a <b> c") == "a <b> c"


def test_word_count_and_reading_time() -> None:
    assert word_count("") == 0
    assert word_count("**one** two\n\nthree") == 3
    assert reading_time_minutes("") == 1
    assert reading_time_minutes("word " * 220) == 1
    assert reading_time_minutes("word " * 221) == 2
    assert reading_time_minutes("word " * 100, wpm=50) == 2
    with pytest.raises(ValueError):
        reading_time_minutes("x", wpm=0)


def test_excerpt() -> None:
    assert excerpt("Short **text** here.") == "Short text here."
    long = " ".join(f"w{i}" for i in range(100))
    cut = excerpt(long, words=5)
    assert cut == "w0 w1 w2 w3 w4…"
    assert excerpt("One, two, three, four.", words=2) == "One, two…"
    assert excerpt("# Heading\n\nBody text", words=40) == "Body text"
    assert len(excerpt(long).split()) == 40


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("  Leading and trailing  ", "leading-and-trailing"),
        ("Ça va? Café crème", "ca-va-cafe-creme"),
        ("Straße in Ærøskøbing", "strasse-in-aeroskobing"),
        ("Łódź & Kraków", "lodz-and-krakow"),
        ("Don't stop", "dont-stop"),
        ("Multiple---hyphens___and   spaces", "multiple-hyphens-and-spaces"),
        ("2024: A Year", "2024-a-year"),
        ("", "post"),
        ("!!!", "post"),
        ("北京", "post"),
        ("🎉", "post"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_max_length_cuts_at_word_boundary() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80
    assert slug.endswith("word")
    assert not slug.endswith("-")
    assert slugify("abcdefghij klm", max_length=12) == "abcdefghij"
    assert slugify("a" * 100, max_length=10) == "a" * 10
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slugify("Über-lange Überschrift " * 10))


def test_excerpt_reads_as_sentences_without_headings_tables_or_code():
    source = ("# A title\n\nIt began with one plant.\n\n## What we learned\n\n"
              "| Season | Players |\n|---|---|\n| 2024 | 40 |\n\n```\ncode here\n```\n\nStart small.")
    assert excerpt(source) == "It began with one plant. Start small."
    assert excerpt("## Only a heading") == "Only a heading"
