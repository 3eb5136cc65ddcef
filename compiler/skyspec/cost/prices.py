"""The price model: the prices of a CPU core-hour, a GiB-hour of memory and a GiB-month of
storage (from `prices:` in the project file, with defaults), the 730-hour month, and the
rounding of money to cents. It holds constants and the :class:`Prices` record only; it must
NOT compute usage or estimates, nor read files (the caller passes the project's data)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

HOURS_PER_MONTH = 730              # 8,760 / 12
DEFAULT_RUN_SECONDS = 600          # a Job or CronJob run without `active_deadline`
DEFAULT_PRICES = {"cpu_core_hour": "0.0316", "memory_gib_hour": "0.0042", "storage_gib_month": "0.10"}
DEFAULT_CURRENCY = "USD"
GIB = 2**30
CENT = Decimal("0.01")


def money(x: Decimal) -> Decimal:
    """``x`` rounded to cents, whatever its size (the default context's 28 digits would make
    a budget of 1e30 an InvalidOperation)."""
    with localcontext() as ctx:
        ctx.prec = max(28, x.adjusted() + 4)
        return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Prices:
    """Prices come from `prices:` in the project file; the defaults are
    ``cpu_core_hour 0.0316``, ``memory_gib_hour 0.0042``, ``storage_gib_month 0.10``, ``USD``."""

    cpu_core_hour: Decimal = Decimal(DEFAULT_PRICES["cpu_core_hour"])
    memory_gib_hour: Decimal = Decimal(DEFAULT_PRICES["memory_gib_hour"])
    storage_gib_month: Decimal = Decimal(DEFAULT_PRICES["storage_gib_month"])
    currency: str = DEFAULT_CURRENCY

    @classmethod
    def from_project(cls, data: dict | None) -> "Prices":
        p = (data or {}).get("prices") or {}
        vals = {k: Decimal(str(p[k])) if k in p else Decimal(v) for k, v in DEFAULT_PRICES.items()}
        return cls(**vals, currency=str(p.get("currency") or DEFAULT_CURRENCY))

    def as_dict(self) -> dict:
        return {"cpu_core_hour": float(self.cpu_core_hour), "memory_gib_hour": float(self.memory_gib_hour),
                "storage_gib_month": float(self.storage_gib_month), "currency": self.currency}
