"""Demo data: deterministic, realistic therapist profiles in the interchange format.

`generate_documents(n, seed)` yields spec documents (`docs/profile-format.md`)
with `source: "demo"`; `rapport seed_demo` feeds them to the same importer as any
file, so demo data is validated exactly like real data. The same seed always
gives the same documents, byte for byte.

A package of its own, not an app: it owns no models, only data and the code
that draws from it. The data is apart from the code:

- `tables/`: names, places, licences, statement templates and word lists, term
  weights, and affinities (which approaches go with which issues, licences' leanings,
  specialties). Plain constants, no logic: edit them to change what the demo says.
- `weighted.py`: the weighted-choice table every draw goes through.
- `metros.py`: cities (`rapport/directory/data/us_cities.csv`) and their ZIPs.
- `terms.py`: the taxonomy, read through `rapport.taxonomy.sync`, as weighted tables.
- `generator.py`: one document at a time from one seeded stream.
"""

from __future__ import annotations

from .generator import REFERENCE_DATE, SOURCE, DemoGenerator, generate_documents, iter_numbered
from .metros import CITIES_CSV, load_metros
from .terms import TermTables, load_terms

__all__ = [
    "CITIES_CSV",
    "REFERENCE_DATE",
    "SOURCE",
    "DemoGenerator",
    "TermTables",
    "generate_documents",
    "iter_numbered",
    "load_metros",
    "load_terms",
]
