import asyncio

from hirestream.parser.app import main

# Guarded: extraction workers are spawned processes and must not start a second service.
if __name__ == "__main__":
    asyncio.run(main())
