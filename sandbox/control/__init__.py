"""The control plane, ``/__sandbox``: ``plane`` routes and guards it (the admin token, the
optional tenant key), ``operation`` declares what a handler is, and one module per area holds
its handlers and their schemas: ``tenants`` (keys, tenants, reset, top-up), ``clock``,
``journal``, ``scenarios``, ``state`` and ``lifecycle`` (order and shipping advances). Every
handler acts through :class:`sandbox.backend.Backend`'s verbs."""
