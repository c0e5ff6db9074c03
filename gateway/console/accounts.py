"""Console accounts: name, role, argon2 hash of the password, in their own table of the hall's
SQLite store (the file the gateway's log lives in; its own connection, so the event log's
code is untouched). Passwords are never stored or logged, only argon2-cffi's hashes.

Roles rank staff < supervisor < admin: a page that requires a role admits that role and the
ones above it (an administrator can watch the live hall).
"""
import re
import sqlite3
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

STAFF, SUPERVISOR, ADMIN = "staff", "supervisor", "admin"
ROLES = (STAFF, SUPERVISOR, ADMIN)
NAME = re.compile(r"^[\w.@-]{1,40}$")          # \w takes Chinese names as well
MIN_PASSWORD = 8

SCHEMA = """
CREATE TABLE IF NOT EXISTS console_accounts (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at REAL NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0
)
"""


class AccountError(ValueError):
    """A name, role or password that cannot be; str() says which and why."""


def rank(role):
    return ROLES.index(role) if role in ROLES else -1


def admits(role, required):
    """Whether an account of `role` may open a page that requires `required`."""
    return rank(role) >= rank(required) >= 0


def check_name(name):
    if not isinstance(name, str) or not NAME.match(name):
        raise AccountError("account name %r: use 1-40 letters, digits or . _ @ - (no spaces)" % (name,))
    return name


def check_role(role):
    if role not in ROLES:
        raise AccountError("role %r: one of %s" % (role, ", ".join(ROLES)))
    return role


def check_password(password):
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError("the password needs at least %d characters" % MIN_PASSWORD)
    return password


class Accounts:
    def __init__(self, path, hasher=None):
        self._hasher = hasher or PasswordHasher()
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.execute(SCHEMA)
        # a hash verified against a made-up one takes as long as a real one: a login of an
        # unknown name is not told apart from a wrong password by its time
        self._decoy = self._hasher.hash("not-an-account-%f" % time.time())

    def close(self):
        with self._lock:
            self._db.close()

    def add(self, name, role, password, now=None):
        """A new account; AccountError if the name is taken or anything is malformed."""
        check_name(name), check_role(role), check_password(password)
        digest = self._hasher.hash(password)
        with self._lock:
            try:
                self._db.execute("INSERT INTO console_accounts (name, role, hash, created_at) VALUES (?, ?, ?, ?)",
                                 (name, role, digest, time.time() if now is None else now))
            except sqlite3.IntegrityError:
                raise AccountError("account %r exists already" % name)

    def set_password(self, name, password):
        check_password(password)
        self._update(name, "hash", self._hasher.hash(password))

    def set_role(self, name, role):
        self._update(name, "role", check_role(role))

    def set_disabled(self, name, disabled):
        self._update(name, "disabled", 1 if disabled else 0)

    def _update(self, name, column, value):
        with self._lock:
            changed = self._db.execute("UPDATE console_accounts SET %s = ? WHERE name = ?" % column,
                                       (value, name)).rowcount
        if not changed:
            raise AccountError("no account %r" % (name,))

    def get(self, name):
        """{"name", "role", "disabled", "created_at"} or None."""
        with self._lock:
            row = self._db.execute("SELECT name, role, disabled, created_at FROM console_accounts WHERE name = ?",
                                   (name,)).fetchone()
        return _account(row) if row else None

    def all(self):
        with self._lock:
            rows = self._db.execute("SELECT name, role, disabled, created_at FROM console_accounts "
                                    "ORDER BY name").fetchall()
        return [_account(row) for row in rows]

    def count(self):
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM console_accounts").fetchone()[0]

    def verify(self, name, password):
        """The account if `password` is its own and it is not disabled, else None. Slow on
        purpose (argon2): run it off the event loop."""
        with self._lock:
            row = self._db.execute("SELECT hash, disabled FROM console_accounts WHERE name = ?",
                                   (name,)).fetchone()
        digest, disabled = row if row else (self._decoy, 1)
        try:
            self._hasher.verify(digest, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if disabled:
            return None
        if self._hasher.check_needs_rehash(digest):
            self._update(name, "hash", self._hasher.hash(password))
        return self.get(name)


def _account(row):
    name, role, disabled, created_at = row
    return {"name": name, "role": role, "disabled": bool(disabled), "created_at": created_at}
