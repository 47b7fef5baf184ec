"""Pure business rules: no Flask, no SQLAlchemy, no marshmallow."""
