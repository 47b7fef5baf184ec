"""Persistence shared by every context: the declarative base, sessions, the unit of work, migrations."""
