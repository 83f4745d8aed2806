"""The lab's server: one page and one WebSocket, with Starlette, run by uvicorn.

``tinygrad-edu lab`` calls :func:`serve`.  The page is ``/?token=...``; its
live channel is the WebSocket ``/ws?token=...``.  Each connection gets a
:class:`~tinygrad_edu.lab.LabSession` of its own.

Safe by default:

* it listens on 127.0.0.1 unless told otherwise (and then says so);
* the URL carries a random token: a request or a WebSocket without it is
  refused (403), and so is a request whose ``Host`` is not the server's own
  (a web page that renames itself to 127.0.0.1 by DNS cannot reach it);
* a WebSocket whose ``Origin`` is not the page's own is refused: no other
  page the learner has open can drive the lab;
* it reads and writes no file: models and points travel through the page's
  own download and upload dialogs;
* a malformed or hostile message gets an ``error`` message, and the server
  goes on.

The page carries its words in every language of :mod:`tinygrad_edu.i18n` and a
menu to switch between them; it tells its session the learner's language
(``{"type": "language", "lang": "ja"}``), and the session's messages follow.

Starlette and uvicorn are the ``lab`` extra (``pip install "tinygrad-edu[lab]"``);
without them :func:`serve` raises :class:`LabNotInstalled` saying so.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import sys
import time
from collections.abc import Callable, Collection
from importlib import resources
from typing import TYPE_CHECKING, Any, TextIO

from . import i18n
from ._optional import install_hint
from .i18n import N_, gettext as _, language
from .lab import LIMITS, LabError, LabSession
from .page import _json_for_script

if TYPE_CHECKING:  # the lab extra's types (Any when it is not installed)
    from starlette.applications import Starlette
    from starlette.datastructures import Headers
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket

__all__ = ["create_app", "serve", "lab_html", "LabNotInstalled", "INSTALL_HINT"]

INSTALL_HINT = install_hint("lab")

#: Frames a second the page gets while training plays (at most).
FRAME_RATE = 15

_REFUSED = N_(
    "this lab only answers the page it opened: use the URL `tinygrad-edu lab` printed "
    "(it carries the token)"
)
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'"
)


class LabNotInstalled(ImportError):
    """The lab's server needs Starlette and uvicorn: the ``lab`` extra."""


def _modules() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
        import websockets  # noqa: F401
    except ImportError as err:
        raise LabNotInstalled(
            _(
                "the lab needs {module}, which is not installed; install the lab extra: {hint}"
            ).format(module=err.name, hint=install_hint("lab"))
        ) from None


def lab_html(lang: str | None = None) -> str:
    """The lab's page: lab.html with its styles, its words in every language
    (i18n.js and the catalogs) and its script put inside it.  It opens in ``lang``
    ('en', 'ja'; None: the browser's language)."""
    folder = resources.files("tinygrad_edu").joinpath("static")
    html = folder.joinpath("lab.html").read_text(encoding="utf-8")
    css = folder.joinpath("lab.css").read_text(encoding="utf-8")
    js = folder.joinpath("lab.js").read_text(encoding="utf-8")
    words = folder.joinpath("i18n.js").read_text(encoding="utf-8")
    catalogs = i18n.page_catalogs(i18n.script_messages(js, html), lang)
    return html.replace("<!--STYLE-->", f"<style>{css}</style>", 1).replace(
        "<!--SCRIPT-->",
        f'<script type="application/json" id="i18n-data">{_json_for_script(catalogs)}</script>\n'
        f"<script>{words}</script>\n<script>{js}</script>",
        1,
    )


def _same(given: object, token: str) -> bool:
    return isinstance(given, str) and secrets.compare_digest(given.encode(), token.encode())


