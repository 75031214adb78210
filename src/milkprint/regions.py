"""Chinese provinces and grid areas under one spelling (内蒙古自治区, Inner Mongolia -> 内蒙古)."""

from __future__ import annotations

from functools import lru_cache

# Chinese plants keep one time zone all year; readings without an offset are read in it.
DEFAULT_TIMEZONE = "Asia/Shanghai"

_ENGLISH = {
    "inner mongolia": "内蒙古",
    "nei mongol": "内蒙古",
    "beijing": "北京",
    "tianjin": "天津",
    "hebei": "河北",
    "shanxi": "山西",
    "shandong": "山东",
    "liaoning": "辽宁",
    "jilin": "吉林",
    "heilongjiang": "黑龙江",
    "shanghai": "上海",
    "jiangsu": "江苏",
    "zhejiang": "浙江",
    "anhui": "安徽",
    "fujian": "福建",
    "jiangxi": "江西",
    "henan": "河南",
    "hubei": "湖北",
    "hunan": "湖南",
    "guangdong": "广东",
    "guangxi": "广西",
    "hainan": "海南",
    "chongqing": "重庆",
    "sichuan": "四川",
    "guizhou": "贵州",
    "yunnan": "云南",
    "shaanxi": "陕西",
    "gansu": "甘肃",
    "qinghai": "青海",
    "ningxia": "宁夏",
    "xinjiang": "新疆",
    "tibet": "西藏",
    "xizang": "西藏",
    "mengxi": "蒙西",
    "mengdong": "蒙东",
    "china": "CN",
}
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "电网", "省", "市")
_KEEP_SUFFIX = {"华北电网", "东北电网", "华东电网", "华中电网", "西北电网", "南方电网", "西南电网"}


@lru_cache(maxsize=4096)
def canonical_area(name: str) -> str:
    """One spelling for a province, municipality or grid area; unknown names come back trimmed. Cached: the
    factor resolver asks it for every candidate data set of every line (pure, and the names are few)."""
    s = name.strip()
    if not s:
        return s
    if s in _KEEP_SUFFIX:
        return s
    english = _ENGLISH.get(s.lower())
    if english:
        return english
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    if s in ("中国", "全国"):
        return "CN"
    if s in ("华北", "东北", "华东", "华中", "西北", "南方", "西南"):
        return s + "电网"
    return s
