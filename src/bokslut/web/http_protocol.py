"""The HTTP protocol ``bokslut serve`` runs: uvicorn's h11 protocol with Nagle's algorithm off."""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol that turns on ``TCP_NODELAY`` for every connection it gets.

    With ``--processer N`` (N > 1) uvicorn binds the listening socket itself with ``proto`` 0;
    the accepted sockets inherit it, and asyncio sets ``TCP_NODELAY`` only on sockets whose
    ``proto`` is ``IPPROTO_TCP`` (uvicorn issue 3149). A response goes out as two writes (head,
    then body), so Nagle held the body until the browser's delayed ACK: ≈ 40 ms on every page
    of a kept-alive connection. One process was not hit (asyncio binds that socket itself).
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
