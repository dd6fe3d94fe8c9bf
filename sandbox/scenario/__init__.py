"""Scenarios: scripted failures, latency, broken transports, key effects, progressions and
state settings, loaded from YAML or JSON documents (``model``, ``loader``, ``engine``,
``progress``)."""
