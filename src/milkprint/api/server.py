"""How `milkprint serve` runs uvicorn: the settings that decide what a slow or lying client can hold.

- Slow headers: a connection must deliver a request's headers within HEADER_TIMEOUT seconds of starting it
  (slowloris: 1 000 connections each sending a header line every 10 s were held forever); slow bodies are the
  guard's (api/guard.py).
- Concurrency: past `limit_concurrency` open connections or running requests, new requests get 503 at once instead
  of queueing until the process runs out of file descriptors.
- Proxies: `X-Forwarded-For` / `X-Forwarded-Proto` are believed only from the addresses given in
  `forwarded_allow_ips` (none by default: then the client address is the TCP peer's, so a login's rate limit and
  an audit row's address cannot be set by the client).
- No `server: uvicorn` header.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

HEADER_TIMEOUT = 10.0  # seconds from a request's first byte to its last header line
LIMIT_CONCURRENCY = 500  # connections or requests in flight per process before new requests get 503
KEEP_ALIVE = 5  # seconds an idle kept-alive connection stays open (uvicorn's default, stated)


def timed_protocol(header_timeout: float) -> type[Any]:
    """uvicorn's HTTP/1.1 protocol with a deadline for a request's headers (uvicorn has none). Built on demand so
    that importing this module (the CLI does, for its defaults) does not import the server."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            self._header_timer: asyncio.TimerHandle | None = None
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._header_timer is None and self.conn.their_state is h11.IDLE:
                self._arm()  # a new request begins on a kept-alive connection
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm()  # the headers are in (body deadlines are the guard's)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return TimedH11Protocol


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    forwarded_allow_ips: str | None = None  # comma-separated addresses of trusted reverse proxies
    limit_concurrency: int = LIMIT_CONCURRENCY
    header_timeout: float = HEADER_TIMEOUT


def uvicorn_config(app: Any, options: ServeOptions) -> Any:
    """The uvicorn.Config of `milkprint serve` (a function so a test can check what a deployment gets)."""
    import uvicorn

    protocol = timed_protocol(options.header_timeout)
    trusted = (options.forwarded_allow_ips or "").strip()
    return uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        log_level="warning",
        http=protocol,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        server_header=False,
        limit_concurrency=options.limit_concurrency,
        timeout_keep_alive=KEEP_ALIVE,
    )


def run(app: Any, options: ServeOptions) -> None:
    import uvicorn

    uvicorn.Server(uvicorn_config(app, options)).run()
