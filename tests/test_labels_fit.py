"""Text fitting: whatever the text, every line fits the box, and nothing is lost unless cut."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from batch_ship.labels.fit import ELLIPSIS, LEADING, clean, fit
from batch_ship.labels.fonts import printer_widths

TEXT = st.text(
    alphabet=st.sampled_from(list("浙江省杭州市余杭区文一西路969号A座 -,（）abcXYZ\n\t")),
    max_size=200,
)


@given(
    text=TEXT,
    width=st.floats(min_value=20, max_value=300),
    height=st.floats(min_value=6, max_value=120),
    size=st.floats(min_value=6, max_value=20),
)
def test_every_line_fits_and_only_cut_text_loses_characters(
    text: str, width: float, height: float, size: float
) -> None:
    cleaned = clean(text)
    fitted = fit(cleaned, width, height, size, 5.0, printer_widths)
    assert 5.0 <= fitted.size <= size
    for line, line_width in zip(fitted.lines, fitted.widths, strict=True):
        assert line_width == sum(printer_widths(line)) * fitted.size
        assert line_width <= width + 1e-6 or len(line) == 1
    if len(fitted.lines) > 1:
        assert len(fitted.lines) * fitted.size * LEADING <= height + 1e-6
    if not fitted.cut:
        assert "".join(fitted.lines).replace(" ", "") == cleaned.replace(" ", "")
    elif fitted.lines:
        assert fitted.lines[-1].endswith(ELLIPSIS)


def test_clean_makes_one_line_of_buyer_text() -> None:
    assert clean("王\r\n小\t明\x00\u2028!") == "王 小 明 !"
    assert clean("") == ""


def test_text_shrinks_before_it_is_cut() -> None:
    text = "浙江省杭州市余杭区文一西路969号" * 3
    roomy = fit(text, 200, 40, 12, 5, printer_widths)
    assert not roomy.cut
    assert roomy.size < 12
    tight = fit(text * 10, 50, 10, 12, 5, printer_widths)
    assert tight.cut
    assert tight.size == 5
