"""The app the memory scenarios run, on the native server or (``--uvicorn``) as an ASGI app
under uvicorn for comparison: GET /plaintext, GET /big (an 8 MB response from a handler),
POST /upload (answers the body's length). Run as ``python -m suites.e2e.server.memory_app PORT
[--uvicorn] [option=value ...]`` (native server options, numbers); prints nothing; SIGTERM stops it."""

from __future__ import annotations

import sys

BIG = b"x" * 8_000_000


def native(port: int, options: dict[str, float]) -> None:
    from lapwise.app import App

    app = App(server_name="lapwise-memory")
    app.const("/plaintext", "Hello, World!")

    @app.get("/big")
    def big(req):  # noqa: ANN001, ARG001
        return BIG

    @app.post("/upload")
    def upload(req):  # noqa: ANN001
        return str(len(req.body))

    app.run("127.0.0.1", port, threads=1, max_body=16 << 20, **options)


async def asgi(scope, receive, send):  # noqa: ANN001
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    if scope["path"] == "/big":
        out = BIG
    elif scope["path"] == "/upload":
        out = str(len(body)).encode()
    else:
        out = b"Hello, World!"
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"),
                            (b"content-length", str(len(out)).encode())]})
    await send({"type": "http.response.body", "body": out})


if __name__ == "__main__":
    port = int(sys.argv[1])
    if "--uvicorn" in sys.argv[2:]:
        import uvicorn

        uvicorn.run(asgi, host="127.0.0.1", port=port, http="httptools", loop="uvloop",
                    log_level="warning", access_log=False)
    else:
        opts = dict(a.split("=", 1) for a in sys.argv[2:])
        native(port, {k: (float(v) if "." in v else int(v)) for k, v in opts.items()})
