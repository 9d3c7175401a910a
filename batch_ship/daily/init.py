"""`init`: a new workspace folder with a commented batch_ship.toml and its inbox folders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from batch_ship.couriers import get_courier
from batch_ship.errors import BatchShipError
from batch_ship.i18n import _
from batch_ship.publish import publish_file
from batch_ship.uploads import load_marketplace
from batch_ship.workspace import CONFIG_NAME, load_config

FOLDERS = ("inbox", "returns", "archive")  # what init creates (failed/ comes when needed)

CONFIG_TEMPLATE = """\
# batch_ship workspace configuration (written by `batch-ship init`; edit freely).
# Strings are TOML strings: keep the quotes. Phones and postcodes stay text.

[sender]
# The 寄件人 block of every courier workbook. Fill these in before the first export.
name = ""          # 寄件人姓名, e.g. "张三"
phone = ""         # 寄件人手机/电话, e.g. "13800000000" or "0571-87654321"
province = ""      # 寄件人省, full official name, e.g. "浙江省"
city = ""          # 寄件人市, e.g. "杭州市"
district = ""      # 寄件人区, e.g. "西湖区"
address = ""       # 寄件人详细地址: the street part only

[defaults]
courier = "{courier}"     # export without --courier uses it; `batch-ship couriers` lists codes
merge = true              # one parcel for several orders of the same buyer, name, phone and address
marketplace = "{marketplace}"  # whose bulk-shipping upload import-tracking writes

[folders]
# Relative to this file's folder. `batch-ship daily` exports every new order report (and its
# item report, same stamp) found in inbox, imports every courier return found in returns, and
# moves what it processed to archive/<YYYY-MM-DD>/. A file that fails moves to
# failed/<YYYY-MM-DD>/ with its error beside it (<name>.error.txt); move it back to retry.
inbox = "inbox"
returns = "returns"
archive = "archive"
failed = "failed"
# templates = "my-templates"   # its couriers/, marketplaces/ and sources/ override built-ins
"""


@dataclass(frozen=True)
class InitResult:
    """What `init` did: the config path, whether it wrote it, and the folders it created."""

    home: Path
    config: Path
    config_written: bool
    created_folders: tuple[Path, ...]


def init_workspace(home: Path, *, courier: str = "zto", marketplace: str = "taobao") -> InitResult:
    """Create `home` with a commented batch_ship.toml and inbox/, returns/, archive/.

    An existing batch_ship.toml is never overwritten (it is checked to load); missing folders are
    still created, so running init twice is harmless.
    """
    if home.exists() and not home.is_dir():
        raise BatchShipError(
            _("{home} is a file, not a folder").format(home=home), hint=_("choose another folder")
        )
    config_path = home / CONFIG_NAME
    written = False
    if not config_path.exists():
        # What it writes must work: a courier or marketplace without a template is refused
        # now, not at the first export (a new config has no templates folder yet).
        get_courier(courier)
        load_marketplace(marketplace)
    home.mkdir(parents=True, exist_ok=True)
    if not config_path.exists():
        text = CONFIG_TEMPLATE.format(courier=courier.strip().lower(), marketplace=marketplace)
        write_text_atomic(config_path, text)
        written = True
    config = load_config(config_path)  # raises ConfigError for a broken existing file
    created: list[Path] = []
    for name in FOLDERS:
        folder = home / getattr(config, name)
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            created.append(folder)
    return InitResult(home, config_path, written, tuple(created))


def write_text_atomic(path: Path, text: str) -> None:
    """Write a small text file whole or not at all."""
    with publish_file(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
