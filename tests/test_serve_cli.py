"""`greatterror serve` refuses what would fail inside the server, before it starts."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from greatterror.cli.app import app

runner = CliRunner()


def test_a_port_in_use_is_refused_with_a_message() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        if port < 1024:  # pragma: no cover - the kernel gives ephemeral ports above 1024
            return
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"--port: {port} cannot be used on 127.0.0.1" in result.output


def test_an_empty_host_is_not_taken_as_every_interface() -> None:
    for host in ("", "  "):
        result = runner.invoke(app, ["serve", "--host", host])
        assert result.exit_code == 2
        assert "--host: empty" in result.output
    result = runner.invoke(app, ["serve", "--host", "no such host!"])
    assert result.exit_code == 2
    assert "is not an address or a known host name" in result.output
