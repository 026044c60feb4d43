"""
A fault-injecting TCP proxy in front of a real service (the search engine on 127.0.0.1:9201), so
one test can stop or hang "the engine" without disturbing anyone else who shares it.

    proxy = FaultProxy(("127.0.0.1", 9201))
    proxy.url            # http://127.0.0.1:<port>, for SEARCH_URL
    proxy.set("refuse")  # the port is closed: connections refused at once (a stopped engine)
    proxy.set("hang")    # connections accepted, requests never answered (a hanging engine)
    proxy.set("pass")    # bytes forwarded both ways (a healthy engine)
    proxy.close()

Switching drops the connections already open, as a stop or a restart of the engine would.
"""

import select
import socket
import threading

MODES = ("pass", "refuse", "hang")


class FaultProxy:
    def __init__(self, upstream=("127.0.0.1", 9201)):
        self.upstream = upstream
        self.mode = "pass"
        self.port = None
        self.forwarded = 0  # connections forwarded to the upstream
        self._lock = threading.Lock()
        self._open = set()
        self._listener = None
        self._listen()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def _listen(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(128)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while self._listener is listener:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self._lock:
                self._open.add(client)
            if self.mode == "pass":
                threading.Thread(target=self._pipe, args=(client,), daemon=True).start()
            # "hang": held open, never answered, until the mode changes or the proxy closes

    def _pipe(self, client):
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            self._drop(client)
            return
        upstream.settimeout(None)
        with self._lock:
            self._open.add(upstream)
            self.forwarded += 1
        try:
            while True:
                readable, _w, _x = select.select([client, upstream], [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            self._drop(client)
            self._drop(upstream)

    def _drop(self, sock):
        with self._lock:
            self._open.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def _drop_all(self):
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            self._drop(sock)

    def set(self, mode):
        if mode not in MODES:
            raise ValueError(mode)
        self.mode = mode
        self._drop_all()
        if mode == "refuse" and self._listener is not None:
            listener, self._listener = self._listener, None
            listener.close()
        elif mode != "refuse" and self._listener is None:
            self._listen()

    def close(self):
        self.mode = "refuse"
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self._drop_all()
