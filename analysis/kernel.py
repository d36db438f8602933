"""How the batch runs notebooks: one Jupyter kernel per build worker, and one save per notebook.

Starting a kernel and importing pandas, matplotlib and the package costs a few seconds; a pack of
eight areas paid it eight times. Here each worker process keeps one kernel. Every notebook run
starts in a fresh namespace (IPython's reset, with execution counts from 1, as in a new kernel)
with the package imported afresh, and charts do not depend on matplotlib's global settings;
the kernel is replaced after any failed run (an error, a cell over its time limit, a dead kernel)
and when the code changes, so no area sees another's variables and a broken kernel is never reused.

Papermill also writes the whole notebook to disk before and after every cell, so that a long run
can be watched; a report's cells take a fraction of a second, and those writes cost more than the
cells. The `batch` engine runs without them: papermill writes the notebook once, when it is done
(with the failing cell marked, if one failed).
"""
from __future__ import annotations

import multiprocessing.util

from jupyter_client import BlockingKernelClient, KernelManager
from papermill.engines import NBClientEngine, papermill_engines
from traitlets import DottedObjectName

# The kernel's own start-up log (not the notebook's output) is noise in a batch log.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
READY_SECONDS = 60
# A new session's namespace, and the package imported afresh: what one area's cells did to the
# package's modules (a patched function, a cached object) does not reach the next area.
FRESH_NAMESPACE = ("import sys\n"
                   "for name in [name for name in sys.modules if name == 'analysis' or name.startswith('analysis.')]:\n"
                   "    del sys.modules[name]\n"
                   "get_ipython().reset(new_session=True)")


class BatchEngine(NBClientEngine):
    """Papermill's nbclient engine without its saves around every cell."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, **kwargs):
        return super().execute_notebook(nb, kernel_name, output_path=None, **kwargs)


BATCH_ENGINE = "batch"
papermill_engines.register(BATCH_ENGINE, BatchEngine)


class ReusedKernelManager(KernelManager):
    """A kernel kept for several notebooks; the clients papermill opens for each are closed after it."""

    client_class = DottedObjectName("jupyter_client.asynchronous.AsyncKernelClient")  # what papermill drives

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.clients = []

    def client(self, **kwargs):
        client = super().client(**kwargs)
        self.clients.append(client)
        return client

    def close_clients(self) -> None:
        for client in self.clients:
            client.stop_channels()
        self.clients.clear()


_kernel: dict = {}  # this process's kernel: {"manager", "key", "exit_registered"}


def kernel_for(cwd: str, code: str) -> ReusedKernelManager:
    """This process's kernel for notebooks run in `cwd` with the code of hash `code`, with a fresh namespace."""
    manager = _kernel.get("manager")
    if manager is not None and (_kernel["key"] != (cwd, code) or not manager.is_alive()):
        discard_kernel()
        manager = None
    if manager is None:
        manager = ReusedKernelManager(kernel_name="python3")
        manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=cwd)
        if not _kernel.get("exit_registered"):
            # once per process, at its exit: tied to a manager instead, the call would fire when that
            # manager is collected, after a failure, and shut down its replacement as it starts
            multiprocessing.util.Finalize(None, discard_kernel, exitpriority=10)
        _kernel.update(manager=manager, key=(cwd, code), exit_registered=True)
    _fresh_namespace(manager)
    return manager


def discard_kernel() -> None:
    """Shut this process's kernel down (after a failure, or at exit)."""
    manager = _kernel.pop("manager", None)
    if manager is not None:
        manager.close_clients()
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)


def _fresh_namespace(manager: KernelManager) -> None:
    # With its manager as parent, the client asks the kernel's process whether it is alive; a bare
    # client asks the heartbeat, which a kernel still starting on a busy machine has not sent yet,
    # and wait_for_ready then reports a live kernel as "died before replying to kernel_info".
    client = BlockingKernelClient(parent=manager)
    client.load_connection_info(manager.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=READY_SECONDS)
        reply = client.execute_interactive(FRESH_NAMESPACE, store_history=False, timeout=READY_SECONDS,
                                           output_hook=lambda message: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel could not start a fresh namespace: {reply['content'].get('evalue')}")
    finally:
        client.stop_channels()
