"""A NotebookClient that waits for a cell's reply in 1-second slices.

nbclient waits for each cell's ``execute_reply`` with ONE zmq poll as long as the cell timeout.
That poll sometimes misses the wake-up although the reply has arrived (jupyter/nbclient#312,
seen here with ipywidgets cells): the kernel sits idle and the run stalls for the whole timeout,
then fails. Polling in short slices re-checks the socket every second, so a missed wake-up costs
at most a second. Used by ``build`` (headless runs, benchmarks, the determinism test), ``progress``,
the site builder and the grader's runner; imports only nbclient.
"""

from __future__ import annotations

from queue import Empty
from time import monotonic

from nbclient import NotebookClient

__all__ = ["PollingNotebookClient", "client_for"]

SLICE_SECONDS = 1.0


def _sliced(get_msg):
    """``get_msg(timeout)`` that polls at most SLICE_SECONDS at a time until ``timeout``."""

    async def get_msg_in_slices(timeout=None):
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            left = SLICE_SECONDS if deadline is None else max(0.0, deadline - monotonic())
            try:
                return await get_msg(timeout=min(SLICE_SECONDS, left))
            except Empty:
                if deadline is not None and monotonic() >= deadline:
                    raise

    return get_msg_in_slices


class PollingNotebookClient(NotebookClient):
    """``nbclient.NotebookClient`` whose shell channel is read in 1-second slices."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        kc.shell_channel.get_msg = _sliced(kc.shell_channel.get_msg)
        return kc


def client_for(nb, path, timeout: float, **options) -> PollingNotebookClient:
    """A polling client that runs ``nb`` (read from ``path``) in a fresh ``python3`` kernel whose
    working directory is the notebook's folder, as JupyterLab runs it; ``options`` go to nbclient
    (e.g. ``allow_errors=True``, ``store_widget_state=True``)."""
    return PollingNotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        **options,
    )
