"""Store records → the tables the pages show, one module per concern (the snapshot, the
leaderboard, a product, histories, what-if, methodology, shortlists, runs).

Pure functions: no Streamlit, no SQL, no scoring maths, no environment. `dashboard/data.py` caches
them; tests call them directly on a fixture store.
"""
