"""Django's SQLite backend with one change: `flush` sets the triggers aside (base.py)."""
