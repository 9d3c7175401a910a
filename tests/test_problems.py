"""The problems registry: every code the product uses is in it, each with zh+en message and fix."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import batch_ship.problems as problems
from batch_ship.problems import (
    EXCEPTION_CODES,
    IMPORT_CODES,
    PROBLEMS,
    SKIP_CODES,
    WARNING_CODES,
    Level,
    describe_codes,
    in_order,
    join_codes,
    message,
    split_codes,
)
from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "batch_ship"
REGISTRY = PACKAGE / "problems.py"
CJK = re.compile(r"[\u4e00-\u9fff]")
KEBAB = r"[a-z]+(-[a-z]+)+"
# Where a code is given: a `code=`/`reason=` argument, a "code"/"reason" entry of a row dict,
# the first argument of Problem/FileProblem.
CODE_KEYWORDS = {"code", "reason"}
CODE_CALLS = {"Problem", "FileProblem"}


def product_trees() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != REGISTRY
    }


def code_positions(tree: ast.Module) -> list[ast.expr]:
    """The expressions that give a problem code in `tree`."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found += [kw.value for kw in node.keywords if kw.arg in CODE_KEYWORDS]
            callee = node.func
            name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
            if name in CODE_CALLS and node.args:
                found.append(node.args[0])
        elif isinstance(node, ast.Dict):
            found += [
                value
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value in CODE_KEYWORDS
            ]
    return found


def test_every_code_has_a_level_and_a_message_and_fix_in_both_languages() -> None:
    assert len(PROBLEMS) == len(set(PROBLEMS)) >= 20
    for code, problem in PROBLEMS.items():
        assert problem.code == code
        assert re.fullmatch(KEBAB, code), code
        assert isinstance(problem.level, Level)
        for zh in (problem.zh, problem.fix_zh):
            assert CJK.search(zh), (code, zh)
        for en in (problem.en, problem.fix_en):
            assert en.strip(), code
            assert not CJK.search(en[:1]), (code, en)
        assert problem.message == f"{problem.zh} / {problem.en}"
        assert problem.in_language("zh") == problem.zh
        assert problem.in_language("en") == problem.en
        assert problem.fix_in("zh") == problem.fix_zh
        assert problem.fix_in("en") == problem.fix_en


def test_levels_partition_the_codes_in_the_contract_order() -> None:
    # README "Reason codes": skips in precedence order, exceptions in listing order
    assert SKIP_CODES == ("duplicate-row", "not-awaiting-shipment", "already-submitted")
    assert EXCEPTION_CODES == (
        "name-missing", "phone-missing", "phone-masked", "phone-invalid", "address-missing",
        "address-unresolved", "address-conflict",
    )  # fmt: skip
    assert set(IMPORT_CODES) == {
        "unknown-reference", "reference-digits-lost", "no-reference", "unused-range-number",
        "invalid-number", "duplicate-in-file", "used-by-another-parcel",
    }  # fmt: skip
    every = SKIP_CODES + EXCEPTION_CODES + IMPORT_CODES + WARNING_CODES
    assert sorted(every) == sorted(PROBLEMS)


def test_the_texts_users_see_stay_as_they_were() -> None:
    # exceptions.xlsx's 异常说明 and the report show these exact messages
    assert message("phone-masked") == (
        "电话被打码（如 138****5678），请向买家索取完整号码 / phone is masked (e.g. 138****5678)"
    )
    assert message("not-awaiting-shipment") == "订单不是待发货状态 / order is not awaiting shipment"
    assert message("zzz") == "zzz"


def test_describe_codes_unknown_code_passes_through() -> None:
    assert describe_codes(("phone-missing", "zzz")) == (
        "收货人电话为空 / recipient phone is missing; zzz"
    )


def test_codes_join_once_and_read_back() -> None:
    codes = in_order(["address-missing", None, "phone-masked", "address-missing"])
    assert codes == ("phone-masked", "address-missing")
    assert join_codes(codes) == "phone-masked,address-missing"
    assert split_codes(join_codes(codes)) == codes
    assert split_codes("") == ()
    assert split_codes(" phone-masked , ") == ("phone-masked",)


def test_product_code_never_spells_a_registry_code() -> None:
    """Codes are used through the registry's names, so each is written exactly once."""
    spelled = [
        f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.value}"
        for path, tree in product_trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in PROBLEMS
    ]
    assert spelled == []


def test_every_code_given_in_the_product_comes_from_the_registry() -> None:
    """A code written in place (a literal or f-string where a code is given) would be a code
    the registry does not know: it has no level, message or fix."""
    written = [
        f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {ast.unparse(node)}"
        for path, tree in product_trees().items()
        for node in code_positions(tree)
        if isinstance(node, ast.JoinedStr)
        or (isinstance(node, ast.Constant) and re.fullmatch(KEBAB, str(node.value)))
    ]
    assert written == []


def test_every_registry_code_is_used_by_the_product() -> None:
    names = {
        name
        for name, value in vars(problems).items()
        if name.isupper() and isinstance(value, str) and value in PROBLEMS
    }
    assert len(names) == len(PROBLEMS)
    used: set[str] = set()
    for tree in product_trees().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "batch_ship.problems":
                used.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                used.add(node.attr)
    # skips and exceptions are also used as groups (SKIP_CODES, EXCEPTION_CODES)
    assert sorted(names - used) == []
