"""The protocol ``bokslut serve`` gives uvicorn: every connection without Nagle's algorithm."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from bokslut.web.http_protocol import NoDelayH11Protocol


async def _app(scope: Any, receive: Any, send: Any) -> None:  # never called: no request is sent
    raise AssertionError(scope)


async def _accepted_nodelay(protocol_class: type[H11Protocol]) -> int:
    """TCP_NODELAY of a connection accepted on a socket bound as ``--processer 2`` binds it."""
    config = uvicorn.Config(_app, host="127.0.0.1", port=0, http=protocol_class, log_level="warning")
    listener = config.bind_socket()  # what uvicorn's supervisor binds and hands its processes
    made: list[H11Protocol] = []

    def protocol() -> H11Protocol:
        made.append(protocol_class(config=config, server_state=ServerState(), app_state={}))
        return made[-1]

    server = await asyncio.get_running_loop().create_server(protocol, sock=listener)
    _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
    try:
        for _ in range(500):
            if made and made[0].transport is not None:
                break
            await asyncio.sleep(0.01)
        accepted = made[0].transport.get_extra_info("socket")
        return int(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


def test_uvicorns_own_protocol_leaves_nagle_on_for_a_bound_socket():
    # Why the subclass exists (uvicorn issue 3149): if this starts to fail, uvicorn sets it itself.
    assert asyncio.run(_accepted_nodelay(H11Protocol)) == 0


def test_the_servers_protocol_turns_nagle_off():
    assert asyncio.run(_accepted_nodelay(NoDelayH11Protocol)) != 0
