"""The default inspection checklists, one per asset type, with Chinese and English labels (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from backend.field.domain.inspections import ChecklistItemSpec, ItemKind
from backend.org.domain.org import AssetType

K = ItemKind


@dataclass(frozen=True)
class DefaultChecklist:
    """A checklist installed by `leasekeeper checklists seed`."""

    code: str
    name: str
    name_en: str
    asset_type: AssetType
    items: tuple[ChecklistItemSpec, ...]


def _item(
    key: str,
    kind: ItemKind,
    zh: str,
    en: str,
    *,
    required: bool = True,
    low: str | None = None,
    high: str | None = None,
    unit: str | None = None,
) -> ChecklistItemSpec:
    return ChecklistItemSpec(
        key,
        kind,
        zh,
        en,
        required,
        Decimal(low) if low is not None else None,
        Decimal(high) if high is not None else None,
        unit,
    )


_CLEAN = _item("cleanliness", K.PASS_FAIL, "整洁", "Clean and tidy")
_EXTINGUISHER = _item(
    "fire_extinguisher", K.PASS_FAIL, "灭火器在位且在有效期内", "Fire extinguisher present, in date"
)
_DOORS = _item("doors_locks", K.PASS_FAIL, "门与门锁完好", "Doors and locks work")
_NOTE = _item("remarks", K.TEXT, "备注", "Remarks", required=False)
_OVERVIEW = _item("overview_photo", K.PHOTO, "全景照片", "Overview photo", required=False)
_NAMEPLATE = _item("nameplate_photo", K.PHOTO, "铭牌照片", "Photo of the nameplate")
_GUARDS = _item("safety_guards", K.PASS_FAIL, "安全防护装置完好", "Safety guards in place")
_HOURS = _item("hour_meter", K.NUMBER, "小时表读数", "Hour meter reading", low="0", unit="h")

DEFAULT_CHECKLISTS: tuple[DefaultChecklist, ...] = (
    DefaultChecklist(
        "OFFICE-STD",
        "办公单元巡检",
        "Office unit inspection",
        AssetType.OFFICE,
        (
            _item("lights", K.PASS_FAIL, "照明正常", "Lights work"),
            _item("air_conditioning", K.PASS_FAIL, "空调正常", "Air conditioning works"),
            _DOORS,
            _EXTINGUISHER,
            _CLEAN,
            _OVERVIEW,
            _NOTE,
        ),
    ),
    DefaultChecklist(
        "SHOP-STD",
        "商铺巡检",
        "Shop inspection",
        AssetType.SHOP,
        (
            _item("shopfront", K.PASS_FAIL, "门面与橱窗完好", "Shopfront and windows intact"),
            _item("rolling_shutter", K.PASS_FAIL, "卷帘门正常", "Rolling shutter works"),
            _item("signage", K.PASS_FAIL, "招牌安全牢固", "Signage secure"),
            _EXTINGUISHER,
            _CLEAN,
            _NOTE,
        ),
    ),
    DefaultChecklist(
        "APARTMENT-STD",
        "公寓巡检",
        "Apartment inspection",
        AssetType.APARTMENT,
        (
            _item("water_leaks", K.PASS_FAIL, "无漏水", "No water leaks"),
            _item("appliances", K.PASS_FAIL, "家电正常", "Appliances work"),
            _item("smoke_detector", K.PASS_FAIL, "烟感报警器正常", "Smoke detector works"),
            _DOORS,
            _CLEAN,
            _item(
                "electricity_meter", K.NUMBER, "电表读数", "Electricity meter reading", low="0", unit="kWh"
            ),
            _NOTE,
        ),
    ),
    DefaultChecklist(
        "WAREHOUSE-STD",
        "仓库单元巡检",
        "Warehouse unit inspection",
        AssetType.WAREHOUSE_UNIT,
        (
            _item("roof_leaks", K.PASS_FAIL, "屋面无渗漏", "No roof leaks"),
            _item("floor_load_signs", K.PASS_FAIL, "地面荷载标识清晰", "Floor load signs legible"),
            _item("dock_doors", K.PASS_FAIL, "装卸平台门正常", "Dock doors work"),
            _item("sprinklers", K.PASS_FAIL, "喷淋系统无遮挡无损坏", "Sprinklers unobstructed and intact"),
            _EXTINGUISHER,
            _OVERVIEW,
            _NOTE,
        ),
    ),
    DefaultChecklist(
        "PARKING-STD",
        "车位巡检",
        "Parking space inspection",
        AssetType.PARKING_SPACE,
        (
            _item("markings", K.PASS_FAIL, "车位标线清晰", "Bay markings visible"),
            _item("barrier_lock", K.PASS_FAIL, "车位锁正常", "Bay lock works"),
            _item("charger", K.PASS_FAIL, "充电桩正常（如有）", "Charger works (if any)", required=False),
            _NOTE,
        ),
    ),
    DefaultChecklist(
        "MACHINERY-STD",
        "机械设备巡检",
        "Machinery inspection",
        AssetType.MACHINERY,
        (
            _HOURS,
            _item("hydraulic_leaks", K.PASS_FAIL, "液压系统无泄漏", "No hydraulic leaks"),
            _GUARDS,
            _item("emergency_stop", K.PASS_FAIL, "急停按钮有效", "Emergency stop works"),
            _NAMEPLATE,
            _NOTE,
        ),
    ),
    DefaultChecklist(
        "VEHICLE-STD",
        "车辆巡检",
        "Vehicle inspection",
        AssetType.VEHICLE,
        (
            _item("odometer", K.NUMBER, "里程表读数", "Odometer reading", low="0", unit="km"),
            _item("tyre_pressure", K.NUMBER, "轮胎气压", "Tyre pressure", low="2.0", high="3.0", unit="bar"),
            _item("lights_indicators", K.PASS_FAIL, "灯光与转向灯正常", "Lights and indicators work"),
            _item("brakes", K.PASS_FAIL, "制动正常", "Brakes work"),
            _item("body_damage", K.PASS_FAIL, "车身无新损伤", "No new body damage"),
            _NAMEPLATE,
            _NOTE,
        ),
    ),
    DefaultChecklist(
        "MEDICAL-STD",
        "医疗设备巡检",
        "Medical equipment inspection",
        AssetType.MEDICAL_EQUIPMENT,
        (
            _item("calibration_label", K.PASS_FAIL, "校准标签在有效期内", "Calibration label in date"),
            _item("self_test", K.PASS_FAIL, "开机自检通过", "Power-on self test passes"),
            _item("power_cable", K.PASS_FAIL, "电源线无破损", "Power cable undamaged"),
            _HOURS,
            _NAMEPLATE,
            _NOTE,
        ),
    ),
    DefaultChecklist(
        "IT-STD",
        "IT 设备巡检",
        "IT equipment inspection",
        AssetType.IT_EQUIPMENT,
        (
            _item("powers_on", K.PASS_FAIL, "可正常开机", "Powers on"),
            _item("asset_label", K.PASS_FAIL, "资产标签完好", "Asset label intact"),
            _item("physical_damage", K.PASS_FAIL, "外观无损坏", "No physical damage"),
            _NAMEPLATE,
            _NOTE,
        ),
    ),
)
