"""`greatterror serve`: the web dashboard on this machine.

It binds to 127.0.0.1 by default, so that only this machine can reach it;
another host must be asked for by name. Solara's server is started in this
process with its telemetry switched off: the page needs no internet and
sends nothing out.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Annotated

import typer

from greatterror.cli.output import console, fail

APP_MODULE = "greatterror.dashboard.app"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_host(host: str) -> str:
    """An address or host name to bind; an empty one would mean every interface."""
    host = host.strip()
    if not host:
        fail(
            "--host: empty; allowed: an address or host name, such as 127.0.0.1 (this machine "
            "only) or 0.0.0.0 (every interface, reachable by other machines)"
        )
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        fail(f"--host: {host!r} is not an address or a known host name; for example 127.0.0.1")
    return host


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port that is taken before the server starts, rather than failing inside it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"--port: {port} cannot be used on {host} ({exc.strerror}); choose another port")


def solara_environment(host: str, port: int) -> dict[str, str]:
    """The settings solara reads from the environment when its server module is imported."""
    return {
        "SOLARA_APP": APP_MODULE,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",
        "SOLARA_THEME_TITLE": "greatterror",
        "SOLARA_MODE": "production",
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
    }


def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; the default lets only this machine connect.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on, 1024 to 65535.")] = 8765,
) -> None:
    """Start the web dashboard: run scenarios, compare them, browse the evidence."""
    from greatterror.errors import GreatterrorError
    from greatterror.preflight import check_local_state

    if not 1024 <= port <= 65535:
        fail(f"--port: {port} is out of range; allowed values: 1024 to 65535")
    host = _check_host(host)
    try:
        check_local_state()  # the Hypotheses page reads calibration databases from there
    except GreatterrorError as exc:
        fail(str(exc))
    try:
        import solara  # noqa: F401
        import uvicorn
    except ImportError:
        fail(
            "the dashboard needs the 'dashboard' extra: "
            "python3 -m pip install 'greatterror[dashboard]'",
            code=1,
        )
    if not _is_loopback(host):
        console.print(
            f"[bold]warning:[/] binding {host}: other machines can reach the dashboard",
            highlight=False,
        )
    _check_port_free(host, port)
    os.environ.update(solara_environment(host, port))
    console.print(
        f"greatterror dashboard at http://{host}:{port} (Ctrl+C stops it)", highlight=False
    )
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
