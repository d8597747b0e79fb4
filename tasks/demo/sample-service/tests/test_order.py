import pytest

from src.service.order import Order, OrderError, Status


def test_total_includes_tax_and_discount() -> None:
    order = Order(1, 1)
    order.add("book", 10.0, 2)
    order.add("pen", 2.5)
    order.apply_discount(10)
    assert order.subtotal() == 22.5
    assert order.total() == pytest.approx(21.87)


def test_adding_same_sku_merges_quantities() -> None:
    order = Order(1, 1)
    order.add("book", 10.0)
    order.add("book", 10.0, 2)
    assert [(i.sku, i.quantity) for i in order.items] == [("book", 3)]


def test_lifecycle() -> None:
    order = Order(1, 1)
    order.add("book", 10.0)
    order.pay()
    order.ship()
    assert order.status is Status.SHIPPED
    with pytest.raises(OrderError):
        order.cancel()


def test_cannot_pay_empty_order() -> None:
    with pytest.raises(OrderError):
        Order(1, 1).pay()
