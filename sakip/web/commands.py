"""The ``sakip web``, ``sakip web-worker`` and ``sakip user`` commands (the application is imported only
when they run)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tasks.settings import Settings

COMMANDS = ("web", "web-worker", "user")


def add_commands(commands: argparse._SubParsersAction, add_workdir) -> None:
    """Add ``web``, ``web-worker`` and ``user`` to the command line's subcommands."""
    web = commands.add_parser("web", help="the web application: upload workbooks, see results and status")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    add_workdir(web)
    worker = commands.add_parser(
        "web-worker", help="a worker processing the web uploads' flows (sakip web starts its own)"
    )
    worker.add_argument("--number", type=int, default=0, help=argparse.SUPPRESS)
    add_workdir(worker)

    user = commands.add_parser("user", help="accounts of the web application")
    actions = user.add_subparsers(dest="user_command", required=True)
    add = actions.add_parser("add", help="create an account (password from SAKIP_PASSWORD or asked)")
    add.add_argument("username")
    add.add_argument("--role", choices=("steward", "opd"), required=True)
    add.add_argument("--opd", default=None, help="the agency code of an opd user")
    add_workdir(add)
    listing = actions.add_parser("list", help="list the accounts")
    add_workdir(listing)
    remove = actions.add_parser("remove", help="delete an account (its sessions end)")
    remove.add_argument("username")
    add_workdir(remove)


def _password() -> str:
    """``SAKIP_PASSWORD``, else asked twice on the terminal."""
    from sakip.web.pipeline import AccountCommandError

    given = os.environ.get("SAKIP_PASSWORD")
    if given:
        return given
    if not sys.stdin.isatty():
        raise AccountCommandError(
            "Berikan kata sandi lewat SAKIP_PASSWORD atau jalankan perintah di terminal.",
            "Give the password in SAKIP_PASSWORD or run the command in a terminal.",
        )
    first = getpass.getpass("Kata sandi: ")
    if getpass.getpass("Ulangi kata sandi: ") != first:
        raise AccountCommandError("Kedua kata sandi tidak sama.", "The two passwords differ.")
    return first


def run_user(args: argparse.Namespace, settings: Settings) -> int:
    """``sakip user add|list|remove``."""
    from sakip.web.accounts import AccountError, add_user, list_users, remove_user
    from sakip.web.pipeline import AccountCommandError, format_moment, open_warehouse

    engine = open_warehouse(settings.url)
    try:
        if args.user_command == "add":
            user = add_user(engine, args.username, _password(), args.role, args.opd)
            where = f" (OPD {user.opd_code})" if user.opd_code else ""
            print(f"Pengguna {user.username} dibuat: {user.role}{where}.")
        elif args.user_command == "remove":
            remove_user(engine, args.username)
            print(f"Pengguna {args.username} dihapus; sesinya berakhir.")
        else:
            users = list_users(engine)
            if not users:
                print("Belum ada pengguna. Buat dengan: sakip user add NAMA --role steward|opd [--opd KODE]")
            for user in users:
                print(
                    f"{user.username}\t{user.role}\t{user.opd_code or '-'}\t{format_moment(user.created_at)}"
                )
    except AccountError as error:
        raise AccountCommandError(error.message, error.message_en) from error
    return 0


def server_config(app, host: str, port: int, trusted_proxies: str):
    """The uvicorn settings of ``sakip web``: X-Forwarded-* believed from the trusted proxies only."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies,
        server_header=False,
        log_level="info",
    )


def run_web(args: argparse.Namespace, settings: Settings) -> int:
    """``sakip web``: serve the application until interrupted, with its upload workers (processes that
    run the flows on the settings of the work folder; stopped with the server, started again if one dies).
    """
    import uvicorn

    from sakip.web.accounts import list_users
    from sakip.web.app import create_app
    from sakip.web.config import load_web_settings
    from sakip.web.pipeline import open_warehouse
    from sakip.web.worker import WorkerPool, worker_count

    settings.known_opds()  # an unreadable OPD register: said now
    engine = open_warehouse(settings.url)
    web = load_web_settings(settings.workdir)
    if not list_users(engine):
        print("Belum ada pengguna. Buat dengan: sakip user add NAMA --role steward|opd [--opd KODE]")
    pool = WorkerPool(settings.workdir, worker_count(web, settings.url))
    pool.start()
    # stopped with the server: uvicorn ends on SIGTERM by raising it again, which skips exit handlers
    app = create_app(settings, web, engine, on_shutdown=pool.stop)
    print(f"sakip web: http://{args.host}:{args.port}/ (Ctrl+C untuk berhenti)", flush=True)
    try:
        uvicorn.Server(server_config(app, args.host, args.port, web.trusted_proxies)).run()
    finally:
        pool.stop()
    return 0


def run_web_worker(args: argparse.Namespace, settings: Settings) -> int:
    """``sakip web-worker``: process the queued uploads until stopped."""
    from sakip.web.config import load_web_settings
    from sakip.web.worker import run_worker

    return run_worker(settings, load_web_settings(settings.workdir), args.number)


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``web``, ``web-worker`` or ``user`` with the settings the command line built."""
    if args.command == "web":
        return run_web(args, settings)
    if args.command == "web-worker":
        return run_web_worker(args, settings)
    return run_user(args, settings)
