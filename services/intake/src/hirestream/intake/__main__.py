import asyncio

from hirestream.intake.app import main

asyncio.run(main())
