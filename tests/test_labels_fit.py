"""Text fitting: whatever the text, every line fits the box, and nothing is lost unless cut."""

from __future__ import annotations

from hypothesis import example, given
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
# 6.25 - 5 is no multiple of the 0.5 step: min_size itself was never tried, the text then
# went to cut(), which found it whole and returned it marked cut without an ellipsis
@example(text="66666666", width=20, height=12, size=6.25)
@example(text="666666666", width=20, height=12, size=6.25)
@example(text="abc abc abc abc abc", width=20, height=12, size=5.0)
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
    else:  # only cut text loses characters, and only at its end, marked by the ellipsis
        assert fitted.lines
        assert fitted.lines[-1].endswith(ELLIPSIS)
        kept = "".join(fitted.lines)[: -len(ELLIPSIS)].replace(" ", "")
        assert len(kept) < len(cleaned.replace(" ", ""))
        assert cleaned.replace(" ", "").startswith(kept)


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


def test_a_cut_always_ends_in_an_ellipsis_even_when_nothing_else_fits() -> None:
    tight = fit("66666666", 1, 3, 6.25, 5, printer_widths)
    assert tight.cut
    assert tight.lines == (ELLIPSIS,)
    last_row_full = fit("浙江省杭州市", 10, 12, 5, 5, printer_widths)  # two rows of two
    assert last_row_full.cut
    assert last_row_full.lines[-1].endswith(ELLIPSIS)
    assert all(width <= 10 + 1e-6 for width in last_row_full.widths)


def test_size_steps_down_to_min_size_itself() -> None:
    fitted = fit("66666666", 20, 12, 6.25, 5, printer_widths)
    assert fitted == fit("66666666", 20, 12, 5, 5, printer_widths)
    assert not fitted.cut
    assert fitted.size == 5
    assert fitted.lines == ("66666666",)
