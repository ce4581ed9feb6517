"""The keyword search through the full-text index: the answers the old LIKE search gave, accents
and case folded, the index kept as profiles and focus areas change, best match first, no input a 500."""
import pytest
from sqlalchemy import exists, or_, select, true

from app.directory import search
from app.directory.search import Filters, Origin
from app.extensions import db
from app.models.directory import FocusArea, LeaderProfile, profile_focus_areas
from tests.directory.search_fixtures import add_leader, leader  # noqa: F401  (fixture)

HERE = Origin("here", 10.0, 10.0)

# (name, headline, bio, focus areas): what people write, accents and capitals included.
CORPUS = [
    ("José Álvarez", "Maestro de escuela", "Teaching children to read in Bogotá.", ("Education",)),
    ("Zoë Müller", "Climate organiser", "I organise climate strikes and community gardens.", ("Climate action",)),
    ("François Dubois", "Teacher & mentor", "Mentoring young teachers; café owner.", ("Education", "Youth")),
    ("Ngozi Okonkwo", "Community garden organiser", "Urban gardening, food security.", ("Food",)),
    ("ANNA SCHMIDT", "YOUTH MENTOR", "Sports coach for girls.", ("Youth", "Sport")),
    ("Łukasz Nowak", "Nurse", "Women's health and maternal care in Kraków.", ("Women's health",)),
    ("Priya Raman", "Software teacher", "Teaches coding to women; e-mail priya@example.com.", ("Technology",)),
    ("Mateo Peña", "Farmer", "Organic farming cooperative; señor of the soil.", ("Food", "Climate action")),
    ("Amara Mensah", "Nurse and midwife", "Maternal health clinics.", ("Health",)),
    ("Chen Wei", "Engineer", "Solar power for villages (off-grid).", ("Energy",)),
    ("Sam Teachout", "Librarian", "Books for all.", ()),
]

# Whole words and the starts of words, as people type them: the old LIKE answers, exactly.
SAME_AS_BEFORE = ["teacher", "Teacher", "TEACHER", "teach", "tea", "garden", "GARDEN organiser", "community garden",
                  "mentor", "youth mentor", "climate", "Climate act", "José", "Müller", "François", "Peña",
                  "education", "women", "health", "maternal health", "okonkwo", "ngo", "nurse", "solar power",
                  "Kraków", "café", "Bogotá", "priya", "farm", "organic farming", "books", "xyzzy"]
# Accents and capitals of any letter folded: every spelling answers what the first spelling did before.
SPELLINGS = [("José", "jose", "JOSÉ", "Jose"), ("Álvarez", "alvarez", "ÁLVAREZ"), ("Müller", "muller", "MÜLLER"),
             ("François", "francois", "FRANÇOIS"), ("Zoë", "zoe", "ZOË"), ("Peña", "pena", "PEÑA"),
             ("Kraków", "krakow", "KRAKÓW"), ("café", "cafe", "CAFÉ"), ("Bogotá", "bogota")]
HOSTILE = ['"', '"garden', 'garden"', "'", "*", "garden*", "*garden", "NEAR(", "NEAR(garden nurse)", "NEAR/2",
           "-", "-garden", "garden -nurse", ":", "bio:garden", "display_name:garden", "(", ")", "((garden", "garden)",
           "AND", "OR", "NOT", "garden OR nurse", "garden AND", "NOT garden", "^garden", "{bio}: garden", "+garden",
           "garden & nurse", "garden | nurse", "!garden", "garden:*", "'garden':*", "\\", "%", "_", "100%_",
           "'; DROP TABLE leader_profiles; --", "1=1 OR", "!!!", "🙂", "🙂 garden", "½", "ŉ", "\x00garden",
           "x" * 5000, "garden " * 800]


def like_answer(keyword: str) -> set[str]:
    """The names the old search found: every word a substring (LIKE, lower()) of the name,
    headline, bio or a focus area's name; as app/directory/search/statements.py had it."""
    profiles = LeaderProfile.__table__
    areas = FocusArea.__table__
    conditions = [profiles.c.searchable == true()]
    for word in keyword.split()[:6]:
        tagged = exists().where(profile_focus_areas.c.profile_id == profiles.c.id,
                                profile_focus_areas.c.focus_area_id == areas.c.id,
                                areas.c.name.icontains(word, autoescape=True))
        conditions.append(or_(profiles.c.display_name.icontains(word, autoescape=True),
                              profiles.c.headline.icontains(word, autoescape=True),
                              profiles.c.bio.icontains(word, autoescape=True), tagged))
    return set(db.session.scalars(select(profiles.c.display_name).where(*conditions)))


