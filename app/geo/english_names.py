"""English names of cities that GeoNames lists under a local name ("Seville" for Sevilla).

GeoNames names most big cities in English already ("Munich", "Florence", "Warsaw"), but a few
keep their local name. Their English names are somewhere among GeoNames' alternate names,
which are too noisy to rank a city by (see MATCH_WEIGHTS in app/geo/geocoder.py), so a small
town that bears the English name as its own would win: "Seville" found Seville, Ohio (2,340
people) rather than Sevilla (686,741). The names below rank like a name of the city's own.

Add a city when people use its English name today and a place elsewhere has that name as its
own. The geocoder reads this list at lookup time, so no reload of the gazetteer is needed;
tests/geo/test_place_ranking.py checks every row against the GeoNames data.
"""
from typing import NamedTuple


class EnglishName(NamedTuple):
    english: str
    geonameid: int
    name: str  # the city's GeoNames name, to check the id and for people reading this list
    country_code: str


ENGLISH_NAMES: tuple[EnglishName, ...] = (
    EnglishName("Seville", 2510911, "Sevilla", "ES"),
    EnglishName("Cologne", 2886242, "Köln", "DE"),
    EnglishName("Hanover", 2910831, "Hannover", "DE"),
    EnglishName("Lucerne", 2659811, "Luzern", "CH"),
    EnglishName("Berne", 2661552, "Bern", "CH"),
    EnglishName("Lyons", 2996944, "Lyon", "FR"),
    EnglishName("Marseilles", 2995469, "Marseille", "FR"),
    EnglishName("Bruges", 2800931, "Brugge", "BE"),
    EnglishName("Ghent", 2797656, "Gent", "BE"),
    EnglishName("Odessa", 698740, "Odesa", "UA"),
    EnglishName("Bombay", 1275339, "Mumbai", "IN"),
    EnglishName("Calcutta", 1275004, "Kolkata", "IN"),
    EnglishName("Madras", 1264527, "Chennai", "IN"),
    EnglishName("Mecca", 104515, "Makkah", "SA"),
    EnglishName("Medina", 109223, "Madinah", "SA"),
)
