"""Deterministic demo data: regions, projects in real Chinese cities, assets, customers, users and leases."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar

from backend.core.domain.access import Role
from backend.demo.leasing import TEMPLATES, DemoLease, DemoTemplate, ProjectLeasing, Unit, plan_project
from backend.org.domain.org import (
    ASSET_TYPE_KIND,
    AssetStatus,
    AssetType,
    CustomerKind,
    CustomerTier,
    ProjectCategory,
)

DEMO_PASSWORD = "leasekeeper-demo"  # noqa: S105 - published on purpose; demo databases only
DEFAULT_SEED = 20261122
# The day lease statuses are relative to when none is given (seeding passes the real day).
REFERENCE_DAY = date(2026, 11, 22)
CUSTOMERS_PER_SCALE = 600
TIMEZONE = "Asia/Shanghai"
HOLIDAY_CALENDAR = "CN"
EMAIL_DOMAIN = "leasekeeper-demo.example"

# Customers are generated in blocks with their own random stream, so any block can be rebuilt alone.
_CUSTOMER_BLOCK = 500
_METRES_PER_DEGREE_LAT = 110_574.0
_METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_PHASE_SPACING_M = 1_500.0
# Assets stay inside this share of the footprint, which keeps them inside the chamfered polygon.
_INNER_SHARE = 0.7
_CHAMFER = 0.25

Fence = tuple[tuple[float, float], ...]
T = TypeVar("T")

# Records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoRegion:
    """A region to create."""

    code: str
    name: str

    def values(self) -> dict[str, Any]:
        """Column values."""
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True)
class DemoProject:
    """A project (site) to create, with its footprint for placing assets."""

    region_code: str
    code: str
    name: str
    city: str
    category: ProjectCategory
    address: str
    latitude: Decimal
    longitude: Decimal
    fence: Fence | None
    geofence_radius_m: Decimal | None
    asset_count: int
    half_size_m: tuple[float, float] | None
    rotation_rad: float
    timezone: str = TIMEZONE
    holiday_calendar: str = HOLIDAY_CALENDAR

    @property
    def geofence(self) -> dict[str, Any]:
        """The geofence as GeoJSON: the site polygon, or the depot's centre point."""
        if self.fence is None:
            return {"type": "Point", "coordinates": [float(self.longitude), float(self.latitude)]}
        return {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in self.fence]]}

    def values(self) -> dict[str, Any]:
        """Column values, without the region (the caller knows its id)."""
        return {
            "code": self.code,
            "name": self.name,
            "city": self.city,
            "category": self.category,
            "timezone": self.timezone,
            "holiday_calendar": self.holiday_calendar,
            "address": self.address,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "geofence": self.geofence,
            "geofence_radius_m": self.geofence_radius_m,
        }


@dataclass(frozen=True)
class DemoAsset:
    """A space unit or an equipment item to create."""

    project_code: str
    code: str
    name: str
    asset_type: AssetType
    floor: str | None
    area_m2: Decimal | None
    serial_number: str | None
    model: str | None
    latitude: Decimal
    longitude: Decimal
    status: AssetStatus

    def values(self) -> dict[str, Any]:
        """Column values, without the project (the caller knows its id)."""
        return {
            "code": self.code,
            "name": self.name,
            "kind": ASSET_TYPE_KIND[self.asset_type],
            "asset_type": self.asset_type,
            "floor": self.floor,
            "area_m2": self.area_m2,
            "serial_number": self.serial_number,
            "model": self.model,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "status": self.status,
        }


@dataclass(frozen=True)
class DemoContact:
    """A person to talk to at a customer."""

    name: str
    title: str | None
    phone: str
    email: str | None
    is_primary: bool

    def values(self) -> dict[str, Any]:
        """Column values, without the customer."""
        return {
            "name": self.name,
            "title": self.title,
            "phone": self.phone,
            "email": self.email,
            "is_primary": self.is_primary,
        }


@dataclass(frozen=True)
class DemoBankAccount:
    """An account a customer pays from."""

    bank_name: str
    account_number: str
    account_name: str

    def values(self) -> dict[str, Any]:
        """Column values, without the customer."""
        return {
            "bank_name": self.bank_name,
            "account_number": self.account_number,
            "account_name": self.account_name,
        }


