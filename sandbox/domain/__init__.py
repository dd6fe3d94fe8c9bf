"""The domain: plain dataclasses and rules, one module per area. It knows nothing of HTTP."""
