"""The credential detector: Twilio's forms, other providers' through detect-secrets, masking."""

from __future__ import annotations

import pytest

from gonogo.runbook.secrets import excerpt, mask, secret_kind

# Published example values or made up here; none is a live credential.
SENDGRID = "SG." + "a1B2c3D4e5F6g7H8i9J0kL" + "." + "m1N2o3P4q5R6s7T8u9V0w1X2y3Z4a5B6c7D8e9F0g1H"
AWS = "AKIAIOSFODNN7EXAMPLE"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7fG3kq9Zz1\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"Nyckel {SENDGRID} här", "a SendGrid API key"),
        (f"id {AWS}", "an AWS access key"),
        (PEM, "a private key"),
        (f"token {JWT}", "a JSON Web Token"),
        ("ring 0123456789ABCDEF0123456789ABCDEF", "a Twilio auth token"),
        ("AC0123456789abcdef0123456789abcdef", "a Twilio account SID"),
        ("https://user:hunter2@example.org/x", "a URL with a user name and password"),
        ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "a Slack token"),
        ("key 9fK2pQ7xLm4RtZ8vB1nC6yH3wJ5sD0aE", "a random-looking token (high entropy)"),
    ],
)
def test_credentials_are_recognised(text: str, kind: str) -> None:
    assert secret_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "Release 21.0 av e-receptplattformen startar 23:00.",
        "Läs mer på https://www.ehalsomyndigheten.se/driftinformation",
        "Ring +46701740605 vid frågor.",
        "Vi har nu backat till version 17.1.",
        "",
    ],
)
def test_prose_is_not_a_credential(text: str) -> None:
    assert secret_kind(text) is None
    assert mask(text) == text


def test_a_url_keeps_everything_but_its_password() -> None:
    assert mask("http://user:pw@127.0.0.1:8080/api") == "http://user:***@127.0.0.1:8080/api"


def test_mask_replaces_each_credential() -> None:
    assert mask(f"a {AWS} b {SENDGRID} c") == "a *** b *** c"


def test_excerpt_is_short_quoted_and_masked() -> None:
    assert excerpt("x" * 100) == repr("x" * 37 + "...")
    assert excerpt(f"{AWS},Anna") == repr("***,Anna")
    # A credential cut by the excerpt's length is still masked, not half shown.
    assert AWS[:10] not in excerpt("n" * 30 + AWS)
