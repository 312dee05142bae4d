"""Staff sign in with their force's OpenID Connect provider (contract §8.1): the claims' rules
(`claims.py`, pure), the provider's client (`oidc.py`), the tables and their reads and writes
(`tables.py`, `store.py`), and the web glue each service's sign-in routes share (`web.py`)."""
