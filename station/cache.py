"""Django's Redis cache with one Redis client per connection pool.

Django's client builds a new ``redis.Redis`` for every call (its constructor fills a table of some 170
response callbacks), which cost a kept page more than the two round trips to Redis it makes. A client over a
pool is safe to share between threads, and the pool reconnects after a fork, so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
