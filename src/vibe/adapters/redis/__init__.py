"""Redis twins of the in-process adapters: limiter, denylist, cache, live event log and job queue.

Security state fails closed: when Redis does not answer, the denylist and the limiter raise
UnavailableError (HTTP 503) rather than let a possibly revoked token through. The live event log fails
open to the durable SQL log, which holds every event anyway.
"""
