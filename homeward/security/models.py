"""No tables of its own. The module exists so Django sends this app `post_migrate`, after which the
row-level security policies are installed on every tenant table (apps.py, row_security.py)."""
