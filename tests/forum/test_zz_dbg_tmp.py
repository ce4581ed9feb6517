from tests.forum.test_search import *  # noqa
from app.forum.search import _Tsvector, _page
from app.text.fulltext import search_words

def test_dbg(app, garden):
    with app.app_context():
        for q in ("composting OR library", "NEAR(composting library", "jose ramirez"):
            m = _Tsvector(search_words(q))
            print(q, db.session.execute(db.select(m.every)).scalar(), db.session.execute(db.select(m.any)).scalar())
        add_thread(app, garden["gardens"], garden["maria"], "Meet José at the Café", "José Ramírez runs the café garden.")
        print(db.session.execute(text("select id, title, plain, search_vector from forum_posts")).all())
        print([ (f.thread_title, f.snippet) for f in search(None, "jose ramirez")])
