"""Business services: users, orders and payments."""
