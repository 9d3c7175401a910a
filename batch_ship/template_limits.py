"""A bounded Jinja2 sandbox for user templates: value size and rendering time per cell and
per column."""

from __future__ import annotations

import ctypes
import math
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from batch_ship.i18n import _

# A cell holds at most Excel's 32,767 characters: a template producing more is broken.
MAX_CELL_CHARS = 32_767
# Rendering time: one value, and a whole column (a base plus a share per row).
MAX_CELL_SECONDS = 1.0
COLUMN_SECONDS = 5.0
ROW_SECONDS = 0.002
# Integers past this many bits (about 300 digits) are never a shipping value.
_MAX_INT_BITS = 1_024
# str/list methods whose result can dwarf their input (a width, a count, a replacement).
_EXPANDING = frozenset(
    {"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map", "replace",
     "join", "translate", "__mul__", "__rmul__", "__add__", "__mod__"}
)  # fmt: skip
_SIZED_FILTERS = ("center", "indent", "wordwrap", "format", "replace", "join", "truncate")
_WIDTH = re.compile(r"%[^a-zA-Z%]*?\d{6,}")


class TemplateLimitError(Exception):
    """A template broke a limit (size or time); the caller names the file and the column."""


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with *, **, % and + checked before Python computes them (so
    `'x' * 10**10` and `9 ** (9 ** 9)` are refused; a sandbox never folds these at load) and
    the methods and filters that can blow a value up refused or bounded."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name in _SIZED_FILTERS:
            self.filters[name] = _bounded_filter(self.filters[name], name)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str | bytes | list | tuple) and attr in _EXPANDING:
            return False
        return bool(super().is_safe_attribute(obj, attr, value))


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    ints = _is_int(left) and _is_int(right)
    if operator == "**" and ints and abs(left) > 1 and right > 0:
        if right * math.log2(abs(left)) > _MAX_INT_BITS:
            raise TemplateLimitError(
                _("{left} ** {right} is too large a number").format(left=left, right=right)
            )
    elif operator == "*" and ints:
        if abs(left).bit_length() + abs(right).bit_length() > _MAX_INT_BITS:
            raise TemplateLimitError(_("a product too large a number"))
    elif operator == "*":
        count = right if _is_int(right) else left if _is_int(left) else 0
        if max(_size(left), _size(right)) * max(count, 0) > MAX_CELL_CHARS:
            raise TemplateLimitError(
                _("a repetition longer than {MAX_CELL_CHARS:,} characters").format(
                    MAX_CELL_CHARS=MAX_CELL_CHARS
                )
            )
    elif operator == "+" and _size(left) + _size(right) > MAX_CELL_CHARS:
        raise TemplateLimitError(
            _("a value longer than {MAX_CELL_CHARS:,} characters").format(
                MAX_CELL_CHARS=MAX_CELL_CHARS
            )
        )
    elif operator == "%" and isinstance(left, str) and _WIDTH.search(left):
        raise TemplateLimitError(_("a %-format width of 100,000 or more"))


def _bounded_filter(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    def bounded(*args: Any, **kwargs: Any) -> Any:
        # The value, a separator or replacement and a width: their product must fit in a
        # cell before the C code builds it.
        values = [*args, *kwargs.values()]
        sizes = sorted((_size(value) for value in values), reverse=True)
        numbers = [abs(value) for value in values if _is_int(value)]
        product = (sizes[0] if sizes else 0) * max(1, sizes[1] if len(sizes) > 1 else 1)
        if product > MAX_CELL_CHARS * 8 or any(number > MAX_CELL_CHARS for number in numbers):
            raise TemplateLimitError(
                _("the {name} filter would build too large a value").format(name=name)
            )
        return function(*args, **kwargs)

    bounded.__dict__.update(function.__dict__)  # jinja's pass_context/pass_environment marks
    return bounded


class _Timeout(BaseException):
    """Raised into the rendering thread when its time is up (a BaseException, so nothing in
    the template machinery swallows it)."""


class _Watchdog:
    """Interrupts the Python code of the thread that started it when a value (MAX_CELL_SECONDS)
    or the whole column (`seconds`) runs over, by raising _Timeout into it. C code cannot be
    interrupted: that is why the sandbox bounds the operations that run long in C."""

    def __init__(self, seconds: float) -> None:
        self._target = threading.get_ident()
        self._column_end = time.monotonic() + seconds
        self.cell_end = time.monotonic() + MAX_CELL_SECONDS
        self.why = ""
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stopped.wait(0.02):
            now = time.monotonic()
            if now < self.cell_end and now < self._column_end:
                continue
            with self._lock:
                if self._stopped.is_set():
                    return
                self.why = (
                    f"rendering one value took more than {MAX_CELL_SECONDS:g} s"
                    if now >= self.cell_end
                    else "rendering the column took too long"
                )
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self._target), ctypes.py_object(_Timeout)
                )
            return

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()


def render_all(
    template: jinja2.Template, contexts: Iterable[dict[str, Any]], count: int
) -> list[str]:
    """Render `template` once per context: each value at most MAX_CELL_CHARS characters and
    MAX_CELL_SECONDS seconds, all of them within COLUMN_SECONDS + ROW_SECONDS a row;
    TemplateLimitError otherwise."""
    watchdog = _Watchdog(COLUMN_SECONDS + ROW_SECONDS * count)
    values: list[str] = []
    try:
        for context in contexts:
            watchdog.cell_end = time.monotonic() + MAX_CELL_SECONDS
            values.append(_render_one(template, context))
        watchdog.stop()
    except _Timeout:
        raise TemplateLimitError(watchdog.why) from None
    finally:
        watchdog.stop()
    return values


def _render_one(template: jinja2.Template, context: dict[str, Any]) -> str:
    parts: list[str] = []
    size = 0
    for part in template.generate(context):
        size += len(part)
        if size > MAX_CELL_CHARS:
            raise TemplateLimitError(
                _("a value longer than {MAX_CELL_CHARS:,} characters (Excel's cell limit)").format(
                    MAX_CELL_CHARS=MAX_CELL_CHARS
                )
            )
        parts.append(part)
    return "".join(parts)
