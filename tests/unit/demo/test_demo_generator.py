"""The demo data generator: deterministic, sized by scale, and valid by the domain's own rules."""

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
import shapely.geometry

from backend.core.domain.access import Assignment, Role, validate_assignment
from backend.demo.generator import DemoData, chinese_number, generate
from backend.demo.leasing import TEMPLATES, DemoLease, asset_status
from backend.leasing.domain.leases import ContractType, LeaseStatus, check_required_fields
from backend.org.domain.org import (
    AssetKind,
    AssetStatus,
    CustomerKind,
    CustomerTier,
    ProjectCategory,
    check_asset,
    check_project,
)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-[2-8]\d{7}$")
CREDIT_CODE = re.compile(r"^91\d{6}[0-9A-Z]{10}$")
EQUIPMENT_ONLY = {ProjectCategory.EQUIPMENT_DEPOT}


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(1, 42)


@pytest.fixture(scope="module")
def doubled() -> DemoData:
    return generate(2, 42)


def test_the_same_seed_gives_identical_data() -> None:
    first, second = generate(1, 7), generate(1, 7)
    assert first == second
    assert list(first.assets()) == list(second.assets())
    assert list(first.customers()) == list(second.customers())


def test_asking_for_assets_and_customers_twice_gives_the_same_rows(data: DemoData) -> None:
    assert list(data.assets()) == list(data.assets())
    assert list(data.customers()) == list(data.customers())


def test_a_different_seed_gives_different_data() -> None:
    first, second = generate(1, 7), generate(1, 8)
    assert [a.status for a in first.assets()] != [a.status for a in second.assets()]
    assert [c.name for c in first.customers()] != [c.name for c in second.customers()]
    assert [u.display_name for u in first.users] != [u.display_name for u in second.users]


def test_scale_one_has_three_regions_twelve_projects_two_thousand_assets_and_six_hundred_customers(
    data: DemoData,
) -> None:
    assert [region.code for region in data.regions] == ["EAST", "SOUTH", "NORTH"]
    assert len(data.projects) == 12
    assert 1_800 <= data.asset_count <= 2_200
    assert sum(1 for _ in data.assets()) == data.asset_count
    assert data.customer_count == 600
    assert sum(1 for _ in data.customers()) == 600


def test_scale_two_doubles_projects_assets_and_customers(data: DemoData, doubled: DemoData) -> None:
    assert len(doubled.projects) == 24
    assert 3_600 <= doubled.asset_count <= 4_400
    assert sum(1 for _ in doubled.assets()) == doubled.asset_count
    assert sum(1 for _ in doubled.customers()) == 1_200
    assert doubled.projects[:12] == data.projects


def test_later_phases_get_their_own_code_and_a_chinese_phase_name(doubled: DemoData) -> None:
    first, second = doubled.projects[0], doubled.projects[12]
    assert (first.code, second.code) == ("SH-LJZ", "SH-LJZ2")
    assert second.name == f"{first.name} 二期"
    assert second.city == first.city
    assert (second.latitude, second.longitude) != (first.latitude, first.longitude)


def test_the_phases_of_one_site_never_overlap() -> None:
    projects = generate(30, 1).projects
    for site in projects[:12]:
        phases = [p for p in projects if p.code.rstrip("0123456789") == site.code]
        fences = [
            shapely.geometry.shape(p.geofence).buffer(
                0 if p.fence else float(p.geofence_radius_m or 0) / 100_000
            )
            for p in phases
        ]
        assert len(fences) == 30
        for index, fence in enumerate(fences):
            assert not any(fence.intersects(other) for other in fences[index + 1 :]), site.code


def test_large_scales_are_planned_without_building_every_asset() -> None:
    large = generate(100, 1)
    assert len(large.projects) == 1_200
    assert large.asset_count > 180_000
    assert large.customer_count == 60_000
    assert next(large.assets()).project_code == "SH-LJZ"
    assert large.projects[-1].code == "BJ-YZ100"


def test_asset_codes_are_unique_across_all_projects(doubled: DemoData) -> None:
    codes = [asset.code for asset in doubled.assets()]
    assert len(codes) == len(set(codes))
    assert all(code.startswith(tuple(p.code + "-" for p in doubled.projects)) for code in codes)


