"""A Spark standalone cluster on this machine: one master and one worker, started from the pyspark
installation (its spark-class launcher) and bound to 127.0.0.1, for a build that takes the path of
a real cluster (driver in the dbt process, executors in the worker's JVMs).

    with standalone_cluster(folder) as cluster:
        ...  # STRATA_SPARK_MASTER=cluster.master_url for the spark profile

Both processes run in their own process group and are stopped (SIGTERM, then SIGKILL) when the
block ends, whatever happened inside it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
START_TIMEOUT_SECONDS = 120
# What the worker offers the cluster: both cores of a small machine, and memory for one executor
# (spark.executor.memory's default, 1g) with room to spare.
WORKER_CORES = 2
WORKER_MEMORY = "2g"


@dataclass
class Cluster:
    master_url: str
    master_web_url: str
    folder: Path

    def status(self) -> dict:
        """The master's status page as JSON: workers, running and completed applications."""
        with urllib.request.urlopen(f"{self.master_web_url}/json/", timeout=10) as response:
            return json.load(response)


def spark_class() -> Path:
    """The spark-class launcher of the installed pyspark (a pip install has no sbin scripts for
    the master and worker, so they are started through it)."""
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-class"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def cluster_environment(folder: Path) -> dict[str, str]:
    """Every Spark process on the loopback interface, its logs and scratch files in `folder`."""
    return {
        **os.environ,
        "SPARK_LOCAL_IP": LOOPBACK,
        "SPARK_LOG_DIR": str(folder / "logs"),
        "SPARK_WORKER_DIR": str(folder / "work"),
        "SPARK_LOCAL_DIRS": str(folder / "scratch"),
    }


def start(name: str, args: list[str], folder: Path) -> subprocess.Popen[bytes]:
    log = (folder / f"{name}.log").open("wb")
    return subprocess.Popen(
        [str(spark_class()), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=cluster_environment(folder),
        start_new_session=True,
    )


def wait_for(what: str, ready: callable, processes: list[subprocess.Popen[bytes]], folder: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(1)
    logs = "\n".join(path.read_text(errors="replace")[-2000:] for path in sorted(folder.glob("*.log")))
    raise RuntimeError(f"the standalone cluster did not start ({what}):\n{logs}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process this module started, and its children (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@contextmanager
def standalone_cluster(folder: Path) -> Iterator[Cluster]:
    """A master and a worker on 127.0.0.1 for the duration of the block."""
    for sub in ("logs", "work", "scratch"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    port, web_port, worker_web_port = free_port(), free_port(), free_port()
    cluster = Cluster(f"spark://{LOOPBACK}:{port}", f"http://{LOOPBACK}:{web_port}", folder)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(start("master", [
            "org.apache.spark.deploy.master.Master", "--host", LOOPBACK, "--port", str(port),
            "--webui-port", str(web_port),
        ], folder))  # fmt: skip
        wait_for("master", lambda: cluster.status().get("status") == "ALIVE", processes, folder)
        processes.append(start("worker", [
            "org.apache.spark.deploy.worker.Worker", cluster.master_url, "--host", LOOPBACK,
            "--cores", str(WORKER_CORES), "--memory", WORKER_MEMORY, "--webui-port", str(worker_web_port),
            "--work-dir", str(folder / "work"),
        ], folder))  # fmt: skip
        wait_for("worker", lambda: cluster.status().get("aliveworkers", 0) >= 1, processes, folder)
        yield cluster
    finally:
        for process in reversed(processes):
            stop(process)
