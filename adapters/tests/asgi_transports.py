"""How lapwise.asgi tests run a server: by name, the ``serve`` options of each way requests
reach the asyncio loop. "epoll": the loop drives the server itself (the native option
external_loop, the default with one thread); "epoll-thread": an io thread hands them over in
batches, as with more than one thread; "asio": the portable transport, always threaded."""

TRANSPORTS = {"epoll": {"io": "epoll"}, "epoll-thread": {"io": "epoll", "loop_drives": False},
              "asio": {"io": "asio"}}
