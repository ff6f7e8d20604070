"""Runs JupyterHub (`python3 hub/run_hub.py <jupyterhub arguments>`) so that the whole hub ends
with the launcher that started it, however the launcher ended (even SIGKILL).

The launcher keeps this process's stdin open as a pipe; its end closes the pipe. A thread reads the
pipe; at end-of-file it ends every process carrying this hub's tag (NIRKIT_HUB_TAG in the
environment: the proxy, every participant's server and their kernels, including servers that an
earlier hub process started before a restart) with SIGTERM, then SIGKILL after a grace period, and
then the hub itself. A hub stopped by SIGTERM alone (a restart) leaves the servers running.
"""
import os
import runpy
import signal
import sys
import threading
import time

GRACE_SECONDS = 5


def tagged(tag):
    """Pids of the live processes whose environment holds NIRKIT_HUB_TAG=tag (this one excluded)."""
    needle = f"\0NIRKIT_HUB_TAG={tag}\0".encode()
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                env = b"\0" + f.read() + b"\0"
        except OSError:
            continue
        if needle in env:
            out.append(int(d))
    return out


def signal_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except OSError:
            pass


def watch(tag):
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except OSError:
        pass
    signal_all(tagged(tag), signal.SIGTERM)
    deadline = time.time() + GRACE_SECONDS
    while time.time() < deadline and tagged(tag):
        time.sleep(0.2)
    signal_all(tagged(tag), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


threading.Thread(target=watch, args=(os.environ["NIRKIT_HUB_TAG"],), daemon=True).start()
sys.argv = ["jupyterhub"] + sys.argv[1:]
runpy.run_module("jupyterhub", run_name="__main__", alter_sys=True)
