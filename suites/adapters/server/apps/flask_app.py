"""The app on Flask: the hosted surface of hosted_surface.py with Flask's own features
(``request.args/json/form/files``, cookies and a signed session, ``jsonify``, an error handler, a
blueprint for the items API, a streamed generator, ``send_file`` with conditional and Range
answers), plus ``GET /session`` (a counter kept in Flask's session cookie)."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, jsonify, request, send_file, session, stream_with_context
from werkzeug.exceptions import NotFound

from .hosted_surface import MAX_Q, STATIC_DIR, TEAPOT, TeapotError, file_summary, parts, token_of

items = Blueprint("items", __name__, url_prefix="/items")


@items.get("/<int:item_id>")
def read_item(item_id: int):
    q = request.args.get("q")
    if q is not None and len(q) > MAX_Q:
        return jsonify(detail=f"q longer than {MAX_Q}"), 422
    return jsonify(item_id=item_id, q=q, token=token_of(request.headers.get("X-Token")))


@items.post("")
def create_item():
    item = request.get_json(silent=True)
    ok = isinstance(item, dict) and isinstance(item.get("name"), str)
    price, tags = (item.get("price"), item.get("tags", [])) if ok else (None, None)
    ok = (ok and isinstance(price, (int, float)) and not isinstance(price, bool)
          and isinstance(tags, list) and all(isinstance(t, str) for t in tags))
    if not ok:
        return jsonify(detail="body must be {name: str, price: number, tags: [str]}"), 422
    return jsonify(name=item["name"], total=price * 2, tags=tags)


app = Flask(__name__, static_folder=None)
app.secret_key = b"lapwise-suites-only-not-a-secret"
app.json.sort_keys = False  # keys in the order the handler wrote them, as the ASGI apps answer
app.json.compact = True
app.register_blueprint(items)


def _json(obj: object) -> Response:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return Response(body, mimetype="application/json")


@app.get("/plaintext")
def plaintext():
    return Response("Hello, World!", mimetype="text/plain")


@app.get("/json")
def json_route():
    return _json({"message": "Hello, World!"})


@app.get("/users/<int:user_id>")
def users(user_id: int):
    return _json({"id": user_id, "name": f"user{user_id}", "q": request.args.get("q")})


@app.post("/echo")
def echo():
    return Response(request.get_data(), content_type=request.content_type or "application/octet-stream")


@app.get("/query")
def query():
    return jsonify(k=request.args.getlist("k"), pairs=[list(p) for p in request.args.items(multi=True)])


@app.get("/names/<name>")
def names(name: str):
    return jsonify(name=name)


@app.get("/cookies")
def cookies():
    response = jsonify(session=request.cookies.get("session"))
    response.set_cookie("seen", "yes", httponly=True)
    return response


@app.get("/session")
def counter():
    session["count"] = session.get("count", 0) + 1
    return jsonify(count=session["count"])


@app.post("/form")
def form():
    fields = {k: v for k, v in request.form.items() if k in ("title", "note")}
    upload = request.files.get("upload")
    files = {"upload": file_summary(upload.filename, upload.read())} if upload is not None else {}
    return jsonify(fields=fields, files=files)


@app.post("/size")
def size():
    total = 0
    stream = request.stream
    while chunk := stream.read(65536):
        total += len(chunk)
    return jsonify(size=total)


@app.get("/stream")
def stream():
    n = request.args.get("n", 3, type=int)
    return Response(stream_with_context(p for p in parts(n)), mimetype="text/plain")


@app.get("/static/<path:name>")
def static_file(name: str):
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file():
        raise NotFound()
    return send_file(path, conditional=True)


@app.get("/teapot")
def teapot():
    raise TeapotError()


@app.errorhandler(TeapotError)
def on_teapot(exc: TeapotError):
    return jsonify(TEAPOT), 418


@app.after_request
def mark(response: Response) -> Response:
    response.headers["x-middleware"] = "seen"
    return response
