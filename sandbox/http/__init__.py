"""HTTP: the request/reply loop (``endpoint``, ``exchange``), the API pipeline (``api``), its
routes (one module per area, thin handlers over the domain), the views both planes render
with, validation with NestJS's messages, and ``app``: ``create_app``, the composition root."""
