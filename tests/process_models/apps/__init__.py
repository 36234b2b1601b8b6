"""Applications the process-model tests serve: plain WSGI and ASGI callables, configured the way
users configure logging (``logging.config.dictConfig`` when the module is imported)."""
