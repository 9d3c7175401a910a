"""Ethnic names cut from the end of autonomous units' names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batch_ship.normalize.ethnic import ETHNIC, strip_ethnic
from batch_ship.normalize.regions import _read_units


def _walk_every_name(base: str) -> str:
    """The rule as first written: try every name (longest first, with 族 before bare) until
    none is left at the end. strip_ethnic must give what this gives."""
    changed = True
    while changed:
        changed = False
        for ethnic in ETHNIC:
            for tail in (ethnic + "族", ethnic if len(ethnic) > 1 else None):
                if tail and base.endswith(tail) and len(base) - len(tail) >= 2:
                    base = base[: -len(tail)]
                    changed = True
                    break
            if changed:
                break
    return base


def test_examples() -> None:
    assert strip_ethnic("长阳土家族") == "长阳"
    assert strip_ethnic("峨边彝族") == "峨边"
    assert strip_ethnic("积石山保安族东乡族撒拉族") == "积石山"
    assert strip_ethnic("白") == "白"
    assert strip_ethnic("大白") == "大白"  # a one-character name goes only with 族
    assert strip_ethnic("回族") == "回族"  # two characters are always kept


def test_every_official_name_as_the_walk_cuts_it() -> None:
    names = [unit.name for unit in _read_units().values()]
    assert [strip_ethnic(name) for name in names] == [_walk_every_name(n) for n in names]


_PIECES = st.sampled_from([*ETHNIC, *(name + "族" for name in ETHNIC), "族", "自治", "县", "阳"])


@given(st.lists(_PIECES, max_size=6).map("".join))
def test_same_as_walking_every_name(text: str) -> None:
    assert strip_ethnic(text) == _walk_every_name(text)