@dataclass(frozen=True)
class DemoCustomer:
    """A tenant with its contacts, bank accounts and payer names."""

    region_code: str
    code: str
    kind: CustomerKind
    name: str
    tier: CustomerTier
    registration_number: str | None
    email: str | None
    phone: str
    address: str
    notes: str | None
    contacts: tuple[DemoContact, ...]
    bank_accounts: tuple[DemoBankAccount, ...]
    payer_names: tuple[str, ...]

    def values(self) -> dict[str, Any]:
        """Column values, without the region and the child lists."""
        return {
            "code": self.code,
            "kind": self.kind,
            "name": self.name,
            "tier": self.tier,
            "registration_number": self.registration_number,
            "email": self.email,
            "phone": self.phone,
            "address": self.address,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class DemoUser:
    """A user with one role held globally, for a region or for a project."""

    username: str
    display_name: str
    role: Role
    region_code: str | None = None
    project_code: str | None = None
    manager_username: str | None = None

    @property
    def email(self) -> str:
        """A reserved-domain address, so no demo mail ever reaches anyone."""
        return f"{self.username}@{EMAIL_DOMAIN}"

    def values(self) -> dict[str, Any]:
        """Column values, without password and manager (the caller sets those)."""
        return {
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "locale": "zh_CN",
        }


@dataclass(frozen=True)
class DemoData:
    """Everything to seed; assets and customers are produced on demand to keep memory flat."""

    scale: int
    seed: int
    regions: tuple[DemoRegion, ...]
    projects: tuple[DemoProject, ...]
    users: tuple[DemoUser, ...]
    customer_count: int
    today: date = REFERENCE_DAY
    templates: tuple[DemoTemplate, ...] = TEMPLATES

    @property
    def asset_count(self) -> int:
        """How many assets `assets()` yields."""
        return sum(project.asset_count for project in self.projects)

    def assets(self) -> Iterator[DemoAsset]:
        """Every asset, project by project, its status agreeing with its lease; the same on every call."""
        for project in self.projects:
            assets = list(_project_assets(project, self.seed))
            statuses = self._leasing(project, assets).statuses
            yield from (replace(asset, status=statuses[asset.code]) for asset in assets)

    def leases(self) -> Iterator[DemoLease]:
        """Every lease, project by project, let to customers of the project's region; same data every call."""
        region_customers: dict[str, list[str]] = {}
        for customer in self.customers():
            region_customers.setdefault(customer.region_code, []).append(customer.code)
        for project in self.projects:
            rng = _rng(self.seed, "tenants", project.code)
            customers = region_customers[project.region_code]
            for lease in self._leasing(project, list(_project_assets(project, self.seed))).leases:
                yield replace(lease, customer_code=rng.choice(customers))

    def _leasing(self, project: DemoProject, assets: list[DemoAsset]) -> ProjectLeasing:
        units = [Unit(asset.code, asset.asset_type, asset.area_m2, asset.status) for asset in assets]
        slug = _REGION_SLUG[project.region_code]
        managers = (f"agent1.{slug}", f"agent2.{slug}", f"pm.{project.code.lower()}")
        rng = _rng(self.seed, "leases", project.code, self.today.isoformat())
        return plan_project(project.code, project.city, units, managers, self.today, rng)

    def customers(self) -> Iterator[DemoCustomer]:
        """Every customer in code order; the same data on every call."""
        for block_start in range(0, self.customer_count, _CUSTOMER_BLOCK):
            rng = _rng(self.seed, "customers", block_start)
            for index in range(block_start, min(block_start + _CUSTOMER_BLOCK, self.customer_count)):
                yield _customer(index, rng)


# Reference data -----------------------------------------------------------------------------


class _Weighted(Generic[T]):
    """Values drawn by weight; the cumulative weights are summed once, not on every draw."""

    def __init__(self, *pairs: tuple[T, int]) -> None:
        self.values = [value for value, _ in pairs]
        self.cum_weights = list(itertools.accumulate(weight for _, weight in pairs))

    def draw(self, rng: random.Random) -> T:
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


@dataclass(frozen=True)
class _City:
    name: str
    region: str
    address_prefix: str
    area_code: str
    division_code: str
    districts: tuple[str, ...]


@dataclass(frozen=True)
class _Site:
    region: str
    code: str
    name: str
    city: str
    address: str
    category: ProjectCategory
    latitude: float
    longitude: float
    half_size_m: tuple[float, float] | None
    radius_m: int | None
    base_assets: int


REGIONS = (
    DemoRegion("EAST", "华东区域"),
    DemoRegion("SOUTH", "华南区域"),
    DemoRegion("NORTH", "华北区域"),
)
_REGION_SLUG = {"EAST": "east", "SOUTH": "south", "NORTH": "north"}


_CITIES = (
    _City("上海", "EAST", "上海市", "021", "310115", ("浦东新区", "徐汇区", "静安区", "闵行区", "长宁区")),
    _City("苏州", "EAST", "江苏省苏州市", "0512", "320506", ("工业园区", "姑苏区", "吴中区", "相城区")),
    _City("杭州", "EAST", "浙江省杭州市", "0571", "330108", ("滨江区", "西湖区", "余杭区", "上城区")),
    _City("宁波", "EAST", "浙江省宁波市", "0574", "330206", ("北仑区", "鄞州区", "海曙区")),
    _City("深圳", "SOUTH", "广东省深圳市", "0755", "440305", ("南山区", "福田区", "宝安区", "龙岗区")),
    _City("广州", "SOUTH", "广东省广州市", "020", "440106", ("天河区", "越秀区", "海珠区", "番禺区")),
    _City("东莞", "SOUTH", "广东省东莞市", "0769", "441900", ("松山湖", "南城街道", "长安镇", "虎门镇")),
    _City("珠海", "SOUTH", "广东省珠海市", "0756", "440402", ("横琴新区", "香洲区", "金湾区")),
    _City("北京", "NORTH", "北京市", "010", "110105", ("朝阳区", "海淀区", "东城区", "大兴区")),
    _City("天津", "NORTH", "天津市", "022", "120116", ("滨海新区", "和平区", "南开区", "河西区")),
)
_CITIES_BY_REGION = {code: tuple(c for c in _CITIES if c.region == code) for code in _REGION_SLUG}

PC = ProjectCategory
# Coordinates are WGS84 centres of the real districts; footprints are rough site sizes.
_SITES = (
    _Site("EAST", "SH-LJZ", "陆家嘴金融中心", "上海", "上海市浦东新区银城中路288号", PC.OFFICE,
          31.237500, 121.501400, (70, 55), None, 260),
    _Site("EAST", "SUZ-SIP", "苏州工业园区物流园", "苏州", "江苏省苏州市工业园区港田路88号",
          PC.INDUSTRIAL_PARK, 31.327000, 120.775000, (850, 600), None, 160),
    _Site("EAST", "HZ-BJ", "滨江江景公寓", "杭州", "浙江省杭州市滨江区江南大道588号", PC.APARTMENT,
          30.208400, 120.211900, (230, 170), None, 200),
    _Site("EAST", "NB-BL", "北仑港区仓储中心", "宁波", "浙江省宁波市北仑区明州路168号", PC.WAREHOUSE,
          29.918000, 121.846000, (480, 320), None, 120),
    _Site("SOUTH", "SZ-NS", "南山科技园大厦", "深圳", "广东省深圳市南山区科技南十二路18号", PC.OFFICE,
          22.540700, 113.952000, (65, 50), None, 220),
    _Site("SOUTH", "GZ-TH", "天河商业广场", "广州", "广东省广州市天河区天河路385号", PC.RETAIL,
          23.132100, 113.326000, (160, 110), None, 180),
    _Site("SOUTH", "DG-SSH", "松山湖设备租赁中心", "东莞", "广东省东莞市松山湖工业西路6号",
          PC.EQUIPMENT_DEPOT, 22.919000, 113.884000, None, 300, 110),
    _Site("SOUTH", "ZH-HQ", "横琴国际商务中心", "珠海", "广东省珠海市横琴新区环岛东路3000号", PC.MIXED_USE,
          22.126500, 113.544000, (300, 240), None, 150),
    _Site("NORTH", "BJ-CY", "朝阳国际商务中心", "北京", "北京市朝阳区建国路81号", PC.OFFICE,
          39.908700, 116.460500, (75, 60), None, 240),
    _Site("NORTH", "BJ-WJ", "望京花园公寓", "北京", "北京市朝阳区望京街10号", PC.APARTMENT,
          39.996000, 116.470000, (250, 190), None, 180),
    _Site("NORTH", "TJ-BH", "滨海新区物流园", "天津", "天津市滨海新区第十一大街18号", PC.WAREHOUSE,
          39.040000, 117.720000, (520, 360), None, 130),
    _Site("NORTH", "BJ-YZ", "亦庄设备服务中心", "北京", "北京市北京经济技术开发区科创十三街20号",
          PC.EQUIPMENT_DEPOT, 39.795000, 116.506000, None, 250, 100),
)  # fmt: skip

AT = AssetType
_TYPE_MIX: dict[ProjectCategory, tuple[tuple[AssetType, int], ...]] = {
    PC.OFFICE: ((AT.OFFICE, 82), (AT.PARKING_SPACE, 18)),
    PC.RETAIL: ((AT.SHOP, 78), (AT.PARKING_SPACE, 22)),
    PC.APARTMENT: ((AT.APARTMENT, 85), (AT.PARKING_SPACE, 15)),
    PC.INDUSTRIAL_PARK: (
        (AT.WAREHOUSE_UNIT, 45),
        (AT.OFFICE, 15),
        (AT.MACHINERY, 25),
        (AT.PARKING_SPACE, 15),
    ),
    PC.WAREHOUSE: ((AT.WAREHOUSE_UNIT, 70), (AT.MACHINERY, 22), (AT.PARKING_SPACE, 8)),
    PC.EQUIPMENT_DEPOT: (
        (AT.MACHINERY, 35),
        (AT.VEHICLE, 25),
        (AT.MEDICAL_EQUIPMENT, 20),
        (AT.IT_EQUIPMENT, 20),
    ),
    PC.MIXED_USE: ((AT.OFFICE, 40), (AT.SHOP, 25), (AT.APARTMENT, 20), (AT.PARKING_SPACE, 15)),
}

S = AssetStatus
_SPACE_STATUSES = _Weighted(
    (S.LEASED, 64), (S.VACANT, 20), (S.RESERVED, 5), (S.PENDING_DELIVERY, 2),
    (S.MAINTENANCE, 3), (S.RENOVATION, 4), (S.RETIRED, 2),
)  # fmt: skip
_EQUIPMENT_STATUSES = _Weighted(
    (S.LEASED, 58), (S.VACANT, 24), (S.RESERVED, 5), (S.PENDING_DELIVERY, 3),
    (S.MAINTENANCE, 7), (S.RETIRED, 3),
)  # fmt: skip

# (brand, model, what it is, serial-number prefix)
_EQUIPMENT_MODELS: dict[AssetType, tuple[tuple[str, str, str, str], ...]] = {
    AT.MACHINERY: (
        ("徐工", "XE215DA", "挖掘机", "XCMG"), ("三一", "SY215C", "挖掘机", "SANY"),
        ("柳工", "CLG856H", "装载机", "LG"), ("中联重科", "ZTC250V", "汽车起重机", "ZL"),
        ("杭叉", "CPD25", "电动叉车", "HC"), ("合力", "CPCD30", "内燃叉车", "HL"),
        ("林德", "E20", "电动叉车", "LD"), ("临工", "LG6150E", "挖掘机", "SDLG"),
        ("诺力", "PTE20N", "电动搬运车", "NL"), ("鼎力", "GTJZ0808", "剪叉式高空作业平台", "DL"),
    ),
    AT.VEHICLE: (
        ("比亚迪", "T5", "纯电动厢式货车", "BYD"), ("福田", "欧马可 S3", "轻型卡车", "FT"),
        ("江铃", "顺达", "轻型卡车", "JMC"), ("五菱", "荣光", "小型面包车", "WL"),
        ("上汽大通", "V90", "轻型客车", "SAIC"), ("东风", "凯普特 K6", "厢式运输车", "DF"),
        ("宇通", "E8", "纯电动客车", "YT"),
    ),
    AT.MEDICAL_EQUIPMENT: (
        ("迈瑞", "BeneVision N15", "病人监护仪", "MR"), ("迈瑞", "Resona 7", "彩色多普勒超声", "MR"),
        ("联影", "uCT 760", "CT扫描仪", "UI"), ("鱼跃", "YH-830", "无创呼吸机", "YY"),
        ("万东", "新东方1000", "数字化X射线摄影系统", "WD"), ("理邦", "iM70", "病人监护仪", "EDAN"),
    ),
    AT.IT_EQUIPMENT: (
        ("华为", "FusionServer 2288H V6", "机架服务器", "HW"),
        ("联想", "ThinkSystem SR650", "机架服务器", "LNV"),
        ("浪潮", "NF5280M6", "机架服务器", "INS"), ("新华三", "S6520X", "交换机", "H3C"),
        ("曙光", "I620-G30", "服务器", "SG"), ("海康威视", "DS-2CD3T86", "网络摄像机", "HIK"),
        ("联想", "ThinkPad T14", "笔记本电脑", "LNV"),
    ),
}  # fmt: skip
_EQUIPMENT_CODE = {AT.MACHINERY: "MC", AT.VEHICLE: "VH", AT.MEDICAL_EQUIPMENT: "MD", AT.IT_EQUIPMENT: "IT"}

_SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("高", "gao"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("萧", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"),
    ("袁", "yuan"), ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"),
)  # fmt: skip
_GIVEN_NAMES = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("霞", "xia"),
    ("平", "ping"), ("刚", "gang"), ("建华", "jianhua"), ("建国", "jianguo"), ("志强", "zhiqiang"),
    ("晓东", "xiaodong"), ("思远", "siyuan"), ("雨桐", "yutong"), ("子涵", "zihan"), ("浩然", "haoran"),
    ("欣怡", "xinyi"), ("梓轩", "zixuan"), ("俊杰", "junjie"), ("佳怡", "jiayi"), ("文博", "wenbo"),
    ("婷婷", "tingting"), ("海燕", "haiyan"), ("志明", "zhiming"), ("丽华", "lihua"), ("晨曦", "chenxi"),
    ("宇航", "yuhang"), ("一鸣", "yiming"), ("诗涵", "shihan"), ("嘉欣", "jiaxin"), ("国栋", "guodong"),
    ("秀英", "xiuying"), ("春梅", "chunmei"), ("立新", "lixin"),
)  # fmt: skip
_BRAND_SYLLABLES = (
    ("华", "hua"), ("信", "xin"), ("达", "da"), ("博", "bo"), ("恒", "heng"), ("瑞", "rui"),
    ("鑫", "xin"), ("泰", "tai"), ("佳", "jia"), ("源", "yuan"), ("德", "de"), ("安", "an"),
    ("盛", "sheng"), ("通", "tong"), ("宏", "hong"), ("智", "zhi"), ("汇", "hui"), ("嘉", "jia"),
    ("永", "yong"), ("中", "zhong"), ("新", "xin"), ("海", "hai"), ("金", "jin"), ("云", "yun"),
    ("天", "tian"), ("锦", "jin"), ("融", "rong"), ("启", "qi"), ("远", "yuan"), ("正", "zheng"),
    ("明", "ming"), ("创", "chuang"), ("联", "lian"), ("丰", "feng"), ("实", "shi"), ("晟", "sheng"),
    ("宇", "yu"), ("航", "hang"), ("诺", "nuo"), ("卓", "zhuo"),
)  # fmt: skip
_INDUSTRIES = (
    ("科技", "tech"), ("信息技术", "it"), ("贸易", "trade"), ("物流", "logistics"), ("供应链管理", "scm"),
    ("医疗器械", "med"), ("餐饮管理", "food"), ("电子商务", "ec"), ("文化传媒", "media"),
    ("建筑工程", "build"), ("生物科技", "bio"), ("管理咨询", "consult"), ("投资管理", "capital"),
    ("教育科技", "edu"), ("电子", "elec"), ("新能源", "energy"), ("软件", "soft"), ("网络科技", "net"),
    ("设计", "design"), ("实业", "group"), ("机械设备", "machine"), ("服饰", "fashion"),
    ("食品", "foods"), ("人力资源", "hr"),
)  # fmt: skip
_COMPANY_SUFFIXES = _Weighted(("有限公司", 75), ("有限责任公司", 15), ("股份有限公司", 10))
_CUSTOMER_REGIONS = _Weighted(("EAST", 40), ("SOUTH", 35), ("NORTH", 25))
_CONTACTS_PER_COMPANY = _Weighted((1, 40), (2, 40), (3, 20))
_ACCOUNTS_PER_COMPANY = _Weighted((1, 70), (2, 30))
_ROADS = (
    "人民路", "中山路", "解放路", "建设路", "长江路", "科技路", "创新大道", "学院路", "新华路", "和平路",
    "滨江大道", "世纪大道", "金融街", "工业大道", "发展大道", "光明路", "环城路", "文化路", "东方路",
    "青年路",
)  # fmt: skip
_TITLES = (
    "总经理",
    "副总经理",
    "行政经理",
    "财务经理",
    "采购主管",
    "办公室主任",
    "法务专员",
    "设施经理",
    "行政专员",
)
_BANKS = (
    "中国工商银行", "中国建设银行", "中国银行", "中国农业银行", "交通银行", "招商银行", "中信银行",
    "上海浦东发展银行", "兴业银行", "中国民生银行", "平安银行", "中国光大银行", "华夏银行", "宁波银行",
    "北京银行", "上海银行",
)  # fmt: skip
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "195", "198", "199",
)  # fmt: skip
_MAIL_PROVIDERS = ("163.com", "126.com", "qq.com", "sina.com", "foxmail.com")
_KEY_ACCOUNT_NOTES = (
    "集团客户，按季度付款，统一开具增值税专用发票。",
    "重点客户，续约时优先保留原单元。",
    "多项目租赁，由客户经理统一对接。",
)
_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_CHINESE_DIGITS = "零一二三四五六七八九"


