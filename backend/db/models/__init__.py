"""Mapped classes; importing this package registers every table on the metadata."""

from backend.db.models.audit import AuditEntry
from backend.db.models.field import GpsFix, StatusChangeRequest, WorkOrder
from backend.db.models.inspections import Checklist, ChecklistItem, Inspection, InspectionAnswer
from backend.db.models.leasing import (
    ChargeLine,
    CodeAlias,
    Concession,
    ContractTemplate,
    Lease,
    LeaseAmendment,
    PriceIndexValue,
    ScheduleItem,
    lease_assets,
)
from backend.db.models.org import Asset, Project, Region
from backend.db.models.parties import Customer, CustomerBankAccount, CustomerContact, CustomerPayerName
from backend.db.models.people import Device, LoginAttempt, RoleAssignment, User
from backend.db.models.photos import Photo
from backend.db.models.push import PushSubscription
from backend.db.models.sync import DeviceSyncState, SyncChange, SyncRejection
from backend.db.models.workflow import Approval, DomainEventRecord, JobRun, Notification

__all__ = [
    "Approval",
    "Asset",
    "AuditEntry",
    "ChargeLine",
    "Checklist",
    "ChecklistItem",
    "CodeAlias",
    "Concession",
    "ContractTemplate",
    "Customer",
    "CustomerBankAccount",
    "CustomerContact",
    "CustomerPayerName",
    "Device",
    "DeviceSyncState",
    "DomainEventRecord",
    "GpsFix",
    "Inspection",
    "InspectionAnswer",
    "JobRun",
    "Lease",
    "LeaseAmendment",
    "LoginAttempt",
    "Notification",
    "Photo",
    "PriceIndexValue",
    "Project",
    "PushSubscription",
    "Region",
    "RoleAssignment",
    "ScheduleItem",
    "StatusChangeRequest",
    "SyncChange",
    "SyncRejection",
    "User",
    "WorkOrder",
    "lease_assets",
]
