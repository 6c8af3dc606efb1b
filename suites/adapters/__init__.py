"""The adapters: one interface per kind (router, parser, query, json, server, client), each
implemented by the native core, pure-Python baselines and real peers, found by ``registry``."""
