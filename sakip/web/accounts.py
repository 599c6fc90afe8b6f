"""User accounts: a data steward sees every agency; an ``opd`` user sees and sends only its own.

Passwords are kept only as argon2id hashes, with OWASP's recommended parameters (19 MiB, 2 passes,
1 lane): about 0.1 s per sign-in on a small server, so a burst of sign-ins cannot take its cores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, insert, select, update

from sakip.web.pipeline import WebUser, now_utc, queries

ROLES = ("steward", "opd")
#: shortest password accepted
MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,63}")
OPD_CODE_PATTERN = re.compile(r"\d+(?:\.\d+)+")

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: verified against when the user name is unknown, so an unknown name takes as long as a wrong password
_DUMMY_HASH: list[str] = []


class AccountError(ValueError):
    """A request about accounts that cannot be done; ``message`` says why in Bahasa Indonesia."""

    def __init__(self, message: str, message_en: str):
        self.message = message
        self.message_en = message_en
        super().__init__(message_en)


@dataclass(frozen=True)
class User:
    """A signed-in person."""

    id: int
    username: str
    role: str
    opd_code: str | None
    created_at: datetime

    @property
    def is_steward(self) -> bool:
        """A steward sees every agency."""
        return self.role == "steward"

    def may_see(self, agency_code: str | None) -> bool:
        """Whether this user may see the pages and files of ``agency_code``."""
        return self.is_steward or (bool(agency_code) and agency_code == self.opd_code)


def _user(row) -> User:
    """A :class:`User` from a ``web_user`` row."""
    return User(row.id, row.username, row.role, row.opd_code, row.created_at)


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _HASHER.hash(password)


def check_password_rules(password: str) -> None:
    """Refuse a password too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.",
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
        )


def add_user(engine: Engine, username: str, password: str, role: str, opd_code: str | None = None) -> User:
    """Create an account; an ``opd`` user needs the agency code, a steward has none."""
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountError(
            "Nama pengguna 2–64 karakter: huruf, angka, titik, garis bawah, @ atau tanda hubung.",
            "A user name is 2–64 characters: letters, digits, dot, underscore, @ or hyphen.",
        )
    if role not in ROLES:
        raise AccountError(f"Peran tidak dikenal: {role} (steward atau opd).", f"Unknown role: {role}.")
    if role == "opd" and not opd_code:
        raise AccountError("Pengguna opd memerlukan --opd KODE.", "An opd user needs --opd CODE.")
    if role == "steward" and opd_code:
        raise AccountError(
            "Steward melihat semua OPD; jangan beri --opd.", "A steward sees every agency; give no --opd."
        )
    if opd_code and not OPD_CODE_PATTERN.fullmatch(opd_code):
        raise AccountError(
            f"Kode OPD tidak sesuai format (mis. 2.17.0.00.0.00.01.0000): {opd_code}",
            f"Not an agency code (e.g. 2.17.0.00.0.00.01.0000): {opd_code}",
        )
    check_password_rules(password)
    with engine.begin() as conn:
        if conn.execute(select(WebUser.id).where(WebUser.username == username)).first():
            raise AccountError(
                f"Pengguna {username} sudah ada (hapus dulu dengan 'sakip user remove' untuk membuat ulang).",
                f"User {username} already exists (remove it first with 'sakip user remove').",
            )
        conn.execute(
            insert(WebUser).values(
                username=username,
                password_hash=hash_password(password),
                role=role,
                opd_code=opd_code or None,
                created_at=now_utc(),
            )
        )
    found = find_user(engine, username)
    assert found is not None
    return found


def find_user(engine: Engine, username: str) -> User | None:
    """The account named ``username``, or None."""
    row = queries.web_user_named(engine, username)
    return _user(row) if row else None


def user_by_id(engine: Engine, user_id: int) -> User | None:
    """The account with id ``user_id``, or None."""
    row = queries.web_user_with_id(engine, user_id)
    return _user(row) if row else None


def list_users(engine: Engine) -> list[User]:
    """Every account, by user name."""
    return [_user(row) for row in queries.web_users(engine)]


def remove_user(engine: Engine, username: str) -> None:
    """Delete an account; its sessions end with it (their rows go by cascade)."""
    with engine.begin() as conn:
        done = conn.execute(delete(WebUser).where(WebUser.username == username))
    if not done.rowcount:
        raise AccountError(f"Pengguna {username} tidak ada.", f"No user {username}.")


def verify_password(engine: Engine, username: str, password: str) -> User | None:
    """The account when ``password`` is its password, else None (same work either way)."""
    row = queries.web_password_hash(engine, username)
    if row is None and not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("sakip-no-such-user"))
    stored = row.password_hash if row else _DUMMY_HASH[0]
    try:
        _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _HASHER.check_needs_rehash(stored):  # the hashing parameters were raised since
        with engine.begin() as conn:
            conn.execute(
                update(WebUser).where(WebUser.id == row.id).values(password_hash=hash_password(password))
            )
    return user_by_id(engine, row.id)
