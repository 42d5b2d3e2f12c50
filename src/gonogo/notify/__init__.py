"""Channels that deliver one message each: SMS through Twilio, e-mail through SMTP."""
