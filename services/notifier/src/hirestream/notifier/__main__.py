import uvloop

from hirestream.notifier.app import main

# uvloop: the event loop's own work (callbacks, socket reads and writes for PostgreSQL, Kafka,
# SMTP and HTTP) was a good part of the notifier's CPU per application under asyncio's loop.
uvloop.run(main())
