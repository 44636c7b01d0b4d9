"""Worker processes on localhost: free ports, ``TF_CONFIG``, process groups, logs.

Chapter 5.3's multi-worker page (``notebooks/ch05/distributed_multiworker.py``) starts real
``MultiWorkerMirroredStrategy`` workers and kills one; the parameter-server page
(``notebooks/ch05/distributed_ps.py``) builds its cluster spec here. TensorFlow's own
runtime does the distributing; this module only

* picks free TCP ports on this machine and writes the ``TF_CONFIG`` each task reads
  (:func:`free_ports`, :func:`localhost_cluster`, :func:`tf_config`);
* starts K worker processes with their logs captured, enforces a timeout, and kills every
  child on error or exit (:class:`WorkerGroup`, :func:`run_workers`, :func:`log_tail`).

Devices and strategies are in :mod:`scalekit.distribute`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scalekit._validate import positive_int, positive_number, text

__all__ = ["TASK_TYPES", "free_ports", "localhost_cluster", "tf_config", "WorkerError",
           "WorkerResult", "WorkerGroup", "run_workers", "log_tail", "python_command"]

TASK_TYPES = ("chief", "worker", "ps", "evaluator")


def free_ports(n: int, host: str = "localhost") -> list[int]:
    """``n`` distinct TCP ports that are free on ``host`` right now.

    All sockets stay bound until every port is chosen, so the ports differ. Another
    program may still take a port before a worker binds it; launch workers promptly.
    """
    n = positive_int("n", n)
    host = text("host", host)
    socks: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def localhost_cluster(num_workers: int, num_ps: int = 0, *, chief: bool = False,
                      host: str = "localhost") -> dict[str, list[str]]:
    """A cluster spec ``{"worker": ["localhost:PORT", ...], ...}`` on free local ports."""
    num_workers = positive_int("num_workers", num_workers)
    num_ps = positive_int("num_ps", num_ps, allow_zero=True)
    if not isinstance(chief, bool):
        raise TypeError(f"chief must be a bool, got {type(chief).__name__}")
    ports = free_ports(num_workers + num_ps + int(chief), host)
    cluster: dict[str, list[str]] = {}
    if chief:
        cluster["chief"] = [f"{host}:{ports.pop()}"]
    cluster["worker"] = [f"{host}:{p}" for p in ports[:num_workers]]
    if num_ps:
        cluster["ps"] = [f"{host}:{p}" for p in ports[num_workers:]]
    return cluster


def tf_config(cluster: Mapping[str, Sequence[str]], task_type: str, task_index: int) -> str:
    """The ``TF_CONFIG`` JSON string for one task of ``cluster``.

    Raises:
        ValueError: unknown ``task_type``, a task type absent from ``cluster``, an empty
            address list, or ``task_index`` outside the list.
    """
    if not isinstance(cluster, Mapping) or not cluster:
        raise ValueError(f"cluster must be a non-empty mapping, got {cluster!r}")
    for kind, addresses in cluster.items():
        if kind not in TASK_TYPES:
            raise ValueError(f"cluster has unknown task type {kind!r}; use {TASK_TYPES}")
        if isinstance(addresses, str) or not addresses:
            raise ValueError(f"cluster[{kind!r}] must be a non-empty list of 'host:port'")
        for a in addresses:
            if not isinstance(a, str) or a.count(":") != 1 or not a.split(":")[1].isdigit():
                raise ValueError(f"cluster[{kind!r}] has a bad address {a!r}; use 'host:port'")
    task_type = text("task_type", task_type)
    if task_type not in cluster:
        raise ValueError(f"task_type {task_type!r} is not in the cluster {sorted(cluster)}")
    task_index = positive_int("task_index", task_index, allow_zero=True)
    if task_index >= len(cluster[task_type]):
        raise ValueError(f"task_index={task_index} but cluster[{task_type!r}] has "
                         f"{len(cluster[task_type])} task(s)")
    spec = {k: list(v) for k, v in cluster.items()}
    return json.dumps({"cluster": spec, "task": {"type": task_type, "index": task_index}})


class WorkerError(RuntimeError):
    """A worker process failed or timed out; the message ends with its log tail."""


def log_tail(path: str | os.PathLike, lines: int = 20) -> str:
    """The last ``lines`` lines of a text file (empty string if it does not exist)."""
    lines = positive_int("lines", lines)
    p = Path(path)
    if not p.exists():
        return ""
    text = p.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


_LIVE: set[subprocess.Popen] = set()


def _kill_live() -> None:
    for proc in list(_LIVE):
        _kill_group(proc)


atexit.register(_kill_live)


def _kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)  # the worker and anything it started
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    _LIVE.discard(proc)


@dataclass
class WorkerResult:
    """How one worker ended: its index, process id, exit code and log file."""

    index: int
    pid: int
    returncode: int | None
    log: Path


class WorkerGroup:
    """K worker processes on localhost, each with its own ``TF_CONFIG``.

    Use it as a context manager: leaving the block (normally or by an exception) kills
    every child still running. Each worker runs ``command`` (a list, as for
    :mod:`subprocess`) with the environment plus ``TF_CONFIG``, ``TF_USE_LEGACY_KERAS=1``
    and ``extra_env``; its stdout and stderr go to ``log_dir/worker_<i>.log``.
    """

    def __init__(self, command: Sequence[str], num_workers: int, log_dir: str | os.PathLike,
                 *, extra_env: Mapping[str, str] | None = None,
                 cluster: Mapping[str, Sequence[str]] | None = None) -> None:
        if isinstance(command, (str, bytes)) or not isinstance(command, Sequence) \
                or not command:
            raise TypeError("command must be a non-empty list of strings, e.g. "
                            "[sys.executable, 'train.py']")
        if extra_env is not None and not isinstance(extra_env, Mapping):
            raise TypeError(f"extra_env must be a mapping, got {type(extra_env).__name__}")
        self.command = [str(c) for c in command]
        self.num_workers = positive_int("num_workers", num_workers)
        self.cluster = dict(cluster) if cluster is not None else localhost_cluster(num_workers)
        if len(self.cluster.get("worker", [])) != self.num_workers:
            raise ValueError(f"cluster has {len(self.cluster.get('worker', []))} workers, "
                             f"num_workers={self.num_workers}")
        self.log_dir = Path(log_dir)
        self.extra_env = dict(extra_env or {})
        self.procs: list[subprocess.Popen] = []

    @property
    def pids(self) -> list[int]:
        """Process ids of the started workers."""
        return [p.pid for p in self.procs]

    def log(self, index: int) -> Path:
        """Log file of worker ``index``."""
        index = positive_int("index", index, allow_zero=True)
        return self.log_dir / f"worker_{index}.log"

    def start(self) -> WorkerGroup:
        """Start every worker (each in its own process group)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for i in range(self.num_workers):
            env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
                   **self.extra_env, "TF_CONFIG": tf_config(self.cluster, "worker", i)}
            with open(self.log(i), "w") as out:
                proc = subprocess.Popen(self.command, env=env, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
            self.procs.append(proc)
            _LIVE.add(proc)
        return self

    def kill(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` (default SIGKILL: no clean-up, like a lost machine) to one worker."""
        index = positive_int("index", index, allow_zero=True)
        sig = positive_int("sig", int(sig) if isinstance(sig, signal.Signals) else sig)
        if index >= len(self.procs):
            raise ValueError(f"index={index} but only {len(self.procs)} worker(s) started")
        proc = self.procs[index]
        if proc.poll() is None:
            os.kill(proc.pid, sig)

    def wait_for_file(self, path: str | os.PathLike, timeout: float = 600.0, *,
                      poll: float = 0.2) -> Path:
        """Block until ``path`` exists (a worker's "I got here" signal); return it.

        Raises :class:`WorkerError` with worker 0's log tail if a worker exits first or
        ``timeout`` seconds pass.
        """
        timeout = positive_number("timeout", timeout)
        poll = positive_number("poll", poll)
        path = Path(path)
        deadline = time.monotonic() + timeout
        while not path.exists():
            ended = [i for i, p in enumerate(self.procs) if p.poll() is not None]
            if ended or time.monotonic() > deadline:
                i = ended[0] if ended else 0
                why = f"worker {i} exited" if ended else f"{timeout:.0f} s passed"
                raise WorkerError(f"{path.name} never appeared ({why}); last lines of "
                                  f"{self.log(i)}:\n{log_tail(self.log(i))}")
            time.sleep(poll)
        return path

    def wait(self, timeout: float = 600.0, *, check: bool = True,
             poll: float = 0.2) -> list[WorkerResult]:
        """Wait until every worker has exited; return how each ended.

        With ``check=True``, the first worker that exits with a non-zero code, or a
        timeout, kills all the others and raises :class:`WorkerError` with its log tail.
        """
        timeout = positive_number("timeout", timeout)
        poll = positive_number("poll", poll)
        if not isinstance(check, bool):
            raise TypeError(f"check must be a bool, got {type(check).__name__}")
        deadline = time.monotonic() + timeout
        while True:
            codes = [p.poll() for p in self.procs]
            if check:
                for i, code in enumerate(codes):
                    if code not in (None, 0):
                        self.close()
                        raise WorkerError(f"worker {i} (pid {self.procs[i].pid}) exited with "
                                          f"code {code}; last lines of {self.log(i)}:\n"
                                          f"{log_tail(self.log(i))}")
            if all(c is not None for c in codes):
                break
            if time.monotonic() > deadline:
                running = [i for i, c in enumerate(codes) if c is None]
                self.close()
                i = running[0]
                raise WorkerError(f"worker(s) {running} still running after {timeout:.0f} s; "
                                  f"killed. Last lines of {self.log(i)}:\n{log_tail(self.log(i))}")
            time.sleep(poll)
        for p in self.procs:
            _LIVE.discard(p)
        return [WorkerResult(i, p.pid, p.returncode, self.log(i))
                for i, p in enumerate(self.procs)]

    def close(self) -> None:
        """Kill every worker still running (SIGKILL to its process group) and reap it."""
        for proc in self.procs:
            _kill_group(proc)

    def __enter__(self) -> WorkerGroup:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_workers(command: Sequence[str], num_workers: int, log_dir: str | os.PathLike, *,
                timeout: float = 600.0,
                extra_env: Mapping[str, str] | None = None) -> list[WorkerResult]:
    """Run ``command`` as ``num_workers`` localhost workers until all exit successfully.

    Raises:
        ValueError: ``num_workers`` below 1.
        WorkerError: a worker failed or the timeout passed (all workers are killed first).
    """
    timeout = positive_number("timeout", timeout)
    with WorkerGroup(command, num_workers, log_dir, extra_env=extra_env) as group:
        return group.wait(timeout)


def python_command(script: str | os.PathLike, *args: Any) -> list[str]:
    """``[sys.executable, script, *args]`` as strings: run ``script`` with this Python."""
    return [sys.executable, str(script), *map(str, args)]


