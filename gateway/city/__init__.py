"""The city: each hall's gateway ships its event log to a central PostgreSQL (replicate.py),
where city reports are computed by SQL (reports.py) and ratings exported (export.py).
The hall stays the authority for its own hall: the city only ever reads what it was sent."""
