"""The demo's data: names, places, licences, statement parts, term weights and affinities.

Constants only, no logic, so a writer can change what the demo says without
reading the generator. Changing any of them changes the generated data: update
the fingerprints in `rapport/directory/tests/test_demo.py` on purpose when you do.
"""