# Entry point --------------------------------------------------------------------------------


def generate(scale: int, seed: int = DEFAULT_SEED, today: date = REFERENCE_DAY) -> DemoData:
    """Demo data ×scale: 12 projects, ~2,000 assets, ~1,400 leases and 600 customers per unit of scale.

    Lease statuses (active, expiring, signed, ended) are relative to `today`, the project-time-zone date.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    rng = _rng(seed, "plan")
    projects = tuple(_project(index, rng) for index in range(len(_SITES) * scale))
    return DemoData(
        scale=scale,
        seed=seed,
        regions=REGIONS,
        projects=projects,
        users=_users(projects, rng),
        customer_count=CUSTOMERS_PER_SCALE * scale,
        today=today,
    )


def chinese_number(number: int) -> str:
    """Write 1..9999 in Chinese numerals: 2 → 二, 12 → 十二, 105 → 一百零五."""
    if not 1 <= number <= 9999:
        raise ValueError("only 1..9999 are supported")
    parts: list[str] = []
    zero_pending = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(_CHINESE_DIGITS[digit] + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def _rng(seed: int, *parts: object) -> random.Random:
    """An independent random stream per purpose, so lazily built parts never shift each other."""
    return random.Random("/".join(str(part) for part in (seed, *parts)))  # noqa: S311 - demo data, not secrets


# Projects -----------------------------------------------------------------------------------


def _project(index: int, rng: random.Random) -> DemoProject:
    site = _SITES[index % len(_SITES)]
    phase = index // len(_SITES) + 1
    latitude, longitude = site.latitude, site.longitude
    code, name, address = site.code, site.name, site.address
    if phase > 1:
        # Later phases spiral outwards from the original site, spaced so one site's phases never overlap.
        angle = phase * _GOLDEN_ANGLE
        spacing = max(_PHASE_SPACING_M, 3 * math.hypot(*site.half_size_m) if site.half_size_m else 0.0)
        distance = spacing * math.sqrt(phase - 1)
        latitude, longitude = _offset(
            latitude, longitude, distance * math.cos(angle), distance * math.sin(angle)
        )
        code = f"{site.code}{phase}"
        name = f"{site.name} {chinese_number(phase)}期"
        address = f"{site.address}（{chinese_number(phase)}期）"
    rotation = math.radians(rng.uniform(-25.0, 25.0))
    fence = None if site.half_size_m is None else _footprint(latitude, longitude, site.half_size_m, rotation)
    return DemoProject(
        region_code=site.region,
        code=code,
        name=name,
        city=site.city,
        category=site.category,
        address=address,
        latitude=_coordinate(latitude),
        longitude=_coordinate(longitude),
        fence=fence,
        geofence_radius_m=None if site.radius_m is None else Decimal(site.radius_m).quantize(Decimal("0.1")),
        asset_count=round(site.base_assets * rng.uniform(0.92, 1.08)),
        half_size_m=site.half_size_m,
        rotation_rad=rotation,
    )


def _offset(latitude: float, longitude: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point `east_m` east and `north_m` north of another (flat earth; fine over kilometres)."""
    metres_per_degree_lon = _METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(latitude))
    return latitude + north_m / _METRES_PER_DEGREE_LAT, longitude + east_m / metres_per_degree_lon


