"""route_orders: each order's courier is the first rule that holds, as a per-row reading says."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from batch_ship.route_rules import Route
from batch_ship.routing import route_orders

PROVINCES = ["新疆维吾尔自治区", "西藏自治区", "浙江省", "广东省", "上海市"]
CITIES = {"浙江省": "杭州市", "广东省": "深圳市", "上海市": "上海市"}
ROUTES = (
    Route("ems", provinces=("新疆", "西藏自治区")),
    Route("sf", min_amount=500.0),
    Route("jd", cities=("杭州市",), max_weight_g=2000.0),
    Route("yto", item_codes=("GIFT",), shops=("二店",)),
)


def oracle(route: Route, row: dict[str, object], codes: set[str], grams: float) -> bool:
    """One order against one rule, the plain way."""
    checks = [
        not route.provinces or any(str(row["province"]).startswith(p) for p in route.provinces),
        not route.cities or any(str(row["city"]).startswith(p) for p in route.cities),
        not route.shops or row["shop"] in route.shops,
        not route.item_codes or bool(codes & set(route.item_codes)),
        route.min_amount is None or float(str(row["amount"])) >= route.min_amount,
        route.max_amount is None or float(str(row["amount"])) <= route.max_amount,
        route.max_weight_g is None or (grams == grams and grams <= route.max_weight_g),
    ]
    return all(checks)


def test_a_thousand_orders_go_where_a_row_by_row_reading_sends_them() -> None:
    rng = random.Random(7)
    rows = []
    for index in range(1000):
        province = rng.choice(PROVINCES)
        rows.append(
            {
                "order_id": f"40000000000000{index:05d}",
                "province": province,
                "city": CITIES.get(province, ""),
                "shop": rng.choice(["一店", "二店"]),
                "amount": f"{rng.choice([9.9, 128, 499.99, 500, 1200]):.2f}",
            }
        )
    orders = pd.DataFrame({key: pd.Series([r[key] for r in rows], dtype="str") for key in rows[0]})
    items = pd.DataFrame(
        {
            "order_id": pd.Series([r["order_id"] for r in rows[::3]], dtype="str"),
            "sku": pd.Series(["GIFT"] * len(rows[::3]), dtype="str"),
        }
    )
    grams = np.array([rng.choice([np.nan, 300.0, 2500.0]) for _row in rows])
    got = route_orders(ROUTES, orders, items, "zto", grams)
    gifts = set(items["order_id"])
    expected = []
    for row, weight in zip(rows, grams.tolist(), strict=True):
        codes = {"GIFT"} if row["order_id"] in gifts else set()
        match = [r.courier for r in ROUTES if oracle(r, row, codes, weight)]
        expected.append(match[0] if match else "zto")
    assert got.tolist() == expected
    assert set(expected) == {"ems", "sf", "jd", "yto", "zto"}


def test_a_default_route_takes_the_rest_and_no_routes_means_the_default() -> None:
    orders = pd.DataFrame({"province": pd.Series(["西藏自治区", "浙江省"], dtype="str")})
    routes = (Route("ems", provinces=("西藏",)), Route("sf"))
    assert route_orders(routes, orders, None, "zto").tolist() == ["ems", "sf"]
    assert route_orders((), orders, None, "zto").tolist() == ["zto", "zto"]
