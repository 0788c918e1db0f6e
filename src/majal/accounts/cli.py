"""`majal users ...` and `majal apikeys ...`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from majal.accounts import service
from majal.kit.cli import console, settings, unit_of_work

users = typer.Typer(help="Staff accounts.", no_args_is_help=True)
apikeys = typer.Typer(help="API keys for integrations.", no_args_is_help=True)


@users.command("create")
def create_user(
    role: Annotated[str, typer.Option(help="A role: admin, manager, agent, or one a domain adds (social_worker ...)")],
    username: Annotated[str, typer.Option(help="Lower-case login name")],
    department: Annotated[str | None, typer.Option(help="Required for agents (lighting, cleanliness ...)")] = None,
    full_name: Annotated[str, typer.Option(help="Name shown in the console")] = "",
    commune: Annotated[str | None, typer.Option(help="Commune code a social worker works in")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Create a staff account (the password is asked twice, or read from standard input)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with unit_of_work() as db:
        user = service.create_user(
            db, username, password, role.strip(), (department or "").strip() or None, full_name,
            commune_code=commune,
        )
    console.print(f"Created {user.username} ({user.role}).")


@users.command("list")
def list_users() -> None:
    """List staff accounts."""
    with unit_of_work() as db:
        table = Table("username", "role", "department", "active")
        for user in service.list_users(db):
            table.add_row(user.username, user.role, user.department or "", "yes" if user.is_active else "no")
    console.print(table)


@users.command("unlock")
def unlock_user(username: Annotated[str, typer.Argument(help="The account to unlock")]) -> None:
    """Lift the pause that failed sign-ins put on an account, so its owner can sign in again at once."""
    with unit_of_work() as db:
        user = service.unlock_user(db, settings().resolved_secret_key, username)
    console.print(f"Unlocked {user.username}.")


@apikeys.command("create")
def create_api_key(name: Annotated[str, typer.Option(help="Who or what uses the key")]) -> None:
    """Create an API key; it is printed once, alone on the last line, and only its digest is stored."""
    with unit_of_work() as db:
        key = service.create_api_key(db, name)
    console.print(f"API key for {name} (store it now; it cannot be shown again):")
    print(key)
