import asyncio

from hirestream.scorer.app import main

asyncio.run(main())
