"""Ethnic group names as they appear inside autonomous-unit names, and their removal."""

from __future__ import annotations

# Single-character names are only removed with 族 after them (白族, 回族), never bare: 白 or 回
# alone is part of place names.
_ETHNIC_TEXT = """
    蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳
    佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南
    仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔
    独龙 鄂伦春 赫哲 门巴 珞巴 基诺"""
# Longest first, so that 柯尔克孜 is removed before 克孜 could be considered.
ETHNIC = sorted(_ETHNIC_TEXT.split(), key=len, reverse=True)
# What may be cut from a name's end: every name with 族, and the longer names bare.
TAILS = frozenset([name + "族" for name in ETHNIC] + [name for name in ETHNIC if len(name) > 1])
_TAIL_LENGTHS = sorted({len(tail) for tail in TAILS}, reverse=True)


def strip_ethnic(base: str) -> str:
    """`base` without the ethnic names at its end (长阳土家族 -> 长阳), keeping 2 characters:
    each time the longest tail that leaves two characters goes (a few set lookups, not a
    walk over every name)."""
    while True:
        for length in _TAIL_LENGTHS:
            if len(base) - length >= 2 and base[-length:] in TAILS:
                base = base[:-length]
                break
        else:
            return base
