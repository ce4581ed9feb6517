"""Geography: distances, location privacy, the gazetteer and geocoders; no Flask imports."""
