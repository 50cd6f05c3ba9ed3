"""A TCP proxy between a browser and the server whose traffic can be cut, as a tablet's Wi-Fi
drops: Playwright's offline mode keeps an open websocket open, so it cannot show what a real
cut does to a page. While cut, nothing is relayed either way and new connections wait;
restored, relaying resumes (what waited flows, as TCP would retransmit it), and a side the
other end closed meanwhile is closed."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CutProxy:
    """``127.0.0.1:<port>`` relaying to ``target_port``; :meth:`cut` and :meth:`restore`."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.loop = asyncio.new_event_loop()
        self.flowing = asyncio.Event()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = threading.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.flowing.set()
        server = self.loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port))
        self._started.set()
        self.loop.run_forever()
        server.close()
        self.loop.run_until_complete(server.wait_closed())
        self.loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.flowing.wait()  # while cut, a new connection gets nowhere
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer),
                             return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await self.flowing.wait()
                data = await reader.read(65536)
                if not data:
                    break
                await self.flowing.wait()  # read while it flowed, held until it flows again
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    def start(self) -> CutProxy:
        self._thread.start()
        self._started.wait(30)
        return self

    def cut(self) -> None:
        self.loop.call_soon_threadsafe(self.flowing.clear)

    def restore(self) -> None:
        self.loop.call_soon_threadsafe(self.flowing.set)

    async def _end(self) -> None:
        """Close every relayed connection, then stop relaying."""
        mine = asyncio.current_task()
        relays = [t for t in asyncio.all_tasks() if t is not mine]
        for task in relays:
            task.cancel()
        await asyncio.gather(*relays, return_exceptions=True)
        self.loop.stop()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._end(), self.loop)
        self._thread.join(10)


@contextmanager
def cut_proxy(target_port: int) -> Iterator[CutProxy]:
    proxy = CutProxy(target_port).start()
    try:
        yield proxy
    finally:
        proxy.stop()