def create_app(
    token: str,
    allowed_hosts: Collection[str] | None = None,
    session_factory: Callable[[], LabSession] = LabSession,
    lang: str | None = None,
) -> Starlette:
    """The Starlette app.  ``allowed_hosts``: the ``Host`` values the server answers
    (None: any, for tests); ``session_factory`` makes each connection's session;
    ``lang``: the language the page opens in (None: the browser's)."""
    _modules()
    page = lab_html(lang)  # (ValueError for a language without a catalog)
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse, PlainTextResponse
    from starlette.routing import Route, WebSocketRoute

    def host_ok(headers: Headers) -> bool:
        return allowed_hosts is None or headers.get("host") in allowed_hosts

    async def index(request: Request) -> Response:
        if not host_ok(request.headers) or not _same(request.query_params.get("token"), token):
            return PlainTextResponse(_(_REFUSED), status_code=403)
        return HTMLResponse(
            page,
            headers={
                "Content-Security-Policy": _CSP,
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def live(websocket: WebSocket) -> None:
        origin = websocket.headers.get("origin")
        own = f"http://{websocket.headers.get('host')}"
        if (
            not host_ok(websocket.headers)
            or not _same(websocket.query_params.get("token"), token)
            or origin != own
        ):
            await websocket.close(code=1008)  # before accept: the handshake gets a 403
            return
        await websocket.accept()
        lock = asyncio.Lock()
        session: LabSession = await run_in_threadpool(session_factory)

        async def send(messages: list[dict[str, Any]]) -> None:
            for m in messages:
                await websocket.send_text(json.dumps(m, allow_nan=False))

        async def run(call: Callable[..., list[dict[str, Any]]], *args: object) -> None:
            """Run a session call in a worker thread, one at a time; a LabError is sent."""
            async with lock:
                try:
                    await send(await run_in_threadpool(call, *args))
                except LabError as err:  # nothing changed; the page says why
                    await send([{"type": "error", "message": str(err)}])
                except Exception as err:  # noqa: BLE001 -- a bug: said, and the lab goes on
                    session.playing = False
                    with language(session.lang):
                        said = _(
                            "internal error: {kind}: {error} (this is a bug in tinygrad-edu; "
                            "please report it)"
                        ).format(kind=type(err).__name__, error=err)
                    await send([{"type": "error", "message": said}])

        async def play() -> None:
            while True:
                if not session.playing:
                    await asyncio.sleep(0.05)
                    continue
                started = time.perf_counter()
                await run(session.play_frame)
                await asyncio.sleep(max(0.005, 1.0 / FRAME_RATE - (time.perf_counter() - started)))

        await run(lambda: [session.hello(), session.state(), session.frame()])
        player = asyncio.create_task(play())
        try:
            while True:
                received = await websocket.receive()
                if received["type"] == "websocket.disconnect":
                    break
                text = received.get("text")
                try:
                    with language(session.lang):
                        if text is None:
                            raise LabError(_("the lab reads JSON text messages, not binary ones"))
                        try:
                            message = json.loads(text)
                        except (ValueError, RecursionError):
                            raise LabError(_("a message was not valid JSON")) from None
                except LabError as err:
                    await send([{"type": "error", "message": str(err)}])
                    continue
                await run(session.handle, message)
        finally:
            player.cancel()

    return Starlette(routes=[Route("/", index), WebSocketRoute("/ws", live)])


def _websocket_implementation() -> str:
    """uvicorn's sans-I/O websockets protocol where it has one (newer uvicorn deprecates the other)."""
    try:
        import uvicorn.protocols.websockets.websockets_sansio_impl  # noqa: F401

        return "websockets-sansio"
    except ImportError:
        return "websockets"


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    open_browser: bool = True,
    out: TextIO = sys.stdout,
    lang: str | None = None,
) -> int:
    """Run the lab until Ctrl-C: print its URL (with a fresh token), open it in the
    default browser unless ``open_browser`` is false.  ``port`` 0: a free port.
    ``lang``: the language the page opens in (None: the browser's) and the printed
    lines are written in (None: the language in force, which ``--lang`` or the
    locale sets)."""
    _modules()
    if lang is not None:
        i18n.language_code(lang, "lang")  # ValueError for a language without a catalog, first
    import uvicorn

    sock = _listening_socket(host, port)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    hosts = {f"{shown}:{port}"}
    if host in ("127.0.0.1", "::1", "localhost"):
        hosts |= {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
    token = secrets.token_urlsafe(24)
    url = f"http://{shown}:{port}/?token={token}"
    app = create_app(token, hosts, lang=lang)
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws_max_size=2 * LIMITS["max_model_bytes"] + 65536,
        lifespan="off",
        ws=_websocket_implementation(),
    )
    server = uvicorn.Server(config)
    with language(lang):
        if host not in ("127.0.0.1", "::1", "localhost"):
            print(
                _(
                    "warning: the lab listens on {host}, not only on this computer: anyone who "
                    "can reach it and has the URL (its token) can use it"
                ).format(host=host),
                file=sys.stderr,
            )
        print(_("the lab is at {url}").format(url=url), file=out)
        print(_("(Ctrl-C stops it)"), file=out, flush=True)
        stopped = _("the lab stopped")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.3, webbrowser.open, [url]).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shuts down cleanly on Ctrl-C, then raises it again
        pass
    finally:
        sock.close()
    print(stopped, file=out, flush=True)
    return 0
