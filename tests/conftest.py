# SPDX-License-Identifier: GPL-2.0-or-later
"""pytest fixtures for the tshark-driven smtpx tests (see smtpx_tshark.py)."""

import pytest

import smtpx_tshark


@pytest.fixture(scope="session", autouse=True)
def tshark_home():
    """Private HOME with the built plugin installed; ends the session if that fails."""
    try:
        return smtpx_tshark.setup()
    except smtpx_tshark.HarnessError as exc:
        pytest.exit(f"smtpx test harness: {exc}", returncode=3)


@pytest.fixture(params=smtpx_tshark.PASSES, ids=smtpx_tshark.PASS_IDS)
def passes(request):
    """dict(two_pass=..., verbose=...) for each of the four modes: fields(cap, f, **passes)."""
    return request.param


@pytest.fixture
def transcript():
    """transcript_pcap as a fixture: transcript("name") -> pcap path."""
    return smtpx_tshark.transcript_pcap
