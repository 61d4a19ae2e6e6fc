"""Preloaded by the workers of the local Dask cluster a run starts.

A Ctrl-C at the terminal reaches every process of its group, the cluster's workers included;
only the command decides what stops (it ends the cluster), so the workers ignore it, as the
process pool's workers do. SIGTERM is left as it is: the cluster ends its workers with it.
"""

import signal
from typing import Any


def dask_setup(worker: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