def test_project_codes_and_customer_codes_are_unique(doubled: DemoData) -> None:
    assert len({p.code for p in doubled.projects}) == len(doubled.projects)
    codes = [c.code for c in doubled.customers()]
    assert len(codes) == len(set(codes))


def test_every_project_passes_the_domain_checks_with_a_valid_geofence(doubled: DemoData) -> None:
    for project in doubled.projects:
        check_project(project.values())
        fence = shapely.geometry.shape(project.geofence)
        assert fence.is_valid
        assert project.timezone == "Asia/Shanghai"
        assert project.holiday_calendar == "CN"
        if project.category is ProjectCategory.EQUIPMENT_DEPOT:
            assert project.geofence["type"] == "Point"
            assert project.geofence_radius_m is not None
        else:
            assert project.geofence["type"] == "Polygon"
            assert fence.contains(shapely.geometry.Point(float(project.longitude), float(project.latitude)))


def test_projects_lie_in_mainland_china(doubled: DemoData) -> None:
    for project in doubled.projects:
        assert Decimal(18) < project.latitude < Decimal(54)
        assert Decimal(73) < project.longitude < Decimal(135)


def test_a_sample_of_assets_passes_the_asset_checks(doubled: DemoData) -> None:
    sample = [asset for index, asset in enumerate(doubled.assets()) if index % 7 == 0]
    assert len(sample) > 500
    for asset in sample:
        check_asset(asset.values())


def test_assets_stand_inside_their_project_site(data: DemoData) -> None:
    projects = {project.code: project for project in data.projects}
    for index, asset in enumerate(data.assets()):
        if index % 5:
            continue
        project = projects[asset.project_code]
        point = shapely.geometry.Point(float(asset.longitude), float(asset.latitude))
        if project.geofence["type"] == "Polygon":
            assert shapely.geometry.shape(project.geofence).contains(point), asset.code
        else:
            centre = shapely.geometry.Point(float(project.longitude), float(project.latitude))
            assert point.distance(centre) < 0.01, asset.code


def test_asset_kinds_fit_the_project_category(data: DemoData) -> None:
    categories = {project.code: project.category for project in data.projects}
    for asset in data.assets():
        kind = asset.values()["kind"]
        if categories[asset.project_code] in EQUIPMENT_ONLY:
            assert kind is AssetKind.EQUIPMENT
        elif categories[asset.project_code] in {ProjectCategory.OFFICE, ProjectCategory.APARTMENT}:
            assert kind is AssetKind.SPACE
        if kind is AssetKind.SPACE:
            assert asset.floor is not None
            assert asset.serial_number is None
        else:
            assert asset.model
            assert asset.area_m2 is None


def test_most_assets_are_leased_or_vacant_and_few_are_retired(data: DemoData) -> None:
    statuses = Counter(asset.status for asset in data.assets())
    share = {status: count / data.asset_count for status, count in statuses.items()}
    assert share[AssetStatus.LEASED] + share[AssetStatus.VACANT] > 0.75
    assert share[AssetStatus.LEASED] > share[AssetStatus.VACANT]
    assert 0 < share[AssetStatus.RETIRED] < 0.05
    assert set(statuses) == set(AssetStatus)


def test_customer_phone_numbers_look_like_chinese_numbers(data: DemoData) -> None:
    for customer in data.customers():
        for contact in customer.contacts:
            assert MOBILE.match(contact.phone), contact.phone
        if customer.kind is CustomerKind.PERSON:
            assert MOBILE.match(customer.phone), customer.phone
        else:
            assert LANDLINE.match(customer.phone), customer.phone


def test_customers_have_one_to_three_contacts_with_exactly_one_primary(data: DemoData) -> None:
    for customer in data.customers():
        assert 1 <= len(customer.contacts) <= 3
        assert sum(contact.is_primary for contact in customer.contacts) == 1


def test_companies_carry_chinese_names_and_registration_numbers(data: DemoData) -> None:
    companies = [c for c in data.customers() if c.kind is CustomerKind.COMPANY]
    persons = [c for c in data.customers() if c.kind is CustomerKind.PERSON]
    assert len(persons) > 30
    for company in companies:
        assert company.name.endswith("公司")
        assert company.registration_number is not None
        assert CREDIT_CODE.match(company.registration_number)
    assert all(person.registration_number is None and 2 <= len(person.name) <= 3 for person in persons)


