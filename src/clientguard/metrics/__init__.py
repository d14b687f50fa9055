"""Pure computations over a ledger: no thresholds, no clock, no I/O."""


__all__: list[str] = []
