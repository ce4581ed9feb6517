"""What the browser journeys share: the phone's menu, logging out, opening a page by a click or
the keyboard (with axe-core on the page it opens), and the page never scrolling sideways."""
import io

from tests.e2e.conftest import LOCAL_ASSETS


def open_menu(page) -> None:
    """On a phone the header's links are behind "Menu"."""
    toggle = page.locator(".site-menu__toggle")
    if toggle.is_visible() and page.locator(".site-menu").get_attribute("open") is None:
        toggle.click()


def nav_link(page, name: str):
    open_menu(page)
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def log_out(page, a11y) -> None:
    open_menu(page)
    page.get_by_role("button", name="Log out").click()
    a11y(page)
    assert "You are logged out" in page.inner_text("main")


def click(page, a11y, locator) -> None:
    """Click something that opens a page, and check the page that opens."""
    locator.click()
    a11y(page)


def enter_opens_page(page, a11y, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    a11y(page)


def no_sideways_scroll(page) -> None:
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways: {scroll} px wide at {width} px"


def tile_png() -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (226, 238, 232)).save(buffer, "PNG")
    return buffer.getvalue()


# The maps ask OpenStreetMap for tiles: a plain local tile answers each, and the addresses asked
# are kept, so a test can see that its map drew.
TILE_PREFIX = "https://tile.openstreetmap.org/"
TILE = tile_png()
tiles_served: list[str] = []


def serve_tile(route):
    tiles_served.append(route.request.url)
    route.fulfill(status=200, content_type="image/png", body=TILE)


if not any(prefix == TILE_PREFIX for prefix, _ in LOCAL_ASSETS):
    LOCAL_ASSETS.append((TILE_PREFIX, serve_tile))