def _rotated(x: float, y: float, rotation: float) -> tuple[float, float]:
    cos, sin = math.cos(rotation), math.sin(rotation)
    return x * cos - y * sin, x * sin + y * cos


def _footprint(latitude: float, longitude: float, half_size: tuple[float, float], rotation: float) -> Fence:
    """A rotated rectangle with one chamfered corner, counter-clockwise and closed, as (lon, lat)."""
    hx, hy = half_size
    corners = (
        (-hx, -hy),
        (hx, -hy),
        (hx, hy * (1 - 2 * _CHAMFER)),
        (hx * (1 - 2 * _CHAMFER), hy),
        (-hx, hy),
    )
    ring = []
    for x, y in corners:
        lat, lon = _offset(latitude, longitude, *_rotated(x, y, rotation))
        ring.append((round(lon, 6), round(lat, 6)))
    ring.append(ring[0])
    return tuple(ring)


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


# Assets -------------------------------------------------------------------------------------


class _Unit(NamedTuple):
    code: str
    name: str
    floor: str | None
    area_m2: Decimal | None
    serial_number: str | None
    model: str | None


def _project_assets(project: DemoProject, seed: int) -> Iterator[DemoAsset]:
    rng = _rng(seed, "assets", project.code)
    types, weights = zip(*_TYPE_MIX[project.category], strict=True)
    office_units_per_floor = rng.randint(6, 10)
    counters = dict.fromkeys(types, 0)
    for asset_type in rng.choices(types, weights, k=project.asset_count):
        number = counters[asset_type]
        counters[asset_type] += 1
        latitude, longitude = _asset_location(project, rng)
        if asset_type in _EQUIPMENT_CODE:
            unit = _equipment_item(project.code, asset_type, number, rng)
            status = _EQUIPMENT_STATUSES.draw(rng)
        else:
            unit = _space_unit(project.code, asset_type, number, office_units_per_floor, rng)
            status = _SPACE_STATUSES.draw(rng)
        yield DemoAsset(
            project_code=project.code,
            code=unit.code,
            name=unit.name,
            asset_type=asset_type,
            floor=unit.floor,
            area_m2=unit.area_m2,
            serial_number=unit.serial_number,
            model=unit.model,
            latitude=latitude,
            longitude=longitude,
            status=status,
        )


