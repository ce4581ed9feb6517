"""What the offline geocoder answers for place names people use, and how long a lookup takes.

Loads the full gazetteer (as `flask geo load` does) into an SQLite file unless --db names one
already loaded, prints the place each query resolves to, then the milliseconds per lookup.

Run from the repository root: .venv/bin/python -m bench.places [--db gazetteer.db]
"""
from bench.geo_lookup import offline_geocoder, report, time_calls

# English names of big cities that small towns also bear as their own name, then the towns.
EXONYMS = [
    "Seville", "Florence", "Venice", "Naples", "Athens", "Geneva", "Munich", "Cologne", "Lisbon",
    "Warsaw", "Prague", "Copenhagen", "Vienna", "Rome", "Milan", "Turin", "Moscow", "Hanover",
    "Lucerne", "Lyons", "Marseilles", "Bruges", "Ghent", "Antwerp", "Calcutta", "Canton",
]
TOWNS = [
    "Florence, SC", "Florence, Alabama", "Athens, GA", "Seville, Ohio", "Naples, FL", "Paris, Texas",
    "Venice, Florida", "Hanover, NH", "Geneva, IL", "Cologne, MN", "Lisbon, Maine",
]
OWN_NAMES = ["Paris", "London", "Sevilla", "Köln", "Springfield", "Portland", "Zurich"]


def main() -> None:
    queries = EXONYMS + TOWNS + OWN_NAMES
    with offline_geocoder(__doc__) as geocoder:
        for query in queries:
            result = geocoder.geocode(query)
            best = result.best.label if result.best else "(nothing)"
            others = len(result.alternatives) - 1 if result.ambiguous else 0
            print(f"{query:20} -> {best}" + (f"  (+{others} under Did you mean)" if others else ""))
        report("geocode", time_calls([lambda q=q: geocoder.geocode(q) for q in queries]))

if __name__ == "__main__":
    main()
