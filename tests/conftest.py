"""Shared test set-up: network tests run only when asked for."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("WORKSHOP_NETWORK_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="needs the internet; set WORKSHOP_NETWORK_TESTS=1 to run")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)