def _equipment_item(prefix: str, asset_type: AssetType, number: int, rng: random.Random) -> _Unit:
    brand, model, what, serial_prefix = rng.choice(_EQUIPMENT_MODELS[asset_type])
    serial = f"{serial_prefix}{rng.randint(2018, 2025)}{rng.randrange(10**7):07d}"
    code = f"{prefix}-{_EQUIPMENT_CODE[asset_type]}-{number + 1:04d}"
    return _Unit(code, f"{brand}{what}", None, None, serial, model)


def _space_unit(
    prefix: str, asset_type: AssetType, number: int, office_units_per_floor: int, rng: random.Random
) -> _Unit:
    """The `number`-th unit of a type, laid out floor by floor so codes read like real unit numbers."""
    if asset_type is AT.OFFICE:
        floor, unit = 3 + number // office_units_per_floor, number % office_units_per_floor + 1
        room = f"{floor:02d}{unit:02d}"
        return _space(f"{prefix}-{room}", f"{floor}层{room}室", str(floor), rng.triangular(60, 600, 160))
    if asset_type is AT.SHOP:
        level_index, unit = divmod(number, 28)
        level = "B1" if level_index == 0 else f"L{level_index}"
        storey = "B1" if level_index == 0 else str(level_index)
        return _space(f"{prefix}-{level}-{unit + 1:02d}", f"{level}-{unit + 1:02d}商铺", storey,
                      rng.triangular(25, 1200, 80))  # fmt: skip
    if asset_type is AT.APARTMENT:
        building, rest = divmod(number, 96)
        floor, unit = 2 + rest // 4, rest % 4 + 1
        room = f"{floor:02d}{unit:02d}"
        return _space(f"{prefix}-{building + 1}-{room}", f"{building + 1}栋{room}室", str(floor),
                      rng.triangular(35, 145, 75))  # fmt: skip
    if asset_type is AT.WAREHOUSE_UNIT:
        building, unit = divmod(number, 12)
        name = f"{building + 1}号库{unit + 1:02d}单元"
        return _space(f"{prefix}-W{building + 1}-{unit + 1:02d}", name, "1", rng.triangular(800, 6000, 2000))
    level_number, space = divmod(number, 300)
    level = f"B{level_number + 1}"
    return _space(
        f"{prefix}-{level}-{space + 1:03d}", f"{level}-{space + 1:03d}车位", level, rng.uniform(12.5, 16.0)
    )


