"""The uvicorn configuration `assistant serve` runs; the attacks on it: tests/reliability/test_abuse_connections.py."""

from __future__ import annotations

import resource

import pytest
from pydantic import ValidationError

from assistant.api.server import FD_RESERVE, BoundedH11Protocol, build_config, connection_cap
from assistant.config import Settings


async def _app(scope, receive, send) -> None:  # noqa: ANN001
    """A stand-in ASGI app: only the configuration is looked at."""


def test_by_default_no_forwarding_header_is_believed() -> None:
    config = build_config(_app, Settings(_env_file=None))
    assert config.proxy_headers is False
    assert config.h11_max_incomplete_event_size == 16 * 1024
    assert issubclass(config.http, BoundedH11Protocol)


def test_trusted_proxies_are_a_comma_separated_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/24")
    config = build_config(_app, Settings(_env_file=None))
    assert config.proxy_headers is True and config.forwarded_allow_ips == ["127.0.0.1", "10.0.0.0/24"]
    monkeypatch.setenv("ASSISTANT_TRUSTED_PROXIES", "nginx")
    with pytest.raises(ValidationError, match="ASSISTANT_TRUSTED_PROXIES"):
        Settings(_env_file=None)


def test_connections_stay_below_the_open_file_limit() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        pytest.skip("no open-file limit")
    assert connection_cap(soft * 10) == max(1, soft - FD_RESERVE)
    assert connection_cap(1) == 1
