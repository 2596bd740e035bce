"""The SQL adapters: engines, schema, migrations, repositories and the unit of work."""
