"""The command line: ``python -m lapwise serve module:app [options]``.

    --interface asgi|wsgi|app   what ``module:app`` is (default asgi)
    --host, --port, --threads   address (127.0.0.1:8000) and io threads per process (1; ASGI
                                with one thread on epoll has none: its asyncio loop drives
                                the server)
    --workers N                 N processes on the same port (SO_REUSEPORT, Linux balances
                                connections); needs a fixed port
    --pool N                    WSGI: the threads that run the app (16)
    --root-path                 the ASGI scope's root_path, WSGI's SCRIPT_NAME
    --factory                   module:attribute is a callable that returns the app (an app
                                factory); ``module:create_app()`` or ``module:create_app("x",
                                debug=True)`` (literal arguments) calls it too, as gunicorn
    --access-log FILE           one line per request, Combined Log Format, written by the
                                native core ("-": standard error; default: none)
    --proxy-headers             ASGI/WSGI: the client's address and scheme from a trusted
                                proxy's X-Forwarded-For and X-Forwarded-Proto (_proxy_headers)
    --forwarded-allow-ips       the proxies trusted: addresses or networks, comma-separated,
                                or "*" ($FORWARDED_ALLOW_IPS, else 127.0.0.1)
    -o, --option NAME=VALUE     a server option (repeatable): max_body=10485760,
                                idle_timeout=30, shutdown_timeout=5, io=asio, ... (see
                                ``lapwise.App.serve``); VALUE is read as an integer, a number,
                                true/false or else text; an unknown NAME is refused by name

SIGTERM or SIGINT stops accepting, answers the requests already received and exits (the parent
forwards it to every worker). A problem that stops the start is one line on stderr and exit
code 1: the app cannot be imported, the port is in use, the lifespan startup failed.
"""

from __future__ import annotations

import argparse
import ast
import ctypes
import errno
import importlib
import logging
import os
import signal
import socket
import sys
import threading
from typing import Any

from ._proxy_headers import Trusted

log = logging.getLogger("lapwise.cli")

START_FAILED = 1


class StartError(Exception):
    """Why the server cannot start: printed as one line, exit code START_FAILED."""


