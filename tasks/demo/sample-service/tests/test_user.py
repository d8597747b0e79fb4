import pytest

from src.service.user import UserError, UserRegistry, normalize_email


def test_normalize_email_lowercases_and_strips() -> None:
    assert normalize_email("  Ada@Example.COM ") == "ada@example.com"


def test_normalize_email_rejects_garbage() -> None:
    with pytest.raises(UserError):
        normalize_email("not-an-email")


def test_register_assigns_ids() -> None:
    registry = UserRegistry()
    first = registry.register("a@example.com", "Ada")
    second = registry.register("b@example.com", "Bob")
    assert (first.user_id, second.user_id) == (1, 2)
    assert len(registry) == 2


def test_register_refuses_duplicates() -> None:
    registry = UserRegistry()
    registry.register("a@example.com", "Ada")
    with pytest.raises(UserError):
        registry.register("A@example.com", "Ada again")


def test_grant_makes_admin() -> None:
    registry = UserRegistry()
    user = registry.register("a@example.com", "Ada")
    registry.grant(user.user_id, "admin")
    assert registry.get(user.user_id).is_admin()
