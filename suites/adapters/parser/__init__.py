"""HTTP/1.1 request parsers behind one interface (see ``base``); one module per adapter."""