def _space(code: str, name: str, floor: str, area: float) -> _Unit:
    return _Unit(code, name, floor, Decimal(f"{area:.2f}"), None, None)


def _asset_location(project: DemoProject, rng: random.Random) -> tuple[Decimal, Decimal]:
    """A point inside the project's footprint (or within its depot radius)."""
    latitude, longitude = float(project.latitude), float(project.longitude)
    if project.half_size_m is not None:
        hx, hy = project.half_size_m
        x = rng.uniform(-_INNER_SHARE, _INNER_SHARE) * hx
        y = rng.uniform(-_INNER_SHARE, _INNER_SHARE) * hy
        east, north = _rotated(x, y, project.rotation_rad)
    else:
        radius = float(project.geofence_radius_m or 0) * 0.6 * math.sqrt(rng.random())
        angle = rng.uniform(0, 2 * math.pi)
        east, north = radius * math.cos(angle), radius * math.sin(angle)
    lat, lon = _offset(latitude, longitude, east, north)
    return _coordinate(lat), _coordinate(lon)


# Customers ----------------------------------------------------------------------------------


def _customer(index: int, rng: random.Random) -> DemoCustomer:
    region = _CUSTOMER_REGIONS.draw(rng)
    city = rng.choice(_CITIES_BY_REGION[region])
    code = f"CU{index + 1:06d}"
    if rng.random() < 0.15:
        return _person_customer(code, region, city, rng)
    (first, first_pinyin), (second, second_pinyin) = rng.sample(_BRAND_SYLLABLES, 2)
    industry, industry_slug = rng.choice(_INDUSTRIES)
    brand = first + second
    name = f"{city.name}{brand}{industry}{_COMPANY_SUFFIXES.draw(rng)}"
    domain = f"{first_pinyin}{second_pinyin}{industry_slug}.{rng.choice(('com', 'com.cn', 'cn'))}"
    tier = CustomerTier.KEY_ACCOUNT if rng.random() < 0.115 else CustomerTier.STANDARD
    contacts = tuple(
        _contact(rng, domain, title=rng.choice(_TITLES), primary=position == 0)
        for position in range(_CONTACTS_PER_COMPANY.draw(rng))
    )
    accounts = _bank_accounts(rng, name, city, _ACCOUNTS_PER_COMPANY.draw(rng), personal=False)
    payers: tuple[str, ...] = ()
    if rng.random() < 0.18:
        payers = (
            rng.choice(
                (f"{city.name}{brand}集团有限公司", f"{brand}控股（香港）有限公司", _person_name(rng)[0])
            ),
        )
    floor = rng.randint(2, 30)
    return DemoCustomer(
        region_code=region,
        code=code,
        kind=CustomerKind.COMPANY,
        name=name,
        tier=tier,
        registration_number=_credit_code(city.division_code, rng),
        email=f"info@{domain}",
        phone=f"{city.area_code}-{rng.randint(2, 8)}{rng.randrange(10**7):07d}",
        address=f"{_street_address(city, rng)}{floor}楼{floor:02d}{rng.randint(1, 20):02d}室",
        notes=rng.choice(_KEY_ACCOUNT_NOTES) if tier is CustomerTier.KEY_ACCOUNT else None,
        contacts=contacts,
        bank_accounts=accounts,
        payer_names=payers,
    )


