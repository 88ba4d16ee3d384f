import asyncio

from hirestream.parser.app import main

asyncio.run(main())
