"""A real local HTTP server standing in for Slack, Teams, signed-webhook receivers and intake's
contact API, for tests, the demo and benchmarks. It checks what a real receiver checks (Block
Kit shape, Adaptive Card shape, Standard Webhooks signatures) and injects failures: status
codes (500, 429 with Retry-After, 4xx), slowness and timeouts. Loopback only."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hirestream.notifier.domain.signing import verify


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    problems: list[str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Behaviour:
    kind: str = "slack"  # slack | teams | webhook | contact | any
    secret: str | None = None  # webhook: the secret a signature must match
    delay: float = 0.0  # seconds before answering (longer than the client timeout = timeout)
    gate: threading.Event | None = None  # answer only once this is set (at most 30 s)
    # Status codes to answer in order, then 200; (status, retry_after or None).
    script: deque[tuple[int, str | None]] = field(default_factory=deque)
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)  # contact: id -> body


def check_slack(body: Any) -> list[str]:
    problems = []
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        problems.append("slack: no fallback text")
    blocks = body.get("blocks") if isinstance(body, dict) else None
    if not isinstance(blocks, list) or not blocks or len(blocks) > 50:
        problems.append("slack: blocks missing or more than 50")
    else:
        for block in blocks:
            if block.get("type") not in {"section", "actions", "context", "header", "divider"}:
                problems.append(f"slack: unknown block {block.get('type')}")
    return problems


def check_teams(body: Any) -> list[str]:
    try:
        (attachment,) = body["attachments"]
        card = attachment["content"]
        ok = (
            body["type"] == "message"
            and attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
            and card["type"] == "AdaptiveCard"
            and isinstance(card["body"], list)
            and card["version"]
        )
    except (KeyError, TypeError, ValueError):
        ok = False
    return [] if ok else ["teams: not an Adaptive Card message"]


class Receiver:
    """Routes by path; each path has a behaviour. Thread-safe record of what arrived."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.behaviours: dict[str, Behaviour] = {}
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                receiver._handle(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                receiver._handle(self, self.rfile.read(length))

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, path: str, behaviour: Behaviour) -> str:
        self.behaviours[path] = behaviour
        return self.url + path

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def _handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        path = request.path.split("?")[0]
        behaviour = self.behaviours.get(path)
        if behaviour is None and path.startswith("/internal/v1/applications/"):
            behaviour = self.behaviours.get("/internal/v1/applications/*")
        if behaviour is None:
            self._answer(request, 404, b'{"detail":"no such route"}')
            return
        headers = {k.lower(): v for k, v in request.headers.items()}
        problems = self._problems(behaviour, headers, body)
        with self._lock:
            self.received.append(Received(path, headers, body, time.monotonic(), problems))
            step = behaviour.script.popleft() if behaviour.script else None
        if behaviour.delay:
            time.sleep(behaviour.delay)
        if behaviour.gate is not None:
            behaviour.gate.wait(30)
        if behaviour.kind == "contact":
            self._contact(request, behaviour, path, headers)
            return
        if step is not None:
            status, retry_after = step
            extra = {"retry-after": retry_after} if retry_after is not None else {}
            self._answer(request, status, b"injected failure", extra)
            return
        if problems:
            self._answer(request, 400, "; ".join(problems).encode())
            return
        self._answer(request, 200, b"ok")

    def _contact(
        self,
        request: BaseHTTPRequestHandler,
        behaviour: Behaviour,
        path: str,
        headers: dict[str, str],
    ) -> None:
        if headers.get("x-api-key") != behaviour.secret:
            self._answer(request, 401, b'{"detail":"bad key"}')
            return
        application_id = path.split("/")[4]
        found = behaviour.contacts.get(application_id) or behaviour.contacts.get("*")
        if found is None:
            self._answer(request, 404, b'{"detail":"unknown application"}')
            return
        self._answer(request, 200, json.dumps(found).encode())

    @staticmethod
    def _problems(behaviour: Behaviour, headers: dict[str, str], body: bytes) -> list[str]:
        if behaviour.kind in ("contact", "any"):
            return []
        try:
            data = json.loads(body)
        except ValueError:
            return ["body is not JSON"]
        if behaviour.kind == "slack":
            return check_slack(data)
        if behaviour.kind == "teams":
            return check_teams(data)
        if behaviour.secret is None or not verify(
            behaviour.secret, headers, body, now=int(time.time())
        ):
            return ["webhook: no valid signature"]
        return []

    @staticmethod
    def _answer(
        request: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            request.send_response(status)
            for key, value in (headers or {}).items():
                request.send_header(key, value)
            request.send_header("content-length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except OSError:
            pass  # the client gave up (a timeout we injected)
