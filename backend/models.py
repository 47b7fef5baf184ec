"""Every context's mapped classes: importing this module registers every table on the metadata."""

from backend.analytics.db import models as analytics
from backend.banking.db import models as banking
from backend.collections.db import models as collections
from backend.core.db import models as core
from backend.field.db import models as field
from backend.iot.db import models as iot
from backend.leasing.db import models as leasing
from backend.notify.db import models as notify
from backend.org.db import models as org
from backend.receivables.db import models as receivables
from backend.reminders.db import models as reminders
from sync.db import models as sync

# Each context's module defines its tables as it is imported; this names them all in one place.
CONTEXT_MODELS = (
    core,
    org,
    leasing,
    field,
    notify,
    sync,
    banking,
    receivables,
    analytics,
    reminders,
    iot,
    collections,
)