def found(keyword: str, origin: Origin | None = None, **kwargs) -> list[str]:
    results = search.search(origin, 100.0, Filters(keyword=keyword), per_page=100, **kwargs)
    profiles = search.load_profiles(results.hits)
    assert results.total == len(results.hits)
    return [profiles[hit.profile_id].display_name for hit in results.hits]


@pytest.fixture
def corpus(app):
    with app.app_context():
        for number, (name, headline, bio, areas) in enumerate(CORPUS):
            add_leader(name, 10 + number * 0.01, 10.0, headline=headline, bio=bio, focus=areas)
    with app.test_request_context():
        yield


def test_words_and_starts_of_words_find_what_the_like_search_found(corpus):
    for keyword in SAME_AS_BEFORE:
        expected = like_answer(keyword)
        assert set(found(keyword)) == expected, keyword
        assert set(found(keyword, HERE)) == expected, keyword


def test_accents_and_capitals_are_folded(corpus):
    for first, *others in SPELLINGS:
        expected = like_answer(first)
        assert expected, first
        for spelling in (first, *others):
            assert set(found(spelling)) == expected, spelling
            assert set(found(spelling, HERE)) == expected, spelling
    # A letter that is not an accented one (Ł) is found as written.
    assert found("Łukasz") == ["Łukasz Nowak"]


def test_only_the_middle_of_a_word_no_longer_matches(corpus):
    """The one answer that changed: LIKE found a word's middle, the index finds its start."""
    assert like_answer("arden") == {"Zoë Müller", "Ngozi Okonkwo"}
    assert found("arden") == []
    assert like_answer("out") == {"Sam Teachout", "ANNA SCHMIDT", "François Dubois"}  # Teachout, Youth
    assert found("out") == []
    assert "Sam Teachout" in found("teach")  # the start of the word: found both ways


def test_punctuation_separates_words_as_in_the_text(corpus):
    assert found("e-mail") == found("e mail") == ["Priya Raman"]
    assert found("priya@example.com") == ["Priya Raman"]
    assert found("off-grid") == found("grid") == ["Chen Wei"]
    assert "Łukasz Nowak" in found("women's")


def test_with_a_place_nearest_first_and_equal_to_the_full_scan(corpus):
    for keyword in ("teach", "garden", "nurse", "climate", "jose", "health"):
        indexed = search.search(HERE, 100.0, Filters(keyword=keyword))
        scanned = search.search(HERE, 100.0, Filters(keyword=keyword), full_scan=True)
        assert [hit.profile_id for hit in indexed.hits] == [hit.profile_id for hit in scanned.hits], keyword
        assert indexed.total == scanned.total
        distances = [hit.distance_km for hit in indexed.hits]
        assert distances == sorted(distances)


def test_without_a_place_best_match_first_then_by_name(app, leader):
    leader("Cy Bio", 10, 10, bio="Works with a garden club, plus many other long words about the neighbourhood.")
    leader("Zed Name Garden", 10, 10)
    leader("Bo Tied", 10, 10, bio="Works with a garden club, plus many other long words about the neighbourhood.")
    with app.test_request_context():
        assert found("garden") == ["Zed Name Garden", "Bo Tied", "Cy Bio"]
        assert found("garden", sort="name") == ["Bo Tied", "Cy Bio", "Zed Name Garden"]
        assert found("garden club") == ["Bo Tied", "Cy Bio"]


def test_pages_of_a_ranked_search_hold_everyone_once(app):
    with app.app_context():
        for number in range(45):
            add_leader(f"Leader {number:02d}", headline="Teacher", bio="teacher " * (number % 5))
    with app.test_request_context():
        pages = [search.search(None, filters=Filters(keyword="teacher"), page=page) for page in (1, 2, 3)]
        ids = [hit.profile_id for results in pages for hit in results.hits]
        assert [len(results.hits) for results in pages] == [20, 20, 5] and pages[0].total == 45
        assert len(set(ids)) == 45
        assert ids == [hit.profile_id for hit in search.search(None, filters=Filters(keyword="teacher"),
                                                               per_page=100).hits]