def test_bank_accounts_have_sixteen_to_nineteen_digits_and_bank_names(data: DemoData) -> None:
    for customer in data.customers():
        assert customer.bank_accounts
        numbers = [account.account_number for account in customer.bank_accounts]
        assert len(numbers) == len(set(numbers))
        for account in customer.bank_accounts:
            assert re.fullmatch(r"[1-9]\d{15,18}", account.account_number)
            assert "银行" in account.bank_name
            assert account.account_name == customer.name


def test_about_one_customer_in_ten_is_a_key_account_and_some_have_payer_names(data: DemoData) -> None:
    customers = list(data.customers())
    key_accounts = sum(customer.tier is CustomerTier.KEY_ACCOUNT for customer in customers)
    assert 0.06 < key_accounts / len(customers) < 0.14
    assert sum(bool(customer.payer_names) for customer in customers) > 30
    assert {customer.region_code for customer in customers} == {"EAST", "SOUTH", "NORTH"}


def test_every_role_has_at_least_one_user_with_a_fitting_assignment(doubled: DemoData) -> None:
    assert {user.role for user in doubled.users} == set(Role)
    for user in doubled.users:
        validate_assignment(
            Assignment(user.role, 1 if user.region_code else None, 1 if user.project_code else None)
        )


def test_usernames_are_unique_lower_case_and_follow_the_naming_scheme(doubled: DemoData) -> None:
    usernames = [user.username for user in doubled.users]
    assert len(usernames) == len(set(usernames))
    assert all(name == name.lower() for name in usernames)
    assert {"admin", "director", "rm.east", "rm.south", "rm.north", "pm.sh-ljz", "inspector.sh-ljz2"} <= set(
        usernames
    )
    assert sum(user.role is Role.PROJECT_MANAGER for user in doubled.users) == len(doubled.projects)


def test_managers_are_listed_before_the_people_reporting_to_them(data: DemoData) -> None:
    seen: set[str] = set()
    for user in data.users:
        assert user.manager_username is None or user.manager_username in seen
        seen.add(user.username)


@pytest.mark.parametrize(
    ("number", "text"),
    [(1, "一"), (2, "二"), (10, "十"), (12, "十二"), (20, "二十"), (101, "一百零一"), (110, "一百一十"),
     (1010, "一千零一十")],
)  # fmt: skip
def test_phases_are_numbered_in_chinese(number: int, text: str) -> None:
    assert chinese_number(number) == text


def test_a_scale_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        generate(0)


# Leases -------------------------------------------------------------------------------------

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def leased() -> tuple[DemoData, list[DemoLease]]:
    data = generate(1, 42, TODAY)
    return data, list(data.leases())


def test_the_same_seed_and_day_give_identical_leases_and_another_day_shifts_them() -> None:
    first, second = generate(1, 7, TODAY), generate(1, 7, TODAY)
    assert list(first.leases()) == list(second.leases())
    later = generate(1, 7, TODAY + timedelta(days=40))
    assert [lease.ends_on for lease in later.leases()] != [lease.ends_on for lease in first.leases()]


def test_five_templates_one_per_contract_type_with_the_chinese_market_defaults() -> None:
    templates = {template.contract_type: template for template in TEMPLATES}
    assert set(templates) == set(ContractType)
    office = templates[ContractType.OFFICE]
    assert (office.frequency, office.timing, office.due_offset_days) == ("quarterly", "prepaid", -15)
    assert (office.business_day_rule, office.deposit_months, office.notice_period_days) == (
        "following",
        3,
        90,
    )
    assert office.reminder_days == (90, 60, 30)
    assert (templates[ContractType.APARTMENT].frequency, templates[ContractType.APARTMENT].due_day) == (
        "monthly",
        5,
    )
    assert templates[ContractType.WAREHOUSE].frequency == "bimonthly"
    assert templates[ContractType.EQUIPMENT].timing == "arrears"
    for template in TEMPLATES:
        assert not check_required_fields(template.required_fields)


