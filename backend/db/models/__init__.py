"""Mapped classes; importing this package registers every table on the metadata."""

from backend.db.models.audit import AuditEntry
from backend.db.models.org import Asset, Project, Region
from backend.db.models.parties import Customer, CustomerBankAccount, CustomerContact, CustomerPayerName
from backend.db.models.people import Device, LoginAttempt, RoleAssignment, User
from backend.db.models.photos import Photo

__all__ = [
    "Asset",
    "AuditEntry",
    "Customer",
    "CustomerBankAccount",
    "CustomerContact",
    "CustomerPayerName",
    "Device",
    "LoginAttempt",
    "Photo",
    "Project",
    "Region",
    "RoleAssignment",
    "User",
]
