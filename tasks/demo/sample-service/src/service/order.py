"""Orders: line items, totals, discounts and state changes."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

TAX_RATE = 0.08


class OrderError(ValueError):
    """An order operation is not allowed."""


class Status(Enum):
    OPEN = "open"
    PAID = "paid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


@dataclass
class Item:
    sku: str
    unit_price: float
    quantity: int = 1

    def total(self) -> float:
        return self.unit_price * self.quantity


@dataclass
class Order:
    order_id: int
    user_id: int
    items: list[Item] = field(default_factory=list)
    status: Status = Status.OPEN
    discount_percent: float = 0.0

    def add(self, sku: str, unit_price: float, quantity: int = 1) -> None:
        if self.status is not Status.OPEN:
            raise OrderError(f"order {self.order_id} is {self.status.value}")
        if quantity <= 0 or unit_price < 0:
            raise OrderError("quantity must be positive and price not negative")
        for item in self.items:
            if item.sku == sku:
                item.quantity += quantity
                return
        self.items.append(Item(sku, unit_price, quantity))

    def subtotal(self) -> float:
        return round(sum(i.total() for i in self.items), 2)

    def total(self) -> float:
        discounted = self.subtotal() * (1 - self.discount_percent / 100)
        return round(discounted * (1 + TAX_RATE), 2)

    def apply_discount(self, percent: float) -> None:
        if not 0 <= percent <= 50:
            raise OrderError("discount must be between 0 and 50 percent")
        self.discount_percent = percent

    def pay(self) -> None:
        if self.status is not Status.OPEN or not self.items:
            raise OrderError("only open, non-empty orders can be paid")
        self.status = Status.PAID

    def ship(self) -> None:
        if self.status is not Status.PAID:
            raise OrderError("only paid orders can be shipped")
        self.status = Status.SHIPPED

    def cancel(self) -> None:
        if self.status is Status.SHIPPED:
            raise OrderError("shipped orders cannot be cancelled")
        self.status = Status.CANCELLED
