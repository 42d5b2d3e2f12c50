"""Delivery bookkeeping: rows journaled before and after each request, live or dry run."""
