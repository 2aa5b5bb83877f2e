"""The runner of the fake servers: a quiet threaded HTTP/1.1 server that plays a `FaultPlan`.

The platform apps (`huggingface.py`, `github.py`) are plain WSGI apps; this module serves them on
127.0.0.1 and renders the faults every platform shares (latency, 5xx, timeouts, truncated bodies,
connection resets). Faults whose wire format differs by platform (rate limits, 404 bodies, GraphQL
errors) are handed to the app in `environ["ossimpact.fault"]`.

Werkzeug's development server is not used because it closes every connection after one response;
the real clients keep connections alive, and so must the fake servers for honest timings.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import socketserver
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote
from wsgiref.types import StartResponse, WSGIEnvironment

from ossimpact.sandbox.faults import Fault, FaultPlan

WsgiApp = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]

FAULT_ENVIRON_KEY = "ossimpact.fault"
REQUEST_LOG_LIMIT = 10_000
# Generic kinds are rendered here; the others need the platform's own wire format.
GENERIC_FAULTS = frozenset({"server_error", "timeout", "truncated", "reset"})

logger = logging.getLogger(__name__)


class SandboxServerError(RuntimeError):
    """The fake server could not start or was used before it started."""


class _Response:
    """What a WSGI app answered, collected whole so faults can cut it."""

    def __init__(self) -> None:
        self.status = "500 Internal Server Error"
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []

    def start_response(
        self,
        status: str,
        headers: list[tuple[str, str]],
        exc_info: Any = None,
    ) -> Callable[[bytes], object]:
        self.status = status
        self.headers = list(headers)
        return self.chunks.append

    @property
    def code(self) -> int:
        return int(self.status.split(None, 1)[0])

    @property
    def reason(self) -> str:
        parts = self.status.split(None, 1)
        return parts[1] if len(parts) > 1 else ""


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], fake: FakeServer) -> None:
        self.fake = fake
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _WsgiHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, a reverse DNS call that can hang offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (its timeout shorter than ours) is expected, not an error.
        logger.debug("sandbox connection from %s ended with an error", client_address)

    def close_open_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.open_connections)
            self.open_connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _WsgiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    # An idle keep-alive connection is dropped after this many seconds.
    timeout = 30
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.open_connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.open_connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests and the demo read `FakeServer.request_log` instead of stderr."""

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_GET
    do_POST = do_GET
    do_PUT = do_GET
    do_PATCH = do_GET
    do_DELETE = do_GET
    do_OPTIONS = do_GET

    def _serve(self) -> None:
        fake = self.server.fake
        body = self._read_body()
        fake._count(self.command, self.path)
        latency = fake.plan.latency_seconds
        if latency > 0:
            time.sleep(latency)
        fault = fake.plan.take(self.path)
        try:
            if fault is not None and fault.kind in GENERIC_FAULTS:
                self._render_generic(fault, body)
            else:
                self._send(self._call_app(body, fault))
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _render_generic(self, fault: Fault, body: bytes) -> None:
        if fault.kind == "server_error":
            self._send(_json_response(fault.status, {"error": f"sandbox fault: {fault.status}"}))
        elif fault.kind == "timeout":
            time.sleep(fault.seconds)
            self._send(self._call_app(body, None))
        elif fault.kind == "truncated":
            self._send(self._call_app(body, None), truncate=True)
        else:
            self._reset()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _environ(self, body: bytes, fault: Fault | None) -> WSGIEnvironment:
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ: WSGIEnvironment = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            # PEP 3333: PATH_INFO is decoded bytes carried as latin-1 text.
            "PATH_INFO": unquote(path, encoding="latin-1"),
            "QUERY_STRING": query,
            "REQUEST_URI": self.path,
            "RAW_URI": self.path,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_LENGTH": str(len(body)) if body else "",
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            FAULT_ENVIRON_KEY: fault,
        }
        for key, value in self.headers.items():
            name = "HTTP_" + key.upper().replace("-", "_")
            if name in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue
            environ[name] = f"{environ[name]},{value}" if name in environ else value
        return environ

    def _call_app(self, body: bytes, fault: Fault | None) -> _Response:
        response = _Response()
        environ = self._environ(body, fault)
        try:
            result = self.server.fake.app(environ, response.start_response)
            try:
                response.chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:
            logger.exception("sandbox app %s failed on %s", self.server.fake.name, self.path)
            return _json_response(500, {"error": "sandbox app failed"})
        return response

    def _send(self, response: _Response, *, truncate: bool = False) -> None:
        body = b"".join(response.chunks)
        code = response.code
        bodyless = self.command == "HEAD" or code in (204, 304) or 100 <= code < 200
        app_length = next((v for k, v in response.headers if k.lower() == "content-length"), None)
        headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        declared = len(body)
        self.server.fake._answered(self.command, self.path, code)
        if truncate and declared < 2:
            declared += 2  # still advertise more than will arrive
        self.send_response_only(code, response.reason or None)
        self.send_header("Server", f"ossimpact-sandbox/{self.server.fake.name}")
        self.send_header("Date", self.date_time_string())
        for key, value in headers:
            self.send_header(key, value)
        if self.command == "HEAD" and app_length is not None:
            self.send_header("Content-Length", app_length)
        elif not bodyless or self.command == "HEAD":
            self.send_header("Content-Length", str(declared))
        self.end_headers()
        if bodyless:
            return
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def _reset(self) -> None:
        """Close with RST and no answer: SO_LINGER with a zero timeout discards the socket."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The rfile/wfile wrappers hold references; the descriptor only closes with the last one.
        self.rfile.close()
        self.wfile.close()
        self.connection.close()


def _json_response(status: int, payload: object) -> _Response:
    response = _Response()
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    response.start_response(f"{status} {reason}", [("Content-Type", "application/json")])
    response.chunks.append(json.dumps(payload).encode())
    return response


class FakeServer:
    """A WSGI app served on a local port in a background thread, with fault injection.

    `app_factory` receives the server's base URL once the port is bound, so the app can write its
    own absolute URLs (Link headers, download URLs).
    """

    def __init__(
        self,
        app_factory: Callable[[str], WsgiApp],
        plan: FaultPlan | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "sandbox",
    ) -> None:
        self.app_factory = app_factory
        self.plan = plan if plan is not None else FaultPlan()
        self.host = host
        self.port = port
        self.name = name
        self.url = ""
        self._app: WsgiApp | None = None
        self._server: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests = 0
        self._log: deque[tuple[str, str]] = deque(maxlen=REQUEST_LOG_LIMIT)
        self._statuses: Counter[int] = Counter()
        # Called with (method, path?query, status) after each answer, e.g. to count by route.
        self.on_response: Callable[[str, str, int], None] | None = None

    @property
    def app(self) -> WsgiApp:
        if self._app is None:
            raise SandboxServerError(f"sandbox server {self.name!r} has not been started")
        return self._app

    @property
    def requests(self) -> int:
        """Requests received since start or the last reset, faulted ones included."""
        with self._lock:
            return self._requests

    @requests.setter
    def requests(self, value: int) -> None:
        with self._lock:
            self._requests = value

    @property
    def request_log(self) -> list[tuple[str, str]]:
        """(method, path?query) of the most recent requests, oldest first."""
        with self._lock:
            return list(self._log)

    @property
    def status_counts(self) -> dict[int, int]:
        """How many answers had each HTTP status since start or the last reset (resets: none)."""
        with self._lock:
            return dict(self._statuses)

    def reset_requests(self) -> None:
        with self._lock:
            self._requests = 0
            self._log.clear()
            self._statuses.clear()

    def _answered(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self._statuses[status] += 1
        observer = self.on_response
        if observer is not None:
            observer(method, path, status)

    def _count(self, method: str, path: str) -> None:
        with self._lock:
            self._requests += 1
            self._log.append((method, path))

    def reload(self) -> None:
        """Rebuild the app from its factory, e.g. after the world it serves was changed in place."""
        if self._server is None:
            raise SandboxServerError(f"sandbox server {self.name!r} has not been started")
        self._app = self.app_factory(self.url)

    def start(self) -> FakeServer:
        if self._server is not None:
            return self
        try:
            server = _HttpServer((self.host, self.port), self)
        except OSError as error:
            raise SandboxServerError(
                f"sandbox server {self.name!r} cannot listen on {self.host}:{self.port}: "
                f"{error.strerror or error}"
            ) from None
        self.port = server.server_port
        self.url = f"http://{self.host}:{self.port}"
        self._app = self.app_factory(self.url)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{self.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = None
        self._thread = None
        server.shutdown()
        server.close_open_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
