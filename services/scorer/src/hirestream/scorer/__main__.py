import uvloop

from hirestream.scorer.app import main

# uvloop: the event loop's own work (callbacks, socket reads and writes for PostgreSQL and
# Kafka) was most of the scorer's CPU per application under asyncio's loop; scoring is little.
uvloop.run(main())
