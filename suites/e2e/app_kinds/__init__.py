"""What mixing ``def`` and ``async def`` parts in one lapwise.App route costs (server CPU per
request)."""
