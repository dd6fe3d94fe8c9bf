"""The control plane's operations, one module per area; :mod:`sandbox.admin` routes them."""
