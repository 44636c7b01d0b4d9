"""Notebook kernels forked from a process that has already imported TensorFlow.

Every papermill run of the test suite starts a fresh IPython kernel, and every notebook
then imports TensorFlow, Keras, pandas and scikit-learn: about 5 s of CPU each, on the
order of a third of the suite's time on two cores. A *fork server* imports those
libraries once; each kernel is then a ``fork()`` of it, a new process with its own
namespace that still executes every cell of the notebook (the notebook's imports find the
modules already loaded). No TensorFlow operation runs before the fork (the eager context,
devices and seeds are created in the kernel), and matplotlib's inline backend is loaded by
the kernel itself (see :data:`PRELOAD`).

Used only by the tests (``tests/nbtools.py``). ``dev.py book`` and readers run ordinary
kernels. The parts:

* :class:`ForkServer` starts ``python tests/forkkernel.py serve SOCKET`` and writes a
  kernelspec, ``scalekit-fork``, whose command is this file's ``launch`` mode;
* ``launch`` (the kernel process that Jupyter starts) hands its arguments, working
  directory, environment and standard streams to the server, and waits for the forked
  kernel, forwarding signals to it and exiting with its status. Without a server it
  becomes an ordinary ``ipykernel``.
"""

from __future__ import annotations

import array
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KERNEL_NAME = "scalekit-fork"
SOCKET_ENV = "SCALEKIT_FORK_SOCKET"
# Imported once by the server, whose MPLBACKEND is the inline backend each kernel would
# choose: importing pyplot only records that name; the backend module itself, which hooks
# into the kernel's IPython shell, is imported by the kernel on its first figure. Not
# ipykernel: its traits read the kernel's environment when imported.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
PRELOAD = ("numpy", "pandas", "scipy.stats", "sklearn.linear_model", "sklearn.datasets",
           "sklearn.model_selection", "tensorflow", "tf_keras", "matplotlib.pyplot",
           "seaborn", "tensorflow_model_optimization")


def _recv_all(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _run_kernel(request: dict, fds: list[int]) -> None:
    """In the forked child: become the kernel the launcher asked for, then exit."""
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # sys.path as ``python -m ipykernel_launcher`` has it: the kernel's PYTHONPATH, then
    # the interpreter's own entries (the launcher drops the working directory).
    extra = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = extra + request["base_path"]
    launcher = request["launcher_pid"]
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)

    import threading

    def watch_launcher() -> None:  # the launcher killed: nobody waits for us
        while True:
            time.sleep(1.0)
            try:
                os.kill(launcher, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch_launcher, daemon=True).start()
    code = 0
    try:
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [sys.executable, *request["argv"]]
        IPKernelApp.launch_instance(argv=request["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001  (report anything, then exit)
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def serve(path: str) -> None:
    """Import :data:`PRELOAD`, then fork one kernel per connection on the socket ``path``."""
    import importlib

    own = {p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    base_path = [p for p in sys.path[1:] if p not in own]  # [0] is this file's folder
    for name in PRELOAD:
        importlib.import_module(name)
    for name in ("matplotlib_inline.backend_inline", "ipykernel.kernelapp"):
        if name in sys.modules:
            raise RuntimeError(f"preloading imported {name}; kernels would not set it up")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    waiting: dict[int, socket.socket] = {}  # kernel pid -> its launcher's connection
    parent = os.getppid()
    print("ready", flush=True)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    while os.getppid() == parent:  # the test process is gone: stop
        for _ in sel.select(timeout=0.2):
            conn, _ = listener.accept()
            msg, ancdata, _, _ = conn.recvmsg(1 << 20, socket.CMSG_SPACE(3 * 4))
            fds = array.array("i")
            for level, kind, data in ancdata:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
            request = json.loads(msg + _recv_all(conn))
            request["base_path"] = base_path
            pid = os.fork()
            if pid == 0:
                listener.close()
                for other in waiting.values():
                    other.close()
                conn.close()
                _run_kernel(request, list(fds))
            for fd in fds:
                os.close(fd)
            conn.sendall(f"{pid}\n".encode())
            waiting[pid] = conn
        while waiting:  # reap finished kernels and tell their launchers
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            conn = waiting.pop(pid, None)
            if conn is not None:
                try:
                    conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                except OSError:
                    pass
                conn.close()


def launch(argv: list[str]) -> None:
    """The kernel process Jupyter starts: run a forked kernel, or an ordinary one."""
    path = os.environ.get(SOCKET_ENV)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if not path:
            raise FileNotFoundError(SOCKET_ENV)
        conn.connect(path)
    except OSError:
        conn.close()
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
               "launcher_pid": os.getpid()}
    conn.sendmsg([json.dumps(request).encode()],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))])
    conn.shutdown(socket.SHUT_WR)
    reader = conn.makefile("r")
    kernel = int(reader.readline())

    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(kernel, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    status = reader.readline().strip()
    sys.exit(int(status) if status.lstrip("-").isdigit() else 1)


class ForkServer:
    """A running fork server plus the kernelspec that reaches it (a context manager)."""

    def __init__(self, *, pythonpath: str | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="scalekit-fork-"))
        self.socket = str(self.dir / "server.sock")
        spec = self.dir / "kernels" / KERNEL_NAME
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, str(Path(__file__).resolve()), "launch", "-f",
                     "{connection_file}"],
            "display_name": "Python 3 (forked, tests only)", "language": "python",
            "metadata": {"debugger": False}}))
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.setdefault("TF_USE_LEGACY_KERAS", "1")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env.setdefault("MPLBACKEND", INLINE_BACKEND)  # what ipykernel sets when unset
        if pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (pythonpath, env.get("PYTHONPATH")) if p)
        self.log = open(self.dir / "server.log", "w")  # noqa: SIM115  (closed in close())
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "serve", self.socket],
            env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            self.close()
            raise RuntimeError(f"fork server did not start; see {self.dir / 'server.log'}")

    def environ(self) -> dict[str, str]:
        """Variables that make ``kernel_name="scalekit-fork"`` use this server."""
        path = os.pathsep.join(p for p in (str(self.dir), os.environ.get("JUPYTER_PATH"))
                               if p)
        return {"JUPYTER_PATH": path, SOCKET_ENV: self.socket}

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "launch":
        launch(sys.argv[2:])
    else:
        sys.exit("usage: forkkernel.py serve SOCKET | launch -f CONNECTION_FILE")