def test_most_space_and_equipment_is_let_and_asset_statuses_agree_with_the_leases(
    leased: tuple[DemoData, list[DemoLease]],
) -> None:
    data, leases = leased
    assets = {asset.code: asset for asset in data.assets()}
    let = {code: lease for lease in leases for code in lease.asset_codes}
    assert len(let) == sum(len(lease.asset_codes) for lease in leases)  # one lease per asset
    space = [a for a in assets.values() if a.area_m2 is not None]
    equipment = [a for a in assets.values() if a.area_m2 is None]
    assert 0.68 < sum(a.code in let for a in space) / len(space) < 0.82
    assert 0.52 < sum(a.code in let for a in equipment) / len(equipment) < 0.68
    for code, asset in assets.items():
        if code in let:
            assert asset.status == asset_status(let[code].status)
        else:
            assert asset.status not in (AssetStatus.LEASED, AssetStatus.PENDING_DELIVERY)


def test_lease_statuses_follow_the_day_of_seeding(leased: tuple[DemoData, list[DemoLease]]) -> None:
    _, leases = leased
    statuses = Counter(lease.status for lease in leases)
    assert statuses[LeaseStatus.ACTIVE] / len(leases) > 0.5
    assert all(statuses[s] > 10 for s in ("expiring", "signed", "draft", "ended"))
    for lease in leases:
        assert lease.starts_on.day == 1
        months = (
            (lease.ends_on.year - lease.starts_on.year) * 12 + lease.ends_on.month - lease.starts_on.month
        )
        assert 12 <= months + 1 <= 60
        if lease.status is LeaseStatus.ACTIVE:
            assert lease.starts_on <= TODAY
            assert lease.ends_on > TODAY + timedelta(days=max(60, lease.template.notice_period_days))
        elif lease.status is LeaseStatus.EXPIRING:
            assert TODAY < lease.ends_on < TODAY + timedelta(days=60)
        elif lease.status is LeaseStatus.SIGNED:
            assert lease.starts_on == date(2026, 12, 1)
        elif lease.status is LeaseStatus.ENDED:
            assert lease.closed_on == lease.ends_on < TODAY
        else:
            assert lease.starts_on > TODAY
            assert lease.signed_at is None


def test_leases_go_to_customers_of_the_region_with_local_managers(
    leased: tuple[DemoData, list[DemoLease]],
) -> None:
    data, leases = leased
    customer_regions = {customer.code: customer.region_code for customer in data.customers()}
    project_regions = {project.code: project.region_code for project in data.projects}
    usernames = {user.username: user for user in data.users}
    for lease in leases:
        assert lease.customer_code is not None
        assert customer_regions[lease.customer_code] == project_regions[lease.project_code]
        manager = usernames[lease.account_manager]
        assert manager.role in (Role.LEASING_AGENT, Role.PROJECT_MANAGER)
        assert manager.region_code == project_regions[lease.project_code] or (
            manager.project_code == lease.project_code
        )
    assert len({lease.number for lease in leases}) == len(leases)


def test_rents_are_realistic_and_some_leases_have_free_months_steps_fees_parking_and_two_units(
    leased: tuple[DemoData, list[DemoLease]],
) -> None:
    data, leases = leased
    areas = {asset.code: asset.area_m2 for asset in data.assets()}
    offices = [lease for lease in leases if lease.contract_type is ContractType.OFFICE]
    for lease in offices:
        area = sum(areas[code] or 0 for code in lease.asset_codes)
        daily_per_m2 = lease.lines[0].monthly_amount * 12 / 365 / area
        assert Decimal(2) < daily_per_m2 < Decimal(12), lease.number
        assert lease.lines[1].charge_type == "service_fee"
        assert lease.deposit_amount == lease.lines[0].monthly_amount * 3
    assert any(lease.concessions for lease in leases)
    assert all(c.percent == 100 for lease in leases for c in lease.concessions)
    assert {line.escalation_percent for lease in leases for line in lease.lines} == {None, 3, 4, 5}
    assert any(line.charge_type == "parking" for lease in leases for line in lease.lines)
    assert any(len(lease.asset_codes) == 2 for lease in leases)
    equipment = [lease for lease in leases if lease.contract_type is ContractType.EQUIPMENT]
    assert all(800 <= lease.lines[0].monthly_amount <= 40_000 for lease in equipment)
