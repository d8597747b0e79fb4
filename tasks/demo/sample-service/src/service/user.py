"""Users: registration and validation."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


class UserError(ValueError):
    """A user record is invalid."""


@dataclass
class User:
    user_id: int
    email: str
    name: str
    roles: set[str] = field(default_factory=set)

    def is_admin(self) -> bool:
        return "admin" in self.roles


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise UserError(f"invalid email: {email!r}")
    return email


class UserRegistry:
    """Keeps users by id and by email."""

    def __init__(self) -> None:
        self._by_id: dict[int, User] = {}
        self._next_id = 1

    def register(self, email: str, name: str) -> User:
        email = normalize_email(email)
        if any(u.email == email for u in self._by_id.values()):
            raise UserError(f"email already registered: {email}")
        if not name.strip():
            raise UserError("name must not be empty")
        user = User(self._next_id, email, name.strip())
        self._by_id[user.user_id] = user
        self._next_id += 1
        return user

    def get(self, user_id: int) -> User:
        try:
            return self._by_id[user_id]
        except KeyError:
            raise UserError(f"no user {user_id}") from None

    def grant(self, user_id: int, role: str) -> None:
        self.get(user_id).roles.add(role)

    def __len__(self) -> int:
        return len(self._by_id)
