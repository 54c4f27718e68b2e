"""Chat channels: the Telegram bot."""
