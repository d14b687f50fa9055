"""Pure computations over a ledger: no thresholds, no clock, no I/O."""
