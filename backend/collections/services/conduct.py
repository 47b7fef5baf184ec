"""The dunning records as the credit profile and lease health read them: broken promises, disputes, how
fast the customer answers a reminder, and when they were contacted about a lease."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, timedelta

from backend.collections.domain.credit import Conduct
from backend.core.domain.access import Scope
from backend.core.services.unit_of_work import UnitOfWork

# Reminders further back than this say little about how the customer answers today.
LOOK_BACK = timedelta(days=730)
# A reminder unanswered this long counts as answered this late (it is still going on).
LONGEST_ANSWER_DAYS = 30


class RecordedConduct:
    """Reads what dunning recorded; the credit and lease-health use cases take it as their `dunning`."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def conduct_of(self, customer_id: int, scope: Scope, until: date) -> Conduct:
        """Promises broken, disputes raised, and the days each reminder took to be answered, by `until`."""
        broken, disputes = self.uow.conduct.counts(customer_id, scope, until)
        since = until - LOOK_BACK
        told = [day for day, _bills in self.uow.conduct.told_on(customer_id, scope, since, until)]
        answers = self.uow.conduct.answers(customer_id, since, until)
        return Conduct(broken, disputes, tuple(answer_days(told, answers, until)))

    def contacts_of(self, lease_id: int, scope: Scope, since: date, until: date) -> Sequence[date]:
        """The days the lease's customer was told about one of its bills."""
        lease = self.uow.leases.find(lease_id)
        if lease is None or lease.customer_id is None:
            return ()
        return [
            day
            for day, bills in self.uow.conduct.told_on(lease.customer_id, scope, since, until)
            if any(bill.get("lease_id") == lease_id for bill in bills)
        ]


def answer_days(told: Sequence[date], answers: Sequence[date], until: date) -> list[float]:
    """For each reminder, the days until the customer's next answer (capped; unanswered counts as so far)."""
    found = []
    for day in told:
        index = bisect_left(answers, day)
        answered = answers[index] if index < len(answers) else None
        days = (answered - day).days if answered is not None else (until - day).days
        found.append(float(min(days, LONGEST_ANSWER_DAYS)))
    return found
