import asyncio

from hirestream.notifier.app import main

asyncio.run(main())