def test_the_index_follows_profiles_and_focus_areas(app, leader):
    from app.directory import curation, services
    slug = leader("Kim Lee", 10, 10, bio="Beekeeper", focus=("Bees",))
    with app.test_request_context():
        assert found("beekeeper") == found("bees") == ["Kim Lee"]
        profile = services.profile_by_slug(slug)
        profile.bio = "Potter"
        db.session.commit()
        assert found("beekeeper") == [] and found("potter") == ["Kim Lee"]
        services.set_focus_areas(profile, [], "Ceramics, Pottery wheels")
        db.session.commit()
        assert found("bees") == [] and found("ceramics") == found("wheels") == ["Kim Lee"]
        area = db.session.scalar(select(FocusArea).where(FocusArea.slug == "ceramics"))
        curation.rename_focus_area(area, "Stoneware")
        db.session.commit()
        assert found("ceramics") == [] and found("stoneware") == ["Kim Lee"]
        profile.display_name = "Kim Park"
        db.session.commit()
        assert found("lee") == [] and found("park") == ["Kim Park"]
        services.delete_profile(profile)
        db.session.commit()
        assert found("stoneware") == [] and found("potter") == []


def test_hostile_keywords_never_fail(client, corpus):
    for keyword in HOSTILE:
        refused = len(keyword) > 100 or "\x00" in keyword  # the API's limit; NUL is a 400 everywhere
        for place in ({}, {"lat": "10", "lng": "10"}):
            response = client.get("/api/leaders", query_string={"keyword": keyword, **place})
            assert response.status_code == (400 if refused else 200), keyword
            page = client.get("/leaders", query_string={"keyword": keyword, **place})
            assert page.status_code == (400 if "\x00" in keyword else 200), keyword
        found(keyword), found(keyword, HERE)  # the service itself, past the forms' length limit
    garden = set(found("garden"))
    for keyword in ('"garden', 'garden"', "garden*", "*garden", "-garden", "((garden", "garden)", "+garden",
                    "!garden", "garden:*", "'garden':*", "🙂 garden", "\x00garden", "garden " * 800):
        assert set(found(keyword)) == garden, keyword
    for keyword in ("!!!", "🙂", "*", '"', "(", "-", ":"):  # no word in it: nobody, not everyone
        assert found(keyword) == [], keyword


def test_the_api_answers_keep_their_shape(client, corpus):
    body = client.get("/api/leaders", query_string={"keyword": "teacher"}).get_json()
    assert sorted(item["name"] for item in body["results"]) == ["François Dubois", "Priya Raman"]
    assert body["total"] == 2
    everyone = client.get("/api/leaders").get_json()
    assert set(body) == set(everyone)
    assert set(body["results"][0]) == set(everyone["results"][0])


LANGUAGES = ["English", "English, Kiswahili", "Kiswahili,English", " French ,  English", "Español", "español",
             "ESPAÑOL, Português", "Espanol", "Haitian Creole", "Creole", "Bahasa-Indonesia", "Bahasa Indonesia",
             "Tiếng Việt", "isiZulu, Sesotho", "English (UK)", "", "C++"]
ASKED = ["English", "english", "ENGLISH", "Kiswahili", "Español", "español", "espanol", "Português", "Creole",
         "Haitian Creole", "haitian", "Bahasa-Indonesia", "Bahasa Indonesia", "tiếng việt", "Tieng Viet",
         "isizulu", "Sesotho", "English (UK)", "English (", "Engl", "C++", "++", "!!!", "Icelandic", "%", "_"]


def test_a_language_without_a_place_gives_the_answers_of_the_whole_item_match(app, leader):
    """Without a place the languages' full-text index finds the candidates first: the answers
    must be exactly those of matching each whole item (capitals, accents and punctuation as before)."""
    from app.directory.search import statements
    for number, languages in enumerate(LANGUAGES):
        leader(f"Speaker {number}", 10.0, 10.0, languages=languages)
    with app.app_context():
        for language in ASKED:
            def ids(anywhere):
                return set(db.session.scalars(select(LeaderProfile.id).where(
                    statements._speaks(language, anywhere))))
            assert ids(True) == ids(False), language
        results = search.search(None, filters=Filters(language="English"))
        assert results.total == 3 and not results.total_capped  # "English (UK)" is another item
        assert search.search(None, filters=Filters(language="Icelandic")).total == 0
