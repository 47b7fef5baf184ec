"""Every context's mapped classes: importing this module registers every table on the metadata."""

import sync.db.models  # noqa: F401