def _person_customer(code: str, region: str, city: _City, rng: random.Random) -> DemoCustomer:
    name, pinyin = _person_name(rng)
    phone = _mobile(rng)
    email = f"{pinyin}{rng.randint(1, 999)}@{rng.choice(_MAIL_PROVIDERS)}"
    payers: tuple[str, ...] = ()
    if rng.random() < 0.1:
        # A family member paying the rent shares the surname more often than not.
        payers = (name[0] + rng.choice(_GIVEN_NAMES)[0],)
    return DemoCustomer(
        region_code=region,
        code=code,
        kind=CustomerKind.PERSON,
        name=name,
        tier=CustomerTier.STANDARD,
        registration_number=None,
        email=email,
        phone=phone,
        address=_street_address(city, rng),
        notes=None,
        contacts=(DemoContact(name=name, title=None, phone=phone, email=email, is_primary=True),),
        bank_accounts=_bank_accounts(rng, name, city, 1, personal=True),
        payer_names=payers,
    )


def _contact(rng: random.Random, domain: str, title: str, primary: bool) -> DemoContact:
    name, pinyin = _person_name(rng)
    return DemoContact(
        name=name, title=title, phone=_mobile(rng), email=f"{pinyin}@{domain}", is_primary=primary
    )


def _bank_accounts(
    rng: random.Random, holder: str, city: _City, count: int, personal: bool
) -> tuple[DemoBankAccount, ...]:
    accounts: list[DemoBankAccount] = []
    numbers: set[str] = set()
    while len(accounts) < count:
        bank = rng.choice(_BANKS)
        if personal:
            # Personal debit cards are UnionPay numbers: 19 digits starting with 62.
            number = f"62{rng.randrange(10**17):017d}"
            bank_name = bank
        else:
            digits = rng.randint(15, 18)
            number = f"{rng.randint(1, 9)}{rng.randrange(10**digits):0{digits}d}"
            bank_name = f"{bank}{city.name}{rng.choice(city.districts)}支行"
        if number not in numbers:
            numbers.add(number)
            accounts.append(DemoBankAccount(bank_name=bank_name, account_number=number, account_name=holder))
    return tuple(accounts)


