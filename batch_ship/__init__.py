"""batch_ship: daily batch shipping for Taobao/Tmall sellers, as a library and a CLI."""

from __future__ import annotations

from batch_ship.lazy import lazy_exports

# Public API, loaded on first use so `import batch_ship` (and the CLI) start quickly.
_EXPORTS = {
    "normalize_phone": "batch_ship.normalize.phones",
    "normalize_address": "batch_ship.normalize.addresses",
    "normalize_name": "batch_ship.normalize.names",
    "normalize_recipients": "batch_ship.normalize.recipients",
    "problems_of": "batch_ship.normalize.recipients",
    "format_address": "batch_ship.normalize.addresses",
    "split_contact": "batch_ship.normalize.contacts",
    "Contact": "batch_ship.normalize.contacts",
    "read_orders": "batch_ship.sources.registry",
    "OrderTable": "batch_ship.sources.canonical",
    "Phone": "batch_ship.model",
    "Address": "batch_ship.model",
    "PhoneKind": "batch_ship.model",
    "OrderStatus": "batch_ship.model",
    "BatchShipError": "batch_ship.errors",
    "InputError": "batch_ship.errors",
    "open_workspace": "batch_ship.workspace",
    "run_export": "batch_ship.export",
    "import_tracking": "batch_ship.tracking",
    "Ledger": "batch_ship.ledger",
    "load_couriers": "batch_ship.couriers",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
