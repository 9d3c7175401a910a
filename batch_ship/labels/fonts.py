"""The CJK TrueType font embedded in every PDF we draw, and text widths measured with it."""

from __future__ import annotations

import hashlib
import importlib.util
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from batch_ship.errors import ConfigError
from batch_ship.i18n import _

# WenQuanYi Micro Hei (Apache-2.0 or GPL-3+ with the font exception): a TrueType collection
# with glyf outlines, which reportlab can subset and embed (it cannot embed CFF/OTF CJK fonts).
# The PyPI package paperang-p2-fonts-cjk ships the file byte for byte as Debian's
# fonts-wqy-microhei does; either install is found.
PACKAGE = "paperang_p2_fonts_cjk"
PACKAGE_FILE = "fonts/wqy-microhei.ttc"
DEBIAN_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
INSTALL_HINT = (
    "install the font with `pip install paperang-p2-fonts-cjk` (a dependency of batch-ship) "
    "or `apt-get install fonts-wqy-microhei`, or give the path of a TrueType (.ttf/.ttc with "
    "glyf outlines) CJK font"
)


def default_font_path() -> Path:
    """The bundled WenQuanYi Micro Hei: the PyPI package's copy, else Debian's."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / PACKAGE_FILE
            if candidate.is_file():
                return candidate
    if DEBIAN_FILE.is_file():
        return DEBIAN_FILE
    raise ConfigError(_("no CJK font found for labels and sheets"), hint=INSTALL_HINT)


@dataclass
class LabelFont:
    """A registered reportlab font (`name`), with cached per-character widths at 1 pt."""

    name: str
    path: Path
    ascent: float  # fraction of the font size above the baseline
    _widths: dict[str, float] = field(default_factory=dict, repr=False)
    _measure: Callable[[str], float] | None = field(default=None, repr=False)

    def unit_widths(self, text: str) -> list[float]:
        """Each character's advance at a 1 pt font size."""
        widths = self._widths
        missing = [char for char in set(text) if char not in widths]
        if missing:
            assert self._measure is not None
            for char in missing:
                widths[char] = self._measure(char) / 1000.0
        return [widths[char] for char in text]


_REGISTERED: dict[tuple[Path, int], LabelFont] = {}


def load_font(path: Path | str | None = None, *, subfont: int = 0) -> LabelFont:
    """Register the font at `path` (default: the bundled one) with reportlab, once per process.
    A missing or unusable file is a ConfigError saying how to fix it."""
    resolved = Path(path).expanduser() if path is not None else default_font_path()
    key = (resolved.resolve() if resolved.exists() else resolved, subfont)
    if key in _REGISTERED:
        return _REGISTERED[key]
    if not resolved.is_file():
        raise ConfigError(_("the label font file does not exist"), path=resolved, hint=INSTALL_HINT)
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    digest = hashlib.sha1(f"{key[0]}:{subfont}".encode()).hexdigest()[:8]
    name = f"BatchShipCJK-{digest}"
    try:
        font = TTFont(name, str(resolved), subfontIndex=subfont)
    except (TTFError, OSError, ValueError, KeyError) as error:
        raise ConfigError(
            _("the label font cannot be embedded: {error}").format(error=error),
            path=resolved,
            hint=INSTALL_HINT,
        ) from error
    pdfmetrics.registerFont(font)
    face = font.face
    loaded = LabelFont(name=name, path=resolved, ascent=face.ascent / 1000.0)
    loaded._measure = lambda char: font.stringWidth(char, 1000)
    _REGISTERED[key] = loaded
    return loaded


def printer_widths(text: str) -> list[float]:
    """Character advances at 1 pt for a printer's own CJK font: wide (CJK) characters a full
    em, the rest half, as the bitmap and TrueType fonts in label printers set them."""
    return [1.0 if unicodedata.east_asian_width(char) in "WF" else 0.5 for char in text]
