"""A real Jiefen server on 127.0.0.1 for the browser tests and the screenshot tool: a fresh
instance folder, ``jiefen setup`` with the demo data (as ``make run`` does), then
``flask run`` on a free port in a child process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "e2e-Admin-Pa55-word"


def free_port() -> int:
    """A port nobody listens on now (the server binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running server: its base URL, instance folder and log."""

    base: str
    instance: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def log(self) -> Path:
        return self.instance / "server.log"

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages (tracebacks of a 5xx)."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def server_env(instance: Path) -> dict[str, str]:
    """The environment of ``make run``, pointed at ``instance``. The login rate limit is off:
    the journeys sign in more than ten times a minute from one address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIEFEN_")}
    env.update({
        "JIEFEN_INSTANCE_PATH": str(instance),
        "JIEFEN_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "JIEFEN_COOKIE_SECURE": "0",
        "JIEFEN_RATELIMIT": "0",
        "FLASK_DEBUG": "0",
    })
    return env


def start_server(instance: Path, demo: bool = True) -> Server:
    """Set up ``instance`` and serve it; fails loudly when setup or start-up fails."""
    instance.mkdir(parents=True, exist_ok=True)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    env = server_env(instance)
    setup = subprocess.run([*flask, "jiefen", "setup", *([] if demo else ["--no-demo"])], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    if setup.returncode != 0:
        raise RuntimeError(f"jiefen setup failed ({setup.returncode}):\n{setup.stdout[-3000:]}\n{setup.stderr[-3000:]}")
    port = free_port()
    log = open(instance / "server.log", "w")  # noqa: SIM115 - the child process writes it until stop()
    process = subprocess.Popen([*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(base=f"http://127.0.0.1:{port}", instance=instance, process=process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base}/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the server did not answer within 60 s:\n{server.log_tail()}")