def load(spec: str, factory: bool = False, call_factory: bool = True) -> Any:
    """``module:attribute`` (dotted attribute allowed) -> the object; ``module:name(args)``
    calls ``name`` with literal arguments, and ``factory`` calls the object with none (unless
    ``call_factory`` is False: the parent of workers only checks that the import works)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise StartError(f"cannot import {spec!r}: expected module:attribute")
    attr, call = _split_call(spec, attr)
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is the same one-line error
        raise StartError(f"cannot import {module_name!r}: {type(exc).__name__}: {exc}") from None
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise StartError(f"cannot import {spec!r}: module {module_name!r} has no attribute {attr!r}") from None
    if call is None and factory:
        call = ((), {})
    if call is None or not call_factory:
        return obj
    if not callable(obj):
        raise StartError(f"cannot call {attr!r} of {module_name!r}: it is a {type(obj).__name__}")
    try:
        return obj(*call[0], **call[1])
    except Exception as exc:  # noqa: BLE001 - a failing factory is the same one-line error
        raise StartError(f"the app factory {attr}() raised {type(exc).__name__}: {exc}") from None


def _split_call(spec: str, attr: str) -> tuple[str, tuple[tuple[Any, ...], dict[str, Any]] | None]:
    """``name(args)`` -> (name, (args, kwargs)) with literal arguments only (nothing of the
    command line is run as code); a plain ``name`` -> (name, None)."""
    if not attr.endswith(")"):
        return attr, None
    try:
        node = ast.parse(attr, mode="eval").body
        if not isinstance(node, ast.Call):
            raise ValueError("not a call")
        name = ast.unparse(node.func)
        if not all(part.isidentifier() for part in name.split(".")):
            raise ValueError("not a name")
        args = tuple(ast.literal_eval(a) for a in node.args)
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg is not None}
        if len(kwargs) != len(node.keywords):
            raise ValueError("** arguments")
    except (SyntaxError, ValueError):
        raise StartError(f"cannot read {spec!r}: a factory call takes literal arguments only "
                         "(numbers, text, True/False/None, lists, dicts)") from None
    return name, (args, kwargs)


# Options the command line has flags of its own for.
_OWN_FLAGS = {"host": "--host", "port": "--port", "threads": "--threads", "reuse_port": "--workers",
              "root_path": "--root-path", "pool": "--pool", "access_log": "--access-log",
              "proxy_headers": "--proxy-headers", "forwarded_allow_ips": "--forwarded-allow-ips"}


def options(pairs: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs -> server options; VALUE an int, a float, true/false, or text."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name.isidentifier():
            raise StartError(f"--option {pair!r}: expected NAME=VALUE")
        if name in _OWN_FLAGS:
            raise StartError(f"--option {name}: use {_OWN_FLAGS[name]}")
        out[name] = _value(text.strip())
    return out


def _value(text: str) -> Any:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def check_port_free(host: str, port: int) -> None:
    """The workers share the port (reuse_port=True), so a server already on it that also
    allowed sharing would be joined and split its traffic: a plain bind, which refuses while
    anyone listens, tells first."""
    if port == 0:
        return
    probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "in use"
        probe.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartError(f"cannot listen on {host}:{port}: address already in use") from None
        raise StartError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    finally:
        probe.close()


def serve_one(args: argparse.Namespace) -> None:
    """Serves in this process until SIGTERM/SIGINT."""
    target = load(args.app, args.factory)
    extra = options(args.option)
    if args.access_log:
        extra["access_log"] = args.access_log
    if args.proxy_headers:
        extra.update(proxy_headers=True, forwarded_allow_ips=args.forwarded_allow_ips)
    shared = args.workers > 1  # the workers share the port; a lone server keeps it its own
    if args.interface == "asgi":
        from . import asgi

        asgi.run(target, args.host, args.port, args.threads, root_path=args.root_path,
                 reuse_port=shared, **extra)
    elif args.interface == "app":
        from .app import App

        if not isinstance(target, App):
            raise StartError(f"{args.app} is a {type(target).__name__}, not a lapwise.App")
        target.run(args.host, args.port, args.threads, reuse_port=shared, **extra)
    else:
        from . import wsgi

        wsgi.run(target, args.host, args.port, args.threads, pool=args.pool, root_path=args.root_path,
                 reuse_port=shared, **extra)


class _EarlyStop(BaseException):
    """SIGTERM/SIGINT reached a worker before it served: it ends with exit code 0."""


_stopping = False  # in a worker: a stop arrived before its server installed its own handlers


def _stop_early(signum: int, frame: Any) -> None:  # noqa: ARG001
    global _stopping
    if not _stopping:
        # The exception can be swallowed where it lands (an extension module's import reports
        # it as "ignored" and goes on), leaving a worker that starts serving after its stop:
        # the signal is sent again shortly, to this handler if the worker is still starting,
        # else to the server's own, which then stops it.
        timer = threading.Timer(0.5, _stop_again, (signum,))
        timer.daemon = True
        timer.start()
    _stopping = True
    raise _EarlyStop


def _stop_again(signum: int) -> None:
    global _stopping
    _stopping = False  # the next delivery arms the timer again if it is still this handler's
    os.kill(os.getpid(), signum)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _stop_with_parent(parent: int) -> None:
    """A parent killed outright (SIGKILL) cannot forward the stop, and its workers would keep
    the port: Linux sends each worker SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG),
    which drains it as a forwarded stop would. A parent already gone before this ran is caught
    by the pid check."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux, or no prctl: the forwarded stop only
        return
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def run_workers(args: argparse.Namespace) -> int:
    """Forks the workers, forwards SIGTERM/SIGINT to them, and waits for all; the exit code is
    the first non-zero one of a worker."""
    pids: list[int] = []
    parent = os.getpid()
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:
            code = 0
            # Until the server installs its own handlers, a stop ends the worker cleanly.
            signal.signal(signal.SIGTERM, _stop_early)
            signal.signal(signal.SIGINT, _stop_early)
            _stop_with_parent(parent)
            try:
                serve_one(args)
            except _EarlyStop:
                pass
            # A stop can land inside an import (an extension's init then fails, or the app's
            # import is reported as a StartError): a worker stopped while starting has not failed.
            except StartError as exc:
                if not _stopping:
                    print(f"lapwise: {exc}", file=sys.stderr)
                    code = START_FAILED
            except BaseException:  # noqa: BLE001 - a worker never returns into the parent's code
                if not _stopping:
                    logging.exception("lapwise worker failed")
                    code = START_FAILED
            finally:
                logging.shutdown()
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        pids.append(pid)

    def forward(signum: int, frame: Any) -> None:  # noqa: ARG001
        for p in pids:
            try:
                os.kill(p, signum)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = 0
    for p in pids:
        while True:
            try:
                _, status = os.waitpid(p, 0)
                break
            except InterruptedError:
                continue
        rc = os.waitstatus_to_exitcode(status)
        if rc != 0 and code == 0:
            code = rc if rc > 0 else 128 - rc
            forward(signal.SIGTERM, None)  # one worker failed: stop the others
    return code


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lapwise", description="lapwise's native HTTP server")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve module:app")
    s.add_argument("app", help="module:attribute")
    s.add_argument("--interface", choices=("asgi", "wsgi", "app"), default="asgi")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--threads", type=int, default=1,
                   help="io threads per process (ASGI with 1 on epoll: the asyncio loop drives the server)")
    s.add_argument("--workers", type=int, default=1, help="processes sharing the port")
    s.add_argument("--pool", type=int, default=16, help="WSGI: threads that run the app, per process")
    s.add_argument("--root-path", default="")
    s.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"))
    s.add_argument("--factory", action="store_true", help="module:attribute returns the app when called")
    s.add_argument("--access-log", default="", metavar="FILE",
                   help='one line per request, Combined Log Format ("-": standard error)')
    s.add_argument("--proxy-headers", action="store_true",
                   help="ASGI/WSGI: believe X-Forwarded-For/-Proto from --forwarded-allow-ips")
    s.add_argument("--forwarded-allow-ips", default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                   help='trusted proxies: addresses or networks, comma-separated, or "*"')
    s.add_argument("-o", "--option", action="append", default=[], metavar="NAME=VALUE",
                   help="a server option, repeatable (max_body=10485760, idle_timeout=30, io=asio, ...)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if args.threads < 1 or args.workers < 1:
        print("lapwise: --threads and --workers must be at least 1", file=sys.stderr)
        return 2
    if args.workers > 1 and args.port == 0:
        print("lapwise: --workers > 1 needs a fixed --port", file=sys.stderr)
        return 2
    sys.path.insert(0, os.getcwd())  # module:app is looked up from where the command runs
    try:
        check_port_free(args.host, args.port)
        options(args.option)  # a malformed one is refused before anything starts
        if args.proxy_headers:
            if args.interface == "app":
                raise StartError("--proxy-headers is for --interface asgi or wsgi")
            try:
                Trusted(args.forwarded_allow_ips)
            except ValueError as exc:
                raise StartError(str(exc)) from None
        if args.workers > 1:
            # An import failure is one line from the parent, not one per worker; the factory
            # itself runs in each worker, after the fork.
            load(args.app, args.factory, call_factory=False)
            return run_workers(args)
        serve_one(args)
    except StartError as exc:
        print(f"lapwise: {exc}", file=sys.stderr)
        return START_FAILED
    except Exception as exc:  # noqa: BLE001 - a failed start (lifespan, listen) is one line too
        print(f"lapwise: cannot start: {type(exc).__name__}: {exc}", file=sys.stderr)
        return START_FAILED
    return 0
