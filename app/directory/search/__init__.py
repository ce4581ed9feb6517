"""Finding leaders: near a place within a radius, by keyword, tag, language and program.

results: what a search is asked and answers; places: the place typed, looked up and cached;
statements: the SQL and prepared statements; strategies: the ways to find the leaders inside
a circle (behind the Found protocol); nearest: the growing circle when nobody is inside;
find: search() itself.
"""
from app.directory.search.find import CardProfile, card_profiles, load_profiles, search, summaries
from app.directory.search.nearest import NEAREST_COUNT
from app.directory.search.places import PlaceNotFound, find_place
from app.directory.search.results import (DEFAULT_RADIUS, MAX_RADIUS, MIN_RADIUS, PER_PAGE, SORTS, Filters, Hit,
                                          Origin, Place, Results, Summary, rounded_km, to_km, your_location)

__all__ = ["DEFAULT_RADIUS", "MAX_RADIUS", "MIN_RADIUS", "NEAREST_COUNT", "PER_PAGE", "SORTS", "Filters", "Hit",
           "Origin", "Place", "PlaceNotFound", "Results", "Summary", "find_place", "CardProfile", "card_profiles", "load_profiles", "rounded_km",
           "search", "summaries", "to_km", "your_location"]