def _person_name(rng: random.Random) -> tuple[str, str]:
    """A Chinese name and its pinyin, e.g. ("王晓东", "wang.xiaodong")."""
    surname, surname_pinyin = rng.choice(_SURNAMES)
    given, given_pinyin = rng.choice(_GIVEN_NAMES)
    return surname + given, f"{surname_pinyin}.{given_pinyin}"


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _street_address(city: _City, rng: random.Random) -> str:
    return f"{city.address_prefix}{rng.choice(city.districts)}{rng.choice(_ROADS)}{rng.randint(1, 999)}号"


def _credit_code(division_code: str, rng: random.Random) -> str:
    """A well-formed unified social credit code (统一社会信用代码) with both check characters."""
    org_body = f"{rng.randrange(10**8):08d}"
    org_check = 11 - sum(int(c) * w for c, w in zip(org_body, _ORG_CODE_WEIGHTS, strict=True)) % 11
    org_code = org_body + {10: "X", 11: "0"}.get(org_check, str(org_check))
    body = "91" + division_code + org_code
    total = sum(_CREDIT_CODE_CHARS.index(c) * w for c, w in zip(body, _CREDIT_CODE_WEIGHTS, strict=True))
    return body + _CREDIT_CODE_CHARS[(31 - total % 31) % 31]


# Users --------------------------------------------------------------------------------------


def _users(projects: tuple[DemoProject, ...], rng: random.Random) -> tuple[DemoUser, ...]:
    """Every role, managers listed before the people reporting to them."""

    def name() -> str:
        return _person_name(rng)[0]

    users = [DemoUser("admin", "系统管理员", Role.ADMIN), DemoUser("director", name(), Role.DIRECTOR)]
    for region in REGIONS:
        slug = _REGION_SLUG[region.code]
        users.append(
            DemoUser(f"rm.{slug}", name(), Role.REGIONAL_MANAGER, region.code, manager_username="director")
        )
    for region in REGIONS:
        slug = _REGION_SLUG[region.code]
        manager = f"rm.{slug}"
        for username, role in (
            (f"agent1.{slug}", Role.LEASING_AGENT),
            (f"agent2.{slug}", Role.LEASING_AGENT),
            (f"finance.{slug}", Role.FINANCE),
            (f"legal.{slug}", Role.LEGAL),
        ):
            users.append(DemoUser(username, name(), role, region.code, manager_username=manager))
    for project in projects:
        manager = f"rm.{_REGION_SLUG[project.region_code]}"
        slug = project.code.lower()
        users.append(DemoUser(f"pm.{slug}", name(), Role.PROJECT_MANAGER, None, project.code, manager))
    for project in projects:
        slug = project.code.lower()
        users.append(DemoUser(f"inspector.{slug}", name(), Role.INSPECTOR, None, project.code, f"pm.{slug}"))
    return tuple(users)
